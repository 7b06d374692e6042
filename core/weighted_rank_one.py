"""Every critical point of a weighted quadratic distance on the rank-one ``m × 2`` matrices.

``ℓ(W) = Σ_ab Λ_ab (W_ab − Q_ab)²`` (``Λ > 0``) restricted to ``M_1° = {a bᵀ : a ∈ R^m∖0, b ∈ R²∖0}``.
Method (variable projection, Golub & Pereyra, SIAM J. Numer. Anal. 10, 1973): write
``b = b(φ) = (cos φ, sin φ)``, ``φ ∈ [0, π)`` (``a bᵀ = (−a)(−b)ᵀ``); for fixed φ, ℓ is strictly
convex in a with minimiser ``a_i(φ) = Σ_j Λ_ij Q_ij b_j / Σ_j Λ_ij b_j²``, and the reduced function
``g(φ) = ℓ(a(φ) b(φ)ᵀ)`` has derivative ``g'(φ) = Σ_ij 2Λ_ij (a_i b_j − Q_ij) a_i b_j'(φ)`` (the
envelope theorem).  Critical points of ``ℓ|M_1°`` are the zeros of g' with ``a(φ) ≠ 0``; a zero
is a local minimum of ``ℓ|M_1°`` iff ``g'' > 0`` (the Schur complement of the convex a-block) and a
saddle of index 1 iff ``g'' < 0``.

Zeros of the π-periodic analytic g' are bracketed on a uniform grid in float64 and refined with
``mpmath.findroot`` (Anderson–Björck bracketing) at the working precision.  A root of even
multiplicity would be missed by a sign change: generic weights have none, and the grid spacing
(``π/K``) is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from .errors import InvalidArgument

__all__ = ["RankOneCritical", "rank_one_critical_points", "reduced_derivative", "reduced_loss"]


def _check(weights, Q) -> tuple[np.ndarray, np.ndarray]:
    Lam, Qa = np.asarray(weights, dtype=np.float64), np.asarray(Q, dtype=np.float64)
    if Qa.ndim != 2 or Qa.shape[1] != 2 or Lam.shape != Qa.shape:
        raise InvalidArgument(f"need Λ and Q of the same shape m × 2, got {Lam.shape} and {Qa.shape}")
    if not np.all(Lam > 0) or not np.all(np.isfinite(Qa)):
        raise InvalidArgument("weights must be positive and Q finite")
    return Lam, Qa


def _lists(weights, Q, phi):
    """Λ and Q as nested lists of mpf when φ is an mpmath number (float products of the data
    would otherwise be rounded to binary64 before meeting φ), of floats otherwise."""
    conv = mpmath.mpf if isinstance(phi, mpmath.mpf) else float
    return ([[conv(float(v)) for v in row] for row in np.asarray(weights)],
            [[conv(float(v)) for v in row] for row in np.asarray(Q)])


def _a_of(Lam, Q, c, s):
    return [(Lam[i][0] * Q[i][0] * c + Lam[i][1] * Q[i][1] * s) / (Lam[i][0] * c * c + Lam[i][1] * s * s)
            for i in range(len(Lam))]


def reduced_loss(weights, Q, phi):
    """``g(φ) = min_a ℓ(a b(φ)ᵀ)`` (numbers in float or mpmath, whichever ``phi`` is)."""
    lib = mpmath if isinstance(phi, mpmath.mpf) else np
    c, s = lib.cos(phi), lib.sin(phi)
    Lam, Qm = _lists(weights, Q, phi)
    a = _a_of(Lam, Qm, c, s)
    b = (c, s)
    return sum(Lam[i][j] * (a[i] * b[j] - Qm[i][j]) ** 2 for i in range(len(Lam)) for j in range(2))


def reduced_derivative(weights, Q, phi):
    """``g'(φ)`` by the envelope theorem."""
    lib = mpmath if isinstance(phi, mpmath.mpf) else np
    c, s = lib.cos(phi), lib.sin(phi)
    Lam, Qm = _lists(weights, Q, phi)
    a = _a_of(Lam, Qm, c, s)
    b, db = (c, s), (-s, c)
    return sum(2 * Lam[i][j] * (a[i] * b[j] - Qm[i][j]) * a[i] * db[j]
               for i in range(len(Lam)) for j in range(2))


@dataclass
class RankOneCritical:
    """One critical point ``W = a bᵀ`` of ``ℓ|M_1°`` at the working precision."""

    phi: object
    a: list
    b: list
    value: object
    second_derivative: object

    @property
    def kind(self) -> str:
        return "minimum" if self.second_derivative > 0 else "saddle"

    def matrix(self) -> list[list]:
        return [[ai * bj for bj in self.b] for ai in self.a]


def rank_one_critical_points(weights, Q, *, grid: int = 2048) -> list[RankOneCritical]:
    """All critical points of ``ℓ|M_1°`` (see the module docstring), refined at the current mpmath
    precision, sorted by value."""
    Lam, Qa = _check(weights, Q)
    phis = np.linspace(0.0, np.pi, grid + 1)
    vals = np.asarray(reduced_derivative(Lam, Qa, phis))  # vectorised over the grid
    out: list[RankOneCritical] = []
    for k in range(grid):
        lo, hi = vals[k], vals[k + 1]
        if lo == 0 or lo * hi < 0:
            x0, x1 = mpmath.mpf(float(phis[k])), mpmath.mpf(float(phis[k + 1]))
            root = x0 if lo == 0 else mpmath.findroot(lambda p: reduced_derivative(Lam, Qa, p), (x0, x1),
                                                     solver="anderson")
            c, s = mpmath.cos(root), mpmath.sin(root)
            a = _a_of(*_lists(Lam, Qa, root), c, s)
            if all(abs(v) == 0 for v in a):
                continue
            d2 = mpmath.diff(lambda p: reduced_derivative(Lam, Qa, p), root)
            out.append(RankOneCritical(root, a, [c, s], reduced_loss(Lam, Qa, root), d2))
    return sorted(out, key=lambda c: c.value)
