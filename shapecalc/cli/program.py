"""The entry points: :func:`main` (in-process) and :func:`console_main` (the program)."""

from __future__ import annotations

import sys

import click

from .. import speedups
from .errors import usage_error
from .group import cli


def main() -> None:
    """Console-script entry point: errors are one line on stderr, exit code 2."""
    try:
        code = cli.main(prog_name="shapecalc", standalone_mode=False)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.ClickException as err:
        click.echo(usage_error(err), err=True)
        code = err.exit_code
    except click.exceptions.Abort:  # Ctrl-C: the shell's code for SIGINT, not a check's 1
        code = 130
    sys.exit(code if isinstance(code, int) else 0)


def console_main() -> None:
    """The ``shapecalc`` program (the console script, ``python -m shapecalc``): :func:`main`
    with the program's process-wide speed tricks (:mod:`shapecalc.speedups`: the collector's
    threshold, ending without teardown once torch is imported, torch's meta kernels run
    directly). :func:`main` called in-process (tests, notebooks) uses none of them.
    """
    speedups.start_program()
    try:
        main()
    except SystemExit as done:
        speedups.end_program(done.code)
        raise
