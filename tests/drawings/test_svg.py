"""The drawings' structure: one group per tensor with the right labels, counts that follow
the caps, escaping, determinism, options, the command and golden files per style.

Expected shapes come from the networks' published definitions (d2l.ai's LeNet, torchvision's
AlexNet and VGG-16, the Keras MNIST example), not from our own output.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecalc import analyze
from shapecalc.cli import cli
from shapecalc.render.svg import DrawError, DrawOptions, parse_colors

from .cases import DRAWINGS, EXAMPLES, MLP, ROOT

NS = "{http://www.w3.org/2000/svg}"
GOLDEN = ROOT / "tests" / "golden" / "svg"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def layers(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{NS}g") if (g.get("class") or "").startswith("layer ")]


def texts(element: ET.Element, cls: str) -> list[str]:
    return [t.text or "" for t in element.iter(f"{NS}text") if t.get("class") == cls]


def maps(group: ET.Element) -> list[ET.Element]:
    return [r for r in group.iter(f"{NS}rect") if r.get("class") == "map"]


LENET_LABELS = [
    "1@28×28",
    "6@28×28",
    "6@14×14",
    "16@10×10",
    "16@5×5",
    "1×400",
    "1×120",
    "1×84",
    "1×10",
]
ALEXNET_LABELS = [
    "3@224×224", "64@55×55", "64@27×27", "192@27×27", "192@13×13", "384@13×13", "256@13×13",
    "256@13×13", "256@6×6", "256@6×6", "1×9216", "1×4096", "1×4096", "1×1000",
]  # fmt: skip
MNIST_LABELS = ["1@28×28", "32@26×26", "32@13×13", "64@11×11", "64@5×5", "1×1600", "1×10"]
VGG_LABELS = (
    ["3@224×224", "64@224×224", "64@224×224", "64@112×112"]
    + ["128@112×112"] * 2 + ["128@56×56"] + ["256@56×56"] * 3 + ["256@28×28"]
    + ["512@28×28"] * 3 + ["512@14×14"] + ["512@14×14"] * 3 + ["512@7×7"]
    + ["1×25088", "1×4096", "1×4096", "1×1000"]
)  # fmt: skip
EXPECTED = {
    "lenet": LENET_LABELS,
    "alexnet": ALEXNET_LABELS,
    "keras_mnist": MNIST_LABELS,
    "vgg16": VGG_LABELS,
    "quiz_same": ["1@28×28", "16@28×28"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_lenet_style_has_one_group_per_tensor_with_its_label(name: str) -> None:
    root = parse(analyze(EXAMPLES[name]).to_svg(style="lenet"))
    groups = layers(root)
    assert [texts(g, "shape-label") for g in groups] == [[label] for label in EXPECTED[name]]
    for group, label in zip(groups, EXPECTED[name]):
        if "@" in label:  # feature maps: one rectangle per channel up to the default cap 12
            channels = int(label.split("@")[0])
            assert len(maps(group)) == min(channels, 12)
            assert len(texts(group, "note")) == (channels > 12)
        else:
            assert [p.get("class") for p in group.iter(f"{NS}polygon")] == ["vector"]


def test_lenet_operations_are_written_under_the_gaps() -> None:
    root = parse(analyze(EXAMPLES["lenet"]).to_svg(style="lenet"))
    ops = [texts(g, "op-label") for g in layers(root)]
    assert ops == [
        [],
        ["Conv 5×5 s1 pad2", "+ Sigmoid"],
        ["Avg-Pool 2×2"],
        ["Conv 5×5 s1", "+ Sigmoid"],
        ["Avg-Pool 2×2"],
        ["Flatten"],
        ["Dense", "+ Sigmoid"],
        ["Dense", "+ Sigmoid"],
        ["Dense"],
    ]
    # A kernel window and two projection lines for each convolution and pooling.
    for group in layers(root):
        windows = [r for r in group.iter(f"{NS}rect") if r.get("class") == "kernel"]
        lines = [line for line in group.iter(f"{NS}line") if line.get("class") == "projection"]
        expected = 1 if group.get("class") in ("layer conv", "layer pool") else 0
        assert (len(windows), len(lines)) == (expected, 2 * expected)


@pytest.mark.parametrize("cap", [1, 4, 12, 64])
def test_feature_maps_follow_the_channel_cap(cap: int) -> None:
    root = parse(analyze(EXAMPLES["vgg16"]).to_svg(style="lenet", max_channels=cap))
    for group, label in zip(layers(root), VGG_LABELS):
        if "@" in label:
            assert len(maps(group)) == min(int(label.split("@")[0]), cap)


def test_alexnet_style_writes_h_w_c_on_the_edges() -> None:
    root = parse(analyze(EXAMPLES["alexnet"]).to_svg(style="alexnet", fit="none"))
    groups = layers(root)
    assert len(groups) == len(ALEXNET_LABELS)
    for group, label in zip(groups, ALEXNET_LABELS):
        edges = texts(group, "edge-label")
        if "@" in label:
            channels, size = label.split("@")
            height, width = size.split("×")
            assert edges == [height, width, channels]
            assert len([p for p in group.iter(f"{NS}rect") if p.get("class") == "box"]) == 1
        else:
            assert edges == [label.split("×")[1]]
    # Every conv and pool layer with a window has a kernel box and a four-line pyramid;
    # every dense layer (and the flatten) an arrow.
    for group in groups:
        kind = group.get("class")
        pyramid = [line for line in group.iter(f"{NS}line") if line.get("class") == "projection"]
        arrows = [line for line in group.iter(f"{NS}line") if line.get("class") == "arrow"]
        if group.get("id") == "layer-14":  # adaptiveavgpool has no window
            assert (len(pyramid), len(arrows)) == (0, 0)
        elif kind in ("layer conv", "layer pool"):
            assert (len(pyramid), len(arrows)) == (4, 0)
        elif kind in ("layer dense", "layer reshape"):
            assert (len(pyramid), len(arrows)) == (0, 1)
    # Kernel sizes of torchvision's AlexNet, written beside each kernel.
    kernels = [texts(g, "kernel-label") for g in groups]
    assert [k for k in kernels if k] == [["11×11"], ["3×3"], ["5×5"], ["3×3"]] + [["3×3"]] * 4


@pytest.mark.parametrize("cap", [2, 5, 16])
def test_fcnn_nodes_and_edges_follow_the_node_cap(cap: int) -> None:
    root = parse(analyze(MLP).to_svg(style="fcnn", max_nodes=cap))
    groups = layers(root)
    nodes = [len(list(g.iter(f"{NS}circle"))) for g in groups]
    assert nodes == [min(784, cap), min(256, cap), min(10, cap)]
    edges = [len([e for e in g.iter(f"{NS}line") if e.get("class") == "edge"]) for g in groups]
    assert edges == [0, nodes[0] * nodes[1], nodes[1] * nodes[2]]
    ellipses = [len(texts(g, "ellipsis")) for g in groups]
    assert ellipses == [1, 1, int(10 > cap)]
    labels = [texts(g, "shape-label") for g in groups]
    assert labels == [["Input ∈ ℝ⁷⁸⁴"], ["Hidden ∈ ℝ²⁵⁶"], ["Output ∈ ℝ¹⁰"]]


def test_the_default_style_follows_the_network() -> None:
    assert len(list(parse(analyze(MLP).to_svg()).iter(f"{NS}circle"))) > 0
    assert len(maps(parse(analyze(EXAMPLES["lenet"]).to_svg()))) > 0


def test_fcnn_refuses_feature_maps() -> None:
    with pytest.raises(DrawError, match="fcnn style draws vectors.*--style lenet"):
        analyze(EXAMPLES["lenet"]).to_svg(style="fcnn")


def test_a_title_with_markup_is_text() -> None:
    title = "<script>alert(1)</script> & <b>bold</b>"
    svg = analyze(EXAMPLES["quiz_same"]).to_svg(title=title)
    root = parse(svg)
    assert not [e for e in root.iter() if e.tag in (f"{NS}script", f"{NS}b", "script", "b")]
    assert texts(root, "title") == [title]
    assert "&lt;script&gt;" in svg and "<script" not in svg


def test_characters_xml_forbids_are_replaced() -> None:
    # a C0 control cannot appear in XML 1.0 even escaped: the SVG must still parse
    svg = analyze(EXAMPLES["quiz_same"]).to_svg(title="a\x01b\x1fc & d")
    root = parse(svg)
    assert texts(root, "title") == ["a\ufffdb\ufffdc & d"]


def test_standalone_svg_1_1_with_fallback_fonts() -> None:
    root = parse(analyze(EXAMPLES["lenet"]).to_svg())
    assert root.tag == f"{NS}svg" and root.get("version") == "1.1"
    x, y, w, h = (float(v) for v in (root.get("viewBox") or "").split())
    assert (float(root.get("width") or 0), float(root.get("height") or 0)) == (w, h)
    assert (root.get("font-family") or "").endswith("sans-serif")
    # Nothing refers outside the file.
    assert not [e for e in root.iter() if any("href" in k for k in e.attrib)]


@pytest.mark.slow
def test_same_spec_same_bytes_across_processes() -> None:
    command = [sys.executable, "-m", "shapecalc", "draw", "-f", str(ROOT / "examples" / "vgg16.shape"), "-o", "-"]  # fmt: skip
    outputs = {
        subprocess.run(
            command, capture_output=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {analyze(EXAMPLES["vgg16"]).to_svg().encode("utf-8")}


def _front_widths(svg: str) -> list[float]:
    return [float(maps(g)[-1].get("width") or 0) for g in layers(parse(svg))]


@pytest.mark.parametrize(
    ("scale", "ratio"),
    [("linear", 0.5), ("sqrt", math.sqrt(0.5)), ("log", math.log(15) / math.log(29))],
)
def test_scales(scale: str, ratio: float) -> None:
    big, small = _front_widths(analyze("28x28x1 | maxpool2").to_svg(style="lenet", scale=scale))
    assert small / big == pytest.approx(ratio, abs=1e-3)


def test_default_scale_shows_vgg16s_largest_and_smallest_maps() -> None:
    vgg = analyze(EXAMPLES["vgg16"].split("flatten")[0])
    widths = _front_widths(vgg.to_svg(style="lenet", fit="none"))
    assert max(widths) == 160 and min(widths) >= 20  # 7x7 at a fifth of 224x224, not 1/32


def test_symbolic_spec_draws_at_values_with_symbolic_labels() -> None:
    symbolic = analyze("nxnx1 | conv3x3x16 same | maxpool2", n=28).to_svg(style="lenet")
    concrete = analyze("28x28x1 | conv3x3x16 same | maxpool2").to_svg(style="lenet")
    labels = [texts(g, "shape-label") for g in layers(parse(symbolic))]
    assert labels == [["1@n×n"], ["16@n×n"], ["16@floor(n/2)×floor(n/2)"]]
    geometry = [[r.attrib for r in maps(g)] for g in layers(parse(symbolic))]
    assert geometry == [[r.attrib for r in maps(g)] for g in layers(parse(concrete))]


def test_symbolic_sums_are_parenthesised() -> None:
    root = parse(analyze("28x28x1 | conv{f}x{f}x8", f=3).to_svg(style="lenet"))
    assert [texts(g, "shape-label") for g in layers(root)] == [
        ["1@28×28"],
        ["8@(-f + 29)×(-f + 29)"],
    ]  # 28 - f + 1, printed as the table prints it


def test_repr_svg_is_the_drawing() -> None:
    analysis = analyze(EXAMPLES["quiz_same"])
    assert analysis._repr_svg_() == analysis.to_svg()


def test_only_svg_1_1_elements_and_attributes() -> None:
    """Every golden drawing uses only these SVG 1.1 elements and presentation attributes."""
    allowed = {
        "svg": {"xmlns", "version", "width", "height", "viewBox", "font-family", "font-size"},
        "title": set(),
        "desc": set(),
        "g": {"class", "id"},
        "rect": {
            "class",
            "x",
            "y",
            "width",
            "height",
            "fill",
            "stroke",
            "stroke-width",
            "fill-opacity",
        },
        "polygon": {"class", "points", "fill", "stroke", "stroke-width", "fill-opacity"},
        "line": {"class", "x1", "y1", "x2", "y2", "stroke", "stroke-width", "stroke-opacity"},
        "circle": {"class", "cx", "cy", "r", "fill", "stroke", "stroke-width", "fill-opacity"},
        "text": {"class", "x", "y", "text-anchor", "font-size"},
    }
    for path in sorted(GOLDEN.glob("*.svg")):
        for element in parse(path.read_text(encoding="utf-8")).iter():
            tag = element.tag.removeprefix(NS)
            assert tag in allowed, (path.name, tag)
            assert set(element.attrib) <= allowed[tag], (path.name, tag, element.attrib)


def test_symbolic_spec_without_values_is_refused() -> None:
    result = CliRunner().invoke(cli, ["draw", "nxnx1 | conv3x3x16", "-o", "-"])
    assert result.exit_code == 2
    assert "give values for n with --at n=28" in result.output
    assert analyze("nxnx1 | conv3x3x16")._repr_svg_() is None


def test_options() -> None:
    spec = EXAMPLES["keras_mnist"]
    bare = parse(analyze(spec).to_svg(labels=False, legend=False))
    assert list(bare.iter(f"{NS}text")) == []
    colored = layers(parse(analyze(spec).to_svg(colors={"conv": "#aa3377"}, opacity=0.5)))
    assert [r.get("fill") for r in maps(colored[1])[:2]] == ["#aa3377", "#d08fb4"]
    assert {r.get("fill-opacity") for g in colored for r in maps(g)} == {"0.5"}
    legend = [g for g in parse(analyze(spec).to_svg()).iter(f"{NS}g") if g.get("class") == "legend"]
    assert texts(legend[0], "legend-label") == [
        "Input",
        "Convolution",
        "Pooling",
        "Reshape",
        "Dense",
    ]
    narrow = float(parse(analyze(spec).to_svg(spacing=0, fit="none")).get("width") or 0)
    wide = float(parse(analyze(spec).to_svg(spacing=300, fit="none")).get("width") or 0)
    assert wide > narrow + 5 * 200  # six gaps, each at least 300 px instead of the labels' width


@pytest.mark.parametrize("style", ["lenet", "alexnet", "fcnn"])
def test_direction(style: str) -> None:
    spec = MLP if style == "fcnn" else EXAMPLES["keras_mnist"]
    for direction, axis in (("horizontal", 0), ("vertical", 1)):
        root = parse(analyze(spec).to_svg(style=style, direction=direction))
        centres = []
        for group in layers(root):
            shape = next(e for e in group if e.get("class") in ("map", "vector", "box", "node"))
            centres.append(_corner(shape)[axis])
        assert centres == sorted(centres) and len(set(centres)) == len(centres)


def _corner(shape: ET.Element) -> tuple[float, float]:
    if shape.tag == f"{NS}polygon":
        x, y = (shape.get("points") or "").split()[0].split(",")
        return float(x), float(y)
    keys = ("cx", "cy") if shape.tag == f"{NS}circle" else ("x", "y")
    return float(shape.get(keys[0]) or 0), float(shape.get(keys[1]) or 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"style": "nnsvg"}, "style 'nnsvg'"),
        ({"scale": "cubic"}, "scale 'cubic'"),
        ({"max_channels": 0}, "max_channels 0"),
        ({"opacity": 2.0}, "opacity 2.0"),
        ({"colors": {"conv": "red;x"}}, "colour"),
    ],
)
def test_bad_options_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(DrawError, match=message):
        DrawOptions(**kwargs)


def test_parse_colors() -> None:
    assert parse_colors("conv=#ff0000, pool=orange") == {"conv": "#ff0000", "pool": "orange"}
    with pytest.raises(DrawError, match="'blob=red' is not kind=colour"):
        parse_colors("blob=red")
    with pytest.raises(DrawError, match="is not a colour"):
        parse_colors('conv=red"/><script>')


def test_command_writes_svg_png_and_stdout(tmp_path: Path) -> None:
    runner = CliRunner()
    svg_path, png_path = tmp_path / "net.svg", tmp_path / "net.png"
    spec_file = str(ROOT / "examples" / "lenet.shape")
    for target in (svg_path, png_path):
        result = runner.invoke(cli, ["draw", "-f", spec_file, "-o", str(target)])
        assert result.exit_code == 0, result.output
    svg = svg_path.read_text(encoding="utf-8")
    assert svg == analyze(EXAMPLES["lenet"]).to_svg()
    png = png_path.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert abs(width - 2 * float(parse(svg).get("width") or 0)) <= 2  # rendered at 2x
    result = runner.invoke(cli, ["draw", "784 | dense10", "--style", "fcnn", "-o", "-"])
    assert result.exit_code == 0 and result.output.startswith("<?xml")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["draw", "28x28x1", "-o", "net.pdf"], "write .svg or .png"),
        (["draw", "28x28x1 | conv3x3x4", "--style", "fcnn", "-o", "-"], "fcnn style"),
        (["draw", "28x28x1", "--colors", "conv", "-o", "-"], "not kind=colour"),
        (["draw", "28x28x1", "--scale", "cubic", "-o", "-"], "cubic"),
        (["draw", "28x28x1 | conv30x30x4", "-o", "-"], "kernel 30 is larger"),
        (["draw", "28x28x1", "-o", "/nonexistent/dir/net.svg"], "cannot write"),
    ],
)
def test_command_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_golden_svg(name: str, request: pytest.FixtureRequest) -> None:
    spec, options = DRAWINGS[name]
    svg = analyze(spec).to_svg(**options)
    path = GOLDEN / f"{name}.svg"
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(svg, encoding="utf-8")
    assert path.exists(), f"missing {path.name}: run pytest --update-golden"
    assert svg == path.read_text(encoding="utf-8")


def test_readme_shows_every_image_in_docs_img() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    images = sorted(p.name for p in (ROOT / "docs" / "img").glob("*.png"))
    # Each of the four example networks in both spatial styles, the MLP in fcnn, and
    # ResNet-50 folded at depths 1 and 0, ResNet-18 in the graph style and in lanes, the U-Net.
    expected = [
        f"{n}_{s}.png"
        for n in ("alexnet", "keras_mnist", "lenet", "vgg16")
        for s in ("alexnet", "lenet")
    ]
    folded = ["resnet50_depth1_lenet.png", "resnet50_depth0_alexnet.png", "resnet18_graph.png"]
    # Paths side by side, and the U-Net as a U.
    lanes = ["resnet18_lanes_lenet.png", "unet_lenet.png", "unet_fit_alexnet.png"]
    assert images == sorted([*expected, "mlp_fcnn.png", *folded, *lanes])
    for name in images:
        assert f"(docs/img/{name})" in readme
        assert (ROOT / "docs" / "img" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_drawing_too_large_to_be_useful_is_refused() -> None:
    deep = "784 | " + " | ".join(["dense64"] * 200)  # 200 gaps of 64 x 64 edges = 819,200
    with pytest.raises(DrawError, match="819,200 edges"):
        analyze(deep).to_svg(style="fcnn", max_nodes=64)
    one_line = analyze(deep).to_svg(style="fcnn", max_nodes=8, fit="none")
    assert one_line.count("<line") == 200 * 64


def test_at_most_1000_tensors_are_drawn() -> None:
    assert len(layers(parse(analyze("8x8x1 | (conv1x1x1)x999").to_svg()))) == 1000
    with pytest.raises(DrawError, match="more than 1,000 tensors"):
        analyze("8x8x1 | (conv1x1x1)x1000").to_svg()


def test_huge_pngs_are_drawn_smaller() -> None:
    from shapecalc.render.svg.raster import MAX_PIXELS, png_zoom

    svg = analyze(EXAMPLES["lenet"]).to_svg()
    assert png_zoom(svg, 2.0) == 2.0
    wide = '<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="1000">'
    assert 100_000 * 1000 * png_zoom(wide, 2.0) ** 2 == pytest.approx(MAX_PIXELS)


def test_a_transposed_convolution_spreads_a_pixel_to_its_kernel() -> None:
    # DCGAN's first layer: a 1x1 input, a 4x4 transposed convolution. Each input pixel
    # writes a 4x4 patch of the output, so the window is on the output (inside its front
    # map), and on the input only the pixel, no larger than the map it is on.
    root = parse(analyze("1x1x100 | deconv4x4x64 nobias | relu").to_svg(style="lenet"))
    groups = layers(root)
    kernels = [r for r in groups[1].iter(f"{NS}rect") if r.get("class") == "kernel"]
    assert len(kernels) == 2
    pixel, patch = ([float(r.get(k) or 0) for k in ("x", "y", "width", "height")] for r in kernels)
    before, after = maps(groups[0])[-1], maps(groups[1])[-1]
    fronts = [
        [float(m.get(k) or 0) for k in ("x", "y", "width", "height")] for m in (before, after)
    ]
    for (x, y, w, h), (fx, fy, fw, fh) in ((pixel, fronts[0]), (patch, fronts[1])):
        assert fx <= x and x + w <= fx + fw and fy <= y and y + h <= fy + fh
    # A convolution keeps its window on its input, as before.
    conv = layers(parse(analyze("8x8x1 | conv3x3x4").to_svg(style="lenet")))
    assert len([r for r in conv[1].iter(f"{NS}rect") if r.get("class") == "kernel"]) == 1


@pytest.mark.parametrize("name", ["squeezenet", "vgg16", "resnet18"])
def test_kernel_windows_lie_on_a_front_map_when_shrunk(name: str) -> None:
    # Fitted to a slide, the shapes shrink (zoom < 1): every window is still a positive
    # rectangle on the front map of a tensor (it was placed by the full-size cascade once).
    root = parse(analyze(EXAMPLES[name]).to_svg(style="lenet", fit="16:9"))
    fronts = [
        [float(m.get(k) or 0) for k in ("x", "y", "width", "height")]
        for g in layers(root)
        if maps(g)
        for m in maps(g)[-1:]
    ]
    windows = [
        [float(r.get(k) or 0) for k in ("x", "y", "width", "height")]
        for r in root.iter(f"{NS}rect")
        if r.get("class") == "kernel"
    ]
    assert windows
    for x, y, w, h in windows:
        assert w > 0 and h > 0
        assert any(
            fx - 0.01 <= x
            and x + w <= fx + fw + 0.01
            and fy - 0.01 <= y
            and y + h <= fy + fh + 0.01
            for fx, fy, fw, fh in fronts
        )
