"""Cold-process wall time and peak memory of ``shapecalc check``. Prints figures; asserts nothing.

    python benchmarks/check.py [--runs 5]

Each case is a new process, so the figures include importing torch (about 1.1-1.6 s here on
its own, also reported). ``torchinfo`` is the summary of the emitted VGG-16 module on the CPU,
for comparison (the issue quotes 2.4 s and 818 MB for it). Last, the phases of one cold
meta check: torch runs most meta shape functions through Python references that import
``torch._dynamo`` on first use, a one-off cost of the first check in a process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from measure import run_once, shapecalc_command

ROOT = Path(__file__).resolve().parent.parent
VGG = ROOT / "examples" / "vgg16.shape"

#: The issue's goal for VGG-16 on the meta device: seconds, MiB.
GOAL = (1.5, 300)

TORCHINFO = """
import runpy, sys, torchinfo
ns = runpy.run_path(sys.argv[1])
torchinfo.summary(ns["Net"](), input_size=(1, *ns["INPUT_SHAPE"]), verbose=0)
"""


#: Where the time of a cold meta check goes, measured inside one process.
PHASES = """
import resource, sys, time
def mark(label, start):
    now = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"  {label:<34} {now - start:>6.3f} s  peak {rss} MiB")
    return now
t = time.perf_counter()
import torch
t = mark("import torch", t)
from shapecalc import analyze
analysis = analyze(open(sys.argv[1]).read())
t = mark("import shapecalc, analyze", t)
assert analysis.check(device="meta").ok
t = mark("first check on meta", t)
assert analysis.check(device="meta").ok
t = mark("second check on meta (warm)", t)
print("  torch._dynamo imported by the first check:", "torch._dynamo" in sys.modules)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = shapecalc_command()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, command: {' '.join(base)}")
    with tempfile.TemporaryDirectory() as tmp:
        code = Path(tmp) / "vgg16.py"
        code.write_text(
            subprocess.run(
                [*base, "torch", "-f", str(VGG)], capture_output=True, text=True, check=True
            ).stdout
        )
        cases = {
            "import torch alone": [sys.executable, "-c", "import torch"],
            "check VGG-16 --device meta": [*base, "check", "-f", str(VGG), "--device", "meta"],
            "check VGG-16 --device cpu": [*base, "check", "-f", str(VGG)],
            "torchinfo VGG-16 (cpu)": [sys.executable, "-c", TORCHINFO, str(code)],
        }
        print(f"{'case':<28} {'median s':>9} {'best s':>8} {'peak MiB':>9}")
        for name, command in cases.items():
            run_once(command)  # warm the file cache and bytecode
            results = [run_once(command) for _ in range(args.runs)]
            times = [t for t, _ in results]
            peak = max(m for _, m in results)
            print(f"{name:<28} {statistics.median(times):>9.3f} {min(times):>8.3f} {peak:>9}")
    print(f"goal for 'check VGG-16 --device meta': under {GOAL[0]} s and {GOAL[1]} MB")
    print("phases of one cold process checking VGG-16 on meta:")
    sys.stdout.flush()
    subprocess.run([sys.executable, "-c", PHASES, str(VGG)], check=True)


if __name__ == "__main__":
    main()
