"""The layer reference (``shapecalc layers``), generated from the registry."""

from __future__ import annotations

from typing import Any

from ..layers import REGISTRY, Layer


def layer_kinds() -> list[type[Layer]]:
    """Every registered layer class once, in registration order."""
    seen: dict[type[Layer], None] = {}
    for cls in REGISTRY.values():
        seen.setdefault(cls)
    return list(seen)


def _entry(cls: type[Layer]) -> tuple[str, str, str, str, str]:
    names = ", ".join((cls.keyword, *cls.aliases))
    options = ", ".join(cls.options)
    doc = (cls.__doc__ or "").strip().splitlines()[0]
    example = cls.examples[0] if cls.examples else None
    shown = (
        f"{example.input} | {example.layer} -> {example.output}"
        + (f", {example.params:,} params" if example.params else "")
        if example
        else ""
    )
    return names, doc, options, cls.formula, shown


def layers_markdown() -> str:
    """The reference as a Markdown table (embedded in docs/spec.md)."""
    lines = [
        "| keyword | what | options | formula | example |",
        "|---|---|---|---|---|",
    ]
    for cls in layer_kinds():
        cells = [c.replace("|", "\\|") for c in _entry(cls)]
        cells[0] = f"`{cells[0]}`"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def layers_table() -> Any:
    """The reference as a rich table."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=True, header_style="bold")
    for header in ("keyword", "what", "options", "formula", "example"):
        table.add_column(header, overflow="fold")
    for cls in layer_kinds():
        table.add_row(*(Text(cell) for cell in _entry(cls)))
    return table


def layers_json() -> list[dict[str, Any]]:
    """The reference as JSON-ready data."""
    return [
        {
            "keyword": cls.keyword,
            "aliases": list(cls.aliases),
            "kind": cls.kind,
            "options": {name: opt.help for name, opt in cls.options.items()},
            "formula": cls.formula,
            "examples": [
                {"input": e.input, "layer": e.layer, "output": e.output, "params": e.params}
                for e in cls.examples
            ],
        }
        for cls in layer_kinds()
    ]
