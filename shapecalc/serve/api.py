"""The JSON API of ``shapecalc serve``: one function per endpoint, a request's JSON object in,
a JSON-ready answer out (docs/serve.md documents each).

Every answer is made by the same library calls as the command line, so the page shows what
the terminal shows: :func:`shapecalc.analyze`, the table cells of
:func:`shapecalc.render.common.table_data`, the worked arithmetic, :func:`shapecalc.solve.solve`,
and for the drawing the ``draw`` command itself (its options are read from the command, so an
option added to ``shapecalc draw`` appears in the page without a change here). Nothing from a
request is evaluated: the spec goes to the parser, every other field is checked for its type
and converted by the command line's own parameter types.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..cli.spec import MAX_SPEC_BYTES
from ..errors import ShapecalcError, SpecError, SubstitutionError

#: Drawing options the page does not offer: the spec, where to write, the ``--at`` values
#: (the page has one field for those, shared by every view), and the terminal preview (the
#: page shows the SVG; a preview would be written to the server's terminal, and asking that
#: terminal what it shows would take over the keyboard of whoever started the server).
NOT_DRAWING_OPTIONS = frozenset({"spec", "file", "output", "at", "preview", "preview_mode"})
#: Formats of ``POST /api/export``: their media type and file name ending.
EXPORTS = {
    "svg": ("image/svg+xml", "svg"),
    "png": ("image/png", "png"),
    "json": ("application/json", "json"),
    "markdown": ("text/markdown; charset=utf-8", "md"),
    "latex": ("application/x-latex; charset=utf-8", "tex"),
    "torch": ("text/x-python; charset=utf-8", "py"),
    "keras": ("text/x-python; charset=utf-8", "py"),
}
#: Longest list a request may hold (solve targets, ...): far more than a page sends.
MAX_ITEMS = 100
#: Characters read of a spec before its size in bytes is checked against the CLI's cap.
MAX_BODY_CHARACTERS = 4 * MAX_SPEC_BYTES
#: Longest string field other than the spec (``--at``, a target, a drawing option).
MAX_FIELD = 10_000


class RequestError(ValueError):
    """A request that is not of the endpoint's form (a missing or mistyped field)."""


class FieldError(click.BadParameter):
    """A field's value that the command line's type for it refuses; ``field`` is the
    request's field name (``at``, ``range``)."""

    def __init__(self, message: str, field: str) -> None:
        # Worded with the flag the field stands for: the page labels each field with it.
        super().__init__(message, param_hint=f"--{field}")
        self.field = field


@dataclass(frozen=True)
class Failure:
    """What went wrong, as the page shows it: the message, the text as the terminal prints it
    (with the caret), and where in the spec (``span``, None when the error is not at a place
    in the spec) or in which field (``field``: ``at``, ``solve``, ``draw``)."""

    message: str
    text: str
    span: tuple[int, int] | None = None
    field: str | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"message": ..., "text": ..., "span": [start, end] | null, "field": ...}``."""
        return {
            "message": self.message,
            "text": self.text,
            "span": list(self.span) if self.span is not None else None,
            "field": self.field,
        }


def failure(err: Exception, field: str | None = None) -> Failure:
    """A library or usage error as a :class:`Failure`, worded as the command line words it."""
    from ..cli.errors import library_error

    if isinstance(err, click.ClickException):
        text = err.format_message()
        if isinstance(err, FieldError):
            field = err.field
        return Failure(text.split("\n")[0], text, field=field)
    assert isinstance(err, ShapecalcError), err
    text = library_error(err).removeprefix("error: ")
    if isinstance(err, SpecError):
        return Failure(text.split("\n")[0], text, (err.span.start, err.span.end))
    if isinstance(err, SubstitutionError):
        field = "at"
    return Failure(text.split("\n")[0], text, field=field)


# ---------------------------------------------------------------------------------------------
# Reading a request


def _string(body: dict[str, Any], name: str, default: str = "", cap: int = MAX_FIELD) -> str:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise RequestError(f"{name!r} must be a string")
    if len(value) > cap:
        raise RequestError(f"{name!r} is longer than {cap:,} characters")
    return value


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise RequestError(f"{name!r} must be true or false")
    return value


def _strings(body: dict[str, Any], name: str) -> tuple[str, ...]:
    value = body.get(name, [])
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise RequestError(f"{name!r} must be a list of at most {MAX_ITEMS} strings")
    return tuple(_string({name: item}, name) for item in value)


def spec_of(body: dict[str, Any]) -> str:
    """The request's spec, at most as long as the command line reads (1 MB)."""
    spec = _string(body, "spec", cap=MAX_BODY_CHARACTERS)
    if len(spec.encode("utf-8")) > MAX_SPEC_BYTES:
        raise RequestError("the spec is larger than 1 MB; specs are at most 1 MB")
    return spec


