"""Local minima of a loss landscape found by multistart descent and polished at every precision.

Methods (one per function):

- :func:`descend` — a local minimum from one start: scipy's L-BFGS-B (Byrd, Lu, Nocedal & Zhu,
  SIAM J. Sci. Comput. 16, 1995) on the exact float64 gradient of :mod:`critlocus.core.float64`.
  A descent method from a random start converges to a saddle only on a null set; every limit a
  spec uses is certified afterwards (second-order conditions at high precision).
- :func:`multistart_minima` — :func:`descend` from seeded Gaussian starts; the distinct limits.
- :func:`multistart_critical_points` — critical points of every index (Levenberg–Marquardt on
  ``∇L = 0`` plus the minima).
- :func:`balance` — the point of the fibre of μ_d with equal factor norms (conditioning).

Every limit a spec uses is then polished at each precision by
:class:`critlocus.core.points.PolishedCriticalPoint` (Newton-MR, :mod:`critlocus.core.critical`),
so a high-precision gradient of ``1e-60`` is the gradient of a genuine critical point, not of
its float64 rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from . import float64 as f64
from .errors import InvalidArgument
from .network import Problem

__all__ = [
    "FoundMinimum",
    "balance",
    "descend",
    "loss_and_gradient_function",
    "multistart_critical_points",
    "multistart_minima",
    "problem_seed",
    "snap_small",
]


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


def snap_small(theta: np.ndarray, *, relative: float = 1e-12) -> np.ndarray:
    """θ with the entries below ``relative·max(1, max|θ|)`` set to exactly 0 — a root-finder's
    ``1e-22`` is usually an exact zero of the critical point (θ = 0, a vanishing block), and
    polishing a point on a higher-order degenerate set converges only linearly.  The snapped
    point is a candidate: its polish decides whether it is critical."""
    theta = np.array(theta, dtype=np.float64)
    theta[np.abs(theta) <= relative * max(1.0, float(np.abs(theta).max(initial=0.0)))] = 0.0
    return theta


def descend(problem: Problem, theta0: np.ndarray, *, max_iterations: int = 2000) -> np.ndarray:
    """A local minimum of L reached from ``theta0`` (float64 L-BFGS-B, :func:`loss_and_gradient_function`)."""
    theta0 = np.asarray(theta0, dtype=np.float64)
    if theta0.shape != (problem.n_params,):
        raise InvalidArgument(f"start must have shape ({problem.n_params},), got {theta0.shape}")
    fun = loss_and_gradient_function(problem)

    res = minimize(fun, theta0, jac=True, method="L-BFGS-B",
                   options={"maxiter": max_iterations, "gtol": 1e-14, "ftol": 1e-16})
    return np.asarray(res.x, dtype=np.float64)


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
    with np.errstate(over="ignore", invalid="ignore"):  # MINPACK's covariance of a diverged run
        candidates = [np.asarray(root(lambda t: fun(t)[1], scale * rng.standard_normal(problem.n_params),
                                      method="lm").x, dtype=np.float64) for _ in range(starts)]
    candidates += [m.theta for m in multistart_minima(problem, starts=max(2, starts // 4), seed=seed + 1,
                                                      scale=scale)]
    for x in candidates:
        theta = balance(problem, snap_small(x))
        loss, grad = fun(theta)
        if not np.all(np.isfinite(theta)) or np.linalg.norm(grad) > 1e-9 * (1 + abs(loss)):
            continue
        k = key(theta)
        if any(np.linalg.norm(k - other) <= distinct * (1 + np.linalg.norm(k)) for other in keys):
            continue
        found.append(theta)
        keys.append(k)
    return found
