"""Printing helpers shared by commands: the rich console, numeric results."""

from __future__ import annotations

import builtins
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


#: Variables that make rich treat any output as a terminal (or not), or size it.
_RICH_ENVIRONMENT = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS")


def plain_width() -> int | None:
    """The width :func:`console` prints at when it would write no styles (standard output
    is a file or pipe, nothing in the environment says otherwise, UTF-8, not Windows);
    None when the output needs rich's console (a terminal, or anything unusual).

    It is rich's own rule for such a console: ``COLUMNS`` when it is a number, else the
    size of whichever standard stream is a terminal, else 80 columns.
    """
    stdout = sys.stdout
    if (
        sys.platform == "win32"
        or any(name in os.environ for name in _RICH_ENVIRONMENT)
        or not isinstance(stdout, io.TextIOWrapper)
        or not (stdout.encoding or "").lower().startswith("utf")
        or stdout.isatty()
        or "get_ipython" in vars(builtins)
    ):
        return None
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    width = None
    for descriptor in (0, 1, 2):
        try:
            width = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    return width or 80


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
