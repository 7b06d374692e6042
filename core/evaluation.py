"""Cached evaluation of one point of one loss landscape at every precision tier.

:class:`PointEvaluation` is what checks talk to: it realises the point's construction at
each precision (float64 via torch, mpmath via :class:`~critlocus.core.highprec.MPLandscape`)
and caches gradients, Hessians and spectral decisions so several checks on one instance
share the work.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import numpy as np

from . import float64 as f64
from .decisions import ZeroDecision, as_float, decide_zero
from .highprec import MPLandscape
from .network import Problem
from .points import PointRecipe
from .precision import FLOAT64, Precision
from .spectrum import HessianSource, SpectrumDecision, decide_inertia

__all__ = ["PointEvaluation"]


class PointEvaluation:
    """One point (a :class:`PointRecipe`) of one :class:`Problem`, evaluated lazily.

    ``dense_limit``, ``dense_fallback_limit``: see
    :func:`critlocus.core.spectrum.decide_inertia` (dense LDLᵀ slicing up to N = 400, a range
    sketch where the Hessian's rank is small; the method is chosen by cost).
    """

    def __init__(self, problem: Problem, point: PointRecipe, *, seed: int = 0,
                 dense_limit: int = 40, dense_fallback_limit: int = 400):
        self.problem = problem
        self.point = point
        self.seed = seed
        self.dense_limit = dense_limit
        self.dense_fallback_limit = dense_fallback_limit
        self._cache: dict = {}

    def _memo(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    @property
    def n_params(self) -> int:
        return self.problem.n_params

    # -- float64 ----------------------------------------------------------------------------
    @property
    def theta(self) -> np.ndarray:
        """The float64 realisation of the point (derived blocks rounded)."""
        return self._memo("theta", lambda: self.point.realize_float64(self.problem.data))

    def hessian_f64(self) -> np.ndarray:
        return self._memo("H64", lambda: f64.hessian_f64(self.problem, self.theta))

    def output_jacobian_f64(self) -> np.ndarray:
        return self._memo("J64", lambda: f64.output_jacobian_f64(self.problem, self.theta))

    def gradient_scale(self) -> float:
        """S_g = Σ_j (||∂ℓ/∂f_j|| + c·(||f_j|| + ||y_j||))·||J_j||_F, c = sup|φ''|.

        The size of the terms whose sum is ∇L: rounding in the residuals ``f_j − y_j``
        (relative to ``|f_j| + |y_j|``) enters through φ'' — so S_g does not vanish when a
        float64 residual happens to round to zero.
        """
        def compute():
            data, loss = self.problem.data, self.problem.loss
            J = self.output_jacobian_f64()
            G = f64.residual_gradient_f64(self.problem, self.theta)
            F = f64.outputs_f64(self.problem, self.theta)
            n_out = data.n_out
            total = 0.0
            for j in range(data.size):
                Jj = J[j * n_out:(j + 1) * n_out]
                mag = np.linalg.norm(G[j]) + loss.curvature_bound * (
                    np.linalg.norm(F[j]) + np.linalg.norm(data.Y[j]))
                total += mag * np.linalg.norm(Jj)
            return float(total)
        return self._memo("gscale", compute)

    def hessian_scale(self) -> float:
        """S_H = ||H||_F + c·Σ_j ||J_j||_F²: the Hessian's size, robust when H rounds to 0."""
        def compute():
            J = self.output_jacobian_f64()
            return float(np.linalg.norm(self.hessian_f64())
                         + self.problem.loss.curvature_bound * float(np.sum(J * J)))
        return self._memo("hscale", compute)

    # -- mpmath -----------------------------------------------------------------------------
    def landscape_mp(self, precision: Precision) -> MPLandscape:
        """The point rebuilt from its construction at ``precision`` and its passes."""
        def build():
            with mpmath.workdps(precision.dps):
                params = self.point.realize_mp(self.problem.data)
                return MPLandscape(self.problem, params)
        return self._memo(("mp", precision.dps), build)

    # -- quantities at any precision -----------------------------------------------------------
    def gradient(self, precision: Precision) -> Sequence:
        if precision.is_float64:
            return self._memo("g64", lambda: f64.gradient_f64(self.problem, self.theta))
        return self.landscape_mp(precision).gradient()

    def loss(self, precision: Precision) -> float:
        if precision.is_float64:
            return f64.loss_f64(self.problem, self.theta)
        return as_float(self.landscape_mp(precision).loss())

    def gradient_decision(self, precision: Precision) -> ZeroDecision:
        """Is ∇L(p) = 0 at ``precision``?  Decides ||∇L||₂ against τ = κ(N+d)·u·S_g."""
        def compute():
            g = self.gradient(precision)
            if precision.is_float64:
                norm = float(np.linalg.norm(g))
                comps = np.abs(g)
            else:
                with mpmath.workdps(precision.dps):
                    norm = mpmath.sqrt(mpmath.fdot(g, g))  # kept in mpmath: exact comparison
                comps = np.array([abs(as_float(x)) for x in g])
            names = self.problem.architecture.layout.coordinate_names()
            worst = int(np.argmax(comps)) if len(comps) else 0
            return decide_zero(
                norm, precision, n=self.n_params + self.problem.data.size,
                scale=self.gradient_scale(), quantity="gradient norm",
                largest_component=float(comps[worst]) if len(comps) else 0.0,
                largest_component_at=names[worst] if names else None,
            )
        return self._memo(("gdec", precision.label), compute)

    def inertia(self, precision: Precision) -> SpectrumDecision:
        """Hessian inertia at ``precision`` (see :func:`critlocus.core.spectrum.decide_inertia`)."""
        def compute():
            f64_decision = None if precision.is_float64 else self.inertia(FLOAT64)
            return decide_inertia(_LandscapeHessian(self), precision, scale=self.hessian_scale(),
                                  float64_decision=f64_decision, dense_limit=self.dense_limit,
                                  dense_fallback_limit=self.dense_fallback_limit, seed=self.seed)
        return self._memo(("inertia", precision.label), compute)


class _LandscapeHessian(HessianSource):
    """Hess L at the evaluation's point: float64 via torch, mpmath via the R-operator."""

    def __init__(self, evaluation: PointEvaluation):
        self.evaluation = evaluation
        self.size = evaluation.n_params

    def dense_float64(self) -> np.ndarray:
        return self.evaluation.hessian_f64()

    def matvec_mp(self, v, precision):
        return self.evaluation.landscape_mp(precision).hvp(v)

    def dense_mp(self, precision):
        land = self.evaluation.landscape_mp(precision)
        with mpmath.workdps(precision.dps):
            return land.hessian()

    def dense_fixed(self, precision):
        land = self.evaluation.landscape_mp(precision)
        with mpmath.workdps(precision.dps):
            return land.hessian_fixed()
