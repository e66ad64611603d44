"""``shapecalc import``: a PyTorch model as a spec (the library's :mod:`shapecalc.imports`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .. import speedups
from ..errors import ModelImportError
from .output import console


def _kwargs(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise click.BadParameter(
            f"not JSON: {err.msg} at column {err.colno}", param_hint="--kwargs"
        ) from None
    if not isinstance(value, dict):
        raise click.BadParameter(
            "give a JSON object, as in '{\"num_classes\": 10}'", param_hint="--kwargs"
        )
    return value


@click.command("import")
@click.argument("target", metavar="MODULE:NAME")
@click.option(
    "--input",
    "input_text",
    default="224x224x3",
    show_default=True,
    help="The input shape, channels last; symbols stay symbolic (HxWx3).",
)
@click.option("--kwargs", "kwargs_text", help="JSON keyword arguments for a class or factory.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the spec to a file.",
)
@click.option(
    "--analyze", "show_analysis", is_flag=True, help="Show the calculator's table of the spec."
)
def import_command(
    target: str, input_text: str, kwargs_text: str | None, output: Path | None, show_analysis: bool
) -> None:
    """Write a PyTorch model as a spec, symbolic in the input size if asked.

    MODULE is an importable module or a .py file, NAME an nn.Module instance, class or
    factory: torchvision.models:resnet18, net.py:Net.

    The spec has a named block for each submodule class used several times, and comments
    naming the module paths; pipe it into 'shapecalc -' or give --analyze for the table.
    """
    from ..imports import input_shape

    shape = input_shape(input_text)  # a bad shape is reported before torch loads
    kwargs = _kwargs(kwargs_text)
    try:
        from ..imports import torch_frontend
    except ModuleNotFoundError as err:
        if not (err.name or "").startswith("torch"):
            raise
        from ..install import install_hint

        raise ModelImportError(f"shapecalc import needs PyTorch: {install_hint('torch')}") from None
    speedups.before_check("meta")  # the import's one forward pass runs on the meta device
    model = torch_frontend.load_model(target, kwargs)
    from ..imports import spec_from_graph

    spec = spec_from_graph(torch_frontend.torch_graph(model, shape, target))
    if output is not None:
        output.write_text(spec, encoding="utf-8")
    elif not show_analysis:
        click.echo(spec, nl=False)
    if show_analysis:
        from ..network import analyze

        console().print(analyze(spec))
