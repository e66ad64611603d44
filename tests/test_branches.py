"""Branches (res, concat) and named blocks: shapes, totals, structure, errors, CLI."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from rich.console import Console

from shapecalc import ShapecalcError, analyze
from shapecalc.cli import cli
from shapecalc.errors import BranchError, SpecSyntaxError
from shapecalc.parser import BlockSpec, BranchSpec, RepeatSpec, parse

# A ResNet basic block with a projection shortcut, on 8x8x4 (hand arithmetic):
# conv3x3x8 s2 pad1 nobias: floor((8 + 2 - 3)/2) + 1 = 4, 3*3*4*8 = 288; bn: 2*8 + 2*8;
# conv3x3x8 pad1 nobias: 3*3*8*8 = 576; shortcut conv1x1x8 s2 nobias: floor(7/2) + 1 = 4,
# 4*8 = 32, and its bn 16 + 16.
PROJ = "8x8x4 | res(conv3x3x8 s2 pad1 nobias | bn | relu | conv3x3x8 pad1 nobias | bn ; conv1x1x8 s2 nobias | bn)"


def _table(spec: str, *args: str) -> str:
    result = CliRunner().invoke(cli, [spec, *args], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    return result.output


def test_identity_res_keeps_the_shape_and_adds_a_merge_row() -> None:
    analysis = analyze("8x8x4 | res(conv3x3x4 pad1 | relu) | relu")
    assert [r.spec for r in analysis.rows] == ["conv3x3x4 pad1", "relu", "add", "relu"]
    add = analysis.rows[2]
    assert add.kind == "merge" and add.keyword == "add"
    assert str(add.output_shape) == "8x8x4" and add.params == 0
    # The add takes the main path's last row and the block's input (row 0, the input).
    assert add.inputs == (2, 0)
    assert analysis.rows[3].inputs == (3,)
    assert analysis.totals.params == 3 * 3 * 4 * 4 + 4


def test_projection_shortcut_totals_by_hand() -> None:
    analysis = analyze(PROJ)
    assert str(analysis.output_shape) == "4x4x8"
    assert analysis.totals.trainable == 288 + 16 + 576 + 16 + 32 + 16
    assert analysis.totals.non_trainable == 16 * 3
    shortcut = analysis.rows[5]
    assert shortcut.spec == "conv1x1x8 s2 nobias"
    assert shortcut.input_shape == analysis.input_shape  # the shortcut starts from the input
    assert shortcut.inputs == (0,)
    res, main, short = analysis.blocks
    assert (res.kind, main.label, short.label) == ("res", "main", "shortcut")
    assert main.params == 288 + 32 + 576 + 32 and short.params == 32 + 32
    assert res.params == analysis.totals.params
    assert (res.first, res.last) == (1, len(analysis.rows))


def test_concat_adds_channels_and_keeps_the_spatial_size() -> None:
    analysis = analyze("28x28x8 | concat(conv1x1x4 ; conv3x3x6 pad1 ; maxpool3 s1 pad1)")
    assert str(analysis.output_shape) == "28x28x18"  # 4 + 6 + 8
    assert analysis.rows[-1].keyword == "concat"
    assert analysis.rows[-1].inputs == (1, 2, 3)
    assert analysis.totals.params == (8 + 1) * 4 + (9 * 8 + 1) * 6
    assert [b.label for b in analysis.blocks] == ["concat", "branch 1", "branch 2", "branch 3"]


def test_concat_of_flat_vectors() -> None:
    assert str(analyze("100 | concat(dense10 ; dense20)").output_shape) == "30"


def test_branch_repeats_and_nesting() -> None:
    analysis = analyze("8x8x4 | res(relu | concat(relu ; relu) | conv1x1x4)x2")
    assert [b.kind for b in analysis.blocks] == ["res", "concat", "path", "path"] * 2
    assert [r.depth for r in analysis.rows[:5]] == [1, 3, 3, 2, 1]
    assert str(analysis.output_shape) == "8x8x4"


def test_parse_tree() -> None:
    parsed = parse("b(c) = res(conv1x1x{c} ; relu)\n8x8x4 | b(4)x2 | concat(relu ; relu)")
    repeat, concat = parsed.items
    assert isinstance(repeat, RepeatSpec) and repeat.count == 2
    use = repeat.body[0]
    assert isinstance(use, BlockSpec) and use.label == "b(4)"
    branch = use.body[0]
    assert isinstance(branch, BranchSpec) and branch.kind == "res" and len(branch.paths) == 2
    conv = branch.paths[0][0]
    assert conv.text == "conv1x1x4"  # type: ignore[union-attr]
    # The value keeps its place in the definition (line 1), so errors point there.
    assert conv.params[2].span.start < parsed.source.index("\n")  # type: ignore[union-attr]
    assert isinstance(concat, BranchSpec) and concat.kind == "concat"
    assert [d.name for d in parsed.blocks] == ["b"]


def test_definitions_continue_after_a_pipe_and_inside_parentheses() -> None:
    spec = "b(c) = conv1x1x{c} |\n  relu\nr(c) = res(conv1x1x{c}\n  relu)\n8x8x4 | b(4) | r(4)"
    assert [r.spec for r in analyze(spec).rows] == [
        "conv1x1x4", "relu", "conv1x1x4", "relu", "add"
    ]


def test_blocks_may_use_earlier_blocks_and_symbols() -> None:
    spec = "c1(c) = conv1x1x{c} | relu\ntwo(c) = c1({c}) | c1({c})\nnxnx4 | two({f})"
    analysis = analyze(spec)
    assert analysis.symbols == ("n", "f")
    assert str(analysis.output_shape) == "nxnxf"
    assert analyze(spec, n=8, f=3).totals.params == (4 + 1) * 3 + (3 + 1) * 3
    assert [b.label for b in analysis.blocks] == ["two({f})", "c1({f})", "c1({f})"]


def test_zero_parameter_block_and_repeat() -> None:
    spec = "dense() = concat(identity ; conv3x3x2 pad1)\n8x8x4 | dense()x3"
    assert str(analyze(spec).output_shape) == "8x8x10"


ERRORS = [
    (
        "56x56x64 | res(conv3x3x64 s2 pad1)",
        "res block at column 12: the main path gives 28x28x64 but the identity shortcut passes "
        "56x56x64; the shapes must agree; add a projection shortcut after ';', such as "
        "conv1x1x64 stride2\n  56x56x64 | res(conv3x3x64 s2 pad1)\n             ^^^",
    ),
    (
        "28x28x8 | res(conv3x3x4 pad1 ; conv3x3x4)",
        "res block at column 32: the shortcut gives 26x26x4 but the main path gives 28x28x4; "
        "the shapes must agree\n  28x28x8 | res(conv3x3x4 pad1 ; conv3x3x4)\n"
        "                                 ^^^^^^^^^",
    ),
    (
        "28x28x8 | concat(conv1x1x4 ; conv3x3x4)",
        "concat block at column 30: branch 2 gives 26x26x4 but branch 1 gives 28x28x4; the "
        "spatial sizes must agree\n  28x28x8 | concat(conv1x1x4 ; conv3x3x4)\n"
        "                               ^^^^^^^^^",
    ),
    (
        "28x28x8 | concat(conv1x1x4 ; flatten)",
        "concat block at column 30: branch 2 gives 6272 but branch 1 gives 28x28x4; their ranks "
        "differ\n  28x28x8 | concat(conv1x1x4 ; flatten)\n                               ^^^^^^^",
    ),
    (
        "28x28x8 | res(relu ; relu ; relu)",
        "a second ';' in res at column 27 — it takes a main path and one shortcut at most\n"
        "  28x28x8 | res(relu ; relu ; relu)\n                            ^",
    ),
    (
        "28x28x8 | res( ; relu)",
        "expected a layer before ';' at column 16\n  28x28x8 | res( ; relu)\n                 ^",
    ),
    (
        "28x28x8 | res(relu",
        "unclosed '(' at column 14 — add ')' to end the res block\n  28x28x8 | res(relu\n"
        "               ^",
    ),
    (
        "28x28x8 | relu ; relu",
        "unexpected ';' at column 16 — separate layers with '|'\n  28x28x8 | relu ; relu\n"
        "                 ^",
    ),
    (
        "b(c) = conv1x1x{c}\n28x28x8 | d(1)",
        "unknown block 'd' at line 2, column 11 — define it first, as d(c) = conv3x3x{c} | "
        "relu\n  28x28x8 | d(1)\n            ^",
    ),
    (
        "bb(c) = conv1x1x{c}\n28x28x8 | b(1)",
        "unknown block 'b' at line 2, column 11 — did you mean 'bb'?\n  28x28x8 | b(1)\n"
        "            ^",
    ),
    (
        "b(c) = conv1x1x{c}\n28x28x8 | b(1, 2)",
        "b takes 1 argument (c), got 2 at line 2, column 11\n  28x28x8 | b(1, 2)\n"
        "            ^^^^^^^",
    ),
    (
        "b(c) = conv1x1x{c}\n28x28x8 | b(1) | e(c) = relu",
        "a block definition after the input shape at line 2, column 18 — define blocks before "
        "it, one per line\n  28x28x8 | b(1) | e(c) = relu\n                   ^",
    ),
    (
        "b(c) = relu\nb(d) = relu\n28x28x8",
        "block 'b' is defined twice at line 2, column 1\n  b(d) = relu\n  ^",
    ),
    (
        "res(c) = relu\n28x28x8",
        "'res' is a built-in block at line 1, column 1; pick another name\n  res(c) = relu\n  ^^^",
    ),
    (
        "b(c) = conv3x3x{c} pad1\n8x8x4\nb(1x2)",
        "an argument is one number or {symbol}, found '1x2' at line 3, column 3\n  b(1x2)\n"
        "    ^^^",
    ),
    # Errors inside a block point at the definition and name the use (and its line).
    (
        "b(c) = conv3x3x{c} pad1 | bn | conv{c}x{c}x4\n8x8x4\nrelu\nb(4) | b(9)",
        "layer 7 'conv9x9x4' (in b(9) used at line 4, column 8) at line 1, column 32: kernel 9 "
        "is larger than the padded input 5; add padding or use a smaller kernel\n"
        "  b(c) = conv3x3x{c} pad1 | bn | conv{c}x{c}x4\n"
        "                                 ^^^^^^^^^^^^^",
    ),
    (
        "b(c) = conv3x3x{c} pad1\n8x8x4\nb(0)",
        "layer 1 'conv3x3x0 pad1' (in b(0) used at line 3, column 1) at line 1, column 16: "
        "filters must be positive, got 0\n  b(c) = conv3x3x{c} pad1\n                 ^^^",
    ),
    (
        "b(c) = conv3x3x{c} s2 pad1 | bn\nblk(c) = res(b({c}))\n8x8x4\nblk(4)",
        "res block (in blk(4) used at line 4, column 1) at line 2, column 10: the main path "
        "gives 4x4x4 but the identity shortcut passes 8x8x4; the shapes must agree; add a "
        "projection shortcut after ';', such as conv1x1x4 stride2\n  blk(c) = res(b({c}))\n"
        "           ^^^",
    ),
    (
        "b(c) = relu | cnv{c}\ntwo(c) = b({c})\n8x8x4\ntwo(4)",
        "layer 2 'cnv4' (in b(4) used at line 2, column 10; in two(4) used at line 4, "
        "column 1) at line 1, column 15: unknown layer 'cnv{c}' — did you mean 'conv'?\n"
        "  b(c) = relu | cnv{c}\n                ^^^^^^",
    ),
]


@pytest.mark.parametrize(("spec", "expected"), ERRORS)
def test_error_text(spec: str, expected: str) -> None:
    with pytest.raises(ShapecalcError) as info:
        analyze(spec)
    assert str(info.value) == expected


def test_branch_errors_are_named() -> None:
    with pytest.raises(BranchError):
        analyze("28x28x8 | concat(conv1x1x4 ; conv3x3x4)")


def test_error_exits_2_without_a_traceback() -> None:
    result = CliRunner().invoke(cli, ["28x28x8 | res(conv3x3x4)"])
    assert result.exit_code == 2
    assert result.output.startswith("error: res block at column 11")
    assert "Traceback" not in result.output


def test_nested_uses_cannot_explode() -> None:
    lines = ["b0() = relu | relu"]
    lines += [f"b{i}() = b{i - 1}() | b{i - 1}()" for i in range(1, 20)]
    with pytest.raises(SpecSyntaxError, match="block uses expand to more than 100,000 items"):
        analyze("\n".join(lines) + "\n8x8x1 | b19()")


def test_symbolic_shortcut_records_the_agreement() -> None:
    # ceil(n/2) and floor((n - 1)/2) + 1 are equal for every integer n, which sympy does not
    # see: the agreement becomes a condition instead of an error.
    analysis = analyze("nxnx8 | res(conv3x3x8 s2 same ; conv1x1x8 s2)")
    assert any("=" in c.text and ">=" not in c.text for c in analysis.constraints)
    assert str(analyze("nxnx8 | res(conv3x3x8 s2 same ; conv1x1x8 s2)", n=9).output_shape) == (
        "5x5x8"
    )


@pytest.mark.parametrize(
    "spec",
    [
        # n = floor(n/2) holds for no positive n: a shape error, not a condition
        "nxnx3 | concat(identity ; maxpool2)",
        "nxnx3 | res(maxpool2)",
        # n + 1 = n for no n
        "nxnx3 | res(zeropad1x0 ; identity)",
    ],
)
def test_symbolic_paths_that_never_agree_are_an_error(spec: str) -> None:
    with pytest.raises(BranchError):
        analyze(spec)


def test_symbolic_paths_that_agree_somewhere_are_a_condition() -> None:
    # n - f + 1 = n only when f = 1: kept as a condition, met at f = 1, refused elsewhere
    analysis = analyze("nxnx8 | res(conv{f}x{f}x8)")
    assert "n - f + 1 = n" in [c.text for c in analysis.constraints]
    assert str(analyze("nxnx8 | res(conv{f}x{f}x8)", n=5, f=1).output_shape) == "5x5x8"
    with pytest.raises(BranchError):
        analyze("nxnx8 | res(conv{f}x{f}x8)", n=5, f=3)


# -- renderers --------------------------------------------------------------------------


def test_table_indents_rows_under_their_blocks() -> None:
    text = _table("b(c) = res(conv1x1x{c} | relu)\n8x8x4 | b(4) | flatten")
    lines = [line for line in text.splitlines() if "│" in line]
    layers = [line.split("│")[2].rstrip() for line in lines]
    assert layers == [
        " input",
        " b(4)",
        "   res",
        "     conv1x1x4",
        "     relu",
        "     add",
        " flatten",
    ]


def test_depth_folds_deeper_rows() -> None:
    spec = "b(c) = res(conv1x1x{c} | relu)\n8x8x4 | b(4) | flatten"
    layers = [
        line.split("│")[2].strip() for line in _table(spec, "--depth", "0").splitlines() if "│" in line
    ]
    assert layers == ["input", "b(4)", "flatten"]
    one = _table(spec, "--depth", "1")
    assert "res" in one and "conv1x1x4" not in one
    # The folded block shows its output and its parameter total: (4 + 1)*4 = 20.
    row = next(line for line in _table(spec, "--depth", "0").splitlines() if "b(4)" in line)
    assert "8x8x4" in row and "20" in row


def test_depth_leaves_sequential_tables_alone() -> None:
    spec = "28x28x1 | conv3x3x16 same | maxpool2"
    assert _table(spec, "--depth", "0") == _table(spec)


def test_markdown_keeps_the_indentation() -> None:
    text = analyze("8x8x4 | res(relu)").to_markdown()
    assert "| 1 | \u00a0\u00a0relu |" in text


def test_rich_table_renders() -> None:
    console = Console(width=100, record=True, color_system=None, file=io.StringIO())
    console.print(analyze(PROJ).table(depth=1))
    text = console.export_text()
    assert "shortcut" in text and "conv1x1x8" not in text


def test_json_nesting() -> None:
    doc = json.loads(json.dumps(analyze(PROJ).to_json()))
    (res,) = doc["blocks"]
    assert res["kind"] == "res" and res["spec"].startswith("res(")
    assert [c["label"] for c in res["children"]] == ["main", "shortcut"]
    assert res["params"] == sum(layer["params"] for layer in doc["layers"])
    shortcut = doc["layers"][5]
    assert shortcut["path"] == [1, 3] and shortcut["depth"] == 2 and shortcut["block"] == 3
    assert doc["layers"][-1]["keyword"] == "add" and doc["layers"][-1]["path"] == [1]


def test_json_of_a_sequential_spec_has_no_nesting() -> None:
    doc = analyze("28x28x1 | conv3x3x16 same").to_json()
    assert "blocks" not in doc and "depth" not in doc["layers"][0]


# -- PyTorch ----------------------------------------------------------------------------


def test_torch_check_runs_branches_on_real_tensors() -> None:
    pytest.importorskip("torch", reason="the check runs PyTorch (CI installs it)")
    result = analyze(PROJ + " | concat(conv1x1x2 ; identity) | gap | dense3").check(batch=2)
    assert result.ok, result.summary()
    merges = [layer for layer in result.points[0].layers if layer.row.kind == "merge"]
    assert [m.torch.output_shape for m in merges] == [(4, 4, 8), (4, 4, 10)]  # type: ignore[union-attr]


def test_torch_check_of_a_symbolic_branch() -> None:
    pytest.importorskip("torch", reason="the check runs PyTorch (CI installs it)")
    result = analyze("nxnx3 | res(conv3x3x3 same | relu) | concat(relu ; conv1x1x{f})").check()
    assert result.ok and len(result.points) == 3


def test_emitted_code_runs_a_residual_and_a_concat() -> None:
    torch = pytest.importorskip("torch", reason="running the emitted code needs torch")
    analysis = analyze(PROJ + " | concat(conv1x1x2 ; identity)")
    code = analysis.to_torch_code()
    assert "class Residual(nn.Module):" in code and "class Concat(nn.Module):" in code
    namespace: dict[str, object] = {}
    exec(compile(code, "<generated>", "exec"), namespace)
    model = namespace["Net"]().eval()  # type: ignore[operator]
    x = torch.randn(2, 4, 8, 8)
    with torch.no_grad():
        y = model(x)
    assert tuple(y.shape) == (2, 10, 4, 4)
    trainable = sum(p.numel() for p in model.parameters())
    assert trainable == analysis.totals.trainable
    # The shortcut really is added: zeroing the main path's last batchnorm leaves the block
    # equal to its shortcut (the concat's identity half shows the block's output).
    residual = model[0]
    with torch.no_grad():
        residual.main[-1].weight.zero_()
        residual.main[-1].bias.zero_()
        expected = residual.shortcut(x)
        assert torch.allclose(model(x)[:, 2:], expected)


@pytest.mark.parametrize("style", ["lenet", "alexnet"])
def test_every_example_draws(style: str) -> None:
    # Golden drawings exist for two of the real networks only (tests/drawings/cases.py).
    from pathlib import Path

    for path in sorted((Path(__file__).parent.parent / "examples").glob("*.shape")):
        svg = analyze(path.read_text()).to_svg(style=style)
        assert "</svg>" in svg, path.name


@pytest.mark.parametrize("style", ["lenet", "alexnet"])
@pytest.mark.parametrize("direction", ["horizontal", "vertical"])
def test_skip_lines(style: str, direction: str) -> None:
    # Three merges: the identity res takes the block's input (drawn 3 tensors back), the
    # concat takes branch 1 (drawn 2 back), the projected res its main path (2 back); and two
    # later paths take the block's input, not the tensor drawn before them: the concat's
    # second branch (2 back) and the projection shortcut (2 back). Each arc is a bracket of
    # 3 lines, in one line (fit none).
    spec = (
        "28x28x8 | conv3x3x8 pad1 | res(conv3x3x8 pad1 | relu | conv3x3x8 pad1)"
        " | concat(conv1x1x4 ; conv3x3x4 pad1) | res(conv3x3x12 s2 pad1 ; conv1x1x12 s2)"
    )
    # Drawn in lanes: a line from the input to each of the two later paths, one from each
    # of the 2 + 2 + 2 paths (or inputs) into the three signs, and an arrow out of each.
    svg = analyze(spec).to_svg(style=style, direction=direction, fit="none")
    assert svg.count('<g class="link"') == 2 + 6 + 3
    assert 'class="skip"' not in svg
    assert 'class="link"' not in analyze("28x28x8 | conv3x3x8 | relu").to_svg(style=style)


def test_drawing_a_branchy_network_does_not_fail() -> None:
    svg = analyze(PROJ + " | concat(conv1x1x2 ; identity) | gap | dense3").to_svg()
    assert "<svg" in svg and "Add" in svg and "Concat" in svg


# -- costs through branches -------------------------------------------------------------


def test_receptive_field_through_branches_by_hand() -> None:
    # Two 3x3 convolutions: 5 s1 p2; added to the identity (1 s1 p0), the union of
    # [-2, 2] and [0, 0] is [-2, 2]: still 5 s1 p2. The concat joins a 5x5 conv after it
    # (5 + 4 = 9, p 2 + 2 = 4) and the identity (5, p2): the union is 9 s1 p4.
    spec = "32x32x3 | res(conv3x3x3 pad1 | conv3x3x3 pad1) | concat(conv5x5x2 pad2 ; identity)"
    fields = [c.receptive_field for c in analyze(spec).costs().rows]
    assert [(f.size[0], f.stride[0], f.padding[0]) for f in fields if f is not None] == [
        (3, 1, 1), (5, 1, 2), (5, 1, 2), (9, 1, 4), (5, 1, 2), (9, 1, 4)
    ]


def test_a_shortcut_starts_its_field_at_the_block_input() -> None:
    # The shortcut conv1x1 s2 sees 1 pixel of the block's input, not the main path's field.
    analysis = analyze(PROJ)
    fields = analysis.costs().rows
    shortcut = fields[5].receptive_field
    assert shortcut is not None and (shortcut.size[0], shortcut.stride[0]) == (1, 2)


def test_merging_paths_of_different_strides_is_unaligned() -> None:
    # conv1x1 s2 sees input 2i, conv2x2 sees 2i..2i+1 at stride 1 in the other dim's rows:
    # no single (r, j, P) describes both, as the article's library says; later layers too.
    costs = analyze("3x3x1 | concat(conv1x1x1 s2 ; conv2x2x1) | relu").costs()
    *_, merge, after = costs.rows
    assert merge.receptive_field is not None and not merge.receptive_field.aligned
    assert after.receptive_field == merge.receptive_field
    assert merge.to_json()["receptive_field"]["aligned"] is False
    # the same strides on both paths stay aligned: 2 s2 p0, the union of 1 s2 and 2 s2
    aligned = analyze("8x8x1 | concat(conv1x1x1 s2 ; conv2x2x1 s2)").costs().rows[-1]
    assert aligned.receptive_field is not None and aligned.receptive_field.size == (2, 2)


def test_block_rows_sum_the_costs_of_their_rows() -> None:
    analysis = analyze(PROJ)
    costs = analysis.costs()
    text = _table(PROJ, "--columns", "macs")
    res_row = next(line for line in text.splitlines() if "│ res" in line)
    # conv 4*4*8*(3*3*4) + conv 4*4*8*(3*3*8) + shortcut 4*4*8*4 = 4,608 + 9,216 + 512.
    assert costs.totals.macs == 4_608 + 9_216 + 512
    assert "14,336" in res_row


def test_mobilenet_v1_receptive_field_is_the_published_one() -> None:
    # google-research/receptive_field (Araujo et al., Distill 2019): mobilenet_v1 315, stride
    # 32, padding 126. TF-slim pads 'SAME' (the odd pixel after), which is shapecalc's same:
    # written with 'same' instead of torch's pad1, the padding agrees too. With pad1 each of
    # the five stride-2 convolutions pads one more pixel before, at jumps 1, 2, 4, 8, 16:
    # 126 + 31 = 157.
    from pathlib import Path

    text = (Path(__file__).parent.parent / "examples" / "mobilenet_v1.shape").read_text()
    for spec, padding in ((text, 157), (text.replace(" pad1", " same"), 126)):
        analysis = analyze(spec)
        last = next(r for r in analysis.rows if r.keyword == "globalavgpool").index - 1
        field = analysis.costs().rows[last - 1].receptive_field
        assert field is not None
        assert (field.size[0], field.stride[0], field.padding[0]) == (315, 32, padding)


@pytest.mark.parametrize("other", ["--check", "--latex", "--json"])
def test_depth_goes_with_the_table_only(other: str) -> None:
    result = CliRunner().invoke(cli, ["8x8x4 | res(conv1x1x4)", "--depth", "0", other])
    assert result.exit_code == 2
    assert "--depth folds the table or --markdown, not --check/--latex/--json" in result.output


def test_merge_outputs_obey_the_size_limit() -> None:
    # 8·2^330 channels > 10**100: refused at the concat itself, not at a later layer
    result = CliRunner().invoke(cli, ["8 | concat(identity;identity)x330"])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        "error: concat block at column 5: a size or parameter count exceeds 10**100"
    )


def test_an_undefined_block_use_says_how_blocks_are_defined() -> None:
    result = CliRunner().invoke(cli, ["8x8x3 | foo(1)"])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        "error: unexpected '(' after 'foo' at column 12; 'foo' is no defined block, and blocks "
        "are defined before the input, as in name(c) = conv3x3x{c}"
    )


def test_a_block_cannot_use_itself() -> None:
    result = CliRunner().invoke(cli, ["a(c) = relu | a(c)\n8x8x1 | a(2)"])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        "error: block 'a' cannot use itself at line 1, column 15; a block may use only the "
        "blocks defined above it"
    )
