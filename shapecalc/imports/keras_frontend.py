"""The Keras frontend of ``shapecalc import``: a Keras 3 model as a
:class:`~shapecalc.imports.graph.Graph`.

A functional (or Sequential) model already is a graph: every layer's inbound node names the
layers whose outputs it takes. So no tracing is needed: the layers are walked in the
model's own (topological) order, each read by its class into a layer kind, and ``Add``,
``Concatenate`` and ``Multiply`` become merge nodes; the block recognition, the factoring and
the text are the shared ones of :mod:`shapecalc.imports`.

The reading is the reverse of :mod:`shapecalc.kerascode`, Keras' terms to the calculator's:
``padding="same"``/``"valid"``/``"causal"`` are the spec's ``same``/valid/``causal``; a
layer's ``activation=`` is an activation row after it; ``SeparableConv2D`` is a depthwise
convolution without bias and a 1x1 convolution; an asymmetric ``ZeroPadding2D`` before a
valid convolution or pooling that pads exactly as ``same`` would (Keras' applications pad
so, ``((0, 1), (0, 1))`` before a stride-2 conv) is that layer's ``same``. The layers that
shapecalc's Keras code defines (``LocalResponseNorm``, ``LayerScale``, ``ChannelShuffle``,
``Chunk``) read back as their kinds. Shapes come from the model's own tensors (Keras infers
them when the model is built), at the input shape the model was built for or rebuilt at.

A symbolic input (``HxWx3``) is read as the torch import reads one: the model is rebuilt with
each symbol at :data:`~shapecalc.imports.graph.SAMPLE_SIZE`, and the graph keeps the symbols.
Nothing read may depend on that size: a zero padding is folded into a following layer's
``same`` only when it is that ``same`` at every size of a symbolic dim.

A nested model (a ``Sequential`` or functional model used as a layer) is walked into: its
layers join the graph as the outer model's, named ``outer/inner``, inside a
:class:`~shapecalc.imports.graph.Scope` of the nested model (a ``Sequential`` is a pure
container). ``keras.ops`` calls in a functional graph are operations, not layers: ``x + y``
and ``x * y`` of two tensors are merges, ``relu6(x + 3) * (1/6)`` (MobileNetV3's hard sigmoid)
is ``hardsigmoid``, and any other is refused.

Every layer with no layer kind is collected and refused in one message naming each by name
and class (:func:`~shapecalc.imports.graph.unsupported_error`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ModelImportError
from ..kerasbackend import load_keras
from ..layers import Layer, conv, deconv, dense, norm, pool, reshape
from ..layers import activation as act
from ..layers.conv import same_pad
from ..shape import Shape
from ..symbolic import is_concrete
from .graph import INPUT, Graph, Node, Scope, Unsupported, sample_dims, unsupported_error

#: Keras activation names, by the layer kind computing them (``linear``: none).
ACTIVATIONS: dict[str, type[Layer] | None] = {
    "linear": None,
    "relu": act.ReLU,
    "sigmoid": act.Sigmoid,
    "tanh": act.Tanh,
    "softmax": act.Softmax,
    "gelu": act.GELU,
    "elu": act.ELU,
    "silu": act.SiLU,
    "swish": act.SiLU,
    "hard_swish": act.Hardswish,
    "hard_silu": act.Hardswish,
    "hard_sigmoid": act.Hardsigmoid,
    "mish": act.Mish,
    "softplus": act.Softplus,
}


class _Refused(Exception):
    """A Keras layer (or one of its settings) without a layer kind: the reason."""


class _NoFold(Exception):
    """The zero padding before a layer is no setting of its kind: it stays a row."""


def _tuple(value: Any) -> tuple[int, ...]:
    return tuple(int(v) for v in value) if isinstance(value, tuple | list) else (int(value),)


def _short(values: tuple[int, ...]) -> tuple[int, ...]:
    """``(2, 2)`` -> ``(2,)``: the spec's short form."""
    return values[:1] if len(set(values)) == 1 else values


def _activation_name(layer: Any) -> str:
    function = getattr(layer, "activation", None)
    if function is None:
        return "linear"
    return str(getattr(function, "__name__", function))


def _activation_layer(name: str) -> Layer | None:
    if name not in ACTIVATIONS:
        raise _Refused(f"activation {name!r} has no layer kind")
    kind = ACTIVATIONS[name]
    return None if kind is None else kind()


