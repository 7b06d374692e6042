"""Determinantal varieties ``M_r = {W ∈ R^{m×n} : rk W ≤ r}``: rank strata, tangent and normal
spaces, projected gradients and the Riemannian Hessian.

Standard facts (e.g. Harris, *Algebraic Geometry*, Lecture 12; Vandereycken, *Low-rank matrix
completion by Riemannian optimization*, SIAM J. Optim. 23 (2013)): for ``r < min(m, n)``,
``dim M_r = r(m + n − r)`` and ``Sing M_r = M_{r−1}``.  At a point ``P = U S Vᵀ`` of the rank-e
stratum ``M_e° = {rk = e}`` (``U ∈ R^{m×e}``, ``V ∈ R^{n×e}`` orthonormal, ``S`` invertible,
``U_⊥``, ``V_⊥`` their orthogonal complements):

- ``T_P M_e° = {A : U_⊥ᵀ A V_⊥ = 0} = R^m ⊗ Row P + Col P ⊗ R^n``, of dimension ``e(m + n − e)``;
- ``N_P M_e° = Col(P)^⊥ ⊗ Row(P)^⊥ = {U_⊥ B V_⊥ᵀ}``;
- the projection of a gradient ``G`` onto the tangent space is ``G − U_⊥U_⊥ᵀ G V_⊥V_⊥ᵀ``, so P is
  critical for ``ℓ|_{M_e°}`` iff ``Uᵀ G = 0`` and ``G V = 0``;
- the Riemannian Hessian (induced metric) in the orthonormal tangent coordinates
  ``ξ = U A Vᵀ + U_⊥ B Vᵀ + U C V_⊥ᵀ`` is the quadratic form
  ``Hess[ξ, ξ] = ∇²ℓ(P)[ξ, ξ] + 2⟨U_⊥ᵀ G V_⊥, B S⁻¹ C⟩``: a geodesic through P with velocity ξ has
  acceleration ``II(ξ, ξ) = 2 U_⊥ B S⁻¹ C V_⊥ᵀ`` (the second fundamental form; differentiate
  ``(U + tU_⊥β)(S + tM)(V + tV_⊥ν)ᵀ`` twice), and ``d²/dt² ℓ(γ) = ∇²ℓ[ξ, ξ] + ⟨G, γ''⟩``.

All functions take mpmath matrices and compute at the current mpmath precision (53 bits for
the float64 tier); vectorisation is row-major (``vec(A)[a·n + b] = A_ab``), matching the
parameter layout of a weight matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath

from .errors import InvalidArgument
from .mpsvd import full_svd

__all__ = [
    "RankFrame",
    "determinantal_dimension",
    "normal_basis",
    "rank_frame",
    "riemannian_hessian",
    "tangent_basis",
    "tangent_dimension",
    "tangent_projection",
    "vec",
]


def determinantal_dimension(m: int, n: int, r: int) -> int:
    """``dim M_r = r(m + n − r)`` for ``0 ≤ r ≤ min(m, n)`` (``= mn`` when ``r = min(m, n)``)."""
    if not 0 <= r <= min(m, n):
        raise InvalidArgument(f"rank r={r} must lie in 0..min(m, n) = {min(m, n)}")
    return r * (m + n - r)


def tangent_dimension(m: int, n: int, e: int) -> int:
    """``dim T M_e° = e(m + n − e)``."""
    return determinantal_dimension(m, n, e)


def vec(A: mpmath.matrix) -> list:
    """Row-major entries of A."""
    return [A[i, j] for i in range(A.rows) for j in range(A.cols)]


def _cols(A: mpmath.matrix, start: int, stop: int) -> mpmath.matrix:
    """Columns ``start:stop`` of A (possibly none: mpmath allows ``k × 0`` matrices)."""
    out = mpmath.matrix(A.rows, max(stop - start, 0))
    for i in range(A.rows):
        for j in range(start, stop):
            out[i, j - start] = A[i, j]
    return out


@dataclass
class RankFrame:
    """``P = U S Vᵀ`` at rank e with orthonormal complements ``U_⊥`` (m × (m−e)) and ``V_⊥``
    (n × (n−e)), from a full SVD at the working precision.  ``sigma`` holds all singular values;
    ``sigma[e−1]`` is the gap that the frame's accuracy depends on."""

    P: mpmath.matrix
    rank: int
    U: mpmath.matrix
    U_perp: mpmath.matrix
    V: mpmath.matrix
    V_perp: mpmath.matrix
    S: mpmath.matrix
    sigma: list

    @property
    def shape(self) -> tuple[int, int]:
        return (self.P.rows, self.P.cols)

    @property
    def smallest_singular_value(self):
        return self.sigma[self.rank - 1] if self.rank else None


