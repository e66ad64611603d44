"""shapecalc: exact, symbolic shapes and parameter counts of convolutional networks.

>>> from shapecalc import analyze
>>> a = analyze("28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10")
>>> str(a.output_shape), a.totals.params
('10', 31530)
"""

from __future__ import annotations

from .errors import (
    BranchError,
    CostError,
    DrawError,
    FormulaTooLargeError,
    LayerError,
    MatrixError,
    MergeError,
    ShapecalcError,
    ShapeError,
    SolveError,
    Span,
    SpecError,
    SpecSyntaxError,
    SubstitutionError,
    TorchError,
    UnknownLayerError,
)
from .network import Analysis, Block, Row, Totals, analyze, check
from .numeric import NumericResult, conv2d, conv_transpose2d, pool2d
from .parser import parse
from .shape import Shape

__version__ = "0.1.0"

__all__ = [
    "Analysis",
    "Block",
    "BranchError",
    "CostError",
    "DrawError",
    "FormulaTooLargeError",
    "LayerError",
    "MatrixError",
    "MergeError",
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
    "Totals",
    "TorchError",
    "UnknownLayerError",
    "__version__",
    "analyze",
    "check",
    "conv2d",
    "conv_transpose2d",
    "parse",
    "pool2d",
]
