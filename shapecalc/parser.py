"""Tokenizer and parser of the spec language. Knows no layer semantics.

The grammar, in EBNF (``{ }`` repeats, ``[ ]`` is optional)::

    spec     = item , { sep , item } ;             (* the first item is the input shape *)
    sep      = "|" | newline ;                     (* runs of newlines count once *)
    item     = group | layer ;
    group    = "(" , spec , ")" , times ;          (* "(conv3x3x64 same | relu)x2" *)
    times    = ( "x" | "×" ) , integer ;
    layer    = word , { option } ;                 (* "conv3x3x16 same stride2" *)
    option   = word | name , "=" , ( values | "same" | "valid" ) ;
    word     = name , [ values ] ;                 (* "conv3x3x16", "pad1x2", "s2", "same" *)
    values   = value , { ( "x" | "×" ) , value } ;
    value    = integer | decimal | "{" , ident , "}" ;
    input    = dim , { ( "x" | "×" ) , dim } ;     (* "28x28x1", "nxnx3", "{h_in}x{w_in}x3" *)
    dim      = integer | bare | "{" , ident , "}" ;
    name     = letter , { letter | "_" } ;
    bare     = letter , { letter | "_" } ;         (* without braces: no lowercase x in it *)
    ident    = ( letter | "_" ) , { letter | digit | "_" } ;
    comment  = "#" , { any character but newline } ;   (* ignored *)

Why a hand-written parser and not lark: a word such as ``conv3x3x16`` or ``nxnx3`` glues a
keyword, numbers and the ``x`` separator without spaces, so it is lexed by context (``x`` is a
separator inside ``nxnx3`` but part of the keyword in ``maxpool2``). Doing that in a few
small functions gives exact spans for every number and option, error messages written for
this language instead of a generic "unexpected token", and no grammar compilation on the
start-up path (the calculator must answer from a cold process in a fraction of a second).

No text from a spec is ever evaluated: values become Python ints, floats, or symbol names.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .errors import Span, SpecSyntaxError

#: Largest number a spec may contain; larger values are refused by name.
MAX_NUMBER = 10**18
#: Deepest nesting of parenthesised groups.
MAX_DEPTH = 32

_SEPARATORS = ("x", "×")
_NAME = re.compile(r"[A-Za-z_]+")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_BARE = re.compile(r"[A-Za-wyz][A-Za-wyz_]*")  # a letter first; no lowercase x
#: Words (not symbols) that may stand after '=', as in ``pad=same``.
_WORD_VALUES = ("same", "valid")


@dataclass(frozen=True)
class Value:
    """One number or symbol in a spec, e.g. ``3`` in ``conv3x3x16`` or ``p`` in ``pad{p}``."""

    span: Span
    text: str
    number: int | float | None = None
    name: str | None = None

    @property
    def is_symbol(self) -> bool:
        """True when the value is a symbol name rather than a number."""
        return self.name is not None


@dataclass(frozen=True)
class OptionSpec:
    """An option after a layer keyword: ``same``, ``pad1x2``, ``s2`` or ``stride=2``."""

    key: str
    values: tuple[Value, ...]
    span: Span
    key_span: Span
    word: str | None = None  # a word value, as in ``pad=same``


@dataclass(frozen=True)
class LayerSpec:
    """One layer item: keyword, the numbers glued to it, and its options."""

    keyword: str
    keyword_span: Span
    params: tuple[Value, ...]
    options: tuple[OptionSpec, ...]
    span: Span
    text: str


@dataclass(frozen=True)
class RepeatSpec:
    """A parenthesised group repeated ``count`` times: ``(conv3x3x64 same | relu)x2``."""

    body: tuple[LayerSpec | RepeatSpec, ...]
    count: int
    span: Span


@dataclass(frozen=True)
class InputSpec:
    """The input shape item, channels last: ``28x28x1``."""

    dims: tuple[Value, ...]
    span: Span
    text: str


@dataclass(frozen=True)
class ParsedSpec:
    """The parse of a whole spec: its source text, input shape and items."""

    source: str
    input: InputSpec
    items: tuple[LayerSpec | RepeatSpec, ...]


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD, LPAREN, RPAREN, PIPE, NEWLINE, EQ
    text: str
    span: Span


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(source)
    singles = {"(": "LPAREN", ")": "RPAREN", "|": "PIPE", "=": "EQ", "\n": "NEWLINE"}
    while i < n:
        ch = source[i]
        if ch == "#":
            while i < n and source[i] != "\n":
                i += 1
        elif ch in singles:
            tokens.append(_Token(singles[ch], ch, Span(i, i + 1)))
            i += 1
        elif ch.isspace():
            i += 1
        elif ch == ";":
            raise SpecSyntaxError(
                "unexpected ';' — separate layers with '|'", source, Span(i, i + 1)
            )
        else:
            start = i
            while i < n and not source[i].isspace() and source[i] not in "#;()|=":
                i += 1
            tokens.append(_Token("WORD", source[start:i], Span(start, i)))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _tokenize(source)
        self.pos = 0

    # -- helpers -------------------------------------------------------------------------
    def error(self, message: str, span: Span) -> SpecSyntaxError:
        return SpecSyntaxError(message, self.source, span)

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def end_span(self) -> Span:
        end = len(self.source.rstrip())
        return Span(max(0, end - 1), max(1, end))

    def skip_newlines(self) -> None:
        while (tok := self.peek()) is not None and tok.kind == "NEWLINE":
            self.pos += 1

    # -- grammar -------------------------------------------------------------------------
    def parse(self) -> ParsedSpec:
        self.skip_newlines()
        first = self.peek()
        if first is None:
            raise self.error("empty spec — start with an input shape such as 28x28x1", Span(0, 1))
        if first.kind != "WORD":
            raise self.error(
                f"expected an input shape such as 28x28x1, found {first.text!r}", first.span
            )
        self.pos += 1
        input_spec = InputSpec(self.parse_dims(first), first.span, first.text)
        nxt = self.peek()
        if nxt is not None and nxt.kind not in ("PIPE", "NEWLINE"):
            raise self.error(f"expected '|' after the input shape, found {nxt.text!r}", nxt.span)
        items: tuple[LayerSpec | RepeatSpec, ...] = ()
        if self.peek() is not None:
            self.parse_separator()
            items = self.parse_items(depth=0)
        tok = self.peek()
        if tok is not None:  # only a stray ')' can stop parse_items at depth 0
            raise self.error("unmatched ')'", tok.span)
        return ParsedSpec(self.source, input_spec, items)

    def parse_separator(self) -> None:
        """Consume one separator: a '|' and/or newlines; two '|' in a row is an empty item."""
        pipes = 0
        while (tok := self.peek()) is not None and tok.kind in ("PIPE", "NEWLINE"):
            if tok.kind == "PIPE":
                pipes += 1
                if pipes > 1:
                    raise self.error("empty item between two '|'", tok.span)
            self.pos += 1

    def parse_items(self, depth: int) -> tuple[LayerSpec | RepeatSpec, ...]:
        items: list[LayerSpec | RepeatSpec] = []
        while True:
            tok = self.peek()
            if tok is None or tok.kind == "RPAREN":
                if not items:
                    span = tok.span if tok is not None else self.end_span()
                    what = "')'" if tok is not None else "the end of the spec"
                    raise self.error(f"expected a layer before {what}", span)
                return tuple(items)
            if tok.kind == "LPAREN":
                items.append(self.parse_group(depth + 1))
            elif tok.kind == "WORD":
                items.append(self.parse_layer())
            else:
                raise self.error(f"expected a layer, found {tok.text!r}", tok.span)
            tok = self.peek()
            if tok is None or tok.kind == "RPAREN":
                continue
            if tok.kind in ("PIPE", "NEWLINE"):
                start = self.pos
                self.parse_separator()
                nxt = self.peek()
                ended = nxt is None or nxt.kind == "RPAREN"
                if ended and any(t.kind == "PIPE" for t in self.tokens[start : self.pos]):
                    pipe = next(t for t in self.tokens[start : self.pos] if t.kind == "PIPE")
                    raise self.error("a layer must follow '|'", pipe.span)
                continue
            raise self.error(f"unexpected {tok.text!r}", tok.span)

    def parse_group(self, depth: int) -> RepeatSpec:
        open_tok = self.tokens[self.pos]
        if depth > MAX_DEPTH:
            raise self.error(f"groups nested deeper than {MAX_DEPTH}", open_tok.span)
        self.pos += 1
        self.skip_newlines()
        body = self.parse_items(depth)
        close = self.peek()
        if close is None or close.kind != "RPAREN":
            raise self.error("unclosed '(' — add ')x<count>' after the group", open_tok.span)
        self.pos += 1
        times = self.peek()
        match = (
            re.fullmatch(r"[x×]([0-9]+)", times.text) if times and times.kind == "WORD" else None
        )
        if times is None or match is None:
            span = times.span if times is not None else close.span
            if times is not None and times.text[:1] in _SEPARATORS:
                raise self.error(
                    f"a repeat count must be a whole number, found {times.text!r}", span
                )
            raise self.error("a group must be followed by a repeat count such as x2", span)
        self.pos += 1
        count = self.to_int(match.group(1), times.span)
        if count < 1:
            raise self.error(f"repeat count must be at least 1, got {count}", times.span)
        return RepeatSpec(body, count, open_tok.span.cover(times.span))

    def parse_layer(self) -> LayerSpec:
        head = self.tokens[self.pos]
        self.pos += 1
        keyword, keyword_span, params = self.split_word(head)
        options: list[OptionSpec] = []
        while (tok := self.peek()) is not None and tok.kind == "WORD":
            self.pos += 1
            nxt = self.peek()
            if nxt is not None and nxt.kind == "EQ":
                options.append(self.parse_key_value(tok))
                continue
            key, key_span, values = self.split_word(tok)
            options.append(OptionSpec(key, values, tok.span, key_span))
        tok = self.peek()
        if tok is not None and tok.kind == "EQ":
            raise self.error("'=' needs an option name before it, as in stride=2", tok.span)
        end = options[-1].span if options else head.span
        span = head.span.cover(end)
        return LayerSpec(
            keyword, keyword_span, params, tuple(options), span, self.source[span.start : span.end]
        )

    def parse_key_value(self, key_tok: _Token) -> OptionSpec:
        if not _NAME.fullmatch(key_tok.text):
            raise self.error(f"bad option name {key_tok.text!r} before '='", key_tok.span)
        eq = self.tokens[self.pos]
        self.pos += 1
        val = self.peek()
        if val is None or val.kind != "WORD" or val.span.start != eq.span.end:
            raise self.error("expected a value right after '='", eq.span)
        self.pos += 1
        span = key_tok.span.cover(val.span)
        if val.text in _WORD_VALUES:
            return OptionSpec(key_tok.text, (), span, key_tok.span, word=val.text)
        if _NAME.fullmatch(val.text):
            # A bare word here is a typo far more often than a symbol: symbols take braces.
            close = difflib.get_close_matches(val.text, _WORD_VALUES, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"write a symbol as {{{val.text}}}"
            raise self.error(f"unknown value {val.text!r} after '=' — {hint}", val.span)
        values = self.parse_values(val.text, val.span.start, allow_bare=False)
        return OptionSpec(key_tok.text, values, span, key_tok.span)

    # -- words ---------------------------------------------------------------------------
    def split_word(self, tok: _Token) -> tuple[str, Span, tuple[Value, ...]]:
        """Split ``conv3x3x16`` into keyword ``conv`` and values (3, 3, 16)."""
        match = _NAME.match(tok.text)
        if match is None:
            raise self.error(f"expected a layer or option name, found {tok.text!r}", tok.span)
        name = match.group(0)
        key_span = Span(tok.span.start, tok.span.start + len(name))
        rest = tok.text[len(name) :]
        values = self.parse_values(rest, key_span.end, allow_bare=False) if rest else ()
        return name, key_span, values

    def parse_dims(self, tok: _Token) -> tuple[Value, ...]:
        """Parse the input shape ``28x28x1`` / ``nxnx3`` / ``{h_in}x{w_in}x3``."""
        return self.parse_values(tok.text, tok.span.start, allow_bare=True, what="dimension")

    def parse_values(
        self, text: str, offset: int, *, allow_bare: bool, what: str = "number"
    ) -> tuple[Value, ...]:
        values: list[Value] = []
        i = 0
        while True:
            value, i = self.parse_value(text, i, offset, allow_bare=allow_bare, what=what)
            values.append(value)
            if i == len(text):
                return tuple(values)
            if text[i] not in _SEPARATORS:
                bad = Span(offset + i, offset + i + 1)
                if text[i] == "d" and i == 1 and text[0] in "123":
                    raise self.error(
                        f"drop {text[: i + 1]!r} — the rank (1D, 2D, 3D) comes from the input shape",
                        Span(offset, offset + 2),
                    )
                raise self.error(
                    f"unexpected {text[i]!r} in {text!r}; sizes are joined by 'x'", bad
                )
            i += 1
            if i == len(text):
                raise self.error(f"expected a {what} after 'x'", Span(offset + i - 1, offset + i))

    def parse_value(
        self, text: str, i: int, offset: int, *, allow_bare: bool, what: str
    ) -> tuple[Value, int]:
        if text.startswith("{", i):
            close = text.find("}", i)
            if close == -1:
                raise self.error("unclosed '{'", Span(offset + i, offset + len(text)))
            name = text[i + 1 : close]
            span = Span(offset + i, offset + close + 1)
            if not _IDENT.fullmatch(name):
                raise self.error(f"bad symbol name {name!r}; use letters, digits and _", span)
            return Value(span, text[i : close + 1], name=name), close + 1
        if match := _NUMBER.match(text, i):
            span = Span(offset + i, offset + match.end())
            raw = match.group(0)
            number: int | float = float(raw) if "." in raw else self.to_int(raw, span)
            return Value(span, raw, number=number), match.end()
        if allow_bare and (match := _BARE.match(text, i)):
            span = Span(offset + i, offset + match.end())
            return Value(span, match.group(0), name=match.group(0)), match.end()
        span = Span(offset + i, offset + i + 1)
        if text.startswith("-", i):
            raise self.error(f"{what}s must be positive, found {text[i:]!r}", span)
        if i == len(text):
            raise self.error(f"expected a {what}", span)
        found = text[i:]
        hint = ""
        if not allow_bare and found[0].isalpha():
            hint = "; write symbols in braces, as in conv{f}x{f}x8"
        elif found.startswith("."):
            hint = "; write decimals with a leading digit, as in 0.5"
        raise self.error(f"expected a {what}, found {found!r}{hint}", span)

    def to_int(self, raw: str, span: Span) -> int:
        if len(raw) > 19 or int(raw) > MAX_NUMBER:
            raise self.error(f"number {raw[:24]!r} is too large (the limit is 10**18)", span)
        return int(raw)


def parse(source: str) -> ParsedSpec:
    """Parse a spec into its input shape and (unexpanded) items.

    Raises:
        SpecSyntaxError: the text does not follow the grammar; the error points at the token.
    """
    return _Parser(source).parse()
