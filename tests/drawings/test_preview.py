"""draw --preview's images: the PNG read back (checked against Pillow and against PNGs
filtered here by hand), the palette, the sixel bytes (checked against bytes derived from the
format's description and by an independent decoder, sixel_decoder.py), and the detection
of what a terminal shows, against pseudo-terminals that answer like a sixel terminal, like
kitty, or not at all.
"""

from __future__ import annotations

import io
import os
import select
import struct
import sys
import termios
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecalc import analyze
from shapecalc.cli import cli
from shapecalc.cli import terminal as probe
from shapecalc.errors import DrawError
from shapecalc.render.svg import analysis_preview
from shapecalc.render.svg.pngread import Raster, decode_png
from shapecalc.render.svg.raster import svg_to_png
from shapecalc.render.svg.sixel import (
    FREQUENT,
    MAX_COLORS,
    encode,
    fixed_palette,
    png_to_sixel,
    quantise,
)

from .cases import EXAMPLES
from .sixel_decoder import decode

SMALL = "28x28x1 | conv3x3x4 | maxpool2"


def percent(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    r, g, b = (round(v * 100 / 255) for v in rgb)
    return r, g, b


# -- PNG ---------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _filtered(kind: int, row: bytes, prev: bytes, bpp: int) -> bytes:
    """PNG's filters in the encoding direction, from the specification (section 9)."""
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        predictor = [0, a, b, (a + b) // 2, _paeth(a, b, c), 0][kind]  # 5: no such filter
        out.append((x - predictor) & 0xFF)
    return bytes(out)


def make_png(
    width: int,
    rows: list[bytes],
    color: int,
    filters: list[int],
    depth: int = 8,
    interlace: int = 0,
) -> bytes:
    """A PNG of ``rows`` (pixel bytes), each row written with its filter from ``filters``."""
    bpp = {2: 3, 6: 4}.get(color, 1)
    prev = bytes(width * bpp)
    raw = b""
    for y, row in enumerate(rows):
        kind = filters[y % len(filters)]
        raw += bytes([kind]) + _filtered(kind, row, prev, bpp)
        prev = row
    header = struct.pack(">IIBBBBB", width, len(rows), depth, color, 0, 0, interlace)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw))
        + _chunk(b"IEND", b"")
    )


def _pattern(width: int, height: int, bpp: int) -> list[bytes]:
    """Rows with flat runs (the fast paths) and noisy stretches (the byte-by-byte one)."""
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            if x < width // 2 or y % 5 == 0:
                pixel = [40, 120, 200, 255][:bpp] if y < height // 2 else [250, 250, 250, 255][:bpp]
            else:
                pixel = [(x * 37 + y * 11 + k * 53) % 256 for k in range(bpp)]
            row += bytes(pixel)
        rows.append(bytes(row))
    return rows


@pytest.mark.parametrize("filters", [[0], [1], [2], [3], [4], [4, 1, 2, 0, 3]])
@pytest.mark.parametrize("color", [2, 6])
def test_every_filter_reads_back_the_pixels(filters: list[int], color: int) -> None:
    bpp = 3 if color == 2 else 4
    rows = _pattern(23, 14, bpp)
    raster = decode_png(make_png(23, rows, color, filters))
    expected = b"".join(bytes(px for i, px in enumerate(row) if i % bpp < 3) for row in rows)
    if color == 6:  # the pattern's alpha is 255 except in the noisy part
        expected = _on_white(b"".join(rows))
    assert (raster.width, raster.height) == (23, 14)
    assert raster.rgb == expected


def _on_white(rgba: bytes) -> bytes:
    out = bytearray()
    for i in range(0, len(rgba), 4):
        a = rgba[i + 3]
        out += bytes(round((c * a + 255 * (255 - a)) / 255) for c in rgba[i : i + 3])
    return bytes(out)


