"""Numeric 2D convolution, transposed convolution and pooling on exact numbers, with the
working of every output cell.

:func:`conv2d` computes what ``torch.nn.functional.conv2d`` computes: a cross-correlation
(the kernel is not flipped; ``flip=True`` flips it for the textbook convolution), zero
padding, stride, dilation, a sum over the input channels, one output channel per kernel and
an optional bias per output channel. :func:`pool2d` computes ``max_pool2d`` (padding is
``-inf``, so it never wins) and ``avg_pool2d`` with ``count_include_pad=True`` (padding
counts as zeros and the divisor is always the window's area), each channel on its own.

Output sizes follow PyTorch: ``out = floor((n + 2*pad - dilation*(k - 1) - 1)/stride) + 1``.
:func:`conv_transpose2d` computes ``torch.nn.functional.conv_transpose2d`` (and Keras'
``same``/``valid``): ``out = (n − 1)*stride − 2*pad + dilation*(k − 1) + outpad + 1``.
All arithmetic is on ints and Fractions, so results are exact.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from operator import mul
from typing import Any, Literal, Union

from .errors import MatrixError
from .layers.conv import same_pad
from .layers.deconv import keras_crop
from .matrices import (
    Matrix,
    Number,
    Volume,
    check_channels,
    normalize,
    parse_number,
    plural,
    size_text,
)

#: An int for both dims or (height, width).
Pair = Union[int, tuple[int, int]]
#: ((top, bottom), (left, right)) padding.
Pads = tuple[tuple[int, int], tuple[int, int]]
PoolMode = Literal["max", "avg"]

#: Most multiplications (or window reads) one call does: pure-Python exact arithmetic runs at
#: a few million per second, so this bounds a call to seconds.
MAX_OPERATIONS = 10_000_000


@dataclass(frozen=True)
class ConvCell:
    """How one output cell of a convolution was computed.

    Attributes:
        channel, row, col: the cell's position, counted from 0.
        products: per input channel, the (input value, weight) pairs in row-major kernel order;
            padding contributes input value 0. A transposed convolution's cell lists the
            input cells that reach it, in row-major input order (none past its full output).
        bias: the output channel's bias, or None without one.
        value: the sum of all products plus the bias.
    """

    channel: int
    row: int
    col: int
    products: tuple[tuple[tuple[Number, Number], ...], ...]
    bias: Number | None
    value: Number


@dataclass(frozen=True)
class PoolCell:
    """How one output cell of a pooling was computed.

    Attributes:
        channel, row, col: the cell's position, counted from 0.
        mode: ``"max"`` or ``"avg"``.
        values: the window's values in row-major order. Max pooling leaves the padding out
            (it is ``-inf`` and never wins); average pooling counts it as 0.
        divisor: what the sum is divided by (average pooling: the window's area).
        value: the result.
    """

    channel: int
    row: int
    col: int
    mode: PoolMode
    values: tuple[Number, ...]
    divisor: int
    value: Number


Cell = Union[ConvCell, PoolCell]

#: Max pooling's padding.
_NEG_INF = float("-inf")


@dataclass(frozen=True)
class NumericResult:
    """The output channels of a convolution or pooling and, when asked for, each cell's working.

    Attributes:
        output: (C, H, W) exact numbers; ints where whole.
        cells: every output cell's working, channel by channel in row-major order (empty
            unless ``explain=True`` was passed).
        operation: ``"conv"``, ``"conv_transpose"``, ``"max"`` or ``"avg"``.
    """

    output: Volume
    cells: tuple[Cell, ...]
    operation: str

    def cell_rows(self) -> tuple[tuple[tuple[Cell, ...], ...], ...]:
        """``cells`` nested as ``output`` is: [channel][row][col]."""
        height, width = len(self.output[0]), len(self.output[0][0])
        it = iter(self.cells)
        return tuple(
            tuple(tuple(next(it) for _ in range(width)) for _ in range(height)) for _ in self.output
        )


def _pair(value: Pair, name: str, minimum: int) -> tuple[int, int]:
    """(height, width) from an int or a pair, each at least ``minimum``."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
        raise MatrixError(f"{name} must be an integer or a pair of integers, got {value!r}")
    for v in pair:
        if v < minimum:
            need = "positive" if minimum == 1 else f"at least {minimum}"
            raise MatrixError(f"{name} must be {need}, got {v}")
    return pair[0], pair[1]


