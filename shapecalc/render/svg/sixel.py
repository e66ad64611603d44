"""A raster as DEC sixel graphics: a palette of at most 256 colours, then the image in
bands six pixels tall, each colour's pixels of a band as one line of characters with runs
compressed.

The format (VT330/VT340 Programmer Reference, chapter 14; xterm's ctlseqs): the image is
``ESC P 0;1 q`` (P2 = 1: pixels not painted keep the background), raster attributes
``"1;1;W;H`` (square pixels, the size), colour registers ``#n;2;r;g;b`` in percent, then per
band of 6 rows and per colour ``#n`` followed by one character per column whose value less
63 has bit k set when row k of the band has that colour, ``!N c`` for N repeats of c, ``$``
back to the band's first column, ``-`` to the next band, and ``ESC \\`` at the end.

The palette (:func:`quantise`): a drawing has few colours, but antialiasing blends them at
every edge. Up to :data:`MAX_COLORS` distinct colours are kept exactly; beyond that the
most frequent ones (the fills, the background, the text: over 90 % of a drawing's pixels)
are kept exactly and every other colour goes to the nearest of those, a fixed 6×6×6 cube
and a ramp of greys (antialiased text is grey), 256 registers in all, as many as sixel
terminals commonly offer.

Pure functions; the pixels come from :mod:`.pngread`.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from .pngread import Raster, decode_png

#: Colour registers used at most.
MAX_COLORS = 256
#: The fixed cube's levels per channel (6 × 6 × 6 = 216 colours) and the grey ramp.
CUBE_LEVELS = (0, 51, 102, 153, 204, 255)
GREYS = tuple(8 + 15 * k for k in range(16))
#: Colours kept exactly beside the cube and the greys when there are more than 256.
FREQUENT = MAX_COLORS - len(CUBE_LEVELS) ** 3 - len(GREYS)
#: Rows per sixel band.
BAND = 6

START = "\x1bP0;1q"
END = "\x1b\\"

Color = tuple[int, int, int]

#: Byte translation tables: a mask value 0..63 to its sixel character (value + 63).
_TO_SIXEL = bytes((v + 63) & 0xFF for v in range(256))
_RUN = re.compile(rb"(.)\1{3,}")
#: Per palette index, the table that maps that byte to 1 and every other byte to 0.
_ONE_OF = tuple(bytes(v) + b"\x01" + bytes(255 - v) for v in range(256))


@dataclass(frozen=True)
class Indexed:
    """An image as palette indices: ``pixels`` holds one byte per pixel, row by row, each
    an index into ``palette``."""

    width: int
    height: int
    palette: tuple[Color, ...]
    pixels: bytes


def _packed(rgb: bytes) -> list[int]:
    """One int per pixel (RGB and a zero byte, in the machine's order), for fast counting
    and lookups: the standard library has no faster way to walk a million pixels."""
    rgbx = bytearray(len(rgb) // 3 * 4)
    for channel in range(3):
        rgbx[channel::4] = rgb[channel::3]
    packed: list[int] = memoryview(rgbx).cast("I").tolist()
    return packed


def _unpacked(key: int) -> Color:
    r, g, b, _ = key.to_bytes(4, sys.byteorder)
    return r, g, b


def _distance(a: Color, b: Color) -> int:
    return sum((x - y) ** 2 for x, y in zip(a, b))


def nearest_fixed(color: Color) -> Color:
    """The colour of the fixed 6×6×6 cube or the grey ramp nearest to ``color``."""
    cube = tuple(CUBE_LEVELS[min(5, (v + 25) // 51)] for v in color)
    level = sum(color) / 3
    grey_value = min(GREYS, key=lambda g: abs(g - level))
    grey = (grey_value, grey_value, grey_value)
    cube_color: Color = (cube[0], cube[1], cube[2])
    return grey if _distance(grey, color) < _distance(cube_color, color) else cube_color


def fixed_palette() -> tuple[Color, ...]:
    """The 6×6×6 cube, then the grey ramp."""
    cube = tuple((r, g, b) for r in CUBE_LEVELS for g in CUBE_LEVELS for b in CUBE_LEVELS)
    return cube + tuple((g, g, g) for g in GREYS)


def quantise(raster: Raster) -> Indexed:
    """``raster`` as at most :data:`MAX_COLORS` palette colours: its own colours when it has
    that few, else its :data:`FREQUENT` most frequent colours exactly, then
    :func:`fixed_palette`, every other pixel as the nearest colour of that palette (a blend
    of a fill and white at an edge goes to the fill when that is nearer than the cube). The
    palette is ordered by frequency (ties by colour), so the same image always gives the
    same bytes."""
    # Row by row, each different row once: a drawing repeats a third to two thirds of its
    # rows (the flat parts of shapes, the background), and pixels cost time one by one.
    stride = 3 * raster.width
    rows = [raster.rgb[y * stride : (y + 1) * stride] for y in range(raster.height)]
    packed = {row: _packed(row) for row in dict.fromkeys(rows)}
    counts: Counter[int] = Counter()
    for row, repeats in Counter(rows).items():
        in_row = Counter(packed[row])
        counts.update({key: n * repeats for key, n in in_row.items()} if repeats > 1 else in_row)
    ranked = sorted(counts, key=lambda key: (-counts[key], _unpacked(key)))
    if len(ranked) <= MAX_COLORS:
        palette = tuple(_unpacked(key) for key in ranked)
        index = {key: k for k, key in enumerate(ranked)}
    else:
        kept = tuple(_unpacked(key) for key in ranked[:FREQUENT])
        palette = kept + tuple(c for c in fixed_palette() if c not in set(kept))
        position = {color: k for k, color in enumerate(palette)}
        index = {key: k for k, key in enumerate(ranked[:FREQUENT])}
        for key in ranked[FREQUENT:]:
            color = _unpacked(key)
            r, g, b = color
            # The fixed palette's nearest is computed; the few kept colours are tried (a
            # plain loop: this runs for every blend of colours at the edges).
            nearest = nearest_fixed(color)
            least = _distance(nearest, color)
            for candidate in kept:
                kr, kg, kb = candidate
                d = (r - kr) * (r - kr) + (g - kg) * (g - kg) + (b - kb) * (b - kb)
                if d < least:
                    nearest, least = candidate, d
            index[key] = position[nearest]
    mapped = {row: bytes(map(index.__getitem__, keys)) for row, keys in packed.items()}
    pixels = b"".join(mapped[row] for row in rows)
    return Indexed(raster.width, raster.height, palette, pixels)


def _percent(value: int) -> int:
    return (value * 100 + 127) // 255


def _run(match: re.Match[bytes]) -> bytes:
    """A run of 4 or more equal characters as ``!N`` and the character (shorter runs are as
    short written out)."""
    return b"!%d%s" % (len(match.group()), match.group(1))


def _band_lines(image: Indexed, top: int) -> Iterator[bytes]:
    """``#n`` and the characters of every colour in the band of rows from ``top``."""
    width = image.width
    rows = [
        image.pixels[y * width : (y + 1) * width] for y in range(top, min(top + BAND, image.height))
    ]
    for color in sorted(set(b"".join(rows))):
        byte = bytes((color,))
        first = min(x for x in (row.find(byte) for row in rows) if x >= 0)
        last = max(row.rfind(byte) for row in rows) + 1
        # A translation table that maps this colour to 1 and every other to 0, then each
        # row's bit shifted into place: the masks of the columns it spans at once, as one
        # integer.
        table = _ONE_OF[color]
        mask = 0
        for bit, row in enumerate(rows):
            mask |= int.from_bytes(row[first:last].translate(table), "big") << bit
        chars = b"?" * first + mask.to_bytes(last - first, "big").translate(_TO_SIXEL)
        runs = _RUN.sub(_run, chars)
        yield b"#%d%s" % (color, runs)


def encode(image: Indexed) -> str:
    """The sixel escape sequence that shows ``image``, from ``ESC P`` to ``ESC \\``."""
    head = [START, f'"1;1;{image.width};{image.height}']
    for k, (r, g, b) in enumerate(image.palette):
        head.append(f"#{k};2;{_percent(r)};{_percent(g)};{_percent(b)}")
    bands = [b"$".join(_band_lines(image, top)) for top in range(0, image.height, BAND)]
    return "".join(head) + b"-".join(bands).decode("ascii") + END


def png_to_sixel(png: bytes) -> str:
    """The sixel escape sequence that shows the PNG ``png`` (as the rasteriser writes it).

    Raises:
        DrawError: a PNG that :func:`.pngread.decode_png` does not read.
    """
    return encode(quantise(decode_png(png)))


__all__ = [
    "Indexed",
    "encode",
    "fixed_palette",
    "nearest_fixed",
    "png_to_sixel",
    "quantise",
]
