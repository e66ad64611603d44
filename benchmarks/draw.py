"""Time to draw VGG-16 (and a 999-layer net, the most a drawing holds) in each style, and the sizes of the results.
Prints figures; asserts nothing.

    python benchmarks/draw.py [--runs 5]

In-process timings of ``analyze(spec).to_svg(style=...)`` (median of the runs), then the SVG
size, and the PNG time and size when resvg-py is installed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from shapecalc import analyze

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "VGG-16": ((ROOT / "examples" / "vgg16.shape").read_text(), ("lenet", "alexnet")),
    "999 convs": ("64x64x8 | " + " | ".join(["conv3x3x8 same"] * 999), ("lenet", "alexnet")),
    "MLP 784-256-10": ("784 | dense256 | relu | dense10 | softmax", ("fcnn",)),
}


def _median(runs: int, work: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print one line per case and style."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    try:
        import resvg_py  # noqa: F401

        from shapecalc.render.svg.raster import svg_to_png
    except ImportError:
        svg_to_png = None  # type: ignore[assignment]
    for name, (spec, styles) in CASES.items():
        analysis = analyze(spec)
        for style in styles:
            seconds = _median(runs, lambda: analysis.to_svg(style=style))  # noqa: B023
            svg = analysis.to_svg(style=style)
            line = f"{name:16} {style:8} svg {seconds * 1000:7.1f} ms {len(svg.encode()):>10,} bytes"
            if svg_to_png is not None and len(svg) < 500_000:  # the big ones take minutes
                png_seconds = _median(1, lambda: svg_to_png(svg))  # noqa: B023
                png = svg_to_png(svg)
                line += f"   png (2x) {png_seconds * 1000:7.1f} ms {len(png):>10,} bytes"
            print(line)


if __name__ == "__main__":
    main()
