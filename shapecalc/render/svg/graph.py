"""Graph style: every layer (or folded block) a labelled box with its output shape, arrows
for the data flow, as Keras' ``plot_model`` and torchview draw a network, without graphviz.

A box holds the operation (``Conv 3×3 s1 same`` / ``+ ReLU``) and the tensor it makes
(``16@28×28``), in the colour of its kind; an arrow joins each box to the next in execution
order, and a merge's other inputs come in by a bracket over the boxes (beside them when
vertical), as in the other styles. The input box says ``Input``. It wraps with ``fit`` and
folds with ``depth`` as the other styles do; boxes are text, so nothing shrinks.
"""

from __future__ import annotations

from .elements import FONT_SIZE, Element, Group, Line, Polygon, Rect, Style, Text, text_width
from .layout import LINE, Cell, DrawOptions, Frame, arrange, shape_box, skip_arcs, tint
from .model import Stage

DEFAULT_SPACING = 36.0
#: Room around the text inside a box, in px.
PAD_X, PAD_Y = 10.0, 7.0


def _cell(stage: Stage, options: DrawOptions) -> Cell:
    group = Group({"class": f"layer {stage.kind}", "id": f"layer-{stage.index}"})
    lines = list(stage.op) if stage.op else ["Input"]
    texts = [*lines, stage.label] if options.labels else []
    width = max((text_width(t) for t in texts), default=40.0) + 2 * PAD_X
    height = max(len(texts), 1) * LINE + 2 * PAD_Y
    style: Style = {
        "class": "box",
        "fill": tint(options.color(stage.kind), 0.35),
        "fill-opacity": options.opacity,
        "stroke": "#333333",
        "stroke-width": 0.8,
    }
    group.add(Rect(-width / 2, -height / 2, width, height, style))
    top = -height / 2 + PAD_Y + FONT_SIZE
    for k, text in enumerate(texts):
        cls = "shape-label" if k == len(texts) - 1 else "op-name"
        group.add(Text(0.0, top + k * LINE, text, cls=cls))
    return Cell(stage, group)


def _arrow(before: Group, after: Group, vertical: bool) -> list[Element]:
    """An arrow from the box ``before`` to the box ``after``."""
    a, b = shape_box(before), shape_box(after)
    if a is None or b is None:
        return []
    style: Style = {"class": "arrow", "stroke": "#333333", "stroke-width": 1.0}
    if vertical:
        x = (b[0] + b[2]) / 2
        head = ((x, b[1]), (x - 4, b[1] - 7), (x + 4, b[1] - 7))
        return [
            Line(x, a[3], x, b[1] - 7, style),
            Polygon(head, {"class": "arrow", "fill": "#333333"}),
        ]
    y = (b[1] + b[3]) / 2
    head = ((b[0], y), (b[0] - 7, y - 4), (b[0] - 7, y + 4))
    return [Line(a[2], y, b[0] - 7, y, style), Polygon(head, {"class": "arrow", "fill": "#333333"})]


def line(
    stages: list[Stage],
    options: DrawOptions,
    frame: Frame,
    lead: bool = False,
    first: int = 0,
    count: int | None = None,
) -> list[Group]:
    """``stages`` drawn in one line in graph style, one box per layer; ``lead`` leaves a
    gap before the first (a wrapped row). Boxes are as big as their text: ``frame`` has
    nothing to scale."""
    cells = [_cell(s, options) for s in stages]
    spacing = DEFAULT_SPACING if options.spacing is None else max(options.spacing, 14.0)
    placed = arrange(cells, options, spacing, op_gaps=False, lead=lead)
    vertical = options.direction == "vertical"
    for prev, cell in zip(placed.cells, placed.cells[1:]):
        if not cell.stage.branches:  # a later path's input comes by its bracket
            cell.group.add(*_arrow(prev.group, cell.group, vertical))
    skip_arcs(placed, options)
    return [c.group for c in placed.cells]
