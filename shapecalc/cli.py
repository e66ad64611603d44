"""The command line: a thin shell over :func:`shapecalc.analyze` and the renderers."""

from __future__ import annotations

import gc
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Literal

import click

from .errors import ShapecalcError

#: The spec given as an argument: "-" reads it from standard input.
STDIN = "-"
#: True in the ``shapecalc`` program (:func:`console_main`), False when called in-process.
_IS_PROGRAM = False


class Assignments(click.ParamType):
    """``n=28,f=3`` -> {"n": 28, "f": 3}; integers only, never evaluated."""

    name = "NAME=INT[,NAME=INT...]"

    def convert(self, value: Any, param: Any, ctx: Any) -> dict[str, int]:
        if isinstance(value, dict):
            return value
        result: dict[str, int] = {}
        for part in str(value).split(","):
            name, sep, number = (s.strip() for s in part.partition("="))
            # ASCII digits only: str.isdigit() also takes '²', which int() then refuses.
            if not sep or not name.isidentifier() or not re.fullmatch(r"-?[0-9]+", number):
                self.fail(f"{part.strip()!r} is not name=integer (as in n=28)", param, ctx)
            if len(number) > 19:
                self.fail(f"{name}: the value is larger than 10**18", param, ctx)
            if name in result:
                self.fail(f"{name} is given twice", param, ctx)
            result[name] = int(number)
        return result


class Columns(click.ParamType):
    """``shape,params,macs`` -> the table's columns, checked against the known names."""

    name = "NAME[,NAME...]"

    def convert(self, value: Any, param: Any, ctx: Any) -> tuple[str, ...]:
        if isinstance(value, tuple):
            return value
        from .render.common import ColumnError, parse_columns

        try:
            return parse_columns(str(value))
        except ColumnError as err:
            self.fail(str(err), param, ctx)


#: Element types and MACs conventions of the cost options, as in shapecalc.costs (listed here
#: so that importing the CLI stays light; a test keeps them equal).
DTYPE_NAMES = ("float32", "float16", "bfloat16", "int8")
CONVENTION_NAMES = ("torch", "torchinfo", "fvcore", "thop")


