"""Critical points found by search: multistart root finding in float64, polish in high precision.

Critical sets of overparameterized networks are not isolated: the Hessian is singular on
them, so Newton's method needs a step restricted to the Hessian's numerical range.  Both
tiers use the **minimum-residual Newton step** (Newton-MR)

    δ = −H⁺ g,     H⁺ = V_r Λ_r⁻¹ V_rᵀ  (the pseudo-inverse on the numerical range),

the least-squares solution of ``H δ = −g`` of least norm.  Near a critical manifold along
which the rank of H is constant, ``g = H (θ − θ*) + O(|θ − θ*|²)`` lies in ``range(H)`` to
first order and the iteration converges quadratically; at singular roots of higher order it
converges only linearly, and the polish reports that honestly.  References: A. Ben-Israel,
*A Newton–Raphson method for the solution of systems of equations*, J. Math. Anal. Appl. 15
(1966); F. Roosta, Y. Liu, P. Xu, M. W. Mahoney, *Newton-MR: inexact Newton method with
minimum residual sub-problem solver*, EURO J. Comput. Optim. 10 (2022); C. Frye et al.,
*Critical point-finding methods reveal gradient-flat regions of deep network losses*,
Neural Computation 33 (2021) (why a small ‖∇L‖ alone is not a critical point).

- :func:`find_critical_points` — float64 multistart: Newton-MR with a backtracking line
  search on ``‖∇L‖²`` (torch.func gradient and exact Hessian; dense ``eigh`` for H⁺), or, when
  minima are wanted, scipy's L-BFGS followed by Newton-MR.
  Candidates are deduplicated and carry their gradient norm and float64 inertia.
- :func:`polish_critical_point` — high precision: Newton-MR in mpmath with exact gradients
  (backpropagation in :mod:`~critlocus.core.highprec`) and the float64 pseudo-inverse of the
  Hessian at the start as the approximate inverse (a chord / iterative-refinement Newton: each
  step contracts ‖∇L‖ by about ``u₆₄·κ(H|range)``, typically 12–15 digits), iterated until
  :func:`~critlocus.core.decisions.decide_zero` calls ``‖∇L‖`` zero at that precision
  (τ = κ·(N+d)·u·S_g, the same test the claims use), or reporting failure with the residual
  history.  A point whose gradient is 1e-8 is not a critical point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import mpmath
import numpy as np

from . import float64 as f64
from .decisions import NONZERO, ZERO, ZeroDecision, as_float, decide_zero, zero_threshold
from .errors import InvalidArgument
from .highprec import MPLandscape
from .network import Problem
from .precision import FLOAT64, Precision
from .spectrum import SpectrumDecision, inertia_float64

__all__ = [
    "METHODS",
    "CriticalCandidate",
    "NewtonRun",
    "PolishBasis",
    "PolishResult",
    "embedding_starts",
    "find_critical_points",
    "minimize_then_newton",
    "newton_mr_float64",
    "polish_critical_point",
    "random_starts",
    "rayleigh_quotient",
    "zero_output_starts",
]

METHODS = ("newton-mr", "minimize")
_SLOW_WINDOW, _SLOW_FACTOR = 12, 0.1


# -- float64 -----------------------------------------------------------------------------------
def _pinv_step(H: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Newton-MR step ``−H⁺ g`` on the numerical range (|λ| > 4·N·u·‖H‖₂); returns the step,
    ``‖P g‖²`` (P the projector onto that range) and the rank used."""
    lam, V = np.linalg.eigh(H)
    top = float(np.max(np.abs(lam))) if lam.size else 0.0
    keep = np.abs(lam) > 4.0 * len(lam) * FLOAT64.unit_roundoff * top
    c = V[:, keep].T @ g
    return -(V[:, keep] @ (c / lam[keep])), float(c @ c), int(keep.sum())


@dataclass
class NewtonRun:
    """One float64 root-finding run from one start."""

    theta: np.ndarray
    history: list[float]
    iterations: int
    status: str  # "no_decrease" | "zero" | "slow" | "max_iterations" | "nonfinite"
    method: str


