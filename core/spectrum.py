"""Hessian inertia ``(n₊, n₋, n₀)`` and ranks decided at a given precision.

The split between "zero" and "nonzero" eigenvalues uses two independent criteria that must
agree: the threshold τ = κ·N·u·||H||_F of :mod:`critlocus.core.decisions` (with its
ambiguity band) and the largest relative gap in the sorted ``|λ|``.  When they disagree, or
an eigenvalue falls in the band, the decision is *ambiguous* and the caller escalates.

Methods (one per function):

- :func:`inertia_float64` — LAPACK ``eigvalsh`` of the dense float64 Hessian.  By Weyl's
  inequality each computed eigenvalue is within ``||E||`` of a true one.
- :func:`inertia_dense_mp` — mpmath ``eigsy`` of the dense high-precision Hessian
  (Jacobi/QL on the tridiagonal form); for small N.
- :func:`inertia_range_sketch` — for low rank r: ``Y = H Ω`` with a Gaussian Ω of k > r
  columns (k Hessian-vector products), the numerical rank of Y from its Gram matrix at twice
  the working precision, then Rayleigh–Ritz ``M = QᵀHQ`` on an orthonormal basis Q of
  ``range(Y)``.  For Gaussian Ω, ``rank(HΩ) = min(rank H, k)`` with probability one, so a
  sketch whose rank stays below k has found all of ``range(H)``; the nonzero eigenvalues of
  H are those of M, and ``n₀ = N − r`` (Halko, Martinsson & Tropp, SIAM Review 53, 2011,
  §4; Nakatsukasa, *Sharp error bounds for Ritz vectors*, 2017).  Cost O(k·d·N) instead of
  the O(d·N²) of a dense Hessian.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import mpmath
import numpy as np

from .decisions import as_float, zero_threshold
from .fixedpoint import FixedArray
from .precision import Precision

__all__ = [
    "DENSE_F64_LIMIT",
    "ExactSymmetricMatrix",
    "HessianSource",
    "SpectrumDecision",
    "classify_spectrum",
    "decide_inertia",
    "inertia_dense_mp",
    "inertia_float64",
    "inertia_range_sketch",
]

#: largest N for which a float64 Hessian is formed densely; above it float64 inertia is
#: matrix-free (:mod:`critlocus.core.large`: Lanczos on Hessian-vector products)
DENSE_F64_LIMIT = 2000

_MAX_LISTED = 64  # eigenvalues kept verbatim in the evidence (smallest and largest |λ|)


@dataclass
class SpectrumDecision:
    """Inertia of a symmetric matrix at one precision, with the evidence for the split.

    ``n_pos``/``n_neg`` count eigenvalues clearly outside the ambiguity band, ``n_zero``
    those below the threshold, ``n_ambiguous`` those in between.  ``largest_zero`` and
    ``smallest_nonzero`` bracket the gap; ``gap_ratio`` is their ratio (inf when the zeros
    are exact).  ``nonzero_eigenvalues`` are kept in full (claims about their values use
    them); ``eigenvalues`` is a readable excerpt for reports.
    """

    precision: str
    method: str
    size: int
    norm: float
    threshold: float
    band_top: float
    n_pos: int
    n_neg: int
    n_zero: int
    n_ambiguous: int
    largest_zero: float | None
    smallest_nonzero: float | None
    gap_ratio: float | None
    gap_agrees: bool
    nonzero_eigenvalues: list = field(default_factory=list)
    eigenvalues: list[float] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    @property
    def decided(self) -> bool:
        """True when every eigenvalue is classified and both split criteria agree."""
        return self.n_ambiguous == 0 and self.gap_agrees

    @property
    def inertia(self) -> tuple[int, int, int]:
        return (self.n_pos, self.n_neg, self.n_zero)

    @property
    def rank(self) -> int:
        return self.n_pos + self.n_neg

    def to_dict(self) -> dict:
        return {
            "precision": self.precision,
            "method": self.method,
            "size": self.size,
            "inertia": {"positive": self.n_pos, "negative": self.n_neg, "zero": self.n_zero,
                        "ambiguous": self.n_ambiguous},
            "decided": self.decided,
            "norm": self.norm,
            "threshold": self.threshold,
            "band_top": self.band_top,
            "largest_zero": self.largest_zero,
            "smallest_nonzero": self.smallest_nonzero,
            "gap_ratio": self.gap_ratio,
            "gap_agrees_with_threshold": self.gap_agrees,
            "nonzero_eigenvalues": [as_float(v) for v in self.nonzero_eigenvalues[:_MAX_LISTED]],
            "eigenvalues_excerpt": self.eigenvalues,
            **self.details,
        }


def _excerpt(values: Sequence[float]) -> list[float]:
    vals = sorted(values, key=abs)
    if len(vals) <= _MAX_LISTED:
        return vals
    half = _MAX_LISTED // 2
    return vals[:half] + vals[-half:]


def classify_spectrum(eigenvalues: Sequence, precision: Precision, *, size: int,
                      scale: float, method: str, n_implicit_zero: int = 0,
                      implicit_zero_bound: float = 0.0, details: dict | None = None
                      ) -> SpectrumDecision:
    """Split eigenvalues into positive / negative / zero / ambiguous at ``precision``.

    ``n_implicit_zero`` eigenvalues not listed (e.g. the kernel found by a sketch) are
    zeros of magnitude at most ``implicit_zero_bound``.
    """
    tau = zero_threshold(precision, size, scale)
    top = tau * precision.band_factor
    mags = [abs(as_float(v)) for v in eigenvalues]
    n_pos = sum(1 for v, m in zip(eigenvalues, mags) if m > top and v > 0)
    n_neg = sum(1 for v, m in zip(eigenvalues, mags) if m > top and v < 0)
    zeros = [m for m in mags if m <= tau] + [implicit_zero_bound] * n_implicit_zero
    nonzeros = [m for m in mags if m > tau]
    n_amb = sum(1 for m in mags if tau < m <= top)
    largest_zero = max(zeros) if zeros else None
    smallest_nonzero = min(nonzeros) if nonzeros else None

    # Largest relative gap in the sorted |λ|, every zero clamped to τ (structure below the
    # threshold is rounding noise): the split must be the most prominent gap of the spectrum.
    n_small = len(zeros)
    if not nonzeros:
        gap_agrees = True
    else:
        base = tau if tau > 0 else 5e-324
        padded = [base, *sorted(max(m, base) for m in zeros + nonzeros)]
        ratios = [padded[i + 1] / padded[i] for i in range(len(padded) - 1)]
        best = max(range(len(ratios)), key=lambda i: (ratios[i], i))
        gap_agrees = best == n_small and n_amb == 0
    if largest_zero is None or smallest_nonzero is None:
        gap_ratio = None
    elif largest_zero == 0:
        gap_ratio = math.inf
    else:
        gap_ratio = smallest_nonzero / largest_zero
    nonzero_vals = [v for v, m in zip(eigenvalues, mags) if m > tau]
    return SpectrumDecision(
        precision=precision.label, method=method, size=size, norm=abs(scale), threshold=tau,
        band_top=top, n_pos=n_pos, n_neg=n_neg, n_zero=len(zeros), n_ambiguous=n_amb,
        largest_zero=largest_zero, smallest_nonzero=smallest_nonzero, gap_ratio=gap_ratio,
        gap_agrees=gap_agrees, nonzero_eigenvalues=sorted(nonzero_vals, key=lambda v: -abs(v)),
        eigenvalues=_excerpt([as_float(v) for v in eigenvalues]), details=details or {},
    )


def inertia_float64(H: np.ndarray, precision: Precision, *, scale: float | None = None
                    ) -> SpectrumDecision:
    """Inertia of a dense float64 symmetric matrix via ``numpy.linalg.eigvalsh``."""
    H = np.asarray(H, dtype=np.float64)
    norm = float(np.linalg.norm(H)) if scale is None else float(scale)
    eig = np.linalg.eigvalsh(H)
    return classify_spectrum(list(eig), precision, size=H.shape[0], scale=norm,
                             method="float64 eigvalsh")


class HessianSource:
    """A symmetric operator that can be evaluated at any precision.

    Subclasses provide ``size``, :meth:`dense_float64` and :meth:`matvec_mp` (the product
    ``H v`` at ``precision``, called inside ``mpmath.workdps(precision.dps)``);
    :meth:`dense_mp` defaults to the columns ``H e_i``.
    """

    size: int

    def dense_float64(self) -> np.ndarray:
        raise NotImplementedError

    def matvec_mp(self, v: Sequence, precision: Precision) -> list:
        raise NotImplementedError

    def dense_mp(self, precision: Precision) -> mpmath.matrix:
        n = self.size
        H = mpmath.matrix(n, n)
        for i in range(n):
            e = [mpmath.mpf(0)] * n
            e[i] = mpmath.mpf(1)
            col = self.matvec_mp(e, precision)
            for j in range(n):
                H[j, i] = col[j]
        return (H + H.T) / 2

    def dense_fixed(self, precision: Precision) -> FixedArray:
        """The dense matrix in block fixed point with ``precision.bits + 24`` bits (for LDLᵀ);
        defaults to rounding :meth:`dense_mp`."""
        H = self.dense_mp(precision)
        n = self.size
        return FixedArray.from_mpf([H[i, j] for i in range(n) for j in range(n)], precision.bits + 24,
                                   (n, n))


class ExactSymmetricMatrix(HessianSource):
    """A symmetric matrix given by a construction ``build() -> mpmath.matrix`` that is run at
    each precision (e.g. ``Q diag(λ) Qᵀ`` with exact λ and a Householder Q)."""

    def __init__(self, size: int, build: Callable[[], mpmath.matrix]):
        self.size = size
        self._build = build
        self._cache: dict[int, mpmath.matrix] = {}

    def dense_mp(self, precision: Precision) -> mpmath.matrix:
        if precision.dps not in self._cache:
            with mpmath.workdps(precision.dps):
                self._cache[precision.dps] = self._build()
        return self._cache[precision.dps]

    def dense_float64(self) -> np.ndarray:
        with mpmath.workdps(30):
            M = self._build()
            return np.array([[float(M[i, j]) for j in range(self.size)] for i in range(self.size)])

    def matvec_mp(self, v: Sequence, precision: Precision) -> list:
        M = self.dense_mp(precision)
        return [mpmath.fdot([M[i, j] for j in range(self.size)], v) for i in range(self.size)]


def decide_inertia(source: HessianSource, precision: Precision, *, scale: float,
                   float64_decision: SpectrumDecision | None = None, dense_limit: int = 40,
                   dense_fallback_limit: int = 600, seed: int = 0, sketch_fraction: float = 1 / 4
                   ) -> SpectrumDecision:
    """Inertia of ``source`` at ``precision``, choosing the method by its cost.

    float64: :func:`inertia_float64`.  mpmath: the *dense path* — the Hessian in fixed point
    (:meth:`HessianSource.dense_fixed`) and LDLᵀ spectrum slicing
    (:func:`critlocus.core.slicing.inertia_sliced`), about ``d·N² + 4·N³/3`` integer operations —
    or the *range sketch* (:func:`inertia_range_sketch`), ``k`` Hessian-vector products in
    mpmath plus a ``k × k`` eigendecomposition at twice the precision, with ``k`` the float64
    rank (``float64_decision``) plus oversampling.  The sketch is chosen only when it is the
    cheap one: ``N > dense_limit`` and ``k ≤ max(12, sketch_fraction·N)`` (its ``k³`` eigen-
    decomposition in mpmath costs about what the dense path's ``N³`` integer operations cost
    when ``k ≈ N/4``); a sketch whose rank reaches
    its column count switches to the dense path at once (no doubling).  Beyond
    ``dense_fallback_limit`` only the sketch is tried (doubling its columns), and if it
    saturates the decision is all-ambiguous (the caller's verdict is then honestly
    ``inconclusive``).
    """
    if precision.is_float64:
        return inertia_float64(source.dense_float64(), precision, scale=scale)
    n = source.size
    from .precision import FLOAT64
    from .slicing import inertia_sliced

    H64 = source.dense_float64()
    if float64_decision is None:
        float64_decision = inertia_float64(H64, FLOAT64, scale=scale)

    def dense() -> SpectrumDecision:
        lam, V = np.linalg.eigh(np.asarray(H64, dtype=np.float64))
        # duck-typed sources without dense_fixed get the default (rounding dense_mp)
        fixed = getattr(source, "dense_fixed", None)
        H = fixed(precision) if fixed is not None else HessianSource.dense_fixed(source, precision)
        return inertia_sliced(H, precision, scale=scale, eigenvectors=V,
                              float64_eigenvalues=lam, dense_mp=lambda: source.dense_mp(precision))

    hint = float64_decision.n_pos + float64_decision.n_neg + float64_decision.n_ambiguous
    oversample = 4
    columns = min(max(hint + oversample, 1 + oversample), n)
    dense_ok = n <= dense_fallback_limit
    if n <= dense_limit or (dense_ok and columns > max(12, sketch_fraction * n)):
        return dense()
    decision = inertia_range_sketch(lambda v: source.matvec_mp(v, precision), n, precision,
                                    scale=scale, rank_hint=hint, seed=seed, oversample=oversample,
                                    max_columns=columns if dense_ok else None)
    if decision is not None:
        return decision
    if dense_ok:
        return dense()
    undecided = classify_spectrum([], precision, size=n, scale=scale,
                                  method=f"none: rank too large for a sketch and N = {n} above the "
                                         f"dense limit {dense_fallback_limit}")
    undecided.n_ambiguous, undecided.n_zero = n, 0
    return undecided


def inertia_dense_mp(H: mpmath.matrix, precision: Precision, *, scale: float) -> SpectrumDecision:
    """Inertia from all eigenvalues of a dense mpmath matrix (``mpmath.eigsy``)."""
    with mpmath.workdps(precision.dps):
        eig = mpmath.eigsy(H, eigvals_only=True)
        vals = [eig[i] for i in range(H.rows)]
    return classify_spectrum(vals, precision, size=H.rows, scale=scale, method="mpmath eigsy")


def _gram_eig(Y: list[list], dps: int):
    """Eigen-decomposition of the Gram matrix YᵀY (columns of Y given as lists) at ``dps``."""
    k = len(Y)
    with mpmath.workdps(dps):
        G = mpmath.matrix(k, k)
        for i in range(k):
            for j in range(i, k):
                G[i, j] = G[j, i] = mpmath.fdot(Y[i], Y[j])
        E, V = mpmath.eigsy(G)
        order = sorted(range(k), key=lambda i: -E[i])
        return [E[i] for i in order], [[V[r, i] for r in range(k)] for i in order]


def inertia_range_sketch(matvec: Callable[[Sequence], list], size: int, precision: Precision,
                         *, scale: float, rank_hint: int, oversample: int = 4, seed: int = 0,
                         max_columns: int | None = None) -> SpectrumDecision | None:
    """Inertia of a low-rank symmetric H from products ``H ω`` (see the module docstring).

    ``matvec`` computes ``H v`` at the current mpmath precision.  Returns ``None`` when the
    sketch saturates (rank ≥ ``max_columns``, default ``size // 2``): the caller then needs a
    dense method.
    """
    n = size
    max_columns = max(1, n // 2) if max_columns is None else max_columns
    rng = np.random.default_rng(seed)
    k = min(max(rank_hint + oversample, 1 + oversample), n)
    tau_h = zero_threshold(precision, n, scale)
    top_h = tau_h * precision.band_factor
    with mpmath.workdps(precision.dps):
        omegas: list[list] = []
        Y: list[list] = []
        while True:
            while len(omegas) < k:
                w = [mpmath.mpf(float(x)) for x in rng.standard_normal(n)]
                omegas.append(w)
                Y.append(matvec(w))
            # ||Ω||_F bounds the amplification of H's errors into Y = HΩ.
            omega_norm = math.sqrt(sum(as_float(mpmath.fdot(w, w)) for w in omegas))
            tau_y = tau_h * omega_norm
            evals, evecs = _gram_eig(Y, 2 * precision.dps)
            svals = [mpmath.sqrt(max(e, 0)) for e in evals]
            r = sum(1 for s in svals if as_float(s) > tau_y * precision.band_factor)
            n_amb_y = sum(1 for s in svals if tau_y < as_float(s) <= tau_y * precision.band_factor)
            if r + n_amb_y < k or k >= n:
                break
            if k >= max_columns:
                return None
            k = min(2 * k, max_columns, n)
        # Orthonormal basis of the numerical range: U = Y V_r S_r^{-1}.
        Q = []
        for i in range(r):
            coeff = [c / svals[i] for c in evecs[i]]
            Q.append([mpmath.fsum(coeff[j] * Y[j][row] for j in range(k)) for row in range(n)])
        HQ = [matvec(q) for q in Q]
        M = mpmath.matrix(r, r)
        for i in range(r):
            for j in range(i, r):
                M[i, j] = M[j, i] = (mpmath.fdot(Q[i], HQ[j]) + mpmath.fdot(Q[j], HQ[i])) / 2
        ritz = list(mpmath.eigsy(M, eigvals_only=True)) if r else []
        # Invariance check: ||HQ − QM||_F must be at rounding level, or range(H) was missed.
        resid_sq = mpmath.mpf(0)
        for j in range(r):
            col = [HQ[j][row] - mpmath.fsum(Q[i][row] * M[i, j] for i in range(r))
                   for row in range(n)]
            resid_sq += mpmath.fdot(col, col)
        residual = as_float(mpmath.sqrt(resid_sq))
    zero_mag = as_float(svals[r]) / omega_norm if r < len(svals) else 0.0
    details = {
        "sketch_columns": k,
        "sketch_rank": r,
        "sketch_singular_values": [as_float(s) for s in svals],
        "sketch_ambiguous": n_amb_y,
        "ritz_residual": residual,
    }
    decision = classify_spectrum(ritz, precision, size=n, scale=scale,
                                 method=f"range sketch ({k} columns) + Rayleigh-Ritz",
                                 n_implicit_zero=n - r, implicit_zero_bound=zero_mag,
                                 details=details)
    if n_amb_y or residual > top_h * max(1.0, math.sqrt(r)):
        decision.n_ambiguous += max(n_amb_y, 1 if residual > top_h else 0)
    return decision
