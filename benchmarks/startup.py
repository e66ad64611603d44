"""Cold-process wall time and peak memory of the calculator on issue 3's three specs, against
issue 3's goals. Prints figures; asserts nothing.

    python benchmarks/startup.py [--runs 7]

Each case runs ``shapecalc`` as a new process (the console script when installed, else
``python -m shapecalc``) and reports the median and best wall time and the peak RSS.
benchmarks/bench.py is the full benchmark (torchinfo, torch, scaling; issue 8); this script
stays for issue 3's exact specs, notably the 60-layer symbolic one.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from measure import Goal, repeat, shapecalc_command

ROOT = Path(__file__).resolve().parent.parent

GOALS = {
    "VGG-16 (concrete)": Goal(0.35, unit=" s"),
    "1,000-layer concrete": Goal(1.0, unit=" s"),
    "60-layer symbolic": Goal(1.0, unit=" s"),
}


def _specs(tmp: Path) -> dict[str, Path]:
    vgg = ROOT / "examples" / "vgg16.shape"
    concrete = tmp / "concrete1000.shape"
    concrete.write_text("64x64x8\n" + "conv3x3x8 same\nrelu\n" * 500)
    symbolic = tmp / "symbolic60.shape"
    # Two symbols, a stride-2 conv and a pool in every block: floors and ceilings nest 24 deep.
    blocks = "conv3x3x{c} pad1 | bn | relu | conv3x3x{c} same stride2 | maxpool2 ceil\n"
    symbolic.write_text("HxWx3\n" + blocks * 12)
    return {
        "VGG-16 (concrete)": vgg,
        "1,000-layer concrete": concrete,
        "60-layer symbolic": symbolic,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    base = shapecalc_command()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, command: {' '.join(base)}")
    print(f"{'case':<24} {'median s':>9} {'best s':>8} {'peak MiB':>9} {'goal':>9}  status")
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in _specs(Path(tmp)).items():
            figures = repeat([*base, "-f", str(path)], args.runs)
            goal = GOALS[name]
            print(
                f"{name:<24} {figures.median:>9.3f} {figures.best:>8.3f} {figures.peak:>9.0f} "
                f"{str(goal):>9}  {goal.judge(figures.median)}"
            )


if __name__ == "__main__":
    main()