def test_transparent_pixels_are_composited_onto_white() -> None:
    rows = [bytes([255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 255, 128])]
    raster = decode_png(make_png(3, rows, 6, [0]))
    assert raster.pixel(0, 0) == (255, 0, 0)
    assert raster.pixel(1, 0) == (255, 255, 255)  # fully transparent red is the background
    assert raster.pixel(2, 0) == (127, 127, 255)  # half blue on white


def test_the_rasterisers_png_reads_as_pillow_reads_it() -> None:
    from PIL import Image

    svg = analyze(EXAMPLES["resnet18"]).to_svg(style="alexnet")
    png = svg_to_png(svg, zoom=0.6)
    raster = decode_png(png)
    reference = Image.open(io.BytesIO(png))
    assert reference.mode == "RGBA"  # what resvg writes, and what the reader must handle
    assert (raster.width, raster.height) == reference.size
    on_white = Image.alpha_composite(Image.new("RGBA", reference.size, "white"), reference)
    assert raster.rgb == on_white.convert("RGB").tobytes()


@pytest.mark.parametrize(
    ("png", "message"),
    [
        (b"GIF89a" + bytes(20), "not a PNG"),
        (make_png(2, [bytes(4)], 2, [0], depth=16), "16-bit with colour type 2"),
        (make_png(2, [bytes(2)], 3, [0]), "colour type 3"),
        (make_png(2, [bytes(6)], 2, [0], interlace=1), "interlaced"),
        (make_png(2, [bytes(6)], 2, [5]), "filter 5"),
        (make_png(2, [bytes(6)], 2, [0])[:40], "cut short"),
    ],
)
def test_what_the_rasteriser_does_not_write_is_refused_by_name(png: bytes, message: str) -> None:
    with pytest.raises(DrawError, match=message):
        decode_png(png)


# -- palette -----------------------------------------------------------------------------


def test_few_colours_are_kept_exactly_most_frequent_first() -> None:
    rgb = bytes([9, 9, 9] * 5 + [200, 10, 10] * 3 + [0, 0, 255])
    image = quantise(Raster(9, 1, rgb))
    assert image.palette == ((9, 9, 9), (200, 10, 10), (0, 0, 255))
    assert image.pixels == bytes([0] * 5 + [1] * 3 + [2])


