"""The program's speed tricks, declared, switched and explained in one place.

Each trick changes how fast the ``shapecalc`` program runs, never what it prints: with all of
them off the output is the same bytes (``tests/test_speedups.py`` compares the two). Their
implementations may live elsewhere (a trick of the table renderer lives in the renderer);
whether one runs is asked here.

``SHAPECALC_NO_SPEEDUPS=1`` in the environment turns every trick off; a comma-separated list
of their names (``SHAPECALC_NO_SPEEDUPS=gc,fast-exit``) turns off those only, for measuring
one or ruling one out. Any other value that names none of them (``true``, ``all``) turns them
all off; empty or ``0`` leaves them on. The variable is read each time a trick is asked for.

Four tricks change the whole process (the garbage collector, how it ends, torch's kernels,
which of torchvision's modules are loaded) and run only in the program
(:func:`shapecalc.cli.console_main`, which calls :func:`start_program`), never when shapecalc
is imported by someone else's code (tests, notebooks, :func:`shapecalc.cli.main`
in-process). The long-table renderer is local to a table and also runs in-process, as does
the meta build (local to one model); the dataclass cache runs while :mod:`shapecalc` imports
its own modules, wherever that happens (:func:`compiled_dataclasses`).

The figures are CPU seconds (user + system, median of 9 cold processes after a warm-up, with
benchmarks/measure.py's ``repeat``; the range is over two such rounds) of the console script,
on this machine (2 cores, Python 3.11, torch 2.13.0 CPU, rich 15, load average 2 to 7 while
measuring), 2 December 2026. CPU rather than wall time because the machine is shared: wall
times moved by up to 2x between rounds. ``long.shape`` is ``64x64x8`` then the two lines
``conv3x3x8 same`` and ``relu`` 5,000 times: a 10,000-layer table.

This module imports nothing heavy: it is on the plain calculator's path.
"""

from __future__ import annotations

import builtins
import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import CodeType
from typing import Any

#: The environment variable that turns tricks off: ``1`` all of them, or a list of names.
ENV = "SHAPECALC_NO_SPEEDUPS"

#: The cycle collector's young-generation threshold in the program: 10,000 allocations
#: instead of 700 (the older generations keep their default 10, 10).
#:
#: A long spec makes hundreds of thousands of small objects without reference cycles; with
#: the default threshold the collector runs thousands of times and frees nothing (peak memory
#: is the same with it off, 41 MiB). Collections still run, less often. Measured:
#: ``shapecalc -f long.shape`` 0.445 s against 0.494 s with
#: ``SHAPECALC_NO_SPEEDUPS=gc shapecalc -f long.shape``: 0.05 s (9 to 10%) saved; on
#: ``-f examples/vgg16.shape`` nothing measurable (0.105 s against 0.106 s).
GC = "gc"

#: When torch was imported, the program flushes its output and ends with ``os._exit``, skipping
#: the interpreter's teardown: a finished command has nothing left to clean up, and tearing
#: down an interpreter that imported torch takes 0.3 to 0.5 s here. Measured:
#: ``shapecalc check --device meta -f examples/vgg16.shape`` 1.28 to 1.32 s against 1.60 to
#: 1.83 s with ``SHAPECALC_NO_SPEEDUPS=fast-exit``: 0.32 to 0.50 s (20 to 28%) saved.
#: Programs that never imported torch end as usual (nothing to gain).
FAST_EXIT = "fast-exit"

#: For ``--device meta`` checks, torch's Python meta kernels are called directly
#: (:func:`shapecalc.torchcheck.run_meta_kernels_directly`), so that their first call does not
#: import the whole compiler (``torch._dynamo``) only to wrap them in "compilation off". The
#: program never compiles, so nothing else can notice. Measured:
#: ``shapecalc check --device meta -f examples/resnet50.shape`` 1.40 to 1.41 s against 1.80 to
#: 1.85 s with ``SHAPECALC_NO_SPEEDUPS=meta-kernels``: 0.40 to 0.45 s (22 to 24%) saved, and
#: 40 MiB of peak memory (267 against 307 MiB).
META_KERNELS = "meta-kernels"

#: Tables are printed by :class:`shapecalc.render.longtable.PlainTable`, which computes rich's
#: layout on a two-row stand-in and writes the plain rows itself, instead of by rich laying
#: out every cell (about 100 µs a cell). Off, the same table is rendered and measured by rich's
#: own :class:`rich.table.Table`. Measured: ``shapecalc -f long.shape`` 0.46 to 0.49 s against
#: 2.69 to 2.78 s with ``SHAPECALC_NO_SPEEDUPS=long-table``: 2.2 to 2.3 s (82 to 84%) saved,
#: and 29 MiB of peak memory (41 against 70 MiB); ``-f examples/vgg16.shape``: 0.112 to
#: 0.116 s against 0.124 to 0.129 s (0.01 s, 9 to 10%).
LONG_TABLE = "long-table"