def _number(value: object, what: str) -> Number:
    """An exact number from an int, a Fraction, a Decimal-like string or (shortest repr) float."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction):
        return normalize(value)
    try:
        return parse_number(repr(float(value)) if isinstance(value, float) else str(value))
    except ValueError as err:
        raise MatrixError(f"{what}: {value!r} {err}") from None


def as_volume(values: Sequence[object], what: str) -> Volume:
    """Validate (H, W) or (C, H, W) nested sequences (or a numpy array) and make them exact
    numbers; a float counts as the shortest decimal that prints as it (``0.1`` is 1/10).

    Raises:
        MatrixError: an empty, ragged or non-numeric matrix, or channels of different sizes.
    """
    if hasattr(values, "tolist"):  # a numpy array: nested lists of Python numbers
        values = values.tolist()
    if not values:
        raise MatrixError(f"{what} is empty")
    first = values[0]
    is_matrix = (
        isinstance(first, Sequence)
        and not isinstance(first, str)
        and not (first and isinstance(first[0], Sequence) and not isinstance(first[0], str))
    )
    channels = [values] if is_matrix else list(values)
    result: list[Matrix] = []
    for index, channel in enumerate(channels, 1):
        where = f"channel {index}, " if len(channels) > 1 else ""
        if not isinstance(channel, Sequence) or isinstance(channel, str) or not channel:
            raise MatrixError(f"{what}: channel {index} is empty" if where else f"{what} is empty")
        rows: list[tuple[Number, ...]] = []
        for r, row in enumerate(channel, 1):
            if not isinstance(row, Sequence) or isinstance(row, str):
                raise MatrixError(f"{what}: {where}row {r} is not a list of numbers")
            if not row:
                raise MatrixError(f"{what}: {where}row {r} is empty")
            if rows and len(row) != len(rows[0]):
                raise MatrixError(
                    f"{what}: {where}row {r} has {plural(len(row), 'number')} but row 1 has "
                    f"{len(rows[0])}"
                )
            # ints (nearly every cell) pass as they are; the rest are checked and converted
            rows.append(
                tuple(v if type(v) is int else _number(v, f"{what}, {where}row {r}") for v in row)
            )
        result.append(tuple(rows))
    check_channels(result, what)
    return tuple(result)


def _fits(
    what: str,
    kernel: tuple[int, int],
    dilation: tuple[int, int],
    image: Matrix,
    pads: Pads,
) -> None:
    """The (dilated) window fits in the padded input in both dims."""
    effective = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    padded = (len(image) + sum(pads[0]), len(image[0]) + sum(pads[1]))
    if effective[0] > padded[0] or effective[1] > padded[1]:
        size = f"{kernel[0]}x{kernel[1]}"
        dilated = f" (dilated to {effective[0]}x{effective[1]})" if effective != kernel else ""
        raise MatrixError(
            f"{what} {size}{dilated} is larger than the padded input {padded[0]}x{padded[1]}; "
            "add padding or use a smaller " + ("kernel" if what == "kernel" else "window")
        )


def _out_size(n: int, k: int, pads: tuple[int, int], s: int, d: int = 1) -> int:
    return (n + sum(pads) - d * (k - 1) - 1) // s + 1


#: Most products (or window values) kept for --explain, whose working is printed in full.
MAX_EXPLAINED = 100_000


def _check_budget(operations: int, explain: bool = False) -> None:
    if operations > MAX_OPERATIONS:
        raise MatrixError(
            f"this needs {operations:,} exact multiplications; at most {MAX_OPERATIONS:,} "
            "are done — use smaller matrices"
        )
    if explain and operations > MAX_EXPLAINED:
        raise MatrixError(
            f"--explain would print {operations:,} terms; at most {MAX_EXPLAINED:,} — use "
            "smaller matrices or leave out --explain"
        )


def conv2d(
    image: Sequence[object],
    kernels: Sequence[Sequence[object]],
    *,
    stride: Pair = 1,
    pad: Pair | Literal["same"] = 0,
    dilation: Pair = 1,
    bias: Sequence[object] | None = None,
    flip: bool = False,
    explain: bool = False,
) -> NumericResult:
    """Convolve an image with one kernel per output channel, exactly, as PyTorch's conv2d.

    Args:
        image: (H, W) or (C_in, H, W) numbers: nested sequences or a numpy array.
        kernels: one kernel per output channel, each (kh, kw) or (C_in, kh, kw); or a numpy
            array shaped (C_out, C_in, kh, kw).
        stride, pad, dilation: an int, or (height, width). ``pad="same"`` pads as TensorFlow
            and shapecalc's ``same`` do: out = ceil(in/stride), the odd pixel at the bottom or
            right; with stride 1 this is PyTorch's ``padding="same"``.
        bias: one number per output channel, or None.
        flip: flip each kernel in both spatial dims first (true convolution, as in signal
            processing), instead of the cross-correlation deep-learning frameworks compute.
        explain: keep every output cell's products in ``cells``.

    Raises:
        MatrixError: bad matrices, channel counts that do not match, a kernel larger than
            the padded input, a non-positive stride or dilation, a negative pad.

    >>> conv2d([[1, 2], [3, 4]], [[[1, 0], [0, 1]]]).output
    (((5,),),)
    """
    s = _pair(stride, "stride", 1)
    p = _pair(pad, "pad", 0) if pad != "same" else (0, 0)
    d = _pair(dilation, "dilation", 1)
    volume = as_volume(image, "the input")
    banks = _kernel_banks(volume, kernels)
    biases = _biases(bias, len(banks))
    if flip:
        banks = [tuple(tuple(row[::-1] for row in m[::-1]) for m in bank) for bank in banks]
    kh, kw = len(banks[0][0]), len(banks[0][0][0])
    height, width = len(volume[0]), len(volume[0][0])
    pads: Pads = (
        (same_pad(height, kh, s[0], d[0]), same_pad(width, kw, s[1], d[1]))
        if pad == "same"
        else ((p[0], p[0]), (p[1], p[1]))
    )
    _fits("kernel", (kh, kw), d, volume[0], pads)
    out_h = _out_size(height, kh, pads[0], s[0], d[0])
    out_w = _out_size(width, kw, pads[1], s[1], d[1])
    _check_budget(len(banks) * out_h * out_w * len(volume) * kh * kw, explain)

    # Exact and fast: scale every matrix to integers by the common denominator of its cells,
    # sum integer products of slices, and divide once per cell.
    images = [_padded(m, pads, 0) for m in volume]
    den_x = _denominator(v for m in volume for row in m for v in row)
    den_w = _denominator(v for bank in banks for m in bank for row in m for v in row)
    int_images = [_scaled(m, den_x) for m in images]
    int_banks = [[_scaled(m, den_w) for m in bank] for bank in banks]
    scale = den_x * den_w
    span = (kw - 1) * d[1] + 1  # columns one dilated kernel row covers
    output: list[Matrix] = []
    kept: list[Cell] = []
    for c, int_bank in enumerate(int_banks):
        b = biases[c] if biases is not None else None
        rows: list[tuple[Number, ...]] = []
        for i in range(out_h):
            top = i * s[0]
            row: list[Number] = []
            for j in range(out_w):
                left = j * s[1]
                total = 0
                for image, kernel in zip(int_images, int_bank):
                    for u, weights in enumerate(kernel):
                        total += sum(
                            map(mul, image[top + u * d[0]][left : left + span : d[1]], weights)
                        )
                value: Number = total if scale == 1 else Fraction(total, scale)
                if b is not None:
                    value += b
                row.append(normalize(value))
                if explain:
                    products = tuple(
                        tuple(
                            pair
                            for u, weights in enumerate(kernel)
                            for pair in zip(
                                image[top + u * d[0]][left : left + span : d[1]], weights
                            )
                        )
                        for image, kernel in zip(images, banks[c])
                    )
                    kept.append(ConvCell(c, i, j, products, b, row[-1]))
            rows.append(tuple(row))
        output.append(tuple(rows))
    return NumericResult(tuple(output), tuple(kept), "conv")


def _kernel_banks(volume: Volume, kernels: Sequence[Sequence[object]]) -> list[Volume]:
    """One (C_in, kh, kw) kernel per output channel, checked against the input's channels."""
    if hasattr(kernels, "tolist"):  # a (C_out, C_in, kh, kw) or (C_out, kh, kw) numpy array
        kernels = kernels.tolist()
    if not kernels:
        raise MatrixError("no kernel given")
    banks = [
        as_volume(k, "the kernel" if len(kernels) == 1 else f"kernel {i}")
        for i, k in enumerate(kernels, 1)
    ]
    for index, bank in enumerate(banks, 1):
        name = "the kernel" if len(banks) == 1 else f"kernel {index}"
        if len(bank) != len(volume):
            raise MatrixError(
                f"{name} has {plural(len(bank), 'input channel')} but the input has "
                f"{plural(len(volume), 'channel')}; give one kernel matrix per input channel, "
                "separated by '/'"
            )
        if size_text(bank[0]) != size_text(banks[0][0]):
            raise MatrixError(
                f"{name} is {size_text(bank[0])} but kernel 1 is {size_text(banks[0][0])}"
            )
    return banks


