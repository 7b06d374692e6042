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
from .errors import InvalidArgument
from .highprec import MPLandscape
from .network import Problem
from .points import PointRecipe
from .precision import FLOAT64, Precision
from .spectrum import DENSE_F64_LIMIT, HessianSource, SpectrumDecision, decide_inertia

__all__ = ["PointEvaluation"]

_SHARED_PASS_LIMIT = 256  # up to this N one second-order pass serves gradient and Hessian checks


class PointEvaluation:
    """One point (a :class:`PointRecipe`) of one :class:`Problem`, evaluated lazily.

    ``dense_limit``, ``dense_fallback_limit``: see
    :func:`critlocus.core.spectrum.decide_inertia` (dense LDLᵀ slicing up to N = 600, a range
    sketch where the Hessian's rank is small; the method is chosen by cost).
    """

    def __init__(self, problem: Problem, point: PointRecipe, *, seed: int = 0,
                 dense_limit: int = 40, dense_fallback_limit: int = 600):
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

    def derivatives_f64(self, order: int = 1) -> f64.FirstOrder:
        """Float64 loss, gradient, outputs, ``∂ℓ/∂F`` and output Jacobian (and, for
        ``order=2``, the Hessian), each from one ``torch.func`` transform
        (:func:`~critlocus.core.float64.first_order_f64`, :func:`~critlocus.core.float64.second_order_f64`).
        Up to N = 256 the second-order pass serves both orders (one transform per point)."""
        if "d2" in self._cache:
            return self._cache["d2"]
        if order >= 2 or self.n_params <= _SHARED_PASS_LIMIT:
            return self._memo("d2", lambda: f64.second_order_f64(self.problem, self.theta))
        return self._memo("d1", lambda: f64.first_order_f64(self.problem, self.theta))

    def hessian_f64(self) -> np.ndarray:
        def compute():
            H = self.derivatives_f64(2).hessian
            return 0.5 * (H + H.T)
        return self._memo("H64", compute)

    def output_jacobian_f64(self) -> np.ndarray:
        return self.derivatives_f64().jacobian

    def gradient_scale(self) -> float:
        """S_g = Σ_j (||∂ℓ/∂f_j|| + c·(|f_j| + ||y_j||))·||J_j||_F, c = sup|φ''|.

        The size of the terms whose sum is ∇L: rounding in the residuals ``f_j − y_j``
        (relative to ``|f_j| + |y_j|``) enters through φ'' — so S_g does not vanish when a
        float64 residual happens to round to zero.  ``|f_j|`` is the size of the terms summed
        into the output, ``|| |W_ℓ|·|a_{ℓ−1}(x_j)| + |b_ℓ| ||`` (at least ``||f_j||``): when a
        large last layer cancels to a small output, f_j is rounded relative to its terms.
        """
        def compute():
            data, loss = self.problem.data, self.problem.loss
            der = self.derivatives_f64()
            d = data.size
            F = self._output_term_sizes(der.outputs)
            mag = (np.linalg.norm(der.residual_gradient, axis=1) + loss.curvature_bound * (
                np.linalg.norm(F, axis=1) + np.linalg.norm(data.Y, axis=1)))
            return float(mag @ np.linalg.norm(der.jacobian.reshape(d, -1), axis=1))
        return self._memo("gscale", compute)

    def _output_term_sizes(self, outputs: np.ndarray) -> np.ndarray:
        """Per data point, ``max(|f_j|, |W_ℓ|·|a_{ℓ−1}(x_j)| + |b_ℓ|)`` entrywise, shape (d, n_ℓ)."""
        from .slices import features_float64

        arch = self.problem.architecture
        blocks = arch.layout.unflatten(self.theta)
        ell = arch.depth
        A = features_float64(self.problem, self.theta)  # (n_{ℓ−1}, d)
        terms = (np.abs(blocks[f"W_{ell}"]) @ np.abs(A)).T
        if f"b_{ell}" in blocks:
            terms = terms + np.abs(blocks[f"b_{ell}"])
        return np.maximum(terms, np.abs(outputs))

    def hessian_scale(self) -> float:
        """S_H = ||H||_F + c·Σ_j ||J_j||_F²: the Hessian's size, robust when H rounds to 0."""
        def compute():
            J = self.output_jacobian_f64()
            return float(np.linalg.norm(self.hessian_f64())
                         + self.problem.loss.curvature_bound * float(np.sum(J * J)))
        return self._memo("hscale", compute)

    # -- ball arithmetic (python-flint) -------------------------------------------------------
    def certificate(self):
        """The point's ball-arithmetic enclosure and inertia certificate
        (:class:`critlocus.core.certify.PointCertificate`; needs python-flint)."""
        from .certify import point_certificate, require

        require()
        return point_certificate(self)

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
        if precision.is_certified:
            return self.certificate().landscape.gradient()  # enclosures (arb balls)
        if precision.is_float64:
            return self.derivatives_f64().gradient
        return self.landscape_mp(precision).gradient()

    def loss(self, precision: Precision) -> float:
        if precision.is_certified:
            return self.certificate().landscape.loss  # an enclosure (arb) or exact (fmpq)
        if precision.is_float64:
            return self.derivatives_f64().loss
        return as_float(self.landscape_mp(precision).loss())

    def _has_arb_jets(self) -> bool:
        """Whether the activation and loss have ball-arithmetic jets (the Arb fast path of the
        mpmath tiers); a user's own σ or loss without one is evaluated in mpmath instead."""
        def check() -> bool:
            from .certify.jets import activation_jet, loss_jet

            try:
                activation_jet(self.problem.network.activation.name)
                loss_jet(self.problem.loss)
            except InvalidArgument:
                return False
            return True
        return self._memo("arb_jets", check)

    def gradient_decision(self, precision: Precision) -> ZeroDecision:
        """Is ∇L(p) = 0 at ``precision``?  Decides ||∇L||₂ against τ = κ(N+d)·u·S_g.

        At the certified tier: proved zero, proved nonzero, or ambiguous
        (:func:`critlocus.core.certify.certified_gradient_decision`)."""
        if precision.is_certified:
            from .certify import certified_gradient_decision

            return self._memo(("gdec", precision.label), lambda: certified_gradient_decision(self, precision))
        if not precision.is_float64:
            from . import certify

            if certify.available() and certify.fast_tier_enabled() and self._has_arb_jets():
                fast = self._memo(("gdec-arb", precision.label),
                                  lambda: certify.high_precision_gradient(self, precision))
                if fast is not None:
                    return fast
        return self.mpmath_gradient_decision(precision)

    def mpmath_gradient_decision(self, precision: Precision) -> ZeroDecision:
        """:meth:`gradient_decision` without the Arb fast path (float64 or mpmath arithmetic):
        what the Arb tier must never contradict (``tests/test_arb_tier_agreement.py``)."""
        if precision.is_certified:
            raise InvalidArgument("mpmath_gradient_decision: the certified tier has no mpmath path")

        def compute():
            g = self.gradient(precision)
            if precision.is_float64:
                norm = float(np.linalg.norm(g))
                comps = np.abs(g)
            else:
                with mpmath.workdps(precision.dps):
                    norm = mpmath.sqrt(mpmath.fdot(g, g))  # kept in mpmath: exact comparison
                comps = np.array([abs(as_float(x)) for x in g])
            worst = int(np.argmax(comps)) if len(comps) else 0
            return decide_zero(
                norm, precision, n=self.n_params + self.problem.data.size,
                scale=self.gradient_scale(), quantity="gradient norm",
                largest_component=float(comps[worst]) if len(comps) else 0.0,
                largest_component_at=_coordinate_name(self.problem, worst) if len(comps) else None,
            )
        return self._memo(("gdec", precision.label), compute)

    def inertia(self, precision: Precision) -> SpectrumDecision:
        """Hessian inertia at ``precision`` (see :func:`critlocus.core.spectrum.decide_inertia`).

        Certified tier: :func:`critlocus.core.certify.certified_inertia_decision`.  mpmath tiers
        try the Arb enclosure first (:func:`critlocus.core.certify.high_precision_inertia`,
        when python-flint is installed) and fall back to mpmath where it cannot separate."""
        if precision.is_certified:
            from .certify import certified_inertia_decision

            return self._memo(("inertia", precision.label),
                              lambda: certified_inertia_decision(self, precision))
        if not precision.is_float64:
            from . import certify

            if certify.available() and certify.fast_tier_enabled() and self._has_arb_jets():
                fast = self._memo(("inertia-arb", precision.label),
                                  lambda: certify.high_precision_inertia(self, precision))
                if fast is not None:
                    return fast
        return self.mpmath_inertia(precision)

    def mpmath_inertia(self, precision: Precision) -> SpectrumDecision:
        """:meth:`inertia` without the Arb fast path (float64 or mpmath arithmetic).  In float64
        above :data:`~critlocus.core.large.DENSE_LIMIT` parameters the Hessian is never formed:
        :func:`~critlocus.core.large.inertia_hvp` counts from the ends of the spectrum."""
        if precision.is_certified:
            raise InvalidArgument("mpmath_inertia: the certified tier has no mpmath path")

        def compute():
            if precision.is_float64 and self.n_params > DENSE_F64_LIMIT:
                # matrix-free above N = 2000: Lanczos (eigsh) on torch Hessian-vector products
                from .large import hvp_operator, inertia_hvp

                return inertia_hvp(hvp_operator(self.problem, self.theta), precision=precision,
                                   seed=self.seed)
            f64_decision = None if precision.is_float64 else self.inertia(FLOAT64)
            return decide_inertia(_LandscapeHessian(self), precision, scale=self.hessian_scale(),
                                  float64_decision=f64_decision, dense_limit=self.dense_limit,
                                  dense_fallback_limit=self.dense_fallback_limit, seed=self.seed)
        return self._memo(("inertia", precision.label), compute)

    def spectrum(self, precision: Precision) -> SpectrumDecision:
        """Like :meth:`inertia`, with the nonzero eigenvalue *values* accurate at ``precision``
        (for claims about values, e.g. "every positive eigenvalue is 2d").

        The Arb tier proves counts, but its values are Rayleigh quotients of float64 eigenvectors,
        accurate only to Weyl's bound; where that bound exceeds the precision's threshold τ the
        values come from the mpmath path instead (dense or range sketch at ``precision``)."""
        decision = self.inertia(precision)
        if precision.is_float64 or precision.is_certified or _values_accurate(decision):
            return decision

        def compute():
            return decide_inertia(_LandscapeHessian(self), precision, scale=self.hessian_scale(),
                                  float64_decision=self.inertia(FLOAT64), dense_limit=self.dense_limit,
                                  dense_fallback_limit=self.dense_fallback_limit, seed=self.seed)
        return self._memo(("spectrum-mp", precision.label), compute)


def _values_accurate(decision: SpectrumDecision) -> bool:
    return bool(decision.details.get("values_accurate", True))


def _coordinate_name(problem: Problem, index: int) -> str:
    """``"W_2[1,0]"`` for one flat coordinate (without naming all N)."""
    for b in problem.architecture.layout.blocks:
        if b.offset <= index < b.offset + b.size:
            idx = np.unravel_index(index - b.offset, b.shape)
            return f"{b.name}[{','.join(str(int(i)) for i in idx)}]"
    return f"θ[{index}]"


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
