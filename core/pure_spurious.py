"""Pure and spurious critical points of ``L = ℓ ∘ μ`` (Trager, Kohn & Bruna, ICLR 2020).

A critical point θ of ``L = ℓ ∘ μ_d`` is **pure** when ``W̄ = μ_d(θ)`` is a critical point of ℓ
restricted to the functional space ``M_r = {rk ≤ r}`` (``r = min_i d_i``), and **spurious**
otherwise.  Decided at a precision:

- ``e = rk W̄`` (:func:`critlocus.core.rank.decide_rank` on W̄ rebuilt at that precision);
- ``e = r`` (a smooth point of ``M_r``, or any point when filling): pure iff
  ``Π_{T_{W̄} M_r} ∇ℓ(W̄) = 0`` (:mod:`critlocus.core.determinantal`);
- ``e < r`` and ``M_r ≠ R^{d_h × d_0}`` (a singular point): **convention** — pure iff
  ``∇ℓ(W̄) = 0``.  The tangent cone of ``M_r`` at a point of lower rank spans the whole ambient
  space, so "critical on ``M_r``" there means critical in the ambient space.  When filling,
  ``M_r`` is the whole space and the same test is the plain definition.

:class:`FunctionalView` is the point seen in function space: ``W̄``, its rank and frame, and
ℓ's gradient and Hessian at ``W̄`` (from the one-layer problem of
:func:`critlocus.core.linear.functional_problem`), all at any precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mpmath
import numpy as np

from .decisions import NONZERO, ZERO, ZeroDecision, as_float, decide_zero
from .determinantal import RankFrame, rank_frame, riemannian_hessian, tangent_projection
from .errors import InvalidArgument
from .evaluation import PointEvaluation
from .highprec import MPLandscape
from .linear import (
    ProductSource,
    factor_norms,
    functional_problem,
    is_linear_problem,
    product_recipe,
    work_precision,
)
from .network import Problem
from .points import PointRecipe
from .precision import Precision
from .rank import RankDecision, decide_rank
from .spectrum import HessianSource, SpectrumDecision, decide_inertia

__all__ = [
    "PURE",
    "SPURIOUS",
    "UNDECIDED_LABEL",
    "FunctionalView",
    "PurityDecision",
    "classify_critical_point",
    "is_pure_critical_point",
]

PURE, SPURIOUS, UNDECIDED_LABEL = "pure", "spurious", "undecided"

CONVENTION = ("at a singular point of M_r (rank e < r, non-filling) θ is pure iff ∇ℓ(W̄) = 0: the "
              "tangent cone of M_r there spans the ambient space")


def _to_matrix(flat, rows: int, cols: int) -> mpmath.matrix:
    M = mpmath.matrix(rows, cols)
    for i in range(rows):
        for j in range(cols):
            M[i, j] = flat[i * cols + j]
    return M


class FunctionalView:
    """``W̄ = μ_d(θ)`` and ℓ at ``W̄``, for a point of a linear-network problem, at any precision.

    Scales for zero decisions (τ = κ·n·u·S, :mod:`critlocus.core.decisions`): ``W̄`` carries a
    rounding error of order ``u·Π_i(1 + ||W_i||_F)``, which reaches ∇ℓ through ℓ's curvature, so
    the gradient scale is the functional problem's own plus ``c·Π_i(1 + ||W_i||)·Σ_j ||x_j||²``.
    """

    def __init__(self, problem: Problem, point: PointRecipe):
        if not is_linear_problem(problem):
            raise InvalidArgument("a functional view needs a linear network: identity activation, no biases")
        self.problem = problem
        self.point = point
        self.fproblem = functional_problem(problem)
        self.frecipe = product_recipe(problem, point)
        self.fevaluation = PointEvaluation(self.fproblem, self.frecipe)
        arch = problem.architecture
        self.widths = arch.widths
        self.m, self.n = arch.n_out, arch.n_in
        self.r = min(arch.widths)
        self.filling = self.r == min(self.m, self.n)
        self._cache: dict = {}

    def _memo(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    # -- W̄ ----------------------------------------------------------------------------------
    def product_source(self) -> ProductSource:
        return self._memo("psrc", lambda: ProductSource(self.point, self.problem.data))

    def product(self, precision: Precision) -> mpmath.matrix:
        return self.product_source().dense_mp(precision)

    def product_float64(self) -> np.ndarray:
        return self.product_source().dense_float64()

    def rank_decision(self, precision: Precision) -> RankDecision:
        """``rk W̄`` at ``precision``."""
        return self._memo(("rank", precision.label), lambda: decide_rank(self.product_source(), precision))

    def frame(self, precision: Precision, e: int) -> RankFrame:
        def build():
            with work_precision(precision):
                return rank_frame(self.product(precision), e)
        return self._memo(("frame", precision.label, e), build)

    # -- ℓ at W̄ -------------------------------------------------------------------------------
    def landscape(self, precision: Precision) -> MPLandscape:
        def build():
            with work_precision(precision):
                P = self.product(precision)
                flat = [P[i, j] for i in range(P.rows) for j in range(P.cols)]
                return MPLandscape(self.fproblem, flat)
        return self._memo(("land", precision.label), build)

    def loss_value(self, precision: Precision):
        """ℓ(W̄) = L(θ)."""
        return self.landscape(precision).loss()

    def loss_gradient(self, precision: Precision) -> mpmath.matrix:
        """∇ℓ(W̄) as a ``d_h × d_0`` matrix."""
        return self._memo(("G", precision.label),
                          lambda: _to_matrix(self.landscape(precision).gradient(), self.m, self.n))

    def loss_hessian(self, precision: Precision) -> mpmath.matrix:
        """∇²ℓ(W̄) as a ``d_h d_0 × d_h d_0`` matrix (row-major vec)."""
        def build():
            with work_precision(precision):
                return self.landscape(precision).hessian()
        return self._memo(("H", precision.label), build)

    def product_scale(self) -> float:
        return float(np.prod([1.0 + v for v in factor_norms(self.point, self.problem.data)]))

    def gradient_scale(self) -> float:
        """Scale S of ∇ℓ(W̄) (see the class docstring)."""
        def compute():
            X = self.problem.data.X
            spread = self.problem.loss.curvature_bound * self.product_scale() * float(np.sum(X * X))
            return self.fevaluation.gradient_scale() + spread
        return self._memo("gscale", compute)

    def hessian_scale(self) -> float:
        return self._memo("hscale", lambda: self.fevaluation.hessian_scale())

    @property
    def n_terms(self) -> int:
        """n in τ = κ·n·u·S: parameters, matrix entries and data points combined."""
        return self.problem.n_params + self.m * self.n + self.problem.data.size

    # -- decisions -------------------------------------------------------------------------------
    def gradient_decision(self, precision: Precision) -> ZeroDecision:
        """``∇ℓ(W̄) = 0`` at ``precision``."""
        def compute():
            G = self.loss_gradient(precision)
            with work_precision(precision):
                norm = mpmath.mnorm(G, "f")
            return decide_zero(norm, precision, n=self.n_terms, scale=self.gradient_scale(),
                               quantity="||∇ℓ(W̄)||_F")
        return self._memo(("gdec", precision.label), compute)

    def frame_scale(self, precision: Precision, e: int) -> float:
        """``1 + ||W̄||_F / σ_e(W̄)``: how rounding in W̄ moves the frame (Wedin's sin θ bound)."""
        fr = self.frame(precision, e)
        if e == 0:
            return 1.0
        sig = as_float(fr.smallest_singular_value)
        norm = float(np.linalg.norm(self.product_float64()))
        return 1.0 + (norm / sig if sig > 0 else math.inf)

    def tangent_residual_decision(self, precision: Precision, e: int) -> ZeroDecision:
        """``Π_{T M_e°} ∇ℓ(W̄) = 0`` (W̄ critical for ℓ on its rank-e stratum) at ``precision``."""
        def compute():
            fr = self.frame(precision, e)
            with work_precision(precision):
                R = tangent_projection(self.loss_gradient(precision), fr)
                norm = mpmath.mnorm(R, "f")
            scale = self.gradient_scale() * self.frame_scale(precision, e)
            return decide_zero(norm, precision, n=self.n_terms, scale=scale,
                               quantity=f"||Π_T(M_{e}°) ∇ℓ(W̄)||_F", stratum_rank=e)
        return self._memo(("tdec", precision.label, e), compute)

    def riemannian_hessian(self, precision: Precision, e: int) -> mpmath.matrix:
        """The Riemannian Hessian of ℓ on ``M_e°`` at W̄ (orthonormal tangent coordinates)."""
        def build():
            fr = self.frame(precision, e)
            with work_precision(precision):
                return riemannian_hessian(fr, self.loss_hessian(precision), self.loss_gradient(precision))
        return self._memo(("RH", precision.label, e), build)

    def riemannian_inertia(self, precision: Precision, e: int) -> SpectrumDecision:
        """Inertia of the Riemannian Hessian of ℓ on ``M_e°`` at W̄, decided at ``precision``."""
        def compute():
            src = _RiemannianHessian(self, e)
            fr = self.frame(precision, e)
            sinv = (1.0 / as_float(fr.smallest_singular_value)) if e else 0.0
            gnorm = float(mpmath.mnorm(self.loss_gradient(precision), "f"))
            scale = (self.hessian_scale() + 2 * gnorm * sinv) * self.frame_scale(precision, e)
            return decide_inertia(src, precision, scale=scale, dense_limit=10**6)
        return self._memo(("Rinertia", precision.label, e), compute)


class _RiemannianHessian(HessianSource):
    def __init__(self, view: FunctionalView, e: int):
        from .determinantal import tangent_dimension

        self.view, self.e = view, e
        self.size = tangent_dimension(view.m, view.n, e)

    def dense_mp(self, precision):
        return self.view.riemannian_hessian(precision, self.e)

    def dense_float64(self):
        from .precision import FLOAT64

        M = self.view.riemannian_hessian(FLOAT64, self.e)
        return np.array([[float(M[i, j]) for j in range(M.cols)] for i in range(M.rows)])

    def matvec_mp(self, v, precision):
        M = self.dense_mp(precision)
        return [mpmath.fdot([M[i, j] for j in range(M.cols)], v) for i in range(M.rows)]


@dataclass
class PurityDecision:
    """The pure/spurious label of a point at one precision, with its evidence.

    ``label`` is ``"pure"``, ``"spurious"`` or ``"undecided"``; ``rank`` the decided ``e = rk W̄``
    (None if undecided); ``test`` the zero decision the label rests on (tangent residual for
    ``e = r``, ``∇ℓ(W̄)`` otherwise).
    """

    precision: str
    label: str
    rank: int | None
    bottleneck: int
    filling: bool
    singular: bool
    test: ZeroDecision | None
    rank_evidence: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "precision": self.precision,
            "label": self.label,
            "rank_of_product": self.rank,
            "bottleneck_r": self.bottleneck,
            "filling": self.filling,
            "singular_point_of_M_r": self.singular,
            "convention": CONVENTION if self.singular else None,
            "test": self.test.to_dict() if self.test is not None else None,
            "rank_decision": self.rank_evidence,
        }


