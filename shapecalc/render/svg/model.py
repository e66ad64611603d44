"""What a drawing shows: the analysis reduced to the tensors worth drawing, with their labels.

A *stage* is one tensor in the drawing: the input, or the output of a layer that changes
what the tensor means (convolution, pooling, dense, reshape). Activations, dropout and
normalisation keep the shape, so they are folded into the operation that precedes them
(``Conv 3×3 s1 same`` / ``+ ReLU``) instead of repeating an identical stack of maps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ...analysis import Analysis, Row
from ...errors import DrawError, Remedy, SubstitutionError
from ...shape import Shape
from ...symbolic import concrete, fmt

#: Layer kinds that keep the tensor and are written under the operation before them.
FOLDED_KINDS = frozenset({"activation", "dropout", "norm"})
#: Most tensors one drawing shows, so that a 100,000-layer spec cannot make a gigabyte of SVG.
MAX_STAGES = 1_000



@dataclass(frozen=True)
class Stage:
    """One tensor of the drawing.

    Attributes:
        index: the row index of the layer that produced it (0 for the input).
        kind: ``input`` or the producing layer's kind (``conv``, ``pool``, ``dense``, ...).
        dims: the concrete shape, channels last.
        label: the tensor's label, ``16@28×28`` or ``1×120`` (symbolic with ``--at``).
        op: lines naming the operation that produced it (empty for the input).
        window: the kernel or pooling window of that operation, when it has one.
        texts: each dim as written in the label (symbolic with ``--at``).
        sources: for the merge of a res or concat block, the rows whose outputs it merges.
    """

    index: int
    kind: str
    dims: tuple[int, ...]
    label: str
    op: tuple[str, ...] = ()
    window: tuple[int, ...] | None = None
    texts: tuple[str, ...] = ()
    sources: tuple[int, ...] = ()

    @property
    def is_flat(self) -> bool:
        """A vector (drawn as a bar or a column of nodes)."""
        return len(self.dims) == 1

    @property
    def channels(self) -> int:
        """Channels, or the length of a vector."""
        return self.dims[-1]

    @property
    def height(self) -> int:
        """The first spatial dim drawn (H; L for a 1D signal; 1 for a vector)."""
        return (
            self.dims[-3] if len(self.dims) >= 3 else (self.dims[0] if len(self.dims) == 2 else 1)
        )

    @property
    def width(self) -> int:
        """The second spatial dim drawn (W; 1 for a 1D signal or a vector)."""
        return self.dims[-2] if len(self.dims) >= 3 else 1


def shape_label(shape: Shape) -> str:
    """``16@28×28`` for feature maps, ``1×120`` for a vector (NN-SVG's notation)."""
    # A sum reads as one dim only in parentheses: 8@(-f + 29)×(-f + 29).
    texts = [f"({fmt(d)})" if getattr(d, "is_Add", False) else fmt(d) for d in shape.dims]
    if shape.is_flat:
        return f"1×{texts[0]}"
    return f"{texts[-1]}@{'×'.join(texts[:-1])}"


def op_name(row: Row) -> str:
    """How a layer's operation reads under the gap before its tensor (the kind's own
    :meth:`~shapecalc.layers.base.Layer.drawing_label`)."""
    return row.layer.drawing_label(row.input_shape)


def _window_of(row: Row) -> tuple[int, ...] | None:
    window = row.layer.drawing_window(row.input_shape)
    return None if window is None else tuple(int(concrete(v)) for v in window)


def _concrete_dims(shape: Shape, analysis: Analysis) -> tuple[int, ...]:
    dims = tuple(concrete(d) for d in shape.dims)
    if all(isinstance(d, int) for d in dims):
        return dims
    raise SubstitutionError.with_remedy(
        "a drawing needs a size for every dim", Remedy(values=tuple(analysis.symbols), example=28)
    )


def stages(analysis: Analysis) -> list[Stage]:
    """The tensors to draw, in order, with their labels and the operations between them."""
    symbolic = analysis.input_formula is not None
    first = analysis.input_formula if symbolic and analysis.input_formula else analysis.input_shape
    result = [
        Stage(
            0,
            "input",
            _concrete_dims(analysis.input_shape, analysis),
            shape_label(first),
            texts=tuple(fmt(d) for d in first.dims),
        )
    ]
    folded: list[str] = []

    def close() -> None:
        if folded:
            last = result[-1]
            extra = "+ " + " + ".join(folded)
            result[-1] = replace(last, op=(*last.op, extra))
            folded.clear()

    for row in analysis.rows:
        if row.kind in FOLDED_KINDS and len(result) > 1:
            folded.append(op_name(row))
            continue
        close()
        if len(result) >= MAX_STAGES:
            raise DrawError(f"the network has more than {MAX_STAGES:,} tensors to draw")
        shown = row.formula if row.formula is not None else row.output_shape
        result.append(
            Stage(
                row.index,
                row.kind,
                _concrete_dims(row.output_shape, analysis),
                shape_label(shown),
                (op_name(row),),
                _window_of(row),
                tuple(fmt(d) for d in shown.dims),
                row.inputs if row.kind == "merge" else (),
            )
        )
    close()
    return result
