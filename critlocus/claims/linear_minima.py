"""Claims about local minima of ``L = ℓ ∘ μ_d`` (part of :mod:`critlocus.claims.linear`).

- :func:`certify_local_minimum` — a second-order (Morse–Bott) certificate: ``n₋ = 0`` and the
  Hessian's kernel is exactly the tangent space of the fibre of μ_d;
- :func:`no_bad_minimum` — the local minimum a search found has the global minimum's loss;
- :func:`descends` — θ is not a local minimum (an exact descent polynomial along a line).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import mpmath
import numpy as np

from critlocus.core.decisions import AMBIGUOUS, NONZERO, ZERO, as_float, decide_zero
from critlocus.core.determinantal import determinantal_dimension
from critlocus.core.errors import InvalidArgument, SpecError
from critlocus.core.instance import Instance
from critlocus.core.linear import work_precision
from critlocus.core.precision import Precision
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult

from .base import Claim
from .linear import _deferred, differential_source, functional_view

__all__ = ["best_point", "certify_local_minimum", "descends", "no_bad_minimum", "product_float64"]


def best_point(instance: Instance):
    """The best local minimum the same search found (the global-minimum candidate): kept on the
    instance by :func:`critlocus.strategies.search_instance`, or — for an instance rebuilt from a
    report — re-made from ``info["best_point_float64"]`` and polished like the point itself."""
    best = instance.__dict__.get("best_point")
    if best is None:
        info = instance.info or {}
        if "best_point_float64" not in info:
            raise InvalidArgument("no_bad_minimum needs the search's best minimum: an instance from "
                                  "local_minimum_instances / search_instance (info['best_point_float64'])")
        if info.get("chosen") == "best" or info.get("n_minima_found") == 1:
            best = instance.point
        else:
            from critlocus.core.points import PolishedCriticalPoint

            best = PolishedCriticalPoint.from_start(
                instance.problem, np.asarray(info["best_point_float64"], dtype=np.float64),
                found_by={"chosen": "best", "rebuilt from": "info['best_point_float64']"})
        instance.__dict__["best_point"] = best
    return best

class _Descent(Claim):
    def __init__(self, directions: Callable[[Instance], Sequence[Callable[[], list]]], text: str):
        self.directions = directions
        self.text = text

    def describe(self) -> str:
        return f"θ is not a local minimum: L decreases along {self.text}"

    def tier(self, instance, precision):
        if precision.is_float64:
            return _deferred(precision)
        from critlocus.core.linear import factor_matrices, loss_polynomial

        problem, data = instance.problem, instance.problem.data
        tried = []
        undecided = False
        for build in self.directions(instance):
            with work_precision(precision):
                if precision.is_float64:
                    flat = [mpmath.mpf(float(v)) for v in instance.point.realize_float64(data)]
                else:
                    flat = instance.point.realize_mp(data)
                W = factor_matrices(instance.point.architecture, flat)
                D = build()
                coeffs = loss_polynomial(problem, W, D)
                size = 1.0
                for A, B in zip(W, D):
                    size *= 1.0 + float(mpmath.mnorm(A, "f")) + float(mpmath.mnorm(B, "f"))
            X, Y = data.X, data.Y
            c = problem.loss.curvature_bound
            scale = c * sum((size * float((x @ x) ** 0.5) + float((y @ y) ** 0.5)) ** 2 for x, y in zip(X, Y))
            n = len(coeffs) * (data.size * problem.architecture.n_out + instance.n_params)
            decs = [decide_zero(ck, precision, n=n, scale=scale, quantity=f"c_{k}")
                    for k, ck in enumerate(coeffs) if k >= 1]
            order, lead = None, None
            for k, d in enumerate(decs, start=1):
                if d.status == AMBIGUOUS:
                    undecided = True
                    break
                if d.status == NONZERO:
                    order, lead = k, coeffs[k]
                    break
            record = {"coefficients": [as_float(x) for x in coeffs[1:]], "order": order,
                      "leading": as_float(lead) if lead is not None else None,
                      "threshold": decs[0].threshold if decs else None}
            tried.append(record)
            if order is not None and (order % 2 == 1 or lead < 0):
                t_sign = "t → 0⁻" if (order % 2 == 1 and lead > 0) else "t → 0⁺"
                return TierResult(precision.label, TRUE, True,
                                  f"L(θ + tΔ) − L(θ) = {as_float(lead):.3e}·t^{order} + …  ({t_sign})",
                                  {"directions": tried, "margin": None})
        return TierResult(precision.label, UNDECIDED, True,
                          "no certified descent along the given lines"
                          + (" (ambiguous)" if undecided else ""),
                          {"directions": tried})


def descends(directions: Callable[[Instance], Sequence[Callable[[], list]]], *, text: str) -> Claim:
    """θ is not a local minimum, certified by a line ``θ + tΔ`` along which the exact polynomial
    ``L(θ + tΔ) − L(θ)`` (squared losses, :func:`critlocus.core.linear.loss_polynomial`) has a
    lowest-order nonzero coefficient of odd order or negative sign.  ``directions(instance)``
    gives builders of Δ (factor matrices at the working precision); the first that certifies wins.
    A failed certificate is ``undecided``, never a refutation."""
    if not callable(directions):
        raise SpecError("descends directions must be callable instance -> [builder]")
    return _Descent(directions, text)



def _loss_and_scale(problem, point, precision: Precision, cache: dict):
    """L at the point rebuilt at ``precision`` (an mpmath number, or a float in float64) and the
    size ``S_L = c·Σ_j (||f_j|| + ||y_j||)²`` of the terms it sums."""
    from critlocus.core.evaluation import PointEvaluation

    ev = cache.get(id(point))
    if ev is None:
        ev = cache[id(point)] = PointEvaluation(problem, point)
    return _loss_of(ev, problem, precision)


def _loss_of(ev, problem, precision: Precision):
    import numpy as np

    from critlocus.core import float64 as f64

    if precision.is_float64:
        value = mpmath.mpf(f64.loss_f64(problem, ev.theta))
    else:
        value = ev.landscape_mp(precision).loss()
    F = f64.outputs_f64(problem, ev.theta)
    Y = problem.data.Y
    sizes = np.linalg.norm(F, axis=1) + np.linalg.norm(Y, axis=1)
    scale = problem.loss.curvature_bound * float(np.sum(sizes**2))
    return value, scale, ev


def certify_local_minimum(instance: Instance, precision: Precision) -> tuple[str, dict]:
    """Second-order certificate that θ is a local minimum of L: ``n₋(Hess L) = 0`` and
    ``n₀(Hess L) = d_θ − rk dμ_d(θ)`` with ``rk dμ_d(θ) = dim M_r`` (maximal, hence locally constant,
    so the fibre ``μ_d⁻¹(W̄)`` is a manifold of dimension ``d_θ − dim M_r`` along which L is constant:
    its tangent space lies in the kernel, and equal dimensions make the fibre a nondegenerate
    critical manifold — Morse–Bott — hence θ a local minimum).  Returns ``("minimum" | "saddle" |
    "undecided", evidence)``; gradient zero is the caller's business."""
    from critlocus.core.rank import decide_rank

    H = instance.evaluation().inertia(precision)
    J = decide_rank(differential_source(instance), precision)
    w = instance.problem.architecture.widths
    dim_m = determinantal_dimension(w[-1], w[0], min(w))
    fibre = instance.n_params - J.rank
    ev = {"hessian": H.to_dict(), "rank_dmu": J.rank, "rank_dmu_decided": J.decided, "dim_M_r": dim_m,
          "fibre_dimension": fibre}
    if H.decided and H.n_neg > 0:
        return "saddle", ev
    if not (H.decided and J.decided):
        return "undecided", ev
    if H.n_neg == 0 and J.rank == dim_m and H.n_zero == fibre:
        return "minimum", ev
    ev["why_not_certified"] = (
        "zero eigenvalues beyond the fibre's tangent directions" if J.rank == dim_m
        else "dμ_d not of maximal rank: the fibre is not a manifold of constant dimension")
    return "undecided", ev


