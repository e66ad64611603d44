"""``shapecalc layers``: the reference of layer keywords."""

from __future__ import annotations

import json

import click

from .options import Command, json_option, markdown_option
from .output import console


@click.command(cls=Command)
@click.argument("keywords", nargs=-1)
# Not one_of: "layers --json --markdown" has always printed the JSON, and the CLI's
# behaviour is a contract.
@json_option("Print the reference as JSON.")
@markdown_option("Print the reference as a Markdown table.")
def layers(keywords: tuple[str, ...], as_json: bool, markdown: bool) -> None:
    """List layer keywords with their options, formula and examples (all, or KEYWORDS)."""
    from ..render.reference import layers_json, layers_markdown, layers_table, select_kinds

    try:
        kinds = select_kinds(keywords)
    except KeyError as err:
        raise click.BadParameter(str(err.args[0]), param_hint="KEYWORDS") from None
    if as_json:
        click.echo(json.dumps(layers_json(kinds), indent=2))
    elif markdown:
        click.echo(layers_markdown(kinds), nl=False)
    else:
        console().print(layers_table(kinds))
