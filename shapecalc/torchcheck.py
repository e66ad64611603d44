"""Cross-check an analysis against a real PyTorch forward pass.

The only module of shapecalc that imports torch at top level; everything else reaches it
lazily (``Analysis.check``), so the calculator runs without torch.

Each row's module comes from :func:`shapecalc.torchcode.torch_module` (the one mapping from
layer kinds to torch) and is built for the shape of the tensor that actually reaches it, so
torch's shapes never depend on shapecalc's shape arithmetic: only the hyperparameters come
from the spec. Per row, torch's output shape and parameter counts are compared with the
calculator's:

- trainable: elements of parameters with ``requires_grad``;
- non-trainable: elements of running statistics (``running_mean``, ``running_var``) plus any
  parameter without ``requires_grad``. ``num_batches_tracked`` is a step counter, not a
  statistic, and is not counted: the calculator's batchnorm is 2*C + 2*C, as Keras reports.

A spec that torch refuses is a mismatch carrying torch's error text, never a pass.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from .analysis import Analysis, Row
from .errors import Remedy, ShapecalcError, TorchError
from .layers import Layer
from .layers.merge import Add, Merge, Mul
from .network import analyze_parsed
from .parser import parse
from .shape import Shape
from .torchcode import TorchModule, torch_module

#: Devices a check may run on. ``meta`` allocates no memory: shapes and counts only.
DEVICES = ("cpu", "cuda", "meta")
#: Sample points tried for a symbolic spec, and how many are checked.
SAMPLE_POINTS = 3
#: Values tried for symbols, in order of preference.
SAMPLE_VALUES = (32, 16, 8, 64, 4, 3, 2, 1, 5, 7, 28, 12, 0)
#: Largest number of tensor elements (activations and weights) a sample point may need on a
#: device that allocates them, so that a sampled point cannot exhaust the memory.
SAMPLE_BUDGET = 50_000_000
#: Largest number of tensor elements a spec may need on a device that allocates them (4 GB at
#: float32; VGG-16 needs about 1.5 * 10**8): beyond it the check is refused, not attempted,
#: so that it cannot exhaust the memory or pass an allocation failure off as a mismatch.
CHECK_BUDGET = 1_000_000_000


@dataclass(frozen=True)
class TorchRow:
    """What torch says about one row.

    Attributes:
        output_shape: the output shape without the batch dim, channels last (spec order).
        trainable: elements of parameters with ``requires_grad``.
        non_trainable: elements of running statistics (see the module docstring).
    """

    output_shape: tuple[int, ...]
    trainable: int
    non_trainable: int


@dataclass(frozen=True)
class LayerCheck:
    """One row compared with torch.

    Attributes:
        row: the calculator's row (concrete).
        torch: torch's results (the framework's: Keras' in a Keras check), or None when it
            did not run the row.
        error: torch's error text when it refused the row (or an earlier one, then the row
            was not run).
        framework: who ran the row: ``torch``, or ``keras`` (:mod:`shapecalc.kerascheck`).
    """

    row: Row
    torch: TorchRow | None
    error: str | None = None
    framework: str = "torch"

    @property
    def calculator(self) -> TorchRow:
        """The calculator's results in torch's terms (ints, channels last)."""
        return TorchRow(
            tuple(int(d) for d in self.row.output_shape.dims),
            int(self.row.trainable),
            int(self.row.non_trainable),
        )

    @property
    def ok(self) -> bool:
        """Torch ran the row and agrees on shape and both counts."""
        return self.error is None and self.torch == self.calculator

    def describe(self) -> str:
        """What differs, in a few words (empty when the row agrees)."""
        who = self.framework
        if self.error is not None:
            return f"{who}: {self.error.strip().splitlines()[0] if self.error.strip() else '?'}"
        assert self.torch is not None
        mine, theirs = self.calculator, self.torch
        parts = []
        if mine.output_shape != theirs.output_shape:
            shape = "x".join(map(str, theirs.output_shape))
            parts.append(f"shape {self.row.output_shape} vs {who} {shape}")
        if mine.trainable != theirs.trainable:
            parts.append(f"trainable {mine.trainable:,} vs {who} {theirs.trainable:,}")
        if mine.non_trainable != theirs.non_trainable:
            parts.append(f"non-trainable {mine.non_trainable:,} vs {who} {theirs.non_trainable:,}")
        return "; ".join(parts)


@dataclass(frozen=True)
class PointCheck:
    """The check of one concrete analysis (a symbolic spec is checked at several points).

    Attributes:
        at: the symbol values of this point (empty for a concrete spec).
        analysis: the calculator's concrete analysis at the point.
        layers: one comparison per row.
    """

    at: dict[str, int]
    analysis: Analysis
    layers: tuple[LayerCheck, ...]

    @property
    def ok(self) -> bool:
        """Every row agrees."""
        return all(layer.ok for layer in self.layers)


@dataclass(frozen=True)
class CheckResult:
    """The cross-check of an analysis: one :class:`PointCheck` per checked point.

    Render it with rich (``rich.print(result)``: the table with a Check column) or as
    ``to_json()`` (the analysis document with a ``check`` object).
    """

    analysis: Analysis
    device: str
    batch: int
    points: tuple[PointCheck, ...]
    #: Who ran the check: ``torch``, or ``keras`` (:mod:`shapecalc.kerascheck`).
    framework: str = "torch"

    @property
    def ok(self) -> bool:
        """Every row of every point agrees with torch."""
        return all(point.ok for point in self.points)

    @property
    def torch_version(self) -> str:
        """The torch version that ran the check."""
        return str(torch.__version__)

    def versions(self) -> dict[str, str]:
        """The versions that ran the check, as the JSON document names them."""
        return {"torch_version": self.torch_version}

    def first_mismatch(self) -> tuple[PointCheck, LayerCheck] | None:
        """The first row that disagrees, with its point."""
        for point in self.points:
            for layer in point.layers:
                if not layer.ok:
                    return point, layer
        return None

    def summary(self) -> str:
        """One line naming the first mismatching layer (empty when all agree)."""
        found = self.first_mismatch()
        if found is None:
            return ""
        point, layer = found
        at = " at " + ",".join(f"{k}={v}" for k, v in point.at.items()) if point.at else ""
        return f"layer {layer.row.index} {layer.row.spec!r}{at} disagrees with {self.framework}: " + (
            layer.describe()
        )

    def to_json(self) -> dict[str, Any]:
        """The analysis document (see README) with the ``check`` object added."""
        from .render.check import check_to_json

        return check_to_json(self)

    def __rich__(self) -> Any:
        from .render.check import check_table

        return check_table(self)


def channels_last(size: Sequence[int]) -> tuple[int, ...]:
    """A torch size (N, C, *spatial) or (N, F) as a spec-order shape without the batch."""
    try:
        return tuple(int(d) for d in Shape.from_torch_order(list(size)).dims)
    except ValueError as err:
        raise TorchError(f"torch produced a tensor without features: {err}") from None


def trainable_count(module: nn.Module) -> int:
    """Elements of the module's parameters that require gradients."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def non_trainable_count(module: nn.Module) -> int:
    """Elements of running statistics and frozen parameters (not ``num_batches_tracked``)."""
    return sum(
        b.numel()
        for name, b in module.named_buffers()
        if name.rsplit(".", 1)[-1] in ("running_mean", "running_var")
    ) + sum(p.numel() for p in module.parameters() if not p.requires_grad)