class _NoBadMinimum(Claim):
    def __init__(self, reference: Callable | None, text: str):
        self.reference = reference
        self.text = text

    def describe(self) -> str:
        return f"the local minimum found has the global minimum's loss ({self.text})"

    def tier(self, instance, precision):
        if precision.is_float64:
            return _deferred(precision)
        cache = instance.__dict__.setdefault("_loss_cache", {})
        problem = instance.problem
        if self.reference is None and best_point(instance) is instance.point:
            return TierResult(precision.label, TRUE, False,
                              "the search found a single local minimum: nothing to compare",
                              {"minima_found": instance.info.get("minima_found")})
        g = instance.evaluation().gradient_decision(precision)
        if g.status != ZERO:
            return TierResult(precision.label, UNDECIDED, True,
                              f"the polished point is not decided critical (||∇L|| = {g.value:.2e}, "
                              f"{g.status})",
                              {"gradient": g.to_dict()})
        value, scale, _ = _loss_of(instance.evaluation(), problem, precision)
        if self.reference is None:
            best = best_point(instance)
            if best is instance.point:
                ref, ref_scale, ref_ev = value, scale, instance.evaluation()
            else:
                ref, ref_scale, ref_ev = _loss_and_scale(problem, best, precision, cache)
            ref_grad = ref_ev.gradient_decision(precision) if best is not instance.point else g
            ref_text = "best local minimum found by the same search"
        else:
            with work_precision(precision):
                ref, ref_scale = self.reference(instance, precision)
            ref_grad, ref_text = None, self.text
        with work_precision(precision):
            gap = value - ref
        n = instance.n_params + problem.data.size * problem.architecture.n_out
        dec = decide_zero(gap, precision, n=n, scale=scale + ref_scale, quantity="L(θ) − L_global")
        ev = {"loss": as_float(value), "global_minimum_loss": as_float(ref), "reference": ref_text,
              "gap": as_float(gap), "gap_decision": dec.to_dict(), "gradient": g.to_dict(),
              "margin": dec.margin}
        if ref_grad is not None:
            ev["global_candidate_gradient"] = ref_grad.to_dict()
        if self.reference is None:
            ev["global_candidate_point"] = [as_float(v) for v in (
                best_point(instance).realize_float64(problem.data))]
        ev["W_bar"] = product_float64(instance)
        if dec.status == ZERO:
            return TierResult(precision.label, TRUE, True, f"L = {as_float(value):.6g} = global minimum", ev)
        if dec.status == AMBIGUOUS:
            return TierResult(precision.label, UNDECIDED, True, "gap ambiguous", ev)
        if gap < 0:
            return TierResult(precision.label, FALSE, True,
                              f"L = {as_float(value):.6g} below the reference {as_float(ref):.6g}", ev)
        kind, cert = certify_local_minimum(instance, precision)
        ev["certificate"] = cert
        ev["spectrum"] = cert["hessian"]  # the report draws the bad minimum's Hessian spectrum from it
        if kind == "saddle":
            return TierResult(precision.label, TRUE, True,
                              f"L = {as_float(value):.6g} > {as_float(ref):.6g} but θ is a saddle "
                              f"(n₋ = {cert['hessian']['inertia']['negative']})", ev)
        if kind == "minimum":
            rows = ("[" + ", ".join(f"{x:.6g}" for x in row) + "]" for row in ev["W_bar"])
            wbar = "[" + ", ".join(rows) + "]"
            return TierResult(precision.label, FALSE, True,
                              f"bad local minimum W̄ = {wbar}: L = {as_float(value):.6g} > global "
                              f"{as_float(ref):.6g} "
                              f"(gap {as_float(gap):.3e}); Hess L ⪰ 0 with kernel = fibre tangent "
                              f"(n₀ = {cert['fibre_dimension']})", ev)
        return TierResult(precision.label, UNDECIDED, True, "local minimality not certified", ev)


def product_float64(instance: Instance) -> list:
    """W̄ = μ_d(θ) in float64 (for reports)."""
    return functional_view(instance).product_float64().tolist()


def no_bad_minimum(reference: Callable | None = None, *, text: str = "best minimum found") -> Claim:
    """The local minimum θ of the instance (polished) is global: ``L(θ) − L_ref = 0`` decided, where
    ``L_ref`` is the best local minimum the same search found (default) or
    ``reference(instance, precision) -> (value, scale)``.  Refuted only when the gap is decided
    positive *and* θ is certified a local minimum (:func:`certify_local_minimum`)."""
    if reference is not None and not callable(reference):
        raise SpecError("no_bad_minimum reference must be callable (instance, precision) -> (value, scale)")
    return _NoBadMinimum(reference, text)
