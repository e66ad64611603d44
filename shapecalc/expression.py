"""Integer arithmetic in braces: ``{4*c}``, ``{c//2}``, ``{(c + 1)*e}``.

The grammar is ``expr`` in the spec language's EBNF (see :mod:`shapecalc.parser`).
Integers only, as in Python: ``//`` is floor division (``-7//2`` is -4) and unary minus binds
tighter than ``*``. Spaces are allowed. The text is parsed here by recursive descent into a
small tree, never handed to Python or sympy as text: a spec is data.

A tree evaluates to a Python int when every name has an integer value, else to a sympy
expression (``//`` as a floor, kept small by :func:`shapecalc.symbolic.floor_div`). Every
value met on the way is at most 10**18 in size, as any number in a spec.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Union

from .errors import Span, SpecSyntaxError, shortened
from .symbolic import Dim, concrete, floor_div, is_concrete, sp

#: Largest number an expression may contain or compute (as any number in a spec).
MAX_NUMBER = 10**18
#: Most nodes (numbers, names, operators) in one expression, block arguments filled in.
MAX_TERMS = 200
#: Deepest nesting of parentheses in an expression (as of groups in a spec).
MAX_DEPTH = 32


@dataclass(frozen=True)
class Num:
    """A number; a decimal only when a block argument put one there (refused when used)."""

    value: int | float
    span: Span


@dataclass(frozen=True)
class Name:
    """A block parameter or a spec symbol."""

    name: str
    span: Span


@dataclass(frozen=True)
class Neg:
    """Unary minus."""

    operand: Expr
    span: Span


@dataclass(frozen=True)
class BinOp:
    """``left op right`` with op one of ``+ - * //``."""

    op: str
    left: Expr
    right: Expr
    span: Span


#: A node of an expression tree.
Expr = Union[Num, Name, Neg, BinOp]

#: Binding strength of each operator; a number or name binds tightest.
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "//": 2}
_UNARY = 3
_ATOM = 4

_TOKEN = re.compile(
    r"\s*(?:(?P<number>[0-9]+(?:\.[0-9]+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|//|[-+*/()])|(?P<other>.))"
)


@dataclass(frozen=True)
class _Tok:
    kind: str  # number, name, op, end
    text: str
    span: Span


class _ExprParser:
    def __init__(self, text: str, offset: int, source: str) -> None:
        self.source = source
        self.tokens = self.lex(text, offset)
        self.pos = 0
        self.nodes = 0

    def error(self, message: str, span: Span) -> SpecSyntaxError:
        return SpecSyntaxError(message, self.source, span)

    def lex(self, text: str, offset: int) -> list[_Tok]:
        tokens: list[_Tok] = []
        i = 0
        while (match := _TOKEN.match(text, i)) and match.group(0).strip():
            kind = match.lastgroup or "other"
            start = offset + match.start(kind)
            tok = _Tok(kind, match.group(kind), Span(start, offset + match.end()))
            if kind == "other":
                raise self.error(
                    f"unexpected {tok.text!r} in an expression — use numbers, names, "
                    "+ - * // and parentheses",
                    tok.span,
                )
            if tok.text == "**":
                raise self.error("'**' is no operator here — write c*c for a square", tok.span)
            if tok.text == "/":
                raise self.error(
                    "'/' is true division — write '//' for whole-number (floor) division",
                    tok.span,
                )
            tokens.append(tok)
            i = match.end()
        end = offset + len(text)
        tokens.append(_Tok("end", "", Span(end, end + 1)))  # the closing '}'
        return tokens

    def peek(self) -> _Tok:
        return self.tokens[self.pos]

    def node(self, made: Expr) -> Expr:
        self.nodes += 1
        if self.nodes > MAX_TERMS:
            raise self.error(f"an expression has more than {MAX_TERMS} terms", made.span)
        return made

    def parse(self) -> Expr:
        tree = self.expr(0)
        tok = self.peek()
        if tok.kind != "end":
            if tok.text == ")":
                raise self.error("unmatched ')' in an expression", tok.span)
            before = self.tokens[self.pos - 1].text
            raise self.error(
                f"expected an operator (+ - * //) after {before!r}, found {tok.text!r}", tok.span
            )
        return tree

    def expr(self, depth: int) -> Expr:
        left = self.term(depth)
        while (tok := self.peek()).text in ("+", "-"):
            self.pos += 1
            right = self.term(depth)
            left = self.node(BinOp(tok.text, left, right, left.span.cover(right.span)))
        return left

    def term(self, depth: int) -> Expr:
        left = self.unary(depth)
        while (tok := self.peek()).text in ("*", "//"):
            self.pos += 1
            right = self.unary(depth)
            left = self.node(BinOp(tok.text, left, right, left.span.cover(right.span)))
        return left

    def unary(self, depth: int) -> Expr:
        minuses: list[_Tok] = []
        while (tok := self.peek()).text == "-":  # a loop, not recursion: "-----c" is cheap
            minuses.append(tok)
            self.pos += 1
        tree = self.atom(depth)
        for tok in reversed(minuses):
            tree = self.node(Neg(tree, tok.span.cover(tree.span)))
        return tree

    def atom(self, depth: int) -> Expr:
        tok = self.peek()
        self.pos += 1
        if tok.kind == "number":
            if "." in tok.text:
                raise self.error(f"expressions take whole numbers, found {tok.text!r}", tok.span)
            if len(tok.text) > 19 or int(tok.text) > MAX_NUMBER:
                raise self.error(
                    f"number {shortened(tok.text)!r} is too large (the limit is 10**18)", tok.span
                )
            return self.node(Num(int(tok.text), tok.span))
        if tok.kind == "name":
            return self.node(Name(tok.text, tok.span))
        if tok.text == "(":
            if depth >= MAX_DEPTH:
                raise self.error(f"parentheses nested deeper than {MAX_DEPTH}", tok.span)
            inner = self.expr(depth + 1)
            close = self.peek()
            if close.text != ")":
                raise self.error("unclosed '(' in an expression — add ')'", tok.span)
            self.pos += 1
            return replace(inner, span=tok.span.cover(close.span))
        before = self.tokens[self.pos - 2].text if self.pos >= 2 else None
        found = "'}'" if tok.kind == "end" else repr(tok.text)
        after = f" after {before!r}" if before is not None else ""
        raise self.error(f"expected a number, a name or '('{after}, found {found}", tok.span)


