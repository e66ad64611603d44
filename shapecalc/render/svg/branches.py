"""Branches as branches: the paths of a ``res``, ``concat``, ``mul`` or ``split`` block drawn
side by side (lanes below the line; to its right when vertical), as the lenet and alexnet
styles draw them.

Each path is a *lane* that starts level with the tensor after the block's input: the first
path continues the line, every later one runs below the lanes before it (an identity
shortcut is an empty lane, a line). A later path's first tensor is joined to the block's
input by a line leaving the input's far side; every path's last tensor (the input, for an
empty path) is joined to the *merge symbol* (``+`` for res, ``‖`` for concat and split,
``×`` for mul), drawn in the gap before the merge's tensor, and an arrow goes from the symbol
to that tensor. So a projection shortcut (ResNet's strided 1×1 convolution) stands on its
own lane under the main path instead of after it. Each lane writes its operations under
its own tensors (beside them when vertical); the merge's operation stands over its symbol
(to its left when vertical).

Every joining line is a ``<g class="link" id="link-FROM-TO">`` whose first line starts on
the shape of FROM (a tensor's ``layer-N`` or a symbol's ``merge-N``) and whose last line ends
on the shape of TO, so that tests can check both ends.

The U of a U-Net (:func:`is_u`) is this layout with the skip on the upper lane: the encoder
steps down lane by lane, the decoder comes back up, the skips run across. Drawn
horizontally it is compact, a stair as the U-Net paper draws it: each level's first tensor
stands straight under the level's input (the line comes down past both and enters its far
side), each merge straight over the level's last tensor (whose line leaves its near side
and comes up into the symbol before both), and a lane's tensors keep only its operation
labels, in a row under the lane, :data:`LABEL_GAP` apart (not a whole label's width).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ...analysis import Analysis, Block
from ...symbolic import concrete
from .elements import FONT_SIZE, Box, Circle, Element, Group, Line, Polygon, Style, Text, text_width
from .fit import U_LEVELS
from .layout import LINE, Cell, DrawOptions, Placed, moved, moved_box, narrow, shape_box
from .model import Stage

#: Space between a lane's labels and the next lane, in px.
LANE_GAP = 18.0
#: Radius of a merge symbol, and the room on each side of it in its gap, in px.
RADIUS, AROUND = 8.0, 16.0
#: How far a line to a later lane runs past the tensor it leaves before it turns, in px.
STUB = 6.0
_LINK: Style = {"stroke": "#555555", "stroke-width": 1.0}
#: A compact U's least gap between two tensors of a lane, and between two of the
#: operation labels under it, in px.
U_GAP, LABEL_GAP = 8.0, 8.0


@dataclass
class Branch:
    """A block drawn with its paths in lanes: ``paths`` holds each path's nodes (cell
    positions or nested branches), in path order; ``merge`` is the merge's cell position."""

    block: int
    paths: list[list[Node]]
    merge: int | None
    symbol: str
    numbers: list[int] = field(default_factory=list)  # each lane's path number
    lanes: list[int] = field(default_factory=list)
    at: float = 0.0  # the symbol's place along the line


Node = int | Branch


def has_branches(stages: Sequence[Stage]) -> bool:
    """Whether any tensor lies on a path of a block (or merges one)."""
    return any(s.paths or s.symbol for s in stages)


def tree(stages: Sequence[Stage]) -> list[Node]:
    """The stages as a sequence of tensors and branches (see :class:`Branch`)."""
    at = 0

    def sequence(context: tuple[tuple[int, int], ...]) -> list[Node]:
        nonlocal at
        out: list[Node] = []
        while at < len(stages):
            chain = stages[at].paths
            if chain[: len(context)] != context:
                break
            if len(chain) == len(context):
                out.append(at)
                at += 1
            else:
                out.append(branch(context, chain[len(context)][0]))
        return out

    def branch(context: tuple[tuple[int, int], ...], block: int) -> Branch:
        nonlocal at
        paths: dict[int, list[Node]] = {}
        depth = len(context)
        while at < len(stages):
            chain = stages[at].paths
            if len(chain) <= depth or chain[:depth] != context or chain[depth][0] != block:
                break
            number = chain[depth][1]
            paths.setdefault(number, []).extend(sequence((*context, chain[depth])))
        merge = None
        if at < len(stages) and stages[at].paths == context and stages[at].symbol:
            merge = at
            at += 1
        merged = len(stages[merge].sources) if merge is not None else 0
        count = max(merged, max(paths, default=-1) + 1)
        symbol = stages[merge].symbol if merge is not None else ""
        numbers = list(range(count))
        return Branch(block, [paths.get(k, []) for k in numbers], merge, symbol, numbers)

    found = sequence(())
    while at < len(stages):  # a row cut inside a block (never made by fit): draw the rest
        found.append(at)
        at += 1
    return found