class DefaultGroup(click.Group):
    """A group whose first argument is a spec unless it names a subcommand.

    ``shapecalc "SPEC"`` and ``shapecalc --json "SPEC"`` run ``calc``; ``shapecalc layers``
    runs ``layers``. Spec errors exit with code 2 and no traceback.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            if re.match(r"-[0-9]", args[0]):  # "-5x28x1 | ..." is a (bad) spec, not an option
                args = ["calc", *args[1:], "--", args[0]]
            else:
                args = ["calc", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] SPEC | COMMAND [ARGS]...")

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ShapecalcError as err:
            click.echo(f"error: {err.render()}", err=True)
            ctx.exit(2)


def _console(wide: Any = None) -> Any:
    """A rich console; with ``wide`` (a renderable) and output to a file or pipe with no
    COLUMNS set, as wide as ``wide`` needs, so that no column is squeezed out of sight."""
    from rich.console import Console

    console = Console()
    if wide is not None and not console.is_terminal and "COLUMNS" not in os.environ:
        needed = console.measure(wide, options=console.options.update_width(1000)).maximum
        if needed > console.width:
            console = Console(width=needed)
    return console


def _read_spec(spec: str | None, file: Path | None) -> str:
    if spec is not None and file is not None:
        raise click.UsageError("give the spec as an argument or with -f, not both")
    if file is not None:
        return _read_text(file)
    if spec is None:
        raise click.UsageError('missing spec, as in: shapecalc "28x28x1 | conv3x3x16 same"')
    if spec == STDIN:
        if sys.stdin is None:  # started with standard input closed
            raise click.UsageError("no standard input to read the spec from")
        # At most the cap plus one byte, so that an endless pipe cannot eat the memory.
        data = sys.stdin.buffer.read(MAX_SPEC_BYTES + 1)
        if len(data) > MAX_SPEC_BYTES:
            raise click.UsageError("standard input holds more than 1 MB; specs are at most 1 MB")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise click.UsageError("standard input is not UTF-8 text") from None
    return spec


#: Largest spec file read, so a wrong file name cannot eat the memory.
MAX_SPEC_BYTES = 1_000_000


def _read_text(path: Path) -> str:
    from .files import TooLarge, read_limited

    try:
        return read_limited(path, MAX_SPEC_BYTES).decode("utf-8")
    except TooLarge:
        raise click.UsageError(f"{path} is larger than 1 MB; spec files are at most 1 MB") from None
    except OSError as err:
        raise click.UsageError(f"cannot read {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise click.UsageError(f"{path} is not UTF-8 text") from None


@click.group(
    cls=DefaultGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)
@click.version_option(package_name="shapecalc", prog_name="shapecalc")
def cli() -> None:
    """Exact shapes and parameter counts of CNNs.

    \b
    shapecalc "28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10"
    shapecalc "nxnx3 | conv{f}x{f}x8 pad{p} | maxpool2" --at n=28,f=3,p=1
    shapecalc -f net.shape --json

    A spec (or -f FILE) runs the calculator (see 'shapecalc calc --help');
    'shapecalc layers' lists every layer keyword; 'shapecalc check' cross-checks a spec
    against PyTorch and 'shapecalc torch' prints it as PyTorch code.
    """


def spec_input(command: Any) -> Any:
    """The SPEC argument and ``-f FILE``, shared by every command that reads a spec."""
    command = click.option(
        "-f",
        "--file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Read the spec from a file.",
    )(command)
    return click.argument("spec", required=False)(command)


def _check_options(command: Any) -> Any:
    """The options of the PyTorch cross-check: --batch and --device."""
    command = click.option(
        "--device",
        type=click.Choice(["cpu", "cuda", "meta"]),
        default="cpu",
        show_default=True,
        help="Where torch runs the check; meta allocates nothing (shapes and counts only).",
    )(command)
    return click.option(
        "--batch",
        # As large as the Python API takes: the costs scale with it, and a check that would
        # not fit in memory is refused by its own budget (use --device meta).
        type=click.IntRange(1, 10**9),
        default=1,
        show_default=True,
        help="Batch size: of the check's random input, and the costs are counted for.",
    )(command)


def _checked(analysis: Any, device: str, batch: int) -> Any:
    """``analysis.check``; in the ``shapecalc`` program, with torch's meta kernels called
    directly (:func:`shapecalc.torchcheck.run_meta_kernels_directly`): that halves a cold
    meta-device check, and the program never compiles, so nothing else can notice."""
    if _IS_PROGRAM and device == "meta":
        try:
            from . import torchcheck
        except ModuleNotFoundError:
            pass  # analysis.check says how to install torch
        else:
            torchcheck.run_meta_kernels_directly()
    return analysis.check(device=device, batch=batch)


def _show_check(result: Any, as_json: bool) -> None:
    """Print a check result; any mismatch exits with code 1, naming the first layer."""
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        _console().print(result)
    if not result.ok:
        click.echo(f"error: {result.summary()}", err=True)
        click.get_current_context().exit(1)


@cli.command()
@spec_input
@click.option("--at", "at", type=Assignments(), multiple=True, help="Values for symbols: n=28,f=3.")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON.")
@click.option("--markdown", is_flag=True, help="Print the table as GitHub Markdown.")
@click.option(
    "--explain",
    is_flag=True,
    help="Show the worked arithmetic of every layer: formula, numbers, result.",
)
@click.option("--latex", is_flag=True, help="Print the worked arithmetic as LaTeX (amsmath).")
@click.option("--check", is_flag=True, help="Cross-check every layer against PyTorch.")
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    help="Fold rows nested deeper than N blocks (res, concat, named blocks) into their block.",
)
@click.option(
    "--columns",
    type=Columns(),
    help="Table columns: shape, params, param_memory, macs, flops, activations, memory, rf "
    "(default shape,params).",
)
@click.option(
    "--costs",
    "with_costs",
    is_flag=True,
    help="Show costs: the columns shape,params,macs,memory,rf and the totals; with --json, "
    "each layer's cost fields.",
)
@click.option(
    "--dtype",
    type=click.Choice(DTYPE_NAMES),
    help="Element type of the memory sizes (default float32); implies --costs.",
)
@click.option(
    "--macs",
    "convention",
    type=click.Choice(CONVENTION_NAMES),
    help="Count MACs as torch's FlopCounterMode (default), torchinfo, fvcore or thop do; "
    "implies --costs.",
)
@_check_options
def calc(
    spec: str | None,
    file: Path | None,
    at: tuple[dict[str, int], ...],
    as_json: bool,
    markdown: bool,
    explain: bool,
    latex: bool,
    check: bool = False,
    columns: tuple[str, ...] | None = None,
    with_costs: bool = False,
    dtype: str | None = None,
    convention: str | None = None,
    batch: int = 1,
    device: str = "cpu",
    depth: int | None = None,
) -> None:
    """Print every layer's output shape and parameter count. SPEC '-' reads standard input.

    --costs (or --columns, --dtype, --macs) adds MACs, FLOPs, memory and receptive fields;
    --batch sets the batch they are counted for.
    """
    from .network import analyze
    from .render.common import COST_COLUMNS, DEFAULT_COLUMNS, NEEDS_COSTS

    if sum((as_json, markdown, latex)) > 1:
        raise click.UsageError("choose one of --json, --markdown and --latex")
    if check and (markdown or latex or explain):
        raise click.UsageError(
            "--check shows the table or --json, not --markdown/--latex/--explain"
        )
    implied = with_costs or dtype is not None or convention is not None
    wants_costs = implied or any(name in NEEDS_COSTS for name in columns or ())
    if (check or latex) and (wants_costs or columns):
        raise click.UsageError(
            "--columns and the cost options go with the table, --markdown or --json"
        )
    if depth is not None and (check or latex or as_json):
        raise click.UsageError("--depth folds the table or --markdown, not --check/--latex/--json")
    columns = columns or (COST_COLUMNS if implied else DEFAULT_COLUMNS)
    analysis = analyze(_read_spec(spec, file), **_merge_assignments(at))
    costs = (
        analysis.costs(batch=batch, dtype=dtype or "float32", convention=convention or "torch")
        if wants_costs
        else None
    )
    if check:
        _show_check(_checked(analysis, device, batch), as_json)
    elif as_json:
        click.echo(json.dumps(analysis.to_json(explain=explain, costs=costs), indent=2))
    elif latex:
        click.echo(analysis.explain().to_latex(), nl=False)
    elif markdown:
        from .render.markdown import analysis_to_markdown

        text = analysis_to_markdown(analysis, columns, costs, depth=depth)
        click.echo(text + "\n" + analysis.explain().to_markdown() if explain else text, nl=False)
    else:
        from .render.table import analysis_table

        table = analysis_table(analysis, columns, costs, depth=depth)
        console = _console(wide=table if costs is not None else None)
        console.print(table)
        if explain:
            console.print()
            console.print(analysis.explain())


def _merge_assignments(groups: tuple[dict[str, Any], ...], option: str = "--at") -> dict[str, Any]:
    """Several ``--at`` (or ``--range``) options as one mapping; a name given twice is a usage
    error."""
    values: dict[str, Any] = {}
    for group in groups:
        for name, value in group.items():
            if name in values:
                raise click.BadParameter(f"{name} is given twice", param_hint=option)
            values[name] = value
    return values


class Ranges(click.ParamType):
    """``p=0..10`` -> {"p": (0, 10)}; integers only."""

    name = "NAME=LOW..HIGH"

    def convert(self, value: Any, param: Any, ctx: Any) -> dict[str, tuple[int, int]]:
        if isinstance(value, dict):
            return value
        result: dict[str, tuple[int, int]] = {}
        for part in str(value).split(","):
            match = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*=\s*([0-9]{1,19})\.\.([0-9]{1,19})\s*", part)
            if match is None:
                self.fail(f"{part.strip()!r} is not name=low..high (as in p=0..10)", param, ctx)
            name, low, high = match.group(1), int(match.group(2)), int(match.group(3))
            if max(low, high) > 10**18:
                self.fail(f"{name}: the range goes beyond 10**18", param, ctx)
            if name in result:
                self.fail(f"{name} is given twice", param, ctx)
            result[name] = (low, high)
        return result


def _targets(outs: tuple[str, ...], params: tuple[str, ...], layer: int | None) -> list[Any]:
    """``--out [LAYER:]SHAPE`` and ``--params [LAYER:]N`` as targets; ``--layer`` is the
    layer of those without a prefix."""
    from .solve import SolveError, Target

    def split(text: str) -> tuple[int | None, str]:
        match = re.fullmatch(r"\s*([0-9]{1,9})\s*:(.*)", text)
        return (int(match.group(1)), match.group(2)) if match else (layer, text)

    targets = []
    for text in outs:
        where, shape = split(text)
        targets.append(Target.parse_shape(shape, where))
    for text in params:
        where, count = split(text)
        digits = count.strip().replace(",", "").replace("_", "")
        # ASCII digits only: str.isdigit() also takes '²', which int() then refuses.
        if not re.fullmatch(r"[0-9]{1,19}", digits):
            raise SolveError(f"--params {text!r} is not a whole number, as in --params 7600")
        targets.append(Target(layer=where, params=int(digits)))
    return targets


@cli.command()
@spec_input
@click.option(
    "--out",
    "outs",
    multiple=True,
    metavar="[LAYER:]SHAPE",
    help="Wanted output shape, as in 14x14x8 (_ for any size).",
)
@click.option(
    "--params",
    "params",
    multiple=True,
    metavar="[LAYER:]N",
    help="Wanted parameter count (total, or of --layer).",
)
@click.option(
    "--layer",
    type=click.IntRange(min=1),
    help="The layer (1-based) the targets are about; default the last / the total.",
)
@click.option(
    "--at",
    "at",
    type=Assignments(),
    multiple=True,
    help="Values for symbols that are not unknowns.",
)
@click.option(
    "--range", "ranges", type=Ranges(), multiple=True, help="Bounds of unknowns: p=0..10."
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Most solutions listed.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the solutions as JSON.")
def solve(
    spec: str | None,
    file: Path | None,
    outs: tuple[str, ...],
    params: tuple[str, ...],
    layer: int | None,
    at: tuple[dict[str, int], ...],
    ranges: tuple[dict[str, tuple[int, int]], ...],
    limit: int,
    as_json: bool,
) -> None:
    """Find every integer value of the spec's symbols that meets the targets.

    \b
    shapecalc solve "63x63x16 | conv7x7x32 pad{p}" --out 63x63x32
    shapecalc solve "nxnx3 | conv5x5x8 | maxpool2" --out 14x14x8
    shapecalc solve "300x300x3 | conv5x5x{c}" --params 7600
    """
    from .solve import solve as find

    bounds = _merge_assignments(ranges, "--range")
    result = find(
        _read_spec(spec, file),
        _targets(outs, params, layer),
        at=_merge_assignments(at),
        bounds=bounds,
        limit=limit,
    )
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        _console().print(result)


@cli.command()
@click.argument("keywords", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the reference as JSON.")
@click.option("--markdown", is_flag=True, help="Print the reference as a Markdown table.")
def layers(keywords: tuple[str, ...], as_json: bool, markdown: bool) -> None:
    """List layer keywords with their options, formula and examples (all, or KEYWORDS)."""
    from .render.reference import layers_json, layers_markdown, layers_table, select_kinds

    try:
        kinds = select_kinds(keywords)
    except KeyError as err:
        raise click.BadParameter(str(err.args[0]), param_hint="KEYWORDS") from None
    if as_json:
        click.echo(json.dumps(layers_json(kinds), indent=2))
    elif markdown:
        click.echo(layers_markdown(kinds), nl=False)
    else:
        _console().print(layers_table(kinds))


class SizePair(click.ParamType):
    """``2`` -> 2, ``2,1`` -> (2, 1): one size for both dims, or height,width."""

    name = "N[,N]"

    def convert(self, value: Any, param: Any, ctx: Any) -> int | tuple[int, int]:
        if isinstance(value, (int, tuple)):
            return value
        parts = [p.strip() for p in str(value).split(",")]
        if len(parts) > 2 or not all(re.fullmatch(r"-?[0-9]{1,9}", p) for p in parts):
            self.fail(f"{value!r} is not an integer or a pair height,width (as in 2,1)", param, ctx)
        numbers = [int(p) for p in parts]
        return numbers[0] if len(numbers) == 1 else (numbers[0], numbers[1])


class Padding(click.ParamType):
    """A conv's padding: ``1``, ``1,2``, or ``same`` (output size ceil(input/stride))."""

    name = "N[,N]|same"

    def convert(self, value: Any, param: Any, ctx: Any) -> int | tuple[int, int] | Literal["same"]:
        if isinstance(value, str) and value.strip().lower() == "same":
            return "same"
        try:
            return SizePair().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"{value!r} is not an integer, a pair height,width or 'same'", param, ctx)


