"""A full singular value decomposition in mpmath whose factors are orthogonal.

``mpmath.svd_r(A, full_matrices=True)`` (mpmath 1.3) can return a *non-orthogonal* U for a wide
matrix (m < n) with zero rows: for ``A = [[0, 0, 0], [0, 0, 1]]`` one column of U is zero, so
an orthogonal complement built from it is empty.  The tall orientation is computed correctly,
so :func:`full_svd` decomposes a wide A as Aᵀ, and checks ``‖QᵀQ − I‖_F`` of both factors
against ``2^(−prec/2)·max(m, n)`` before returning (a :class:`PrecisionError` otherwise: a wrong
frame is never returned).
"""

from __future__ import annotations

import mpmath

from .errors import PrecisionError

__all__ = ["full_svd"]


def full_svd(A: mpmath.matrix) -> tuple[mpmath.matrix, list, mpmath.matrix]:
    """``A = U diag(σ) Vᵀ`` with square orthogonal ``U`` (m × m) and ``V`` (n × n), σ descending
    (length min(m, n)); at the current mpmath precision.  Returns ``(U, σ, V)`` — V, not Vᵀ."""
    m, n = A.rows, A.cols
    if m < n:
        V, s, Ut = mpmath.svd_r(A.T, full_matrices=True, compute_uv=True)
        U = Ut.T
    else:
        U, s, Vt = mpmath.svd_r(A, full_matrices=True, compute_uv=True)
        V = Vt.T
    sigma = [s[i] for i in range(min(m, n))]
    tol = mpmath.mpf(2) ** (-(mpmath.mp.prec // 2)) * max(m, n)
    for name, Q in (("U", U), ("V", V)):
        defect = mpmath.mnorm(Q.T * Q - mpmath.eye(Q.rows), "f")
        if defect > tol:
            raise PrecisionError(f"full_svd: the factor {name} of a {m} × {n} matrix is not orthogonal "
                                 f"(‖QᵀQ − I‖ = {mpmath.nstr(defect, 3)})")
    return U, sigma, V
