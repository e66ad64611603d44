"""``shapecalc check``: cross-check a spec against a PyTorch forward pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from . import program
from .options import at_option, check_options, json_option, spec_input
from .output import console
from .spec import analysed


def checked(analysis: Any, device: str, batch: int) -> Any:
    """``analysis.check``; in the ``shapecalc`` program, with torch's meta kernels called
    directly (:func:`shapecalc.torchcheck.run_meta_kernels_directly`): that halves a cold
    meta-device check, and the program never compiles, so nothing else can notice."""
    if program._IS_PROGRAM and device == "meta":
        try:
            from .. import torchcheck
        except ModuleNotFoundError:
            pass  # analysis.check says how to install torch
        else:
            torchcheck.run_meta_kernels_directly()
    return analysis.check(device=device, batch=batch)


def show_check(result: Any, as_json: bool) -> None:
    """Print a check result; any mismatch exits with code 1, naming the first layer."""
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        console().print(result)
    if not result.ok:
        click.echo(f"error: {result.summary()}", err=True)
        click.get_current_context().exit(1)


@click.command("check")
@spec_input
@at_option()
@json_option("Print the analysis and check as JSON.")
@check_options
def check_command(
    spec: str | None,
    file: Path | None,
    at: tuple[dict[str, int], ...],
    as_json: bool,
    batch: int,
    device: str,
) -> None:
    """Cross-check every layer against a PyTorch forward pass; exit 1 on any mismatch.

    Symbols without --at values are checked at a few sample points where the spec is valid.
    """
    show_check(checked(analysed(spec, file, at), device, batch), as_json)
