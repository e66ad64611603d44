"""Cross-check an analysis against Keras 3: ``shapecalc check --framework keras``.

The model is built from the rows' Keras forms (:func:`shapecalc.kerascode.keras_form`, the
descriptions ``shapecalc keras`` prints), with the functional API: every row's layers
applied to the tensors its inputs gave, then one forward pass of a random batch through a
model whose outputs are every row's. Per row, the output shape of that pass and the
parameter counts of the row's layers are compared with the calculator's:

- trainable: elements of the layers' ``trainable_weights``;
- non-trainable: elements of their ``non_trainable_weights`` (batch norm's moving mean and
  variance, which Keras counts as non-trainable, as the calculator does).

Keras runs on the torch backend (:mod:`shapecalc.kerasbackend` sets it), on the CPU unless
``device="cuda"``; the results are those of :mod:`shapecalc.torchcheck`, with the framework
named ``keras``. A layer Keras cannot express, or refuses, is a mismatch carrying the
reason; the rows after it are not run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .analysis import Analysis
from .errors import KerasError, ShapecalcError
from .kerasbackend import load_keras
from .kerascode import KerasLayer, keras_form, layer_base
from .layers.merge import Merge
from .torchcheck import (
    CHECK_BUDGET,
    SAMPLE_BUDGET,
    CheckResult,
    LayerCheck,
    PointCheck,
    TorchRow,
    sample_points,
    tensor_elements,
)

#: Devices the Keras check runs on (Keras has no meta device).
DEVICES = ("cpu", "cuda")
#: The framework's name in results, tables and messages.
FRAMEWORK = "keras"


@dataclass(frozen=True)
class KerasCheckResult(CheckResult):
    """A :class:`~shapecalc.torchcheck.CheckResult` of Keras: the same table and JSON, with
    Keras' version and backend."""

    framework: str = FRAMEWORK

    def versions(self) -> dict[str, str]:
        keras = load_keras()
        return {
            "torch_version": self.torch_version,
            "keras_version": str(keras.__version__),
            "keras_backend": str(keras.backend.backend()),
        }


def build(layer: KerasLayer, base: str) -> Any:
    """Instantiate a layer description, named for the row ``base``."""
    keras = load_keras()
    if layer.defined:
        from . import kerasmodules

        cls = getattr(kerasmodules, layer.name)
    else:
        cls = getattr(keras.layers, layer.name)
    return cls(*layer.args, **dict(layer.kwargs), name=layer.layer_name(base))


def _elements(weights: Any) -> int:
    return sum(math.prod(int(d) for d in w.shape) for w in weights)


def _counts(built: list[Any]) -> tuple[int, int]:
    """Trainable and non-trainable elements of a row's layers."""
    return (
        sum(_elements(layer.trainable_weights) for layer in built),
        sum(_elements(layer.non_trainable_weights) for layer in built),
    )


def _error(err: Exception) -> str:
    if isinstance(err, ShapecalcError):
        return str(err)
    return f"{type(err).__name__}: {str(err).strip().splitlines()[0] if str(err).strip() else ''}"


def check_point(
    analysis: Analysis, *, device: str = "cpu", batch: int = 1, seed: int = 0
) -> PointCheck:
    """Compare every row of a concrete analysis with Keras; rows after a refused one are
    reported as not run."""
    import numpy as np

    keras = load_keras()
    layers: list[LayerCheck] = []
    with keras.device(device):
        tensors: dict[int, Any] = {0: keras.Input(shape=tuple(int(d) for d in analysis.input_shape.dims))}
        built: list[tuple[Any, list[Any]]] = []  # (row, its layers)
        refused: tuple[int, str] | None = None
        for row in analysis.rows:
            try:
                form = keras_form(row.layer, row.input_shape, len(row.inputs))
                row_layers = [build(layer, layer_base(row)) for layer in form.layers]
                inputs = [tensors[i] for i in row.inputs]
                x = inputs if isinstance(row.layer, Merge) and len(inputs) > 1 else inputs[0]
                for layer in row_layers:
                    x = layer(x)
            except Exception as err:  # Keras reports bad arguments as ValueError, TypeError, ...
                refused = (row.index, _error(err))
                break
            tensors[row.index] = x
            built.append((row, row_layers))
        outputs: list[Any] = []
        if built:
            try:
                model = keras.Model(tensors[0], [tensors[row.index] for row, _ in built])
                rng = np.random.default_rng(seed)
                dims = (batch, *(int(d) for d in analysis.input_shape.dims))
                found = model(rng.standard_normal(dims).astype("float32"))
                # A model of one output returns the tensor itself, not a list of one.
                outputs = list(found) if isinstance(found, list | tuple) else [found]
            except Exception as err:  # the forward pass failed: no row ran
                refused, built = (built[0][0].index, _error(err)), []
    for (row, row_layers), y in zip(built, outputs):
        shape = tuple(int(d) for d in y.shape)
        trainable, non_trainable = _counts(row_layers)
        wrong_batch = f"batch {batch} came out as {shape[0]}" if shape[0] != batch else None
        result = TorchRow(shape[1:], trainable, non_trainable)
        layers.append(LayerCheck(row, result, wrong_batch, FRAMEWORK))
    for row in analysis.rows[len(layers) :]:
        assert refused is not None
        index, reason = refused
        error = reason if row.index == index else f"not run: keras refused layer {index}"
        layers.append(LayerCheck(row, None, error, FRAMEWORK))
    return PointCheck(dict(analysis.substitutions), analysis, tuple(layers))


def check(
    analysis: Analysis, *, device: str = "cpu", batch: int = 1, seed: int = 0
) -> KerasCheckResult:
    """Cross-check an analysis against Keras (the API behind ``shapecalc check --framework
    keras``): a concrete analysis as it is, a symbolic one at a few sample points where it
    is valid (:func:`shapecalc.torchcheck.sample_points`).

    Raises:
        KerasError: Keras missing, a bad device or batch, or a spec too large to allocate.
        TorchError: no valid sample point for the symbols.
    """
    if batch < 1:
        raise KerasError(f"batch must be positive, got {batch}")
    if device not in DEVICES:
        raise KerasError(
            f"Keras runs on {' or '.join(DEVICES)}, not {device!r} (the meta device is torch's)"
        )
    load_keras()
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise KerasError(f"device cuda: CUDA is not available to torch {torch.__version__}")
    if analysis.symbols:
        points = sample_points(analysis, batch=batch, budget=SAMPLE_BUDGET)
    else:
        points = [analysis]
        needed = tensor_elements(analysis, batch)
        if needed > CHECK_BUDGET:
            raise KerasError(
                f"checking this spec with Keras needs {needed:,} tensor elements "
                f"(over {CHECK_BUDGET:,}); check it with torch on --device meta"
            )
    checked = [check_point(p, device=device, batch=batch, seed=seed) for p in points]
    return KerasCheckResult(analysis, device, batch, tuple(checked))


__all__ = ["DEVICES", "FRAMEWORK", "KerasCheckResult", "build", "check", "check_point"]
