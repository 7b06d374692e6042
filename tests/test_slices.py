"""core/slices.py, core/interpolation.py and critlocus/claims/slices.py: features, the slice's
quadratic form, its kernel, least squares, the output Jacobian and Gauss–Newton onto M agree
across precisions; the slice claims refute what is false (K ⊄ ker Hess at a saddle)."""

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from critlocus import claims, strategies
from critlocus.core import Architecture, Dataset, Instance, Network, Problem, squared_error
from critlocus.core import float64 as f64
from critlocus.core.decisions import zero_threshold
from critlocus.core.errors import InvalidArgument
from critlocus.core.interpolation import output_jacobian_mp, project_to_interpolation_mp, residuals_mp
from critlocus.core.points import MeanTarget, PointRecipe, Zero
from critlocus.core.precision import DEFAULT_LADDER, mp_precision
from critlocus.core.slices import (
    augment,
    features_float64,
    features_mp,
    kernel_basis,
    last_layer_indices,
    least_squares_last_layer,
    loss_mp,
    slice_gram,
)
from critlocus.core.verdict import Verdict

FAST = settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def as_array(M) -> np.ndarray:
    return np.array([[float(M[i, j]) for j in range(M.cols)] for i in range(M.rows)])


@st.composite
def small_problems(draw):
    arch = Architecture((draw(st.integers(1, 2)), draw(st.integers(1, 4)), draw(st.integers(1, 4)),
                         draw(st.integers(1, 2))), bias=(True, True, draw(st.booleans())))
    d = draw(st.integers(1, 4))
    data = draw(strategies.datasets(n_in=arch.n_in, n_out=arch.n_out, min_size=d, max_size=d, bits=4))
    theta = draw(strategies.generic_arrays((arch.n_params,), bits=12))
    return Problem(Network(arch, draw(strategies.activations("tanh", "silu", "cubic"))), squared_error(),
                   data), theta


def test_last_layer_indices_follow_the_layout():
    arch = Architecture((2, 3, 2))
    idx = last_layer_indices(arch)
    layout = arch.layout
    W, b = layout.block("W_2"), layout.block("b_2")
    assert idx == [W.offset, W.offset + 1, W.offset + 2, b.offset,
                   W.offset + 3, W.offset + 4, W.offset + 5, b.offset + 1]
    no_bias = Architecture((2, 3, 2), bias=(True, False))
    assert last_layer_indices(no_bias) == list(range(W.offset, W.offset + 6))


def test_kernel_basis_validates_the_rank():
    with pytest.raises(InvalidArgument, match="rank"):
        kernel_basis(np.ones((2, 3)), 3, 1)


