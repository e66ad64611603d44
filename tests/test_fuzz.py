"""Whatever text comes in, analyze() returns or raises the project's own error, never another."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecalc import ShapecalcError, SpecError, analyze

TOKENS = [
    "28x28x1",
    "nxnx3",
    "{h}x{w}x3",
    "784",
    "100x8",
    "4x8x8x2",
    "|",
    " | ",
    "\n",
    "(",
    ")",
    ")x2",
    "conv3x3x16",
    "conv{f}x{f}x8",
    "conv5x4",
    "same",
    "valid",
    "pad1",
    "pad{p}",
    "stride2",
    "s2x1",
    "d2",
    "g2",
    "dw",
    "nobias",
    "ceil",
    "maxpool2",
    "avgpool3",
    "gap",
    "globalmaxpool",
    "adaptiveavgpool2",
    "flatten",
    "dense10",
    "fc{k}",
    "relu",
    "bn",
    "dropout0.5",
    "lrn",
    "zeropad1",
    "upsample2",
    "=",
    "pad=1",
    "stride=",
    "#",
    ";",
    "x",
    "×",
    "0",
    "-1",
    "99999999",
    "9" * 30,
    "{",
    "}",
    "é",
    "\t",
]

settings.register_profile("fuzz", deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(text: str) -> None:
    try:
        analyze(text)
    except SpecError as err:
        assert 0 <= err.span.start <= len(text)
        assert err.render().count("\n") == 2
    except ShapecalcError:
        pass


@settings(settings.get_profile("fuzz"), max_examples=400)
@given(st.lists(st.sampled_from(TOKENS), max_size=14).map(" ".join))
def test_token_soup_never_crashes(text: str) -> None:
    _check(text)


@settings(settings.get_profile("fuzz"), max_examples=300)
@given(st.text(max_size=40))
def test_arbitrary_text_never_crashes(text: str) -> None:
    _check(text)


@settings(settings.get_profile("fuzz"), max_examples=300)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=8).map("".join))
def test_glued_tokens_never_crash(text: str) -> None:
    _check("28x28x3 | " + text)
