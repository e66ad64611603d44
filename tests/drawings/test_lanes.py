"""Branches as branches (issue 17, section 3): in the lenet and alexnet styles the paths of a
res, concat, mul or split block run side by side in lanes, leave from the block's input and
meet at the merge symbol; a projection shortcut stands on its own lane; a U-Net is a U.

What is expected comes from the networks' structure as the spec writes it (which path takes
which input, which block merges how) and from the U-Net paper's figure (the encoder's levels
go down, the decoder's come back up, the skips run across), not from our own output. The
geometry in a real browser (nothing outside, no overlaps, every line on what it joins) is in
test_browser.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from shapecalc import analyze
from shapecalc.render.svg.branches import is_u

from .cases import EXAMPLES, MIXED, RESIDUALS, ROOT

NS = "{http://www.w3.org/2000/svg}"
STYLES = ["lenet", "alexnet"]
#: The shape of a tensor, in either style (as layout.shape_box reads it).
SHAPES = ("map", "vector", "box")


def groups(svg: str) -> dict[str, ET.Element]:
    return {g.get("id") or "": g for g in ET.fromstring(svg).iter(f"{NS}g") if g.get("id")}


def shape(group: ET.Element) -> tuple[float, float, float, float]:
    """The box of a tensor's shape (rects and polygons of its own, not its kernel's)."""
    xs: list[float] = []
    ys: list[float] = []
    for child in group:
        if child.get("class") not in SHAPES:
            continue
        if child.tag == f"{NS}rect":
            x, y = float(child.get("x") or 0), float(child.get("y") or 0)
            xs += [x, x + float(child.get("width") or 0)]
            ys += [y, y + float(child.get("height") or 0)]
        else:
            for pair in (child.get("points") or "").split():
                x, y = (float(v) for v in pair.split(","))
                xs.append(x)
                ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def middle(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def links(svg: str) -> dict[str, list[tuple[float, float, float, float]]]:
    """Each joining line's id -> its segments."""
    found = {}
    for group in ET.fromstring(svg).iter(f"{NS}g"):
        if group.get("class") == "link":
            found[group.get("id") or ""] = [
                tuple(float(line.get(k) or 0) for k in ("x1", "y1", "x2", "y2"))
                for line in group.iter(f"{NS}line")
            ]
    return found  # type: ignore[return-value]


# Rows of "28x28x8 | conv3x3x8 pad1 | res(conv3x3x12 s2 pad1 | relu | conv3x3x12 pad1 ;
# conv1x1x12 s2)": 1 conv, 2 main conv, 3 relu (folded), 4 main conv, 5 projection, 6 add.
PROJECTED = (
    "28x28x8 | conv3x3x8 pad1 | res(conv3x3x12 s2 pad1 | relu | conv3x3x12 pad1 ; conv1x1x12 s2)"
)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("direction", ["horizontal", "vertical"])
def test_a_projection_shortcut_is_drawn_on_its_own_lane(style: str, direction: str) -> None:
    svg = analyze(PROJECTED).to_svg(style=style, direction=direction, fit="none")
    found = groups(svg)
    block_input, main, second, projection, add = (
        shape(found[f"layer-{i}"]) for i in (1, 2, 4, 5, 6)
    )
    vertical = direction == "vertical"
    along, across = (1, 0) if vertical else (0, 1)
    # Beside the main path (below it; right of it when vertical), where the main path is.
    assert projection[across] > main[across + 2]
    assert block_input[along + 2] < projection[along] < second[along + 2]
    # ... not after it: the merge comes after both paths.
    assert add[along] > max(second[along + 2], projection[along + 2])
    # The shortcut leaves from the block's input (layer-1), and both paths meet at the sign.
    joined = links(svg)
    assert "link-layer-1-layer-5" in joined
    assert {"link-layer-4-merge-6", "link-layer-5-merge-6", "link-merge-6-layer-6"} <= set(joined)
    # Nothing of the main path's kernel reaches the projection.
    kinds = {e.get("class") for e in found["layer-5"].iter() if e.tag != f"{NS}g"}
    assert not kinds & {"kernel", "projection", "arrow"}


SIGNS = {"+": 2, "×": 2, "‖": 2}  # each sign is two strokes in its circle


