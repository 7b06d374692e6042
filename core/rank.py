"""Numerical rank decided at a precision, with the evidence that separates zero from nonzero.

The rank of a matrix A ∈ R^{m×n} is the number of nonzero singular values.  At a working
precision with unit roundoff u, a singular value is *zero* when it is at most
τ = κ·max(m, n)·u·S (S the size of the quantities A is computed from, by default ‖A‖_F;
:mod:`critlocus.core.decisions`), *nonzero* above the ambiguity band τ·u^(-1/4), and the
split must also be the largest relative gap of the sorted singular values — the same two
criteria as for Hessian inertia (:func:`critlocus.core.spectrum.classify_spectrum`).  By
Weyl's inequality for singular values, ``|σ_i(A + E) − σ_i(A)| ≤ ‖E‖₂``, so a computed
singular value below the error bound is indistinguishable from zero.

Methods (one per function): :func:`rank_float64` — LAPACK SVD of the float64 matrix;
:func:`rank_mp` — ``mpmath.svd_r`` of the matrix *rebuilt at the working precision* from its
construction (a :class:`MatrixSource`), so exact zeros of the construction are seen as zeros
and rounding artefacts of float64 are not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np

from .errors import InvalidArgument
from .precision import Precision
from .spectrum import SpectrumDecision, classify_spectrum

__all__ = ["ExactMatrix", "MatrixSource", "RankDecision", "decide_rank", "rank_float64",
           "rank_from_singular_values", "rank_mp"]


def _to_mpf(x) -> mpmath.mpf:
    """An exact or high-precision number as mpf at the current precision (Fractions divided once)."""
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return mpmath.mpf(x)


class MatrixSource:
    """A matrix that can be built at any precision.

    Subclasses provide ``shape``, :meth:`dense_float64` and :meth:`dense_mp` (called inside
    ``mpmath.workdps(precision.dps)``), and may override :meth:`scale` (the size S of the
    quantities the entries are computed from; default ``‖A‖_F`` in float64).
    """

    shape: tuple[int, int]

    def dense_float64(self) -> np.ndarray:
        raise NotImplementedError

    def dense_mp(self, precision: Precision) -> mpmath.matrix:
        raise NotImplementedError

    def scale(self) -> float:
        return float(np.linalg.norm(self.dense_float64()))


class ExactMatrix(MatrixSource):
    """A matrix given by a construction ``build() -> list of rows`` of numbers, run at each
    precision (inside ``mpmath.workdps``; mpmath numbers, ints, Fractions or dyadic floats).

    >>> A = ExactMatrix(lambda: [[1, 2], [2, 4]])
    >>> decide_rank(A, FLOAT64).rank
    1
    """

    def __init__(self, build: Callable[[], list], *, scale: float | None = None):
        self._build = build
        self._scale = scale
        rows = self._rows(53)
        self.shape = (len(rows), len(rows[0]) if rows else 0)
        self._cache: dict[int, mpmath.matrix] = {}

    def _rows(self, prec: int) -> list:
        with mpmath.workprec(prec):
            out = [[_to_mpf(x) for x in row] for row in self._build()]
        if not out or any(len(r) != len(out[0]) for r in out):
            raise InvalidArgument("ExactMatrix build() must return a nonempty list of equal-length rows")
        return out

    def dense_float64(self) -> np.ndarray:
        return np.array([[float(x) for x in row] for row in self._rows(120)], dtype=np.float64)

    def dense_mp(self, precision: Precision) -> mpmath.matrix:
        if precision.dps not in self._cache:
            self._cache[precision.dps] = mpmath.matrix(self._rows(precision.bits))
        return self._cache[precision.dps]

    def scale(self) -> float:
        return self._scale if self._scale is not None else super().scale()


@dataclass
class RankDecision:
    """The rank of a matrix at one precision: ``rank`` certain nonzero singular values plus
    ``n_ambiguous`` undecided ones (the true rank lies in ``[rank, rank + n_ambiguous]``)."""

    shape: tuple[int, int]
    spectrum: SpectrumDecision

    @property
    def rank(self) -> int:
        return self.spectrum.n_pos

    @property
    def n_ambiguous(self) -> int:
        return self.spectrum.n_ambiguous

    @property
    def decided(self) -> bool:
        return self.spectrum.decided

    @property
    def rank_range(self) -> tuple[int, int]:
        return self.rank, self.rank + self.n_ambiguous

    def to_dict(self) -> dict:
        d = self.spectrum.to_dict()
        d.pop("inertia", None)
        d["shape"] = list(self.shape)
        d["rank"] = self.rank
        d["ambiguous"] = self.n_ambiguous
        d["singular_values_excerpt"] = d.pop("eigenvalues_excerpt")
        d["nonzero_singular_values"] = d.pop("nonzero_eigenvalues")
        return d


def rank_from_singular_values(sv, shape: tuple[int, int], precision: Precision, *, scale: float,
                              method: str) -> RankDecision:
    """The rank decision for singular values already computed (e.g. by an SVD whose vectors are
    needed too), by the same rule as :func:`rank_float64` and :func:`rank_mp`."""
    dec = classify_spectrum(list(sv), precision, size=max(shape), scale=scale, method=method)
    return RankDecision(tuple(shape), dec)


def rank_float64(A: np.ndarray, precision: Precision, *, scale: float | None = None) -> RankDecision:
    """Rank of a dense float64 matrix from ``numpy.linalg.svd`` (singular values only)."""
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2:
        raise InvalidArgument(f"rank needs a 2-d matrix, got shape {A.shape}")
    sv = np.linalg.svd(A, compute_uv=False) if A.size else np.zeros(0)
    S = float(np.linalg.norm(A)) if scale is None else float(scale)
    return rank_from_singular_values(sv, A.shape, precision, scale=S, method="float64 SVD")


def rank_mp(A: mpmath.matrix, precision: Precision, *, scale: float) -> RankDecision:
    """Rank of a dense mpmath matrix from its singular values at the working precision
    (:func:`singular_values_mp`)."""
    with mpmath.workdps(precision.dps):
        sv, method = singular_values_mp(A)
    return rank_from_singular_values(sv, (A.rows, A.cols), precision, scale=scale, method=method)


def singular_values_mp(A: mpmath.matrix) -> tuple[list, str]:
    """The ``min(m, n)`` singular values of ``A`` at the current precision, and the method.

    ``mpmath.svd_r`` (Golub–Kahan bidiagonalisation with implicit QR) occasionally stops with
    "no convergence to an eigenvalue after 90 iterations"; then Aᵀ is tried, and last the
    symmetric Jordan–Wielandt matrix ``[[0, A], [Aᵀ, 0]]`` with the Jacobi method
    (``mpmath.eigsy``), whose eigenvalues are ``±σ_i`` and ``|m − n|`` zeros — it always
    converges and, unlike ``eig(AᵀA)``, does not square the small singular values (Golub & Van
    Loan, *Matrix Computations*, 4th ed., §8.6.1)."""
    m, n = A.rows, A.cols
    if m == 0 or n == 0:
        return [], "mpmath svd_r"
    for M, how in ((A, "mpmath svd_r"), (A.T, "mpmath svd_r on Aᵀ")):
        try:
            S = mpmath.svd_r(M, compute_uv=False)
            return [S[i] for i in range(min(m, n))], how
        except RuntimeError:  # mpmath's QR iteration did not converge
            continue
    J = mpmath.zeros(m + n, m + n)
    for i in range(m):
        for j in range(n):
            J[i, m + j] = J[m + j, i] = A[i, j]
    eig = sorted((abs(v) for v in mpmath.eigsy(J, eigvals_only=True)), reverse=True)
    # ±σ_i come in pairs: every other value of the sorted magnitudes
    return [eig[2 * i] for i in range(min(m, n))], \
        "mpmath eigsy of [[0, A], [Aᵀ, 0]] (svd_r did not converge)"


def decide_rank(source: MatrixSource, precision: Precision) -> RankDecision:
    """The rank of ``source`` at ``precision`` (float64 SVD, or mpmath SVD of the rebuilt matrix)."""
    if not isinstance(source, MatrixSource):
        raise InvalidArgument(f"decide_rank needs a MatrixSource, got {type(source).__name__}")
    scale = source.scale()
    if precision.is_float64:
        return rank_float64(source.dense_float64(), precision, scale=scale)
    with mpmath.workdps(precision.dps):
        A = source.dense_mp(precision)
    return rank_mp(A, precision, scale=scale)
