"""How fast the playground answers: the server's JSON API over HTTP, and (with chromium and
playwright) a keystroke in the page until its table is shown. Prints figures; asserts nothing.

    python benchmarks/serve.py [--runs 15] [--no-browser]

The goals (issue 19, section 3): a keystroke on VGG-16 shows the new table in under 100 ms;
a symbolic spec of 50 layers in under 500 ms, from the keystroke (its input event, the 10 ms
debounce included) to the table on the page, as the page measures it. This is where the goals
are measured: that span includes the HTTP round trip and the scheduling of the browser and of
the server's thread, which vary with the machine's load, so tests/serve/test_browser.py holds
only the work (the server's own time plus the page's time to build the table) to the goal
and the whole span to a looser sanity bound. Each keystroke is a new spec (one more digit in
the last layer, or one more layer), so no answer comes from a cache of the same text.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from shapecalc.serve import make_server, serve_in_thread
from shapecalc.serve.api import warm_up

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from chromium import CHROMIUM, HEADLESS_FLAGS  # noqa: E402 - the tests' one copy of the flags

VGG = (ROOT / "examples" / "vgg16.shape").read_text().rstrip()
#: 50 layers, symbolic input size and channels.
SYMBOLIC_50 = "hxwx3 | " + " | ".join(
    ["conv3x3x{c} same", "relu", "conv3x3x{c} same", "relu", "maxpool2"] * 10
)
GOALS = {"VGG-16": 100.0, "50 symbolic layers": 500.0}


def _post(
    connection: http.client.HTTPConnection, host: str, path: str, body: dict[str, Any]
) -> float:
    started = time.perf_counter()
    connection.request(
        "POST", path, json.dumps(body), {"Host": host, "Content-Type": "application/json"}
    )
    answer = json.loads(connection.getresponse().read())
    assert answer["ok"], answer
    return (time.perf_counter() - started) * 1000


def _keystrokes(base: str, runs: int) -> list[str]:
    """``runs`` specs, each a few keystrokes from the one before and none the same: the
    last dense layer's units with a number appended (dense10001, dense10002, ...; one more
    digit each time would pass the 10**18 limit of a number after 15 runs)."""
    if base.endswith("dense1000"):
        return [f"{base}{i + 1}" for i in range(runs)]
    return [base + " | relu" * (i + 1) for i in range(runs)]


def http_figures(runs: int) -> None:
    """Median milliseconds of each endpoint over HTTP (one kept-alive connection, as a page)."""
    server = make_server()
    serve_in_thread(server)
    host = f"127.0.0.1:{server.port}"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    cold = _post(connection, host, "/api/analyze", {"spec": SYMBOLIC_50.replace("{c}", "{d}")})
    print(f"first symbolic analysis of the process (before warm-up): {cold:.0f} ms")
    warm_up()
    for name, spec in (("VGG-16", VGG), ("50 symbolic layers", SYMBOLIC_50)):
        for path in ("/api/analyze", "/api/explain", "/api/draw"):
            # A drawing needs sizes: 1024 halves ten times, once per maxpool2.
            at = {"at": "h=1024,w=1024,c=16"} if path == "/api/draw" and "{" in spec else {}
            times = [
                _post(connection, host, path, {"spec": s, **at}) for s in _keystrokes(spec, runs)
            ]
            goal = (
                f"  (goal for the table: < {GOALS[name]:.0f} ms)" if path == "/api/analyze" else ""
            )
            print(
                f"{name:20} {path:14} median {statistics.median(times):7.1f} ms, max {max(times):7.1f} ms{goal}"
            )
    connection.close()
    server.shutdown()


def browser_figures(runs: int) -> None:
    """A keystroke in the page until its table is on the page (the page's own measurements)."""
    from playwright.sync_api import sync_playwright

    server = make_server()
    serve_in_thread(server)
    warm_up()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=HEADLESS_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(server.url)
        page.wait_for_selector("body[data-ready=true]")
        for name, spec, key in (("VGG-16", VGG, "1"), ("50 symbolic layers", SYMBOLIC_50, " ")):
            page.fill("#spec", spec)
            page.wait_for_timeout(1500)
            timings = []
            for _ in range(runs):
                count = page.evaluate("window.shapecalcTimings.length")
                page.focus("#spec")
                page.keyboard.press("Control+End")
                page.keyboard.type(key)
                # The drawing and working too. Waited by Playwright before polling: a poll
                # from here meanwhile would hold this process's GIL against the server's
                # thread. Polled, not wait_for_function: its eval is refused by the page's CSP.
                page.wait_for_timeout(300 if name == "VGG-16" else 1500)
                while page.evaluate("window.shapecalcTimings.length") <= count:
                    time.sleep(0.01)
                timings.append(page.evaluate("window.shapecalcTimings.at(-1)"))
            key_ms = statistics.median(t["fromKey"] for t in timings)
            request_ms = statistics.median(t["fromRequest"] for t in timings)
            server_ms = statistics.median(t["server"] for t in timings)
            work_ms = statistics.median(t["server"] + t["render"] for t in timings)
            spans = sorted(round(t["fromKey"]) for t in timings)
            verdict = "met" if key_ms < GOALS[name] else "MISSED"
            print(
                f"browser {name:20} keystroke -> table median {key_ms:6.1f} ms, "
                f"{spans[0]} to {spans[-1]} (request -> table {request_ms:.1f} ms, "
                f"server {server_ms:.1f} ms, server + page {work_ms:.1f} ms); "
                f"goal < {GOALS[name]:.0f} ms {verdict}"
            )
        browser.close()
    server.shutdown()


def main() -> None:
    """Print the HTTP figures, then the browser's."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-browser", action="store_true")
    arguments = parser.parse_args()
    http_figures(arguments.runs)
    if not arguments.no_browser:
        browser_figures(max(5, arguments.runs // 2))


if __name__ == "__main__":
    main()
