"""Every convention's totals equal its tool's, on specs drawn over every layer kind and option.

Hypothesis draws valid concrete specs (:func:`shapecalc.strategies.specs`); the tools run on
the calculator's own torch modules (tests/cost_oracles.py): FlopCounterMode's FLOPs equal the
``torch`` convention's, torchinfo's Mult-Adds the ``torchinfo`` MACs, and so on.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shapecalc import analyze
from shapecalc.strategies import GeneratedSpec, specs

pytest.importorskip("torch", reason="torch is the oracle (CI installs it)")

import cost_oracles as oracles  # noqa: E402

#: fvcore traces the model with torch.jit, which is slow: a fifth of the profile's examples.
FEWER = settings(max_examples=max(10, settings().max_examples // 5))


@given(specs(max_items=4), st.integers(1, 3))
@pytest.mark.slow
def test_flops_equal_flop_counter_mode_and_macs_torchinfo(spec: GeneratedSpec, batch: int) -> None:
    analysis = analyze(spec.text)
    torch_costs = analysis.costs(batch=batch, convention="torch")
    assert torch_costs.totals.flops == oracles.flop_counter(analysis, batch), spec.text
    torchinfo_costs = analysis.costs(batch=batch, convention="torchinfo")
    assert torchinfo_costs.totals.macs == oracles.torchinfo_mult_adds(analysis, batch), spec.text


@FEWER
@given(specs(max_items=4))
def test_macs_equal_fvcore_and_thop(spec: GeneratedSpec) -> None:
    analysis = analyze(spec.text)
    assert analysis.costs(convention="fvcore").totals.macs == oracles.fvcore_flops(analysis, 1)
    thop = oracles.thop_macs(analysis, 1)
    ours = analysis.costs(convention="thop").totals.macs
    # thop's float window for adaptive pooling may truncate one below the exact count per
    # such layer (README, Costs).
    slack = sum(
        1
        for row in analysis.rows
        if row.keyword in ("adaptiveavgpool", "globalavgpool")
    )
    assert thop <= ours <= thop + slack, spec.text
