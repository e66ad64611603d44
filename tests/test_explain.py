"""Worked arithmetic (--explain, --latex): the text courses write, and that it adds up."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from shapecalc import analyze
from shapecalc.cli import cli
from shapecalc.layers import REGISTRY
from tests.properties.test_explain_vs_analysis import assert_working_adds_up


def steps(spec: str, **subs: int) -> dict[str, str]:
    """The last layer's steps, quantity -> whole line."""
    analysis = analyze(spec, **subs)
    layer = analysis.explain().layers[-1]
    return {step.quantity: step.line() for step in layer.steps}


@pytest.mark.parametrize(
    ("spec", "quantity", "line"),
    [
        # The issue's own examples, as the course writes them.
        ("28x28x1 | conv3x3x16 pad1", "H", "(n + 2p − k)/s + 1 = (28 + 2·1 − 3)/1 + 1 = 27/1 + 1 = 28"),
        ("63x63x16 | conv7x7x32 stride2", "W", "⌊(n + 2p − k)/s⌋ + 1 = (63 + 2·0 − 7)/2 + 1 = 56/2 + 1 = 29"),
        (
            "28x28x1 | conv3x3x16 pad1",
            "params",
            "(k_h·k_w·C_in + 1)·C_out = (3·3·1 + 1)·16 = 160",
        ),
        ("400 | dense120", "params", "(N_in + 1)·units = (400 + 1)·120 = 48,120"),
        ("784 | dense10 nobias", "params", "N_in·units = 784·10 = 7,840"),
        ("5x5x16 | flatten", "N", "H·W·C = 5·5·16 = 400"),
        ("28x28x64 | bn", "non-trainable", "2C = 2·64 = 128"),
        ("100x8 | conv5x16 pad2", "L", "(n + 2p − k)/s + 1 = (100 + 2·2 − 5)/1 + 1 = 99/1 + 1 = 100"),
        # same: ceil(n/s), and the padding it takes, odd pixel after (TensorFlow).
        ("28x28x1 | conv3x3x16 same", "pad H", "k − 1 = 3 − 1 = 2 (1 before, 1 after)"),
        ("7x7x8 | maxpool2 same", "H", "⌈n/s⌉ = ⌈7/2⌉ = 4"),
        (
            "7x7x8 | maxpool2 same",
            "pad W",
            "max((⌈n/s⌉ − 1)·s + k − n, 0) = max((⌈7/2⌉ − 1)·2 + 2 − 7, 0) = 1 (0 before, 1 after)",
        ),
        # dilation and groups
        (
            "28x28x8 | conv3x3x16 groups4 dilation2",
            "H",
            "(n + 2p − d·(k − 1) − 1)/s + 1 = (28 + 2·0 − 2·(3 − 1) − 1)/1 + 1 = 23/1 + 1 = 24",
        ),
        (
            "28x28x8 | conv3x3x16 groups4 dilation2",
            "params",
            "((k_h·k_w·C_in)/g + 1)·C_out = ((3·3·8)/4 + 1)·16 = (72/4 + 1)·16 = 304",
        ),
        # ceil mode: the min(...) only where the last-window rule acts.
        ("7x7x8 | maxpool2 ceil", "H", "⌈(n + 2p − k)/s⌉ + 1 = ⌈(7 + 2·0 − 2)/2⌉ + 1 = ⌈5/2⌉ + 1 = 4"),
        (
            "8x8x8 | maxpool3 stride3 pad1 ceil",
            "H",
            "min(⌈(n + 2p − k)/s⌉, ⌊(n + p − 1)/s⌋) + 1 = "
            "min(⌈(8 + 2·1 − 3)/3⌉, ⌊(8 + 1 − 1)/3⌋) + 1 = min(⌈7/3⌉, ⌊8/3⌋) + 1 = 3",
        ),
        ("28x28x1 | zeropad2", "H", "n + 2p = 28 + 2·2 = 32"),
        ("14x14x8 | upsample2", "W", "n·f = 14·2 = 28"),
        # symbols: the working with the symbols put in, then the simplified formula
        (
            "nxnx3 | conv{f}x{f}x8 pad{p}",
            "H",
            "(n + 2p − k)/s + 1 = (n + 2·p − f)/1 + 1 = n + 2·p − f + 1",
        ),
        (
            "nxnx3 | conv{f}x{f}x8",
            "params",
            "(k_h·k_w·C_in + 1)·C_out = (f·f·3 + 1)·8 = (3·f² + 1)·8",
        ),
        ("HxWx3 | maxpool2", "H", "⌊(n + 2p − k)/s⌋ + 1 = ⌊(H + 2·0 − 2)/2⌋ + 1 = ⌊H/2⌋"),
    ],
)
def test_step_text(spec: str, quantity: str, line: str) -> None:
    assert steps(spec)[quantity] == line


