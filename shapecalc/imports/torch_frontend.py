"""The PyTorch frontend of ``shapecalc import``: an ``nn.Module`` as a
:class:`~shapecalc.imports.graph.Graph`.

Why torch.fx and not forward hooks: the blocks of a spec come from the data flow *between*
modules, and most of it is not in modules at all: ResNet's ``out += identity``, Inception's
``torch.cat``, ``torch.flatten``, ``F.relu``, MNASNet's ``x.mean([2, 3])``, squeeze-and-
excitation's ``scale * x``. Hooks see module calls only, so they can neither find those
operations nor say which tensor went where; fx's symbolic trace records every call with its
arguments, and with ``nn_module_stack`` the module instances around it, which the factoring
into named blocks needs. What fx cannot trace (control flow on tensor values) is refused
with the module where tracing stopped.

The registry drives the mapping, in the reverse direction of ``shapecalc torch``: a module
whose class name is in :func:`shapecalc.layers.torch_kinds` is a leaf of the trace and is read
back by its kind's ``from_torch``. A functional call that has a module twin (``F.relu``,
``F.max_pool2d``, ``F.adaptive_avg_pool2d``, ``F.dropout``) is read by building that module
from the call's arguments and handing it to the same ``from_torch``, so each convention
(padding, ceil mode, dilation, groups, bias) is decided in one place, the kind's.

Shapes: the traced graph runs once on the meta device, node by node (torch's own kernels
give each node's shape, :class:`_Shapes` records them; a symbolic input runs at
:data:`SAMPLE_SIZE` for each symbol), which gives every node's input shape for
``from_torch`` and tells a flattening ``view`` from another reshape.

ConvNeXt computes part of each block channels last (``permute(0, 2, 3, 1)``, then
``nn.LayerNorm`` and ``nn.Linear`` over the channels, then back): each value carries its
layout, and on a channels-last map a layer norm over the channels is ``layernorm`` and a
``Linear`` a 1x1 convolution (the same parameters and shapes).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import operator
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.fx as fx
from torch import nn

from ..errors import ModelImportError, TorchError
from ..layers import REGISTRY, Layer, torch_kinds
from ..shape import Shape
from .graph import (
    INPUT,
    SAMPLE_SIZE,
    Graph,
    Node,
    Scope,
    Unsupported,
    sample_dims,
    unsupported_error,
)
from .lazy_package import forget_modules, lazy_package

_CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)

#: torchvision classes read as a kind's own torch class: the same attributes and the same
#: computation (StochasticDepth's "row" mode is DropPath; LayerNorm2d is a LayerNorm over the
#: channels of a map, as ChannelLayerNorm). They are not in the kinds' ``torch_classes``,
#: which name classes ``shapecalc check`` can build, and torchvision is no dependency.
TORCHVISION_CLASSES = {"StochasticDepth": "DropPath", "LayerNorm2d": "ChannelLayerNorm"}


def import_kinds() -> dict[str, type[Layer]]:
    """Every class name the import reads, mapped to its kind: the registry's
    (:func:`shapecalc.layers.torch_kinds`) and :data:`TORCHVISION_CLASSES`."""
    kinds = torch_kinds()
    return kinds | {alias: kinds[name] for alias, name in TORCHVISION_CLASSES.items()}


F = nn.functional

#: Functional calls read as the ``torch.nn`` module of the same computation: the module's
#: class and the names of the call's arguments after the input, in order.
_FUNCTIONAL: dict[Any, tuple[str, tuple[str, ...]]] = {
    F.relu: ("ReLU", ()),
    torch.relu: ("ReLU", ()),
    torch.relu_: ("ReLU", ()),
    F.relu_: ("ReLU", ()),
    F.relu6: ("ReLU6", ()),
    F.hardtanh: ("Hardtanh", ("min_val", "max_val")),
    F.gelu: ("GELU", ()),
    F.silu: ("SiLU", ()),
    F.mish: ("Mish", ()),
    F.elu: ("ELU", ("alpha",)),
    F.leaky_relu: ("LeakyReLU", ("negative_slope",)),
    F.sigmoid: ("Sigmoid", ()),
    torch.sigmoid: ("Sigmoid", ()),
    F.tanh: ("Tanh", ()),
    torch.tanh: ("Tanh", ()),
    F.hardsigmoid: ("Hardsigmoid", ()),
    F.hardswish: ("Hardswish", ()),
    F.softplus: ("Softplus", ("beta", "threshold")),
    F.softmax: ("Softmax", ("dim",)),
    torch.softmax: ("Softmax", ("dim",)),
    F.dropout: ("Dropout", ("p",)),
    F.dropout1d: ("Dropout1d", ("p",)),
    F.dropout2d: ("Dropout2d", ("p",)),
    F.dropout3d: ("Dropout3d", ("p",)),
    **{
        getattr(F, f"max_pool{n}d"): (
            f"MaxPool{n}d",
            ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"),
        )
        for n in (1, 2, 3)
    },
    **{
        getattr(F, f"avg_pool{n}d"): (
            f"AvgPool{n}d",
            ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
        )
        for n in (1, 2, 3)
    },
    **{
        getattr(F, f"adaptive_avg_pool{n}d"): (f"AdaptiveAvgPool{n}d", ("output_size",))
        for n in (1, 2, 3)
    },
    **{
        getattr(F, f"adaptive_max_pool{n}d"): (f"AdaptiveMaxPool{n}d", ("output_size",))
        for n in (1, 2, 3)
    },
}

#: Tensor methods read the same way.
_METHODS: dict[str, tuple[str, tuple[str, ...]]] = {
    "relu": ("ReLU", ()),
    "relu_": ("ReLU", ()),
    "sigmoid": ("Sigmoid", ()),
    "tanh": ("Tanh", ()),
    "softmax": ("Softmax", ("dim",)),
}

_ADD = {operator.add, operator.iadd, torch.add, "add", "add_"}
_MUL = {operator.mul, operator.imul, torch.mul, "mul", "mul_"}
_CAT = {torch.cat, torch.concat, "cat"}
_FLATTEN = {torch.flatten, "flatten"}
_RESHAPE = {torch.reshape, "view", "reshape"}
_MEAN = {torch.mean, "mean"}
_PERMUTE = {torch.permute, "permute"}
#: Calls that give their input back unchanged (as far as shapes go).
_SAME = {"contiguous", "clone", "detach", "float"}
_CHUNK = {torch.chunk, "chunk"}
_TRANSPOSE = {torch.transpose, "transpose"}
#: Kinds that act element by element, the same on a channels-last map.
_ELEMENTWISE = {"activation", "dropout"}


def _scope(path: str, cls: Any) -> Scope:
    if isinstance(cls, type):
        return Scope(path, cls.__name__, issubclass(cls, _CONTAINERS) and cls in _CONTAINERS)
    return Scope(path, str(cls).rsplit(".", 1)[-1].strip("'>"))


class _Tracer(fx.Tracer):
    """fx's tracer with every class the registry reads back as a leaf, remembering the module
    calls under way so that a failed trace can say where it stopped."""

    def __init__(self, kinds: dict[str, type[Layer]]) -> None:
        super().__init__()
        self.kinds = kinds
        self.calls: list[tuple[str, str]] = []
        self.failed_in: list[tuple[str, str]] | None = None

    def is_leaf_module(self, m: nn.Module, module_qualified_name: str) -> bool:
        return type(m).__name__ in self.kinds or super().is_leaf_module(m, module_qualified_name)

    def call_module(
        self,
        m: nn.Module,
        forward: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        self.calls.append((self.path_of_module(m), type(m).__name__))
        try:
            return super().call_module(m, forward, args, kwargs)
        except Exception:
            if self.failed_in is None:
                self.failed_in = list(self.calls)
            raise
        finally:
            self.calls.pop()


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


@dataclass(frozen=True)
class TensorMetadata:
    """What the shape propagation records of a tensor a node gives (its
    ``node.meta["tensor_meta"]``): its shape, batch first."""

    shape: tuple[int, ...]


def _spec_shape(meta: TensorMetadata, layout: str) -> Shape:
    """A traced tensor's shape without the batch, channels last."""
    dims = tuple(int(d) for d in meta.shape[1:])
    if layout == "last" or len(dims) <= 1:
        return Shape(dims)
    return Shape((*dims[1:], dims[0]))


