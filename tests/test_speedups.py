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
from types import CodeType

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
        (
            " GC , long-table ",
            {
                "fast-exit",
                "meta-kernels",
                "plain-table",
                "dataclass-cache",
                "lazy-torchvision",
                "meta-build",
            },
        ),
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


@pytest.mark.slow
@pytest.mark.parametrize(("off", "rich"), [(None, False), ("plain-table", True)])
def test_the_plain_table_switch(off: str | None, rich: bool) -> None:
    """A table to a pipe is written without rich's console, unless the switch is off; the
    text is the same (test_the_output_is_the_same_with_the_tricks_off)."""
    code = (
        "import sys\nfrom shapecalc.cli import main\n"
        f"sys.argv = ['shapecalc', '-f', {VGG16!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('RICH', 'rich.console' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", speedups.ENV)}
    if off is not None:
        env[speedups.ENV] = off
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "Total params:" in out
    assert out.splitlines()[-1] == f"RICH {rich}"


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


@pytest.mark.parametrize(
    ("off", "program", "device", "lazy"),
    [
        (None, True, "meta", True),
        (None, False, "meta", False),  # lazy packages are process-wide: the program's only
        ("meta-build", True, None, True),
        ("lazy-torchvision", True, "meta", False),
    ],
)
def test_the_import_switches(
    monkeypatch: pytest.MonkeyPatch, off: str | None, program: bool, device: str | None, lazy: bool
) -> None:
    monkeypatch.setattr(speedups, "_program", program)
    if off is None:
        monkeypatch.delenv(speedups.ENV, raising=False)
    else:
        monkeypatch.setenv(speedups.ENV, off)
    assert (speedups.build_device(), speedups.lazy_torchvision()) == (device, lazy)


