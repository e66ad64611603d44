"""The pure helpers of benchmarks/measure.py: goal verdicts and the scaling figures.

The benchmarks themselves print figures and are not run here (timing goals are not tests);
these check the arithmetic that turns figures into ``ok``/``missed``/``REGRESSION`` and into
the exit code, against values worked out by hand.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "measure.py"
_SPEC = importlib.util.spec_from_file_location("benchmarks_measure", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
measure = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = measure  # dataclasses look their module up while building the class
_SPEC.loader.exec_module(measure)


@pytest.mark.parametrize(
    ("value", "status"),
    # A 2 s limit: regression past 2 * 1.5 = 3 s.
    [(1.2, "ok"), (2.0, "ok"), (2.9, "missed"), (3.0, "missed"), (3.01, "REGRESSION")],
)
def test_an_at_most_goal_turns_into_a_regression_past_one_and_a_half_times_its_limit(
    value: float, status: str
) -> None:
    assert measure.Goal(2.0, unit=" s").judge(value) == status


@pytest.mark.parametrize(
    ("value", "status"),
    # "At least 10x faster": regression under 10 / 1.5 = 6.67.
    [(26.0, "ok"), (10.0, "ok"), (7.0, "missed"), (6.7, "missed"), (6.6, "REGRESSION")],
)
def test_an_at_least_goal_turns_into_a_regression_under_its_limit_over_one_and_a_half(
    value: float, status: str
) -> None:
    assert measure.Goal(10, at_least=True, unit="x").judge(value) == status


def test_goals_print_their_direction_and_unit() -> None:
    assert str(measure.Goal(1.5, unit=" s")) == "<= 1.5 s"
    assert str(measure.Goal(10, at_least=True, unit="x")) == ">= 10x"


def test_linearity_is_one_for_a_linear_cost_and_grows_with_a_quadratic_one() -> None:
    sizes = [10, 100, 1_000, 10_000]
    linear = [0.3 + 0.001 * n for n in sizes]
    assert measure.linearity(sizes, linear) == pytest.approx(1.0)
    # t = 0.3 + c*n**2: the cost per layer past the 10-layer start-up is c*(n + 10),
    # so 10,010 / 1,010 at 10,000 against 1,000 layers.
    quadratic = [0.3 + 1e-7 * n * n for n in sizes]
    assert measure.linearity(sizes, quadratic) == pytest.approx(10_010 / 1_010)


def test_linearity_needs_three_increasing_sizes() -> None:
    with pytest.raises(ValueError):
        measure.linearity([10, 1_000], [0.3, 0.8])
    with pytest.raises(ValueError):
        measure.linearity([1_000, 10, 10_000], [0.8, 0.3, 5.0])


def test_the_fitted_line_recovers_the_start_up_cost_and_the_cost_per_layer() -> None:
    sizes = [10, 100, 1_000, 10_000]
    intercept, slope = measure.fit_line(sizes, [0.25 + 0.0005 * n for n in sizes])
    assert intercept == pytest.approx(0.25)
    assert slope == pytest.approx(0.0005)


def test_figures_give_the_median_and_best_of_their_runs() -> None:
    figures = measure.Figures(times=(0.5, 0.3, 0.4, 0.9, 0.35), peaks=(22, 21, 22, 30, 21))
    assert figures.median == 0.4
    assert figures.best == 0.3
    assert figures.peak == 22
    assert figures.least_peak == 21