#: Zero padding before a layer, (before, after) per spatial dim.
Pads = tuple[tuple[int, int], ...]


def _pads_as_same(
    pads: Pads, spatial: list[int], windows: list[tuple[int, int, int]], free: tuple[bool, ...]
) -> bool:
    """Whether ``pads`` before a valid window (kernel, stride, dilation per dim) on a map of
    ``spatial`` sizes is the spec's ``same``: at this size, and along a symbolic dim (``free``)
    at every size it takes. ``same`` pads ``(-n mod s) + d*(k - 1) + 1 - s`` in all, so the
    sizes ``n .. n + s - 1`` are all the cases: ``((0, 1), (0, 1))`` before a stride-2 3x3
    conv is ``same`` at even sizes only, and refused for ``H``."""
    for n, pair, (k, s, d), symbolic in zip(spatial, pads, windows, free, strict=True):
        sizes = range(n, n + s) if symbolic else (n,)
        if any(same_pad(m, k, s, d) != pair for m in sizes):
            return False
    return True


def _conv_layer(layer: Any, inp: Shape, pads: Pads | None, free: tuple[bool, ...]) -> Layer:
    """Conv1D/2D/3D and DepthwiseConv1D/2D; ``pads``: a ZeroPadding folded into it;
    ``free``: which spatial dims are symbolic."""
    cls = type(layer).__name__
    kernel = _tuple(layer.kernel_size)
    stride = _tuple(layer.strides)
    dilation = _tuple(layer.dilation_rate)
    padding = str(layer.padding)
    depthwise = cls.startswith("Depthwise")
    channels = int(inp.channels)
    filters = channels * int(layer.depth_multiplier) if depthwise else int(layer.filters)
    groups = 1 if depthwise else int(getattr(layer, "groups", 1))
    same = padding == "same"
    pad = None
    if pads is not None and padding != "valid":
        raise _NoFold
    if pads is not None:  # zero padding first, then valid
        spatial = [int(n) - a - b for n, (a, b) in zip(inp.spatial, pads)]
        eff = [(k, s, d) for k, s, d in zip(kernel, stride, dilation)]
        if all(a == b for a, b in pads):
            pad = _short(tuple(a for a, _ in pads))
        elif _pads_as_same(pads, spatial, eff, free):
            same = True
        else:
            raise _NoFold
    return conv.Conv(
        kernel=kernel,
        filters=filters,
        pad=pad,
        same=same,
        stride=_short(stride),
        dilation=_short(dilation),
        groups=1 if depthwise or groups == channels > 1 else groups,
        depthwise=depthwise or groups == channels > 1,
        bias=bool(layer.use_bias),
        causal=padding == "causal",
    )


def _pool_layer(layer: Any, inp: Shape, pads: Pads | None, free: tuple[bool, ...]) -> Layer:
    kind = pool.MaxPool if type(layer).__name__.startswith("Max") else pool.AvgPool
    window = _tuple(layer.pool_size)
    stride = _tuple(layer.strides) if layer.strides is not None else window
    same = str(layer.padding) == "same"
    pad = None
    if pads is not None:
        if same:
            raise _NoFold
        spatial = [int(n) - a - b for n, (a, b) in zip(inp.spatial, pads)]
        windows = [(k, s, 1) for k, s in zip(window, stride)]
        if kind is pool.MaxPool and _pads_as_same(pads, spatial, windows, free):
            same = True  # Keras' applications pad so before a stride-2 max pool
        elif kind is pool.AvgPool and all(a == b for a, b in pads):
            pad = _short(tuple(a for a, _ in pads))  # zeros counted, as torch's pad does
        else:
            raise _NoFold  # zeros, where the spec's max pooling pads with -inf
    return kind(
        window=_short(window),
        stride=None if stride == window else _short(stride),
        pad=pad,
        same=same,
    )


