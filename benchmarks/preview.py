"""Time of ``draw --preview``'s images: the PNG (resvg), and for sixel the pure-Python steps
after it (reading the PNG, the palette, the bands), at two terminal widths. Prints figures;
asserts nothing. Needs resvg-py (the png extra).

    python benchmarks/preview.py [--runs 3]

Medians of the runs, in-process, of :func:`shapecalc.render.svg.terminal.terminal_image`'s
parts for the default (fitted) drawings of VGG-16 and ResNet-50.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shapecalc import analyze
from shapecalc.render.svg.pngread import decode_png
from shapecalc.render.svg.raster import svg_size, svg_to_png
from shapecalc.render.svg.sixel import encode, quantise
from shapecalc.render.svg.terminal import preview_zoom

ROOT = Path(__file__).resolve().parent.parent
NETWORKS = ("vgg16", "resnet50")
WIDTHS = (800, 1600)


def _median(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    """Print one line per network and width."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    for name in NETWORKS:
        svg = analyze((ROOT / "examples" / f"{name}.shape").read_text()).to_svg()
        for width in WIDTHS:
            zoom = preview_zoom(svg_size(svg), width)
            png_s, png = _median(runs, lambda: svg_to_png(svg, zoom=zoom))  # noqa: B023
            read_s, raster = _median(runs, lambda: decode_png(png))  # noqa: B023
            palette_s, image = _median(runs, lambda: quantise(raster))  # noqa: B023
            bands_s, sixel = _median(runs, lambda: encode(image))  # noqa: B023
            sixel_s = read_s + palette_s + bands_s
            print(
                f"{name:9} {raster.width:5}x{raster.height:<5} png {png_s * 1000:6.0f} ms"
                f"  sixel: read {read_s * 1000:5.0f}  palette {palette_s * 1000:5.0f}"
                f"  bands {bands_s * 1000:5.0f}  = {sixel_s * 1000:5.0f} ms"
                f"  ({len(image.palette)} colours, {len(sixel):,} bytes; kitty {len(png):,})"
            )


if __name__ == "__main__":
    main()
