"""Render the drawings shown in README.md into docs/img/ (run after changing the styles).

python docs/make_images.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shapecalc import analyze
from shapecalc.render.svg.raster import svg_to_png

ROOT = Path(__file__).resolve().parent.parent
RESNET50 = (ROOT / "examples" / "resnet50.shape").read_text()
UNET = (ROOT / "examples" / "unet.shape").read_text()
#: name -> (spec, to_svg options). VGG-16 is longer than a slide, so it is drawn fitted to
#: 16:9 (the default for such networks); ResNet-50 folded to its blocks at depths 1 and 0.
IMAGES: dict[str, tuple[str, dict[str, Any]]] = {
    **{
        f"{name}_{style}": ((ROOT / "examples" / f"{name}.shape").read_text(), {"style": style})
        for name in ("lenet", "keras_mnist", "alexnet", "vgg16")
        for style in ("lenet", "alexnet")
    },
    "mlp_fcnn": ("784 | dense256 | relu | dense10 | softmax", {"style": "fcnn"}),
    "resnet50_depth1_lenet": (RESNET50, {"style": "lenet", "depth": 1}),
    "resnet50_depth0_alexnet": (RESNET50, {"style": "alexnet", "depth": 0}),
    "resnet18_graph": ((ROOT / "examples" / "resnet18.shape").read_text(), {"style": "graph"}),
    # Paths side by side, and the U-Net as a U (one line, and fitted to 16:9).
    "resnet18_lanes_lenet": (
        (ROOT / "examples" / "resnet18.shape").read_text(),
        {"style": "lenet", "fit": "none"},
    ),
    "unet_lenet": (UNET, {"style": "lenet", "fit": "none"}),
    "unet_fit_alexnet": (UNET, {"style": "alexnet", "fit": "16:9"}),
}


def main() -> None:
    """Write one PNG per entry of IMAGES, at the SVG's own size."""
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    for name, (spec, options) in IMAGES.items():
        path = out / f"{name}.png"
        path.write_bytes(svg_to_png(analyze(spec).to_svg(**options), zoom=1.0))
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