def rank_frame(P: mpmath.matrix, e: int) -> RankFrame:
    """The frame of P on the rank-e stratum (e is the decided rank of P)."""
    m, n = P.rows, P.cols
    if not 0 <= e <= min(m, n):
        raise InvalidArgument(f"rank e={e} must lie in 0..{min(m, n)} for a {m} × {n} matrix")
    U_full, sigma, V_full = full_svd(P)
    U, Up = _cols(U_full, 0, e), _cols(U_full, e, m)
    V, Vp = _cols(V_full, 0, e), _cols(V_full, e, n)
    return RankFrame(P, e, U, Up, V, Vp, U.T * P * V, sigma)


def _outer_vec(L: mpmath.matrix, i: int, R: mpmath.matrix, j: int) -> list:
    """vec(L[:, i] R[:, j]ᵀ)."""
    return [L[a, i] * R[b, j] for a in range(L.rows) for b in range(R.rows)]


def tangent_basis(frame: RankFrame) -> mpmath.matrix:
    """An orthonormal basis of ``T_P M_e°`` as the columns of an ``mn × e(m+n−e)`` matrix, in the
    order A (``U E_ij Vᵀ``, e²), B (``U_⊥ E_ij Vᵀ``, (m−e)e), C (``U E_ij V_⊥ᵀ``, e(n−e))."""
    m, n = frame.shape
    e = frame.rank
    cols = [_outer_vec(frame.U, i, frame.V, j) for i in range(e) for j in range(e)]
    cols += [_outer_vec(frame.U_perp, i, frame.V, j) for i in range(m - e) for j in range(e)]
    cols += [_outer_vec(frame.U, i, frame.V_perp, j) for i in range(e) for j in range(n - e)]
    return _from_columns(cols, m * n)


def normal_basis(frame: RankFrame) -> mpmath.matrix:
    """An orthonormal basis of ``N_P M_e° = Col(P)^⊥ ⊗ Row(P)^⊥`` (columns ``vec(U_⊥ E_ij V_⊥ᵀ)``)."""
    m, n = frame.shape
    e = frame.rank
    cols = [_outer_vec(frame.U_perp, i, frame.V_perp, j) for i in range(m - e) for j in range(n - e)]
    return _from_columns(cols, m * n)


def _from_columns(cols: list[list], rows: int) -> mpmath.matrix:
    M = mpmath.matrix(rows, len(cols))
    for j, c in enumerate(cols):
        for i in range(rows):
            M[i, j] = c[i]
    return M


def tangent_projection(G: mpmath.matrix, frame: RankFrame) -> mpmath.matrix:
    """``Π_T G = G − U_⊥U_⊥ᵀ G V_⊥V_⊥ᵀ`` (for e = 0 the tangent space is {0})."""
    Up, Vp = frame.U_perp, frame.V_perp
    return G - Up * (Up.T * G * Vp) * Vp.T


def riemannian_hessian(frame: RankFrame, hessian: mpmath.matrix, G: mpmath.matrix) -> mpmath.matrix:
    """The Riemannian Hessian of ℓ restricted to ``M_e°`` at P, in the basis of
    :func:`tangent_basis`: ``Bᵀ ∇²ℓ B`` plus the curvature term ``2⟨U_⊥ᵀ G V_⊥, B S⁻¹ C⟩``.

    ``hessian`` is ∇²ℓ(P) as an ``mn × mn`` matrix (row-major vec), ``G`` is ∇ℓ(P) (m × n).
    """
    m, n = frame.shape
    e = frame.rank
    if e == 0:
        raise InvalidArgument("the rank-0 stratum is a point: it has no Riemannian Hessian")
    Bt = tangent_basis(frame)
    M = Bt.T * hessian * Bt
    if m > e and n > e:
        Gn = frame.U_perp.T * G * frame.V_perp  # (m−e) × (n−e)
        Sinv = mpmath.inverse(frame.S)
        off_b = e * e
        off_c = off_b + (m - e) * e
        for i in range(m - e):
            for j in range(e):
                for k in range(e):
                    for l in range(n - e):  # noqa: E741
                        v = Gn[i, l] * Sinv[j, k]
                        p, q = off_b + i * e + j, off_c + k * (n - e) + l
                        M[p, q] += v
                        M[q, p] += v
    return (M + M.T) / 2