#: A table printed to a file or pipe (no styles) that fits its width and holds only simple
#: ASCII cells is written as text by :func:`shapecalc.render.table.plain_text`, with rich's
#: exact layout for that case, instead of by rich's console: importing the console is about
#: half of importing rich and click, so the table's path no longer pays for it. Terminals,
#: tables that wrap or shorten, costs and anything unusual still go through rich. Measured
#: (CPU, median of 21 cold processes each, one round, load average about 7.5, in a venv with
#: only rich, click and sympy): ``shapecalc -f examples/vgg16.shape > file`` 139 ms against
#: 190 ms with ``SHAPECALC_NO_SPEEDUPS=plain-table``, 51 ms (27%) saved: 0.98x the floor
#: (``python -c "import rich.console, rich.table, click"``, 142 ms) instead of 1.34x. In
#: ``python benchmarks/bench.py --quick --only models --runs 9`` (load 2 to 4): the table
#: 0.104 s, the floor 0.100 s (1.04x); the same table styled for a terminal (rich's path)
#: 1.75x.
PLAIN_TABLE = "plain-table"

#: The functions that ``@dataclass`` writes for a class (``__init__``, ``__repr__``, ``__eq__``,
#: ``__hash__``, a frozen class's ``__setattr__`` and ``__delattr__``) are compiled from their
#: source once and kept, as Python keeps a module's bytecode: in a file beside the package's
#: own ``.pyc`` files (``shapecalc/__pycache__/dataclasses.<cache tag>.marshal``), read while
#: :mod:`shapecalc` imports its modules (:func:`compiled_dataclasses`). The package defines
#: some 70 frozen dataclasses (the layer kinds, the parse tree, the result model); the
#: dataclasses module compiles about 420 functions for them, on every import, and that was
#: most of the plain table's start-up beyond importing rich and click. A cached function is
#: the code object ``compile`` gives for the same source (the same bytes, which the tests
#: compare), so nothing else can notice. Measured (wall time of ``import shapecalc.cli``
#: after rich and click, five runs, load average about 10): 209 to 220 ms against 94 to 136
#: ms with the cache, about 0.1 s saved. ``shapecalc -f examples/vgg16.shape`` against its
#: floor (``python -c "import rich.console, rich.table, click"``), measured in the same run of
#: ``python benchmarks/bench.py --quick --only models --runs 5`` (load average 10 to 14):
#: 2.64x (CPU 0.193 against 0.080 s) before, 1.17x (CPU 0.170 against 0.130 s) with it.
#: The file is written when a function was missing (the first import, or an upgrade), as a
#: ``.pyc`` file is: atomically, never when ``sys.dont_write_bytecode`` is set
#: (``PYTHONDONTWRITEBYTECODE``), and not at all when the directory is read-only. A file that
#: cannot be read is ignored. Unlike the process-wide tricks this one runs wherever shapecalc
#: is imported (it runs before anyone could tell the program from a library user), and only
#: while shapecalc imports its own modules.
DATACLASS_CACHE = "dataclass-cache"

#: ``shapecalc import torchvision.models:NAME`` imports torchvision's model definitions without
#: running torchvision's package ``__init__`` files
#: (:func:`shapecalc.imports.torch_frontend.import_torchvision_models`): those import every
#: dataset, detection and video model and operator, and ``torchvision.ops.roi_align`` imports
#: torch's compiler (``torch._dynamo``). Process-wide (the lazy packages stay in
#: ``sys.modules``), so the program's only; anything that goes wrong with it falls back to the
#: usual import. Measured (CPU s beyond ``python -c "import torch"`` in the same round, median
#: of 3 interleaved rounds, load average 2 to 2.8, 2 December 2026): ``shapecalc import
#: torchvision.models:resnet50`` 0.09 s against 0.92 s with
#: ``SHAPECALC_NO_SPEEDUPS=lazy-torchvision``: 0.83 s saved; ``...:efficientnet_b0`` 0.31 s
#: against 1.15 s: 0.85 s saved.
LAZY_TORCHVISION = "lazy-torchvision"

#: ``shapecalc import`` builds a model named by a class or factory on the meta device
#: (``load_model(device="meta")``): the import reads only its shapes and counts, and the
#: random initialisation of its weights is most of what building a big model costs
#: (ResNet-50's kaiming init, ConvNeXt's truncated normals). A model whose ``__init__``
#: cannot run there is built as usual. Measured as :data:`LAZY_TORCHVISION`: ResNet-50 0.09 s
#: against 0.35 s with ``SHAPECALC_NO_SPEEDUPS=meta-build``: 0.26 s saved; EfficientNet-B0
#: 0.31 s against 0.25 s: nothing measurable (its init is cheap; ConvNeXt's truncated normals
#: are not: building convnext_tiny took 1.36 s on the CPU, 0.07 s on meta).
META_BUILD = "meta-build"

