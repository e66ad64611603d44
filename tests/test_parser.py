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


# -- expressions in braces ----------------------------------------------------------------


def _body(source: str) -> list[LayerSpec]:
    """The layers of the spec's first item, a block use (through its repeats)."""
    (use,) = parse(source).items
    assert isinstance(use, BlockSpec)
    layers, todo = [], list(use.body)
    while todo:
        item = todo.pop(0)
        if isinstance(item, LayerSpec):
            layers.append(item)
        elif isinstance(item, (RepeatSpec, BlockSpec)):
            todo[:0] = item.body
    return layers


def test_an_expression_of_symbols_is_a_value_with_its_tree() -> None:
    source = "nxnx3 | conv3x3x{2*f} pad{(f - 1)//2}"
    (conv,) = parse(source).items
    assert isinstance(conv, LayerSpec)
    filters, pad = conv.params[2], conv.options[0].values[0]
    assert filters.expr is not None and filters.symbols == ("f",) and filters.is_symbol
    assert (filters.text, pad.text) == ("{2*f}", "{(f - 1)//2}")
    assert source[pad.span.start : pad.span.end] == "{(f - 1)//2}"
    assert conv.text == "conv3x3x{2*f} pad{(f - 1)//2}"  # spaces and parentheses kept in the word


def test_an_expression_without_names_folds_to_its_number() -> None:
    (conv,) = parse("8x8x3 | conv3x3x{2*(3 + 5)} stride{7//2}").items
    assert isinstance(conv, LayerSpec)
    assert [v.number for v in conv.params] == [3, 3, 16] and conv.params[2].expr is None
    assert conv.options[0].values[0].number == 3
    assert conv.text == "conv3x3x{2*(3 + 5)} stride{7//2}"


@pytest.mark.parametrize(
    ("body", "numbers"),
    [
        ("{4*c}", 256),
        ("{c//2}", 32),
        ("{c*e}", 256),
        ("{c + e*2}", 72),  # * before +
        ("{(c + e)*2}", 136),
        ("{c - e - 1}", 59),  # left to right
        ("{c//e//2}", 8),
        ("{-c + 100}", 36),
        ("{2*-e + c}", 56),
        ("{(e - 65)//2 + 100}", 69),  # floor division: -61//2 is -31
    ],
)
def test_a_use_with_numbers_folds_each_expression(body: str, numbers: int) -> None:
    (conv,) = _body(f"b(c, e) = conv1x1x{body}\n8x8x3 | b(64, 4)")
    assert conv.params[2].number == numbers and conv.params[2].expr is None
    assert conv.text == f"conv1x1x{numbers}"


def test_a_use_with_a_symbol_writes_the_expression_of_it() -> None:
    (conv,) = _body("b(c, e) = conv3x3x{c*e} pad{c//2} s{(c + 1)//2}\nnxnx3 | b({f}, 4)")
    assert conv.text == "conv3x3x{f*4} pad{f//2} s{(f+1)//2}"
    assert [v.symbols for v in conv.params[2:]] == [("f",)]
    # What the table shows parses back, to the same trees.
    (again,) = parse(f"nxnx3 | {conv.text}").items
    assert isinstance(again, LayerSpec)
    assert [v.text for v in again.params] == ["3", "3", "{f*4}"]


def test_an_argument_may_be_an_expression() -> None:
    (conv,) = _body("b(c) = conv3x3x{c} pad{c//2} s{c*2}\nnxnx3 | b({2*f + 1})")
    assert conv.text == "conv3x3x{2*f + 1} pad{(2*f+1)//2} s{(2*f+1)*2}"
    # inside a definition, over the outer block's parameters, folded at the outer use
    (conv,) = _body("in(c) = conv3x3x{c - 1}\nout(c) = in({c*2})\n8x8x3 | out(5)")
    assert conv.text == "conv3x3x9"


def test_a_repeat_count_may_be_a_parameter() -> None:
    source = "b(c, n) = (conv1x1x{c} | relu)x{n} | res(relu)x{n + 1}\n8x8x3 | b(4, 2)"
    parsed = parse(source)
    (definition,) = parsed.blocks
    group = definition.body[0]
    assert isinstance(group, RepeatSpec) and group.pending is not None and group.count == 0
    (use,) = parsed.items
    assert isinstance(use, BlockSpec)
    counts = [item.count for item in use.body if isinstance(item, RepeatSpec)]
    assert counts == [2, 3]
    assert all(isinstance(i, RepeatSpec) and i.pending is None for i in use.body)


