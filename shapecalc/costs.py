"""What a network costs: MACs, FLOPs, activation and parameter memory, receptive fields.

Each layer states what it does per sample (:meth:`Layer.ops`: multiply-accumulates with
weights, bias additions) and how it slides over its input (:meth:`Layer.windows`). This
module turns those into the numbers summary tools print, under a named *convention*, since
the tools disagree on what a "FLOP" is (README, "Costs", reconciles them):

- ``torch``: ``torch.utils.flop_counter.FlopCounterMode``. MACs are the multiply-accumulates
  of convolutions and dense layers, bias excluded; FLOPs = 2 x MACs; nothing else counts.
- ``torchinfo``: torchinfo's "Mult-Adds". A convolution counts its parameters once per
  output position (so the bias is in), every other layer with parameters counts them once
  per sample (dense: (N_in + 1)*units; batchnorm: 2*C). FLOPs = 2 x MACs.
- ``fvcore``: fvcore's FlopCountAnalysis, which counts one multiply-add as one "flop": conv
  and dense without bias, batchnorm 2 per element, 2D adaptive average pooling and 2D
  nearest upsampling 1 per element.
- ``thop``: thop's profile: conv and dense without bias, batchnorm 4 per element, average
  pooling and upsampling 1 per output, adaptive average pooling window + 1 per output,
  softmax 3*C - 1 per row.

Each is tested against its tool (tests/test_costs.py).

Costs are per row and totals are plain sums of rows, so a block of rows (a residual or
concatenating branch) costs the sum of its rows. Receptive fields are not sums: they follow
the single-path recurrence of Araujo, Norris and Sim, "Computing Receptive Fields of
Convolutional Neural Networks" (Distill, 2019), per spatial dim:

    r_l = r_{l-1} + (k_l - 1)*j_{l-1},   j_l = j_{l-1}*s_l,   P_l = P_{l-1} + p_l*j_{l-1}

with r_0 = j_0 = 1 and P_0 = 0, k the dilated kernel and p the padding before the first
element; ``same`` contributes its left/top half, ``total // 2`` (TensorFlow's split, which
puts the odd pixel at the end). Output element i then sees input elements
``i*j - P`` to ``i*j - P + r - 1``.

Upsampling and transposed convolution step through their input by fractions, and the same
recurrence holds with exact rational k, s and p (Fractions when concrete, so that concrete
specs never import sympy; sympy Rationals when symbolic). Output element i depends only on
the input elements in the real interval ``[i*j - P, i*j - P + r - 1]`` (so on at most
``floor(r)`` of them): by induction, layer l's output o takes the elements y of layer l - 1
with ``o*s - p <= y <= o*s - p + k - 1``, each of which depends on inputs within
``[y*j - P, y*j - P + r - 1]``, and j > 0. The windows:

- transposed convolution, stride s, dilated kernel K, output starting at position c of the
  full ``(n - 1)*s + K`` (c = torch's padding; Keras' ``same`` ``max(K - s, 0) // 2``;
  ``valid`` 0): output o gets input i from tap t when ``o + c = i*s + t*d``, so
  ``(o + c - K + 1)/s <= i <= (o + c)/s``: k = ``(K - 1)/s + 1``, s = ``1/s``,
  p = ``(K - 1 - c)/s``;
- nearest upsampling by f: output o copies input ``floor(o/f)``, the one integer in
  ``[(o - f + 1)/f, o/f]``: k = ``2 - 1/f``, s = ``1/f``, p = ``1 - 1/f``.

For one such layer the interval holds exactly the inputs that reach an output (without
dilation); after several, it is a bound that tests/properties/test_receptive_fields_vs_torch.py
checks against torch's gradients (which inputs change which outputs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .errors import CostError
from .layers.base import NoWindow, Ops, Window
from .symbolic import Dim, concrete, expand, product, sp, times, to_json

if TYPE_CHECKING:
    from .analysis import Analysis, Row

#: Bytes per element of each supported dtype.
DTYPES: dict[str, int] = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}


def _torch_macs(row: Row, ops: Ops) -> Dim:
    return ops.macs


def _torchinfo_macs(row: Row, ops: Ops) -> Dim:
    # torchinfo: conv weights and bias once per output position (= ops.macs + ops.bias),
    # dense likewise ((N_in + 1)*units), any other layer its parameters once per sample; a
    # layer states what it counts where that differs (transposed convolution).
    if ops.torchinfo is not None:
        return ops.torchinfo
    return ops.macs + ops.bias if ops.macs != 0 else row.trainable


def _fvcore_macs(row: Row, ops: Ops) -> Dim:
    # fvcore counts by aten operation, one fused multiply-add as one "flop"; a layer states
    # what it charges where that differs from the multiply-accumulates (batch norm, ...).
    return ops.macs if ops.fvcore is None else ops.fvcore


def _thop_macs(row: Row, ops: Ops) -> Dim:
    # thop counts by module class (batch norm, pooling, upsampling, softmax: see the kinds).
    return ops.macs if ops.thop is None else ops.thop


@dataclass(frozen=True)
class Convention:
    """How MACs are counted (FLOPs are twice the MACs in every convention here)."""

    name: str
    help: str
    macs: Callable[[Row, Ops], Dim]


#: The conventions, by the name ``--macs`` takes.
CONVENTIONS: dict[str, Convention] = {
    "torch": Convention(
        "torch",
        "torch.utils.flop_counter.FlopCounterMode: conv and dense multiply-accumulates, "
        "no bias, nothing else; FLOPs = 2 x MACs",
        _torch_macs,
    ),
    "torchinfo": Convention(
        "torchinfo",
        "torchinfo's Mult-Adds: conv and dense with their bias, other layers their "
        "parameters once per sample (batchnorm 2*C); FLOPs = 2 x MACs",
        _torchinfo_macs,
    ),
    "fvcore": Convention(
        "fvcore",
        "fvcore's FlopCountAnalysis (one multiply-add counts one): conv and dense without "
        "bias, batchnorm 2 per element, 2D adaptive average pooling and nearest upsampling "
        "1 per element; FLOPs = 2 x MACs",
        _fvcore_macs,
    ),
    "thop": Convention(
        "thop",
        "thop's profile: conv and dense without bias, batchnorm 4 per element, average "
        "pooling and upsampling 1 per output, adaptive average pooling "
        "window + 1 per output, softmax 3*C - 1 per row; FLOPs = 2 x MACs",
        _thop_macs,
    ),
}


@dataclass(frozen=True)
class ReceptiveField:
    """Where one output element looks in the network's input, per spatial dim.

    Attributes:
        size: r, how many input elements one output element sees.
        stride: j, the effective stride (jump): input distance between neighbouring outputs.
        padding: P, the effective padding: output element i starts at input ``i*j - P``.
        aligned: False after a merge of paths with different effective strides, where no
            single (r, j, P) describes the field (the article's library refuses such graphs);
            size, stride and padding are then empty.
        computable: False after a layer whose windows shapecalc does not compute
            (:attr:`NoWindow.NOT_COMPUTABLE`: adaptive pooling to a size that does not divide
            the input); size, stride and padding are then empty.

    After upsampling or a transposed convolution the values are fractions (see the module
    docstring): a Fraction when concrete, written ``1/2`` in tables and JSON.
    """

    size: tuple[Dim, ...]
    stride: tuple[Dim, ...]
    padding: tuple[Dim, ...]
    aligned: bool = True
    computable: bool = True

    @property
    def known(self) -> bool:
        """Whether size, stride and padding describe the field (aligned and computable)."""
        return self.aligned and self.computable

    def step(self, windows: tuple[Window, ...]) -> ReceptiveField:
        """The field after one more layer (the Distill recurrence); an unaligned or not
        computable field stays so."""
        if not self.known:
            return self
        size, stride, padding = [], [], []
        for r, j, p, w in zip(self.size, self.stride, self.padding, windows):
            size.append(_exact(r + (w.kernel - 1) * j))
            padding.append(_exact(p + w.padding * j))
            stride.append(_exact(j * w.stride))
        return ReceptiveField(tuple(size), tuple(stride), tuple(padding))

    @staticmethod
    def union(fields: list[ReceptiveField | None]) -> ReceptiveField | None:
        """The field of a merge (res add, concat): the union of its inputs' regions, from
        the earliest start to the latest end; the stride is the first input's (the paths'
        sizes agree, so their strides do in real networks). None when an input sees all."""
        if not fields or any(f is None for f in fields):
            return None
        known = [f for f in fields if f is not None]
        if not all(f.computable for f in known):
            return ReceptiveField((), (), (), computable=False)
        strides = {f.stride for f in known}
        if not all(f.aligned for f in known) or (
            len(strides) > 1 and all(isinstance(v, int | Fraction) for st in strides for v in st)
        ):
            return ReceptiveField((), (), (), aligned=False)
        size, padding = [], []
        for d in range(len(known[0].size)):
            start = _largest([f.padding[d] for f in known])
            end = _largest([_exact(f.size[d] - f.padding[d]) for f in known])
            padding.append(start)
            size.append(_exact(start + end))
        return ReceptiveField(tuple(size), known[0].stride, tuple(padding))

    def to_json(self) -> dict[str, Any]:
        """``{"size": [...], "stride": [...], "padding": [...], "aligned": true}``, one entry
        per spatial dim; ``"computable": false`` is added (with empty lists) when the field
        is not computed."""
        doc: dict[str, Any] = {
            "size": [to_json(v) for v in self.size],
            "stride": [to_json(v) for v in self.stride],
            "padding": [to_json(v) for v in self.padding],
            "aligned": self.aligned,
        }
        if not self.computable:
            doc["computable"] = False
        return doc


def _largest(values: list[Dim]) -> Dim:
    if all(isinstance(v, int | Fraction) for v in values):
        return max(values)
    return sp().Max(*values)


def _exact(value: Dim) -> Dim:
    """A field's value multiplied out; concrete fractions stay Fractions (no sympy)."""
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else value
    return expand(value)


