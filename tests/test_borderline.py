"""Borderline spectra: eigenvalues at 1e-12…1e-8 next to exact zeros.

Such matrices must get the right inertia at high precision or ``inconclusive`` — never a
wrong verdict.  Matrices are constructions ``Q diag(λ) Qᵀ`` (Householder Q, exact λ)
rebuilt at each precision, so every tier sees the same mathematical matrix.
"""

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from critlocus.claims import Bound
from critlocus.core.precision import DEFAULT_LADDER, FLOAT64
from critlocus.core.spectrum import ExactSymmetricMatrix, decide_inertia
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult, Verdict, escalate
from critlocus.strategies import dyadic_arrays


def householder_matrix(eigenvalues, v) -> ExactSymmetricMatrix:
    """``Q diag(λ) Qᵀ`` with ``Q = I − 2vvᵀ/(vᵀv)``; λ given as ``(mantissa, exponent)``:
    λ = m·10^e, exact at every precision."""
    n = len(eigenvalues)
    v = [float(x) for x in v]

    def build():
        vv = [mpmath.mpf(x) for x in v]
        s = mpmath.fdot(vv, vv)
        lam = [mpmath.mpf(m) * mpmath.mpf(10) ** e for m, e in eigenvalues]
        Q = mpmath.eye(n) - 2 * mpmath.matrix(vv) * mpmath.matrix(vv).T / s
        return Q * mpmath.diag(lam) * Q.T

    return ExactSymmetricMatrix(n, build)


def inertia_outcome(source, expected: tuple[int, int, int], *, dense_limit: int = 40):
    scale = float(np.linalg.norm(source.dense_float64()))
    bounds = [Bound("==", k) for k in expected]
    cache = {}

    def tier(prec):
        dec = decide_inertia(source, prec, scale=scale, dense_limit=dense_limit,
                             float64_decision=cache.get("f64"))
        if prec.is_float64:
            cache["f64"] = dec
        a = dec.n_ambiguous
        ranges = [(dec.n_pos, dec.n_pos + a), (dec.n_neg, dec.n_neg + a), (dec.n_zero, dec.n_zero + a)]
        statuses = [b.decide(*r) for b, r in zip(bounds, ranges, strict=True)]
        if FALSE in statuses:
            status = FALSE
        elif all(s == TRUE for s in statuses) and dec.decided:
            status = TRUE
        else:
            status = UNDECIDED
        return TierResult(prec.label, status, dec.n_zero > 0, str(dec.inertia), dec.to_dict())

    return escalate(tier, DEFAULT_LADDER, check=f"inertia == {expected}")


def spectra(max_size: int):
    big = st.tuples(st.integers(1, 64).map(lambda k: k / 8), st.sampled_from([1, -1]))
    tiny = st.tuples(st.integers(1, 9), st.integers(-12, -8), st.sampled_from([1, -1]))
    return st.tuples(st.lists(big, min_size=1, max_size=4), st.lists(tiny, min_size=1, max_size=3),
                     st.integers(0, 3)).filter(lambda t: len(t[0]) + len(t[1]) + t[2] <= max_size)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(spec=spectra(10), data=st.data())
def test_borderline_eigenvalues_never_get_a_wrong_verdict(spec, data):
    big, tiny, n_zero = spec
    eigs = [(m * s, 0) for m, s in big] + [(m * s, e) for m, e, s in tiny] + [(0, 0)] * n_zero
    n = len(eigs)
    v = data.draw(dyadic_arrays((n,), bound=1.0, bits=6).filter(lambda a: np.any(a != 0)))
    source = householder_matrix(eigs, v)
    n_pos = sum(1 for m, _ in eigs if m > 0)
    n_neg = sum(1 for m, _ in eigs if m < 0)
    truth = inertia_outcome(source, (n_pos, n_neg, n_zero))
    assert truth.verdict in (Verdict.HOLDS, Verdict.INCONCLUSIVE), truth.reason
    # the float64-style misreading "tiny eigenvalues are zeros" must never be accepted
    tiny_pos = sum(1 for m, _, s in tiny if s > 0)
    tiny_neg = len(tiny) - tiny_pos
    wrong = inertia_outcome(source, (n_pos - tiny_pos, n_neg - tiny_neg, n_zero + len(tiny)))
    assert wrong.verdict in (Verdict.FAILS, Verdict.INCONCLUSIVE), wrong.reason
    # and with these gaps, 30 digits separate them: the right answer, not just "not wrong"
    assert truth.verdict == Verdict.HOLDS and wrong.verdict == Verdict.FAILS


def test_float64_cannot_decide_1e12_but_30_digits_can():
    eigs = [(3, 0), (-2, 0), (1, -12), (0, 0), (0, 0)]
    source = householder_matrix(eigs, [0.5, -0.25, 1.0, 0.75, -1.0])
    f64 = decide_inertia(source, FLOAT64, scale=float(np.linalg.norm(source.dense_float64())))
    assert f64.n_ambiguous >= 1 or not f64.decided  # 1e-12 sits in float64's ambiguity band
    outcome = inertia_outcome(source, (2, 1, 2))
    assert outcome.verdict == Verdict.HOLDS
    assert outcome.tiers[0].status == UNDECIDED
    assert outcome.tiers[-1].precision == "mpmath-30"
    ev = outcome.tiers[-1].evidence
    assert ev["smallest_nonzero"] == pytest.approx(1e-12, rel=1e-9)
    assert ev["largest_zero"] < 1e-25 and ev["gap_ratio"] > 1e10


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(spec=spectra(6), data=st.data())
def test_range_sketch_path_on_large_low_rank_matrices(spec, data):
    """N = 48 > the dense limit: decided by a range sketch of k ≪ N products ``H ω``."""
    big, tiny, _ = spec
    eigs = [(m * s, 0) for m, s in big] + [(m * s, e) for m, e, s in tiny]
    n = 48
    eigs = eigs + [(0, 0)] * (n - len(eigs))
    v = data.draw(dyadic_arrays((n,), bound=1.0, bits=6).filter(lambda a: np.any(a != 0)))
    source = householder_matrix(eigs, v)
    n_pos = sum(1 for m, _ in eigs if m > 0)
    n_neg = sum(1 for m, _ in eigs if m < 0)
    outcome = inertia_outcome(source, (n_pos, n_neg, n - n_pos - n_neg), dense_limit=40)
    assert outcome.verdict == Verdict.HOLDS, outcome.reason
    assert outcome.tiers[-1].evidence["method"].startswith("range sketch")
    assert outcome.tiers[-1].evidence["sketch_columns"] < n
