"""Local minima of a loss landscape found by multistart descent and polished at every precision.

Methods (one per function):

- :func:`descend` — a local minimum from one start: scipy's L-BFGS-B (Byrd, Lu, Nocedal & Zhu,
  SIAM J. Sci. Comput. 16, 1995) on the exact float64 gradient of :mod:`critlocus.core.float64`.
  A descent method from a random start converges to a saddle only on a null set; every limit a
  spec uses is certified afterwards (second-order conditions at high precision).
- :func:`newton_polish` — Newton's method for ``∇L = 0`` in mpmath at the working precision on
  the exact Hessian with its kernel (``n₀`` directions, e.g. the tangent space of the fibre of
  μ_d through a minimum, which makes the Hessian singular) filled in by ``ZZᵀ``: a regularised
  pseudo-inverse step.  Near a manifold of critical points of constant nullity (Morse–Bott)
  this is Newton on the normal directions and converges quadratically (Ben-Israel, *A
  Newton–Raphson method for the solution of systems of equations*, J. Math. Anal. Appl. 15,
  1966; Nocedal & Wright §10.3 for the normal-space view).
- :func:`multistart_minima` — :func:`descend` from seeded Gaussian starts; the distinct limits.

:class:`PolishedPoint` is a point recipe whose every tier is the solver's float64 root polished
at that tier's precision, starting from the tier below — so a high-precision gradient of
``1e-60`` is the gradient of a genuine critical point, not of its float64 rounding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import mpmath
import numpy as np
from scipy.optimize import minimize

from . import float64 as f64
from .errors import InvalidArgument
from .highprec import MPLandscape
from .network import Problem
from .points import Derived, PointRecipe

__all__ = ["FoundMinimum", "PolishedPoint", "balance", "descend", "multistart_critical_points",
           "multistart_minima", "newton_polish",
           "problem_seed"]


def _phi_numpy(name: str, params: dict):
    """φ and φ' in numpy for the registered separable losses (None if unknown)."""
    if name in ("squared_error", "weighted_squared_error"):
        return lambda r: (r * r, 2 * r)
    if name == "pseudo_huber":
        delta = float(params["delta"])

        def ph(r):
            s = np.sqrt(1 + (r / delta) ** 2)
            return r * r / (s + 1), r / s
        return ph
    if name == "log_cosh":
        return lambda r: (r + np.logaddexp(0.0, -2 * r) - np.log(2.0), np.tanh(r))
    return None


def loss_and_gradient_function(problem: Problem):
    """``θ ↦ (L(θ), ∇L(θ))`` in float64: numpy backpropagation for bias-free linear networks with a
    registered loss (fast for the small N of a multistart search), else torch.func."""
    arch = problem.architecture
    phi = _phi_numpy(problem.loss.name, problem.loss.to_dict())
    linear = problem.network.activation.name == "identity" and not any(arch.bias)
    if phi is None or not linear:
        return lambda t: (f64.loss_f64(problem, t), f64.gradient_f64(problem, t))
    X, Y = problem.data.X, problem.data.Y
    w = np.array(problem.loss.weight_matrix(problem.data.size, arch.n_out), dtype=np.float64)
    blocks = arch.layout.blocks

    def fun(theta):
        Ws = [theta[b.slice].reshape(b.shape) for b in blocks]
        acts = [X]
        for W in Ws:
            acts.append(acts[-1] @ W.T)
        val, d1 = phi(acts[-1] - Y)
        G = w * d1
        grads = [None] * len(Ws)
        for k in range(len(Ws) - 1, -1, -1):
            grads[k] = G.T @ acts[k]
            G = G @ Ws[k]
        return float(np.sum(w * val)), np.concatenate([g.reshape(-1) for g in grads])

    return fun


