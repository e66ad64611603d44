"""Tables fit the width they are printed at (issue 18 §2) and the parameter totals say what
each line counts (§5)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from shapecalc import analyze
from shapecalc.cli import cli
from shapecalc.cli.output import TrimmedLines
from shapecalc.render.common import COST_COLUMNS, table_data
from shapecalc.render.reference import layers_table
from shapecalc.render.table import analysis_table

ROOT = Path(__file__).resolve().parents[1]
VGG16 = (ROOT / "examples" / "vgg16.shape").read_text()
RESNET18 = (ROOT / "examples" / "resnet18.shape").read_text()
SYMBOLIC = "nxnx3 | conv{f}x{f}x8 pad{p} | maxpool2 | bn"
ALL_COLUMNS = ("shape", "params", "param_memory", "macs", "flops", "activations", "memory", "rf")
WIDTHS = [60, 80, 100, 200]
#: Where a table's line starts and ends: on a border, so nothing was cut off.
EDGES = "┏┃┡│└┗"
ENDS = "┓┃┩│┘┛"


def _printed(renderable: object, width: int) -> list[str]:
    console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
    console.print(renderable)
    return console.export_text().splitlines()


def _cells(lines: list[str]) -> list[str]:
    """Every cell text of the table lines (a wrapped cell gives one piece per line)."""
    return [
        cell.strip()
        for line in lines
        if line[:1] in "│┃"
        for cell in re.split("[│┃]", line)[1:-1]
        if cell.strip()
    ]


CASES = [
    ("plain", VGG16, ("shape", "params")),
    ("costs", VGG16, COST_COLUMNS),
    ("columns", RESNET18, ALL_COLUMNS),
    ("symbolic", SYMBOLIC, ("shape", "params")),
]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "spec", "columns"), CASES, ids=[c[0] for c in CASES])
def test_every_table_fits_its_width(name: str, spec: str, columns: tuple[str, ...], width: int) -> None:
    analysis = analyze(spec)
    costs = analysis.costs()
    lines = _printed(analysis_table(analysis, columns, costs), width)
    assert max(len(line) for line in lines) <= width
    table_lines = [line for line in lines if line and line[0] in "┏┃┡│└├"]
    assert all(line[0] in EDGES + "├" and line[-1] in ENDS + "┤" for line in table_lines)
    # Every layer is there, and every header: nothing was cut off at the right.
    data = table_data(analysis, columns, costs)
    text = " ".join(lines)
    for header in data.headers:
        for word in header.split():
            assert word in text, (header, width)
    numbers = [c for c in _cells(lines) if re.fullmatch(r"[0-9]+", c)]
    assert [str(i) for i in range(1, len(analysis.rows) + 1)] == sorted(
        set(numbers) & {str(i) for i in range(1, len(analysis.rows) + 1)}, key=int
    )


def test_a_wide_terminal_gets_the_whole_table_with_full_numbers() -> None:
    analysis = analyze(VGG16)
    lines = _printed(analysis_table(analysis, COST_COLUMNS, analysis.costs()), 200)
    assert sum(line.startswith("┏") for line in lines) == 1  # one table
    assert any("86,704,128" in line for line in lines)


def test_80_columns_shorten_the_counts_and_split_the_costs() -> None:
    analysis = analyze(VGG16)
    lines = _printed(analysis_table(analysis, COST_COLUMNS, analysis.costs()), 80)
    assert sum(line.startswith("┏") for line in lines) == 2
    first = next(line for line in lines if line.startswith("│  1 │"))
    assert first == "│  1 │ conv3x3x64 same  │ 224x224x64   │  1,792 │ 86.7 M │  12.85 MB │"
    assert "Recepti" not in " ".join(line for line in lines if "Receptive field" not in line)
    assert "Total MACs (torch):         15,470,264,320" in lines  # the totals stay exact


@pytest.mark.parametrize("width", WIDTHS)
def test_the_layers_reference_fits(width: int) -> None:
    lines = _printed(layers_table(), width)
    assert max(len(line) for line in lines) <= width
    assert all(line[-1] in ENDS + "┤" for line in lines)


@pytest.mark.parametrize("width", [60, 80])
@pytest.mark.parametrize(
    "args",
    [
        [VGG16, "--costs"],
        [RESNET18, "--columns", ",".join(ALL_COLUMNS)],
        [RESNET18],
        ["layers"],
        [SYMBOLIC, "--explain"],
    ],
    ids=["costs", "columns", "plain", "layers", "explain"],
)
def test_piped_output_fits_and_has_no_trailing_spaces(
    args: list[str], width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    assert [line for line in lines if line != line.rstrip()] == []


def test_trimmed_lines_keep_a_partial_line_until_its_end() -> None:
    out = io.StringIO()
    trimmed = TrimmedLines(out)
    trimmed.write("a  \nb ")
    assert out.getvalue() == "a\n"
    trimmed.write(" c  \n")
    assert out.getvalue() == "a\nb  c\n"


def test_columns_show_only_their_totals() -> None:
    result = CliRunner().invoke(cli, ["28x28x1 | conv3x3x16 | bn", "--columns", "shape,rf"])
    assert result.exit_code == 0
    assert "Total" not in result.stdout and "Batch" not in result.stdout
    macs = CliRunner().invoke(cli, ["28x28x1 | conv3x3x16", "--columns", "macs"]).stdout
    assert "Total MACs (torch):" in macs and "Activations size" not in macs
    assert "Total params:" not in macs


def test_totals_say_what_each_line_counts() -> None:
    """ResNet-18: torchvision publishes 11,689,512 parameters, torchinfo's "Total params";
    Keras also counts batchnorm's running statistics as non-trainable params."""
    analysis = analyze(RESNET18)
    lines = _printed(analysis_table(analysis), 100)
    trainable, statistics = analysis.totals.trainable, analysis.totals.non_trainable
    assert trainable == 11_689_512  # torchvision's resnet18, as its docs give it
    assert lines[-4:] == [
        f"Total params:          {trainable:,} (torch; Keras: {trainable + statistics:,})",
        f"Trainable params:      {trainable:,}",
        f"Running statistics:    {statistics:,} (Keras' non-trainable params)",
        "Params size (float32): 46.80 MB",
    ]
    doc = analysis.to_json()["totals"]  # the JSON keeps its fields and their meaning
    assert (doc["params"], doc["trainable"], doc["non_trainable"]) == (
        trainable + statistics,
        trainable,
        statistics,
    )
    plain = _printed(analysis_table(analyze("28x28x1 | conv3x3x16")), 100)
    assert plain[-4:-1] == [
        "Total params:          160",
        "Trainable params:      160",
        "Non-trainable params:  0",
    ]
    assert json.loads(json.dumps(doc)) == doc


@pytest.mark.parametrize("width", WIDTHS)
def test_the_check_table_fits(width: int) -> None:
    result = analyze(RESNET18).check(device="meta")
    lines = _printed(result, width)
    assert max(len(line) for line in lines) <= width
    assert sum("✓" in cell for cell in _cells(lines)) == len(result.points[0].layers)
