"""A table written without rich (:func:`shapecalc.render.table.plain_text`) is exactly what
rich's console prints for it to a file or pipe (the oracle is rich itself, laying out every
cell), and the plain text is given for real tables, not only for trivial ones."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from shapecalc import analyze, speedups
from shapecalc.cli.output import TrimmedLines
from shapecalc.render.common import COLUMNS, TableData, table_data
from shapecalc.render.table import FittedTable, data_table
from shapecalc.strategies import spec_texts

from .test_longtable_vs_rich import CELLS

HEADERS = st.one_of(st.sampled_from(["#", "Layer", *COLUMNS.values()]), CELLS)
LABELS = st.sampled_from(["Total params", "Trainable params", "Params size (float32)", "Valid"])


def _rich(table: FittedTable, width: int, monkeypatch: pytest.MonkeyPatch) -> str:
    """What the program's console for a file or pipe prints, every cell laid out by rich."""
    monkeypatch.setenv(speedups.ENV, "long-table")
    out = io.StringIO()
    Console(file=TrimmedLines(out), width=width, legacy_windows=False).print(table)  # type: ignore[arg-type]
    monkeypatch.delenv(speedups.ENV)
    return out.getvalue()


@st.composite
def table_datas(draw: Any) -> TableData:
    headers = tuple(draw(st.lists(HEADERS, min_size=1, max_size=6)))
    rows = draw(st.lists(st.tuples(*[CELLS] * len(headers)), max_size=10))
    summary = draw(st.lists(st.tuples(LABELS, CELLS), max_size=4))
    return TableData(headers, tuple(rows), tuple(summary))


@given(table_datas(), st.integers(1, 200))
def test_plain_text_is_what_rich_prints(data: TableData, width: int) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        text = FittedTable(data).plain_text(width)
        if text is not None:
            assert text == _rich(FittedTable(data), width, monkeypatch)


@given(
    spec_texts(max_items=8, max_depth=2),
    st.lists(st.sampled_from(sorted(COLUMNS)), unique=True, min_size=1),
    st.one_of(st.none(), st.integers(0, 2)),
    st.sampled_from([20, 40, 60, 80, 100, 150]),
)
@pytest.mark.slow
def test_the_plain_text_of_an_analysis_is_what_rich_prints(
    spec: str, columns: list[str], depth: int | None, width: int
) -> None:
    table = data_table(table_data(analyze(spec), tuple(columns), depth=depth))
    text = table.plain_text(width)
    with pytest.MonkeyPatch.context() as monkeypatch:
        if text is not None:
            assert text == _rich(table, width, monkeypatch)


@pytest.mark.parametrize("name", ["lenet", "vgg16", "resnet50", "unet", "mobilenet_v3_small"])
def test_real_tables_are_written_as_plain_text(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    spec = (Path(__file__).resolve().parents[2] / "examples" / f"{name}.shape").read_text()
    table = data_table(table_data(analyze(spec)))
    text = table.plain_text(80)
    assert text is not None
    assert text == _rich(table, 80, monkeypatch)
    assert table.plain_text(20) is None  # too narrow: rich's shortened or split layouts


#: Cells of the plain-text case: printable ASCII without a trailing space.
SIMPLE = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30).map(
    str.rstrip
)


@st.composite
def simple_table_datas(draw: Any) -> TableData:
    headers = tuple(draw(st.lists(st.one_of(HEADERS, SIMPLE), min_size=1, max_size=6)))
    rows = draw(st.lists(st.tuples(*[SIMPLE] * len(headers)), min_size=1, max_size=10))
    summary = draw(st.lists(st.tuples(LABELS, SIMPLE), max_size=4))
    return TableData(headers, tuple(rows), tuple(summary))


@given(simple_table_datas(), st.integers(1, 200))
def test_simple_tables_are_plain_text_where_they_fit_and_it_is_rich(
    data: TableData, width: int
) -> None:
    """Simple cells: the plain text whenever the table fits (at 1,000 columns every such
    table does, if its headers are simple too), and then rich's bytes."""
    if all(
        header.isascii() and header.isprintable() and header == header.rstrip()
        for header in data.headers
    ):
        assert FittedTable(data).plain_text(1000) is not None
    with pytest.MonkeyPatch.context() as monkeypatch:
        text = FittedTable(data).plain_text(width)
        if text is not None:
            assert text == _rich(FittedTable(data), width, monkeypatch)
