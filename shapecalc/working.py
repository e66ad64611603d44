"""Worked arithmetic: a formula written once, shown with names and with numbers.

A :class:`Term` tree is built by a layer from its own hyperparameters (see
``Layer.explain``). The same tree prints as the general formula (``⌊(n + 2p − k)/s⌋ + 1``),
as the working with every value put in (``(63 + 2·0 − 7)/2 + 1``), as that working with each
quotient's numerator and denominator worked out (``56/2 + 1``), in plain Unicode or in LaTeX,
and evaluates exactly, so tests can check that the working arrives at the calculator's result.

Conventions, as courses write them: every symbol is substituted, zeros included (``2·0``); the
general formula shows the floor or ceiling brackets when the divisor is not 1, the working
only where the division is not exact (``⌊57/2⌋``, but ``56/2``), since only then do they act;
numbers print without thousands separators inside a formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, Union

from .symbolic import Dim, ceil_div, floor_div, fmt, fmt_latex, fmt_math, sp

Style = Literal["text", "latex"]


@dataclass(frozen=True)
class Var:
    """A named quantity: its name in the formula, its value in the working."""

    name: str
    value: Dim
    latex: str = ""

    def __post_init__(self) -> None:
        if not self.latex:
            object.__setattr__(self, "latex", _latex_name(self.name))


@dataclass(frozen=True)
class Num:
    """A constant written the same in the formula and the working (the 1 in ``k − 1``)."""

    value: int


@dataclass(frozen=True)
class Sum:
    """``a + b − c``: terms with their signs (+1 or −1)."""

    terms: tuple[tuple[int, Term], ...]


@dataclass(frozen=True)
class Prod:
    """``a·b·c``."""

    factors: tuple[Term, ...]


@dataclass(frozen=True)
class Quot:
    """``a/b``, rounded down (``floor``), up (``ceil``) or exact (``None``)."""

    num: Term
    den: Term
    rounding: Literal["floor", "ceil"] | None = None


@dataclass(frozen=True)
class Call:
    """``max(a, b)`` or ``min(a, b)``."""

    name: Literal["max", "min"]
    args: tuple[Term, ...]


Term = Union[Var, Num, Sum, Prod, Quot, Call]


def plus(*terms: Term) -> Sum:
    """``a + b + ...``."""
    return Sum(tuple((1, t) for t in terms))


def minus(a: Term, b: Term) -> Sum:
    """``a − b``."""
    return Sum(((1, a), (-1, b)))


def times(*factors: Term) -> Prod:
    """``a·b·...``."""
    return Prod(tuple(factors))


def floor_quot(num: Term, den: Term) -> Quot:
    """``⌊num/den⌋``."""
    return Quot(num, den, "floor")


def ceil_quot(num: Term, den: Term) -> Quot:
    """``⌈num/den⌉``."""
    return Quot(num, den, "ceil")


# ---------------------------------------------------------------------------------------------
# Evaluation


def evaluate(term: Term) -> Fraction | Dim:
    """The exact value of the working (Fractions inside quotients, ints when concrete).

    Symbolic values evaluate with sympy, so the result can be compared with the calculator's.
    """
    if isinstance(term, Var):
        return term.value
    if isinstance(term, Num):
        return term.value
    if isinstance(term, Sum):
        total: Fraction | Dim = 0
        for sign, sub in term.terms:
            total = total + sign * evaluate(sub)
        return total
    if isinstance(term, Prod):
        result: Fraction | Dim = 1
        for sub in term.factors:
            result = result * evaluate(sub)
        return result
    if isinstance(term, Quot):
        num, den = evaluate(term.num), evaluate(term.den)
        if _is_number(num) and _is_number(den):
            quotient = Fraction(num) / Fraction(den)
            if term.rounding == "floor":
                return math.floor(quotient)
            if term.rounding == "ceil":
                return math.ceil(quotient)
            return quotient.numerator if quotient.denominator == 1 else quotient
        if term.rounding == "floor":
            return floor_div(num, den)
        if term.rounding == "ceil":
            return ceil_div(num, den)
        return sp().sympify(num) / den
    values = [evaluate(a) for a in term.args]
    if all(_is_number(v) for v in values):
        return (max if term.name == "max" else min)(values)
    return (sp().Max if term.name == "max" else sp().Min)(*values)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, Fraction))


# ---------------------------------------------------------------------------------------------
# Printing

_MINUS = {"text": " − ", "latex": " - "}
_PLUS = " + "
_DOT = {"text": "·", "latex": r" \cdot "}


def formula(term: Term, style: Style = "text") -> str:
    """The general formula, with names: ``⌊(n + 2p − k)/s⌋ + 1``."""
    return _Printer(style, values=False).term(term)


def working(term: Term, style: Style = "text") -> str:
    """The formula with every value put in: ``(63 + 2·0 − 7)/2 + 1``."""
    return _Printer(style, values=True).term(term)


def simplified(term: Term, style: Style = "text") -> str:
    """The working with each quotient's numerator and denominator worked out: ``56/2 + 1``
    (the same as :func:`working` where there is nothing to work out)."""
    return _Printer(style, values=True, reduced=True).term(term)


def value_text(value: Dim, style: Style = "text", grouped: bool = True) -> str:
    """A result: ``48,120`` (digits grouped), or a symbolic expression."""
    if isinstance(value, int):
        if style == "latex":
            return f"{value:,}".replace(",", "{,}") if grouped else str(value)
        return f"{value:,}" if grouped else str(value)
    return fmt_latex(value) if style == "latex" else fmt_math(value)


class _Printer:
    """Prints a term tree; ``values`` chooses the working over the formula, ``reduced`` the
    working with its quotients' parts worked out."""

    def __init__(self, style: Style, values: bool, reduced: bool = False) -> None:
        self.style = style
        self.values = values
        self.reduced = reduced

    def term(self, term: Term) -> str:
        if isinstance(term, Var):
            return self._var(term)
        if isinstance(term, Num):
            return str(term.value)
        if isinstance(term, Sum):
            return self._sum(term)
        if isinstance(term, Prod):
            return self._prod(term)
        if isinstance(term, Quot):
            return self._quot(term)
        args = ", ".join(self.term(a) for a in term.args)
        if self.style == "latex":
            return rf"\{term.name}\left({args}\right)"
        return f"{term.name}({args})"

    def _var(self, var: Var) -> str:
        if not self.values:
            return var.latex if self.style == "latex" else var.name
        text = value_text(var.value, self.style, grouped=False)
        if not isinstance(var.value, int) and not _is_atom(var.value):
            return self._parens(text)
        return text

    def _parens(self, text: str) -> str:
        return rf"\left({text}\right)" if self.style == "latex" else f"({text})"

    def _sum(self, term: Sum) -> str:
        parts = []
        for position, (sign, sub) in enumerate(term.terms):
            text = self.term(sub)
            if isinstance(sub, Sum) and (sign < 0 or position > 0):
                text = self._parens(text)
            if position == 0:
                parts.append(
                    text if sign > 0 else "−" + text if self.style == "text" else "-" + text
                )
            else:
                parts.append((_PLUS if sign > 0 else _MINUS[self.style]) + text)
        return "".join(parts)

    def _prod(self, term: Prod) -> str:
        parts = []
        for sub in term.factors:
            text = self.term(sub)
            if isinstance(sub, Sum):
                text = self._parens(text)
            parts.append(text)
        if not self.values and _is_coefficient(term):
            # "2p", as courses write it, rather than "2·p".
            return "".join(parts)
        return _DOT[self.style].join(parts)

    def _quot(self, term: Quot) -> str:
        num_value, den_value = evaluate(term.num), evaluate(term.den)
        concrete = isinstance(num_value, int) and isinstance(den_value, int) and den_value != 0
        if self.reduced and concrete:
            num, den = str(num_value), str(den_value)
            grouped = (False, False)
        else:
            num, den = self.term(term.num), self.term(term.den)
            grouped = (isinstance(term.num, (Sum, Prod, Quot)), isinstance(term.den, (Sum, Prod, Quot)))
        if term.rounding is None:
            shows_rounding = False
        elif self.values and concrete:
            # In the working the brackets stand only where they act: a division not exact.
            shows_rounding = int(num_value) % int(den_value) != 0
        else:
            shows_rounding = not self._is_one(term.den)
        if self.style == "latex":
            body = rf"\frac{{{num}}}{{{den}}}"
            if shows_rounding:
                left, right = (
                    ("lfloor", "rfloor") if term.rounding == "floor" else ("lceil", "rceil")
                )
                return rf"\left\{left} {body} \right\{right}"
            return body
        if grouped[0]:
            num = f"({num})"
        if grouped[1]:
            den = f"({den})"
        body = f"{num}/{den}"
        if shows_rounding:
            left, right = ("⌊", "⌋") if term.rounding == "floor" else ("⌈", "⌉")
            return f"{left}{body}{right}"
        return body

    def _is_one(self, term: Term) -> bool:
        value = evaluate(term)
        return _is_number(value) and value == 1


