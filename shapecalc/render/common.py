"""Cell formatting and the table layout shared by the terminal and Markdown renderers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..analysis import Analysis, Block, Totals
from ..symbolic import Dim, concrete, fmt

if TYPE_CHECKING:
    from ..costs import Costs, LayerCost


def format_count(value: Dim) -> str:
    """``61706`` -> ``61,706``; symbolic counts as their formula."""
    value = concrete(value)
    return f"{value:,}" if isinstance(value, int) else fmt(value)


_UNITS = (("KB", 3), ("MB", 6), ("GB", 9), ("TB", 12))


def format_bytes(value: Dim) -> str:
    """Bytes in decimal units as torchinfo prints them (``553.43 MB``); exact integer
    arithmetic, so huge counts never show float noise."""
    value = concrete(value)
    if not isinstance(value, int):
        return f"{fmt(value)} B"
    if value < 1000:
        return f"{value} B"
    index = max(i for i, (_, power) in enumerate(_UNITS) if value >= 10**power)
    while True:
        unit, power = _UNITS[index]
        hundredths = (value * 100 + 10**power // 2) // 10**power  # rounded half up
        if hundredths < 100_000 or index == len(_UNITS) - 1:
            break
        index += 1  # 999,995 B is 1.00 MB, not 1,000.00 KB
    whole, frac = divmod(hundredths, 100)
    if whole >= 10**6:  # beyond a million TB: scientific notation
        digits = str(whole)
        return f"{digits[0]}.{digits[1:3]}e{len(digits) - 1 + power} B"
    return f"{whole:,}.{frac:02d} {unit}"


@dataclass(frozen=True)
class TableData:
    """The cells of an analysis table: headers, one row per layer, and summary lines."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    summary: tuple[tuple[str, str], ...]


#: Table columns that ``--columns`` names, and their headers; ``#`` and ``Layer`` always show.
COLUMNS: dict[str, str] = {
    "shape": "Output shape",
    "params": "Params",
    "param_memory": "Param memory",
    "macs": "MACs",
    "flops": "FLOPs",
    "activations": "Activations",
    "memory": "Memory",
    "rf": "Receptive field",
}
#: The plain table's columns.
DEFAULT_COLUMNS: tuple[str, ...] = ("shape", "params")
#: ``--costs``: the plain columns and the most asked-for costs.
COST_COLUMNS: tuple[str, ...] = ("shape", "params", "macs", "memory", "rf")
#: Columns that need :func:`shapecalc.costs.costs`.
NEEDS_COSTS = frozenset(COLUMNS) - {"shape", "params"}
#: Headers whose cells are numbers, aligned right.
RIGHT_ALIGNED = frozenset({"#", "Params", "Param memory", "MACs", "FLOPs", "Activations", "Memory"})


class ColumnError(ValueError):
    """An unknown or repeated column name in ``--columns``."""


def parse_columns(text: str) -> tuple[str, ...]:
    """``"shape,params,macs"`` -> ``("shape", "params", "macs")``.

    Raises:
        ColumnError: a name that is not a column (with the closest one), or one given twice.
    """
    names = tuple(part.strip().lower().replace("-", "_") for part in text.split(","))
    seen: set[str] = set()
    for name in names:
        if name not in COLUMNS:
            import difflib  # on an error only: kept off the table's start-up

            close = difflib.get_close_matches(name, list(COLUMNS), n=1)
            hint = f" — did you mean {close[0]!r}?" if close else ""
            raise ColumnError(
                f"unknown column {name!r}{hint} (columns: {', '.join(COLUMNS)})"
            )
        if name in seen:
            raise ColumnError(f"column {name!r} is given twice")
        seen.add(name)
    return names


#: A number in a field: ``1,024``, ``-3``, ``1/2`` (the rest are formulas).
_NUMBER = re.compile(r"-?[0-9,]+(/[0-9]+)?")


def format_field(cost: LayerCost) -> str:
    """A receptive field as ``212 s32 p90`` (size, effective stride, effective padding;
    ``3x5`` per dim when the dims differ, fractions as ``9/2 s1/2 p1/2`` after upsampling or
    a transposed convolution, formulas in parentheses); ``all`` when each output sees the
    whole input; ``unaligned`` after paths with different effective strides merge; ``n/a``
    after a layer whose windows are not computed (adaptive pooling to a size that does not
    divide the input)."""
    rf = cost.receptive_field
    if rf is None:
        return "all"
    if not rf.computable:
        return "n/a"
    if not rf.aligned:
        return "unaligned"
    if not rf.size:
        return ""

    def dims(values: tuple[Dim, ...]) -> str:
        # A formula in parentheses, so that "p(p)" cannot read as one word.
        texts = [format_count(v) for v in values]
        texts = [t if _NUMBER.fullmatch(t) else f"({t})" for t in texts]
        return texts[0] if len(set(texts)) == 1 else "x".join(texts)

    return f"{dims(rf.size)} s{dims(rf.stride)} p{dims(rf.padding)}"


#: Each summed cost column: the LayerCost field it shows, and how it is written.
_COST_FIELDS = {
    "param_memory": ("param_bytes", format_bytes),
    "macs": ("macs", format_count),
    "flops": ("flops", format_count),
    "activations": ("output_elements", format_count),
    "memory": ("output_bytes", format_bytes),
}


def _cost_cell(name: str, cost: LayerCost) -> str:
    if name not in _COST_FIELDS:
        return format_field(cost)  # rf
    field, write = _COST_FIELDS[name]
    return write(getattr(cost, field))


def _input_cell(name: str, analysis: Analysis, costs: Costs | None) -> str:
    if name == "shape":
        return str(analysis.input_shape)
    if costs is not None and name == "memory":
        return format_bytes(costs.totals.input_bytes)
    return ""


