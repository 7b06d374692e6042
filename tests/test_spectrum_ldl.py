"""LDLᵀ spectrum slicing: exact counts on matrices of known inertia, agreement with eigsy at
30 and 60 digits (eigenvalues 1e-12…1e-8 beside exact zeros), method choice by cost."""

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_borderline import householder_matrix  # the shared exact construction Q diag(λ) Qᵀ

from critlocus.core.fixedpoint import FixedArray
from critlocus.core.ldl import ldl_inertia
from critlocus.core.precision import FLOAT64, mp_precision
from critlocus.core.slicing import inertia_sliced
from critlocus.core.spectrum import decide_inertia, inertia_dense_mp, inertia_float64
from critlocus.strategies import dyadic_arrays

SOME = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@st.composite
def congruences(draw, max_size=9):
    """``A = S D Sᵀ`` exactly in integers: D diagonal with entries ±k·2^e (e down to −40, i.e.
    ≈ 1e-12) or exactly 0, S unit lower triangular with small dyadic entries."""
    n = draw(st.integers(2, max_size))
    diag = draw(st.lists(st.one_of(st.just(0), st.tuples(st.integers(1, 7), st.integers(-40, 3),
                                                         st.sampled_from([1, -1]))),
                         min_size=n, max_size=n))
    below = draw(st.lists(st.integers(-4, 4), min_size=n * n, max_size=n * n))
    e = -48  # every entry is an integer multiple of 2^e
    D = [0 if d == 0 else d[2] * d[0] * 2 ** (d[1] - e) for d in diag]
    S = [[(1 if i == j else (below[i * n + j] if j < i else 0)) for j in range(n)] for i in range(n)]
    # S has entries k/4: scale S by 4 (A scales by 16, exact)
    S4 = [[4 * v if i != j else 4 for j, v in enumerate(row)] for i, row in enumerate(S)]
    A = [[sum(S4[i][k] * D[k] * S4[j][k] for k in range(n)) for j in range(n)] for i in range(n)]
    M = np.empty((n, n), dtype=object)
    for i in range(n):
        for j in range(n):
            M[i, j] = A[i][j]
    signs = [0 if d == 0 else d[2] for d in diag]
    return FixedArray(M, e - 4), signs, S4


@SOME
@given(congruences())
def test_slices_count_the_inertia_of_an_exact_congruence(case):
    A, signs, S4 = case
    # Ostrowski's theorem: λ_k(S D Sᵀ) = θ_k λ_k(D) with σ_min(S)² ≤ θ_k, and |d| ≥ 2^-40, so
    # every nonzero eigenvalue exceeds t in magnitude while the exact zeros stay exactly 0
    s_min = np.linalg.svd(np.array(S4, dtype=float) / 4, compute_uv=False)[-1]
    t = mpmath.mpf(0.25 * s_min**2) * mpmath.mpf(2) ** -40
    up, down = ldl_inertia(A, t), ldl_inertia(A, -t)
    assert up.error < t / 4 and down.error < t / 4
    assert up.above == sum(1 for s in signs if s > 0)
    assert down.below == sum(1 for s in signs if s < 0)
    assert len(signs) - up.above - down.below == sum(1 for s in signs if s == 0)


def borderline_spectrum(draw, n_max=10):
    big = draw(st.lists(st.tuples(st.integers(1, 64).map(lambda k: k / 8), st.sampled_from([1, -1])),
                        min_size=1, max_size=4))
    tiny = draw(st.lists(st.tuples(st.integers(1, 9), st.integers(-12, -8), st.sampled_from([1, -1])),
                         min_size=1, max_size=3))
    zeros = draw(st.integers(0, max(0, n_max - len(big) - len(tiny))))
    return [(m * s, 0) for m, s in big] + [(m * s, e) for m, e, s in tiny] + [(0, 0)] * zeros


