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

STYLES = ("lenet", "alexnet", "fcnn", "graph")
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
    "block": "#9dc3e6",
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
    "block": "Folded block",
    "other": "Other",
}

# A colour is #rgb, #rrggbb or a CSS colour name: nothing else can reach the SVG attributes,
# and nothing that a renderer would draw black without a word.
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
#: The CSS Color Module Level 4 named colours (every SVG renderer knows them).
CSS_COLORS = frozenset(
    """aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue
    blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk
    crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki
    darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen
    darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue
    dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite
    gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki
    lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan
    lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen
    lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen
    magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen
    mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream
    mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid
    palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum
    powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown
    seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen
    steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow
    yellowgreen""".split()
)


def is_color(text: str) -> bool:
    """``#rgb``, ``#rrggbb`` or a CSS colour name (any case)."""
    return bool(_HEX.fullmatch(text)) or text.lower() in CSS_COLORS


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
        if not is_color(color):
            raise DrawError(
                f"{color!r} is not a colour; use #rgb, #rrggbb or a CSS name such as orange"
            )
        colors[kind] = color
    return colors


#: Least and most px of ``width`` and ``height``.
MIN_SIZE, MAX_SIZE = 16.0, 100_000.0
#: Most extreme aspect ratio ``fit`` accepts.
MAX_RATIO = 20.0
_RATIO = re.compile(r"([0-9]{1,6}(?:\.[0-9]{1,6})?):([0-9]{1,6}(?:\.[0-9]{1,6})?)")


def parse_fit(text: str | None) -> float | None:
    """``"16:9"`` -> 16/9; ``"none"`` and None -> None.

    Raises:
        DrawError: anything else, or a ratio beyond 1:20 to 20:1.
    """
    if text is None or text == "none":
        return None
    found = _RATIO.fullmatch(text.strip())
    if found is None or float(found.group(2)) == 0:
        raise DrawError(f"fit {text!r}: use a ratio W:H such as 16:9 or 4:3, or none")
    ratio = float(found.group(1)) / float(found.group(2))
    if not 1 / MAX_RATIO <= ratio <= MAX_RATIO:
        raise DrawError(f"fit {text!r}: use a ratio between 1:{MAX_RATIO:g} and {MAX_RATIO:g}:1")
    return ratio