def parse_expression(text: str, offset: int, source: str) -> Expr:
    """Parse the text between braces; ``offset`` is where it starts in ``source``.

    Raises:
        SpecSyntaxError: the text is no expression; the error points at the token.
    """
    if not text.strip():
        raise SpecSyntaxError(
            "empty braces — write a symbol or an expression, as in {c} or {4*c}",
            source,
            Span(offset - 1, offset + len(text) + 1),
        )
    return _ExprParser(text, offset, source).parse()


def names(tree: Expr) -> list[Name]:
    """The names in the tree, left to right (each occurrence)."""
    found: list[Name] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            found.append(node)
        elif isinstance(node, Neg):
            stack.append(node.operand)
        elif isinstance(node, BinOp):
            stack += [node.right, node.left]
    return found


def size(tree: Expr) -> int:
    """How many nodes the tree has."""
    if isinstance(tree, Neg):
        return 1 + size(tree.operand)
    if isinstance(tree, BinOp):
        return 1 + size(tree.left) + size(tree.right)
    return 1


def respan(tree: Expr, span: Span) -> Expr:
    """The tree with every node at ``span`` (an argument moved into a block's body)."""
    if isinstance(tree, Neg):
        return Neg(respan(tree.operand, span), span)
    if isinstance(tree, BinOp):
        return BinOp(tree.op, respan(tree.left, span), respan(tree.right, span), span)
    return replace(tree, span=span)


def substitute(tree: Expr, env: Callable[[Name], Expr | None]) -> Expr:
    """The tree with each name replaced by ``env(name)`` (kept where that is None)."""
    if isinstance(tree, Name):
        return env(tree) or tree
    if isinstance(tree, Neg):
        return Neg(substitute(tree.operand, env), tree.span)
    if isinstance(tree, BinOp):
        return BinOp(tree.op, substitute(tree.left, env), substitute(tree.right, env), tree.span)
    return tree


def _text(tree: Expr) -> tuple[str, int]:
    if isinstance(tree, Num):
        return str(tree.value), _ATOM if tree.value >= 0 else _UNARY
    if isinstance(tree, Name):
        return tree.name, _ATOM
    if isinstance(tree, Neg):
        inner, strength = _text(tree.operand)
        return "-" + (inner if strength >= _UNARY else f"({inner})"), _UNARY
    strength = _PRECEDENCE[tree.op]
    left, left_strength = _text(tree.left)
    right, right_strength = _text(tree.right)
    # Left-associative: a right operand of the same strength keeps its parentheses.
    left = left if left_strength >= strength else f"({left})"
    right = right if right_strength > strength else f"({right})"
    return f"{left}{tree.op}{right}", strength


def text(tree: Expr) -> str:
    """The tree as the spec writes it, with the parentheses it needs: ``4*(c+1)``."""
    return _text(tree)[0]


