"""Printing helpers shared by commands: the rich console, numeric results."""

from __future__ import annotations

import io
import os
import sys
from typing import IO, Any, cast

import click


class TrimmedLines(io.TextIOBase):
    """A text stream writing to ``out`` with the spaces at the end of each line removed: rich
    pads cells and wrapped lines to their width, which a file or pipe should not keep."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.pending = ""

    def write(self, text: str) -> int:
        """Write the complete lines of ``text`` (trimmed); keep a partial one for later."""
        *lines, self.pending = (self.pending + text).split("\n")
        for line in lines:
            self.out.write(line.rstrip(" ") + "\n")
        return len(text)

    def flush(self) -> None:
        """Write what is pending (rich flushes after whole lines) and flush ``out``."""
        if self.pending:
            self.out.write(self.pending)
            self.pending = ""
        self.out.flush()


def console(wide: Any = None) -> Any:
    """A rich console; to a file or pipe, one that writes no trailing spaces and, with
    ``wide`` (a renderable) and no COLUMNS set, is as wide as ``wide`` needs, so that no
    column is squeezed out of sight."""
    from rich.console import Console

    console = Console()
    if console.is_terminal:
        return console
    width = console.width
    if wide is not None and "COLUMNS" not in os.environ:
        width = max(width, console.measure(wide, options=console.options.update_width(1000)).maximum)
    return Console(file=cast(IO[str], TrimmedLines(sys.stdout)), width=width)


def print_numeric(result: Any, as_json: bool, markdown: bool) -> None:
    """Print a ``conv``/``pool`` result as JSON, Markdown or a grid."""
    from ..render.numeric import json_text, result_grid, result_json, result_markdown

    if as_json:
        click.echo(json_text(result_json(result)))
    elif markdown:
        click.echo(result_markdown(result), nl=False)
    else:
        console().print(result_grid(result))