def test_a_repeat_count_through_nested_blocks() -> None:
    source = "in(n) = (relu)x{n}\nout(n) = in({n*2})x{n}\n8x8x3 | out(3)"
    (use,) = parse(source).items
    assert isinstance(use, BlockSpec)
    (outer,) = use.body
    assert isinstance(outer, RepeatSpec) and outer.count == 3
    (inner_use,) = outer.body
    assert isinstance(inner_use, BlockSpec) and inner_use.label == "in(6)"
    (inner,) = inner_use.body
    assert isinstance(inner, RepeatSpec) and inner.count == 6
    assert isinstance(parse("8x8x3 | (relu)x{2*3}").items[0], RepeatSpec)


EXPRESSION_ERRORS = [
    (
        "8x8x3 | conv3x3x{4*}",
        "expected a number, a name or '(' after '*', found '}' at column 20\n"
        "  8x8x3 | conv3x3x{4*}\n                     ^",
    ),
    (
        "8x8x3 | conv3x3x{(c}",
        "unclosed '(' in an expression at column 18 — add ')'\n"
        "  8x8x3 | conv3x3x{(c}\n                   ^",
    ),
    (
        "8x8x3 | conv3x3x{c)}",
        "unmatched ')' in an expression at column 19\n  8x8x3 | conv3x3x{c)}\n                    ^",
    ),
    (
        "8x8x3 | conv3x3x{c/2}",
        "'/' is true division at column 19 — write '//' for whole-number (floor) division\n"
        "  8x8x3 | conv3x3x{c/2}\n                    ^",
    ),
    (
        "8x8x3 | conv3x3x{c**2}",
        "'**' is no operator here at column 19 — write c*c for a square\n"
        "  8x8x3 | conv3x3x{c**2}\n                    ^^",
    ),
    (
        "8x8x3 | conv3x3x{c % 2}",
        "unexpected '%' in an expression at column 20 — use numbers, names, + - * // and "
        "parentheses\n  8x8x3 | conv3x3x{c % 2}\n                     ^",
    ),
    (
        "8x8x3 | conv3x3x{2c}",
        "expected an operator (+ - * //) after '2', found 'c' at column 19\n"
        "  8x8x3 | conv3x3x{2c}\n                    ^",
    ),
    (
        "8x8x3 | conv3x3x{c*0.5}",
        "expressions take whole numbers, found '0.5' at column 20\n"
        "  8x8x3 | conv3x3x{c*0.5}\n                     ^^^",
    ),
    (
        "8x8x3 | conv3x3x{}",
        "empty braces at column 17 — write a symbol or an expression, as in {c} or {4*c}\n"
        "  8x8x3 | conv3x3x{}\n                  ^^",
    ),
    (
        "8x8x3 | conv3x3x{c*10000000000000000000}",
        "number '10000000000000000000' is too large (the limit is 10**18) at column 20\n"
        "  8x8x3 | conv3x3x{c*10000000000000000000}\n"
        "                     ^^^^^^^^^^^^^^^^^^^^",
    ),
    (
        "{2*n}x{n}x3 | relu",
        "the input shape takes numbers and symbols, not expressions at column 1 — name the "
        "size, as in {h}x{w}x3\n  {2*n}x{n}x3 | relu\n  ^^^^^",
    ),
    # In a definition, an expression may name only the block's parameters.
    (
        "b(c) = conv3x3x{4*cc}\n8x8x3 | b(1)",
        "unknown name 'cc' at line 1, column 19 — did you mean 'c'?\n"
        "  b(c) = conv3x3x{4*cc}\n                    ^^",
    ),
    (
        "b(c) = conv3x3x{2*f}\n8x8x3 | b(1)",
        "unknown name 'f' at line 1, column 19 — an expression in b may use its parameters "
        "(c); pass symbols as arguments\n  b(c) = conv3x3x{2*f}\n                    ^",
    ),
    (
        "b() = conv3x3x{2*f}\n8x8x3 | b()",
        "unknown name 'f' at line 1, column 18 — b has no parameters, and an expression in a "
        "block may use only those\n  b() = conv3x3x{2*f}\n                   ^",
    ),
    # Repeat counts.
    (
        "8x8x3 | (relu)x{n}",
        "repeat count {n} is not a number at column 16 — symbols cannot be repeat counts (a "
        "block's parameters can)\n  8x8x3 | (relu)x{n}\n                 ^^^",
    ),
    (
        "8x8x3 | (relu)x{2-2}",
        "repeat count must be at least 1, got 0 at column 16\n"
        "  8x8x3 | (relu)x{2-2}\n                 ^^^^^",
    ),
    (
        "8x8x3 | (relu)x{1//0}",
        "division by zero at column 20 — '0' is 0\n"
        "  8x8x3 | (relu)x{1//0}\n                     ^",
    ),
    (
        "b(n) = (relu)x{m}\n8x8x3 | b(1)",
        "unknown name 'm' at line 1, column 15 — an expression in b may use its parameters "
        "(n); pass symbols as arguments\n  b(n) = (relu)x{m}\n                ^^^",
    ),
    (
        "b(n) = (relu)x{n}\n8x8x3 | b(0)",
        "repeat count '{n}' (in b(0) used at line 2, column 9) at line 1, column 15: must be "
        "at least 1, got 0\n  b(n) = (relu)x{n}\n                ^^^",
    ),
    (
        "b(n) = (relu)x{n - 3}\n8x8x3 | b(1)",
        "repeat count '{n - 3}' (in b(1) used at line 2, column 9) at line 1, column 15: must "
        "be at least 1, got -2\n  b(n) = (relu)x{n - 3}\n                ^^^^^^^",
    ),
    (
        "b(n) = (relu)x{n}\nnxnx3 | b({f})",
        "repeat count '{n}' (in b({f}) used at line 2, column 9) at line 1, column 15: must "
        "be a whole number, found {f}\n  b(n) = (relu)x{n}\n                ^^^",
    ),
    (
        "b(n) = (relu)x{n}\n8x8x3 | b(2.5)",
        "repeat count '{n}' (in b(2.5) used at line 2, column 9) at line 1, column 15: must "
        "be a whole number, got 2.5\n  b(n) = (relu)x{n}\n                ^^^",
    ),
    (
        "in(n) = (relu)x{12//n}\nout(n) = in({n - 2})\n8x8x3 | out(2)",
        "repeat count '{12//n}' (in in(0) used at line 2, column 10; in out(2) used at line 3, "
        "column 9) at line 1, column 21: division by zero — 'n' is 0\n"
        "  in(n) = (relu)x{12//n}\n                      ^",
    ),
]


