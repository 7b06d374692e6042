"""Linear-network numerics for Trager–Kohn–Bruna: weighted losses on W̄, determinantal frames,
Riemannian Hessians, the pure/spurious classifier, polishing, enumeration, GL paths."""

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critlocus.core import float64 as f64
from critlocus.core.determinantal import (
    normal_basis,
    rank_frame,
    riemannian_hessian,
    tangent_basis,
    tangent_projection,
)
from critlocus.core.errors import InvalidArgument
from critlocus.core.evaluation import PointEvaluation
from critlocus.core.gl_paths import gl_path
from critlocus.core.highprec import MPLandscape
from critlocus.core.linear import (
    LinearNetwork,
    differential_rank_formula,
    exact_partial_ranks,
    exact_rank,
    factor_matrices,
    frobenius_problem,
    loss_polynomial,
    mp_matrix,
    regression_problem,
    weighted_frobenius_problem,
)
from critlocus.core.linear_search import (
    balance,
    loss_and_gradient_function,
    multistart_critical_points,
    multistart_minima,
)
from critlocus.core.losses import log_cosh, pseudo_huber, weighted_squared_error
from critlocus.core.points import PolishedCriticalPoint
from critlocus.core.precision import mp_precision
from critlocus.core.pure_spurious import FunctionalView, classify_critical_point
from critlocus.core.weighted_rank_one import rank_one_critical_points
from critlocus.strategies.linear import given_point, zero_point

P30, P60 = mp_precision(30), mp_precision(60)
LAMBDA = [[0.47, 0.89], [0.32, 0.03]]
Q_CAT = [[-0.86, 0.62], [-1.76, -1.03]]


# -- weighted losses on W̄ ----------------------------------------------------------------------------


def test_matrix_weights_are_per_data_point_and_output_in_both_precisions():
    rng = np.random.default_rng(0)
    Lam, Q = rng.integers(1, 9, (2, 3)) / 4, rng.integers(-8, 9, (2, 3)) / 4
    problem = weighted_frobenius_problem((3, 2, 2), Lam, Q)
    theta = rng.integers(-4, 5, problem.n_params) / 4
    W = problem.architecture.layout.unflatten(theta)
    Wbar = W["W_2"] @ W["W_1"]
    exact = float(np.sum(Lam * (Wbar - Q) ** 2))  # dyadic: exact in float64
    assert f64.loss_f64(problem, theta) == exact
    with mpmath.workdps(30):
        land = MPLandscape(problem, [mpmath.mpf(float(x)) for x in theta])
        assert land.loss() == exact
        g = np.array([float(x) for x in land.gradient()])
    np.testing.assert_array_equal(g, f64.gradient_f64(problem, theta))


def test_matrix_weights_validate_their_shape():
    with pytest.raises(InvalidArgument, match=r"2 × 3 weight matrix but the problem has 3 data points"):
        frobenius_problem((3, 2), np.zeros((2, 3)), weighted_squared_error([[1.0] * 3] * 2))
    with pytest.raises(InvalidArgument, match="positive"):
        weighted_squared_error([[1.0, -1.0]])
    with pytest.raises(InvalidArgument, match="per-data-point"):
        weighted_squared_error([[1.0, 2.0]]).output_weights(2)


@pytest.mark.parametrize("loss", [None, pseudo_huber(0.5), log_cosh()], ids=["squared", "huber", "logcosh"])
def test_numpy_backprop_matches_torch(loss):
    rng = np.random.default_rng(1)
    problem = frobenius_problem((3, 2, 4, 2), rng.standard_normal((2, 3)), loss)
    theta = rng.standard_normal(problem.n_params)
    value, grad = loss_and_gradient_function(problem)(theta)
    eps = np.finfo(float).eps
    assert abs(value - f64.loss_f64(problem, theta)) <= 64 * eps * (1 + abs(value))
    np.testing.assert_allclose(grad, f64.gradient_f64(problem, theta), rtol=0,
                               atol=64 * eps * (1 + np.abs(grad).max()))


# -- determinantal frames ----------------------------------------------------------------------------


