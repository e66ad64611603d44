"""Limits: input past them is refused by name, at once, with a caret; input up to them works.

The cases live in tests/fuzzing.py (LIMIT_CASES), where benchmarks/fuzz.py times them too.
"""

from __future__ import annotations

import json
import subprocess
import sys

import fuzzing
import pytest

from shapecalc import Analysis, SpecError, analyze
from shapecalc.network import MAX_LAYERS
from shapecalc.parser import MAX_DEPTH, MAX_NUMBER


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, want, id=name) for name, text, want in fuzzing.LIMIT_CASES],
)
def test_limit_cases(text: str, expected: str | None) -> None:
    if expected is None:
        assert isinstance(fuzzing.check_spec(text, render=False), Analysis)
        return
    with pytest.raises(SpecError) as info:
        analyze(text)
    fuzzing.check_error(info.value, text)
    assert expected in info.value.render().split("\n")[0]


def test_the_documented_caps_are_the_enforced_ones() -> None:
    from shapecalc.cli import MAX_SPEC_BYTES
    from shapecalc.network import MAX_CONDITION, MAX_FORMULA, MAX_RESULT, MAX_VALUE
    from shapecalc.parser import MAX_BLOCK_ITEMS

    table = (fuzzing.ROOT / "docs" / "spec.md").read_text().split("## Limits")[1]
    table = table.split("\n## ")[0]
    rows = {
        "layers after expanding repeats": f"| {MAX_LAYERS:,} |",
        "items made by uses of named blocks": f"| {MAX_BLOCK_ITEMS:,} |",
        "nesting of groups": f"| {MAX_DEPTH} levels |",
        "any number in a spec": f"| 10**{len(str(MAX_NUMBER)) - 1} |",
        "`--at` values": f"| 10**{len(str(MAX_VALUE)) - 1} |",
        "a computed size": f"| 10**{len(str(MAX_RESULT)) - 1} |",
        "a symbolic result": f"| {MAX_FORMULA:,} |",
        "one validity condition": f"| {MAX_CONDITION:,} |",
        "a spec file": f"| {MAX_SPEC_BYTES // 1_000_000} MB |",
    }
    for row, limit in rows.items():
        (line,) = [line for line in table.splitlines() if row in line]
        assert limit in line, (line, limit)
    # The cases in tests/fuzzing.py are written against these numbers.
    assert (MAX_LAYERS, MAX_DEPTH, MAX_NUMBER) == (100_000, 32, 10**18)


def test_exactly_at_the_caps() -> None:
    assert len(analyze(f"28x28x3 | (relu)x{MAX_LAYERS}").rows) == MAX_LAYERS
    with pytest.raises(SpecError, match=r"100,000 layers \(100,001 with the layers before it\)"):
        analyze(f"28x28x3 | relu | (relu)x{MAX_LAYERS}")
    # A merge is a row: 50,000 res blocks of one layer are 100,000 rows, refused before
    # the repeat is copied out.
    with pytest.raises(SpecError, match="expands to 100,002 layers"):
        analyze("28x28x3 | (res(relu))x50001")
    nested = "8x8x3 | " + "(" * MAX_DEPTH + "relu" + ")x1" * MAX_DEPTH
    assert len(analyze(nested).rows) == 1
    with pytest.raises(SpecError, match="nested deeper than 32"):
        analyze("8x8x3 | " + "(" * (MAX_DEPTH + 1) + "relu" + ")x1" * (MAX_DEPTH + 1))
    assert analyze(f"{MAX_NUMBER}x3 | relu").output_shape.dims == (MAX_NUMBER, 3)


@pytest.mark.slow
def test_deep_nesting_never_reaches_the_recursion_limit() -> None:
    # 10,000 levels with Python's recursion limit lowered: a parser that recursed once per
    # level would raise RecursionError; the nesting cap stops it after 32.
    code = (
        "import sys; sys.setrecursionlimit(400)\n"
        "from shapecalc import analyze, SpecError\n"
        "for text in ['1x1x1 | ' + '(' * 10000 + 'relu' + ')x1' * 10000,\n"
        "             '1x1x1 | ' + 'res(' * 10000 + 'relu' + ')' * 10000]:\n"
        "    try:\n"
        "        analyze(text)\n"
        "    except SpecError as err:\n"
        "        print(err.message)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["groups nested deeper than 32", "blocks nested deeper than 32"]


@pytest.mark.parametrize(
    ("args", "stdin", "first_line"),
    [
        (
            ["28x28x3 | (conv3x3x8 same)x1000000"],
            b"",
            "error: this repeat expands to 1,000,000 layers at column 11; the limit is 100,000",
        ),
        (
            ["-"],
            b"28x28x1 | relu\n" + b"#" * 1_100_000,
            "error: standard input holds more than 1 MB; specs are at most 1 MB",
        ),
        (
            ["nxnx3 | relu", "--at", "n=1000000000000000001"],
            b"",
            "error: --at n: the value is larger than 10**18",
        ),
        (
            ["28x28x3 | relu", "--costs", "--batch", "1000000001"],
            b"",
            "error: Invalid value for '--batch': 1000000001 is not in the range 1<=x<=1000000000.",
        ),
    ],
    ids=["repeat", "stdin", "at", "batch"],
)
@pytest.mark.slow
def test_limits_through_the_program(args: list[str], stdin: bytes, first_line: str) -> None:
    proc = fuzzing.run_program(*args, stdin=stdin)
    assert proc.returncode == 2
    assert proc.stderr.split("\n")[0] == first_line
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_a_spec_at_the_size_limits_through_the_program() -> None:
    proc = fuzzing.run_program("nxnx3 | conv3x3x8", "--at", f"n={MAX_NUMBER}", "--json")
    assert proc.returncode == 0, proc.stderr
    # 10**18 - 3 + 1 per spatial dim, exactly (JSON keeps big integers exact).
    assert json.loads(proc.stdout)["output"] == [MAX_NUMBER - 2, MAX_NUMBER - 2, 8]