#: Indentation per level of nesting in the Layer column, as torchinfo indents by depth.
INDENT = "  "


def _block_cells(
    block: Block, columns: tuple[str, ...], with_formula: bool, costs: Costs | None
) -> tuple[str, ...]:
    """A block's row: its output shape, and its rows' sums (no receptive field)."""
    cells = ["", INDENT * block.depth + block.label]
    inside = costs.rows[block.first - 1 : block.last] if costs is not None else []
    for name in columns:
        if name == "shape":
            cells.append(str(block.output_shape))
            if with_formula:
                cells.append("")
        elif name == "params":
            cells.append(format_count(block.params))
        elif name == "rf":
            cells.append("")
        else:
            from ..costs import total

            field, write = _COST_FIELDS[name]
            cells.append(write(total([getattr(c, field) for c in inside])))
    return tuple(cells)


def table_data(
    analysis: Analysis,
    columns: tuple[str, ...] = DEFAULT_COLUMNS,
    costs: Costs | None = None,
    depth: int | None = None,
) -> TableData:
    """Lay out an analysis as a table: #, layer, then ``columns`` (default: output shape,
    [formula], params). Cost columns and the cost summary need ``costs``.

    Blocks (``res``, ``concat``, named blocks, paths) get a row of their own, without a
    number, showing the block's output shape and its rows' totals; the rows inside are
    indented. With ``depth``, rows nested deeper than that are left out (a block at that
    depth stands for them).
    """
    if costs is None and any(name in NEEDS_COSTS for name in columns):
        costs = analysis.costs()
    with_formula = any(row.formula is not None for row in analysis.rows) and "shape" in columns
    headers: list[str] = ["#", "Layer"]
    for name in columns:
        headers.append(COLUMNS[name])
        if name == "shape" and with_formula:
            headers.append("Formula")
    cells: list[str] = ["", "input"]
    for name in columns:
        cells.append(_input_cell(name, analysis, costs))
        if name == "shape" and with_formula:
            cells.append(str(analysis.input_formula or ""))
    rows = [tuple(cells)]
    starts: dict[int, list[Block]] = {}
    for block in analysis.blocks:
        starts.setdefault(block.first, []).append(block)
    for row in analysis.rows:
        for block in starts.get(row.index, ()):  # outer blocks first (pre-order)
            if depth is None or block.depth <= depth:
                rows.append(_block_cells(block, columns, with_formula, costs))
        if depth is not None and row.depth > depth:
            continue
        cells = [str(row.index), INDENT * row.depth + row.spec]
        for name in columns:
            if name == "shape":
                cells.append(str(row.output_shape))
                if with_formula:
                    cells.append(str(row.formula) if row.formula is not None else "")
            elif name == "params":
                cells.append(format_count(row.params))
            else:
                assert costs is not None
                cost = costs.rows[row.index - 1]
                cells.append(_cost_cell(name, cost))
        rows.append(tuple(cells))
    summary = params_summary(analysis.totals) if {"params", "param_memory"} & set(columns) else []
    if costs is not None:
        summary.extend(cost_summary(costs, columns))
    if analysis.substitutions:
        summary.append(("At", ", ".join(f"{k}={v}" for k, v in analysis.substitutions.items())))
    if analysis.constraints:
        summary.append(("Valid when", ", ".join(c.text for c in analysis.constraints)))
    return TableData(tuple(headers), tuple(rows), tuple(summary))


def params_summary(totals: Totals) -> list[tuple[str, str]]:
    """The parameter totals as each framework's user checks them.

    Without running statistics: Total, Trainable and Non-trainable params, as torchinfo and
    Keras both print them. With them (batchnorm's running mean and variance), "Total params"
    is torch's count (parameters only, torchinfo's total) with Keras' total beside it, and the
    statistics get a line of their own (Keras' non-trainable params, buffers in torch); the
    JSON's ``params`` stays the sum of both.
    """
    trainable, total = format_count(totals.trainable), format_count(totals.params)
    statistics = format_count(totals.non_trainable)
    if totals.non_trainable == 0:
        lines = [
            ("Total params", total),
            ("Trainable params", trainable),
            ("Non-trainable params", statistics),
        ]
    else:
        lines = [
            ("Total params", f"{trainable} (torch; Keras: {total})"),
            ("Trainable params", trainable),
            ("Running statistics", f"{statistics} (Keras' non-trainable params)"),
        ]
    return [*lines, ("Params size (float32)", format_bytes(totals.param_bytes))]


def cost_summary(costs: Costs, columns: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """The summary lines of the costs: totals at the batch, dtype and convention; with
    ``columns``, only the totals of the columns shown (``--columns shape,rf`` has none)."""
    totals = costs.totals
    shown = set(COLUMNS if columns is None else columns)
    lines: list[tuple[str, str]] = []
    if "macs" in shown:
        lines.append((f"Total MACs ({costs.convention})", format_count(totals.macs)))
    if shown & {"macs", "flops"}:  # FLOPs are twice the MACs: they go with them
        lines.append((f"Total FLOPs ({costs.convention})", format_count(totals.flops)))
    if shown & {"macs", "flops", "activations", "memory", "param_memory"}:
        lines.append(("Batch", str(costs.batch)))
    if shown & {"activations", "memory"}:
        lines.append((f"Input size ({costs.dtype})", format_bytes(totals.input_bytes)))
        lines.append((f"Activations size ({costs.dtype})", format_bytes(totals.output_bytes)))
    if costs.dtype != "float32" and shown & {"params", "param_memory"}:
        lines.append((f"Params size ({costs.dtype})", format_bytes(totals.param_bytes)))
    return lines
