"""Arithmetic in braces: named blocks with expressions of their parameters, repeat counts
given by parameters, expressions of spec symbols; results by hand, exact error texts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_startup import _imported

from shapecalc import ShapecalcError, analyze, check
from shapecalc.cli import cli
from shapecalc.expression import evaluate, parse_expression, spec_text
from shapecalc.symbolic import ceil_div, floor_div, make_symbol, substitute

ROOT = Path(__file__).resolve().parent.parent

# A ResNet bottleneck whose last convolution widens by e; on 56x56x256 with c=64, e=4 (hand
# arithmetic): conv1x1x64 256*64 = 16,384; bn 2*64 + 2*64; conv3x3x64 9*64*64 = 36,864;
# bn 2*64 + 2*64; conv1x1x256 64*256 = 16,384; bn 2*256 + 2*256. Trainable 70,400,
# non-trainable 768: ResNet-50's 71,168 for bottle(64, 256).
BOTTLENECK = (
    "bottleneck(c, e) = res(conv1x1x{c} nobias | bn | relu | conv3x3x{c} pad1 nobias | bn |\n"
    "                       relu | conv1x1x{c*e} nobias | bn) | relu\n"
)


def test_a_block_with_numbers_folds_its_expressions() -> None:
    analysis = analyze(BOTTLENECK + "56x56x256 | bottleneck(64, 4)")
    assert [r.spec for r in analysis.rows if r.kind == "conv"] == [
        "conv1x1x64 nobias",
        "conv3x3x64 pad1 nobias",
        "conv1x1x256 nobias",
    ]
    assert (analysis.totals.trainable, analysis.totals.non_trainable) == (70_400, 768)
    assert [b.label for b in analysis.blocks] == ["bottleneck(64, 4)", "res"]


def test_resnet50_with_expressions_is_the_example_to_the_row() -> None:
    # examples/resnet50.shape passes the widened width by hand, bottle(64, 256); with
    # expressions a stage is one use. (The example stays as it is: its golden JSON holds
    # its text.)
    spec = (
        "bottle(m) = res(conv1x1x{m} nobias | bn | relu | conv3x3x{m} pad1 nobias | bn | relu |\n"
        "                conv1x1x{4*m} nobias | bn) | relu\n"
        "proj(m, s) = res(conv1x1x{m} nobias | bn | relu | conv3x3x{m} s{s} pad1 nobias | bn |\n"
        "                 relu | conv1x1x{4*m} nobias | bn ; conv1x1x{4*m} s{s} nobias | bn) | relu\n"
        "stage(m, s, n) = proj({m}, {s}) | bottle({m})x{n}\n"
        "224x224x3\n"
        "conv7x7x64 s2 pad3 nobias | bn | relu | maxpool3 s2 pad1\n"
        "stage(64, 1, 2) | stage(128, 2, 3) | stage(256, 2, 5) | stage(512, 2, 2)\n"
        "gap | dense1000\n"
    )
    ours = analyze(spec)
    theirs = analyze((ROOT / "examples" / "resnet50.shape").read_text())
    assert ours.totals.trainable == theirs.totals.trainable == 25_557_032
    assert [(r.spec, r.output_shape, r.params) for r in ours.rows] == [
        (r.spec, r.output_shape, r.params) for r in theirs.rows
    ]


def test_a_block_with_a_symbol_gives_the_formulas_of_it() -> None:
    # conv3x3x{2*c} pad1 on n x n x 3: (27 + 1)*2f = 56f; conv1x1x{c//2}: (2f + 1)*floor(f/2),
    # which is a size when floor(f/2) >= 1, that is f >= 2.
    spec = "b(c) = conv3x3x{2*c} pad1 | conv1x1x{c//2}\nnxnx3 | b({f})"
    analysis = analyze(spec)
    assert [r.spec for r in analysis.rows] == ["conv3x3x{2*f} pad1", "conv1x1x{f//2}"]
    assert str(analysis.output_shape) == "n x n x floor(f/2)"
    assert [str(r.params) for r in analysis.rows] == ["56*f", "(2*f + 1)*floor(f/2)"]
    assert [c.text for c in analysis.constraints] == ["f >= 2"]
    assert analysis.symbols == ("n", "f")
    # With values, the numbers of the concrete use.
    at = analyze(spec, n=8, f=5)
    concrete = analyze("b(c) = conv3x3x{2*c} pad1 | conv1x1x{c//2}\n8x8x3 | b(5)")
    assert at.totals.params == concrete.totals.params == 56 * 5 + 11 * 2
    assert [str(r.formula) for r in at.rows] == ["n x n x 2*f", "n x n x floor(f/2)"]


def test_an_argument_may_be_an_expression_of_symbols() -> None:
    spec = "b(c) = conv1x1x{c} | conv1x1x{c - 1}\nnxnx{k} | b({2*k})"
    analysis = analyze(spec)
    assert [r.spec for r in analysis.rows] == ["conv1x1x{2*k}", "conv1x1x{2*k-1}"]
    assert [b.label for b in analysis.blocks] == ["b({2*k})"]
    assert str(analysis.output_shape) == "n x n x (2*k - 1)"
    assert analysis.constraints == ()  # 2k - 1 >= 1 for every k >= 1


def test_conditions_of_symbolic_expressions() -> None:
    # f - 4 is a size when f >= 5. p, only in padding, may be 0 (as a plain padding symbol
    # may), and p - 1 is a padding when p >= 1.
    analysis = analyze("nxnx3 | zeropad{p - 1} | conv3x3x{f - 4}")
    assert [c.text for c in analysis.constraints] == ["p >= 1", "f >= 5", "n + 2*p >= 5"]
    assert [c.text for c in analysis.rows[1].constraints] == ["f >= 5", "n + 2*p >= 5"]
    assert analyze("nxnx3 | zeropad{2*p}", p=0, n=4).output_shape.dims == (4, 4, 3)


def test_repeat_counts_given_by_parameters() -> None:
    spec = "stage(c, n) = (conv3x3x{c} pad1 | relu)x{n} | maxpool2\n32x32x3 | stage(8, 2) | stage(16, 3)"
    analysis = analyze(spec)
    assert [r.keyword for r in analysis.rows].count("conv") == 5
    assert str(analysis.output_shape) == "8x8x16"
    blocks = "b(n) = res(relu)x{n} | concat(identity ; identity)x{n + 1}\n8x8x2 | b(2)"
    assert str(analyze(blocks).output_shape) == "8x8x16"


def test_expressions_of_spec_symbols_outside_blocks() -> None:
    analysis = analyze("nxnx3 | conv3x3x{2*f} same | maxpool2 | conv1x1x{f//2 + 1}")
    assert str(analysis.output_shape) == "floor(n/2) x floor(n/2) x (floor(f/2) + 1)"
    assert analyze("nxnx3 | conv3x3x{2*f} same", n=8, f=3).output_shape.dims == (8, 8, 6)
    assert analyze("8x8x3 | conv3x3x{2*(3 + 5)}").output_shape.dims == (6, 6, 16)


def test_the_torch_check_runs_blocks_with_expressions() -> None:
    assert check(BOTTLENECK + "8x8x32 | bottleneck(8, 4)").ok
    assert check("b(c, n) = (conv3x3x{4*c} pad{c//2} | relu)x{n}\nnxnx3 | b({f}, 2)", device="meta").ok


@pytest.mark.slow
def test_concrete_expressions_import_no_sympy() -> None:
    assert _imported("b(c, n) = (conv3x3x{4*c} pad{c//2} | relu)x{n}\n8x8x3 | b(3, 2)") == []


ERRORS = [
    # Values a use gives: the layer checks the number the expression comes to.
    (
        "b(c) = conv3x3x{c - 4}\n8x8x3 | b(4)",
        {},
        "layer 1 'conv3x3x0' (in b(4) used at line 2, column 9) at line 1, column 16: filters "
        "must be positive, got 0\n  b(c) = conv3x3x{c - 4}\n                 ^^^^^^^",
    ),
    (
        "b(c) = conv3x3x8 pad{c - 4}\n8x8x3 | b(2)",
        {},
        "layer 1 'conv3x3x8 pad-2' (in b(2) used at line 2, column 9) at line 1, column 21: "
        "pad must be nonnegative, got -2\n  b(c) = conv3x3x8 pad{c - 4}\n"
        "                      ^^^^^^^",
    ),
    (
        "b(c) = conv3x3x{16//c}\n8x8x3 | b(0)",
        {},
        "layer 1 'conv3x3x{16//0}' (in b(0) used at line 2, column 9) at line 1, column 21: "
        "division by zero — 'c' is 0\n  b(c) = conv3x3x{16//c}\n                      ^",
    ),
    (
        "b(c) = dense{c*c}\n784 | b(1000000000000)",
        {},
        "layer 1 'dense{1000000000000*1000000000000}' (in b(1000000000000) used at line 2, "
        "column 7) at line 1, column 14: 'c*c' is too large (the limit is 10**18)\n"
        "  b(c) = dense{c*c}\n               ^^^",
    ),
    (
        "b(p) = dropout{p} | dense{p*2}\n10 | b(0.5)",
        {},
        "layer 2 'dense{0.5*2}' (in b(0.5) used at line 2, column 6) at line 1, column 27: "
        "expressions take whole numbers, found 0.5 for 'p'\n"
        "  b(p) = dropout{p} | dense{p*2}\n                            ^",
    ),
    (
        "in(c) = conv1x1x{16//c}\nout(c) = in({c - 4})\n8x8x3 | out(4)",
        {},
        "layer 1 'conv1x1x{16//(4-4)}' (in in(0) used at line 2, column 10; in out(4) used at "
        "line 3, column 9) at line 1, column 22: division by zero — 'c' is 0\n"
        "  in(c) = conv1x1x{16//c}\n                       ^",
    ),
    # Outside blocks, and with --at values.
    (
        "8x8x3 | conv3x3x{16//(4 - 4)}",
        {},
        "division by zero at column 22 — '(4 - 4)' is 0\n  8x8x3 | conv3x3x{16//(4 - 4)}\n"
        "                       ^^^^^^^",
    ),
    (
        "nxnx3 | conv1x1x{f - 4}",
        {"f": 4},
        "filters must be positive, got 0 at column 17\n  nxnx3 | conv1x1x{f - 4}\n"
        "                  ^^^^^^^",
    ),
    (
        "nxnx3 | conv1x1x{f*f}",
        {"f": 10**10},
        "'f*f' is too large (the limit is 10**18) at column 18\n  nxnx3 | conv1x1x{f*f}\n"
        "                   ^^^",
    ),
    # Symbolic: never a size, or a divisor that may be 0.
    (
        "nxnx3 | conv3x3x{0 - f}",
        {},
        "'{0 - f}' is never positive at column 17 — it is -f\n  nxnx3 | conv3x3x{0 - f}\n"
        "                  ^^^^^^^",
    ),
    (
        "nxnx3 | zeropad{-1 - p}",
        {},
        "'{-1 - p}' is never 0 or more at column 16 — it is -p - 1\n"
        "  nxnx3 | zeropad{-1 - p}\n                 ^^^^^^^^",
    ),
    (
        "b(c) = conv1x1x{16//(c - 4)}\nnxnx3 | b({f})",
        {},
        "layer 1 'conv1x1x{16//(f-4)}' (in b({f}) used at line 2, column 9) at line 1, column "
        "21: the divisor '(c - 4)' may be 0 or negative — divide by a number, or by symbols "
        "and their sums and products\n  b(c) = conv1x1x{16//(c - 4)}\n"
        "                      ^^^^^^^",
    ),
]


@pytest.mark.parametrize(("spec", "at", "expected"), ERRORS)
def test_error_text(spec: str, at: dict[str, int], expected: str) -> None:
    with pytest.raises(ShapecalcError) as info:
        analyze(spec, **at)
    assert str(info.value) == expected


def test_a_bad_expression_exits_2_without_a_traceback() -> None:
    for spec in ("b(c) = conv3x3x{16//c}\n8x8x3 | b(0)", "8x8x3 | conv3x3x{c/2}"):
        result = CliRunner().invoke(cli, [spec])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: ") and "Traceback" not in result.output


def test_spec_text_writes_sizes_that_parse_back() -> None:
    # sympy prints floor(f/2) and f**2, which the spec language does not read.
    f, g = make_symbol("f"), make_symbol("g")
    cases = {
        4 * f: "4*f",
        floor_div(f, 2): "f//2",
        f * f: "f*f",
        floor_div(f + 1, 2): "(f+1)//2",
        ceil_div(f, 3): "-(-f//3)",
        2 * floor_div(f, 2) - 1: "2*(f//2)-1",
        3 - f: "3-f",
        floor_div(f, g): "f//g",
        (f + 1) * (g - 1): "(f+1)*(g-1)",
    }
    symbols = {"f": f, "g": g}
    for value, text in cases.items():
        assert spec_text(value) == text
        again = evaluate(parse_expression(text, 0, text), symbols.__getitem__, text)
        for point in ({"f": 7, "g": 3}, {"f": 12, "g": 5}, {"f": 1, "g": 1}):
            assert substitute(again, point) == substitute(value, point), (value, text)


def test_the_documented_example_and_error_are_what_shapecalc_says() -> None:
    section = (ROOT / "docs" / "spec.md").read_text().split("### Expressions")[1]
    example, error = section.split("```\n")[1], section.split("```\n")[3]
    analysis = analyze(example)
    convs = [r.spec for r in analysis.rows if r.kind == "conv"]
    assert convs.count("conv1x1x256 nobias") == 3 and convs[-1] == "conv1x1x{f//2}"
    assert str(analysis.output_shape) == "56 x 56 x floor(f/2)"
    assert [c.text for c in analysis.constraints] == ["f >= 2"]
    with pytest.raises(ShapecalcError) as info:
        analyze("b(c) = conv3x3x{16//c}\n8x8x3 | b(0)")
    assert str(info.value) + "\n" == error