@pytest.mark.parametrize("style", STYLES)
def test_each_merge_has_its_sign_and_a_line_from_every_path(style: str) -> None:
    analysis = analyze(MIXED)
    svg = analysis.to_svg(style=style, fit="none")
    merges = [r for r in analysis.rows if r.kind == "merge"]
    signs = [g for g in ET.fromstring(svg).iter(f"{NS}g") if g.get("class") == "merge"]
    assert len(signs) == len(merges) == 6  # res(mul), mul, concat, res, concat, split
    for group in signs:
        assert len([c for c in group if c.get("class") == "merge-sign"]) == 2
    joined = links(svg)
    for row in merges:
        into = [k for k in joined if k.endswith(f"-merge-{row.index}")]
        assert len(into) == len(row.inputs)  # one line from every path (or the input)
        assert f"link-merge-{row.index}-layer-{row.index}" in joined
    # The signs say what the merge does: + for the two res, × for the mul, ‖ otherwise.
    strokes = {}
    for group in signs:
        lines = [c for c in group if c.get("class") == "merge-sign"]
        x = [float(v.get("x1") or 0) - float(v.get("x2") or 0) for v in lines]
        y = [float(v.get("y1") or 0) - float(v.get("y2") or 0) for v in lines]
        kind = "‖" if x == [0, 0] else "×" if all(x) and all(y) else "+"
        strokes[group.get("id")] = kind
    kinds = {"add": "+", "mul": "×", "concat": "‖"}
    assert strokes == {f"merge-{r.index}": kinds[r.spec.split()[0]] for r in merges}


@pytest.mark.parametrize("style", STYLES)
def test_an_identity_path_is_a_line_not_a_copy_of_the_tensor(style: str) -> None:
    spec = "28x28x8 | conv3x3x8 pad1 | concat(identity ; conv3x3x4 pad1)"
    svg = analyze(spec).to_svg(style=style, fit="none")
    found = groups(svg)
    # Rows: 1 conv, 2 identity, 3 conv, 4 concat: the identity draws no tensor.
    assert "layer-2" not in found and {"layer-1", "layer-3", "layer-4"} <= set(found)
    assert "link-layer-1-merge-4" in links(svg)  # the identity's line
    assert "link-layer-1-layer-3" in links(svg)  # the conv path leaves from the input


@pytest.mark.parametrize("style", STYLES)
def test_lanes_wrap_between_blocks_and_keep_every_line(style: str) -> None:
    # Six identity blocks: each has a line from its input and one from its main path into
    # the sign, and the arrow to its tensor, in one line and wrapped alike.
    net = analyze(RESIDUALS)
    wrapped, one_line = net.to_svg(style=style, fit="16:9"), net.to_svg(style=style, fit="none")
    rows = len([g for g in ET.fromstring(wrapped).iter(f"{NS}g") if g.get("class") == "wrap"])
    assert rows >= 1
    assert len(links(one_line)) == len(links(wrapped)) == 6 * 3
    # A block that starts a row takes its input from where the connector comes down.
    assert any(k.startswith("link-entry-") for k in links(wrapped))


def test_lanes_fold_space_and_keep_the_legend() -> None:
    net = analyze(MIXED)
    folded = net.to_svg(style="alexnet", fit="none", depth=1)
    assert len(groups(folded)) < len(groups(net.to_svg(style="alexnet", fit="none")))
    assert "Add / concat" in folded  # the legend
    narrow = net.to_svg(style="lenet", fit="none", spacing=10)
    wide = net.to_svg(style="lenet", fit="none", spacing=200)
    width = [float(ET.fromstring(s).get("width") or 0) for s in (narrow, wide)]
    assert width[0] < width[1]