@dataclass(frozen=True)
class _Axes:
    """Along and across the line: (x, y) when horizontal, (y, x) when vertical."""

    vertical: bool

    def point(self, along: float, across: float) -> tuple[float, float]:
        return (across, along) if self.vertical else (along, across)

    def low(self, box: Box) -> float:
        return box[1] if self.vertical else box[0]

    def high(self, box: Box) -> float:
        return box[3] if self.vertical else box[2]

    def side_low(self, box: Box) -> float:
        return box[0] if self.vertical else box[1]

    def side_high(self, box: Box) -> float:
        return box[2] if self.vertical else box[3]

    def middle(self, box: Box) -> float:
        """The centre across the line."""
        return (self.side_low(box) + self.side_high(box)) / 2


@dataclass
class Lanes:
    """The cells placed in lanes, with what the joining lines need."""

    placed: Placed
    nodes: list[Node]
    lane: list[int]  # each cell's lane
    offsets: list[float]  # each lane's centre across the line
    # Where the line down from a cell to the level under it turns (a compact U's stair),
    # along the line, by cell position.
    turns: dict[int, float] = field(default_factory=dict)
    stairs: set[int] = field(default_factory=set)  # cells entered from their far side


def _whole(cell: Cell) -> Box:
    whole = Group(children=[cell.group, *([cell.extra] if cell.extra else [])])
    return whole.box() or (0.0, 0.0, 0.0, 0.0)


