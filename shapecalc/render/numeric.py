"""Output matrices of ``shapecalc conv`` (``--transposed`` too) and ``pool`` and their working:
rich, Markdown and JSON.

Numbers in the matrices are plain ASCII (``-5``, ``2.5``, ``7/3``) so that they can be copied
into code or back into shapecalc. The working is typeset in the terminal and in Markdown, with
the real minus sign and a middle dot (``35·(−2) + 40·(−1) + … = 78``), and plain ASCII in JSON
(``35*(-2) + 40*(-1) + ... = 78``) for scripts. Positions count from 1, as (row, column).
"""

from __future__ import annotations

import json
from typing import Any

from ..matrices import Matrix, Number, number_json, number_text
from ..numeric import Cell, ConvCell, NumericResult


def _factor(value: Number, unicode: bool) -> str:
    """A number inside a product or sum: negative ones in parentheses, ``35·(−2)``."""
    text = number_text(value, unicode_minus=unicode)
    return f"({text})" if text.startswith(("-", "−")) else text


def cell_working(cell: Cell, *, unicode: bool = True) -> str:
    """One output cell's arithmetic: ``3·1 + 0·0 + 1·(−1) + … = −5``, ``max(1, 3, 2, 4) = 4``,
    ``(1 + 3 + 2 + 4)/4 = 2.5``. Several input channels are grouped in parentheses; the bias
    comes last."""
    times = "·" if unicode else "*"
    result = number_text(cell.value, unicode_minus=unicode)
    if isinstance(cell, ConvCell):
        # A transposed convolution's cell lists only the input cells that reach it: an input
        # channel may bring none, and a cell past the full output (outpad) none at all.
        groups = [
            " + ".join(f"{_factor(x, unicode)}{times}{_factor(w, unicode)}" for x, w in group)
            for group in cell.products
            if group
        ]
        terms = groups if len(groups) <= 1 else [f"({g})" for g in groups]
        if not terms:
            terms = ["0"]
        if cell.bias is not None:
            terms.append(_factor(cell.bias, unicode))
        return f"{' + '.join(terms)} = {result}"
    if cell.mode == "max":
        values = ", ".join(number_text(v, unicode_minus=unicode) for v in cell.values)
        return f"max({values}) = {result}"
    total = " + ".join(_factor(v, unicode) for v in cell.values)
    return f"({total})/{cell.divisor} = {result}"


def _label(cell: Cell, channels: int) -> str:
    position = f"({cell.row + 1},{cell.col + 1})"
    return f"channel {cell.channel + 1} {position}" if channels > 1 else position


def _nest(result: NumericResult, per_channel: list[Any]) -> Any:
    """JSON nesting: one channel as its list of rows, several as a list of them."""
    return per_channel[0] if len(result.output) == 1 else per_channel


def result_json(result: NumericResult) -> dict[str, Any]:
    """``{"output": ...}``: a list of rows for one output channel, a list of such matrices
    (channel first) for several; with the working, ``"explain"`` nested the same way, each
    cell a plain-ASCII string."""
    doc: dict[str, Any] = {
        "output": _nest(
            result, [[[number_json(v) for v in row] for row in m] for m in result.output]
        )
    }
    if result.cells:
        doc["explain"] = _nest(
            result,
            [
                [[cell_working(c, unicode=False) for c in row] for row in channel]
                for channel in result.cell_rows()
            ],
        )
    return doc


def json_text(doc: dict[str, Any]) -> str:
    """The JSON document indented, with each matrix row on one line so that the output reads
    as a matrix: ``"output": [[-5, -4, 0, 8], ...]``."""

    def dump(value: Any, depth: int) -> str:
        if not isinstance(value, (list, dict)) or not value:
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, list) and not any(isinstance(v, (list, dict)) for v in value):
            return "[" + ", ".join(dump(v, depth) for v in value) + "]"
        pad, inner = "  " * depth, "  " * (depth + 1)
        if isinstance(value, dict):
            items = [f"{inner}{json.dumps(k)}: {dump(v, depth + 1)}" for k, v in value.items()]
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
        return "[\n" + ",\n".join(inner + dump(v, depth + 1) for v in value) + "\n" + pad + "]"

    return dump(doc, 0)


def _markdown_matrix(matrix: Matrix) -> list[str]:
    width = len(matrix[0])
    lines = ["|" + "   |" * width, "|" + "---:|" * width]
    lines += ["| " + " | ".join(number_text(v) for v in row) + " |" for row in matrix]
    return lines


def result_markdown(result: NumericResult) -> str:
    """Each output channel as a Markdown table (headed ``**channel N**`` when there are
    several), then the working as a list when it was asked for."""
    lines: list[str] = []
    channels = len(result.output)
    for index, matrix in enumerate(result.output, 1):
        if channels > 1:
            lines += [f"**channel {index}**", ""]
        lines += [*_markdown_matrix(matrix), ""]
    if result.cells:
        lines += [f"- {_label(c, channels)}: {cell_working(c)}" for c in result.cells]
        lines.append("")
    return "\n".join(lines)


class _Grid:
    """A matrix in a rounded box; when the box is wider than the terminal, plain aligned rows
    instead, so that a number is never folded across lines (``1000`` as ``10`` over ``00``)."""

    def __init__(self, rows: list[list[str]]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        widths = [max(len(row[c]) for row in self.rows) for c in range(len(self.rows[0]))]
        if sum(widths) + 3 * len(widths) + 1 <= options.max_width:
            table = Table(show_header=False, box=box.ROUNDED, expand=False)
            for _ in widths:
                table.add_column(justify="right", no_wrap=True)
            for row in self.rows:
                table.add_row(*(Text(cell) for cell in row))
            yield table
            return
        for row in self.rows:
            line = " ".join(cell.rjust(width) for cell, width in zip(row, widths))
            yield Text(line, no_wrap=True, overflow="ignore")


def result_grid(result: NumericResult) -> Any:
    """A rich renderable: each output channel as a grid of right-aligned numbers (titled
    ``channel N`` when there are several), then each cell's working when it was asked for."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    channels = len(result.output)
    parts: list[Any] = []
    for index, matrix in enumerate(result.output, 1):
        if channels > 1:
            parts.append(Text(f"channel {index}", style="bold"))
        parts.append(_Grid([[number_text(v) for v in row] for row in matrix]))
    if result.cells:
        working = Table.grid(padding=(0, 2))
        working.add_column(no_wrap=True, style="bold")
        working.add_column(overflow="fold")
        for cell in result.cells:
            working.add_row(Text(_label(cell, channels)), Text(cell_working(cell)))
        parts.append(working)
    return Group(*parts)
