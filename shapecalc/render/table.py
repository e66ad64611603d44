"""The terminal table, as a rich renderable."""

from __future__ import annotations

import re
from typing import Any

from ..analysis import Analysis
from .common import DEFAULT_COLUMNS, RIGHT_ALIGNED, TableData, table_data
from .longtable import PlainTable, simple

#: A count or a byte size (``1,792``, ``12.85 MB``): never wrapped, unlike formulas.
_NUMBER = re.compile(r"[0-9,]+|[0-9,]+(\.[0-9]+)? [KMGT]?B|[0-9.]+ [KMGT]")


def analysis_table(
    analysis: Analysis,
    columns: tuple[str, ...] = DEFAULT_COLUMNS,
    costs: Any = None,
    depth: int | None = None,
) -> FittedTable:
    """A rich renderable: the layer table (``columns``, see :data:`.common.COLUMNS`) with
    the totals under it; ``costs`` (a :class:`shapecalc.costs.Costs`) for the cost columns;
    rows nested deeper than ``depth`` blocks left out."""
    return data_table(table_data(analysis, columns, costs, depth=depth))


def data_table(data: TableData) -> FittedTable:
    """A rich renderable of laid-out table cells (:func:`.common.table_data`, maybe with
    extra columns) and the summary lines under it, fitted to the width it is printed at."""
    return FittedTable(data)


#: A width no table reaches, to measure one without rich's clamping.
_UNLIMITED = 100_000


class FittedTable:
    """A table and its summary that fit the width they are rendered at, down to 60 columns.

    The first layout that fits wins: the table as it is (formulas and layer words wrap in
    their cells); then with counts shortened to three digits and a unit (``86.7 M``, as
    torchinfo's units); then split into several tables, each with the ``#`` and ``Layer``
    columns and as many of the others as fit. Summary lines carry no trailing spaces.
    """

    def __init__(self, data: TableData) -> None:
        self.data = data

    @property
    def table(self) -> PlainTable:
        """The whole table, its first layout, as one renderable (without the summary)."""
        return _table(self.data)

    def plain_text(self, width: int) -> str | None:
        """The text this table prints on a console ``width`` columns wide that is not a
        terminal (no styles), written without rich; None when rich is needed to say it.

        That is the case :func:`plain_text` covers: the whole table fits at ``width`` as it
        is, every cell and summary line is simple ASCII (:func:`.longtable.simple`), and
        then rich's layout is each column as wide as its widest cell plus one space either
        side, in rich's default box (``tests/properties/test_plain_text_vs_rich.py`` checks
        it byte for byte against rich). It saves importing rich's console (most of the
        table's start-up) when the output goes to a file or a pipe.
        """
        return plain_text(self.data, width)

    def layouts(self) -> list[list[TableData]]:
        """The layouts to try, in order, each a list of tables printed one under another."""
        short = _shortened(self.data)
        layouts = [[self.data], [short]]
        extra = range(2, len(short.headers))
        for size in range(len(extra) - 1, 0, -1):
            groups = [list(extra[i : i + size]) for i in range(0, len(extra), size)]
            layouts.append([_columns(short, [0, 1, *group]) for group in groups])
        return layouts

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        free = options.update_width(_UNLIMITED)
        full = Measurement.get(console, free, _table(self.data))
        narrowest = min(
            max(Measurement.get(console, free, _table(t)).minimum for t in layout)
            for layout in self.layouts()
        )
        return Measurement(min(full.minimum, narrowest), full.maximum).clamp(
            max_width=options.max_width
        )

    def __rich_console__(self, console: Any, options: Any) -> Any:
        tables: list[PlainTable] = []
        for layout in self.layouts():
            # The tables measured are the ones printed: each measures itself once.
            tables = [_table(t) for t in layout]
            widths = [table.rendered_width(console, options.max_width) for table in tables]
            if max(widths) <= options.max_width:
                break
        for index, table in enumerate(tables):
            if index:
                yield ""
            yield table
        yield from _summary(self.data.summary)


