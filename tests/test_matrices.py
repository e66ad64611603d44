"""Reading matrices (inline text, text files, .npy) and writing exact numbers back."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from shapecalc import MatrixError
from shapecalc.matrices import (
    load_kernels,
    load_volume,
    number_json,
    number_text,
    parse_number,
    parse_text,
    parse_values,
    source_path,
)


def test_inline_rows_cells_and_channels() -> None:
    assert parse_text("1 2; 3 4") == (((1, 2), (3, 4)),)
    assert parse_text("1,2\n3,4\n") == (((1, 2), (3, 4)),)
    assert parse_text("1 2; 3 4 / 5 6; 7 8") == (((1, 2), (3, 4)), ((5, 6), (7, 8)))
    # a trailing ";", blank lines and comments are skipped
    assert parse_text("# image\n1 2;\n\n3 4 # last row\n") == (((1, 2), (3, 4)),)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("-2", -2),
        ("+7", 7),
        ("−3", -3),  # the Unicode minus that course slides print
        ("0.5", Fraction(1, 2)),
        (".25", Fraction(1, 4)),
        ("2.", 2),
        ("1e3", 1000),
        ("1.5E-2", Fraction(3, 200)),
        ("0.1", Fraction(1, 10)),  # exactly one tenth, not the float nearest to it
    ],
)
def test_numbers_are_read_exactly(text: str, value: Fraction) -> None:
    assert parse_number(text) == value
    assert type(parse_number(text)) is type(value)


@pytest.mark.parametrize("text", ["1/2", "0x10", "1_000", "nan", "inf", "2**8", "", "--1", "1e"])
def test_anything_else_is_not_a_number(text: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_number(text)


@pytest.mark.parametrize(
    ("value", "text", "json_value"),
    [
        (-5, "-5", -5),
        (Fraction(8, 2), "4", 4),
        (Fraction(5, 2), "2.5", 2.5),
        (Fraction(-1, 8), "-0.125", -0.125),
        (Fraction(1, 10), "0.1", 0.1),
        (Fraction(7, 3), "7/3", "7/3"),
        (Fraction(-10, 6), "-5/3", "-5/3"),
        # terminates, but no float prints as it: the exact decimal as a string
        (Fraction(1, 2**60), "0." + "0" * 18 + "867361737988403547205962240695953369140625", None),
    ],
)
def test_numbers_print_exactly(value: Fraction, text: str, json_value: object) -> None:
    assert number_text(value) == text
    assert number_json(value) == (text if json_value is None else json_value)
    assert number_text(value, unicode_minus=True) == text.replace("-", "−")


def test_file_or_inline_rule() -> None:
    assert source_path("1 2; 3 4") is None
    assert source_path("1/2") is None  # two channels of one number each, never a path
    assert source_path("@1/2") == Path("1/2")
    assert source_path("image.csv") == Path("image.csv")
    assert source_path("data/Kernel.NPY") == Path("data/Kernel.NPY")
    assert source_path("image") is None  # no known ending: read (and refused) as numbers


def test_text_and_csv_files(tmp_path: Path) -> None:
    csv = tmp_path / "image.csv"
    csv.write_text("1,2,3\n4,5,6\n")
    assert load_volume(str(csv)) == (((1, 2, 3), (4, 5, 6)),)
    other = tmp_path / "rgb"
    other.write_text("1 2\n3 4\n/\n5 6\n7 8\n")
    assert load_volume("@" + str(other)) == (((1, 2), (3, 4)), ((5, 6), (7, 8)))


def test_npy_inputs_and_kernels(tmp_path: Path) -> None:
    def save(name: str, array: object) -> str:
        np.save(tmp_path / name, array)
        return str(tmp_path / name)

    assert load_volume(save("hw.npy", np.arange(4).reshape(2, 2))) == (((0, 1), (2, 3)),)
    chw = load_volume(save("chw.npy", np.arange(8).reshape(2, 2, 2)))
    assert chw == (((0, 1), (2, 3)), ((4, 5), (6, 7)))
    # float32 0.1 is read as the decimal numpy prints for it, one tenth exactly
    assert load_volume(save("f32.npy", np.array([[0.1, 2.5]], dtype=np.float32))) == (
        ((Fraction(1, 10), Fraction(5, 2)),),
    )
    four = load_kernels([save("oihw.npy", np.arange(24).reshape(3, 2, 2, 2))])
    assert len(four) == 3 and four[2][1] == ((20, 21), (22, 23))
    assert load_kernels([save("k2.npy", np.eye(2, dtype=int)), "1 1; 1 1"]) == (
        (((1, 0), (0, 1)),),
        (((1, 1), (1, 1)),),
    )


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.arange(3), "has 1 dim; expected 2 (H, W) or 3 (C, H, W)"),
        (np.zeros((1, 1, 1, 1)), "has 4 dims; expected 2 (H, W) or 3 (C, H, W)"),
        (np.zeros((0, 2)), "is empty (shape (0, 2))"),
        (np.array([["a"]]), "holds <U1 values, not numbers"),
        (np.array([[1.0, np.nan]]), "contains NaN or infinity"),
    ],
)
def test_bad_npy_inputs(tmp_path: Path, array: object, message: str) -> None:
    path = tmp_path / "x.npy"
    np.save(path, array)
    with pytest.raises(MatrixError) as err:
        load_volume(str(path))
    assert str(err.value) == f"--input: {str(path)!r} {message}"


def test_bad_npy_kernel_rank(tmp_path: Path) -> None:
    path = tmp_path / "k.npy"
    np.save(path, np.zeros((1, 1, 1, 1, 1)))
    with pytest.raises(MatrixError) as err:
        load_kernels([str(path)])
    assert str(err.value) == (
        f"--kernel: {str(path)!r} has 5 dims; expected 2 (kh, kw), 3 (C_in, kh, kw) or 4 "
        "(C_out, C_in, kh, kw)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 2 3; 4 5", "--input: row 2 has 2 numbers but row 1 has 3"),
        ("1 2; 3 4 / 5 6; 7", "--input: channel 2, row 2 has 1 number but row 1 has 2"),
        ("1 2; 3 4 / 5 6 7; 8 9 10", "--input: channel 2 is 2x3 but channel 1 is 2x2"),
        ("1 2; 3 four", "--input: 'four' in row 2, column 2 is not a number"),
        ("1 2 / 3 x", "--input: 'x' in channel 2, row 1, column 2 is not a number"),
        (
            "1e101",
            "--input: '1e101' in row 1, column 1 is too long or large (at most 50 characters "
            "and exponents up to 100)",
        ),
        ("", "--input is empty"),
        (" ; ", "--input is empty"),
        ("1 2 / ", "--input: channel 2 is empty"),
    ],
)
def test_bad_text(text: str, message: str) -> None:
    with pytest.raises(MatrixError) as err:
        load_volume(text)
    assert str(err.value) == message


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    for argument in ("/nonexistent/image.csv", "@/nonexistent/image", "/nonexistent/x.npy"):
        with pytest.raises(MatrixError) as err:
            load_volume(argument)
        path = argument.lstrip("@")
        assert str(err.value) == f"--input: cannot read {path!r}: No such file or directory"
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\xff\xfe1 2")
    with pytest.raises(MatrixError, match="is not UTF-8 text"):
        load_volume(str(binary))


def test_bias_values() -> None:
    assert parse_values("1, -0.5") == (1, Fraction(-1, 2))
    with pytest.raises(MatrixError, match=r"^--bias: 'b' \(value 2\) is not a number$"):
        parse_values("1 b")


def test_csv_with_a_byte_order_mark_and_windows_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeff1,2\r\n3,4\r\n".encode())
    assert load_volume(str(path)) == (((1, 2), (3, 4)),)
