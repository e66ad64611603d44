"""Where errors become the command line's error output: the one place to change how the
program reports a failure.

Library errors (:class:`shapecalc.errors.ShapecalcError`) speak of the library; what the
command line adds to them (its own wording, such as the flag a value came from) is added
here, in :func:`library_error`. Usage errors (click's) are worded by the commands and
reported by :func:`usage_error`. Both go to standard error as ``error: ...`` with exit code 2.
"""

from __future__ import annotations

import click

from ..errors import (
    FormulaTooLargeError,
    Remedy,
    ShapecalcError,
    SubstitutionError,
    TargetCountError,
)

#: The exit code of a usage or spec error (a check that disagrees with torch exits with 1).
EXIT_ERROR = 2


def library_error(err: ShapecalcError) -> str:
    """What the program prints for an error of the library (the spec with a caret, etc.).

    Values for symbols come from ``--at`` here, and solve's targets from ``--params``, while
    the library's messages speak of symbols, values and targets only (``analyze(spec, m=3)``
    has no flags): the flag is named here.
    """
    return f"error: {_worded(err)}"


def _worded(err: ShapecalcError) -> str:
    if isinstance(err, SubstitutionError) and err.reason is not None:
        if err.unknown:
            return f"unknown symbol {err.symbol!r} in --at; {err.reason}"
        return f"--at {err.given}: {err.reason}"
    if isinstance(err, TargetCountError):
        return f"--params {err.given!r} is not a whole number, as in --params 7600"
    if isinstance(err, FormulaTooLargeError):
        fix = f"{err.fix} with --at"
        return FormulaTooLargeError(err.problem, err.source, err.span, err.prefix, fix=fix).render()
    if err.problem is not None and (err.remedy is not None or err.range_of is not None):
        subject = "" if err.range_of is None else f"--range {err.range_of}: "
        tail = "" if err.remedy is None else f"; {with_flags(err.remedy)}"
        return f"{subject}{err.problem}{tail}"
    return err.render()


def with_flags(remedy: Remedy) -> str:
    """``remedy`` in the command line's words: the values come from ``--at``, the ranges of
    ``solve`` from ``--range``."""
    if remedy.omit:
        text = "leave out of --at the ones to solve for"
    elif remedy.narrow and len(remedy.narrow) > 1:
        text = "narrow them with --range NAME=LOW..HIGH or give some values with --at"
    elif remedy.narrow:
        text = f"narrow it with --range {remedy.narrow[0]}=LOW..HIGH"
    elif remedy.example is not None and remedy.values:
        text = f"give values for {', '.join(remedy.values)} with --at {remedy.examples(',')}"
    elif len(remedy.values) == 1:
        text = f"give it a value with --at {remedy.values[0]}=..."
    else:
        text = "give values with --at"
    return text if remedy.otherwise is None else f"{text} or {remedy.otherwise}"


def report_library_error(ctx: click.Context, err: ShapecalcError) -> None:
    """Print ``err`` on standard error and exit with code 2 (called by the group, around every
    command)."""
    click.echo(library_error(err), err=True)
    ctx.exit(EXIT_ERROR)


def usage_error(err: click.ClickException) -> str:
    """What the program prints for a usage error; a bare ``shapecalc`` prints the help."""
    no_args = getattr(click.exceptions, "NoArgsIsHelpError", ())
    if no_args and isinstance(err, no_args):  # bare 'shapecalc': the help, as a usage error
        return str(err.format_message())
    return f"error: {err.format_message()}"