def test_many_colours_keep_the_frequent_ones_and_round_the_rest() -> None:
    # 300 distinct colours: a flat "drawing" colour covering most pixels, and a gradient.
    gradient = [(k % 256, (3 * k) % 256, k // 2) for k in range(299)]
    assert len(set(gradient)) == 299 and (91, 155, 213) not in gradient
    pixels = [(91, 155, 213)] * 1000 + gradient
    rgb = b"".join(bytes(p) for p in pixels)
    image = quantise(Raster(len(pixels), 1, rgb))
    assert len(image.palette) <= MAX_COLORS
    assert image.palette[0] == (91, 155, 213)  # the fill keeps its exact colour
    assert set(image.pixels[:1000]) == {0}
    kept = image.palette[:FREQUENT]
    assert set(fixed_palette()) <= set(image.palette)
    for color, index in zip(gradient, image.pixels[1000:]):
        shown = image.palette[index]
        if color in kept:
            assert shown == color
        else:  # the nearest colour of the palette, found here by trying them all
            assert distance(shown, color) == min(distance(p, color) for p in image.palette)
    assert quantise(Raster(len(pixels), 1, rgb)) == image  # the same bytes every time


def distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> int:
    return sum((x - y) ** 2 for x, y in zip(a, b))


# -- sixel -------------------------------------------------------------------------------


def test_a_2x6_image_is_the_bytes_the_format_describes() -> None:
    # Column 0: red in rows 0-2, white in rows 3-5; column 1: red throughout. Red (9 pixels)
    # is register 0, white register 1. Red's sixels: rows 0-2 are bits 0-2, 7 + 63 = 'F';
    # all six rows, 63 + 63 = '~'. White's: bits 3-5, 56 + 63 = 'w', then nothing ('?',
    # left out at the end of a line).
    red, white = (255, 0, 0), (255, 255, 255)
    pixels = [red, red, red, red, red, red, white, red, white, red, white, red]
    image = quantise(Raster(2, 6, b"".join(bytes(p) for p in pixels)))
    assert encode(image) == ('\x1bP0;1q"1;1;2;6#0;2;100;0;0#1;2;100;100;100#0F~$#1w\x1b\\')


def test_runs_are_compressed_and_bands_follow_one_another() -> None:
    black = bytes(3 * 10)
    image = quantise(Raster(10, 7, black * 7))  # 7 rows: a full band and one row
    # '~' (all six rows) ten times, next band, '@' (row 0) ten times.
    assert encode(image) == '\x1bP0;1q"1;1;10;7#0;2;0;0;0#0!10~-#0!10@\x1b\\'


def test_a_drawing_decodes_to_its_own_pixels() -> None:
    png = svg_to_png(analyze(EXAMPLES["lenet"]).to_svg(), zoom=0.5)
    raster = decode_png(png)
    colors = Counter(raster.rgb[i : i + 3] for i in range(0, len(raster.rgb), 3))
    assert len(colors) > MAX_COLORS  # antialiasing: the palette has to choose
    image = quantise(raster)
    shown = decode(png_to_sixel(png))
    assert shown.size == (raster.width, raster.height)
    assert len(shown.registers) == len(image.palette) <= MAX_COLORS
    for y in range(raster.height):
        for x in range(raster.width):
            # Every pixel painted, in its palette colour (to the percent sixel has).
            want = percent(image.palette[image.pixels[y * raster.width + x]])
            assert shown.pixels[y][x] == want, (x, y)
    # The palette: the frequent colours exact, each other the nearest palette colour.
    for rgb, _ in colors.most_common(FREQUENT):
        assert tuple(rgb) in image.palette
    first = {}
    for k in range(raster.width * raster.height):
        first.setdefault(raster.rgb[3 * k : 3 * k + 3], image.palette[image.pixels[k]])
    for rgb, got in first.items():
        color = (rgb[0], rgb[1], rgb[2])
        assert distance(got, color) == min(distance(p, color) for p in image.palette)


def test_sixel_preview_of_the_library_is_as_wide_as_asked() -> None:
    shown = analysis_preview(analyze(EXAMPLES["vgg16"]), protocol="sixel", width_px=640)
    assert shown.startswith("\x1bP0;1q") and shown.endswith("\x1b\\\n")
    image = decode(shown)
    assert image.size is not None and 636 <= image.size[0] <= 640
    with pytest.raises(DrawError, match="unknown preview 'png'"):
        analysis_preview(analyze(SMALL), protocol="png")


def test_the_image_fills_the_width_within_bounds() -> None:
    from shapecalc.render.svg.terminal import MAX_PREVIEW_PIXELS, MAX_ZOOM, preview_zoom

    assert preview_zoom((1600, 900), 800) == 0.5
    assert preview_zoom((100, 50), 1000) == MAX_ZOOM  # a small drawing is not blown up
    tall = preview_zoom((1000, 10_000), 2000)  # --fit none --direction vertical, say
    assert 1000 * 10_000 * tall**2 == pytest.approx(MAX_PREVIEW_PIXELS)
    assert preview_zoom(None, 800) == 1.0


def test_without_the_png_extra_auto_falls_back_and_a_named_protocol_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "resvg_py", None)  # import resvg_py now fails
    text = analysis_preview(analyze(SMALL), protocol="sixel")
    assert "\x1b" not in text and "█" in text
    with pytest.raises(DrawError, match="resvg-py"):
        analysis_preview(analyze(SMALL), protocol="sixel", required=True)
    result = CliRunner().invoke(cli, ["draw", SMALL, "--preview-mode", "sixel"])
    assert result.exit_code == 2 and "error: PNG output needs resvg-py" in result.output


# -- the command line --------------------------------------------------------------------


@pytest.mark.parametrize(
    "env",
    [
        {"TERM": "xterm-256color"},
        {"TERM": "xterm-kitty", "KITTY_WINDOW_ID": "1"},  # kitty's, but written to a pipe
    ],
)
def test_preview_to_a_pipe_is_unicode_without_escapes(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["draw", SMALL, "--preview"], env=env)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "█" in result.output and "4@26×26" in result.output


def test_preview_mode_writes_the_protocol_asked_for() -> None:
    sixel = CliRunner().invoke(cli, ["draw", SMALL, "--preview-mode", "sixel"])
    assert sixel.exit_code == 0, sixel.output
    assert sixel.output.startswith("\x1bP0;1q")
    assert decode(sixel.output).size is not None
    kitty = CliRunner().invoke(cli, ["draw", SMALL, "--preview-mode", "kitty"])
    assert kitty.exit_code == 0 and kitty.output.startswith("\x1b_Ga=T,f=100,")
    text = CliRunner().invoke(
        cli, ["draw", SMALL, "--preview-mode", "text"], env={"TERM": "xterm-kitty"}
    )
    assert text.exit_code == 0 and "\x1b" not in text.output and "█" in text.output
    bad = CliRunner().invoke(cli, ["draw", SMALL, "--preview-mode", "iterm"])
    assert bad.exit_code == 2 and "'iterm' is not one of" in bad.output


def test_preview_is_still_a_flag_before_the_spec() -> None:
    # --preview takes no value: the spec after it stays the spec.
    result = CliRunner().invoke(cli, ["draw", "--preview", SMALL], env={"TERM": "dumb"})
    assert result.exit_code == 0, result.output
    assert "4@26×26" in result.output


# -- detection ---------------------------------------------------------------------------


def test_the_environment_says_kitty_and_never_sixel() -> None:
    from shapecalc.render.svg.terminal import image_protocol

    assert image_protocol({"TERM": "xterm-ghostty"}) == "kitty"
    assert image_protocol({"TERM_PROGRAM": "ghostty", "TERM": "xterm-256color"}) == "kitty"
    # WezTerm and foot speak sixel, but only the terminal's answer says so.
    assert image_protocol({"TERM_PROGRAM": "WezTerm", "TERM": "xterm-256color"}) is None
    assert image_protocol({"TERM": "foot"}) is None


def test_the_answers_name_the_protocol() -> None:
    assert probe.protocol_of(b"\x1b[?62;4;22c") == "sixel"
    assert probe.protocol_of(b"\x1b[?65;1;4;6;9c") == "sixel"
    assert probe.protocol_of(b"\x1b[?62;22;42c") is None
    assert probe.protocol_of(b"\x1b[?4;6c") is None  # a VT132 (class 4), no sixel
    assert probe.protocol_of(b"\x1b[?1;2c") is None  # a VT100
    assert probe.protocol_of(b"\x1b_Gi=31;OK\x1b\\\x1b[?62;4c") == "kitty"  # kitty first
    assert probe.protocol_of(b"\x1b_Gi=31;ENOTSUPPORTED:x\x1b\\\x1b[?62;c") is None
    assert probe.protocol_of(b"") is None


@contextmanager
def pty_pair() -> Iterator[tuple[int, int]]:
    master, slave = os.openpty()
    try:
        yield master, slave
    finally:
        os.close(master)
        os.close(slave)


def answering(
    master: int, slave: int, answer: bytes | None
) -> tuple[threading.Thread, dict[str, object]]:
    """A thread playing the terminal on ``master``: it reads the query, notes the slave's
    mode while the query waits, and writes ``answer`` (None: stays silent)."""
    seen: dict[str, object] = {}

    def run() -> None:
        query = b""
        deadline = time.monotonic() + 2
        while not query.endswith(probe.DA1_QUERY) and time.monotonic() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                query += os.read(master, 1024)
        seen["query"] = query
        seen["lflag"] = termios.tcgetattr(slave)[3]
        if answer is not None:
            os.write(master, answer)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, seen


@pytest.mark.parametrize(
    ("answer", "protocol"),
    [
        (b"\x1b[?62;4;22c", "sixel"),
        (b"\x1b_Gi=31;OK\x1b\\\x1b[?62;4;22c", "kitty"),
        (b"\x1b[?62;22c", None),
    ],
)
def test_asking_a_terminal_reads_its_answer_and_restores_its_mode(
    answer: bytes, protocol: str | None
) -> None:
    with pty_pair() as (master, slave):
        before = termios.tcgetattr(slave)
        thread, seen = answering(master, slave, answer)
        start = time.monotonic()
        reply = probe.ask(slave, timeout=1.0)
        elapsed = time.monotonic() - start
        thread.join()
        assert seen["query"] == probe.QUERY
        lflag = seen["lflag"]
        assert isinstance(lflag, int) and not lflag & (termios.ECHO | termios.ICANON)
        assert reply == answer and probe.protocol_of(reply) == protocol
        assert elapsed < 0.9  # DA1's answer ended the wait, not the timeout
        assert termios.tcgetattr(slave) == before
        assert not select.select([slave], [], [], 0)[0]  # nothing left on the input
        assert not select.select([master], [], [], 0)[0]  # and the answer was not echoed


def test_a_terminal_that_does_not_answer_costs_the_timeout_only() -> None:
    with pty_pair() as (master, slave):
        before = termios.tcgetattr(slave)
        thread, seen = answering(master, slave, None)
        start = time.monotonic()
        reply = probe.ask(slave, timeout=probe.TIMEOUT)
        elapsed = time.monotonic() - start
        thread.join()
        assert reply == b"" and probe.protocol_of(reply) is None
        assert probe.TIMEOUT <= elapsed < probe.TIMEOUT + 0.5  # slack for a loaded machine
        assert termios.tcgetattr(slave) == before


def test_the_mode_is_restored_on_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(select, "select", interrupted)
    with pty_pair() as (master, slave):
        before = termios.tcgetattr(slave)
        with pytest.raises(KeyboardInterrupt):
            probe.ask(slave)
        assert termios.tcgetattr(slave) == before


def test_no_terminal_is_asked_when_output_is_not_one(tmp_path: Path) -> None:
    assert probe.detect(io.StringIO(), env={"TERM": "xterm"}) == probe.Terminal(None)
    with open(tmp_path / "out", "w") as file:
        assert probe.detect(file, env={"TERM": "xterm-kitty"}) == probe.Terminal(None)
    with pty_pair() as (master, slave), open(os.ttyname(slave), "w") as stream:
        # A terminal, but not this process's: it is not asked (and would stop a background job).
        assert probe.detect(stream, env={"TERM": "xterm"}, tty=os.ttyname(slave)).protocol is None
        assert not select.select([master], [], [], 0)[0]  # no query was written


# -- a real controlling terminal ---------------------------------------------------------

CHILD = """
import os, sys, termios, time
os.close(os.open(os.ttyname(1), os.O_RDWR))  # as a login shell does: the pty is our terminal
before = termios.tcgetattr(0)
from shapecalc.cli.terminal import detect
from shapecalc.cli import main
start = time.monotonic()  # the time of the question, not of importing shapecalc
{body}
elapsed = time.monotonic() - start
import select
left = select.select([0], [], [], 0)[0]
print("RESULT", repr(result), f"{{elapsed:.3f}}", termios.tcgetattr(0) == before, bool(left))
"""

DETECT = "result = detect().protocol"

CLI = """
sys.argv = ["shapecalc", "draw", {spec!r}, "--preview"]
result = None
try:
    main()
except SystemExit as exit:
    result = exit.code
"""


def run_in_terminal(
    body: str, answer: Callable[[bytes], bytes | None], env: dict[str, str]
) -> tuple[bytes, bytes]:
    """Run CHILD with ``body`` under a new pseudo-terminal as its controlling terminal;
    ``answer`` sees each query and returns what the terminal answers. Returns the queries
    read and everything the child wrote."""
    import subprocess

    master, slave = os.openpty()
    # 100 columns of 10 px: the terminal says its width in pixels, as real ones do.
    import fcntl

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 1000, 800))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(body=body)],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, **env},
    )
    os.close(slave)
    written, queries = b"", b""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                written += chunk
                if probe.DA1_QUERY in chunk:
                    queries += chunk
                    reply = answer(chunk)
                    if reply is not None:
                        os.write(master, reply)
            elif child.poll() is not None:
                break
    finally:
        child.wait(timeout=30)
        os.close(master)
    assert child.returncode == 0, child.stderr.read() if child.stderr else b""
    return queries, written


