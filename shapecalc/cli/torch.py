"""``shapecalc torch``: print the spec as PyTorch code."""

from __future__ import annotations

from pathlib import Path

import click

from .options import spec_input
from .spec import merge_assignments, read_spec
from .types import Assignments


@click.command("torch")
@spec_input
@click.option("--at", "at", type=Assignments(), multiple=True, help="Values for symbols: n=28,f=3.")
def torch_command(spec: str | None, file: Path | None, at: tuple[dict[str, int], ...]) -> None:
    """Print a runnable PyTorch module (an nn.Sequential) for the spec.

    Every symbol needs a value (--at): torch modules have fixed sizes.
    """
    from ..network import analyze

    click.echo(analyze(read_spec(spec, file), **merge_assignments(at)).to_torch_code(), nl=False)
