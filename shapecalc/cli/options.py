"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

#: Element types and MACs conventions of the cost options, as in shapecalc.costs (listed here
#: so that importing the CLI stays light; a test keeps them equal).
DTYPE_NAMES = ("float32", "float16", "bfloat16", "int8")
CONVENTION_NAMES = ("torch", "torchinfo", "fvcore", "thop")

MATRIX_HELP = (
    "Inline numbers (rows separated by ';', cells by spaces or commas, channels by '/'), "
    "@FILE or a file ending in .txt/.csv/.tsv/.npy."
)


def spec_input(command: Any) -> Any:
    """The SPEC argument and ``-f FILE``, shared by every command that reads a spec."""
    command = click.option(
        "-f",
        "--file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Read the spec from a file.",
    )(command)
    return click.argument("spec", required=False)(command)


def check_options(command: Any) -> Any:
    """The options of the PyTorch cross-check: --batch and --device."""
    command = click.option(
        "--device",
        type=click.Choice(["cpu", "cuda", "meta"]),
        default="cpu",
        show_default=True,
        help="Where torch runs the check; meta allocates nothing (shapes and counts only).",
    )(command)
    return click.option(
        "--batch",
        # As large as the Python API takes: the costs scale with it, and a check that would
        # not fit in memory is refused by its own budget (use --device meta).
        type=click.IntRange(1, 10**9),
        default=1,
        show_default=True,
        help="Batch size: of the check's random input, and the costs are counted for.",
    )(command)