@pytest.mark.parametrize(("m", "n", "e"), [(3, 4, 1), (4, 3, 2), (3, 3, 3), (2, 4, 2)])
def test_tangent_and_normal_bases_are_orthonormal_complements(m, n, e):
    rng = np.random.default_rng(m * 10 + n + e)
    with mpmath.workdps(40):
        P = mp_matrix(rng.standard_normal((m, e))) * mp_matrix(rng.standard_normal((e, n)))  # rank e exactly
        fr = rank_frame(P, e)
        T, N = tangent_basis(fr), normal_basis(fr)
        assert T.cols == e * (m + n - e) and N.cols == (m - e) * (n - e)
        B = mpmath.matrix(m * n, m * n)
        for j in range(T.cols):
            for i in range(m * n):
                B[i, j] = T[i, j]
        for j in range(N.cols):
            for i in range(m * n):
                B[i, T.cols + j] = N[i, j]
        assert mpmath.mnorm(B.T * B - mpmath.eye(m * n), "f") < mpmath.mpf(10) ** -35
        G = mp_matrix(rng.standard_normal((m, n)))
        PG = tangent_projection(G, fr)
        assert mpmath.mnorm(tangent_projection(PG, fr) - PG, "f") < mpmath.mpf(10) ** -35
        # P itself is tangent (a cone), and the normal part of G is U_⊥(·)V_⊥ᵀ
        assert mpmath.mnorm(tangent_projection(P, fr) - P, "f") < mpmath.mpf(10) ** -35


def test_riemannian_hessian_is_the_second_derivative_along_a_curve_at_a_critical_point():
    """At P = Q_I (critical on M_1°), Hess[ξ, ξ] = d²/dt² ℓ(γ(t)) along
    γ(t) = (U + tU_⊥β)(S + tM)(V + tV_⊥ν)ᵀ."""
    rng = np.random.default_rng(5)
    with mpmath.workdps(40):
        Q = mp_matrix(rng.standard_normal((3, 2)))
        U, s, Vt = mpmath.svd_r(Q)
        P = s[1] * U[:, 1] * Vt[1, :]  # a saddle Q_{2}
        fr = rank_frame(P, 1)
        G = 2 * (P - Q)
        H = riemannian_hessian(fr, 2 * mpmath.eye(6), G)
        beta = mp_matrix(rng.standard_normal((2, 1)))
        nu = mp_matrix(rng.standard_normal((1, 1)))
        M = mp_matrix(rng.standard_normal((1, 1)))

        def ell(t):
            g = (fr.U + t * fr.U_perp * beta) * (fr.S + t * M) * (fr.V + t * fr.V_perp * nu).T
            return mpmath.fsum((g[i, j] - Q[i, j]) ** 2 for i in range(3) for j in range(2))

        xi = [M[0, 0]] + [(beta * fr.S)[i, 0] for i in range(2)] + [(fr.S * nu.T)[0, 0]]
        quad = mpmath.fsum(xi[i] * H[i, j] * xi[j] for i in range(4) for j in range(4))
        assert abs(mpmath.diff(ell, 0, 2) - quad) < mpmath.mpf(10) ** -25


# -- pure / spurious ----------------------------------------------------------------------------------


def test_toy_example_classification():
    problem = frobenius_problem((1, 1, 1), [[1.0]])
    zero = classify_critical_point(FunctionalView(problem, zero_point((1, 1, 1))), P30)
    assert zero.label == "spurious" and zero.rank == 0 and not zero.singular  # filling: not singular
    hyper = classify_critical_point(FunctionalView(problem, given_point((1, 1, 1), [[[2.0]], [[0.5]]])), P30)
    assert hyper.label == "pure" and hyper.rank == 1


def test_singular_point_convention_on_a_non_filling_network():
    """W̄ = 0 on d = (2, 1, 2) is a singular point of M_1: pure iff ∇ℓ(0) = 0."""
    zero = zero_point((2, 1, 2))
    spurious = classify_critical_point(FunctionalView(frobenius_problem((2, 1, 2), np.eye(2)), zero), P30)
    assert spurious.label == "spurious" and spurious.singular
    pure = classify_critical_point(FunctionalView(frobenius_problem((2, 1, 2), np.zeros((2, 2))),
                                                  zero_point((2, 1, 2))), P30)
    assert pure.label == "pure" and "convention" in pure.to_dict() and pure.to_dict()["convention"]


