"""Fuzz inputs for the spec language and the CLI, shared by the fuzz tests and benchmarks/fuzz.py.

The tests (tests/test_fuzz.py, tests/test_fuzz_cli.py) assert what must hold for every input;
benchmarks/fuzz.py times the same inputs, because "each input is handled in under a second" is
a timing goal, and timing goals are printed figures, not unit-test assertions. This module is
test machinery (it needs hypothesis, a test dependency), so it lives beside the tests rather
than in the installed package; the benchmark puts this folder on ``sys.path``, as the tests
do through pytest.

Three families of spec text:

* :func:`token_soups`: tokens of the language glued in random order (mostly invalid);
* :func:`mutated_specs`: a valid spec (every file in examples/, every layer's documented
  example, a few symbolic and branch specs, and specs drawn by :mod:`shapecalc.strategies`)
  changed at the token level: tokens deleted, duplicated, swapped or replaced; numbers
  replaced by 0, negative, 10**18, 10**19, 10**400 ...; unicode injected (combining marks,
  right-to-left marks, full-width and superscript digits, emoji, NUL, lone surrogates,
  unusual whitespace); empty items (``| |``, ``()``, ``res()``, ``concat(;)``); unbalanced
  and deep parentheses;
* arbitrary text (``st.text()``).

:func:`check_spec` is the property: an input analyses (and then renders as a table, Markdown
and JSON), or raises :class:`SpecError` whose span lies inside the text. Nothing else.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from shapecalc import Analysis, SpecError, analyze

ROOT = Path(__file__).resolve().parent.parent

#: Pieces of the language, glued in random order by :func:`token_soups`.
TOKENS = [
    "28x28x1",
    "nxnx3",
    "{h}x{w}x3",
    "784",
    "100x8",
    "4x8x8x2",
    "|",
    " | ",
    "\n",
    "(",
    ")",
    ")x2",
    "conv3x3x16",
    "conv{f}x{f}x8",
    "conv5x4",
    "same",
    "valid",
    "pad1",
    "pad{p}",
    "stride2",
    "s2x1",
    "d2",
    "g2",
    "dw",
    "nobias",
    "ceil",
    "maxpool2",
    "avgpool3",
    "gap",
    "globalmaxpool",
    "adaptiveavgpool2",
    "flatten",
    "dense10",
    "fc{k}",
    "relu",
    "bn",
    "dropout0.5",
    "lrn",
    "zeropad1",
    "upsample2",
    "res(",
    "concat(",
    "mul(",
    "split(",
    "split( identity ; relu )",
    "b(",
    "b(c) = relu\n",
    "=",
    "pad=1",
    "stride=",
    "#",
    ";",
    ",",
    "x",
    "×",
    "0",
    "-1",
    "99999999",
    "9" * 30,
    "{",
    "}",
    "é",
    "\t",
    "{4*c}",
    "{c//2}",
    "{(c + 1)*e}",
    "{-c}",
    ")x{n}",
    "x{n}",
    "{c/2}",
    "{4*}",
    "{(c}",
    "//",
    "b(c, n) = (conv3x3x{4*c} pad{c//2} | relu)x{n}\n",
    "b(64, 2)",
    "b({f}, {2*f})",
]



def layer_tokens() -> list[str]:
    """Every layer kind's keywords, example items and option words, read from the registry,
    so that a new kind is fuzzed without being listed here."""
    from shapecalc.layers import REGISTRY

    words: dict[str, None] = {}
    for cls in REGISTRY.values():
        words.update(dict.fromkeys((cls.keyword, *cls.aliases)))
        words.update(dict.fromkeys(example.layer for example in cls.examples))
        words.update(dict.fromkeys(cls.options))
    return list(words)


TOKENS += [word for word in layer_tokens() if word not in TOKENS]

#: Numbers that sit on or beyond a limit, or are no size at all.
ODD_NUMBERS = [
    "0",
    "00",
    "1",
    "-1",
    "-3",
    str(10**18),
    str(10**18 + 1),
    str(10**19),
    str(2**63),
    str(2**64 + 1),
    "1" + "0" * 400,
    "9" * 4400,  # past Python's default int-from-str digit limit (4,300)
    "1.5",
    "0.0",
    "1e9",
    "0x10",
    "1_000",
]

#: Characters that break naive text handling.
ODD_CHARS = [
    "\u0301",  # combining acute accent
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u200b",  # zero-width space (not whitespace for str.isspace)
    "\u00a0",  # no-break space (whitespace)
    "\u2028",  # line separator (whitespace, a line break for str.splitlines)
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x85",
    "\ufeff",  # byte-order mark
    "１２",  # full-width digits
    "²",  # superscript two: str.isdigit() is true, int() refuses it
    "٣",  # Arabic-Indic three: int() accepts it
    "𝟑",  # mathematical bold three
    "ⅷ",  # roman numeral (isnumeric)
    "🙂",
    "👩‍👩‍👧",  # emoji with zero-width joiners
    "\x00",
    "\ud800",  # a lone surrogate: a Python str may hold one, UTF-8 cannot
    "\udfff",
    "\x1b[31m",  # an ANSI escape
    "[bold]",  # rich markup
    "Ｘ",
    "×",
    "x",
    "{",
    "}",
    "{x}",
    "{_}",
    "{1a}",
    "=",
]

#: Empty and degenerate items.
EMPTY_ITEMS = [
    "| |",
    "||",
    "()",
    "()x2",
    "(|)x2",
    "res()",
    "res(;)",
    "res(relu;;relu)",
    "concat(;)",
    "split(;)",
    "split(relu)",
    "concat()",
    "concat(relu;)",
    "b()",
    "()x0",
    "(relu)x",
    "(relu)x-1",
    "(relu)x0",
    "(relu)x1.5",
    "(relu)×２",
    "pad=",
    "=same",
    "conv",
    "conv3x",
    "convx3",
    "conv{}x3x3",
    "dense{n}x",
    "\n\n\n",
    "#",
    ";",
]

#: Small specs beside the examples: symbols, branches, named blocks, 1D/3D inputs.
EXTRA_SEEDS = [
    "28x28x1 | conv3x3x16 same | maxpool2 | flatten | dense10",
    "nxnx3 | conv{f}x{f}x8 pad{p} | maxpool2 | flatten | dense{k}",
    "{h}x{w}x3 | conv3x3x8 s2 pad1 | conv3x3x{c} d2 same | gap",
    "32x32x16 | res(conv3x3x16 same | bn | relu | conv3x3x16 same | bn) | relu",
    "32x32x16 | res(conv3x3x32 s2 pad1 | relu ; conv1x1x32 s2) | concat(relu ; maxpool3 s1 pad1)",
    "basic(c, s) = res(conv3x3x{c} s{s} pad1 | bn | relu ; conv1x1x{c} s{s})\n"
    "32x32x8 | basic(16, 2) | (basic(16, 1))x2 | gap | dense10",
    "100x8 | conv3x16 same | maxpool2 | flatten | dense4",
    "8x8x8x2 | conv3x3x3x4 pad1 | avgpool2 | flatten",
    "784 | dense256 | relu | dropout0.5 | dense10 | softmax",
    "28x28x1 | (conv3x3x8 same | relu)x3",
    # issue 14's kinds: reshape, crop, split and shuffle, upsampling modes, causal padding
    "100 | dense64 | reshape4x4x4 | upsample2 bilinear | conv3x3x3 pad1 | tanh",
    "64x64x8 | concat( crop4 ; maxpool2 | conv3x3x8 | conv3x3x8 | deconv2x2x8 s2 )",
    "nxnx{c} | split( identity ; conv1x1x{c//2} | relu ) | shuffle2 | crop{p}",
    "100x8 | conv3x8 causal d2 | upsample2 linear aligncorners | reshape{1600}",
    "4x4x4x2 | upsample2 trilinear | split( relu ; identity )",
]


@cache
def examples(n: int) -> settings:
    """Settings for ``n`` fuzz examples under the default profile, scaled as the loaded
    profile scales the default's count (tests/conftest.py: ten times as many under
    HYPOTHESIS_PROFILE=fuzz or ci, a fifth under dev). Explicit counts rather than the
    profile's, so that each fuzz test keeps its share of the suite's run time; randomness,
    database and deadline are the loaded profile's."""
    depth = settings.default.max_examples / settings.get_profile("shapecalc").max_examples
    return settings(
        max_examples=max(1, round(n * depth)), suppress_health_check=list(HealthCheck)
    )


