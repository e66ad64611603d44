"""What a drawing shows: the analysis reduced to the tensors worth drawing, with their labels.

A *stage* is one tensor in the drawing: the input, or the output of a layer that changes
what the tensor means (convolution, pooling, dense, reshape). Activations, dropout and
normalisation keep the shape, so they are folded into the operation that precedes them
(``Conv 3×3 s1 same`` / ``+ ReLU``) instead of repeating an identical stack of maps.

With a ``depth``, a block nested at that depth is one stage of kind ``block``: its output
tensor, named by the block's label; blocks of the same label in a row make one stage,
``basic(64) ×2``, as the spec writes ``basic(64)x2``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ...analysis import Analysis, Block, Row
from ...errors import DrawError, Remedy, SubstitutionError
from ...shape import Shape
from ...symbolic import concrete, fmt

#: Layer kinds that keep the tensor and are written under the operation before them.
FOLDED_KINDS = frozenset({"activation", "dropout", "norm"})
#: Block kinds whose paths a drawing lays side by side, and the sign of their merge.
MERGE_SYMBOLS = {"res": "+", "concat": "‖", "split": "‖", "mul": "×"}
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
        sources: for the merge of a res or concat block, the rows whose outputs it merges;
            for the first layer of a later path (a projection shortcut, a second branch), the
            row it takes in, which is not the tensor drawn before it. Empty otherwise.
        paths: the branch blocks (res, concat, mul, split) drawn open around this tensor,
            outermost first, each as (block index, path number); a merge stands in the
            context of its block, so it has its block's enclosing paths only.
        symbol: the sign of a merge: ``+`` (res), ``‖`` (concat, split) or ``×`` (mul).
        spreads: the window belongs on this tensor, each input pixel spreading to it (a
            transposed convolution), not on the tensor before.
    """

    index: int
    kind: str
    dims: tuple[int, ...]
    label: str
    op: tuple[str, ...] = ()
    window: tuple[int, ...] | None = None
    texts: tuple[str, ...] = ()
    sources: tuple[int, ...] = ()
    paths: tuple[tuple[int, int], ...] = ()
    symbol: str = ""
    spreads: bool = False

    @property
    def branches(self) -> bool:
        """The first layer of a later path: its input is not the tensor drawn before it
        (so no kernel or arrow joins the two; a bracket brings its input)."""
        return bool(self.sources) and self.kind != "merge"

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


def _plain_blocks(analysis: Analysis) -> set[int]:
    """The named blocks that hold no branch (a U-Net's ``twice(64)``)."""
    branchy: set[int] = set()
    for block in analysis.blocks:
        if block.kind in MERGE_SYMBOLS:
            parent = block.parent
            while parent is not None:
                branchy.add(parent)
                parent = analysis.blocks[parent - 1].parent
    return {
        b.index
        for b in analysis.blocks
        if b.kind == "block" and b.index not in branchy and b.last > b.first
    }


def _folding(
    analysis: Analysis, row: Row, depth: int | None, plain: set[int] | None = None
) -> Block | None:
    """The block at ``depth`` that stands for ``row`` (the outermost of ``plain`` when
    given), or None when the row is drawn."""
    if (depth is None or row.depth <= depth) and plain is not None and row.block is not None:
        found = None
        index: int | None = row.block
        while index is not None:
            if index in plain:
                found = analysis.blocks[index - 1]
            index = analysis.blocks[index - 1].parent
        return found
    if depth is None or row.depth <= depth or row.block is None:
        return None
    block = analysis.blocks[row.block - 1]
    while block.depth > depth and block.parent is not None:
        block = analysis.blocks[block.parent - 1]
    return block


def _sources(row: Row, previous: Stage) -> tuple[int, ...]:
    """What a stage records of its inputs (see :attr:`Stage.sources`)."""
    if row.kind == "merge":
        return row.inputs
    # A row's input belongs to the last stage drawn at or before it: the one just drawn
    # unless the row starts a later path of a block.
    return row.inputs if any(s < previous.index for s in row.inputs) else ()


def _sources_of_block(analysis: Analysis, block: Block, previous: Stage) -> tuple[int, ...]:
    """A folded block's input when it is not the tensor drawn before it (a folded path
    after the first)."""
    first = analysis.rows[block.first - 1]
    return first.inputs if any(s < previous.index for s in first.inputs) else ()


def _title(analysis: Analysis, block: Block) -> str:
    """A folded block's name: a ``res`` or ``concat`` that begins a named block is called by
    that name (``bottle(64, 256)``, not ``res``)."""
    while block.kind in ("res", "concat") and block.parent is not None:
        parent = analysis.blocks[block.parent - 1]
        if parent.first != block.first:
            break
        if parent.kind == "block":
            return parent.label
        block = parent
    return block.label


def _repeat(op: str) -> tuple[str, int]:
    """``basic(64) ×3`` -> (``basic(64)``, 3); a name without a count is once."""
    name, sep, count = op.rpartition(" ×")
    return (name, int(count)) if sep and count.isdigit() else (op, 1)


