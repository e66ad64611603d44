"""The drawing in a terminal: a true image where the terminal shows images, else the same
layout in Unicode characters.

Images use the kitty graphics protocol (the PNG itself, in base64 chunks) or DEC sixel
(the PNG decoded with the standard library and written as palette bands, see
:mod:`.sixel`); both need a PNG, so the ``png`` extra, and are drawn as wide as the terminal
is in pixels (:func:`preview_zoom`). Which one a terminal shows is *asked* of it by the
command line (:mod:`shapecalc.cli.terminal`: kitty's graphics query and DA1, whose reply
lists attribute 4 when the terminal speaks sixel), because no environment variable says
sixel; the environment alone (:func:`image_protocol`) is what a library call without a
terminal to ask can go by, and it recognises kitty and Ghostty only, never guessing sixel:
an image escape on a terminal without it prints garbage.

Everything else, or no PNG support, gets the Unicode rendering: each tensor's shape as a
block of ``█``, connectors and shortcuts as box-drawing lines, and every label that fits
where it stands, so a terminal that shows neither images nor colour still gets a readable
picture and not one escape character.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping

from ...errors import DrawError
from .elements import Circle, Element, Group, Line, Polygon, Rect, Text

#: Classes of the elements drawn as solid shapes, and as lines.
SHAPES = frozenset({"map", "vector", "box", "node"})
LINES = frozenset({"skip", "wrap", "arrow"})
#: A character cell is about twice as tall as it is wide.
CELL_ASPECT = 2.0
#: Bytes of base64 per kitty escape (the protocol's limit is 4096).
CHUNK = 4096
#: The image protocols written, in the order of preference when a terminal has several:
#: kitty's carries the PNG unchanged, sixel a palette of 256 colours.
PROTOCOLS = ("kitty", "sixel")
#: A drawing is shown at most this many times its size in px (a small network in a wide
#: terminal is not blown up), and in at most this many pixels (the time to encode a sixel
#: in pure Python grows with them: benchmarks/preview.py).
MAX_ZOOM = 2.0
MAX_PREVIEW_PIXELS = 2_000_000
#: Pixels per character cell assumed when the terminal does not say (a narrow font's).
CELL_WIDTH_PX = 8


def image_protocol(env: Mapping[str, str]) -> str | None:
    """``kitty`` when the environment says the terminal speaks kitty's graphics protocol
    (kitty itself, or Ghostty), else None: no variable says sixel, that takes asking."""
    term, program = env.get("TERM", ""), env.get("TERM_PROGRAM", "")
    if env.get("KITTY_WINDOW_ID") or term in ("xterm-kitty", "xterm-ghostty"):
        return "kitty"
    if program == "ghostty":
        return "kitty"
    return None


def preview_zoom(size: tuple[float, float] | None, width_px: int) -> float:
    """The zoom that makes a drawing of ``size`` (px) ``width_px`` wide, at most
    :data:`MAX_ZOOM` and :data:`MAX_PREVIEW_PIXELS`."""
    if size is None:
        return 1.0
    width, height = size
    return min(MAX_ZOOM, width_px / width, math.sqrt(MAX_PREVIEW_PIXELS / (width * height)))


def terminal_image(svg: str, protocol: str, width_px: int) -> str:
    """The escapes that show ``svg`` in a terminal speaking ``protocol`` (``kitty`` or
    ``sixel``), ``width_px`` wide at most, and a newline after it.

    Raises:
        DrawError: an unknown protocol, no resvg-py (the ``png`` extra), or a PNG the sixel
            encoder does not read.
    """
    from .raster import svg_size, svg_to_png

    if protocol not in PROTOCOLS:
        raise DrawError(f"unknown image protocol {protocol!r}: {' or '.join(PROTOCOLS)}")
    png = svg_to_png(svg, zoom=preview_zoom(svg_size(svg), width_px))
    if protocol == "kitty":
        return kitty_image(png)
    from .sixel import png_to_sixel

    return png_to_sixel(png) + "\n"


def kitty_image(png: bytes) -> str:
    """The escape sequences that show ``png`` in kitty, in chunks of :data:`CHUNK`."""
    data = base64.standard_b64encode(png).decode("ascii")
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)] or [""]
    parts = []
    for k, chunk in enumerate(chunks):
        more = 1 if k < len(chunks) - 1 else 0
        head = f"a=T,f=100,m={more}" if k == 0 else f"m={more}"
        parts.append(f"\x1b_G{head};{chunk}\x1b\\")
    return "".join(parts) + "\n"


def _flatten(element: Element, found: list[Element]) -> None:
    if isinstance(element, Group):
        for child in element.children:
            _flatten(child, found)
    else:
        found.append(element)


def _cls(element: Element) -> str:
    if isinstance(element, Text):
        return element.cls
    return str(element.style.get("class", "")) if not isinstance(element, Group) else ""


#: Box-drawing character for the sides a line leaves a cell by: (up, down, left, right).
_JOINS = {
    (True, True, False, False): "│",
    (False, False, True, True): "─",
    (False, True, False, True): "┌",
    (False, True, True, False): "┐",
    (True, False, False, True): "└",
    (True, False, True, False): "┘",
    (True, True, False, True): "├",
    (True, True, True, False): "┤",
    (False, True, True, True): "┬",
    (True, False, True, True): "┴",
}


def _corners(grid: list[list[str]]) -> None:
    """Crossings and turns of lines drawn as the box-drawing character that joins the
    lines around them (a turn of a connector as ┐, not ┼)."""
    vertical, horizontal = set("│┼▶"), set("─┼▶█")
    rows, columns = len(grid), len(grid[0])
    for r in range(rows):
        for c in range(columns):
            if grid[r][c] != "┼":
                continue
            sides = (
                r > 0 and grid[r - 1][c] in vertical,
                r < rows - 1 and grid[r + 1][c] in vertical,
                c > 0 and grid[r][c - 1] in horizontal,
                c < columns - 1 and grid[r][c + 1] in horizontal,
            )
            grid[r][c] = _JOINS.get(sides, "┼")


def to_text(root: Group, columns: int = 100) -> str:
    """``root`` drawn in Unicode, ``columns`` characters wide at most.

    Shapes first, then lines where no shape is, then each label where all its characters
    are free (a label that would cover another is left out rather than garbled).
    """
    box = root.box() or (0.0, 0.0, 1.0, 1.0)
    width = max(box[2] - box[0], 1.0)
    per_column = width / max(columns - 1, 1)
    per_row = per_column * CELL_ASPECT
    rows = max(1, math.ceil((box[3] - box[1]) / per_row) + 1)
    grid = [[" "] * columns for _ in range(rows)]

    def cell(x: float, y: float) -> tuple[int, int]:
        col = min(columns - 1, max(0, round((x - box[0]) / per_column)))
        row = min(rows - 1, max(0, round((y - box[1]) / per_row)))
        return row, col

    elements: list[Element] = []
    _flatten(root, elements)
    for element in elements:
        if isinstance(element, Rect | Polygon | Circle) and _cls(element) in SHAPES:
            r0, c0 = cell(*element.box()[:2])
            r1, c1 = cell(*element.box()[2:])
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    grid[r][c] = "█"
    for element in elements:
        if isinstance(element, Line) and _cls(element) in LINES:
            (r0, c0), (r1, c1) = cell(element.x1, element.y1), cell(element.x2, element.y2)
            steps = max(abs(r1 - r0), abs(c1 - c0), 1)
            mark = "─" if r0 == r1 else ("│" if c0 == c1 else "·")
            for k in range(steps + 1):
                r = round(r0 + (r1 - r0) * k / steps)
                c = round(c0 + (c1 - c0) * k / steps)
                if grid[r][c] == " ":
                    grid[r][c] = mark
                elif grid[r][c] in "─│" and grid[r][c] != mark and mark != "·":
                    grid[r][c] = "┼"
        elif isinstance(element, Polygon) and _cls(element) in ("wrap-head", "arrow"):
            r, c = cell(element.box()[2], (element.box()[1] + element.box()[3]) / 2)
            grid[r][c] = "▶"
    _corners(grid)
    for element in elements:
        if not isinstance(element, Text) or not element.text.strip():
            continue
        text = element.text
        r, c = cell(element.x, element.y - element.size * 0.35)
        start = {"start": c, "middle": c - len(text) // 2, "end": c - len(text)}[element.anchor]
        start = max(0, min(start, columns - len(text)))
        # A free cell on each side too, so that neighbouring labels do not run together.
        span = grid[r][max(start - 1, 0) : start + len(text) + 1]
        if len(span) >= len(text) and all(ch == " " for ch in span):
            grid[r][start : start + len(text)] = list(text)
    lines = ["".join(row).rstrip() for row in grid]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


__all__ = [
    "CELL_WIDTH_PX",
    "PROTOCOLS",
    "image_protocol",
    "kitty_image",
    "preview_zoom",
    "terminal_image",
    "to_text",
]