def run_program(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    """``python -m shapecalc ARGS`` as a new process, bytes in and out as Latin-1 (any byte
    passes unchanged)."""
    return subprocess.run(
        [sys.executable, "-m", "shapecalc", *args],
        input=stdin.decode("latin-1"),
        capture_output=True,
        text=True,
        encoding="latin-1",
    )


def seed_specs() -> tuple[str, ...]:
    """Valid specs to mutate: every example file, every layer's documented example, and
    :data:`EXTRA_SEEDS`."""
    from shapecalc.layers import REGISTRY

    files = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.shape"))]
    # Each file also without its comments: most of a file's pieces are comment words, where a
    # mutation changes nothing.
    seeds = files + [re.sub(r"[ \t]*#[^\n]*", "", text).strip() + "\n" for text in files]
    for cls in dict.fromkeys(REGISTRY.values()):
        seeds.extend(f"{example.input} | {example.layer}" for example in cls.examples)
    seeds.extend(EXTRA_SEEDS)
    return tuple(seeds)


#: Whitespace runs, single punctuation, digit runs, and the words between them: joining the
#: pieces gives the text back, and a number is one piece that can be swapped for another.
_PIECE = re.compile(r"\s+|[()|;,=#{}]|[0-9]+(?:\.[0-9]+)?|[^\s()|;,=#{}0-9]+")


def split_tokens(text: str) -> list[str]:
    """The text cut into pieces that join back to it."""
    return _PIECE.findall(text)


def token_soups(max_size: int = 14) -> st.SearchStrategy[str]:
    """Tokens of the language in random order, joined by spaces."""
    return st.lists(st.sampled_from(TOKENS), max_size=max_size).map(" ".join)


def seeds() -> st.SearchStrategy[str]:
    """A valid spec: a fixed seed, or one drawn by :mod:`shapecalc.strategies`."""
    from shapecalc.strategies import spec_texts

    return st.one_of(st.sampled_from(seed_specs()), spec_texts(max_items=5))


@st.composite
def mutate(draw: Any, text: str) -> str:
    """``text`` changed by one to four token-level mutations (see the module docstring)."""
    pieces = split_tokens(text) or [""]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(
            st.sampled_from(
                [
                    "delete",
                    "duplicate",
                    "swap",
                    "number",
                    "unicode",
                    "empty",
                    "token",
                    "open",
                    "close",
                    "wrap",
                    "deep",
                ]
            )
        )
        if not pieces:
            pieces = [""]
        at = draw(st.integers(0, len(pieces) - 1))
        if kind == "delete":
            del pieces[at]
        elif kind == "duplicate":
            pieces.insert(at, pieces[at])
        elif kind == "swap":
            other = draw(st.integers(0, len(pieces) - 1))
            pieces[at], pieces[other] = pieces[other], pieces[at]
        elif kind == "number":
            numbers = [i for i, p in enumerate(pieces) if p[:1].isascii() and p[:1].isdigit()]
            where = draw(st.sampled_from(numbers)) if numbers else at
            pieces[where] = draw(st.sampled_from(ODD_NUMBERS))
        elif kind == "unicode":
            pieces.insert(at, draw(st.sampled_from(ODD_CHARS)))
        elif kind == "empty":
            pieces.insert(at, " " + draw(st.sampled_from(EMPTY_ITEMS)) + " ")
        elif kind == "token":
            pieces[at] = draw(st.sampled_from(TOKENS))
        elif kind == "open":
            pieces.insert(at, "(" * draw(st.integers(1, 80)))
        elif kind == "close":
            pieces.insert(at, ")" * draw(st.integers(1, 80)))
        elif kind == "wrap":
            end = draw(st.integers(at, len(pieces)))
            count = draw(st.sampled_from(["2", "1", "3", "1000", "100000", "1000000"]))
            pieces[at:end] = ["(", *pieces[at:end], f")x{count}"]
        else:  # deep: nest the rest of the spec in many groups
            depth = draw(st.integers(20, 200))
            pieces[at:] = ["(" * depth, *pieces[at:], ")x1" * depth]
    return "".join(pieces)


def mutated_specs() -> st.SearchStrategy[str]:
    """A valid spec changed by one to four token-level mutations (see the module docstring)."""
    return seeds().flatmap(mutate)


def fuzz_texts() -> st.SearchStrategy[str]:
    """Every family of spec text: mutated specs, token soups and arbitrary text."""
    return st.one_of(mutated_specs(), token_soups(), st.text(max_size=60))


def check_error(err: SpecError, text: str) -> None:
    """A spec error points inside the text and renders as message, spec line, carets."""
    assert err.source == text
    assert 0 <= err.span.start <= err.span.end <= max(len(text), 1), (err.span, len(text))
    assert err.span.start < max(len(text), 1), (err.span, len(text))
    lines = err.render().split("\n")
    assert len(lines) == 3, lines
    assert lines[2].strip(" ") and set(lines[2].strip(" ")) == {"^"}, lines
    line, column = err.location()
    source_lines = text.split("\n")
    assert 1 <= line <= len(source_lines)
    assert 1 <= column <= len(source_lines[line - 1]) + 1


def render_all(analysis: Analysis) -> None:
    """Render an analysis in every cheap form: table, Markdown, JSON with costs, the worked
    arithmetic (terminal, Markdown, LaTeX) and the drawing, which may refuse an analysis
    (symbols, too many tensors) with a one-line error of the project's own."""
    from rich.console import Console

    from shapecalc import ShapecalcError

    console = Console(file=io.StringIO(), width=120)
    console.print(analysis.table())
    analysis.to_markdown()
    json.dumps(analysis.to_json(costs=analysis.costs()))
    explanation = analysis.explain()
    console.print(explanation)
    explanation.to_markdown()
    explanation.to_latex()
    try:
        analysis.to_svg()
    except ShapecalcError as err:  # symbols without values, too many tensors to draw
        assert "\n" not in str(err), err  # one line


#: Values given to a spec's symbols by :func:`check_spec_at`: edges and beyond.
ODD_VALUES = [0, 1, 2, 3, 7, 28, 224, 10**9, 10**18, 10**18 + 1, -1]


def check_spec_at(text: str, values: list[int]) -> None:
    """The fuzz property with values for the symbols: an analysis, a :class:`SpecError` inside
    the text, or another of the project's errors (a bad ``--at`` value has no position)."""
    from shapecalc import ShapecalcError

    first = check_spec(text, render=False)
    if isinstance(first, SpecError) or not first.symbols:
        return
    subs = {name: values[i % len(values)] for i, name in enumerate(first.symbols)}
    try:
        analysis = analyze(text, **subs)
    except SpecError as err:
        check_error(err, text)
        return
    except ShapecalcError as err:
        assert "\n" not in str(err), err  # one line
        return
    render_all(analysis)


def check_spec(text: str, *, render: bool = True) -> Analysis | SpecError:
    """The fuzz property: ``text`` analyses (and renders) or raises a :class:`SpecError`
    pointing inside it. Any other exception propagates and fails the caller."""
    try:
        analysis = analyze(text)
    except SpecError as err:
        check_error(err, text)
        return err
    if render:
        render_all(analysis)
    return analysis


# -- the command line --------------------------------------------------------------------------

#: Values that are wrong for almost any option.
BAD_VALUES = [
    "", "-1", "0", "x", "²", "1e400", str(10**19), "1" + "0" * 40, "9" * 4400, "\x00", "🙂", "--json",
]  # fmt: skip


def _values(*good: str) -> st.SearchStrategy[str]:
    """Mostly one of ``good`` (which also holds wrong values of the right form), now and then
    one of :data:`BAD_VALUES`: enough valid runs that the success paths are fuzzed too."""
    return st.integers(0, 3).flatmap(
        lambda i: st.sampled_from(BAD_VALUES) if i == 0 else st.sampled_from(good)
    )


_AT = _values("n=28", "n=28,f=3", "f=3", "p=0", "k=10", "n=1", "n=-3", "n=²", "n=٣", "=3", "n=1,n=2")
#: A valid small spec, sometimes with symbols (for --at), solve's unknowns, or a mutation.
_SPECS = st.one_of(
    st.sampled_from(EXTRA_SEEDS),
    st.sampled_from(
        [
            "nxnx3 | conv{f}x{f}x8 pad{p} | maxpool2",
            "63x63x16 | conv7x7x32 pad{p}",
            "300x300x3 | conv5x5x{c}",
            "-",
            "nxnx3 | conv5x5x8 | maxpool2",
            "-5x28x1 | relu",
            "",
        ]
    ),
    st.just("").flatmap(lambda _: mutated_specs()),
    st.sampled_from(EXTRA_SEEDS),  # twice: most runs should get a valid spec
)
#: Files in the working directory of a CLI fuzz run (see :func:`make_cli_files`).
_FILES = st.sampled_from(
    ["spec.shape", "missing.shape", ".", "big.shape", "latin1.shape", "matrix.txt", "/dev/null"]
)
_MATRICES = _values(
    "1 2; 3 4", "1 2 3; 4 5 6; 7 8 9", "1 2; 3 4 / 5 6; 7 8", "1 2; 3", "1,2;3,4", "a b",
    "@matrix.txt", "@missing.txt", "1e400 1; 1 1", "nan 1; 1 1", "0.5 1/3; 2 2",
)  # fmt: skip
_SIZES = _values("1", "2", "3", "2,1", "1,2", "0,1", "3,3,3", "a,b", "same", "100000")

#: Each command's options: name -> values (None for a flag).
COMMON: dict[str, st.SearchStrategy[str] | None] = {"-f": _FILES, "--at": _AT, "--json": None}
OPTIONS: dict[str, dict[str, st.SearchStrategy[str] | None]] = {
    "calc": {
        **COMMON,
        "--markdown": None,
        "--explain": None,
        "--latex": None,
        "--check": None,
        "--depth": _values("0", "1", "3"),
        "--columns": _values("shape,params,macs", "flops,memory,rf", "param_memory", "foo"),
        "--costs": None,
        "--dtype": _values("float16", "bfloat16", "int8", "float64"),
        "--macs": _values("torch", "torchinfo", "fvcore", "thop", "keras"),
        "--batch": _values("1", "2", "1000000000", "1000000001"),
        "--device": _values("meta"),
    },
    "solve": {
        **COMMON,
        "--out": _values(
            "14x14x8", "_x_x8", "1:14x14x8", "63x63x32", "0x0x0", "1:", "x", "9" * 4400 + "x3"
        ),
        "--params": _values("7600", "1,000", "1_000", "1:100", "99999999999"),
        "--layer": _values("1", "2", "99"),
        "--range": _values("p=0..10", "c=1..100", "p=10..0", "p=0..1000000", "n=1..2", "p=0.."),
        "--limit": _values("1", "5", "100"),
    },
    "conv": {
        "-i": _MATRICES,
        "-k": _MATRICES,
        "--pad": _SIZES,
        "--stride": _SIZES,
        "--dilation": _SIZES,
        "--bias": _values("1", "1 -0.5", "1/3", "a"),
        "--flip": None,
        "--explain": None,
        "--json": None,
        "--markdown": None,
    },
    "pool": {
        "-i": _MATRICES,
        "--size": _SIZES,
        "--stride": _SIZES,
        "--pad": _SIZES,
        "--mode": _values("max", "avg", "min"),
        "--explain": None,
        "--json": None,
        "--markdown": None,
    },
    "draw": {
        "-f": _FILES,
        "--at": _AT,
        "-o": _values("-", "out.svg", "out.png", "out.txt", "nodir/out.svg", ".", "OUT.SVG"),
        "--style": _values("lenet", "alexnet", "fcnn", "vgg"),
        "--max-channels": _values("1", "12", "64", "65"),
        "--max-nodes": _values("2", "16", "1"),
        "--scale": _values("linear", "log", "sqrt"),
        "--spacing": _values("0", "10.5", "1000", "1001", "nan", "inf"),
        "--colors": _values("conv=#5b9bd5,pool=orange", "conv=red", "conv=#12", "foo=red", "="),
        "--opacity": _values("0", "0.5", "1", "1.5", "nan"),
        "--no-labels": None,
        "--direction": _values("horizontal", "vertical", "diagonal"),
        "--title": _values("VGG", "[bold]x", "<svg>&amp;", "\u202eabc"),
        "--legend": None,
        "--no-legend": None,
    },
    "check": {**COMMON, "--batch": _values("1", "2"), "--device": _values("meta")},
    "torch": {"-f": _FILES, "--at": _AT},
    "layers": {"--json": None, "--markdown": None},
}
#: What may stand where a command goes: the real ones, the default (a spec first), typos.
COMMANDS = [*OPTIONS, None, "help", "calcc", "--help", "--version", "-h", "--bogus"]
_FOREIGN = st.sampled_from(["--bogus", "-z", "--", "-", "--json=1", "--at", "-f", "--no-json"])


@st.composite
def cli_args(draw: Any) -> list[str]:
    """An argument list for ``shapecalc``: a command (or none, or a typo), maybe a spec,
    options of that command with good and bad values, values left out, foreign flags."""
    command = draw(st.sampled_from(COMMANDS))
    args: list[str] = [] if command is None else [command]
    table = OPTIONS.get(command or "calc", OPTIONS["calc"])
    if command == "layers":
        args += draw(st.lists(st.sampled_from(["conv", "cnv", "gap", "fc", "", "🙂"]), max_size=3))
    elif command not in ("conv", "pool") and draw(st.booleans()):
        spec = draw(_SPECS)
        args.append(spec)
    names = sorted(table)
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(names))
        values = table[name]
        args.append(name)
        if values is not None and draw(st.integers(0, 9)):  # now and then the value is missing
            args.append(draw(values))
    if command in ("conv", "pool") and draw(st.integers(0, 4)):
        args += ["-i", draw(_MATRICES)]
        if command == "conv":
            args += ["-k", draw(_MATRICES)]
        else:
            args += ["--size", draw(_SIZES)]
    if command == "draw" and draw(st.integers(0, 4)):  # what a run needs, most of the time
        args += ["-o", draw(st.sampled_from(["-", "out.svg", "out.png"]))]
    if command == "solve" and draw(st.integers(0, 4)):
        args += draw(
            st.sampled_from(
                [["--out", "14x14x8"], ["--out", "63x63x32"], ["--params", "7600"], ["--out", "_"]]
            )
        )
    for _ in range(draw(st.integers(0, 4)) // 4):  # one list in five
        args.insert(draw(st.integers(0, len(args))), draw(_FOREIGN))
    return safe_args(args)


def safe_args(args: list[str]) -> list[str]:
    """The arguments, made safe to run: a PyTorch check always runs on the meta device
    (allocates nothing, whatever the sizes); drawings are written only in the working
    directory (the generator only names relative paths there, or '-')."""
    if "check" in args[:1] or "--check" in args:
        out: list[str] = []
        skip = False
        for arg in args:
            if skip:
                skip = False
                continue
            if arg == "--device":
                skip = True
                continue
            out.append(arg)
        # Before any "--", so that it stays an option.
        cut = out.index("--") if "--" in out else len(out)
        args = [*out[:cut], "--device", "meta", *out[cut:]]
    return args


def make_cli_files(folder: Path) -> None:
    """The files that :func:`cli_args` names, in ``folder`` (the run's working directory)."""
    (folder / "spec.shape").write_text(EXTRA_SEEDS[1], encoding="utf-8")
    (folder / "big.shape").write_text("28x28x1 | relu\n" + "# padding\n" * 110_000)
    (folder / "latin1.shape").write_bytes("28x28x1 | relu # é".encode("latin-1"))
    (folder / "matrix.txt").write_text("1 2 3\n4 5 6\n7 8 9\n", encoding="utf-8")


# -- limits --------------------------------------------------------------------------------------


def _deep(levels: int) -> str:
    return "28x28x3 | " + "(" * levels + "relu" + ")x1" * levels


#: Inputs at and past the limits: (name, spec text, a part of the error it must give, or None
#: when it must analyse). tests/test_limits.py checks the errors; benchmarks/fuzz.py times them.
LIMIT_CASES: list[tuple[str, str, str | None]] = [
    ("repeat x1000000", "28x28x3 | (conv3x3x8 same)x1000000", "expands to 1,000,000 layers"),
    (
        "nested repeats x1000 x1000",
        "28x28x3 | ((conv3x3x8 same)x1000)x1000",
        "expands to 1,000,000 layers",
    ),
    (
        "named block repeated",
        "b(c) = conv3x3x{c} same | relu\n28x28x3 | b(8)x1000000",
        "expands to 2,000,000 layers",
    ),
    ("repeat x10**18", "28x28x3 | (relu)x" + str(10**18), "the limit is 100,000"),
    ("repeat x10**30", "28x28x3 | (relu)x" + str(10**30), "is too large (the limit is 10**18)"),
    ("res repeated x100000", "28x28x3 | (res(relu))x100000", "expands to 200,000 layers"),
    # Each path of a split adds its part's row: 2 parts, 2 layers and the merge per pass.
    ("split repeated x100000", "28x28x4 | (split(relu ; relu))x100000", "500,000 layers"),
    ("reshape to 10**18", f"{10**18}x4 | reshape{10**18}x2x2", None),
    ("input dim 10**18", f"{10**18}x{10**18}x3 | conv3x3x8", None),
    ("input dim 10**18+1", f"{10**18 + 1}x3 | relu", "is too large (the limit is 10**18)"),
    ("channels 10**18", f"28x28x{10**18} | conv3x3x{10**18}", None),
    ("units 10**19", f"784 | dense{10**19}", "is too large (the limit is 10**18)"),
    ("kernel 10**18", f"28x28x3 | conv{10**18}x3x8", "kernel"),
    ("result past 10**100", "1x1x1 | (upsample" + str(10**18) + ")x8", "exceeds 10**100"),
    ("10**400 digits", "28x28x3 | dense1" + "0" * 400, "is too large (the limit is 10**18)"),
    ("4,400 digits", "28x28x3 | dense" + "9" * 4400, "is too large (the limit is 10**18)"),
    ("groups nested 33 deep", _deep(33), "nested deeper than 32"),
    ("groups nested 10,000 deep", _deep(10_000), "nested deeper than 32"),
    ("10,000 '(' unclosed", "28x28x3 | " + "(" * 10_000, "nested deeper than 32"),
    ("10,000 ')'", "28x28x3 | relu" + ")" * 10_000, "unmatched ')'"),
    (
        "res nested 10,000 deep",
        "28x28x3 | " + "res(" * 10_000 + "relu" + ")" * 10_000,
        "nested deeper than 32",
    ),
    (
        "named blocks 40 deep",
        "".join(f"b{chr(97 + i % 26)}{i}() = res(b{chr(97 + (i - 1) % 26)}{i - 1}())\n" for i in range(1, 40))
        .replace("ba0()", "relu")
        + "28x28x3 | bm39()",
        "nested deeper than 32",
    ),
    (
        "named blocks doubling 2**20",
        "b0() = relu\n"
        + "".join(f"b{i}() = b{i - 1}() | b{i - 1}()\n" for i in range(1, 21))
        + "28x28x3 | b20()",
        "expand to more than 100,000 items",
    ),
    ("10,000 layers written out", "28x28x3 | " + " | ".join(["relu"] * 10_000), None),
    ("a line of 50,000 options", "28x28x3 | relu " + "same " * 50_000, "relu takes no options"),
    ("1 MB comment", "28x28x3 | relu # " + "x" * 1_000_000, None),
    ("a 1-D stack of 1,000 repeating one condition", "nx8 | (conv3x8 | relu)x1000", None),
    ("400 small distinct conditions", "nx8 | (conv3x8 pad{p})x400", None),
    (
        "symbolic, 4 symbols per layer, 24 layers",
        "nxnx3 | (conv{k}x{k}x8 s{s} pad{p} d{d})x24",
        "a validity condition grows past 200 terms",
    ),
]

#: Larger and slower inputs, timed by benchmarks/fuzz.py only (too slow for the unit tests).
LARGE_CASES: list[tuple[str, str, str | None]] = [
    ("100,000 layers (the cap)", "28x28x3 | (relu)x100000", None),
    ("100,000 rows of res blocks", "28x28x3 | (res(relu))x50000", None),
    ("30,000 layers written out", "28x28x3 | " + " | ".join(["relu"] * 30_000), None),
    ("a line of 200,000 options", "28x28x3 | relu " + "same " * 200_000, "relu takes no options"),
    ("symbolic stack of 200, one symbol", "nxnx3 | " + " | ".join(["conv3x3x8 s2 pad1"] * 200), None),
    (
        "symbolic stack of 200, two symbols",
        "nxnx3 | " + " | ".join(["conv3x3x8 s2 pad{p}"] * 200),
        None,
    ),
    (
        "symbolic, 4 symbols per layer, 8 layers",
        "{h}x{w}x3 | " + " | ".join(["conv{k}x{k}x8 s{s} pad{p} d{d}"] * 8),
        None,
    ),
    (
        "symbolic, 4 symbols per layer, 200 layers",
        "{h}x{w}x3 | " + " | ".join(["conv{k}x{k}x8 s{s} pad{p} d{d}"] * 200),
        "a validity condition grows past 200 terms",
    ),
]