def arrange(
    cells: list[Cell],
    options: DrawOptions,
    spacing: float,
    lead: bool = False,
    u_shape: bool = False,
    beside: Callable[[Stage], float] | None = None,
) -> Lanes:
    """Place the cells in lanes (see the module's docstring); ``lead`` leaves room for the
    first cell's operation (a wrapped row); ``beside`` is how wide the label on a tensor's
    near side is (the alexnet style's H), for which the arrow from a merge symbol leaves
    room; ``u_shape`` puts the parameter-free path of
    each two-path block on the upper lane (the skip of a U-Net)."""
    axes = _Axes(options.direction == "vertical")
    if options.spacing is not None and not axes.vertical:
        cells = [
            replace(c, stage=replace(c.stage, op=narrow(c.stage.op, options.spacing - 16)))
            for c in cells
        ]
    stages = [c.stage for c in cells]
    nodes = tree(stages)
    if u_shape:
        _skips_first(nodes, stages)
    boxes = [_whole(c) for c in cells]
    shapes = [shape_box(c.group) or box for c, box in zip(cells, boxes)]
    along = [0.0] * len(cells)
    lane = [0] * len(cells)
    gaps: list[Box | None] = [None] * len(cells)
    lanes = 1

    def need(cell: Cell, gapped: bool) -> float:
        op = cell.stage.op if options.labels and gapped else ()
        if axes.vertical:
            room = len(op) * LINE + 12
        else:
            room = max((text_width(line) for line in op), default=0.0) + 16
        return max(spacing, room) if gapped else 0.0

    # A compact U (horizontal): the operation labels of a lane stand in a row under it,
    # clear of the lane's shapes, so a gap need only keep them apart from each other.
    compact = u_shape and not axes.vertical
    label_end: dict[int, float] = {}  # each lane's last operation label's right end
    turns: dict[int, float] = {}
    stairs: set[int] = set()

    def stair(node: Branch, before: int | None) -> bool:
        """A U's level (a skip and an inner path that begins with a tensor) whose inner
        path's first tensor goes straight under the level's input."""
        return (
            compact
            and before is not None
            and len(node.paths) == 2
            and _params_free(node.paths[0], stages)
            and bool(node.paths[1])
            and isinstance(node.paths[1][0], int)
        )

    def tight(cell: Cell, cursor: float, here: int, gapped: bool) -> float:
        """The least gap before ``cell`` that keeps its operation label (centred in the gap)
        :data:`LABEL_GAP` px right of the lane's last one (``cursor``: the gap's start)."""
        op = cell.stage.op if options.labels and gapped else ()
        if not op:
            return U_GAP
        half = max(text_width(line) for line in op) / 2
        least = 2 * (label_end.get(here, cursor - half) + LABEL_GAP + half - cursor)
        return mark(cell, cursor, max(U_GAP, least), here, gapped)

    def mark(cell: Cell, cursor: float, gap: float, here: int, gapped: bool) -> float:
        """Note where the label of ``cell``'s operation ends, in a gap of ``gap`` px."""
        if compact and options.labels and gapped and cell.stage.op:
            half = max(text_width(line) for line in cell.stage.op) / 2
            label_end[here] = cursor + gap / 2 + half
        return gap

    def put(position: int, cursor: float, gap: float, here: int) -> float:
        box = boxes[position]
        along[position] = cursor + gap - axes.low(box)
        lane[position] = here
        gaps[position] = (cursor, 0.0, cursor + gap, 0.0) if gap or position > 0 or lead else None
        return cursor + gap + axes.high(box) - axes.low(box)

    def centre(position: int) -> float:
        """The middle of a cell's shape along the line, in its own coordinates."""
        box = shapes[position]
        return (axes.low(box) + axes.high(box)) / 2

    def straight_under(under: int, node: int) -> float:
        """Where ``node`` goes to stand straight under the placed ``under``."""
        return along[under] + centre(under) - centre(node)

    def stair_turn(under: int, node: int) -> float:
        """Where the line from ``under`` down to ``node`` under it turns: past both."""
        high = straight_under(under, node) + axes.high(boxes[node])
        return max(along[under] + _far(cells[under], axes), high + STUB)

    def descend(node: Branch, last: int, skip_end: float, half: float) -> float:
        """A compact U's level coming back up: its merge straight over the inner path's
        last tensor, the symbol before both (the line from that tensor leaves its near
        side and comes up into the symbol); the tensor moves on if the symbol needs room.
        ``skip_end``: where the skip's lane ends; ``half``: half the merge label's width."""
        assert node.merge is not None
        merge, here = node.merge, node.lanes[0]
        mbox, lbox = boxes[merge], boxes[last]
        along[merge] = along[last] + centre(last) - centre(merge)
        clear = RADIUS + STUB + 2
        sx = min(
            along[last] + axes.low(lbox) - clear,
            along[merge] + axes.low(mbox) - max(clear, half + 4),
        )
        # The tensors before it in its lane (the line comes up past them) and the skip's.
        others = [
            along[p] + axes.high(boxes[p])
            for p in range(len(cells))
            if lane[p] == lane[last] and p != last and along[p] < along[last]
        ]
        shift = max(
            0.0,
            skip_end + max(RADIUS, half) + 4 - sx,
            *(high + RADIUS + 4 - sx for high in others),
        )
        if shift:
            along[last] += shift
            along[merge] += shift
            sx += shift
            g = gaps[last]
            if g is not None:
                gaps[last] = (g[0], 0.0, g[2] + shift, 0.0)
        node.at = sx
        lane[merge] = here
        gaps[merge] = (sx - RADIUS, 0.0, along[merge] + axes.low(mbox), 0.0)
        return max(along[merge] + axes.high(mbox), along[last] + axes.high(lbox))

    def place(
        nodes: list[Node],
        cursor: float,
        here: int,
        more: float = 0.0,
        fresh: bool = False,
        under: int | None = None,
    ) -> float:
        """Place ``nodes`` from ``cursor`` in lane ``here``; ``more`` widens the first gap
        (room for the lines that leave the tensor before it for later lanes); ``fresh``: the
        nodes begin a later lane, whose line comes down at the gap's start; ``under``: the
        cell the first of them goes straight under (a compact U's stair)."""
        nonlocal lanes
        first = True
        before: int | None = None  # the cell placed last in this lane
        for node in nodes:
            if isinstance(node, int) and fresh and first and under is not None:
                # Straight under the level's input, its operation's label under it; the
                # line from the input comes down past both and enters its far side.
                box = boxes[node]
                along[node] = straight_under(under, node)
                lane[node] = here
                middle = along[node] + centre(node)
                gaps[node] = (middle, 0.0, middle, 0.0)
                high = along[node] + axes.high(box)
                turn = turns[under] = stair_turn(under, node)
                stairs.add(node)
                mark(cells[node], middle, 0.0, here, True)
                cursor = max(cursor, high, turn)
                first = False
                before = node
                continue
            if isinstance(node, int):
                gapped = node > 0 or lead
                if compact and first and fresh:
                    # Only the line down from the block's input runs in this gap, at its
                    # start; the operation's label stands under the lane, below the line.
                    gap = mark(cells[node], cursor, 2 * STUB + U_GAP, here, gapped)
                elif compact and not first and not more:
                    gap = tight(cells[node], cursor, here, gapped)
                else:
                    gap = mark(cells[node], cursor, need(cells[node], gapped) + more, here, gapped)
                cursor = put(node, cursor, gap, here)
                first = False
                before = node
            else:
                start, ends = cursor, []
                node.lanes = []
                below = before if stair(node, before) else None
                for k, path in enumerate(node.paths):
                    own = here if k == 0 else lanes
                    if k > 0:
                        lanes += 1
                    node.lanes.append(own)
                    wider = 2 * STUB if len(node.paths) > 1 else 0.0
                    if k > 0 and below is not None:
                        ends.append(place(path, start, own, 0.0, True, below))
                        continue
                    if below is not None:
                        # The skip's lane begins past the line down to the level under it.
                        inner = node.paths[1][0]
                        assert isinstance(inner, int)
                        skip_start = max(start, stair_turn(below, inner))
                        ends.append(place(path, skip_start, own, max(more, wider)))
                        continue
                    ends.append(place(path, start, own, max(more, wider) if k == 0 else 0.0, k > 0))
                end = max(ends)
                if node.merge is None:
                    cursor = end
                    continue
                merge = cells[node.merge]
                op = merge.stage.op if options.labels else ()
                if axes.vertical:
                    # Over the symbol, on both sides of it: the label stands above it.
                    label = 2 * (len(op) * LINE + RADIUS + 4) + 2 * AROUND
                else:
                    label = max((text_width(line) for line in op), default=0.0) + 16
                room = beside(merge.stage) + 2 * STUB if beside and not axes.vertical else 0.0
                gap = max(spacing, 2 * (RADIUS + AROUND) + room, label)
                last = node.paths[-1][-1] if node.paths[-1] else None
                if below is not None and isinstance(last, int):
                    cursor = descend(node, last, ends[0], label / 2 - 8)
                else:
                    node.at = end + (gap - room) / 2
                    cursor = put(node.merge, end, gap, here)
                first = False
                before = node.merge
            more = 0.0
        return cursor

    place(nodes, 0.0, 0)
    # Each lane's extent across the line, about its centre; labels under (beside) it.
    top = [0.0] * lanes
    bottom = [0.0] * lanes
    labelled = [0.0] * lanes
    for position, box in enumerate(boxes):
        here = lane[position]
        top[here] = min(top[here], axes.side_low(box))
        bottom[here] = max(bottom[here], axes.side_high(box))
        stage = stages[position]
        if options.labels and stage.symbol and stage.op:
            # The merge's operation stands over (left of) its symbol.
            if axes.vertical:
                over = RADIUS + 6 + max(text_width(line) for line in stage.op)
            else:
                over = RADIUS + 6 + len(stage.op) * LINE
            top[here] = min(top[here], -over)
        if options.labels and gaps[position] is not None and not stage.symbol and stage.op:
            if axes.vertical:
                room = max(text_width(line) for line in stage.op) + 12
            else:
                room = FONT_SIZE + 10 + (len(stage.op) - 1) * LINE + 0.3 * FONT_SIZE
            labelled[here] = max(labelled[here], room)
    extent = [bottom[k] + labelled[k] for k in range(lanes)]
    offsets = [0.0] * lanes

    def settle(nodes: list[Node], here: int) -> float:
        below = offsets[here] + extent[here]
        for node in nodes:
            if isinstance(node, Branch):
                below = max(below, settle_branch(node))
        return below

    def settle_branch(node: Branch) -> float:
        below = settle(node.paths[0], node.lanes[0]) if node.paths else 0.0
        for path, own in zip(node.paths[1:], node.lanes[1:]):
            offsets[own] = below + LANE_GAP - top[own]
            below = max(below, settle(path, own))
        return below

    settle(nodes, 0)
    placed_cells = []
    for position, cell in enumerate(cells):
        dx, dy = axes.point(along[position], offsets[lane[position]])
        front = moved_box(cell.front, dx, dy) if cell.front else None
        extra = moved(cell.extra, dx, dy) if cell.extra else None
        placed_cells.append(Cell(cell.stage, moved(cell.group, dx, dy), front, extra))
    return Lanes(Placed(placed_cells, gaps), nodes, lane, offsets, turns, stairs)