class _Failure(Exception):
    """Why an expression has no value, and where (turned into a positioned error)."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


def _written(source: str, span: Span) -> str:
    return source[span.start : span.end] if source else ""


def _evaluate(tree: Expr, lookup: Callable[[str], Dim], source: str) -> Dim:
    if isinstance(tree, Num):
        if not isinstance(tree.value, int):
            raise _Failure(
                f"expressions take whole numbers, found {tree.value:g} for "
                f"{_written(source, tree.span)!r}",
                tree.span,
            )
        return tree.value
    if isinstance(tree, Name):
        value = lookup(tree.name)
    elif isinstance(tree, Neg):
        value = -_evaluate(tree.operand, lookup, source)
    else:
        left = _evaluate(tree.left, lookup, source)
        right = _evaluate(tree.right, lookup, source)
        if tree.op == "+":
            value = left + right
        elif tree.op == "-":
            value = left - right
        elif tree.op == "*":
            value = left * right
        else:
            value = _floor_divide(left, right, tree.right.span, source)
    value = concrete(value)
    if isinstance(value, int) and abs(value) > MAX_NUMBER:
        raise _Failure(
            f"{_written(source, tree.span)!r} is too large (the limit is 10**18)", tree.span
        )
    return value


def _floor_divide(num: Dim, den: Dim, span: Span, source: str) -> Dim:
    """Python's ``num // den``; a symbolic divisor must be known to be positive."""
    if is_concrete(den):
        den = int(den)
        if den == 0:
            raise _Failure(f"division by zero — {_written(source, span)!r} is 0", span)
        if isinstance(num, int):
            return num // den
        # floor(-a/-b) = floor(a/b): floor_div's rules want a positive divisor.
        return floor_div(num, den) if den > 0 else floor_div(-num, -den)
    sign: Any = den  # a sympy expression here
    if sign.is_positive:
        return floor_div(num, den)
    if sign.is_negative:
        return floor_div(-num, -den)
    raise _Failure(
        f"the divisor {_written(source, span)!r} may be 0 or negative — divide by a number, "
        "or by symbols and their sums and products",
        span,
    )


def evaluate(tree: Expr, lookup: Callable[[str], Dim], source: str) -> Dim:
    """The value of the tree: a Python int when ``lookup`` gives ints for its names, else a
    sympy expression.

    Raises:
        SpecSyntaxError: a division by zero (or by a symbolic value that may be 0), a decimal,
            or a value past 10**18; it points at the part of the expression at fault.
    """
    try:
        return _evaluate(tree, lookup, source)
    except _Failure as failure:
        raise SpecSyntaxError(failure.message, source, failure.span) from None


def fold(tree: Expr) -> int | None:
    """The value of a tree without names, or None when it has none (a division by zero, a
    decimal, a value past the limit): the analysis then reports it at the layer."""

    def no_names(name: str) -> Dim:
        raise _Failure(name, Span(0, 0))

    try:
        value = _evaluate(tree, no_names, "")
    except _Failure:
        return None
    return value if isinstance(value, int) else None


_NOWHERE = Span(0, 0)


def _from_sympy(value: Any) -> Expr:
    """A sympy size as a tree: floors become ``//``, powers products (see :func:`spec_text`)."""
    s = sp()
    if value.is_Integer:
        number = int(value)
        return Num(number, _NOWHERE) if number >= 0 else Neg(Num(-number, _NOWHERE), _NOWHERE)
    if value.is_Symbol:
        return Name(value.name, _NOWHERE)
    if value.is_Add:
        first, *rest = value.as_ordered_terms()
        tree = _from_sympy(first)
        for term in rest:
            negative = term.could_extract_minus_sign()
            operand = _from_sympy(-term if negative else term)
            tree = BinOp("-" if negative else "+", tree, operand, _NOWHERE)
        return tree
    if value.is_Mul:
        coeff, rest = value.as_coeff_Mul()
        if coeff.is_negative:
            return Neg(_from_sympy(-value), _NOWHERE)
        if not coeff.is_Integer:
            raise ValueError(f"{value} is no whole-number expression")
        factors = ([coeff] if coeff != 1 else []) + list(s.Mul.make_args(rest))
        trees = [_from_sympy(f) for f in factors]
        tree = trees[0]
        for other in trees[1:]:
            tree = BinOp("*", tree, other, _NOWHERE)
        return tree
    if value.is_Pow and value.exp.is_Integer and value.exp > 0:
        base = _from_sympy(value.base)
        tree = base
        for _ in range(int(value.exp) - 1):
            tree = BinOp("*", tree, base, _NOWHERE)
        return tree
    if isinstance(value, (s.floor, s.ceiling)):
        num, den = s.together(value.args[0]).as_numer_denom()
        if isinstance(value, s.floor):
            return BinOp("//", _from_sympy(num), _from_sympy(den), _NOWHERE)
        # ceil(n/d) = -((-n)//d)
        return Neg(BinOp("//", _from_sympy(-num), _from_sympy(den), _NOWHERE), _NOWHERE)
    raise ValueError(f"{value} is no whole-number expression")


def spec_text(value: Dim) -> str:
    """A size as the spec writes it between braces: ``4*f``, ``f//2``, ``f*f``.

    sympy's own text (:func:`shapecalc.symbolic.fmt`, as tables print it) has ``floor(f/2)``
    and ``f**2``, which the spec language does not read; this is the text that parses back,
    for a layer's ``to_spec``.

    Raises:
        ValueError: the value is not built from integers, symbols, ``+ - *``, powers, floors
            and ceilings.
    """
    if isinstance(value, int):
        return str(value)
    return text(_from_sympy(value))