def classify_critical_point(view: FunctionalView, precision: Precision) -> PurityDecision:
    """Pure or spurious at ``precision`` (see the module docstring for the rule and convention).

    The caller decides separately that θ is critical (``∇L(θ) = 0``); this classifies ``W̄``.
    """
    rdec = view.rank_decision(precision)
    if not rdec.decided:
        return PurityDecision(precision.label, UNDECIDED_LABEL, None, view.r, view.filling, False, None,
                              rdec.to_dict())
    e = rdec.rank
    if e > view.r:
        raise InvalidArgument(f"rk W̄ = {e} exceeds the bottleneck r = {view.r}: not a product of the factors")
    singular = e < view.r and not view.filling
    test = view.tangent_residual_decision(precision, e) if e == view.r else view.gradient_decision(precision)
    label = {ZERO: PURE, NONZERO: SPURIOUS}.get(test.status, UNDECIDED_LABEL)
    return PurityDecision(precision.label, label, e, view.r, view.filling, singular, test, rdec.to_dict())


def is_pure_critical_point(problem: Problem, point: PointRecipe, precision: Precision) -> bool | None:
    """True (pure), False (spurious) or None (undecided at ``precision``) for a critical point θ of
    the linear-network problem (the criticality of θ itself is not checked here)."""
    label = classify_critical_point(FunctionalView(problem, point), precision).label
    return {PURE: True, SPURIOUS: False}.get(label)