def _layers_of(
    layer: Any, inp: Shape, pads: Pads | None, free: tuple[bool, ...] = ()
) -> list[Layer]:
    """The layer kinds (in order) that compute a Keras layer on ``inp`` (channels last, at
    the sample size); ``free``: which spatial dims are symbolic in the spec."""
    free = free or (False,) * inp.spatial_rank
    cls = type(layer).__name__
    name = cls.rstrip("123D") if cls[-2:] in ("1D", "2D", "3D") else cls
    found: list[Layer]
    if name in ("Conv", "DepthwiseConv"):
        found = [_conv_layer(layer, inp, pads, free)]
    elif pads is not None:
        raise _NoFold
    elif name == "SeparableConv":
        kernel = _tuple(layer.kernel_size)
        channels = int(inp.channels) * int(layer.depth_multiplier)
        found = [
            conv.Conv(
                kernel=kernel,
                filters=channels,
                same=str(layer.padding) == "same",
                stride=_short(_tuple(layer.strides)),
                dilation=_short(_tuple(layer.dilation_rate)),
                depthwise=True,
                bias=False,
            ),
            conv.Conv(
                kernel=(1,) * len(kernel), filters=int(layer.filters), bias=bool(layer.use_bias)
            ),
        ]
    elif name == "ConvTranspose" or cls.endswith("DTranspose"):
        padding = str(layer.padding)
        kernel = _tuple(layer.kernel_size)
        dilation = _tuple(layer.dilation_rate)
        pad, outpad = None, None
        if layer.output_padding is not None:
            # Keras: out = (n - 1)*s + K - 2*(K//2 if same else 0) + output_padding, torch's
            # formula with that padding.
            outpad = _short(_tuple(layer.output_padding))
            if padding == "same":
                pad = _short(tuple((d * (k - 1) + 1) // 2 for k, d in zip(kernel, dilation)))
            padding = "torch"
        found = [
            deconv.Deconv(
                kernel=kernel,
                filters=int(layer.filters),
                mode=padding,
                pad=pad,
                outpad=outpad,
                stride=_short(_tuple(layer.strides)),
                dilation=_short(dilation),
                bias=bool(layer.use_bias),
            )
        ]
    elif name == "Dense":
        if inp.is_flat:
            found = [dense.Dense(int(layer.units), bool(layer.use_bias))]
        else:  # on the channels of each position (ConvNeXt): a 1x1 convolution
            ones = (1,) * inp.spatial_rank
            found = [conv.Conv(kernel=ones, filters=int(layer.units), bias=bool(layer.use_bias))]
    elif name in ("MaxPooling", "AveragePooling", "MaxPool", "AvgPool"):
        found = [_pool_layer(layer, inp, pads, free)]
    elif name in ("GlobalAveragePooling", "GlobalMaxPooling", "GlobalAvgPool", "GlobalMaxPool"):
        average = "Av" in name
        if bool(getattr(layer, "keepdims", False)):
            kind = pool.AdaptiveAvgPool if average else pool.AdaptiveMaxPool
            found = [kind((1,))]
        else:
            found = [pool.GlobalAvgPool() if average else pool.GlobalMaxPool()]
    elif name == "Flatten":
        found = [reshape.Flatten()]
    elif name == "ZeroPadding":  # symmetric, not folded into a following layer
        pairs = _pairs(layer.padding, inp.spatial_rank)
        if not all(a == b for a, b in pairs):
            raise _Refused(f"asymmetric zero padding {pairs}")
        found = [reshape.ZeroPad(_short(tuple(a for a, _ in pairs)))]
    elif name == "Cropping":
        pairs = _pairs(layer.cropping, inp.spatial_rank)
        if not all(a == b for a, b in pairs):
            raise _Refused(f"asymmetric cropping {pairs}")
        found = [reshape.Crop(_short(tuple(a for a, _ in pairs)))]
    elif name == "UpSampling":
        mode = str(getattr(layer, "interpolation", "nearest"))
        if mode not in ("nearest", "bilinear", "bicubic"):
            raise _Refused(f"interpolation {mode!r} has no layer kind")
        found = [reshape.Upsample(_short(_tuple(layer.size)), mode)]
    elif name == "BatchNormalization":
        if not (layer.center and layer.scale) or int(layer.axis) not in (-1, len(inp.dims)):
            raise _Refused("batch norm without its scale and shift, or not over the channels")
        found = [norm.BatchNorm()]
    elif name == "LayerNormalization":
        axes = _tuple(layer.axis)
        if axes not in ((-1,), (len(inp.dims),)) or not layer.scale:
            raise _Refused("layer norm over other axes than the channels, or without its scale")
        found = [norm.LayerNorm(bool(layer.center))]
    elif name == "GroupNormalization":
        if not layer.scale:
            raise _Refused("group norm without its scale")
        if int(layer.groups) == -1:
            found = [norm.InstanceNorm(True, bool(layer.center))]
        else:
            found = [norm.GroupNorm(int(layer.groups), bool(layer.center))]
    elif name == "Activation":
        one = _activation_layer(_activation_name(layer))
        found = [one] if one is not None else []
    elif name == "ReLU":
        if float(layer.negative_slope) != 0 or float(layer.threshold) != 0:
            raise _Refused("ReLU with a slope or threshold; use LeakyReLU")
        cap = layer.max_value
        if cap is not None and float(cap) != int(cap):
            raise _Refused(f"ReLU(max_value={cap}) has no whole cap")
        found = [act.ReLU(None if cap is None else int(cap))]
    elif name == "LeakyReLU":
        found = [act.LeakyReLU(float(layer.negative_slope))]
    elif name == "ELU":
        found = [act.ELU()]
    elif name == "Softmax":
        if _tuple(layer.axis) not in ((-1,), (len(inp.dims),)):
            raise _Refused("softmax over other axes than the channels")
        found = [act.Softmax()]
    elif name == "PReLU":
        shared = set(_tuple(layer.shared_axes or ()))
        rank = len(inp.dims)
        if shared == set(range(1, rank + 1)):
            found = [act.PReLU(False)]
        elif shared == set(range(1, rank)):
            found = [act.PReLU(True)]
        else:
            raise _Refused("PReLU with a slope per element (shared_axes names no spatial axes)")
    elif name in ("Dropout", "SpatialDropout"):
        noise = getattr(layer, "noise_shape", None)
        rate = float(layer.rate)
        if noise is not None and all(d == 1 for d in list(noise)[1:]):
            found = [act.DropPath(rate)]
        else:
            found = [act.Dropout(rate)]
    elif name == "Reshape":
        target = Shape(_tuple(layer.target_shape))
        if _orders_differ(inp) or _orders_differ(target):
            raise _Refused("reads values channels last; the spec's reshape reads torch's order")
        found = [reshape.Reshape(target.dims)]
    elif name == "Permute":
        raise _Refused("permutes axes, which no layer kind does")
    elif name == "LocalResponseNorm":
        found = [norm.LocalResponseNorm(int(layer.size))]
    elif name == "LayerScale":
        found = [norm.LayerScale()]
    elif name == "ChannelShuffle":
        found = [reshape.ChannelShuffle(int(layer.groups))]
    elif name == "Identity":
        found = []
    else:
        raise _Refused("")
    fused = name in ("Conv", "DepthwiseConv", "SeparableConv", "Dense") or "Transpose" in cls
    after = _activation_layer(_activation_name(layer) if fused else "linear")
    return found + ([after] if after is not None else [])


def _orders_differ(shape: Shape) -> bool:
    positions = 1
    for d in shape.spatial:
        positions *= int(d)
    return positions > 1 and int(shape.channels) > 1


def _pairs(value: Any, rank: int) -> tuple[tuple[int, int], ...]:
    """Keras' padding or cropping argument as (before, after) per spatial dim."""
    if isinstance(value, int):
        return ((value, value),) * rank
    items = list(value)
    if rank == 1 and len(items) == 2 and all(isinstance(v, int) for v in items):
        return ((int(items[0]), int(items[1])),)
    return tuple((int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1])) for v in items)


