"""FCNN style: a column of nodes per layer and every edge between consecutive layers.

Layers wider than ``max_nodes`` show their first and last nodes around a ``⋮`` (``⋯`` when
vertical); the label carries the true size, ``Input ∈ ℝ⁷⁸⁴``. Edges stop at the circles'
rims so that they never cover a node.
"""

from __future__ import annotations

import math

from ...errors import DrawError
from .elements import FONT_SIZE, Circle, Element, Group, Line, Style, Text
from .layout import LINE, Cell, DrawOptions, Frame, arrange
from .model import Stage

#: Node radius and the distance between node centres within a layer, in px.
RADIUS, PITCH = 8.0, 22.0
DEFAULT_SPACING = 90.0
#: Most edges one drawing holds (each is a line of about 100 bytes).
MAX_EDGES = 200_000

_SUPERSCRIPT = str.maketrans("0123456789+-()nijkmxyab", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿⁱʲᵏᵐˣʸᵃᵇ")


def space(size: str) -> str:
    """``ℝ⁷⁸⁴``; sizes that have no superscript form read ``ℝ^(n*m)``."""
    compact = size.replace(" ", "")
    raised = compact.translate(_SUPERSCRIPT)
    if any(c in compact for c in "*/_,.") or any(
        c.isalpha() and c not in "nijkmxyab" for c in compact
    ):
        return f"ℝ^({compact})"
    return "ℝ" + raised


def layer_name(position: int, count: int) -> str:
    """Input, Hidden or Output."""
    if position == 0:
        return "Input"
    return "Output" if position == count - 1 else "Hidden"


def _slots(count: int, cap: int) -> list[int | None]:
    """Which nodes are drawn, top to bottom; None is the gap holding the ellipsis."""
    if count <= cap:
        return list(range(count))
    top = math.ceil(cap / 2)
    return [*range(top), None, *range(count - (cap - top), count)]


def _cell(
    stage: Stage, position: int, count: int, options: DrawOptions
) -> tuple[Cell, list[tuple[float, float]]]:
    vertical = options.direction == "vertical"
    group = Group({"class": f"layer {stage.kind}", "id": f"layer-{stage.index}"})
    slots = _slots(stage.channels, options.max_nodes)
    extent = (len(slots) - 1) * PITCH
    centres: list[tuple[float, float]] = []
    style: Style = {
        "fill": options.color(stage.kind),
        "fill-opacity": options.opacity,
        "stroke": "#333333",
        "stroke-width": 0.8,
    }
    for k, slot in enumerate(slots):
        along = -extent / 2 + k * PITCH
        x, y = (along, 0.0) if vertical else (0.0, along)
        if slot is None:
            dots = "⋯" if vertical else "⋮"
            group.add(Text(x, y + FONT_SIZE * 0.4, dots, size=16, cls="ellipsis"))
            continue
        centres.append((x, y))
        group.add(Circle(x, y, RADIUS, {"class": "node", **style}))
    if options.labels:
        label = f"{layer_name(position, count)} ∈ {space(stage.texts[0])}"
        ops = stage.op
        if vertical:
            left = -extent / 2 - RADIUS - 10
            group.add(Text(left, FONT_SIZE * 0.4, label, anchor="end", cls="shape-label"))
            right = extent / 2 + RADIUS + 10
            for k, line in enumerate(ops):
                y = FONT_SIZE * 0.4 + (k - (len(ops) - 1) / 2) * LINE
                group.add(Text(right, y, line, anchor="start", cls="op-label"))
        else:
            group.add(Text(0.0, -extent / 2 - RADIUS - 10, label, cls="shape-label"))
            for k, line in enumerate(ops):
                y = extent / 2 + RADIUS + 10 + FONT_SIZE + k * LINE
                group.add(Text(0.0, y, line, cls="op-label"))
    return Cell(stage, group), centres


def _edges(
    start: list[tuple[float, float]], end: list[tuple[float, float]], options: DrawOptions
) -> list[Element]:
    style: Style = {
        "class": "edge",
        "stroke": "#505050",
        "stroke-width": 0.5,
        "stroke-opacity": 0.6,
    }
    lines: list[Element] = []
    for x1, y1 in start:
        for x2, y2 in end:
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            ux, uy = (x2 - x1) / length * RADIUS, (y2 - y1) / length * RADIUS
            lines.append(Line(x1 + ux, y1 + uy, x2 - ux, y2 - uy, style))
    return lines


def check(stages: list[Stage], options: DrawOptions) -> None:
    """Refuse what FCNN style cannot draw: feature maps, or too many edges.

    Raises:
        DrawError: with the option that helps.
    """
    for stage in stages:
        if not stage.is_flat:
            raise DrawError(
                f"the fcnn style draws vectors, but this network has {stage.label} feature maps; "
                "use --style lenet or --style alexnet"
            )
    drawn = [min(s.channels, options.max_nodes) for s in stages]
    total = sum(a * b for a, b in zip(drawn, drawn[1:]))
    if total > MAX_EDGES:
        raise DrawError(
            f"the drawing would have {total:,} edges (at most {MAX_EDGES:,}); lower --max-nodes"
        )


def line(
    stages: list[Stage],
    options: DrawOptions,
    frame: Frame,
    lead: bool = False,
    first: int = 0,
    count: int | None = None,
) -> list[Group]:
    """``stages`` (every one a vector, see :func:`check`) drawn in one line in FCNN style;
    ``first`` is the position of the line's first layer among ``count`` (Input, Hidden,
    Output), ``lead`` leaves a gap before it (a wrapped row). Nodes keep their size:
    ``frame`` has nothing to scale."""
    count = len(stages) if count is None else count
    built = [_cell(s, first + i, count, options) for i, s in enumerate(stages)]
    spacing = DEFAULT_SPACING if options.spacing is None else options.spacing
    placed = arrange([cell for cell, _ in built], options, spacing, op_gaps=False, lead=lead)
    # Where arrange moved each cell: the offset of its first node.
    groups: list[Group] = []
    previous: list[tuple[float, float]] = []
    for (cell, centres), moved_cell in zip(built, placed.cells):
        first_old = next(c for c in cell.group.children if isinstance(c, Circle))
        first_new = next(c for c in moved_cell.group.children if isinstance(c, Circle))
        dx, dy = first_new.cx - first_old.cx, first_new.cy - first_old.cy
        here = [(x + dx, y + dy) for x, y in centres]
        edges = _edges(previous, here, options)
        moved_cell.group.children[:0] = edges
        groups.append(moved_cell.group)
        previous = here
    return groups
