"""LeNet style: each tensor a cascade of offset feature maps, vectors as parallelograms.

As NN-SVG draws it: one rectangle per channel (up to ``max_channels``), each shifted
diagonally from the last, in two alternating fills; the label ``16@28×28`` above; the
operation under the gap; the kernel window on the front map with projection lines to a
point on the next tensor's front map. Unlike NN-SVG, the window sits at a fixed place,
so the same spec always gives the same picture.
"""

from __future__ import annotations

from collections.abc import Callable

from . import branches
from .elements import FONT_SIZE, Box, Element, Group, Line, Polygon, Rect, Style, Text
from .layout import Cell, DrawOptions, Frame, arrange, op_labels, scaler, skip_arcs, tint
from .model import Stage

#: Longest side of the largest map, and the shortest side of any, in px.
LONGEST, SHORTEST = 160.0, 6.0
#: Diagonal step between consecutive maps of a cascade, in px.
STEP = 6.0
#: Thickness of a vector's parallelogram, and its slant, in px.
BAR, SLANT = 10.0, 10.0
#: Where the kernel window sits on the front map, as a fraction of the free space.
WINDOW_AT = (0.7, 0.3)
DEFAULT_SPACING = 40.0


def _cell(
    stage: Stage,
    options: DrawOptions,
    side: Callable[[int], float],
    bar: Callable[[int], float],
    zoom: float,
) -> Cell:
    color = options.color(stage.kind)
    fills = (color, tint(color))
    group = Group({"class": f"layer {stage.kind}", "id": f"layer-{stage.index}"})
    outline: Style = {"stroke": "#333333", "stroke-width": 0.6, "fill-opacity": options.opacity}
    front = None
    step, thick, slant = STEP * zoom, BAR * zoom, SLANT * zoom
    if stage.is_flat:
        length = bar(stage.channels)
        top = -length / 2
        points = (
            (-thick / 2, top + slant / 2),
            (thick / 2, top - slant / 2),
            (thick / 2, top + length - slant / 2),
            (-thick / 2, top + length + slant / 2),
        )
        group.add(Polygon(points, {"class": "vector", "fill": fills[0], **outline}))
        height = length + slant
    else:
        w, h = side(stage.width), side(stage.height)
        count = min(stage.channels, options.max_channels)
        total_w, total_h = w + (count - 1) * step, h + (count - 1) * step
        x0, y0 = -total_w / 2, -total_h / 2
        maps: list[Element] = []
        for i in range(count):
            fill = fills[i % 2]
            maps.append(
                Rect(x0 + i * step, y0 + i * step, w, h, {"class": "map", "fill": fill, **outline})
            )
        group.add(*maps)
        front = (x0 + (count - 1) * step, y0 + (count - 1) * step, x0 + total_w, y0 + total_h)
        height = total_h
        if options.labels and stage.channels > count:
            note = f"⋯ {stage.channels:,} maps"
            group.add(Text(0.0, height / 2 + FONT_SIZE + 4, note, cls="note"))
    if options.labels:
        group.add(Text(0.0, -height / 2 - 6, stage.label, cls="shape-label"))
    return Cell(stage, group, front)


def _window(prev: Cell, cell: Cell, side: Callable[[int], float], vertical: bool) -> list[Element]:
    """The kernel window on the previous front map and its projection to this tensor."""
    stage = cell.stage
    if stage.window is None or prev.front is None or cell.front is None or stage.branches:
        return []
    if stage.spreads:
        return _spread(prev.front, cell.front, stage.window, side, vertical)
    x0, y0, x1, y1 = prev.front
    kh = stage.window[0]
    kw = stage.window[1] if len(stage.window) > 1 else 1
    w = min(side(kw), 0.8 * (x1 - x0))
    h = min(side(kh), 0.8 * (y1 - y0))
    kx = x0 + (x1 - x0 - w) * WINDOW_AT[0]
    ky = y0 + (y1 - y0 - h) * WINDOW_AT[1]
    fx = (kx + w / 2 - x0) / (x1 - x0)
    fy = (ky + h / 2 - y0) / (y1 - y0)
    nx0, ny0, nx1, ny1 = cell.front
    tx, ty = nx0 + fx * (nx1 - nx0), ny0 + fy * (ny1 - ny0)
    style: Style = {"stroke": "#222222", "stroke-width": 0.8}
    corners = ((kx, ky + h), (kx + w, ky + h)) if vertical else ((kx + w, ky), (kx + w, ky + h))
    window = Rect(
        kx, ky, w, h, {"class": "kernel", "fill": "none", "stroke": "#111111", "stroke-width": 1.2}
    )
    return [window, *(Line(x, y, tx, ty, {"class": "projection", **style}) for x, y in corners)]


