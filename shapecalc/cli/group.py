"""The ``shapecalc`` group: a spec runs ``calc``; a command's module is imported only when
the command runs (click's lazy-loading group), so ``shapecalc "SPEC"`` loads only calc."""

from __future__ import annotations

import re
from typing import Any

import click

from ..errors import ShapecalcError
from ..install import DISTRIBUTION
from .errors import report_library_error

#: Every command: its name and where it is defined, ``module:attribute`` in this package.
COMMANDS = {
    "calc": "calc:calc",
    "check": "check:check_command",
    "conv": "conv:conv",
    "draw": "draw:draw",
    "import": "importing:import_command",
    "keras": "keras:keras_command",
    "layers": "layers:layers",
    "pool": "pool:pool",
    "serve": "serve:serve",
    "solve": "solve:solve",
    "torch": "torch:torch_command",
}


class DefaultGroup(click.Group):
    """A group whose first argument is a spec unless it names a subcommand, and whose
    subcommands are imported when they are used (:data:`COMMANDS`).

    ``shapecalc "SPEC"`` and ``shapecalc --json "SPEC"`` run ``calc``; ``shapecalc layers``
    runs ``layers``. Spec errors exit with code 2 and no traceback.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name].split(":")
        # __import__ rather than importlib.import_module: the import statement's path, which
        # python -X importtime reports (it does not see importlib's).
        command = getattr(__import__(f"{__package__}.{module}", fromlist=[name]), name)
        assert isinstance(command, click.Command), COMMANDS[cmd_name]
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in COMMANDS and args[0] not in ("--help", "-h", "--version"):
            if re.match(r"-[0-9]", args[0]):  # "-5x28x1 | ..." is a (bad) spec, not an option
                args = ["calc", *args[1:], "--", args[0]]
            else:
                args = ["calc", *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """The commands that start with ``incomplete``, and, since a spec may stand first,
        its completions as a spec (:mod:`.completion`)."""
        from .completion import spec_completions

        return [*super().shell_complete(ctx, incomplete), *spec_completions(incomplete)]

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] SPEC | COMMAND [ARGS]...")

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ShapecalcError as err:
            report_library_error(ctx, err)


@click.group(
    cls=DefaultGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)
@click.version_option(package_name=DISTRIBUTION, prog_name="shapecalc")
def cli() -> None:
    """Exact shapes and parameter counts of CNNs.

    \b
    shapecalc "28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10"
    shapecalc "nxnx3 | conv{f}x{f}x8 pad{p} | maxpool2" --at n=28,f=3,p=1
    shapecalc -f net.shape --json

    A spec (or -f FILE) runs the calculator (see 'shapecalc calc --help');
    'shapecalc layers' lists every layer keyword; 'shapecalc check' cross-checks a spec
    against PyTorch (or Keras, --framework keras); 'shapecalc torch' and 'shapecalc keras'
    print it as PyTorch or Keras code; 'shapecalc import' turns a PyTorch or Keras model
    into a spec.
    """
