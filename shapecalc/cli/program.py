"""The entry points: :func:`main` (in-process) and :func:`console_main` (the program)."""

from __future__ import annotations

import gc
import os
import sys

import click

from .errors import usage_error
from .group import cli

#: True in the ``shapecalc`` program (:func:`console_main`), False when called in-process.
_IS_PROGRAM = False


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
    """The ``shapecalc`` program: :func:`main`, leaving at once when torch was imported.

    Tearing down an interpreter that imported torch takes about 0.6 s here, and a finished
    command has nothing left to clean up, so the process flushes its output and ends. Only the
    program does this; :func:`main` called in-process (tests, notebooks) exits normally. The
    program also runs torch's meta kernels directly in a check (see
    :func:`shapecalc.cli.check.checked`).
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
