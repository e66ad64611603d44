"""PNG output through resvg (the ``png`` extra), imported only when a PNG is asked for.

resvg-py is chosen over cairosvg because it is one self-contained wheel (resvg is written
in Rust and statically linked), so ``pip install 'shapecalc-cnn[png]'`` works on a fresh
machine; cairosvg needs the cairo C library from the system's package manager.
"""

from __future__ import annotations

import math
import re

from ...errors import DrawError

#: Most pixels of a PNG (4 bytes each in memory while drawing): larger drawings get a
#: smaller zoom rather than gigabytes of memory.
MAX_PIXELS = 40_000_000

_SIZE = re.compile(r'<svg[^>]*?\swidth="([0-9.]+)"[^>]*?\sheight="([0-9.]+)"')


def svg_size(svg: str) -> tuple[float, float] | None:
    """The width and height in px that the document's root ``<svg>`` states, if it does."""
    found = _SIZE.search(svg)
    return None if not found else (float(found.group(1)), float(found.group(2)))


def png_zoom(svg: str, zoom: float) -> float:
    """``zoom``, or less when the PNG would exceed :data:`MAX_PIXELS`."""
    size = svg_size(svg)
    if size is None:
        return zoom
    pixels = size[0] * size[1] * zoom * zoom
    return zoom if pixels <= MAX_PIXELS else zoom * math.sqrt(MAX_PIXELS / pixels)


def svg_to_png(svg: str, zoom: float = 2.0) -> bytes:
    """Rasterise an SVG document to PNG bytes at ``zoom`` times its size (less for very
    large drawings, see :data:`MAX_PIXELS`).

    Raises:
        DrawError: resvg-py is not installed, or it refused the document.
    """
    try:
        import resvg_py
    except ImportError:
        from ...install import install_hint

        raise DrawError(f"PNG output needs resvg-py: {install_hint('png')}, or write .svg") from None
    try:
        data = resvg_py.svg_to_bytes(svg_string=svg, zoom=png_zoom(svg, zoom))
    except ValueError as err:
        raise DrawError(f"resvg could not render the drawing: {err}") from None
    return bytes(data)
