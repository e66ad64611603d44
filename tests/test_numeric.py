"""Numeric convolution and pooling (shapecalc.numeric): published course answers, hand
arithmetic, and the errors of the API. The CLI is tested in test_cli_numeric.py; random cases
against torch are in properties/test_numeric_vs_torch.py."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from shapecalc import MatrixError, conv2d, pool2d
from shapecalc.matrices import parse_text
from shapecalc.render.numeric import cell_working, result_json

# deeplearning.ai, "Convolutional Neural Networks", week 1, "Edge detection example": a 6x6
# grey image convolved with the 3x3 vertical-edge filter.
COURSE_IMAGE = "3 0 1 2 7 4; 1 5 8 9 3 1; 2 7 2 5 1 3; 0 1 3 1 7 8; 4 2 1 6 2 8; 2 4 5 2 3 9"
VERTICAL_EDGE = "1 0 -1; 1 0 -1; 1 0 -1"
COURSE_ANSWER = ((-5, -4, 0, 8), (-10, -2, 2, 3), (0, -2, -4, -7), (-3, -2, -3, -16))
# The same lecture: a 6x6 image, bright (10) left half and dark (0) right half, gives a
# bright vertical stripe in the middle of the 4x4 output.
STEP_IMAGE = "; ".join(["10 10 10 0 0 0"] * 6)
# The 5x5 image of GIMP's "Convolution Matrix" documentation
# (docs.gimp.org/en/plug-in-convmatrix.html), with the emboss kernel; the first output row
# starts 78, 87 (checked by hand: 35·(−2) + 40·(−1) + 40·(−1) + 40 + 42 + 46 + 50·2 = 78).
RAMP_IMAGE = "35 40 41 45 50; 40 40 42 46 52; 42 46 50 55 55; 48 52 56 58 60; 56 60 65 70 75"
EMBOSS = "-2 -1 0; -1 1 1; 0 1 2"
# deeplearning.ai, week 1, "Pooling layers": f=2, s=2 max pooling gives 9 2 / 6 3 and average
# pooling 3.75 1.25 / 4 2.
POOL_IMAGE = "1 3 2 1; 2 9 1 1; 1 4 2 3; 5 6 1 2"
# The same lecture's 5x5 example with f=3, s=1.
POOL_IMAGE_5 = "1 3 2 1 3; 2 9 1 1 5; 1 3 2 3 2; 8 3 5 1 0; 5 6 1 2 9"


def test_course_vertical_edge_example() -> None:
    result = conv2d(parse_text(COURSE_IMAGE), [parse_text(VERTICAL_EDGE)])
    assert result.output == (COURSE_ANSWER,)


def test_course_step_image_gives_a_bright_stripe() -> None:
    result = conv2d(parse_text(STEP_IMAGE), [parse_text(VERTICAL_EDGE)])
    assert result.output == (((0, 30, 30, 0),) * 4,)


def test_gimp_ramp_with_the_emboss_kernel() -> None:
    result = conv2d(parse_text(RAMP_IMAGE), [parse_text(EMBOSS)], explain=True)
    assert result.output[0][0][:2] == (78, 87)
    assert cell_working(result.cells[0]) == (
        "35·(−2) + 40·(−1) + 41·0 + 40·(−1) + 40·1 + 42·1 + 42·0 + 46·1 + 50·2 = 78"
    )
    assert cell_working(result.cells[0], unicode=False) == (
        "35*(-2) + 40*(-1) + 41*0 + 40*(-1) + 40*1 + 42*1 + 42*0 + 46*1 + 50*2 = 78"
    )


def test_flip_is_true_convolution() -> None:
    # By hand: flipping [[1, 2], [3, 4]] gives [[4, 3], [2, 1]];
    # on [[1, 0], [0, 0]] correlation reads 1·1 = 1, convolution 1·4 = 4.
    image, kernel = [[1, 0], [0, 0]], [[1, 2], [3, 4]]
    assert conv2d(image, [kernel]).output == (((1,),),)
    assert conv2d(image, [kernel], flip=True).output == (((4,),),)


def test_padding_stride_dilation_and_pairs_by_hand() -> None:
    image = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    # pad 1, a 1x1 kernel: the zero border shows up in the output
    assert conv2d(image, [[[2]]], pad=1).output[0][0] == (0, 0, 0, 0, 0)
    # stride 2 on the padded 5x5 picks rows and columns 0, 2, 4 of it
    assert conv2d(image, [[[1]]], pad=1, stride=2).output == (((0, 0, 0), (0, 5, 0), (0, 0, 0)),)
    # a 2x2 kernel dilated by 2 reads the four corners: 1 + 3 + 7 + 9
    assert conv2d(image, [[[1, 1], [1, 1]]], dilation=2).output == (((20,),),)
    # (height, width) pairs: stride 1 down, 2 across
    assert conv2d(image, [[[1]]], stride=(1, 2)).output == (((1, 3), (4, 6), (7, 9)),)


def test_same_padding_by_hand() -> None:
    image = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    # a 2x2 kernel needs one pixel of padding; as in TensorFlow and PyTorch it goes after
    # (bottom, right): the last column sums 3 + 6 with two zeros
    result = conv2d(image, [[[1, 1], [1, 1]]], pad="same")
    assert result.output == (((12, 16, 9), (24, 28, 15), (15, 17, 9)),)
    # stride 2: ceil(3/2) = 2 outputs, total padding (2 - 1)·2 + 3 - 3 = 2, one on each side
    strided = conv2d(image, [[[0, 0, 0], [0, 1, 0], [0, 0, 0]]], pad="same", stride=2)
    assert strided.output == (((1, 3), (7, 9)),)


def test_channels_sum_and_several_kernels_give_several_outputs() -> None:
    image = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]  # (C=2, H=2, W=2)
    kernels = [
        [[[1, 0], [0, 1]], [[0, 1], [1, 0]]],  # 1 + 4 + 6 + 7 = 18
        [[[1, 1], [1, 1]], [[0, 0], [0, 0]]],  # 1 + 2 + 3 + 4 = 10
    ]
    result = conv2d(image, kernels, bias=[1, Fraction(-1, 2)], explain=True)
    assert result.output == (((19,),), ((Fraction(19, 2),),))
    assert cell_working(result.cells[1]) == (
        "(1·1 + 2·1 + 3·1 + 4·1) + (5·0 + 6·0 + 7·0 + 8·0) + (−0.5) = 9.5"
    )
    assert result_json(result)["output"] == [[[19]], [[9.5]]]


def test_decimals_are_exact() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in floats; exactly 0.3 here.
    result = conv2d(parse_text("0.1 0.2"), [parse_text("1 1")])
    assert result.output == (((Fraction(3, 10),),),)
    assert result_json(result) == {"output": [[0.3]]}


def test_course_pooling_examples() -> None:
    image = parse_text(POOL_IMAGE)
    assert pool2d(image, 2, mode="max").output == (((9, 2), (6, 3)),)
    avg = pool2d(image, 2, stride=2, mode="avg", explain=True)
    assert avg.output == (((Fraction(15, 4), Fraction(5, 4)), (4, 2)),)
    assert cell_working(avg.cells[0]) == "(1 + 3 + 2 + 9)/4 = 3.75"
    big = pool2d(parse_text(POOL_IMAGE_5), 3, stride=1, explain=True)
    assert big.output == (((9, 9, 5), (9, 9, 5), (8, 6, 9)),)
    assert cell_working(big.cells[2]) == "max(2, 1, 3, 1, 1, 5, 2, 3, 2) = 5"


def test_pool_padding_follows_torch_by_hand() -> None:
    image = [[-1, -2], [-3, -4]]
    # max pads with -inf: the padding never wins, even over negative numbers
    mx = pool2d(image, 2, stride=1, pad=1, explain=True)
    assert mx.output == (((-1, -1, -2), (-1, -1, -2), (-3, -3, -4)),)
    assert cell_working(mx.cells[0]) == "max(−1) = −1"
    # avg counts the zero padding in the divisor (count_include_pad=True): -1/4
    avg = pool2d(image, 2, stride=1, pad=1, mode="avg", explain=True)
    assert avg.output[0][0][0] == Fraction(-1, 4)
    assert cell_working(avg.cells[0]) == "(0 + 0 + 0 + (−1))/4 = −0.25"
    # a window mean that never terminates is shown as a fraction
    third = pool2d([[1, 0, 0]], (1, 3), mode="avg", explain=True)
    assert cell_working(third.cells[0]) == "(1 + 0 + 0)/3 = 1/3"
    assert result_json(third) == {"output": [["1/3"]], "explain": [["(1 + 0 + 0)/3 = 1/3"]]}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv2d([[1, 2], [3]], [[[1]]]), "the input: row 2 has 1 number but row 1 has 2"),
        (lambda: conv2d([[1, "x"]], [[[1]]]), "the input, row 1: 'x' is not a number"),
        (lambda: conv2d([], [[[1]]]), "the input is empty"),
        (lambda: conv2d([[1]], []), "no kernel given"),
        (
            lambda: conv2d([[1, 2], [3, 4]], [[[1, 1, 1]] * 3]),
            "kernel 3x3 is larger than the padded input 2x2; add padding or use a smaller kernel",
        ),
        (
            lambda: conv2d([[1, 2], [3, 4]], [[[1, 1]] * 2], dilation=2),
            "kernel 2x2 (dilated to 3x3) is larger than the padded input 2x2; add padding or use "
            "a smaller kernel",
        ),
        (
            lambda: conv2d([[[1]], [[2]]], [[[1]]]),
            "the kernel has 1 input channel but the input has 2 channels; give one kernel matrix "
            "per input channel, separated by '/'",
        ),
        (lambda: conv2d([[1]], [[[1]], [[1, 1]]]), "kernel 2 is 1x2 but kernel 1 is 1x1"),
        (
            lambda: conv2d([[1]], [[[1]]], bias=[1, 2]),
            "the bias has 2 values but there is 1 output channel (one per kernel)",
        ),
        (lambda: conv2d([[1]], [[[1]]], stride=0), "stride must be positive, got 0"),
        (lambda: conv2d([[1]], [[[1]]], stride=(1, 0)), "stride must be positive, got 0"),
        (lambda: conv2d([[1]], [[[1]]], pad=-1), "pad must be at least 0, got -1"),
        (lambda: conv2d([[1]], [[[1]]], dilation=0), "dilation must be positive, got 0"),
        (lambda: pool2d([[1]], 0), "size must be positive, got 0"),
        (lambda: pool2d([[1]], 1, stride=0), "stride must be positive, got 0"),
        (
            lambda: pool2d([[1, 2]], 2, pad=2),
            "pad 2 is more than half the window 2 (PyTorch requires pad <= k/2)",
        ),
        (
            lambda: pool2d([[1, 2], [3, 4]], 3),
            "window 3x3 is larger than the padded input 2x2; add padding or use a smaller window",
        ),
        (lambda: pool2d([[1]], 1, mode="min"), "mode must be 'max' or 'avg', got 'min'"),  # type: ignore[arg-type]
    ],
)
def test_errors_name_the_problem(call: object, message: str) -> None:
    with pytest.raises(MatrixError) as err:
        call()  # type: ignore[operator]
    assert str(err.value) == message


def test_work_is_bounded() -> None:
    with pytest.raises(MatrixError, match="exact multiplications; at most 10,000,000"):
        conv2d([[0] * 400] * 400, [[[1] * 30] * 30])


def test_numpy_arrays_are_accepted_exactly() -> None:
    image = np.array([[0.1, 0.2], [0.3, 0.4]])  # floats: read as the decimals they print as
    weights = np.ones((2, 1, 1, 1), dtype=np.int64)  # (C_out, C_in, kh, kw)
    result = conv2d(image, weights, bias=np.array([0.0, 0.5]))
    tenths = tuple(tuple(Fraction(n, 10) for n in row) for row in ((1, 2), (3, 4)))
    assert result.output == (tenths, tuple(tuple(v + Fraction(1, 2) for v in r) for r in tenths))
    # by hand: (0.1 + 0.2)/2 = 0.15 exactly, where floats give 0.15000000000000002
    assert pool2d(image, (1, 2), mode="avg").output == (((Fraction(3, 20),), (Fraction(7, 20),)),)
