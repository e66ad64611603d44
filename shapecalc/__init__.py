"""shapecalc: exact, symbolic shapes and parameter counts of convolutional networks.

>>> from shapecalc import analyze
>>> a = analyze("28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10")
>>> str(a.output_shape), a.totals.params
('10', 31530)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import speedups

# The package's frozen dataclasses are built from compiled functions kept from the last
# import (shapecalc.speedups.DATACLASS_CACHE): most of the plain table's start-up otherwise.
with speedups.compiled_dataclasses():
    from .errors import (
        BranchError,
        CostError,
        DrawError,
        FormulaTooLargeError,
        KerasError,
        KerasLayerError,
        LayerError,
        MatrixError,
        MergeError,
        ModelImportError,
        ShapecalcError,
        ShapeError,
        SolveError,
        Span,
        SpecError,
        SpecSyntaxError,
        SubstitutionError,
        TargetCountError,
        TorchError,
        UnknownLayerError,
    )
    from .network import Analysis, Block, Row, Totals, analyze, check
    from .parser import parse
    from .shape import Shape

if TYPE_CHECKING:
    from .imports import analyze_keras, analyze_torch, from_keras, from_torch
    from .numeric import NumericResult, conv2d, conv_transpose2d, pool2d

#: Names imported when first used: the matrix arithmetic of ``shapecalc conv``/``pool`` is
#: not on the calculator's path (it cost the table about 7 ms of its start-up).
_LAZY = {name: "numeric" for name in ("NumericResult", "conv2d", "conv_transpose2d", "pool2d")}
#: The import from PyTorch and Keras (either is imported only when a model is read).
_LAZY |= {name: "imports" for name in ("from_torch", "analyze_torch", "from_keras", "analyze_keras")}


def __getattr__(name: str) -> Any:
    """The lazily imported names of :data:`_LAZY` (PEP 562)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__version__ = "0.1.0"

__all__ = [
    "Analysis",
    "Block",
    "BranchError",
    "CostError",
    "DrawError",
    "FormulaTooLargeError",
    "KerasError",
    "KerasLayerError",
    "LayerError",
    "MatrixError",
    "MergeError",
    "ModelImportError",
    "NumericResult",
    "Row",
    "Shape",
    "ShapeError",
    "ShapecalcError",
    "SolveError",
    "Span",
    "SpecError",
    "SpecSyntaxError",
    "SubstitutionError",
    "TargetCountError",
    "Totals",
    "TorchError",
    "UnknownLayerError",
    "__version__",
    "analyze",
    "analyze_keras",
    "analyze_torch",
    "check",
    "conv2d",
    "conv_transpose2d",
    "from_keras",
    "from_torch",
    "parse",
    "pool2d",
]
