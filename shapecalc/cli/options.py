"""Options shared by several commands, each declared once here.

A command lists them as decorators, in the order its help shows them; :func:`one_of` declares
that some of a command's flags exclude one another (the output formats).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .types import Assignments

F = TypeVar("F", bound=Callable[..., Any])

#: Element types and MACs conventions of the cost options, as in shapecalc.costs (listed here
#: so that importing the CLI stays light; a test keeps them equal).
DTYPE_NAMES = ("float32", "float16", "bfloat16", "int8")
CONVENTION_NAMES = ("torch", "torchinfo", "fvcore", "thop")

MATRIX_HELP = (
    "Inline numbers (rows separated by ';', cells by spaces or commas, channels by '/'), "
    "@FILE or a file ending in .txt/.csv/.tsv/.npy."
)


class Command(click.Command):
    """A click command whose short options (``-f FILE``) are found at the first lookup.

    click's parser tries every ``-x`` argument as a long option first, and that failed lookup
    builds a "no such option" error with difflib's suggestions (importing difflib, 0.1 MB of
    bytecode) before it tries the short option: on the plain table's path (``shapecalc -f
    net.shape``) for nothing. Registering each short option under the long options too makes
    the first lookup succeed; what an option means is the same either way. Without the
    parser's private tables (another click), click parses as it always did.
    """

    def make_parser(self, ctx: click.Context) -> Any:
        """click's parser, with the short options also among the long ones."""
        parser = super().make_parser(ctx)
        long_options = getattr(parser, "_long_opt", None)
        short_options = getattr(parser, "_short_opt", None)
        if isinstance(long_options, dict) and isinstance(short_options, dict):
            for name, option in short_options.items():
                long_options.setdefault(name, option)
        return parser


#: Where ``--quiet`` is kept in the click context's ``meta`` for :func:`shapecalc.cli.spec.analysed`.
QUIET = "shapecalc.quiet"


def _keep_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta[QUIET] = value


def spec_input(command: F) -> F:
    """The SPEC argument, ``-f FILE`` and ``--quiet``, shared by every command that reads a
    spec (read by :func:`shapecalc.cli.spec.read_spec`)."""
    command = click.option(
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_keep_quiet,
        help="Print no warnings (such as an input that looks channels-first).",
    )(command)
    command = click.option(
        "-f",
        "--file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Read the spec from a file.",
    )(command)
    from .completion import complete_spec

    return click.argument("spec", required=False, shell_complete=complete_spec)(command)


def at_option(help: str = "Values for symbols: n=28,f=3.") -> Callable[[F], F]:
    """``--at n=28,f=3``, repeatable: the values of the spec's symbols (a tuple of mappings,
    merged by :func:`shapecalc.cli.spec.merge_assignments`)."""
    return click.option("--at", "at", type=Assignments(), multiple=True, help=help)


def shown_default(flag: str, kind: Any, default: Any, help: str | None = None) -> Callable[[F], F]:
    """``flag`` taking a value of type ``kind`` (a range, a choice, ...), its ``default``
    shown in the help: the form of most options that have a default."""
    return click.option(flag, type=kind, default=default, show_default=True, help=help)


def json_option(help: str) -> Callable[[F], F]:
    """``--json`` (the parameter ``as_json``)."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def markdown_option(help: str) -> Callable[[F], F]:
    """``--markdown``."""
    return click.option("--markdown", is_flag=True, help=help)


def latex_option(help: str) -> Callable[[F], F]:
    """``--latex``."""
    return click.option("--latex", is_flag=True, help=help)


def matrix_option(command: F) -> F:
    """``-i/--input MATRIX`` of ``conv`` and ``pool`` (the parameter ``image``)."""
    return click.option(
        "-i", "--input", "image", required=True, metavar="MATRIX", help=MATRIX_HELP
    )(command)


def check_options(command: F) -> F:
    """The options of the PyTorch cross-check, --batch and --device, as the main command has
    them (there --batch is also the batch the costs are counted for)."""
    return checks_with(
        "Batch size: of --check's random input, and the one the costs are counted for."
    )(command)


def check_only_options(command: F) -> F:
    """--batch and --device as ``shapecalc check`` has them (no costs there)."""
    return checks_with("Batch size of the check's random input.")(command)


def checks_with(batch_help: str) -> Callable[[F], F]:
    """--batch (with ``batch_help``) and --device."""
    return lambda command: _check_options(command, batch_help)


def _check_options(command: F, batch_help: str) -> F:
    command = shown_default(
        "--device",
        click.Choice(["cpu", "cuda", "meta"]),
        "cpu",
        "Where torch runs the check; meta allocates nothing (shapes and counts only).",
    )(command)
    # As large as the Python API takes: the costs scale with it, and a check that would not
    # fit in memory is refused by its own budget (use --device meta).
    return shown_default("--batch", click.IntRange(1, 10**9), 1, batch_help)(command)


def one_of(*flags: str) -> Callable[[click.Command], click.Command]:
    """Declare a command's ``flags`` mutually exclusive: giving two of them is a usage error,
    ``choose one of --json and --markdown``. It is raised once every option's value is
    converted, before the command's function runs (a bad value of another option is reported
    first). Goes above ``@click.command()``."""
    assert len(flags) > 1, flags
    message = "choose one of " + " and ".join((", ".join(flags[:-1]), flags[-1]))

    def declare(command: click.Command) -> click.Command:
        names = [_name(command, flag) for flag in flags]
        run = command.callback
        assert run is not None, command.name

        @functools.wraps(run)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if sum(bool(kwargs[name]) for name in names) > 1:
                raise click.UsageError(message)
            return run(*args, **kwargs)

        command.callback = checked
        return command

    return declare


def _name(command: click.Command, flag: str) -> str:
    """The parameter name of ``command``'s option ``flag`` (``--json`` -> ``as_json``)."""
    for param in command.params:
        if flag in param.opts and param.name is not None:
            return param.name
    raise LookupError(f"{command.name} has no option {flag}")
