"""``shapecalc import``: a model written in a framework as a spec, symbolic in the input size.

The work is split so that every framework shares all but its reading of the model:

- a *frontend* reads the model into the import's IR, a
  :class:`~shapecalc.imports.graph.Graph` of layer and merge nodes (its module docstring says
  exactly what a frontend must produce): :mod:`shapecalc.imports.torch_frontend` for PyTorch;
  a Keras frontend builds the same graph from a functional model's layers and their inbound
  nodes, each layer read by its kind;
- :mod:`shapecalc.imports.structure` finds the ``res``, ``concat`` and ``mul`` blocks in the
  graph (forks and the merges where they meet);
- :mod:`shapecalc.imports.writer` factors repeated submodules into named blocks with
  parameters and writes the spec text, with comments naming the module paths.

Only the frontend imports its framework, and only this package's functions import the
frontend, when they are called: ``import shapecalc`` stays free of torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..shape import Shape
from .graph import Graph
from .writer import write_spec

if TYPE_CHECKING:
    from ..analysis import Analysis


def input_shape(value: str | Shape | tuple[int | str, ...]) -> Shape:
    """An input shape from spec text (``224x224x3``, ``HxWx3``), a :class:`Shape` or a tuple
    in spec order (H, W, C), symbols as names.

    Raises:
        SpecError: the text is no input shape.
    """
    from ..network import analyze

    if isinstance(value, Shape):
        return value
    text = value if isinstance(value, str) else "x".join(str(d) for d in value)
    return analyze(text).input_shape


def spec_from_graph(graph: Graph) -> str:
    """The spec text of a frontend's graph (any framework's)."""
    return write_spec(graph)


def from_torch(
    module: Any, input_shape_: str | Shape | tuple[int | str, ...], *, name: str | None = None
) -> str:
    """The spec of a PyTorch ``nn.Module`` for an input of ``input_shape_`` (channels last,
    as the spec writes it: ``"224x224x3"``, or ``"HxWx3"`` for sizes that stay symbolic).

    The module is traced in evaluation mode (its mode is restored) and run once on a random
    input; ``name`` heads the spec's comments (default: the module's class).

    Raises:
        ModelImportError: the model cannot be traced, or some of its modules or operations
            have no layer kind (one message names every one, by path and class).
        TorchError: torch is not installed.
    """
    return spec_from_graph(_torch_graph(module, input_shape(input_shape_), name))


def analyze_torch(
    module: Any, input_shape_: str | Shape | tuple[int | str, ...], *, name: str | None = None
) -> Analysis:
    """The calculator's :class:`~shapecalc.analysis.Analysis` of :func:`from_torch`'s spec."""
    from ..network import analyze

    return analyze(from_torch(module, input_shape_, name=name))


def from_keras(
    model: Any,
    input_shape_: str | Shape | tuple[int | str, ...] | None = None,
    *,
    name: str | None = None,
) -> str:
    """The spec of a Keras 3 model (functional or Sequential), at its own input shape or at
    ``input_shape_`` (channels last: ``"160x160x3"``, or ``"HxWx3"`` for sizes that stay
    symbolic; the model is rebuilt on it, each symbol at the sample size of the torch import).
    Nested models (a ``Sequential`` used as a layer) are flattened into the graph.

    Raises:
        ModelImportError: the model has several inputs or outputs, or layers without a layer
            kind (one message names every one, by name and class), or a reading that holds
            at some sizes only (padding that is ``same`` at even sizes) for a symbol.
        KerasError: Keras is not installed.
    """
    from . import keras_frontend

    shape = None if input_shape_ is None else input_shape(input_shape_)
    return spec_from_graph(keras_frontend.keras_graph(model, shape, name))


def analyze_keras(
    model: Any,
    input_shape_: str | Shape | tuple[int | str, ...] | None = None,
    *,
    name: str | None = None,
) -> Analysis:
    """The calculator's :class:`~shapecalc.analysis.Analysis` of :func:`from_keras`'s spec."""
    from ..network import analyze

    return analyze(from_keras(model, input_shape_, name=name))


def _torch_graph(module: Any, shape: Shape, name: str | None) -> Graph:
    try:
        from . import torch_frontend
    except ModuleNotFoundError as err:
        if err.name != "torch" and not (err.name or "").startswith("torch."):
            raise
        from ..errors import TorchError
        from ..install import install_hint

        raise TorchError(
            f"importing a PyTorch model needs PyTorch: {install_hint('torch')}"
        ) from None
    return torch_frontend.torch_graph(module, shape, name)


__all__ = [
    "Graph",
    "analyze_keras",
    "analyze_torch",
    "from_keras",
    "from_torch",
    "input_shape",
    "spec_from_graph",
]
