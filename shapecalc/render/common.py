"""Cell formatting and the table layout shared by the terminal and Markdown renderers."""

from __future__ import annotations

from dataclasses import dataclass

from ..network import Analysis, Block
from ..symbolic import Dim, concrete, fmt


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


#: Indentation per level of nesting in the Layer column, as torchinfo indents by depth.
INDENT = "  "


def table_data(analysis: Analysis, depth: int | None = None) -> TableData:
    """Lay out an analysis as a table: #, layer, output shape, [formula], params.

    Blocks (``res``, ``concat``, named blocks, paths) get a row of their own, without a
    number, showing the block's output shape and parameter total; the rows inside are
    indented. With ``depth``, rows nested deeper than that are left out (a block at that
    depth stands for them).
    """
    with_formula = any(row.formula is not None for row in analysis.rows)
    headers = ("#", "Layer", "Output shape", *(("Formula",) if with_formula else ()), "Params")
    formula = (str(analysis.input_formula or ""),) if with_formula else ()
    rows = [("", "input", str(analysis.input_shape), *formula, "")]
    starts: dict[int, list[Block]] = {}
    for block in analysis.blocks:
        starts.setdefault(block.first, []).append(block)
    blank = ("",) if with_formula else ()
    for row in analysis.rows:
        for block in starts.get(row.index, ()):  # outer blocks first (pre-order)
            if depth is None or block.depth <= depth:
                label = INDENT * block.depth + block.label
                rows.append(
                    ("", label, str(block.output_shape), *blank, format_count(block.params))
                )
        if depth is not None and row.depth > depth:
            continue
        formula = (str(row.formula) if row.formula is not None else "",) if with_formula else ()
        spec = INDENT * row.depth + row.spec
        rows.append(
            (str(row.index), spec, str(row.output_shape), *formula, format_count(row.params))
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
