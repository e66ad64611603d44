"""Whatever text comes in, analyze() returns or raises the project's own error, never another.

The inputs come from tests/fuzzing.py (shared with benchmarks/fuzz.py, which times them): token
soups, arbitrary text, and valid specs mutated at the token level. A spec error must point
inside the text and render as three lines; a spec that analyses must also render (table,
Markdown, JSON with costs) without error.
"""

from __future__ import annotations

import fuzzing
import pytest
from hypothesis import given
from hypothesis import strategies as st


@fuzzing.examples(400)
@given(fuzzing.token_soups())
def test_token_soup_never_crashes(text: str) -> None:
    fuzzing.check_spec(text)


@fuzzing.examples(300)
@given(st.text(max_size=40))
def test_arbitrary_text_never_crashes(text: str) -> None:
    fuzzing.check_spec(text)


@fuzzing.examples(300)
@given(st.lists(st.sampled_from(fuzzing.TOKENS), min_size=1, max_size=8).map("".join))
def test_glued_tokens_never_crash(text: str) -> None:
    fuzzing.check_spec("28x28x3 | " + text)


@fuzzing.examples(400)
@given(fuzzing.mutated_specs())
@pytest.mark.slow
def test_mutated_specs_analyse_or_point_inside_the_text(text: str) -> None:
    fuzzing.check_spec(text)


SYMBOLIC = [t for t in fuzzing.seed_specs() if "{" in t or t.startswith("nxn")]


@fuzzing.examples(300)
@given(
    st.sampled_from(SYMBOLIC).flatmap(fuzzing.mutate),
    st.lists(st.sampled_from(fuzzing.ODD_VALUES), min_size=1, max_size=4),
)
def test_mutated_symbolic_specs_with_values(text: str, values: list[int]) -> None:
    fuzzing.check_spec_at(text, values)


@pytest.mark.slow
def test_every_seed_is_valid_and_renders() -> None:
    # The mutations start from valid specs; a seed that fails would make them weaker.
    for text in fuzzing.seed_specs():
        assert not isinstance(fuzzing.check_spec(text), Exception), text


def test_split_tokens_joins_back() -> None:
    for text in fuzzing.seed_specs():
        assert "".join(fuzzing.split_tokens(text)) == text
    assert fuzzing.split_tokens("conv3x3x16 pad=1 | res(a;b)") == [
        "conv", "3", "x", "3", "x", "16", " ", "pad", "=", "1", " ", "|", " ",
        "res", "(", "a", ";", "b", ")",
    ]  # fmt: skip
