"""Interpolating points ``f_p(x_j) = y_j`` (the zero set M = L⁻¹(0) of the L2 loss):
the output Jacobian in mpmath and Gauss–Newton projection onto M at any precision.

``J = ∂(f_p(x_j))_{j,o} / ∂p`` has rows ordered ``(j, o)`` (as
:func:`critlocus.core.float64.output_jacobian_f64`).  Where J has full row rank ``d·n_ℓ``,
M is locally a smooth submanifold of dimension ``N − d·n_ℓ`` and the minimum-norm
Gauss–Newton step

    p ← p − Jᵀ (J Jᵀ)⁻¹ r(p),   r(p) = vec(f_p(X) − Y),

converges quadratically to a point of M (Ben-Israel, *A Newton–Raphson method for the
solution of systems of equations*, J. Math. Anal. Appl. 15, 1966; Nocedal & Wright,
*Numerical Optimization*, §10.3); each step comes from a QR factorisation of Jᵀ.
Method of :func:`output_jacobian_mp`: reverse mode (one backward pass per output
coordinate and data point), exact derivatives at the working precision.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath
import numpy as np

from . import float64 as f64
from .decisions import KAPPA
from .errors import InvalidArgument
from .network import Problem
from .precision import Precision
from .rank import MatrixSource
from .slices import _unpack_mp

_BACKTRACK = 30

__all__ = ["OutputJacobian", "ProjectionResult", "output_jacobian_mp", "project_to_interpolation_float64",
           "project_to_interpolation_mp", "residuals_mp"]


def output_jacobian_mp(problem: Problem, params: Sequence) -> mpmath.matrix:
    """J at the current mpmath precision, shape ``(d·n_ℓ, N)``."""
    arch = problem.architecture
    if len(params) != arch.n_params:
        raise InvalidArgument(f"expected {arch.n_params} parameters, got {len(params)}")
    ell, layout = arch.depth, arch.layout
    W, b = _unpack_mp(arch, params)
    jet = problem.network.activation.mp_jet
    n_out = arch.n_out
    J = mpmath.matrix(problem.data.size * n_out, arch.n_params)
    for j, x in enumerate(problem.data.X):
        a = {0: [mpmath.mpf(float(v)) for v in x]}
        s1 = {}
        for k in range(1, ell):
            h = [mpmath.fdot(row, a[k - 1]) for row in W[k]]
            if b[k] is not None:
                h = [u + c for u, c in zip(h, b[k])]
            jets = [jet(v) for v in h]
            a[k] = [t[0] for t in jets]
            s1[k] = [t[1] for t in jets]
        for o in range(n_out):
            row = j * n_out + o
            delta = [mpmath.mpf(0)] * n_out
            delta[o] = mpmath.mpf(1)
            for k in range(ell, 0, -1):
                wb = layout.block(f"W_{k}")
                cols = wb.shape[1]
                for i, di in enumerate(delta):
                    if di == 0:
                        continue
                    base = wb.offset + i * cols
                    for m, am in enumerate(a[k - 1]):
                        J[row, base + m] = di * am
                    if b[k] is not None:
                        J[row, layout.block(f"b_{k}").offset + i] = di
                if k > 1:
                    back = [mpmath.fdot(col, delta) for col in zip(*W[k])]
                    delta = [u * v for u, v in zip(back, s1[k - 1])]
    return J


class OutputJacobian(MatrixSource):
    """J rebuilt at each precision from the point's parameters (``params_at(precision)``:
    the float64 vector, or mpmath numbers built inside ``workdps``); scale ``‖J‖_F``."""

    def __init__(self, problem: Problem, params_at: Callable[[Precision], Sequence]):
        from .precision import FLOAT64

        self.problem = problem
        self.params_at = params_at
        self._f64 = f64.output_jacobian_f64(problem, np.asarray(params_at(FLOAT64), dtype=np.float64))
        self.shape = tuple(self._f64.shape)
        self._mp: dict[int, mpmath.matrix] = {}

    def dense_float64(self) -> np.ndarray:
        return self._f64

    def dense_mp(self, precision: Precision) -> mpmath.matrix:
        if precision.dps not in self._mp:
            with mpmath.workdps(precision.dps):
                self._mp[precision.dps] = output_jacobian_mp(self.problem, self.params_at(precision))
        return self._mp[precision.dps]


def residuals_mp(problem: Problem, params: Sequence) -> list:
    """``vec(f_p(X) − Y)`` (rows ``(j, o)``) at the current precision."""
    from .slices import outputs_mp

    out = []
    for f, y in zip(outputs_mp(problem, params), problem.data.Y):
        out.extend(fo - mpmath.mpf(float(yo)) for fo, yo in zip(f, y))
    return out


@dataclass
class ProjectionResult:
    """The projected point, its residual norm per iteration, and whether it converged
    (the residual stopped decreasing at the working precision's rounding level)."""

    params: list
    residual_norms: list[float]
    converged: bool


def project_to_interpolation_mp(problem: Problem, start: Sequence, *, max_iter: int = 40
                                ) -> ProjectionResult:
    """Gauss–Newton (minimum-norm steps) from ``start`` onto M at the current precision.

    Each step is damped (halved up to 30 times) until the residual decreases.  Stops when the
    residual is at rounding level (``‖r‖ ≤ τ = κ·m·u·S``, S the size of the outputs and
    targets combined, :mod:`critlocus.core.decisions`), when no damped step decreases it, or
    after ``max_iter`` steps; ``converged`` says whether it reached τ.  Callers decide the
    gradient's zero-ness themselves.
    """
    p = [mpmath.mpf(v) for v in start]
    m = problem.data.size * problem.architecture.n_out
    tau = _residual_threshold(problem, m, mpmath.mp.prec)
    norms: list[float] = []
    r = residuals_mp(problem, p)
    rn = mpmath.sqrt(mpmath.fdot(r, r))
    norms.append(float(rn))
    for _ in range(max_iter):
        if rn <= tau:
            break
        step = _min_norm_solve(output_jacobian_mp(problem, p), r)
        if step is None:
            break
        alpha = mpmath.mpf(1)
        for _ in range(_BACKTRACK):  # damped step: the residual must decrease
            q = [pi - alpha * step[i] for i, pi in enumerate(p)]
            r_new = residuals_mp(problem, q)
            rn_new = mpmath.sqrt(mpmath.fdot(r_new, r_new))
            if rn_new < rn:
                break
            alpha /= 2
        else:
            break
        p, r, rn = q, r_new, rn_new
        norms.append(float(rn))
    return ProjectionResult(p, norms, bool(rn <= tau))


def _min_norm_solve(J: mpmath.matrix, r: list):
    """The minimum-norm solution s of ``J s = r`` (J of full row rank) from the QR
    factorisation ``Jᵀ = QR``: ``s = Q R⁻ᵀ r`` — without squaring J's condition number as the
    normal equations ``J Jᵀ z = r`` would.  ``None`` when R is singular."""
    m = J.rows
    if m > J.cols:
        return None
    Q, R = mpmath.qr(J.T, mode="skinny")
    z = [mpmath.mpf(0)] * m
    for i in range(m):  # forward substitution with Rᵀ (lower triangular)
        if R[i, i] == 0:
            return None
        z[i] = (r[i] - mpmath.fdot([R[k, i] for k in range(i)], z[:i])) / R[i, i]
    return Q * mpmath.matrix(z)


def _residual_threshold(problem: Problem, m: int, bits: int) -> float:
    """τ = κ·m·u·S with S = 2·Σ_j ‖y_j‖ + 1: the rounding level of the residuals near M."""
    S = 2.0 * float(np.linalg.norm(problem.data.Y, axis=1).sum()) + 1.0
    return KAPPA * max(m, 1) * math.ldexp(1.0, -bits) * S


def project_to_interpolation_float64(problem: Problem, start: np.ndarray, *, max_iter: int = 20
                                     ) -> ProjectionResult:
    """The same Gauss–Newton projection in float64 (torch Jacobian, LAPACK least squares)."""
    p = np.array(start, dtype=np.float64)
    norms: list[float] = []

    def resid(q):
        return (f64.outputs_f64(problem, q) - problem.data.Y).reshape(-1)

    r = resid(p)
    norms.append(float(np.linalg.norm(r)))
    tau = _residual_threshold(problem, len(r), 53)
    for _ in range(max_iter):
        if norms[-1] <= tau:
            break
        J = f64.output_jacobian_f64(problem, p)
        step = np.linalg.lstsq(J, r, rcond=None)[0]
        alpha = 1.0
        for _ in range(_BACKTRACK):
            q = p - alpha * step
            r_new = resid(q)
            if np.linalg.norm(r_new) < norms[-1]:
                break
            alpha /= 2
        else:
            break
        p, r = q, r_new
        norms.append(float(np.linalg.norm(r)))
    return ProjectionResult(list(p), norms, bool(norms[-1] <= tau))
