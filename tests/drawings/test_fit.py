"""Drawings that fit a slide: --fit wraps and shrinks, --depth folds, --width/--height size,
--spacing works in every style, and every option refuses bad values in one line.

Expected shapes of the folded blocks come from the papers and torchvision (ResNet-50's
stages 256@56×56 ... 2048@7×7; DenseNet-121's 64 + 6·32 = 256 channels after the first dense
block), not from our own output; the geometry (nothing outside the viewBox, no overlaps,
connectors that end on tensors) is measured in a browser in test_browser.py.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from shapecalc import analyze
from shapecalc.cli import cli
from shapecalc.render.svg import DrawError, DrawOptions, is_color, parse_colors, parse_fit

from .cases import EXAMPLES, FITTED, MLP, UNET

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def size(svg: str) -> tuple[float, float]:
    root = parse(svg)
    return float(root.get("width") or 0), float(root.get("height") or 0)


def layer_ids(svg: str) -> list[str]:
    return [
        g.get("id") or ""
        for g in parse(svg).iter(f"{NS}g")
        if (g.get("class") or "").startswith("layer ")
    ]


def ops(svg: str) -> list[str]:
    """Every operation label, its lines joined (a wrapped label reads as one)."""
    found = []
    for g in parse(svg).iter(f"{NS}g"):
        if (g.get("class") or "").startswith("layer "):
            lines = [t.text or "" for t in g.iter(f"{NS}text") if t.get("class") == "op-label"]
            found.append(" ".join(lines))
    return found


def connectors(svg: str) -> list[ET.Element]:
    return [g for g in parse(svg).iter(f"{NS}g") if g.get("class") == "wrap"]


# -- 4. options that fail loudly ---------------------------------------------------------


@pytest.mark.parametrize("good", ["orange", "Orange", "rebeccapurple", "#abc", "#A1B2C3"])
def test_colours_are_css_names_and_short_or_long_hex(good: str) -> None:
    assert is_color(good)
    assert parse_colors(f"pool={good}") == {"pool": good}


@pytest.mark.parametrize("bad", ["notacolor", "#abcd", "#12345", "red;x", "url(#x)", ""])
def test_anything_else_is_not_a_colour(bad: str) -> None:
    assert not is_color(bad)
    with pytest.raises(DrawError, match="is not a colour"):
        parse_colors(f"pool={bad}")


def test_fit_ratios() -> None:
    assert parse_fit("16:9") == pytest.approx(16 / 9)
    assert parse_fit("1.5:1") == 1.5
    assert parse_fit("none") is None and parse_fit(None) is None
    for bad in ("16/9", "16:0", "wide", "-1:2", "100:1"):
        with pytest.raises(DrawError, match="fit"):
            parse_fit(bad)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--colors", "pool=notacolor"], "'notacolor' is not a colour"),
        (["--colors", "pool=#abcd"], "'#abcd' is not a colour"),
        (["--fit", "16x9"], "fit '16x9': use a ratio W:H"),
        (["--fit", "1:50"], "between 1:20 and 20:1"),
        (["--width", "5"], "'--width'"),
        (["--height", "-3"], "'--height'"),
        (["--depth", "-1"], "'--depth'"),
        (["--spacing", "5000"], "'--spacing'"),
        (["--opacity", "2"], "'--opacity'"),
        (["--max-channels", "0"], "'--max-channels'"),
        (["--direction", "diagonal"], "'--direction'"),
        (["--style", "nnsvg"], "'--style'"),
    ],
)
def test_every_bad_option_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["draw", "28x28x1 | conv3x3x4", *args, "-o", "-"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output and "<svg" not in result.output


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fit": "a:b"}, "fit 'a:b'"),
        ({"width": 1.0}, "width 1.0"),
        ({"height": 1e9}, "height"),
        ({"depth": -2}, "depth -2"),
        ({"colors": {"pool": "notacolor"}}, "colour pool='notacolor'"),
    ],
)
def test_bad_new_options_are_refused_in_python_too(kwargs: dict, message: str) -> None:
    with pytest.raises(DrawError, match=re.escape(message)):
        DrawOptions(**kwargs)


# -- 1. fit ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FITTED))
@pytest.mark.parametrize("style", ["lenet", "alexnet"])
def test_fit_16_9_is_16_9_with_labels_a_sixtieth_of_the_height(name: str, style: str) -> None:
    svg = analyze(FITTED[name]).to_svg(style=style, fit="16:9")
    width, height = size(svg)
    assert width / height == pytest.approx(16 / 9, rel=0.01)
    if name == "unet":
        # A U is never wrapped: it steps down and up as the paper draws it, compact enough
        # for the same rule.
        assert connectors(svg) == [] and 12 >= height / 60
        return
    assert 12 >= height / 60  # the labels are 12 px
    assert len(connectors(svg)) >= 1  # none of these fits one line


def test_wrapping_keeps_every_tensor_in_reading_order() -> None:
    vgg = analyze(EXAMPLES["vgg16"])
    one_line = vgg.to_svg(style="lenet", fit="none")
    wrapped = vgg.to_svg(style="lenet", fit="16:9")
    assert layer_ids(wrapped) == layer_ids(one_line)  # 22 tensors, none lost, none doubled
    assert len(layer_ids(wrapped)) == 23
    # Each connector joins a row's last tensor to the next row's first, in order.
    ids = layer_ids(wrapped)
    for group in connectors(wrapped):
        start, end = (group.get("id") or "").removeprefix("wrap-").split("-layer-")
        assert ids.index("layer-" + end) == ids.index(start) + 1
    # The operations stay, wrapped narrower: the first row's are VGG's first conv and pool.
    assert ops(wrapped)[1:4] == ["Conv 3×3 s1 same + ReLU"] * 2 + ["Max-Pool 2×2"]


def test_tensors_keep_their_relative_sizes_when_shrunk() -> None:
    def fronts(svg: str) -> list[float]:
        out = []
        for g in parse(svg).iter(f"{NS}g"):
            rects = [r for r in g if r.get("class") == "map"]
            if (g.get("class") or "").startswith("layer ") and rects:
                out.append(float(rects[-1].get("width") or 0))
        return out

    vgg = analyze(EXAMPLES["vgg16"])
    full, small = fronts(vgg.to_svg(fit="none")), fronts(vgg.to_svg(fit="16:9"))
    assert max(small) < max(full)
    ratios = [s / f for s, f in zip(small, full)]
    assert max(ratios) == pytest.approx(min(ratios), rel=1e-3)


def test_the_default_fits_16_9_only_networks_longer_than_a_slide() -> None:
    lenet = analyze(EXAMPLES["lenet"]).to_svg()
    assert connectors(lenet) == [] and lenet == analyze(EXAMPLES["lenet"]).to_svg(fit="none")
    width, height = size(analyze(EXAMPLES["vgg16"]).to_svg())
    assert width / height == pytest.approx(16 / 9, rel=0.01)
    width, height = size(analyze(EXAMPLES["vgg16"]).to_svg(fit="none"))
    assert width / height > 10  # one line, as before


def test_rows_break_between_residual_blocks_and_keep_every_shortcut() -> None:
    # Five identity blocks, in the graph style: five brackets of three lines in one line.
    # Wrapped, a bracket whose input ends the row before leaves from the arriving connector
    # (two lines). (The lenet and alexnet styles draw lanes: test_lanes.py.)
    net = analyze("28x28x8 | (res(conv3x3x8 pad1 | relu | conv3x3x8 pad1) | relu)x5")
    wrapped = net.to_svg(style="graph", fit="3:1")
    rows = len(connectors(wrapped)) + 1
    assert rows >= 2
    assert net.to_svg(style="graph", fit="none").count('class="skip"') == 5 * 3
    assert wrapped.count('class="skip"') == 5 * 3 - (rows - 1)


def test_width_and_height_size_the_svg() -> None:
    vgg = analyze(EXAMPLES["vgg16"])
    width, height = size(vgg.to_svg(width=1920))
    assert (width, round(height)) == (1920, 1080)
    width, height = size(vgg.to_svg(height=540, fit="16:9"))
    assert (round(width), height) == (960, 540)
    # Both without --fit: their ratio is fitted.
    width, height = size(vgg.to_svg(width=1000, height=1000))
    assert (width, height) == (1000, 1000)
    root = parse(vgg.to_svg(width=1000, height=1000))
    view = [float(v) for v in (root.get("viewBox") or "").split()]
    assert view[2] == pytest.approx(view[3])


@pytest.mark.parametrize("style", ["lenet", "alexnet", "fcnn"])
def test_spacing_works_in_every_style(style: str) -> None:
    spec = MLP if style == "fcnn" else EXAMPLES["lenet"]
    widths = [
        size(analyze(spec).to_svg(style=style, spacing=spacing, fit="none"))[0]
        for spacing in (10, None, 200)
    ]
    assert widths[0] < widths[1] < widths[2]


# -- 2. fold ---------------------------------------------------------------------------------


def test_resnet50_at_depth_0_is_its_stages() -> None:
    svg = analyze(EXAMPLES["resnet50"]).to_svg(depth=0, fit="none")
    labels = [
        t.text
        for g in parse(svg).iter(f"{NS}g")
        if (g.get("class") or "").startswith("layer block")
        for t in g.iter(f"{NS}text")
        if t.get("class") == "shape-label"
    ]
    # torchvision's resnet50: layer1..layer4 end at 256@56, 512@28, 1024@14, 2048@7.
    assert labels == ["256@56×56"] * 2 + ["512@28×28"] * 2 + ["1024@14×14"] * 2 + ["2048@7×7"] * 2
    assert [o for o in ops(svg) if "(" in o] == [
        "proj(64, 256, 1)",
        "bottle(64, 256) ×2",
        "proj(128, 512, 2)",
        "bottle(128, 512) ×3",
        "proj(256, 1024, 2)",
        "bottle(256, 1024) ×5",
        "proj(512, 2048, 2)",
        "bottle(512, 2048) ×2",
    ]
    assert "Folded block" in svg  # the legend names the new kind


def test_depth_1_names_each_block_and_fits_a_slide() -> None:
    svg = analyze(EXAMPLES["resnet50"]).to_svg(depth=1)
    blocks = [o for o in ops(svg) if "(" in o]
    assert len(blocks) == 3 + 4 + 6 + 3  # ResNet-50's 16 bottlenecks, one tensor each
    width, height = size(svg)
    assert width / height == pytest.approx(16 / 9, rel=0.01) and height <= 720


def test_densenet_folds_its_dense_blocks() -> None:
    svg = analyze(EXAMPLES["densenet121"]).to_svg(depth=0, fit="none")
    assert "layer() ×6" in ops(svg) and "layer() ×24" in ops(svg)
    texts = [t.text for t in parse(svg).iter(f"{NS}text") if t.get("class") == "shape-label"]
    assert "256@56×56" in texts and "1024@14×14" in texts  # 64 + 6·32, 512 + 16·32


def test_the_unet_folds_to_its_outer_levels() -> None:
    full = analyze(UNET).to_svg(fit="none")
    folded = analyze(UNET).to_svg(fit="none", depth=0)
    assert len(layer_ids(folded)) < len(layer_ids(full))
    assert "concat" in " ".join(ops(folded))


def test_fitting_is_deterministic() -> None:
    first = analyze(EXAMPLES["densenet121"]).to_svg(style="alexnet", fit="16:9")
    assert first == analyze(EXAMPLES["densenet121"]).to_svg(style="alexnet", fit="16:9")


# -- 5. a look without leaving the terminal ------------------------------------------------


def test_the_unicode_preview_is_the_layout_in_characters() -> None:
    from shapecalc.render.svg import analysis_preview

    text = analysis_preview(analyze(EXAMPLES["vgg16"]), columns=120, env={"TERM": "xterm"})
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 120
    assert "\x1b" not in text  # no escape of any kind: plain characters only
    assert "█" in text and "▶" in text  # tensors, and the connectors' arrows between rows
    assert text.count("▶") == len(connectors(analyze(EXAMPLES["vgg16"]).to_svg()))
    assert "128@56×56" in text and "Max-Pool" in text  # labels where they fit
    assert text == analysis_preview(analyze(EXAMPLES["vgg16"]), columns=120, env={})


def test_kitty_gets_an_image() -> None:
    import base64

    from shapecalc.render.svg import analysis_preview
    from shapecalc.render.svg.terminal import image_protocol

    assert image_protocol({"TERM": "xterm-kitty"}) == "kitty"
    assert image_protocol({"KITTY_WINDOW_ID": "1", "TERM": "xterm-256color"}) == "kitty"
    assert image_protocol({"TERM": "xterm-256color"}) is None
    shown = analysis_preview(analyze(EXAMPLES["lenet"]), env={"TERM": "xterm-kitty"})
    assert shown.startswith("\x1b_Ga=T,f=100,")
    chunks = [part.split(";", 1)[1] for part in shown.strip().split("\x1b\\") if part]
    png = base64.b64decode("".join(chunks))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_draw_preview_needs_no_output_file() -> None:
    plain = {"TERM": "dumb", "KITTY_WINDOW_ID": ""}
    args = ["draw", "28x28x1 | conv3x3x4 | maxpool2", "--preview"]
    result = CliRunner().invoke(cli, args, env=plain)
    assert result.exit_code == 0, result.output
    assert "█" in result.output and "4@26×26" in result.output
    result = CliRunner().invoke(cli, ["draw", "28x28x1"])
    assert result.exit_code == 2 and "give -o FILE" in result.output


# -- 3. the graph style --------------------------------------------------------------------


def test_graph_style_is_a_box_per_layer_with_arrows() -> None:
    svg = analyze(EXAMPLES["lenet"]).to_svg(style="graph", fit="none")
    root = parse(svg)
    groups = [g for g in root.iter(f"{NS}g") if (g.get("class") or "").startswith("layer ")]
    assert len(groups) == 9  # d2l.ai's LeNet: the input and eight tensors
    for group in groups:
        assert len([r for r in group.iter(f"{NS}rect") if r.get("class") == "box"]) == 1
    labels = [
        [t.text for t in g.iter(f"{NS}text") if t.get("class") == "shape-label"] for g in groups
    ]
    assert labels[:3] == [["1@28×28"], ["6@28×28"], ["6@14×14"]] and labels[-1] == ["1×10"]
    names = [[t.text for t in g.iter(f"{NS}text") if t.get("class") == "op-name"] for g in groups]
    assert names[0] == ["Input"] and names[1] == ["Conv 5×5 s1 pad2", "+ Sigmoid"]
    arrows = [e for e in root.iter(f"{NS}line") if e.get("class") == "arrow"]
    assert len(arrows) == 8  # one into every box but the input


def test_graph_style_keeps_the_shortcuts_folds_and_fits() -> None:
    # SqueezeNet's eight Fire modules: each concat takes its first expand path from two boxes
    # back and its second expand path the squeeze from two back, a bracket of 3 lines each;
    # in lenet each has a line to its second path, one from each path to ‖, and the arrow.
    squeeze = analyze(EXAMPLES["squeezenet"])
    assert squeeze.to_svg(style="graph", fit="none").count('class="skip"') == 8 * 2 * 3
    assert squeeze.to_svg(style="lenet", fit="none").count('<g class="link"') == 8 * 4
    svg = analyze(EXAMPLES["resnet50"]).to_svg(style="graph", depth=0)
    assert "bottle(64, 256) ×2" in ops_or_names(svg)
    width, height = size(analyze(EXAMPLES["densenet121"]).to_svg(style="graph", fit="16:9"))
    assert width / height == pytest.approx(16 / 9, rel=0.01) and height <= 720


def ops_or_names(svg: str) -> list[str]:
    return [t.text or "" for t in parse(svg).iter(f"{NS}text") if t.get("class") == "op-name"]


@pytest.mark.parametrize("style", ["graph"])
def test_a_projection_shortcut_takes_the_blocks_input_not_the_main_path(style: str) -> None:
    # (lenet and alexnet draw it on its own lane: test_lanes.py)
    # res(main ; conv1x1 s2): the 1x1 projection reads the block's 8@28x28 input. It gets
    # no kernel, pyramid or arrow from the main path's 12@14x14 drawn before it, but a
    # bracket from the block's input.
    spec = "28x28x8 | conv3x3x8 pad1 | res(conv3x3x12 s2 pad1 ; conv1x1x12 s2)"
    root = parse(analyze(spec).to_svg(style=style, fit="none"))
    groups = {g.get("id"): g for g in root.iter(f"{NS}g") if g.get("id", "").startswith("layer-")}
    projection = groups["layer-3"]  # rows: 1 conv, 2 main conv, 3 projection, 4 add
    kinds = {e.get("class") for e in projection.iter() if e.tag != f"{NS}g"}
    assert not kinds & {"kernel", "projection", "arrow"}
    skips = [e for e in projection.iter(f"{NS}line") if e.get("class") == "skip"]
    assert len(skips) == 3
    main = [
        e for e in groups["layer-2"].iter() if e.get("class") in ("kernel", "projection", "arrow")
    ]
    assert main  # the main path's conv is drawn from the tensor before it, as before
