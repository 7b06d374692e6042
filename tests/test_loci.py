"""Locus strategies (strategies/loci.py): every constructed point satisfies its defining equations
exactly — its gradient is decided zero at 60 digits — and the constructions validate their arguments."""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from critlocus import strategies
from critlocus.core.architecture import Architecture
from critlocus.core.errors import InvalidArgument
from critlocus.core.precision import mp_precision

FAST = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
MP60 = mp_precision(60)

LOCI = {
    "star, 1..ℓ−1, ℓ ≥ 2": strategies.star_locus_instances(min_depth=2, max_depth=5, max_width=4, max_data=4),
    "star, 2..ℓ−1": strategies.star_locus_instances(min_depth=3, max_depth=5, max_width=4, max_data=4,
                                                    min_index=2),
    "k-core, |I| ≥ 3": strategies.core_locus_instances(max_depth=6, max_width=3, max_data=3,
                                                       min_index_set_size=3),
    "generic star": strategies.star_locus_instances(max_depth=5, max_width=4, max_data=4, generic=True),
    "generalised (sigmoid allowed, biases optional)": strategies.generalised_locus_instances(
        max_depth=5, max_width=4, max_data=4),
    "equal-width core and star (§6)": strategies.equal_width_core_instances(
        widths=[2, 3, 5], depths=[3, 4, 5], loci=("core", "star")),
}


def _mean_target_is_rebuilt(instance):
    arch = instance.problem.architecture
    with mpmath.workdps(60):
        realized = instance.point.realize_mp(instance.problem.data)
        b_out = realized[arch.layout.block(f"b_{arch.depth}").slice]
        assert b_out == instance.problem.data.mean_target_mp()


@pytest.mark.parametrize("name", list(LOCI))
def test_locus_points_are_critical_at_60_digits(name):
    generalised = name.startswith("generalised")

    @FAST
    @given(LOCI[name])
    def check(instance):
        arch = instance.problem.architecture
        eqs = strategies.defining_equations(arch, instance.info["index_set"], generalised=generalised)
        for block, rhs in eqs.items():
            assert instance.point.rules[block].label == ("mean_target" if rhs == "ȳ" else "zero")
        _mean_target_is_rebuilt(instance)
        dec = instance.evaluation().gradient_decision(MP60)
        assert dec.status == "zero", dec.to_dict()
        assert dec.value <= dec.threshold

    check()


@FAST
@given(strategies.generalised_locus_instances(max_depth=4, max_width=3,
                                              activations=strategies.activations("sigmoid")))
def test_generalised_loci_need_neither_zero_biases_nor_sigma_zero(instance):
    # σ(0) ≠ 0: the last hidden layer is a nonzero constant over the data, yet the point is critical
    assert not instance.problem.network.activation.zero_at_zero
    assert instance.evaluation().gradient_decision(MP60).status == "zero"


@FAST
@given(strategies.last_layer_zero_instances(max_depth=4, max_width=3))
def test_last_layer_zero_points(instance):
    arch = instance.problem.architecture
    with mpmath.workdps(60):
        realized = instance.point.realize_mp(instance.problem.data)
    assert all(v == 0 for v in realized[arch.layout.block(f"W_{arch.depth}").slice])
    assert instance.point.rules[f"b_{arch.depth}"].label == "given"  # b_ℓ free, not ȳ


@FAST
@given(strategies.star_locus_instances(max_depth=4, max_width=3, max_data=4),
       st.integers(-20, -4), st.integers(1, 7))
def test_dyadic_offset_moves_exactly_delta(instance, exponent, mult):
    """b_ℓ moved by δ = m·2^e: ∂L/∂b_ℓ = 2d(b_ℓ − ȳ), so ||∇L|| = 2d·δ·√n_ℓ up to fl(ȳ) − ȳ."""
    delta = mult * 2.0**exponent
    ell = instance.problem.architecture.depth
    moved = strategies.with_block_offset(instance, f"b_{ell}", delta)
    before = instance.point.blocks_float64(instance.problem.data)[f"b_{ell}"]
    after = moved.point.blocks_float64(moved.problem.data)[f"b_{ell}"]
    assert np.array_equal(after, before + delta)
    assert moved.point.rules[f"b_{ell}"].to_dict()["note"] == f"ȳ + {delta!r}"
    dec = moved.evaluation().gradient_decision(MP60)
    assert dec.status == "nonzero"
    d, n_out = moved.n_data, moved.n_out
    ybar_err = float(np.max(np.abs(before)) + np.max(np.abs(after))) * 2.0**-52 + 2.0**-1074
    assert math.isclose(dec.value, 2 * d * delta * math.sqrt(n_out), abs_tol=4 * d * n_out * ybar_err)