def _path_numbers(analysis: Analysis) -> dict[int, int]:
    """Each path block's number among its branch's paths (0 for the first)."""
    numbers: dict[int, int] = {}
    count: dict[int, int] = {}
    for block in analysis.blocks:
        if block.kind == "path" and block.parent is not None:
            numbers[block.index] = count.get(block.parent, 0)
            count[block.parent] = numbers[block.index] + 1
    return numbers


def _enclosing(
    analysis: Analysis, numbers: dict[int, int], start: int | None, node: int | None
) -> tuple[tuple[int, int], ...]:
    """The (branch, path) pairs around a position, outermost first: ``node`` is the block
    drawn as one unit there (None for a row) and ``start`` the block it lies in."""
    found: list[tuple[int, int]] = []
    child, container = node, start
    while container is not None:
        block = analysis.blocks[container - 1]
        if block.kind in MERGE_SYMBOLS:
            found.append((container, numbers.get(child, 0) if child is not None else 0))
        child, container = container, block.parent
    return tuple(reversed(found))


def _is_identity(row: Row) -> bool:
    """An ``identity`` layer inside a path: drawn as the line it is, not as a copy of the
    tensor before it."""
    return row.layer.keyword == "identity" and row.depth > 0


def _drawn_source(analysis: Analysis, source: int) -> int:
    """The row whose tensor stands for ``source``: an identity's input, as it is drawn."""
    while source > 0 and _is_identity(analysis.rows[source - 1]):
        source = analysis.rows[source - 1].inputs[0]
    return source


def _lane_starts(drawn: list[Stage], analysis: Analysis) -> list[Stage]:
    """The first tensor of a later path takes in the block's input, which is not the tensor
    drawn before it even when an identity path between them is not drawn."""
    out = [drawn[0]]
    for stage in drawn[1:]:
        new = set(stage.paths) - set(out[-1].paths)
        later = any(p > 0 for _, p in new)
        if stage.kind not in ("merge", "block") and not stage.sources and later:
            row = analysis.rows[stage.index - 1]
            stage = replace(stage, sources=tuple(_drawn_source(analysis, s) for s in row.inputs))
        out.append(stage)
    return out


def stages(
    analysis: Analysis, depth: int | None = None, identity: bool = True, plain: bool = False
) -> list[Stage]:
    """The tensors to draw, in order, with their labels and the operations between them;
    blocks nested at ``depth`` drawn as one tensor each (None draws every layer).
    ``identity=False`` leaves out the identity layers of paths (the styles that draw paths
    side by side draw such a path as a line); ``plain`` folds every named block that holds
    no branch instead (``twice(64)``), keeping every branch."""
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

    unit: Block | None = None  # the folded block whose rows are being passed over
    numbers = _path_numbers(analysis)
    plains = _plain_blocks(analysis) if plain else None
    for row in analysis.rows:
        block = _folding(analysis, row, depth, plains)
        if block is not None:
            if block is unit:
                continue
            close()
            unit = block
            last = result[-1]
            name, times = _repeat(last.op[0]) if last.kind == "block" and last.op else ("", 0)
            # The same block again, right after itself: one stage, counted.
            title = _title(analysis, block)
            same = name == title and len(last.op) == 1
            count = times + 1 if same else 1
            op = f"{title} ×{count}" if count > 1 else title
            end = analysis.rows[block.last - 1]
            shown = end.formula if end.formula is not None else block.output_shape
            stage = Stage(
                block.last,
                "block",
                _concrete_dims(block.output_shape, analysis),
                shape_label(shown),
                (op,),
                None,
                tuple(fmt(d) for d in shown.dims),
                _sources_of_block(analysis, block, result[-1]),
                _enclosing(analysis, numbers, block.parent, block.index),
            )
            if same:
                result[-1] = stage
            else:
                if len(result) >= MAX_STAGES:
                    raise DrawError(f"the network has more than {MAX_STAGES:,} tensors to draw")
                result.append(stage)
            continue
        unit = None
        if row.kind in FOLDED_KINDS and len(result) > 1:
            folded.append(op_name(row))
            continue
        if not identity and _is_identity(row):
            continue
        close()
        if len(result) >= MAX_STAGES:
            raise DrawError(f"the network has more than {MAX_STAGES:,} tensors to draw")
        shown = row.formula if row.formula is not None else row.output_shape
        own = analysis.blocks[row.block - 1] if row.block is not None else None
        closes = own is not None and row.kind == "merge" and own.last == row.index
        where = (
            _enclosing(analysis, numbers, own.parent, own.index)
            if closes and own is not None
            else _enclosing(analysis, numbers, row.block, None)
        )
        result.append(
            Stage(
                row.index,
                row.kind,
                _concrete_dims(row.output_shape, analysis),
                shape_label(shown),
                (op_name(row),),
                _window_of(row),
                tuple(fmt(d) for d in shown.dims),
                tuple(_drawn_source(analysis, s) for s in _sources(row, result[-1])),
                where,
                MERGE_SYMBOLS.get(own.kind, "") if closes and own is not None else "",
                row.layer.drawing_spreads,
            )
        )
    close()
    return result if identity else _lane_starts(result, analysis)
