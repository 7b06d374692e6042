"""Certified inertia (critlocus.core.certify.inertia): correct counts on matrices of known
inertia, refusal where the error bound reaches an eigenvalue, exact fallbacks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

flint = pytest.importorskip("flint")

from flint import arb, arb_mat, fmpq, fmpq_mat  # noqa: E402

from critlocus.core.certify import certify_inertia, exact_inertia  # noqa: E402
from critlocus.core.errors import InvalidArgument  # noqa: E402


def congruent(diagonal: list[fmpq], seed: int) -> fmpq_mat:
    """S·D·Sᵀ for a random nonsingular integer S: exactly the inertia of D (Sylvester)."""
    rng = np.random.default_rng(seed)
    n = len(diagonal)
    while True:
        S = fmpq_mat([[int(v) for v in row] for row in rng.integers(-3, 4, (n, n))])
        if S.rank() == n:
            break
    D = fmpq_mat(n, n)
    for i, v in enumerate(diagonal):
        D[i, i] = v
    return S * D * S.transpose()


def inertia_of(diagonal: list[fmpq]) -> tuple[int, int, int]:
    return (sum(1 for v in diagonal if v > 0), sum(1 for v in diagonal if v < 0),
            sum(1 for v in diagonal if v == 0))


# Eigenvalue magnitudes: O(1), tiny (1e-12 … 1e-8), and exact zeros.
entries = st.one_of(
    st.integers(1, 9).map(fmpq),
    st.integers(8, 12).map(lambda k: fmpq(1, 10**k)),
    st.just(fmpq(0)),
).flatmap(lambda v: st.sampled_from([v, -v]))


@settings(max_examples=25)
@given(st.lists(entries, min_size=1, max_size=12), st.integers(0, 2**16))
def test_counts_on_exact_congruences_including_tiny_and_zero_eigenvalues(diagonal, seed):
    H = congruent(diagonal, seed)
    cert = certify_inertia(H)
    assert cert.complete
    assert cert.inertia == inertia_of(diagonal)
    assert exact_inertia(H) == inertia_of(diagonal)


@settings(max_examples=15)
@given(st.lists(entries, min_size=2, max_size=12), st.integers(0, 2**16))
def test_ball_arithmetic_alone_certifies_every_sign_and_never_guesses_zeros(diagonal, seed):
    """Without the exact fallbacks: refined eigenvectors certify every nonzero sign, even at
    1e-12 beside exact zeros; the exact zeros stay uncertain (only exact arguments prove zero)."""
    H = congruent(diagonal, seed)
    cert = certify_inertia(H, exact_limit=0, refine=4, zero_target=1e-25)
    n_pos, n_neg, n_zero = inertia_of(diagonal)
    assert (cert.n_pos, cert.n_neg) == (n_pos, n_neg)
    # zeros: proved only by exact deflation (an exactly zero row), otherwise uncertain
    assert cert.n_zero + cert.n_uncertain == n_zero
    if cert.n_uncertain:
        assert cert.zero_bound < 1e-20  # refined: the zero cluster is bounded far below 1e-12


def test_float64_eigenvectors_alone_refuse_eigenvalues_below_their_error_bound():
    H = congruent([fmpq(1), fmpq(-1), fmpq(1, 10**18), fmpq(0)], seed=3)
    rough = certify_inertia(H, refine=0, exact_limit=0)
    assert rough.n_uncertain == 2  # ≈1e-18 is below float64 eigenvectors' ≈1e-16·||H|| bound
    assert rough.zero_bound >= 1e-17
    refined = certify_inertia(H, refine=4, exact_limit=0, zero_target=1e-30)
    assert (refined.n_pos, refined.n_neg, refined.n_uncertain) == (2, 1, 1)


def _inflate(H: fmpq_mat, radius: float) -> arb_mat:
    n = H.nrows()
    return arb_mat(n, n, [arb(arb(x).mid(), radius) for x in H.entries()])


def test_refuses_when_the_smallest_nonzero_eigenvalue_is_below_the_enclosure_radius():
    """Entries known to ±1e-10: an eigenvalue of 1e-12 cannot be told from zero — uncertain,
    never counted with a sign or as zero."""
    diagonal = [fmpq(2), fmpq(-3), fmpq(1, 10**12), fmpq(5)]
    cert = certify_inertia(_inflate(congruent(diagonal, seed=7), 1e-10))
    assert not cert.complete
    assert cert.n_uncertain == 1 and (cert.n_pos, cert.n_neg, cert.n_zero) == (2, 1, 0)
    assert cert.zero_bound >= 1e-12


@settings(max_examples=20)
@given(st.lists(entries, min_size=1, max_size=10), st.integers(0, 2**16),
       st.floats(1e-14, 1e-6))
def test_certified_counts_never_exceed_the_truth(diagonal, seed, radius):
    cert = certify_inertia(_inflate(congruent(diagonal, seed), radius))
    n_pos, n_neg, n_zero = inertia_of(diagonal)
    assert cert.n_pos <= n_pos and cert.n_neg <= n_neg and cert.n_zero <= n_zero
    assert cert.n_pos + cert.n_neg + cert.n_zero + cert.n_uncertain == len(diagonal)


def test_exact_zero_rows_are_deflated_and_diagonal_remainders_give_exact_eigenvalues():
    H = fmpq_mat([[0, 0, 0], [0, fmpq(16), 0], [0, 0, fmpq(-1, 3)]])
    cert = certify_inertia(H)
    assert cert.inertia == (1, 1, 1) and cert.complete
    assert cert.details["deflated_exact_zero_coordinates"] == 1
    assert sorted(cert.exact_eigenvalues, key=float) == [fmpq(-1, 3), fmpq(16)]


def test_scale_divides_bounds_not_counts():
    H = fmpq_mat([[fmpq(6), 0], [0, fmpq(-3)]])
    cert = certify_inertia(H, scale=3)
    assert cert.inertia == (1, 1, 0)
    assert sorted(cert.exact_eigenvalues, key=float) == [fmpq(-1), fmpq(2)]


def test_kernel_candidates_certify_zeros_exactly():
    """H = v vᵀ with v = (1, 1, 0): kernel spanned by (1, −1, 0) and e_3 (e_3 is deflated)."""
    H = fmpq_mat([[1, 1, 0], [1, 1, 0], [0, 0, 0]])
    cert = certify_inertia(H, kernel=[[1], [-1], [0]], exact_limit=0)
    assert cert.inertia == (1, 0, 2) and cert.complete
    wrong = certify_inertia(H, kernel=[[1], [0], [0]], exact_limit=0)  # not a kernel vector
    assert wrong.details["kernel_candidates_verified"] == 0 and not wrong.complete


def test_float_input_is_taken_as_exact_and_large_random_matrices_are_certified():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((60, 60))
    A = A + A.T
    w = np.linalg.eigvalsh(A)
    cert = certify_inertia(A)
    assert cert.complete and cert.inertia == (int((w > 0).sum()), int((w < 0).sum()), 0)
    lo = cert.nonzero_lower
    assert lo is not None and 0 < lo <= np.min(np.abs(w)) * (1 + 1e-12)


def test_bad_input_is_named():
    with pytest.raises(InvalidArgument, match="square"):
        certify_inertia(np.ones((2, 3)))
    with pytest.raises(InvalidArgument, match="scale"):
        certify_inertia(np.eye(2), scale=0)
