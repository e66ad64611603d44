"""Where the time of ``shapecalc check`` goes. Prints figures; asserts nothing.

    python benchmarks/check.py [--runs 5]

Each case is a new process, so the figures include importing torch (about 1.1-1.6 s here on
its own, also reported). Last, the phases of one cold meta check, as the ``shapecalc``
program runs it (with :func:`shapecalc.torchcheck.run_meta_kernels_directly`, so that torch's
meta kernels do not import ``torch._dynamo``; their shape checks still import sympy), and as
the library runs it in a user's process (which imports ``torch._dynamo`` on first use). The
comparison with torchinfo and with a plain torch
forward pass, and the goals, are in benchmarks/bench.py; this script is the breakdown.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from measure import repeat, shapecalc_command

ROOT = Path(__file__).resolve().parent.parent
VGG = ROOT / "examples" / "vgg16.shape"


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
from shapecalc import analyze, torchcheck
analysis = analyze(open(sys.argv[1]).read())
if sys.argv[2] == "program":
    torchcheck.run_meta_kernels_directly()
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
    cases = {
        "import torch alone": [sys.executable, "-c", "import torch"],
        # What any meta forward pass imports at least: torch's shape checks (torch._check)
        # import this module, and it imports sympy.
        "import torch + shape checks": [
            sys.executable,
            "-c",
            "import torch, torch.fx.experimental.symbolic_shapes",
        ],
        "check VGG-16 --device meta": [*base, "check", "-f", str(VGG), "--device", "meta"],
        "check VGG-16 --device cpu": [*base, "check", "-f", str(VGG)],
    }
    print(f"{'case':<28} {'median s':>9} {'best s':>8} {'peak MiB':>9}")
    for name, command in cases.items():
        figures = repeat(command, args.runs)
        print(f"{name:<28} {figures.median:>9.3f} {figures.best:>8.3f} {figures.peak:>9.0f}")
    for way in ("program", "library"):
        print(f"phases of one cold process checking VGG-16 on meta, as the {way} does:")
        sys.stdout.flush()
        subprocess.run([sys.executable, "-c", PHASES, str(VGG), way], check=True)


if __name__ == "__main__":
    main()