def at_of(body: dict[str, Any]) -> dict[str, int]:
    """The ``at`` field (``"n=28,f=3"``, as ``--at`` takes it) converted by the command line's
    own type; empty for none."""
    from ..cli.types import Assignments

    text = _string(body, "at").strip()
    if not text:
        return {}
    try:
        return Assignments().convert(text, None, None)
    except click.BadParameter as err:
        raise FieldError(err.format_message(), "at") from None


def _analysed(body: dict[str, Any]) -> Any:
    from ..network import analyze

    return analyze(spec_of(body), **at_of(body))


def _costs(body: dict[str, Any], analysis: Any) -> Any:
    """The costs when the request asks for them (``costs``: true), at its batch, dtype and
    MACs convention (the command line's --batch, --dtype, --macs)."""
    if not _flag(body, "costs"):
        return None
    batch = body.get("batch", 1)
    if not isinstance(batch, int) or isinstance(batch, bool) or not 1 <= batch <= 10**9:
        raise RequestError("'batch' must be a whole number from 1 to 10**9")
    dtype = _string(body, "dtype", "float32") or "float32"
    convention = _string(body, "macs", "torch") or "torch"
    return analysis.costs(batch=batch, dtype=dtype, convention=convention)


def _depth(body: dict[str, Any]) -> int | None:
    depth = body.get("depth")
    if depth is None:
        return None
    if not isinstance(depth, int) or isinstance(depth, bool) or not 0 <= depth <= 1000:
        raise RequestError("'depth' must be a whole number from 0, or null")
    return depth


# ---------------------------------------------------------------------------------------------
# The endpoints


def analyze_endpoint(body: dict[str, Any]) -> dict[str, Any]:
    """``POST /api/analyze``: the table's cells, the validity conditions, and with
    ``document``: true the ``--json`` document (with the costs when asked for; the page leaves
    it out, as it costs time on every keystroke)."""
    from ..render.common import COST_COLUMNS, DEFAULT_COLUMNS, RIGHT_ALIGNED, table_data

    analysis = _analysed(body)
    costs = _costs(body, analysis)
    columns = COST_COLUMNS if costs is not None else DEFAULT_COLUMNS
    data = table_data(analysis, columns, costs, depth=_depth(body))
    answer: dict[str, Any] = {
        "table": {
            "headers": list(data.headers),
            "right": [header in RIGHT_ALIGNED for header in data.headers],
            "rows": [list(row) for row in data.rows],
            "summary": [list(line) for line in data.summary],
        },
        "constraints": [c.text for c in analysis.constraints],
        "symbols": list(analysis.symbols),
    }
    if _flag(body, "document"):
        answer["document"] = analysis.to_json(costs=costs)
    return answer


def explain_endpoint(body: dict[str, Any]) -> dict[str, Any]:
    """``POST /api/explain``: ``{"working": [...]}``, the worked arithmetic of every layer
    (:func:`working_json`); apart from the table, which it would slow down on a symbolic spec."""
    return {"working": working_json(_analysed(body))}


def working_json(analysis: Any) -> list[dict[str, Any]]:
    """Each layer's worked arithmetic as LaTeX (what ``--latex`` writes, one layer at a time):
    ``[{"index", "spec", "shapes", "steps": [{"quantity", "latex", "text"}]}]``."""
    from ..render.explain import latex_quantity, latex_shape

    layers = []
    for layer in analysis.explain().layers:
        shapes = f"{latex_shape(layer.input_shape)} \\to {latex_shape(layer.output_shape)}"
        steps = [
            {
                "quantity": latex_quantity(step.quantity),
                "latex": step.line("latex"),
                "text": f"{step.quantity}: {step.line('text')}",
            }
            for step in layer.steps
        ]
        layers.append({"index": layer.index, "spec": layer.spec, "shapes": shapes, "steps": steps})
    return layers


