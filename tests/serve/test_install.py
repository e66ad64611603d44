"""The playground as a user installs it: from a wheel (not the editable checkout), its page,
KaTeX and the examples are there and served; and the calculator never imports it."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds a wheel and starts Python

ROOT = Path(__file__).resolve().parents[2]

FETCH_EVERYTHING = """
import json, re, sys, urllib.request
import shapecalc
from shapecalc.serve import make_server, serve_in_thread
server = make_server()
serve_in_thread(server)
def get(path):
    with urllib.request.urlopen(server.url.rstrip("/") + path, timeout=30) as reply:
        return reply.read()
page = get("/").decode()
assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
css = get("/static/katex/katex.min.css").decode()
fonts = sorted(set(re.findall(r"url\\((fonts/[^)]+\\.woff2)\\)", css)))
sizes = {path: len(get(path)) for path in assets + ["/static/katex/" + f for f in fonts]}
print(json.dumps({
    "file": shapecalc.__file__,
    "assets": assets,
    "sizes": sizes,
    "examples": [e["name"] for e in json.loads(get("/api/examples"))],
}))
server.shutdown()
"""


def test_a_wheel_install_serves_the_page_katex_and_the_examples(tmp_path: Path) -> None:
    isolation = [] if importlib.util.find_spec("setuptools") is None else ["--no-build-isolation"]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            *isolation,
            "-w",
            str(tmp_path / "wheel"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "wheel").glob("shapecalc*.whl")
    target = tmp_path / "installed"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [sys.executable, "-c", FETCH_EVERYTHING],
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout.splitlines()[-1])
    assert Path(found["file"]).is_relative_to(target), found["file"]  # not the checkout
    assert {"/static/app.js", "/static/app.css", "/static/katex/katex.min.js"} <= set(
        found["assets"]
    )
    assert all(size > 0 for size in found["sizes"].values()), found["sizes"]
    assert len(found["sizes"]) > 20  # the page's assets and KaTeX's fonts
    assert sorted(found["examples"]) == sorted(p.stem for p in (ROOT / "examples").glob("*.shape"))


CALCULATOR = """
import sys
from shapecalc.cli import main
sys.argv = ["shapecalc", *{args!r}]
try:
    main()
except SystemExit:
    pass
print("IMPORTED", *sorted(m for m in ("shapecalc.serve", "http.server", "socketserver") if m in sys.modules))
"""


@pytest.mark.parametrize(
    "args", [["28x28x1 | conv3x3x4"], ["nxnx1 | relu", "--json"], ["serve", "--help"]]
)
def test_the_calculator_never_imports_the_server(args: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-c", CALCULATOR.format(args=args)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("IMPORTED"))
    assert line == "IMPORTED", line


def test_serve_prints_its_address_and_answers(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "shapecalc", "serve", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("shapecalc playground at http://127.0.0.1:"), line
        url = line.split(" at ")[1].split()[0]
        import urllib.request

        with urllib.request.urlopen(url, timeout=30) as reply:
            assert b"shapecalc playground" in reply.read()
    finally:
        process.terminate()
        process.wait(30)


def test_a_host_other_than_loopback_is_warned_about() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "shapecalc", "serve", "--no-browser", "--host", "0.0.0.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        warning = process.stderr.readline()
        assert warning.startswith("warning: listening on 0.0.0.0: anyone who can reach"), warning
    finally:
        process.terminate()
        process.wait(30)
