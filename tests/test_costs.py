"""MACs, FLOPs, memory and receptive fields (shapecalc.costs).

The oracles are the tools themselves, run on the calculator's own torch modules
(tests/cost_oracles.py): FlopCounterMode for FLOPs, torchinfo, fvcore and thop for their
MACs conventions. Receptive fields are checked against the values published by Araujo, Norris
and Sim (Distill, 2019; the table of the google-research/receptive_field library) and against
hand arithmetic.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shapecalc import analyze
from shapecalc.costs import CONVENTIONS, DTYPES, CostError, costs
from shapecalc.layers import REGISTRY
from shapecalc.layers.base import NoWindow
from shapecalc.symbolic import substitute

torch = pytest.importorskip("torch", reason="torch is the oracle (CI installs it)")

import cost_oracles as oracles  # noqa: E402

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.shape"))

#: Each convention and the tool that defines it: (oracle, which total it gives).
ORACLES = {
    "torch": (oracles.flop_counter, "flops"),
    "torchinfo": (oracles.torchinfo_mult_adds, "macs"),
    "fvcore": (oracles.fvcore_flops, "macs"),
    "thop": (oracles.thop_macs, "macs"),
}

#: Rank-specific rules (fvcore knows only the 2D adaptive pooling and upsampling), pinned.
OTHER_RANKS = (
    "100x8 | gap",
    "8x8x8x4 | gap",
    "8x8x8x4 | adaptiveavgpool3",
    "20x4 | adaptiveavgpool7",
    "20x4 | upsample2",
    "4x4x4x2 | upsample2",
    "6x6x6x3 | bn",
    "5x7x4 | softmax",
)
LAYER_EXAMPLES = sorted(
    {f"{ex.input} | {ex.layer}" for cls in set(REGISTRY.values()) for ex in cls.examples}
    | set(OTHER_RANKS)
)


def test_every_convention_has_an_oracle() -> None:
    assert set(ORACLES) == set(CONVENTIONS)


@pytest.mark.parametrize("convention", sorted(ORACLES))
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.slow
def test_examples_match_the_tools(path: Path, convention: str) -> None:
    analysis = analyze(path.read_text())
    oracle, field = ORACLES[convention]
    result = costs(analysis, batch=2, convention=convention)
    assert getattr(result.totals, field) == oracle(analysis, 2)


@pytest.mark.parametrize("convention", sorted(ORACLES))
@pytest.mark.parametrize("spec", LAYER_EXAMPLES)
def test_every_layer_example_matches_the_tools(spec: str, convention: str) -> None:
    # One layer at a time, so a mismatch names the layer kind (1D, 2D and 3D examples).
    analysis = analyze(spec)
    oracle, field = ORACLES[convention]
    ours = getattr(costs(analysis, batch=3, convention=convention).totals, field)
    theirs = oracle(analysis, 3)
    if convention == "thop" and spec == "13x13x256 | adaptiveavgpool6x6":
        # thop multiplies the float window 13/6 * 13/6 + 1 by the outputs and truncates,
        # one below the exact count 3*256*(13*13 + 6*6) (README, Costs).
        assert ours == 3 * 256 * (169 + 36) == theirs + 1
    else:
        assert ours == theirs


def test_flops_are_twice_the_macs_and_rows_add_up() -> None:
    analysis = analyze((EXAMPLES[0].parent / "vgg16.shape").read_text())
    for convention in CONVENTIONS:
        result = analysis.costs(batch=4, convention=convention)
        assert result.totals.flops == 2 * result.totals.macs
        assert result.totals.macs == sum(row.macs for row in result.rows)


def test_vgg16_macs_by_hand() -> None:
    # Per sample: 13 convolutions, sum of 9*C_in*C_out*H*W over the stages, plus three dense.
    stages = [(224, [(3, 64), (64, 64)]), (112, [(64, 128), (128, 128)]),
              (56, [(128, 256), (256, 256), (256, 256)]),
              (28, [(256, 512), (512, 512), (512, 512)]),
              (14, [(512, 512), (512, 512), (512, 512)])]  # fmt: skip
    conv = sum(9 * cin * cout * size * size for size, layers in stages for cin, cout in layers)
    dense = 25088 * 4096 + 4096 * 4096 + 4096 * 1000
    analysis = analyze((EXAMPLES[0].parent / "vgg16.shape").read_text())
    assert analysis.costs().totals.macs == conv + dense == 15_470_264_320


def test_memory_scales_with_batch_and_dtype() -> None:
    analysis = analyze("28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10")
    base = analysis.costs()
    assert [r.output_elements for r in base.rows] == [28 * 28 * 16, 14 * 14 * 16, 3136, 10]
    for dtype, size in DTYPES.items():
        result = analysis.costs(batch=64, dtype=dtype)
        assert result.totals.output_bytes == 64 * size * base.totals.output_elements
        assert result.totals.param_bytes == size * 31_530
        assert result.totals.input_bytes == 64 * size * 784
        assert result.totals.macs == 64 * base.totals.macs


def test_symbolic_costs_are_polynomials_that_agree_with_concrete_ones() -> None:
    spec = "nxnx3 | conv3x3x8 | maxpool2 | conv{f}x{f}x4 same | flatten | dense10"
    symbolic = analyze(spec).costs(batch=2)
    assert str(symbolic.rows[0].macs) == "432*(n - 2)**2"  # 2 * 27 * 8 per output position
    for n, f in ((28, 3), (33, 5), (64, 1)):
        concrete = analyze(spec, n=n, f=f).costs(batch=2)
        for field in ("macs", "flops", "output_elements", "output_bytes", "param_bytes"):
            value = substitute(getattr(symbolic.totals, field), {"n": n, "f": f})
            assert value == getattr(concrete.totals, field), (field, n, f)


def test_concrete_costs_are_python_ints() -> None:
    result = analyze("32x32x3 | conv5x5x6 | maxpool2 | flatten | dense10").costs()
    assert all(type(v) is int for r in result.rows for v in (r.macs, r.output_bytes))
    assert result.rows[0].macs == 28 * 28 * 6 * 75


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dtype": "float64"}, "unknown dtype 'float64'; choose one of float32, float16"),
        ({"convention": "ptflops"}, "unknown MACs convention 'ptflops'; choose one of torch"),
        ({"batch": 0}, "batch must be a positive whole number, got 0"),
    ],
)
def test_bad_options_are_named(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(CostError, match=message):
        analyze("8x8x1 | conv3x3x2").costs(**kwargs)  # type: ignore[arg-type]


# Receptive fields.

#: TF-slim's alexnet_v2 and vgg_16 up to their last pooling layer. Published (Distill 2019 /
#: google-research/receptive_field): alexnet_v2 195, stride 32, padding 64; vgg_16 212, 32, 90.
ALEXNET_V2 = (
    "224x224x3 | conv11x11x64 stride4 | relu | maxpool3 stride2 | conv5x5x192 same | relu"
    " | maxpool3 stride2 | conv3x3x384 same | conv3x3x384 same | conv3x3x256 same"
    " | maxpool3 stride2"
)
VGG_16 = (
    "224x224x3 | (conv3x3x64 same | relu)x2 | maxpool2 | (conv3x3x128 same | relu)x2 | maxpool2"
    " | (conv3x3x256 same | relu)x3 | maxpool2 | (conv3x3x512 same | relu)x3 | maxpool2"
    " | (conv3x3x512 same | relu)x3 | maxpool2"
)


def _field(spec: str, index: int = -1) -> tuple[object, ...]:
    rf = analyze(spec).costs().rows[index].receptive_field
    assert rf is not None
    return rf.size + rf.stride + rf.padding


@pytest.mark.parametrize(
    ("spec", "published"), [(ALEXNET_V2, (195, 32, 64)), (VGG_16, (212, 32, 90))]
)
def test_published_receptive_fields(spec: str, published: tuple[int, int, int]) -> None:
    size, stride, padding = published
    assert _field(spec) == (size, size, stride, stride, padding, padding)


def test_example_networks_up_to_their_last_pooling() -> None:
    # examples/vgg16.shape is vgg_16 exactly (row 31 is pool5). torchvision's AlexNet pads
    # conv1 by 2 where alexnet_v2 pads nothing: same size and stride, padding 64 + 2*1 = 66.
    vgg = (EXAMPLES[0].parent / "vgg16.shape").read_text()
    assert _field(vgg, 30) == (212, 212, 32, 32, 90, 90)
    alexnet = (EXAMPLES[0].parent / "alexnet.shape").read_text()
    assert _field(alexnet, 12) == (195, 195, 32, 32, 66, 66)
    # Past flatten every output sees the whole input.
    assert analyze(vgg).costs().rows[-1].receptive_field is None


def test_dilation_same_padding_and_zeropad_by_hand() -> None:
    # conv3 d2: kernel 5 -> r 5; then conv3 s2: r = 5 + 2*1 = 7, j = 2; then conv3 d3
    # (kernel 7): r = 7 + 6*2 = 19, j = 2.
    assert _field("32x1 | conv3x4 dilation2 | conv3x4 stride2 | conv3x4 dilation3") == (19, 2, 0)
    # same with stride 2 on 8: out 4, total pad (4-1)*2 + 3 - 8 = 1, split 0 before, 1 after
    # (TensorFlow's split); on 9: out 5, total 2, 1 before.
    assert _field("8x1 | conv3x4 same stride2") == (3, 2, 0)
    assert _field("9x1 | conv3x4 same stride2") == (3, 2, 1)
    # zeropad2 then maxpool2: padding 2 (j = 1), then the pool adds 0; r = 2, j = 2.
    assert _field("8x8x1 | zeropad2 | maxpool2") == (2, 2, 2, 2, 2, 2)


def test_symbolic_receptive_field() -> None:
    rf = analyze("nxnx3 | conv{f}x{f}x8 | maxpool2 | conv{f}x{f}x8").costs().rows[-1]
    assert rf.receptive_field is not None
    assert str(rf.receptive_field.size[0]) == "3*f - 1"  # f + 1 + (f - 1)*2
    assert rf.receptive_field.stride[0] == 2


@pytest.mark.parametrize("spec", LAYER_EXAMPLES)
def test_windows_agree_with_output_sizes(spec: str) -> None:
    # A layer kind that changes the spatial size must say how it slides (or that it sees
    # everything): the base class's 1-wide default only fits layers that keep the size.
    row = analyze(spec).rows[0]
    windows = row.layer.windows(row.input_shape)
    if isinstance(windows, NoWindow):
        return
    assert len(windows) == row.input_shape.spatial_rank
    for n, out, w in zip(row.input_shape.spatial, row.output_shape.spatial, windows):
        # Negative padding only as a crop: a 1-wide window that starts inside the input.
        assert w.padding >= 0 or (w.kernel, w.stride) == (1, 1), spec
        if (w.kernel, w.stride) == (1, 1):  # element-wise, or padding/crop on both sides
            assert out == n + 2 * w.padding, spec
        else:  # every window starts inside the input or the padding before it
            assert (out - 1) * w.stride - w.padding <= n - 1, spec
