"""Say when the input is probably misread (issue 18 §3): a channels-first input warns on
standard error and still gives its table; a byte-order mark is no part of a spec file; a file
name given as the spec gets "did you mean -f"."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecalc import SpecError, analyze
from shapecalc.cli import cli, main

WARNING = (
    "warning: 3x224x224 is read as H=3, W=224, C=224 (channels last); for 3 channels write "
    "224x224x3 (--quiet or a '# shapecalc: quiet' comment silences this)\n"
)


def test_a_channels_first_input_warns_and_keeps_the_result() -> None:
    result = CliRunner().invoke(cli, ["3x224x224 | conv3x3x64 same"])
    assert result.exit_code == 0
    assert result.stderr == WARNING
    assert "3x224x64" in result.stdout  # read as written: H=3, W=224, C=224
    assert analyze("3x224x224 | conv3x3x64 same").output_shape.dims == (3, 224, 64)


@pytest.mark.parametrize(
    "args", [["3x224x224 | relu", "--quiet"], ["3x224x224 | relu  # shapecalc: quiet"]]
)
def test_quiet_or_the_pragma_silences_it(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.stderr) == (0, "")


@pytest.mark.parametrize(
    ("spec", "warning"),
    [
        ("1x28x28", "1x28x28 is read as H=1, W=28, C=28 (channels last); for 1 channel write 28x28x1"),
        (
            "3x16x112x112",
            "3x16x112x112 is read as D=3, H=16, W=112, C=112 (channels last); for 3 channels "
            "write 16x112x112x3",
        ),
        ("224x224x3", None),
        ("4x4x512", None),  # 4 is not smaller than every other dim
        ("3x224", None),  # a 1D signal of 224 channels is written this way
        ("nxnx3", None),
    ],
)
def test_which_inputs_warn(spec: str, warning: str | None) -> None:
    assert analyze(spec).warnings == (() if warning is None else (warning,))


def test_a_layer_that_does_not_fit_a_channels_first_input_mentions_channel_order() -> None:
    with pytest.raises(SpecError) as info:
        analyze("1x28x28 | conv3x3x16 | flatten | dense10")
    assert info.value.render().split("\n")[0] == (
        "layer 1 'conv3x3x16' at column 11: kernel 3 is larger than the padded input 1; add "
        "padding or use a smaller kernel; 1x28x28 is read as H=1, W=28, C=28 (channels last); "
        "for 1 channel write 28x28x1"
    )
    analyze("28x28x1 | conv3x3x16 | flatten | dense10")  # the proposal works


def test_a_spec_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "net.shape"
    path.write_bytes("\ufeff28x28x1 | conv3x3x16 same\n".encode())
    result = CliRunner().invoke(cli, ["-f", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert '"params": 160' in result.stdout
    piped = CliRunner().invoke(cli, ["-", "--json"], input="\ufeff28x28x1 | relu".encode())
    assert piped.exit_code == 0, piped.output


def test_a_file_name_as_the_spec_asks_for_minus_f(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "net.shape").write_text("28x28x1 | relu\n")
    monkeypatch.chdir(tmp_path)
    for name in ("net.shape", "missing.shape"):
        monkeypatch.setattr(sys, "argv", ["shapecalc", name])
        with pytest.raises(SystemExit) as done:
            main()
        assert done.value.code == 2
        assert capsys.readouterr().err == f"error: {name!r} is not a spec; did you mean -f {name}?\n"
