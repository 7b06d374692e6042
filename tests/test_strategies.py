"""Strategies: arguments validated up front; generated points lie on their locus by construction."""

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from critlocus import strategies
from critlocus.core.errors import InvalidArgument

FAST = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("factory,kwargs,name", [
    (strategies.architectures, {"min_depth": 5, "max_depth": 3}, "min_depth"),
    (strategies.architectures, {"max_width": 0}, "max_width"),
    (strategies.architectures, {"min_outputs": 2.5}, "min_outputs"),
    (strategies.datasets, {"n_in": 0, "n_out": 1}, "n_in"),
    (strategies.datasets, {"n_in": 1, "n_out": 1, "min_size": 4, "max_size": 2}, "min_size"),
    (strategies.dyadic_floats, {"bound": -1.0}, "bound"),
    (strategies.star_locus_instances, {"min_index": 3}, "min_index"),
    (strategies.star_locus_instances, {"max_depth": 2, "min_index_set_size": 2}, "max_depth"),
    (strategies.core_locus_instances, {"min_index_set_size": 1}, "min_index_set_size"),
])
def test_bad_arguments_name_the_argument(factory, kwargs, name):
    with pytest.raises(InvalidArgument, match=name):
        factory(**kwargs)


def test_activations_by_property():
    with pytest.raises(InvalidArgument, match="no registered activation"):
        strategies.activations(smooth=True, zero_at_zero=True, bounded=True, analytic=False)


@FAST
@given(strategies.star_locus_instances(max_depth=6, max_width=5))
def test_star_points_satisfy_the_definition(instance):
    arch = instance.problem.architecture
    ell, idx = arch.depth, instance.info["index_set"]
    blocks = instance.point.blocks_float64(instance.problem.data)
    for i in idx:
        assert not blocks[f"W_{i}"].any()
    for k in range(min(idx), ell):
        assert not blocks[f"b_{k}"].any()
    assert not blocks[f"W_{ell}"].any()
    assert np.array_equal(blocks[f"b_{ell}"], instance.problem.data.mean_target())
    assert set(instance.info["free_blocks"]).isdisjoint({f"W_{i}" for i in idx} | {f"W_{ell}"})
    assert instance.problem.data.has_distinct_inputs()
    assert instance.problem.network.activation.smooth and instance.problem.network.activation.zero_at_zero
    # b_ℓ is rebuilt as ȳ at high precision, not taken from its float64 rounding
    with mpmath.workdps(50):
        realized = instance.point.realize_mp(instance.problem.data)
        b_out = realized[arch.layout.block(f"b_{ell}").slice]
        assert b_out == instance.problem.data.mean_target_mp()


@FAST
@given(strategies.core_locus_instances(max_depth=6, max_width=5))
def test_core_points_have_two_zero_hidden_layers(instance):
    assert instance.info["k"] >= 2 and instance.info["locus"] == "core"
    assert "⊆ C" in instance.label


@FAST
@given(strategies.star_locus_instances(max_depth=4, max_width=3))
def test_ulp_offset_moves_exactly_k_units(instance):
    ell = instance.problem.architecture.depth
    moved = strategies.with_block_offset_ulps(instance, f"b_{ell}", 3)
    before = instance.point.blocks_float64(instance.problem.data)[f"b_{ell}"]
    after = moved.point.blocks_float64(instance.problem.data)[f"b_{ell}"]
    steps = before.copy()
    for _ in range(3):
        steps = np.nextafter(steps, np.inf)
    assert np.array_equal(after, steps)
    assert moved.point.rules[f"b_{ell}"].to_dict()["note"] == "fl(ȳ) + 3 ulp"
    with pytest.raises(InvalidArgument, match="ulps"):
        strategies.with_block_offset_ulps(instance, f"b_{ell}", 0)


@FAST
@given(strategies.dyadic_arrays((3, 2), bound=2.0, bits=10))
def test_dyadic_values_are_exact(arr):
    assert np.all(np.abs(arr) <= 2.0)
    assert np.all((arr * 2**10) == np.round(arr * 2**10))


def test_star_locus_point_rejects_bad_index_sets():
    from critlocus.core.architecture import Architecture

    arch = Architecture((2, 3, 3, 1))
    with pytest.raises(InvalidArgument, match="index set"):
        strategies.star_locus_point(arch, [3], {})
    with pytest.raises(InvalidArgument, match="nonempty"):
        strategies.star_locus_point(arch, [], {})
    with pytest.raises(InvalidArgument, match="free blocks"):
        strategies.star_locus_point(arch, [1], {})
