"""Reading the spec (an argument, ``-f FILE``, or ``-`` for standard input) and analysing it
with the ``--at`` values: :func:`analysed`, what every command that takes a spec starts with."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..network import Analysis

#: The spec given as an argument: "-" reads it from standard input.
STDIN = "-"
#: Largest spec file read, so a wrong file name cannot eat the memory.
MAX_SPEC_BYTES = 1_000_000


def analysed(spec: str | None, file: Path | None, at: tuple[dict[str, int], ...]) -> Analysis:
    """:func:`shapecalc.analyze` of the spec (:func:`read_spec`) at the ``--at`` values
    (:func:`merge_assignments`); the library's errors go up to the group, which reports them."""
    from ..errors import ShapecalcError
    from ..network import analyze
    from .options import QUIET

    text = read_spec(spec, file)
    try:
        analysis = analyze(text, **merge_assignments(at))
    except ShapecalcError:
        if file is None and spec is not None and looks_like_a_file(spec):
            raise click.UsageError(f"{spec!r} is not a spec; did you mean -f {spec}?") from None
        raise
    ctx = click.get_current_context(silent=True)
    if ctx is None or not ctx.meta.get(QUIET):
        for warning in analysis.warnings:
            click.echo(
                f"warning: {warning} (--quiet or a '# shapecalc: quiet' comment silences this)",
                err=True,
            )
    return analysis


def looks_like_a_file(spec: str) -> bool:
    """Whether a SPEC argument that is no spec names a file: one that exists, or a name with
    the extension of spec files (``net.shape``)."""
    if "|" in spec or "\n" in spec:
        return False
    return spec.endswith((".shape", ".txt", ".spec")) or Path(spec).is_file()


def read_spec(spec: str | None, file: Path | None) -> str:
    """The spec's text, from the SPEC argument (``-``: standard input) or ``-f FILE``."""
    if spec is not None and file is not None:
        raise click.UsageError("give the spec as an argument or with -f, not both")
    if file is not None:
        return read_text(file)
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
            return data.decode("utf-8-sig")  # a byte-order mark is no part of the spec
        except UnicodeDecodeError:
            raise click.UsageError("standard input is not UTF-8 text") from None
    return spec


def read_text(path: Path) -> str:
    """A spec file's text, at most :data:`MAX_SPEC_BYTES`, as UTF-8."""
    from ..files import TooLarge, read_limited

    try:
        # utf-8-sig: editors on Windows start UTF-8 files with a byte-order mark.
        return read_limited(path, MAX_SPEC_BYTES).decode("utf-8-sig")
    except TooLarge:
        raise click.UsageError(f"{path} is larger than 1 MB; spec files are at most 1 MB") from None
    except OSError as err:
        raise click.UsageError(f"cannot read {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise click.UsageError(f"{path} is not UTF-8 text") from None


def merge_assignments(groups: tuple[dict[str, Any], ...], option: str = "--at") -> dict[str, Any]:
    """Several ``--at`` (or ``--range``) options as one mapping; a name given twice is a usage
    error."""
    values: dict[str, Any] = {}
    for group in groups:
        for name, value in group.items():
            if name in values:
                raise click.BadParameter(f"{name} is given twice", param_hint=option)
            values[name] = value
    return values
