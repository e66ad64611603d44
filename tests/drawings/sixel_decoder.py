"""A small sixel decoder written from the format's description (VT330/VT340 Programmer
Reference, chapter 14), independent of shapecalc's encoder: the tests decode what the
encoder wrote and compare pixels."""

from __future__ import annotations

import re
from dataclasses import dataclass

Percent = tuple[int, int, int]

_NUMBERS = re.compile(r"[0-9;]*")


@dataclass
class Decoded:
    """The image a sixel sequence paints: ``pixels[y][x]`` is the colour (r, g, b in
    percent) of the register that painted it last, or None where nothing was painted;
    ``size`` the raster attributes' width and height."""

    size: tuple[int, int] | None
    registers: dict[int, Percent]
    pixels: list[list[Percent | None]]


def decode(sequence: str) -> Decoded:
    """The image of one ``ESC P ... q ... ESC \\`` sequence."""
    assert sequence.startswith("\x1bP"), sequence[:10]
    body_start = sequence.index("q") + 1
    end = sequence.index("\x1b\\")
    body = sequence[body_start:end]
    size = None
    registers: dict[int, Percent] = {}
    painted: dict[tuple[int, int], Percent] = {}
    x = band = 0
    current: Percent | None = None
    i = 0
    while i < len(body):
        ch = body[i]
        if ch in '"#!':
            numbers = _NUMBERS.match(body, i + 1)
            assert numbers is not None
            params = [int(p) for p in numbers.group().split(";") if p != ""]
            i = numbers.end()
            if ch == '"':
                size = (params[2], params[3])
            elif ch == "#":
                if len(params) == 5:
                    assert params[1] == 2, "RGB colour space"
                    registers[params[0]] = (params[2], params[3], params[4])
                current = registers[params[0]]
            else:
                count = params[0]
                value = ord(body[i]) - 63
                i += 1
                for _ in range(count):
                    _paint(painted, x, band, value, current)
                    x += 1
            continue
        if ch == "$":
            x = 0
        elif ch == "-":
            x, band = 0, band + 1
        elif 63 <= ord(ch) <= 126:
            _paint(painted, x, band, ord(ch) - 63, current)
            x += 1
        else:
            raise AssertionError(f"unexpected {ch!r} in sixel data")
        i += 1
    width = max([p[0] + 1 for p in painted] + [size[0] if size else 0])
    height = max([p[1] + 1 for p in painted] + [size[1] if size else 0])
    pixels: list[list[Percent | None]] = [[None] * width for _ in range(height)]
    for (px, py), color in painted.items():
        pixels[py][px] = color
    return Decoded(size, registers, pixels)


def _paint(
    painted: dict[tuple[int, int], Percent], x: int, band: int, value: int, color: Percent | None
) -> None:
    for bit in range(6):
        if value >> bit & 1:
            assert color is not None, "a pixel painted before any colour was chosen"
            painted[(x, band * 6 + bit)] = color
