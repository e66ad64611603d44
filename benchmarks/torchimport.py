"""How long ``shapecalc import`` takes as a cold process, against the floor of importing torch
measured in the same run. Prints figures and the goal's verdict (exit 1 on a regression).

    python benchmarks/torchimport.py [--runs 5]

Goal (issue 15): importing ResNet-50 and EfficientNet-B0 (``shapecalc import
torchvision.models:resnet50``, ``...:efficientnet_b0``, at the default 224x224x3) takes at
most the floor + 1 s, the floor being ``python -c "import torch"``: what any process that
reads a PyTorch model pays before it reads anything. That floor includes the interpreter's
teardown after torch (0.3 to 0.5 s here), which the ``shapecalc`` program skips (its
fast-exit trick); the row ``import torch, os._exit`` is the floor without it, and the
figures beyond it are the stricter reading.

The runs are interleaved: each round runs the floor and then every case once, so that the
floor and the cases share the machine's load of that moment; "beyond the floor" is the
median over the rounds of (case - floor) in the same round. The goal is judged on CPU
seconds (user + system), as the figures of the other benchmarks are read: this machine is
shared, and other processes stretch wall times several-fold (a wall-time verdict is printed
beside it, not judged).

Also shown, for context, in the same rounds:

- ``the usual way``: the same command with the program's two import tricks off
  (``SHAPECALC_NO_SPEEDUPS=lazy-torchvision,meta-build``, shapecalc/speedups.py): torchvision
  imported whole (its ``torchvision.ops.roi_align`` imports torch's compiler,
  ``torch._dynamo``) and the model built on the CPU with its random initialisation;
- ``torch + torchvision + build``: no shapecalc at all, a script that imports torchvision as
  a user's would (whole) and builds the model: what using these models costs anyway.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from measure import Goal, Run, measure_once, shapecalc_command

#: What building a torchvision model costs a process that imports torchvision whole.
BUILD = (
    "from shapecalc.imports.torch_frontend import import_torchvision; import_torchvision(); "
    "import torchvision.models as m; m.{name}()"
)

#: The tricks ``usual way`` turns off.
TRICKS = "lazy-torchvision,meta-build"

MODELS = {"ResNet-50": "resnet50", "EfficientNet-B0": "efficientnet_b0"}

FLOOR = "import torch (the floor)"
BARE = "  import torch, os._exit (no teardown)"


def cases() -> dict[str, list[str]]:
    """Every measured command by its label, the floor first."""
    base = shapecalc_command()
    commands = {
        FLOOR: [sys.executable, "-c", "import torch"],
        BARE: [sys.executable, "-c", "import os, torch; os._exit(0)"],
    }
    for label, name in MODELS.items():
        command = [*base, "import", f"torchvision.models:{name}"]
        commands[f"shapecalc import {label}"] = command
        commands[f"  {label} the usual way ({TRICKS} off)"] = [
            "env",
            f"SHAPECALC_NO_SPEEDUPS={TRICKS}",
            *command,
        ]
        commands[f"  torch + torchvision + build {label}"] = [
            sys.executable,
            "-c",
            BUILD.format(name=name),
        ]
    return commands


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, list[Run]]:
    """Each command once as a warm-up (file cache, bytecode), then ``runs`` rounds of every
    command once, in order."""
    for command in commands.values():
        measure_once(command)
    results: dict[str, list[Run]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            results[label].append(measure_once(command))
    return results


def beyond(runs: list[Run], floor: list[Run], field: str) -> float:
    """The median over the rounds of (run - floor run of the same round)."""
    return statistics.median(getattr(r, field) - getattr(f, field) for r, f in zip(runs, floor))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"load average at start {os.getloadavg()[0]:.2f}; {args.runs} interleaved rounds"
    )
    results = interleaved(cases(), args.runs)
    floor = results[FLOOR]
    print(
        f"{'case':<56} {'median s':>9} {'CPU s':>7} {'peak MiB':>9} "
        f"{'CPU - floor':>12} {'wall - floor':>13}"
    )
    failed = False
    for label, runs in results.items():
        cpu = statistics.median(r.cpu for r in runs)
        wall = statistics.median(r.wall for r in runs)
        peak = statistics.median(r.peak for r in runs)
        extra = (
            ""
            if runs is floor
            else f" {beyond(runs, floor, 'cpu'):>+12.3f} {beyond(runs, floor, 'wall'):>+13.3f}"
        )
        print(f"{label:<56} {wall:>9.3f} {cpu:>7.3f} {peak:>9.0f}{extra}")
        if label.startswith("shapecalc import "):
            over = beyond(runs, floor, "cpu")
            verdict = Goal(1.0, unit=" s").judge(over)
            failed |= verdict == "REGRESSION"
            print(
                f"  goal (CPU): at most floor + 1 s: {verdict} (beyond the floor {over:.3f} s; "
                f"beyond the floor without teardown {beyond(runs, results[BARE], 'cpu'):.3f} s); "
                f"wall, not judged: {Goal(1.0).judge(beyond(runs, floor, 'wall'))} "
                f"({beyond(runs, floor, 'wall'):.3f} s)"
            )
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
