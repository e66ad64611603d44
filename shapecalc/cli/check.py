"""``shapecalc check``: cross-check a spec against a PyTorch (or Keras) forward pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .. import speedups
from .options import Command, at_option, check_only_options, json_option, shown_default, spec_input
from .output import console
from .spec import analysed


def checked(analysis: Any, device: str, batch: int, framework: str = "torch") -> Any:
    """``analysis.check``, after :func:`shapecalc.speedups.before_check` (in the program, a
    meta-device check runs torch's meta kernels directly)."""
    speedups.before_check(device)
    return analysis.check(device=device, batch=batch, framework=framework)


def show_check(result: Any, as_json: bool) -> None:
    """Print a check result; any mismatch exits with code 1, naming the first layer."""
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        console().print(result)
    if not result.ok:
        click.echo(f"error: {result.summary()}", err=True)
        click.get_current_context().exit(1)


@click.command("check", cls=Command)
@spec_input
@at_option()
@json_option("Print the analysis and check as JSON.")
@check_only_options
@shown_default(
    "--framework",
    click.Choice(["torch", "keras"]),
    "torch",
    "Whose forward pass: PyTorch's, or Keras 3's (on the torch backend, cpu or cuda).",
)
def check_command(
    spec: str | None,
    file: Path | None,
    at: tuple[dict[str, int], ...],
    as_json: bool,
    batch: int,
    device: str,
    framework: str,
) -> None:
    """Cross-check every layer against a PyTorch (or Keras) forward pass; exit 1 on any
    mismatch.

    Symbols without --at values are checked at a few sample points where the spec is valid.
    """
    show_check(checked(analysed(spec, file, at), device, batch, framework), as_json)