def default_of(param: click.Option) -> str | int | float | bool | None:
    """An option's default as JSON: a flag's is a boolean; None for no default (click 8.3
    marks that with a sentinel object, older releases with None)."""
    default = param.default
    if param.is_flag:
        return default is True
    return default if isinstance(default, (str, int, float)) else None


def draw_options() -> list[dict[str, Any]]:
    """``GET /api/draw-options``: the options of ``shapecalc draw`` as the page offers them,
    read from the command: name, flag, kind (``choice``, ``int``, ``float``, ``flag``,
    ``toggle``, ``text``), choices, default, bounds and help."""
    from ..cli.draw import draw

    options = []
    for param in draw.params:
        if not isinstance(param, click.Option) or param.name in NOT_DRAWING_OPTIONS:
            continue
        entry: dict[str, Any] = {
            "name": param.name,
            "flag": max(param.opts, key=len),
            "help": param.help or "",
            "default": default_of(param),
            "kind": "text",
        }
        kind = param.type
        if param.is_flag:
            entry["kind"] = "toggle" if param.secondary_opts else "flag"
        elif isinstance(kind, click.Choice):
            entry.update(kind="choice", choices=list(kind.choices))
        elif isinstance(kind, (click.IntRange, click.FloatRange)):
            is_int = isinstance(kind, click.IntRange)
            entry.update(kind="int" if is_int else "float", min=kind.min, max=kind.max)
        options.append(entry)
    return options


def _draw_arguments(body: dict[str, Any]) -> list[str]:
    """The ``shapecalc draw`` arguments of a request's ``options`` object: only the options
    the command has, each value a string, number or boolean."""
    from ..cli.draw import draw

    given = body.get("options", {})
    if not isinstance(given, dict):
        raise RequestError("'options' must be an object")
    params = {p.name: p for p in draw.params if isinstance(p, click.Option)}
    args: list[str] = []
    for name, value in given.items():
        param = params.get(name)
        if param is None or name in NOT_DRAWING_OPTIONS:
            raise RequestError(f"'options' has {name!r}, which is no option of shapecalc draw")
        if value is None or value == "":
            continue
        if param.is_flag:
            if not isinstance(value, bool):
                raise RequestError(f"option {name!r} must be true or false")
            if value != default_of(param) or param.secondary_opts:
                flags = param.opts if value else param.secondary_opts
                if flags:
                    args.append(flags[0])
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise RequestError(f"option {name!r} must be a string or a number")
        text = str(value)
        if len(text) > MAX_FIELD:
            raise RequestError(f"option {name!r} is longer than {MAX_FIELD:,} characters")
        # --flag=VALUE: a value that looks like an option (--help) stays a value.
        args.append(f"{max(param.opts, key=len)}={text}")
    return args


def render_drawing(body: dict[str, Any], suffix: str = ".svg") -> bytes:
    """The drawing, made by the ``shapecalc draw`` command itself with the request's options
    (so it is the command's output, byte for byte), as SVG or PNG bytes."""
    from ..cli.draw import draw

    spec = spec_of(body)
    args = _draw_arguments(body)
    at = _string(body, "at").strip()
    if at:
        args.append(f"--at={at}")
    with tempfile.TemporaryDirectory(prefix="shapecalc-serve-") as folder:
        path = Path(folder) / f"drawing{suffix}"
        with draw.make_context("draw", [*args, "-o", str(path), "--", spec]) as ctx:
            draw.invoke(ctx)
        return path.read_bytes()


def draw_endpoint(body: dict[str, Any]) -> dict[str, Any]:
    """``POST /api/draw``: ``{"svg": "<svg ...>"}``, the drawing in the request's options."""
    return {"svg": render_drawing(body).decode("utf-8")}


