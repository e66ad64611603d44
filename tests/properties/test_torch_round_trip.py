"""Each layer kind's torch counterpart, both ways: the module it builds is read back as a
layer with the same output shape and parameter counts.

``Layer.torch_module`` describes the ``torch.nn`` module; torch builds it; the kind that
claims the module's class (``Layer.torch_classes``, matched against the real torch class,
or shapecalc's own in :mod:`shapecalc.torchmodules`) reads it back with ``Layer.from_torch``. A kind whose module is a small
``nn.Sequential`` (explicit ``same`` padding, global pooling) is checked child by child: every
child is a module some kind reads back, or a padding module.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shapecalc import Shape, TorchError, analyze
from shapecalc.layers import REGISTRY, Layer, torch_kinds
from shapecalc.render.reference import layer_kinds
from shapecalc.strategies import single_layers

torch = pytest.importorskip("torch", reason="torch is the oracle (CI installs it)")

from shapecalc import torchcheck  # noqa: E402

#: Modules that stand beside a layer's own module in its nn.Sequential (explicit padding).
PADDING_MODULES = ("ConstantPad1d", "ConstantPad2d", "ConstantPad3d")


def resolved(name: str) -> type[torch.nn.Module] | None:
    """The class of a torch name a kind reads, or None for one of :data:`TORCHVISION_CLASSES`
    (``shapecalc import`` reads them in torchvision's models; tests/imports tests that)."""
    try:
        return torchcheck.torch_class(name)
    except TorchError:
        return None


def read_back(module: torch.nn.Module, inp: Shape) -> Layer:
    """The layer a kind reads from ``module``, matched by ``isinstance`` on torch classes."""
    matches = [
        cls
        for name, cls in torch_kinds().items()
        # exact: Hardtanh is not ReLU6's class. torch.nn's, or shapecalc's own.
        if type(module) is resolved(name)
    ]
    assert len(matches) == 1, f"{type(module).__name__} is read by {matches}"
    return matches[0].from_torch(module, inp)


def assert_round_trip(spec: str) -> None:
    """The layer of a one-layer ``spec``, through torch and back, computes the same."""
    (row,) = analyze(spec).rows
    module = torchcheck.build_module(row.layer, row.input_shape)
    if type(module) is torch.nn.Sequential:
        for child in module:
            if type(child).__name__ not in PADDING_MODULES:
                read_back(child, row.input_shape)  # readable, if not alone the same layer
        return
    layer = read_back(module, row.input_shape)
    (again,) = analyze(f"{row.input_shape} | {layer.to_spec()}").rows
    assert (again.output_shape, again.trainable, again.non_trainable) == (
        row.output_shape,
        row.trainable,
        row.non_trainable,
    ), f"{spec} -> torch -> {layer.to_spec()}"
    assert type(layer) is type(row.layer)


EXAMPLES = [
    pytest.param(f"{example.input} | {example.layer}", id=f"{example.input}|{example.layer}")
    for cls in layer_kinds()
    for example in cls.examples
]


@pytest.mark.parametrize("spec", EXAMPLES)
def test_every_example_goes_to_torch_and_back(spec: str) -> None:
    assert_round_trip(spec)


#: Classes a kind reads that torchvision defines (``shapecalc import`` meets them in its
#: models): where each lives.
TORCHVISION_CLASSES = {
    "StochasticDepth": "torchvision.ops",
    "LayerNorm2d": "torchvision.models.convnext",
}


def test_every_torch_class_named_is_a_real_torch_class() -> None:
    """A torch.nn class, one of shapecalc.torchmodules (whose names torch.nn has not), or
    one of torchvision's that its models use."""
    import importlib

    from shapecalc import torchmodules
    from shapecalc.imports.torch_frontend import import_torchvision

    import_torchvision()
    for name in torch_kinds():
        if name in TORCHVISION_CLASSES:
            found = getattr(importlib.import_module(TORCHVISION_CLASSES[name]), name)
            assert issubclass(found, torch.nn.Module), name
            continue
        in_nn = isinstance(getattr(torch.nn, name, None), type)
        assert in_nn or name in vars(torchmodules), name
        assert issubclass(torchcheck.torch_class(name), torch.nn.Module), name


LAYER_CLASSES = sorted(set(REGISTRY.values()), key=lambda cls: cls.keyword)


@pytest.mark.parametrize("cls", LAYER_CLASSES, ids=lambda cls: cls.keyword)
@settings(max_examples=max(10, settings().max_examples // 10))
@given(data=st.data())
def test_drawn_layers_go_to_torch_and_back(cls: type[Layer], data: st.DataObject) -> None:
    """Every option the strategies draw survives the trip (a property test per kind)."""
    assert_round_trip(data.draw(single_layers(cls)).text)
