"""``shapecalc torch``: print the spec as PyTorch code."""

from __future__ import annotations

from pathlib import Path

import click

from .options import Command, at_option, spec_input
from .spec import analysed


@click.command("torch", cls=Command)
@spec_input
@at_option()
def torch_command(spec: str | None, file: Path | None, at: tuple[dict[str, int], ...]) -> None:
    """Print a runnable PyTorch module (an nn.Sequential) for the spec.

    Every symbol needs a value (--at): torch modules have fixed sizes.
    """
    click.echo(analysed(spec, file, at).to_torch_code(), nl=False)
