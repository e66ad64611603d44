"""Every spec in examples/ -> ``shapecalc torch``'s code -> ``shapecalc import`` -> the same
analysis: every layer's output shape and parameters, in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from shapecalc import analyze
from shapecalc.imports import from_torch
from shapecalc.imports.torch_frontend import load_model
from shapecalc.imports.writer import input_text

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.shape"))


def layers(spec: str) -> list[tuple[str, object, object, object]]:
    """Every row but the merges: its kind, output shape, trainable and non-trainable counts."""
    rows: list[tuple[str, object, object, object]] = []
    for row in analyze(spec).rows:
        if row.kind == "merge":
            continue
        if row.spec == "flatten" and rows and rows[-1][0] == "pool":
            # adaptiveavgpool1 | flatten is gap (the import writes it so): one row.
            rows[-1] = ("pool", row.output_shape, 0, 0)
            continue
        rows.append((row.kind, row.output_shape, row.trainable, row.non_trainable))
    return rows


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_round_trips_through_torch(path: Path, tmp_path: Path) -> None:
    original = analyze(path.read_text(encoding="utf-8"))
    code = tmp_path / "net.py"
    code.write_text(original.to_torch_code(), encoding="utf-8")
    model = load_model(f"{code}:Net")
    spec = from_torch(model, input_text(original.input_shape))
    assert layers(spec) == layers(original.source)
    imported = analyze(spec)
    assert imported.totals == original.totals
    assert imported.output_shape == original.output_shape