def _branches(nodes: list[Node]) -> list[Branch]:
    """Every branch, outer before inner."""
    found: list[Branch] = []
    for node in nodes:
        if isinstance(node, Branch):
            found.append(node)
            for path in node.paths:
                found.extend(_branches(path))
    return found


def _params_free(path: list[Node], stages: Sequence[Stage]) -> bool:
    return all(isinstance(n, int) and stages[n].kind in ("reshape",) for n in path)


def _skips_first(nodes: list[Node], stages: Sequence[Stage]) -> None:
    """Put the skip (a path of crops or nothing) of each two-path branch first."""
    for node in _branches(nodes):
        if len(node.paths) == 2 and _params_free(node.paths[1], stages):
            if not _params_free(node.paths[0], stages):
                node.paths.reverse()
                node.numbers.reverse()


def _side(shape: Any) -> int | None:
    """The first spatial size of a shape, when it is a concrete 2D (or 3D) map."""
    dims = [concrete(d) for d in shape.dims]
    if len(dims) < 3 or not isinstance(dims[-3], int):
        return None
    return int(dims[-3])


def _level(analysis: Analysis, block: Block) -> Block | None:
    """The inner path of ``block`` when ``block`` is one level of a U, else None."""
    if block.kind != "concat":
        return None
    paths = [b for b in analysis.blocks if b.parent == block.index and b.kind == "path"]
    if len(paths) != 2:
        return None
    rows = analysis.rows

    def skip(path: Block) -> bool:
        inside = rows[path.first - 1 : path.last]
        return all(r.kind == "reshape" and r.params == 0 for r in inside)

    inner = [p for p in paths if not skip(p)]
    if len(inner) != 1:
        return None
    first, last = rows[inner[0].first - 1], rows[inner[0].last - 1]
    sizes = (_side(first.input_shape), _side(first.output_shape), _side(last.input_shape))
    end = _side(last.output_shape)
    if None in sizes or end is None:
        return None
    into, down, before = (int(v) for v in sizes if v is not None)
    return inner[0] if down < into and end > before else None