def _shape(tensor: Any) -> Shape:
    return Shape(tuple(int(d) for d in tuple(tensor.shape)[1:]))


#: Keras merge layers, by the graph's merge node kind.
_MERGES = {"Add": "add", "Concatenate": "concat", "Multiply": "mul"}

#: keras.ops operations of two tensors that are merges.
_OP_MERGES = {"Add": "add", "Multiply": "mul"}


def _pad_reason(err: _Refused, step: _Step, pads: Pads) -> str:
    """Why a zero padding is refused; when it is the next layer's ``same`` at the sample size
    only, that it holds at some sizes of a symbolic dim only."""
    try:
        _layers_of(step.op, step.shapes[0], pads)
    except (_Refused, _NoFold):
        return str(err)
    return (
        f"{err}, which is {step.name}'s same at some sizes only, not at every size of the "
        "symbolic input; import at fixed sizes"
    )


@dataclass(frozen=True)
class _Step:
    """One call of a Keras layer or operation, a nested model's layers flattened into the
    outer graph.

    Attributes:
        op: the layer or operation.
        name: unique: a nested model's layers are ``outer/inner`` (Keras keeps layer names
            unique within one model only).
        sources: the steps whose outputs it takes, in order (:data:`INPUT`: the model's).
        shapes: those inputs' shapes, channels last, without the batch.
        scopes: the nested models around it, outermost first.
        constants: the call's arguments that are no tensors (``x + 3``'s 3).
        kinds: the layer kinds it is read as, where a pattern of several steps decided them.
        origin: what made it, for the spec's comments (the class, by default).
    """

    op: Any
    name: str
    sources: tuple[str, ...]
    shapes: tuple[Shape, ...]
    scopes: tuple[Scope, ...] = ()
    constants: tuple[Any, ...] = ()
    kinds: tuple[Layer, ...] | None = None
    origin: str = ""


