"""``shapecalc import``: a PyTorch or Keras model as a spec (the library's
:mod:`shapecalc.imports`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .. import speedups
from ..errors import ModelImportError
from .options import Command
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


@click.command("import", cls=Command)
@click.argument("target", metavar="MODULE:NAME|FILE.keras")
@click.option(
    "--input",
    "input_text",
    help="The input shape, channels last; symbols stay symbolic (HxWx3). "
    "Default: the model's own for Keras, 224x224x3 for PyTorch.",
)
@click.option(
    "--framework",
    type=click.Choice(["torch", "keras"]),
    help="The model's framework (default: keras for a .keras file or a keras module, "
    "else torch).",
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
    target: str,
    input_text: str | None,
    framework: str | None,
    kwargs_text: str | None,
    output: Path | None,
    show_analysis: bool,
) -> None:
    """Import a PyTorch or Keras model as a spec: MODULE (an importable module or a .py file)
    and NAME (an nn.Module instance, class or factory; a keras.Model or a factory of one), as
    in torchvision.models:resnet18, net.py:Net or keras.applications:ResNet50, or a saved
    Keras model, model.keras.

    The spec has a named block for each submodule class used several times, and comments
    naming the module paths; pipe it into 'shapecalc -' or give --analyze for the table.
    """
    from ..imports import input_shape

    # A bad shape is reported before the framework loads.
    shape = None if input_text is None else input_shape(input_text)
    kwargs = _kwargs(kwargs_text)
    from ..imports.keras_frontend import is_keras_target

    if (framework or ("keras" if is_keras_target(target) else "torch")) == "keras":
        from ..imports import from_keras, keras_frontend

        spec = from_keras(keras_frontend.load_model(target, kwargs), shape, name=target)
        _show(spec, output, show_analysis)
        return
    shape = shape or input_shape("224x224x3")
    try:
        from ..imports import torch_frontend
    except ModuleNotFoundError as err:
        if not (err.name or "").startswith("torch"):
            raise
        from ..install import install_hint

        raise ModelImportError(f"shapecalc import needs PyTorch: {install_hint('torch')}") from None
    speedups.before_check("meta")  # the import's one forward pass runs on the meta device
    model = torch_frontend.load_model(
        target,
        kwargs,
        device=speedups.build_device(),
        lazy_torchvision=speedups.lazy_torchvision(),
    )
    from ..imports import spec_from_graph

    spec = spec_from_graph(torch_frontend.torch_graph(model, shape, target))
    _show(spec, output, show_analysis)


def _show(spec: str, output: Path | None, show_analysis: bool) -> None:
    """The spec to ``output`` or standard output, or (and) its table."""
    if output is not None:
        output.write_text(spec, encoding="utf-8")
    elif not show_analysis:
        click.echo(spec, nl=False)
    if show_analysis:
        from ..network import analyze

        console().print(analyze(spec))