def is_u(analysis: Analysis) -> bool:
    """Whether the network is drawn as a U-Net's U.

    The rule: a chain of at least :data:`U_LEVELS` nested levels, where a level is a
    ``concat`` with two paths, one a skip (only parameter-free reshapes: ``identity``,
    ``crop``) and the other an inner path whose first layer shrinks the map (a pooling or a
    strided convolution) and whose last one grows it back (an up-convolution or upsampling),
    and the next level lies inside that inner path. The encoder then steps down lane by
    lane, the decoder comes back up and the skips run across. A U is never wrapped into
    rows: ``fit`` shrinks its shapes, folds its plain named blocks (``twice(64)``) and then
    its innermost levels, and pads the page to the ratio.
    """

    def chain(block: Block) -> int:
        inner = _level(analysis, block)
        if inner is None:
            return 0
        nested = [b for b in analysis.blocks if inner.first <= b.first and b.last <= inner.last]
        return 1 + max((chain(b) for b in nested if b.kind == "concat"), default=0)

    return any(chain(b) >= U_LEVELS for b in analysis.blocks if b.kind == "concat")


def _cell_of(cells: Sequence[Cell], row: int) -> int | None:
    """The cell that draws row ``row``'s tensor: the last drawn at or before it; None when
    it ends the row before (a wrapped row that begins with a block)."""
    return max((i for i, c in enumerate(cells) if c.stage.index <= row), default=None)


