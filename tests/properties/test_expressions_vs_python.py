"""Expressions in braces compute what Python's integer arithmetic computes.

Hypothesis draws an expression tree over the parameters c, e, k (numbers, names, unary minus,
``+ - * //``, redundant parentheses) and writes it with the fewest parentheses Python's
precedence needs, with or without spaces. The oracle is the tree computed with Python ints
(``//`` floors, as Python's); a division by zero, or a value past 10**18 on the way, means the
expression has no value. Then:

- a block used with numbers, ``b(c, e, k) = dense{...}`` with ``b(7, 3, 12)``, folds it to
  the oracle's number, or keeps it unfolded when it has no value, and the analysis says why;
- with c, e, k spec symbols, the sympy expression, its symbols given the numbers, is the
  oracle's number (when it is computed at all: a divisor not known to be positive is
  refused), and so is the text :func:`~shapecalc.expression.spec_text` writes for it.
"""

from __future__ import annotations

from typing import Any, Union

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from shapecalc import SpecSyntaxError, parse
from shapecalc.expression import evaluate, parse_expression, spec_text, text
from shapecalc.parser import BlockSpec, LayerSpec
from shapecalc.symbolic import make_symbol, substitute, symbols_of

LIMIT = 10**18
NAMES = ("c", "e", "k")

Tree = Union[tuple[str, Any], tuple[str, Any, Any]]

_NAME = st.tuples(st.just("name"), st.sampled_from(NAMES))
_LEAVES = st.one_of(st.tuples(st.just("num"), st.integers(0, 20)), _NAME, _NAME)


def _extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*", "//"]), children, children),
        st.tuples(st.just("neg"), children),
        st.tuples(st.just("paren"), children),
    )


TREES = st.recursive(_LEAVES, _extend, max_leaves=10)
VALUES = st.fixed_dictionaries({name: st.integers(1, 30) for name in NAMES})


def oracle(tree: Tree, env: dict[str, int]) -> int | None:
    """The tree computed with Python ints; None when it has no value."""
    kind = tree[0]
    if kind == "num":
        value = tree[1]
    elif kind == "name":
        value = env[tree[1]]
    elif kind in ("neg", "paren"):
        inner = oracle(tree[1], env)
        if inner is None:
            return None
        value = -inner if kind == "neg" else inner
    else:
        left, right = oracle(tree[1], env), oracle(tree[2], env)
        if left is None or right is None or (kind == "//" and right == 0):
            return None
        value = {"+": left + right, "-": left - right, "*": left * right}.get(kind)
        value = left // right if kind == "//" else value
    return value if abs(value) <= LIMIT else None


_STRENGTH = {"+": 1, "-": 1, "*": 2, "//": 2}


def written(tree: Tree, space: str) -> tuple[str, int]:
    """The tree as text with Python's precedence, and how tightly the text binds."""
    kind = tree[0]
    if kind in ("num", "name"):
        return str(tree[1]), 4
    if kind == "paren":
        return "(" + written(tree[1], space)[0] + ")", 4
    if kind == "neg":
        inner, strength = written(tree[1], space)
        return "-" + (inner if strength >= 3 else f"({inner})"), 3
    strength = _STRENGTH[kind]
    left, left_strength = written(tree[1], space)
    right, right_strength = written(tree[2], space)
    left = left if left_strength >= strength else f"({left})"
    right = right if right_strength > strength else f"({right})"
    return f"{left}{space}{kind}{space}{right}", strength


@given(TREES, VALUES, st.sampled_from(["", " "]))
def test_a_block_use_with_numbers_folds_to_pythons_value(
    tree: Tree, env: dict[str, int], space: str
) -> None:
    args = ", ".join(str(env[name]) for name in NAMES)
    source = "b(c, e, k) = dense{" + written(tree, space)[0] + "}\n1 | b(" + args + ")"
    (use,) = parse(source).items
    assert isinstance(use, BlockSpec)
    (dense,) = use.body
    assert isinstance(dense, LayerSpec)
    (value,) = dense.params
    expected = oracle(tree, env)
    event("numbers: folded" if expected is not None else "numbers: no value")
    if expected is not None:
        assert (value.number, value.expr) == (expected, None)
        return
    assert value.expr is not None and value.symbols == ()  # kept for the analysis to report
    with pytest.raises(SpecSyntaxError, match="division by zero|is too large"):
        evaluate(value.expr, lambda name: 0, source)


@given(TREES, VALUES, st.sampled_from(["", " "]))
def test_symbolic_values_substituted_are_pythons_values(
    tree: Tree, env: dict[str, int], space: str
) -> None:
    expression = written(tree, space)[0]
    parsed = parse_expression(expression, 0, expression)
    symbols = {name: make_symbol(name) for name in NAMES}
    expected = oracle(tree, env)
    # The tree as shapecalc writes it (block uses show it so) reads back to the same value.
    shown = text(parsed)
    reread = parse_expression(shown, 0, shown)
    assert text(reread) == shown
    try:
        assert evaluate(reread, env.__getitem__, shown) == expected
    except SpecSyntaxError:
        assert expected is None
    try:
        value = evaluate(parsed, symbols.__getitem__, expression)
    except SpecSyntaxError as err:
        # A divisor not known to be positive (c - e) is refused; a divisor that is 0
        # whatever the values (c - c) is a division by zero for every value.
        assert "may be 0 or negative" in err.message or (
            "division by zero" in err.message and expected is None
        ), err.message
        event("symbolic: refused" if expected is not None else "symbolic: no value")
        return
    event("symbolic: a value" if symbols_of(value) else "symbolic: a number")
    assert expected is not None, (expression, value)
    assert substitute(value, env) == expected, (expression, value)
    again = spec_text(value)
    reread = evaluate(parse_expression(again, 0, again), symbols.__getitem__, again)
    assert substitute(reread, env) == expected, (expression, value, again)

