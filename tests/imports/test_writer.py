"""The framework-free half of the import: a hand-made graph -> blocks -> spec text."""

from __future__ import annotations

import pytest

from shapecalc import ModelImportError, analyze
from shapecalc.imports import spec_from_graph
from shapecalc.imports.graph import INPUT, Graph, Node, Scope
from shapecalc.layers import Layer
from shapecalc.shape import Shape


def layer(text: str, channels: int = 8) -> Layer:
    return analyze(f"8x8x{channels} | {text}").rows[0].layer


def body(spec: str) -> list[str]:
    """The spec's lines after the input, without comments."""
    lines = [line.split("  #")[0] for line in spec.splitlines()]
    return lines[lines.index("8x8x8") + 1 :]


def test_forks_become_res_concat_and_mul_blocks() -> None:
    nodes = [
        Node("a", "layer", (INPUT,), layer("conv3x3x8 pad1")),
        Node("b", "layer", ("a",), layer("relu")),
        Node("c", "add", ("b", "a")),  # b + a: the identity shortcut
        Node("d", "layer", ("c",), layer("conv1x1x4")),
        Node("e", "concat", ("c", "d")),  # DenseNet's concat(identity ; ...)
        Node("f", "layer", ("e",), layer("sigmoid", 12)),
        Node("g", "mul", ("f", "e")),  # a gate on the block's input
    ]
    spec = spec_from_graph(Graph(Shape((8, 8, 8)), nodes, "g"))
    assert body(spec) == [
        "conv3x3x8 pad1",
        "res(relu)",
        "concat(identity ; conv1x1x4)",
        "mul(sigmoid)",
    ]
    assert analyze(spec).output_shape == Shape((8, 8, 12))


def test_instances_of_a_class_share_a_block_with_parameters() -> None:
    nodes = []
    source = INPUT
    for i, width in enumerate([8, 8, 16]):
        scope = (Scope("stage", "Sequential", container=True), Scope(f"stage.{i}", "Unit"))
        conv = Node(
            f"c{i}",
            "layer",
            (source,),
            layer(f"conv3x3x{width} pad1"),
            scope,
            "Conv2d",
            f"stage.{i}.conv",
        )
        relu = Node(f"r{i}", "layer", (conv.name,), layer("relu"), scope, "ReLU", f"stage.{i}.act")
        nodes += [conv, relu]
        source = relu.name
    spec = spec_from_graph(Graph(Shape((8, 8, 8)), nodes, source, "Toy"))
    assert "# Unit: stage.0-2\nunit(a) = conv3x3x{a} pad1 | relu\n" in spec
    assert body(spec) == ["unit(8)x2", "unit(16)"]
    assert "unit(8)x2  # stage.0-1: Unit" in spec


def test_forks_that_meet_in_no_merge_are_refused() -> None:
    nodes = [
        Node("a", "layer", (INPUT,), layer("relu")),
        Node("b", "layer", (INPUT,), layer("sigmoid")),
        Node("c", "add", ("a", "b")),
        Node("d", "add", ("c", "a")),  # a is used again after the merge
    ]
    with pytest.raises(ModelImportError, match="cannot express"):
        spec_from_graph(Graph(Shape((8, 8, 8)), nodes, "d"))