#: The id of where a wrapped row's connector comes down, for the lines that leave from it.
ENTRY = "entry"


def _far(cell: Cell, axes: _Axes) -> float:
    """Where a line to a later lane turns: past the tensor and its notes and kernel label."""
    parts: list[Box | None] = [
        c.box()
        for c in cell.group.children
        if not (isinstance(c, Text) and c.cls in ("shape-label", "op-label"))
        and not isinstance(c, Group)
        and str(getattr(c, "style", {}).get("class", "")) not in ("kernel", "projection", "arrow")
    ]
    parts.append(cell.extra.box() if cell.extra is not None else None)
    found = [axes.high(b) for b in parts if b is not None]
    box = shape_box(cell.group)
    return max([*found, axes.high(box) if box else 0.0]) + STUB


def _near(cell: Cell) -> float:
    """The left edge of a tensor with its labels (but its operation's)."""
    parts = [
        c.box()
        for c in cell.group.children
        if not isinstance(c, Group) and not (isinstance(c, Text) and c.cls == "op-label")
    ]
    return min(b[0] for b in parts if b is not None)


def _link(ident: str, points: list[tuple[float, float]], head: bool = False) -> Group:
    lines: list[Element] = [
        Line(x1, y1, x2, y2, {"class": "link", **_LINK})
        for (x1, y1), (x2, y2) in zip(points, points[1:])
        if (x1, y1) != (x2, y2)
    ]
    if head and len(points) >= 2:
        (x1, y1), (x2, y2) = points[-2], points[-1]
        dx, dy = x2 - x1, y2 - y1
        size = (dx * dx + dy * dy) ** 0.5 or 1.0
        ux, uy = dx / size, dy / size
        base = (x2 - 7 * ux, y2 - 7 * uy)
        wing = (-uy * 4, ux * 4)
        lines.append(
            Polygon(
                (
                    (x2, y2),
                    (base[0] + wing[0], base[1] + wing[1]),
                    (base[0] - wing[0], base[1] - wing[1]),
                ),
                {"class": "link-head", "fill": "#555555"},
            )
        )
    return Group({"class": "link", "id": ident}, lines)


def _symbol(x: float, y: float, symbol: str, ident: str) -> Group:
    """The merge's sign in a circle: drawn with lines, so no font can change it."""
    r = RADIUS * 0.5
    style: Style = {"class": "merge-sign", "stroke": "#333333", "stroke-width": 1.4}
    if symbol == "+":
        strokes = [(x - r, y, x + r, y), (x, y - r, x, y + r)]
    elif symbol == "×":
        d = r * 0.75
        strokes = [(x - d, y - d, x + d, y + d), (x - d, y + d, x + d, y - d)]
    else:  # ‖
        strokes = [(x - 2, y - r, x - 2, y + r), (x + 2, y - r, x + 2, y + r)]
    circle = Circle(
        x,
        y,
        RADIUS,
        {"class": "merge", "fill": "#ffffff", "stroke": "#333333", "stroke-width": 1.0},
    )
    return Group(
        {"class": "merge", "id": ident}, [circle, *(Line(*s, dict(style)) for s in strokes)]
    )


def _entry(box: Box, axes: _Axes, inset: float | None) -> tuple[float, float]:
    """Where a line from another lane enters (leaves) a tensor: its left side, level with
    its middle, or ``inset`` px from its bottom (clear of the alexnet style's edge label
    at the middle of that side)."""
    if axes.vertical:
        along = (box[1] + box[3]) / 2 if inset is None else box[3] - inset
        return (box[0], along)
    across = (box[1] + box[3]) / 2 if inset is None else box[3] - inset
    return (box[0], across)


