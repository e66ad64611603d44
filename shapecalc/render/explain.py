"""Worked arithmetic rendered for the terminal, Markdown, LaTeX and JSON."""

from __future__ import annotations

import re
from typing import Any

from ..explain import Explanation, LayerWorking
from ..working import Step, formula, simplified, value_text, working
from .markdown import SPECIAL

#: What a layer without arithmetic says instead of steps.
NOTHING_TO_COMPUTE = "shape kept, no parameters"


def _header(layer: LayerWorking) -> str:
    return f"{layer.input_shape} → {layer.output_shape}"


def explanation_renderable(explanation: Explanation) -> Any:
    """A rich renderable: each layer's header, then its steps indented."""
    from rich.text import Text

    # One Text of many lines, not a Group of one Text a line: rich wraps and styles each
    # line the same way, and a long network's working prints several times faster.
    text = Text()
    text.append("Working", style="bold")
    for layer in explanation.layers:
        text.append(f"\n{layer.index:>3} ")
        text.append(layer.spec, style="bold")  # appended as text: never read as markup
        text.append(f"   {_header(layer)}")
        if not layer.steps:
            text.append("\n")
            text.append(f"      {NOTHING_TO_COMPUTE}", style="dim")
        for step in layer.steps:
            text.append("\n      ")
            text.append(f"{step.quantity}:", style="cyan")
            text.append(" " + step.line("text"))
    return text


def _code(text: str) -> str:
    """A Markdown code span that survives backticks in the text."""
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def explanation_markdown(explanation: Explanation) -> str:
    """A ``### Working`` section: a bold header per layer and a list of its steps."""
    lines = ["### Working", ""]
    for layer in explanation.layers:
        shapes = _header(layer)
        if SPECIAL.search(shapes):  # symbolic: keep * and _ from being emphasis
            shapes = _code(shapes)
        lines.append(f"**{layer.index}.** {_code(layer.spec)} — {shapes}")
        lines.append("")
        if not layer.steps:
            lines.append(f"- {NOTHING_TO_COMPUTE}")
        for step in layer.steps:
            lines.append(f"- {step.quantity}: {_code(step.line('text'))}")
        lines.append("")
    return "\n".join(lines)


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}


def latex_escape(text: str) -> str:
    """Text from the spec made safe for LaTeX's text mode."""
    return re.sub(r"[\\{}#$%&_^~]", lambda m: _LATEX_SPECIAL[m.group()], text)


def latex_shape(shape: Any) -> str:
    """A shape in LaTeX math, its dims joined by ``\\times``: ``28 \\times 28 \\times 3``.

    Args:
        shape: a :class:`~shapecalc.shape.Shape` (its ``dims``, integers or sympy expressions).
    """
    # A sum reads as one dim only in parentheses: (n - 2) \times (n - 2) \times 8.
    return r" \times ".join(
        rf"\left({text}\right)" if getattr(d, "is_Add", False) else text
        for d, text in ((d, value_text(d, "latex", grouped=False)) for d in shape.dims)
    )


def latex_quantity(quantity: str) -> str:
    """A step's quantity in LaTeX math: a letter (``H``) as it is, a word (``params``) as
    text, and a word with a qualifier (``values in``) with the qualifier as a subscript,
    ``\\text{values}_{in}``."""
    if len(quantity) == 1:
        return quantity
    word, _, dim = quantity.partition(" ")
    label = rf"\text{{{latex_escape(word)}}}"
    return f"{label}_{{{dim}}}" if dim else label


def explanation_latex(explanation: Explanation) -> str:
    """A LaTeX fragment: an ``enumerate`` of layers, each with an ``align*`` of its steps."""
    source = explanation.analysis.source.replace("\n", " ")
    lines = [
        f"% shapecalc worked arithmetic for: {source}",
        r"% needs \usepackage{amsmath}",
        r"\begin{enumerate}",
    ]
    for layer in explanation.layers:
        arrow = f"${latex_shape(layer.input_shape)} \\to {latex_shape(layer.output_shape)}$"
        lines.append(rf"  \item \texttt{{{latex_escape(layer.spec)}}}: {arrow}")
        if not layer.steps:
            lines.append(f"    ({NOTHING_TO_COMPUTE})")
            continue
        lines.append(r"  \begin{align*}")
        rows = [f"    {latex_quantity(s.quantity)} &= {s.line('latex')}" for s in layer.steps]
        lines.append(" \\\\\n".join(rows))
        lines.append(r"  \end{align*}")
    lines.append(r"\end{enumerate}")
    return "\n".join(lines) + "\n"


def step_json(step: Step) -> dict[str, Any]:
    """One step as JSON: the formula, the working (every value put in), the working
    simplified (each quotient's parts worked out), the result, and the whole line."""
    from ..symbolic import to_json

    return {
        "formula": formula(step.term),
        "working": working(step.term),
        "simplified": simplified(step.term),
        "result": to_json(step.result),
        "note": step.note(),
        "text": step.line("text"),
        "latex": step.line("latex"),
    }


def explanation_json(layer: LayerWorking) -> dict[str, Any]:
    """A layer's ``explain`` object: steps keyed by quantity (``H``, ``W``, ``params``...)."""
    return {step.quantity: step_json(step) for step in layer.steps}
