"""Inertia of a dense high-precision Hessian by spectrum slicing (LDLᵀ + Sylvester's law).

Four Bunch–Kaufman factorizations (:mod:`critlocus.core.ldl`) of ``H − tI`` at
``t = ±τ, ±τ·band`` (τ = κ·N·u·S and the ambiguity band of :mod:`critlocus.core.decisions`)
give, with no eigenvalue computed,

    n₊ = #{λ > τ·band},   n₋ = #{λ < −τ·band},   n₀ = #{|λ| ≤ τ},   ambiguous = the rest,

exactly the classes :func:`~critlocus.core.spectrum.classify_spectrum` forms from an ``eigsy``
spectrum.  Each count is exact for every eigenvalue farther from its shift than the
factorization's backward-error bound ‖E‖₂ (Weyl; Higham, *Accuracy and Stability of Numerical
Algorithms*, ch. 11); the decision is only trusted when ‖E‖₂ ≤ τ/8, which the extra guard bits
of the fixed-point Hessian make routine.  An empty band (τ, τ·band] certifies a gap of relative
size at least ``u^(−1/4)`` between the zero and nonzero eigenvalues.

Eigenvalues are computed only where they are needed:

- eigenvalues inside the ambiguity band: the full spectrum (``eigsy``), as before;
- low rank r (``r ≤ min(values_rank_limit, max(8, N/5))``): the nonzero eigenvalues exactly,
  by Rayleigh–Ritz on ``span(H·Q)`` (Q: the float64 eigenvectors of the r largest |λ|).
  ``H·Q`` lies in range(H), so when it spans it the Ritz values *are* the nonzero eigenvalues,
  to working precision; the gap test of ``classify_spectrum`` then runs on them as on an ``eigsy`` spectrum;
- high rank: on demand — the first read of ``nonzero_eigenvalues`` (e.g. by
  ``claims.positive_eigenvalues_equal``) runs ``eigsy``; inertia claims never pay for it.
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath
import numpy as np

from .decisions import _threshold_mp, as_float
from .fixedpoint import FixedArray
from .ldl import ldl_inertia
from .precision import Precision
from .spectrum import SpectrumDecision, classify_spectrum, inertia_dense_mp

__all__ = ["inertia_sliced"]


class _LazyValuesDecision(SpectrumDecision):
    """A decision whose nonzero eigenvalues are computed on first use."""

    def __init__(self, *args, compute: Callable[[], list] | None = None, **kwargs):
        self._compute = compute
        self._values: list | None = None
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def nonzero_eigenvalues(self) -> list:
        if self._values is None and self._compute is not None:
            compute, self._compute = self._compute, None
            self._values = compute()
            self.details["nonzero_eigenvalues_by"] = "mpmath eigsy (on demand)"
        return self._values if self._values is not None else []

    @nonzero_eigenvalues.setter
    def nonzero_eigenvalues(self, values) -> None:
        self._values = list(values) if values else None

    def to_dict(self) -> dict:
        if self._values is None and self._compute is not None:
            compute, self._compute = self._compute, None
            try:
                out = super().to_dict()
            finally:
                self._compute = compute
            out["nonzero_eigenvalues"] = "not computed (counts by LDLᵀ slicing; eigsy on demand)"
            return out
        return super().to_dict()

    def __repr__(self) -> str:
        return (f"SpectrumDecision({self.precision}, {self.method}, inertia={self.inertia}, "
                f"ambiguous={self.n_ambiguous})")


def _range_ritz_values(H: FixedArray, Q: np.ndarray, precision: Precision) -> list | None:
    """The eigenvalues of H on ``span(H Q)`` (Rayleigh–Ritz; exact integer products, then a
    Cholesky-reduced r×r ``eigsy`` at twice the working precision)."""
    r = Q.shape[1]
    if r == 0:
        return []
    Y = H @ FixedArray.from_floats(Q)
    Z = H @ Y
    G = FixedArray(np.dot(Y.M.T, Y.M), 2 * Y.e)
    K = FixedArray(np.dot(Y.M.T, Z.M), Y.e + Z.e)
    with mpmath.workdps(2 * precision.dps):
        g, k = G.to_mpf_list(), K.to_mpf_list()
        Gm = mpmath.matrix([[g[i * r + j] for j in range(r)] for i in range(r)])
        Km = mpmath.matrix([[(k[i * r + j] + k[j * r + i]) / 2 for j in range(r)] for i in range(r)])
        try:
            R = mpmath.cholesky(Gm)  # G = R Rᵀ, R lower triangular
        except (ZeroDivisionError, ValueError):
            return None  # H Q does not have full rank r
        Rinv = mpmath.inverse(R)
        M = Rinv * Km * Rinv.T
        M = (M + M.T) / 2
        return list(mpmath.eigsy(M, eigvals_only=True))


def inertia_sliced(H: FixedArray, precision: Precision, *, scale: float,
                   eigenvectors: np.ndarray | None = None,
                   float64_eigenvalues: np.ndarray | None = None,
                   dense_mp: Callable[[], mpmath.matrix] | None = None,
                   values_rank_limit: int = 64) -> SpectrumDecision:
    """Inertia of the symmetric ``H`` (fixed point, from the working precision's Hessian) at
    ``precision`` by spectrum slicing (module docstring).

    ``eigenvectors``/``float64_eigenvalues``: the float64 eigenpairs (for the Ritz values of a
    low-rank H); ``dense_mp``: the Hessian as an ``mpmath.matrix`` (for ``eigsy`` when needed).
    """
    n = H.shape[0]
    tau = _threshold_mp(precision, n, scale)
    top = tau * mpmath.mpf(precision.band_factor)
    shifts = {"+band": top, "-band": -top, "+tau": tau, "-tau": -tau}
    slices = {name: ldl_inertia(H, t) for name, t in shifts.items()}
    n_pos = slices["+band"].above
    n_neg = slices["-band"].below
    n_zero = n - slices["+tau"].above - slices["-tau"].below
    n_amb = n - n_pos - n_neg - n_zero
    error = max(s.error for s in slices.values())
    details = {
        "ldl_slices": {name: {"shift": as_float(s.shift), "above": s.above, "below": s.below,
                              "at": s.at, "error_bound": as_float(s.error), "growth": s.growth,
                              "two_by_two_pivots": s.two_by_two} for name, s in slices.items()},
        "ldl_error_bound": as_float(error),
    }
    reliable = error <= tau / 8
    if (n_amb or not reliable) and dense_mp is not None:
        dec = inertia_dense_mp(dense_mp(), precision, scale=scale)
        why = "eigenvalues in the ambiguity band" if n_amb else "factorization error above τ/8"
        dec.method = f"LDLᵀ slicing ({why}), then mpmath eigsy"
        dec.details.update(details)
        return dec
    rank = n_pos + n_neg
    method = "LDLᵀ (Bunch–Kaufman) spectrum slicing"
    # Ritz values cost two N²·r integer products and an r×r eigsy at twice the precision: worth it
    # for low rank only (r ≤ N/5), else the values wait until a claim asks for them
    if (rank <= min(values_rank_limit, max(8, n // 5)) and reliable and not n_amb and eigenvectors is not None
            and float64_eigenvalues is not None):
        order = np.argsort(-np.abs(float64_eigenvalues))[:rank]
        ritz = _range_ritz_values(H, eigenvectors[:, order], precision)
        if ritz is not None:
            dec = classify_spectrum(ritz, precision, size=n, scale=scale,
                                    method=method + " + Rayleigh–Ritz on range(H)",
                                    n_implicit_zero=n - rank, implicit_zero_bound=as_float(tau),
                                    details=details)
            if (dec.n_pos, dec.n_neg) == (n_pos, n_neg):
                dec.details["largest_zero_is_bound"] = True
                return dec
            details["ritz_mismatch"] = {"ritz": [as_float(v) for v in ritz], "slices": [n_pos, n_neg]}
    # counts only; the nonzero eigenvalues on demand
    band = precision.band_factor
    dec = _LazyValuesDecision(
        precision=precision.label, method=method, size=n, norm=abs(scale), threshold=as_float(tau),
        band_top=as_float(top), n_pos=n_pos, n_neg=n_neg, n_zero=n_zero,
        n_ambiguous=n_amb + (0 if reliable else 1),
        largest_zero=as_float(tau) if n_zero else None,
        smallest_nonzero=as_float(top) if rank else None,
        gap_ratio=band if (n_zero and rank) else None, gap_agrees=n_amb == 0 and reliable,
        eigenvalues=[], details={**details, "largest_zero_is_bound": True,
                                 "smallest_nonzero_is_bound": True, "gap_ratio_is_bound": True},
        compute=(lambda: _nonzero_by_eigsy(dense_mp, precision, scale)) if dense_mp else None)
    return dec


def _nonzero_by_eigsy(dense_mp: Callable[[], mpmath.matrix], precision: Precision, scale: float) -> list:
    full = inertia_dense_mp(dense_mp(), precision, scale=scale)
    return list(full.nonzero_eigenvalues)
