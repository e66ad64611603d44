"""Matrices of exact numbers: read from inline text, text files and ``.npy`` files, and printed.

The inline syntax (also the syntax of text files, where a newline separates rows too)::

    array   = channel { "/" channel }              (C, H, W): channels separated by "/"
    channel = row { (";" | newline) row }          rows separated by ";" or newlines
    row     = number { ("," | whitespace) number } cells separated by spaces or commas
    number  = [sign] (digits ["." [digits]] | "." digits) [("e" | "E") [sign] digits]
    sign    = "+" | "-" | "−"                      the Unicode minus as printed by courses

``#`` starts a comment to the end of the line; blank rows are skipped. Every number is read
exactly: integers as ``int``, decimals as :class:`fractions.Fraction` of their text, so ``0.1``
is one tenth, never the float nearest to it. Nothing is ever evaluated.

Where an argument comes from (:func:`source_path`): it names a file when it starts with ``@``
(``@image.txt``) or ends in ``.npy``, ``.csv``, ``.tsv`` or ``.txt``. Inline text never
contains a letter other than ``e``, so the rule is never ambiguous.

numpy is imported only to read ``.npy`` files.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, Union

from .errors import MatrixError
from .files import TooLarge, read_limited

#: An exact number: an int, or a Fraction when it is not whole.
Number = Union[int, Fraction]
#: H rows of W numbers.
Matrix = tuple[tuple[Number, ...], ...]
#: C matrices of the same size: (C, H, W).
Volume = tuple[Matrix, ...]

#: File name endings that make an argument a path rather than inline numbers.
FILE_SUFFIXES = (".npy", ".csv", ".tsv", ".txt")
#: Largest text or .npy file read, so that a wrong file name cannot eat the memory.
MAX_FILE_BYTES = 10_000_000
#: Longest number text and largest decimal exponent of a cell.
MAX_NUMBER_CHARS = 50
MAX_EXPONENT = 100

_NUMBER = re.compile(r"[+\-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE]([+\-]?\d+))?")
_CELL_SEPARATOR = re.compile(r"[,\s]+")


def parse_number(text: str) -> Number:
    """The exact value of a decimal number's text: ``"-2"`` -> ``-2``, ``"0.5"`` -> ``1/2``.

    Raises:
        ValueError: the text is not a decimal number, or too long or large to print back
            (its message says which; the caller names where the text stood).
    """
    plain = text.replace("−", "-")
    match = _NUMBER.fullmatch(plain)
    if not match:
        raise ValueError("is not a number")
    if len(plain) > MAX_NUMBER_CHARS or abs(int(match.group(1) or 0)) > MAX_EXPONENT:
        # Python refuses to print integers of more than 4,300 digits: keep results well below.
        raise ValueError(
            f"is too long or large (at most {MAX_NUMBER_CHARS} characters and exponents up to "
            f"{MAX_EXPONENT})"
        )
    value = Fraction(plain)
    return value.numerator if value.denominator == 1 else value


def normalize(value: Number) -> Number:
    """A whole Fraction as an int, anything else unchanged (arithmetic on Fractions keeps the
    type even when the result is whole)."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return value.numerator
    return value