def test_at_values_give_the_numeric_working() -> None:
    lines = steps("nxnx3 | conv{f}x{f}x8 pad{p}", n=28, f=3, p=1)
    assert lines["H"] == "(n + 2p − k)/s + 1 = (28 + 2·1 − 3)/1 + 1 = 27/1 + 1 = 28"
    assert lines["params"] == "(k_h·k_w·C_in + 1)·C_out = (3·3·3 + 1)·8 = 224"


def test_activations_have_no_steps() -> None:
    working = analyze("10 | relu | dropout0.5").explain()
    assert [layer.steps for layer in working.layers] == [(), ()]


EXAMPLES = [(cls.keyword, ex) for cls in set(REGISTRY.values()) for ex in cls.examples]


@pytest.mark.parametrize(
    ("keyword", "example"), EXAMPLES, ids=[f"{k}:{e.layer}" for k, e in EXAMPLES]
)
def test_working_arrives_at_the_calculators_result(keyword: str, example: object) -> None:
    """Every step of every documented example evaluates to what the calculator computed, and
    the steps cover every size that changes and every nonzero count."""
    assert_working_adds_up(analyze(f"{example.input} | {example.layer}"))  # type: ignore[attr-defined]


def test_cli_explain_terminal() -> None:
    result = CliRunner().invoke(cli, ["63x63x16 | conv7x7x32 stride2 | relu", "--explain"])
    assert result.exit_code == 0, result.output
    assert "Working" in result.output
    assert "H: ⌊(n + 2p − k)/s⌋ + 1 = (63 + 2·0 − 7)/2 + 1 = 56/2 + 1 = 29" in result.output
    assert "params: (k_h·k_w·C_in + 1)·C_out = (7·7·16 + 1)·32 = 25,120" in result.output
    assert "shape kept, no parameters" in result.output


def test_cli_explain_markdown() -> None:
    spec = "nxnx3 | conv{f}x{f}x8 pad{p}"
    result = CliRunner().invoke(cli, [spec, "--explain", "--markdown"])
    assert result.exit_code == 0, result.output
    table, _, working = result.output.partition("### Working")
    assert table.startswith("| # |")
    # the symbolic shapes go in a code span, so * is never read as emphasis
    shapes = "`nxnx3 → (n + 2*p - f + 1) x (n + 2*p - f + 1) x 8`"
    assert f"**1.** `{spec.split(' | ')[1]}` — {shapes}" in working
    assert "- params: `(k_h·k_w·C_in + 1)·C_out = (f·f·3 + 1)·8 = (3·f² + 1)·8`" in working


def test_cli_explain_json() -> None:
    result = CliRunner().invoke(cli, ["400 | dense120 | relu", "--json", "--explain"])
    doc = json.loads(result.output)
    dense, relu = doc["layers"]
    assert dense["explain"]["params"] == {
        "formula": "(N_in + 1)·units",
        "working": "(400 + 1)·120",
        "simplified": "(400 + 1)·120",
        "result": 48120,
        "note": "",
        "text": "(N_in + 1)·units = (400 + 1)·120 = 48,120",
        "latex": r"\left(N_{\mathrm{in}} + 1\right) \cdot \mathrm{units} = \left(400 + 1\right) \cdot 120 = 48{,}120",
    }
    assert relu["explain"] == {}
    plain = json.loads(CliRunner().invoke(cli, ["400 | dense120", "--json"]).output)
    assert "explain" not in plain["layers"][0]


