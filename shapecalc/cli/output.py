"""Printing helpers shared by commands: the rich console, numeric results."""

from __future__ import annotations

import os
from typing import Any

import click


def console(wide: Any = None) -> Any:
    """A rich console; with ``wide`` (a renderable) and output to a file or pipe with no
    COLUMNS set, as wide as ``wide`` needs, so that no column is squeezed out of sight."""
    from rich.console import Console

    console = Console()
    if wide is not None and not console.is_terminal and "COLUMNS" not in os.environ:
        needed = console.measure(wide, options=console.options.update_width(1000)).maximum
        if needed > console.width:
            console = Console(width=needed)
    return console


def print_numeric(result: Any, as_json: bool, markdown: bool) -> None:
    """Print a ``conv``/``pool`` result as JSON, Markdown or a grid."""
    from ..render.numeric import json_text, result_grid, result_json, result_markdown

    if as_json:
        click.echo(json_text(result_json(result)))
    elif markdown:
        click.echo(result_markdown(result), nl=False)
    else:
        console().print(result_grid(result))