def torch_class(name: str) -> type[nn.Module]:
    """The module class a layer kind names (in ``torch_classes`` or a :class:`TorchModule`):
    ``torch.nn``'s, or else one shapecalc defines in :mod:`shapecalc.torchmodules`.

    Raises:
        TorchError: neither has a class of that name.
    """
    from . import torchmodules

    found = getattr(nn, name, None) or getattr(torchmodules, name, None)
    if not (isinstance(found, type) and issubclass(found, nn.Module)):
        raise TorchError(f"no torch module class {name!r} in torch.nn or shapecalc.torchmodules")
    return found


def build(module: TorchModule) -> nn.Module:
    """Instantiate a module description (on torch's current default device)."""
    args = [build(a) if isinstance(a, TorchModule) else a for a in module.args]
    if module.defined:
        from . import torchmodules

        cls = getattr(torchmodules, module.name)
    else:
        cls = getattr(nn, module.name)
    built: nn.Module = cls(*args, **dict(module.kwargs))
    return built


def build_module(layer: Layer, inp: Shape) -> nn.Module:
    """The torch module for ``layer`` applied to an input of shape ``inp`` (channels last)."""
    return build(torch_module(layer, inp))


def _device(name: str) -> torch.device:
    if name not in DEVICES:
        raise TorchError(f"unknown device {name!r}; choose one of {', '.join(DEVICES)}")
    if name == "cuda" and not torch.cuda.is_available():
        raise TorchError(
            f"--device cuda: CUDA is not available to this torch ({torch.__version__}); "
            "use --device cpu or --device meta"
        )
    return torch.device(name)


