"""Shell completion (issue 18 §7): click's own for commands and options, and inside a spec
the layer keywords after '|' and a layer's options after its keyword."""

from __future__ import annotations

import shlex

import pytest
from click.testing import CliRunner

from shapecalc.cli import cli
from shapecalc.cli.completion import spec_completions
from shapecalc.layers import REGISTRY


def _complete(line: str) -> list[str]:
    """What zsh is offered for ``line`` (the last word is the one being completed)."""
    words = shlex.split(line)
    env = {
        "_SHAPECALC_COMPLETE": "zsh_complete",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
    }
    result = CliRunner().invoke(cli, [], env=env, prog_name="shapecalc")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # zsh_complete prints type, value and help, one to a line, per item.
    return [lines[i + 1] for i in range(0, len(lines), 3)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("shapecalc '28x28x1 | co'", ["28x28x1 | concat", "28x28x1 | conv", "28x28x1 | convtranspose"]),
        ("shapecalc '28x28x1 | conv3x3x16 s'", ["28x28x1 | conv3x3x16 same", "28x28x1 | conv3x3x16 stride"]),
        ("shapecalc check '28x28x1 | maxp'", ["28x28x1 | maxpool"]),
        ("shapecalc '8x8x4 | res(conv3x3x4 same ; conv1x1x4 no'", ["8x8x4 | res(conv3x3x4 same ; conv1x1x4 nobias"]),
        ("shapecalc ch", ["check"]),
        ("shapecalc '28x28x1 | conv3x3x16 | flatten | dense10 nob'", ["28x28x1 | conv3x3x16 | flatten | dense10 nobias"]),
    ],
)
def test_completion_inside_a_spec(line: str, expected: list[str]) -> None:
    assert _complete(line) == expected


def test_the_input_shape_is_not_completed() -> None:
    assert spec_completions("") == []
    assert spec_completions("28x2") == []
    assert spec_completions("28x28x1 ") == []  # an option needs a layer before it


def test_every_keyword_is_offered_after_a_pipe() -> None:
    offered = {item.value.removeprefix("10 | ") for item in spec_completions("10 | ")}
    assert set(REGISTRY) <= offered and {"res", "concat", "mul"} <= offered


def test_options_come_from_the_layer_kind() -> None:
    offered = {item.value.split()[-1] for item in spec_completions("28x28x1 | maxpool2 ")}
    assert offered == set(REGISTRY["maxpool"].options)


@pytest.mark.slow
def test_click_writes_the_shell_scripts() -> None:
    """(bash's script asks bash for its version: a process.)"""
    for shell in ("bash", "zsh", "fish"):
        env = {"_SHAPECALC_COMPLETE": f"{shell}_source"}
        result = CliRunner().invoke(cli, [], env=env, prog_name="shapecalc")
        assert result.exit_code == 0 and "_SHAPECALC_COMPLETE" in result.output, shell