def newton_mr_float64(problem: Problem, start: np.ndarray, *, max_iterations: int = 60,
                      method_label: str = "newton-mr") -> NewtonRun:
    """Newton-MR on ``∇L = 0`` in float64 from ``start`` (module docstring).

    Backtracking (Armijo on ``‖∇L‖²`` with the decrease ``2t‖Pg‖²`` predicted by the step,
    Roosta et al. 2022, Alg. 3); stops when ``‖∇L‖`` stops decreasing — at rounding level, or
    in a gradient-flat region; the float64 zero test of the caller tells which.
    """
    x = np.array(start, dtype=np.float64)
    g = f64.gradient_f64(problem, x)
    norm = float(np.linalg.norm(g))
    history = [norm]
    for it in range(1, max_iterations + 1):
        if not math.isfinite(norm):
            return NewtonRun(x, history, it - 1, "nonfinite", method_label)
        step, pg2, _ = _pinv_step(f64.hessian_f64(problem, x), g)
        t, accepted = 1.0, False
        while t >= 2.0 ** -12:
            xn = x + t * step
            gn = f64.gradient_f64(problem, xn)
            nn = float(np.linalg.norm(gn))
            if math.isfinite(nn) and nn * nn <= norm * norm - 2e-4 * t * pg2:
                accepted = True
                break
            t *= 0.5
        if not accepted:
            # no decrease: rounding level, or a gradient-flat region (the float64 decision tells)
            return NewtonRun(x, history, it - 1, "no_decrease", method_label)
        x, g, norm = xn, gn, nn
        history.append(norm)
        if norm == 0.0:
            return NewtonRun(x, history, it, "zero", method_label)
        if len(history) > _SLOW_WINDOW and history[-1] > _SLOW_FACTOR * history[-1 - _SLOW_WINDOW]:
            # less than a factor 10 in the last iterations: a singular root or a gradient-flat
            # region, which the high-precision polish could not finish either
            return NewtonRun(x, history, it, "slow", method_label)
    return NewtonRun(x, history, max_iterations, "max_iterations", method_label)


def minimize_then_newton(problem: Problem, start: np.ndarray, *, max_iterations: int = 500
                         ) -> NewtonRun:
    """A local minimiser of L: L-BFGS (scipy, exact float64 gradients; Nocedal & Wright,
    *Numerical Optimization*, Alg. 7.5), then Newton-MR to bring ``∇L`` to rounding level
    (L-BFGS alone stalls at ‖∇L‖ ≈ 1e-8 on the flat valleys of overparameterized losses)."""
    from scipy.optimize import minimize

    x0 = np.array(start, dtype=np.float64)

    def fun(t):
        return f64.loss_f64(problem, t), f64.gradient_f64(problem, t)

    try:
        res = minimize(fun, x0, jac=True, method="L-BFGS-B",
                       options={"maxiter": max_iterations, "gtol": 1e-12, "ftol": 0.0})
        x, nit = np.asarray(res.x, dtype=np.float64), int(res.nit)
    except (np.linalg.LinAlgError, ValueError):
        x, nit = x0, 0
    run = newton_mr_float64(problem, x, max_iterations=30, method_label="l-bfgs + newton-mr")
    run.iterations += nit
    return run


def random_starts(problem: Problem, count: int, *, seed: int = 0,
                  scales: Sequence[float] = (0.5, 1.0, 2.0)) -> np.ndarray:
    """``count`` starts: ``W_k`` entries ``N(0, s²/n_{k−1})`` and biases ``N(0, s²/4)``, the
    scale s cycling through ``scales`` (small scales reach the saddles near the origin)."""
    arch = problem.architecture
    rng = np.random.default_rng(seed)
    out = np.empty((count, arch.n_params))
    for i in range(count):
        s = scales[i % len(scales)]
        for b in arch.layout.blocks:
            sd = s / math.sqrt(arch.widths[b.layer - 1]) if b.kind == "W" else s / 2
            out[i, b.slice] = rng.normal(0.0, sd, b.size)
    return out