_KERNEL: Style = {"class": "kernel", "fill": "none", "stroke": "#111111", "stroke-width": 1.2}


def _spread(
    before: Box,
    after: Box,
    window: tuple[int, ...],
    side: Callable[[int], float],
    vertical: bool,
) -> list[Element]:
    """A transposed convolution: one pixel of the map before (at the window's usual place)
    and the k×k patch of this map it writes, joined by lines that widen towards the patch.
    (Drawn the other way, a 4×4 window would cover a 1×1 input.)"""
    x0, y0, x1, y1 = before
    pw, ph = min(side(1), 0.8 * (x1 - x0)), min(side(1), 0.8 * (y1 - y0))
    px = x0 + (x1 - x0 - pw) * WINDOW_AT[0]
    py = y0 + (y1 - y0 - ph) * WINDOW_AT[1]
    fx, fy = (px + pw / 2 - x0) / (x1 - x0), (py + ph / 2 - y0) / (y1 - y0)
    nx0, ny0, nx1, ny1 = after
    kh = window[0]
    kw = window[1] if len(window) > 1 else 1
    w, h = min(side(kw), 0.8 * (nx1 - nx0)), min(side(kh), 0.8 * (ny1 - ny0))
    # The patch about the point that matches the pixel, kept on the map.
    wx = min(max(nx0 + fx * (nx1 - nx0) - w / 2, nx0), nx1 - w)
    wy = min(max(ny0 + fy * (ny1 - ny0) - h / 2, ny0), ny1 - h)
    style: Style = {"class": "projection", "stroke": "#222222", "stroke-width": 0.8}
    if vertical:
        pairs = (((px, py + ph), (wx, wy)), ((px + pw, py + ph), (wx + w, wy)))
    else:
        pairs = (((px + pw, py), (wx, wy)), ((px + pw, py + ph), (wx, wy + h)))
    return [
        Rect(px, py, pw, ph, dict(_KERNEL)),
        Rect(wx, wy, w, h, dict(_KERNEL)),
        *(Line(a[0], a[1], b[0], b[1], dict(style)) for a, b in pairs),
    ]


def line(
    stages: list[Stage],
    options: DrawOptions,
    frame: Frame,
    lead: bool = False,
    u_shape: bool = False,
) -> list[Group]:
    """``stages`` drawn in one line in LeNet style, one group per tensor, sized by ``frame``;
    ``lead`` leaves room before the first for its operation (a wrapped row). The paths of
    blocks run in lanes side by side (:mod:`.branches`; ``u_shape``: a U-Net's U)."""
    zoom = frame.zoom
    side = scaler(options.scale, frame.side, LONGEST * zoom, SHORTEST * zoom)
    # Vectors are drawn linear or sqrt only (NN-SVG); log would make 10 and 4096 look alike.
    bar_mode = "linear" if options.scale == "linear" else "sqrt"
    bar = scaler(bar_mode, frame.vector, LONGEST * zoom, SHORTEST * zoom)
    cells = [_cell(s, options, side, bar, zoom) for s in stages]
    spacing = DEFAULT_SPACING if options.spacing is None else options.spacing
    vertical = options.direction == "vertical"
    if branches.has_branches(stages):
        lanes = branches.arrange(cells, options, spacing, lead, u_shape)
        for prev, cell in zip(lanes.placed.cells, lanes.placed.cells[1:]):
            cell.group.add(*_window(prev, cell, side, vertical))
        branches.op_labels(lanes, options)
        branches.connect(lanes, options)
        return [c.group for c in lanes.placed.cells]
    placed = arrange(cells, options, spacing, lead=lead)
    for prev, cell in zip(placed.cells, placed.cells[1:]):
        cell.group.add(*_window(prev, cell, side, vertical))
    skip_arcs(placed, options)
    op_labels(placed, options)
    return [c.group for c in placed.cells]