def _is_coefficient(term: Prod) -> bool:
    """``2·p`` is written ``2p``: a number times one short name."""
    return (
        len(term.factors) == 2
        and isinstance(term.factors[0], Num)
        and isinstance(term.factors[1], Var)
        and len(term.factors[1].name) == 1
    )


def _is_atom(value: Dim) -> bool:
    return bool(getattr(value, "is_Atom", False)) or fmt(value).isidentifier()


def _latex_name(name: str) -> str:
    """``C_in`` -> ``C_{\\mathrm{in}}``; one-letter names stay as they are."""
    base, sep, sub = name.partition("_")
    if sep:
        return f"{base}_{{\\mathrm{{{sub}}}}}"
    return name if len(name) == 1 else rf"\mathrm{{{name}}}"


# ---------------------------------------------------------------------------------------------
# A step of a layer's explanation


@dataclass(frozen=True)
class Step:
    """One line of working: ``H: ⌊(n + 2p − k)/s⌋ + 1 = (63 + 2·0 − 7)/2 + 1 = 56/2 + 1 = 29``.

    Attributes:
        quantity: what the line computes (``H``, ``W``, ``params``, ``pad H``, ...).
        term: the formula with its values.
        result: the calculator's value of the quantity.
        split: for a padding, how it splits: (before, after), printed ``(1 before, 1 after)``.
    """

    quantity: str
    term: Term
    result: Dim
    split: tuple[Dim, Dim] | None = None

    def note(self, style: Style = "text") -> str:
        """The remark after the result: how a padding splits (empty for other steps)."""
        if self.split is None:
            return ""
        before, after = (value_text(v, style) for v in self.split)
        if style == "latex":
            return rf"{before} \text{{ before}}, {after} \text{{ after}}"
        return f"{before} before, {after} after"

    def line(self, style: Style = "text") -> str:
        """The whole line: formula = working = simplified working = result, each written
        once (a step that is the one before it is left out)."""
        result = value_text(self.result, style)
        parts: list[str] = []
        for text in (
            formula(self.term, style),
            working(self.term, style),
            simplified(self.term, style),
            result,
        ):
            if not parts or text != parts[-1]:
                parts.append(text)
        text = " = ".join(parts)
        note = self.note(style)
        if note:
            text += f" ({note})" if style == "text" else rf" \quad \left({note}\right)"
        return text


__all__ = [
    "Call",
    "Num",
    "Prod",
    "Quot",
    "Step",
    "Sum",
    "Term",
    "Var",
    "ceil_quot",
    "evaluate",
    "floor_quot",
    "formula",
    "minus",
    "plus",
    "simplified",
    "times",
    "value_text",
    "working",
]