def _args(node: fx.Node) -> tuple[Any, ...]:
    """A node's positional arguments (fx types them as any argument of any operation)."""
    return tuple(node.args)


def _keywords(node: fx.Node) -> dict[str, Any]:
    """A node's keyword arguments."""
    return dict(node.kwargs)


class _Reader:
    """Turns the traced, shape-propagated fx graph into the import's :class:`Graph`."""

    def __init__(self, gm: fx.GraphModule, model: str) -> None:
        self.gm = gm
        self.model = model
        self.kinds = import_kinds()
        self.values: dict[str, str] = {}  # fx node -> graph value
        # fx node -> where its channels are: "first" (torch's N x C x ...), "last" (after a
        # permute), "grouped:g" / "shuffled:g" (inside a channel shuffle's view/transpose).
        self.layout: dict[str, str] = {}
        self.splits: dict[tuple[str, int], str] = {}  # (value, parts) -> its split node
        self.split_of: dict[str, str] = {}  # a chunk's fx node -> its split node
        self.nodes: list[Node] = []
        self.problems: list[Unsupported] = []
        self.used: set[int] = set()  # ids of the parameters and buffers the graph reaches

    def read(self, input_shape: Shape) -> Graph:
        output = INPUT
        for node in self.gm.graph.nodes:
            if node.op == "placeholder":
                if self.values:
                    if node.meta.get("tensor_meta") is not None:
                        raise ModelImportError(
                            f"{self.model} takes several tensors; import needs one input"
                        )
                    continue
                self.values[node.name] = INPUT
                self.layout[node.name] = "first"
            elif node.op == "get_attr":
                self.used.add(id(self._attribute(node)))
            elif node.op == "output":
                output = self._output(node)
            else:
                self._operation(node)
        if self.problems:
            raise unsupported_error(self.model, self.problems)
        return Graph(input_shape, self.nodes, output, self.model)

    def _attribute(self, node: fx.Node) -> torch.Tensor:
        value: Any = self.gm
        for part in str(node.target).split("."):
            value = getattr(value, part)
        assert isinstance(value, torch.Tensor)
        return value

    def _output(self, node: fx.Node) -> str:
        result = _args(node)[0]
        while isinstance(result, tuple | list) and len(result) == 1:
            result = result[0]
        if not isinstance(result, fx.Node) or result.name not in self.values:
            raise ModelImportError(
                f"{self.model} returns several values or no tensor; import needs one output tensor"
            )
        return self.values[result.name]

    # -- each operation ------------------------------------------------------------------

    def _scopes(self, node: fx.Node) -> tuple[Scope, ...]:
        stack = node.meta.get("nn_module_stack") or {}
        chain = [_scope(path, cls) for path, cls in stack.values()]
        if node.op == "call_module" and chain and chain[-1].path == node.target:
            chain = chain[:-1]
        return tuple(chain)

    def where(self, node: fx.Node) -> tuple[str, str]:
        """The module path and class a problem with ``node`` is named by."""
        if node.op == "call_module":
            return str(node.target), type(self.gm.get_submodule(str(node.target))).__name__
        scopes = self._scopes(node)
        return (scopes[-1].path, scopes[-1].cls) if scopes else ("", self.model)

    def _origin(self, node: fx.Node) -> str:
        target = node.target
        if node.op == "call_method":
            return f"Tensor.{target}"
        module = getattr(target, "__module__", "") or ""
        name = getattr(target, "__name__", str(target))
        if module.startswith("torch.nn.functional") or module == "torch._C._nn":
            return f"F.{name}"
        if module in ("_operator", "operator"):
            return f"operator.{name}"
        return f"torch.{name}" if module.startswith("torch") else f"{module}.{name}"

    def _refuse(self, node: fx.Node, reason: str) -> None:
        path, cls = self.where(node)
        self.problems.append(Unsupported(path, cls, reason))
        self.values[node.name] = node.name  # keep going, to name every problem
        self.layout[node.name] = "first"

    def _tensor_args(self, node: fx.Node) -> list[fx.Node]:
        found: list[fx.Node] = []

        def visit(arg: Any) -> None:
            if isinstance(arg, fx.Node) and arg.name in self.values:
                found.append(arg)
            elif isinstance(arg, tuple | list):
                for item in arg:
                    visit(item)

        for arg in (*_args(node), *_keywords(node).values()):
            visit(arg)
        return found

    def _is_tensor(self, node: fx.Node) -> bool:
        return isinstance(node.meta.get("tensor_meta"), TensorMetadata)

    def _operation(self, node: fx.Node) -> None:
        meta = node.meta.get("tensor_meta")
        if not isinstance(meta, TensorMetadata):
            # size(), getattr(x, "shape"), ...: values the trace folds into later calls. A call
            # that gives several tensors (chunk, split) is an operation the spec lacks.
            if node.op != "call_module" and node.target in _CHUNK:
                self._guard(node, lambda: self._chunk(node, meta))
                return
            if isinstance(meta, tuple | list) and any(isinstance(m, TensorMetadata) for m in meta):
                module = node.op == "call_module"  # an LSTM: its path and class say it
                self._refuse(node, "" if module else f"{self._origin(node)} has no layer kind")
            return
        tensors = self._tensor_args(node)
        if node.op == "call_module":
            self._module(node, tensors)
        else:
            self._function(node, tensors)

    def _add(
        self,
        node: fx.Node,
        op: str,
        tensors: list[fx.Node],
        layer: Layer | None = None,
        index: int = 0,
    ) -> None:
        inputs = tuple(self.values[t.name] for t in tensors)
        path, _ = self.where(node) if node.op != "call_module" else (str(node.target), "")
        origin = (
            type(self.gm.get_submodule(str(node.target))).__name__
            if node.op == "call_module"
            else self._origin(node)
        )
        self.nodes.append(
            Node(node.name, op, inputs, layer, self._scopes(node), origin, path, index)
        )
        self.values[node.name] = node.name
        self.layout[node.name] = self.layout[tensors[0].name] if tensors else "first"

    def _alias(self, node: fx.Node, source: fx.Node, layout: str | None = None) -> None:
        """``node`` is ``source``'s value (in another layout, after a permute or a view)."""
        self.values[node.name] = self.values[source.name]
        self.layout[node.name] = layout or self.layout[source.name]

    def _module(self, node: fx.Node, tensors: list[fx.Node]) -> None:
        module = self.gm.get_submodule(str(node.target))
        cls = type(module).__name__
        kind = self.kinds.get(cls)
        if kind is None:
            self._refuse(node, "")
            return
        if len(tensors) != 1:
            self._refuse(node, f"called with {len(tensors)} tensors")
            return
        self.used.update(id(t) for t in (*module.parameters(), *module.buffers()))
        self._layer(node, tensors[0], kind, module)

    def _layer(self, node: fx.Node, source: fx.Node, kind: type[Layer], module: Any) -> None:
        layout = self.layout[source.name]
        inp = _spec_shape(source.meta["tensor_meta"], layout)
        try:
            if layout not in ("first", "last"):
                raise TorchError("a layer inside a channel shuffle's reshaping has no spec form")
            if layout == "last":
                layer = self._channels_last(kind, module, inp)
            else:
                if kind.keyword == "dense" and not inp.is_flat:
                    raise TorchError(f"Linear on the map {inp} acts on its last dim only")
                layer = kind.from_torch(module, inp)
        except TorchError as err:
            self._refuse(node, str(err))
            return
        if layer.keyword == "identity":
            self._alias(node, source)
            return
        self._add(node, "layer", [source], layer)

    def _channels_last(self, kind: type[Layer], module: Any, inp: Shape) -> Layer:
        """A layer on a channels-last map: per position it sees a vector of C values."""
        vector = Shape((inp.channels,))
        if kind.keyword == "dense":
            conv = nn.Conv2d(
                module.in_features,
                module.out_features,
                1,
                bias=module.bias is not None,
                device="meta",
            )
            return REGISTRY["conv"].from_torch(conv, inp)
        if kind.keyword == "layernorm" or kind.kind in _ELEMENTWISE:
            return kind.from_torch(module, vector)
        raise TorchError(f"{type(module).__name__} on a channels-last map has no spec form")

    def _function(self, node: fx.Node, tensors: list[fx.Node]) -> None:
        target = node.target
        if not tensors:
            self._refuse(node, f"{self._origin(node)} makes a tensor from no input")
            return
        try:
            if target is operator.getitem and tensors[0].name in self.split_of:
                self._part(node, tensors[0])
            elif target in _TRANSPOSE:
                self._transpose(node, tensors[0])
            elif target in _ADD or target in _MUL:
                self._binary(node, tensors, "add" if target in _ADD else "mul")
            elif target in _CAT:
                self._cat(node, tensors)
            elif target in _SAME:
                self._alias(node, tensors[0])
            elif target in _PERMUTE:
                self._permute(node, tensors[0])
            elif target in _FLATTEN or target in _RESHAPE:
                self._reshape(node, tensors[0])
            elif target in _MEAN:
                self._mean(node, tensors[0])
            elif target in _FUNCTIONAL or (node.op == "call_method" and target in _METHODS):
                name, params = (
                    _FUNCTIONAL[target] if target in _FUNCTIONAL else _METHODS[str(target)]
                )
                self._functional(node, tensors, name, params)
            else:
                self._refuse(node, f"{self._origin(node)} has no layer kind")
        except TorchError as err:
            self._refuse(node, f"{self._origin(node)}: {err}")

    def _binary(self, node: fx.Node, tensors: list[fx.Node], op: str) -> None:
        others = [a for a in _args(node) if not isinstance(a, fx.Node) or a not in tensors]
        attributes = [a for a in _args(node) if isinstance(a, fx.Node) and a.op == "get_attr"]
        if op == "mul" and len(tensors) == 1 and len(attributes) == 1:
            self._layer_scale(node, tensors[0], self._attribute(attributes[0]))
            return
        if len(tensors) != 2 or others:
            raise TorchError("only the sum or product of two tensors has a spec form")
        self._add(node, op, tensors)

    def _layer_scale(self, node: fx.Node, source: fx.Node, weight: torch.Tensor) -> None:
        inp = _spec_shape(source.meta["tensor_meta"], self.layout[source.name])
        channels = int(inp.channels)
        if (
            weight.numel() != channels
            or weight.shape[0 if self.layout[source.name] == "first" else -1] != channels
        ):
            raise TorchError(
                f"a product with a {tuple(weight.shape)} tensor is no per-channel scale"
            )
        self._add(node, "layer", [source], REGISTRY["layerscale"].from_torch(None, inp))

    def _cat(self, node: fx.Node, tensors: list[fx.Node]) -> None:
        dim = _keywords(node).get("dim", _args(node)[1] if len(_args(node)) > 1 else 0)
        rank = len(tensors[0].meta["tensor_meta"].shape)
        layout = self.layout[tensors[0].name]
        channel = 1 if layout == "first" else rank - 1
        if int(dim) % rank != channel:
            raise TorchError(
                f"a concatenation along dim {dim} has no spec form; concat joins the channels"
            )
        self._add(node, "concat", tensors)

    def _permute(self, node: fx.Node, source: fx.Node) -> None:
        dims = [a for a in _args(node)[1:]] if node.op == "call_method" else _args(node)[1]
        if len(dims) == 1 and isinstance(dims[0], tuple | list):
            dims = dims[0]
        order = tuple(int(d) for d in dims)
        rank = len(order)
        to_last = (0, *range(2, rank), 1)
        to_first = (0, rank - 1, *range(1, rank - 1))
        layout = self.layout[source.name]
        if layout == "first" and order == to_last:
            self._alias(node, source, "last")
        elif layout == "last" and order == to_first:
            self._alias(node, source, "first")
        else:
            raise TorchError(f"permute{order} has no layer kind")

    def _guard(self, node: fx.Node, read: Callable[[], None]) -> None:
        try:
            read()
        except TorchError as err:
            self._refuse(node, f"{self._origin(node)}: {err}")

    def _chunk(self, node: fx.Node, meta: Any) -> None:
        """``x.chunk(n, dim=1)``: a split node (one per value and n: each ``Chunk`` module of
        ``shapecalc torch``'s code chunks the same input again)."""
        (source,) = self._tensor_args(node)
        args = _args(node)
        parts = int(_keywords(node).get("chunks", args[1]))
        dim = int(_keywords(node).get("dim", args[2] if len(args) > 2 else 0))
        channels = int(source.meta["tensor_meta"].shape[1])
        rank = len(source.meta["tensor_meta"].shape)
        if self.layout[source.name] != "first" or dim % rank != 1 or channels % parts:
            raise TorchError(
                "only a chunk of the channels into equal parts has a spec form (split)"
            )
        if len(meta) != parts:
            raise TorchError(
                f"a chunk into {len(meta)} parts of {channels} channels has no spec form"
            )
        key = (self.values[source.name], parts)
        if key not in self.splits:
            self._add(node, "split", [source], index=parts)
            self.splits[key] = node.name
        self.values[node.name] = self.splits[key]
        self.layout[node.name] = "first"
        self.split_of[node.name] = self.splits[key]

    def _part(self, node: fx.Node, chunked: fx.Node) -> None:
        index = int(_args(node)[1])
        split = self.split_of[chunked.name]
        name = f"{split}_part{index}"
        if not any(n.name == name for n in self.nodes):
            self.nodes.append(
                Node(name, "part", (split,), None, self._scopes(node), "Tensor.chunk", "", index)
            )
        self.values[node.name] = name
        self.layout[node.name] = "first"

    def _transpose(self, node: fx.Node, source: fx.Node) -> None:
        dims = sorted(int(d) for d in _args(node)[1:3])
        layout = self.layout[source.name]
        if not layout.startswith("grouped:") or dims != [1, 2]:
            raise TorchError("a transpose has no layer kind (but in a channel shuffle)")
        self._alias(node, source, layout.replace("grouped", "shuffled"))

    def _reshape(self, node: fx.Node, source: fx.Node) -> None:
        before = tuple(int(d) for d in source.meta["tensor_meta"].shape)
        after = tuple(int(d) for d in node.meta["tensor_meta"].shape)
        layout = self.layout[source.name]
        if layout.startswith("shuffled:"):
            # ShuffleNet's channel_shuffle: view(N, g, C/g, ...), transpose(1, 2), view back.
            groups = int(layout.split(":")[1])
            if after != (before[0], before[1] * before[2], *before[3:]):
                raise TorchError(f"a reshape of {before} to {after} has no layer kind")
            module = nn.ChannelShuffle(groups)
            self._add(
                node, "layer", [source], self.kinds["ChannelShuffle"].from_torch(module, Shape(()))
            )
            self.layout[node.name] = "first"
            return
        if layout == "first" and len(after) == len(before) + 1 and len(before) > 2:
            if (
                after[0] == before[0]
                and after[1] * after[2] == before[1]
                and after[3:] == before[2:]
            ):
                self._alias(node, source, f"grouped:{after[1]}")
                return
        if after == before:
            self._alias(node, source)
            return
        if len(before) == 2 and len(after) > 2 and layout == "first":
            unflatten = nn.Unflatten(1, after[1:])
            inp = Shape(before[1:])
            self._add(node, "layer", [source], self.kinds["Unflatten"].from_torch(unflatten, inp))
            return
        total = 1
        for d in before[1:]:
            total *= int(d)
        if after != (before[0], total):
            raise TorchError(f"a reshape of {before} to {after} has no layer kind yet")
        if self.layout[source.name] == "last" and len(before) > 2:
            raise TorchError("a flatten of a channels-last map has no spec form")
        self._add(
            node, "layer", [source], REGISTRY["flatten"].from_torch(nn.Flatten(), Shape(before[1:]))
        )

    def _mean(self, node: fx.Node, source: fx.Node) -> None:
        args = list(_args(node)[1:])
        dims = _keywords(node).get("dim", args[0] if args else None)
        keep = bool(_keywords(node).get("keepdim", args[1] if len(args) > 1 else False))
        rank = len(source.meta["tensor_meta"].shape)
        spatial = set(range(2, rank))
        given = (
            {int(d) % rank for d in (dims if isinstance(dims, tuple | list) else [dims])}
            if dims is not None
            else set()
        )
        if self.layout[source.name] != "first" or given != spatial or not spatial:
            raise TorchError("a mean over other dims than every spatial one has no layer kind")
        if keep:
            pool = getattr(nn, f"AdaptiveAvgPool{rank - 2}d")(1)
            layer = REGISTRY["adaptiveavgpool"].from_torch(
                pool, _spec_shape(source.meta["tensor_meta"], "first")
            )
        else:
            layer = REGISTRY["globalavgpool"]()
        self._add(node, "layer", [source], layer)

    def _functional(
        self, node: fx.Node, tensors: list[fx.Node], name: str, params: tuple[str, ...]
    ) -> None:
        kwargs = dict(zip(params, _args(node)[1:]))
        kwargs.update(_keywords(node))
        cls = getattr(nn, name)
        accepted = inspect.signature(cls).parameters
        module = cls(**{k: v for k, v in kwargs.items() if k in accepted})
        self._layer(node, tensors[0], self.kinds[name], module)

    # -- what no operation reached -------------------------------------------------------

    def unreached(self, model: nn.Module) -> list[tuple[str, str, int]]:
        """The outermost submodules whose parameters no operation uses: path, class, count."""
        found: list[tuple[str, str, int]] = []
        for path, module in model.named_modules():
            if not path or any(path.startswith(p + ".") for p, _, _ in found):
                continue
            tensors = [*module.parameters(), *module.buffers()]
            if tensors and all(id(t) not in self.used for t in tensors):
                found.append(
                    (path, type(module).__name__, sum(p.numel() for p in module.parameters()))
                )
        return found


