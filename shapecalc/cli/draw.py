"""``shapecalc draw``: the network as SVG or PNG."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .options import Command, at_option, shown_default, spec_input
from .spec import STDIN, analysed
from .types import Colors

if TYPE_CHECKING:
    from ..analysis import Analysis
    from ..render.svg import DrawOptions


def _fit(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Validates --fit where click reads it, so that a bad ratio is a usage error."""
    from ..render.svg import DrawError, parse_fit

    try:
        parse_fit(value)
    except DrawError as err:
        raise click.BadParameter(str(err)) from None
    return value


def _preview(analysis: Analysis, options: DrawOptions, mode: str) -> str:
    """The drawing for the terminal in ``mode``: ``auto`` asks the terminal what it shows
    and falls back to text; a protocol given by name is written as asked, or fails."""
    import shutil
    import sys

    from ..render.svg import analysis_preview
    from .terminal import Terminal, detect, width_px

    columns = max(40, shutil.get_terminal_size().columns - 1)
    if mode == "auto":
        terminal = detect()
    else:
        try:
            pixels = width_px(sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # no file behind it (a test's stream)
            pixels = None
        terminal = Terminal(None if mode == "text" else mode, pixels)
    return analysis_preview(
        analysis,
        options,
        columns=columns,
        protocol=terminal.protocol or "text",
        width_px=terminal.width_px,
        required=mode != "auto",
    )


@click.command(cls=Command)
@spec_input
@click.option(
    "-o",
    "--output",
    help="Where to write: net.svg, net.png (needs the png extra), or - for SVG on stdout.",
)
@click.option(
    "--preview",
    is_flag=True,
    help="Show the drawing in the terminal: an image where the terminal shows kitty or sixel "
    "images (asked of it; needs the png extra), else the same layout in Unicode characters, "
    "as wide as the terminal.",
)
@click.option(
    "--preview-mode",
    type=click.Choice(["auto", "kitty", "sixel", "text"]),
    help="--preview as this (implies --preview): auto asks the terminal; kitty or sixel "
    "write that image whatever the terminal (an error without the png extra); text: Unicode.",
)
@click.option(
    "--style",
    type=click.Choice(["lenet", "alexnet", "fcnn", "graph"]),
    help="Default: lenet for networks with feature maps, fcnn for dense-only ones; graph "
    "draws a labelled box per layer with arrows.",
)
@at_option()
@shown_default(
    "--max-channels",
    click.IntRange(1, 64),
    12,
    "Feature maps drawn per tensor (lenet) before an ellipsis and the true count.",
)
@shown_default(
    "--max-nodes",
    click.IntRange(2, 64),
    16,
    "Nodes drawn per layer (fcnn) before an ellipsis and the true count.",
)
@shown_default(
    "--scale", click.Choice(["linear", "log", "sqrt"]), "sqrt", "How sizes map to lengths."
)
@click.option("--spacing", type=click.FloatRange(0, 1000), help="Least space between tensors, px.")
@click.option("--colors", type=Colors(), help="Fill per layer kind: conv=#5b9bd5,pool=orange.")
@shown_default("--opacity", click.FloatRange(0, 1), 1.0, "Fill opacity.")
@click.option("--no-labels", is_flag=True, help="Draw the shapes only.")
@shown_default("--direction", click.Choice(["horizontal", "vertical"]), "horizontal")
@click.option("--title", help="A title above the drawing.")
@click.option(
    "--fit",
    callback=_fit,
    metavar="W:H|none",
    help="Fit this aspect ratio (16:9, 4:3, ...): a long network wraps onto rows (columns "
    "when vertical), shapes shrink and blocks fold until every label is at least 1/60 of the "
    "drawing's height. Default: 16:9 when one line would be longer than 6:1; none: one line.",
)
@click.option(
    "--width",
    type=click.FloatRange(16, 100_000),
    help="Width of the SVG in px (the drawing scales); with --height and no --fit, fits W:H.",
)
@click.option(
    "--height",
    type=click.FloatRange(16, 100_000),
    help="Height of the SVG in px (the drawing scales).",
)
@click.option(
    "--depth",
    type=click.IntRange(0, 100),
    help="Draw blocks nested deeper than N as one labelled tensor each, as the table's --depth.",
)
@click.option(
    "--legend/--no-legend", default=True, show_default=True, help="Legend of layer kinds."
)
def draw(
    spec: str | None,
    file: Path | None,
    output: str | None,
    preview: bool,
    preview_mode: str | None,
    style: str | None,
    at: tuple[dict[str, int], ...],
    max_channels: int,
    max_nodes: int,
    scale: str,
    spacing: float | None,
    colors: dict[str, str] | None,
    opacity: float,
    no_labels: bool,
    direction: str,
    title: str | None,
    legend: bool,
    fit: str | None,
    width: float | None,
    height: float | None,
    depth: int | None,
) -> None:
    """Draw the network in NN-SVG style (lenet, alexnet or fcnn) or as a graph, as SVG or PNG.

    \b
    shapecalc draw -f examples/vgg16.shape -o vgg16.svg
    shapecalc draw "784 | dense256 | relu | dense10" -o mlp.png
    shapecalc draw "nxnx1 | conv3x3x16 same | maxpool2" --at n=28 -o - > net.svg
    shapecalc draw -f examples/resnet50.shape --depth 0 --fit 16:9 -o resnet50.svg
    shapecalc draw -f examples/vgg16.shape --preview
    shapecalc draw -f examples/lenet.shape --preview-mode sixel
    """
    from ..render.svg import DrawOptions, analysis_to_svg

    preview = preview or preview_mode is not None
    if output is None and not preview:
        raise click.UsageError("give -o FILE (or - for stdout) or --preview")

    options = DrawOptions(
        style=style,
        max_channels=max_channels,
        max_nodes=max_nodes,
        scale=scale,
        spacing=spacing,
        colors=colors or {},
        opacity=opacity,
        labels=not no_labels,
        direction=direction,
        title=title,
        legend=legend,
        fit=fit,
        width=width,
        height=height,
        depth=depth,
    )
    analysis = analysed(spec, file, at)
    if preview:
        click.echo(_preview(analysis, options, preview_mode or "auto"), nl=False)
    if output is None:
        return
    svg = analysis_to_svg(analysis, options)
    if output == STDIN:
        click.echo(svg, nl=False)
        return
    path = Path(output)
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise click.BadParameter(
            f"{output!r}: write .svg or .png (or - for SVG on stdout)", param_hint="-o"
        )
    try:
        if suffix == ".png":
            from ..render.svg.raster import svg_to_png

            path.write_bytes(svg_to_png(svg))
        else:
            path.write_text(svg, encoding="utf-8")
    except OSError as err:
        raise click.UsageError(f"cannot write {output}: {err.strerror or err}") from None
