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
them when the model is built), at the input shape the model was built for.

Every layer with no layer kind is collected and refused in one message naming each by name
and class (:func:`~shapecalc.imports.graph.unsupported_error`).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from ..errors import ModelImportError
from ..kerasbackend import load_keras
from ..layers import Layer, conv, deconv, dense, norm, pool, reshape
from ..layers import activation as act
from ..layers.conv import same_pad
from ..shape import Shape
from .graph import INPUT, Graph, Node, Unsupported, unsupported_error

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


def _conv_layer(layer: Any, inp: Shape, pads: tuple[tuple[int, int], ...] | None) -> Layer:
    """Conv1D/2D/3D and DepthwiseConv1D/2D; ``pads``: a ZeroPadding folded into it."""
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
    if pads is not None:  # zero padding first, then valid
        spatial = [int(n) - a - b for n, (a, b) in zip(inp.spatial, pads)]
        eff = [(k, s, d) for k, s, d in zip(kernel, stride, dilation)]
        if all(a == b for a, b in pads):
            pad = _short(tuple(a for a, _ in pads))
        elif list(pads) == [same_pad(n, k, s, d) for n, (k, s, d) in zip(spatial, eff)]:
            same = True
        else:
            raise _Refused(f"asymmetric zero padding {pads} before it")
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


def _pool_layer(layer: Any, inp: Shape, pads: tuple[tuple[int, int], ...] | None) -> Layer:
    kind = pool.MaxPool if type(layer).__name__.startswith("Max") else pool.AvgPool
    window = _tuple(layer.pool_size)
    stride = _tuple(layer.strides) if layer.strides is not None else window
    same = str(layer.padding) == "same"
    pad = None
    if pads is not None:
        if not all(a == b for a, b in pads):
            spatial = [int(n) - a - b for n, (a, b) in zip(inp.spatial, pads)]
            fits = [same_pad(n, k, s) for n, k, s in zip(spatial, window, stride)]
            if kind is not pool.MaxPool or list(pads) != fits:
                raise _Refused(f"asymmetric zero padding {pads} before it")
            same = True
        else:
            pad = _short(tuple(a for a, _ in pads))
    return kind(
        window=_short(window),
        stride=None if stride == window else _short(stride),
        pad=pad,
        same=same,
    )


def _layers_of(layer: Any, inp: Shape, pads: tuple[tuple[int, int], ...] | None) -> list[Layer]:
    """The layer kinds (in order) that compute a Keras layer on ``inp`` (channels last)."""
    cls = type(layer).__name__
    name = cls.rstrip("123D") if cls[-2:] in ("1D", "2D", "3D") else cls
    found: list[Layer]
    if name in ("Conv", "DepthwiseConv"):
        found = [_conv_layer(layer, inp, pads)]
    elif pads is not None:
        raise _Refused("zero padding before a layer that takes none")
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
            conv.Conv(kernel=(1,) * len(kernel), filters=int(layer.filters), bias=bool(layer.use_bias)),
        ]
    elif name == "ConvTranspose" or cls.endswith("DTranspose"):
        padding = str(layer.padding)
        if layer.output_padding is not None:
            raise _Refused("output_padding has no Keras-mode spec form")
        found = [
            deconv.Deconv(
                kernel=_tuple(layer.kernel_size),
                filters=int(layer.filters),
                mode=padding,
                stride=_short(_tuple(layer.strides)),
                dilation=_short(_tuple(layer.dilation_rate)),
                bias=bool(layer.use_bias),
            )
        ]
    elif name == "Dense":
        if not inp.is_flat:
            raise _Refused(f"Dense on the map {inp} acts on its last axis only")
        found = [dense.Dense(int(layer.units), bool(layer.use_bias))]
    elif name in ("MaxPooling", "AveragePooling", "MaxPool", "AvgPool"):
        found = [_pool_layer(layer, inp, pads)]
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
    return tuple(
        (int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1])) for v in items
    )


def _shape(tensor: Any) -> Shape:
    return Shape(tuple(int(d) for d in tuple(tensor.shape)[1:]))


#: Keras merge layers, by the graph's merge node kind.
_MERGES = {"Add": "add", "Concatenate": "concat", "Multiply": "mul"}