def torch_counts(model: nn.Module) -> tuple[int, int]:
    """torch's trainable parameters and its running statistics (buffers but BatchNorm's step
    counter ``num_batches_tracked``), as ``shapecalc check`` counts them."""
    trainable = sum(p.numel() for p in model.parameters())
    buffers = sum(
        b.numel() for name, b in model.named_buffers() if not name.endswith("num_batches_tracked")
    )
    return trainable, buffers


def _sample(shape: Shape) -> torch.Tensor:
    dims = [int(d) for d in Shape(sample_dims(shape)).torch_order()]
    return torch.empty(1, *dims[1:], device="meta")


def _metadata(value: Any) -> Any:
    """A node's result with each tensor as its :class:`TensorMetadata` (in tuples, lists and
    dicts too, named tuples as plain ones); None when it holds no tensor."""
    if isinstance(value, torch.Tensor):
        return TensorMetadata(tuple(int(d) for d in value.shape))
    if isinstance(value, tuple | list):
        items = [_metadata(v) for v in value]
        if all(m is None for m in items):
            return None
        mapped = [m if m is not None else v for m, v in zip(items, value)]
        return mapped if isinstance(value, list) else tuple(mapped)
    if isinstance(value, dict):
        found = {k: _metadata(v) for k, v in value.items()}
        if all(m is None for m in found.values()):
            return None
        return {k: found[k] if found[k] is not None else v for k, v in value.items()}
    return None


