// shapecalc playground: sends the spec to the local server's JSON API as you type and shows
// the table, the drawing, the worked arithmetic and the solutions. Plain JavaScript, no build.
// Every text from the spec or the server reaches the page through textContent (never as
// markup); the drawing is shown as an <img>, where an SVG can run no script.
"use strict";

const $ = (id) => document.getElementById(id);
/** Milliseconds between the last keystroke and the request. */
const DEBOUNCE_MS = 10;
/** Keys of the URL fragment for the fields of the page (drawing options are "d." + name). */
const FIELDS = ["spec", "at", "costs", "batch", "dtype", "macs", "depth",
  "solve-out", "solve-params", "solve-layer", "solve-range"];

/** Per channel (analyze, draw, solve): the number of the latest request, and its abort. */
const latest = {};
const aborts = {};
/** What the page measured: one entry per table shown (the browser test reads it). */
window.shapecalcTimings = [];
let drawOptions = [];
let typedAt = performance.now();

/** POST a JSON body; the answer, or null when a newer request of the channel replaced it. */
async function post(channel, path, body) {
  if (aborts[channel]) aborts[channel].abort();
  const abort = new AbortController();
  aborts[channel] = abort;
  const number = (latest[channel] || 0) + 1;
  latest[channel] = number;
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: abort.signal,
    });
    const answer = await response.json();
    return number === latest[channel] ? answer : null; // a stale answer is dropped
  } catch (error) {
    if (error.name === "AbortError") return null;
    throw error;
  }
}

function value(id) {
  const element = $(id);
  return element.type === "checkbox" ? element.checked : element.value;
}

function wholeOrNull(text) {
  return /^[0-9]+$/.test(text.trim()) ? Number(text) : null;
}

/** The fields every endpoint reads. */
function common() {
  return {
    spec: value("spec"),
    at: value("at"),
    costs: value("costs"),
    batch: wholeOrNull(value("batch")) || 1,
    dtype: value("dtype"),
    macs: value("macs"),
    depth: wholeOrNull(value("depth")),
  };
}

/** The drawing options that differ from shapecalc draw's defaults. */
function drawingOptions() {
  const options = {};
  for (const option of drawOptions) {
    const element = $("d-" + option.name);
    if (option.kind === "flag" || option.kind === "toggle") {
      if (element.checked !== option.default) options[option.name] = element.checked;
    } else if (element.value !== "" && element.value !== String(option.default ?? "")) {
      options[option.name] = option.kind === "int" || option.kind === "float"
        ? Number(element.value) : element.value;
    }
  }
  return options;
}

function element(tag, text, className) {
  const made = document.createElement(tag);
  if (text !== undefined) made.textContent = text;
  if (className) made.className = className;
  return made;
}

function showError(box, error) {
  box.hidden = !error;
  box.textContent = error ? error.text : "";
}

// ---------------------------------------------------------------------------------------------
// The editor's mark: a <pre> behind the transparent textarea holds the same text, with the
// offending characters in a <mark>.

function markSpan(span) {
  const text = value("spec");
  const highlight = $("highlight");
  $("spec").setAttribute("aria-invalid", span ? "true" : "false");
  if (!span) {
    highlight.textContent = text;
    return;
  }
  const [start, end] = span;
  const marked = element("mark", text.slice(start, Math.max(end, start + 1)) || " ");
  highlight.replaceChildren(text.slice(0, start), marked, text.slice(Math.max(end, start + 1)) + "\n");
  highlight.scrollTop = $("spec").scrollTop;
}

// ---------------------------------------------------------------------------------------------
// The table, the constraints, the working

function showTable(answer) {
  const { headers, right, rows, summary } = answer.table;
  const table = element("table");
  const head = table.createTHead().insertRow();
  headers.forEach((header, i) => {
    const cell = element("th", header, right[i] ? "num" : "");
    cell.scope = "col";
    head.appendChild(cell);
  });
  const body = table.createTBody();
  for (const row of rows) {
    const line = body.insertRow();
    row.forEach((text, i) => {
      line.appendChild(element("td", text, right[i] ? "num" : i === 1 ? "layer" : ""));
    });
  }
  $("table").replaceChildren(table);
  const list = $("summary");
  list.replaceChildren();
  for (const [label, text] of summary) list.append(element("dt", label), element("dd", text));
  $("constraints").textContent = answer.constraints.length
    ? "Valid when: " + answer.constraints.join(", ") : "";
}

