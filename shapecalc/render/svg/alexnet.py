"""AlexNet style: every tensor a 3D box, kernels as small boxes with a pyramid to the next.

A box is C deep along the drawing's direction, H high and W into the page, drawn in
oblique projection (depth at 45°, halved). H, W and C are written on the box's edges; the
kernel sits near the box's far face at a fixed place and its pyramid narrows to a point on
the next box; dense layers are tall thin boxes joined by arrows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import branches
from .elements import FONT_SIZE, Element, Group, Line, Polygon, Rect, Style, Text, text_width
from .layout import (
    Cell,
    DrawOptions,
    Frame,
    arrange,
    moved,
    op_labels,
    scaler,
    shade,
    skip_arcs,
    tint,
)
from .model import Stage

#: Longest and shortest side of a box (H or W) in px; the shortest keeps edge labels apart.
LONGEST, SHORTEST = 160.0, 22.0
#: Longest and shortest extent of C in px.
DEEPEST, SHALLOWEST = 80.0, 4.0
#: Oblique projection: a unit of depth moves this far right and up.
OBLIQUE = 0.35
#: Thickness of a dense layer's box.
THIN = 8.0
DEFAULT_SPACING = 40.0
_PYRAMID: Style = {"class": "projection", "stroke": "#222222", "stroke-width": 0.7}


@dataclass(frozen=True)
class Solid:
    """A box's size: ``c`` along the drawing, ``h`` up, ``z`` into the page."""

    c: float
    h: float
    z: float


def _project(x: float, y: float, z: float) -> tuple[float, float]:
    return (x + OBLIQUE * z, y - OBLIQUE * z)


def _faces(x: float, y: float, solid: Solid, color: str, style: Style, cls: str) -> list[Element]:
    """Front, top and side faces of a box whose front face's top-left corner is (x, y)."""
    c, h, z = solid.c, solid.h, solid.z
    top = (_project(x, y, 0), _project(x + c, y, 0), _project(x + c, y, z), _project(x, y, z))
    side = (
        _project(x + c, y, 0),
        _project(x + c, y, z),
        _project(x + c, y + h, z),
        _project(x + c, y + h, 0),
    )
    return [
        Rect(x, y, c, h, {"class": cls, "fill": color, **style}),
        Polygon(top, {"class": cls, "fill": tint(color), **style}),
        Polygon(side, {"class": cls, "fill": shade(color), **style}),
    ]


def _origin(solid: Solid) -> tuple[float, float]:
    """Top-left corner of the front face that centres the projected box on (0, 0)."""
    return (-(solid.c + OBLIQUE * solid.z) / 2, (OBLIQUE * solid.z - solid.h) / 2)


def _cell(stage: Stage, solid: Solid, options: DrawOptions) -> Cell:
    group = Group({"class": f"layer {stage.kind}", "id": f"layer-{stage.index}"})
    style: Style = {"stroke": "#333333", "stroke-width": 0.6, "fill-opacity": options.opacity}
    x, y = _origin(solid)
    group.add(*_faces(x, y, solid, options.color(stage.kind), style, "box"))
    if options.labels:
        if stage.is_flat:
            group.add(
                Text(x + solid.c / 2, y + solid.h + FONT_SIZE + 4, stage.texts[0], cls="edge-label")
            )
        else:
            if len(stage.texts) == 2:  # a 1D signal: L high, 1 deep
                h_text, w_text = stage.texts[0], "1"
            else:  # a volume's D is written with H: D×H on the upright edge
                h_text, w_text = "×".join(stage.texts[:-2]), stage.texts[-2]
            c_text = stage.texts[-1]
            group.add(
                Text(
                    x - 4,
                    y + solid.h / 2 + FONT_SIZE * 0.35,
                    h_text,
                    anchor="end",
                    cls="edge-label",
                )
            )
            wx, wy = _project(x, y, solid.z / 2)
            group.add(Text(wx - 4, wy, w_text, anchor="end", cls="edge-label"))
            group.add(Text(x + solid.c / 2, y + solid.h + FONT_SIZE + 4, c_text, cls="edge-label"))
    return Cell(stage, group, (x, y, x + solid.c, y + solid.h))


def _kernel_solid(
    x0: float, y0: float, before: Solid, window: tuple[int, ...], side: Callable[[int], float]
) -> tuple[Solid, float, float, float]:
    """The kernel's size and the corner (x, y, depth) where it sits inside the box before."""
    kh_size = window[0]
    kw_size = window[1] if len(window) > 1 else 1
    kernel = Solid(
        min(6.0, before.c * 0.5),
        min(side(kh_size), before.h * 0.6),
        min(side(kw_size), before.z * 0.6),
    )
    kx = x0 + before.c - kernel.c - min(2.0, before.c * 0.25)
    ky = y0 + (before.h - kernel.h) * 0.4
    kz = (before.z - kernel.z) * 0.5
    return kernel, kx, ky, kz


def _kernel_box(
    prev: Cell, before: Solid, stage: Stage, side: Callable[[int], float], labels: bool
) -> Group | None:
    """The kernel of ``stage``'s operation inside the previous box, with its size written
    beside the box (in the previous cell's coordinates, so that it is placed with it)."""
    if stage.window is None or prev.front is None or prev.stage.is_flat or stage.branches:
        return None
    kernel, kx, ky, kz = _kernel_solid(prev.front[0], prev.front[1], before, stage.window, side)
    style: Style = {"stroke": "#111111", "stroke-width": 0.8, "fill-opacity": 0.85}
    # The kernel's faces drawn from its own front corner, shifted back to depth kz.
    group = Group(
        children=[_shift_depth(f, kz) for f in _faces(kx, ky, kernel, "#fff2cc", style, "kernel")]
    )
    if labels:
        right = prev.front[0] + before.c + OBLIQUE * before.z + 4
        bottom = ky + kernel.h - OBLIQUE * kz + FONT_SIZE + 2
        size = "×".join(str(k) for k in stage.window)
        group.add(Text(right, bottom, size, anchor="start", cls="kernel-label"))
    return group


