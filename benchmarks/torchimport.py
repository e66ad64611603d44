"""How long ``shapecalc import`` takes as a cold process, against the floor of importing torch
measured in the same run. Prints figures and the goal's verdict (exit 1 on a regression).

    python benchmarks/torchimport.py [--runs 5]

Goal (issue 15): importing ResNet-50 and EfficientNet-B0 takes at most the floor + 1 s, the
floor being ``python -c "import torch"``. Also shown, to tell the import's own work from what
any use of these models costs: importing torch and torchvision and building the model (its
random initialisation) without shapecalc.
"""

from __future__ import annotations

import argparse
import os
import sys

from measure import Goal, repeat, shapecalc_command

#: What building a torchvision model costs a process before shapecalc does anything.
BUILD = (
    "from shapecalc.imports.torch_frontend import import_torchvision; import_torchvision(); "
    "import torchvision.models as m; m.{name}()"
)

MODELS = {"ResNet-50": "resnet50", "EfficientNet-B0": "efficientnet_b0"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = shapecalc_command()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    floor = repeat([sys.executable, "-c", "import torch"], args.runs)
    print(f"{'case':<44} {'median s':>9} {'best s':>8} {'CPU s':>7} {'peak MiB':>9}")
    print(
        f"{'import torch (the floor)':<44} {floor.median:>9.3f} {floor.best:>8.3f} {floor.cpu:>7.3f} {floor.peak:>9.0f}"
    )
    failed = False
    for label, name in MODELS.items():
        build = repeat([sys.executable, "-c", BUILD.format(name=name)], args.runs)
        command = [*base, "import", f"torchvision.models:{name}"]
        figures = repeat(command, args.runs)
        for case, result in (
            (f"torch + torchvision + build {label}", build),
            (f"shapecalc import {label}", figures),
        ):
            print(
                f"{case:<44} {result.median:>9.3f} {result.best:>8.3f} {result.cpu:>7.3f} {result.peak:>9.0f}"
            )
        goal = Goal(floor.median + 1.0, unit=" s")
        verdict = goal.judge(figures.median)
        failed |= verdict == "REGRESSION"
        print(
            f"  goal: at most floor + 1 s = {floor.median + 1.0:.3f} s: {verdict} (import beyond the floor: {figures.median - floor.median:.3f} s)"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