def random_input(shape: Shape, batch: int, device: str = "cpu", seed: int = 0) -> torch.Tensor:
    """A random tensor of ``shape.torch_order(batch)`` (empty on the meta device)."""
    size = [int(d) for d in shape.torch_order(batch)]
    if device == "meta":
        return torch.empty(size, device="meta")
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(*size, generator=generator).to(device)


def run_layer(layer: Layer, x: torch.Tensor, device: str = "cpu") -> tuple[torch.Tensor, TorchRow]:
    """Build the module for the tensor ``x`` that reaches ``layer`` and run it.

    Raises:
        TorchError: the layer has no torch counterpart, or torch refuses it (torch's message).
    """
    inp = Shape(channels_last(x.shape))
    try:
        with torch.device(device):
            module = build_module(layer, inp).eval()
        with torch.no_grad():
            y = module(x)
        result = TorchRow(
            channels_last(y.shape), trainable_count(module), non_trainable_count(module)
        )
    except TorchError:
        raise
    except Exception as err:  # torch reports bad arguments as RuntimeError, ValueError, ...
        raise TorchError(f"{type(err).__name__}: {err}") from err
    return y, result


def run_merge(row: Row, inputs: Sequence[torch.Tensor]) -> tuple[torch.Tensor, TorchRow]:
    """The merge of a ``res`` (``torch.add``) or ``concat`` (``torch.cat`` over the channels)
    block, computed by torch on the tensors its paths produced.

    Raises:
        TorchError: torch refuses to merge them; an add of different shapes is refused here
            rather than left to broadcasting, which would hide the mismatch.
    """
    try:
        if isinstance(row.layer, Add):
            first = inputs[0]
            for other in inputs[1:]:
                if other.shape != first.shape:
                    raise TorchError(
                        f"cannot add tensors of sizes {tuple(first.shape)} and "
                        f"{tuple(other.shape)}"
                    )
            y = inputs[0]
            for other in inputs[1:]:
                y = torch.add(y, other)
        elif isinstance(row.layer, Mul):  # torch broadcasts a size-1 dim, as the spec does
            y = inputs[0]
            for other in inputs[1:]:
                y = torch.mul(y, other)
        else:
            y = torch.cat(list(inputs), dim=1)
    except TorchError:
        raise
    except Exception as err:  # torch reports bad sizes as RuntimeError
        raise TorchError(f"{type(err).__name__}: {err}") from err
    return y, TorchRow(channels_last(y.shape), 0, 0)


def _last_uses(analysis: Analysis) -> dict[int, int]:
    """For each row (0: the input), the last row that takes its output in."""
    last: dict[int, int] = {}
    for row in analysis.rows:
        for source in row.inputs:
            last[source] = row.index
    return last


def torch_row(
    layer: Layer, inp: Shape, *, batch: int = 2, device: str = "cpu", seed: int = 0
) -> TorchRow:
    """What torch makes of ``layer`` on a random input of shape ``inp`` (channels last).

    Raises:
        TorchError: torch (or the mapping to torch) refuses the layer on this input.
    """
    return run_layer(layer, random_input(inp, batch, device, seed), device)[1]


def torch_rows(
    analysis: Analysis, *, batch: int = 2, device: str = "cpu", seed: int = 0
) -> list[TorchRow]:
    """Run a concrete analysis through torch: output shape and parameter counts per row.

    Raises:
        TorchError: a row has no torch counterpart, or torch refuses it (the message names
            the row).
    """
    # Rows inside res/concat blocks take their input from a branch's start, not from the
    # row before: tensors are kept by row index until their last use.
    tensors = {0: random_input(analysis.input_shape, batch, device, seed)}
    last = _last_uses(analysis)
    rows: list[TorchRow] = []
    for row in analysis.rows:
        inputs = [tensors[i] for i in row.inputs]
        try:
            if isinstance(row.layer, Merge):
                x, result = run_merge(row, inputs)
            else:
                x, result = run_layer(row.layer, inputs[0], device)
        except TorchError as err:
            raise TorchError(f"row {row.index} {row.spec!r}: {err}") from err
        tensors[row.index] = x
        for i in row.inputs:
            if last.get(i) == row.index:
                del tensors[i]
        rows.append(result)
    return rows