def _biases(bias: Sequence[object] | None, channels: int) -> tuple[Number, ...] | None:
    """One exact bias per output channel, or None."""
    if bias is None:
        return None
    if hasattr(bias, "tolist"):
        bias = bias.tolist()
    biases = tuple(_number(b, "the bias") for b in bias)
    if len(biases) != channels:
        raise MatrixError(
            f"the bias has {len(biases)} value{'s' if len(biases) != 1 else ''} but there "
            f"{'are' if channels != 1 else 'is'} {plural(channels, 'output channel')} "
            "(one per kernel)"
        )
    return biases


def _transposed_taps(
    n: int, k: int, s: int, d: int, pad: int | str, outpad: int
) -> list[list[tuple[int, int]]]:
    """For each output index of one dim, the (tap, input index) pairs that reach it, in the
    order of the input: output o is position ``o + c`` of the full output, which input i
    reaches through tap t when ``o + c = i*s + t*d``."""
    effective = d * (k - 1) + 1
    if pad == "same":
        start, size = int(keras_crop(effective, s)[0]), n * s
    elif pad == "valid":
        start, size = 0, n * s + max(effective - s, 0)
    else:
        assert isinstance(pad, int)
        if not (outpad < s or outpad < d):
            raise MatrixError(
                f"outpad {outpad} is not smaller than the stride {s} or the dilation {d}; "
                "torch requires outpad < stride or outpad < dilation"
            )
        start, size = pad, (n - 1) * s - 2 * pad + effective + outpad
        if size < 1:
            raise MatrixError(
                f"pad {pad} leaves no output: (n − 1)·s − 2p + d·(k − 1) + op + 1 = {size}; "
                "use less padding"
            )
    taps = []
    for o in range(size):
        pairs = []
        for t in range(k):
            offset = o + start - t * d
            if offset % s == 0 and 0 <= offset // s < n:
                pairs.append((t, offset // s))
        taps.append(pairs[::-1])
    return taps


def conv_transpose2d(
    image: Sequence[object],
    kernels: Sequence[Sequence[object]],
    *,
    stride: Pair = 1,
    pad: Pair | Literal["same", "valid"] = 0,
    outpad: Pair = 0,
    dilation: Pair = 1,
    bias: Sequence[object] | None = None,
    flip: bool = False,
    explain: bool = False,
) -> NumericResult:
    """Transposed convolution of an image, exactly, as PyTorch's conv_transpose2d.

    Every input cell adds its value times the kernel into the output, at ``stride`` steps:
    output cell (y, x) sums ``input[a][b]·kernel[u][v]`` over the input cells and taps with
    ``y + pad = a·s + u·d`` (and the same for x); cells that no input reaches hold just the
    bias. Output sizes: ``(n − 1)·s − 2·pad + d·(k − 1) + outpad + 1``.

    Args:
        image: (H, W) or (C_in, H, W) numbers: nested sequences or a numpy array.
        kernels: one kernel per output channel, each (kh, kw) or (C_in, kh, kw), as for
            :func:`conv2d` (a numpy array (C_out, C_in, kh, kw)). torch's ``weight`` for
            conv_transpose2d is laid out (C_in, C_out, kh, kw): ``weight[i][o]`` is
            ``kernels[o][i]``.
        stride, dilation, outpad: an int, or (height, width); ``outpad`` is torch's
            output_padding, which must be smaller than the stride or the dilation.
        pad: torch's padding (cropped from both sides), or Keras' ``"same"`` (out = n·s, the
            crop ``max(K − s, 0)`` with the odd cell at the bottom/right) or ``"valid"``
            (out = n·s + max(K − s, 0)), K the dilated kernel.
        bias: one number per output channel, or None.
        flip: flip each kernel in both spatial dims first.
        explain: keep every output cell's products in ``cells``.

    Raises:
        MatrixError: bad matrices, channel counts that do not match, an outpad not smaller
            than the stride or the dilation, padding that leaves no output, a non-positive
            stride or dilation, a negative pad or outpad.

    >>> conv_transpose2d([[1, 2]], [[[1, 10]]], stride=2).output
    (((1, 10, 2, 20),),)
    """
    s = _pair(stride, "stride", 1)
    d = _pair(dilation, "dilation", 1)
    op = _pair(outpad, "outpad", 0)
    keras = pad in ("same", "valid")
    if keras and op != (0, 0):
        raise MatrixError(f"outpad goes with a numeric pad, not with {pad!r}")
    p: tuple[int | str, int | str] = (pad, pad) if keras else _pair(pad, "pad", 0)  # type: ignore[assignment,arg-type]
    volume = as_volume(image, "the input")
    banks = _kernel_banks(volume, kernels)
    biases = _biases(bias, len(banks))
    if flip:
        banks = [tuple(tuple(row[::-1] for row in m[::-1]) for m in bank) for bank in banks]
    kh, kw = len(banks[0][0]), len(banks[0][0][0])
    height, width = len(volume[0]), len(volume[0][0])
    rows_taps = _transposed_taps(height, kh, s[0], d[0], p[0], op[0])
    cols_taps = _transposed_taps(width, kw, s[1], d[1], p[1], op[1])
    reach = sum(len(t) for t in rows_taps) * sum(len(t) for t in cols_taps)
    _check_budget(len(banks) * len(volume) * max(reach, len(rows_taps) * len(cols_taps)), explain)

    den_x = _denominator(v for m in volume for row in m for v in row)
    den_w = _denominator(v for bank in banks for m in bank for row in m for v in row)
    int_images = [_scaled(m, den_x) for m in volume]
    int_banks = [[_scaled(m, den_w) for m in bank] for bank in banks]
    scale = den_x * den_w
    output: list[Matrix] = []
    kept: list[Cell] = []
    for c, int_bank in enumerate(int_banks):
        b = biases[c] if biases is not None else None
        rows: list[tuple[Number, ...]] = []
        for i, row_taps in enumerate(rows_taps):
            row: list[Number] = []
            for j, col_taps in enumerate(cols_taps):
                total = 0
                for image, kernel in zip(int_images, int_bank):
                    for u, a in row_taps:
                        for v, bb in col_taps:
                            total += image[a][bb] * kernel[u][v]
                value: Number = total if scale == 1 else Fraction(total, scale)
                if b is not None:
                    value += b
                row.append(normalize(value))
                if explain:
                    products = tuple(
                        tuple(
                            (image[a][bb], kernel[u][v])
                            for u, a in row_taps
                            for v, bb in col_taps
                        )
                        for image, kernel in zip(volume, banks[c])
                    )
                    kept.append(ConvCell(c, i, j, products, b, row[-1]))
            rows.append(tuple(row))
        output.append(tuple(rows))
    return NumericResult(tuple(output), tuple(kept), "conv_transpose")


def _padded(matrix: Matrix, pads: Pads, fill: Any) -> list[list[Any]]:
    """The matrix with rows of ``fill`` above and below and columns left and right."""
    (top, bottom), (left, right) = pads
    width = len(matrix[0]) + left + right
    middle = [[fill] * left + list(row) + [fill] * right for row in matrix]
    return [[fill] * width for _ in range(top)] + middle + [[fill] * width for _ in range(bottom)]


def _denominator(values: Iterable[Number]) -> int:
    """The least common denominator of exact numbers (1 when all are ints)."""
    result = 1
    for value in values:
        if isinstance(value, Fraction):
            result = math.lcm(result, value.denominator)
    return result


def _scaled(matrix: Sequence[Sequence[Any]], scale: int) -> Sequence[Sequence[Any]]:
    """Every cell times ``scale``, as ints (the scale clears every denominator)."""
    if scale == 1:
        return matrix
    return [[int(v * scale) for v in row] for row in matrix]


def pool2d(
    image: Sequence[object],
    size: Pair,
    *,
    stride: Pair | None = None,
    pad: Pair = 0,
    mode: PoolMode = "max",
    explain: bool = False,
) -> NumericResult:
    """Max or average pooling of every channel, exactly, as PyTorch's max_pool2d/avg_pool2d.

    Args:
        image: (H, W) or (C, H, W) numbers: nested sequences or a numpy array.
        size: the window, an int or (height, width).
        stride: defaults to the window, as in PyTorch.
        pad: at most half the window (PyTorch's limit); max pooling pads with -inf, average
            pooling with zeros that count in the divisor (``count_include_pad=True``).
        mode: ``"max"`` or ``"avg"``.
        explain: keep every output cell's window in ``cells``.

    Raises:
        MatrixError: a bad matrix, a window larger than the padded input, a non-positive
            size or stride, a pad more than half the window, an unknown mode.
    """
    if mode not in ("max", "avg"):
        raise MatrixError(f"mode must be 'max' or 'avg', got {mode!r}")
    k = _pair(size, "size", 1)
    s = _pair(stride, "stride", 1) if stride is not None else k
    p = _pair(pad, "pad", 0)
    for extent, padding in zip(k, p):
        if 2 * padding > extent:
            raise MatrixError(
                f"pad {padding} is more than half the window {extent} (PyTorch requires pad <= k/2)"
            )
    volume = as_volume(image, "the input")
    pads: Pads = ((p[0], p[0]), (p[1], p[1]))
    _fits("window", k, (1, 1), volume[0], pads)
    height, width = len(volume[0]), len(volume[0][0])
    out_h = _out_size(height, k[0], pads[0], s[0])
    out_w = _out_size(width, k[1], pads[1], s[1])
    _check_budget(len(volume) * out_h * out_w * k[0] * k[1], explain)
    area = k[0] * k[1]

    # Max pooling pads with -inf, which never wins: pad <= k/2 leaves a real value in every
    # window. Average pooling pads with zeros that count in the divisor.
    fill: Any = _NEG_INF if mode == "max" else 0
    output: list[Matrix] = []
    kept: list[Cell] = []
    for c, matrix in enumerate(volume):
        padded = _padded(matrix, pads, fill)
        den = _denominator(v for row in matrix for v in row) if mode == "avg" else 1
        scaled = _scaled(padded, den)
        rows: list[tuple[Number, ...]] = []
        for i in range(out_h):
            top = i * s[0]
            row: list[Number] = []
            for j in range(out_w):
                left = j * s[1]
                window = [scaled[top + u][left : left + k[1]] for u in range(k[0])]
                if mode == "max":
                    value: Number = max(max(r) for r in window)
                else:
                    value = normalize(Fraction(sum(sum(r) for r in window), den * area))
                row.append(value)
                if explain:
                    values = tuple(
                        v
                        for u in range(k[0])
                        for v in padded[top + u][left : left + k[1]]
                        if v is not _NEG_INF
                    )
                    kept.append(
                        PoolCell(c, i, j, mode, values, 1 if mode == "max" else area, value)
                    )
            rows.append(tuple(row))
        output.append(tuple(rows))
    return NumericResult(tuple(output), tuple(kept), mode)