class _Shapes(fx.Interpreter):
    """Runs a traced module node by node and records in each node's
    ``meta["tensor_meta"]`` the shapes it gives: torch.fx's ``ShapeProp`` without what it
    adds for fake tensors. ``ShapeProp`` prints a traceback when a node fails, and wraps the
    error in one naming fx's node; this one remembers the node, so that the import can name
    the module and torch's own reason in one line. It also spares the import of
    ``torch.fx.passes``, whose ``__init__`` imports every pass there is."""

    def __init__(self, gm: fx.GraphModule) -> None:
        super().__init__(gm)
        self.failed: fx.Node | None = None

    def run_node(self, n: fx.Node) -> Any:
        try:
            result = super().run_node(n)
        except Exception:
            self.failed = n
            raise
        meta = _metadata(result)
        if meta is not None:
            n.meta["tensor_meta"] = meta
        return result


class _Propagation(nn.Module):
    """Runs :class:`_Shapes` over a traced module (see :func:`_propagate`)."""

    def __init__(self, shapes: _Shapes) -> None:
        super().__init__()
        self.gm = shapes.module
        self.shapes = shapes

    def forward(self, sample: torch.Tensor) -> Any:
        return self.shapes.run(sample)


def _propagate(shapes: _Shapes, sample: torch.Tensor) -> None:
    """Every node's output shape (``node.meta["tensor_meta"]``), from one forward pass on the
    meta device: shapes without arithmetic (ResNet-50's forward on the CPU takes a second
    here, on the meta device a few hundredths). The model's own tensors stay where they are:
    meta stand-ins take their place for the pass only (a model built on the meta device
    needs none)."""
    wrapper = _Propagation(shapes)
    tensors = [*wrapper.named_parameters(), *wrapper.named_buffers()]
    with torch.no_grad():
        if all(tensor.is_meta for _, tensor in tensors):
            wrapper(sample.to("meta"))
            return
        stand_ins = {name: torch.empty_like(tensor, device="meta") for name, tensor in tensors}
        torch.func.functional_call(wrapper, stand_ins, (sample.to("meta"),), strict=False)


