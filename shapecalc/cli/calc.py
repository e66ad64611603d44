"""``shapecalc SPEC`` (``shapecalc calc``): the table, JSON, Markdown, LaTeX, costs, a check."""

from __future__ import annotations

from pathlib import Path

import click

from .. import speedups
from .options import (
    CONVENTION_NAMES,
    DTYPE_NAMES,
    Command,
    at_option,
    check_options,
    json_option,
    latex_option,
    markdown_option,
    one_of,
    spec_input,
)
from .output import console, plain_width
from .spec import analysed
from .types import Columns


@one_of("--json", "--markdown", "--latex")
@click.command(cls=Command)
@spec_input
@at_option()
@json_option("Print the analysis as JSON.")
@markdown_option("Print the table as GitHub Markdown.")
@click.option(
    "--explain",
    is_flag=True,
    help="Show the worked arithmetic of every layer: formula, numbers, result.",
)
@latex_option("Print the worked arithmetic as LaTeX (amsmath).")
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
@check_options
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
    from ..render.common import COST_COLUMNS, DEFAULT_COLUMNS, NEEDS_COSTS

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
    analysis = analysed(spec, file, at)
    costs = (
        analysis.costs(batch=batch, dtype=dtype or "float32", convention=convention or "torch")
        if wants_costs
        else None
    )
    if check:
        from .check import checked, show_check

        show_check(checked(analysis, device, batch), as_json)
    elif as_json:
        import json  # here: the table's path does not need it

        click.echo(json.dumps(analysis.to_json(explain=explain, costs=costs), indent=2))
    elif latex:
        click.echo(analysis.explain().to_latex(), nl=False)
    elif markdown:
        from ..render.markdown import analysis_to_markdown

        text = analysis_to_markdown(analysis, columns, costs, depth=depth)
        click.echo(text + "\n" + analysis.explain().to_markdown() if explain else text, nl=False)
    else:
        from ..render.table import analysis_table

        table = analysis_table(analysis, columns, costs, depth=depth)
        width = plain_width() if costs is None and not explain else None
        plain = table.plain_text(width) if width is not None and speedups.plain_table() else None
        if plain is not None:
            click.echo(plain, nl=False)  # what rich would print, without importing its console
            return
        terminal = console(wide=table if costs is not None else None)
        terminal.print(table)
        if explain:
            terminal.print()
            terminal.print(analysis.explain())
