"""``shapecalc pool``: exact max and average pooling of matrices."""

from __future__ import annotations

import click

from .options import Command, json_option, markdown_option, matrix_option, one_of, shown_default
from .output import print_numeric
from .types import SizePair


@one_of("--json", "--markdown")
@click.command(cls=Command, short_help="Max/average pooling of matrices exactly (--explain: the working).")
@matrix_option
@click.option("--size", type=SizePair(), required=True, help="The window: 2 or height,width.")
@click.option("--stride", type=SizePair(), help="Stride; defaults to the window.")
@click.option(
    "--pad", type=SizePair(), default=0, show_default=True, help="Padding, at most half the window."
)
@shown_default(
    "--mode",
    click.Choice(["max", "avg"]),
    "max",
    "max pads with -inf; avg pads with zeros that count (count_include_pad).",
)
@click.option("--explain", is_flag=True, help="Show each output cell's max or average.")
@json_option('Print {"output": ...} as JSON.')
@markdown_option("Print the output as Markdown tables.")
def pool(
    image: str,
    size: int | tuple[int, int],
    stride: int | tuple[int, int] | None,
    pad: int | tuple[int, int],
    mode: str,
    explain: bool,
    as_json: bool,
    markdown: bool,
) -> None:
    """Max or average pooling of every channel of a matrix, exactly, as torch does.

    Max pooling pads with -inf; average pooling pads with zeros and always divides by the
    window's area (torch's count_include_pad=True). Averages print as exact decimals or
    fractions (7/3).

    \b
    shapecalc pool -i "1 3 2 4; 5 6 1 2; 7 2 3 0; 1 8 4 5" --size 2 --mode avg --explain
    """
    from ..matrices import load_volume
    from ..numeric import pool2d

    result = pool2d(
        load_volume(image, "--input"),
        size,
        stride=stride,
        pad=pad,
        mode="avg" if mode == "avg" else "max",
        explain=explain,
    )
    print_numeric(result, as_json, markdown)