def _print_numeric(result: Any, as_json: bool, markdown: bool) -> None:
    from .render.numeric import json_text, result_grid, result_json, result_markdown

    if as_json:
        click.echo(json_text(result_json(result)))
    elif markdown:
        click.echo(result_markdown(result), nl=False)
    else:
        _console().print(result_grid(result))


_MATRIX_HELP = (
    "Inline numbers (rows separated by ';', cells by spaces or commas, channels by '/'), "
    "@FILE or a file ending in .txt/.csv/.tsv/.npy."
)


@cli.command(short_help="Convolve matrices exactly (--explain: the working).")
@click.option("-i", "--input", "image", required=True, metavar="MATRIX", help=_MATRIX_HELP)
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
@click.option("--json", "as_json", is_flag=True, help='Print {"output": ...} as JSON.')
@click.option("--markdown", is_flag=True, help="Print the output as Markdown tables.")
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

    from .matrices import load_kernels, load_volume, parse_values
    from .numeric import conv2d, conv_transpose2d

    if as_json and markdown:
        raise click.UsageError("choose one of --json and --markdown")
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
    _print_numeric(result, as_json, markdown)


@cli.command(short_help="Max/average pooling of matrices exactly (--explain: the working).")
@click.option("-i", "--input", "image", required=True, metavar="MATRIX", help=_MATRIX_HELP)
@click.option("--size", type=SizePair(), required=True, help="The window: 2 or height,width.")
@click.option("--stride", type=SizePair(), help="Stride; defaults to the window.")
@click.option(
    "--pad", type=SizePair(), default=0, show_default=True, help="Padding, at most half the window."
)
@click.option(
    "--mode",
    type=click.Choice(["max", "avg"]),
    default="max",
    show_default=True,
    help="max pads with -inf; avg pads with zeros that count (count_include_pad).",
)
@click.option("--explain", is_flag=True, help="Show each output cell's max or average.")
@click.option("--json", "as_json", is_flag=True, help='Print {"output": ...} as JSON.')
@click.option("--markdown", is_flag=True, help="Print the output as Markdown tables.")
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
    from .matrices import load_volume
    from .numeric import pool2d

    if as_json and markdown:
        raise click.UsageError("choose one of --json and --markdown")
    result = pool2d(
        load_volume(image, "--input"),
        size,
        stride=stride,
        pad=pad,
        mode="avg" if mode == "avg" else "max",
        explain=explain,
    )
    _print_numeric(result, as_json, markdown)


