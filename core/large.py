"""Large networks: dense float64 Hessians in bounded memory, and a matrix-free path beyond.

- :func:`hessian_dense` — the exact float64 Hessian, built from Hessian-vector products
  ``H e_i`` vectorised (``torch.func.vmap``) over chunks of columns, so peak memory is one
  N×N float64 matrix plus one chunk of intermediates (``torch.func.hessian`` vectorises over
  all N columns at once: ≈0.8 GB of intermediates at N = 3600 with 20 data points).  Used up to
  :data:`DENSE_LIMIT` (N = 2000: 32 MB for H, ``eigvalsh`` in seconds).
- :func:`hvp_operator` — a :class:`scipy.sparse.linalg.LinearOperator` whose products are
  torch Hessian-vector products (forward-over-reverse: ``jvp`` of ``grad``; cost ≈ 2–3
  gradients, memory O(N + d·Σ widths)); H is never formed.
- :func:`inertia_hvp` — Hessian inertia from that operator with ARPACK's implicitly restarted
  Lanczos (``scipy.sparse.linalg.eigsh``, ``which="LA"`` and ``"SA"``; Lehoucq, Sorensen & Yang,
  *ARPACK Users' Guide*, 1998): the k largest eigenvalues are computed with k growing until
  the k-th falls below the zero threshold τ — then every unseen eigenvalue lies below it too —
  and likewise from the bottom.  So "exactly p positive and q negative eigenvalues around a
  gap" is checked with about p + q + 2 Ritz values, for Hessians of low rank (degenerate
  critical loci: rank n_ℓ at Cooper's core points, whatever N).  A converged Ritz value θ with
  residual r satisfies ``|θ − λ| ≤ ‖r‖`` for some eigenvalue λ (Parlett, *The Symmetric
  Eigenvalue Problem*, Thm 4.5.1); with ``tol=0`` ARPACK converges to ``‖r‖ ≤ u·‖H‖₂``.

The threshold is the one of :mod:`critlocus.core.decisions`, τ = κ·N·u·S, with
``S = ‖H‖_F`` bounded without forming H: ``‖H‖_F² ≤ Σ_found λ² + (N − #found)·λ_edge²``, λ_edge
the largest unseen magnitude (the k-th Ritz value from either end).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import torch
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh
from torch.func import grad, jvp, vmap

from .decisions import zero_threshold
from .errors import InvalidArgument
from .network import Network, Problem
from .precision import FLOAT64, Precision
from .spectrum import DENSE_F64_LIMIT, SpectrumDecision, classify_spectrum

__all__ = ["DENSE_LIMIT", "hessian_dense", "hvp_operator", "inertia_hvp"]

DENSE_LIMIT = DENSE_F64_LIMIT  # largest N for which a dense float64 Hessian is formed


@lru_cache(maxsize=64)
def _hvp_transform(architecture, activation, loss):
    network = Network(architecture, activation)

    def loss_fn(theta, X, Y):
        return loss.torch_value(network.forward_torch(theta, X) - Y)

    g = grad(loss_fn)

    def hvp(theta, X, Y, v):
        return jvp(lambda t: g(t, X, Y), (theta,), (v,))[1]

    return hvp, vmap(hvp, in_dims=(None, None, None, 0))


def _prepared(problem: Problem, theta):
    if not isinstance(problem, Problem):
        raise InvalidArgument(f"problem must be a Problem, got {type(problem).__name__}")
    t = torch.as_tensor(np.asarray(theta, dtype=np.float64))
    if t.shape != (problem.n_params,):
        raise InvalidArgument(f"theta must have shape ({problem.n_params},), got {tuple(t.shape)}")
    if not bool(torch.isfinite(t).all()):
        raise InvalidArgument("theta contains NaN or infinity")
    hvp, batched = _hvp_transform(problem.architecture, problem.network.activation, problem.loss)
    return hvp, batched, t, torch.tensor(problem.data.X), torch.tensor(problem.data.Y)


def _chunk_size(problem: Problem, max_bytes: int) -> int:
    """Columns per vmapped batch so that its intermediates stay within ``max_bytes``."""
    per_column = 8 * (4 * problem.n_params + 8 * problem.data.size * sum(problem.architecture.widths))
    return max(1, min(problem.n_params, max_bytes // per_column))


def hessian_dense(problem: Problem, theta, *, max_bytes: int = 256 * 2**20) -> np.ndarray:
    """The exact dense Hessian of the float64 program at ``theta``, symmetrised.

    Columns ``H e_i`` are computed as vmapped Hessian-vector products in chunks whose
    intermediates take at most about ``max_bytes``; refuses N above :data:`DENSE_LIMIT`
    (use :func:`hvp_operator`).
    """
    n = problem.n_params if isinstance(problem, Problem) else 0
    if n > DENSE_LIMIT:
        raise InvalidArgument(f"N = {n} parameters: a dense Hessian is formed only up to N = {DENSE_LIMIT}; "
                              "use hvp_operator / inertia_hvp")
    _, batched, t, X, Y = _prepared(problem, theta)
    H = np.empty((n, n))
    step = _chunk_size(problem, max_bytes)
    eye = torch.eye(n, dtype=torch.float64)
    for start in range(0, n, step):
        H[start:start + step] = batched(t, X, Y, eye[start:start + step]).numpy()
    return 0.5 * (H + H.T)


def hvp_operator(problem: Problem, theta) -> LinearOperator:
    """``v ↦ Hess L(θ) v`` as a symmetric :class:`~scipy.sparse.linalg.LinearOperator`.

    Pearlmutter's trick by double backward: the graph of ``g = ∇L(θ)`` is built once (with
    ``create_graph``), and each product is one more backward pass, ``Hv = ∂(gᵀv)/∂θ`` — about
    one gradient's cost (measured ≈3× faster here than ``jvp`` of ``torch.func.grad``, which
    re-transforms on every call).  ``matmat`` batches columns (``is_grads_batched``);
    ``operator.products`` counts the products."""
    _prepared(problem, theta)  # validates
    n = problem.n_params
    t = torch.tensor(np.asarray(theta, dtype=np.float64), requires_grad=True)
    X, Y = torch.tensor(problem.data.X), torch.tensor(problem.data.Y)
    loss = problem.loss.torch_value(problem.network.forward_torch(t, X) - Y)
    (g,) = torch.autograd.grad(loss, t, create_graph=True)

    class _HessianOperator(LinearOperator):
        def __init__(self):
            super().__init__(dtype=np.float64, shape=(n, n))
            self.products = 0

        def _matvec(self, v):
            self.products += 1
            v = torch.as_tensor(np.ascontiguousarray(v, dtype=np.float64).reshape(-1))
            (hv,) = torch.autograd.grad(g, t, grad_outputs=v, retain_graph=True)
            return hv.numpy()

        def _matmat(self, V):
            self.products += V.shape[1]
            cols = torch.as_tensor(np.ascontiguousarray(np.asarray(V, dtype=np.float64).T))
            (hv,) = torch.autograd.grad(g, t, grad_outputs=cols, retain_graph=True, is_grads_batched=True)
            return hv.numpy().T

        def _adjoint(self):
            return self

    return _HessianOperator()


def _shifted(op: LinearOperator, shift: float) -> LinearOperator:
    """``op + shift·I`` (products still counted on ``op``)."""
    n = op.shape[0]
    return LinearOperator((n, n), dtype=np.float64, matvec=lambda v: op.matvec(v) + shift * np.ravel(v),
                          matmat=lambda V: op.matmat(V) + shift * V)


def _spectral_radius(op: LinearOperator, seed: int) -> float:
    """‖H‖₂ to about 1 % (Lanczos, largest magnitude), enlarged by 2 %: the shift for
    :func:`_extremes`."""
    v0 = np.random.default_rng(seed + 1).standard_normal(op.shape[0])
    try:
        (lam,) = eigsh(op, k=1, which="LM", tol=1e-3, v0=v0, return_eigenvectors=False)
    except ArpackNoConvergence as exc:
        lam = max(np.abs(exc.eigenvalues), default=0.0)
    return 1.02 * abs(float(lam))


def _extremes(op: LinearOperator, which: str, k: int, seed: int, tol: float, rho: float) -> np.ndarray:
    """The k eigenvalues of ``op`` at one end of the spectrum (largest first for LA).

    ARPACK's stopping test is relative to each Ritz value, ``‖r‖ ≤ tol·|θ|`` — unattainable
    for the near-zero values of a degenerate Hessian — so it runs on ``H ± ρI`` (ρ ≥ ‖H‖₂),
    whose Ritz values all have size ≈ ρ: the test becomes ``‖r‖ ≲ 2·tol·ρ`` in H's terms.
    """
    n = op.shape[0]
    shift = rho if which == "LA" else -rho
    v0 = np.random.default_rng(seed).standard_normal(n)
    try:
        vals = eigsh(_shifted(op, shift), k=k, which=which, tol=tol, v0=v0, return_eigenvectors=False,
                     ncv=min(n, max(2 * k + 1, k + 24)), maxiter=max(300, 10 * k))
    except ArpackNoConvergence as exc:  # keep what converged; the caller widens or gives up
        vals = exc.eigenvalues
    vals = np.sort(np.asarray(vals, dtype=np.float64) - shift)
    return vals[::-1] if which == "LA" else vals


def inertia_hvp(operator: LinearOperator, *, precision: Precision = FLOAT64, scale: float | None = None,
                expected_positive: int | None = None, expected_negative: int | None = None,
                max_k: int = 256, seed: int = 0) -> SpectrumDecision:
    """Inertia of a symmetric operator from its extreme eigenvalues (see the module docstring).

    ``expected_positive`` / ``expected_negative`` (a claim's counts) size the first Lanczos
    runs at count + 1 so a correct claim costs one run per end.  ``scale`` is S in
    τ = κ·N·u·S (default: the bound on ``‖H‖_F`` from the Ritz values).  When more than
    ``max_k`` eigenvalues lie beyond the threshold at one end, the unseen ones are reported
    ambiguous (the caller then has no decision — never a guess).
    """
    if not precision.is_float64:
        raise InvalidArgument("inertia_hvp works in float64 (torch); use decide_inertia for mpmath tiers")
    n = operator.shape[0]
    if n < 6:
        raise InvalidArgument(f"inertia_hvp needs N ≥ 6 (eigsh from both ends), got N = {n}; "
                              "use a dense method")
    kmax = max(1, min(max_k, n // 2 - 1))
    tol = n * precision.unit_roundoff  # |θ − λ| ≤ ‖r‖ ≲ 2·tol·ρ: below τ = κ·N·u·S (S ≥ ρ/1.02)
    rho = _spectral_radius(operator, seed)
    if rho == 0.0:  # H v = 0 for the Lanczos start vectors: H = 0 with probability one
        return classify_spectrum([], precision, size=n, scale=0.0 if scale is None else scale,
                                 method="eigsh: zero operator", n_implicit_zero=n)
    ends: dict[str, np.ndarray] = {}
    saturated = False
    for which, hint in (("LA", expected_positive), ("SA", expected_negative)):
        k = max(1, min(kmax, (hint or 0) + 1))
        while True:
            vals = _extremes(operator, which, k, seed, tol, rho)
            top = max((abs(float(v)) for v in vals), default=0.0)
            # τ with S = |λ|max ≤ ‖H‖_F: a lower bound of the final τ, so an end that stops here
            # is below the final threshold too
            level = zero_threshold(precision, n, top)
            inner = float(vals[-1]) if len(vals) == k else (math.inf if which == "LA" else -math.inf)
            done = inner <= level if which == "LA" else inner >= -level
            if done or k >= kmax:
                saturated |= not done
                break
            k = min(kmax, 2 * k)
        ends[which] = vals
    pos, neg = ends["LA"], ends["SA"]
    found = [float(v) for v in pos] + [float(v) for v in neg]
    edge = max(abs(float(pos[-1])) if len(pos) else math.inf,
               abs(float(neg[-1])) if len(neg) else math.inf) + 2 * tol * rho  # Ritz error included
    n_unseen = n - len(found)
    if scale is None:
        scale = math.sqrt(sum(v * v for v in found) + n_unseen * edge * edge)
    decision = classify_spectrum(found, precision, size=n, scale=scale,
                                 method=f"eigsh Lanczos on Hessian-vector products ({len(pos)} largest, "
                                        f"{len(neg)} smallest)",
                                 n_implicit_zero=n_unseen, implicit_zero_bound=edge,
                                 details={"ritz_values_largest": [float(v) for v in pos],
                                          "ritz_values_smallest": [float(v) for v in neg],
                                          "unseen_bound": edge,
                                          "hessian_vector_products": getattr(operator, "products", None)})
    if saturated or edge > zero_threshold(precision, n, scale):  # the unseen part is not provably zero
        decision.n_ambiguous += decision.n_zero
        decision.n_zero = 0
        decision.gap_agrees = False
    return decision
