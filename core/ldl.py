"""Inertia of a symmetric matrix by LDLᵀ with Bunch–Kaufman pivoting and Sylvester's law.

``P (A − tI) Pᵀ = L D Lᵀ`` with L unit lower triangular and D block diagonal (1×1 and 2×2
blocks).  By Sylvester's law of inertia, ``A − tI`` and D have the same numbers of positive,
negative and zero eigenvalues; a 2×2 Bunch–Kaufman block has negative determinant (one of
each sign).  So ``#{λ(A) > t} = n₊(D)`` and ``#{λ(A) < t} = n₋(D)``: **spectrum slicing**
without computing any eigenvalue (Parlett, *The Symmetric Eigenvalue Problem*, §3.3).

Pivoting: J. R. Bunch and L. Kaufman, *Some stable methods for calculating inertia and solving
symmetric linear systems*, Math. Comp. 31 (1977), with α = (1 + √17)/8, which bounds the growth
of the reduced matrices by (1 + 1/α)^{n−1} (Higham, *Accuracy and Stability of Numerical
Algorithms*, 2nd ed., §11.1.1, Alg. 11.2).

Arithmetic: block fixed point (:mod:`critlocus.core.fixedpoint`): the entries are integers at
one exponent, the multipliers carry ``F`` fraction bits, every Schur update is an exact integer
product followed by one floor shift.  Only the lower triangle is read (as in LAPACK's
``dsytrf``, with symmetric swaps in that storage), so the matrix factored is exactly symmetric.

Backward error (Higham, Thm 11.3, argued directly for this arithmetic): the computed factors
are the exact factors of ``A − tI + E``, where E collects, per elimination step, the floor of
each update (≤ 1 unit) and the truncated multipliers times the pivot column (≤ 2^−F·max|column|
per multiplier, two for a 2×2 block).  The factorization adds these up as it goes and returns
``‖E‖₂ ≤ n·max|E_ij|`` (rigorous for this integer arithmetic).  By Weyl's inequality every
eigenvalue of ``A − tI + E`` is within ‖E‖₂ of one of ``A − tI``, so the slice counts are exact
for every eigenvalue farther than ‖E‖₂ from t.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from .fixedpoint import FixedArray

__all__ = ["LDLInertia", "ldl_inertia"]

# α = (1 + √17)/8 ≈ 0.6404 as a rational (any α in (0, 1) keeps the method correct; this one
# minimises the growth bound)
_ALPHA_NUM, _ALPHA_DEN = 6404, 10000
# trailing sizes above which the lower triangle is updated row by row (half the integer work,
# a Python loop per row); below, one vectorised outer product whose upper half is never read
_ROW_LOOP_FROM = 64


@dataclass
class LDLInertia:
    """Counts of eigenvalues of A above and below the shift t, with the factorization's
    backward-error bound ``error`` (an mpmath number: ‖E‖₂) and the growth factor (largest
    pivot-column entry met, relative to ``max |A − tI|``)."""

    shift: mpmath.mpf
    above: int  # #{λ > t}
    below: int  # #{λ < t}
    at: int  # exact zero pivots of the computed factorization (eigenvalues at t, up to E)
    error: mpmath.mpf
    growth: float
    two_by_two: int


def _swap(M: np.ndarray, i: int, j: int, k: int) -> None:
    """Symmetric permutation exchanging indices ``k ≤ i < j`` of the trailing matrix, held in
    its lower triangle (LAPACK ``dsytrf``'s storage)."""
    if i == j:
        return
    tmp = M[i, k:i].copy()
    M[i, k:i] = M[j, k:i]
    M[j, k:i] = tmp
    M[i, i], M[j, j] = M[j, j], M[i, i]
    tmp = M[i + 1:j, i].copy()
    M[i + 1:j, i] = M[j, i + 1:j]
    M[j, i + 1:j] = tmp
    tmp = M[j + 1:, i].copy()
    M[j + 1:, i] = M[j + 1:, j]
    M[j + 1:, j] = tmp


def ldl_inertia(A: FixedArray, shift=0, *, fraction_bits: int | None = None) -> LDLInertia:
    """Counts of eigenvalues of the symmetric ``A`` above and below ``shift`` (module docstring).

    ``A`` is a square :class:`FixedArray`; ``shift`` a number (rounded to a grid at least 2^−64
    below it, the rounding counted in the error).  ``fraction_bits`` (default: the bit length of
    A's largest entry plus 8) is the precision of the multipliers.
    """
    n = A.M.shape[0]
    shift = mpmath.mpf(shift)
    # work at least 64 bits below the shift, so that rounding it to the grid costs nothing
    e = A.e if shift == 0 else min(A.e, int(mpmath.floor(mpmath.log(abs(shift), 2))) - 64)
    M = A.M << (A.e - e) if e < A.e else A.M.copy()
    unit = mpmath.ldexp(1, e)
    t_units = int(mpmath.nint(shift / unit))
    for i in range(n):
        M[i, i] -= t_units
    start_max = max((int(abs(v)) for v in M.flat), default=0)
    F = fraction_bits if fraction_bits is not None else max(start_max.bit_length(), 1) + 8
    err_units = 1  # the shift's rounding (at most half a unit)
    above = below = at = pairs = 0
    biggest = start_max
    k = 0
    while k < n:
        akk = M[k, k]
        if k + 1 < n:
            col = np.abs(M[k + 1:, k])
            r = k + 1 + int(np.argmax(col))
            w1 = int(col[r - k - 1])
        else:
            r, w1 = k, 0
        if w1 == 0:
            if akk == 0:
                at += 1  # a zero column: decoupled zero eigenvalue of the computed matrix
            elif akk > 0:
                above += 1
            else:
                below += 1
            k += 1
            continue
        size = 1
        if _ALPHA_DEN * abs(akk) < _ALPHA_NUM * w1:
            wr = max(int(np.max(np.abs(M[r, k:r]))) if r > k else 0,
                     int(np.max(np.abs(M[r + 1:, r]))) if r + 1 < n else 0)
            if _ALPHA_DEN * abs(akk) * wr >= _ALPHA_NUM * w1 * w1:
                pass  # 1×1 pivot at k
            elif _ALPHA_DEN * abs(M[r, r]) >= _ALPHA_NUM * wr:
                _swap(M, k, r, k)
            else:
                _swap(M, k + 1, r, k)
                size = 2
        trail = slice(k + size, n)
        if size == 1:
            p = M[k, k]
            c = M[trail, k].copy()
            L = (c << F) // p
            if n - k - 1 <= _ROW_LOOP_FROM:  # small: one vectorised update (upper half unused)
                M[trail, trail] -= np.outer(L, c) >> F
            else:  # large: the lower triangle only, row by row (half the integer work)
                for idx, i in enumerate(range(k + 1, n)):
                    M[i, k + 1:i + 1] -= (L[idx] * c[:idx + 1]) >> F
            row_max = int(np.max(np.abs(c))) if len(c) else 0
            err_units += 1 + ((row_max >> F) + 1)
            if p > 0:
                above += 1
            else:
                below += 1
        else:
            a, b, c22 = M[k, k], M[k + 1, k], M[k + 1, k + 1]
            det = a * c22 - b * b
            c1, c2 = M[trail, k].copy(), M[trail, k + 1].copy()
            L1 = ((c22 * c1 - b * c2) << F) // det
            L2 = ((a * c2 - b * c1) << F) // det
            if n - k - 2 <= _ROW_LOOP_FROM:
                M[trail, trail] -= (np.outer(L1, c1) + np.outer(L2, c2)) >> F
            else:
                for idx, i in enumerate(range(k + 2, n)):
                    M[i, k + 2:i + 1] -= (L1[idx] * c1[:idx + 1] + L2[idx] * c2[:idx + 1]) >> F
            row_max = max((int(v) for v in np.abs(np.concatenate([c1, c2]))), default=0)
            err_units += 1 + 2 * ((row_max >> F) + 1)
            pairs += 1
            if det < 0:
                above += 1
                below += 1
            elif det > 0:
                if a + c22 > 0:
                    above += 2
                else:
                    below += 2
            else:  # singular 2×2 block (not produced by Bunch–Kaufman in exact arithmetic)
                tr = a + c22
                above += int(tr > 0)
                below += int(tr < 0)
                at += 1 + int(tr == 0)
        biggest = max(biggest, row_max, int(abs(M[k, k])))
        k += size
    error = n * err_units * unit
    growth = float(biggest) / float(start_max) if start_max else 1.0
    return LDLInertia(mpmath.mpf(shift), above, below, at, error, growth, pairs)
