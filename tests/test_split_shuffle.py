"""``split( a ; b )`` (each path an equal part of the channels, joined) and ``shuffle{g}``
(channel shuffle), for ShuffleNetV2."""

from __future__ import annotations

import pytest

from shapecalc import SpecError, analyze
from shapecalc.layers.merge import Chunk, Split

UNIT = (
    "28x28x116 | split( identity ; conv1x1x58 nobias | bn | relu | conv3x3x58 pad1 dw nobias"
    " | bn | conv1x1x58 nobias | bn | relu ) | shuffle2"
)


def test_a_shufflenet_unit_splits_the_channels_in_two() -> None:
    analysis = analyze(UNIT)
    assert str(analysis.output_shape) == "28x28x116"
    # 1x1 (58*58), depthwise 3x3 (9*58), 1x1 (58*58), three batchnorms of 58 channels.
    assert analysis.totals.trainable == 58 * 58 + 9 * 58 + 58 * 58 + 3 * 2 * 58
    parts = [row for row in analysis.rows if isinstance(row.layer, Chunk)]
    assert [(r.spec, str(r.output_shape), r.sources) for r in parts] == [
        ("part 1 of 2", "28x28x58", (0,)),
        ("part 2 of 2", "28x28x58", (0,)),
    ]
    merge = next(row for row in analysis.rows if isinstance(row.layer, Split))
    assert merge.keyword == "concat" and str(merge.output_shape) == "28x28x116"
    assert [b.label for b in analysis.blocks] == ["split", "part 1", "part 2"]


def test_three_paths_take_a_third_each() -> None:
    analysis = analyze("8x8x12 | split( identity ; conv1x1x2 ; conv1x1x6 )")
    assert str(analysis.output_shape) == "8x8x12"
    assert [str(r.output_shape) for r in analysis.rows if isinstance(r.layer, Chunk)] == [
        "8x8x4"
    ] * 3


def test_symbolic_channels_record_that_the_paths_divide_them() -> None:
    analysis = analyze("nxnx{c} | split( identity ; relu ) | shuffle{g}")
    assert {c.text for c in analysis.constraints} == {"2 divides c", "g divides c"}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "28x28x7 | split( identity ; relu )",
            "split block at column 11: 2 paths split the 7 channels of 28x28x7 into equal "
            "parts, and 2 does not divide 7\n"
            "  28x28x7 | split( identity ; relu )\n"
            "            ^^^^^",
        ),
        (
            "28x28x8 | split( identity )",
            "split block at column 11: split gives each path an equal part of the channels "
            "and needs two or more paths, separated by ';' as in split( identity ; conv1x1x8 )\n"
            "  28x28x8 | split( identity )\n"
            "            ^^^^^",
        ),
        (
            "28x28x8 | split( identity ; conv3x3x4 )",
            "split block at column 29: part 2 gives 26x26x4 but part 1 gives 28x28x4; the "
            "spatial sizes must agree\n"
            "  28x28x8 | split( identity ; conv3x3x4 )\n"
            "                              ^^^^^^^^^",
        ),
        (
            "28x28x9 | shuffle2",
            "layer 1 'shuffle2' at column 11: input channels (9) are not divisible by the "
            "shuffle's groups (2)\n"
            "  28x28x9 | shuffle2\n"
            "            ^^^^^^^^",
        ),
        (
            "64 | shuffle2",
            "layer 1 'shuffle2' at column 6: shuffle needs a spatial input such as 28x28x8, "
            "got the flat vector 64\n"
            "  64 | shuffle2\n"
            "       ^^^^^^^^",
        ),
    ],
)
def test_bad_input_names_what_is_wrong_with_a_caret(spec: str, expected: str) -> None:
    with pytest.raises(SpecError) as info:
        analyze(spec)
    assert info.value.render() == expected


def test_the_emitted_code_chunks_each_path_and_concatenates() -> None:
    code = analyze("8x8x8 | split( identity ; conv1x1x4 ) | concat( relu ; relu ) | shuffle2")
    text = code.to_torch_code()
    assert text.count("class Concat(nn.Module):") == 1  # split and concat share it
    assert "class Chunk(nn.Module):" in text
    assert "Chunk(0, 2)," in text and "Chunk(1, 2)," in text
    assert "nn.ChannelShuffle(2)," in text


def test_shuffle_reads_back() -> None:
    (row,) = analyze("8x8x8 | shuffle4").rows
    assert row.layer.to_spec() == "shuffle4" and row.params == 0
