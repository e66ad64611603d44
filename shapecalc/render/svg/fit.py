"""Drawings that fit a page: a long network wrapped onto rows, its shapes shrunk and its
blocks folded until the drawing has the asked aspect ratio with labels one can read.

The rule for readable: the drawing is at most :data:`READABLE` label heights tall
(12 px labels, so 720 px for a 16:9 drawing 1280 px wide), which keeps a label at 1/60 of
the height of the slide or page the drawing is shown on, 18 px on a 1080p screen. The
search tries, in order of detail: every layer, then blocks folded from the deepest level
up (never into a bare path of a block); at each, shapes at full size down to
:data:`ZOOMS`\\ [-1]; at each, every number of rows. It takes the first that is readable,
with the number of rows that wastes the least of the page, and pads the viewBox to the
exact ratio. A network that is readable nowhere gets the smallest drawing found.

Rows read left to right, top to bottom (columns top to bottom, left to right when
vertical). A row breaks only between blocks, never inside a ``res`` or ``concat``, so
every skip bracket stays in its row; a connector leaves the end of one row and arrives with
an arrow head at the first tensor of the next, whose operation is written in the gap
before it as everywhere else. In the styles that draw paths in lanes
(:mod:`~shapecalc.render.svg.branches`) a row breaks before a tensor outside every block,
or (horizontal) before a block whose input ends the row before: its paths then leave from
where the connector comes down. A U-Net's U is never wrapped: it shrinks, folds its plain
named blocks and then its innermost levels while :data:`U_LEVELS` are left, and is padded
to the ratio (the smallest such drawing when none is readable).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ...analysis import Analysis
from .elements import FONT_SIZE, MARGIN, Box, Element, Group, Line, Polygon, Style, Text
from .layout import LINE, DrawOptions, Frame, finish, moved, narrow, shape_box
from .model import Stage, stages

#: Nested levels that make a U-Net's U (see :func:`~shapecalc.render.svg.branches.is_u`).
U_LEVELS = 2

#: A readable drawing is at most this many label heights tall.
READABLE = 60
#: The ratio fitted by default to a network whose one line is longer than AUTO_LIMIT : 1.
SLIDE = 16 / 9
AUTO_LIMIT = 6.0
#: Sizes of the shapes tried, largest first.
ZOOMS = (1.0, 0.8, 0.64, 0.5, 0.4, 0.32)
#: Space between rows (columns), in px: room for the connector's run between them.
ROW_GAP = 34.0
#: Room the legend and the title take beside the body, in px (for the estimates).
LEGEND, TITLE = 34.0, 30.0
#: Width operation labels are wrapped to when fitting, in px (a longer word stays whole).
NARROW = 64.0
#: Most rows tried.
MAX_ROWS = 40

#: ``line(stages, options, frame, lead, first, count)``: one style's drawing of one row.
LineDrawer = Callable[[list[Stage], DrawOptions, Frame, bool, int, int], list[Group]]


@dataclass(frozen=True)
class Layout:
    """A drawing's body, the stages it shows and the ratio its page should have."""

    body: list[Element]
    stages: list[Stage]
    ratio: float | None


def breaks(drawn: Sequence[Stage]) -> list[int]:
    """Where a row may end: before stage ``j`` when no skip bracket crosses from before
    ``j - 1`` to ``j`` or later, so that a res or concat block stays on one row (a bracket
    from ``j - 1`` itself leaves from where the connector arrives)."""
    positions = [s.index for s in drawn]
    lowest: list[float] = []
    for at, stage in enumerate(drawn):
        froms = {
            max((i for i, p in enumerate(positions) if p <= s), default=-1) for s in stage.sources
        } - {at - 1, at}
        lowest.append(min(froms, default=float("inf")))
    allowed = []
    floor = float("inf")
    for j in range(len(drawn) - 1, 0, -1):
        floor = min(floor, lowest[j])
        if floor >= j - 1:
            allowed.append(j)
    return sorted(allowed)


