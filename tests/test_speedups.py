"""The speed tricks (shapecalc/speedups.py) change how fast the program runs, never what it
prints: the program's output is the same bytes with them off (SHAPECALC_NO_SPEEDUPS=1), and
the switch does turn each one off."""

from __future__ import annotations

import gc
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rich.console import Console

from shapecalc import analyze, speedups
from shapecalc.render.longtable import PlainTable
from shapecalc.render.table import analysis_table

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
VGG16 = str(EXAMPLES / "vgg16.shape")


def _program(args: list[str], off: str | None, **extra: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m shapecalc ARGS`` (the program: console_main) with the tricks on (``off``
    None) or ``SHAPECALC_NO_SPEEDUPS=off``; piped, with no COLUMNS, so that tables with cost
    columns are measured (the renderer's stand-in) to size the console."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", speedups.ENV)}
    if off is not None:
        env[speedups.ENV] = off
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-m", "shapecalc", *args], capture_output=True, env=env, check=False
    )


@pytest.fixture(scope="module")
def long_spec(tmp_path_factory: pytest.TempPathFactory) -> str:
    """2,001 layers: the long-table renderer's case."""
    path = tmp_path_factory.mktemp("speedups") / "long.shape"
    path.write_text("64x64x8\n" + "conv3x3x8 same\nrelu\n" * 1000, encoding="utf-8")
    return str(path)


CASES = {
    "vgg16 table": ["-f", VGG16],
    "vgg16 costs": ["-f", VGG16, "--costs"],
    "long table": ["-f", "{long}"],
    "long costs": ["-f", "{long}", "--costs", "--macs", "fvcore"],
    "markdown": ["-f", VGG16, "--markdown"],
    "an error": ["28x28x1 | conv3x3x16 | dense"],
}


@pytest.mark.slow
@pytest.mark.parametrize("args", list(CASES.values()), ids=list(CASES))
def test_the_output_is_the_same_with_the_tricks_off(args: list[str], long_spec: str) -> None:
    args = [a.replace("{long}", long_spec) for a in args]
    on, off = _program(args, None), _program(args, "1")
    assert (off.returncode, off.stdout, off.stderr) == (on.returncode, on.stdout, on.stderr)
    assert on.stdout or on.stderr


@pytest.mark.slow
def test_a_meta_check_is_the_same_with_the_tricks_off() -> None:
    pytest.importorskip("torch")
    args = ["check", "--device", "meta", "-f", VGG16]
    on, off = _program(args, None), _program(args, "1")
    assert on.returncode == 0, on.stderr
    assert (off.returncode, off.stdout, off.stderr) == (on.returncode, on.stdout, on.stderr)


@pytest.mark.parametrize(
    ("value", "on"),
    [
        ("", set(speedups.TRICKS)),
        ("0", set(speedups.TRICKS)),
        ("1", set()),
        ("true", set()),
        ("all", set()),
        ("gc", set(speedups.TRICKS) - {"gc"}),
        (" GC , long-table ", {"fast-exit", "meta-kernels"}),
        ("gc,nonsense", set(speedups.TRICKS) - {"gc"}),
    ],
)
def test_the_switch(monkeypatch: pytest.MonkeyPatch, value: str, on: set[str]) -> None:
    monkeypatch.setenv(speedups.ENV, value)
    assert {trick for trick in speedups.TRICKS if speedups.enabled(trick)} == on


def _render(table: object) -> str:
    out = io.StringIO()
    Console(file=out, width=100, color_system=None).print(table)
    return out.getvalue()


def test_the_long_table_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Off, rich lays out every cell: the fast path and its stand-in are never used."""
    table = analysis_table(analyze("28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10"))
    fast = _render(table)

    def unused(*_: object) -> None:
        raise AssertionError("the long-table fast path ran with the switch off")

    monkeypatch.setenv(speedups.ENV, "long-table")
    monkeypatch.setattr(PlainTable, "_render", unused)
    monkeypatch.setattr(PlainTable, "stand_in", unused)
    assert _render(table) == fast


@pytest.mark.parametrize(("off", "threshold"), [(None, 10_000), ("gc", None)])
def test_the_gc_switch(
    monkeypatch: pytest.MonkeyPatch, off: str | None, threshold: int | None
) -> None:
    calls: list[tuple[int, ...]] = []
    monkeypatch.setattr(gc, "set_threshold", lambda *values: calls.append(values))
    monkeypatch.setattr(speedups, "_program", False)  # start_program marks the process
    if off is None:
        monkeypatch.delenv(speedups.ENV, raising=False)
    else:
        monkeypatch.setenv(speedups.ENV, off)
    speedups.start_program()
    assert [c[0] for c in calls] == ([] if threshold is None else [threshold])


FAST_EXIT = textwrap.dedent(
    """
    import atexit, sys, types
    atexit.register(lambda: print("teardown"))
    sys.modules.setdefault("torch", types.ModuleType("torch"))  # as if a check imported it
    sys.argv = ["shapecalc", "10 | relu"]
    from shapecalc.cli import console_main
    console_main()
    """
)


@pytest.mark.slow
@pytest.mark.parametrize(("off", "teardown"), [(None, False), ("fast-exit", True)])
def test_the_fast_exit_switch(off: str | None, teardown: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != speedups.ENV}
    if off is not None:
        env[speedups.ENV] = off
    proc = subprocess.run(
        [sys.executable, "-c", FAST_EXIT], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert "relu" in proc.stdout
    assert ("teardown" in proc.stdout) is teardown


@pytest.mark.slow
@pytest.mark.parametrize(("off", "dynamo"), [(None, False), ("meta-kernels", True)])
def test_the_meta_kernels_switch(off: str | None, dynamo: bool) -> None:
    """With the trick, a cold meta check does not import the compiler; without, it does."""
    pytest.importorskip("torch")
    proc = _program(
        ["check", "--device", "meta", "28x28x1 | conv3x3x4 | bn | relu | maxpool2"],
        off,
        PYTHONPROFILEIMPORTTIME="1",
    )
    assert proc.returncode == 0, proc.stderr
    imported = {line.rsplit(b"|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    assert b"torch" in imported
    assert (b"torch._dynamo" in imported) is dynamo