def check_point(
    analysis: Analysis, *, device: str = "cpu", batch: int = 1, seed: int = 0
) -> PointCheck:
    """Compare every row of a concrete analysis with torch; rows after a refused one are
    reported as not run."""
    dev = _device(device)
    # Rows inside res/concat blocks take their input from a branch's start, not from the
    # row before: tensors are kept by row index until their last use.
    tensors = {0: random_input(analysis.input_shape, batch, dev.type, seed)}
    last = _last_uses(analysis)
    layers: list[LayerCheck] = []
    refused: str | None = None
    for row in analysis.rows:
        if refused is not None:
            layers.append(LayerCheck(row, None, f"not run: torch refused layer {refused}"))
            continue
        inputs = [tensors[i] for i in row.inputs]
        try:
            if isinstance(row.layer, Merge):
                x, result = run_merge(row, inputs)
            else:
                x, result = run_layer(row.layer, inputs[0], dev.type)
        except TorchError as err:
            layers.append(LayerCheck(row, None, str(err)))
            refused = str(row.index)
            continue
        tensors[row.index] = x
        for i in row.inputs:
            if last.get(i) == row.index:
                del tensors[i]
        wrong_batch = f"batch {batch} came out as {x.shape[0]}" if x.shape[0] != batch else None
        layers.append(LayerCheck(row, result, wrong_batch))
    return PointCheck(dict(analysis.substitutions), analysis, tuple(layers))


def tensor_elements(analysis: Analysis, batch: int) -> int:
    """Tensor elements a forward pass allocates: the input, activations and weights."""
    total = batch * math.prod(int(d) for d in analysis.input_shape.dims)
    for row in analysis.rows:
        elements = 1
        for d in row.output_shape.dims:
            elements *= int(d)
        total += batch * elements + int(row.params)
    return total


def sample_points(
    analysis: Analysis, *, count: int = SAMPLE_POINTS, batch: int = 1, budget: int | None = None
) -> list[Analysis]:
    """Concrete analyses at a few points where a symbolic spec is valid.

    Points are tried in a fixed order (every symbol 32; seeded random mixes of
    :data:`SAMPLE_VALUES` and the bounds of one-symbol conditions; every symbol 16, 8, ...);
    a point counts when the calculator accepts the spec there,
    which means every validity condition holds, and it fits ``budget`` tensor elements.

    Raises:
        TorchError: no valid point was found.
    """
    names = list(analysis.symbols)
    parsed = parse(analysis.source)
    fixed = dict(analysis.substitutions)
    # One round point first, then seeded mixes (so the points differ symbol by symbol), then
    # every symbol at one value, which satisfies most conditions of the form n + 2*p >= f.
    # A condition on one symbol alone (n >= 100) also offers its bound and twice it.
    pools = {n: list(SAMPLE_VALUES) for n in names}
    for constraint in analysis.constraints:
        if constraint.key in pools and constraint.bound > 0:
            pools[constraint.key] += [constraint.bound, 2 * constraint.bound]
    rng = random.Random(0)
    tries = [dict.fromkeys(names, SAMPLE_VALUES[0])]
    tries += [{n: rng.choice(pools[n]) for n in names} for _ in range(300)]
    tries += [dict.fromkeys(names, v) for v in SAMPLE_VALUES]
    found: list[Analysis] = []
    seen: set[tuple[int, ...]] = set()
    for point in tries:
        key = tuple(point[n] for n in names)
        if key in seen:
            continue
        seen.add(key)
        try:
            concrete = analyze_parsed(parsed, {**fixed, **point})
        except ShapecalcError:
            continue
        if budget is not None and tensor_elements(concrete, batch) > budget:
            continue
        found.append(concrete)
        if len(found) == count:
            break
    if not found:
        conditions = ", ".join(c.text for c in analysis.constraints) or "none recorded"
        raise TorchError.with_remedy(
            f"no sample point found where the spec is valid (valid when: {conditions})",
            Remedy(values=tuple(analysis.symbols)),
        )
    return found