def lane_breaks(drawn: Sequence[Stage], vertical: bool = False) -> list[int]:
    """Where a row may end when paths are drawn in lanes: before a tensor outside every
    block (not a merge), so that a block and its merge stay on one row; when horizontal,
    also before a block whose input ends the row before (its paths then leave from where
    the connector from that row comes down)."""
    return [
        j
        for j in range(1, len(drawn))
        if (not drawn[j].paths and not drawn[j].symbol)
        or (not vertical and drawn[j].paths and not drawn[j - 1].paths)
    ]


def depths(analysis: Analysis) -> list[int | None]:
    """The fold depths to try, most detail first: None (every layer), then each depth
    whose blocks are whole blocks, not a path of one, from the deepest up."""
    deepest = max((row.depth for row in analysis.rows), default=0)
    paths = {block.depth for block in analysis.blocks if block.kind == "path"}
    return [None, *(d for d in range(deepest - 1, -1, -1) if d not in paths)]


def _split(ends: list[float], allowed: list[int], rows: int) -> list[int]:
    """Row starts (after 0) that cut the line, whose cells end at ``ends``, into ``rows``
    rows of about equal length, at allowed places."""
    total = ends[-1]
    starts: list[int] = []
    for k in range(1, rows):
        target = total * k / rows
        later = [j for j in allowed if not starts or j > starts[-1]]
        if not later:
            break
        starts.append(min(later, key=lambda j: abs(ends[j - 1] - target)))
    return sorted(set(starts))


def _segments(count: int, starts: list[int]) -> list[tuple[int, int]]:
    edges = [0, *starts, count]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]


def _across(group: Group, vertical: bool) -> tuple[float, float]:
    """The extent of a tensor across the line, without its operation's label."""
    found = [c.box() for c in group.children if not (isinstance(c, Text) and c.cls == "op-label")]
    boxes = [b for b in found if b is not None]
    axis = 0 if vertical else 1
    return (min(b[axis] for b in boxes), max(b[axis + 2] for b in boxes))


def _op_room(drawn: Sequence[Stage], vertical: bool) -> float:
    """The room operation labels take beside (below) a line."""
    from .elements import text_width

    ops = [s.op for s in drawn[1:]]
    if not ops:
        return 0.0
    if vertical:
        return 12 + max((text_width(line) for op in ops for line in op), default=0.0)
    return FONT_SIZE + 10 + (max(len(op) for op in ops) - 1) * LINE + 0.3 * FONT_SIZE


def _estimate(
    groups: list[Group],
    drawn: Sequence[Stage],
    segments: list[tuple[int, int]],
    options: DrawOptions,
) -> tuple[float, float]:
    """Width and height of the body (with legend and title) drawn in these rows."""
    vertical = options.direction == "vertical"
    axis = 1 if vertical else 0
    boxes = [g.box() or (0.0, 0.0, 0.0, 0.0) for g in groups]
    ends = [b[axis + 2] for b in boxes]
    along = 0.0
    across = 0.0
    for a, b in segments:
        start = ends[a - 1] if a > 0 else boxes[0][axis]
        along = max(along, ends[b - 1] - start)
        extents = [_across(g, vertical) for g in groups[a:b]]
        across += max(e[1] for e in extents) - min(e[0] for e in extents)
        across += _op_room(drawn[a:b], vertical) if options.labels else 0.0
    across += ROW_GAP * (len(segments) - 1)
    extra = (LEGEND if options.legend else 0.0) + (TITLE if options.title else 0.0)
    return (across, along + extra) if vertical else (along, across + extra)


def padded_height(width: float, height: float, ratio: float) -> float:
    """The height of the page of ``ratio`` that holds a drawing this big (and the margin
    :func:`~shapecalc.render.svg.elements.document` leaves around it)."""
    return max(height + 2 * MARGIN, (width + 2 * MARGIN) / ratio)


def _arrowhead(x: float, y: float) -> Polygon:
    """An arrow head pointing right with its tip at (x, y)."""
    points = ((x, y), (x - 7, y - 4), (x - 7, y + 4))
    return Polygon(points, {"class": "wrap-head", "fill": "#333333"})