function typeset(latex, into) {
  if (window.katex) {
    window.katex.render(latex, into, { throwOnError: false, strict: "ignore" });
  } else {
    into.textContent = latex;
  }
}

function showWorking(layers) {
  const list = $("working");
  const items = layers.map((layer) => {
    const item = element("li");
    item.value = layer.index;
    item.appendChild(element("span", layer.spec, "spec"));
    const shapes = element("span", undefined, "shapes");
    typeset(layer.shapes, shapes);
    item.appendChild(shapes);
    if (!layer.steps.length) item.appendChild(element("div", "shape kept, no parameters", "none"));
    for (const step of layer.steps) {
      const line = element("div", undefined, "step");
      line.title = step.text;
      typeset(step.quantity + " = " + step.latex, line);
      item.appendChild(line);
    }
    return item;
  });
  list.replaceChildren(...items);
}

async function analyze() {
  const started = typedAt;
  const sent = performance.now();
  const answer = await post("analyze", "/api/analyze", common());
  const received = performance.now();
  if (!answer) return;
  const error = answer.ok ? null : answer.error;
  showError($("error"), error);
  markSpan(error && error.span);
  $("at").setAttribute("aria-invalid", error && error.field === "at" ? "true" : "false");
  $("table-section").classList.toggle("stale", !answer.ok);
  if (!answer.ok) {
    $("status").textContent = "error";
    return;
  }
  showTable(answer);
  const shown = performance.now();
  window.shapecalcTimings.push({
    fromKey: shown - started, // the keystroke (its input event) to the table on the page
    fromRequest: shown - sent, // the request sent to the table on the page
    answer: received - sent, // the request sent to its answer read (JSON parsed)
    render: shown - received, // building the table
    server: answer.ms, // the server's own time (the analysis and the table's cells)
  });
  $("status").textContent = `table in ${Math.round(shown - sent)} ms (server ${Math.round(answer.ms)} ms)`;
}

async function explain() {
  const answer = await post("explain", "/api/explain", common());
  if (answer && answer.ok) showWorking(answer.working);
}

// ---------------------------------------------------------------------------------------------
// The drawing

let drawingUrl = null;

async function draw() {
  const answer = await post("draw", "/api/draw", { ...common(), options: drawingOptions() });
  if (!answer) return;
  showError($("drawing-error"), answer.ok ? null : answer.error);
  if (!answer.ok) return;
  if (drawingUrl) URL.revokeObjectURL(drawingUrl);
  drawingUrl = URL.createObjectURL(new Blob([answer.svg], { type: "image/svg+xml" }));
  const image = $("drawing-img");
  image.src = drawingUrl;
  image.dataset.bytes = String(answer.svg.length);
}

function optionControl(option) {
  const label = element("label", option.flag.replace(/^--/, "") + " ");
  label.title = option.help;
  let control;
  if (option.kind === "choice") {
    control = element("select");
    if (option.default === null) control.appendChild(element("option", "(default)")).value = "";
    for (const choice of option.choices) control.appendChild(element("option", choice)).value = choice;
    control.value = option.default ?? "";
  } else if (option.kind === "flag" || option.kind === "toggle") {
    control = element("input");
    control.type = "checkbox";
    control.checked = option.default;
    label.prepend(control);
  } else {
    control = element("input");
    control.type = option.kind === "text" ? "text" : "number";
    if (option.kind === "float") control.step = "any";
    if (option.min !== undefined && option.min !== null) control.min = option.min;
    if (option.max !== undefined && option.max !== null) control.max = option.max;
    control.value = option.default ?? "";
    control.placeholder = option.default === null ? "default" : "";
  }
  control.id = "d-" + option.name;
  control.addEventListener(control.type === "checkbox" || control.tagName === "SELECT" ? "change" : "input", changed);
  if (control.type !== "checkbox") label.appendChild(control);
  return label;
}

// ---------------------------------------------------------------------------------------------
// Solve