class _Flattener:
    """The steps of a model in an order where each comes after its inputs, nested models
    (a ``Sequential`` or functional model used as a layer: ConvNeXt's stem) walked into."""

    def __init__(self, keras: Any) -> None:
        self.keras = keras
        self.steps: list[_Step] = []
        self.problems: list[Unsupported] = []
        self.called: set[int] = set()

    def run(
        self,
        model: Any,
        source: str,
        tensor: Any,
        prefix: str = "",
        scopes: tuple[Scope, ...] = (),
    ) -> tuple[str, Any]:
        """Walks ``model``'s graph from the value ``source`` (``tensor`` is its Keras tensor);
        the value and tensor of the model's output.

        A nested model's own graph was built at the sizes of its first call, which need not
        be the sizes it sees here, so its layers are called again on the tensors that reach
        them (a symbolic call: Keras infers the shapes, no arithmetic); the outer model's
        nodes carry its shapes already."""
        nested = bool(scopes)
        names = {id(model.inputs[0]): source}
        tensors = {id(model.inputs[0]): tensor}
        for node in _nodes_in_order(model):
            op = node.operation
            if node.is_input or type(op).__name__ == "InputLayer":
                continue
            given = list(node.input_tensors)
            sources = tuple(names[id(t)] for t in given)
            shapes = tuple(_shape(tensors[id(t)]) for t in given)
            name = prefix + op.name
            cls = type(op).__name__
            if isinstance(op, self.keras.Model):
                if len(op.inputs) != 1 or len(op.outputs) != 1 or len(given) != 1:
                    self.problems.append(Unsupported(name, cls, "several inputs or outputs"))
                    out_name, out = sources[0] if sources else INPUT, tensor
                else:
                    scope = Scope(name, cls, isinstance(op, self.keras.Sequential))
                    out_name, out = self.run(
                        op, sources[0], tensors[id(given[0])], f"{name}/", (*scopes, scope)
                    )
            else:
                if id(op) in self.called:
                    self.problems.append(
                        Unsupported(name, cls, "called twice (shared weights): no spec form")
                    )
                self.called.add(id(op))
                if nested:
                    args, kwargs = node.arguments.fill_in(tensors)
                    outputs = op(*args, **kwargs)
                else:
                    outputs = node.outputs
                found = list(outputs) if isinstance(outputs, list | tuple) else [outputs]
                if len(found) != 1:
                    self.problems.append(Unsupported(name, cls, "gives several tensors"))
                constants = tuple(
                    a for a in node.arguments.args if not isinstance(a, self.keras.KerasTensor)
                )
                self.steps.append(_Step(op, name, sources, shapes, scopes, constants))
                out_name, out = name, found[0]
            for t in node.outputs:
                names[id(t)] = out_name
                tensors[id(t)] = out
        result = model.outputs[0]
        return names[id(result)], tensors[id(result)]


def _nodes_in_order(model: Any) -> list[Any]:
    """The nodes the model's output is computed through, each after its inputs' (a layer of
    a loaded or rebuilt model keeps nodes of other graphs too, which are left out)."""
    order: list[Any] = []
    done: set[int] = set()
    pending: list[tuple[Any, bool]] = [(model.outputs[0], False)]
    while pending:  # depth first, without recursion: ResNet-152 is 500 layers deep
        tensor, inputs_done = pending.pop()
        operation, index, _ = tensor._keras_history
        node = operation._inbound_nodes[index]
        if id(node) in done:
            continue
        if inputs_done:
            done.add(id(node))
            order.append(node)
            continue
        pending.append((tensor, True))
        pending.extend((t, False) for t in reversed(node.input_tensors))
    return order


def _is_number(value: Any, target: float) -> bool:
    return isinstance(value, int | float) and abs(float(value) - target) < 1e-9


