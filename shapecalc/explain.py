"""Homework mode: the worked arithmetic behind every row of an analysis.

Each layer kind writes its own steps (``Layer.explain``); this module gathers them per row and
hands them to the renderers (terminal, Markdown, LaTeX, JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .analysis import Analysis
from .shape import Shape
from .working import Step


@dataclass(frozen=True)
class LayerWorking:
    """The steps of one layer: ``H: (28 + 2·1 − 3)/1 + 1 = 28``, ``params: ...``."""

    index: int
    spec: str
    input_shape: Shape
    output_shape: Shape
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Explanation:
    """Worked arithmetic for a whole analysis; render it with rich, or as Markdown or LaTeX."""

    analysis: Analysis
    layers: tuple[LayerWorking, ...]

    def to_markdown(self) -> str:
        """The working as a Markdown section, one list per layer."""
        from .render.explain import explanation_markdown

        return explanation_markdown(self)

    def to_latex(self) -> str:
        """The working as a LaTeX fragment (needs amsmath), one ``align*`` per layer."""
        from .render.explain import explanation_latex

        return explanation_latex(self)

    def to_json(self) -> list[dict[str, Any]]:
        """One ``explain`` object per layer, in layer order (see README for the schema)."""
        from .render.explain import explanation_json

        return [explanation_json(layer) for layer in self.layers]

    def __rich__(self) -> Any:
        from .render.explain import explanation_renderable

        return explanation_renderable(self)


def explain(analysis: Analysis) -> Explanation:
    """The worked arithmetic of every layer of ``analysis``.

    With ``--at`` values the working shows the numbers; on a symbolic analysis it shows the
    general formula with the symbols put in, then the simplified result.
    """
    layers = tuple(
        LayerWorking(
            row.index,
            row.spec,
            row.input_shape,
            row.output_shape,
            row.layer.explain(row.input_shape, row.output_shape),
        )
        for row in analysis.rows
    )
    return Explanation(analysis, layers)


__all__ = ["Explanation", "LayerWorking", "explain"]
