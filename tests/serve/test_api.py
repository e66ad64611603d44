"""The JSON API of shapecalc serve answers what the command line prints, through the same
library calls: the table's cells, errors with their span, the drawing options of the draw
command, the solver, and every download (checked against the CLI in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecalc import analyze
from shapecalc.cli import cli
from shapecalc.render.common import table_data
from shapecalc.serve import api

ROOT = Path(__file__).resolve().parents[2]
VGG = (ROOT / "examples" / "vgg16.shape").read_text()


def run(*args: str) -> bytes:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_analyze_gives_the_tables_cells_and_the_json_document() -> None:
    answer = api.answer("/api/analyze", {"spec": VGG, "document": True})
    assert answer["ok"] is True
    data = table_data(analyze(VGG))
    assert answer["table"]["headers"] == list(data.headers)
    assert answer["table"]["rows"] == [list(row) for row in data.rows]
    assert ["Total params", "138,357,544"] in answer["table"]["summary"]
    assert answer["document"] == json.loads(
        run("-f", str(ROOT / "examples" / "vgg16.shape"), "--json")
    )


def test_costs_and_at_are_the_cli_options() -> None:
    answer = api.answer(
        "/api/analyze",
        {
            "spec": "nxnx3 | conv3x3x8",
            "at": "n=32",
            "costs": True,
            "batch": 4,
            "dtype": "int8",
            "document": True,
        },
    )
    cli_doc = json.loads(
        run(
            "nxnx3 | conv3x3x8",
            "--at",
            "n=32",
            "--json",
            "--costs",
            "--batch",
            "4",
            "--dtype",
            "int8",
        )
    )
    assert answer["document"] == cli_doc
    assert "MACs" in answer["table"]["headers"]


def test_a_spec_error_carries_the_cli_text_and_its_span() -> None:
    spec = "28x28x1 | cnv3x3x16 same"
    answer = api.answer("/api/analyze", {"spec": spec})
    assert answer["ok"] is False
    error = answer["error"]
    start, end = error["span"]
    assert spec[start:end] == "cnv3x3x16"
    result = CliRunner().invoke(cli, [spec])
    assert result.exit_code == 2
    assert "error: " + error["text"] in result.output


def test_a_bad_at_value_names_the_at_field() -> None:
    for at in ("m=3", "n=x"):
        error = api.answer("/api/analyze", {"spec": "nxnx1 | relu", "at": at})["error"]
        assert error["field"] == "at" and error["span"] is None, error
        assert "--at" in error["text"]


@pytest.mark.parametrize(
    "body",
    [
        {"spec": 3},
        {"spec": "8x8x1", "costs": "yes"},
        {"spec": "8x8x1", "options": {"eval": "1"}},
        {"spec": "8x8x1", "options": {"title": ["x"]}},
        {"spec": "8x8x1", "depth": -1},
    ],
)
def test_requests_of_the_wrong_form_are_refused(body: dict[str, object]) -> None:
    path = "/api/draw" if "options" in body else "/api/analyze"
    with pytest.raises(api.RequestError):
        api.answer(path, body)


def test_draw_options_are_the_draw_commands() -> None:
    from shapecalc.cli.draw import draw

    offered = {option["name"]: option for option in api.draw_options()}
    expected = {p.name for p in draw.params} - api.NOT_DRAWING_OPTIONS
    assert set(offered) == expected
    assert offered["style"]["choices"] == ["lenet", "alexnet", "fcnn", "graph"]
    assert offered["max_channels"]["min"] == 1 and offered["max_channels"]["default"] == 12
    assert offered["legend"]["kind"] == "toggle" and offered["legend"]["default"] is True
    assert offered["no_labels"]["kind"] == "flag" and offered["no_labels"]["default"] is False


def test_the_drawing_is_the_draw_commands_output() -> None:
    spec = "32x32x3 | conv3x3x8 same | maxpool2 | flatten | dense10"
    options = {"style": "alexnet", "legend": False, "no_labels": True, "title": "--help <b>"}
    answer = api.answer("/api/draw", {"spec": spec, "options": options})
    cli_svg = run(
        "draw",
        spec,
        "-o",
        "-",
        "--style",
        "alexnet",
        "--no-legend",
        "--no-labels",
        "--title",
        "--help <b>",
    )
    assert answer["svg"].encode() == cli_svg
    assert "&lt;b&gt;" in answer["svg"] and "<b>" not in answer["svg"]


def test_a_bad_drawing_option_is_the_commands_usage_error() -> None:
    error = api.answer("/api/draw", {"spec": "8x8x1", "options": {"max_channels": 99}})["error"]
    assert error["field"] == "draw" and "99" in error["message"]


def test_solve_answers_as_the_solve_command() -> None:
    spec = "nxnx3 | conv5x5x8 | maxpool2"
    answer = api.answer("/api/solve", {"spec": spec, "out": ["14x14x8"], "range": "n=1..64"})
    expected = json.loads(run("solve", spec, "--out", "14x14x8", "--range", "n=1..64", "--json"))
    assert {k: v for k, v in answer.items() if k not in ("ok", "ms")} == expected


SPEC = "nxnx3 | conv3x3x8 same | maxpool2 | flatten | dense10"


@pytest.mark.parametrize(
    ("fmt", "args"),
    [
        ("json", [SPEC, "--at", "n=32", "--json"]),
        ("markdown", [SPEC, "--at", "n=32", "--markdown"]),
        ("latex", [SPEC, "--at", "n=32", "--latex"]),
        ("torch", ["torch", SPEC, "--at", "n=32"]),
        ("keras", ["keras", SPEC, "--at", "n=32"]),
        ("svg", ["draw", SPEC, "--at", "n=32", "-o", "-"]),
    ],
)
def test_each_download_equals_the_cli_output(fmt: str, args: list[str]) -> None:
    data, _, name = api.export({"spec": SPEC, "at": "n=32", "format": fmt})
    assert data == run(*args)
    assert name.startswith("network")


def test_the_png_download_equals_draw_to_a_png_file(tmp_path: Path) -> None:
    data, media, _ = api.export({"spec": SPEC, "at": "n=32", "format": "png"})
    target = tmp_path / "net.png"
    run("draw", SPEC, "--at", "n=32", "-o", str(target))
    assert media == "image/png" and data == target.read_bytes()


def test_the_examples_menu_lists_the_example_files() -> None:
    listed = {e["name"]: e["spec"] for e in api.examples()}
    files = {p.stem: p.read_text() for p in (ROOT / "examples").glob("*.shape")}
    assert listed == files


def test_the_working_is_the_latex_of_the_cli_layer_by_layer() -> None:
    spec = "nxnx3 | conv3x3x8 pad1 | maxpool2 | relu"
    answer = api.answer("/api/explain", {"spec": spec, "at": "n=32"})
    latex = run(spec, "--at", "n=32", "--latex").decode()
    assert [layer["spec"] for layer in answer["working"]] == ["conv3x3x8 pad1", "maxpool2", "relu"]
    steps = [step for layer in answer["working"] for step in layer["steps"]]
    assert steps and all(f"{s['quantity']} &= {s['latex']}" in latex for s in steps)
    assert all(layer["shapes"] in latex for layer in answer["working"])
    assert answer["working"][2]["steps"] == []  # relu: nothing to compute
