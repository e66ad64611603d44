"""The public hypothesis strategies: complete over the registry, valid, and as documented."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

from hypothesis import given

from shapecalc import analyze
from shapecalc.layers import REGISTRY
from shapecalc.strategies import LAYER_STRATEGIES, GeneratedSpec, spec_texts, specs

ROOT = Path(__file__).resolve().parent.parent


def test_every_layer_kind_has_a_strategy() -> None:
    """A new layer kind without a strategy (or an alias the strategies never write) fails."""
    assert set(LAYER_STRATEGIES) == set(REGISTRY.values())
    written = {word: cls for cls, s in LAYER_STRATEGIES.items() for word in s.keywords}
    assert written == REGISTRY


@given(spec=specs())
def test_drawn_specs_are_valid_and_the_model_agrees(spec: GeneratedSpec) -> None:
    """The strategies' own shape model (plain textbook formulas) and the calculator agree;
    the torch tests in tests/properties check both against torch."""
    analysis = analyze(spec.text)
    assert tuple(int(d) for d in analysis.output_shape.dims) == spec.shape


@given(text=spec_texts(max_items=2))
def test_spec_texts_are_strings_the_calculator_accepts(text: str) -> None:
    assert analyze(text).rows


def test_readme_example_runs(tmp_path: Path) -> None:
    """The README's property-test example (the ```py block) is a working hypothesis test."""
    readme = (ROOT / "README.md").read_text()
    (block,) = re.findall(r"```py\n(.*?)\n```", readme, re.S)
    # A real file, since hypothesis reads the test's source.
    path = tmp_path / "readme_example.py"
    path.write_text(block + "\n")
    namespace = runpy.run_path(str(path))
    namespace["test_my_flatten_size"]()