class Colors(click.ParamType):
    """``conv=#ff0000,pool=orange`` -> {"conv": "#ff0000", "pool": "orange"}."""

    name = "KIND=COLOUR[,KIND=COLOUR...]"

    def convert(self, value: Any, param: Any, ctx: Any) -> dict[str, str]:
        if isinstance(value, dict):
            return value
        from .render.svg import DrawError, parse_colors

        try:
            return parse_colors(str(value))
        except DrawError as err:
            self.fail(str(err), param, ctx)


@cli.command()
@spec_input
@click.option(
    "-o",
    "--output",
    required=True,
    help="Where to write: net.svg, net.png (needs the png extra), or - for SVG on stdout.",
)
@click.option(
    "--style",
    type=click.Choice(["lenet", "alexnet", "fcnn"]),
    help="Default: lenet for networks with feature maps, fcnn for dense-only ones.",
)
@click.option("--at", "at", type=Assignments(), multiple=True, help="Values for symbols: n=28,f=3.")
@click.option(
    "--max-channels",
    type=click.IntRange(1, 64),
    default=12,
    show_default=True,
    help="Feature maps drawn per tensor (lenet) before an ellipsis and the true count.",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(2, 64),
    default=16,
    show_default=True,
    help="Nodes drawn per layer (fcnn) before an ellipsis and the true count.",
)
@click.option(
    "--scale",
    type=click.Choice(["linear", "log", "sqrt"]),
    default="sqrt",
    show_default=True,
    help="How sizes map to lengths.",
)
@click.option("--spacing", type=click.FloatRange(0, 1000), help="Least space between tensors, px.")
@click.option("--colors", type=Colors(), help="Fill per layer kind: conv=#5b9bd5,pool=orange.")
@click.option(
    "--opacity", type=click.FloatRange(0, 1), default=1.0, show_default=True, help="Fill opacity."
)
@click.option("--no-labels", is_flag=True, help="Draw the shapes only.")
@click.option(
    "--direction",
    type=click.Choice(["horizontal", "vertical"]),
    default="horizontal",
    show_default=True,
)
@click.option("--title", help="A title above the drawing.")
@click.option(
    "--legend/--no-legend", default=True, show_default=True, help="Legend of layer kinds."
)
def draw(
    spec: str | None,
    file: Path | None,
    output: str,
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
) -> None:
    """Draw the network in NN-SVG style (lenet, alexnet or fcnn) as SVG or PNG.

    \b
    shapecalc draw -f examples/vgg16.shape -o vgg16.svg
    shapecalc draw "784 | dense256 | relu | dense10" -o mlp.png
    shapecalc draw "nxnx1 | conv3x3x16 same | maxpool2" --at n=28 -o - > net.svg
    """
    from .network import analyze
    from .render.svg import DrawOptions, analysis_to_svg

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
    )
    analysis = analyze(_read_spec(spec, file), **_merge_assignments(at))
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
            from .render.svg.raster import svg_to_png

            path.write_bytes(svg_to_png(svg))
        else:
            path.write_text(svg, encoding="utf-8")
    except OSError as err:
        raise click.UsageError(f"cannot write {output}: {err.strerror or err}") from None


