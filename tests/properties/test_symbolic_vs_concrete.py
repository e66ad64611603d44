"""Symbolic formulas agree with concrete computation (no torch needed).

Hypothesis draws a valid concrete spec (see :mod:`shapecalc.strategies`) and replaces some of its
numbers by symbols: input dims, kernel sizes, filters, strides, padding, units, factors...
A symbol may stand for one number or be shared by several numbers of the same value, as in
``conv{v3}x{v3}x8`` on ``{v3}x{v3}x1``. The values of the symbols are the original numbers,
so the concrete spec is valid by construction. Then, row by row:

- the symbolic analysis, with the values substituted, equals the analysis with ``--at``
  values, and the analysis of the concrete spec text (shapes and both parameter counts);
- every validity constraint the symbolic analysis records holds at those values.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shapecalc import analyze
from shapecalc.strategies import Draw, render, specs
from shapecalc.symbolic import Constraint, Dim, is_concrete, sp, substitute

#: A hang guard, not a timing goal (those live in benchmarks/): the drawn specs take well
#: under a second, and an exponential blow-up of the symbolic expressions (as ceil-mode pooling
#: once had) would otherwise hang the suite instead of failing it.
TIME_BUDGET = 60.0

#: Names written bare (without braces) for input dims; none is a sympy function or constant.
BARE_NAMES = ("h", "w", "d", "n", "m", "c")


@st.composite
def symbolic_specs(draw: Draw) -> tuple[str, str, dict[str, int]]:
    """(symbolic spec, the same spec concrete, the symbol values that make them equal)."""
    spec = draw(specs(max_items=4, max_depth=1))
    names: dict[int, str] = {}
    bare: set[int] = set()
    for index, num in spec.nums:
        choice = draw(st.sampled_from(["number", "own", "shared", "bare"]))
        if choice == "own":
            names[index] = f"a{index}"
        elif choice == "shared":
            names[index] = f"v{num.value}"
        elif choice == "bare" and index < spec.inputs:
            names[index] = BARE_NAMES[index // 2]
            bare.add(index)
    values = {name: num.value for index, num in spec.nums if (name := names.get(index))}
    return render(spec.parts, names, bare=bare), spec.text, values


#: Found in review: ceil-mode pooling with a symbolic pad and stride where the two terms of
#: its min tie at pad 0, stride 1 (p - k + s = 0 is nonnegative, not positive), and where
#: sympy cannot tell p + s - 1 >= 0 for a positive s. The min was kept, doubled by the second
#: pool and squared by the shortcut's shape condition past MAX_CONDITION: a valid spec refused.
CEIL_MODE_TIE = (
    "1x{a2}x1x1 | (maxpool1x1x2 pad0x{a20}x1 stride1x{a28}x1 ceil)x2"
    " | res(maxpool1 stride2 ; conv1x1x1x1 s1x1x2)",
    "1x3x1x1 | (maxpool1x1x2 pad0x0x1 stride1x2x1 ceil)x2 | res(maxpool1 stride2 ; conv1x1x1x1 s1x1x2)",
    {"a2": 3, "a20": 0, "a28": 2},
)


class _Expired(BaseException):
    """Raised by the timer; a BaseException so that ``except Exception`` cannot swallow it."""


@contextmanager
def time_budget(seconds: float, what: str) -> Iterator[None]:
    """Fail (rather than hang) when the block runs longer than ``seconds`` (needs SIGALRM)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    # Fire again every 0.1 s until the block stops, in case the first one lands in a handler.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    expired = False
    try:
        yield
    except _Expired:
        expired = True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if expired:
        raise AssertionError(f"{what} took more than {seconds:g} s")


def as_int(value: Dim, what: str) -> int:
    """A fully substituted value as an int; fails when symbols or fractions remain."""
    if is_concrete(value):
        return int(value)
    reduced = sp().simplify(value)
    if getattr(reduced, "is_Integer", False):
        return int(reduced)
    pytest.fail(f"{what} does not reduce to an integer after substitution: {value}")


def holds(constraint: Constraint, values: dict[str, int]) -> bool:
    """Whether a validity condition holds at ``values``.

    A condition is ``expr >= 0`` (``key >= bound`` when it carries no expression), or a
    divisibility ``"<divisor> divides <value>"``.
    """
    s = sp()
    expr = getattr(constraint, "expr", None)
    if expr is not None:
        return bool(as_int(substitute(expr, values), constraint.text) >= 0)
    names = {name: s.Symbol(name) for name in values}
    if " divides " in constraint.text:
        divisor, value = (s.sympify(t, locals=names) for t in constraint.text.split(" divides "))
        mapping = {sym: values[sym.name] for sym in (divisor - value).free_symbols}
        return bool(as_int(value.subs(mapping), "value") % as_int(divisor.subs(mapping), "") == 0)
    key = s.sympify(constraint.key, locals=names)
    mapping = {sym: values[sym.name] for sym in key.free_symbols}
    return bool(key.subs(mapping) >= constraint.bound)


def row_results(row: Any, values: dict[str, int], where: str) -> tuple[Any, ...]:
    """(input dims, output dims, trainable, non-trainable) of a row, as ints."""
    return (
        tuple(as_int(substitute(d, values), f"{where} input dim") for d in row.input_shape.dims),
        tuple(as_int(substitute(d, values), f"{where} output dim") for d in row.output_shape.dims),
        as_int(substitute(row.trainable, values), f"{where} trainable"),
        as_int(substitute(row.non_trainable, values), f"{where} non-trainable"),
    )


@given(case=symbolic_specs())
@example(case=CEIL_MODE_TIE)
@pytest.mark.slow
def test_symbolic_results_substitute_to_concrete_ones(
    case: tuple[str, str, dict[str, int]],
) -> None:
    """Substituting the values into every symbolic result gives the concrete result."""
    symbolic_text, concrete_text, values = case
    with time_budget(TIME_BUDGET, f"the symbolic analysis of\n{symbolic_text}\n"):
        symbolic = analyze(symbolic_text)
        at_values = analyze(symbolic_text, **values)
    concrete = analyze(concrete_text)
    assert len(symbolic.rows) == len(at_values.rows) == len(concrete.rows)
    for sym_row, at_row, con_row in zip(symbolic.rows, at_values.rows, concrete.rows):
        where = f"row {sym_row.index} {sym_row.spec!r}"
        got = row_results(sym_row, values, where)
        assert got == row_results(at_row, {}, where) == row_results(con_row, {}, where), (
            f"{where} of\n{symbolic_text}\nat {values}: symbolic {got} "
            f"(from {sym_row.output_shape}, {sym_row.trainable}, {sym_row.non_trainable}), "
            f"--at {row_results(at_row, {}, where)}, concrete {row_results(con_row, {}, where)}"
        )
    for constraint in symbolic.constraints:
        assert holds(constraint, values), (
            f"constraint {constraint.text!r} fails at {values} although the spec is valid:\n"
            f"{concrete_text}"
        )
