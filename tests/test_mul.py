"""``mul( path )`` gates the block's input, ``mul( a ; b )`` multiplies two paths: a size-1
dim broadcasts, as in torch (squeeze-and-excitation)."""

from __future__ import annotations

import pytest

from shapecalc import BranchError, analyze

SE = "28x28x16 | mul(adaptiveavgpool1 | conv1x1x4 | relu | conv1x1x16 | hardsigmoid)"


def test_a_squeeze_and_excitation_gate_keeps_the_input_shape() -> None:
    analysis = analyze(SE)
    assert str(analysis.output_shape) == "28x28x16"
    # Two 1x1 convolutions with bias: 16*4 + 4 and 4*16 + 16.
    assert analysis.totals.params == (16 * 4 + 4) + (4 * 16 + 16)
    merge = analysis.rows[-1]
    assert (merge.keyword, merge.kind) == ("mul", "merge")
    assert merge.sources == (5, 0)  # the gate's last row and the block's input
    (block,) = analysis.blocks
    assert (block.kind, block.label) == ("mul", "mul")


@pytest.mark.parametrize(
    ("spec", "shape"),
    [
        ("8x8x4 | mul(conv1x1x4 ; identity)", "8x8x4"),
        ("8x8x4 | mul(conv8x1x4 ; identity)", "8x8x4"),  # 1x8x4 broadcasts over H
        ("8x8x4 | mul(conv1x1x1 ; identity)", "8x8x4"),  # one channel broadcasts over C
    ],
)
def test_size_one_dims_broadcast(spec: str, shape: str) -> None:
    assert str(analyze(spec).output_shape) == shape


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "28x28x16 | mul(conv1x1x8)",
            "mul block at column 12: the gate gives 28x28x8 but the block's input is 28x28x16; "
            "the shapes must broadcast (each dim equal, or 1 in one of them)\n"
            "  28x28x16 | mul(conv1x1x8)\n"
            "             ^^^",
        ),
        (
            "28x28x16 | mul(conv1x1x16 ; conv3x3x16)",
            "mul block at column 29: branch 2 gives 26x26x16 but branch 1 gives 28x28x16; "
            "the shapes must broadcast (each dim equal, or 1 in one of them)\n"
            "  28x28x16 | mul(conv1x1x16 ; conv3x3x16)\n"
            "                              ^^^^^^^^^^",
        ),
        (
            "28x28x16 | mul(gap)",
            "mul block at column 12: the gate gives 16 but the block's input is 28x28x16; "
            "their ranks differ\n"
            "  28x28x16 | mul(gap)\n"
            "             ^^^",
        ),
    ],
)
def test_a_gate_that_does_not_broadcast_is_an_error(spec: str, expected: str) -> None:
    with pytest.raises(BranchError) as info:
        analyze(spec)
    assert info.value.render() == expected


def test_symbolic_gates_record_the_agreement() -> None:
    analysis = analyze("nxnx{c} | mul(adaptiveavgpool1 | conv1x1x{c} ; conv1x1x{c})")
    assert str(analysis.output_shape) == "nxnxc"
    assert analysis.constraints == ()  # 1x1xc against nxnxc: broadcasts for every n


def test_the_emitted_torch_code_multiplies() -> None:
    code = analyze(SE).to_torch_code()
    assert "class Multiply(nn.Module):" in code
    assert "Multiply(" in code.split("class Net")[1]


def test_the_working_shows_a_broadcast_dim() -> None:
    (step,) = analyze("2x1x1 | mul(conv2x1x1 nobias)").explain().layers[-1].steps
    assert (step.quantity, step.line()) == ("H", "max(H_1, H_2) = max(1, 2) = 2")
