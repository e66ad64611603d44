"""Published CNN quiz questions and worked examples, answered end to end through the CLI.

Each entry is a question from a course, a paper or official documentation, phrased as a spec,
with the answer the source publishes; the comment above it cites the source. The answers are
the sources' own numbers, not shapecalc's output; where an entry uses a number the source
does not print (27C² with C = 64), the comment says how it was worked by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from click.testing import CliRunner

from shapecalc.cli import cli

COURSERA = (
    "https://github.com/amanchadha/coursera-deep-learning-specialization/blob/master/"
    "C4%20-%20Convolutional%20Neural%20Networks/Week%201/"
    "Week%201%20Quiz%20-%20The%20basics%20of%20ConvNets.md"
)
CODESHALA = (
    "https://codeshala.io/platform/coursera/course/convolutional-neural-networksdeep-learning-"
    "specialization/assignment/the-basics-of-convnetsconvolutional-neural-networksdeep-learning-"
    "specializationanswers2025"
)
CS231N = "https://cs231n.github.io/convolutional-networks/"
ARITHMETIC = "https://arxiv.org/abs/1603.07285 (Dumoulin & Visin, conv_arithmetic.tex)"
D2L_PADDING = "https://d2l.ai/chapter_convolutional-neural-networks/padding-and-strides.html"
KERAS_MNIST = "https://keras.io/examples/vision/mnist_convnet/"
DLWP = (
    "https://github.com/fchollet/deep-learning-with-python-notebooks/blob/master/"
    "5.1-introduction-to-convnets.ipynb"
)


@dataclass(frozen=True)
class Quiz:
    """A question, its spec, and the published answer.

    Attributes:
        source: where the question and answer are published.
        question: the question, paraphrased.
        spec: the question as a spec.
        shape: the published output shape of the last layer (or of ``layers``).
        params: the published parameter count (total).
        layers: published per-layer answers: {layer index: shape or parameter count}.
        solve: for "which value...?" questions: (solve arguments, published solutions).
    """

    source: str
    question: str
    spec: str
    shape: str | None = None
    params: int | None = None
    layers: dict[int, str | int] = field(default_factory=dict)
    solve: tuple[tuple[str, ...], list[dict[str, int]]] | None = None


QUIZ = [
    # Coursera Deep Learning Specialization, C4 week 1 quiz "The basics of ConvNets": COURSERA
    Quiz(
        COURSERA,
        "300x300 RGB, 100 fully connected neurons: parameters?",
        "300x300x3 | flatten | dense100",
        params=27_000_100,
    ),
    Quiz(
        COURSERA,
        "300x300 RGB, 100 conv filters of 5x5: parameters?",
        "300x300x3 | conv5x5x100",
        params=7_600,
    ),
    Quiz(
        COURSERA,
        "63x63x16, 32 filters 7x7, stride 2, no padding: output volume?",
        "63x63x16 | conv7x7x32 stride2",
        shape="29x29x32",
    ),
    Quiz(
        COURSERA,
        "15x15x8 padded with pad=2: resulting volume?",
        "15x15x8 | zeropad2",
        shape="19x19x8",
    ),
    Quiz(
        COURSERA,
        "63x63x16, 32 filters 7x7, stride 1, 'same': the padding?",
        "63x63x16 | conv7x7x32 pad{p}",
        solve=(("--out", "63x63x32"), [{"p": 3}]),
    ),
    Quiz(
        COURSERA,
        "32x32x16, max pooling size 2 stride 2: output volume?",
        "32x32x16 | maxpool2 stride2",
        shape="16x16x16",
    ),
    Quiz(
        COURSERA,
        "256x256 grayscale, 128 conv filters of 3x3: parameters?",
        "256x256x1 | conv3x3x128",
        params=1_280,
    ),
    Quiz(
        COURSERA,
        "127x127x16, 32 filters 5x5, stride 2, no padding: output volume?",
        "127x127x16 | conv5x5x32 stride2",
        shape="62x62x32",
    ),
    Quiz(
        COURSERA,
        "31x31x32 padded with pad=1: resulting volume?",
        "31x31x32 | zeropad1",
        shape="33x33x32",
    ),
    # The same quiz's variants, with worked answers: CODESHALA
    Quiz(
        CODESHALA,
        "128x128 grayscale, 256 fully connected neurons: parameters?",
        "128x128x1 | flatten | dense256",
        params=4_194_560,
    ),
    Quiz(
        CODESHALA,
        "121x121x16, 32 filters 4x4, stride 3, no padding: output volume?",
        "121x121x16 | conv4x4x32 stride3",
        shape="40x40x32",
    ),
    # Stanford CS231n notes, "Convolutional Neural Networks": CS231N
    Quiz(
        CS231N,
        "7x7 input, 3x3 filter, stride 1, pad 0: output?",
        "7x7x1 | conv3x3x1",
        shape="5x5x1",
    ),
    Quiz(
        CS231N,
        "7x7 input, 3x3 filter, stride 2: output?",
        "7x7x1 | conv3x3x1 stride2",
        shape="3x3x1",
    ),
    Quiz(CS231N, "W=5, F=3, P=1, S=1: output size?", "5x5x1 | conv3x3x1 pad1", shape="5x5x1"),
    Quiz(
        CS231N, "W=5, F=3, P=1, S=2: output size?", "5x5x1 | conv3x3x1 pad1 stride2", shape="3x3x1"
    ),
    Quiz(
        CS231N,
        "demo: 5x5x3 input, K=2, F=3, S=2, P=1: output volume?",
        "5x5x3 | conv3x3x2 stride2 pad1",
        shape="3x3x2",
    ),
    Quiz(
        CS231N,
        "AlexNet first layer, 227x227x3, 96 filters 11x11 stride 4: output and params?",
        "227x227x3 | conv11x11x96 stride4",
        shape="55x55x96",
        params=34_944,
    ),
    Quiz(
        CS231N,
        "AlexNet first layer without biases: unique weights?",
        "227x227x3 | conv11x11x96 stride4 nobias",
        params=34_848,
    ),
    Quiz(
        CS231N,
        "X of shape (11,11,4), F=5, S=2, P=0: output spatial size?",
        "11x11x4 | conv5x5x1 stride2",
        shape="4x4x1",
    ),
    Quiz(
        CS231N,
        "224x224x64 pooled with filter 2, stride 2?",
        "224x224x64 | maxpool2 stride2",
        shape="112x112x64",
    ),
    # CS231n's VGGNet table counts weights only (no biases): "nobias" matches its convention.
    Quiz(
        CS231N,
        "VGG-16, layer by layer: sizes and weights",
        "224x224x3 | (conv3x3x64 pad1 nobias)x2 | maxpool2 | (conv3x3x128 pad1 nobias)x2 | "
        "maxpool2 | (conv3x3x256 pad1 nobias)x3 | maxpool2 | (conv3x3x512 pad1 nobias)x3 | "
        "maxpool2 | (conv3x3x512 pad1 nobias)x3 | maxpool2 | flatten | dense4096 nobias | "
        "dense4096 nobias | dense1000 nobias",
        layers={
            1: "224x224x64",
            2: 36_864,
            3: "112x112x64",
            4: 73_728,
            5: 147_456,
            6: "56x56x128",
            7: 294_912,
            8: 589_824,
            10: "28x28x256",
            11: 1_179_648,
            12: 2_359_296,
            14: "14x14x512",
            15: 2_359_296,
            18: "7x7x512",
            20: 102_760_448,
            21: 16_777_216,
            22: 4_096_000,
        },
    ),
    Quiz(
        CS231N,
        "an FC layer of 4096 on 7x7x512 as a 7x7 conv: output?",
        "7x7x512 | conv7x7x4096",
        shape="1x1x4096",
    ),
    Quiz(
        CS231N,
        "the converted net on a 384x384 image: 12x12x512 through the three FC-convs?",
        "12x12x512 | conv7x7x4096 | conv1x1x4096 | conv1x1x1000",
        shape="6x6x1000",
    ),
    # 27C² vs 49C² weights, here with C = 64 (worked by hand: 27·64² and 49·64²)
    Quiz(
        CS231N,
        "three 3x3 convs vs one 7x7, C channels: parameters (C=64)?",
        "56x56x64 | (conv3x3x64 pad1 nobias)x3",
        shape="56x56x64",
        params=27 * 64**2,
    ),
    Quiz(
        CS231N,
        "one 7x7 conv, C channels: parameters (C=64)?",
        "56x56x64 | conv7x7x64 pad3 nobias",
        shape="56x56x64",
        params=49 * 64**2,
    ),
    # Dumoulin & Visin, "A guide to convolution arithmetic for deep learning": ARITHMETIC
    Quiz(ARITHMETIC, "i=4, k=3, s=1, p=0", "4x4x1 | conv3x3x1", shape="2x2x1"),
    Quiz(ARITHMETIC, "i=5, k=3, s=1, p=0", "5x5x1 | conv3x3x1", shape="3x3x1"),
    Quiz(ARITHMETIC, "i=5, k=4, p=2 (o = i - k + 2p + 1)", "5x5x1 | conv4x4x1 pad2", shape="6x6x1"),
    Quiz(ARITHMETIC, "half padding i=5, k=3, p=1: o = i", "5x5x1 | conv3x3x1 pad1", shape="5x5x1"),
    Quiz(
        ARITHMETIC,
        "full padding i=5, k=3, p=2: o = i + k - 1",
        "5x5x1 | conv3x3x1 pad2",
        shape="7x7x1",
    ),
    Quiz(ARITHMETIC, "i=5, k=3, s=2, p=0", "5x5x1 | conv3x3x1 stride2", shape="2x2x1"),
    Quiz(
        ARITHMETIC,
        "i=5, k=3, s=2, p=1 and i=6: the same output size",
        "6x6x1 | conv3x3x1 stride2 pad1",
        shape="3x3x1",
    ),
    Quiz(ARITHMETIC, "dilated: i=7, k=3, d=2", "7x7x1 | conv3x3x1 dilation2", shape="3x3x1"),
    Quiz(
        ARITHMETIC, "3x3 pooling on 5x5 with 1x1 strides", "5x5x1 | avgpool3 stride1", shape="3x3x1"
    ),
    # Dive into Deep Learning, "Padding and Stride": D2L_PADDING
    Quiz(D2L_PADDING, "8x8 input, 3x3 kernel, padding 1", "8x8x1 | conv3x3x1 pad1", shape="8x8x1"),
    Quiz(
        D2L_PADDING,
        "8x8 input, 5x3 kernel, padding (2, 1)",
        "8x8x1 | conv5x3x1 pad2x1",
        shape="8x8x1",
    ),
    Quiz(
        D2L_PADDING,
        "8x8 input, 3x3 kernel, padding 1, stride 2",
        "8x8x1 | conv3x3x1 pad1 stride2",
        shape="4x4x1",
    ),
    Quiz(
        D2L_PADDING,
        "8x8 input, kernel (3, 5), padding (0, 1), stride (3, 4)",
        "8x8x1 | conv3x5x1 pad0x1 stride3x4",
        shape="2x2x1",
    ),
    Quiz(
        D2L_PADDING,
        "240x240 through ten 5x5 convolutions",
        "240x240x1 | (conv5x5x1)x10",
        shape="200x200x1",
    ),
    # Keras "Simple MNIST convnet" model.summary(): KERAS_MNIST
    Quiz(
        KERAS_MNIST,
        "the MNIST convnet's summary",
        "28x28x1 | conv3x3x32 | relu | maxpool2 | conv3x3x64 | relu | maxpool2 | flatten | "
        "dropout0.5 | dense10 | softmax",
        params=34_826,
        shape="10",
        layers={1: "26x26x32", 3: "13x13x32", 4: 18_496, 6: "5x5x64", 7: "1600", 9: 16_010},
    ),
    # Deep Learning with Python, notebook 5.1 (first edition): DLWP
    Quiz(
        DLWP,
        "convnet base: last conv output and total params",
        "28x28x1 | conv3x3x32 | maxpool2 | conv3x3x64 | maxpool2 | conv3x3x64",
        shape="3x3x64",
        params=55_744,
        layers={5: 36_928},
    ),
    Quiz(
        DLWP,
        "with flatten, dense64, dense10: total params",
        "28x28x1 | conv3x3x32 | maxpool2 | conv3x3x64 | maxpool2 | conv3x3x64 | flatten | "
        "dense64 | dense10",
        params=93_322,
        layers={6: "576", 8: 650},
    ),
    # tf.keras.layers.Conv2D docstring examples (batch of 4 dropped):
    # https://www.tensorflow.org/versions/r2.13/api_docs/python/tf/keras/layers/Conv2D
    Quiz(
        "https://www.tensorflow.org/versions/r2.13/api_docs/python/tf/keras/layers/Conv2D",
        "Conv2D(2, 3) on 28x28x3",
        "28x28x3 | conv3x3x2",
        shape="26x26x2",
    ),
    Quiz(
        "https://www.tensorflow.org/versions/r2.13/api_docs/python/tf/keras/layers/Conv2D",
        "Conv2D(2, 3, dilation_rate=2) on 28x28x3",
        "28x28x3 | conv3x3x2 dilation2",
        shape="24x24x2",
    ),
    Quiz(
        "https://www.tensorflow.org/versions/r2.13/api_docs/python/tf/keras/layers/Conv2D",
        "Conv2D(2, 3, padding='same') on 28x28x3",
        "28x28x3 | conv3x3x2 same",
        shape="28x28x2",
    ),
    # tf.keras.layers.MaxPool2D docstring examples (r2.5 and later):
    # https://www.tensorflow.org/versions/r2.8/api_docs/python/tf/keras/layers/MaxPool2D
    Quiz(
        "https://www.tensorflow.org/versions/r2.8/api_docs/python/tf/keras/layers/MaxPool2D",
        "3x3 input, pool 2x2, strides 1, valid",
        "3x3x1 | maxpool2 stride1",
        shape="2x2x1",
    ),
    Quiz(
        "https://www.tensorflow.org/versions/r2.8/api_docs/python/tf/keras/layers/MaxPool2D",
        "3x4 input, pool 2x2, strides 2, valid",
        "3x4x1 | maxpool2 stride2",
        shape="1x2x1",
    ),
    # LeNet-5 C1: https://yohanes.gultom.id/2016/12/12/understanding-lenet-lecun-1998/
    Quiz(
        "https://yohanes.gultom.id/2016/12/12/understanding-lenet-lecun-1998/",
        "LeNet-5 C1: six 5x5 maps on 32x32: size and trainable params",
        "32x32x1 | conv5x5x6",
        shape="28x28x6",
        params=156,
    ),
    # LeNet-5 C3 and C5 as standard convolutions:
    # https://blog.csdn.net/Sophia_11/article/details/85043685
    Quiz(
        "https://blog.csdn.net/Sophia_11/article/details/85043685",
        "LeNet-5 C3 as a standard conv: output and params",
        "14x14x6 | conv5x5x16",
        shape="10x10x16",
        params=2_416,
    ),
    Quiz(
        "https://blog.csdn.net/Sophia_11/article/details/85043685",
        "LeNet-5 C5: output and params",
        "5x5x16 | conv5x5x120",
        shape="1x1x120",
        params=48_120,
    ),
    # TensorFlow Developer course, week 3 quiz:
    # https://github.com/josoriov/tf-developer/blob/master/01-introduction/week-3/week3-quiz.md
    Quiz(
        "https://github.com/josoriov/tf-developer/blob/master/01-introduction/week-3/week3-quiz.md",
        "a 3x3 filter over 28x28, then 2x2 max pooling",
        "28x28x1 | conv3x3x1 | maxpool2",
        shape="13x13x1",
        layers={1: "26x26x1"},
    ),
    # PyTorch challenge page with worked answers:
    # https://leyaa.ai/codefly/learn/pytorch/part-2/pytorch-kernel-size-stride-padding/challenge
    Quiz(
        "https://leyaa.ai/codefly/learn/pytorch/part-2/pytorch-kernel-size-stride-padding/challenge",
        "10x10, kernel 3, stride 2, padding 1",
        "10x10x1 | conv3x3x1 stride2 pad1",
        shape="5x5x1",
    ),
    Quiz(
        "https://leyaa.ai/codefly/learn/pytorch/part-2/pytorch-kernel-size-stride-padding/challenge",
        "28x28, kernel 5: which padding keeps 28x28?",
        "28x28x1 | conv5x5x1 pad{p}",
        solve=(("--out", "28x28x1"), [{"p": 2}]),
    ),
    # TensorFlow challenge page: 'SAME' with stride 2 gives ceil(28/2):
    # https://leyaa.ai/codefly/learn/tensorflow/part-2/tensorflow-padding-and-stride/challenge
    Quiz(
        "https://leyaa.ai/codefly/learn/tensorflow/part-2/tensorflow-padding-and-stride/challenge",
        "28x28x3, 5 filters 3x3, strides 2, SAME",
        "28x28x3 | conv3x3x5 stride2 same",
        shape="14x14x5",
    ),
    # Cheat sheet based on CS231n: https://clawdemy.org/lessons/computer-vision/convolution-and-cnns/cheatsheet/
    Quiz(
        "https://clawdemy.org/lessons/computer-vision/convolution-and-cnns/cheatsheet/",
        "100 filters of 3x3 on RGB: parameters",
        "32x32x3 | conv3x3x100",
        params=2_800,
    ),
    Quiz(
        "https://clawdemy.org/lessons/computer-vision/convolution-and-cnns/cheatsheet/",
        "FC layer of 100 units on 224x224x3: parameters",
        "224x224x3 | flatten | dense100",
        params=15_052_900,
    ),
]


def _json(*args: str) -> dict:
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _shape(dims: list[int]) -> str:
    return "x".join(str(d) for d in dims)


@pytest.mark.parametrize("quiz", QUIZ, ids=[f"{i + 1}: {q.question}" for i, q in enumerate(QUIZ)])
def test_published_answer(quiz: Quiz) -> None:
    if quiz.solve is not None:
        args, solutions = quiz.solve
        assert _json("solve", quiz.spec, *args)["solutions"] == solutions
        return
    doc = _json(quiz.spec)
    if quiz.shape is not None:
        assert _shape(doc["output"]) == quiz.shape
    if quiz.params is not None:
        assert doc["totals"]["params"] == quiz.params
    for index, answer in quiz.layers.items():
        layer = doc["layers"][index - 1]
        if isinstance(answer, str):
            assert _shape(layer["output_shape"]) == answer, (index, layer["spec"])
        else:
            assert layer["params"] == answer, (index, layer["spec"])


def test_enough_questions_with_their_sources() -> None:
    assert len(QUIZ) >= 25
    assert all(q.source.startswith("https://") for q in QUIZ)
    assert all(q.shape or q.params or q.layers or q.solve for q in QUIZ)
