"""Drawing primitives with their bounding boxes, and the one place that writes SVG text.

Layouts build a tree of these; :func:`document` measures it, fits the viewBox with a margin
and serialises it. Every piece of text goes through :func:`xml.sax.saxutils.escape` or
``quoteattr``, so a title such as ``<script>`` is written as text, never as markup.
Coordinates are rounded to two decimals so that output is byte-identical run to run.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from xml.sax import saxutils

#: Fonts in order of preference; every SVG renderer falls back to a generic sans-serif.
FONT_FAMILY = "'DejaVu Sans', Verdana, 'Helvetica Neue', Arial, sans-serif"
#: Default text size in px.
FONT_SIZE = 12.0

Box = tuple[float, float, float, float]  # min x, min y, max x, max y
#: Presentation attributes of an element (fill, stroke, class, ...).
Style = dict[str, str | float]


def num(value: float) -> str:
    """A coordinate as short, stable text: ``12.5``, ``3``, never ``-0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# Advance widths (em) of DejaVu Sans, the widest of the fonts in FONT_FAMILY, grouped
# coarsely; text is measured on the wide side so that labels never overlap in any of them.
_NARROW = set("il.,:;|!'()[]fjtrI1 ")
_WIDE = set("@mwMWOQGDHNU%&")


@functools.lru_cache(maxsize=4096)  # a drawing measures the same few labels again and again
def text_width(text: str, size: float = FONT_SIZE) -> float:
    """A generous estimate of how wide ``text`` is drawn at ``size`` px."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.42
        elif char in _WIDE:
            em += 1.0
        elif char.isdigit() or char.islower():
            em += 0.66
        elif ord(char) < 128:
            em += 0.76
        else:
            em += 1.0  # ×, ⋯, ℝ and superscripts: symbol fonts vary most
    return em * size


def _union(boxes: list[Box]) -> Box | None:
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


#: Characters XML 1.0 does not allow anywhere, even escaped (C0 controls but tab and newlines,
#: lone surrogates, U+FFFE and U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Text content: markup characters escaped, characters XML forbids replaced by U+FFFD."""
    return saxutils.escape(_NOT_XML.sub("\ufffd", text))


def quoteattr(text: str) -> str:
    """A quoted attribute value, escaped as :func:`escape` does."""
    return saxutils.quoteattr(_NOT_XML.sub("\ufffd", text))


