"""In-process time of exact numeric conv and pooling. Prints figures; asserts nothing.

    python benchmarks/numeric.py

Integer and decimal cells, from a homework-sized case up to the operation limit
(``shapecalc.numeric.MAX_OPERATIONS``), with and without the per-cell working.
"""

from __future__ import annotations

import random
import time
from fractions import Fraction

from shapecalc import conv2d, pool2d


def _volume(c: int, h: int, w: int, decimals: bool) -> list[list[list[object]]]:
    rng = random.Random(0)

    def cell() -> object:
        return Fraction(rng.randint(-99, 99), 10) if decimals else rng.randint(-9, 9)

    return [[[cell() for _ in range(w)] for _ in range(h)] for _ in range(c)]


def _time(label: str, operations: int, call: object) -> None:
    start = time.perf_counter()
    call()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    rate = operations / seconds / 1e6
    print(f"{label:<52} {operations:>12,} ops {seconds:8.3f} s {rate:6.2f} M ops/s")


def main() -> None:
    cases = [
        ("conv 6x6, 3x3 kernel (course example)", 1, 6, 1, 3, False),
        ("conv 3x64x64, 8 kernels 3x3, ints", 3, 64, 8, 3, False),
        ("conv 3x64x64, 8 kernels 3x3, decimals", 3, 64, 8, 3, True),
        ("conv 3x214x214, 8 kernels 3x3, ints (near the limit)", 3, 214, 8, 3, False),
        ("conv 3x214x214, 8 kernels 3x3, decimals (near the limit)", 3, 214, 8, 3, True),
    ]
    for label, c, n, filters, k, decimals in cases:
        image = _volume(c, n, n, decimals)
        kernels = [_volume(c, k, k, decimals) for _ in range(filters)]
        ops = filters * (n - k + 1) ** 2 * c * k * k
        _time(label, ops, lambda image=image, kernels=kernels: conv2d(image, kernels))
        if n <= 64:
            _time(
                label + " --explain",
                ops,
                lambda image=image, kernels=kernels: conv2d(image, kernels, explain=True),
            )
    image = _volume(16, 224, 224, False)
    for mode in ("max", "avg"):
        _time(
            f"{mode} pool 16x224x224, 2x2",
            16 * 112 * 112 * 4,
            lambda mode=mode: pool2d(image, 2, mode=mode),  # type: ignore[misc]
        )


if __name__ == "__main__":
    main()