def _terminating_digits(value: Fraction) -> int | None:
    """How many decimal places write ``value`` exactly, or None when it never terminates."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    return max(twos, fives) if den == 1 else None


def number_text(value: Number, *, unicode_minus: bool = False) -> str:
    """A number as text, exactly: ``-5``, ``2.5``, ``0.125``; a value whose decimals never end
    is written as a fraction, ``7/3``. ``unicode_minus`` writes the minus sign as ``−``."""
    value = normalize(value)
    if isinstance(value, int):
        text = str(value)
    else:
        places = _terminating_digits(value)
        if places is None:
            text = f"{value.numerator}/{value.denominator}"
        else:
            scaled = abs(value.numerator) * 10**places // value.denominator
            whole, frac = divmod(scaled, 10**places)
            text = ("-" if value < 0 else "") + f"{whole}.{frac:0{places}d}"
    return text.replace("-", "−") if unicode_minus else text


def number_json(value: Number) -> int | float | str:
    """A number for JSON without loss: an int when whole; a float when its decimal text is
    exact and the float prints as that same text (``2.5``, ``0.1``); otherwise a string
    with the exact value (``"7/3"``)."""
    value = normalize(value)
    if isinstance(value, int):
        return value
    text = number_text(value)
    if "/" not in text and repr(float(value)) == text:
        return float(value)
    return text


def source_path(argument: str) -> Path | None:
    """The file an argument names, or None when it is inline numbers (see the module doc)."""
    if argument.startswith("@"):
        return Path(argument[1:])
    if argument.strip().lower().endswith(FILE_SUFFIXES):
        return Path(argument.strip())
    return None


def parse_text(text: str, what: str = "matrix") -> Volume:
    """Inline or file text -> (C, H, W) exact numbers; one channel when there is no ``/``.

    Args:
        text: the numbers, in the syntax of the module docstring.
        what: names the argument in error messages (``"--input"``).

    Raises:
        MatrixError: empty, ragged or non-numeric input, or channels of different sizes.
    """
    lines = [line.split("#", 1)[0] for line in text.split("\n")]
    chunks = "\n".join(lines).split("/")
    channels: list[Matrix] = []
    for index, chunk in enumerate(chunks, 1):
        where = f"channel {index}, " if len(chunks) > 1 else ""
        rows: list[tuple[Number, ...]] = []
        for row_text in re.split(r"[;\n]", chunk):
            cells = [c for c in _CELL_SEPARATOR.split(row_text.strip()) if c]
            if not cells:
                continue  # blank lines and a trailing ";" are allowed
            row: list[Number] = []
            for column, cell in enumerate(cells, 1):
                try:
                    row.append(parse_number(cell))
                except ValueError as err:
                    raise MatrixError(
                        f"{what}: {cell!r} in {where}row {len(rows) + 1}, column {column} {err}"
                    ) from None
            if rows and len(row) != len(rows[0]):
                raise MatrixError(
                    f"{what}: {where}row {len(rows) + 1} has {plural(len(row), 'number')} but row 1 has "
                    f"{len(rows[0])}"
                )
            rows.append(tuple(row))
        if not rows:
            raise MatrixError(f"{what}: channel {index} is empty" if where else f"{what} is empty")
        channels.append(tuple(rows))
    check_channels(channels, what)
    return tuple(channels)


def plural(n: int, noun: str) -> str:
    """``1 number``, ``2 numbers``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def size_text(matrix: Matrix) -> str:
    """``HxW`` of a matrix."""
    return f"{len(matrix)}x{len(matrix[0])}"


def check_channels(channels: Sequence[Matrix], what: str) -> None:
    """Every channel has the size of the first.

    Raises:
        MatrixError: naming the first channel that differs.
    """
    for index, matrix in enumerate(channels[1:], 2):
        if size_text(matrix) != size_text(channels[0]):
            raise MatrixError(
                f"{what}: channel {index} is {size_text(matrix)} but channel 1 is "
                f"{size_text(channels[0])}"
            )


def _read_bytes(path: Path, what: str) -> bytes:
    try:
        return read_limited(path, MAX_FILE_BYTES)
    except TooLarge:
        raise MatrixError(
            f"{what}: {str(path)!r} is larger than 10 MB; at most 10 MB are read"
        ) from None
    except OSError as err:
        raise MatrixError(f"{what}: cannot read {str(path)!r}: {err.strerror or err}") from None


def _read_text_file(path: Path, what: str) -> str:
    try:
        # utf-8-sig drops the byte-order mark that spreadsheet programs put before a CSV
        return _read_bytes(path, what).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MatrixError(f"{what}: {str(path)!r} is not UTF-8 text") from None


