"""What the terminal that ``draw --preview`` writes to can show: asked of the terminal itself.

No environment variable says "sixel", and a guessed image escape prints garbage on a
terminal without it, so the terminal is asked, the way image viewers for the terminal do:

- kitty's graphics query, ``ESC _G i=31,s=1,v=1,a=q,t=d,f=24 ; AAAA ESC \\`` (a 1×1 image,
  only queried), which kitty-speaking terminals answer ``ESC _G i=31;OK ESC \\`` and others
  ignore, then
- DA1, ``ESC [ c``, which every VT100-style terminal answers ``ESC [ ? 62;4;22 c`` or the like,
  attribute 4 meaning sixel graphics. Sent last, so its answer ends the wait: terminals answer
  in order, and one that ignores kitty's query still answers DA1.

The terminal is asked only when standard output is a terminal, this process's controlling
one (so ``/dev/tty``, where the answers are read, is the terminal written to), this process
is in its foreground (a background job reading it would be stopped by SIGTTIN), and ``TERM`` is not ``dumb``/``linux`` (a console or an editor's shell
window that shows no images and might echo the query). While waiting, at most
:data:`TIMEOUT`, the terminal is in cbreak mode without echo, so that the answer is neither
shown nor left on the user's input; its mode is restored whatever happens, Ctrl-C included.
The environment short-cuts kitty (``TERM=xterm-kitty``, ``KITTY_WINDOW_ID``, Ghostty), as
:func:`shapecalc.render.svg.terminal.image_protocol` says. Preference: kitty, sixel, text.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

#: kitty's graphics query (an RGB 1×1 image, ``a=q``: answer, do not show) and DA1.
KITTY_QUERY = b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
DA1_QUERY = b"\x1b[c"
QUERY = KITTY_QUERY + DA1_QUERY
#: Seconds to wait for the answers: a local terminal answers in a few milliseconds, one over
#: ssh in a round trip; a terminal that answers nothing costs this much once.
TIMEOUT = 0.2
#: ``TERM`` values not asked (see the module's docstring).
NOT_ASKED = frozenset({"", "dumb", "linux"})

_DA1 = re.compile(rb"\x1b\[\?([0-9;]*)c")
_KITTY = re.compile(rb"\x1b_Gi=31;([^\x1b]*)\x1b\\")


@dataclass(frozen=True)
class Terminal:
    """What a terminal can show: ``protocol`` is ``kitty``, ``sixel`` or None (text only);
    ``width_px`` its width in pixels when it says."""

    protocol: str | None
    width_px: int | None = None


def protocol_of(reply: bytes) -> str | None:
    """The image protocol that the answers to :data:`QUERY` promise: ``kitty`` for kitty's
    ``OK``, ``sixel`` for attribute 4 in DA1's answer (after the terminal's class), else None."""
    kitty = _KITTY.search(reply)
    if kitty is not None and kitty.group(1) == b"OK":
        return "kitty"
    da1 = _DA1.search(reply)
    if da1 is not None and b"4" in da1.group(1).split(b";")[1:]:
        return "sixel"
    return None


def ask(fd: int, query: bytes = QUERY, timeout: float = TIMEOUT) -> bytes:
    """Write ``query`` to the terminal ``fd`` and read its answers until DA1's has come or
    ``timeout`` seconds have passed, in cbreak mode without echo; the terminal's mode is
    restored on every way out, and input that arrived unread is discarded with it.

    Returns:
        Every byte read (the answers, and keys typed meanwhile), b"" when nothing came.
    """
    import select
    import termios

    saved = termios.tcgetattr(fd)
    quiet = termios.tcgetattr(fd)
    quiet[3] &= ~(termios.ECHO | termios.ICANON)
    quiet[6][termios.VMIN], quiet[6][termios.VTIME] = 1, 0
    reply = b""
    try:
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
        os.write(fd, query)
        deadline = time.monotonic() + timeout
        while _DA1.search(reply) is None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                break
            chunk = os.read(fd, 1024)
            if not chunk:
                break
            reply += chunk
    finally:
        # TCSAFLUSH: an answer that came too late to be read goes, rather than to the shell.
        termios.tcsetattr(fd, termios.TCSAFLUSH, saved)
    return reply


def width_px(fd: int) -> int | None:
    """The terminal's width in pixels as the kernel knows it (TIOCGWINSZ), None when it
    says 0 or ``fd`` is no terminal."""
    try:
        import fcntl
        import struct
        import termios

        size = fcntl.ioctl(fd, termios.TIOCGWINSZ, bytes(8))
    except (ImportError, OSError):
        return None
    _, _, pixels, _ = struct.unpack("HHHH", size)
    return pixels or None


def _is_own_terminal(stream: IO[Any]) -> bool:
    """``stream`` writes to this process's controlling terminal, in whose foreground it is:
    tcgetpgrp fails on a terminal that is not the caller's controlling one (ENOTTY)."""
    try:
        return os.tcgetpgrp(stream.fileno()) == os.getpgrp()
    except (OSError, ValueError, AttributeError):
        return False


def detect(
    stream: IO[Any] | None = None,
    env: Mapping[str, str] | None = None,
    tty: str = "/dev/tty",
    timeout: float = TIMEOUT,
) -> Terminal:
    """What the terminal behind ``stream`` (default: standard output) shows, asked of it
    through ``tty`` when it is a terminal; ``Terminal(None)`` for a pipe, a file, a dumb
    terminal or one that does not answer within ``timeout`` seconds."""
    from ..render.svg.terminal import image_protocol

    stream = sys.stdout if stream is None else stream
    env = os.environ if env is None else env
    try:
        if not stream.isatty() or not _is_own_terminal(stream):
            return Terminal(None)
    except (AttributeError, ValueError):
        return Terminal(None)
    try:
        fd = os.open(tty, os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return Terminal(None)
    try:
        pixels = width_px(fd)
        if image_protocol(env) == "kitty":
            return Terminal("kitty", pixels)
        if env.get("TERM", "") in NOT_ASKED:
            return Terminal(None, pixels)
        try:
            import termios
        except ImportError:  # Windows: no terminal modes to ask in
            return Terminal(None, pixels)
        try:
            reply = ask(fd, QUERY, timeout)
        except (OSError, termios.error):  # a terminal that refuses a mode or the query
            return Terminal(None, pixels)
        return Terminal(protocol_of(reply), pixels)
    finally:
        os.close(fd)


__all__ = ["QUERY", "TIMEOUT", "Terminal", "ask", "detect", "protocol_of", "width_px"]