def _fold_hard_sigmoids(steps: list[_Step], keras: Any) -> list[_Step]:
    """keras.ops' ``relu6(x + 3) * (1/6)`` (MobileNetV3's ``hard_sigmoid``), three steps, as
    one ``hardsigmoid`` step (the same values, shapes and no parameters)."""
    users: dict[str, list[_Step]] = {}
    for step in steps:
        for source in step.sources:
            users.setdefault(source, []).append(step)

    def only_user(step: _Step) -> _Step | None:
        found = users.get(step.name, [])
        return found[0] if len(found) == 1 and found[0].sources == (step.name,) else None

    def is_op(step: _Step, cls: str, constant: float) -> bool:
        return (
            not isinstance(step.op, keras.layers.Layer)
            and type(step.op).__name__ == cls
            and len(step.sources) == 1
            and len(step.constants) == 1
            and _is_number(step.constants[0], constant)
        )

    out: list[_Step] = []
    dropped: set[str] = set()
    for step in steps:
        if step.name in dropped:
            continue
        relu = only_user(step) if is_op(step, "Add", 3) else None
        scale = only_user(relu) if relu is not None else None
        if (
            relu is not None
            and scale is not None
            and type(relu.op).__name__ == "ReLU"
            and _is_number(relu.op.max_value, 6)
            and _is_number(relu.op.negative_slope, 0)
            and _is_number(relu.op.threshold, 0)
            and is_op(scale, "Multiply", 1 / 6)
        ):
            out.append(
                _Step(
                    scale.op,
                    scale.name,
                    step.sources,
                    step.shapes,
                    step.scopes,
                    kinds=(act.Hardsigmoid(),),
                    origin="relu6(x + 3) / 6",
                )
            )
            dropped |= {relu.name, scale.name}
            continue
        out.append(step)
    return out