def _connector(
    last: Group, first: Group, end: Box, entry: float, vertical: bool, run: float
) -> Group:
    """The connector from ``last`` (the end of a row, whose row ends at ``end``) to
    ``first`` (the start of the next row, whose operation's gap begins at ``entry``),
    through the band at ``run`` between them."""
    a, b = shape_box(last), shape_box(first)
    assert a is not None and b is not None
    style: Style = {"class": "wrap", "stroke": "#333333", "stroke-width": 1.2}
    ya, yb = (a[1] + a[3]) / 2, (b[1] + b[3]) / 2
    if vertical:
        # Right out of the last tensor, along the space between the columns, into the first.
        points = [(a[2], ya), (run, ya), (run, yb), (b[0] - 7, yb)]
    else:
        # Right out of the last tensor, down, back along the space between the rows, and
        # down into the first tensor from its left.
        beyond = max(end[2], a[2]) + 12
        points = [
            (a[2], ya),
            (beyond, ya),
            (beyond, run),
            (entry, run),
            (entry, yb),
            (b[0] - 7, yb),
        ]
    head = _arrowhead(b[0], yb)
    lines = [Line(x1, y1, x2, y2, dict(style)) for (x1, y1), (x2, y2) in zip(points, points[1:])]
    return Group(
        {"class": "wrap", "id": f"wrap-{last.attrs['id']}-{first.attrs['id']}"},
        [*lines, head],
    )


def compose(rows: list[list[Group]], options: DrawOptions) -> list[Element]:
    """Rows (columns) of tensor groups stacked in reading order, with a connector from
    each row's last tensor to the next row's first."""
    vertical = options.direction == "vertical"
    body: list[Element] = []
    cursor = 0.0
    previous: tuple[list[Group], Box] | None = None
    for row in rows:
        box = Group(children=list(row)).box() or (0.0, 0.0, 0.0, 0.0)
        # Room on the near side for the connector's arrival; it comes down (horizontal) at
        # the start of the row's first gap, x = 0 in the row's own coordinates.
        if vertical:
            dx, dy = cursor + (12.0 if previous else 0.0) - box[0], -box[1]
        else:
            dx, dy = (12.0 - min(box[0], 0.0) if previous else -box[0]), cursor - box[1]
        placed = [moved(g, dx, dy) for g in row]
        here = Group(children=list(placed)).box() or (0.0, 0.0, 0.0, 0.0)
        if previous is not None:
            before, end = previous
            run = (end[2] + here[0]) / 2 if vertical else (end[3] + here[1]) / 2
            body.append(_connector(before[-1], placed[0], end, dx, vertical, run))
        body.extend(placed)
        cursor = (here[2] if vertical else here[3]) + ROW_GAP
        previous = (placed, here)
    return body


def draw_rows(
    drawn: list[Stage],
    segments: list[tuple[int, int]],
    options: DrawOptions,
    frame: Frame,
    line: LineDrawer,
) -> list[Element]:
    """The stages drawn in these rows, composed."""
    rows = [line(drawn[a:b], options, frame, a > 0, a, len(drawn)) for a, b in segments]
    return compose(rows, options)


@dataclass(frozen=True)
class _Candidate:
    drawn: list[Stage]
    frame: Frame
    segments: list[tuple[int, int]]
    estimate: float


