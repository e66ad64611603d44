"""The worked arithmetic of --explain adds up, on generated specs over every layer kind.

Each step's term is evaluated exactly (fractions, then the floor or ceiling it shows) and must
equal the calculator's value; every spatial size that a layer changes has its step.
"""

from __future__ import annotations

from hypothesis import given

from shapecalc import analyze
from shapecalc.working import evaluate

from .strategies import specs


@given(specs())
def test_every_step_evaluates_to_the_calculators_value(spec: object) -> None:
    analysis = analyze(spec.text)  # type: ignore[attr-defined]
    for row, layer in zip(analysis.rows, analysis.explain().layers):
        by_name = {step.quantity: step for step in layer.steps}
        for step in layer.steps:
            assert evaluate(step.term) == step.result, (row.spec, step.line())
        if row.trainable:
            assert by_name["params"].result == row.trainable
        inp, out = row.input_shape, row.output_shape
        if not inp.is_flat and not out.is_flat:
            names = {1: "L", 2: "HW", 3: "DHW"}[inp.spatial_rank]
            for name, before, after in zip(names, inp.spatial, out.spatial):
                if before != after:
                    assert by_name[name].result == after, row.spec