@FAST
@given(small_problems())
def test_features_loss_and_jacobian_agree_between_float64_and_mpmath(case):
    problem, theta = case
    with mpmath.workdps(30):
        params = [mpmath.mpf(float(t)) for t in theta]
        Phi = as_array(features_mp(problem, params))
        L = float(loss_mp(problem, params))
        J = as_array(output_jacobian_mp(problem, params))
    np.testing.assert_allclose(Phi, features_float64(problem, theta), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(L, f64.loss_f64(problem, theta), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(J, f64.output_jacobian_f64(problem, theta), rtol=1e-10, atol=1e-12)


@FAST
@given(small_problems())
def test_slice_gram_is_half_the_exact_slice_hessian(case):
    problem, theta = case
    arch = problem.architecture
    Pt = augment(features_float64(problem, theta), bias=arch.bias[-1])
    idx = last_layer_indices(arch)
    H = f64.hessian_f64(problem, theta)[np.ix_(idx, idx)]
    np.testing.assert_allclose(0.5 * H, slice_gram(Pt, arch.n_out), rtol=1e-10, atol=1e-12)


P60 = mp_precision(60)


@FAST
@given(small_problems())
def test_kernel_and_least_squares_at_60_digits(case):
    problem, theta = case
    arch = problem.architecture
    d = problem.data.size
    with mpmath.workdps(60):
        params = [mpmath.mpf(float(t)) for t in theta]
        Pt = augment(features_mp(problem, params), bias=arch.bias[-1])
        rank = int(np.linalg.matrix_rank(as_array(Pt), tol=1e-10))
        basis = kernel_basis(Pt, rank, arch.n_out)
        assert len(basis) == arch.n_out * (Pt.rows - rank)
        for v in basis:  # Ṽ Φ̃ = 0 and orthonormal rows
            Vt = mpmath.matrix([v[o * Pt.rows:(o + 1) * Pt.rows] for o in range(arch.n_out)])
            assert mpmath.mnorm(Vt * Pt, 1) <= zero_threshold(P60, Pt.rows * Pt.cols, mpmath.mnorm(Pt, 1))
            assert abs(mpmath.fdot(v, v) - 1) <= zero_threshold(P60, len(v), 1.0)
        W = mpmath.matrix(least_squares_last_layer(Pt, problem.data.Y, rank))
        # normal equations W Φ̃ Φ̃ᵀ = Yᵀ Φ̃ᵀ: the least-squares last layer is slice-critical, to the
        # rounding of the terms combined (τ = κ·n·u·S, S = (‖W‖‖Φ̃‖ + ‖Y‖)‖Φ̃‖; a cubic σ makes Φ̃ large)
        Yt = mpmath.matrix(problem.data.Y.T.tolist())
        size = mpmath.mnorm(W, 1) * mpmath.mnorm(Pt, 1) + mpmath.mnorm(Yt, 1)
        n = Pt.rows * Pt.cols
        normal = mpmath.mnorm(W * Pt * Pt.T - Yt * Pt.T, 1)
        assert normal <= zero_threshold(P60, n, size * mpmath.mnorm(Pt, 1))
        if rank == d:
            assert mpmath.mnorm(W * Pt - Yt, 1) <= zero_threshold(P60, n, size)


@FAST
@given(strategies.interpolating_instances(regime="mild", max_data=3))
def test_gauss_newton_reaches_m_at_60_digits(instance):
    problem = instance.problem
    theta = instance.evaluation().theta
    with mpmath.workdps(60):
        result = project_to_interpolation_mp(problem, theta)
        r = residuals_mp(problem, result.params)
        assert result.converged
        size = 1 + float(np.abs(problem.data.Y).sum())
        assert mpmath.sqrt(mpmath.fdot(r, r)) <= mpmath.mpf(10) ** -55 * size


def _star_saddle() -> Instance:
    """S_1 of widths 2-1-2 with 3 data points: a saddle (rank R = 2) with Φ = 0."""
    arch = Architecture((2, 1, 2))
    X = np.array([[0.0, 0.0], [0.0, 0.0625], [0.0625, 0.0]])
    problem = Problem(Network(arch, "tanh"), squared_error(), Dataset(X, X.copy()))
    return Instance(problem, PointRecipe(arch, {"W_1": Zero(), "b_1": Zero(), "W_2": Zero(),
                                                "b_2": MeanTarget()}), label="p ∈ S_1")


def test_kernel_of_the_slice_form_is_not_in_ker_hess_at_a_saddle():
    inst = _star_saddle()
    assert claims.is_critical().check(inst, DEFAULT_LADDER).verdict == Verdict.HOLDS
    assert claims.constant_on_slice_kernel().check(inst, DEFAULT_LADDER).verdict == Verdict.HOLDS
    # at a saddle only vᵀ Hess v = 0 on K is forced: Hess·v ≠ 0 here (the xy pattern)
    out = claims.hessian_vanishes_on_slice_kernel().check(inst, DEFAULT_LADDER)
    assert out.verdict == Verdict.FAILS, out.reason
    spec = inst.evaluation().inertia(mp_precision(60))
    assert spec.inertia == (4, 2, 1)
    # the exact statement survives: Hess·v = (2Σ_j J̃_jᵀṼᵀr_j, 0) on K, and Hess vanishes on K ∩ ker M
    out = claims.hessian_kernel_from_slice().check(inst, DEFAULT_LADDER)
    assert out.verdict == Verdict.HOLDS, out.reason
    ev = out.tiers[-1].evidence
    assert (ev["dim_K"], ev["rank_M"]) == (2, 2)  # K = {W_2 free} (Φ = 0), M = R-block of rank 2


def _bound(instance, ranks):
    return instance.n_out * (instance.problem.architecture.widths[-2] - ranks.k)


SADDLE_CLAIM = claims.slice_zero_eigenvalues(_bound, text="n_ℓ(n_{ℓ−1} − k)", only_saddles=True)


def test_saddle_bound_is_refuted_at_the_star_saddle():
    out = SADDLE_CLAIM.check(_star_saddle(), DEFAULT_LADDER)
    assert out.verdict == Verdict.FAILS and out.precision == "mpmath-60"


@settings(max_examples=3, deadline=None, database=None)
@given(strategies.global_minimum_instances(max_data=2, max_depth=2))
def test_saddle_bound_is_vacuous_at_minima(minimum):
    out = SADDLE_CLAIM.check(minimum, DEFAULT_LADDER)
    assert out.verdict == Verdict.HOLDS and "vacuous" in out.tiers[-1].evidence


def test_literal_rank_bound_fails_when_the_bias_row_adds_a_direction():
    # one hidden unit, two distinct inputs: k = 1 but rank Φ̃ = 2, so rank Q = 2 > k·n_ℓ
    arch = Architecture((1, 1, 1))
    problem = Problem(Network(arch, "tanh"), squared_error(),
                      Dataset(np.array([[0.0], [1.0]]), np.array([[0.0], [1.0]])))
    from critlocus.core.points import Given

    inst = Instance(problem, PointRecipe(arch, {"W_1": Given(np.ones((1, 1))), "b_1": Given(np.zeros(1)),
                                                "W_2": Given(np.ones((1, 1))), "b_2": Given(np.zeros(1))}))
    assert claims.slice_form_rank().check(inst, DEFAULT_LADDER).verdict == Verdict.HOLDS
    literal = claims.slice_form_rank(bound=lambda i, r: r.k * i.n_out, text="k·n_ℓ")
    assert literal.check(inst, DEFAULT_LADDER).verdict == Verdict.FAILS