def balance(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """For a bias-free linear network, the point of the fibre of μ_d through θ with equal factor
    norms: ``W_i ↦ c_i W_i`` with ``c_i = g/||W_i||_F``, ``g = (Π_i ||W_i||_F)^{1/h}`` (``Π c_i = 1``,
    so μ_d, L and criticality are unchanged).  It keeps the Hessian's conditioning, and with it the
    polishing, under control.  Other problems (or a zero factor) are returned unchanged."""
    arch = problem.architecture
    if problem.network.activation.name != "identity" or any(arch.bias):
        return theta
    blocks = arch.layout.blocks
    norms = np.array([np.linalg.norm(theta[b.slice]) for b in blocks])
    if np.any(norms == 0) or not np.all(np.isfinite(norms)):
        return theta
    g = float(np.exp(np.mean(np.log(norms))))
    out = theta.copy()
    for b, n in zip(blocks, norms):
        out[b.slice] *= g / n
    return out


def descend(problem: Problem, theta0: np.ndarray, *, max_iterations: int = 2000) -> np.ndarray:
    """A local minimum of L reached from ``theta0`` (float64 L-BFGS-B, :func:`loss_and_gradient_function`)."""
    theta0 = np.asarray(theta0, dtype=np.float64)
    if theta0.shape != (problem.n_params,):
        raise InvalidArgument(f"start must have shape ({problem.n_params},), got {theta0.shape}")
    fun = loss_and_gradient_function(problem)

    res = minimize(fun, theta0, jac=True, method="L-BFGS-B",
                   options={"maxiter": max_iterations, "gtol": 1e-14, "ftol": 1e-16})
    return np.asarray(res.x, dtype=np.float64)


def _kernel_basis(H: mpmath.matrix, n_zero: int | None) -> np.ndarray:
    """An (approximate, float64) orthonormal basis of the kernel of H: the eigenvectors of its
    ``n_zero`` smallest ``|λ|`` (default: the split at the largest relative gap of ``|λ|``, if that
    gap exceeds 10⁶; every |λ| is clamped below at ``u·||H||``)."""
    Hf = np.array([[float(H[i, j]) for j in range(H.cols)] for i in range(H.rows)])
    lam, vecs = np.linalg.eigh(0.5 * (Hf + Hf.T))
    order = np.argsort(np.abs(lam))
    if n_zero is None:
        mags = np.maximum(np.abs(lam[order]), np.finfo(float).eps * max(np.abs(lam).max(), 1.0))
        ratios = mags[1:] / mags[:-1]
        k = int(np.argmax(ratios)) if len(ratios) else -1
        n_zero = k + 1 if (k >= 0 and ratios[k] > 1e6) else 0
    return vecs[:, order[:n_zero]]


def newton_polish(problem: Problem, theta: Sequence, *, n_zero: int | None = None, max_steps: int = 12
                  ) -> list:
    """``θ`` polished at the current mpmath precision by Newton steps on ``∇L = 0`` that ignore the
    kernel of the Hessian (see the module docstring): with Z an orthonormal basis of the kernel
    (float64 eigenvectors, computed once), each step solves ``(H + ZZᵀ) Δ = −∇L`` exactly at the
    working precision (LU), the pseudo-inverse step up to a component along Z of the order of
    ``Zᵀ∇L`` — which vanishes on a manifold of critical points.  Stops when the gradient no longer
    decreases or is at the rounding level ``||∇L|| ≤ 2^{8−prec}(1 + ||θ||)``."""
    x = [mpmath.mpf(v) for v in theta]
    tol = mpmath.ldexp(1, -mpmath.mp.prec + 8)
    best, best_norm = x, None
    Z = None
    n = len(x)
    for _ in range(max_steps):
        land = MPLandscape(problem, x)
        g = land.gradient()
        norm = mpmath.sqrt(mpmath.fdot(g, g))
        if best_norm is not None and norm >= best_norm:
            break
        best, best_norm = x, norm
        if norm <= tol * (1 + mpmath.sqrt(mpmath.fdot(x, x))):
            break
        H = land.hessian()
        if Z is None:
            Z = _kernel_basis(H, n_zero)
        A = H.copy()
        for i in range(n):
            for j in range(n):
                A[i, j] += mpmath.mpf(float(Z[i] @ Z[j])) if Z.shape[1] else 0
        try:
            step = mpmath.lu_solve(A, mpmath.matrix([-v for v in g]))
        except ZeroDivisionError:
            break
        x = [a + step[i] for i, a in enumerate(x)]
    return best


class PolishedPoint:
    """A critical point found in float64 and polished at each precision (a point recipe).

    ``theta`` is the float64 start (e.g. from :func:`descend`); ``n_zero`` the Hessian nullity
    used by the pseudo-inverse (default: the largest gap).  The float64 tier is the start
    polished in 53-bit arithmetic; each mpmath tier polishes the next-lower tier's point.
    """

    def __init__(self, problem: Problem, theta: np.ndarray, *, n_zero: int | None = None,
                 description: str = "critical point found by descent, polished per precision"):
        self.problem = problem
        self.start = np.asarray(theta, dtype=np.float64).copy()
        self.n_zero = n_zero
        self.description = description
        self._cache: dict[int, list] = {}

    def flat(self) -> list:
        prec = mpmath.mp.prec
        if prec not in self._cache:
            lower = [p for p in self._cache if p < prec]
            start = self._cache[max(lower)] if lower else [mpmath.mpf(float(v)) for v in self.start]
            self._cache[prec] = newton_polish(self.problem, start, n_zero=self.n_zero)
        return self._cache[prec]

    def float64(self) -> np.ndarray:
        with mpmath.workdps(15):
            return np.array([float(v) for v in self.flat()])

    def recipe(self) -> PointRecipe:
        arch = self.problem.architecture
        rules = {}
        for b in arch.layout.blocks:
            rules[b.name] = _PolishedBlock(self, b.slice)
        return PointRecipe(arch, rules)

    def to_dict(self) -> dict:
        return {"construction": "polished critical point", "start": self.start.tolist(),
                "method": "L-BFGS-B descent (float64), pseudo-inverse Newton polish per precision",
                "hessian_nullity_used": self.n_zero}


class _PolishedBlock(Derived):
    def __init__(self, point: PolishedPoint, where: slice):
        def f64_fn(shape, data):
            return point.float64()[where].reshape(shape)

        def mp_fn(shape, data):
            return list(point.flat()[where])

        super().__init__(f64_fn, mp_fn, point.description)
        object.__setattr__(self, "_point", point)

    def to_dict(self) -> dict:
        point = object.__getattribute__(self, "_point")
        return {"rule": "derived", "description": point.description, "construction": point.to_dict()}


@dataclass
class FoundMinimum:
    """One limit of :func:`multistart_minima`: the float64 point, its loss and gradient norm, and
    how many starts reached it."""

    theta: np.ndarray
    loss: float
    gradient_norm: float
    hits: int = 1


def multistart_minima(problem: Problem, *, starts: int = 12, seed: int = 0, scale: float = 1.0,
                      relative_gap: float = 1e-7) -> list[FoundMinimum]:
    """Local minima reached by :func:`descend` from ``starts`` Gaussian starts (``N(0, scale²)``,
    seeded), grouped by loss value (two limits are one minimum when their losses agree to
    ``relative_gap``), sorted by loss.  Limits whose float64 gradient is not small
    (``> 1e-8·(1 + L)``, a failed descent) are dropped."""
    rng = np.random.default_rng(seed)
    fun = loss_and_gradient_function(problem)
    found: list[FoundMinimum] = []
    for _ in range(starts):
        theta = balance(problem, descend(problem, scale * rng.standard_normal(problem.n_params)))
        loss, grad = fun(theta)
        gnorm = float(np.linalg.norm(grad))
        if not math.isfinite(loss) or gnorm > 1e-8 * (1 + abs(loss)):
            continue
        for m in found:
            if abs(m.loss - loss) <= relative_gap * (1 + abs(loss)):
                m.hits += 1
                if gnorm < m.gradient_norm:
                    m.theta, m.gradient_norm = theta, gnorm
                break
        else:
            found.append(FoundMinimum(theta, loss, gnorm))
    return sorted(found, key=lambda m: m.loss)


def problem_seed(problem: Problem, salt: int = 0) -> int:
    """A deterministic seed from the problem's description (architecture, loss with its weights,
    data): a generated instance always gets the same search, in every process."""
    import hashlib
    import json

    text = json.dumps([problem.to_dict(), salt], sort_keys=True, default=str)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def multistart_critical_points(problem: Problem, *, starts: int = 24, seed: int = 0, scale: float = 1.0,
                               distinct: float = 1e-6) -> list[np.ndarray]:
    """Critical points of every index: Levenberg–Marquardt (MINPACK ``lmder`` through
    ``scipy.optimize.root(method="lm")``, forward-difference Jacobian of the exact float64 gradient)
    on ``∇L(θ) = 0`` from seeded Gaussian starts, together with the local minima of
    :func:`multistart_minima` from ``starts // 4`` more.  Limits with ``||∇L|| > 1e-9·(1 + |L|)`` (failed
    runs) are dropped; limits are returned balanced (:func:`balance`) and grouped by the product of
    their factors when the problem is a linear network (points of one fibre are one critical point
    of ℓ), else by θ — two limits are one when they agree to ``distinct`` (relative)."""
    from scipy.optimize import root

    fun = loss_and_gradient_function(problem)
    rng = np.random.default_rng(seed)
    arch = problem.architecture
    linear = problem.network.activation.name == "identity" and not any(arch.bias)

    def key(theta):
        if not linear:
            return theta
        P = None
        for b in arch.layout.blocks:
            W = theta[b.slice].reshape(b.shape)
            P = W if P is None else W @ P
        return P.reshape(-1)

    found: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    # Levenberg–Marquardt is drawn to saddles (it minimises ||∇L||²); descent supplies the minima.
    candidates = [np.asarray(root(lambda t: fun(t)[1], scale * rng.standard_normal(problem.n_params),
                                  method="lm").x, dtype=np.float64) for _ in range(starts)]
    candidates += [m.theta for m in multistart_minima(problem, starts=max(2, starts // 4), seed=seed + 1,
                                                      scale=scale)]
    for x in candidates:
        theta = balance(problem, x)
        loss, grad = fun(theta)
        if not np.all(np.isfinite(theta)) or np.linalg.norm(grad) > 1e-9 * (1 + abs(loss)):
            continue
        k = key(theta)
        if any(np.linalg.norm(k - other) <= distinct * (1 + np.linalg.norm(k)) for other in keys):
            continue
        found.append(theta)
        keys.append(k)
    return found
