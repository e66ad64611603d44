"""The cross-check as a table with a Check column, and as JSON (the ``check`` object)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .common import TableData, table_data
from .json import analysis_to_json

if TYPE_CHECKING:  # the result types live in torchcheck, which imports torch
    from ..torchcheck import CheckResult, LayerCheck, PointCheck

OK = "✓"
BAD = "✗"


def check_cell(layer: LayerCheck) -> str:
    """``✓``, or ``✗`` with both values (or the framework's error)."""
    return OK if layer.ok else f"{BAD} {layer.describe()}"


def point_data(point: PointCheck, result: CheckResult) -> TableData:
    """The analysis table of one point with the Check column added."""
    data = table_data(point.analysis)
    rows = [(*data.rows[0], "")]
    # Block rows have no number and no check of their own.
    by_index = {str(layer.row.index): layer for layer in point.layers}
    rows += [
        (*cells, check_cell(by_index[cells[0]]) if cells[0] in by_index else "")
        for cells in data.rows[1:]
    ]
    passed = sum(layer.ok for layer in point.layers)
    verdict = f"{passed} of {len(point.layers)} layers agree with {result.framework}"
    where = f" (device {result.device}, batch {result.batch})"
    return TableData(
        (*data.headers, "Check"), tuple(rows), (*data.summary, ("Check", verdict + where))
    )


def check_table(result: CheckResult) -> Any:
    """A rich renderable: per point, the table with a Check column, and the verdict."""
    from rich.console import Group
    from rich.text import Text

    from .table import data_table

    parts: list[Any] = []
    symbolic = bool(result.analysis.symbols)
    if symbolic:
        names = ", ".join(result.analysis.symbols)
        parts.append(Text(f"Checked at {len(result.points)} sample points of {names}:"))
    for point in result.points:
        if symbolic:
            at = ", ".join(f"{k}={v}" for k, v in point.at.items())
            parts.append(Text(f"\nat {at}", style="bold"))
        parts.append(data_table(point_data(point, result)))
    return Group(*parts)


def layer_check_json(layer: LayerCheck) -> dict[str, Any]:
    """One row of the ``check`` object: the framework's values (channels last) and the
    verdict."""
    theirs = layer.torch
    return {
        "index": layer.row.index,
        "ok": layer.ok,
        "output_shape": list(theirs.output_shape) if theirs else None,
        "trainable": theirs.trainable if theirs else None,
        "non_trainable": theirs.non_trainable if theirs else None,
        "error": layer.error,
    }


def check_json(result: CheckResult) -> dict[str, Any]:
    """The ``check`` object (schema in README)."""
    return {
        "ok": result.ok,
        "device": result.device,
        "batch": result.batch,
        "framework": result.framework,
        **result.versions(),
        "points": [
            {
                "at": dict(point.at),
                "ok": point.ok,
                "layers": [layer_check_json(layer) for layer in point.layers],
            }
            for point in result.points
        ],
    }


def check_to_json(result: CheckResult) -> dict[str, Any]:
    """The ``--json`` document of the analysis with the ``check`` object added."""
    doc = analysis_to_json(result.analysis)
    doc["check"] = check_json(result)
    return doc
