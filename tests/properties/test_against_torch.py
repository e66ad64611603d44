"""Every layer kind's output shape and parameter counts, checked against a PyTorch forward pass.

Hypothesis draws valid concrete specs over every layer kind and option (see
:mod:`shapecalc.strategies`); :func:`shapecalc.torchcheck.torch_rows` builds the matching torch
modules and runs them. For every row, shapecalc's output shape and trainable and non-trainable
counts must equal torch's.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shapecalc import Row, Shape, ShapecalcError, ShapeError, TorchError, analyze
from shapecalc.layers import REGISTRY, Layer
from shapecalc.strategies import (
    Dims,
    GeneratedSpec,
    single_layers,
    specs,
    transplanted_layers,
)
from shapecalc.torchcode import torch_module

torch = pytest.importorskip("torch", reason="torch is the oracle (CI installs it)")

from shapecalc import torchcheck  # noqa: E402

#: Examples per layer kind in the one-kind-at-a-time test: a fifth of the profile's.
PER_KIND = settings(max_examples=max(10, settings().max_examples // 5))

#: Every registered layer class, each once.
LAYER_CLASSES = sorted(set(REGISTRY.values()), key=lambda cls: cls.keyword)


def as_torch_row(row: Row) -> torchcheck.TorchRow:
    """A shapecalc row's results in the oracle's terms (ints, channels last)."""
    return torchcheck.TorchRow(
        tuple(int(d) for d in row.output_shape.dims), int(row.trainable), int(row.non_trainable)
    )


def check_against_torch(spec: GeneratedSpec) -> None:
    """Assert that shapecalc and torch agree on every row of ``spec``."""
    text = spec.text
    try:
        analysis = analyze(text)
    except ShapecalcError as err:
        raise AssertionError(f"shapecalc rejects a valid spec:\n{text}\n{err}") from err
    rows = torchcheck.torch_rows(analysis)
    assert len(rows) == len(analysis.rows)
    for row, want in zip(analysis.rows, rows):
        got = as_torch_row(row)
        assert got == want, (
            f"row {row.index} {row.spec!r} on input {row.input_shape} of spec\n{text}\n"
            f"shapecalc {got}, torch {want}"
        )
    # The strategies' own shape model must agree too, or they would draw invalid layers.
    assert rows[-1].output_shape == spec.shape, f"strategy model is off for\n{text}"


def test_unknown_layer_class_is_a_clear_error() -> None:
    """The mapping names the class it has no module for."""

    class Mystery(Layer):
        keyword = "mystery"

        @classmethod
        def from_spec(cls, reader: object) -> Layer:
            raise NotImplementedError

        def to_spec(self) -> str:
            return "mystery"

    inp = analyze("4x4x1").input_shape
    with pytest.raises(TorchError, match="Mystery.*'mystery'"):
        torch_module(Mystery(), inp)


@given(spec=specs())
@pytest.mark.slow
def test_networks_match_torch(spec: GeneratedSpec) -> None:
    """Whole networks, with repeat groups, agree with torch row by row."""
    check_against_torch(spec)


@pytest.mark.parametrize("cls", LAYER_CLASSES, ids=lambda cls: cls.keyword)
@PER_KIND
@given(data=st.data())
def test_each_layer_kind_matches_torch(cls: type[Layer], data: st.DataObject) -> None:
    """Every layer kind on its own, so each kind gets examples however the draws fall."""
    check_against_torch(data.draw(single_layers(cls)))


@given(case=transplanted_layers())
def test_accepts_exactly_what_torch_accepts(case: tuple[str, Dims, Dims]) -> None:
    """A layer drawn for one input and tried on another: shapecalc gives a result exactly
    when torch does (and then the same result), and a ShapeError exactly when torch refuses."""
    layer_text, good, other = case
    layer = analyze(f"{'x'.join(map(str, good))} | {layer_text}").rows[0].layer
    text = f"{'x'.join(map(str, other))} | {layer_text}"
    try:
        want = torchcheck.torch_row(layer, Shape(other))
    except TorchError as err:
        torch_error: Exception | None = err
    else:
        torch_error = None
    try:
        (row,) = analyze(text).rows
    except ShapeError as err:
        if torch_error is None:
            pytest.fail(f"shapecalc rejects\n{text}\n{err}\nbut torch gives {want}")
        return
    got = as_torch_row(row)
    if torch_error is not None:
        pytest.fail(f"shapecalc accepts\n{text}\nas {got}, but {torch_error}")
    assert got == want, f"{text}\nshapecalc {got}, torch {want}"


@given(spec=specs())
@pytest.mark.slow
def test_emitted_code_matches_torch(spec: GeneratedSpec) -> None:
    """The code of ``shapecalc torch``, executed, builds a module whose output shape and
    parameter counts equal the calculator's."""
    analysis = analyze(spec.text)
    namespace: dict[str, Any] = {}
    exec(compile(analysis.to_torch_code(), "<generated>", "exec"), namespace)
    model = namespace["Net"]().eval()
    # One child per top-level layer or block (a res/concat block is one Residual/Concat).
    top = [r for r in analysis.rows if r.depth == 0] + [b for b in analysis.blocks if b.depth == 0]
    assert len(model) == len(top)
    x = torch.randn(2, *namespace["INPUT_SHAPE"], generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        y = model(x)
    assert tuple(y.shape) == analysis.output_shape.torch_order(2), spec.text
    assert torchcheck.trainable_count(model) == analysis.totals.trainable, spec.text
    assert torchcheck.non_trainable_count(model) == analysis.totals.non_trainable, spec.text


@settings(max_examples=max(5, settings().max_examples // 6))
@given(spec=specs())
@pytest.mark.slow
def test_emitted_code_is_ruff_clean(spec: GeneratedSpec) -> None:
    """Whatever the spec, the emitted module passes ruff (the repo's rule set, long lines
    included)."""
    code = analyze(spec.text).to_torch_code()
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select",
         "E,F,W,I,UP,B", "--line-length", "88", "--stdin-filename", "net.py", "-"],
        input=code,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"{spec.text}\n{code}\n{result.stdout}{result.stderr}"


@given(spec=specs())
@pytest.mark.slow
def test_check_passes_on_cpu_and_meta(spec: GeneratedSpec) -> None:
    """``shapecalc check`` (the public API) agrees on every generated spec, on the CPU and on
    the meta device, whose shape functions are separate code in torch."""
    analysis = analyze(spec.text)
    for device in ("cpu", "meta"):
        result = torchcheck.check(analysis, device=device, batch=3)
        assert result.ok, f"{spec.text}\n{device}: {result.summary()}"
