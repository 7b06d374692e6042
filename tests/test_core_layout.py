"""Architecture validation, the N formula and the flat ⇄ named parameter layout."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critlocus.core.architecture import Architecture
from critlocus.core.errors import CritlocusError, InvalidArgument


def n_formula(widths, bias):
    return sum(widths[k] * (widths[k - 1] + int(bias[k - 1])) for k in range(1, len(widths)))


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("widths", "shown"),
    [
        ((3, 0, 2), "0"),
        ((3, -2, 2), "-2"),
        ((3, 2.5), "2.5"),
        ((True, 2), "True"),
        ((3, "4"), "'4'"),
        ((3, None), "None"),
    ],
)
def test_bad_width_value_is_named(widths, shown):
    with pytest.raises(InvalidArgument) as info:
        Architecture(widths)
    assert shown in str(info.value)
    assert "widths" in str(info.value)


@pytest.mark.parametrize("widths", [(), (4,)])
def test_too_few_widths(widths):
    with pytest.raises(InvalidArgument, match="at least 2"):
        Architecture(widths)


def test_non_sequence_widths():
    with pytest.raises(InvalidArgument, match="sequence") as info:
        Architecture(5)
    assert "5" in str(info.value)


@pytest.mark.parametrize("bias", [(True,), (True, True, True), (1, 0), ("yes", True)])
def test_bad_bias(bias):
    with pytest.raises(InvalidArgument, match="bias") as info:
        Architecture((2, 3, 1), bias=bias)
    assert repr(bias) in str(info.value)


def test_invalid_argument_is_a_value_error_and_critlocus_error():
    with pytest.raises(ValueError):
        Architecture((1, 0))
    with pytest.raises(CritlocusError):
        Architecture((1, 0))


def test_numpy_integers_and_lists_are_normalised():
    arch = Architecture([np.int64(2), np.int32(3), 1], bias=[np.bool_(True), False])
    assert arch.widths == (2, 3, 1)
    assert all(type(w) is int for w in arch.widths)
    assert arch.bias == (True, False)
    assert all(type(b) is bool for b in arch.bias)
    assert arch == Architecture((2, 3, 1), bias=(True, False))


# -- sizes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("widths", "bias", "n"),
    [
        ((2, 3, 1), None, 2 * 3 + 3 + 3 * 1 + 1),  # 13, the docstring example
        ((2, 3, 1), (False, True), 6 + 3 + 1),
        ((4, 4), (False,), 16),
        ((1, 1, 1, 1), None, 6),
        ((3, 5, 2, 4), (True, False, True), 15 + 5 + 10 + 8 + 4),
    ],
)
def test_n_params(widths, bias, n):
    arch = Architecture(widths, bias)
    assert arch.n_params == n == len(arch.layout)
    assert arch.depth == len(widths) - 1
    assert (arch.n_in, arch.n_out) == (widths[0], widths[-1])
    assert arch.to_dict()["n_params"] == n


def test_str_mentions_missing_biases():
    assert "no bias in layers [1]" in str(Architecture((2, 3, 1), bias=(False, True)))
    assert "N=13" in str(Architecture((2, 3, 1)))


# -- layout ----------------------------------------------------------------------------------


def test_block_order_and_offsets():
    layout = Architecture((2, 3, 1), bias=(True, False)).layout
    assert layout.names == ("W_1", "b_1", "W_2")
    assert [b.shape for b in layout.blocks] == [(3, 2), (3,), (1, 3)]
    assert [b.offset for b in layout.blocks] == [0, 6, 9]
    assert "b_2" not in layout and "b_1" in layout
    w2 = layout.block("W_2")
    assert (w2.kind, w2.layer, w2.slice) == ("W", 2, slice(9, 12))


def test_unknown_block_lists_the_known_ones():
    layout = Architecture((2, 3, 1), bias=(True, False)).layout
    with pytest.raises(InvalidArgument, match="b_2") as info:
        layout.block("b_2")
    assert "W_1, b_1, W_2" in str(info.value)


def test_coordinate_names_are_row_major():
    names = Architecture((2, 3, 1)).layout.coordinate_names()
    assert names[:7] == ["W_1[0,0]", "W_1[0,1]", "W_1[1,0]", "W_1[1,1]", "W_1[2,0]", "W_1[2,1]", "b_1[0]"]
    assert names[-4:] == ["W_2[0,0]", "W_2[0,1]", "W_2[0,2]", "b_2[0]"]
    assert len(names) == 13


def test_flatten_unflatten_round_trip_concrete():
    layout = Architecture((2, 3, 1)).layout
    blocks = {"W_1": np.arange(6.0).reshape(3, 2), "b_1": np.array([10.0, 11, 12]),
              "W_2": np.array([[20.0, 21, 22]]), "b_2": np.array([30.0])}
    flat = layout.flatten(blocks)
    assert flat.tolist() == [0, 1, 2, 3, 4, 5, 10, 11, 12, 20, 21, 22, 30]
    back = layout.unflatten(flat)
    assert set(back) == set(blocks)
    for name, value in blocks.items():
        np.testing.assert_array_equal(back[name], value)
    back["W_1"][0, 0] = -1.0  # unflatten copies
    assert flat[0] == 0.0


def test_flatten_errors():
    layout = Architecture((2, 3, 1)).layout
    good = layout.unflatten(np.zeros(13))
    missing = {k: v for k, v in good.items() if k != "b_2"}
    with pytest.raises(InvalidArgument, match=r"missing \['b_2'\]"):
        layout.flatten(missing)
    with pytest.raises(InvalidArgument, match=r"unexpected \['b_3'\]"):
        layout.flatten({**good, "b_3": np.zeros(1)})
    with pytest.raises(InvalidArgument, match=r"W_1.*\(3, 2\).*\(2, 3\)"):
        layout.flatten({**good, "W_1": np.zeros((2, 3))})


@pytest.mark.parametrize("bad", [np.zeros(12), np.zeros(14), np.zeros((13, 1))])
def test_unflatten_wrong_length(bad):
    with pytest.raises(InvalidArgument, match=r"\(13,\)"):
        Architecture((2, 3, 1)).layout.unflatten(bad)


def test_split_list():
    layout = Architecture((1, 2), bias=(True,)).layout
    assert layout.split_list(["a", "b", "c", "d"]) == {"W_1": ["a", "b"], "b_1": ["c", "d"]}
    with pytest.raises(InvalidArgument, match="expected 4 values, got 3"):
        layout.split_list([1, 2, 3])


# -- property over random architectures -------------------------------------------------------


@st.composite
def architectures(draw):
    depth = draw(st.integers(1, 5))
    widths = draw(st.lists(st.integers(1, 6), min_size=depth + 1, max_size=depth + 1))
    bias = draw(st.lists(st.booleans(), min_size=depth, max_size=depth))
    return Architecture(tuple(widths), tuple(bias))


@settings(max_examples=40, deadline=None)
@given(arch=architectures(), seed=st.integers(0, 2**32 - 1))
def test_layout_properties(arch, seed):
    layout = arch.layout
    n = n_formula(arch.widths, arch.bias)
    assert arch.n_params == n == layout.size

    # blocks tile [0, N) contiguously, in the order W_1, (b_1), W_2, (b_2), …
    offset = 0
    expected_names = []
    for k in range(1, arch.depth + 1):
        expected_names.append(f"W_{k}")
        if arch.bias[k - 1]:
            expected_names.append(f"b_{k}")
    assert layout.names == tuple(expected_names)
    for b in layout.blocks:
        assert b.offset == offset
        offset += b.size
        assert b.shape == ((arch.widths[b.layer], arch.widths[b.layer - 1]) if b.kind == "W"
                           else (arch.widths[b.layer],))
    assert offset == n

    # round trip and coordinate names: coordinate i of the flat vector is the named entry
    vec = np.random.default_rng(seed).standard_normal(n)
    blocks = layout.unflatten(vec)
    np.testing.assert_array_equal(layout.flatten(blocks), vec)
    names = layout.coordinate_names()
    assert len(names) == n == len(set(names))
    index = layout.unflatten(np.arange(n, dtype=float))
    for i, name in enumerate(names):
        block, idx = name[:-1].split("[")
        assert index[block][tuple(int(j) for j in idx.split(","))] == i