@dataclass(frozen=True)
class LayerCost:
    """The cost of one row at the analysis's batch, dtype and convention.

    Attributes:
        index: the row's 1-based index.
        macs, flops: multiply-accumulates and floating point operations.
        output_elements, output_bytes: the row's output (activation) at the batch.
        param_bytes: its parameters (trainable and not) at the dtype.
        receptive_field: where its output looks in the input; None once every output
            element sees the whole input (after flatten, dense, global pooling or adaptive
            pooling to size 1).
    """

    index: int
    macs: Dim
    flops: Dim
    output_elements: Dim
    output_bytes: Dim
    param_bytes: Dim
    receptive_field: ReceptiveField | None

    def to_json(self) -> dict[str, Any]:
        """The per-layer JSON fields (see README, JSON schema)."""
        rf = self.receptive_field
        return {
            "macs": to_json(self.macs),
            "flops": to_json(self.flops),
            "output_elements": to_json(self.output_elements),
            "output_bytes": to_json(self.output_bytes),
            "param_bytes": to_json(self.param_bytes),
            "receptive_field": rf.to_json() if rf is not None else None,
        }


@dataclass(frozen=True)
class CostTotals:
    """Sums over rows (a block's totals are the sums over its rows too)."""

    macs: Dim
    flops: Dim
    output_elements: Dim
    output_bytes: Dim
    input_bytes: Dim
    param_bytes: Dim

    def to_json(self) -> dict[str, int | str]:
        """The totals as JSON."""
        return {
            "macs": to_json(self.macs),
            "flops": to_json(self.flops),
            "output_elements": to_json(self.output_elements),
            "output_bytes": to_json(self.output_bytes),
            "input_bytes": to_json(self.input_bytes),
            "param_bytes": to_json(self.param_bytes),
        }