def torch_graph(model: nn.Module, input_shape: Shape, name: str | None = None) -> Graph:
    """The import's graph of ``model`` for an input of ``input_shape`` (channels last,
    symbols allowed).

    Raises:
        ModelImportError: the model cannot be traced, fails on the input, or has modules or
            operations without a layer kind (all of them named in one message).
    """
    label = name or type(model).__name__
    was_training = model.training
    model.eval()  # the graph of inference: no auxiliary heads, dropout as a layer
    try:
        tracer = _Tracer(import_kinds())
        try:
            fx_graph = tracer.trace(model)
        except Exception as err:
            where = ""
            if tracer.failed_in:
                path, cls = tracer.failed_in[-1]
                where = f" in {path}: {cls}"
            raise ModelImportError(f"cannot trace {label}{where}: {_first_line(err)}") from None
        gm = fx.GraphModule(model, fx_graph)
        sample = _sample(input_shape)
        shapes = _Shapes(gm)
        reader = _Reader(gm, label)
        try:
            _propagate(shapes, sample)
        except Exception as err:
            where = ""
            if shapes.failed is not None:
                path, cls = reader.where(shapes.failed)
                where = f" in {path}: {cls}" if path else ""
            raise ModelImportError(
                f"{label} fails on an input of {tuple(sample.shape)}{where}: {_first_line(err)}"
            ) from None
        graph = reader.read(input_shape)
    finally:
        model.train(was_training)
    trainable, buffers = torch_counts(model)
    graph.notes.append(
        f"torch counts {trainable:,} trainable parameters and {buffers:,} in running statistics."
    )
    unreached = reader.unreached(model)
    if unreached:
        listed = ", ".join(
            f"{path} ({cls}, {count:,} parameters)" for path, cls, count in unreached
        )
        graph.notes.append(f"Not in the forward pass, so not in this spec: {listed}.")
    return graph


