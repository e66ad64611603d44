"""Reading user files with a size cap, whatever kind of file the path names."""

from __future__ import annotations

from pathlib import Path


class TooLarge(Exception):
    """The file holds more than the cap allows."""


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, at most ``limit`` of them.

    The size is found by reading, not from the file system: ``/dev/zero``, a pipe or a
    ``/proc`` file report a size of 0 and would otherwise be read until memory runs out.

    Raises:
        OSError: the file cannot be opened or read.
        TooLarge: the file holds more than ``limit`` bytes.
    """
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{path} holds more than {limit:,} bytes")
    return data
