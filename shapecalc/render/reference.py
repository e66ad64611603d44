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


def select_kinds(keywords: tuple[str, ...] | list[str] = ()) -> list[type[Layer]]:
    """The layer classes named by keywords or aliases (all when none are given).

    Raises:
        KeyError: a keyword that names no layer, with a suggestion.
    """
    if not keywords:
        return layer_kinds()
    from ..layers.base import suggest_keyword

    chosen: dict[type[Layer], None] = {}
    for word in keywords:
        if word not in REGISTRY:
            close = suggest_keyword(word)
            raise KeyError(f"no layer {word!r}" + (f"; did you mean {close!r}?" if close else ""))
        chosen.setdefault(REGISTRY[word])
    return list(chosen)


def _entry(cls: type[Layer], code: str = "") -> tuple[str, str, str, str, str]:
    """Cells of one layer kind; ``code`` replaces the docstring's ``double backticks``."""
    names = ", ".join((cls.keyword, *cls.aliases))
    options = ", ".join(cls.options)
    doc = (cls.__doc__ or "").strip().splitlines()[0].replace("``", code)
    example = cls.examples[0] if cls.examples else None
    shown = (
        f"{example.input} | {example.layer} -> {example.output}"
        + (f", {example.params:,} params" if example.params else "")
        if example
        else ""
    )
    return names, doc, options, cls.formula, shown


def layers_markdown(kinds: list[type[Layer]] | None = None) -> str:
    """The reference as a Markdown table (embedded in docs/spec.md)."""
    lines = [
        "| keyword | what | options | formula | example |",
        "|---|---|---|---|---|",
    ]
    for cls in kinds or layer_kinds():
        cells = [c.replace("|", "\\|") for c in _entry(cls, "`")]
        cells[0] = f"`{cells[0]}`"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def layers_table(kinds: list[type[Layer]] | None = None) -> Any:
    """The reference as a rich table: the keyword, then what it does, its options, formula
    and example on lines of their own (readable in 80 columns)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=True, header_style="bold")
    table.add_column("keyword", no_wrap=True, style="bold")
    table.add_column("what, options, formula, example", overflow="fold")
    for cls in kinds or layer_kinds():
        names, doc, options, formula, example = _entry(cls)
        details = Text(doc)
        for label, value in (("options", options), ("formula", formula), ("example", example)):
            if value:
                details.append(f"\n{label}: ", style="dim")
                details.append(value)
        table.add_row(Text(names.replace(", ", "\n")), details)
    return table


def layers_json(kinds: list[type[Layer]] | None = None) -> list[dict[str, Any]]:
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
        for cls in kinds or layer_kinds()
    ]
