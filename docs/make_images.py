"""Render the drawings shown in README.md into docs/img/ (run after changing the styles).

python docs/make_images.py
"""

from __future__ import annotations

from pathlib import Path

from shapecalc import analyze
from shapecalc.render.svg.raster import svg_to_png

ROOT = Path(__file__).resolve().parent.parent
IMAGES = {
    **{
        f"{name}_{style}": ((ROOT / "examples" / f"{name}.shape").read_text(), style)
        for name in ("lenet", "keras_mnist", "alexnet", "vgg16")
        for style in ("lenet", "alexnet")
    },
    "mlp_fcnn": ("784 | dense256 | relu | dense10 | softmax", "fcnn"),
}


def main() -> None:
    """Write one PNG per entry of IMAGES, at the SVG's own size."""
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    for name, (spec, style) in IMAGES.items():
        path = out / f"{name}.png"
        path.write_bytes(svg_to_png(analyze(spec).to_svg(style=style), zoom=1.0))
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