@pytest.mark.slow
def test_lanes_are_the_same_bytes_across_processes() -> None:
    path = ROOT / "examples" / "unet.shape"
    command = [sys.executable, "-m", "shapecalc", "draw", "-f", str(path), "-o", "-"]
    outputs = {
        subprocess.run(
            [*command, "--style", style], capture_output=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
        for style in ("lenet",)
    }  # fmt: skip
    assert outputs == {analyze(EXAMPLES["unet"]).to_svg(style="lenet").encode("utf-8")}


# -- the U of a U-Net ----------------------------------------------------------------------


def test_only_the_u_nets_are_drawn_as_a_u() -> None:
    found = {name for name, spec in EXAMPLES.items() if is_u(analyze(spec))}
    assert found == {"unet", "unet_padded"}
    # One level is not a U, nor a concat whose inner path keeps the size.
    assert not is_u(analyze("64x64x4 | concat(identity ; maxpool2 | deconv2x2x4 s2)"))
    two = "64x64x4 | concat(identity ; maxpool2 | concat(identity ; maxpool2 | deconv2x2x4 s2) | deconv2x2x4 s2)"  # fmt: skip
    assert is_u(analyze(two))
    same = two.replace("maxpool2", "conv1x1x4").replace("deconv2x2x4 s2", "conv1x1x4")
    assert not is_u(analyze(same))


def _levels(svg: str, analysis: object, kinds: tuple[str, ...]) -> list[float]:
    """The height (y of the middle) of each tensor of these kinds, in execution order."""
    found = groups(svg)
    rows = analysis.rows  # type: ignore[attr-defined]
    return [
        middle(shape(found[f"layer-{r.index}"]))[1]
        for r in rows
        if r.kind in kinds and f"layer-{r.index}" in found
    ]


@pytest.mark.parametrize("name", ["unet", "unet_padded"])
@pytest.mark.parametrize("style", STYLES)
def test_the_unet_is_a_u(name: str, style: str) -> None:
    analysis = analyze(EXAMPLES[name])
    svg = analysis.to_svg(style=style, fit="none")
    # The paper's five levels: each max-pool goes one level down, each up-convolution and
    # its concat one level back up.
    pools = _levels(svg, analysis, ("pool",))
    merges = _levels(svg, analysis, ("merge",))
    assert len(pools) == len(merges) == 4
    assert pools == sorted(pools) and len(set(pools)) == 4  # down, level by level
    assert merges == sorted(merges, reverse=True)  # and back up
    # Level k's concat (innermost first) is on the level of level k's encoder.
    assert merges[:3] == pytest.approx([pools[2], pools[1], pools[0]], abs=0.02)
    assert merges[3] < pools[0]
    # Level k's concat is on the level of the encoder's tensor it copies: the skip runs
    # straight across (one horizontal segment into the sign).
    for row in (r for r in analysis.rows if r.kind == "merge"):
        skip = [v for k, v in links(svg).items() if k.endswith(f"-merge-{row.index}")]
        assert any(len(s) == 1 and s[0][1] == s[0][3] for s in skip), row.index
    # The U spans the width: the last level's concat is right of every pooling.
    found = groups(svg)
    last = max(r.index for r in analysis.rows if r.kind == "merge")
    first_pool = min(r.index for r in analysis.rows if r.kind == "pool")
    assert shape(found[f"layer-{last}"])[0] > shape(found[f"layer-{first_pool}"])[2]


@pytest.mark.parametrize("name", ["unet", "unet_padded"])
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("fit", ["none", "16:9"])
def test_the_u_steps_down_and_up_as_in_the_paper(name: str, style: str, fit: str) -> None:
    # The paper's figure: each level's max-pool stands straight under the tensor it pools
    # (the level's input) and each concat straight over the up-convolution it takes in,
    # one level down and up, so the U is no wider than its levels need.
    analysis = analyze(EXAMPLES[name])
    svg = analysis.to_svg(style=style, fit=fit)
    found = groups(svg)
    rows = analysis.rows
    drawn = 0

    # A folded block's tensor carries its last row's index: only tensors drawn as such.
    def drawn_as(index: int, kind: str) -> bool:
        group = found.get(f"layer-{index}")
        return group is not None and group.get("class") == f"layer {kind}"

    for row in rows:
        if row.kind == "pool" and drawn_as(row.index, "pool"):
            source = max(i for i in range(row.inputs[0] + 1) if f"layer-{i}" in found)
            above, below = shape(found[f"layer-{source}"]), shape(found[f"layer-{row.index}"])
            assert middle(below)[0] == pytest.approx(middle(above)[0], abs=0.5), row.index
            assert below[1] > above[3]
            drawn += 1
        if row.kind == "merge" and drawn_as(row.index, "merge"):
            ups = [i for i in row.inputs if rows[i - 1].layer.keyword == "deconv"]
            assert len(ups) == 1 and f"layer-{ups[0]}" in found, row.index
            over, under = shape(found[f"layer-{row.index}"]), shape(found[f"layer-{ups[0]}"])
            assert middle(over)[0] == pytest.approx(middle(under)[0], abs=0.5), row.index
            assert over[3] < under[1]
            drawn += 1
    assert drawn >= 4  # two levels at least, down and up


@pytest.mark.parametrize("name", ["unet", "unet_padded"])
@pytest.mark.parametrize("style", STYLES)
def test_a_fitted_u_is_never_wrapped(name: str, style: str) -> None:
    svg = analyze(EXAMPLES[name]).to_svg(style=style, fit="16:9")
    root = ET.fromstring(svg)
    assert not [g for g in root.iter(f"{NS}g") if g.get("class") == "wrap"]
    width, height = float(root.get("width") or 0), float(root.get("height") or 0)
    assert width / height == pytest.approx(16 / 9, rel=0.01)
    assert 12 >= height / 60  # the labels (12 px) at least 1/60 of the height (issue 17)
    # Still a U: at least two levels of concats with their skips across.
    assert len([g for g in root.iter(f"{NS}g") if g.get("class") == "merge"]) >= 2
    assert re.search(r"Max-Pool", svg) and "Deconv" in svg