@cli.command("check")
@spec_input
@click.option("--at", "at", type=Assignments(), multiple=True, help="Values for symbols: n=28,f=3.")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis and check as JSON.")
@_check_options
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
    from .network import analyze

    analysis = analyze(_read_spec(spec, file), **_merge_assignments(at))
    _show_check(_checked(analysis, device, batch), as_json)


@cli.command("torch")
@spec_input
@click.option("--at", "at", type=Assignments(), multiple=True, help="Values for symbols: n=28,f=3.")
def torch_command(spec: str | None, file: Path | None, at: tuple[dict[str, int], ...]) -> None:
    """Print a runnable PyTorch module (an nn.Sequential) for the spec.

    Every symbol needs a value (--at): torch modules have fixed sizes.
    """
    from .network import analyze

    click.echo(analyze(_read_spec(spec, file), **_merge_assignments(at)).to_torch_code(), nl=False)


def main() -> None:
    """Console-script entry point: errors are one line on stderr, exit code 2."""
    try:
        code = cli.main(prog_name="shapecalc", standalone_mode=False)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.ClickException as err:
        no_args = getattr(click.exceptions, "NoArgsIsHelpError", ())
        if no_args and isinstance(err, no_args):  # bare 'shapecalc': the help, as a usage error
            click.echo(err.format_message(), err=True)
        else:
            click.echo(f"error: {err.format_message()}", err=True)
        code = err.exit_code
    except click.exceptions.Abort:  # Ctrl-C: the shell's code for SIGINT, not a check's 1
        code = 130
    sys.exit(code if isinstance(code, int) else 0)


def console_main() -> None:
    """The ``shapecalc`` program: :func:`main`, leaving at once when torch was imported.

    Tearing down an interpreter that imported torch takes about 0.6 s here, and a finished
    command has nothing left to clean up, so the process flushes its output and ends. Only the
    program does this; :func:`main` called in-process (tests, notebooks) exits normally. The
    program also runs torch's meta kernels directly in a check (see :func:`_checked`).
    """
    global _IS_PROGRAM
    _IS_PROGRAM = True
    # A long spec makes hundreds of thousands of small objects without reference cycles;
    # with the default young-generation threshold (700) the cycle collector runs thousands
    # of times and frees nothing (peak memory is the same with it off), costing 10 to 20% of
    # a 10,000-layer table. Collections still run, less often; only the program does this.
    gc.set_threshold(10_000, 10, 10)
    try:
        main()
    except SystemExit as done:
        if "torch" not in sys.modules:
            raise
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(done.code if isinstance(done.code, int) else 0)
