"""The spec grammar: items, values, spans, and syntax errors with their exact text."""

from __future__ import annotations

import pytest

from shapecalc import SpecSyntaxError, parse
from shapecalc.parser import BlockSpec, LayerSpec, RepeatSpec


def test_items_keywords_numbers_and_options() -> None:
    spec = parse("28x28x1 | conv3x3x16 same stride=2 s2x1 | dense10")
    assert [v.number for v in spec.input.dims] == [28, 28, 1]
    conv, dense = spec.items
    assert isinstance(conv, LayerSpec) and conv.keyword == "conv"
    assert [v.number for v in conv.params] == [3, 3, 16]
    assert [(o.key, [v.number for v in o.values]) for o in conv.options] == [
        ("same", []),
        ("stride", [2]),
        ("s", [2, 1]),
    ]
    assert conv.text == "conv3x3x16 same stride=2 s2x1"
    assert isinstance(dense, LayerSpec) and dense.text == "dense10"


def test_spans_point_into_the_source() -> None:
    source = "28x28x1 | conv3x3x16 pad{p}"
    (conv,) = parse(source).items
    assert isinstance(conv, LayerSpec)
    assert source[conv.span.start : conv.span.end] == "conv3x3x16 pad{p}"
    assert source[conv.keyword_span.start : conv.keyword_span.end] == "conv"
    pad = conv.options[0].values[0]
    assert pad.name == "p" and source[pad.span.start : pad.span.end] == "{p}"


@pytest.mark.parametrize(
    ("source", "dims"),
    [
        ("nxnx3", ["n", "n", 3]),
        ("HxWx3", ["H", "W", 3]),
        ("{h_in}x{w_in}x3", ["h_in", "w_in", 3]),
        ("28×28×1", [28, 28, 1]),
        ("784", [784]),
        ("16x112x112x3", [16, 112, 112, 3]),
    ],
)
def test_input_dims(source: str, dims: list[object]) -> None:
    parsed = parse(source).input.dims
    assert [v.name if v.is_symbol else v.number for v in parsed] == dims


def test_newlines_and_comments_separate_in_files() -> None:
    text = "# a net\n28x28x1\n\nconv3x3x8 | relu   # first block\n  maxpool2\n"
    items = parse(text).items
    assert [i.keyword for i in items if isinstance(i, LayerSpec)] == ["conv", "relu", "maxpool"]


def test_repeat_group() -> None:
    (group,) = parse("8x8x3 | (conv3x3x4 same | relu)x2").items
    assert isinstance(group, RepeatSpec) and group.count == 2
    assert [i.keyword for i in group.body if isinstance(i, LayerSpec)] == ["conv", "relu"]


def test_decimal_value() -> None:
    (drop,) = parse("10 | dropout0.25").items
    assert isinstance(drop, LayerSpec) and drop.params[0].number == 0.25


def _error(source: str) -> str:
    with pytest.raises(SpecSyntaxError) as info:
        parse(source)
    return info.value.render()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "28x28x1 | | relu",
            "empty item between two '|' at column 11\n  28x28x1 | | relu\n            ^",
        ),
        (
            "28x28x1 | relu |",
            "a layer must follow '|' at column 16\n  28x28x1 | relu |\n                 ^",
        ),
        (
            "__import__('os')",
            "expected a dimension, found '__import__' at column 1\n  __import__('os')\n  ^",
        ),
        (
            "28x28x1 | __import__('os')",
            "unexpected '(' after '__import__' at column 21; '__import__' is no defined block, and "
            "blocks are defined before the input, as in name(c) = conv3x3x{c}\n"
            "  28x28x1 | __import__('os')\n                      ^",
        ),
        (
            "28x28x1 | (relu",
            "unclosed '(' at column 11 — add ')x<count>' after the group\n"
            "  28x28x1 | (relu\n            ^",
        ),
        (
            "28x28x1 | (relu) | tanh",
            "a group must be followed by a repeat count such as x2 at column 18\n"
            "  28x28x1 | (relu) | tanh\n                   ^",
        ),
        (
            "28x28x1 | conv3x3x{f",
            "unclosed '{' at column 19\n  28x28x1 | conv3x3x{f\n                    ^^",
        ),
        (
            "28x28x1 | conv3x3xf",
            "expected a number, found 'f' at column 19; write symbols in braces, as in "
            "conv{f}x{f}x8\n  28x28x1 | conv3x3xf\n                    ^",
        ),
        ("", "empty spec at column 1 — start with an input shape such as 28x28x1\n  \n  ^"),
    ],
)
def test_syntax_errors_render_message_line_and_caret(source: str, expected: str) -> None:
    assert _error(source) == expected


def test_error_in_a_file_names_the_line() -> None:
    text = "28x28x1\nconv3x3x8\nrelu ;\n"
    assert _error(text) == (
        "unexpected ';' at line 3, column 6 — separate layers with '|'\n  relu ;\n       ^"
    )


def test_huge_numbers_are_refused_by_name() -> None:
    assert "is too large" in _error("28x28x1 | dense" + "9" * 40)


def test_deep_nesting_is_refused() -> None:
    source = "8x8x3 | " + "(" * 40 + "relu" + ")x1" * 40
    assert "nested deeper than" in _error(source)


def test_long_lines_are_echoed_as_a_window_around_the_caret() -> None:
    from shapecalc import SpecError, analyze

    source = "28x28x1 | " + " | ".join(["relu"] * 40) + " | cnv3 | " + " | ".join(["relu"] * 40)
    with pytest.raises(SpecError) as info:
        analyze(source)
    _, echo, caret = info.value.render().split("\n")
    assert len(echo) <= 2 + 100 + 2 and echo.startswith("  …") and echo.endswith("…")
    assert echo[caret.index("^") : caret.rindex("^") + 1] == "cnv3"


def test_layer_text_in_a_block_used_by_a_block_shows_the_arguments() -> None:
    # The argument {cc} is longer than the parameter {c} it fills: the text is written afresh
    # from the definition, not patched at the definition's offsets (which gave 'conv1x1x4}').
    (outer,) = parse("inner(c) = conv1x1x{c} pad{p}\nouter(cc) = inner({cc})\n8x8x3 | outer(4)").items
    assert isinstance(outer, BlockSpec)
    (inner,) = outer.body
    assert isinstance(inner, BlockSpec)
    assert [i.text for i in inner.body if isinstance(i, LayerSpec)] == ["conv1x1x4 pad{p}"]
