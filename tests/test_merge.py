"""The merges compute their own shapes and conditions, without the engine (layers/merge.py)."""

from __future__ import annotations

import pytest

from shapecalc import analyze
from shapecalc.errors import BranchError, LayerError, MergeError
from shapecalc.layers import Checks
from shapecalc.layers.merge import MERGES, Add, Concat, Merge, Mul, Split, agree
from shapecalc.shape import Shape
from shapecalc.symbolic import Constraint, Dim, make_symbol

N = make_symbol("n")


def _merge(
    cls: type[Merge], *paths: tuple[Dim, ...], block_input: tuple[Dim, ...] = (8, 8, 4)
) -> tuple[Merge, list[Constraint]]:
    """The merge of ``paths`` as the engine asks for it, and the conditions it recorded."""
    checks = Checks()
    merge = cls.merge([Shape(p) for p in paths], Shape(block_input), checks)
    return merge, checks.constraints


def test_every_block_keyword_has_its_merge() -> None:
    assert MERGES == {"res": Add, "concat": Concat, "mul": Mul, "split": Split}
    from shapecalc.parser import BRANCH_KINDS

    assert set(BRANCH_KINDS) == set(MERGES)


def test_add_keeps_the_shape_and_adds_the_identity_input() -> None:
    merge, constraints = _merge(Add, (8, 8, 4), (8, 8, 4))
    assert isinstance(merge, Add) and merge.output == Shape((8, 8, 4)) and constraints == []
    assert merge.inputs == (Shape((8, 8, 4)), Shape((8, 8, 4)))
    # One path: the block's input is the shortcut.
    merge, _ = _merge(Add, (8, 8, 4), block_input=(8, 8, 4))
    assert len(merge.inputs) == 2
    assert merge.output_shape(Shape((1, 1, 1)), Checks()) == Shape((8, 8, 4))


def test_concat_sums_the_channels_of_every_path() -> None:
    merge, constraints = _merge(Concat, (8, 8, 4), (8, 8, 2), (8, 8, 10))
    assert isinstance(merge, Concat) and merge.output == Shape((8, 8, 16)) and constraints == []
    # One path: no identity input, the path's output as it is.
    merge, _ = _merge(Concat, (8, 8, 4), block_input=(9, 9, 9))
    assert merge.inputs == (Shape((8, 8, 4)),) and merge.output == Shape((8, 8, 4))
    symbolic, _ = _merge(Concat, (N, N, 4), (N, N, N))
    assert str(symbolic.output) == "n x n x (n + 4)"


@pytest.mark.parametrize(
    ("cls", "paths", "path", "message"),
    [
        (
            Add,
            [(8, 8, 4), (6, 6, 4)],
            1,
            "the shortcut gives 6x6x4 but the main path gives 8x8x4; the shapes must agree",
        ),
        (
            Add,
            [(4, 4, 4)],
            1,
            "the main path gives 4x4x4 but the identity shortcut passes 8x8x4; the shapes must "
            "agree; add a projection shortcut after ';', such as conv1x1x4 stride2",
        ),
        (
            Concat,
            [(8, 8, 4), (8, 8, 2), (6, 6, 4)],
            2,
            "branch 3 gives 6x6x4 but branch 1 gives 8x8x4; the spatial sizes must agree",
        ),
        (
            Concat,
            [(8, 8, 4), (256,)],
            1,
            "branch 2 gives 256 but branch 1 gives 8x8x4; their ranks differ",
        ),
    ],
)
def test_a_merge_names_the_path_that_disagrees(
    cls: type[Merge], paths: list[tuple[Dim, ...]], path: int, message: str
) -> None:
    with pytest.raises(MergeError) as info:
        _merge(cls, *paths)
    assert isinstance(info.value, LayerError)  # position-less: the engine places it
    assert (info.value.path, info.value.message) == (path, message)


def test_a_symbolic_agreement_is_a_condition_and_a_never_one_an_error() -> None:
    merge, constraints = _merge(Add, (N, N, 4), (N, N, 4))
    assert constraints == [] and merge.output == Shape((N, N, 4))
    f = make_symbol("f")
    _, constraints = _merge(Add, (N - f + 1, N, 4), (N, N, 4))
    assert [c.text for c in constraints] == ["n - f + 1 = n"]
    assert agree(N + 1, N) is False and agree(3, 3) is True and agree(3, 4) is False
    assert isinstance(agree(N - f + 1, N), Constraint)
    with pytest.raises(MergeError, match="the shapes must agree"):
        _merge(Add, (N + 1, N, 4), (N, N, 4))


def test_the_engine_places_the_merge_error_with_the_same_text() -> None:
    spec = "28x28x8 | concat(conv1x1x4 ; conv1x1x2 ; conv3x3x4)"
    with pytest.raises(BranchError) as info:
        analyze(spec)
    assert info.value.message == (
        "branch 3 gives 26x26x4 but branch 1 gives 28x28x4; the spatial sizes must agree"
    )
    assert info.value.span.start == spec.index("conv3x3x4")
