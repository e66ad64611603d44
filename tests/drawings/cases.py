"""The drawings that the SVG tests, the golden files and the browser test share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shapecalc import analyze

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {p.stem: p.read_text() for p in sorted((ROOT / "examples").glob("*.shape"))}
MLP = "784 | dense256 | relu | dense10 | softmax"

#: name -> (spec, to_svg keyword arguments): every example in lenet and alexnet (they all
#: have feature maps), the MLP in fcnn, and variants that exercise the options.
#: The real networks written with blocks (ResNet, MobileNet, GoogLeNet, DenseNet, ...) make
#: 50-500 KB of SVG each: ResNet-18 (residual blocks) and SqueezeNet (concat blocks) stand for
#: them in the golden files; tests/test_branches.py draws every example without one.
BLOCK_EXAMPLES = {"resnet18", "squeezenet"}
DRAWINGS: dict[str, tuple[str, dict[str, Any]]] = {}
for _name, _spec in EXAMPLES.items():
    if analyze(_spec).blocks and _name not in BLOCK_EXAMPLES:
        continue
    for _style in ("lenet", "alexnet"):
        DRAWINGS[f"{_name}_{_style}"] = (_spec, {"style": _style})
DRAWINGS["mlp_fcnn"] = (MLP, {"style": "fcnn"})
DRAWINGS["mlp_fcnn_vertical"] = (MLP, {"style": "fcnn", "direction": "vertical"})
DRAWINGS["lenet_lenet_vertical"] = (EXAMPLES["lenet"], {"style": "lenet", "direction": "vertical"})
DRAWINGS["vgg16_alexnet_vertical"] = (
    EXAMPLES["vgg16"],
    {"style": "alexnet", "direction": "vertical"},
)
DRAWINGS["keras_mnist_lenet_options"] = (
    EXAMPLES["keras_mnist"],
    {
        "style": "lenet",
        "title": "<script>alert('x')</script> & \"quotes\"",
        "scale": "log",
        "max_channels": 4,
        "colors": {"conv": "#aa3377", "dense": "teal"},
        "opacity": 0.6,
        "spacing": 70,
    },
)
DRAWINGS["vgg16_lenet_linear"] = (EXAMPLES["vgg16"], {"style": "lenet", "scale": "linear"})

#: Unusual inputs: a 1D signal, a volume, a first activation, huge sizes, every reshape.
ODD = {
    "signal": "100x8 | conv5x16 pad2 | maxpool2 | flatten | dense3",
    "volume": "16x16x16x3 | conv3x3x3x8 stride2 pad1 | globalavgpool | dense2",
    "huge": "1000x1000x3 | conv3x3x100000 | maxpool2 | flatten | dense1000000000000",
    "reshapes": "64x64x3 | zeropad1 | conv3x3x8 | bn | upsample2 | gap | dense5",
    "input_only": "28x28x1",
}
for _name, _spec in ODD.items():
    for _style in ("lenet", "alexnet"):
        DRAWINGS[f"odd_{_name}_{_style}"] = (_spec, {"style": _style})
DRAWINGS["odd_relu_first_fcnn"] = (
    "1000000000000000000 | relu | dense4096 | dense1",
    {"style": "fcnn"},
)

#: The U-Net of the paper (examples/unet.shape): nested concats with copy-and-crop.
UNET = EXAMPLES["unet"]
#: The networks that must fit a 16:9 slide with readable labels (issue 17's proof).
FITTED = {
    "vgg16": EXAMPLES["vgg16"],
    "resnet50": EXAMPLES["resnet50"],
    "densenet121": EXAMPLES["densenet121"],
    "unet": UNET,
}
#: name -> (spec, options) of the fitted drawings: every one in both spatial styles, the
#: long ones also vertical (columns), ResNet-50 folded at depths 0 and 1.
FITS: dict[str, tuple[str, dict[str, Any]]] = {}
for _name, _spec in FITTED.items():
    for _style in ("lenet", "alexnet"):
        FITS[f"fit_{_name}_{_style}"] = (_spec, {"style": _style, "fit": "16:9"})
FITS["fit_vgg16_lenet_vertical"] = (
    EXAMPLES["vgg16"],
    {"style": "lenet", "fit": "16:9", "direction": "vertical"},
)
FITS["fit_resnet50_alexnet_vertical"] = (
    EXAMPLES["resnet50"],
    {"style": "alexnet", "fit": "16:9", "direction": "vertical"},
)
for _depth in (0, 1):
    FITS[f"depth{_depth}_resnet50_lenet"] = (
        EXAMPLES["resnet50"],
        {"style": "lenet", "depth": _depth},
    )
FITS["fit_vgg16_lenet_4_3"] = (EXAMPLES["vgg16"], {"style": "lenet", "fit": "4:3"})
FITS["fit_deep_mlp_fcnn"] = (
    "784 | " + " | ".join(["dense32"] * 30),
    {"style": "fcnn", "max_nodes": 6},
)
#: The graph style: a network with residual blocks, one vertical, one fitted and folded.
FITS["graph_resnet18"] = (EXAMPLES["resnet18"], {"style": "graph"})
FITS["graph_lenet_vertical"] = (EXAMPLES["lenet"], {"style": "graph", "direction": "vertical"})
FITS["fit_densenet121_graph"] = (EXAMPLES["densenet121"], {"style": "graph", "fit": "16:9"})
FITS["graph_squeezenet_full"] = (EXAMPLES["squeezenet"], {"style": "graph", "fit": "none"})
DRAWINGS.update(FITS)