def connect(
    lanes: Lanes,
    options: DrawOptions,
    inset: float | None = None,
    beside: Callable[[Stage], float] | None = None,
) -> None:
    """The lines that join the lanes: from a block's input to each later path, from each
    path's end to the merge symbol, and from the symbol to the merge's tensor. A line
    enters (and, vertical, leaves) a tensor of another lane by its side, level with its
    middle or ``inset`` px from its end (clear of the alexnet style's edge labels), and
    passes left of the label ``beside`` measures."""
    axes = _Axes(options.direction == "vertical")
    vertical = axes.vertical
    cells = lanes.placed.cells

    def leave(position: int, box: Box) -> list[tuple[float, float]]:
        """Out of the tensor at ``position`` towards a later lane: past its labels (and past
        the tensor straight under it, in a compact U) to the right; vertical: out of its
        right side, high enough to miss its kernel's label."""
        if vertical:
            along = box[1] + (0.2 if inset is not None else 0.5) * (box[3] - box[1])
            return [(box[2], along)]
        turn = max(_far(cells[position], axes), lanes.turns.get(position, float("-inf")))
        middle = (box[1] + box[3]) / 2
        return [(box[2], middle), (turn, middle)]

    # A wrapped row that begins with a block: its input ends the row before, and the lines
    # leave from where the connector comes down (the row's start, level with lane 0).
    entry = [axes.point(0.0, lanes.offsets[0])]

    def origin(row: int) -> tuple[str, list[tuple[float, float]], Box | None]:
        found = _cell_of(cells, row)
        if found is None:
            return ENTRY, entry, None
        source = cells[found]
        box = shape_box(source.group)
        return str(source.group.attrs["id"]), leave(found, box) if box else [], box

    for position, cell in enumerate(cells):
        if not cell.stage.branches:
            continue
        name, out, a = origin(min(cell.stage.sources))
        b = shape_box(cell.group)
        if not out or b is None:
            continue
        into = _entry(b, axes, inset)
        if position in lanes.stairs:
            # Straight under the input: down past it and back into the far side (high on
            # a box, clear of the kernel's label under its far side).
            far = (b[1] + b[3]) / 2 if inset is None else b[1] + 0.4 * (b[3] - b[1])
            points = [*out, (out[-1][0], far), (b[2], far)]
        elif vertical:
            # Down the near side of the lane, left of the tensor's side label if it has one.
            side = b[0] - (beside(cell.stage) + STUB if beside else LANE_GAP / 2)
            points = [*out, (side, out[-1][1]), (side, into[1]), into]
        else:
            points = [*out, (out[-1][0], into[1]), into]
        cell.group.add(_link(f"link-{name}-{cell.group.attrs['id']}", points))
    for node in _branches(lanes.nodes):
        if node.merge is None:
            continue
        merge = cells[node.merge]
        into_box = shape_box(merge.group)
        if into_box is None:
            continue
        centre = lanes.offsets[node.lanes[0]]
        sx, sy = axes.point(node.at, centre)
        sign = f"merge-{merge.stage.index}"
        parts: list[Element] = [_symbol(sx, sy, node.symbol, sign)]
        # The symbol's near side (its left; top when vertical) and its side towards lanes.
        near = axes.point(node.at - RADIUS, centre)
        flank = axes.point(node.at, centre + RADIUS)
        for k, row in enumerate(merge.stage.sources):
            name, out, a = origin(row)
            own = node.lanes[node.numbers.index(k)] if k in node.numbers else node.lanes[-1]
            lane_at = lanes.offsets[own]
            if a is None:  # the block's input ends the row before
                a = (*entry[0], *entry[0])
            on_lane = name != ENTRY and abs(axes.middle(a) - lane_at) < 0.5
            if on_lane and not vertical and sx < a[0]:
                # A compact U's merge over the path's end: out of its near side (under the
                # alexnet style's edge label there), back to the symbol and up into it.
                y = (a[1] + a[3]) / 2 if inset is None else a[3] - inset
                points = [(a[0], y), (sx, y), flank]
            elif on_lane and own == node.lanes[0] and not vertical:
                points = [axes.point(axes.high(a), axes.middle(a)), near]
            elif on_lane and vertical:
                # Out of its right side (nothing of its lane comes after it, and the label
                # under it stays clear), down, and into the symbol's right.
                start = (a[2], (a[1] + a[3]) / 2)
                side = a[2] + 2 * STUB
                points = [start, (side, start[1]), (side, sy), flank]
            elif on_lane:
                start = (a[2], (a[1] + a[3]) / 2)
                points = [start, (sx, start[1]), flank]
            else:
                # An empty path: from the block's input to its own lane, then along it.
                if vertical:
                    points = [*out, (lane_at, out[-1][1])]
                else:
                    points = [*out, (out[-1][0], lane_at)]
                if own == node.lanes[0]:
                    points.append(near)
                else:
                    points += [axes.point(node.at, lane_at), flank]
            parts.append(_link(f"link-{name}-{sign}", points))
        arrow = [
            axes.point(node.at + RADIUS, centre),
            axes.point(axes.low(into_box), axes.middle(into_box)),
        ]
        if inset is not None and not vertical:
            # Into the side below its edge label (the label stands at the side's middle).
            turn, low = sx + RADIUS + STUB, into_box[3] - inset
            arrow = [(sx + RADIUS, sy), (turn, sy), (turn, low), (into_box[0], low)]
        elif vertical:
            # Out of the symbol's left, down past everything on the tensor's left (its
            # labels above and beside it) and into its left side.
            side = _near(merge) - STUB
            enter = _entry(into_box, axes, inset)
            arrow = [(sx - RADIUS, sy), (side, sy), (side, enter[1]), enter]
        parts.append(_link(f"link-{sign}-{merge.group.attrs['id']}", arrow, head=True))
        if options.labels:
            for k, line in enumerate(merge.stage.op):
                if vertical:  # above the arrow that leaves the symbol's left
                    y = sy - RADIUS - 4 - (len(merge.stage.op) - 1 - k) * LINE - 0.3 * FONT_SIZE
                    text = Text(sx - RADIUS - 2, y, line, anchor="end", cls="op-label")
                else:
                    y = sy - RADIUS - 6 - (len(merge.stage.op) - 1 - k) * LINE - 0.3 * FONT_SIZE
                    text = Text(sx, y, line, cls="op-label")
                parts.append(text)
        merge.group.add(*parts)


