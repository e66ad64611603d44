"""The Shape value: dimensions in spec order (channels last)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .symbolic import Dim, fmt, substitute, to_json

_COMPACT = re.compile(r"[0-9]+|[A-Za-wyz]+")


@dataclass(frozen=True)
class Shape:
    """A tensor shape without the batch dimension, channels last as written in specs.

    ``(28, 28, 1)`` is H x W x C, ``(100, 8)`` a 1D signal L x C, ``(16, 112, 112, 3)`` is
    D x H x W x C and ``(784,)`` a flat vector. :meth:`torch_order` is the one place that
    converts to PyTorch's N x C x spatial order (and :meth:`from_torch_order` back).
    """

    dims: tuple[Dim, ...]

    def channels_first_reading(self) -> str | None:
        """How a shape that looks channels-first was read, and how to write it channels
        last: ``3x224x224 is read as H=3, W=224, C=224 (channels last); for 3 channels write
        224x224x3``. None unless the first of 3 or 4 whole-number dims is 1, 3 or 4 (gray,
        RGB, RGBA) and every other dim is larger."""
        dims = self.dims
        if len(dims) not in (3, 4) or not all(isinstance(d, int) for d in dims):
            return None
        first = dims[0]
        if first not in (1, 3, 4) or not all(int(d) > int(first) for d in dims[1:]):
            return None
        names = ("D", "H", "W", "C")[-len(dims) :]
        read = ", ".join(f"{name}={d}" for name, d in zip(names, dims))
        last = "x".join(str(d) for d in (*dims[1:], first))
        what = "channel" if first == 1 else "channels"
        return f"{self} is read as {read} (channels last); for {first} {what} write {last}"

    @property
    def is_flat(self) -> bool:
        """A flat vector of features (no spatial dims)."""
        return len(self.dims) == 1

    @property
    def spatial(self) -> tuple[Dim, ...]:
        """The spatial dims (empty for a flat vector)."""
        return self.dims[:-1]

    @property
    def spatial_rank(self) -> int:
        """How many spatial dims: 0 flat, 1 for L x C, 2 for H x W x C, 3 for D x H x W x C."""
        return len(self.dims) - 1

    @property
    def channels(self) -> Dim:
        """The last dim: channels, or the feature count of a flat vector."""
        return self.dims[-1]

    def with_spatial(self, spatial: tuple[Dim, ...] | list[Dim]) -> Shape:
        """The same channels with new spatial dims."""
        return Shape((*spatial, self.channels))

    def torch_order(self, batch: int = 1) -> tuple[Dim, ...]:
        """The shape as PyTorch orders it: (N, C, *spatial), or (N, features) when flat."""
        if self.is_flat:
            return (batch, self.channels)
        return (batch, self.channels, *self.spatial)

    @classmethod
    def from_torch_order(cls, size: tuple[int, ...] | list[int]) -> Shape:
        """The inverse of :meth:`torch_order`: (N, C, *spatial) or (N, F) -> channels last,
        without the batch."""
        if len(size) < 2:
            raise ValueError(f"a torch size needs a batch and a feature dim, got {tuple(size)}")
        return cls((*(int(n) for n in size[2:]), int(size[1])))

    def substitute(self, mapping: dict[str, int]) -> Shape:
        """Replace symbols by integer values."""
        return Shape(tuple(substitute(d, mapping) for d in self.dims))

    def to_json(self) -> list[int | str]:
        """JSON list, channels last: integers, or strings for symbolic dims."""
        return [to_json(d) for d in self.dims]

    def __str__(self) -> str:
        texts = [fmt(d) for d in self.dims]
        # Compact "28x28x1" / "nxnx3" only where it reads back unambiguously.
        if all(_COMPACT.fullmatch(t) for t in texts):
            return "x".join(texts)
        # A sum reads as one dim only in parentheses: (n - 2) x (n - 2) x 8.
        return " x ".join(
            f"({t})" if getattr(d, "is_Add", False) else t for t, d in zip(texts, self.dims)
        )