@pytest.mark.parametrize(("source", "expected"), EXPRESSION_ERRORS)
def test_expression_errors_render_message_line_and_caret(source: str, expected: str) -> None:
    assert _error(source) == expected


def test_expressions_are_capped_in_size_and_nesting() -> None:
    assert _error("8x8x3 | conv3x3x{" + "+".join(["c"] * 120) + "}").startswith(
        "an expression has more than 200 terms at column 18\n"
    )
    assert _error("8x8x3 | dense{" + "(" * 40 + "1" + ")" * 40 + "}").startswith(
        "parentheses nested deeper than 32 at column 47\n"
    )
    # Arguments that are expressions grow an expression at every level of blocks: capped too.
    lines = ["b0(c) = dense{c*c}"] + [f"b{i}(c) = b{i - 1}({{c*c}})" for i in range(1, 9)]
    message = _error("\n".join(lines) + "\n1 | b8({f})").split("\n")[0]
    assert message.startswith("expression '{c*c}' (in b0({c*c*(c*c)")
    assert message.endswith("at line 1, column 14: it grows past 200 terms with the arguments filled in")
    # Minus signs are read in a loop, not a recursion, and count as terms.
    (dense,) = parse("1 | dense{" + "-" * 198 + "3}").items
    assert isinstance(dense, LayerSpec) and dense.params[0].number == 3
    assert "more than 200 terms" in _error("1 | dense{" + "-" * 10_000 + "3}")


def test_braces_without_a_close_end_the_word_as_before() -> None:
    # '{' with no '}' before a separator: the word ends at the first space, as it always did.
    assert _error("28x28x1 | conv3x3x{f pad1 | relu").startswith("unclosed '{' at column 19\n")
    assert _error("28x28x1 | res(conv3x3x{f) | relu").startswith("unclosed '{' at column 23\n")