def total(values: list[Dim]) -> Dim:
    """The sum of row costs; sympy collects like terms but keeps each row's factored form
    (``1536*f**2*(n - f + 1)**2 + ...``), which says more than the multiplied-out
    polynomial. One sympy Add of all terms: summing one term at a time re-collects the
    growing sum at every step, quadratic in the rows (14 s for 2,000 symbolic rows)."""
    if all(isinstance(value, int) for value in values):
        return sum(values, start=0)
    return concrete(sp().Add(*values))


@dataclass(frozen=True)
class Costs:
    """Every row's cost and the totals, at one batch size, dtype and convention."""

    batch: int
    dtype: str
    convention: str
    rows: tuple[LayerCost, ...]
    totals: CostTotals

    def to_json(self) -> dict[str, Any]:
        """``{"batch", "dtype", "convention", "layers": [...], "totals": {...}}``."""
        return {
            "batch": self.batch,
            "dtype": self.dtype,
            "convention": self.convention,
            "layers": [{"index": row.index, **row.to_json()} for row in self.rows],
            "totals": self.totals.to_json(),
        }


def _after(field: ReceptiveField | None, windows: tuple[Window, ...] | NoWindow) -> (
    ReceptiveField | None
):
    """The field after a layer with these windows: None (sees all) once a layer sees its
    whole input, whatever came before; not computable after a layer whose windows are not
    computed."""
    if field is None or windows is NoWindow.SEES_ALL:
        return None
    if windows is NoWindow.NOT_COMPUTABLE:
        return ReceptiveField((), (), (), computable=False)
    if not field.known:
        return field
    if len(windows) != len(field.size):  # the spatial grid ended (a flat input)
        return None
    return field.step(windows)