def read_npy(path: Path, what: str = "matrix") -> tuple[Any, int]:
    """A ``.npy`` file as nested tuples of exact numbers, and its number of dims.

    Integers and booleans are read as ints. A float is read as the shortest decimal that
    prints as it (what numpy shows), so a stored ``0.1`` is one tenth exactly.

    Raises:
        MatrixError: missing or unreadable file, no numpy, a non-numeric dtype, NaN or
            infinity, or an empty array.
    """
    data = _read_bytes(path, what)
    try:
        import numpy as np
    except ImportError:
        raise MatrixError(f"{what}: reading .npy files needs numpy: pip install numpy") from None
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (OSError, ValueError) as err:
        raise MatrixError(f"{what}: cannot read {str(path)!r} as .npy: {err}") from None
    if not isinstance(array, np.ndarray):  # an .npz archive
        raise MatrixError(f"{what}: {str(path)!r} is not a single .npy array")
    kind = array.dtype.kind
    if kind not in "biuf":
        raise MatrixError(f"{what}: {str(path)!r} holds {array.dtype} values, not numbers")
    if array.size == 0:
        raise MatrixError(f"{what}: {str(path)!r} is empty (shape {array.shape})")
    if kind == "f" and not np.isfinite(array).all():
        raise MatrixError(f"{what}: {str(path)!r} contains NaN or infinity")
    # In long double, which holds every narrower float exactly and 10**±100 without overflow.
    magnitude = np.abs(array.astype(np.longdouble)) if kind == "f" else np.zeros(1)
    high, low = np.longdouble(f"1e{MAX_EXPONENT}"), np.longdouble(f"1e-{MAX_EXPONENT}")
    if (magnitude > high).any() or ((magnitude > 0) & (magnitude < low)).any():
        # as for inline numbers: exact results of wider values would not print
        raise MatrixError(
            f"{what}: {str(path)!r} holds values beyond 10**{MAX_EXPONENT} or below 10**-{MAX_EXPONENT}"
        )

    def exact(item: Any) -> Number:
        # str() of a numpy float is the shortest decimal that reads back as the same value of
        # its own precision: the number the user wrote when the array was made from decimals.
        return normalize(Fraction(str(item))) if kind == "f" else int(item)

    flat = [exact(item) for item in array.reshape(-1)]

    def nest(offset: int, dims: tuple[int, ...]) -> Any:
        if not dims:
            return flat[offset]
        step = math.prod(dims[1:])
        return tuple(nest(offset + i * step, dims[1:]) for i in range(dims[0]))

    return nest(0, tuple(array.shape)), array.ndim


def _rank_error(what: str, path: Path, ndim: int, expected: str) -> MatrixError:
    dims = "1 dim" if ndim == 1 else f"{ndim} dims"
    return MatrixError(f"{what}: {str(path)!r} has {dims}; expected {expected}")


def load_volume(argument: str, what: str = "--input") -> Volume:
    """An input image: inline text, a text file, or a ``.npy`` array shaped (H, W) or
    (C, H, W).

    Raises:
        MatrixError: bad numbers, a bad file, or an array of the wrong rank.
    """
    path = source_path(argument)
    if path is None:
        return parse_text(argument, what)
    if path.suffix.lower() != ".npy":
        return parse_text(_read_text_file(path, what), what)
    values, ndim = read_npy(path, what)
    if ndim == 2:
        return (values,)
    if ndim == 3:
        return tuple(values)
    raise _rank_error(what, path, ndim, "2 (H, W) or 3 (C, H, W)")


def load_kernels(arguments: Iterable[str], what: str = "--kernel") -> tuple[Volume, ...]:
    """The kernels of every output channel, each (C_in, kh, kw).

    Each argument is one output channel's kernel (inline text or a text file, input channels
    separated by ``/``), or a ``.npy`` array shaped (kh, kw) or (C_in, kh, kw) for one output
    channel, or (C_out, C_in, kh, kw) for several.

    Raises:
        MatrixError: bad numbers, a bad file, or an array of the wrong rank.
    """
    arguments = list(arguments)
    kernels: list[Volume] = []
    for index, argument in enumerate(arguments, 1):
        label = f"{what} {index}" if len(arguments) > 1 else what
        path = source_path(argument)
        if path is None:
            kernels.append(parse_text(argument, label))
        elif path.suffix.lower() != ".npy":
            kernels.append(parse_text(_read_text_file(path, label), label))
        else:
            values, ndim = read_npy(path, label)
            if ndim == 2:
                kernels.append((values,))
            elif ndim == 3:
                kernels.append(tuple(values))
            elif ndim == 4:
                kernels.extend(tuple(v) for v in values)
            else:
                raise _rank_error(
                    label, path, ndim, "2 (kh, kw), 3 (C_in, kh, kw) or 4 (C_out, C_in, kh, kw)"
                )
    return tuple(kernels)


def parse_values(text: str, what: str = "--bias") -> tuple[Number, ...]:
    """A list of exact numbers separated by spaces, commas or ``;`` (``"1 -0.5"``).

    Raises:
        MatrixError: a cell that is not a number, or no numbers at all.
    """
    cells = [c for c in re.split(r"[,;\s]+", text.strip()) if c]
    if not cells:
        raise MatrixError(f"{what} is empty")
    values: list[Number] = []
    for index, cell in enumerate(cells, 1):
        try:
            values.append(parse_number(cell))
        except ValueError as err:
            raise MatrixError(f"{what}: {cell!r} (value {index}) {err}") from None
    return tuple(values)