def _best_rows(
    drawn: list[Stage],
    frame: Frame,
    options: DrawOptions,
    ratio: float,
    line: LineDrawer,
    shape: str = "",
) -> _Candidate:
    """The number of rows that needs the smallest page for these stages at this zoom
    (``shape``: ``lanes`` when paths are drawn side by side, ``u`` for a U-Net's U, which
    is never wrapped)."""
    groups = line(drawn, options, frame, False, 0, len(drawn))
    axis = 1 if options.direction == "vertical" else 0
    ends = [(g.box() or (0.0, 0.0, 0.0, 0.0))[axis + 2] for g in groups]
    origin = (groups[0].box() or (0.0, 0.0, 0.0, 0.0))[axis]
    ends = [e - origin for e in ends]
    vertical = options.direction == "vertical"
    allowed = (
        breaks(drawn) if not shape else lane_breaks(drawn, vertical) if shape == "lanes" else []
    )
    best: _Candidate | None = None
    seen: set[tuple[int, ...]] = set()
    for rows in range(1, min(MAX_ROWS, len(allowed) + 1) + 1):
        starts = _split(ends, allowed, rows)
        if tuple(starts) in seen:
            continue
        seen.add(tuple(starts))
        segments = _segments(len(drawn), starts)
        width, height = _estimate(groups, drawn, segments, options)
        page = padded_height(width, height, ratio)
        if best is None or page < best.estimate:
            best = _Candidate(drawn, frame, segments, page)
    assert best is not None
    return best


def _size(body: list[Element], drawn: list[Stage], options: DrawOptions) -> tuple[float, float]:
    """Width and height of the finished drawing (title and legend included)."""
    box = finish(body, drawn, options).box() or (0.0, 0.0, 1.0, 1.0)
    return (box[2] - box[0], box[3] - box[1])


def layout(analysis: Analysis, options: DrawOptions, line: LineDrawer, shape: str = "") -> Layout:
    """The drawing's body: one line, or the rows that fit ``options``' ratio (see the
    module's docstring for the rule and the search). ``shape`` is ``lanes`` for the styles
    that draw paths side by side (identity paths are lines, rows break between blocks
    only), ``u`` for a U-Net drawn as a U (never wrapped; its plain named blocks fold
    before its levels do), empty for the others."""
    ratio = options.ratio
    identity = not shape
    if ratio is None:
        drawn = stages(analysis, options.depth, identity)
        body: list[Element] = list(line(drawn, options, Frame.of(drawn), False, 0, len(drawn)))
        if options.fit == "none":
            return Layout(body, drawn, None)
        long, short = sorted((x + 2 * MARGIN for x in _size(body, drawn, options)), reverse=True)
        if long <= AUTO_LIMIT * short:
            return Layout(body, drawn, None)
        ratio = SLIDE
    limit = READABLE * FONT_SIZE
    tried: list[tuple[int | None, bool]] = (
        [(options.depth, False)]
        if options.depth is not None
        else [(d, False) for d in depths(analysis)]
    )
    if shape == "u" and options.depth is None:
        # Every layer; then the plain named blocks folded; then the innermost levels
        # folded too, as long as a U of U_LEVELS levels is left.
        tried = [
            (d, p)
            for d, p in [(None, False), *((d, True) for d in depths(analysis))]
            if max(len(s.paths) for s in stages(analysis, d, identity, p)) >= U_LEVELS
        ]
    fallback: tuple[float, Layout] | None = None
    for depth, plain in tried:
        shown = stages(analysis, depth, identity, plain)
        drawn = [replace(s, op=narrow(s.op, NARROW)) for s in shown]
        # When even the smallest shapes cannot fit, fold further without trying the rest.
        if (depth, plain) != tried[-1]:
            smallest = _best_rows(drawn, Frame.of(drawn, ZOOMS[-1]), options, ratio, line, shape)
            if smallest.estimate > limit:
                continue
        for zoom in ZOOMS:
            frame = Frame.of(drawn, zoom)
            candidate = _best_rows(drawn, frame, options, ratio, line, shape)
            if candidate.estimate > limit and fallback and candidate.estimate >= fallback[0]:
                continue  # neither readable nor smaller than the smallest found
            body = draw_rows(drawn, candidate.segments, options, frame, line)
            real = padded_height(*_size(body, drawn, options), ratio)
            found = Layout(body, drawn, ratio)
            if real <= limit:
                return found
            if fallback is None or real < fallback[0]:
                fallback = (real, found)
    assert fallback is not None
    return fallback[1]


__all__ = [
    "AUTO_LIMIT",
    "READABLE",
    "SLIDE",
    "Layout",
    "breaks",
    "compose",
    "depths",
    "lane_breaks",
    "layout",
    "padded_height",
]