def test_cli_latex() -> None:
    result = CliRunner().invoke(cli, ["nxnx3 | conv{f}x{f}x8 pad{p} stride2 | maxpool2", "--latex"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.count(r"\begin{align*}") == text.count(r"\end{align*}") == 2
    assert text.count("{") == text.count("}")  # escaped braces come in pairs too
    assert r"\item \texttt{conv\{f\}x\{f\}x8 pad\{p\} stride2}" in text
    assert r"H &= \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1" in text
    assert r"\left\lfloor{\frac{n + 2 p - f}{2}}\right\rfloor + 1" in text


def test_latex_escapes_everything_special() -> None:
    from shapecalc.render.explain import latex_escape

    assert latex_escape(r"a_b {c} 50% #1 & $x$ ~ ^ \ ") == (
        r"a\_b \{c\} 50\% \#1 \& \$x\$ \textasciitilde{} \textasciicircum{} \textbackslash{} "
    )


def test_output_formats_exclude_each_other() -> None:
    result = CliRunner().invoke(cli, ["10 | relu", "--json", "--latex"])
    assert result.exit_code == 2
    assert re.search("choose one of --json, --markdown and --latex", result.output)


def _one_text_per_line(explanation: object) -> object:
    """The working as a Group of one rich Text per line, each styled as a whole or in parts:
    the straightforward rendering that the single Text of the terminal output must match."""
    from rich.console import Group
    from rich.text import Text

    lines: list[Text] = [Text("Working", style="bold")]
    for layer in explanation.layers:  # type: ignore[attr-defined]
        head = Text(f"{layer.index:>3} ")
        head.append(layer.spec, style="bold")
        head.append(f"   {layer.input_shape} → {layer.output_shape}")
        lines.append(head)
        if not layer.steps:
            lines.append(Text("      shape kept, no parameters", style="dim"))
        for step in layer.steps:
            line = Text("      ")
            line.append(f"{step.quantity}:", style="cyan")
            line.append(" " + step.line("text"))
            lines.append(line)
    return Group(*lines)


@pytest.mark.parametrize("width", [20, 50, 100])
@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize(
    "spec",
    [
        "nxnx3 | conv{f}x{f}x8 pad{p} | maxpool2 pad1 ceil | bn | flatten | dense10",
        "224x224x3 | conv7x7x64 stride2 pad3 | relu | maxpool3 stride2 pad1 | "
        "res(conv3x3x64 same | bn ; conv1x1x64) | gap | dense1000",
    ],
)
def test_terminal_working_prints_as_one_text_per_line(spec: str, width: int, colour: bool) -> None:
    import io

    from rich.console import Console

    explanation = analyze(spec).explain()
    printed = []
    for renderable in (explanation, _one_text_per_line(explanation)):
        console = Console(
            width=width,
            file=io.StringIO(),
            color_system="truecolor" if colour else None,
            force_terminal=colour,
        )
        console.print(renderable)
        printed.append(console.file.getvalue())  # type: ignore[attr-defined]
    assert printed[0] == printed[1]


def test_courses_full_substitution_in_every_form() -> None:
    """Every symbol substituted (zeros too), then each quotient worked out, then the result;
    floor brackets in the working only where the division is not exact (issue 18 §6)."""
    analysis = analyze("63x63x16 | conv7x7x32 stride2 | maxpool2")
    conv, pool = (layer.steps[0] for layer in analysis.explain().layers)
    assert conv.line("text") == "⌊(n + 2p − k)/s⌋ + 1 = (63 + 2·0 − 7)/2 + 1 = 56/2 + 1 = 29"
    assert pool.line("text") == "⌊(n + 2p − k)/s⌋ + 1 = ⌊(29 + 2·0 − 2)/2⌋ + 1 = ⌊27/2⌋ + 1 = 14"
    assert conv.line("latex") == (
        r"\left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1 = \frac{63 + 2 \cdot 0 - 7}{2} + 1"
        r" = \frac{56}{2} + 1 = 29"
    )
    markdown = analysis.explain().to_markdown()
    assert "- H: `⌊(n + 2p − k)/s⌋ + 1 = (63 + 2·0 − 7)/2 + 1 = 56/2 + 1 = 29`" in markdown
    doc = analysis.explain().to_json()[0]["H"]
    assert (doc["formula"], doc["working"], doc["simplified"], doc["result"]) == (
        "⌊(n + 2p − k)/s⌋ + 1",
        "(63 + 2·0 − 7)/2 + 1",
        "56/2 + 1",
        29,
    )
