"""The command line: a thin shell over :func:`shapecalc.analyze` and the renderers."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from .errors import ShapecalcError

#: The spec given as an argument: "-" reads it from standard input.
STDIN = "-"


class Assignments(click.ParamType):
    """``n=28,f=3`` -> {"n": 28, "f": 3}; integers only, never evaluated."""

    name = "NAME=INT[,NAME=INT...]"

    def convert(self, value: Any, param: Any, ctx: Any) -> dict[str, int]:
        if isinstance(value, dict):
            return value
        result: dict[str, int] = {}
        for part in str(value).split(","):
            name, sep, number = (s.strip() for s in part.partition("="))
            if not sep or not name.isidentifier() or not number.lstrip("-").isdigit():
                self.fail(f"{part.strip()!r} is not name=integer (as in n=28)", param, ctx)
            if len(number) > 19:
                self.fail(f"{name}: the value is larger than 10**18", param, ctx)
            if name in result:
                self.fail(f"{name} is given twice", param, ctx)
            result[name] = int(number)
        return result


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


def _console() -> Any:
    from rich.console import Console

    return Console()


def _read_spec(spec: str | None, file: Path | None) -> str:
    if spec is not None and file is not None:
        raise click.UsageError("give the spec as an argument or with -f, not both")
    if file is not None:
        return _read_text(file)
    if spec is None:
        raise click.UsageError('missing spec, as in: shapecalc "28x28x1 | conv3x3x16 same"')
    if spec == STDIN:
        try:
            return sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError:
            raise click.UsageError("standard input is not UTF-8 text") from None
    return spec


#: Largest spec file read, so a wrong file name cannot eat the memory.
MAX_SPEC_BYTES = 1_000_000


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise click.UsageError(f"{path} is {size:,} bytes; spec files are at most 1 MB")
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise click.UsageError(f"cannot read {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise click.UsageError(f"{path} is not UTF-8 text") from None


def _at_values(at: tuple[dict[str, int], ...]) -> dict[str, int]:
    """Merge repeated --at options, refusing a symbol given twice."""
    values: dict[str, int] = {}
    for group in at:
        for name, value in group.items():
            if name in values:
                raise click.BadParameter(f"{name} is given twice", param_hint="--at")
            values[name] = value
    return values


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
        type=click.IntRange(1, 1024),
        default=1,
        show_default=True,
        help="Batch size of the random input.",
    )(command)


def _show_check(result: Any, as_json: bool) -> None:
    """Print a check result; any mismatch exits with code 1, naming the first layer."""
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        _console().print(result)
    if not result.ok:
        click.echo(f"error: {result.summary()}", err=True)
        click.get_current_context().exit(1)


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


@cli.command()
@click.argument("spec", required=False)
@click.option(
    "-f",
    "--file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read the spec from a file.",
)
@click.option("--at", "at", type=Assignments(), multiple=True, help="Values for symbols: n=28,f=3.")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON.")
@click.option("--markdown", is_flag=True, help="Print the table as GitHub Markdown.")
@click.option("--check", is_flag=True, help="Cross-check every layer against PyTorch.")
@_check_options
def calc(
    spec: str | None,
    file: Path | None,
    at: tuple[dict[str, int], ...],
    as_json: bool,
    markdown: bool,
    check: bool = False,
    batch: int = 1,
    device: str = "cpu",
) -> None:
    """Print every layer's output shape and parameter count. SPEC '-' reads standard input."""
    from .network import analyze

    if as_json and markdown:
        raise click.UsageError("choose one of --json and --markdown")
    values: dict[str, int] = {}
    for group in at:
        for name, value in group.items():
            if name in values:
                raise click.BadParameter(f"{name} is given twice", param_hint="--at")
            values[name] = value
    analysis = analyze(_read_spec(spec, file), **values)
    if check:
        if markdown:
            raise click.UsageError("--check shows the table or --json, not --markdown")
        _show_check(analysis.check(device=device, batch=batch), as_json)
    elif as_json:
        click.echo(json.dumps(analysis.to_json(), indent=2))
    elif markdown:
        click.echo(analysis.to_markdown(), nl=False)
    else:
        _console().print(analysis)


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


@cli.command("check")
@click.argument("spec", required=False)
@click.option(
    "-f",
    "--file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read the spec from a file.",
)
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

    analysis = analyze(_read_spec(spec, file), **_at_values(at))
    _show_check(analysis.check(device=device, batch=batch), as_json)


@cli.command("torch")
@click.argument("spec", required=False)
@click.option(
    "-f",
    "--file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read the spec from a file.",
)
@click.option("--at", "at", type=Assignments(), multiple=True, help="Values for symbols: n=28,f=3.")
def torch_command(spec: str | None, file: Path | None, at: tuple[dict[str, int], ...]) -> None:
    """Print a runnable PyTorch module (an nn.Sequential) for the spec.

    Every symbol needs a value (--at): torch modules have fixed sizes.
    """
    from .network import analyze

    click.echo(analyze(_read_spec(spec, file), **_at_values(at)).to_torch_code(), nl=False)


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
    except click.exceptions.Abort:
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
