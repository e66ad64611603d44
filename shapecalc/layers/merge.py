"""The merge at the end of a branch block: ``res`` adds its paths, ``concat`` joins channels.

A ``split( a ; b )`` block gives each path an equal part of the channels before they are
joined: the analysis starts each of its paths with a :class:`Chunk` row (not a spec keyword
either) that takes the path's part.

These are not keywords of the spec language (the parser reads ``res( ... )`` and
``concat( ... ; ... )``); the analysis makes one merge row per block so that the shape after
the merge shows in the table, and the renderers, the torch check and the drawings can treat
it like any other row. Nothing here is in the layer registry: :data:`MERGES` maps each block
keyword to its merge.

A merge computes its own output shape and validity conditions from the outputs of its paths
(:meth:`Merge.merge`), as a layer does from its input, and raises a position-less
:class:`MergeError` naming the path that disagrees; the analysis points it into the spec. A
new kind of merge is one more class here: its block keyword, how its paths are named, when
two inputs can be merged (:meth:`Merge.disagreement`) and what comes out
(:meth:`Merge.combine`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import LayerError, MergeError
from ..shape import Shape
from ..symbolic import (
    Constraint,
    Dim,
    divides,
    exact_div,
    expand,
    fmt,
    sp,
    substitute,
    symbols_of,
)
from ..torchmodule import TorchModule, concrete_int
from ..working import Call, Quot, Step, Var, plus
from .base import Checks, Layer, SpecReader, dim_names

#: How far each symbol is searched for a value at which two paths agree.
AGREEMENT_SEARCH = 4096
#: Most points tried when several symbols are involved.
AGREEMENT_POINTS = 200_000


def agree(a: Dim, b: Dim) -> bool | Constraint:
    """Whether two dims are equal: decided, or a condition on the symbols."""
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    s = sp()
    # expand, not simplify: simplify is slow on nested floors, and an undecided case is
    # only recorded as a condition.
    diff = s.expand(s.sympify(a) - s.sympify(b))
    if diff == 0:
        return True
    if not diff.free_symbols:
        return False
    if not ever_equal(diff):
        return False
    text = f"{fmt(a)} = {fmt(b)}"
    # -(a - b)**2 >= 0 exactly when a = b: the form every condition's ``expr`` takes.
    return Constraint(text, text, 0, -(diff**2), sides=(s.sympify(a), s.sympify(b)))


def ever_equal(diff: Any) -> bool:
    """Whether ``diff`` is 0 for some values of its symbols: every value up to
    :data:`AGREEMENT_SEARCH` for one symbol, a grid of small values for several. Paths that
    agree nowhere there (``n`` against ``floor(n/2)``) are a shape error, not a condition that
    no input could meet."""
    import numpy as np

    from ..evaluate import compile_formula, holds, overflow_safe

    symbols = sorted(diff.free_symbols, key=lambda sym: sym.name)
    per_symbol = max(2, min(AGREEMENT_SEARCH, int(AGREEMENT_POINTS ** (1 / len(symbols)))))
    axes = [np.arange(0 if not sym.is_positive else 1, per_symbol + 1) for sym in symbols]
    grids = np.meshgrid(*axes, indexing="ij")
    env = {sym.name: grid.ravel().astype(np.int64) for sym, grid in zip(symbols, grids)}
    formula = compile_formula(diff)
    return bool(np.any(holds(formula, 0, overflow_safe(formula, env))))


@dataclass(frozen=True)
class Merge(Layer):
    """Combines the outputs of a block's paths, given in ``inputs``; no parameters.

    A subclass sets ``block`` and ``formula`` and says when two inputs merge
    (:meth:`disagreement`) and what comes out (:meth:`combine`).
    """

    keyword = "merge"
    kind = "merge"
    formula = "add: out = every input (they must agree); concat: out channels = sum of inputs"
    #: The spec keyword of the block that ends in this merge: ``res``, ``concat``.
    block: ClassVar[str] = ""
    #: Whether a block of one path merges it with the block's own input (``res``: x + f(x)).
    identity: ClassVar[bool] = False
    #: What must agree across the inputs, as messages say it: ``shapes``, ``spatial sizes``.
    agree_on: ClassVar[str] = "shapes"

    inputs: tuple[Shape, ...]
    output: Shape

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Merge:
        raise LayerError("a merge is made by res( ... ) or concat( ... ), not written")

    @classmethod
    def merge(cls, paths: Sequence[Shape], block_input: Shape, checks: Checks) -> Merge:
        """The merge of the outputs of a block's ``paths`` (with ``block_input`` when the
        block has one path and the merge an :attr:`identity`); conditions on the symbols
        under which the inputs merge go to ``checks``.

        Raises:
            MergeError: an input disagrees with the first; ``path`` is its index.
        """
        inputs = tuple(paths)
        if cls.identity and len(inputs) == 1:
            inputs += (block_input,)
        for index in range(1, len(inputs)):
            problem = cls.disagreement(inputs[0], inputs[index], checks)
            if problem is not None:
                said, fix = cls.describe(inputs, index, len(paths))
                raise MergeError(f"{said}; {problem}{fix}", path=index)
        return cls(inputs, cls.combine(inputs))

    @classmethod
    def path_label(cls, index: int) -> str:
        """Path ``index`` (from 0) as the table labels it: ``branch 2``."""
        return f"branch {index + 1}"

    @classmethod
    def path_name(cls, index: int) -> str:
        """Path ``index`` as a message names it: ``branch 2``, ``the main path``."""
        return cls.path_label(index)

    @classmethod
    def describe(cls, inputs: tuple[Shape, ...], index: int, paths: int) -> tuple[str, str]:
        """What a message says of input ``index`` against the first (``branch 2 gives
        26x26x4 but branch 1 gives 28x28x4``), and a fix to add (``"; ..."`` or ``""``);
        ``paths`` inputs are written paths, the one after them the block's input."""
        return (
            f"{cls.path_name(index)} gives {inputs[index]} but {cls.path_name(0)} gives {inputs[0]}",
            "",
        )

    @classmethod
    def compared(cls, shape: Shape) -> tuple[Dim, ...]:
        """The dims of ``shape`` that must equal the first input's."""
        return shape.dims

    @classmethod
    def disagreement(cls, first: Shape, other: Shape, checks: Checks) -> str | None:
        """Why ``other`` cannot be merged with ``first`` (``their ranks differ``), or None;
        a condition under which they agree goes to ``checks``. By default the
        :meth:`compared` dims must be equal."""
        if len(other.dims) != len(first.dims):
            return "their ranks differ"
        for mine, theirs in zip(cls.compared(first), cls.compared(other)):
            verdict = agree(mine, theirs)
            if verdict is False:
                return f"the {cls.agree_on} must agree"
            if isinstance(verdict, Constraint):
                checks.constraints.append(verdict)
        return None

    @classmethod
    def combine(cls, inputs: tuple[Shape, ...]) -> Shape:
        """The output shape of inputs that merge (by default the first's)."""
        return inputs[0]

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        return self.output

    def to_spec(self) -> str:
        return self.keyword