# -- loading a model named on the command line ---------------------------------------------


def import_torchvision() -> None:
    """Import torchvision where its compiled operators do not load (a wheel built for another
    torch, as the CUDA wheel beside the CPU torch here).

    torchvision's ``_meta_registrations`` registers fake kernels for ``torchvision::nms`` and
    ``qnms`` even when its ``_C`` library did not load, and that fails on operators nobody
    defined. The model definitions are pure Python and need neither. So the library is loaded
    first, as torchvision would load it; when that fails, the two schemas are defined (as
    ``_C`` would define them) before torchvision is imported. A torchvision whose operators
    load is imported untouched.
    """
    if "torchvision" in sys.modules:
        return
    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        importlib.import_module("torchvision")  # not installed: its own error
        return
    libraries = sorted(
        p for folder in spec.submodule_search_locations for p in Path(folder).glob("_C*.so")
    )
    try:
        for library_path in libraries:
            torch.ops.load_library(str(library_path))  # type: ignore[no-untyped-call]
        loaded = bool(libraries)
    except (ImportError, OSError):
        loaded = False
    if not loaded:
        library: Any = torch.library.Library("torchvision", "DEF")  # type: ignore[no-untyped-call]
        library.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        library.define("qnms(Tensor qdets, Tensor scores, float iou_threshold) -> Tensor")
        _LIBRARIES.append(library)  # a Library drops its definitions when collected
    importlib.import_module("torchvision")


