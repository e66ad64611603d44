"""Exact evaluation of shapecalc's formulas over numpy integer arrays, as fractions.

Used by ``shapecalc solve`` to scan candidate values, and by the analysis to tell whether two
branches can ever agree. numpy is imported only where an array operation needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import SolveError
from .symbolic import fmt, sp

Fraction2 = tuple[Any, Any]  # (numerator, denominator > 0), ints or integer arrays
Compiled = Callable[[dict[str, Any]], Fraction2]


def compile_formula(expr: Any) -> Compiled:
    """A function of {symbol name: integer array} giving ``expr`` exactly as (num, den).

    Handles what shapecalc's formulas are made of: integers, rationals, symbols, sums,
    products, integer powers, floor, ceiling, Min and Max.
    """
    S = sp()
    if expr.is_Integer:
        value = int(expr)
        return lambda env: (value, 1)
    if expr.is_Rational:
        p, q = int(expr.p), int(expr.q)
        return lambda env: (p, q)
    if expr.is_Symbol:
        name = expr.name
        return lambda env: (env[name], 1)
    args = [compile_formula(a) for a in expr.args]
    if expr.is_Add:

        def add(env: dict[str, Any]) -> Fraction2:
            num, den = args[0](env)
            for arg in args[1:]:
                n2, d2 = arg(env)
                num, den = (
                    (num + n2, den)
                    if _is_one(den) and _is_one(d2)
                    else (
                        num * d2 + n2 * den,
                        den * d2,
                    )
                )
            return num, den

        return add
    if expr.is_Mul:

        def mul(env: dict[str, Any]) -> Fraction2:
            num, den = args[0](env)
            for arg in args[1:]:
                n2, d2 = arg(env)
                num, den = num * n2, den * d2
            return num, den

        return mul
    if expr.is_Pow and expr.exp.is_Integer:
        base, exponent = args[0], int(expr.exp)

        def power(env: dict[str, Any]) -> Fraction2:
            num, den = base(env)
            if exponent >= 0:
                return num**exponent, den**exponent
            # 1/x: the sign moves to the numerator so that denominators stay positive
            num, den = den**-exponent, num**-exponent
            return _positive_den(num, den)

        return power
    if isinstance(expr, S.floor):
        inner = args[0]

        def floor(env: dict[str, Any]) -> Fraction2:
            num, den = inner(env)
            return num // den, 1

        return floor
    if isinstance(expr, S.ceiling):
        inner = args[0]

        def ceiling(env: dict[str, Any]) -> Fraction2:
            num, den = inner(env)
            return -((-num) // den), 1

        return ceiling
    if isinstance(expr, (S.Min, S.Max)):
        pick_min = isinstance(expr, S.Min)

        def extreme(env: dict[str, Any]) -> Fraction2:
            import numpy as np

            num, den = args[0](env)
            for arg in args[1:]:
                n2, d2 = arg(env)
                first_smaller = num * d2 < n2 * den
                keep = first_smaller if pick_min else ~np.asarray(first_smaller)
                num, den = np.where(keep, num, n2), np.where(keep, den, d2)
            return num, den

        return extreme
    raise SolveError(f"cannot solve with the formula {fmt(expr)}")


def _is_one(value: Any) -> bool:
    return isinstance(value, int) and value == 1


def _positive_den(num: Any, den: Any) -> Fraction2:
    import numpy as np

    sign = np.sign(den)
    return num * sign, den * sign


def holds(equation: Compiled, value: int, env: dict[str, Any]) -> Any:
    """Where ``formula == value`` (a boolean array)."""
    num, den = equation(env)
    return num == value * den


def distance(equation: Compiled, value: int, env: dict[str, Any]) -> Any:
    """|formula − value|, rounded up (0 exactly where it holds)."""
    num, den = equation(env)
    return -((-abs(num - value * den)) // den)


def overflow_safe(formula: Compiled, env: dict[str, Any]) -> dict[str, Any]:
    """The values as int64, or as Python integers when a float estimate of the formula's
    intermediate numbers comes near 2**62 (numpy's int64 would wrap around silently)."""
    import numpy as np

    estimate = {name: array.astype(np.float64) for name, array in env.items()}
    num, den = formula(estimate)
    biggest = max(float(np.max(np.abs(num), initial=0)), float(np.max(np.abs(den), initial=0)))
    # Products inside the formula can be larger than its value: leave a wide margin.
    if biggest < 2.0**40:
        return env
    return {name: array.astype(object) for name, array in env.items()}
