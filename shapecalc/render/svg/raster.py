"""PNG output through resvg (the ``png`` extra), imported only when a PNG is asked for.

resvg-py is chosen over cairosvg because it is one self-contained wheel (resvg is written
in Rust and statically linked), so ``pip install 'shapecalc[png]'`` works on a fresh
machine; cairosvg needs the cairo C library from the system's package manager.
"""

from __future__ import annotations

from .model import DrawError


def svg_to_png(svg: str, zoom: float = 2.0) -> bytes:
    """Rasterise an SVG document to PNG bytes at ``zoom`` times its size.

    Raises:
        DrawError: resvg-py is not installed, or it refused the document.
    """
    try:
        import resvg_py
    except ImportError:
        raise DrawError(
            "PNG output needs resvg-py: pip install 'shapecalc[png]' (or write .svg)"
        ) from None
    try:
        data = resvg_py.svg_to_bytes(svg_string=svg, zoom=zoom)
    except ValueError as err:
        raise DrawError(f"resvg could not render the drawing: {err}") from None
    return bytes(data)
