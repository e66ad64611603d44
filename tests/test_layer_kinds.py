"""Every registered layer kind has everything the program reads from it (no torch needed).

This is the contributor checklist of :mod:`shapecalc.layers.base` as a test: a new kind that
misses a piece fails here, naming the piece, before any torch test runs. The torch tests
(tests/properties/test_against_torch.py) then check the pieces against torch itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import fuzzing
import pytest

from shapecalc import analyze
from shapecalc.layers import Layer, NoWindow, Ops, torch_kinds
from shapecalc.layers.base import Window
from shapecalc.render.reference import layer_kinds
from shapecalc.strategies import LAYER_STRATEGIES
from shapecalc.torchmodule import TorchModule


def _overrides(cls: type[Layer], name: str) -> bool:
    return getattr(cls, name) is not getattr(Layer, name)


def missing(cls: type[Layer]) -> list[str]:
    """What the checklist asks of a kind and ``cls`` lacks, in checklist order."""
    gaps = []
    if not (cls.__doc__ and cls.__doc__.strip()):
        gaps.append("a docstring (the user help)")
    if not cls.examples:
        gaps.append("examples")
    if not _overrides(cls, "torch_module"):
        gaps.append("torch_module (its torch.nn counterpart)")
    if cls.torch_classes is None:
        gaps.append("torch_classes (the torch.nn classes it reads back, or ())")
    elif cls.torch_classes and not _overrides(cls, "from_torch"):
        gaps.append("from_torch (it names torch_classes but cannot read them)")
    if not cls.title and not _overrides(cls, "drawing_label"):
        gaps.append("title or drawing_label (how it reads in a drawing)")
    if cls not in LAYER_STRATEGIES:
        gaps.append("a strategy in shapecalc.strategies.LAYER_STRATEGIES")
    if cls.keyword not in fuzzing.TOKENS:
        gaps.append("its keyword among the fuzzers' tokens")
    return gaps


def test_every_registered_kind_is_complete() -> None:
    gaps = {cls.__name__: missing(cls) for cls in layer_kinds()}
    assert {name: what for name, what in gaps.items() if what} == {}


def test_the_check_names_each_missing_piece() -> None:
    """The completeness check itself fails for a kind that states only the bare minimum."""

    @dataclass(frozen=True)
    class Mystery(Layer):
        keyword = "mystery"

        @classmethod
        def from_spec(cls, reader: object) -> Layer:
            raise NotImplementedError

        def to_spec(self) -> str:
            return "mystery"

    Mystery.__doc__ = None
    assert missing(Mystery) == [
        "a docstring (the user help)",
        "examples",
        "torch_module (its torch.nn counterpart)",
        "torch_classes (the torch.nn classes it reads back, or ())",
        "title or drawing_label (how it reads in a drawing)",
        "a strategy in shapecalc.strategies.LAYER_STRATEGIES",
        "its keyword among the fuzzers' tokens",
    ]


def test_each_torch_class_is_read_back_by_one_kind() -> None:
    claimed = [name for cls in layer_kinds() for name in cls.torch_classes or ()]
    assert len(claimed) == len(set(claimed)), "a torch class is claimed by two kinds"
    assert set(torch_kinds()) == set(claimed)
    for name in claimed:
        assert name.isidentifier() and name[0].isupper(), name


EXAMPLES = [
    pytest.param(f"{example.input} | {example.layer}", id=f"{example.input}|{example.layer}")
    for cls in layer_kinds()
    for example in cls.examples
]


@pytest.mark.parametrize("spec", EXAMPLES)
def test_each_example_has_costs_windows_working_drawing_and_torch(spec: str) -> None:
    (row,) = analyze(spec).rows
    layer, inp, out = row.layer, row.input_shape, row.output_shape
    assert isinstance(layer.ops(inp, out), Ops)
    windows = layer.windows(inp)
    if not isinstance(windows, NoWindow):
        assert len(windows) == inp.spatial_rank and all(isinstance(w, Window) for w in windows)
        # A kind that slides a kernel or window draws it (upsampling's fractional window,
        # stride 1/f, is no kernel).
        if any(w.kernel != 1 and w.stride >= 1 for w in windows):
            assert layer.drawing_window(inp) is not None, spec
    # A kind that computes a size or a count shows the working.
    if out != inp or row.params != 0:
        assert layer.explain(inp, out), f"{spec}: no worked arithmetic"
    assert layer.drawing_label(inp).strip()
    module = layer.torch_module(inp)
    assert isinstance(module, TorchModule) and module.name.isidentifier()