_LIBRARIES: list[Any] = []

#: The torchvision packages :func:`import_torchvision_models` makes lazy (their ``__init__``
#: not run): the top package loads the compiled operators, registers their meta kernels and
#: imports datasets, io and transforms; ``models`` imports the detection, segmentation,
#: video and quantized models; ``ops`` imports ``roi_align``, which imports ``torch._dynamo``.
#: A classification model's definition needs none of that.
LAZY_TORCHVISION = ("torchvision", "torchvision.models", "torchvision.ops")


def import_torchvision_models() -> None:
    """Make torchvision's model definitions importable without torchvision's package
    ``__init__`` files (see :data:`LAZY_TORCHVISION` and
    :mod:`shapecalc.imports.lazy_package`): ``torchvision.models.resnet50`` is then the
    function torchvision defines, imported with ``torchvision/models/resnet.py`` and what that
    file imports, in a small part of the time a full import takes.

    For a process that only builds models (the ``shapecalc`` program): a name torchvision's
    ``__init__`` defines itself is missing. An imported torchvision is left as it is.
    """
    if "torchvision" in sys.modules:
        return
    for name in LAZY_TORCHVISION:
        lazy_package(name)


def _lazy_target(module_name: str) -> bool:
    """Whether ``module_name`` is ``torchvision.models`` or one module of it (a model family's
    file, no subpackage such as ``detection``): what :func:`import_torchvision_models` is for."""
    if module_name == "torchvision.models":
        return True
    parent, _, child = module_name.rpartition(".")
    if parent != "torchvision.models" or child.startswith("_"):
        return False
    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        return False
    return any(
        (Path(folder) / "models" / f"{child}.py").is_file()
        for folder in spec.submodule_search_locations
    )


