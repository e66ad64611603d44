"""The terminal table, as a rich renderable."""

from __future__ import annotations

from typing import Any

from ..network import Analysis
from .common import TableData, table_data


def analysis_table(analysis: Analysis, depth: int | None = None) -> Any:
    """A rich renderable: the layer table with the totals under it (rows nested deeper than
    ``depth`` left out)."""
    return data_table(table_data(analysis, depth=depth))


def data_table(data: TableData) -> Any:
    """A rich renderable of laid-out table cells (:func:`.common.table_data`, maybe with
    extra columns) and the summary lines under it."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(show_edge=True, header_style="bold", expand=False)
    for column, header in enumerate(data.headers):
        widest = max(len(header), *(len(cells[column]) for cells in data.rows))
        numeric = header == "#" or (
            header == "Params" and all(c[column].replace(",", "").isdigit() for c in data.rows[1:])
        )
        # Narrow terminals wrap the formulas, never a number or a short layer word.
        table.add_column(
            header,
            justify="right" if header in ("#", "Params") else "left",
            overflow="fold",
            no_wrap=numeric,
            min_width=min(widest, 14 if header in ("Layer", "Output shape") else 6),
        )
    for cells in data.rows:
        # Text() so that spec text such as "[same]" is never read as rich markup.
        table.add_row(*(Text(cell) for cell in cells))
    summary = Table.grid(padding=(0, 1))
    summary.add_column(style="bold")
    summary.add_column()
    for label, value in data.summary:
        summary.add_row(Text(label + ":"), Text(value))
    return Group(table, summary)
