"""Homework mode: find every integer value of a spec's unknowns that meets some targets.

``solve("63x63x16 | conv7x7x32 pad{p}", [Target.parse_shape("63x63x32")])`` finds p = 3.

How: the symbolic analysis gives each targeted quantity as a formula in the unknowns, and each
target becomes an equation; so does each validity condition that two sizes agree (a
reshape's element counts, the paths of a ``res`` block), since the output shape alone need
not depend on an unknown that such a condition fixes (``nxnx4 | reshape8x8x16`` gives 8x8x16
for every n, and is valid only where 4·n² = 1024). Equations in one unknown are solved first, exactly: a polynomial
(a parameter count) by its integer roots, anything with a floor or a ceiling by evaluating it
at every value within the bounds. Equations in several unknowns are then evaluated over the
grid of the values left, in chunks, with numpy integer arrays holding exact fractions
(numerator, denominator) — never floats. Every candidate is finally confirmed by a concrete
analysis of the spec at those values, so a solution also meets every validity condition that
is not an equation (kernel within the padded input, groups dividing the channels, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import Remedy, ShapecalcError, SolveError, TargetCountError
from .evaluate import Compiled, compile_formula, distance, holds, overflow_safe
from .hints import parse_spec
from .network import Analysis, analyze_parsed
from .symbolic import fmt_math, sp, symbols_of

#: Default upper bound of every unknown (raised to twice the largest target number).
DEFAULT_CAP = 1024
#: Largest value of an unknown (as for numbers in a spec).
MAX_BOUND = 10**18
#: Most grid points evaluated for equations in several unknowns, so a search cannot hang.
MAX_GRID = 50_000_000
#: Most values of one unknown scanned for an equation in that unknown alone.
MAX_SCAN = 10_000_000
#: Grid points evaluated at once (memory stays near a hundred MB).
CHUNK = 1_000_000
#: Most candidates confirmed by a concrete analysis before the count is given as "at least".
MAX_CONFIRMED = 2_000


_SHAPE_DIM = re.compile(r"[0-9]+|[_?]")
#: ``2:14x14x8``: a target's layer prefix and the rest.
_LAYER_PREFIX = re.compile(r"\s*([0-9]{1,9})\s*:(.*)")


@dataclass(frozen=True)
class Target:
    """What the spec must produce: an output shape, or a parameter count.

    Attributes:
        layer: 1-based layer whose output or parameters are meant; None for the last layer's
            output, or the network's total parameters.
        shape: the wanted output shape, channels last; None in a dim means any size.
        params: the wanted parameter count (the table's Params column, or the total).
    """

    layer: int | None = None
    shape: tuple[int | None, ...] | None = None
    params: int | None = None

    @staticmethod
    def parse_shape(text: str, layer: int | None = None) -> Target:
        """``14x14x8`` (``_`` or ``?`` for any size in a dim) as a shape target."""
        parts = text.strip().split("x")
        if not text.strip() or not all(_SHAPE_DIM.fullmatch(p) for p in parts):
            raise SolveError(
                f"target shape {text!r} is not sizes joined by x, as in 14x14x8 (_ for any size)"
            )
        # Length first: int() refuses more than 4,300 digits with a ValueError of its own.
        too_long = any(len(p) > 19 for p in parts)
        dims = tuple(None if p in "_?" else int(p) for p in parts) if not too_long else ()
        if too_long or any(d is not None and (d < 1 or d > 10**18) for d in dims):
            raise SolveError(f"target shape {text!r}: sizes must be from 1 to 10**18")
        return Target(layer=layer, shape=dims)

    @staticmethod
    def parse_params(text: str, layer: int | None = None) -> Target:
        """``7600`` (``7,600`` and ``7_600`` too) as a parameter-count target.

        Raises:
            TargetCountError: ``text`` is not a whole number.
        """
        digits = text.strip().replace(",", "").replace("_", "")
        # ASCII digits only: str.isdigit() also takes '²', which int() then refuses.
        if not re.fullmatch(r"[0-9]{1,19}", digits):
            raise TargetCountError(text)
        return Target(layer=layer, params=int(digits))

    def shape_text(self) -> str:
        """The target shape as written, ``14x_x8`` (``_`` for any size)."""
        assert self.shape is not None
        return "x".join("_" if d is None else str(d) for d in self.shape)

    def describe(self) -> str:
        """``output of layer 2 = 14x14x8`` or ``total params = 7600``."""
        if self.shape is not None:
            where = f"layer {self.layer} output" if self.layer else "output"
            return f"{where} = {self.shape_text()}"
        where = f"layer {self.layer} params" if self.layer else "total params"
        return f"{where} = {self.params:,}"


def parse_targets(
    outs: tuple[str, ...] | list[str], params: tuple[str, ...] | list[str], layer: int | None
) -> list[Target]:
    """Targets as the command line and the playground take them: output shapes ``[LAYER:]SHAPE``
    (``2:14x14x8``) and parameter counts ``[LAYER:]N``; ``layer`` is the layer of those
    without a prefix (None: the output, or the total).

    Raises:
        SolveError: a shape that is not sizes joined by x, or a count that is not a whole
            number (:class:`~shapecalc.errors.TargetCountError`, which names the text as
            given, prefix included).
    """

    def split(text: str) -> tuple[int | None, str]:
        match = _LAYER_PREFIX.fullmatch(text)
        return (int(match.group(1)), match.group(2)) if match else (layer, text)

    targets = [Target.parse_shape(shape, where) for where, shape in map(split, outs)]
    for text in params:
        where, count = split(text)
        try:
            targets.append(Target.parse_params(count, where))
        except TargetCountError:
            raise TargetCountError(text) from None
    return targets


@dataclass(frozen=True)
class Equation:
    """``expr == value``: one targeted quantity."""

    expr: Any
    value: int


@dataclass
class Solutions:
    """What :func:`solve` found.

    Attributes:
        unknowns: the unknowns, in the order the spec names them.
        bounds: the inclusive range searched for each unknown.
        targets: the targets, described.
        solutions: the solutions found, each unknown an integer, at most ``limit``.
        count: how many solutions there are within the bounds (a lower bound when
            ``count_exact`` is False).
        truncated: more solutions exist than are listed.
        nearest: when there is none, the closest values reached: (values, what they give).
        conditions: the validity conditions taken as equations, each with its layer:
            ``4·n² = 1024 (layer 1, reshape8x8x16)``.
    """

    unknowns: tuple[str, ...]
    bounds: dict[str, tuple[int, int]]
    targets: tuple[str, ...]
    solutions: list[dict[str, int]]
    count: int
    count_exact: bool
    limit: int
    nearest: list[tuple[dict[str, int], str]] = field(default_factory=list)
    conditions: tuple[str, ...] = ()

    @property
    def truncated(self) -> bool:
        """More solutions exist than are listed."""
        return self.count > len(self.solutions)

    def to_json(self) -> dict[str, Any]:
        """``{"unknowns": [...], "solutions": [{"p": 3}], "truncated": false, ...}``."""
        return {
            "unknowns": list(self.unknowns),
            "solutions": self.solutions,
            "truncated": self.truncated,
            "count": self.count,
            "count_exact": self.count_exact,
            "bounds": {name: list(b) for name, b in self.bounds.items()},
            "targets": list(self.targets),
            "nearest": [{"values": v, "gives": g} for v, g in self.nearest],
            "conditions": list(self.conditions),
        }

    def __rich__(self) -> Any:
        from .render.solve import solutions_renderable

        return solutions_renderable(self)


# ---------------------------------------------------------------------------------------------
# The search


@dataclass
class _Problem:
    parsed: Any
    fixed: dict[str, int]
    unknowns: tuple[str, ...]
    bounds: dict[str, tuple[int, int]]
    targets: list[Target]
    equations: list[Equation]
    conditions: tuple[str, ...] = ()

    def analysis(self, values: dict[str, int]) -> Analysis:
        """The concrete analysis at these values of the unknowns."""
        return analyze_parsed(self.parsed, {**self.fixed, **values})

    def describe(self, values: dict[str, int]) -> str:
        """What the spec gives at these values, for each target (``13x13x8``)."""
        analysis = self.analysis(values)
        return "; ".join(_reached(analysis, t) for t in self.targets)


def solve(
    spec: str,
    targets: list[Target],
    *,
    at: dict[str, int] | None = None,
    bounds: dict[str, tuple[int, int]] | None = None,
    limit: int = 100,
) -> Solutions:
    """Every integer value of the spec's symbols (other than those in ``at``) meeting ``targets``.

    Args:
        spec: a spec with symbols, e.g. ``"nxnx3 | conv5x5x8 | maxpool2"``.
        targets: what to reach: output shapes of layers and parameter counts.
        at: values for symbols that are not unknowns.
        bounds: inclusive (low, high) per unknown; the default is 0 (padding) or 1 up to
            :data:`DEFAULT_CAP`, or twice the largest target number when that is larger.
        limit: most solutions listed; the count tells how many there are.

    Raises:
        ShapecalcError: a bad spec, a target that does not fit the spec, an unknown that no
            target depends on, or a search too large for the bounds.
    """
    if not targets:
        raise SolveError("give a target: an output shape or a parameter count")
    if limit < 1:
        raise SolveError("the limit must be at least 1")
    problem = _problem(spec, targets, at or {}, bounds or {})
    found, exact = _search(problem, limit)
    solutions = [dict(zip(problem.unknowns, values)) for values in found[:limit]]
    result = Solutions(
        problem.unknowns,
        problem.bounds,
        tuple(t.describe() for t in targets),
        solutions,
        len(found),
        exact,
        limit,
        conditions=problem.conditions,
    )
    if not found:
        result.nearest = _nearest(problem)
    return result


def _problem(
    spec: str, targets: list[Target], at: dict[str, int], bounds: dict[str, tuple[int, int]]
) -> _Problem:
    parsed = parse_spec(spec)
    analysis = analyze_parsed(parsed, at)
    unknowns = analysis.symbols
    if not unknowns:
        if not at:
            raise SolveError(
                "the spec has no unknowns; write them as symbols, as in conv7x7x32 pad{p}"
            )
        raise SolveError.with_remedy("every symbol has a value", Remedy(omit=True))
    equations = [eq for t in targets for eq in _equations(analysis, t)]
    conditions = _condition_equations(analysis)
    equations += conditions.values()
    used = set().union(*(symbols_of(eq.expr) for eq in equations))
    for name in unknowns:
        if name not in used:
            raise SolveError.with_remedy(
                f"unknown {name!r} appears in no target's formula",
                Remedy(values=(name,), otherwise="add a target that depends on it"),
            )
    for name in bounds:
        if name not in unknowns:
            raise SolveError.with_remedy(
                f"not an unknown; the unknowns: {', '.join(unknowns)}", range_of=name
            )
    largest = max([eq.value for eq in equations] + [0])
    cap = min(max(DEFAULT_CAP, 2 * largest), MAX_BOUND)
    symbols = {s.name: s for eq in equations for s in eq.expr.free_symbols}
    ranges: dict[str, tuple[int, int]] = {}
    for name in unknowns:
        low = 0 if symbols[name].is_nonnegative and not symbols[name].is_positive else 1
        ranges[name] = bounds.get(name, (low, cap))
        if ranges[name][0] < low:
            raise SolveError.with_remedy(
                f"{name} must be at least {low}"
                + ("" if low == 0 else " (only a symbol used just for padding may be 0)"),
                range_of=name,
            )
        if ranges[name][1] > MAX_BOUND:
            raise SolveError.with_remedy("the range goes beyond 10**18", range_of=name)
        if ranges[name][0] > ranges[name][1]:
            raise SolveError.with_remedy("the low end is above the high end", range_of=name)
    return _Problem(parsed, dict(at), unknowns, ranges, targets, equations, tuple(conditions))


def _condition_equations(analysis: Analysis) -> dict[str, Equation]:
    """Each validity condition that two sizes agree, as an equation, by its description
    (``4·n² = 1024 (layer 1, reshape8x8x16)``), in the order of the layers."""
    found: dict[str, Equation] = {}
    seen: set[str] = set()
    for row in analysis.rows:
        for constraint in row.constraints:
            if constraint.sides is None or constraint.text in seen:
                continue
            seen.add(constraint.text)
            left, right = constraint.sides
            # Unknowns on the left, the number on the right, as a target's equation reads.
            difference = sp().expand(left - right)
            number, _ = difference.as_coeff_Add()
            equation = (
                Equation(difference - number, -int(number))
                if number.is_Integer
                else Equation(difference, 0)
            )
            found[f"{fmt_math(left)} = {fmt_math(right)} (layer {row.index}, {row.spec})"] = (
                equation
            )
    return found


def _targeted(analysis: Analysis, target: Target) -> Any:
    """What ``target`` looks at: a parameter count, or a Shape (of its layer, or the output)."""
    row = analysis.rows[target.layer - 1] if target.layer else None
    if target.params is not None:
        return row.params if row is not None else analysis.totals.params
    return row.output_shape if row is not None else analysis.output_shape


def _equations(analysis: Analysis, target: Target) -> list[Equation]:
    rows = analysis.rows
    if target.layer is not None and not 1 <= target.layer <= len(rows):
        raise SolveError(f"a target on layer {target.layer}: the spec has layers 1 to {len(rows)}")
    where = f"layer {target.layer}" if target.layer else "the output"
    if target.params is not None:
        return [Equation(_targeted(analysis, target), target.params)]
    assert target.shape is not None
    shape = _targeted(analysis, target)
    if len(target.shape) != len(shape.dims):
        missing = len(shape.dims) - len(target.shape)
        # Fewer sizes than dims: the usual slip is leaving out the channels; '_' is any size.
        hint = f"; write {target.shape_text() + 'x_' * missing}" if missing > 0 else ""
        raise SolveError(
            f"target shape {target.shape_text()} has "
            f"{len(target.shape)} dims, but {where} is {shape} ({len(shape.dims)} dims){hint}"
        )
    return [
        Equation(sp().sympify(expr), wanted)
        for expr, wanted in zip(shape.dims, target.shape)
        if wanted is not None
    ]


def _reached(analysis: Analysis, target: Target) -> str:
    reached = _targeted(analysis, target)
    return f"{reached:,} params" if target.params is not None else str(reached)


def _search(problem: _Problem, limit: int) -> tuple[list[tuple[int, ...]], bool]:
    """Candidates meeting every equation, confirmed by a concrete analysis."""
    import numpy as np

    # None: the whole range, not materialised until needed
    domains: dict[str, Any] = dict.fromkeys(problem.bounds)
    multi: list[tuple[Compiled, int, tuple[str, ...]]] = []
    for eq in problem.equations:
        names = tuple(n for n in problem.unknowns if n in symbols_of(eq.expr))
        if not names:
            if int(eq.expr) != eq.value:
                return [], True
            continue
        if len(names) == 1:
            name = names[0]
            domains[name] = _solve_one(eq, name, problem.bounds[name], domains[name])
        else:
            multi.append((compile_formula(eq.expr), eq.value, names))
    values = {
        name: (np.arange(lo, hi + 1, dtype=np.int64) if domains[name] is None else domains[name])
        for name, (lo, hi) in problem.bounds.items()
    }
    if any(len(v) == 0 for v in values.values()):
        return [], True
    size = 1
    for v in values.values():
        size *= len(v)
    if multi and size > MAX_GRID:
        ranges = ", ".join(f"{n} {lo}..{hi}" for n, (lo, hi) in problem.bounds.items())
        raise SolveError.with_remedy(
            f"{size:,} combinations of values to try ({ranges})",
            Remedy(narrow=tuple(problem.bounds)),
        )
    confirmed: list[tuple[int, ...]] = []
    exact = True
    for candidate in _grid(values, problem.unknowns, multi):
        if len(confirmed) >= MAX_CONFIRMED:
            exact = False
            break
        if _valid(problem, candidate):
            confirmed.append(candidate)
    return confirmed, exact


def _grid(
    values: dict[str, Any],
    order: tuple[str, ...],
    multi: list[tuple[Compiled, int, tuple[str, ...]]],
) -> Iterator[tuple[int, ...]]:
    """Every combination meeting the equations in several unknowns, in lexicographic order."""
    import numpy as np

    arrays = [values[name] for name in order]
    sizes = [len(a) for a in arrays]
    total = int(np.prod(sizes, dtype=object))
    for start in range(0, total, CHUNK):
        index = np.arange(start, min(start + CHUNK, total), dtype=np.int64)
        env: dict[str, Any] = {}
        rest = index
        for name, array, size in reversed(list(zip(order, arrays, sizes))):
            env[name] = array[rest % size]
            rest = rest // size
        keep = np.ones(len(index), dtype=bool)
        for formula, value, _ in multi:
            keep &= holds(formula, value, overflow_safe(formula, env))
        for row in np.nonzero(keep)[0]:
            yield tuple(int(env[name][row]) for name in order)


def _solve_one(eq: Equation, name: str, bounds: tuple[int, int], domain: Any) -> Any:
    """The values of ``name`` within ``bounds`` (and ``domain``) for which ``eq`` holds."""
    import numpy as np

    S = sp()
    low, high = bounds
    expr = eq.expr
    symbol = next(s for s in expr.free_symbols if s.name == name)
    if expr.is_polynomial(symbol):
        roots = S.Poly(expr - eq.value, symbol).ground_roots()
        found = sorted(int(r) for r in roots if r.is_integer and low <= int(r) <= high)
        result = np.array(found, dtype=np.int64)
    else:
        if domain is None and high - low + 1 > MAX_SCAN:
            raise SolveError.with_remedy(
                f"{name} would need {high - low + 1:,} values tried", Remedy(narrow=(name,))
            )
        candidates = domain if domain is not None else np.arange(low, high + 1, dtype=np.int64)
        formula = compile_formula(expr)
        keep = np.zeros(len(candidates), dtype=bool)
        for start in range(0, len(candidates), CHUNK):
            env = {name: candidates[start : start + CHUNK]}
            keep[start : start + CHUNK] = holds(formula, eq.value, overflow_safe(formula, env))
        result = candidates[keep]
    if domain is not None:
        result = np.intersect1d(result, domain)
    return result


def _valid(problem: _Problem, candidate: tuple[int, ...]) -> bool:
    """The spec is valid at these values and every target holds, by a concrete analysis
    (which also checks what the equations leave out: kernels within the input, groups...)."""
    try:
        analysis = problem.analysis(dict(zip(problem.unknowns, candidate)))
    except ShapecalcError:
        return False
    return all(_meets(analysis, t) for t in problem.targets)


def _meets(analysis: Analysis, target: Target) -> bool:
    reached = _targeted(analysis, target)
    if target.params is not None:
        return bool(reached == target.params)
    assert target.shape is not None
    return all(want is None or want == got for want, got in zip(target.shape, reached.dims))


#: Grid points evaluated per round of the nearest-values search.
NEAREST_POINTS = 200_000


def _nearest(problem: _Problem, count: int = 3) -> list[tuple[dict[str, int], str]]:
    """The valid values closest to the targets (sum of distances over the equations).

    Each unknown's whole range is covered: in full when the grid is small, else by evenly
    spaced values, then again at finer spacing around the best points until the spacing is 1.
    """
    import numpy as np

    compiled = [(compile_formula(eq.expr), eq.value) for eq in problem.equations]
    per_dim = max(2, int(NEAREST_POINTS ** (1 / len(problem.unknowns))))
    windows = [dict(problem.bounds)]
    scored: dict[tuple[int, ...], int] = {}
    for _ in range(64):  # each round narrows the spacing by a factor near per_dim
        refined = []
        for window in windows:
            arrays = [_spread(*window[name], per_dim) for name in problem.unknowns]
            grids = np.meshgrid(*arrays, indexing="ij")
            env = {name: g.ravel() for name, g in zip(problem.unknowns, grids)}
            gap = np.zeros(env[problem.unknowns[0]].size, dtype=object)
            for formula, value in compiled:
                gap = gap + distance(formula, value, overflow_safe(formula, env))
            best = np.argsort(gap.astype(np.float64), kind="stable")[: 4 * count]
            for index in best:
                point = tuple(int(env[name][index]) for name in problem.unknowns)
                scored[point] = int(gap[index])
                if any(len(a) > 1 and a[1] - a[0] > 1 for a in arrays):
                    refined.append(_around(point, arrays, problem))
        if not refined:
            break
        windows = refined[: 4 * count]
    nearest: list[tuple[dict[str, int], str]] = []
    seen: set[str] = set()
    for point in sorted(scored, key=lambda p: (scored[p], p)):
        values = dict(zip(problem.unknowns, point))
        try:
            gives = problem.describe(values)
        except ShapecalcError:
            continue
        if gives not in seen:
            seen.add(gives)
            nearest.append((values, gives))
        if len(nearest) == count:
            break
    return nearest


def _spread(low: int, high: int, points: int) -> Any:
    """Every integer of [low, high] when there are few, else ``points`` evenly spaced ones."""
    import numpy as np

    if high - low + 1 <= points:
        return np.arange(low, high + 1, dtype=np.int64)
    return np.unique(np.linspace(low, high, points).round().astype(np.int64))


def _around(
    point: tuple[int, ...], arrays: list[Any], problem: _Problem
) -> dict[str, tuple[int, int]]:
    """The window around a grid point reaching its neighbours on the grid, in every unknown."""
    window = {}
    for name, value, array in zip(problem.unknowns, point, arrays):
        step = int(array[1] - array[0]) if len(array) > 1 else 0
        low, high = problem.bounds[name]
        window[name] = (max(low, value - step), min(high, value + step))
    return window


__all__ = ["SolveError", "Solutions", "Target", "compile_formula", "parse_targets", "solve"]
