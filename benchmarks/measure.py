"""Measuring one cold process: wall time and peak memory, shared by the benchmark scripts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time


def run_once(command: list[str]) -> tuple[float, int]:
    """Run ``command`` once: (wall seconds, peak resident MiB). A failing command stops the
    benchmark, so that a figure is never the time it took to fail."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, rusage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{command} failed (wait status {status})")
    return elapsed, rusage.ru_maxrss // 1024  # KiB -> MiB on Linux


def shapecalc_command() -> list[str]:
    """The installed ``shapecalc`` program, or ``python -m shapecalc`` when none is on PATH."""
    script = shutil.which("shapecalc")
    return [script] if script else [sys.executable, "-m", "shapecalc"]
