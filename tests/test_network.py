"""The Python API: analyze(), Analysis, JSON document, repeats, substitutions."""

from __future__ import annotations

import json

import pytest

from shapecalc import ShapecalcError, SubstitutionError, analyze

SPEC = "28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10"


def test_analyze_rows_and_totals() -> None:
    analysis = analyze(SPEC)
    assert [str(r.output_shape) for r in analysis.rows] == ["28x28x16", "14x14x16", "3136", "10"]
    assert [r.params for r in analysis.rows] == [160, 0, 0, 3136 * 10 + 10]
    assert analysis.totals.params == sum(r.params for r in analysis.rows)
    assert analysis.totals.param_bytes == 4 * analysis.totals.params
    assert analysis.layers is analysis.rows


def test_json_schema() -> None:
    doc = analyze(SPEC).to_json()
    json.dumps(doc)  # serialisable
    assert doc["input"] == [28, 28, 1]
    assert doc["output"] == [10]
    first = doc["layers"][0]
    assert {k: first[k] for k in ("index", "spec", "kind", "output_shape", "params")} == {
        "index": 1,
        "spec": "conv3x3x16 same",
        "kind": "conv",
        "output_shape": [28, 28, 16],
        "params": 160,
    }
    assert first["trainable"] == 160 and first["non_trainable"] == 0
    assert doc["totals"] == {
        "params": 31530,
        "trainable": 31530,
        "non_trainable": 0,
        "param_bytes": 126120,
    }


def test_json_symbolic_values_are_strings() -> None:
    doc = analyze("nxnx3 | conv3x3x8").to_json()
    assert doc["layers"][0]["output_shape"] == ["n - 2", "n - 2", 8]
    assert doc["layers"][0]["params"] == 224
    assert doc["symbols"] == ["n"]
    assert doc["constraints"] == ["n >= 3"]


def test_repeat_expands_in_json_with_each_item_as_written() -> None:
    doc = analyze("8x8x3 | (conv3x3x4 same | relu)x2 | flatten").to_json()
    assert [layer["spec"] for layer in doc["layers"]] == [
        "conv3x3x4 same",
        "relu",
        "conv3x3x4 same",
        "relu",
        "flatten",
    ]
    assert [layer["index"] for layer in doc["layers"]] == [1, 2, 3, 4, 5]
    assert doc["layers"][2]["params"] == (9 * 4 + 1) * 4


def test_flatten_after_gap_is_a_no_op() -> None:
    a = analyze("7x7x512 | gap | dense10")
    b = analyze("7x7x512 | gap | flatten | dense10")
    assert a.totals.params == b.totals.params == 5130


@pytest.mark.parametrize(
    ("subs", "message"),
    [
        ({"q": 3}, "unknown symbol 'q'; the spec's symbols: n"),
        ({"n": -1}, "n must be positive"),
        ({"n": 0}, "n must be positive"),
    ],
)
def test_bad_substitutions(subs: dict[str, int], message: str) -> None:
    with pytest.raises(SubstitutionError, match=message):
        analyze("nxnx3 | conv3x3x8", **subs)


def test_every_error_derives_from_the_base_class() -> None:
    for bad in ["", "28x28x1 | cnv3", "5x5x1 | conv7x7x1", "28x28x1 | ;", "28x28x1 | (relu)x0"]:
        with pytest.raises(ShapecalcError):
            analyze(bad)


def test_rich_rendering_keeps_spec_text_with_brackets() -> None:
    from rich.console import Console

    console = Console(width=120, record=True, color_system=None)
    console.print(analyze("28x28x1 | conv3x3x16 same | maxpool2"))
    text = console.export_text()
    assert "conv3x3x16 same" in text and "14x14x16" in text and "Total params:" in text
    assert "160" in text


def test_markdown_table() -> None:
    md = analyze(SPEC).to_markdown()
    lines = md.splitlines()
    assert lines[0] == "| # | Layer | Output shape | Params |"
    assert "| 4 | dense10 | 10 | 31,370 |" in lines
    assert "- **Total params:** 31,530" in lines


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (999, "999 B"),
        (126_120, "126.12 KB"),
        (553_430_176, "553.43 MB"),
        (999_995, "1.00 MB"),
        (4 * 10**54 + 5, "4.00e54 B"),
    ],
)
def test_byte_sizes_are_exact_decimal_units(count: int, text: str) -> None:
    from shapecalc.render.common import format_bytes

    assert format_bytes(count) == text


def test_huge_sizes_are_exact_or_refused() -> None:
    from shapecalc import ShapeError

    big = 10**18
    analysis = analyze(f"{big}x{big}x{big} | flatten | dense{big}")
    assert analysis.totals.params == (big**3 + 1) * big
    with pytest.raises(ShapeError, match="exceeds 10\\*\\*100"):
        analyze("1x1x1 | (upsample1000000000000000000)x8")


def test_markdown_formulas_are_code_spans() -> None:
    md = analyze("nxnx3 | conv{f}x{f}x8 pad{p}").to_markdown()
    assert "| `(3*f**2 + 1)*8` |" in md
    assert "- **Total params:** `(3*f**2 + 1)*8`" in md


def test_is_symbolic() -> None:
    assert analyze("nxnx3 | conv3x3x8").is_symbolic
    assert not analyze("nxnx3 | conv3x3x8", n=8).is_symbolic
    assert not analyze("8x8x3 | conv3x3x8").is_symbolic
