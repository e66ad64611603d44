"""The ``--json`` document. Its schema is documented in README.md and is a public contract."""

from __future__ import annotations

from typing import Any

from ..analysis import Analysis
from ..symbolic import to_json

#: Bumped only for incompatible changes; additions keep the version.
SCHEMA_VERSION = 1


def analysis_to_json(
    analysis: Analysis, explain: bool = False, costs: Any = None
) -> dict[str, Any]:
    """The analysis as JSON-ready data: integers when concrete, strings of sympy expressions
    when symbolic. ``explain`` adds an ``explain`` object to every layer; ``costs`` (a
    :class:`shapecalc.costs.Costs`) adds each layer's cost fields and a ``costs`` object."""
    layers = []
    workings = analysis.explain().to_json() if explain else None
    for row in analysis.rows:
        entry: dict[str, Any] = {
            "index": row.index,
            "spec": row.spec,
            "kind": row.kind,
            "keyword": row.keyword,
            "input_shape": row.input_shape.to_json(),
            "output_shape": row.output_shape.to_json(),
            "params": to_json(row.params),
            "trainable": to_json(row.trainable),
            "non_trainable": to_json(row.non_trainable),
            "constraints": [c.text for c in row.constraints],
        }
        if row.formula is not None:
            entry["formula"] = row.formula.to_json()
        if workings is not None:
            entry["explain"] = workings[row.index - 1]
        if analysis.blocks:  # only specs with blocks: sequential documents stay as they were
            entry["depth"] = row.depth
            entry["block"] = row.block
            entry["path"] = _path(analysis, row.block)
        if costs is not None:
            entry.update(costs.rows[row.index - 1].to_json())
        layers.append(entry)
    totals = analysis.totals
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "spec": analysis.source,
        "input": analysis.input_shape.to_json(),
        "output": analysis.output_shape.to_json(),
        "symbols": list(analysis.symbols),
        "at": dict(analysis.substitutions),
        "layers": layers,
        "totals": {
            "params": to_json(totals.params),
            "trainable": to_json(totals.trainable),
            "non_trainable": to_json(totals.non_trainable),
            "param_bytes": to_json(totals.param_bytes),
        },
        "constraints": [c.text for c in analysis.constraints],
    }
    if analysis.input_formula is not None:
        doc["input_formula"] = analysis.input_formula.to_json()
    if analysis.blocks:
        doc["blocks"] = blocks_to_json(analysis)
    if costs is not None:
        doc["costs"] = {
            "batch": costs.batch,
            "dtype": costs.dtype,
            "convention": costs.convention,
            "totals": costs.totals.to_json(),
        }
    return doc


def _path(analysis: Analysis, block: int | None) -> list[int]:
    """The indices of the blocks around a row or block, outermost first."""
    path: list[int] = []
    while block is not None:
        path.append(block)
        block = analysis.blocks[block - 1].parent
    return path[::-1]


def blocks_to_json(analysis: Analysis) -> list[dict[str, Any]]:
    """The tree of blocks: each with its rows (``first``..``last``, 1-based layer indices)
    and the blocks inside it under ``children``."""
    entries: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for block in analysis.blocks:
        entry: dict[str, Any] = {
            "index": block.index,
            "kind": block.kind,
            "label": block.label,
            "spec": analysis.source[block.span.start : block.span.end],
            "depth": block.depth,
            "first": block.first,
            "last": block.last,
            "input_shape": block.input_shape.to_json(),
            "output_shape": block.output_shape.to_json(),
            "params": to_json(block.params),
            "trainable": to_json(block.trainable),
            "non_trainable": to_json(block.non_trainable),
            "children": [],
        }
        entries[block.index] = entry
        if block.parent is None:
            roots.append(entry)
        else:
            entries[block.parent]["children"].append(entry)
    return roots
