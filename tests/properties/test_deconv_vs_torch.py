"""The transposed convolution's ``same`` and ``valid`` against their definitions and Keras.

torch has no ``same`` for ConvTranspose; shapecalc expresses Keras' ``same`` with padding,
output_padding and, for an odd ``K − s``, a one-pixel crop at the end (``keras_same_torch``).
Two independent oracles check the values, not only the shapes:

- TensorFlow's definition: ``conv2d_transpose(padding="SAME")`` is the gradient of the
  ``SAME`` convolution from ``n·s`` to ``n`` with respect to its input (TensorFlow computes it
  as ``conv2d_backprop_input``); torch's autograd computes that gradient here.
- Keras itself (``Conv1DTranspose``/``Conv2DTranspose``/``Conv3DTranspose``, torch backend, in
  a subprocess since ``KERAS_BACKEND`` is read at Keras's first import), when installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shapecalc import analyze
from shapecalc.layers.conv import same_pad

torch = pytest.importorskip("torch", reason="torch is the oracle (CI installs it)")

from shapecalc.torchcheck import build_module  # noqa: E402

F = torch.nn.functional


def _module_with(spec: str, weight: torch.Tensor) -> torch.nn.Module:
    (row,) = analyze(spec).rows
    module = build_module(row.layer, row.input_shape).double()
    conv = module[0] if isinstance(module, torch.nn.Sequential) else module
    with torch.no_grad():
        conv.weight.copy_(weight)
        if conv.bias is not None:
            conv.bias.zero_()
    return module


@given(
    k=st.integers(1, 6),
    s=st.integers(1, 4),
    h=st.integers(1, 5),
    w=st.integers(1, 5),
    cin=st.integers(1, 3),
    cout=st.integers(1, 3),
)
def test_same_is_the_gradient_of_tensorflows_same_convolution(
    k: int, s: int, h: int, w: int, cin: int, cout: int
) -> None:
    generator = torch.Generator().manual_seed(k * 1000 + s * 100 + h * 10 + w)
    weight = torch.randn(cin, cout, k, k, generator=generator, dtype=torch.float64)
    x = torch.randn(1, cin, h, w, generator=generator, dtype=torch.float64)
    ours = _module_with(f"{h}x{w}x{cin} | deconv{k}x{k}x{cout} stride{s} same", weight)(x)
    # The SAME convolution from (h*s, w*s) to (h, w), as TensorFlow pads it; its adjoint.
    big = torch.zeros(1, cout, h * s, w * s, dtype=torch.float64, requires_grad=True)
    (top, bottom), (left, right) = same_pad(h * s, k, s), same_pad(w * s, k, s)
    y = F.conv2d(F.pad(big, (left, right, top, bottom)), weight, stride=s)
    assert y.shape[-2:] == (h, w)
    (expected,) = torch.autograd.grad(y, big, grad_outputs=x)
    assert ours.shape == expected.shape
    assert torch.allclose(ours, expected, atol=1e-12)


@given(k=st.integers(1, 6), s=st.integers(1, 4), n=st.integers(1, 6))
def test_valid_is_torchs_full_output_extended_to_n_times_s(k: int, s: int, n: int) -> None:
    weight = torch.randn(2, 3, k, generator=torch.Generator().manual_seed(k + 10 * s + 100 * n))
    weight = weight.double()
    x = torch.randn(1, 2, n, dtype=torch.float64)
    ours = _module_with(f"{n}x2 | deconv{k}x3 stride{s} valid", weight)(x)
    full = F.conv_transpose1d(x, weight, stride=s)  # (n - 1)*s + k positions
    assert ours.shape[-1] == n * s + max(k - s, 0)
    assert torch.equal(ours[..., : full.shape[-1]], full)
    assert not ours[..., full.shape[-1] :].any()  # the extension holds only the (zero) bias


KERAS_SCRIPT = textwrap.dedent(
    """
    import itertools, json, os, sys
    os.environ["KERAS_BACKEND"] = "torch"
    import warnings
    warnings.simplefilter("ignore")
    import keras, numpy as np, torch
    from shapecalc import analyze
    from shapecalc.torchcheck import build_module

    rng = np.random.default_rng(0)
    layers = {1: keras.layers.Conv1DTranspose, 2: keras.layers.Conv2DTranspose,
              3: keras.layers.Conv3DTranspose}
    cases, bad = 0, []
    for rank, mode, k, s, d, n in itertools.product(
        (1, 2, 3), ("same", "valid"), range(1, 6), range(1, 4), (1, 2), (1, 2, 5)
    ):
        if (s > 1 and d > 1) or (rank == 3 and (n == 5 or k > 3)):
            continue  # Keras refuses stride with dilation; keep volumes small
        sizes = [n + i for i in range(rank)]
        kernel = [k] * rank
        spec = (f"{'x'.join(map(str, sizes))}x3 | deconv{'x'.join(map(str, kernel))}x2 "
                f"stride{s} dilation{d} {mode}")
        (row,) = analyze(spec).rows
        layer = layers[rank](2, k, strides=s, padding=mode, dilation_rate=d)
        x = rng.standard_normal((1, *sizes, 3)).astype("float32")
        y = np.asarray(layer(x).detach().cpu())
        cases += 1
        if tuple(y.shape[1:]) != tuple(int(v) for v in row.output_shape.dims):
            bad.append(f"{spec}: Keras {y.shape[1:]}, shapecalc {row.output_shape}")
            continue
        if layer.count_params() != row.params:
            bad.append(f"{spec}: Keras {layer.count_params()} params, shapecalc {row.params}")
        module = build_module(row.layer, row.input_shape)
        conv = module[0] if isinstance(module, torch.nn.Sequential) else module
        kern, bias = (np.asarray(v.value.detach().cpu()) for v in layer.weights)
        # Keras: (*k, filters, C_in); torch: (C_in, filters, *k)
        order = (rank + 1, rank, *range(rank))
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(kern).permute(*order))
            conv.bias.copy_(torch.from_numpy(bias))
            channels_first = (0, rank + 1, *range(1, rank + 1))
            out = module(torch.from_numpy(x).permute(*channels_first))
            ours = out.permute(0, *range(2, rank + 2), 1).numpy()
        if not np.allclose(ours, y, atol=1e-5):
            bad.append(f"{spec}: values differ by {np.abs(ours - y).max()}")
    print(json.dumps({"cases": cases, "bad": bad}))
    """
)


@pytest.mark.slow
def test_same_and_valid_equal_keras() -> None:
    """Shapes, parameter counts and values of Keras' Conv1D/2D/3DTranspose."""
    probe = subprocess.run(
        [sys.executable, "-c", "import keras"],
        env={**os.environ, "KERAS_BACKEND": "torch"},
        capture_output=True,
    )
    if probe.returncode != 0:
        pytest.skip("keras is not installed (pip install keras)")
    result = subprocess.run(
        [sys.executable, "-c", KERAS_SCRIPT],
        env={**os.environ, "KERAS_BACKEND": "torch"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["cases"] > 200
    assert report["bad"] == []