def keras_graph(model: Any, input_shape: Shape | None = None, name: str | None = None) -> Graph:
    """The graph of a built Keras functional or Sequential model.

    ``input_shape`` (channels last) replaces the model's own (then the model is rebuilt on
    it, by calling it); by default the model's input shape, which must be fully known.

    Raises:
        ModelImportError: the model has several inputs or outputs, a size that is not known,
            or layers without a layer kind (all named in one message).
    """
    keras = load_keras()
    title = name or type(model).__name__
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ModelImportError(f"cannot import {title}: it has several inputs or outputs")
    if input_shape is not None:
        if any(not isinstance(d, int) for d in input_shape.dims):
            raise ModelImportError(
                "a Keras model is imported at fixed sizes; give --input numbers (224x224x3)"
            )
        inputs = keras.Input(shape=tuple(int(d) for d in input_shape.dims))
        model = keras.Model(inputs, model(inputs))
        layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
        if len(layers) == 1 and isinstance(layers[0], keras.Model):
            model = layers[0]
    dims = tuple(model.inputs[0].shape)[1:]
    if any(d is None for d in dims):
        raise ModelImportError(
            f"cannot import {title}: its input {dims} has sizes Keras does not know; "
            "give them with --input"
        )
    graph = Graph(Shape(tuple(int(d) for d in dims)), [], "", title)
    names = {model.inputs[0]._keras_history.operation.name: INPUT}
    problems: list[Unsupported] = []
    pending: dict[str, tuple[str, tuple[tuple[int, int], ...], Shape]] = {}
    users: dict[str, int] = {}
    for layer in model.layers:
        for node in layer._inbound_nodes[:1]:
            for tensor in node.input_tensors:
                source = tensor._keras_history.operation.name
                users[source] = users.get(source, 0) + 1
    for layer in model.layers:
        cls = type(layer).__name__
        if cls == "InputLayer":
            continue
        if len(layer._inbound_nodes) != 1:
            problems.append(Unsupported(layer.name, cls, "used more than once"))
            continue
        node = layer._inbound_nodes[0]
        sources = [t._keras_history.operation.name for t in node.input_tensors]
        if any(source not in names for source in sources):
            problems.append(Unsupported(layer.name, cls, "after a layer that was refused"))
            names[layer.name] = names.get(sources[0], INPUT)
            continue
        inputs = tuple(names[source] for source in sources)
        inp = _shape(node.input_tensors[0])
        if cls in _MERGES:
            if cls == "Concatenate" and int(layer.axis) not in (-1, len(inp.dims)):
                problems.append(Unsupported(layer.name, cls, "concatenates another axis"))
                continue
            graph.nodes.append(Node(layer.name, _MERGES[cls], inputs, origin=cls, path=layer.name))
            names[layer.name] = layer.name
            continue
        if cls == "Chunk":
            _chunk(graph, layer, inputs[0], names)
            continue
        if cls.startswith("ZeroPadding") and users.get(layer.name) == 1:
            pairs = _pairs(layer.padding, inp.spatial_rank)
            if not all(a == b for a, b in pairs):  # folded into the layer it feeds
                pending[layer.name] = (inputs[0], pairs, inp)
                names[layer.name] = inputs[0]
                continue
        pads = None
        if sources and sources[0] in pending:
            before, pads, _ = pending.pop(sources[0])
            inputs = (before,)
        try:
            kinds = _layers_of(layer, inp, pads)
        except _Refused as err:
            problems.append(Unsupported(layer.name, cls, str(err)))
            names[layer.name] = inputs[0]
            continue
        current = inputs[0]
        for i, kind in enumerate(kinds):
            node_name = layer.name if i == 0 else f"{layer.name}:{kind.keyword}"
            graph.nodes.append(
                Node(node_name, "layer", (current,), kind, origin=cls, path=layer.name)
            )
            current = node_name
        names[layer.name] = current
    for left, (_, pairs, _) in pending.items():
        problems.append(Unsupported(left, "ZeroPadding2D", f"asymmetric zero padding {pairs}"))
    if problems:
        raise unsupported_error(title, problems)
    graph.output = names[model.outputs[0]._keras_history.operation.name]
    return graph


def _chunk(graph: Graph, layer: Any, source: str, names: dict[str, str]) -> None:
    """shapecalc's own Chunk layer: part ``index`` of a split of ``source``."""
    split = f"{source}:split{int(layer.chunks)}"
    if not any(node.name == split for node in graph.nodes):
        graph.nodes.append(Node(split, "split", (source,), index=int(layer.chunks), origin="Chunk"))
    graph.nodes.append(
        Node(layer.name, "part", (split,), index=int(layer.index), origin="Chunk", path=layer.name)
    )
    names[layer.name] = layer.name


def custom_objects() -> dict[str, Any]:
    """The Keras layers shapecalc defines, for loading a saved model that uses them."""
    from .. import kerasmodules

    names = ("LocalResponseNorm", "LayerScale", "ChannelShuffle", "Chunk")
    return {name: getattr(kerasmodules, name) for name in names}


def load_model(target: str, kwargs: dict[str, Any] | None = None) -> Any:
    """The Keras model a target names: a saved ``.keras`` file, or ``MODULE:NAME`` with
    ``NAME`` a ``keras.Model`` or a factory of one (called with ``kwargs``).

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
            raise ModelImportError(f"{target} is not a Keras model file: {_first_line(err)}") from None
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
        try:
            value = value(**(kwargs or {}))
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