#: Every trick, by name.
TRICKS = (
    GC,
    FAST_EXIT,
    META_KERNELS,
    LONG_TABLE,
    PLAIN_TABLE,
    DATACLASS_CACHE,
    LAZY_TORCHVISION,
    META_BUILD,
)

#: True once :func:`start_program` ran: this process is the ``shapecalc`` program.
_program = False


def enabled(trick: str) -> bool:
    """Whether ``trick`` (one of :data:`TRICKS`) is on, as :data:`ENV` says now."""
    value = os.environ.get(ENV, "").strip().lower()
    if value in ("", "0"):
        return True
    named = {part.strip() for part in value.split(",")} & set(TRICKS)
    return bool(named) and trick not in named


def start_program() -> None:
    """Mark this process as the ``shapecalc`` program and apply the process-wide tricks that
    start with it (:data:`GC`). Called by :func:`shapecalc.cli.console_main` only."""
    global _program
    _program = True
    if enabled(GC):
        gc.set_threshold(10_000, 10, 10)


def end_program(code: object) -> None:
    """End the program at once with exit code ``code`` when :data:`FAST_EXIT` applies (this
    is the program and torch was imported); otherwise return, and the caller exits as usual."""
    if not (_program and enabled(FAST_EXIT) and "torch" in sys.modules):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0)


def before_check(device: str) -> None:
    """Prepare torch for a check on ``device``: in the program, for ``meta``, the
    :data:`META_KERNELS` trick. Without torch nothing happens (the check says how to install
    it)."""
    if not (_program and device == "meta" and enabled(META_KERNELS)):
        return
    try:
        from . import torchcheck
    except ModuleNotFoundError:
        return
    torchcheck.run_meta_kernels_directly()


def lazy_torchvision() -> bool:
    """Whether the import of a torchvision model takes :data:`LAZY_TORCHVISION`'s way: in
    the program only."""
    return _program and enabled(LAZY_TORCHVISION)


def build_device() -> str | None:
    """The device ``shapecalc import`` builds a model on: ``"meta"`` with :data:`META_BUILD`,
    else None (as the model's code says)."""
    return "meta" if enabled(META_BUILD) else None


def long_table() -> bool:
    """Whether tables take the :data:`LONG_TABLE` fast path."""
    return enabled(LONG_TABLE)


def plain_table() -> bool:
    """Whether a table may be written without rich (:data:`PLAIN_TABLE`)."""
    return enabled(PLAIN_TABLE)


def dataclass_cache_path() -> Path:
    """Where :data:`DATACLASS_CACHE` keeps the compiled functions: beside the package's own
    bytecode, named for this interpreter (``dataclasses.cpython-311.marshal``)."""
    tag = sys.implementation.cache_tag or sys.implementation.name
    return Path(__file__).resolve().parent / "__pycache__" / f"dataclasses.{tag}.marshal"


def _read_compiled(path: Path) -> dict[str, CodeType]:
    """The cache file's {source: code} table; empty when it is missing or unreadable."""
    import marshal

    try:
        table = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(table, dict):
        return {}
    return {k: v for k, v in table.items() if isinstance(k, str) and isinstance(v, CodeType)}


def _write_compiled(path: Path, table: dict[str, CodeType]) -> None:
    """Write the table atomically (another process may be reading it); skip when the
    directory cannot be written."""
    import marshal

    if sys.dont_write_bytecode:
        return
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(exist_ok=True)
        temporary.write_bytes(marshal.dumps(table))
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


@contextlib.contextmanager
def compiled_dataclasses(path: Path | None = None) -> Iterator[None]:
    """While the block runs, ``@dataclass`` reuses the functions it compiled before
    (:data:`DATACLASS_CACHE`); with the trick off, nothing changes.

    The dataclasses module compiles each function with ``exec(source, globals, namespace)``;
    inside the block its name ``exec`` finds a version that looks the source up first. The
    code is compiled as the dataclasses module's own ``exec`` compiles it: no ``__future__``
    flag of the caller is inherited.

    Args:
        path: the cache file; :func:`dataclass_cache_path` unless given (tests give one).
    """
    if not enabled(DATACLASS_CACHE):
        yield
        return
    import dataclasses

    path = path or dataclass_cache_path()
    known = _read_compiled(path)
    used: dict[str, CodeType] = {}

    def cached_exec(source: Any, globals: Any = None, locals: Any = None) -> None:
        if not isinstance(source, str):
            builtins.exec(source, globals, locals)
            return
        code = known.get(source)
        if code is None:
            code = compile(source, "<string>", "exec", dont_inherit=True)
        used[source] = code
        builtins.exec(code, globals, locals)

    namespace = vars(dataclasses)
    before = namespace.get("exec")
    namespace["exec"] = cached_exec
    try:
        yield
    finally:
        if before is None:
            namespace.pop("exec", None)
        else:
            namespace["exec"] = before
    # Only what this import used is kept: functions of classes that changed since drop out.
    if any(source not in known for source in used):
        _write_compiled(path, used)
