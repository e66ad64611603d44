"""A real browser lays out every drawing: nothing may stick out of the viewBox, no two
labels may overlap, every connector between wrapped rows starts on the tensor it leaves and
ends on the tensor it enters, and the drawings fitted to 16:9 have that ratio with labels at
least 1/60 of their height, measured with the browser's own getBBox() and computed fonts.

Debian's chromium (which .ci/run installs) loads one HTML page holding every drawing
file in an iframe; a script writes each element's box as JSON into the page, and
``--dump-dom`` hands the page back. Without chromium the test is skipped, except in CI, where it fails.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess

import pytest
from chromium import HEADLESS_FLAGS

from shapecalc import analyze

from .cases import DRAWINGS, FITS

#: Starts chromium.
pytestmark = pytest.mark.slow

MEASURE = """
<script>
window.addEventListener("load", () => {
  const out = {};
  for (const frame of document.querySelectorAll("iframe")) {
    const svg = frame.contentDocument.documentElement;
    const view = svg.viewBox.baseVal;
    const items = [];
    for (const el of svg.querySelectorAll("rect, polygon, line, circle, text")) {
      if (el.classList.contains("background")) continue;
      const b = el.getBBox();
      const item = {tag: el.tagName, cls: el.getAttribute("class") || "",
                    text: el.tagName === "text" ? el.textContent : "",
                    x: b.x, y: b.y, w: b.width, h: b.height};
      if (el.tagName === "text") {
        item.font = parseFloat(frame.contentWindow.getComputedStyle(el).fontSize);
      }
      items.push(item);
    }
    // Each tensor's shape (maps, vector, box, nodes), and each connector's ends.
    const shapes = {};
    for (const g of svg.querySelectorAll("g[id^=layer-]")) {
      const parts = [...g.children].filter(c =>
        ["map", "vector", "box", "node"].includes(c.getAttribute("class")));
      if (!parts.length) continue;
      const boxes = parts.map(c => c.getBBox());
      shapes[g.id] = [Math.min(...boxes.map(b => b.x)), Math.min(...boxes.map(b => b.y)),
                      Math.max(...boxes.map(b => b.x + b.width)),
                      Math.max(...boxes.map(b => b.y + b.height))];
    }
    const wraps = [];
    for (const g of svg.querySelectorAll("g.wrap")) {
      const lines = [...g.querySelectorAll("line")];
      const head = g.querySelector("polygon").getBBox();
      wraps.push({id: g.id, start: [lines[0].x1.baseVal.value, lines[0].y1.baseVal.value],
                  tip: [head.x + head.width, head.y + head.height / 2]});
    }
    // The merge symbols' circles, each joining line's ends, and the connectors' segments.
    for (const g of svg.querySelectorAll("g[id^=merge-]")) {
      const b = g.querySelector("circle").getBBox();
      shapes[g.id] = [b.x, b.y, b.x + b.width, b.y + b.height];
    }
    const links = [];
    for (const g of svg.querySelectorAll("g.link")) {
      const lines = [...g.querySelectorAll("line")];
      const last = lines[lines.length - 1];
      links.push({id: g.id, start: [lines[0].x1.baseVal.value, lines[0].y1.baseVal.value],
                  end: [last.x2.baseVal.value, last.y2.baseVal.value]});
    }
    const segments = [];
    for (const line of svg.querySelectorAll("g.wrap line")) {
      segments.push([line.x1.baseVal.value, line.y1.baseVal.value,
                     line.x2.baseVal.value, line.y2.baseVal.value]);
    }
    out[frame.id] = {root: svg.namespaceURI + " " + svg.localName,
                     view: [view.x, view.y, view.width, view.height], items: items,
                     shapes: shapes, wraps: wraps, links: links, segments: segments};
  }
  const pre = document.createElement("pre");
  pre.id = "result";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""

#: Browsers measure text to sub-pixel precision; allow this much in px.
TOLERANCE = 0.5


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("chromium is missing in CI; .ci/run installs it with apt-get")
    pytest.skip("no chromium on this machine (.ci/run installs it: apt-get install chromium)")


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    browser = _chromium()
    work = tmp_path_factory.mktemp("browser")
    # Each drawing is loaded as the standalone file it is (parsed as XML, not as HTML).
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"]
    for name, (spec, options) in DRAWINGS.items():
        (work / f"{name}.svg").write_text(analyze(spec).to_svg(**options), encoding="utf-8")
        parts.append(f"<iframe id='{name}' src='{name}.svg'></iframe>")
    parts.append(MEASURE + "</body></html>")
    page = work / "drawings.html"
    page.write_text("".join(parts), encoding="utf-8")
    command = [
        browser,
        *HEADLESS_FLAGS,
        "--disable-quic",
        "--allow-file-access-from-files",  # the page reads the drawings in its iframes
        "--virtual-time-budget=30000",  # let the load handler finish before the dump
        f"--user-data-dir={work / 'profile'}",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    found = re.search(r'<pre id="result">(.*?)</pre>', done.stdout, re.S)
    assert found, f"chromium printed no measurements: {done.stderr[-2000:]}"
    result: dict[str, dict] = json.loads(html.unescape(found.group(1)))
    return result


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_everything_lies_inside_the_viewbox(layout: dict[str, dict], name: str) -> None:
    assert layout[name]["root"] == "http://www.w3.org/2000/svg svg"  # an SVG document
    x, y, w, h = layout[name]["view"]
    items = layout[name]["items"]
    assert len(items) >= 3  # at least a shape, its label and the legend
    outside = [
        item
        for item in items
        if item["x"] < x - TOLERANCE
        or item["y"] < y - TOLERANCE
        or item["x"] + item["w"] > x + w + TOLERANCE
        or item["y"] + item["h"] > y + h + TOLERANCE
    ]
    assert outside == []
    # ... with a margin: the drawing does not touch the edge.
    assert min(item["x"] for item in items) >= x + 8
    assert max(item["x"] + item["w"] for item in items) <= x + w - 8


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] + TOLERANCE < b["x"] + b["w"]
        and b["x"] + TOLERANCE < a["x"] + a["w"]
        and a["y"] + TOLERANCE < b["y"] + b["h"]
        and b["y"] + TOLERANCE < a["y"] + a["h"]
    )


@pytest.mark.parametrize("name", sorted(DRAWINGS))
def test_no_two_labels_overlap(layout: dict[str, dict], name: str) -> None:
    texts = [item for item in layout[name]["items"] if item["tag"] == "text"]
    assert texts, "every drawing here has labels"
    assert all(t["w"] > 0 and t["h"] > 0 for t in texts), "the browser drew every label"
    clashes = [
        (a["text"], b["text"])
        for i, a in enumerate(texts)
        for b in texts[i + 1 :]
        if _overlap(a, b)
    ]
    assert clashes == []


def test_the_title_is_text_not_markup(layout: dict[str, dict]) -> None:
    texts = [i["text"] for i in layout["keras_mnist_lenet_options"]["items"] if i["tag"] == "text"]
    assert "<script>alert('x')</script> & \"quotes\"" in texts


def _on_edge(point: list[float], box: list[float], side: int) -> bool:
    """``point`` lies on side 0 (left) or 2 (right) of ``box``, within its height."""
    x, y = point
    return abs(x - box[side]) <= TOLERANCE and box[1] - TOLERANCE <= y <= box[3] + TOLERANCE


WRAPPED = sorted(DRAWINGS)


@pytest.mark.parametrize("name", WRAPPED)
def test_connectors_leave_and_enter_the_tensors_they_join(
    layout: dict[str, dict], name: str
) -> None:
    drawing = layout[name]
    for wrap in drawing["wraps"]:
        start, end = wrap["id"].removeprefix("wrap-").split("-layer-")
        # Out of the right side of the row's last tensor, into the left side of the next
        # row's first, with the arrow's tip on it.
        assert _on_edge(wrap["start"], drawing["shapes"][start], 2), wrap
        assert _on_edge(wrap["tip"], drawing["shapes"]["layer-" + end], 0), wrap


def _on_border(point: list[float], box: list[float]) -> bool:
    """``point`` lies on the border of ``box`` (any side)."""
    x, y = point
    inside = (
        box[0] - TOLERANCE <= x <= box[2] + TOLERANCE
        and box[1] - TOLERANCE <= y <= box[3] + TOLERANCE
    )
    near = min(abs(x - box[0]), abs(x - box[2]), abs(y - box[1]), abs(y - box[3]))
    return inside and near <= TOLERANCE


def _on_segment(point: list[float], segment: list[float]) -> bool:
    x, y = point
    x1, y1, x2, y2 = segment
    return (
        min(x1, x2) - TOLERANCE <= x <= max(x1, x2) + TOLERANCE
        and min(y1, y2) - TOLERANCE <= y <= max(y1, y2) + TOLERANCE
        and abs((x2 - x1) * (y - y1) - (y2 - y1) * (x - x1))
        <= TOLERANCE * max(abs(x2 - x1), abs(y2 - y1), 1.0)
    )


_LINK = re.compile(r"link-(entry|(?:layer|merge)-\d+)-((?:layer|merge)-\d+)")
LANED = sorted(name for name in DRAWINGS if name.startswith(("lanes_", "u_", "fit_unet")))


def test_the_lane_drawings_have_lines() -> None:
    assert len(LANED) >= 15  # tests/drawings/cases.py: LANES, and the fitted U-Nets


@pytest.mark.parametrize("name", LANED)
def test_every_line_starts_and_ends_on_what_it_joins(layout: dict[str, dict], name: str) -> None:
    drawing = layout[name]
    assert drawing["links"], "each of these drawings has paths side by side"
    for link in drawing["links"]:
        found = _LINK.fullmatch(link["id"])
        assert found, link
        start, end = found.groups()
        # From a tensor's shape or a merge symbol's circle (or, in a row that begins with a
        # block, from the connector that brings the row's input) to a shape or a circle.
        if start == "entry":
            assert any(_on_segment(link["start"], s) for s in drawing["segments"]), link
        else:
            assert _on_border(link["start"], drawing["shapes"][start]), link
        assert _on_border(link["end"], drawing["shapes"][end]), link


SLIDES = sorted(
    name
    for name, (_, options) in FITS.items()
    if options.get("fit") == "16:9" and "mlp" not in name and "unet" not in name
)
#: The U-Net's U is never wrapped (see the test below).
U_SLIDES = sorted(n for n, (_, o) in FITS.items() if o.get("fit") == "16:9" and "unet" in n)


def test_the_fitted_networks_are_the_proofs() -> None:
    # VGG-16, ResNet-50, DenseNet-121 and the U-Net, each in both spatial styles.
    fitted = {name.split("_")[1] for name in [*SLIDES, *U_SLIDES]}
    assert fitted == {"vgg16", "resnet50", "densenet121", "unet"}


@pytest.mark.parametrize("name", [*SLIDES, *U_SLIDES])
def test_fitted_to_16_9_with_labels_a_sixtieth_of_the_height(
    layout: dict[str, dict], name: str
) -> None:
    """Each network longer than a slide wraps onto rows; the U-Net's U is kept rather than
    wrapped: it steps down and up as the paper draws it (each level's first tensor straight
    under its input, each concat straight over the level's last tensor), which makes it
    compact enough for 1/60."""
    drawing = layout[name]
    _, _, width, height = drawing["view"]
    assert abs(width / height - 16 / 9) <= 0.1 * 16 / 9
    fonts = [item["font"] for item in drawing["items"] if item["tag"] == "text"]
    assert min(fonts) >= height / 60
    if name in U_SLIDES:
        assert drawing["wraps"] == []
    else:
        assert drawing["wraps"], "each of these networks is longer than one row"


@pytest.mark.parametrize("name", LANED)
def test_no_line_between_lanes_crosses_a_label(layout: dict[str, dict], name: str) -> None:
    # The lines are horizontal or vertical, so their boxes are the lines themselves.
    items = layout[name]["items"]
    lines = [i for i in items if i["tag"] == "line" and i["cls"] == "link"]
    texts = [i for i in items if i["tag"] == "text"]
    assert lines
    crossed = [
        (t["text"], line)
        for line in lines
        for t in texts
        if line["x"] + TOLERANCE < t["x"] + t["w"]
        and t["x"] + TOLERANCE < line["x"] + line["w"]
        and line["y"] + TOLERANCE < t["y"] + t["h"]
        and t["y"] + TOLERANCE < line["y"] + line["h"]
    ]
    assert crossed == []