def _rebuild(keras: Any, model: Any, inputs: Any) -> Any:
    """``model`` rebuilt on the tensor ``inputs`` with new layers (``clone_model``). A nested
    model is rebuilt where it is called, on the tensor that reaches it: Keras' own copy would
    keep the sizes it was first built at, which a nested model with an input shape (the stem
    of ConvNeXt) then refuses."""
    if isinstance(model, keras.Sequential):  # Keras takes no call_function for one
        return keras.models.clone_model(model, input_tensors=inputs)

    def clone(layer: Any) -> Any:
        if isinstance(layer, keras.Model):
            return layer  # rebuilt by call, once its input is known
        return layer.__class__.from_config(layer.get_config())

    def call(layer: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(layer, keras.Model) and args:
            layer = _rebuild(keras, layer, keras.Input(batch_shape=tuple(args[0].shape)))
        return layer(*args, **kwargs)

    return keras.models.clone_model(
        model, input_tensors=inputs, clone_function=clone, call_function=call
    )


def keras_graph(model: Any, input_shape: Shape | None = None, name: str | None = None) -> Graph:
    """The graph of a built Keras functional or Sequential model.

    ``input_shape`` (channels last) replaces the model's own: the model is rebuilt on it
    (``keras.models.clone_model``), each symbol (``HxWx3``) at
    :data:`~shapecalc.imports.graph.SAMPLE_SIZE`, and the graph keeps the symbols; by
    default the model's input shape, which must be fully known.

    Raises:
        ModelImportError: the model has several inputs or outputs, a size that is not known,
            or layers without a layer kind (all named in one message).
    """
    keras = load_keras()
    title = name or type(model).__name__
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ModelImportError(f"cannot import {title}: it has several inputs or outputs")
    if input_shape is not None:
        sample = sample_dims(input_shape)
        if tuple(model.inputs[0].shape)[1:] != sample:
            inputs = keras.Input(shape=sample)
            try:  # the layers rerun on the new input, each with its new shapes
                model = _rebuild(keras, model, inputs)
            except Exception as err:  # the model's layers refuse that input
                run = "" if sample == input_shape.dims else f" (run at {Shape(sample)})"
                raise ModelImportError(
                    f"cannot import {title} at {input_shape}{run}: {_first_line(err)}"
                ) from None
    dims = tuple(model.inputs[0].shape)[1:]
    if any(d is None for d in dims):
        raise ModelImportError(
            f"cannot import {title}: its input {dims} has sizes Keras does not know; "
            "give the input shape (224x224x3, or HxWx3 to keep them symbolic)"
        )
    shape = input_shape if input_shape is not None else Shape(tuple(int(d) for d in dims))
    free = tuple(not is_concrete(d) for d in shape.spatial)
    flattener = _Flattener(keras)
    output, _ = flattener.run(model, INPUT, model.inputs[0])
    steps = _fold_hard_sigmoids(flattener.steps, keras)
    graph = _read_steps(steps, output, Graph(shape, [], "", title), free, flattener.problems)
    return graph


def _read_steps(
    steps: list[_Step],
    output: str,
    graph: Graph,
    free: tuple[bool, ...],
    problems: list[Unsupported],
) -> Graph:
    """The graph's nodes from the steps, each layer read into its kinds (see the module
    docstring); ``output``: the step the model returns."""
    keras = load_keras()
    names = {INPUT: INPUT}
    pending: dict[str, tuple[str, Pads, _Step]] = {}
    users: dict[str, int] = {}
    for step in steps:
        for source in step.sources:
            users[source] = users.get(source, 0) + 1
    for step in steps:
        layer, cls = step.op, type(step.op).__name__
        is_layer = isinstance(layer, keras.layers.Layer)
        # keras.ops' x + y and x * y of two tensors (ConvNeXt's residual) are merges too.
        merge = (
            _MERGES.get(cls)
            if is_layer
            else _OP_MERGES.get(cls)
            if len(step.sources) == 2 and not step.constants
            else None
        )
        if step.kinds is None and not is_layer and merge is None:
            problems.append(Unsupported(step.name, cls, "an operation (keras.ops), no layer"))
            names[step.name] = names.get(step.sources[0], INPUT) if step.sources else INPUT
            continue
        sources = step.sources
        if any(source not in names for source in sources):
            problems.append(Unsupported(step.name, cls, "after a layer that was refused"))
            names[step.name] = names.get(sources[0], INPUT)
            continue
        inputs = tuple(names[source] for source in sources)
        inp = step.shapes[0]
        if step.kinds is not None:
            current = inputs[0]
            for i, kind in enumerate(step.kinds):
                node_name = step.name if i == 0 else f"{step.name}:{kind.keyword}"
                graph.nodes.append(
                    Node(node_name, "layer", (current,), kind, step.scopes, step.origin, step.name)
                )
                current = node_name
            names[step.name] = current
            continue
        if merge is not None:
            if cls == "Concatenate" and int(layer.axis) not in (-1, len(inp.dims)):
                problems.append(Unsupported(step.name, cls, "concatenates another axis"))
                continue
            graph.nodes.append(Node(step.name, merge, inputs, None, step.scopes, cls, step.name))
            names[step.name] = step.name
            continue
        if cls == "Chunk":
            _chunk(graph, step, inputs[0], names)
            continue
        if cls.startswith("ZeroPadding") and users.get(step.name) == 1:
            # Folded into the layer it feeds when that layer's kind pads so (conv pad3);
            # a row of its own otherwise (see _NoFold).
            pending[step.name] = (inputs[0], _pairs(layer.padding, inp.spatial_rank), step)
            names[step.name] = inputs[0]
            continue
        padded = pending.pop(sources[0], None) if sources else None
        in_pad = False  # the padding's own row is refused, not the layer
        try:
            try:
                kinds = _layers_of(layer, inp, padded[1] if padded else None, free)
                if padded:
                    inputs = (padded[0],)
            except _NoFold:
                assert padded is not None
                kinds = _layers_of(layer, inp, None, free)
                pad = padded[2]
                in_pad = True
                pad_kinds = _layers_of(pad.op, pad.shapes[0], None, free)
                in_pad = False
                graph.nodes.append(
                    Node(
                        pad.name,
                        "layer",
                        (padded[0],),
                        pad_kinds[0],
                        pad.scopes,
                        type(pad.op).__name__,
                        pad.name,
                    )
                )
                inputs = (pad.name,)
        except _Refused as err:
            if padded is not None and in_pad:
                pad = padded[2]
                problems.append(
                    Unsupported(pad.name, type(pad.op).__name__, _pad_reason(err, step, padded[1]))
                )
            else:
                problems.append(Unsupported(step.name, cls, str(err)))
            names[step.name] = inputs[0]
            continue
        current = inputs[0]
        for i, kind in enumerate(kinds):
            node_name = step.name if i == 0 else f"{step.name}:{kind.keyword}"
            graph.nodes.append(
                Node(node_name, "layer", (current,), kind, step.scopes, cls, step.name)
            )
            current = node_name
        names[step.name] = current
    for left, (before, _, pad) in pending.items():  # padding the model's output
        try:
            pad_kinds = _layers_of(pad.op, pad.shapes[0], None, free)
        except _Refused as err:
            problems.append(Unsupported(left, type(pad.op).__name__, str(err)))
            continue
        graph.nodes.append(
            Node(left, "layer", (before,), pad_kinds[0], pad.scopes, "ZeroPadding", left)
        )
        names[left] = left
    if problems:
        raise unsupported_error(graph.model, problems)
    graph.output = names[output]
    return graph


def _chunk(graph: Graph, step: _Step, source: str, names: dict[str, str]) -> None:
    """shapecalc's own Chunk layer: part ``index`` of a split of ``source``."""
    layer = step.op
    split = f"{source}:split{int(layer.chunks)}"
    if not any(node.name == split for node in graph.nodes):
        graph.nodes.append(
            Node(
                split,
                "split",
                (source,),
                scopes=step.scopes,
                index=int(layer.chunks),
                origin="Chunk",
            )
        )
    graph.nodes.append(
        Node(
            step.name,
            "part",
            (split,),
            scopes=step.scopes,
            index=int(layer.index),
            origin="Chunk",
            path=step.name,
        )
    )
    names[step.name] = step.name


def custom_objects() -> dict[str, Any]:
    """The Keras layers shapecalc defines, for loading a saved model that uses them."""
    from .. import kerasmodules

    names = ("LocalResponseNorm", "LayerScale", "ChannelShuffle", "Chunk")
    return {name: getattr(kerasmodules, name) for name in names}


def load_model(target: str, kwargs: dict[str, Any] | None = None) -> Any:
    """The Keras model a target names: a saved ``.keras`` file, or ``MODULE:NAME`` with
    ``NAME`` a ``keras.Model`` or a factory of one (called with ``kwargs``; a
    ``keras.applications`` factory with ``weights=None`` unless ``kwargs`` say otherwise:
    the architecture is what is imported, and the weights would be downloaded).

    Raises:
        ModelImportError: no such file or name, not a Keras model file, or no Keras model.
    """
    keras = load_keras()
    if target.endswith(".keras"):
        path = Path(target)
        if not path.is_file():
            raise ModelImportError(f"no file {target!r}")
        try:
            return keras.saving.load_model(path, compile=False, custom_objects=custom_objects())
        except Exception as err:  # a zip that is no Keras model, a bad config, ...
            raise ModelImportError(
                f"{target} is not a Keras model file: {_first_line(err)}"
            ) from None
    module_name, sep, attribute = target.rpartition(":")
    if not sep or not module_name or not attribute:
        raise ModelImportError(
            f"{target!r} is not a .keras file or MODULE:NAME, as in keras.applications:VGG16"
        )
    try:
        if module_name.endswith(".py"):
            from .torch_frontend import _load_file

            source = _load_file(Path(module_name))
        else:
            source = importlib.import_module(module_name)
    except ModelImportError:
        raise
    except Exception as err:
        raise ModelImportError(f"importing {module_name}: {_first_line(err)}") from None
    value = getattr(source, attribute, None)
    if value is None:
        raise ModelImportError(f"{module_name} has no {attribute!r}")
    if not isinstance(value, keras.Model):
        if not callable(value):
            raise ModelImportError(f"{target} is a {type(value).__name__}, not a keras.Model")
        arguments = dict(kwargs or {})
        if module_name.startswith("keras.applications") and "weights" not in arguments:
            # A spec needs the architecture, not ImageNet's weights: without this the factory
            # downloads them (no network here: 40 s, then an error).
            arguments["weights"] = None
        try:
            value = value(**arguments)
        except Exception as err:
            raise ModelImportError(f"calling {target}: {_first_line(err)}") from None
    if not isinstance(value, keras.Model):
        raise ModelImportError(f"{target} gives a {type(value).__name__}, not a keras.Model")
    return value


def is_keras_target(target: str) -> bool:
    """Whether a target names a Keras model without loading it: a ``.keras`` file, or a
    module of the ``keras`` package."""
    return target.endswith(".keras") or target.split(":")[0].split(".")[0] in ("keras", "tf_keras")


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text.splitlines()[0] if text else ''}"


__all__ = ["ACTIVATIONS", "custom_objects", "is_keras_target", "keras_graph", "load_model"]
