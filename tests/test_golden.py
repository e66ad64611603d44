"""Golden files: every example's table, Markdown and JSON, reviewed as diffs.

Regenerate with ``python -m pytest tests/test_golden.py --update-golden`` and read the diff.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from shapecalc import analyze
from shapecalc.symbolic import concrete

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = {p.stem: p.read_text() for p in sorted((ROOT / "examples").glob("*.shape"))}
CASES["symbolic_vgg16"] = (
    (ROOT / "examples" / "vgg16.shape").read_text().replace("224x224x3", "HxWx3")
)
CASES["symbolic_conv"] = "nxnx3 | conv{f}x{f}x8 pad{p} | maxpool2 | bn"


def _table(spec: str) -> str:
    console = Console(width=100, record=True, color_system=None, file=io.StringIO())
    console.print(analyze(spec))
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


RENDERERS = {
    "txt": _table,
    "md": lambda spec: analyze(spec).to_markdown(),
    "json": lambda spec: json.dumps(analyze(spec).to_json(), indent=2) + "\n",
}


@pytest.mark.parametrize("suffix", sorted(RENDERERS))
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, suffix: str, request: pytest.FixtureRequest) -> None:
    path = GOLDEN / f"{name}.{suffix}"
    text = RENDERERS[suffix](CASES[name])
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"missing {path.name}: run with --update-golden"
    assert text == path.read_text()


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_json_rows_add_up_to_the_totals(name: str) -> None:
    """torchinfo's invariant, on the reviewed files themselves."""
    doc = json.loads((GOLDEN / f"{name}.json").read_text())
    if all(isinstance(layer["params"], int) for layer in doc["layers"]):
        assert sum(layer["params"] for layer in doc["layers"]) == doc["totals"]["params"]
        assert (
            doc["totals"]["params"] == doc["totals"]["trainable"] + doc["totals"]["non_trainable"]
        )
    else:
        analysis = analyze(doc["spec"])
        total = sum((row.params for row in analysis.rows), start=0)
        assert concrete((total - analysis.totals.params).expand()) == 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_json_blocks_add_up_their_layers(name: str) -> None:
    """Each block's total is the sum of the layers it spans, and its children lie inside it."""
    doc = json.loads((GOLDEN / f"{name}.json").read_text())
    layers = doc["layers"]

    def walk(block: dict[str, object], depth: int) -> None:
        first, last = block["first"], block["last"]
        assert isinstance(first, int) and isinstance(last, int)
        inside = layers[first - 1 : last]
        assert block["params"] == sum(layer["params"] for layer in inside)
        assert block["depth"] == depth
        assert all(block["index"] in layer["path"] for layer in inside)
        for child in block["children"]:  # type: ignore[attr-defined]
            assert first <= child["first"] <= child["last"] <= last
            walk(child, depth + 1)

    for block in doc.get("blocks", []):
        walk(block, 0)
    if "blocks" not in doc:  # a sequential spec: the document has no nesting fields
        assert all("depth" not in layer and "path" not in layer for layer in layers)