@dataclass(frozen=True)
class Add(Merge):
    """The sum of a ``res`` block's main path and shortcut (identity when absent)."""

    keyword = "add"
    title = "Add"
    formula = "out = every input (they must agree)"
    block = "res"
    identity = True

    @classmethod
    def path_label(cls, index: int) -> str:
        return "main" if index == 0 else "shortcut"

    @classmethod
    def path_name(cls, index: int) -> str:
        return "the main path" if index == 0 else "the shortcut"

    @classmethod
    def describe(cls, inputs: tuple[Shape, ...], index: int, paths: int) -> tuple[str, str]:
        if index < paths:
            return super().describe(inputs, index, paths)
        first = inputs[0]
        projection = _projection(inputs[index], first)
        return (
            f"the main path gives {first} but the identity shortcut passes {inputs[index]}",
            "" if projection is None else f"; add a projection shortcut after ';', {projection}",
        )


def _projection(passed: Shape, wanted: Shape) -> str | None:
    """The 1x1 convolution that turns the shortcut's ``passed`` into ``wanted`` (``conv1x1x64
    stride2``), or None when no 1x1 convolution can (another rank, or sizes no stride gives)."""
    if passed.spatial_rank != wanted.spatial_rank or passed.spatial_rank == 0:
        return None
    kernel = "x".join("1" * passed.spatial_rank)
    conv = f"conv{kernel}x{fmt(wanted.channels)}"
    if passed.spatial == wanted.spatial:
        return f"such as {conv}"
    # A 1x1 kernel with stride s gives floor((n - 1)/s) + 1 of n: the smallest stride that
    # gives every wanted size (as in ResNet's downsampling shortcut). Symbolic sizes are
    # compared at sample values: the hint only proposes, the analysis of the fix decides.
    names = sorted({name for d in (*passed.spatial, *wanted.spatial) for name in symbols_of(d)})
    points = [dict.fromkeys(names, v) for v in range(1, 65)] if names else [{}]
    sizes = [
        (substitute(n, p), substitute(m, p))
        for p in points
        for n, m in zip(passed.spatial, wanted.spatial)
    ]
    largest = max(int(n) for n, _ in sizes)
    for stride in range(2, largest + 1):
        if all((int(n) - 1) // stride + 1 == int(m) for n, m in sizes):
            return f"such as {conv} stride{stride}"
    return None


@dataclass(frozen=True)
class Concat(Merge):
    """The outputs of a ``concat`` block's paths joined along the channels."""

    keyword = "concat"
    title = "Concat"
    formula = "out channels = sum of inputs (the spatial sizes must agree)"
    block = "concat"
    agree_on = "spatial sizes"

    @classmethod
    def compared(cls, shape: Shape) -> tuple[Dim, ...]:
        return shape.spatial

    @classmethod
    def combine(cls, inputs: tuple[Shape, ...]) -> Shape:
        channels: Dim = sum((shape.channels for shape in inputs), start=0)
        if not isinstance(channels, int):
            channels = expand(channels)
        return Shape((*inputs[0].spatial, channels))

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        channels = [Var(f"C_{i}", shape.channels) for i, shape in enumerate(self.inputs, 1)]
        return (Step("C", plus(*channels), out.channels),)


@dataclass(frozen=True)
class Mul(Merge):
    """The elementwise product of a ``mul`` block's paths; a block of one path gates its own
    input, x·f(x), as squeeze-and-excitation does. A size-1 dim broadcasts, as in torch."""

    keyword = "mul"
    title = "Multiply"
    formula = "out = the inputs broadcast together: each dim equal, or 1 in one of them"
    block = "mul"
    identity = True
    agree_on = "shapes"

    @classmethod
    def describe(cls, inputs: tuple[Shape, ...], index: int, paths: int) -> tuple[str, str]:
        if index < paths:
            return super().describe(inputs, index, paths)
        return (f"the gate gives {inputs[0]} but the block's input is {inputs[index]}", "")

    @classmethod
    def disagreement(cls, first: Shape, other: Shape, checks: Checks) -> str | None:
        if len(other.dims) != len(first.dims):
            return "their ranks differ"
        for mine, theirs in zip(first.dims, other.dims):
            if mine == 1 or theirs == 1:  # broadcast
                continue
            verdict = agree(mine, theirs)
            if verdict is False:
                return "the shapes must broadcast (each dim equal, or 1 in one of them)"
            if isinstance(verdict, Constraint):
                checks.constraints.append(verdict)
        return None

    @classmethod
    def combine(cls, inputs: tuple[Shape, ...]) -> Shape:
        dims = list(inputs[0].dims)
        for shape in inputs[1:]:
            dims = [theirs if mine == 1 else mine for mine, theirs in zip(dims, shape.dims)]
        return Shape(tuple(dims))

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        # A dim of the first input that is 1 and broadcasts to another input's: the larger.
        # (A symbolic dim broadcasts only when it is a literal 1.)
        rank = len(out.dims) - 1
        names = (*dim_names(rank), "C") if rank else ("N",)
        steps = []
        for index, (name, size) in enumerate(zip(names, out.dims)):
            sizes = [shape.dims[index] for shape in self.inputs]
            if size != sizes[0]:
                terms = tuple(Var(f"{name}_{i}", value) for i, value in enumerate(sizes, 1))
                steps.append(Step(name, Call("max", terms), size))
        return tuple(steps)


@dataclass(frozen=True)
class Split(Concat):
    """The outputs of a ``split`` block's paths joined along the channels; each path took
    an equal part of the block's input channels (a :class:`Chunk`), as ShuffleNetV2's
    ``x1, x2 = x.chunk(2, dim=1)`` and ``cat(x1, branch(x2))``."""

    keyword = "concat"
    block = "split"

    @classmethod
    def path_label(cls, index: int) -> str:
        return f"part {index + 1}"


@dataclass(frozen=True)
class Chunk(Layer):
    """Part ``index`` (from 0) of ``chunks`` equal parts of the channels: the first row of
    each path of a ``split`` block. torch's ``x.chunk(chunks, dim=1)[index]``."""

    keyword = "chunk"
    kind = "reshape"
    title = "Chunk"
    formula = "out channels = C / parts (the parts must divide C)"

    index: int
    chunks: int

    @classmethod
    def from_spec(cls, reader: SpecReader) -> Chunk:
        raise LayerError("a chunk is made by split( ... ; ... ), not written")

    @classmethod
    def divides(cls, chunks: int, inp: Shape, checks: Checks) -> None:
        """Require ``chunks`` equal parts of ``inp``'s channels; raises :class:`MergeError`
        naming the block's input when they do not divide (path -1: the keyword)."""
        verdict = divides(chunks, inp.channels)
        if verdict is False:
            raise MergeError(
                f"{chunks} paths split the {fmt(inp.channels)} channels of {inp} into equal "
                f"parts, and {chunks} does not divide {fmt(inp.channels)}",
                path=-1,
            )
        if isinstance(verdict, Constraint):
            checks.constraints.append(verdict)

    def output_shape(self, inp: Shape, checks: Checks) -> Shape:
        return Shape((*inp.spatial, exact_div(inp.channels, self.chunks)))

    def explain(self, inp: Shape, out: Shape) -> tuple[Step, ...]:
        return (Step("C", Quot(Var("C", inp.channels), Var("parts", self.chunks)), out.channels),)

    def to_spec(self) -> str:
        return f"part {self.index + 1} of {self.chunks}"

    def torch_module(self, inp: Shape) -> TorchModule:
        concrete_int(inp.channels, "channels")
        return TorchModule("Chunk", (self.index, self.chunks), defined=True)


#: The merge that ends each kind of branch block, by the block's spec keyword.
MERGES: dict[str, type[Merge]] = {cls.block: cls for cls in (Add, Concat, Mul, Split)}


__all__ = [
    "AGREEMENT_POINTS",
    "AGREEMENT_SEARCH",
    "MERGES",
    "Add",
    "Chunk",
    "Concat",
    "Merge",
    "Mul",
    "Split",
    "agree",
    "ever_equal",
]
