"""``shapecalc conv``: exact convolution of matrices."""

from __future__ import annotations

from typing import Literal

import click

from .options import Command, json_option, markdown_option, matrix_option, one_of
from .output import print_numeric
from .types import Padding, SizePair


@one_of("--json", "--markdown")
@click.command(cls=Command, short_help="Convolve matrices exactly (--explain: the working).")
@matrix_option
@click.option(
    "-k",
    "--kernel",
    "kernels",
    required=True,
    multiple=True,
    metavar="MATRIX",
    help="One output channel's kernel, its input channels separated by '/'; repeat for "
    "more output channels. A .npy kernel may be (kh,kw), (C_in,kh,kw) or (C_out,C_in,kh,kw).",
)
@click.option(
    "--pad",
    type=Padding(),
    default=0,
    show_default=True,
    help="Zero padding; 'same' keeps ceil(input/stride), the odd pixel at the bottom/right.",
)
@click.option("--stride", type=SizePair(), default=1, show_default=True, help="Stride.")
@click.option("--dilation", type=SizePair(), default=1, show_default=True, help="Dilation.")
@click.option("--bias", metavar="NUMBERS", help="One bias per output channel: '1' or '1 -0.5'.")
@click.option("--flip", is_flag=True, help="Flip the kernel: true convolution.")
@click.option("--explain", is_flag=True, help="Show each output cell's sum of products.")
@json_option('Print {"output": ...} as JSON.')
@markdown_option("Print the output as Markdown tables.")
@click.option("--transposed", is_flag=True, help="Transposed convolution (conv_transpose2d).")
@click.option("--outpad", type=SizePair(), default=0, help="--transposed: output padding.")
def conv(
    transposed: bool,
    outpad: int | tuple[int, int],
    image: str,
    kernels: tuple[str, ...],
    pad: int | tuple[int, int] | Literal["same"],
    stride: int | tuple[int, int],
    dilation: int | tuple[int, int],
    bias: str | None,
    flip: bool,
    explain: bool,
    as_json: bool,
    markdown: bool,
) -> None:
    """Convolve a matrix with kernels, exactly, as deep-learning frameworks do.

    Cross-correlation, as torch's conv2d: the kernel is not flipped unless --flip is given.
    Sizes are one integer or height,width (--stride 2,1). Numbers are exact: decimals are
    read as fractions, results print as integers, terminating decimals or fractions (7/3).

    \b
    shapecalc conv -i "3 0 1 2 7 4; 1 5 8 9 3 1; 2 7 2 5 1 3; 0 1 3 1 7 8; 4 2 1 6 2 8; 2 4 5 2 3 9" \\
                   -k "1 0 -1; 1 0 -1; 1 0 -1" --explain
    shapecalc conv -i "1 2; 3 4 / 5 6; 7 8" -k "1 0; 0 1 / 0 1; 1 0" -k "1 1; 1 1 / 0 0; 0 0"
    """
    from functools import partial

    from ..matrices import load_kernels, load_volume, parse_values
    from ..numeric import conv2d, conv_transpose2d

    if outpad != 0 and not transposed:
        raise click.UsageError("--outpad goes with --transposed")
    convolve = partial(conv_transpose2d, outpad=outpad) if transposed else conv2d
    result = convolve(
        load_volume(image, "--input"),
        load_kernels(kernels, "--kernel"),
        stride=stride,
        pad=pad,
        dilation=dilation,
        bias=parse_values(bias, "--bias") if bias is not None else None,
        flip=flip,
        explain=explain,
    )
    print_numeric(result, as_json, markdown)