def _pyramid(
    prev: Cell, before: Solid, cell: Cell, after: Solid, side: Callable[[int], float]
) -> list[Element]:
    """Lines from the kernel's far face to a point on this box."""
    stage = cell.stage
    if (
        stage.window is None
        or prev.front is None
        or cell.front is None
        or prev.stage.is_flat
        or stage.branches
    ):
        return []
    kernel, kx, ky, kz = _kernel_solid(prev.front[0], prev.front[1], before, stage.window, side)
    nx0, ny0 = cell.front[0], cell.front[1]
    apex = _project(nx0 + min(2.0, after.c * 0.5), ny0 + after.h * 0.45, after.z * 0.5)
    corners = [
        _project(kx + kernel.c, ky + dy, kz + dz)
        for dy in (0.0, kernel.h)
        for dz in (0.0, kernel.z)
    ]
    return [Line(cx, cy, apex[0], apex[1], _PYRAMID) for cx, cy in corners]


def _shift_depth(element: Element, z: float) -> Element:
    """The element as seen ``z`` deeper into the page."""
    return moved(element, OBLIQUE * z, -OBLIQUE * z)  # type: ignore[no-any-return]


def _arrow(prev: Cell, before: Solid, cell: Cell, vertical: bool, thin: float) -> list[Element]:
    """An arrow from the previous box to a dense layer's box."""
    if prev.front is None or cell.front is None:
        return []
    style: Style = {"class": "arrow", "stroke": "#333333", "stroke-width": 1.0}
    if vertical:
        x = (cell.front[0] + cell.front[2]) / 2
        y1, y2 = prev.front[3] + 3, cell.front[1] - OBLIQUE * thin - 3
        head = ((x, y2), (x - 4, y2 - 7), (x + 4, y2 - 7))
        return [Line(x, y1, x, y2 - 6, style), Polygon(head, {"class": "arrow", "fill": "#333333"})]
    y = (cell.front[1] + cell.front[3]) / 2
    x1, x2 = prev.front[2] + OBLIQUE * before.z + 3, cell.front[0] - 3
    head = ((x2, y), (x2 - 7, y - 4), (x2 - 7, y + 4))
    return [Line(x1, y, x2 - 6, y, style), Polygon(head, {"class": "arrow", "fill": "#333333"})]


def _beside(stage: Stage) -> float:
    """How wide the label on a box's near side is (H; D×H for a volume)."""
    if not stage.texts or stage.is_flat:
        return 0.0
    text = stage.texts[0] if len(stage.texts) == 2 else "×".join(stage.texts[:-2])
    return text_width(text) + 4


def line(
    stages: list[Stage],
    options: DrawOptions,
    frame: Frame,
    lead: bool = False,
    u_shape: bool = False,
) -> list[Group]:
    """``stages`` drawn in one line in AlexNet style, one group per tensor, sized by
    ``frame``; ``lead`` leaves room before the first for its operation (a wrapped row). The
    paths of blocks run in lanes side by side (:mod:`.branches`; ``u_shape``: a U-Net's U)."""
    zoom = frame.zoom
    # The shortest side stays: it keeps the labels on a box's edges apart.
    side = scaler(options.scale, frame.side, max(LONGEST * zoom, SHORTEST), SHORTEST)
    depth = scaler(options.scale, frame.depth, DEEPEST * zoom, SHALLOWEST * zoom)
    bar_mode = "linear" if options.scale == "linear" else "sqrt"
    bar = scaler(bar_mode, frame.vector, max(LONGEST * zoom, SHORTEST), SHORTEST)
    thin = THIN * zoom
    solids = [
        Solid(thin, bar(s.channels), thin)
        if s.is_flat
        else Solid(depth(s.channels), side(s.height), side(s.width))
        for s in stages
    ]
    cells = [_cell(s, solid, options) for s, solid in zip(stages, solids)]
    for i in range(1, len(cells)):
        cells[i - 1].extra = _kernel_box(
            cells[i - 1], solids[i - 1], stages[i], side, options.labels
        )
    spacing = DEFAULT_SPACING if options.spacing is None else options.spacing
    lanes = (
        branches.arrange(cells, options, spacing, lead, u_shape, _beside)
        if branches.has_branches(stages)
        else None
    )
    placed = lanes.placed if lanes else arrange(cells, options, spacing, lead=lead)
    vertical = options.direction == "vertical"
    for i in range(1, len(placed.cells)):
        prev, cell = placed.cells[i - 1], placed.cells[i]
        if cell.stage.branches or (lanes and cell.stage.symbol):
            continue  # its input comes by the line from the block's input, or to its symbol
        if cell.stage.is_flat:
            cell.group.add(*_arrow(prev, solids[i - 1], cell, vertical, thin))
        else:
            if prev.extra:
                cell.group.add(*prev.extra.children)
            cell.group.add(*_pyramid(prev, solids[i - 1], cell, solids[i], side))
    if lanes:
        branches.op_labels(lanes, options)
        branches.connect(lanes, options, inset=2.0, beside=_beside)
    else:
        skip_arcs(placed, options)
        op_labels(placed, options)
    return [c.group for c in placed.cells]
