"""The analysis table as GitHub Markdown."""

from __future__ import annotations

import re
from typing import Any

from ..analysis import Analysis
from .common import DEFAULT_COLUMNS, RIGHT_ALIGNED, table_data

#: Characters that Markdown would read as syntax (emphasis, tables, HTML, escapes).
SPECIAL = re.compile(r"[*_`|<>\[\]\\]")


def _cell(text: str) -> str:
    """A table cell; text with Markdown syntax in it (``*`` and ``_`` in formulas, ``|``) goes
    in a code span so that it is shown as written, never read as emphasis."""
    if not text:
        return " "
    if SPECIAL.search(text):
        return "`" + text.replace("|", "\\|") + "`"
    return text


def _indented(text: str) -> str:
    """A cell whose leading spaces (the nesting of blocks) survive Markdown: no-break spaces."""
    stripped = text.lstrip(" ")
    return "\u00a0" * (len(text) - len(stripped)) + _cell(stripped) if stripped else _cell(text)


def analysis_to_markdown(
    analysis: Analysis,
    columns: tuple[str, ...] = DEFAULT_COLUMNS,
    costs: Any = None,
    depth: int | None = None,
) -> str:
    """A Markdown table of the layers (``columns``), then the totals as a list (rows nested
    deeper than ``depth`` blocks left out)."""
    data = table_data(analysis, columns, costs, depth=depth)
    lines = [
        "| " + " | ".join(data.headers) + " |",
        "|" + "|".join("---:" if h in RIGHT_ALIGNED else "---" for h in data.headers) + "|",
    ]
    for cells in data.rows:
        lines.append("| " + " | ".join(_indented(c) for c in cells) + " |")
    lines.append("")
    for label, value in data.summary:
        lines.append(f"- **{label}:** {_cell(value)}")
    return "\n".join(lines) + "\n"