def check_options(batch: int, dtype: str, convention: str) -> None:
    """Raise :class:`CostError` naming a bad batch, dtype or convention."""
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise CostError(f"batch must be a positive whole number, got {batch!r}")
    if dtype not in DTYPES:
        raise CostError(f"unknown dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
    if convention not in CONVENTIONS:
        choices = ", ".join(CONVENTIONS)
        raise CostError(f"unknown MACs convention {convention!r}; choose one of {choices}")


def costs(
    analysis: Analysis, *, batch: int = 1, dtype: str = "float32", convention: str = "torch"
) -> Costs:
    """Per-row and total MACs, FLOPs, memory and receptive fields of an analysis.

    Args:
        analysis: the analysed spec (symbolic or concrete).
        batch: samples per forward pass; MACs, FLOPs and activations scale with it.
        dtype: ``float32``, ``float16``, ``bfloat16`` or ``int8``: bytes per element.
        convention: how MACs are counted, a key of :data:`CONVENTIONS`.

    Raises:
        CostError: a bad batch, dtype or convention.
    """
    check_options(batch, dtype, convention)
    count = CONVENTIONS[convention].macs
    size = DTYPES[dtype]
    spatial = analysis.input_shape.spatial
    rank = len(spatial)
    # Each row's field, by row index (0: the input): inside res/concat blocks a row's input
    # is not always the row before (Row.inputs), and a merge joins several fields.
    fields: dict[int, ReceptiveField | None] = {
        0: ReceptiveField((1,) * rank, (1,) * rank, (0,) * rank)
    }
    rows: list[LayerCost] = []
    for row in analysis.rows:
        ops = row.layer.ops(row.input_shape, row.output_shape)
        macs = times(batch, count(row, ops))
        elements = times(batch, product(row.output_shape.dims))
        if row.kind == "merge":
            rf = ReceptiveField.union([fields[i] for i in row.inputs])
        else:
            rf = _after(fields[row.inputs[0]], row.layer.windows(row.input_shape))
        fields[row.index] = rf
        rows.append(
            LayerCost(
                row.index,
                macs,
                times(2, macs),
                elements,
                times(size, elements),
                times(size, row.params),
                rf,
            )
        )
    inputs = times(batch, product(analysis.input_shape.dims))
    totals = CostTotals(
        total([r.macs for r in rows]),
        total([r.flops for r in rows]),
        total([r.output_elements for r in rows]),
        total([r.output_bytes for r in rows]),
        times(size, inputs),
        expand(times(size, analysis.totals.params)),
    )
    return Costs(batch, dtype, convention, tuple(rows), totals)


__all__ = [
    "CONVENTIONS",
    "DTYPES",
    "CostError",
    "CostTotals",
    "Costs",
    "Convention",
    "LayerCost",
    "ReceptiveField",
    "costs",
]