def load_model(
    target: str,
    kwargs: dict[str, Any] | None = None,
    *,
    device: str | None = None,
    lazy_torchvision: bool = False,
) -> nn.Module:
    """The model that ``MODULE:NAME`` names: ``MODULE`` an importable module or a ``.py``
    file, ``NAME`` an ``nn.Module`` instance, class or factory (called with ``kwargs``).

    Args:
        target: ``MODULE:NAME``.
        kwargs: keyword arguments for a class or factory.
        device: build a class or factory's model under ``torch.device(device)``: ``"meta"``
            skips the random initialisation of its weights, most of the time a big model takes
            to build, when only its shapes and counts are wanted. A model that cannot be built
            there (its ``__init__`` computes with its tensors) is built as usual.
        lazy_torchvision: for ``torchvision.models`` (or one of its modules), first try
            :func:`import_torchvision_models`; if anything goes wrong with that, its modules
            are forgotten and torchvision is imported as usual, which then decides.

    Raises:
        ModelImportError: the module cannot be imported (its error, one line), has no such
            name, or the name gives no ``nn.Module``.
    """
    module_name, sep, attribute = target.rpartition(":")
    if not sep or not module_name or not attribute:
        raise ModelImportError(
            f"{target!r} is not MODULE:NAME, as in torchvision.models:resnet18 or net.py:Net"
        )
    if lazy_torchvision and "torchvision" not in sys.modules and _lazy_target(module_name):
        before = set(sys.modules)
        try:
            import_torchvision_models()
            return _load(target, module_name, attribute, kwargs, device)
        except Exception:  # noqa: BLE001 - the usual import decides, errors included
            forget_modules("torchvision", before)
    return _load(target, module_name, attribute, kwargs, device)


def _load(
    target: str,
    module_name: str,
    attribute: str,
    kwargs: dict[str, Any] | None,
    device: str | None,
) -> nn.Module:
    try:
        if module_name.endswith(".py"):
            source = _load_file(Path(module_name))
        else:
            if module_name.split(".")[0] == "torchvision":
                import_torchvision()
            source = importlib.import_module(module_name)
    except ModelImportError:
        raise
    except Exception as err:
        raise ModelImportError(f"importing {module_name}: {_first_line(err)}") from None
    if not hasattr(source, attribute):
        raise ModelImportError(f"{module_name} has no {attribute!r}")
    value = getattr(source, attribute)
    if not isinstance(value, nn.Module):
        if not callable(value):
            raise ModelImportError(
                f"{target} is a {type(value).__name__}, not an nn.Module, class or factory"
            )
        try:
            value = _build(value, kwargs or {}, device)
        except Exception as err:
            raise ModelImportError(f"calling {target}: {_first_line(err)}") from None
    elif kwargs is not None:
        raise ModelImportError(f"{target} is a module instance; --kwargs is for a class or factory")
    if not isinstance(value, nn.Module):
        raise ModelImportError(f"{target} gives a {type(value).__name__}, not an nn.Module")
    return value


def _build(factory: Callable[..., Any], kwargs: dict[str, Any], device: str | None) -> Any:
    """``factory(**kwargs)``, under ``torch.device(device)`` when that works."""
    if device is not None:
        try:
            with torch.device(device):
                return factory(**kwargs)
        except Exception:  # noqa: BLE001, S110 - built as usual below, which decides
            pass
    return factory(**kwargs)


def _load_file(path: Path) -> Any:
    if not path.is_file():
        raise ModelImportError(f"no file {str(path)!r}")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ModelImportError(f"cannot import {str(path)!r}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # fx and pickling look classes up by module name
    spec.loader.exec_module(module)
    return module


__all__ = [
    "LAZY_TORCHVISION",
    "SAMPLE_SIZE",
    "TORCHVISION_CLASSES",
    "import_kinds",
    "import_torchvision",
    "import_torchvision_models",
    "load_model",
    "torch_counts",
    "torch_graph",
]
