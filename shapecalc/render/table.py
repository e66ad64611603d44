"""The terminal table, as a rich renderable."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..analysis import Analysis
from .common import DEFAULT_COLUMNS, RIGHT_ALIGNED, TableData, table_data

if TYPE_CHECKING:
    from rich.console import Group

#: A count or a byte size (``1,792``, ``12.85 MB``): never wrapped, unlike formulas.
_NUMBER = re.compile(r"[0-9,]+|[0-9,]+(\.[0-9]+)? [KMGT]?B")


def analysis_table(
    analysis: Analysis,
    columns: tuple[str, ...] = DEFAULT_COLUMNS,
    costs: Any = None,
    depth: int | None = None,
) -> Group:
    """A rich renderable: the layer table (``columns``, see :data:`.common.COLUMNS`) with
    the totals under it; ``costs`` (a :class:`shapecalc.costs.Costs`) for the cost columns;
    rows nested deeper than ``depth`` blocks left out."""
    return data_table(table_data(analysis, columns, costs, depth=depth))


def data_table(data: TableData) -> Group:
    """A rich renderable of laid-out table cells (:func:`.common.table_data`, maybe with
    extra columns) and the summary lines under it."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from .longtable import PlainTable

    column_options: list[dict[str, Any]] = []
    for column, header in enumerate(data.headers):
        widest = max(len(header), *(len(cells[column]) for cells in data.rows))
        numeric = header == "#" or (
            header in RIGHT_ALIGNED and all(_NUMBER.fullmatch(c[column]) for c in data.rows[1:])
        )
        # Narrow terminals wrap the formulas, never a number or a short layer word.
        column_options.append(
            {
                "header": header,
                "justify": "right" if header in RIGHT_ALIGNED else "left",
                "overflow": "fold",
                "no_wrap": numeric,
                "min_width": min(widest, 14 if header in ("Layer", "Output shape") else 6),
            }
        )

    def make_table() -> Table:
        table = Table(show_edge=True, header_style="bold", expand=False)
        for options in column_options:
            table.add_column(**options)
        return table

    # Cells are plain text (Text(cell)): spec text such as "[same]" is never read as markup.
    table = PlainTable(make_table, data.rows)
    summary = Table.grid(padding=(0, 1))
    summary.add_column(style="bold")
    summary.add_column()
    for label, value in data.summary:
        summary.add_row(Text(label + ":"), Text(value))
    return Group(table, summary)
