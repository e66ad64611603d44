"""``shapecalc keras``: print the spec as Keras 3 code."""

from __future__ import annotations

from pathlib import Path

import click

from .options import Command, at_option, spec_input
from .spec import analysed


@click.command("keras", cls=Command)
@spec_input
@at_option()
def keras_command(spec: str | None, file: Path | None, at: tuple[dict[str, int], ...]) -> None:
    """Print a runnable Keras 3 module (keras.Sequential, or the functional API for blocks).

    Every symbol needs a value (--at): Keras layers have fixed sizes. A layer Keras cannot
    express is an error naming it (exit 2).
    """
    click.echo(analysed(spec, file, at).to_keras_code(), nl=False)