def result_line(written: bytes) -> list[str]:
    line = next(
        line for line in written.decode("utf-8", "replace").splitlines() if "RESULT" in line
    )
    return line[line.index("RESULT") :].split()[1:]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b"\x1b[?62;4;22c", "'sixel'"),
        (b"\x1b_Gi=31;OK\x1b\\\x1b[?62;22c", "'kitty'"),
        (b"\x1b[?62;22c", "None"),
        (None, "None"),  # answers nothing
    ],
)
def test_detection_in_a_real_terminal(answer: bytes | None, expected: str) -> None:
    queries, written = run_in_terminal(DETECT, lambda q: answer, {"TERM": "xterm-256color"})
    assert probe.QUERY in queries
    result, elapsed, restored, left = result_line(written)
    assert result == expected
    assert restored == "True" and left == "False"
    assert float(elapsed) < probe.TIMEOUT + 1.0  # the question only, with slack for load
    # Never echoed to the screen (an echo would show it, as ^[[?62;4;22c).
    assert b"?62;" not in written


@pytest.mark.slow
def test_a_dumb_terminal_is_not_asked() -> None:
    queries, written = run_in_terminal(DETECT, lambda q: b"\x1b[?62;4c", {"TERM": "dumb"})
    assert queries == b"" and b"\x1b[c" not in written
    assert result_line(written)[0] == "None"