@pytest.mark.slow
def test_a_torchvision_import_is_the_same_with_the_tricks_off() -> None:
    pytest.importorskip("torch")
    args = ["import", "torchvision.models:efficientnet_b0"]
    on, off = _program(args, None), _program(args, "1")
    assert on.returncode == 0, on.stderr
    assert (off.returncode, off.stdout, off.stderr) == (on.returncode, on.stdout, on.stderr)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("off", "whole"), [(None, False), ("lazy-torchvision", True), ("meta-build", False)]
)
def test_the_lazy_torchvision_switch(off: str | None, whole: bool) -> None:
    """With the trick, a cold import of a torchvision model imports neither torchvision's
    datasets nor the compiler (nor, building on the meta device, does it need them)."""
    pytest.importorskip("torch")
    proc = _program(
        ["import", "torchvision.models:resnet18"], off, PYTHONPROFILEIMPORTTIME="1"
    )
    assert proc.returncode == 0, proc.stderr
    imported = {line.rsplit(b"|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    # (importtime lists what import statements import: not resnet.py itself, which the lazy
    # package imports by importlib, but what resnet.py imports.)
    assert b"torchvision.models._api" in imported
    assert (b"torchvision.datasets" in imported) is whole
    assert (b"torch._dynamo" in imported) is whole


#: What the dataclass cache must reproduce: every function ``@dataclass`` writes.
GENERATED = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")


def _make_dataclasses() -> list[type]:
    """Two frozen dataclasses and a plain one, made anew (as an import would)."""
    from dataclasses import dataclass, field

    @dataclass(frozen=True)
    class Point:
        x: int
        y: int = 0

    @dataclass(frozen=True)
    class Named:
        name: str
        tags: tuple[str, ...] = field(default=())

    @dataclass
    class Counter:
        count: int = 0

    return [Point, Named, Counter]


def _fingerprint(classes: list[type]) -> dict[str, CodeType]:
    """The code of each generated function. Code objects compare by what they hold (bytecode,
    constants, names, line table), not by identity; their marshal bytes would not do, since
    marshal marks objects by their reference counts."""
    return {
        f"{cls.__qualname__}.{name}": vars(cls)[name].__code__
        for cls in classes
        for name in GENERATED
        if name in vars(cls) and hasattr(vars(cls)[name], "__code__")
    }


def test_the_dataclass_cache_gives_the_functions_compile_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    monkeypatch.delenv(speedups.ENV, raising=False)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    cache = tmp_path / "dataclasses.marshal"
    plain = _fingerprint(_make_dataclasses())

    with speedups.compiled_dataclasses(cache):
        first = _make_dataclasses()
    assert "exec" not in vars(dataclasses)  # put back as it was
    assert cache.exists()
    assert _fingerprint(first) == plain

    compiled: list[str] = []
    monkeypatch.setattr(speedups, "compile", lambda *a, **k: compiled.append(a[0]), raising=False)
    with speedups.compiled_dataclasses(cache):
        again = _make_dataclasses()
    assert compiled == []  # every function came from the file
    assert _fingerprint(again) == plain
    point = again[0](3)
    assert (point, repr(point), hash(point) == hash(again[0](3, 0))) == (
        again[0](3, 0),
        "_make_dataclasses.<locals>.Point(x=3, y=0)",
        True,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 4  # type: ignore[misc]


def test_an_unreadable_dataclass_cache_is_ignored_and_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(speedups.ENV, raising=False)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    cache = tmp_path / "dataclasses.marshal"
    cache.write_bytes(b"\x00 not marshal")
    plain = _fingerprint(_make_dataclasses())
    with speedups.compiled_dataclasses(cache):
        made = _make_dataclasses()
    assert _fingerprint(made) == plain
    assert speedups._read_compiled(cache)  # rewritten, readable


@pytest.mark.parametrize(("off", "dont_write"), [("dataclass-cache", False), (None, True)])
def test_the_dataclass_cache_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, off: str | None, dont_write: bool
) -> None:
    """Off, dataclasses compile as always and nothing is written; with
    PYTHONDONTWRITEBYTECODE (sys.dont_write_bytecode) nothing is written either."""
    import dataclasses

    if off is None:
        monkeypatch.delenv(speedups.ENV, raising=False)
    else:
        monkeypatch.setenv(speedups.ENV, off)
    monkeypatch.setattr(sys, "dont_write_bytecode", dont_write)
    cache = tmp_path / "dataclasses.marshal"
    with speedups.compiled_dataclasses(cache):
        assert ("exec" in vars(dataclasses)) is (off is None)
        _make_dataclasses()
    assert not cache.exists()


FINGERPRINT = textwrap.dedent(
    """
    import dataclasses, sys, types
    import shapecalc.cli
    names = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")
    fields = ("co_code", "co_names", "co_varnames", "co_freevars", "co_cellvars", "co_flags",
              "co_argcount", "co_kwonlyargcount", "co_posonlyargcount", "co_linetable",
              "co_exceptiontable", "co_firstlineno", "co_qualname", "co_filename")
    def key(code):
        consts = tuple(key(c) if isinstance(c, types.CodeType) else repr(c) for c in code.co_consts)
        return (*(getattr(code, f) for f in fields), consts)
    for module in sorted(m for m in sys.modules if m.startswith("shapecalc")):
        for cls in vars(sys.modules[module]).values():
            if isinstance(cls, type) and dataclasses.is_dataclass(cls):
                for name in names:
                    function = vars(cls).get(name)
                    if hasattr(function, "__code__"):
                        print(module, cls.__qualname__, name, key(function.__code__))
    """
)


@pytest.mark.slow
def test_the_packages_dataclasses_are_the_same_with_the_cache() -> None:
    """The package's own ~70 dataclasses, imported with the cache file (written by the first
    run, read by the second) and without it: the same bytecode in every generated function."""
    env = {
        k: v for k, v in os.environ.items() if k not in (speedups.ENV, "PYTHONDONTWRITEBYTECODE")
    }
    runs = [
        subprocess.run(
            [sys.executable, "-c", FINGERPRINT],
            capture_output=True,
            text=True,
            env={**env, speedups.ENV: off} if off else env,
            check=True,
        ).stdout
        for off in (None, None, "dataclass-cache")
    ]
    assert speedups.dataclass_cache_path().exists()
    assert len(runs[2].splitlines()) > 200
    assert runs[0] == runs[1] == runs[2]
