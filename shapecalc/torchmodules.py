"""PyTorch modules that shapecalc defines, for layer kinds torch has no class of its own for.

A layer kind whose counterpart is one of these describes it as
``TorchModule(name, args, defined=True)`` (:class:`shapecalc.torchmodule.TorchModule`). The
two consumers of that description read this one file:

- :func:`shapecalc.torchcheck.build` instantiates the class from this module (the only
  place that imports it: it imports torch);
- :func:`shapecalc.torchcode.torch_code` copies the class's source, read from this file
  with :mod:`ast` and without importing it, into the emitted Python module, so the code of
  ``shapecalc torch`` and the module ``shapecalc check`` runs are the same text.

Rules for a class added here (tests/test_torchmodules.py checks them):

- a top-level ``class``, named like no ``torch.nn`` class, whose source uses only ``torch``
  and ``nn`` (the names the emitted file imports) and is ruff-clean at 88 columns;
- its parameters are named ``weight`` and ``bias`` (torchinfo counts only parameters of
  those names), or it wraps the ``torch.nn`` module that does the work as a child, so that
  the summary tools (torchinfo, fvcore, thop) charge that module as they charge it anywhere;
- it computes exactly what the layer kind's docstring says, checked against a reference
  computation in the tests.
"""

from __future__ import annotations

import torch
from torch import nn


class ChannelLayerNorm(nn.Module):
    """Layer norm over the channels at each position of an N x C x ... map.

    ConvNeXt's LayerNorm2d for any spatial rank: ``nn.LayerNorm(C)`` applied with the
    channels moved last, then moved back.
    """

    def __init__(self, channels: int, eps: float = 1e-5, bias: bool = True) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(channels, eps=eps, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        normed: torch.Tensor = self.norm(x.movedim(1, -1))
        return normed.movedim(-1, 1)


class LayerScale(nn.Module):
    """A learned scale per channel (ConvNeXt's and CaiT's layer scale, gamma)."""

    def __init__(self, channels: int, init: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.full((channels,), init))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight.view(-1, *([1] * (x.dim() - 2)))


class DropPath(nn.Module):
    """Stochastic depth: zeroes each sample's whole input with probability p in training
    and scales the kept ones by 1/(1 - p); the identity in evaluation. torchvision's
    ``StochasticDepth(p, "row")``.
    """

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        survival = 1.0 - self.p
        size = [x.shape[0]] + [1] * (x.dim() - 1)
        noise = torch.empty(size, dtype=x.dtype, device=x.device).bernoulli_(survival)
        if survival > 0.0:
            noise.div_(survival)
        return x * noise


class Reshape(nn.Module):
    """Reshapes each sample to ``shape`` (torch order, C x ...), as ``x.reshape(N, *shape)``:
    the values are read in torch's order, channels first."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)


class Crop(nn.Module):
    """Removes ``crop[i]`` positions from both ends of spatial dim ``i`` (in N x C x ...
    order), as U-Net's copy-and-crop cuts the centre out of a skip connection's map."""

    def __init__(self, crop: tuple[int, ...]) -> None:
        super().__init__()
        self.crop = tuple(crop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for dim, amount in enumerate(self.crop, start=2):
            if x.shape[dim] - 2 * amount < 1:
                raise ValueError(f"crop {amount} leaves nothing of size {x.shape[dim]}")
            x = x.narrow(dim, amount, x.shape[dim] - 2 * amount)
        return x


class Chunk(nn.Module):
    """Chunk ``index`` of ``chunks`` equal parts of the channels, as
    ``x.chunk(chunks, dim=1)[index]``: one path's part of a ``split( a ; b )`` block
    (ShuffleNetV2's channel split)."""

    def __init__(self, index: int, chunks: int) -> None:
        super().__init__()
        self.index = index
        self.chunks = chunks

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.chunk(self.chunks, dim=1)[self.index]
