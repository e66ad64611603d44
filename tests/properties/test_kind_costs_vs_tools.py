"""Every layer kind on its own, in every MACs convention, against the tool that defines it.

tests/properties/test_costs_vs_tools.py draws whole networks, where one kind among many may
get few examples; here each kind gets its own (as test_against_torch.py does for shapes), so
a kind whose ``Layer.ops`` misstates a tool's rule fails under its own name.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shapecalc import analyze
from shapecalc.layers import REGISTRY, Layer
from shapecalc.strategies import single_layers

pytest.importorskip("torch", reason="torch is the oracle (CI installs it)")

import cost_oracles as oracles  # noqa: E402

#: fvcore traces with torch.jit, which is slow: a tenth of the profile's examples per kind.
PER_KIND = settings(max_examples=max(5, settings().max_examples // 10))

LAYER_CLASSES = sorted(set(REGISTRY.values()), key=lambda cls: cls.keyword)

#: thop truncates a float window of adaptive pooling (README, Costs): at most 1 below.
THOP_SLACK = ("adaptiveavgpool", "globalavgpool")


@pytest.mark.parametrize("cls", LAYER_CLASSES, ids=lambda cls: cls.keyword)
@PER_KIND
@given(data=st.data(), batch=st.integers(1, 3))
def test_each_kind_costs_what_each_tool_counts(
    cls: type[Layer], data: st.DataObject, batch: int
) -> None:
    spec = data.draw(single_layers(cls)).text
    analysis = analyze(spec)
    (row,) = analysis.rows
    flops = analysis.costs(batch=batch, convention="torch").totals.flops
    assert flops == oracles.flop_counter(analysis, batch), spec
    macs = {
        name: analysis.costs(batch=batch, convention=name).totals.macs
        for name in ("torchinfo", "fvcore", "thop")
    }
    assert macs["torchinfo"] == oracles.torchinfo_mult_adds(analysis, batch), spec
    assert macs["fvcore"] == oracles.fvcore_flops(analysis, batch), spec
    thop = oracles.thop_macs(analysis, batch)
    slack = 1 if row.keyword in THOP_SLACK else 0
    assert thop <= macs["thop"] <= thop + slack, spec
