"""The worked arithmetic of --explain adds up, on generated specs over every layer kind.

Each step's term is evaluated exactly (fractions, then the floor or ceiling it shows) and must
equal the calculator's value; every spatial size that a layer changes has its step.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given

from shapecalc import Analysis, analyze
from shapecalc.strategies import specs
from shapecalc.symbolic import substitute
from shapecalc.working import evaluate

from .test_symbolic_vs_concrete import CEIL_MODE_TIE, symbolic_specs


def assert_working_adds_up(analysis: Analysis) -> None:
    """Every step evaluates to its result; the results are the calculator's counts and sizes."""
    for row, layer in zip(analysis.rows, analysis.explain().layers):
        by_name = {step.quantity: step for step in layer.steps}
        for step in layer.steps:
            assert evaluate(step.term) == step.result, (row.spec, step.line())
        if row.trainable:
            assert by_name["params"].result == row.trainable
        if row.non_trainable:
            assert by_name["non-trainable"].result == row.non_trainable
        inp, out = row.input_shape, row.output_shape
        # (A reshape to another rank has no dim of the output that stands for one of the
        # input's: its steps name the output's own dims.)
        if not inp.is_flat and inp.spatial_rank == out.spatial_rank:
            names = {1: "L", 2: "HW", 3: "DHW"}[inp.spatial_rank]
            for name, before, after in zip(names, inp.spatial, out.spatial):
                if before != after:
                    assert by_name[name].result == after, row.spec


@given(specs())
def test_every_step_evaluates_to_the_calculators_value(spec: object) -> None:
    assert_working_adds_up(analyze(spec.text))  # type: ignore[attr-defined]


@given(symbolic_specs())
@example(CEIL_MODE_TIE)
@pytest.mark.slow
def test_symbolic_working_gives_the_concrete_working(
    drawn: tuple[str, str, dict[str, int]],
) -> None:
    """Each symbolic step's result, at the symbols' values, is the concrete step's result."""
    symbolic_spec, concrete_spec, values = drawn
    symbolic = analyze(symbolic_spec).explain().layers
    concrete = analyze(concrete_spec).explain().layers
    for sym_layer, layer in zip(symbolic, concrete):
        assert [s.quantity for s in sym_layer.steps] == [s.quantity for s in layer.steps]
        for sym_step, step in zip(sym_layer.steps, layer.steps):
            assert substitute(sym_step.result, values) == step.result, (layer.spec, sym_step.line())
            if step.split is not None:
                assert sym_step.split is not None
                split = tuple(substitute(v, values) for v in sym_step.split)
                assert split == step.split, (layer.spec, sym_step.line())
