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

#: Blocks drawn with their paths in lanes (lenet and alexnet): an inverted residual with a
#: squeeze-and-excitation ``mul`` inside, a three-path concat, a projection shortcut, an
#: identity path of a concat, and a split (ShuffleNetV2's).
MIXED = (
    "28x28x8 | res(conv1x1x16 | relu | conv3x3x16 pad1 dw | mul(adaptiveavgpool1 | conv1x1x4"
    " | relu | conv1x1x16 | sigmoid) | conv1x1x8) | concat(conv1x1x4 ; conv3x3x4 pad1 ;"
    " maxpool3 s1 pad1) | res(conv3x3x12 s2 pad1 ; conv1x1x12 s2) | concat(identity ;"
    " conv3x3x4 pad1) | split(identity ; conv1x1x8 | relu) | gap | dense10"
)
#: Six identity blocks: long enough to wrap at 16:9, small enough to keep their lanes.
RESIDUALS = "8x8x4 | (res(conv3x3x4 pad1) | relu)x6"
#: name -> (spec, options) of the drawings with lanes, and of the U-Nets drawn as a U.
LANES: dict[str, tuple[str, dict[str, Any]]] = {}
for _style in ("lenet", "alexnet"):
    LANES[f"lanes_mixed_{_style}"] = (MIXED, {"style": _style, "fit": "none"})
    LANES[f"lanes_mixed_{_style}_vertical"] = (
        MIXED,
        {"style": _style, "fit": "none", "direction": "vertical"},
    )
    LANES[f"lanes_resnet18_{_style}"] = (EXAMPLES["resnet18"], {"style": _style, "fit": "none"})
    LANES[f"lanes_residuals_{_style}_fit"] = (RESIDUALS, {"style": _style, "fit": "16:9"})
    for _name in ("unet", "unet_padded"):
        LANES[f"u_{_name}_{_style}"] = (EXAMPLES[_name], {"style": _style, "fit": "none"})
LANES["lanes_mixed_lenet_spacing"] = (
    MIXED,
    {"style": "lenet", "fit": "none", "spacing": 90, "legend": False},
)
LANES["lanes_mixed_alexnet_depth1"] = (MIXED, {"style": "alexnet", "fit": "none", "depth": 1})
LANES["u_unet_lenet_vertical"] = (
    EXAMPLES["unet"],
    {"style": "lenet", "fit": "none", "direction": "vertical"},
)
DRAWINGS.update(LANES)