def op_labels(lanes: Lanes, options: DrawOptions) -> None:
    """Each operation in the gap before its tensor, under (beside) the tensor's lane."""
    if not options.labels:
        return
    axes = _Axes(options.direction == "vertical")
    cells = lanes.placed.cells
    edge: dict[int, float] = {}
    for cell, here in zip(cells, lanes.lane):
        box = shape_box(cell.group)
        parts: list[Box | None] = [
            c.box()
            for c in cell.group.children
            if not isinstance(c, Group) and not (isinstance(c, Text) and c.cls == "op-label")
        ]
        parts.append(cell.extra.box() if cell.extra is not None else None)
        found = [axes.side_high(b) for b in [*parts, box] if b is not None]
        if found:
            edge[here] = max(edge.get(here, found[0]), *found)
    for cell, here, gap in zip(cells, lanes.lane, lanes.placed.gaps):
        if gap is None or cell.stage.symbol:
            continue
        middle = (gap[0] + gap[2]) / 2
        if axes.vertical:
            x = edge[here] + 12
            top = middle - len(cell.stage.op) * LINE / 2 + FONT_SIZE
            for k, line in enumerate(cell.stage.op):
                cell.group.add(Text(x, top + k * LINE, line, anchor="start", cls="op-label"))
        else:
            y = edge[here] + FONT_SIZE + 10
            for k, line in enumerate(cell.stage.op):
                cell.group.add(Text(middle, y + k * LINE, line, cls="op-label"))


__all__ = [
    "Branch",
    "Lanes",
    "arrange",
    "connect",
    "has_branches",
    "is_u",
    "op_labels",
    "tree",
]
