"""The result of an analysis: rows, blocks and totals of a spec, as typed data.

The engine (:mod:`shapecalc.network`) fills these in; they know nothing of how. Their
methods hand the analysis to a renderer or a bridge, each imported when called, so that
importing the result model imports no renderer, no torch and no numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import KerasError, ShapecalcError, Span, TorchError
from .shape import Shape
from .symbolic import Constraint, Dim, expand, symbols_of

if TYPE_CHECKING:
    from rich.console import RenderableType

    from .costs import Costs
    from .explain import Explanation
    from .layers.base import Layer
    from .torchcheck import CheckResult


@dataclass(frozen=True)
class Row:
    """One expanded layer of an analysis.

    Attributes:
        index: 1-based position among the expanded layers.
        spec: the item as written in the spec.
        span: where the item stands in the spec text.
        layer: the layer object.
        input_shape, output_shape: shapes, channels last.
        trainable, non_trainable: parameter counts; ``params`` is their sum.
        constraints: validity conditions this layer adds for symbolic specs.
        formula: the symbolic output shape when the analysis was given values for symbols.
        depth: how many blocks (``res``, ``concat``, named blocks, paths) enclose the row;
            0 for every row of a sequential spec.
        block: the index of the innermost enclosing :class:`Block`, or None.
        sources: the rows whose outputs the row takes in (0 is the network's input): the
            row before it, the input of a branch for the first row of a path, every path's
            last row for a merge. Empty means the row before (as built by hand).
    """

    index: int
    spec: str
    span: Span
    layer: Layer
    input_shape: Shape
    output_shape: Shape
    trainable: Dim
    non_trainable: Dim
    constraints: tuple[Constraint, ...] = ()
    formula: Shape | None = None
    depth: int = 0
    block: int | None = None
    sources: tuple[int, ...] = ()

    @property
    def inputs(self) -> tuple[int, ...]:
        """The rows whose outputs this row takes in (0 is the network's input)."""
        return self.sources or (self.index - 1,)

    @property
    def kind(self) -> str:
        """The layer family (``conv``, ``pool``, ``dense``, ...)."""
        return self.layer.kind

    @property
    def keyword(self) -> str:
        """The layer's canonical keyword (``conv``, ``maxpool``, ``relu``, ...)."""
        return self.layer.keyword

    @property
    def params(self) -> Dim:
        """Trainable plus non-trainable parameters."""
        return self.trainable + self.non_trainable


@dataclass(frozen=True)
class Block:
    """A block of rows: a ``res`` or ``concat`` block, one of its paths, or a named block's use.

    Blocks nest; ``Analysis.blocks`` lists them in pre-order (a block before the blocks and
    rows inside it), and each row names its innermost block, so the flat rows and this tree
    describe the same network.

    Attributes:
        index: 1-based position among the blocks, in pre-order.
        kind: ``res``, ``concat``, ``block`` (a named block's use) or ``path`` (one path of a
            ``res`` with a shortcut, or of a ``concat``).
        label: the text shown: ``res``, ``concat``, ``basic(64, 2)``, ``main``,
            ``shortcut``, ``branch 2``.
        span: where the block stands in the spec text.
        depth: how many blocks enclose this one.
        parent: the index of the enclosing block, or None.
        first, last: the indices of its first and last rows (the merge row ends a ``res``
            or ``concat``).
        input_shape, output_shape: what enters and what leaves the block.
        trainable, non_trainable: the parameters of its rows.
    """

    index: int
    kind: str
    label: str
    span: Span
    depth: int
    parent: int | None
    first: int
    last: int
    input_shape: Shape
    output_shape: Shape
    trainable: Dim
    non_trainable: Dim

    @property
    def params(self) -> Dim:
        """Trainable plus non-trainable parameters."""
        return self.trainable + self.non_trainable


@dataclass(frozen=True)
class Totals:
    """Parameter totals of a network."""

    trainable: Dim
    non_trainable: Dim

    @property
    def params(self) -> Dim:
        """All parameters, trainable and not (Keras' "Total params")."""
        return self.trainable + self.non_trainable

    @property
    def param_bytes(self) -> Dim:
        """Memory of all parameters at float32."""
        return expand(4 * self.params)


#: A comment that silences :attr:`Analysis.warnings` for its spec.
QUIET_PRAGMA = "# shapecalc: quiet"


@dataclass(frozen=True)
class Analysis:
    """Every layer's shape and parameter count for a spec.

    Render it with rich (``rich.print(analysis)``), or as ``to_json()`` / ``to_markdown()``.
    """

    source: str
    input_shape: Shape
    rows: tuple[Row, ...]
    totals: Totals
    constraints: tuple[Constraint, ...] = ()
    symbols: tuple[str, ...] = ()
    substitutions: dict[str, int] = field(default_factory=dict)
    input_formula: Shape | None = None  # the symbolic input when symbols were given values
    blocks: tuple[Block, ...] = ()  # res/concat/named blocks and paths, in pre-order

    @property
    def layers(self) -> tuple[Row, ...]:
        """The expanded layers (alias of ``rows``)."""
        return self.rows

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the spec was probably not meant to say, though it is valid: an input that
        looks channels-first (``3x224x224``). A ``# shapecalc: quiet`` comment in the spec
        silences them."""
        if QUIET_PRAGMA in self.source:
            return ()
        reading = self.input_shape.channels_first_reading()
        return () if reading is None else (reading,)

    @property
    def output_shape(self) -> Shape:
        """The network's output shape."""
        return self.rows[-1].output_shape if self.rows else self.input_shape

    @property
    def is_symbolic(self) -> bool:
        """True when some result still depends on symbols."""
        return any(symbols_of(d) for row in self.rows for d in row.output_shape.dims) or any(
            symbols_of(d) for d in (*self.input_shape.dims, self.totals.params)
        )

    def to_json(self, explain: bool = False, costs: Costs | None = None) -> dict[str, Any]:
        """The ``--json`` document (see README for the schema); ``explain`` adds each layer's
        worked arithmetic, ``costs`` (from :meth:`costs`) each layer's cost fields."""
        from .render.json import analysis_to_json

        return analysis_to_json(self, explain=explain, costs=costs)

    def explain(self) -> Explanation:
        """The worked arithmetic of every layer (an :class:`~shapecalc.explain.Explanation`)."""
        from .explain import explain

        return explain(self)

    def costs(self, batch: int = 1, dtype: str = "float32", convention: str = "torch") -> Costs:
        """MACs, FLOPs, memory and receptive field of every row, and totals (a
        :class:`shapecalc.costs.Costs`; ``convention`` is ``torch``, ``torchinfo``,
        ``fvcore`` or ``thop``)."""
        from .costs import costs

        return costs(self, batch=batch, dtype=dtype, convention=convention)

    def to_markdown(self, depth: int | None = None) -> str:
        """The table as GitHub Markdown; ``depth`` folds rows nested deeper (see ``table``)."""
        from .render.markdown import analysis_to_markdown

        return analysis_to_markdown(self, depth=depth)

    def table(self, depth: int | None = None) -> RenderableType:
        """The table as a rich renderable. Rows inside blocks (``res``, ``concat``, named
        blocks) are indented under a row per block; ``depth`` leaves out rows nested deeper
        than that, as torchinfo's ``depth`` does (0 shows only the outermost rows)."""
        from .render.table import analysis_table

        return analysis_table(self, depth=depth)

    def __rich__(self) -> RenderableType:
        from .render.table import analysis_table

        return analysis_table(self)

    def check(
        self, *, device: str = "cpu", batch: int = 1, seed: int = 0, framework: str = "torch"
    ) -> CheckResult:
        """Cross-check every row against a PyTorch forward pass (needs torch), or with
        ``framework="keras"`` against Keras 3 (needs the ``keras`` extra; see
        :mod:`shapecalc.kerascheck`).

        A symbolic analysis is checked at a few points where it is valid. Returns a
        :class:`shapecalc.torchcheck.CheckResult` (``.ok``, ``to_json()``, renders with rich).

        Raises:
            TorchError: torch is not installed, the device is unavailable, or no valid point
                was found for the symbols.
            KerasError: Keras is not installed, or an unknown framework.
        """
        if framework == "keras":
            from .kerasbackend import load_keras

            load_keras()  # a missing Keras or torch is a KerasError naming the extra
            from . import kerascheck

            return kerascheck.check(self, device=device, batch=batch, seed=seed)
        if framework != "torch":
            raise KerasError(f"unknown framework {framework!r}; choose torch or keras")
        try:
            from . import torchcheck
        except ModuleNotFoundError as err:
            if err.name is None or err.name.split(".")[0] != "torch":
                raise
            from .install import install_hint

            raise TorchError(
                f"the check needs PyTorch: {install_hint('torch')}, or pip install torch==2.13.0"
            ) from None
        return torchcheck.check(self, device=device, batch=batch, seed=seed)

    def to_torch_code(self, class_name: str = "Net") -> str:
        """A runnable Python module defining the network as an ``nn.Sequential`` (no torch
        needed to write it).

        Raises:
            TorchError: the analysis still has symbols.
        """
        from .torchcode import torch_code

        return torch_code(self, class_name=class_name)

    def to_keras_code(self, model_name: str = "net") -> str:
        """A runnable Python module whose ``build_model()`` returns the network as a Keras 3
        model (no Keras needed to write it; see :mod:`shapecalc.kerascode`).

        Raises:
            KerasError: the analysis still has symbols.
            KerasLayerError: Keras cannot express a layer of the spec.
        """
        from .kerascode import keras_code

        return keras_code(self, model_name=model_name)

    def to_svg(self, style: str | None = None, **options: Any) -> str:
        """An NN-SVG-style drawing: ``style`` is lenet, alexnet or fcnn (None picks one).

        Other keywords are :class:`shapecalc.render.svg.DrawOptions` fields
        (``max_channels``, ``scale``, ``direction``, ``title``, ...).
        """
        from .render.svg import analysis_to_svg

        return analysis_to_svg(self, style=style, **options)

    def _repr_svg_(self) -> str | None:
        """Jupyter shows the drawing; None (the table instead) when it cannot be drawn."""
        try:
            return self.to_svg()
        except ShapecalcError:
            return None


__all__ = ["Analysis", "Block", "Row", "Totals"]
