"""The analysis table as GitHub Markdown."""

from __future__ import annotations

from ..network import Analysis
from .common import table_data


def _cell(text: str) -> str:
    # '|' would end a Markdown cell; spec text uses it between items.
    return text.replace("|", "\\|") or " "


def analysis_to_markdown(analysis: Analysis) -> str:
    """A Markdown table of the layers, then the totals as a list."""
    data = table_data(analysis)
    right = {"#", "Params"}
    lines = [
        "| " + " | ".join(data.headers) + " |",
        "|" + "|".join("---:" if h in right else "---" for h in data.headers) + "|",
    ]
    for cells in data.rows:
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    for label, value in data.summary:
        lines.append(f"- **{label}:** {value}")
    return "\n".join(lines) + "\n"