async function solve() {
  const out = value("solve-out").trim();
  const params = value("solve-params").trim();
  if (!out && !params) {
    $("solutions").replaceChildren();
    showError($("solve-error"), null);
    return;
  }
  const answer = await post("solve", "/api/solve", {
    ...common(),
    out: out ? [out] : [],
    params: params ? [params] : [],
    layer: wholeOrNull(value("solve-layer")),
    range: value("solve-range"),
  });
  if (!answer) return;
  showError($("solve-error"), answer.ok ? null : answer.error);
  if (!answer.ok) {
    $("solutions").replaceChildren();
    return;
  }
  const box = $("solutions");
  const parts = [element("p", `${answer.count}${answer.count_exact ? "" : "+"} solution(s) for ${answer.targets.join("; ")}`)];
  // Validity conditions solved as equations too (a reshape's element counts, a res block's paths)
  if (answer.conditions.length) parts.push(element("p", `requires ${answer.conditions.join("; ")}`));
  if (answer.solutions.length) {
    const table = element("table");
    const head = table.createTHead().insertRow();
    for (const name of answer.unknowns) head.appendChild(element("th", name));
    const body = table.createTBody();
    for (const solution of answer.solutions) {
      const row = body.insertRow();
      for (const name of answer.unknowns) row.appendChild(element("td", String(solution[name]), "num"));
    }
    parts.push(table);
  }
  for (const near of answer.nearest) {
    const values = Object.entries(near.values).map(([k, v]) => `${k}=${v}`).join(", ");
    parts.push(element("p", `nearest: ${values} gives ${near.gives}`));
  }
  box.replaceChildren(...parts);
}

// ---------------------------------------------------------------------------------------------
// Downloads

async function download(format) {
  const response = await fetch("/api/export", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...common(), options: drawingOptions(), format }),
  });
  if (!response.ok) {
    const answer = await response.json();
    $("status").textContent = `${format}: ${answer.error.message}`;
    return;
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  const link = element("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name ? name[1] : "network";
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

// ---------------------------------------------------------------------------------------------
// The URL fragment: every field, so that a link reproduces the view.

function saveFragment() {
  const params = new URLSearchParams();
  for (const id of FIELDS) {
    const current = value(id);
    if (current !== "" && current !== false) params.set(id, String(current));
  }
  for (const [name, option] of Object.entries(drawingOptions())) params.set("d." + name, String(option));
  history.replaceState(null, "", "#" + params.toString());
}

function loadFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  for (const id of FIELDS) {
    const element = $(id);
    const given = params.get(id);
    if (element.type === "checkbox") element.checked = given === "true";
    else if (given !== null) element.value = given;
    else if (id !== "dtype" && id !== "macs" && id !== "batch") element.value = "";
  }
  for (const option of drawOptions) {
    const control = $("d-" + option.name);
    const given = params.get("d." + option.name);
    if (option.kind === "flag" || option.kind === "toggle") {
      control.checked = given === null ? option.default : given === "true";
    } else {
      control.value = given ?? (option.default ?? "");
    }
  }
}

// ---------------------------------------------------------------------------------------------

let timer = null;

function update() {
  // The table first: the drawing, the working and the solver would share the server's time.
  const table = analyze();
  saveFragment(); // after the request is sent: replaceState takes some milliseconds
  table.then(() => Promise.all([draw(), explain()])).then(solve);
}

function changed() {
  typedAt = performance.now();
  clearTimeout(timer);
  timer = setTimeout(update, DEBOUNCE_MS);
}

async function start() {
  const [examples, options] = await Promise.all([
    fetch("/api/examples").then((r) => r.json()),
    fetch("/api/draw-options").then((r) => r.json()),
  ]);
  drawOptions = options;
  $("draw-options").replaceChildren(...options.map(optionControl));
  const menu = $("examples");
  for (const example of examples) menu.appendChild(element("option", example.name)).value = example.spec;
  menu.addEventListener("change", () => {
    if (menu.value) {
      $("spec").value = menu.value;
      changed();
    }
  });
  for (const id of FIELDS) {
    const control = $(id);
    control.addEventListener(control.tagName === "SELECT" || control.type === "checkbox" ? "change" : "input", changed);
  }
  $("spec").addEventListener("scroll", () => { $("highlight").scrollTop = $("spec").scrollTop; });
  for (const button of document.querySelectorAll("#downloads button")) {
    button.addEventListener("click", () => download(button.dataset.format));
  }
  for (const form of document.querySelectorAll("form")) form.addEventListener("submit", (e) => e.preventDefault());
  window.addEventListener("hashchange", () => { loadFragment(); update(); });
  loadFragment();
  if (!value("spec")) $("spec").value = examples.length ? "28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10" : "";
  update();
  document.body.dataset.ready = "true";
}

start();
