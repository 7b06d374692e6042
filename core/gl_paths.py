"""Explicit paths in GL(n) between two matrices whose determinants have the same sign.

Method: ``C = B A⁻¹`` has ``det C > 0``.  Its QR decomposition ``C = QR`` (R with positive
diagonal, so ``Q ∈ SO(n)``) splits the path: ``R(t) = (1 − t)I + tR`` stays upper triangular with
positive diagonal, hence invertible; Q is reduced to a diagonal ``D = diag(±1)`` (``det D = 1``) by
Givens rotations, ``Q = G_1(θ_1) ⋯ G_K(θ_K)·D``, and ``D`` is a product of rotations by π in planes
pairing its ``−1`` entries, so ``Q(t) = Π G_k(tθ_k) · Π P_l(tπ)`` stays in SO(n).  Then
``t ↦ C(t) A = Q(t) R(t) A`` runs from A to B inside GL(n) (Golub & Van Loan, *Matrix
Computations*, §5.1.8 for Givens QR).  Computed in mpmath at the working precision.
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath

from .errors import InvalidArgument

__all__ = ["gl_path"]


def _givens(n: int, p: int, q: int, angle) -> mpmath.matrix:
    G = mpmath.eye(n)
    c, s = mpmath.cos(angle), mpmath.sin(angle)
    G[p, p], G[q, q], G[p, q], G[q, p] = c, c, -s, s
    return G


def gl_path(A: mpmath.matrix, B: mpmath.matrix) -> Callable[[object], mpmath.matrix]:
    """``t ↦ M(t)`` with ``M(0) = A``, ``M(1) = B`` and ``det M(t)`` of constant sign (see the module
    docstring).  Raises :class:`InvalidArgument` when ``det A`` and ``det B`` differ in sign."""
    n = A.rows
    C = B * mpmath.inverse(A)
    if mpmath.det(C) <= 0:
        raise InvalidArgument("gl_path needs det A and det B of the same sign")
    Q, R = mpmath.qr(C)
    for i in range(n):  # R with positive diagonal
        if R[i, i] < 0:
            for j in range(n):
                R[i, j] = -R[i, j]
                Q[j, i] = -Q[j, i]
    rotations = []
    M = Q.copy()
    for col in range(n):  # zero the subdiagonal of column col: Gᵀ_K ⋯ Gᵀ_1 Q = D
        for row in range(n - 1, col, -1):
            a, b = M[row - 1, col], M[row, col]
            if b == 0:
                continue
            angle = mpmath.atan2(b, a)
            G = _givens(n, row - 1, row, angle)
            M = G.T * M
            rotations.append((row - 1, row, angle))
    negatives = [i for i in range(n) if M[i, i] < 0]
    pairs = [(negatives[k], negatives[k + 1]) for k in range(0, len(negatives) - 1, 2)]

    def at(t) -> mpmath.matrix:
        t = mpmath.mpf(t)
        Qt = mpmath.eye(n)
        for p, q, angle in rotations:
            Qt = Qt * _givens(n, p, q, t * angle)
        for p, q in pairs:
            Qt = Qt * _givens(n, p, q, t * mpmath.pi)
        Rt = (1 - t) * mpmath.eye(n) + t * R
        return Qt * Rt * A

    return at