#: Where torch keeps the Python shape functions ("meta kernels") that a forward pass on the
#: meta device runs, and the type-promotion wrappers around them.
_META_KERNEL_MODULES = ("torch._refs", "torch._decomp", "torch._prims", "torch._meta_registrations")


def run_meta_kernels_directly() -> int:
    """Spare a one-off process the 0.9 s import of ``torch._dynamo`` on its first meta pass.

    torch 2.x wraps many Python meta kernels (relu, where, batch_norm, ...) in
    ``torch._disable_dynamo``, which imports the whole compiler on a kernel's first call only
    to wrap it in a "compilation off" context, and caches that wrapped function on the kernel
    as ``__dynamo_disable``. Outside ``torch.compile`` the context changes nothing, so the
    wrapped function and the kernel compute the same thing; this caches the kernel itself.

    Process-wide and for a process that never compiles: only the ``shapecalc`` program calls
    it (see :data:`shapecalc.speedups.META_KERNELS`), never the library on a user's behalf. A
    torch built differently is left as it is (0 is returned) and merely starts slower.

    Returns:
        The number of kernels changed.
    """
    try:
        return _seed_dynamo_disable()
    except Exception:  # noqa: BLE001 - a speed-up only: a torch laid out otherwise runs as is
        return 0


def _seed_dynamo_disable() -> int:
    """The walk behind :func:`run_meta_kernels_directly`."""
    wrapper = getattr(getattr(torch, "_compile", None), "_disable_dynamo", None)
    if wrapper is None:
        return 0
    wrapper_code = getattr(wrapper(lambda: None), "__code__", None)
    if wrapper_code is None or "fn" not in wrapper_code.co_freevars:
        return 0
    fn_cell = wrapper_code.co_freevars.index("fn")
    changed = 0
    modules = [
        module
        for name, module in list(sys.modules.items())
        if module is not None and name.startswith(_META_KERNEL_MODULES)
    ]
    # The dynamo wrapper sits under out= and type-promotion wrappers, reached through their
    # closures (functools.wraps' __wrapped__ does not always lead to it).
    pending = [value for module in modules for value in list(vars(module).values())]
    seen: set[int] = set()
    while pending:
        value = pending.pop()
        code = getattr(value, "__code__", None)
        if code is None or id(value) in seen:
            continue
        seen.add(id(value))
        if code is wrapper_code:
            kernel = value.__closure__[fn_cell].cell_contents
            if getattr(kernel, "__dynamo_disable", None) is None:
                setattr(kernel, "__dynamo_disable", kernel)
                changed += 1
        for cell in getattr(value, "__closure__", None) or ():
            try:
                pending.append(cell.cell_contents)
            except ValueError:  # an empty cell
                continue
    return changed


def check(
    analysis: Analysis, *, device: str = "cpu", batch: int = 1, seed: int = 0
) -> CheckResult:
    """Cross-check an analysis against torch (the API behind ``shapecalc check``).

    A concrete analysis is checked as it is; a symbolic one at a few sample points where it
    is valid (:func:`sample_points`), each reported.

    Raises:
        TorchError: bad device or batch, CUDA unavailable, or no valid sample point.
    """
    if batch < 1:
        raise TorchError(f"batch must be positive, got {batch}")
    _device(device)
    if analysis.symbols:
        budget = None if device == "meta" else SAMPLE_BUDGET
        points = sample_points(analysis, batch=batch, budget=budget)
    else:
        points = [analysis]
        needed = tensor_elements(analysis, batch)
        if device != "meta" and needed > CHECK_BUDGET:
            raise TorchError(
                f"checking this spec on {device} needs {needed:,} tensor elements "
                f"(over {CHECK_BUDGET:,}); use --device meta, which allocates none"
            )
    checked = [check_point(p, device=device, batch=batch, seed=seed) for p in points]
    return CheckResult(analysis, device, batch, tuple(checked))


__all__ = [
    "CheckResult",
    "LayerCheck",
    "PointCheck",
    "TorchRow",
    "build",
    "build_module",
    "check",
    "check_point",
    "non_trainable_count",
    "random_input",
    "run_meta_kernels_directly",
    "run_layer",
    "run_merge",
    "sample_points",
    "torch_class",
    "torch_row",
    "torch_rows",
    "trainable_count",
]
