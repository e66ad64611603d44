"""Cell formatting and the table layout shared by the terminal and Markdown renderers."""

from __future__ import annotations

from dataclasses import dataclass

from ..network import Analysis
from ..symbolic import Dim, concrete, fmt


def format_count(value: Dim) -> str:
    """``61706`` -> ``61,706``; symbolic counts as their formula."""
    value = concrete(value)
    return f"{value:,}" if isinstance(value, int) else fmt(value)


def format_bytes(value: Dim) -> str:
    """Bytes in decimal units as torchinfo prints them (``553.43 MB``)."""
    value = concrete(value)
    if not isinstance(value, int):
        return f"{fmt(value)} bytes"
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if value >= size:
            return f"{value / size:,.2f} {unit}"
    return f"{value} B"


@dataclass(frozen=True)
class TableData:
    """The cells of an analysis table: headers, one row per layer, and summary lines."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    summary: tuple[tuple[str, str], ...]


def table_data(analysis: Analysis) -> TableData:
    """Lay out an analysis as a table: #, layer, output shape, [formula], params."""
    with_formula = any(row.formula is not None for row in analysis.rows)
    headers = ("#", "Layer", "Output shape", *(("Formula",) if with_formula else ()), "Params")
    formula = (str(analysis.input_formula or ""),) if with_formula else ()
    rows = [("", "input", str(analysis.input_shape), *formula, "")]
    for row in analysis.rows:
        formula = (str(row.formula) if row.formula is not None else "",) if with_formula else ()
        rows.append(
            (str(row.index), row.spec, str(row.output_shape), *formula, format_count(row.params))
        )
    totals = analysis.totals
    summary = [
        ("Total params", format_count(totals.params)),
        ("Trainable params", format_count(totals.trainable)),
        ("Non-trainable params", format_count(totals.non_trainable)),
        ("Params size (float32)", format_bytes(totals.param_bytes)),
    ]
    if analysis.substitutions:
        summary.append(("At", ", ".join(f"{k}={v}" for k, v in analysis.substitutions.items())))
    if analysis.constraints:
        summary.append(("Valid when", ", ".join(c.text for c in analysis.constraints)))
    return TableData(headers, tuple(rows), tuple(summary))