def test_offset_validation_and_entries():
    inst = strategies.equal_width_core_instance(2, 3, n_data=2)
    moved = strategies.with_block_offset(inst, "W_1", 0.25, entries=[1])
    assert moved.point.blocks_float64(inst.problem.data)["W_1"].reshape(-1).tolist() == [0.0, 0.25]
    for bad in (0, float("nan"), True):
        with pytest.raises(InvalidArgument, match="delta"):
            strategies.with_block_offset(inst, "W_1", bad)
    with pytest.raises(InvalidArgument, match="entry"):
        strategies.with_block_offset(inst, "W_1", 0.5, entries=[5])
    with pytest.raises(InvalidArgument, match="W_9"):
        strategies.with_block_offset(inst, "W_9", 0.5)


@FAST
@given(strategies.with_random_direction(strategies.core_locus_instances(max_depth=5, max_width=3),
                                        support="escape"))
def test_escape_directions_move_only_the_zero_layers_and_the_last(instance):
    layout = instance.problem.architecture.layout
    v = np.array(instance.info["direction"])
    moving = {f"W_{i}" for i in instance.info["index_set"]} | {f"W_{instance.problem.architecture.depth}"}
    for b in layout.blocks:
        assert bool(np.any(v[b.slice] != 0)) == (b.name in moving)


def test_direction_support_validation():
    base = strategies.star_locus_instances(max_depth=3, max_width=2)
    with pytest.raises(InvalidArgument, match="support"):
        strategies.with_random_direction(base, support="everything")
    with pytest.raises(InvalidArgument, match="strategy"):
        strategies.with_random_direction([1, 2], support="all")


def test_defining_equations_match_the_paper():
    arch = Architecture((2, 3, 4, 3, 1))
    assert strategies.defining_equations(arch, [2]) == {
        "W_2": "0", "b_2": "0", "b_3": "0", "W_4": "0", "b_4": "ȳ"}
    assert strategies.defining_equations(arch, [1, 3], generalised=True) == {
        "W_1": "0", "W_3": "0", "W_4": "0", "b_4": "ȳ"}


@FAST
@given(strategies.equal_width_core_instances(widths=[2, 3, 5], depths=[3, 4], loci=("M",)))
def test_equal_width_global_minima_interpolate_at_60_digits(instance):
    ev = instance.evaluation()
    assert instance.info["locus"] == "M"
    assert ev.gradient_decision(MP60).status == "zero"
    assert ev.loss(MP60) < 1e-50


def test_equal_width_family():
    arch = strategies.equal_width_architecture(5, 4, n_in=2)
    assert arch.widths == (2, 5, 5, 5, 1)
    assert arch.n_params == (4 - 2) * 25 + (2 + 4) * 5 + 1  # N = (ℓ−2)w² + (n_0+ℓ)w + 1
    a = strategies.equal_width_core_instance(3, 4, seed=5)
    b = strategies.equal_width_core_instance(3, 4, seed=5)
    assert np.array_equal(a.evaluation().theta, b.evaluation().theta)
    assert a.problem.data.has_distinct_inputs()
    assert a.info["index_set"] == [2, 3]


@pytest.mark.parametrize("factory,kwargs,name", [
    (strategies.generalised_locus_instances, {"min_depth": 1}, "min_depth"),
    (strategies.generalised_locus_instances, {"hidden_bias": "yes"}, "hidden_bias"),
    (strategies.generalised_locus_instances, {"min_index_set_size": 3, "max_depth": 3}, "max_depth"),
    (strategies.last_layer_zero_instances, {"min_depth": 4, "max_depth": 2}, "min_depth"),
    (strategies.star_locus_instances, {"generic": 1}, "generic"),
    (strategies.star_locus_instances, {"generic": True, "max_data": 1}, "max_data"),
    (strategies.equal_width_architecture, {"width": 0, "depth": 3}, "width"),
    (strategies.equal_width_core_instance, {"width": 2, "depth": 2}, "depth"),
    (strategies.equal_width_core_instance, {"width": 2, "depth": 4, "index_set": [2]}, "index_set"),
    (strategies.equal_width_core_instances, {"widths": [], "depths": [3]}, "widths"),
    (strategies.equal_width_core_instances, {"widths": [2], "depths": [2]}, "depths"),
    (strategies.equal_width_core_instances, {"widths": [2], "depths": [3], "loci": ["saddle"]}, "loci"),
    (strategies.equal_width_core_instances, {"widths": [2], "depths": [3], "loci": ["M"], "n_data": [5]},
     "n_data"),
    (strategies.equal_width_global_minimum_instance, {"width": 2, "depth": 3, "n_data": 4}, "width"),
])
def test_bad_arguments_name_the_argument(factory, kwargs, name):
    with pytest.raises(InvalidArgument, match=name):
        factory(**kwargs)


@FAST
@given(strategies.star_locus_instances(max_depth=5, max_width=4, generic=True))
def test_generic_draws_are_generic_by_construction(instance):
    data = instance.problem.data
    assert data.size >= 2
    assert all(len(set(data.Y[:, o].tolist())) > 1 for o in range(data.n_out))
    for name, rule in instance.point.rules.items():
        if name.startswith("W_") and rule.label == "given":
            assert np.any(rule.values != 0)
