"""Numerical rank with evidence: exact constructions, small singular values beside exact zeros."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critlocus.core.errors import InvalidArgument
from critlocus.core.precision import DEFAULT_LADDER, FLOAT64, mp_precision
from critlocus.core.rank import ExactMatrix, decide_rank
from critlocus.core.verdict import Verdict


def _low_rank(m: int, n: int, r: int, small: Fraction | None, seed: int):
    """U·diag(s)·Vᵀ with exact rational factors: rank r (+1 tiny singular direction if ``small``)."""
    rng = np.random.default_rng(seed)
    U = [[Fraction(int(v), 8) for v in row] for row in rng.integers(-8, 9, size=(m, r + 1))]
    V = [[Fraction(int(v), 8) for v in row] for row in rng.integers(-8, 9, size=(n, r + 1))]
    s = [Fraction(1)] * r + [small or Fraction(0)]

    def build():
        return [[sum(U[i][k] * s[k] * V[j][k] for k in range(r + 1)) for j in range(n)] for i in range(m)]

    return build


@settings(max_examples=15, deadline=None)
@given(m=st.integers(2, 7), n=st.integers(2, 7), seed=st.integers(0, 10**6), data=st.data())
def test_exact_rank_deficiency_is_seen_at_high_precision(m, n, seed, data):
    r = data.draw(st.integers(0, min(m, n) - 1))
    A = ExactMatrix(_low_rank(m, n, r, None, seed))
    dec = decide_rank(A, mp_precision(30))
    expected = np.linalg.matrix_rank(np.array(A.dense_float64()), tol=1e-9)  # exact rationals: generic
    assert dec.decided
    assert dec.rank == expected <= r


@pytest.mark.parametrize("small", [Fraction(1, 10**8), Fraction(1, 10**12)])
def test_tiny_singular_value_beside_exact_zeros_is_nonzero_at_60_digits(small):
    A = ExactMatrix(_low_rank(6, 5, 2, small, 1))
    top = decide_rank(A, mp_precision(60))
    assert top.decided and top.rank == 3  # 2 unit directions + the tiny one
    f64 = decide_rank(A, FLOAT64)
    assert f64.rank_range[0] <= 3  # float64 may call 1e-12 zero or ambiguous; it never overcounts


def test_rank_claim_escalates_and_refutes_wrong_counts():
    from critlocus import claims

    A = ExactMatrix(lambda: [[1, 2, 3], [2, 4, 6], [0, 1, 1]])
    right = claims.matrix_rank(lambda inst: A, 2, name="A")
    wrong = claims.matrix_rank(lambda inst: A, 3, name="A")

    class Dummy:  # a claim only needs an object with a __dict__ here
        pass

    ok = right.check(Dummy(), DEFAULT_LADDER)
    bad = wrong.check(Dummy(), DEFAULT_LADDER)
    assert ok.verdict == Verdict.HOLDS and ok.precision == "mpmath-30"  # deficiency rests on a zero
    assert bad.verdict == Verdict.FAILS and bad.precision == "mpmath-60"
    assert "rank A = 2" in bad.tiers[-1].summary


def test_bad_inputs_are_named():
    with pytest.raises(InvalidArgument, match="MatrixSource"):
        decide_rank(np.eye(2), FLOAT64)
    with pytest.raises(InvalidArgument, match="rows"):
        ExactMatrix(lambda: [[1, 2], [3]])


def test_singular_values_when_mpmath_svd_does_not_converge(monkeypatch):
    """mpmath's svd_r sometimes stops ("no convergence to an eigenvalue after 90 iterations": a
    deep search crashed tkb.sec.normalized-parameterization with it); the Jacobi method on
    [[0, A], [Aᵀ, 0]] then gives the same singular values, tiny ones included."""
    import mpmath

    from critlocus.core.rank import singular_values_mp

    with mpmath.workdps(40):
        A = mpmath.matrix([[1, 2, 3], [2, 4, 6 + mpmath.mpf(10) ** -25]])  # σ₂ ≈ 1e-25
        want, _ = singular_values_mp(A)

        def stuck(*args, **kwargs):
            raise RuntimeError("svd: no convergence to an eigenvalue after 90 iterations")

        monkeypatch.setattr(mpmath, "svd_r", stuck)
        got, method = singular_values_mp(A)
        assert "eigsy" in method and len(got) == 2
        for g, w in zip(got, want):
            assert abs(g - w) <= 64 * mpmath.eps * want[0]
        assert got[1] > 0  # resolved: its error bound 64·u·σ₁ is 1e12 times smaller than σ₂
