"""Strategies for linear networks: arguments validated up front; generated objects satisfy their
defining properties exactly (critical points at 60 digits, ranks over the rationals)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from critlocus.core.errors import InvalidArgument
from critlocus.core.linear import exact_product, exact_rank, is_filling
from critlocus.core.precision import mp_precision
from critlocus.strategies.linear import (
    eckart_young_instances,
    factors_with_ranks,
    generic_matrices,
    linear_widths,
    low_rank_factors,
    random_point_instances,
    regression_data,
)
from critlocus.strategies.linear_minima import convex_problems, local_minimum_instances, search_instance

FAST = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
P60 = mp_precision(60)


@pytest.mark.parametrize("factory,kwargs,name", [
    (linear_widths, {"min_depth": 3, "max_depth": 2}, "min_depth"),
    (linear_widths, {"filling": "yes"}, "filling"),
    (linear_widths, {"filling": False, "max_dim": 1}, "max_dim"),
    (generic_matrices, {"m": 2, "n": 3, "rank": 3}, "rank"),
    (eckart_young_instances, {"ranks": "some"}, "ranks"),
    (low_rank_factors, {"m": 2, "n": 2, "k": 3}, "k"),
])
def test_bad_arguments_name_the_argument(factory, kwargs, name):
    with pytest.raises(InvalidArgument, match=name):
        factory(**kwargs)


def test_unknown_convex_family_is_named():
    with pytest.raises(InvalidArgument, match="unknown convex family 'cubic'"):
        convex_problems((2, 1, 2), families=("cubic",))


@FAST
@given(st.booleans().flatmap(lambda f: st.tuples(st.just(f), linear_widths(filling=f, max_dim=4))))
def test_widths_are_filling_or_not_by_construction(pair):
    filling, widths = pair
    assert is_filling(widths) is filling
    if not filling:
        assert min(widths) < min(widths[0], widths[-1]) and len(widths) >= 3


@FAST
@given(st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(lambda mn: generic_matrices(*mn)))
def test_generic_matrices_have_separated_nonzero_singular_values(Q):
    s = np.linalg.svd(Q, compute_uv=False)
    assert s.min() >= 0.75 - 1e-12  # Weyl: |σ_i − s_i| ≤ ||N||₂ ≤ 1/4, s_i ≥ 1
    assert np.all(-np.diff(s) >= 0.5 - 1e-12)


@FAST
@given(st.integers(1, 4).flatmap(lambda d0: regression_data(d0, 2)))
def test_regression_inputs_have_full_row_rank(data):
    X, Y = data
    assert exact_rank(X) == X.shape[0]
    assert X.shape[1] == Y.shape[1] == 8


@FAST
@given(linear_widths(max_dim=4).flatmap(lambda w: st.tuples(st.just(w), factors_with_ranks(w))))
def test_factors_have_the_drawn_ranks_exactly(pair):
    widths, mats = pair
    for i, M in enumerate(mats):
        assert M.shape == (widths[i + 1], widths[i])
    assert exact_rank(exact_product(mats, widths[0])) <= min(widths)


@FAST
@given(st.tuples(st.integers(2, 4), st.integers(2, 4)).flatmap(
    lambda mn: st.integers(0, min(mn)).flatmap(
        lambda k: st.tuples(st.just(k), low_rank_factors(mn[0], mn[1], k)))))
def test_low_rank_factors_have_rank_k(pair):
    k, (A, B) = pair
    assert exact_rank(A) == exact_rank(B) == exact_rank(A @ B) == k


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(eckart_young_instances(min_depth=2, max_depth=3, max_dim=3, regression=st.booleans()))
def test_eckart_young_points_are_critical_at_60_digits(instance):
    dec = instance.evaluation().gradient_decision(P60)
    assert dec.status == "zero", dec.to_dict()
    assert dec.value <= 1e-55 * (1 + dec.threshold * 1e60)
    from critlocus.claims.linear import functional_view

    assert functional_view(instance).rank_decision(P60).rank == instance.info["e"]


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(random_point_instances(max_dim=3))
def test_random_points_record_exact_ranks(instance):
    from critlocus.claims.linear import functional_view

    assert functional_view(instance).rank_decision(P60).rank == instance.info["e"]


def test_search_instances_are_reproducible():
    from critlocus.core.linear import weighted_frobenius_problem

    problem = weighted_frobenius_problem((2, 1, 2), [[0.47, 0.89], [0.32, 0.03]],
                                         [[-0.86, 0.62], [-1.76, -1.03]])
    a, b = search_instance(problem, starts=16), search_instance(problem, starts=16)
    assert a.info["minima_found"] == b.info["minima_found"]
    assert a.point.realize_float64(problem.data).tolist() == b.point.realize_float64(problem.data).tolist()
    assert a.info["n_minima_found"] == 2 and a.info["gap_float64"] > 0.5


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(local_minimum_instances(widths=linear_widths(min_depth=2, max_depth=2, max_dim=3), starts=4))
def test_search_points_are_polished_to_critical_points(instance):
    assert instance.evaluation().gradient_decision(mp_precision(60)).status == "zero"
    assert instance.info["loss_float64"] >= instance.info["best_loss_float64"]


def test_eckart_young_count_family_covers_every_stratum_and_its_roots_are_critical_at_60_digits():
    """tkb.thm.eckart-young's count family: one explicit example per shape (d_0, r, d_h),
    d_0, d_h ∈ {2, 3}, so every stratum (m, e), e ≤ m ≤ 3, is searched; the seeded Q has distinct
    nonzero singular values; every root-finding limit, polished, has ∇L = 0 decided at 60 digits."""
    from critlocus.theorems.tkb.s_quadratic import COUNT_EXAMPLES, ECKART_YOUNG, _root_instances

    strata = {(inst.info["m"], e) for inst in COUNT_EXAMPLES for e in range(inst.info["r"] + 1)}
    assert strata == {(m, e) for m in (2, 3) for e in range(m + 1)}
    assert set(ECKART_YOUNG.examples) == set(COUNT_EXAMPLES)
    for inst in COUNT_EXAMPLES:
        s = np.linalg.svd(inst.problem.data.Y, compute_uv=False)
        assert s.min() > 0.5 and np.all(np.diff(s) < -0.5)
    small = next(i for i in COUNT_EXAMPLES if i.problem.architecture.widths == (2, 1, 2))
    roots = _root_instances(small)
    assert len(roots) >= 2  # seeded search (deterministic): it finds more than one critical point
    for root in roots:
        assert root.evaluation().gradient_decision(mp_precision(60)).status == "zero"