@pytest.mark.slow
def test_preview_in_a_sixel_terminal_is_a_sixel_image_as_wide_as_the_terminal() -> None:
    body = CLI.format(spec=EXAMPLES["lenet"])
    queries, written = run_in_terminal(body, lambda q: b"\x1b[?62;4;22c", {"TERM": "xterm"})
    output = written.decode("utf-8", "replace")
    start = output.index("\x1bP0;1q")
    image = decode(output[start : output.index("\x1b\\", start) + 2])
    assert image.size is not None and 990 <= image.size[0] <= 1000  # the pty's 1000 px
    assert "█" not in output  # the image, not the Unicode rendering
    assert result_line(written)[2:] == ["True", "False"]


@pytest.mark.slow
def test_preview_in_a_terminal_that_shows_no_images_is_unicode() -> None:
    body = CLI.format(spec=SMALL)
    queries, written = run_in_terminal(body, lambda q: b"\x1b[?62;22c", {"TERM": "xterm"})
    output = written.replace(queries, b"").decode("utf-8")
    assert "█" in output and "1@28×28" in output and "Max-Pool" in output
    assert "\x1b" not in output  # after the query, not one escape
    assert result_line(written)[2:] == ["True", "False"]


def test_the_playground_offers_no_terminal_preview() -> None:
    # The page shows the SVG; a preview would be written to the server's terminal, and
    # asking that terminal what it shows would read the keyboard of whoever started it.
    from shapecalc.serve import api

    offered = {option["name"] for option in api.draw_options()}
    assert "style" in offered and not {"preview", "preview_mode"} & offered
    with pytest.raises(api.RequestError, match="preview"):
        api.answer("/api/draw", {"spec": SMALL, "options": {"preview": True}})