@SOME
@given(data=st.data())
def test_slicing_agrees_with_eigsy_beside_exact_zeros(data):
    eigs = borderline_spectrum(data.draw)
    n = len(eigs)
    v = data.draw(dyadic_arrays((n,), bound=1.0, bits=6).filter(lambda a: np.any(a != 0)))
    source = householder_matrix(eigs, v)
    scale = float(np.linalg.norm(source.dense_float64()))
    lam, V = np.linalg.eigh(source.dense_float64())
    for digits in (30, 60):
        p = mp_precision(digits)
        sliced = inertia_sliced(source.dense_fixed(p), p, scale=scale, eigenvectors=V,
                                float64_eigenvalues=lam, dense_mp=lambda p=p: source.dense_mp(p))
        full = inertia_dense_mp(source.dense_mp(p), p, scale=scale)
        assert (sliced.n_pos, sliced.n_neg, sliced.n_zero, sliced.n_ambiguous) == \
            (full.n_pos, full.n_neg, full.n_zero, full.n_ambiguous), (digits, eigs)
        # with these gaps, 30 digits already see every tiny eigenvalue as nonzero
        assert sliced.inertia == (sum(1 for m, _ in eigs if m > 0), sum(1 for m, _ in eigs if m < 0),
                                  sum(1 for m, _ in eigs if m == 0))
        assert sliced.decided and sliced.details["ldl_error_bound"] < sliced.threshold / 8
        if sliced.nonzero_eigenvalues:
            got = sorted(sliced.nonzero_eigenvalues)
            want = sorted(full.nonzero_eigenvalues)
            assert all(abs(a - b) <= 8 * sliced.threshold for a, b in zip(got, want))


def test_high_rank_values_are_computed_only_on_demand():
    rng = np.random.default_rng(0)
    eigs = [(int(k), 0) for k in rng.integers(1, 9, 28) * rng.choice([-1, 1], 28)] + [(0, 0)] * 2
    source = householder_matrix(eigs, rng.integers(-8, 9, len(eigs)) / 8)
    p = mp_precision(30)
    scale = float(np.linalg.norm(source.dense_float64()))
    dec = inertia_sliced(source.dense_fixed(p), p, scale=scale, dense_mp=lambda: source.dense_mp(p))
    assert dec.inertia == (sum(1 for m, _ in eigs if m > 0), sum(1 for m, _ in eigs if m < 0), 2)
    assert isinstance(dec.to_dict()["nonzero_eigenvalues"], str)  # reports do not force eigsy
    values = dec.nonzero_eigenvalues  # a claim that needs values gets them
    assert sorted(round(float(v)) for v in values) == sorted(m for m, _ in eigs if m)


def test_method_is_chosen_by_cost():
    rng = np.random.default_rng(1)
    n = 48
    high = householder_matrix([(int(k), 0) for k in rng.integers(1, 5, 30)] + [(0, 0)] * (n - 30),
                              rng.integers(-8, 9, n) / 8)
    low = householder_matrix([(3, 0), (-1, 0)] + [(0, 0)] * (n - 2), rng.integers(-8, 9, n) / 8)
    p = mp_precision(30)
    for source, starts in ((high, "LDLᵀ"), (low, "range sketch")):
        scale = float(np.linalg.norm(source.dense_float64()))
        assert decide_inertia(source, p, scale=scale).method.startswith(starts)
    # a sketch seeded with a wrong (too small) float64 rank saturates and goes dense at once
    scale = float(np.linalg.norm(high.dense_float64()))
    fake = inertia_float64(np.diag([1.0, 1.0] + [0.0] * (n - 2)), FLOAT64, scale=scale)
    dec = decide_inertia(high, p, scale=scale, float64_decision=fake)
    assert dec.method.startswith("LDLᵀ") and dec.inertia == (30, 0, n - 30)


def test_bunch_kaufman_takes_two_by_two_pivots_on_zero_diagonals():
    # [[0, 1], [1, 0]] has inertia (1, 1, 0) and no usable 1×1 pivot
    M = np.empty((3, 3), dtype=object)
    M[...] = [[0, 4, 0], [4, 0, 0], [0, 0, -2]]
    res = ldl_inertia(FixedArray(M, 0), 0)
    assert (res.above, res.below, res.at) == (1, 2, 0) and res.two_by_two == 1


@pytest.mark.parametrize("shift", [0, mpmath.mpf("1e-30"), -3])
def test_zero_matrix_and_shifts(shift):
    A = FixedArray.zeros((4, 4), -10)
    res = ldl_inertia(A, shift)
    if shift == 0:
        assert (res.above, res.below, res.at) == (0, 0, 4)
    elif shift > 0:
        assert res.below == 4
    else:
        assert res.above == 4