# -- exact ranks and the differential ------------------------------------------------------------------


@pytest.mark.parametrize("widths", [(3, 2, 3), (2, 3, 1, 2), (3, 1, 2, 3), (4, 3, 2, 2)], ids=str)
def test_differential_rank_formula_matches_the_exact_rank(widths):
    rng = np.random.default_rng(sum(widths))
    for _ in range(5):
        mats = []
        for i in range(1, len(widths)):
            M = rng.integers(-2, 3, (widths[i], widths[i - 1])).astype(float)
            M[:, rng.integers(0, widths[i - 1])] = 0  # drop ranks now and then
            mats.append(M)
        theta = np.concatenate([M.reshape(-1) for M in mats])
        net = LinearNetwork(widths)
        above, below = exact_partial_ranks(mats)
        assert exact_rank(net.product_jacobian(theta)) == differential_rank_formula(above, below, widths[0])


def test_loss_polynomial_is_the_loss_along_the_line():
    rng = np.random.default_rng(2)
    problem = regression_problem((2, 3, 2), rng.standard_normal((2, 5)), rng.standard_normal((2, 5)))
    theta, delta = rng.standard_normal(problem.n_params), rng.standard_normal(problem.n_params)
    with mpmath.workdps(40):
        arch = problem.architecture
        W = factor_matrices(arch, [mpmath.mpf(float(x)) for x in theta])
        D = factor_matrices(arch, [mpmath.mpf(float(x)) for x in delta])
        c = loss_polynomial(problem, W, D)
        assert len(c) == 5
        for t in (mpmath.mpf("0.3"), mpmath.mpf(-2)):
            moved = [mpmath.mpf(float(a)) + t * float(b) for a, b in zip(theta, delta)]
            direct = MPLandscape(problem, moved).loss()
            assert abs(mpmath.polyval(c[::-1], t) - direct) < mpmath.mpf(10) ** -30 * (1 + abs(direct))


# -- search and polishing -------------------------------------------------------------------------------


def test_catalogue_instance_has_two_minima_and_polishing_reaches_60_digits():
    problem = weighted_frobenius_problem((2, 1, 2), LAMBDA, Q_CAT)
    minima = multistart_minima(problem, starts=12, seed=1)
    assert [round(m.loss, 6) for m in minima] == [0.128261, 0.680568]
    ev = PointEvaluation(problem, PolishedCriticalPoint.from_start(problem, minima[-1].theta))
    for prec in (P30, P60):
        dec = ev.gradient_decision(prec)
        assert dec.status == "zero" and dec.value < 10.0 ** -(prec.dps - 2)
    assert ev.inertia(P60).inertia == (3, 0, 1)  # a minimum; the zero is the GL(1) fibre


def test_balance_stays_on_the_fibre():
    problem = frobenius_problem((2, 1, 3, 2), np.ones((2, 2)))
    theta = np.random.default_rng(3).standard_normal(problem.n_params) * np.repeat([100.0, 0.01, 1.0],
                                                                                  [2, 3, 6])
    balanced = balance(problem, theta)
    net = LinearNetwork((2, 1, 3, 2))
    np.testing.assert_allclose(net.product(balanced), net.product(theta), rtol=1e-13)
    norms = [np.linalg.norm(balanced[b.slice]) for b in problem.architecture.layout.blocks]
    assert max(norms) / min(norms) < 1 + 1e-12


def test_enumeration_of_rank_one_critical_points():
    with mpmath.workdps(30):
        pts = rank_one_critical_points(LAMBDA, Q_CAT)
        assert [(p.kind, round(float(p.value), 6)) for p in pts] == [
            ("minimum", 0.128261), ("minimum", 0.680568), ("saddle", 0.692439), ("saddle", 1.349178)]
        Q = np.array([[2.0, 0.5], [-1.0, 1.5]])
        euclid = rank_one_critical_points(np.ones((2, 2)), Q)
        s = np.linalg.svd(Q, compute_uv=False)
        assert [round(float(p.value), 12) for p in euclid] == [round(s[1] ** 2, 12), round(s[0] ** 2, 12)]
    # root-finding in parameter space finds the same nonzero critical points (plus θ = 0)
    problem = weighted_frobenius_problem((2, 1, 2), LAMBDA, Q_CAT)
    roots = multistart_critical_points(problem, starts=24, seed=0)
    assert len(roots) == 5


