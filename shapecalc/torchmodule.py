"""A ``torch.nn`` module described as data, and the helpers layer kinds use to describe theirs.

Every layer kind states its PyTorch counterpart in :meth:`Layer.torch_module
<shapecalc.layers.base.Layer.torch_module>` as a :class:`TorchModule`: a class name in
``torch.nn`` and its arguments. Two consumers read that one description, so they cannot
drift apart: :mod:`shapecalc.torchcheck` instantiates it and runs a forward pass
(``shapecalc check``), and :mod:`shapecalc.torchcode` prints it as Python source
(``shapecalc torch``).

Where torch has no class for a kind (layer norm over the channels of a map, layer scale,
stochastic depth), the class is one shapecalc defines in :mod:`shapecalc.torchmodules`,
described with ``defined=True``: torchcheck builds it from there, and torchcode copies its
source into the emitted file.

This module never imports torch: describing and printing modules works without it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import Remedy, TorchError
from .shape import Shape
from .symbolic import Dim, fmt, is_concrete, symbols_of

#: Generated lines are wrapped to stay within this width (ruff's default).
CODE_WIDTH = 88


@dataclass(frozen=True)
class TorchModule:
    """A ``torch.nn`` module described as data: ``nn.<name>(*args, **kwargs)``.

    Arguments are ints, floats, bools, strings, tuples of those, or nested TorchModules
    (the children of ``nn.Sequential``).

    Attributes:
        name: the class name, in ``torch.nn`` or (``defined``) in :mod:`shapecalc.torchmodules`.
        args, kwargs: the arguments.
        defined: the class is one shapecalc defines (:mod:`shapecalc.torchmodules`), written
            without ``nn.`` and emitted with the code.
    """

    name: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    defined: bool = False

    @property
    def qualified(self) -> str:
        """How the emitted code names the class: ``nn.Conv2d``, or ``LayerScale``."""
        return self.name if self.defined else f"nn.{self.name}"

    def defined_names(self) -> list[str]:
        """The shapecalc-defined classes this module and its children use, each once."""
        names = [self.name] if self.defined else []
        for arg in (*self.args, *(value for _, value in self.kwargs)):
            if isinstance(arg, TorchModule):
                names += [name for name in arg.defined_names() if name not in names]
        return names

    def code(self, indent: int = 0) -> str:
        """Python source that builds the module; ``indent`` is the column it starts at."""
        items = [python_literal(a, indent + 4) for a in self.args]
        items += [f"{key}={python_literal(value, indent + 4)}" for key, value in self.kwargs]
        return call_code(self.qualified, items, indent)


def call_code(callee: str, items: Sequence[str], indent: int, after: str = "") -> str:
    """Python source of the call ``callee(item, ...)`` followed by ``after``, starting at
    column ``indent``: on one line when it fits :data:`CODE_WIDTH`, else one item a line."""
    one_line = f"{callee}({', '.join(items)}){after}"
    # + 1: the call may stand in an argument list, followed by a comma.
    if indent + len(one_line) + 1 <= CODE_WIDTH and "\n" not in one_line:
        return one_line
    pad = " " * (indent + 4)
    body = "".join(f"{pad}{item},\n" for item in items)
    return f"{callee}(\n{body}{' ' * indent}){after}"


def python_literal(value: Any, indent: int = 0) -> str:
    """A Python literal for an argument (``float('-inf')`` has no literal)."""
    if isinstance(value, TorchModule):
        return value.code(indent)
    if isinstance(value, float) and math.isinf(value):
        return 'float("-inf")' if value < 0 else 'float("inf")'
    if isinstance(value, tuple):
        inner = ", ".join(python_literal(v, indent) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def concrete_int(value: Dim, what: str) -> int:
    """``value`` as an int; a symbol left in it is a :class:`TorchError` (torch needs sizes)."""
    if not is_concrete(value):
        raise TorchError.with_remedy(
            f"{what} is {fmt(value)}; torch needs numbers",
            Remedy(values=tuple(sorted(symbols_of(value)))),
        )
    return int(value)


def per_dim(values: Sequence[Dim], rank: int, what: str) -> tuple[int, ...]:
    """One int for every spatial dim, from one value or one per dim."""
    ints = tuple(concrete_int(v, what) for v in values)
    if len(ints) == 1:
        return ints * rank
    if len(ints) != rank:
        raise TorchError(f"{what} {ints} does not fit a {rank}D input")
    return ints


def kernel_sizes(
    keyword: str,
    inp: Shape,
    kernel: Sequence[Dim],
    stride: Sequence[Dim],
    dilation: Sequence[Dim],
) -> tuple[int, tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """A convolution's spatial rank and its kernel, stride and dilation as ints per dim (a
    kernel lists one size per spatial dim, never broadcast), as torch's modules take them."""
    rank = spatial_rank(inp, keyword)
    if len(kernel) != rank:
        raise TorchError(f"a {len(kernel)}D kernel on the {rank}D input {inp}")
    return (
        rank,
        per_dim(kernel, rank, "kernel"),
        per_dim(stride, rank, "stride"),
        per_dim(dilation, rank, "dilation"),
    )


def spatial_rank(inp: Shape, keyword: str) -> int:
    """The input's spatial rank, which must be one torch has modules for (1, 2 or 3)."""
    rank = inp.spatial_rank
    if rank not in (1, 2, 3):
        raise TorchError(f"{keyword} needs a 1D, 2D or 3D spatial input, got {inp}")
    return rank


def constant_pad(pads: Sequence[tuple[int, int]], value: float) -> TorchModule:
    """Pad (before, after) per spatial dim in spec order; torch lists the last dim first."""
    flat = tuple(x for before, after in reversed(pads) for x in (before, after))
    return TorchModule(f"ConstantPad{len(pads)}d", (flat, value))


def keywords(**values: Any) -> tuple[tuple[str, Any], ...]:
    """Keyword arguments, leaving out the ones that equal torch's default (given as None)."""
    return tuple((key, value) for key, value in values.items() if value is not None)


def unless_default(value: tuple[int, ...], default: int) -> tuple[int, ...] | None:
    """``value``, or None (torch's default, left out) when every entry is ``default``."""
    return None if all(v == default for v in value) else value


def as_tuple(value: Any) -> tuple[int, ...]:
    """A torch module attribute (an int or a tuple of ints) as a tuple of ints."""
    if isinstance(value, tuple | list):
        return tuple(int(v) for v in value)
    return (int(value),)


def collapse(values: tuple[int, ...]) -> tuple[int, ...]:
    """``(2, 2)`` -> ``(2,)``: one value when every dim has the same (the spec's short form)."""
    return values[:1] if len(set(values)) == 1 else values


__all__ = [
    "CODE_WIDTH",
    "TorchModule",
    "as_tuple",
    "call_code",
    "collapse",
    "concrete_int",
    "constant_pad",
    "kernel_sizes",
    "keywords",
    "per_dim",
    "python_literal",
    "spatial_rank",
    "unless_default",
]
