"""What the summary tools themselves count for a concrete analysis: the oracles of
tests/test_costs.py. Each builds the network from the calculator's own torch description
(shapecalc.torchcode via torchcheck.build_module) and runs the tool on it."""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable

import torch
from torch import nn

from shapecalc import Analysis
from shapecalc.torchcheck import build_module, random_input


def model(analysis: Analysis) -> nn.Module:
    """The analysis as one nn.Sequential, in eval mode (inference costs). A spec with res or
    concat blocks is the module ``shapecalc torch`` emits (Residual and Concat modules)."""
    if analysis.blocks:
        namespace: dict[str, object] = {}
        exec(compile(analysis.to_torch_code(), "<emitted>", "exec"), namespace)  # noqa: S102
        return namespace["Net"]().eval()  # type: ignore[operator, no-any-return]
    return nn.Sequential(*(build_module(r.layer, r.input_shape) for r in analysis.rows)).eval()


def _quiet(run: Callable[[], float]) -> int:
    # The tools print and warn about operations they skip; the count is what matters here.
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        with contextlib.redirect_stderr(io.StringIO()):
            value = run()
    assert float(value).is_integer(), value
    return int(value)


def flop_counter(analysis: Analysis, batch: int) -> int:
    """torch.utils.flop_counter.FlopCounterMode's total FLOPs."""
    from torch.utils.flop_counter import FlopCounterMode

    net, x = model(analysis), random_input(analysis.input_shape, batch)

    def run() -> float:
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            net(x)
        return counter.get_total_flops()

    return _quiet(run)


def torchinfo_mult_adds(analysis: Analysis, batch: int) -> int:
    """torchinfo.summary's total "Mult-Adds"."""
    from torchinfo import summary

    net = model(analysis)
    size = tuple(int(d) for d in analysis.input_shape.torch_order(batch))
    return _quiet(lambda: summary(net, input_size=size, verbose=0).total_mult_adds)


def fvcore_flops(analysis: Analysis, batch: int) -> int:
    """fvcore's FlopCountAnalysis total (it counts one multiply-add as one flop)."""
    from fvcore.nn import FlopCountAnalysis

    net, x = model(analysis), random_input(analysis.input_shape, batch)

    def run() -> float:
        analysis_ = FlopCountAnalysis(net, x)
        analysis_.unsupported_ops_warnings(False)
        analysis_.uncalled_modules_warnings(False)
        return analysis_.total()

    return _quiet(run)


def thop_macs(analysis: Analysis, batch: int) -> int:
    """thop.profile's MACs."""
    import thop

    net, x = model(analysis), random_input(analysis.input_shape, batch)
    return _quiet(lambda: thop.profile(net, inputs=(x,), verbose=False)[0])