def test_gl_path_keeps_the_sign_of_the_determinant():
    rng = np.random.default_rng(4)
    with mpmath.workdps(30):
        for n in (1, 2, 3):
            A, B = mp_matrix(rng.standard_normal((n, n))), mp_matrix(rng.standard_normal((n, n)))
            if mpmath.det(A) * mpmath.det(B) < 0:
                B[0, 0:n] = -B[0, 0:n] if n > 1 else -B[0, 0]
                if n == 1:
                    B = -B if mpmath.det(A) * mpmath.det(B) < 0 else B
            path = gl_path(A, B)
            assert mpmath.mnorm(path(0) - A, "f") < 1e-25 and mpmath.mnorm(path(1) - B, "f") < 1e-25
            signs = {mpmath.sign(mpmath.det(path(k / 16))) for k in range(17)}
            assert len(signs) == 1
        with pytest.raises(InvalidArgument, match="same sign"):
            gl_path(mpmath.eye(2), mpmath.diag([1, -1]))


def test_exact_rank_of_rational_matrices():
    assert exact_rank([[1.0, 2.0], [2.0, 4.0]]) == 1
    # the float64 numbers 0.1, 0.3, 0.9 are binary rationals with 0.1·0.9 ≠ 0.3·0.3 exactly
    assert exact_rank([[0.1, 0.3], [0.3, 0.9]]) == 2
    assert exact_rank(np.zeros((2, 3))) == 0



@settings(max_examples=60, deadline=None, database=None)
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_rank_frames_are_orthonormal_even_for_sparse_wide_matrices(m, n, data):
    """mpmath's full SVD returned a zero column in U for P = [[0, 0, 0], [0, 0, 1]] (wide, with a
    zero row), and the normal space of M_1 at P came out empty; rank_frame decomposes wide
    matrices through Pᵀ and checks orthonormality."""
    from critlocus.core.determinantal import rank_frame

    entries = data.draw(st.lists(st.sampled_from([0, 0, 0, 1, -1, 2]), min_size=m * n, max_size=m * n))
    with mpmath.workdps(30):
        P = mpmath.matrix([[entries[i * n + j] for j in range(n)] for i in range(m)])
        e = int(np.linalg.matrix_rank(np.array(entries, dtype=float).reshape(m, n)))
        fr = rank_frame(P, e)
        U = mpmath.matrix(m, m)
        for i in range(m):
            for j in range(m):
                U[i, j] = fr.U[i, j] if j < e else fr.U_perp[i, j - e]
        V = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(n):
                V[i, j] = fr.V[i, j] if j < e else fr.V_perp[i, j - e]
        tol = 16 * max(m, n) * mpmath.eps * max(1, mpmath.mnorm(P, "f"))  # u·n·‖P‖ at 30 digits
        assert mpmath.mnorm(U.T * U - mpmath.eye(m), "f") <= tol
        assert mpmath.mnorm(V.T * V - mpmath.eye(n), "f") <= tol
        if m > e:  # U_⊥ spans Col(P)^⊥
            assert mpmath.mnorm(fr.U_perp.T * P, "f") <= tol


def test_rank_frame_of_the_seed_10_counterexample():
    """P = e_2 e_3ᵀ (2 × 3): mpmath's full SVD gives U = [[0, 0], [−1, 0]]; the frame must have
    U_⊥ = ±e_1, so the normal space of M_1 at P is 2-dimensional."""
    from critlocus.core.determinantal import normal_basis, rank_frame

    with mpmath.workdps(30):
        fr = rank_frame(mpmath.matrix([[0, 0, 0], [0, 0, 1]]), 1)
        assert abs(fr.U_perp[0, 0]) == 1 and fr.U_perp[1, 0] == 0
        N = normal_basis(fr)
        assert N.cols == 2 and mpmath.mnorm(N.T * N - mpmath.eye(2), "f") <= 8 * mpmath.eps
