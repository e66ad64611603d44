"""shapecalc solve: the issue's examples (answers worked by hand in the comments), ranges,
no-solution reports, bad requests, and agreement with a brute-force search."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from shapecalc import ShapecalcError, analyze
from shapecalc.cli import cli
from shapecalc.errors import TargetCountError
from shapecalc.serve import api
from shapecalc.solve import Target, parse_targets, solve


def run(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["solve", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize(
    ("args", "solutions"),
    [
        # 63 + 2p − 7 + 1 = 63  ->  p = 3
        (["63x63x16 | conv7x7x32 pad{p}", "--out", "63x63x32"], [{"p": 3}]),
        # ⌊(n − 4)/2⌋ = 14  ->  n − 4 ∈ {28, 29}
        (["nxnx3 | conv5x5x8 | maxpool2", "--out", "14x14x8"], [{"n": 32}, {"n": 33}]),
        # ⌊(32 − f)/2⌋ + 1 = 14  ->  32 − f ∈ {26, 27}
        (["32x32x3 | conv{f}x{f}x10 stride2", "--out", "14x14x10"], [{"f": 5}, {"f": 6}]),
        # (5·5·3 + 1)·c = 76c = 7600
        (["300x300x3 | conv5x5x{c}", "--params", "7600"], [{"c": 100}]),
        # a target on an inner layer: conv output n − 2 = 26
        (["nxnx3 | conv3x3x8 | maxpool2", "--layer", "1", "--out", "26x26x8"], [{"n": 28}]),
        # per-layer parameters: (3·3·3 + 1)·c = 28c = 448
        (["8x8x3 | conv3x3x{c} | conv1x1x4", "--params", "1:448"], [{"c": 16}]),
        # "_" leaves a dim free; --at fixes a symbol that is not an unknown:
        # n − f + 1 = 24 with f in 1..5  ->  n = f + 23
        (
            [
                "nxnx{c} | conv{f}x{f}x8",
                "--out",
                "24x_x_",
                "--at",
                "c=3",
                "--range",
                "n=1..30,f=1..5",
            ],
            [{"n": f + 23, "f": f} for f in range(1, 6)],
        ),
    ],
)
def test_examples(args: list[str], solutions: list[dict[str, int]]) -> None:
    doc = run(*args)
    assert doc["solutions"] == solutions
    assert doc["truncated"] is False
    assert doc["count"] == len(solutions)


def test_many_solutions_are_listed_up_to_the_limit() -> None:
    # n + 2p − f + 1 = 63 with n = 63: f = 2p + 1, p = 0..511 (f <= 1024)
    doc = run("63x63x16 | conv{f}x{f}x32 pad{p}", "--out", "63x63x32", "--limit", "3")
    assert doc["unknowns"] == ["f", "p"]
    assert doc["solutions"] == [{"f": 1, "p": 0}, {"f": 3, "p": 1}, {"f": 5, "p": 2}]
    assert doc["truncated"] is True
    assert doc["count"] == 512
    assert doc["bounds"] == {"f": [1, 1024], "p": [0, 1024]}


def test_ranges_print_as_ranges() -> None:
    # ⌊(n − 2)/8⌋ = 3 for n − 2 in 24..31: a range of eight values
    result = CliRunner().invoke(cli, ["solve", "nxnx3 | conv3x3x8 | maxpool8", "--out", "3x3x8"])
    assert result.exit_code == 0
    assert "8 solutions:\n  n ∈ {26..33}\n" in result.output
    assert "Searched: n in 1..1024" in result.output


def test_no_solution_shows_the_nearest_values() -> None:
    result = CliRunner().invoke(cli, ["solve", "300x300x3 | conv5x5x{c}", "--params", "7601"])
    assert result.exit_code == 0
    assert "No solution within these bounds." in result.output
    assert "c = 100 gives 7,600 params" in result.output
    assert "c = 101 gives 7,676 params" in result.output
    doc = run("300x300x3 | conv5x5x{c}", "--params", "7601")
    assert doc["solutions"] == [] and doc["count"] == 0
    assert doc["nearest"][0] == {"values": {"c": 100}, "gives": "7,600 params"}


def test_validity_conditions_hold_for_every_solution() -> None:
    # ⌊(n + 2p − 3)/3⌋ + 1 = 2 also holds at n = 2, p = 2, but PyTorch refuses pooling padding
    # above half the window (p <= 1 here): such values are not solutions.
    doc = run("nxnx1 | maxpool3 pad{p}", "--out", "2x2x1", "--range", "n=1..10,p=0..3")
    assert (2 + 2 * 2 - 3) // 3 + 1 == 2
    expected = []
    for n in range(1, 11):
        for p in range(4):
            try:
                if analyze("nxnx1 | maxpool3 pad{p}", n=n, p=p).output_shape.dims == (2, 2, 1):
                    expected.append({"n": n, "p": p})
            except ShapecalcError:
                pass
    assert doc["solutions"] == expected
    assert all(s["p"] <= 1 for s in expected) and expected


@pytest.mark.parametrize(
    ("args", "solutions", "conditions"),
    [
        # The output is 8x8x16 for every n; the reshape is valid where n·n·4 = 8·8·16 = 1024,
        # n² = 256, n = 16.
        (
            ["nxnx4 | reshape8x8x16", "--out", "8x8x16"],
            [{"n": 16}],
            ["4·n² = 1024 (layer 1, reshape8x8x16)"],
        ),
        # (6 − k + 1)² = 16: 7 − k = ±4, k = 3 or 11; a 11x11 kernel does not fit the 6x6 input.
        (
            ["6x6x1 | conv{k}x{k}x1 | flatten | reshape16", "--out", "16"],
            [{"k": 3}],
            ["(-k + 7)² = 16 (layer 3, reshape16)"],
        ),
        # m = 8 by the target, 8·(n − 2)² = m: n − 2 = ±1, n = 1 or 3; the conv needs n >= 3.
        (
            ["nxnx3 | conv3x3x8 | flatten | reshape{m}", "--out", "8"],
            [{"n": 3, "m": 8}],
            ["8·(n − 2)² = m (layer 3, reshape{m})"],
        ),
        # gap's output does not depend on p; the res block adds its paths, so
        # 32 + 2p − 3 + 1 = 32, p = 1.
        (
            ["32x32x8 | res(conv3x3x8 pad{p} ; identity) | gap", "--out", "8"],
            [{"p": 1}],
            ["2·p + 30 = 32 (layer 3, add)"],
        ),
        # Two unknowns in one condition: the paths agree where 12 − k + 1 = ⌊12/m⌋, so
        # k = 13 − ⌊12/m⌋ for m = 1..12 (a pooling window within the 12x12 input).
        (
            ["12x12x8 | res(conv{k}x{k}x8 ; maxpool{m}) | gap", "--out", "8"],
            [{"k": 13 - 12 // m, "m": m} for m in range(1, 13)],
            ["−k + 13 = ⌊12/m⌋ (layer 3, add)"],
        ),
    ],
)
def test_validity_conditions_that_sizes_agree_are_equations(
    args: list[str], solutions: list[dict[str, int]], conditions: list[str]
) -> None:
    doc = run(*args)
    assert doc["solutions"] == solutions
    assert doc["count"] == len(solutions)
    assert doc["conditions"] == conditions


def test_the_conditions_solved_show_in_the_answer() -> None:
    result = CliRunner().invoke(cli, ["solve", "nxnx4 | reshape8x8x16", "--out", "8x8x16"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Targets:  output = 8x8x16\n"
        "Requires: 4·n² = 1024 (layer 1, reshape8x8x16)\n"
        "Searched: n in 1..2048\n"
        "1 solution:\n"
        "  n = 16\n"
    )
    # Without such a condition, no Requires line: the answer reads as before.
    plain = CliRunner().invoke(cli, ["solve", "nxnx3 | conv5x5x8 | maxpool2", "--out", "14x14x8"])
    assert (
        "Requires" not in plain.output
        and run("nxnx3 | conv5x5x8 | maxpool2", "--out", "14x14x8")["conditions"] == []
    )


@pytest.mark.parametrize(
    ("spec", "out", "ranges"),
    [
        ("{h}x{w}x2 | reshape{a}x12", "_x12", {"h": (1, 6), "w": (1, 6), "a": (1, 12)}),
        (
            "nxnx1 | conv3x3x1 stride{s} | flatten | reshape{m}",
            "_",
            {"n": (1, 10), "s": (1, 3), "m": (1, 20)},
        ),
        (
            "nxnx2 | res(conv{k}x{k}x2 pad{p} ; maxpool2) | gap",
            "2",
            {"n": (1, 10), "k": (1, 7), "p": (0, 3)},
        ),
    ],
)
def test_conditions_agree_with_brute_force(
    spec: str, out: str, ranges: dict[str, tuple[int, int]]
) -> None:
    """Every combination in the ranges analysed concretely: the valid ones meeting the target
    are the solutions, no more (the inequalities filter) and no fewer (the equalities solve)."""
    import itertools

    names = list(ranges)
    expected = []
    for values in itertools.product(*(range(lo, hi + 1) for lo, hi in ranges.values())):
        try:
            dims = analyze(spec, **dict(zip(names, values))).output_shape.dims
        except ShapecalcError:
            continue
        if all(want == "_" or int(want) == got for want, got in zip(out.split("x"), dims)):
            expected.append(dict(zip(names, values)))
    found = solve(spec, [Target.parse_shape(out)], bounds=ranges, limit=10_000)
    assert found.solutions == expected
    assert expected  # each spec has solutions: a wrong equation would lose some


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["nxnx3 | conv3x3x8 | maxpool2", "--out", "14x14"],
            "target shape 14x14 has 2 dims, but the output is (floor(n/2) - 1) x (floor(n/2) - 1) x 8 (3 dims); write 14x14x_",
        ),
        (
            ["nxnx3 | conv{f}x{f}x8", "--params", "224"],
            "unknown 'n' appears in no target's formula; give it a value with --at n=... or add a target that depends on it",
        ),
        (
            ["28x28x3 | conv3x3x8", "--out", "26x26x8"],
            "the spec has no unknowns; write them as symbols, as in conv7x7x32 pad{p}",
        ),
        (
            ["nxnx3 | conv3x3x8", "--layer", "5", "--out", "5x5x8"],
            "a target on layer 5: the spec has layers 1 to 1",
        ),
        (
            ["nxnx3 | conv3x3x8", "--out", "0:5x5x8"],
            "a target on layer 0: the spec has layers 1 to 1",
        ),
        (
            [
                "nxnx3 | conv5x5x8 stride{s}",
                "--out",
                "14x14x8",
                "--at",
                "n=32",
                "--range",
                "s=0..5",
            ],
            "--range s: s must be at least 1 (only a symbol used just for padding may be 0)",
        ),
        (
            ["nxnx3 | conv3x3x8", "--out", "5x5xeight"],
            "target shape '5x5xeight' is not sizes joined by x, as in 14x14x8 (_ for any size)",
        ),
        (
            ["nxnx3 | conv3x3x8", "--params", "many"],
            "--params 'many' is not a whole number, as in --params 7600",
        ),
        (
            ["nxnx3 | conv3x3x8", "--out", "5x5x8", "--range", "m=1..4"],
            "--range m: not an unknown; the unknowns: n",
        ),
        (["nxnx3 | conv3x3x8"], "give a target: --out SHAPE or --params N"),
        (
            ["nxnx3 | conv{f}x{f}x8 stride{s}", "--out", "7x7x8"],
            "1,073,741,824 combinations of values to try (n 1..1024, f 1..1024, s 1..1024); narrow them "
            "with --range NAME=LOW..HIGH or give some values with --at",
        ),
    ],
)
def test_bad_requests(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["solve", *args])
    assert result.exit_code == 2
    assert result.output == f"error: {message}\n"


def test_targets_are_read_by_the_library_for_the_cli_and_the_playground() -> None:
    assert parse_targets(["2:14x_x8", "7x7x8"], [" 1: 7,600", "44_000"], 3) == [
        Target(layer=2, shape=(14, None, 8)),
        Target(layer=3, shape=(7, 7, 8)),
        Target(layer=1, params=7600),
        Target(layer=3, params=44000),
    ]
    # The library's words name no flag; the command line and the page say --params.
    with pytest.raises(TargetCountError) as caught:
        parse_targets([], ["2:many"], None)
    assert str(caught.value) == "parameter count '2:many' is not a whole number, as in 7600"
    assert caught.value.given == "2:many"
    page = api.answer("/api/solve", {"spec": "nxnx3 | conv3x3x8", "params": ["2:many"]})
    assert page["error"]["message"] == (
        "--params '2:many' is not a whole number, as in --params 7600"
    )


def test_bad_range_option() -> None:
    result = CliRunner().invoke(
        cli, ["solve", "nxnx3 | conv3x3x8", "--out", "5x5x8", "--range", "n=4"]
    )
    assert result.exit_code == 2
    assert "'n=4' is not name=low..high (as in p=0..10)" in result.output


# -- agreement with brute force: every n in the range, analysed concretely ------------------


@st.composite
def one_unknown_specs(draw: st.DrawFn) -> tuple[str, int]:
    """A conv/pool spec on an n x n input, and a value of n at which it is valid."""
    k = draw(st.integers(1, 5))
    s = draw(st.integers(1, 3))
    p = draw(st.integers(0, 2))
    pool = draw(
        st.sampled_from(["", " | maxpool2", " | maxpool3 stride2 ceil", " | avgpool2 same"])
    )
    spec = f"nxnx2 | conv{k}x{k}x3 stride{s} pad{p}{pool}"
    n = draw(st.integers(k + 4, 60))
    return spec, n


@settings(max_examples=60)
@given(one_unknown_specs())
@pytest.mark.slow
def test_solve_agrees_with_brute_force(drawn: tuple[str, int]) -> None:
    spec, n0 = drawn
    target = analyze(spec, n=n0).output_shape.dims
    expected = []
    for n in range(1, 121):
        try:
            if analyze(spec, n=n).output_shape.dims == target:
                expected.append({"n": n})
        except ShapecalcError:
            pass
    shape = "x".join(str(d) for d in target)
    found = solve(spec, [Target.parse_shape(shape)], bounds={"n": (1, 120)}, limit=1000)
    assert found.solutions == expected
    assert found.count == len(expected)


@settings(max_examples=30)
@given(st.integers(1, 6), st.integers(1, 40), st.integers(1, 9))
@pytest.mark.slow
def test_parameter_targets_agree_with_brute_force(k: int, c: int, cin: int) -> None:
    spec = f"9x9x{cin} | conv{k}x{k}x{{c}} | conv1x1x{{c}}"
    total = analyze(spec, c=c).totals.params
    found = solve(spec, [Target(params=total)], bounds={"c": (1, 200)})
    expected = [{"c": v} for v in range(1, 201) if analyze(spec, c=v).totals.params == total]
    assert found.solutions == expected == [{"c": c}]