def _attrs(attrs: dict[str, str | float]) -> str:
    parts = []
    for key, value in attrs.items():
        text = num(value) if isinstance(value, float | int) else value
        parts.append(f" {key}={quoteattr(text)}")
    return "".join(parts)


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle."""

    x: float
    y: float
    w: float
    h: float
    style: dict[str, str | float] = field(default_factory=dict)

    def box(self) -> Box:
        """Bounding box."""
        return (self.x, self.y, self.x + self.w, self.y + self.h)

    def svg(self) -> str:
        """SVG markup."""
        geometry = {"x": self.x, "y": self.y, "width": self.w, "height": self.h}
        return f"<rect{_attrs({**geometry, **self.style})}/>"


@dataclass(frozen=True)
class Polygon:
    """A closed polygon (parallelograms, box faces, arrow heads)."""

    points: tuple[tuple[float, float], ...]
    style: dict[str, str | float] = field(default_factory=dict)

    def box(self) -> Box:
        """Bounding box."""
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        return (min(xs), min(ys), max(xs), max(ys))

    def svg(self) -> str:
        """SVG markup."""
        points = " ".join(f"{num(x)},{num(y)}" for x, y in self.points)
        return f"<polygon{_attrs({'points': points, **self.style})}/>"


@dataclass(frozen=True)
class Line:
    """A straight line."""

    x1: float
    y1: float
    x2: float
    y2: float
    style: dict[str, str | float] = field(default_factory=dict)

    def box(self) -> Box:
        """Bounding box."""
        return (
            min(self.x1, self.x2),
            min(self.y1, self.y2),
            max(self.x1, self.x2),
            max(self.y1, self.y2),
        )

    def svg(self) -> str:
        """SVG markup."""
        geometry = {"x1": self.x1, "y1": self.y1, "x2": self.x2, "y2": self.y2}
        return f"<line{_attrs({**geometry, **self.style})}/>"


@dataclass(frozen=True)
class Circle:
    """A circle (an FCNN node)."""

    cx: float
    cy: float
    r: float
    style: dict[str, str | float] = field(default_factory=dict)

    def box(self) -> Box:
        """Bounding box."""
        return (self.cx - self.r, self.cy - self.r, self.cx + self.r, self.cy + self.r)

    def svg(self) -> str:
        """SVG markup."""
        return f"<circle{_attrs({'cx': self.cx, 'cy': self.cy, 'r': self.r, **self.style})}/>"


@dataclass(frozen=True)
class Text:
    """One line of text; ``y`` is the baseline, ``anchor`` is start, middle or end."""

    x: float
    y: float
    text: str
    anchor: str = "middle"
    size: float = FONT_SIZE
    cls: str = "label"
    style: dict[str, str | float] = field(default_factory=dict)

    @property
    def width(self) -> float:
        """Estimated drawn width."""
        return text_width(self.text, self.size)

    def box(self) -> Box:
        """Bounding box, generous: ascenders above and descenders below the baseline."""
        left = {"start": self.x, "middle": self.x - self.width / 2, "end": self.x - self.width}
        x0 = left[self.anchor]
        return (x0, self.y - 1.0 * self.size, x0 + self.width, self.y + 0.3 * self.size)

    def svg(self) -> str:
        """SVG markup; the text is escaped."""
        attrs: dict[str, str | float] = {"class": self.cls, "x": self.x, "y": self.y}
        if self.anchor != "start":
            attrs["text-anchor"] = self.anchor
        if self.size != FONT_SIZE:
            attrs["font-size"] = self.size
        return f"<text{_attrs({**attrs, **self.style})}>{escape(self.text)}</text>"


@dataclass
class Group:
    """A ``<g>`` with children; one per drawn tensor (class ``layer``), legend or title."""

    attrs: dict[str, str | float] = field(default_factory=dict)
    children: list[Element] = field(default_factory=list)

    def add(self, *elements: Element) -> Group:
        """Append children; returns self."""
        self.children.extend(elements)
        return self

    def box(self) -> Box | None:
        """Bounding box of the children (None when empty)."""
        boxes = [b for b in (c.box() for c in self.children) if b is not None]
        return _union(boxes)

    def texts(self) -> list[Text]:
        """Every Text inside, depth first."""
        found: list[Text] = []
        for child in self.children:
            if isinstance(child, Text):
                found.append(child)
            elif isinstance(child, Group):
                found.extend(child.texts())
        return found

    def svg(self) -> str:
        """SVG markup, one child per line."""
        inner = "\n".join(c.svg() for c in self.children)
        return f"<g{_attrs(self.attrs)}>\n{inner}\n</g>" if inner else f"<g{_attrs(self.attrs)}/>"


Element = Rect | Polygon | Line | Circle | Text | Group

#: Space around the drawing inside the viewBox, in px.
MARGIN = 16.0


def document(
    root: Group,
    title: str,
    description: str,
    background: str = "#ffffff",
    ratio: float | None = None,
    size: tuple[float | None, float | None] = (None, None),
) -> str:
    """The standalone SVG 1.1 file: viewBox fitted to ``root`` plus :data:`MARGIN`, widened
    or heightened about the drawing to ``ratio`` (width / height) when given; ``size`` is
    the width and height to show it at in px (one alone keeps the viewBox's ratio)."""
    box = root.box() or (0.0, 0.0, 1.0, 1.0)
    x0, y0 = box[0] - MARGIN, box[1] - MARGIN
    width, height = box[2] - box[0] + 2 * MARGIN, box[3] - box[1] + 2 * MARGIN
    if ratio is not None:
        if width / height < ratio:
            x0 -= (height * ratio - width) / 2
            width = height * ratio
        else:
            y0 -= (width / ratio - height) / 2
            height = width / ratio
    shown_w, shown_h = size
    if shown_w is not None and shown_h is None:
        shown_h = shown_w * height / width
    elif shown_h is not None and shown_w is None:
        shown_w = shown_h * width / height
    head: Style = {
        "xmlns": "http://www.w3.org/2000/svg",
        "version": "1.1",
        "width": width if shown_w is None else shown_w,
        "height": height if shown_h is None else shown_h,
        "viewBox": f"{num(x0)} {num(y0)} {num(width)} {num(height)}",
        "font-family": FONT_FAMILY,
        "font-size": FONT_SIZE,
    }
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
        f"<svg{_attrs(head)}>",
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description)}</desc>",
        Rect(x0, y0, width, height, {"class": "background", "fill": background}).svg(),
        root.svg(),
        "</svg>",
    ]
    return "\n".join(lines) + "\n"
