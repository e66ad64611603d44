"""The cost options of the command line: --costs, --columns, --dtype, --macs, --batch.

The numbers themselves are checked against the tools in test_costs.py; here, that the CLI
shows them where asked, and only then. The expected figures are hand arithmetic on SPEC:
conv3x3x16 same on 28x28x1 is 28*28*16 outputs of 9 MACs (112,896), dense10 on 3136 is
31,360 MACs; the activations are 12,544 + 3,136 + 3,136 + 10 = 18,826 elements.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from shapecalc.cli import cli

SPEC = "28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10"
MACS = 28 * 28 * 16 * 9 + 3136 * 10  # 144,256


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_plain_table_has_no_cost_columns() -> None:
    code, out = run(SPEC)
    assert code == 0
    assert "MACs" not in out and "Receptive" not in out


def test_costs_adds_columns_and_totals() -> None:
    code, out = run(SPEC, "--costs")
    assert code == 0
    for text in ("MACs", "Memory", "Receptive", "112,896", "3 s1 p1", "4 s2 p1", "all"):
        assert text in out, text
    assert f"{MACS:,}" in out and f"{2 * MACS:,}" in out
    assert "Activations size (float32): 75.30 KB" in " ".join(out.split())  # 18,826 * 4 B


def test_columns_pick_and_order() -> None:
    code, out = run(SPEC, "--columns", "macs,params")
    assert code == 0
    header = next(line for line in out.splitlines() if "Layer" in line)
    assert header.index("MACs") < header.index("Params")
    assert "Output shape" not in header


def test_macs_convention_and_dtype() -> None:
    code, out = run(SPEC, "--macs", "torchinfo", "--dtype", "int8", "--batch", "64")
    assert code == 0
    text = " ".join(out.split())
    # torchinfo adds the bias: 28*28*16 + 10 more per sample.
    assert f"Total MACs (torchinfo): {64 * (MACS + 12_544 + 10):,}" in text
    assert "Activations size (int8): 1.20 MB" in text  # 64 * 18,826 bytes
    assert "Params size (int8): 31.53 KB" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--columns", "shape,macz"], "unknown column 'macz' — did you mean 'macs'?"),
        (["--columns", "rf,rf"], "column 'rf' is given twice"),
        (["--dtype", "float64"], "'float64' is not one of 'float32'"),
        (["--macs", "ptflops"], "'ptflops' is not one of 'torch'"),
        (["--check", "--costs"], "--columns and the cost options go with the table"),
    ],
)
@pytest.mark.slow
def test_bad_cost_options_are_one_line(args: list[str], message: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "shapecalc", SPEC, *args], capture_output=True, text=True
    )
    assert out.returncode == 2
    assert out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and message in out.stderr, out.stderr


def test_json_gets_cost_fields_only_when_asked() -> None:
    _, plain = run(SPEC, "--json")
    assert "costs" not in json.loads(plain)
    assert "macs" not in json.loads(plain)["layers"][0]
    code, out = run(SPEC, "--json", "--costs", "--batch", "2")
    assert code == 0
    doc = json.loads(out)
    assert doc["costs"]["batch"] == 2 and doc["costs"]["convention"] == "torch"
    assert doc["costs"]["totals"]["macs"] == 2 * MACS
    first = doc["layers"][0]
    assert first["macs"] == 2 * 112_896 and first["flops"] == 4 * 112_896
    assert first["output_elements"] == 2 * 12_544 and first["output_bytes"] == 8 * 12_544
    assert first["param_bytes"] == 4 * 160
    assert first["receptive_field"] == {
        "size": [3, 3],
        "stride": [1, 1],
        "padding": [1, 1],
        "aligned": True,
    }
    assert doc["layers"][2]["receptive_field"] is None  # flatten
    assert doc["totals"]["params"] == 31_530  # the existing fields are untouched


def test_symbolic_json_costs_are_strings() -> None:
    code, out = run("nxnx3 | conv3x3x8", "--json", "--costs")
    assert code == 0
    layer = json.loads(out)["layers"][0]
    assert layer["macs"] == "216*(n - 2)**2"
    assert layer["receptive_field"]["size"] == [3, 3]


def test_markdown_columns() -> None:
    code, out = run(SPEC, "--markdown", "--columns", "shape,rf")
    assert code == 0
    assert "| # | Layer | Output shape | Receptive field |" in out
    assert "| 2 | maxpool2 | 14x14x16 | 4 s2 p1 |" in out


def test_cli_choices_match_the_costs_module() -> None:
    # cli.py lists the names itself so that importing it stays light; they must not drift.
    from shapecalc.cli import CONVENTION_NAMES, DTYPE_NAMES
    from shapecalc.costs import CONVENTIONS, DTYPES

    assert DTYPE_NAMES == tuple(DTYPES)
    assert CONVENTION_NAMES == tuple(CONVENTIONS)


@pytest.mark.slow
def test_piped_cost_tables_keep_every_column() -> None:
    """Piped with no COLUMNS, rich would lay the table out in 80 columns and squeeze the
    receptive-field column out of sight; the cost table is printed as wide as it needs."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    proc = subprocess.run(
        [sys.executable, "-m", "shapecalc", "224x224x3 | conv3x3x64 same | maxpool2", "--costs"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0
    assert "Receptive field" in proc.stdout
    assert "│ 3 s1 p1 " in proc.stdout and "│ 4 s2 p1 " in proc.stdout


def test_costs_take_a_batch_beyond_the_checks_usual_sizes() -> None:
    # 26·26·8 outputs of 9 MACs each, per sample, times 4096 (hand arithmetic)
    doc = json.loads(
        CliRunner().invoke(cli, ["28x28x1 | conv3x3x8", "--costs", "--batch", "4096", "--json"]).output
    )
    assert doc["costs"]["totals"]["macs"] == 26 * 26 * 8 * 9 * 4096
