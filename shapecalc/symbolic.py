"""Exact arithmetic on dimensions that are integers or sympy expressions.

A dimension (:data:`Dim`) is a Python ``int`` when the spec is concrete and a sympy expression
when it has symbols. Concrete specs never import sympy: ``import sympy`` alone costs about half
a second here, more than the whole calculator may take. Python ints are exact and unbounded,
and compare equal to sympy Integers, so both kinds mix freely.

Floors are built so that results stay small: ``floor(floor(x/a)/b)`` becomes
``floor(x/(a*b))`` and ``floor((floor(x/a) + c)/b)`` becomes ``floor((x + c*a)/(a*b))`` (x, c
integers; a, b positive integers), and integer multiples of the divisor are taken out of the
constant term, so that a symbolic VGG-16 ends at ``floor(H/32)``.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    import sympy

    Dim = Union[int, sympy.Expr]
else:
    Dim = Union[int, Any]


def sp() -> Any:
    """The sympy module, imported on first use (only symbolic specs need it)."""
    return importlib.import_module("sympy")


def is_concrete(value: Dim) -> bool:
    """True for a plain integer (Python int or sympy Integer)."""
    if isinstance(value, int):
        return True
    return bool(getattr(value, "is_Integer", False))


def concrete(value: Dim) -> Dim:
    """Turn a sympy Integer into a Python int; leave other values alone."""
    if not isinstance(value, int) and getattr(value, "is_Integer", False):
        return int(value)
    return value


@cache
def make_symbol(name: str, nonnegative: bool = False) -> Any:
    """A sympy integer symbol: positive, or nonnegative for a value that may be 0 (padding)."""
    if nonnegative:
        return sp().Symbol(name, integer=True, nonnegative=True)
    return sp().Symbol(name, integer=True, positive=True)


def _split_rounded(num: Any) -> tuple[str, Any, Any, Any] | None:
    """Split ``num`` into ``("floor"|"ceiling", x, a, rest)`` with num = floor(x/a) + rest.

    Only when num has exactly one floor/ceiling term with coefficient 1, the rest is an
    integer without floors, x is an integer and a a positive integer, which makes the nested
    floor rules valid.
    """
    s = sp()
    rounded = [t for t in s.Add.make_args(num) if isinstance(t, (s.floor, s.ceiling))]
    if len(rounded) != 1:
        return None
    term = rounded[0]
    rest = num - term
    if rest.has(s.floor, s.ceiling) or not (rest.is_integer or rest == 0):
        return None
    x, a = term.args[0].as_numer_denom()
    if not (x.is_integer and a.is_integer and a.is_positive):
        return None
    kind = "floor" if isinstance(term, s.floor) else "ceiling"
    return kind, x, a, rest


def _rounded(kind: str, num: Any, den: Any) -> Any:
    """floor or ceiling of num/den, built unevaluated so the fraction prints as ``(...)/d``."""
    s = sp()
    func = s.floor if kind == "floor" else s.ceiling
    if den.is_Integer:
        # Every term's coefficient divisible by den: the quotient is exact. (Checked on the
        # coefficients because sympy's is_integer query is slow on nested floors.)
        if all((t.as_coeff_Mul()[0] / den).is_Integer for t in s.Add.make_args(num)):
            return num / den
        # Take whole multiples of den out of the constant term: floor((H - 2)/2) = floor(H/2) - 1.
        const = num.as_coeff_Add()[0]
        shift = const // den if kind == "floor" else -((-const) // den)
        frac = s.Mul(num - shift * den, s.Pow(den, -1, evaluate=False), evaluate=False)
        return func(frac, evaluate=False) + shift
    quotient = num / den
    if quotient.is_integer:
        return quotient
    # Terms that are whole multiples of a symbolic divisor come out: floor((x - 2*s)/s) = floor(x/s) - 2.
    shift = sum((t / den for t in s.Add.make_args(num) if (t / den).is_Integer), s.Integer(0))
    return func((num - shift * den) / den, evaluate=False) + shift


def floor_div(num: Dim, den: Dim) -> Dim:
    """Exact ``floor(num / den)`` for a positive integer ``den``, kept small."""
    if isinstance(num, int) and isinstance(den, int):
        return num // den
    s = sp()
    num, den = s.sympify(num), s.sympify(den)  # ints or expressions only, never text
    if num.is_Integer and den.is_Integer:
        return int(num) // int(den)
    if den == 1:
        return concrete(num)
    split = _split_rounded(num)
    if split is not None:
        kind, x, a, rest = split
        if kind == "ceiling":  # ceil(x/a) = floor((x + a - 1)/a)
            x = x + a - 1
        return floor_div(x + rest * a, a * den)
    return concrete(_rounded("floor", num, den))


def ceil_div(num: Dim, den: Dim) -> Dim:
    """Exact ``ceil(num / den)`` for a positive integer ``den``, kept small."""
    if isinstance(num, int) and isinstance(den, int):
        return -((-num) // den)
    s = sp()
    num, den = s.sympify(num), s.sympify(den)  # ints or expressions only, never text
    if num.is_Integer and den.is_Integer:
        return -(-int(num) // int(den))
    if den == 1:
        return concrete(num)
    split = _split_rounded(num)
    if split is not None:
        kind, x, a, rest = split
        if kind == "floor":  # floor(x/a) = ceil((x - a + 1)/a)
            x = x - a + 1
        return ceil_div(x + rest * a, a * den)
    return concrete(_rounded("ceiling", num, den))


def times(a: Dim, b: Dim) -> Dim:
    """``a * b`` that keeps a sum as a factor: ``(3*f**2 + 1)*8`` rather than ``24*f**2 + 8``."""
    if isinstance(a, int) and isinstance(b, int):
        return a * b
    s = sp()
    a, b = s.sympify(a), s.sympify(b)
    if a == 0 or b == 0:
        return 0
    if a == 1:
        return concrete(b)
    if b == 1:
        return concrete(a)
    if a.is_Add or b.is_Add:
        return s.Mul(a, b, evaluate=False)
    return concrete(a * b)


def exact_div(num: Dim, den: Dim) -> Dim:
    """``num / den`` where den divides num (channels per group)."""
    if isinstance(num, int) and isinstance(den, int):
        return num // den
    return concrete(sp().sympify(num) / den)


def ratio(num: Dim, den: Dim) -> Dim:
    """Exact ``num / den``, for the fractional strides of receptive fields: an int when
    ``den`` divides ``num``, a :class:`fractions.Fraction` when both are concrete (no sympy),
    else a sympy expression."""
    num, den = concrete(num), concrete(den)
    if isinstance(num, int | Fraction) and isinstance(den, int | Fraction):
        quotient = Fraction(num) / Fraction(den)
        return quotient.numerator if quotient.denominator == 1 else quotient
    return concrete(sp().sympify(num) / den)


def product(values: tuple[Dim, ...] | list[Dim]) -> Dim:
    """The product of dims (1 for none)."""
    result: Dim = 1
    for value in values:
        result = result * value
    return concrete(result)


def expand(value: Dim) -> Dim:
    """Multiply out a symbolic value (for byte counts, where the structure says nothing)."""
    return value if isinstance(value, int) else concrete(sp().expand(value))


def substitute(value: Dim, mapping: dict[str, int]) -> Dim:
    """Replace symbols by integers, by name."""
    if isinstance(value, int) or not mapping:
        return value
    subs = {sym: mapping[sym.name] for sym in value.free_symbols if sym.name in mapping}
    return concrete(value.subs(subs)) if subs else value


def tree_size(value: Dim) -> int:
    """How many nodes the expression has when written out (shared parts counted each time),
    computed in time linear in its distinct parts."""
    if isinstance(value, int):
        return 1
    sizes: dict[Any, int] = {}

    def size(node: Any) -> int:
        if node not in sizes:
            sizes[node] = 1 + sum(size(arg) for arg in node.args)
        return sizes[node]

    return size(value)


def symbols_of(value: Dim) -> set[str]:
    """Names of the symbols a value depends on."""
    if isinstance(value, int):
        return set()
    return {sym.name for sym in value.free_symbols}


def _readable(printer: type) -> type:
    """A sympy printer class that prints sums with positive terms first, then numbers:
    ``n + 2*p - f + 1``, not ``-f + n + 2*p + 1``."""

    class Readable(printer):  # type: ignore[misc]
        def _as_ordered_terms(self, expr: Any, order: Any = None) -> list[Any]:
            terms = super()._as_ordered_terms(expr, order=order)
            if not expr.is_Add:
                return list(terms)
            return sorted(terms, key=lambda t: (t.is_number, t.could_extract_minus_sign()))

    return Readable


@cache
def _printer() -> Any:
    from sympy.printing.str import StrPrinter

    return _readable(StrPrinter)()


def fmt(value: Dim) -> str:
    """A dim as text: ``28``, ``1/2`` or ``floor(H/2)`` (valid sympy syntax)."""
    if isinstance(value, int | Fraction):
        return str(value)
    if getattr(value, "is_Integer", False):
        return str(int(value))
    return str(_printer().doprint(value))


@cache
def _math_printer() -> Any:
    base = type(_printer())

    class MathPrinter(base):  # type: ignore[misc,valid-type]
        """Floors and ceilings as brackets, for worked arithmetic: ``⌊(n − f)/2⌋ + 1``."""

        def _print_floor(self, expr: Any) -> str:
            return "⌊" + str(self._print(expr.args[0])) + "⌋"

        def _print_ceiling(self, expr: Any) -> str:
            return "⌈" + str(self._print(expr.args[0])) + "⌉"

        def _print_Min(self, expr: Any) -> str:
            return "min(" + ", ".join(str(self._print(a)) for a in expr.args) + ")"

        def _print_Max(self, expr: Any) -> str:
            return "max(" + ", ".join(str(self._print(a)) for a in expr.args) + ")"

    return MathPrinter()


@cache
def _latex_printer() -> Any:
    from sympy.printing.latex import LatexPrinter

    return _readable(LatexPrinter)()


def fmt_latex(value: Dim) -> str:
    """A dim as LaTeX: ``\\left\\lfloor{\\frac{n + 2 p - f}{2}}\\right\\rfloor + 1``."""
    if isinstance(value, int) or getattr(value, "is_Integer", False):
        return str(int(value))
    return str(_latex_printer().doprint(value))


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt_math(value: Dim) -> str:
    """A dim as Unicode math for people to read: ``⌊(n + 2·p − f)/2⌋ + 1``, ``3·f²``.

    Symbol names are identifiers, so ``*`` and ``-`` in the printed text are always operators.
    """
    if isinstance(value, int) or getattr(value, "is_Integer", False):
        return str(int(value))
    text = str(_math_printer().doprint(value))
    text = re.sub(r"\*\*(\d+)", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    text = text.replace("**", "^").replace("*", "·").replace(" - ", " − ")
    return "−" + text[1:] if text.startswith("-") else text


def to_json(value: Dim) -> int | str:
    """A JSON value: an integer when concrete, else the sympy expression as a string."""
    value = concrete(value)
    return value if isinstance(value, int) else fmt(value)


@dataclass(frozen=True)
class Constraint:
    """A validity condition on symbols, read as ``text`` (``n >= 7``, ``n + 2*p >= f``).

    The condition is ``key >= bound`` where ``key`` names the symbolic part and ``bound`` is an
    integer, so that conditions from several layers on the same key merge into the strongest.
    ``expr`` is the sympy expression that must be nonnegative (None for divisibility), used to
    drop conditions that another one implies. ``sides`` is set for an equality (two sizes
    that must agree, ``text`` ``a = b``): the two sides ``(a, b)``, which ``solve`` takes as
    an equation in the symbols.
    """

    text: str
    key: str
    bound: int
    expr: Any = field(default=None, compare=False, repr=False)
    sides: tuple[Any, Any] | None = field(default=None, compare=False, repr=False)


def divides(divisor: Dim, value: Dim) -> bool | Constraint:
    """Decide whether ``divisor`` divides ``value`` (channels and groups)."""
    if isinstance(divisor, int) and isinstance(value, int):
        return value % divisor == 0
    quotient = sp().sympify(value) / divisor
    if quotient.is_integer:
        return True
    text = f"{fmt(divisor)} divides {fmt(value)}"
    return Constraint(text, text, 0)


def _constraint(diff: Any) -> bool | Constraint:
    """The condition ``diff >= 0`` in its most readable form, or its truth when decided."""
    s = sp()
    diff = s.expand(diff)
    const, variable = diff.as_coeff_Add()
    coeff, sym = variable.as_coeff_Mul()
    if sym.is_Symbol and sym.is_nonnegative and coeff.is_Integer and const.is_Integer and coeff:
        # One symbol, linear: decided from the symbol's least value (1 for a positive one,
        # else 0) before asking sympy, whose sign queries cost milliseconds on every new
        # expression (a 1,000-layer stack spent 3 s in them).
        least = 1 if sym.is_positive else 0
        if coeff > 0:  # sym >= ceil(-const/coeff)
            bound = int(-(const // coeff))
            if bound <= least:
                return True
            return Constraint(f"{sym.name} >= {bound}", sym.name, bound, diff)
        limit = int(const // -coeff)  # sym <= floor(const/|coeff|)
        if limit < least:
            return False
        return Constraint(f"{sym.name} <= {limit}", f"-{sym.name}", -limit, diff)
    if diff.is_nonnegative:
        return True
    if diff.is_negative:
        return False
    terms = s.Add.make_args(variable)
    positive = s.Add(*[t for t in terms if not t.could_extract_minus_sign()])
    negative = -s.Add(*[t for t in terms if t.could_extract_minus_sign()])
    if const > 0:
        positive += const
    else:
        negative -= const
    return Constraint(f"{fmt(positive)} >= {fmt(negative)}", fmt(variable), int(-const), diff)


def at_least(value: Dim, minimum: Dim) -> bool | Constraint:
    """Decide ``value >= minimum``.

    Returns True or False when it is decided (always for concrete values), else the
    :class:`Constraint` under which it holds, rewritten to be readable: floors are unwrapped
    (``floor(x/a) + c >= m`` iff ``x >= (m - c)*a``) and a linear condition on one symbol
    becomes ``n >= 7``.
    """
    if isinstance(value, int) and isinstance(minimum, int):
        return value >= minimum
    s = sp()
    diff = s.sympify(value) - s.sympify(minimum)
    # Unwrap floors first (each step is an equivalence), then decide the simpler condition:
    # sympy's sign queries are slow on nested floors.
    for _ in range(64):
        split = _split_rounded(diff)
        if split is None:
            break
        kind, x, a, rest = split
        # floor(x/a) + rest >= 0 iff x >= -rest*a; ceiling(x/a) + rest >= 0 iff x > (-rest-1)*a
        diff = x + rest * a if kind == "floor" else x + (rest + 1) * a - 1
    return _constraint(diff)


#: Above this many conditions, implied ones are not searched for (the search is quadratic).
_PRUNE_LIMIT = 40


def merge_constraints(constraints: list[Constraint]) -> list[Constraint]:
    """Keep the strongest bound per symbolic part and drop conditions another one implies.

    ``a >= 0`` is implied by ``b >= 0`` when ``a - b >= 0`` holds for every value of the
    symbols, e.g. ``n >= 8`` by ``n >= 8*f``.
    """
    strongest: dict[str, Constraint] = {}
    for c in constraints:
        old = strongest.get(c.key)
        if old is None or c.bound > old.bound:
            strongest[c.key] = c
    kept = list(strongest.values())
    if len(kept) > _PRUNE_LIMIT:
        return kept
    result = []
    comparable = [(i, c) for i, c in enumerate(kept) if c.expr is not None]
    for i, c in enumerate(kept):
        implied = c.expr is not None and any(
            (c.expr - other.expr).is_nonnegative
            # of two equivalent conditions, keep the first
            and not (j > i and (other.expr - c.expr).is_nonnegative)
            for j, other in comparable
            if j != i
        )
        if not implied:
            result.append(c)
    return result
