"""Measuring cold processes and judging figures against goals, shared by the benchmark scripts.

Only the standard library: the test of the pure helpers (``judge``, ``linearity``,
``fit_line``) loads this file by path, and the benchmark's own process stays light.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata

#: How far past its goal a figure may be before the benchmark calls it a regression and exits
#: non-zero: a time 1.5x its limit, or a "10x" ratio below 10/1.5.
SLACK = 1.5


def _child_env() -> dict[str, str]:
    """The environment for measured processes: without PYTHONDONTWRITEBYTECODE (set on this
    machine), so the warm-up run leaves bytecode behind as any installed package has, and the
    measured runs do not recompile shapecalc's sources each time (about 0.06 s of VGG-16's
    0.3 s here)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@dataclass(frozen=True)
class Run:
    """One cold process: wall seconds, CPU seconds (user + system) and peak resident MiB."""

    wall: float
    cpu: float
    peak: int


def measure_once(command: list[str]) -> Run:
    """Run ``command`` once as a new process and measure it. A failing command stops the
    benchmark, so that a figure is never the time it took to fail.

    CPU time is reported beside wall time because this machine is shared: other processes
    stretch the wall time of a run much more than its CPU time.
    """
    # stderr goes to a file, not a pipe: a child writing more than a pipe holds would wait
    # for a reader that only reads after the child has ended.
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=errors, env=_child_env()
        )
        _, status, rusage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if status != 0:
            errors.seek(0)
            error = errors.read().decode(errors="replace")
            raise SystemExit(f"{command} failed (wait status {status}):\n{error}")
    # ru_maxrss is in KiB on Linux.
    return Run(elapsed, rusage.ru_utime + rusage.ru_stime, rusage.ru_maxrss // 1024)


def run_once(command: list[str]) -> tuple[float, int]:
    """Run ``command`` once: (wall seconds, peak resident MiB); see :func:`measure_once`."""
    run = measure_once(command)
    return run.wall, run.peak


def shapecalc_command() -> list[str]:
    """The installed ``shapecalc`` program, or ``python -m shapecalc`` when none is on PATH."""
    script = shutil.which("shapecalc")
    return [script] if script else [sys.executable, "-m", "shapecalc"]


@dataclass(frozen=True)
class Figures:
    """Wall times (s), peak memory (MiB) and CPU times (s) of repeated cold runs of one
    command."""

    times: tuple[float, ...]
    peaks: tuple[int, ...]
    cpu_times: tuple[float, ...] = ()

    @property
    def median(self) -> float:
        """The median wall time, in seconds."""
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        """The shortest wall time, in seconds."""
        return min(self.times)

    @property
    def cpu(self) -> float:
        """The median CPU time (user + system), in seconds."""
        return statistics.median(self.cpu_times)

    @property
    def peak(self) -> float:
        """The median of the runs' peak resident memory, in MiB."""
        return statistics.median(self.peaks)

    @property
    def least_peak(self) -> int:
        """The smallest peak resident memory of the runs, in MiB."""
        return min(self.peaks)


def repeat(command: list[str], runs: int, warm: bool = True) -> Figures:
    """Run ``command`` ``runs`` times as new processes, after one discarded run when ``warm``
    (it fills the file cache and writes bytecode, which a user's second call would find)."""
    if warm:
        measure_once(command)
    results = [measure_once(command) for _ in range(runs)]
    return Figures(
        tuple(r.wall for r in results),
        tuple(r.peak for r in results),
        tuple(r.cpu for r in results),
    )


@dataclass(frozen=True)
class Goal:
    """A limit a figure should keep: at most ``limit`` (times, memory, growth), or at least
    ``limit`` when ``at_least`` (speed-up ratios)."""

    limit: float
    at_least: bool = False
    unit: str = ""

    def judge(self, value: float) -> str:
        """``ok`` when ``value`` meets the goal, ``REGRESSION`` when it misses it by more than
        :data:`SLACK` (1.5x the limit, or under limit/1.5 for at-least goals), else ``missed``."""
        if self.at_least:
            if value >= self.limit:
                return "ok"
            return "REGRESSION" if value < self.limit / SLACK else "missed"
        if value <= self.limit:
            return "ok"
        return "REGRESSION" if value > self.limit * SLACK else "missed"

    def __str__(self) -> str:
        return f"{'>=' if self.at_least else '<='} {self.limit:g}{self.unit}"


def fit_line(sizes: Sequence[float], times: Sequence[float]) -> tuple[float, float]:
    """Least-squares line through (size, time): (intercept, slope), i.e. the constant cost of
    a process and the cost per layer."""
    slope, intercept = statistics.linear_regression(sizes, times)
    return intercept, slope


def linearity(sizes: Sequence[float], times: Sequence[float]) -> float:
    """How the cost of one more layer at the largest size compares with that at the second
    largest, both measured from the smallest size (which stands for the constant start-up
    cost): 1.0 is linear, 10 would be quadratic over a tenfold step.

    ``sizes`` must be increasing, with at least three entries.
    """
    if len(sizes) < 3 or list(sizes) != sorted(sizes):
        raise ValueError("linearity needs at least three increasing sizes")
    base_size, base_time = sizes[0], times[0]
    per_layer = [(t - base_time) / (n - base_size) for n, t in zip(sizes[-2:], times[-2:])]
    return per_layer[1] / per_layer[0]


def machine() -> list[str]:
    """A description of this machine and the software measured, one fact a line."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
        memory = f", {kib / 1024**2:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    for package in ("shapecalc", "torch", "torchinfo", "sympy", "rich", "click"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return [
        f"CPU: {cpu}, {os.cpu_count()} cores ({usable} usable){memory}",
        f"OS: {platform.platform()}",
        f"Python: {platform.python_implementation()} {platform.python_version()}",
        f"Packages: {', '.join(versions)}",
        f"Load average at start (1, 5, 15 min): {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}",
    ]