def embedding_starts(problem: Problem, count: int, *, seed: int = 0, max_tries: int = 3
                     ) -> tuple[np.ndarray, list[dict]]:
    """Starts at critical points of *narrower* networks, embedded by neuron duplication.

    A critical point of the network with last hidden width ``w' < n_{ℓ−1}`` becomes a critical
    point of the wide network when each extra neuron copies the incoming weights and bias of a
    neuron i and the outgoing weights of i are split among the copies, ``v_i ↦ λ_c v_i`` with
    ``Σ_c λ_c = 1`` (K. Fukumizu and S. Amari, *Local minima and plateaus in hierarchical
    structures of multilayer perceptrons*, Neural Networks 13 (2000), Thm 1).  With ``w' < d``
    the narrow network cannot interpolate, so these points have positive loss: saddles of the
    wide network that random starts almost never reach.  The narrow critical point is a local
    minimum found by L-BFGS + Newton-MR; Newton-MR then refines the embedded start on the wide
    loss.  Returns the starts and, for each, how it was built.
    """
    from .architecture import Architecture

    arch = problem.architecture
    ell = arch.depth
    wide = arch.widths[ell - 1]
    if ell < 2 or wide < 2:
        return np.empty((0, arch.n_params)), []
    rng = np.random.default_rng(seed)
    starts, notes = [], []
    for index in range(count):
        outside = index % 2 == 0
        # w' neurons fit at most w'(n_{ℓ−2} + 2)·n_ℓ numbers: keep that below d·n_ℓ so the
        # narrow network cannot interpolate and its minima have positive loss
        top = max(1, min(wide - 1, (problem.data.size - 1) // (arch.widths[ell - 2] + 2)))
        narrow_w = int(rng.integers(1, top + 1))
        widths = list(arch.widths)
        widths[ell - 1] = narrow_w
        narrow = Problem(type(problem.network)(Architecture(tuple(widths), arch.bias),
                                               problem.network.activation), problem.loss, problem.data)
        run = None
        for t in range(max_tries):
            x0 = random_starts(narrow, 1, seed=int(rng.integers(2**32)), scales=((0.5, 1.0, 2.0)[t % 3],))[0]
            run = minimize_then_newton(narrow, x0)
            if run.history[-1] <= 1e-10 * max(1.0, run.history[0]):
                break
        sources = list(range(narrow_w)) + [int(rng.integers(narrow_w)) for _ in range(wide - narrow_w)]
        copies = {j: [c for c, src in enumerate(sources) if src == j] for j in range(narrow_w)}
        split = np.zeros(wide)
        for cs in copies.values():
            # the split direction has curvature of sign λ(1−λ)·(sign of a matrix fixed by the
            # narrow point) (Fukumizu–Amari 2000, Thm 3): alternate splits inside (0, 1) and
            # with a negative share, so one of the two gives negative curvature
            lam = np.ones(1)
            if len(cs) > 1:
                lam = rng.uniform(0.2, 1.0, len(cs))
                if outside:
                    lam[0] = -lam[0]
                lam = lam / lam.sum() if not outside else lam
                lam[-1] = 1.0 - lam[:-1].sum()
            split[cs] = lam
        nb = narrow.architecture.layout.unflatten(run.theta)
        blocks = {}
        for b in arch.layout.blocks:
            if b.layer < ell - 1:
                blocks[b.name] = nb[b.name]
            elif b.layer == ell - 1:
                blocks[b.name] = nb[b.name][sources]
            elif b.kind == "W":
                blocks[b.name] = nb[b.name][:, sources] * split
            else:
                blocks[b.name] = nb[b.name]
        starts.append(arch.layout.flatten(blocks))
        notes.append({"family": "embedding", "narrow_width": narrow_w, "sources": sources,
                      "split_outside_unit_interval": outside,
                      "split": split.tolist(), "narrow_gradient_norm": run.history[-1]})
    return np.array(starts).reshape(len(starts), arch.n_params), notes


def zero_output_starts(problem: Problem, count: int, *, seed: int = 0) -> np.ndarray:
    """Random hidden parameters with the output layer at ``W_ℓ = 0``, ``b_ℓ = ȳ`` (float64).

    On ``{W_ℓ = 0, b_ℓ = ȳ}`` only ``∂L/∂W_ℓ = −2 Σ_j (y_j − ȳ) a_{ℓ−1}(x_j)ᵀ`` is nonzero; the
    critical points near such starts have hidden features nearly orthogonal to the centred
    targets and positive loss — saddles of wide networks off Cooper's star loci, which
    random starts rarely reach.
    """
    arch = problem.architecture
    X0 = random_starts(problem, count, seed=seed)
    ell = arch.depth
    for x in X0:
        x[arch.layout.block(f"W_{ell}").slice] = 0.0
        if f"b_{ell}" in arch.layout:
            x[arch.layout.block(f"b_{ell}").slice] = problem.data.mean_target()
    return X0


@dataclass
class CriticalCandidate:
    """A float64 critical point found from one start, with its float64 evidence.

    ``kind`` (from the float64 inertia): ``"saddle"`` when a negative eigenvalue is decided
    (n₋ > 0), ``"local_min"`` when no eigenvalue lies below −τ (the second-order necessary
    condition at float64's resolution; degenerate directions are not certified here),
    ``"undecided"`` otherwise (a negative eigenvalue in the ambiguity band).
    """

    theta: np.ndarray
    start: np.ndarray
    start_index: int
    method: str
    iterations: int
    status: str
    history: list[float]
    gradient: ZeroDecision
    loss: float
    inertia: SpectrumDecision

    @property
    def gradient_norm(self) -> float:
        return self.gradient.value

    @property
    def kind(self) -> str:
        if self.inertia.n_neg > 0:
            return "saddle"
        if self.min_eigenvalue >= -self.inertia.threshold:
            return "local_min"  # no eigenvalue below −τ (ambiguous positive ones allowed)
        return "undecided"

    @property
    def min_eigenvalue(self) -> float:
        return self.inertia.details.get("min_eigenvalue", math.nan)

    def to_dict(self) -> dict:
        return {"start_index": self.start_index, "method": self.method, "iterations": self.iterations,
                "status": self.status, "float64_gradient_norm": self.gradient.value,
                "float64_gradient_status": self.gradient.status, "loss": self.loss, "kind": self.kind,
                "float64_inertia": {"positive": self.inertia.n_pos, "negative": self.inertia.n_neg,
                                    "zero": self.inertia.n_zero, "ambiguous": self.inertia.n_ambiguous},
                "min_eigenvalue": self.min_eigenvalue}


def _evaluate_candidate(problem: Problem, run: NewtonRun, start: np.ndarray, index: int
                        ) -> CriticalCandidate:
    from .evaluation import PointEvaluation
    from .points import Given, PointRecipe

    arch = problem.architecture
    blocks = arch.layout.unflatten(run.theta)
    ev = PointEvaluation(problem, PointRecipe(arch, {k: Given(v) for k, v in blocks.items()}))
    H = ev.hessian_f64()
    inertia = inertia_float64(H, FLOAT64, scale=ev.hessian_scale())
    inertia.details["min_eigenvalue"] = float(np.linalg.eigvalsh(H)[0]) if H.size else 0.0
    return CriticalCandidate(theta=run.theta, start=np.array(start), start_index=index, method=run.method,
                             iterations=run.iterations, status=run.status, history=run.history,
                             gradient=ev.gradient_decision(FLOAT64), loss=ev.loss(FLOAT64),
                             inertia=inertia)


def find_critical_points(problem: Problem, *, starts: int | np.ndarray = 8, seed: int = 0,
                         method: str = "newton-mr", max_iterations: int = 60,
                         start_scales: Sequence[float] = (0.5, 1.0, 2.0),
                         keep_unconverged: bool = False, fallback: bool = True
                         ) -> list[CriticalCandidate]:
    """Float64 critical points of ``problem`` from several starts (module docstring).

    ``starts``: a count (random starts from ``seed``, see :func:`random_starts`) or an array of
    start vectors.  ``method``: ``"newton-mr"`` (any critical point; saddles included) or
    ``"minimize"`` (local minima: L-BFGS, then Newton-MR).  With ``fallback``, a Newton-MR run
    that ends in a gradient-flat region (gradient decided nonzero) is followed by
    ``"minimize"`` from the same start, which reaches a minimum.  Returns the candidates whose
    float64 gradient is decided zero — or ambiguous, to be settled by polishing — deduplicated (two points
    closer than ``1e-8·(1 + ‖θ‖)`` are one), sorted by gradient norm; with
    ``keep_unconverged`` every run's end point is returned.

    >>> from critlocus.core import Architecture, Dataset, Network, Problem, squared_error
    >>> import numpy as np
    >>> p = Problem(Network(Architecture((1, 3, 1)), "tanh"), squared_error(),
    ...             Dataset(np.array([[0.5], [-1.0]]), np.array([[1.0], [0.25]])))
    >>> found = find_critical_points(p, starts=4, seed=1)
    >>> all(c.gradient.status != "nonzero" for c in found)
    True
    """
    if method not in METHODS:
        raise InvalidArgument(f"method={method!r} must be one of {METHODS}")
    if isinstance(max_iterations, bool) or not isinstance(max_iterations, int) or max_iterations < 1:
        raise InvalidArgument(f"max_iterations={max_iterations!r} must be a positive integer")
    if isinstance(starts, (int, np.integer)) and not isinstance(starts, bool):
        if starts < 1:
            raise InvalidArgument(f"starts={starts!r} must be at least 1")
        X0 = random_starts(problem, int(starts), seed=seed, scales=tuple(start_scales))
    else:
        X0 = np.asarray(starts, dtype=np.float64)
        if X0.ndim != 2 or X0.shape[1] != problem.n_params or not np.all(np.isfinite(X0)):
            raise InvalidArgument(f"starts must be a count or a finite array of shape (k, "
                                  f"{problem.n_params}), got shape {X0.shape}")
    found: list[CriticalCandidate] = []
    for i, x0 in enumerate(X0):
        if method == "minimize":
            run = minimize_then_newton(problem, x0, max_iterations=10 * max_iterations)
        else:
            run = newton_mr_float64(problem, x0, max_iterations=max_iterations)
        if not np.all(np.isfinite(run.theta)):
            continue
        cand = _evaluate_candidate(problem, run, x0, i)
        if cand.gradient.status == NONZERO and method == "newton-mr" and fallback:
            second = minimize_then_newton(problem, x0, max_iterations=10 * max_iterations)
            second.method = "newton-mr stalled; l-bfgs + newton-mr"
            second.iterations += run.iterations
            if np.all(np.isfinite(second.theta)):
                cand = _evaluate_candidate(problem, second, x0, i)
        if cand.gradient.status == NONZERO and not keep_unconverged:
            continue
        scale = 1e-8 * (1.0 + float(np.linalg.norm(cand.theta)))
        if any(float(np.linalg.norm(c.theta - cand.theta)) <= scale for c in found):
            continue
        found.append(cand)
    found.sort(key=lambda c: c.gradient.value)
    return found


# -- high precision --------------------------------------------------------------------------
@dataclass
class PolishBasis:
    """The float64 data a polish needs, computed once per start and shared by every precision:
    the eigenpairs ``(λ_r, V_r)`` of ``Hess L(θ₀)`` on its numerical range, and the gradient
    scale ``S_g`` of the zero test (as :meth:`PointEvaluation.gradient_scale` computes it)."""

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    gradient_scale: float
    hessian_norm: float

    @property
    def rank(self) -> int:
        return len(self.eigenvalues)

    @classmethod
    def at(cls, problem: Problem, theta0: np.ndarray, *, gradient_scale: float | None = None
           ) -> PolishBasis:
        from .evaluation import PointEvaluation
        from .points import Given, PointRecipe

        arch = problem.architecture
        blocks = arch.layout.unflatten(theta0)
        ev = PointEvaluation(problem, PointRecipe(arch, {k: Given(v) for k, v in blocks.items()}))
        H = ev.hessian_f64()
        lam, V = np.linalg.eigh(H)
        # the numerical range: every eigenvalue not decided zero in float64 (ambiguous ones
        # included — a direction wrongly kept costs a step along a near-kernel direction, one
        # wrongly dropped stalls the polish)
        tau = zero_threshold(FLOAT64, len(lam), ev.hessian_scale())
        keep = np.abs(lam) > tau
        scale = ev.gradient_scale() if gradient_scale is None else gradient_scale
        return cls(lam[keep], V[:, keep], scale, float(np.linalg.norm(H)))


@dataclass
class PolishResult:
    """The outcome of polishing one start at one precision.

    ``theta`` is the last iterate (mpmath numbers at ``precision``); ``history`` the gradient
    norms ‖∇L‖₂ of the iterates (the start first); ``decision`` the zero test of the last one.
    """

    precision: str
    converged: bool
    iterations: int
    history: list[float]
    decision: ZeroDecision
    theta: list = field(repr=False)
    range_rank: int
    refreshes: int = 0
    method: str = "newton-mr (float64 pseudo-inverse, chord)"
    reason: str = ""

    @property
    def residual(self) -> float:
        return self.decision.value

    def to_dict(self) -> dict:
        return {"precision": self.precision, "converged": self.converged, "iterations": self.iterations,
                "residual": self.decision.value, "threshold": self.decision.threshold,
                "status": self.decision.status, "history": list(self.history),
                "range_rank": self.range_rank, "refreshes": self.refreshes, "method": self.method,
                "reason": self.reason}


def _mp_gradient(problem: Problem, theta: list) -> tuple[list, mpmath.mpf]:
    g = MPLandscape(problem, theta).gradient()
    return g, mpmath.sqrt(mpmath.fdot(g, g))


def polish_critical_point(problem: Problem, start: np.ndarray, precision: Precision, *,
                          basis: PolishBasis | None = None, max_iterations: int | None = None,
                          margin: float = 1 / 64, max_refreshes: int = 4) -> PolishResult:
    """Polish a float64 critical point to ``∇L = 0`` decided at ``precision`` (module docstring).

    Iterates ``θ ← θ − V_r Λ_r⁻¹ V_rᵀ ∇L(θ)`` in mpmath at ``precision`` (exact gradients),
    halving the step while ‖∇L‖ does not decrease, until ‖∇L‖ is decided zero and either
    below ``margin·τ`` or no longer decreasing.  When a step contracts ‖∇L‖ by less than
    10³, the pseudo-inverse is refreshed from the float64 Hessian at the rounded iterate (at
    most ``max_refreshes`` times).  Fails — ``converged=False`` with the reason and the
    residual history — when ‖∇L‖ stagnates above τ or ``max_iterations`` (default
    ``4·dps + 20``; linear convergence at a singular root needs many) run out.
    """
    if precision.is_float64:
        raise InvalidArgument("polish_critical_point needs an mpmath precision, got float64")
    theta0 = np.asarray(start, dtype=np.float64)
    if theta0.shape != (problem.n_params,) or not np.all(np.isfinite(theta0)):
        raise InvalidArgument(f"start must be a finite vector of length {problem.n_params}")
    basis = PolishBasis.at(problem, theta0) if basis is None else basis
    max_iterations = 4 * precision.dps + 20 if max_iterations is None else max_iterations
    n_terms = problem.n_params + problem.data.size
    scale = basis.gradient_scale

    def decide(norm) -> ZeroDecision:
        return decide_zero(norm, precision, n=n_terms, scale=scale, quantity="gradient norm")

    with mpmath.workdps(precision.dps):
        inverse = _MPPseudoInverse(basis)
        theta = [mpmath.mpf(float(x)) for x in theta0]
        g, norm = _mp_gradient(problem, theta)
        dec = decide(norm)
        history = [as_float(norm)]
        reason, converged, it, refreshes, slow = "", False, 0, 0, 0
        tau = mpmath.mpf(dec.threshold)
        basis_point = theta0
        if tau == 0 and norm > 0:
            reason = ("the gradient scale S_g is zero at the start (e.g. every weight ≈ 0), so only an "
                      "exactly zero gradient could be decided zero")
            max_iterations = 0
        while True:
            if dec.status == ZERO and (norm <= tau * margin or slow):
                converged = True
                break
            if it >= max_iterations:
                reason = reason or (f"no decision after {it} iterations: ‖∇L‖ = {as_float(norm):.3e} "
                                    f"against τ = {dec.threshold:.3e}")
                break
            it += 1
            step = inverse.apply(g)
            t, accepted = mpmath.mpf(1), False
            for _ in range(12):
                trial = [a - t * s for a, s in zip(theta, step)]
                g_new, norm_new = _mp_gradient(problem, trial)
                if norm_new < norm or norm_new == 0:
                    accepted = True
                    break
                t /= 2
            rounded = np.array([float(x) for x in (trial if accepted else theta)])
            can_refresh = refreshes < max_refreshes and not np.array_equal(rounded, basis_point)
            if not accepted:
                if dec.status == ZERO:
                    converged = True
                    break
                if can_refresh:
                    refreshes += 1
                    basis_point = rounded
                    inverse = _MPPseudoInverse(PolishBasis.at(problem, rounded, gradient_scale=scale))
                    continue
                reason = (f"stagnated at ‖∇L‖ = {as_float(norm):.3e} (τ = {dec.threshold:.3e}): the "
                          "gradient has left the float64 numerical range of the Hessian, or the critical "
                          "point is a higher-order singular root (a gradient-flat region)")
                break
            ratio = norm_new / norm if norm > 0 else mpmath.mpf(0)
            theta, g, norm = trial, g_new, norm_new
            dec = decide(norm)
            history.append(as_float(norm))
            slow = ratio > mpmath.mpf(1) / 4
            if (dec.status != ZERO and len(history) > _SLOW_WINDOW
                    and history[-1] > _SLOW_FACTOR * history[-1 - _SLOW_WINDOW]):
                reason = (f"converging sublinearly: ‖∇L‖ = {as_float(norm):.3e} after {it} iterations "
                          f"(τ = {dec.threshold:.3e}); a higher-order singular root")
                break
            if ratio > mpmath.mpf(10) ** -3 and dec.status != ZERO and can_refresh:
                refreshes += 1
                basis_point = rounded
                inverse = _MPPseudoInverse(PolishBasis.at(problem, rounded, gradient_scale=scale))
    return PolishResult(precision=precision.label, converged=converged, iterations=it, history=history,
                        decision=dec, theta=theta, range_rank=inverse.rank, refreshes=refreshes,
                        reason=reason)


class _MPPseudoInverse:
    """``g ↦ V_r Λ_r⁻¹ V_rᵀ g`` with the float64 eigenpairs taken as exact numbers, applied in
    mpmath at the working precision."""

    def __init__(self, basis: PolishBasis):
        self.rank = basis.rank
        self.V = [[mpmath.mpf(float(x)) for x in row] for row in basis.eigenvectors]  # N × r
        self.Vt = [list(col) for col in zip(*self.V)]
        self.inv = [1 / mpmath.mpf(float(x)) for x in basis.eigenvalues]

    def apply(self, g: list) -> list:
        if not self.rank:
            return [mpmath.mpf(0)] * len(g)
        w = [mpmath.fdot(col, g) * il for col, il in zip(self.Vt, self.inv)]
        return [mpmath.fdot(row, w) for row in self.V]


def rayleigh_quotient(problem: Problem, theta: Sequence, direction: np.ndarray, precision: Precision, *,
                      hessian_scale: float) -> ZeroDecision:
    """``q = vᵀ H v / vᵀ v`` at ``precision`` (exact Hessian-vector product), decided against the
    eigenvalue threshold τ = κ·N·u·S_H of :mod:`critlocus.core.spectrum`.

    By Courant–Fischer, ``λ_min(H) ≤ q ≤ λ_max(H)``: a ``q`` decided nonzero and negative proves
    that H has a negative eigenvalue (the point is a saddle, not a local minimum); ``details``
    say ``negative=True`` then.  ``theta`` is the point at ``precision`` (mpmath numbers).
    """
    with mpmath.workdps(precision.dps):
        v = [mpmath.mpf(float(x)) for x in direction]
        Hv = MPLandscape(problem, theta).hvp(v)
        q = mpmath.fdot(v, Hv) / mpmath.fdot(v, v)
    dec = decide_zero(q, precision, n=problem.n_params, scale=hessian_scale, quantity="Rayleigh quotient")
    dec.details["signed_value"] = as_float(q)
    dec.details["negative"] = dec.status == NONZERO and q < 0
    return dec