#: rich's default table box, ``rich.box.HEAVY_HEAD``: the top, the header's rule, the rows'
#: edges and the bottom, as (left, horizontal, joint, right) and (left, divider, right).
_TOP = ("┏", "━", "┳", "┓")
_HEAD_ROW = ("┃", "┃", "┃")
_HEAD_RULE = ("┡", "━", "╇", "┩")
_ROW = ("│", "│", "│")
_BOTTOM = ("└", "─", "┴", "┘")


def plain_text(data: TableData, width: int) -> str | None:
    """:meth:`FittedTable.plain_text` of a table of ``data``."""
    cells = [data.headers, *data.rows]
    if not data.rows or not all(simple(cell) for row in cells for cell in row):
        return None
    label_width = max((len(label) for label, _ in data.summary), default=0) + 1
    summary = [
        f"{label}:{' ' * (label_width - len(label))}{value}".rstrip(" ")
        for label, value in data.summary
    ]
    if not all(simple(line) and len(line) <= width for line in summary):
        return None
    # rich measures a cell as its text plus its padding, one space either side.
    widths = [max(len(row[column]) for row in cells) + 2 for column in range(len(data.headers))]
    borders = len(widths) + 1
    if sum(widths) + borders > width:
        return None  # rich wraps or shortens: its layout, not this one
    right = [header in RIGHT_ALIGNED for header in data.headers]

    def rule(left: str, line: str, joint: str, end: str) -> str:
        return left + joint.join(line * w for w in widths) + end

    def row(cells: tuple[str, ...], left: str, divider: str, end: str) -> str:
        padded = (
            " " + (cell.rjust(w - 2) if on_right else cell.ljust(w - 2)) + " "
            for cell, w, on_right in zip(cells, widths, right)
        )
        return (left + divider.join(padded) + end).rstrip(" ")

    lines = [rule(*_TOP), row(data.headers, *_HEAD_ROW), rule(*_HEAD_RULE)]
    lines += [row(cells, *_ROW) for cells in data.rows]
    lines += [rule(*_BOTTOM), *summary]
    return "\n".join(lines) + "\n"


def _table(data: TableData) -> PlainTable:
    """The rich table of ``data``'s cells (without the summary)."""
    from rich.table import Table
    from rich.text import Text

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
            # A header as Text, as the cells: a str header is read as markup with emoji
            # codes, which costs importing rich's emoji table (0.2 MB) for nothing.
            table.add_column(**{**options, "header": Text(options["header"])})
        return table

    # Cells are plain text (Text(cell)): spec text such as "[same]" is never read as markup.
    return PlainTable(make_table, data.rows)


def _summary(lines: tuple[tuple[str, str], ...]) -> list[Any]:
    """The summary lines, labels in bold and padded to one width (no trailing spaces)."""
    from rich.text import Text

    width = max((len(label) for label, _ in lines), default=0) + 1
    return [
        Text.assemble((f"{label}:", "bold"), " " * (width - len(label)), value)
        for label, value in lines
    ]


#: A count written in full (``86,704,128``), which :func:`_short` writes with a unit.
_COUNT = re.compile(r"[0-9]{1,3}(,[0-9]{3})+")
_UNITS = ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K"))


def _short(cell: str) -> str:
    """A count of 100,000 or more as three digits and a unit: ``86.7 M``, ``7.55 G``."""
    if not _COUNT.fullmatch(cell):
        return cell
    value = int(cell.replace(",", ""))
    if value < 100_000:
        return cell
    size, unit = next((size, unit) for size, unit in _UNITS if value >= size)
    return f"{value / size:.3g} {unit}"


def _shortened(data: TableData) -> TableData:
    """``data`` with the counts of its number columns shortened (:func:`_short`)."""
    numeric = {i for i, h in enumerate(data.headers) if h in RIGHT_ALIGNED and h != "#"}
    rows = tuple(
        tuple(_short(c) if i in numeric else c for i, c in enumerate(row)) for row in data.rows
    )
    return TableData(data.headers, rows, data.summary)


def _columns(data: TableData, keep: list[int]) -> TableData:
    """``data`` with only the columns at ``keep``."""
    return TableData(
        tuple(data.headers[i] for i in keep),
        tuple(tuple(row[i] for i in keep) for row in data.rows),
        data.summary,
    )
