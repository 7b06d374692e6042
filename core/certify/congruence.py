"""The congruence ``S = XᵀHX`` and ``R = I − XᵀX`` with rigorous error bounds.

First pass (:func:`float_congruence`): float64 BLAS products with a priori bounds — cheap, and
enough to certify every eigenvalue above ≈ N²·u·||H||.  Refinement passes
(:func:`congruence`): exact fixed-point integer arithmetic at the working precision.

Ball matrix products are slow when entries span many binades (an eigenvector matrix holds
``1e-17`` noise beside ``O(1)`` entries), so the congruence is done in FLINT's exact integer
matrices: ``H ≈ W·2^-s_H`` and ``X = Z·2^-s_X`` with integer ``W, Z``; ``Y = WZ`` is exact and
rounded to ``bits`` bits, ``S = ZᵀY`` and ``XᵀX = ZᵀZ`` are exact.  ``X`` *is* the rounded
matrix (any nonsingular X serves Sylvester's law), so the only approximations are the
rounding of H and of Y, each bounded entrywise and carried into the Weyl bound:

    ||Xᵀ ΔH X||₂ ≤ (1 + δ)(||Rad H||₂ + m·ε_H),   ||Xᵀ ΔY||₂ ≤ √(1 + δ)·m·ε_Y.

With ``bits = 53`` everything is a 53-bit product (FLINT's fast path); refinement passes use
the working precision.  Refinement: Ogita & Aishima, *Iterative refinement for symmetric
eigenvalue decomposition* I and II (JJIAM 35, 2018; 36, 2019).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from flint import arb, arb_mat, fmpz_mat

__all__ = ["Basis", "Congruence", "FixedMatrix", "congruence", "fixed_from_arb", "fixed_from_floats",
           "float_congruence"]

_SAFE = 1.0 + 1e-6


@dataclass
class FixedMatrix:
    """The matrix ``M · 2^-s`` (M an exact integer matrix)."""

    M: fmpz_mat
    s: int


def _from_int_list(vals: list[int], rows: int, cols: int, s: int, bits: int) -> tuple[FixedMatrix, float]:
    """Round exact integers (value ``v·2^-s``) to ``bits`` significant bits of the largest;
    returns the matrix and the entrywise rounding bound (in value units)."""
    big = max((abs(v) for v in vals), default=0)
    t = max(big.bit_length() - bits, 0)
    if t == 0:
        return FixedMatrix(fmpz_mat(rows, cols, vals), s), 0.0
    half = 1 << (t - 1)
    out = [(v + half) >> t for v in vals]
    return FixedMatrix(fmpz_mat(rows, cols, out), s - t), math.ldexp(1.0, t - 1 - s)


def fixed_from_floats(A: np.ndarray) -> tuple[FixedMatrix, float]:
    """``A`` on a grid with 53-bit integers; returns the matrix and the entrywise bound of
    ``|A − M 2^-s|``."""
    A = np.asarray(A, dtype=np.float64)
    rows, cols = A.shape
    mx = float(np.max(np.abs(A))) if A.size else 0.0
    if mx == 0.0:
        return FixedMatrix(fmpz_mat(rows, cols), 0), 0.0
    s = 52 - math.frexp(mx)[1]
    M = np.rint(np.ldexp(A, s))
    return FixedMatrix(fmpz_mat(rows, cols, [int(v) for v in M.ravel()]), s), math.ldexp(1.0, -s - 1)


def fixed_from_arb(H: arb_mat, bits: int) -> tuple[FixedMatrix, float]:
    """The midpoints of ``H`` rounded to ``bits`` bits of the largest (exact otherwise)."""
    rows, cols = H.nrows(), H.ncols()
    pairs = []
    for x in H.entries():
        mid = x.mid()
        if mid.is_zero():
            pairs.append((0, 0))
        else:
            m, e = mid.man_exp()
            pairs.append((int(m), int(e)))
    nonzero = [(m, e) for m, e in pairs if m]
    if not nonzero:
        return FixedMatrix(fmpz_mat(rows, cols), 0), 0.0
    top = max(m.bit_length() + e for m, e in nonzero)
    s = bits - top
    vals = []
    err = 0.0
    for m, e in pairs:
        k = e + s
        if k >= 0:
            vals.append(m << k)
        else:
            vals.append((m + (1 << (-k - 1))) >> -k)
            err = math.ldexp(1.0, -s - 1)
    return FixedMatrix(fmpz_mat(rows, cols, vals), s), err


class Basis:
    """The congruence matrix ``X = Z·2^-s`` (exact), starting from float64 eigenvectors."""

    def __init__(self, Z: fmpz_mat, s: int):
        self.Z, self.s = Z, s

    @classmethod
    def from_floats(cls, X: np.ndarray) -> Basis:
        fx, _ = fixed_from_floats(X)  # the rounded X is the basis itself: no error term
        return cls(fx.M, fx.s)

    def times(self, A: np.ndarray, *, identity: bool, bits: int) -> Basis:
        """``X (I + A)`` (``identity``) or ``X A``, rounded to ``bits`` bits (A itself is first
        rounded to a 53-bit grid: any nonsingular result serves)."""
        fa, _ = fixed_from_floats(A)
        F = fa.M
        if identity:  # I + A = (2^s I + F)·2^-s; s ≥ 0 since |A| < 2^52 here
            F = F + _scaled_identity(A.shape[0], 1 << max(fa.s, 0))
        prod = self.Z * F
        out, _ = _from_int_list([int(v) for v in prod.entries()], prod.nrows(), prod.ncols(),
                                self.s + fa.s, bits)
        return Basis(out.M, out.s)


def _scaled_identity(m: int, c: int) -> fmpz_mat:
    Id = fmpz_mat(m, m)
    for i in range(m):
        Id[i, i] = c
    return Id


@dataclass
class Congruence:
    """``S = XᵀHX`` and ``R = I − XᵀX`` for one basis, with rigorous bounds.

    ``c``, ``r``: float64 values of S and R (each correctly rounded from the exact value);
    ``diag``: balls of S's diagonal; ``perturbation``: bound of ``||S_true − S||₂`` (rounding of
    H and Y and H's radii); ``delta`` ≥ ``||R||₂``; ``estimates``: Rayleigh quotients
    ``s_ii / (1 − r_ii)`` as balls.
    """

    c: np.ndarray
    r: np.ndarray
    diag: list
    perturbation: float
    delta: float
    estimates: list


def _floats_scaled(M: fmpz_mat, s: int) -> np.ndarray:
    vals = np.array([float(v) for v in M.entries()], dtype=np.float64)
    return np.ldexp(vals, -s).reshape(M.nrows(), M.ncols())


def frobenius_upper(a: np.ndarray) -> float:
    """Upper bound of ``||A||_F`` for the exact values behind the float array ``a`` (each
    entry within a relative 2^-53 of its exact value)."""
    a = np.abs(np.asarray(a, dtype=np.float64))
    if a.size == 0:
        return 0.0
    mx = float(a.max())
    if mx == 0.0:
        return 0.0
    if not math.isfinite(mx):
        return math.inf
    y = a / mx
    return mx * math.sqrt(float(np.sum(y * y)) + a.size * 1e-300) * _SAFE


def congruence(H: FixedMatrix, err_h: float, rad_h: float, basis: Basis, *, bits: int) -> Congruence:
    """``XᵀHX`` for ``H_true = H + Δ`` with ``|Δ_ij| ≤ Rad_ij + err_h`` and ``||Rad||₂ ≤ rad_h``."""
    m = H.M.nrows()
    Z, sZ = basis.Z, basis.s
    Y = H.M * Z
    Yr, err_y = _from_int_list([int(v) for v in Y.entries()], m, m, H.s + sZ, bits)
    ZT = Z.transpose()
    C = ZT * Yr.M
    sC = sZ + Yr.s
    G = ZT * Z
    sG = 2 * sZ
    c = _floats_scaled(C, sC)
    gvals = [int(v) for v in G.entries()]
    one = 1 << sG if sG >= 0 else 0
    rvals = [(one if i % (m + 1) == 0 else 0) - v for i, v in enumerate(gvals)]
    r = np.ldexp(np.array([float(v) for v in rvals], dtype=np.float64), -sG).reshape(m, m)
    delta = frobenius_upper(r)
    scale = arb(2) ** (-sC)
    diag = [arb(C[i, i]) * scale for i in range(m)]
    gscale = arb(2) ** (-sG)
    estimates = [diag[i] / (arb(G[i, i]) * gscale) for i in range(m)]
    pert = ((1.0 + delta) * (rad_h + m * err_h) + math.sqrt(1.0 + delta) * m * err_y) * _SAFE
    return Congruence(c, r, diag, pert, delta, estimates)


def float_congruence(Hf: np.ndarray, rad_h: float, X: np.ndarray) -> Congruence:
    """``XᵀHX`` in float64 BLAS with a priori error bounds (the fast first pass).

    ``Hf`` holds H's midpoints rounded to nearest (so ``|H_true − Hf| ≤ Rad + 2^-53|Hf|``) and
    ``X`` is exact.  For any order of summation, with or without FMA, a float64 product obeys
    ``|fl(AB) − AB| ≤ γ_k |A||B|`` with ``γ_k = k·u/(1 − k·u)`` (Higham, *Accuracy and
    Stability of Numerical Algorithms*, §3.5; Rump, Acta Numerica 2010, §2), and a product of
    nonnegative matrices is computed with relative error ``γ_k`` — so the bounds below are
    themselves computed as upper bounds.  Assumes IEEE binary64 and the standard (not
    Strassen-like) product in BLAS.  Underflow is covered by an absolute term.
    """
    m = Hf.shape[0]
    u = 2.0**-53
    g = 2.0 * (m + 4) * u  # ≥ γ_m (1 + γ_m)(1 + u): product error and the rounding of the bound
    M = Hf @ X
    C = X.T @ M
    G = X.T @ X
    # ||E||_F ≤ ||·|| of γ_m(|X|ᵀ|Hf||X| + |X|ᵀ|M|) ≤ γ_m(||X||_F² ||Hf||_F + ||X||_F ||M||_F)
    nx = frobenius_upper(X)
    tiny = m * 2.0**-1000
    err_c = g * (nx * nx * frobenius_upper(Hf) + nx * frobenius_upper(M)) * _SAFE + tiny
    err_g = g * nx * nx * _SAFE + tiny
    r = np.eye(m) - G
    delta = frobenius_upper(r) + err_g
    d_h = rad_h + frobenius_upper(Hf) * u * _SAFE  # ||ΔH||₂ (radii and midpoint rounding)
    pert = (err_c + (1.0 + delta) * d_h) * _SAFE
    diag = [arb(float(C[i, i])) for i in range(m)]
    estimates = [diag[i] / arb(float(G[i, i])) for i in range(m)]
    return Congruence(C, r, diag, pert, delta, estimates)


# -- refinement ------------------------------------------------------------------------------

def _cluster_delta(c: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, float]:
    """Ritz values ``λ̃_i = s_ii/(1 − r_ii)`` and Ogita–Aishima's cluster threshold
    ``δ = 2(||S − diag λ̃|| + ||H||·||R||)``."""
    m = c.shape[0]
    lam = np.diag(c) / (1.0 - np.diag(r))
    norm_h = float(np.max(np.abs(lam))) if m else 0.0
    delta = 2.0 * (np.linalg.norm(c - np.diag(lam)) + norm_h * np.linalg.norm(r))
    return lam, delta


def clusters(c: np.ndarray, r: np.ndarray) -> list[list[int]]:
    """Groups (two or more members) of Ritz values closer than the cluster threshold."""
    lam, delta = _cluster_delta(c, r)
    order = np.argsort(lam)
    groups, current = [], [int(order[0])] if len(order) else []
    for a, b in itertools.pairwise(order):
        if lam[b] - lam[a] <= delta:
            current.append(int(b))
        else:
            groups.append(current)
            current = [int(b)]
    if current:
        groups.append(current)
    return [grp for grp in groups if len(grp) > 1]


def cluster_rotation(c: np.ndarray, r: np.ndarray) -> np.ndarray | None:
    """A block-diagonal orthogonal B diagonalising the blocks of S of clusters whose internal
    coupling dominates their coupling to the rest (there, float64 eigenvectors mixed distinct
    eigenvalues), or ``None``.  A small block's float64 eigenvectors are accurate relative to
    the block's own size."""
    groups = clusters(c, r)
    if not groups:
        return None
    inside = np.zeros(c.shape, dtype=bool)
    for grp in groups:
        inside[np.ix_(grp, grp)] = True
    np.fill_diagonal(inside, True)
    coupling = float(np.linalg.norm(c[~inside]))
    B = None
    for grp in groups:
        idx = np.ix_(grp, grp)
        block = 0.5 * (c[idx] + c[idx].T)
        if np.linalg.norm(block - np.diag(np.diag(block))) <= 10.0 * coupling:
            continue
        _, V = np.linalg.eigh(block)
        B = np.eye(c.shape[0]) if B is None else B
        B[idx] = V
    return B


def ogita_aishima(c: np.ndarray, r: np.ndarray) -> np.ndarray:
    """The Ogita–Aishima correction ``E`` from ``S = XᵀHX`` and ``R = I − XᵀX``:
    ``X' = X(I + E)``; within a cluster (gap below the error level) ``E_ij = R_ij/2``."""
    lam, delta = _cluster_delta(c, r)
    diff = lam[None, :] - lam[:, None]  # λ_j − λ_i
    with np.errstate(divide="ignore", invalid="ignore"):
        E = (c + lam[None, :] * r) / diff
    cluster = np.abs(diff) <= delta
    E[cluster] = r[cluster] / 2.0
    np.fill_diagonal(E, np.diag(r) / 2.0)
    return E
