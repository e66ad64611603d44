"""Tokenizer and parser of the spec language. Knows no layer semantics.

The grammar, in EBNF (``{ }`` repeats, ``[ ]`` is optional)::

    file     = { define , newline } , spec ;      (* block definitions come first *)
    spec     = item , { sep , item } ;             (* the first item is the input shape *)
    sep      = "|" | newline ;                     (* runs of newlines count once *)
    item     = group | branch | use | layer ;
    group    = "(" , spec , ")" , times ;          (* "(conv3x3x64 same | relu)x2" *)
    branch   = ( "res" | "concat" | "mul" | "split" ) , "(" , spec , { ";" , spec } , ")" , [ times ] ;
                                                   (* "res(conv3x3x8 same | relu ; conv1x1x8)" *)
    define   = name , "(" , [ ident , { "," , ident } ] , ")" , "=" , line ;
    line     = item , { "|" , { newline } , item } ;   (* a newline after "|" continues it *)
    use      = name , "(" , [ value , { "," , value } ] , ")" , [ times ] ;
                                                   (* "basic(64, 2)x2": the body, {c} -> 64 *)
    times    = ( "x" | "×" ) , ( integer | "{" , expr , "}" ) ;
                                                   (* "x{n}": n a parameter of the block *)
    layer    = word , { option } ;                 (* "conv3x3x16 same stride2" *)
    option   = word | name , "=" , ( values | "same" | "valid" ) ;
    word     = name , [ values ] ;                 (* "conv3x3x16", "pad1x2", "s2", "same" *)
    values   = value , { ( "x" | "×" ) , value } ;
    value    = integer | decimal | "{" , ident , "}" | "{" , expr , "}" ;
    expr     = term , { ( "+" | "-" ) , term } ;   (* "{4*c}", "{c//2}", "{(c + 1)*e}" *)
    term     = unary , { ( "*" | "//" ) , unary } ;    (* "//": floor division, as Python's *)
    unary    = { "-" } , atom ;
    atom     = integer | ident | "(" , expr , ")" ;    (* spaces allowed inside the braces *)
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

No text from a spec is ever evaluated: values become Python ints, floats, symbol names, or
expression trees (parsed in :mod:`shapecalc.expression`) that the analysis evaluates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from .errors import Span, SpecError, SpecSyntaxError, position, shortened
from .expression import (
    MAX_TERMS,
    Expr,
    Name,
    Num,
    evaluate,
    fold,
    names,
    parse_expression,
    respan,
    size,
    substitute,
    text,
)
from .symbolic import Constraint, Dim, at_least, fmt, is_concrete

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
    """One number, symbol or expression in a spec: ``3`` in ``conv3x3x16``, ``p`` in
    ``pad{p}``, ``{2*f}`` in ``conv3x3x{2*f}``.

    An expression without names is folded to its ``number`` where it is read; ``expr`` holds
    one that still has names (spec symbols, or a definition's parameters before a use gives
    them values), or one that has no value (``{1//0}``), for the analysis to evaluate.
    """

    span: Span
    text: str
    number: int | float | None = None
    name: str | None = None
    expr: Expr | None = None

    @property
    def is_symbol(self) -> bool:
        """True when the value is a symbol or an expression rather than a number."""
        return self.name is not None or self.expr is not None

    @property
    def symbols(self) -> tuple[str, ...]:
        """The names the value depends on, in first-seen order."""
        if self.name is not None:
            return (self.name,)
        if self.expr is None:
            return ()
        return tuple(dict.fromkeys(n.name for n in names(self.expr)))


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
    """A parenthesised group repeated ``count`` times: ``(conv3x3x64 same | relu)x2``.

    In a block definition the count may be a parameter, ``x{n}``: it is then ``pending``
    (and ``count`` 0) until a use gives the parameter a number.
    """

    body: tuple[Item, ...]
    count: int
    span: Span
    pending: Value | None = None


@dataclass(frozen=True)
class BranchSpec:
    """Paths that start from the same input and merge: ``res( main ; shortcut )`` adds the
    outputs (the shortcut is the identity when absent), ``concat( a ; b ; c )`` concatenates
    their channels.

    Attributes:
        kind: ``res`` or ``concat``.
        paths: the items of each path, in order.
        span: from the keyword to the closing parenthesis.
        keyword_span: the keyword alone.
        path_spans: where each path stands (first to last item).
    """

    kind: str
    paths: tuple[tuple[Item, ...], ...]
    span: Span
    keyword_span: Span
    path_spans: tuple[Span, ...]


@dataclass(frozen=True)
class BlockSpec:
    """One use of a named block, ``basic(64, 2)``, with the definition's body substituted.

    Values in the body keep the definition's spans (errors point at the definition), their
    text and number taken from the arguments.

    Attributes:
        name: the block's name.
        args: the arguments as written at the use.
        body: the definition's items with the parameters replaced.
        span: the use, from the name to the closing parenthesis.
        definition: the name in the definition.
    """

    name: str
    args: tuple[Value, ...]
    body: tuple[Item, ...]
    span: Span
    definition: Span

    @property
    def label(self) -> str:
        """The use as text, ``basic(64, 2)``."""
        return _label(self.name, self.args)


def _label(name: str, args: Iterable[Value]) -> str:
    return f"{name}({', '.join(a.text for a in args)})"


def uses_note(source: str, uses: Iterable[tuple[str, Span]]) -> str:
    """``in basic(64, 2) used at line 9, column 1`` for each (label, span) of the uses of
    named blocks, given outermost first and named innermost first."""
    return "; ".join(
        f"in {label} used at {position(source, span.start)}" for label, span in reversed(list(uses))
    )


@dataclass(frozen=True)
class BlockDef:
    """A block definition: ``basic(c, s) = res(conv3x3x{c} s{s} same | bn) | relu``."""

    name: str
    params: tuple[str, ...]
    body: tuple[Item, ...]
    span: Span
    depth: int


#: An item of a spec: a layer, a repeated group, a branch block, or a named block's use.
Item = LayerSpec | RepeatSpec | BranchSpec | BlockSpec
#: Keywords that open a branch block.
BRANCH_KINDS = ("res", "concat", "mul", "split")
#: Most items the uses of named blocks may expand to, so nested uses cannot exhaust memory.
MAX_BLOCK_ITEMS = 100_000


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
    items: tuple[Item, ...]
    blocks: tuple[BlockDef, ...] = ()


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD, LPAREN, RPAREN, PIPE, NEWLINE, EQ, SEMI, COMMA
    text: str
    span: Span


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(source)
    singles = {
        "(": "LPAREN",
        ")": "RPAREN",
        "|": "PIPE",
        "=": "EQ",
        "\n": "NEWLINE",
        ";": "SEMI",
        ",": "COMMA",
    }
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
        else:
            start = i
            while i < n and not source[i].isspace() and source[i] not in "#;,()|=":
                # Braces may hold an expression with spaces and parentheses: {(c + 1)*2}.
                close = _brace_end(source, i) if source[i] == "{" else None
                i = close if close is not None else i + 1
            tokens.append(_Token("WORD", source[start:i], Span(start, i)))
    return tokens


def _brace_end(source: str, at: int) -> int | None:
    """The index after the '}' that closes the '{' at ``at``, or None when a separator (or
    another '{') comes first; the word then ends as if braces were plain characters."""
    for j in range(at + 1, len(source)):
        if source[j] == "}":
            return j + 1
        if source[j] in "{#;,|=\n":
            return None
    return None


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _tokenize(source)
        self.pos = 0
        self.blocks: dict[str, BlockDef] = {}
        self.defining: str | None = None  # the block whose definition is being read
        self.params: tuple[str, ...] = ()  # and its parameters
        self.deepest = 0  # deepest nesting seen, to record a definition's depth
        self.substituted = 0  # items made by block uses, against MAX_BLOCK_ITEMS

    # -- helpers -------------------------------------------------------------------------
    def error(self, message: str, span: Span) -> SpecSyntaxError:
        return SpecSyntaxError(message, self.source, span)

    def peek(self, ahead: int = 0) -> _Token | None:
        at = self.pos + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def end_span(self) -> Span:
        end = len(self.source.rstrip())
        return Span(max(0, end - 1), max(1, end))

    def skip_newlines(self) -> None:
        while (tok := self.peek()) is not None and tok.kind == "NEWLINE":
            self.pos += 1

    def closing(self, at: int) -> int | None:
        """The index of the ')' matching the '(' at token index ``at``."""
        level = 0
        for index in range(at, len(self.tokens)):
            kind = self.tokens[index].kind
            level += {"LPAREN": 1, "RPAREN": -1}.get(kind, 0)
            if level == 0:
                return index
        return None

    def at_definition(self) -> bool:
        """A word, a parenthesised list and '=': ``basic(c, s) = ...``."""
        first, second = self.peek(), self.peek(1)
        if first is None or second is None or first.kind != "WORD" or second.kind != "LPAREN":
            return False
        return self.defines()

    def defines(self) -> bool:
        """Whether the parenthesised list after the current word is followed by '='."""
        close = self.closing(self.pos + 1)
        return (
            close is not None
            and close + 1 < len(self.tokens)
            and self.tokens[close + 1].kind == "EQ"
        )

    # -- grammar -------------------------------------------------------------------------
    def parse(self) -> ParsedSpec:
        self.skip_newlines()
        while self.at_definition():
            self.parse_definition()
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
        items: tuple[Item, ...] = ()
        if self.peek() is not None:
            self.parse_separator()
            items = self.parse_items(depth=0)
        tok = self.peek()
        if tok is not None:  # only a stray ')' can stop parse_items at depth 0
            raise self.error("unmatched ')'", tok.span)
        return ParsedSpec(self.source, input_spec, items, tuple(self.blocks.values()))

    def parse_separator(self) -> None:
        """Consume one separator: a '|' and/or newlines; two '|' in a row is an empty item."""
        pipes = 0
        while (tok := self.peek()) is not None and tok.kind in ("PIPE", "NEWLINE"):
            if tok.kind == "PIPE":
                pipes += 1
                if pipes > 1:
                    raise self.error("empty item between two '|'", tok.span)
            self.pos += 1

    def parse_items(
        self, depth: int, *, branch: bool = False, line: bool = False
    ) -> tuple[Item, ...]:
        """Items up to ')' or the end; in a branch also up to ';'; in a definition (``line``)
        also up to a newline that does not follow '|'."""
        self.deepest = max(self.deepest, depth)
        items: list[Item] = []
        while True:
            tok = self.peek()
            if (
                tok is None
                or tok.kind == "RPAREN"
                or (branch and tok.kind == "SEMI")
                or (line and tok.kind == "NEWLINE")
            ):
                if not items:
                    span = tok.span if tok is not None else self.end_span()
                    what = {"RPAREN": "')'", "SEMI": "';'", "NEWLINE": "the end of the line"}
                    found = what[tok.kind] if tok is not None else "the end of the spec"
                    raise self.error(f"expected a layer before {found}", span)
                return tuple(items)
            nxt = self.peek(1)
            if tok.kind == "LPAREN":
                items.append(self.parse_group(depth + 1))
            elif tok.kind == "WORD" and nxt is not None and nxt.kind == "LPAREN":
                if tok.text in BRANCH_KINDS:
                    items.append(self.parse_branch(depth + 1))
                elif self.is_use(tok):
                    items.append(self.parse_use(depth + 1))
                else:  # "__import__('os')": the '(' is the error
                    items.append(self.parse_layer())
            elif tok.kind == "WORD":
                items.append(self.parse_layer())
            elif tok.kind == "SEMI":
                raise self.error("unexpected ';' — separate layers with '|'", tok.span)
            else:
                raise self.error(f"expected a layer, found {tok.text!r}", tok.span)
            tok = self.peek()
            if tok is None or tok.kind == "RPAREN" or (branch and tok.kind == "SEMI"):
                continue
            if line and tok.kind == "NEWLINE":
                continue
            if tok.kind in ("PIPE", "NEWLINE"):
                start = self.pos
                self.parse_separator()
                nxt = self.peek()
                ended = nxt is None or nxt.kind == "RPAREN" or (branch and nxt.kind == "SEMI")
                if ended and any(t.kind == "PIPE" for t in self.tokens[start : self.pos]):
                    pipe = next(t for t in self.tokens[start : self.pos] if t.kind == "PIPE")
                    raise self.error("a layer must follow '|'", pipe.span)
                continue
            if tok.kind == "SEMI":
                raise self.error("unexpected ';' — separate layers with '|'", tok.span)
            before = self.tokens[self.pos - 1] if self.pos else None
            if tok.kind == "LPAREN" and before is not None and before.kind == "WORD":
                # "foo(1)": a use of a block that was never defined
                raise self.error(
                    f"unexpected '(' after {before.text!r}; {before.text!r} is no defined "
                    "block, and blocks are defined before the input, as in name(c) = conv3x3x{c}",
                    tok.span,
                )
            raise self.error(f"unexpected {tok.text!r}", tok.span)

    def parse_times(self, close: _Token, *, required: bool) -> int | Value | None:
        """The ``x2`` after a closing ')' (None when optional and absent); in a definition,
        the Value of a count given by parameters, ``x{n}``."""
        times = self.peek()
        word = times.text if times is not None and times.kind == "WORD" else ""
        if times is not None and word[:1] in _SEPARATORS and word[1:2] == "{":
            self.pos += 1
            value, end = self.parse_value(
                word, 1, times.span.start, allow_bare=False, what="repeat count"
            )
            if end != len(word):
                raise self.error(
                    f"a repeat count must be a whole number, found {word!r}", times.span
                )
            return self.repeat_count(value)
        match = (
            re.fullmatch(r"[x×]([0-9]+)", times.text) if times and times.kind == "WORD" else None
        )
        if times is None or match is None:
            span = times.span if times is not None else close.span
            if times is not None and times.kind == "WORD" and times.text[:1] in _SEPARATORS:
                raise self.error(
                    f"a repeat count must be a whole number, found {times.text!r}", span
                )
            if not required:
                return None
            raise self.error("a group must be followed by a repeat count such as x2", span)
        self.pos += 1
        count = self.to_int(match.group(1), times.span)
        if count < 1:
            raise self.error(f"repeat count must be at least 1, got {count}", times.span)
        return count

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
        count = self.parse_times(close, required=True)
        assert count is not None
        return _repeat(body, count, open_tok.span.cover(self.tokens[self.pos - 1].span))

    def repeated(self, item: BranchSpec | BlockSpec, close: _Token) -> Item:
        """The item, or a repeat of it when a count such as ``x2`` follows."""
        count = self.parse_times(close, required=False)
        if count is None:
            return item
        return _repeat((item,), count, item.span.cover(self.tokens[self.pos - 1].span))

    def repeat_count(self, value: Value, uses: tuple[tuple[str, Span], ...] = ()) -> int | Value:
        """A repeat count in braces: a whole number, or (in a definition) a Value of the
        block's parameters; ``uses`` are the block uses that gave the parameters values."""
        written = self.source[value.span.start : value.span.end]

        def error(message: str, span: Span = value.span) -> SpecError:
            if not uses:
                return self.error(f"repeat count {message}", span)
            note = uses_note(self.source, uses)
            return SpecSyntaxError(
                message, self.source, span, prefix=f"repeat count {written!r} ({note})"
            )

        if isinstance(value.number, float):
            raise error(f"must be a whole number, got {value.text}")
        if isinstance(value.number, int):
            if value.number < 1:
                raise error(f"must be at least 1, got {value.number}")
            return value.number
        if value.expr is not None and not value.symbols:  # no value, as {1//0}: say why
            try:
                evaluate(value.expr, _no_names, self.source)
            except SpecError as err:
                if not uses:
                    raise
                raise error(err.message, err.span) from None
            raise AssertionError("an expression without names that fold() could not fold")
        if self.defining is not None:
            for name in value.symbols:
                if name not in self.params:
                    raise self.unknown_name(name, value.span)
            return value
        if uses:
            raise error(f"must be a whole number, found {value.text}")
        raise self.error(
            f"repeat count {value.text} is not a number — symbols cannot be repeat counts "
            "(a block's parameters can)",
            value.span,
        )

    def unknown_name(self, name: str, span: Span) -> SpecError:
        """A name in an expression of a definition that is none of its parameters."""
        block, params = self.defining, self.params
        import difflib  # on an error only: kept off the table's start-up

        close = difflib.get_close_matches(name, params, n=1)
        if close:
            hint = f"did you mean {close[0]!r}?"
        elif params:
            hint = (
                f"an expression in {block} may use its parameters ({', '.join(params)}); "
                "pass symbols as arguments"
            )
        else:
            hint = f"{block} has no parameters, and an expression in a block may use only those"
        return self.error(f"unknown name {name!r} — {hint}", span)

    def parse_branch(self, depth: int) -> Item:
        head, open_tok = self.tokens[self.pos], self.tokens[self.pos + 1]
        if depth > MAX_DEPTH:
            raise self.error(f"blocks nested deeper than {MAX_DEPTH}", head.span)
        self.pos += 2
        paths: list[tuple[Item, ...]] = []
        spans: list[Span] = []
        while True:
            self.skip_newlines()
            start = self.peek()
            body = self.parse_items(depth, branch=True)
            paths.append(body)
            assert start is not None
            spans.append(start.span.cover(self.tokens[self.pos - 1].span))
            tok = self.peek()
            if tok is None:
                raise self.error(
                    f"unclosed '(' — add ')' to end the {head.text} block", open_tok.span
                )
            self.pos += 1
            if tok.kind == "RPAREN":
                close = tok
                break
            if head.text == "res" and len(paths) == 2:
                raise self.error(
                    "a second ';' in res — it takes a main path and one shortcut at most", tok.span
                )
        node = BranchSpec(
            head.text, tuple(paths), head.span.cover(close.span), head.span, tuple(spans)
        )
        return self.repeated(node, close)

    def is_use(self, tok: _Token) -> bool:
        """Whether ``word(`` reads as a block use (or a misplaced definition)."""
        if tok.text in self.blocks or tok.text == self.defining or self.defines():
            return True
        return bool(self.blocks) and _IDENT.fullmatch(tok.text) is not None

    def parse_use(self, depth: int) -> Item:
        name_tok = self.tokens[self.pos]
        if self.defines():
            raise self.error(
                "a block definition after the input shape — define blocks before it, "
                "one per line",
                name_tok.span,
            )
        definition = self.blocks.get(name_tok.text)
        if definition is None and name_tok.text == self.defining:
            raise self.error(
                f"block {name_tok.text!r} cannot use itself; a block may use only the blocks "
                "defined above it",
                name_tok.span,
            )
        if definition is None:
            known = list(self.blocks)
            import difflib  # on an error only: kept off the table's start-up

            close = difflib.get_close_matches(name_tok.text, known, n=1)
            if close:
                hint = f"did you mean {close[0]!r}?"
            elif name_tok.text in ("add", "cat", "residual", "parallel"):
                hint = "write res( ... ) or concat( ... ; ... )"
            else:
                hint = f"define it first, as {name_tok.text}(c) = conv3x3x{{c}} | relu"
            raise self.error(f"unknown block {name_tok.text!r} — {hint}", name_tok.span)
        self.pos += 2
        args: list[Value] = []
        while True:
            tok = self.peek()
            if tok is None:
                raise self.error("unclosed '(' — add ')' after the arguments", name_tok.span)
            if tok.kind == "RPAREN" and not args and not definition.params:
                break
            if tok.kind != "WORD":
                raise self.error(
                    f"expected a number or {{symbol}} as an argument, found {tok.text!r}",
                    tok.span,
                )
            value = self.parse_value(tok.text, 0, tok.span.start, allow_bare=False, what="number")
            if value[1] != len(tok.text):
                raise self.error(
                    f"an argument is one number or {{symbol}}, found {tok.text!r}", tok.span
                )
            args.append(value[0])
            self.pos += 1
            sep = self.peek()
            if sep is not None and sep.kind == "COMMA":
                self.pos += 1
                continue
            if sep is None or sep.kind != "RPAREN":
                span = sep.span if sep is not None else tok.span
                raise self.error("separate arguments with ',' and end them with ')'", span)
            break
        close_tok = self.tokens[self.pos]
        self.pos += 1
        span = name_tok.span.cover(close_tok.span)
        params = definition.params
        if len(args) != len(params):
            want = f"{len(params)} argument{'s' if len(params) != 1 else ''}"
            raise self.error(
                f"{definition.name} takes {want} ({', '.join(params)}), got {len(args)}", span
            )
        if depth + definition.depth > MAX_DEPTH:
            raise self.error(f"blocks nested deeper than {MAX_DEPTH}", name_tok.span)
        self.deepest = max(self.deepest, depth + definition.depth)
        env = dict(zip(params, args))
        body = self.substitute(definition.body, env, ((_label(definition.name, args), span),))
        node = BlockSpec(definition.name, tuple(args), body, span, definition.span)
        return self.repeated(node, close_tok)

    def parse_definition(self) -> None:
        name_tok = self.tokens[self.pos]
        if not _IDENT.fullmatch(name_tok.text) or not name_tok.text[0].isalpha():
            raise self.error(
                f"bad block name {name_tok.text!r}; use letters, digits and _", name_tok.span
            )
        if name_tok.text in BRANCH_KINDS:
            raise self.error(
                f"{name_tok.text!r} is a built-in block; pick another name", name_tok.span
            )
        if name_tok.text in self.blocks:
            raise self.error(f"block {name_tok.text!r} is defined twice", name_tok.span)
        self.pos += 2
        params: list[str] = []
        while (tok := self.peek()) is not None and tok.kind != "RPAREN":
            if tok.kind != "WORD" or not _IDENT.fullmatch(tok.text):
                raise self.error(
                    f"expected a parameter name such as c, found {tok.text!r}", tok.span
                )
            if tok.text in params:
                raise self.error(f"parameter {tok.text!r} given twice", tok.span)
            params.append(tok.text)
            self.pos += 1
            sep = self.peek()
            if sep is not None and sep.kind == "COMMA":
                self.pos += 1
            elif sep is None or sep.kind != "RPAREN":
                span = sep.span if sep is not None else tok.span
                raise self.error("separate parameters with ',' and end them with ')'", span)
        self.pos += 2  # ')' and '=' (at_definition saw them)
        self.skip_newlines()
        self.deepest = 0
        self.defining, self.params = name_tok.text, tuple(params)
        try:
            body = self.parse_items(depth=0, line=True)
        finally:
            self.defining, self.params = None, ()
        tok = self.peek()
        if tok is not None and tok.kind != "NEWLINE":
            raise self.error("unmatched ')'", tok.span)
        self.blocks[name_tok.text] = BlockDef(
            name_tok.text, tuple(params), body, name_tok.span, self.deepest
        )

    # -- block substitution --------------------------------------------------------------
    def substitute(
        self, items: tuple[Item, ...], env: dict[str, Value], uses: tuple[tuple[str, Span], ...]
    ) -> tuple[Item, ...]:
        """A copy of a definition's items with parameters replaced by the arguments; ``uses``
        are the (label, span) of the uses being filled in, outermost first."""
        self.substituted += len(items)
        if self.substituted > MAX_BLOCK_ITEMS:
            raise self.error(
                f"block uses expand to more than {MAX_BLOCK_ITEMS:,} items", uses[0][1]
            )

        def sub(value: Value) -> Value:
            return self.substitute_value(value, env, uses)

        out: list[Item] = []
        for item in items:
            if isinstance(item, LayerSpec):
                out.append(_substitute_layer(item, sub, self.source))
            elif isinstance(item, RepeatSpec):
                body = self.substitute(item.body, env, uses)
                if item.pending is None:
                    out.append(replace(item, body=body))
                else:
                    count = self.repeat_count(sub(item.pending), uses)
                    out.append(_repeat(body, count, item.span))
            elif isinstance(item, BranchSpec):
                paths = tuple(self.substitute(p, env, uses) for p in item.paths)
                out.append(replace(item, paths=paths))
            else:
                args = tuple(sub(a) for a in item.args)
                inner = (*uses, (_label(item.name, args), item.span))
                out.append(replace(item, args=args, body=self.substitute(item.body, env, inner)))
        return tuple(out)

    def substitute_value(
        self, value: Value, env: dict[str, Value], uses: tuple[tuple[str, Span], ...]
    ) -> Value:
        """The value with the parameters in it replaced by the arguments; an expression left
        without names is folded to its number."""
        if value.expr is None:
            if value.name is None or value.name not in env:
                return value
            arg = env[value.name]  # the argument, keeping the parameter's place
            expr = respan(arg.expr, value.span) if arg.expr is not None else None
            return Value(value.span, arg.text, arg.number, arg.name, expr)
        filled = [n for n in names(value.expr) if n.name in env]
        if not filled:
            return value
        grown = size(value.expr) + sum(_size(env[n.name]) - 1 for n in filled)
        if grown > MAX_TERMS:
            written = self.source[value.span.start : value.span.end]
            raise SpecSyntaxError(
                f"it grows past {MAX_TERMS} terms with the arguments filled in",
                self.source,
                value.span,
                prefix=f"expression {written!r} ({uses_note(self.source, uses)})",
            )
        tree = substitute(
            value.expr, lambda n: _tree(env[n.name], n.span) if n.name in env else None
        )
        if not names(tree) and (number := fold(tree)) is not None:
            return Value(value.span, str(number), number=number)
        return Value(value.span, "{" + text(tree) + "}", expr=tree)

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
            import difflib  # on an error only: kept off the table's start-up

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
            inner = text[i + 1 : close]
            span = Span(offset + i, offset + close + 1)
            if _IDENT.fullmatch(inner.strip()):
                return Value(span, text[i : close + 1], name=inner.strip()), close + 1
            if what == "dimension":
                raise self.error(
                    "the input shape takes numbers and symbols, not expressions — name the "
                    "size, as in {h}x{w}x3",
                    span,
                )
            return self.expression(inner, offset + i + 1, span), close + 1
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

    def expression(self, inner: str, start: int, span: Span) -> Value:
        """The Value of ``{inner}``: its number when it has no names."""
        tree = parse_expression(inner, start, self.source)
        if self.defining is not None:
            for node in names(tree):
                if node.name not in self.params:
                    raise self.unknown_name(node.name, node.span)
        written = self.source[span.start : span.end]
        if not names(tree) and (number := fold(tree)) is not None:
            return Value(span, written, number=number)
        return Value(span, written, expr=tree)

    def to_int(self, raw: str, span: Span) -> int:
        if len(raw) > 19 or int(raw) > MAX_NUMBER:
            raise self.error(f"number {shortened(raw)!r} is too large (the limit is 10**18)", span)
        return int(raw)


def _repeat(body: tuple[Item, ...], count: int | Value, span: Span) -> RepeatSpec:
    if isinstance(count, Value):
        return RepeatSpec(body, 0, span, pending=count)
    return RepeatSpec(body, count, span)


def _no_names(name: str) -> Dim:
    raise AssertionError(f"{name!r} in an expression without names")


def _size(arg: Value) -> int:
    """How many nodes an argument puts in place of a parameter."""
    return size(arg.expr) if arg.expr is not None else 1


def _tree(arg: Value, span: Span) -> Expr:
    """An argument as an expression tree at ``span`` (the parameter's place)."""
    if arg.expr is not None:
        return respan(arg.expr, span)
    if arg.name is not None:
        return Name(arg.name, span)
    assert arg.number is not None
    return Num(arg.number, span)


def _substitute_layer(
    spec: LayerSpec, substitute_value: Callable[[Value], Value], source: str
) -> LayerSpec:
    """The layer with its parameters replaced; its text shows the arguments."""
    changed = False

    def sub(value: Value) -> Value:
        nonlocal changed
        new = substitute_value(value)
        changed = changed or new is not value
        return new

    params = tuple(sub(v) for v in spec.params)
    options = tuple(replace(o, values=tuple(sub(v) for v in o.values)) for o in spec.options)
    if not changed:
        return spec
    # Written afresh from the definition: in a block used by a block, spec.text already has
    # the outer arguments in it, and the values' spans (the definition's) no longer fit it.
    text = source[spec.span.start : spec.span.end]
    values = [*params, *(v for o in options for v in o.values)]
    for value in sorted(values, key=lambda v: -v.span.start):
        start, end = value.span.start - spec.span.start, value.span.end - spec.span.start
        text = text[:start] + value.text + text[end:]
    return replace(spec, params=params, options=options, text=text)


def evaluate_layer(
    spec: LayerSpec,
    places: Iterable[tuple[Value, bool]],
    lookup: Callable[[str], Dim],
    source: str,
) -> tuple[LayerSpec, list[Constraint]]:
    """Evaluate a layer item's expressions with the symbols' values (from ``lookup``).

    ``places`` are the item's values, each with whether 0 is meaningful there (padding).
    An expression that comes out a whole number becomes that number, so that the layer
    checks it as it checks any number (``filters must be positive, got 0``). For one that
    stays symbolic, the condition under which it is a size is returned.

    Raises:
        SpecSyntaxError: an expression has no value (division by zero, past 10**18), or is
            never a size.
    """
    numbers: dict[int, Value] = {}
    conditions: list[Constraint] = []
    for value, zero_ok in places:
        if value.expr is None:
            continue
        result = evaluate(value.expr, lookup, source)
        if is_concrete(result):
            numbers[id(value)] = Value(value.span, value.text, number=int(result))
            continue
        verdict = at_least(result, 0 if zero_ok else 1)
        if verdict is False:
            need = "0 or more" if zero_ok else "positive"
            raise SpecSyntaxError(
                f"{value.text!r} is never {need} — it is {fmt(result)}", source, value.span
            )
        if isinstance(verdict, Constraint):
            conditions.append(verdict)
    if not numbers:
        return spec, conditions

    def number(value: Value) -> Value:
        return numbers.get(id(value), value)

    params = tuple(number(v) for v in spec.params)
    options = tuple(replace(o, values=tuple(number(v) for v in o.values)) for o in spec.options)
    return replace(spec, params=params, options=options), conditions


def parse(source: str) -> ParsedSpec:
    """Parse a spec into its input shape and (unexpanded) items.

    Raises:
        SpecSyntaxError: the text does not follow the grammar; the error points at the token.
    """
    return _Parser(source).parse()
