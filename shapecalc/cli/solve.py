"""``shapecalc solve``: the values of symbols that meet targets."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .options import Command, at_option, json_option, shown_default, spec_input
from .output import console
from .spec import merge_assignments, read_spec
from .types import Ranges


@click.command(cls=Command)
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
@at_option("Values for symbols that are not unknowns.")
@click.option(
    "--range", "ranges", type=Ranges(), multiple=True, help="Bounds of unknowns: p=0..10."
)
@shown_default("--limit", click.IntRange(min=1), 100, "Most solutions listed.")
@json_option("Print the solutions as JSON.")
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
    from ..solve import parse_targets
    from ..solve import solve as find

    if not outs and not params:
        from ..errors import SolveError

        raise SolveError("give a target: --out SHAPE or --params N")
    bounds = merge_assignments(ranges, "--range")
    result = find(
        read_spec(spec, file),
        parse_targets(outs, params, layer),
        at=merge_assignments(at),
        bounds=bounds,
        limit=limit,
    )
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        console().print(result)
