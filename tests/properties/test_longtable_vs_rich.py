"""PlainTable prints exactly what rich's own Table prints (the oracle is rich itself).

:class:`shapecalc.render.longtable.PlainTable` computes rich's layout on a two-row stand-in and
writes simple rows as strings; these tests render the same cells both ways and compare the
bytes: arbitrary tables (wide and combining unicode, tabs, line breaks, markup-like text,
leading and trailing spaces, cells that wrap), narrow and wide consoles, with and without
colour; and the analysis tables of generated specs with the cost, depth and receptive-field
columns, branches and blocks.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table

from shapecalc import analyze
from shapecalc.render import longtable
from shapecalc.render.common import COLUMNS, table_data
from shapecalc.render.longtable import PlainTable
from shapecalc.render.table import data_table
from shapecalc.strategies import spec_texts

#: Pieces of cell text: the simple cells of a real table, and everything that is not simple.
PIECES = st.sampled_from(
    [
        "conv3x3x8 same",
        "  ",
        " ",
        "64x64x8",
        "1,792",
        "floor(H/2) - 1",
        "12.85 MB",
        "[same]",
        "[bold]x[/bold]",
        "漢字",
        "🙂",
        "e\u0301",
        "\t",
        "\n",
        "\x1b[1m",
        "\x07",
        "×",
        "a" * 30,
        "",
    ]
)
CELLS = st.one_of(
    st.lists(PIECES, max_size=4).map("".join),
    st.text(max_size=20),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)
COLUMN = st.fixed_dictionaries(
    {
        "header": st.one_of(st.sampled_from(["#", "Layer", *COLUMNS.values()]), CELLS),
        "justify": st.sampled_from(["left", "right"]),
        "overflow": st.sampled_from(["fold", "ellipsis", "crop"]),
        "no_wrap": st.booleans(),
        "min_width": st.one_of(st.none(), st.integers(0, 20)),
    }
)


def _printed(renderable: Any, width: int, colour: bool) -> str:
    console = Console(
        width=width,
        file=io.StringIO(),
        color_system="truecolor" if colour else None,
        force_terminal=colour,
        legacy_windows=False,
    )
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


@st.composite
def tables(draw: Any) -> PlainTable:
    columns = draw(st.lists(COLUMN, min_size=1, max_size=7))
    rows = draw(st.lists(st.tuples(*[CELLS] * len(columns)), max_size=12))
    expand = draw(st.booleans())
    header_style = draw(st.sampled_from(["bold", "", "red on white"]))

    def make() -> Table:
        table = Table(show_edge=True, header_style=header_style, expand=expand)
        for column in columns:
            table.add_column(**column)
        return table

    return PlainTable(make, rows)


@given(tables(), st.integers(1, 200), st.booleans())
@pytest.mark.slow
def test_plain_table_prints_as_rich(table: PlainTable, width: int, colour: bool) -> None:
    assert _printed(table, width, colour) == _printed(table.full(), width, colour)


@given(tables(), st.integers(1, 200))
def test_plain_table_measures_as_rich(table: PlainTable, width: int) -> None:
    console = Console(width=width, file=io.StringIO())
    assert console.measure(table) == console.measure(table.full())


@given(
    spec_texts(max_items=8, max_depth=2),
    st.lists(st.sampled_from(sorted(COLUMNS)), unique=True, min_size=1),
    st.one_of(st.none(), st.integers(0, 2)),
    st.sampled_from([20, 40, 60, 80, 100, 150]),
    st.booleans(),
)
@pytest.mark.slow
def test_analysis_table_prints_as_rich(
    spec: str, columns: list[str], depth: int | None, width: int, colour: bool
) -> None:
    """The table of a generated spec, with any columns (costs, receptive field) and depth."""
    analysis = analyze(spec)
    table = data_table(table_data(analysis, tuple(columns), depth=depth)).table
    assert isinstance(table, PlainTable)
    assert _printed(table, width, colour) == _printed(table.full(), width, colour)


def test_long_stack_takes_the_string_path_and_matches(monkeypatch: Any) -> None:
    """A stack of 300 layers at the width of a pipe: rich lays out only the header's cells
    (the rows are written as strings), and the bytes are rich's."""
    spec = "64x64x8\n" + "conv3x3x8 same\n" * 300
    table = data_table(table_data(analyze(spec), ("shape", "params", "macs", "rf"))).table
    expected = _printed(table.full(), 80, False)
    calls = []
    original = Console.render_lines

    def counting(self: Console, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Console, "render_lines", counting)
    assert _printed(table, 80, False) == expected
    assert len(calls) <= 2 * len(table.table.columns)  # header cells (and their padding)


def test_a_rich_without_the_borrowed_members_prints_through_rich(monkeypatch: Any) -> None:
    """Should a later rich drop the private members the fast path borrows, the table is
    still printed, by rich's own layout, instead of failing."""
    spec = "64x64x8\n" + "conv3x3x8 same\n" * 20
    table = data_table(table_data(analyze(spec), ("shape", "params"))).table
    expected = _printed(table.full(), 80, False)
    monkeypatch.setattr(longtable, "_BORROWED", ("_extra_width", "_a_member_rich_dropped"))
    monkeypatch.setattr(PlainTable, "_render", None)  # the fast path must not be taken
    assert _printed(table, 80, False) == expected
