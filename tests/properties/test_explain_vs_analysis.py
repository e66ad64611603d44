"""The worked arithmetic of --explain adds up, on generated specs over every layer kind.

Each step's term is evaluated exactly (fractions, then the floor or ceiling it shows) and must
equal the calculator's value; every spatial size that a layer changes has its step.
"""

from __future__ import annotations

from hypothesis import given

from shapecalc import Analysis, analyze
from shapecalc.strategies import specs
from shapecalc.working import evaluate


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
        if not inp.is_flat and not out.is_flat:
            names = {1: "L", 2: "HW", 3: "DHW"}[inp.spatial_rank]
            for name, before, after in zip(names, inp.spatial, out.spatial):
                if before != after:
                    assert by_name[name].result == after, row.spec


@given(specs())
def test_every_step_evaluates_to_the_calculators_value(spec: object) -> None:
    assert_working_adds_up(analyze(spec.text))  # type: ignore[attr-defined]
