"""Geometry shared by the styles: options, size scales, colours, placing tensors along the
drawing's direction, operation labels, the title and the legend. Pure arithmetic, no SVG text."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ...errors import DrawError
from .elements import FONT_SIZE, Box, Circle, Element, Group, Line, Rect, Text, text_width
from .model import Stage

STYLES = ("lenet", "alexnet", "fcnn")
SCALES = ("linear", "log", "sqrt")
DIRECTIONS = ("horizontal", "vertical")

#: Fill colour of each layer kind (the legend lists the kinds a drawing shows).
DEFAULT_COLORS: dict[str, str] = {
    "input": "#c8c8c8",
    "conv": "#5b9bd5",
    "pool": "#ed7d31",
    "dense": "#70ad47",
    "reshape": "#a5a5a5",
    "norm": "#ffc000",
    "activation": "#b4a7d6",
    "dropout": "#d5a6bd",
    "merge": "#f4b183",
    "other": "#8e7cc3",
}
#: How each kind is named in the legend.
KIND_NAMES = {
    "input": "Input",
    "conv": "Convolution",
    "pool": "Pooling",
    "dense": "Dense",
    "reshape": "Reshape",
    "norm": "Normalization",
    "activation": "Activation",
    "dropout": "Dropout",
    "merge": "Add / concat",
    "other": "Other",
}

# A colour is a #hex value or a CSS colour name: nothing else can reach the SVG attributes.
_COLOR = re.compile(
    r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]{3,30}"
)


def parse_colors(text: str) -> dict[str, str]:
    """``"conv=#ff0000,pool=orange"`` -> {"conv": "#ff0000", "pool": "orange"}.

    Raises:
        DrawError: an unknown layer kind or something that is not a colour.
    """
    colors: dict[str, str] = {}
    for part in text.split(","):
        kind, sep, color = (s.strip() for s in part.partition("="))
        if not sep or kind not in DEFAULT_COLORS:
            kinds = ", ".join(DEFAULT_COLORS)
            raise DrawError(f"{part.strip()!r} is not kind=colour; kinds: {kinds}")
        if not _COLOR.fullmatch(color):
            raise DrawError(f"{color!r} is not a colour; use #rrggbb or a CSS name such as orange")
        colors[kind] = color
    return colors


@dataclass(frozen=True)
class DrawOptions:
    """How to draw: the style and NN-SVG's options.

    Attributes:
        style: ``lenet``, ``alexnet`` or ``fcnn``; None picks lenet for networks with feature
            maps and fcnn for dense-only ones.
        max_channels: feature maps drawn per tensor (lenet) before ``⋯`` and the true count.
        max_nodes: nodes drawn per layer (fcnn) before ``⋮`` and the true count.
        scale: how sizes map to lengths: ``linear``, ``log`` or ``sqrt``.
        spacing: least space between tensors in px (None: the style's default).
        colors: fill colour per layer kind, overriding :data:`DEFAULT_COLORS`.
        opacity: fill opacity of maps, boxes and nodes, 0 to 1.
        labels: write shapes and operations (False draws only the shapes).
        direction: ``horizontal`` (left to right) or ``vertical`` (top to bottom).
        title: a title above the drawing.
        legend: a legend of the layer kinds shown and their colours.
    """

    style: str | None = None
    max_channels: int = 12
    max_nodes: int = 16
    scale: str = "sqrt"
    spacing: float | None = None
    colors: Mapping[str, str] = field(default_factory=dict)
    opacity: float = 1.0
    labels: bool = True
    direction: str = "horizontal"
    title: str | None = None
    legend: bool = True

    def __post_init__(self) -> None:
        checks = (
            (
                self.style is None or self.style in STYLES,
                f"style {self.style!r}: use one of {', '.join(STYLES)}",
            ),
            (self.scale in SCALES, f"scale {self.scale!r}: use one of {', '.join(SCALES)}"),
            (
                self.direction in DIRECTIONS,
                f"direction {self.direction!r}: use horizontal or vertical",
            ),
            (1 <= self.max_channels <= 64, f"max_channels {self.max_channels!r}: use 1 to 64"),
            (2 <= self.max_nodes <= 64, f"max_nodes {self.max_nodes!r}: use 2 to 64"),
            (0.0 <= self.opacity <= 1.0, f"opacity {self.opacity!r}: use 0 to 1"),
            (
                self.spacing is None or 0 <= self.spacing <= 1000,
                f"spacing {self.spacing!r}: use 0 to 1000",
            ),
        )
        for ok, message in checks:
            if not ok:
                raise DrawError(message)
        for kind, color in self.colors.items():
            if kind not in DEFAULT_COLORS or not _COLOR.fullmatch(color):
                raise DrawError(f"colour {kind}={color!r}: see parse_colors")

    def color(self, kind: str) -> str:
        """The fill colour of a layer kind."""
        return self.colors.get(kind) or DEFAULT_COLORS.get(kind, DEFAULT_COLORS["other"])

    def with_style(self, style: str) -> DrawOptions:
        """The same options with the style decided."""
        return replace(self, style=style)


def scaler(mode: str, largest: int, longest: float, shortest: float) -> Callable[[int], float]:
    """Maps a size to a length: ``largest`` gets ``longest`` px, nothing less than ``shortest``.

    ``sqrt`` (the default) keeps both a 224×224 map and a 7×7 map visible in VGG-16
    (160 px and 28 px); ``linear`` is true to proportion; ``log`` flattens the most.
    """
    largest = max(largest, 1)

    def length(value: int) -> float:
        if mode == "linear":
            ratio = value / largest
        elif mode == "log":
            ratio = math.log1p(value) / math.log1p(largest)
        else:
            ratio = math.sqrt(value / largest)
        return max(shortest, longest * ratio)

    return length


def _rgb(color: str) -> list[int] | None:
    """The red, green and blue of a ``#hex`` colour (alpha dropped); None for a name."""
    if not color.startswith("#"):
        return None
    digits = color[1:]
    if len(digits) in (3, 4):
        digits = "".join(c * 2 for c in digits[:3])
    return [int(digits[i : i + 2], 16) for i in (0, 2, 4)]


def tint(color: str, amount: float = 0.45) -> str:
    """``color`` mixed with white (the second of the alternating fills); names are kept."""
    rgb = _rgb(color)
    if rgb is None:
        return color
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def shade(color: str, amount: float = 0.25) -> str:
    """``color`` mixed with black (the shaded side of a box); names are kept."""
    rgb = _rgb(color)
    if rgb is None:
        return color
    return "#" + "".join(f"{round(c * (1 - amount)):02x}" for c in rgb)


def moved(element: Element, dx: float, dy: float) -> Any:
    """A copy of ``element`` shifted by (dx, dy); groups move their children."""
    if isinstance(element, Group):
        return Group(dict(element.attrs), [moved(c, dx, dy) for c in element.children])
    if isinstance(element, Rect | Text):
        return replace(element, x=element.x + dx, y=element.y + dy)
    if isinstance(element, Circle):
        return replace(element, cx=element.cx + dx, cy=element.cy + dy)
    if isinstance(element, Line):
        return replace(
            element, x1=element.x1 + dx, y1=element.y1 + dy, x2=element.x2 + dx, y2=element.y2 + dy
        )
    return replace(element, points=tuple((x + dx, y + dy) for x, y in element.points))


def moved_box(box: Box, dx: float, dy: float) -> Box:
    """A box shifted by (dx, dy)."""
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


#: Line height of multi-line labels, in px.
LINE = FONT_SIZE * 1.3


@dataclass
class Cell:
    """One tensor drawn around (0, 0): its group and the rectangle kernels sit on.

    ``extra`` holds elements drawn on this tensor that belong to the next one's group (the
    kernel of the next operation), so that they are placed, and make room, with this cell.
    """

    stage: Stage
    group: Group
    front: Box | None = None
    extra: Group | None = None


@dataclass
class Placed:
    """The cells moved to their places, and the gaps between them (for operation labels)."""

    cells: list[Cell]
    gaps: list[Box]  # gaps[i] lies between cells[i] and cells[i + 1]


def arrange(
    cells: list[Cell], options: DrawOptions, spacing: float, op_gaps: bool = True
) -> Placed:
    """Place cells one after another, with room for each operation label between them
    unless ``op_gaps`` is False (the style writes operations inside the cells)."""
    vertical = options.direction == "vertical"
    placed: list[Cell] = []
    gaps: list[Box] = []
    cursor = 0.0
    for i, cell in enumerate(cells):
        whole = Group(children=[cell.group, *([cell.extra] if cell.extra else [])])
        box = whole.box() or (0.0, 0.0, 0.0, 0.0)
        op = cell.stage.op if options.labels and op_gaps and i > 0 else ()
        if vertical:
            need = len(op) * LINE + 12
        else:
            need = max((text_width(line) for line in op), default=0.0) + 16
        gap = max(spacing, need) if i > 0 else 0.0
        dx, dy = (0.0, cursor + gap - box[1]) if vertical else (cursor + gap - box[0], 0.0)
        if i > 0:
            gaps.append((cursor, 0.0, cursor + gap, 0.0))
        cursor = (box[3] + dy) if vertical else (box[2] + dx)
        front = moved_box(cell.front, dx, dy) if cell.front else None
        extra = moved(cell.extra, dx, dy) if cell.extra else None
        placed.append(Cell(cell.stage, moved(cell.group, dx, dy), front, extra))
    return Placed(placed, gaps)


#: Distance of the first skip arc from the drawing, and between nested arcs, in px.
ARC_GAP, ARC_STEP = 14.0, 7.0


def skip_arcs(placed: Placed, options: DrawOptions) -> None:
    """The skip connections of res and concat blocks: from each tensor a merge takes in,
    other than the one drawn just before it, a bracket over the drawing (beside it when
    vertical) to the merge's tensor, added to the merge's group."""
    cells = placed.cells
    # A row's tensor is the stage it belongs to: the last drawn at or before it (folded
    # activations share the stage of the operation before them).
    positions = [c.stage.index for c in cells]
    vertical = options.direction == "vertical"
    style: dict[str, str | float] = {"class": "skip", "stroke": "#555555", "stroke-width": 1.0}
    for at, cell in enumerate(cells):
        froms = sorted(
            {max(i for i, p in enumerate(positions) if p <= s) for s in cell.stage.sources}
            - {at - 1, at}
        )
        for level, start in enumerate(froms):
            span = [b for b in (c.group.box() for c in cells[start : at + 1]) if b]
            first, last = cells[start].group.box(), cell.group.box()
            if not span or first is None or last is None:
                continue
            if vertical:
                x = min(b[0] for b in span) - ARC_GAP - level * ARC_STEP
                y1, y2 = (first[1] + first[3]) / 2, (last[1] + last[3]) / 2
                ends = ((first[0], y1, x, y1), (x, y1, x, y2), (x, y2, last[0], y2))
            else:
                y = min(b[1] for b in span) - ARC_GAP - level * ARC_STEP
                x1, x2 = (first[0] + first[2]) / 2, (last[0] + last[2]) / 2
                ends = ((x1, first[1], x1, y), (x1, y, x2, y), (x2, y, x2, last[1]))
            cell.group.add(*(Line(*end, dict(style)) for end in ends))


def op_labels(placed: Placed, options: DrawOptions) -> None:
    """Write each operation in the gap before its tensor, into that tensor's group.

    Horizontal: in one row under the drawing, centred under the gap. Vertical: beside the
    drawing, level with the gap.
    """
    if not options.labels:
        return
    boxes = [b for b in (c.group.box() for c in placed.cells) if b]
    if not boxes:
        return
    if options.direction == "vertical":
        right = max(b[2] for b in boxes) + 12
        for cell, gap in zip(placed.cells[1:], placed.gaps):
            middle = (gap[0] + gap[2]) / 2
            top = middle - len(cell.stage.op) * LINE / 2 + FONT_SIZE
            for k, line in enumerate(cell.stage.op):
                cell.group.add(Text(right, top + k * LINE, line, anchor="start", cls="op-label"))
        return
    bottom = max(b[3] for b in boxes) + FONT_SIZE + 10
    for cell, gap in zip(placed.cells[1:], placed.gaps):
        middle = (gap[0] + gap[2]) / 2
        for k, line in enumerate(cell.stage.op):
            cell.group.add(Text(middle, bottom + k * LINE, line, cls="op-label"))


def finish(body: Sequence[Element], stages: list[Stage], options: DrawOptions) -> Group:
    """The whole drawing: the title above, the body, and the legend below."""
    root = Group({"class": "drawing"}, list(body))
    box = root.box() or (0.0, 0.0, 0.0, 0.0)
    if options.title:
        title = Text((box[0] + box[2]) / 2, box[1] - 14, options.title, size=16, cls="title")
        root.children.insert(0, Group({"class": "title"}, [title]))
    if options.legend:
        kinds = list(dict.fromkeys(s.kind for s in stages))
        legend = Group({"class": "legend"})
        x, y = box[0], box[3] + 28
        for kind in kinds:
            swatch = Rect(
                x,
                y - 10,
                12,
                12,
                {"fill": options.color(kind), "stroke": "#333333", "stroke-width": 0.5},
            )
            name = KIND_NAMES.get(kind, kind)
            legend.add(swatch, Text(x + 17, y, name, anchor="start", cls="legend-label"))
            x += 17 + text_width(name) + 18
        root.add(legend)
    return root


__all__ = [
    "DEFAULT_COLORS",
    "DIRECTIONS",
    "SCALES",
    "STYLES",
    "Cell",
    "DrawOptions",
    "Placed",
    "arrange",
    "finish",
    "moved",
    "op_labels",
    "parse_colors",
    "scaler",
]