def solve_endpoint(body: dict[str, Any]) -> dict[str, Any]:
    """``POST /api/solve``: the values of the spec's symbols that meet the targets (``out``,
    ``params``, ``layer``, ``range`` and ``limit`` as ``shapecalc solve`` takes them)."""
    from ..cli.types import Ranges
    from ..solve import parse_targets, solve

    layer = body.get("layer")
    if layer is not None and (not isinstance(layer, int) or isinstance(layer, bool) or layer < 1):
        raise RequestError("'layer' must be a whole number from 1, or null")
    limit = body.get("limit", 100)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 10_000:
        raise RequestError("'limit' must be a whole number from 1 to 10,000")
    ranges = _string(body, "range").strip()
    try:
        bounds = Ranges().convert(ranges, None, None) if ranges else {}
    except click.BadParameter as err:
        raise FieldError(err.format_message(), "range") from None
    outs = tuple(t for t in _strings(body, "out") if t.strip())
    params = tuple(t for t in _strings(body, "params") if t.strip())
    result = solve(
        spec_of(body),
        parse_targets(outs, params, layer),
        at=at_of(body),
        bounds=bounds,
        limit=limit,
    )
    return result.to_json()


def export(body: dict[str, Any]) -> tuple[bytes, str, str]:
    """``POST /api/export``: a download, equal to what the command line writes:

    ``svg``/``png`` as ``shapecalc draw -o FILE``, ``json`` as ``shapecalc SPEC --json``,
    ``markdown`` as ``--markdown``, ``latex`` as ``--latex``, ``torch`` as ``shapecalc torch``,
    ``keras`` as ``shapecalc keras``
    (each with the request's ``--at`` and, for json and markdown, ``--costs`` and ``--depth``).

    Returns:
        The bytes, their media type and a file name.
    """
    kind = _string(body, "format")
    if kind not in EXPORTS:
        raise RequestError(f"'format' must be one of {', '.join(EXPORTS)}")
    media, ending = EXPORTS[kind]
    if kind in ("svg", "png"):
        data = render_drawing(body, f".{ending}")
    else:
        analysis = _analysed(body)
        if kind == "json":
            costs = _costs(body, analysis)
            data = (json.dumps(analysis.to_json(costs=costs), indent=2) + "\n").encode()
        elif kind == "markdown":
            from ..render.common import COST_COLUMNS, DEFAULT_COLUMNS
            from ..render.markdown import analysis_to_markdown

            costs = _costs(body, analysis)
            columns = COST_COLUMNS if costs is not None else DEFAULT_COLUMNS
            text = analysis_to_markdown(analysis, columns, costs, depth=_depth(body))
            data = text.encode()
        elif kind == "latex":
            data = analysis.explain().to_latex().encode()
        elif kind == "keras":
            data = analysis.to_keras_code().encode()
        else:
            data = analysis.to_torch_code().encode()
    name = "network_keras" if kind == "keras" else "network"
    return data, media, f"{name}.{ending}"


def warm_up() -> None:
    """Analyse, explain and draw a small symbolic spec once: sympy's first symbolic analysis
    in a process costs about a second, which the first keystroke would otherwise wait for."""
    from ..network import analyze

    analysis = analyze("nxnx3 | conv{k}x{k}x8 pad{p} | maxpool2 | flatten | dense10")
    working_json(analysis)
    table_body = {"spec": "28x28x1 | conv3x3x4 | maxpool2 | flatten | dense10"}
    analyze_endpoint(table_body)
    render_drawing(table_body)


def examples(folder: Path | None = None) -> list[dict[str, str]]:
    """``GET /api/examples``: the example specs shipped with the package, by name."""
    folder = folder or Path(__file__).parent / "examples"
    return [
        {"name": path.stem, "spec": path.read_text(encoding="utf-8")}
        for path in sorted(folder.glob("*.shape"))
    ]


#: ``POST`` endpoints that answer JSON: path -> function.
JSON_ENDPOINTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "/api/analyze": analyze_endpoint,
    "/api/explain": explain_endpoint,
    "/api/draw": draw_endpoint,
    "/api/solve": solve_endpoint,
}


def answer(path: str, body: dict[str, Any]) -> dict[str, Any]:
    """The JSON answer of ``POST path``: ``{"ok": true, ..., "ms": server time}`` or
    ``{"ok": false, "error": Failure}``. A bad request raises :class:`RequestError`."""
    started = time.perf_counter()
    field = {"/api/draw": "draw", "/api/solve": "solve", "/api/explain": "explain"}.get(path)
    try:
        result = {"ok": True, **JSON_ENDPOINTS[path](body)}
    except (ShapecalcError, click.ClickException) as err:
        result = {"ok": False, "error": failure(err, field).to_json()}
    result["ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result