@dataclass(frozen=True)
class DrawOptions:
    """How to draw: the style and NN-SVG's options.

    Attributes:
        style: ``lenet``, ``alexnet``, ``fcnn`` or ``graph``; None picks lenet for networks
            with feature maps and fcnn for dense-only ones.
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
        fit: the aspect ratio to fit, ``"16:9"`` (any ``W:H``): a long network wraps onto
            rows (columns when vertical), shapes shrink and blocks fold until the drawing
            fits with readable labels (see :mod:`shapecalc.render.svg.fit`); ``"none"``
            draws one line; None (the default) fits 16:9 when one line would be longer
            than :data:`~shapecalc.render.svg.fit.AUTO_LIMIT` to 1, else one line.
        width, height: the size of the SVG in px (the drawing is scaled, labels with it);
            both without ``fit`` fit their ratio.
        depth: fold blocks nested deeper than this, as the table's ``--depth`` does: a
            block at this depth is drawn as its output tensor, named ``basic(64) ×2``.
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
    fit: str | None = None
    width: float | None = None
    height: float | None = None
    depth: int | None = None

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
            (
                self.depth is None or 0 <= self.depth <= 100,
                f"depth {self.depth!r}: use 0 to 100",
            ),
            *(
                (
                    size is None or MIN_SIZE <= size <= MAX_SIZE,
                    f"{name} {size!r}: use {MIN_SIZE:g} to {MAX_SIZE:,g} px",
                )
                for name, size in (("width", self.width), ("height", self.height))
            ),
        )
        for ok, message in checks:
            if not ok:
                raise DrawError(message)
        parse_fit(self.fit)
        for kind, color in self.colors.items():
            if kind not in DEFAULT_COLORS or not is_color(color):
                raise DrawError(
                    f"colour {kind}={color!r}: use a layer kind ({', '.join(DEFAULT_COLORS)})"
                    " and #rgb, #rrggbb or a CSS colour name"
                )

    def color(self, kind: str) -> str:
        """The fill colour of a layer kind."""
        return self.colors.get(kind) or DEFAULT_COLORS.get(kind, DEFAULT_COLORS["other"])

    @property
    def ratio(self) -> float | None:
        """The aspect ratio to fit: ``fit``'s, else width:height when both are given, else
        None (``fit="none"``, or the default, decided by the network's length)."""
        if self.fit is None and self.width is not None and self.height is not None:
            return self.width / self.height
        return parse_fit(self.fit)

    def with_style(self, style: str) -> DrawOptions:
        """The same options with the style decided."""
        return replace(self, style=style)


@dataclass(frozen=True)
class Frame:
    """What every row of a drawing shares, so that tensors keep their relative sizes
    across rows: the largest sizes drawn, and the zoom of the shapes (labels keep their
    size; :mod:`~shapecalc.render.svg.fit` shrinks shapes to fit a slide).

    Attributes:
        side: the largest H or W of a feature map.
        depth: the most channels of a feature map.
        vector: the longest vector.
        zoom: shapes' lengths times this.
    """

    side: int = 1
    depth: int = 1
    vector: int = 1
    zoom: float = 1.0

    @classmethod
    def of(cls, stages: Sequence[Stage], zoom: float = 1.0) -> Frame:
        """The frame of a drawing of ``stages``."""
        maps = [s for s in stages if not s.is_flat]
        return cls(
            max((max(s.height, s.width) for s in maps), default=1),
            max((s.channels for s in maps), default=1),
            max((s.channels for s in stages if s.is_flat), default=1),
            zoom,
        )


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
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
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
    """The cells moved to their places, and the gaps before them (for operation labels)."""

    cells: list[Cell]
    gaps: list[Box | None]  # gaps[i] lies before cells[i]; None before the first of a line


def narrow(op: tuple[str, ...], width: float) -> tuple[str, ...]:
    """An operation's label wrapped to ``width`` px at spaces, ``+ ReLU`` and
    ``bottle(64, 256) ×2`` kept whole: ``Conv 3×3 s1 pad1`` / ``+ ReLU`` at 64 px becomes
    ``Conv 3×3`` / ``s1 pad1`` / ``+ ReLU``."""
    lines: list[str] = []
    for text in op:
        words: list[str] = []
        for word in text.split(" "):
            glued = word.startswith("×") or words[-1:] == ["+"]  # "+ ReLU", "basic(64) ×2"
            if words and (glued or words[-1].count("(") > words[-1].count(")")):
                words[-1] = f"{words[-1]} {word}"
            else:
                words.append(word)
        current = ""
        for word in words:
            joined = f"{current} {word}" if current else word
            if current and text_width(joined) > width:
                lines.append(current)
                current = word
            else:
                current = joined
        if current:
            lines.append(current)
    return tuple(lines)


def arrange(
    cells: list[Cell],
    options: DrawOptions,
    spacing: float,
    op_gaps: bool = True,
    lead: bool = False,
) -> Placed:
    """Place cells one after another, with room for each operation label between them
    unless ``op_gaps`` is False (the style writes operations inside the cells); ``lead``
    leaves that room before the first cell too (a wrapped row, whose first tensor comes
    from the row before)."""
    vertical = options.direction == "vertical"
    placed: list[Cell] = []
    gaps: list[Box | None] = []
    cursor = 0.0
    for i, cell in enumerate(cells):
        whole = Group(children=[cell.group, *([cell.extra] if cell.extra else [])])
        box = whole.box() or (0.0, 0.0, 0.0, 0.0)
        gapped = i > 0 or lead
        if options.spacing is not None and op_gaps and not vertical:
            # A spacing narrower than a label wraps the label, so that the gap can be it.
            cell = replace(
                cell, stage=replace(cell.stage, op=narrow(cell.stage.op, options.spacing - 16))
            )
        op = cell.stage.op if options.labels and op_gaps and gapped else ()
        if vertical:
            need = len(op) * LINE + 12
        else:
            need = max((text_width(line) for line in op), default=0.0) + 16
        gap = max(spacing, need) if gapped else 0.0
        dx, dy = (0.0, cursor + gap - box[1]) if vertical else (cursor + gap - box[0], 0.0)
        gaps.append((cursor, 0.0, cursor + gap, 0.0) if gapped else None)
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
    vertical) to the merge's tensor, added to the merge's group. In a wrapped row, a merge
    that takes in the previous row's last tensor has its bracket leave from where the
    connector from that row arrives (the start of the row; level with the first tensor
    when vertical)."""
    cells = placed.cells
    # A row's tensor is the stage it belongs to: the last drawn at or before it (folded
    # activations share the stage of the operation before them).
    positions = [c.stage.index for c in cells]
    vertical = options.direction == "vertical"
    style: dict[str, str | float] = {"class": "skip", "stroke": "#555555", "stroke-width": 1.0}
    for at, cell in enumerate(cells):
        froms = sorted(
            {
                max((i for i, p in enumerate(positions) if p <= s), default=-1)
                for s in cell.stage.sources
            }
            - {at - 1, at}
        )
        entering = placed.gaps[0] is not None  # the row's first tensor comes from a row before
        for level, start in enumerate(froms):
            if start < 0 and not (entering and at > 0):
                continue
            span = [b for b in (c.group.box() for c in cells[max(start, 0) : at + 1]) if b]
            first, last = cells[max(start, 0)].group.box(), cell.group.box()
            if not span or first is None or last is None:
                continue
            if vertical:
                x = min(b[0] for b in span) - ARC_GAP - level * ARC_STEP
                shape = shape_box(cells[0].group) if start < 0 else None
                y1 = (shape[1] + shape[3]) / 2 if shape else (first[1] + first[3]) / 2
                y2 = (last[1] + last[3]) / 2
                ends: tuple[tuple[float, float, float, float], ...] = (
                    ((x, y1, x, y2), (x, y2, last[0], y2))
                    if start < 0
                    else ((first[0], y1, x, y1), (x, y1, x, y2), (x, y2, last[0], y2))
                )
            else:
                y = min(b[1] for b in span) - ARC_GAP - level * ARC_STEP
                x1, x2 = (first[0] + first[2]) / 2, (last[0] + last[2]) / 2
                ends = (
                    ((0.0, y, x2, y), (x2, y, x2, last[1]))
                    if start < 0
                    else ((x1, first[1], x1, y), (x1, y, x2, y), (x2, y, x2, last[1]))
                )
            cell.group.add(*(Line(*end, dict(style)) for end in ends))


def shape_box(group: Group) -> Box | None:
    """The box of a tensor's shape (maps, vector, box or nodes), not of its labels."""
    boxes = [
        child.box()
        for child in group.children
        if not isinstance(child, Group | Text)
        and str(child.style.get("class", "")) in ("map", "vector", "box", "node")
    ]
    if not boxes:
        return group.box()
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


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
        for cell, gap in zip(placed.cells, placed.gaps):
            if gap is None:
                continue
            middle = (gap[0] + gap[2]) / 2
            top = middle - len(cell.stage.op) * LINE / 2 + FONT_SIZE
            for k, line in enumerate(cell.stage.op):
                cell.group.add(Text(right, top + k * LINE, line, anchor="start", cls="op-label"))
        return
    bottom = max(b[3] for b in boxes) + FONT_SIZE + 10
    for cell, gap in zip(placed.cells, placed.gaps):
        if gap is None:
            continue
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
    "Frame",
    "Placed",
    "arrange",
    "finish",
    "moved",
    "op_labels",
    "is_color",
    "parse_colors",
    "parse_fit",
    "scaler",
    "shape_box",
]
