"""Claims about gradient flow (Cooper §3.2: attracting critical loci), on
:class:`~critlocus.core.flow.FlowInstance` objects.

A flow verdict is numerical, never a proof: the trajectory is integrated in float64
(:mod:`critlocus.core.flow`), and its classification — converged to Z, escaped (certified by
leaving the region or by ``f`` falling below Z's level), undecided — rests on the integration
tolerance.  So flow claims use two tiers instead of the precision ladder: ``flow rtol=u^½`` and,
to confirm a refutation or resolve undecided starts, ``flow rtol=u^¾`` (the same starts, a
tolerance 2¹³ times tighter).  A refutation is reported only when both agree.  Basin fractions
come with exact Clopper–Pearson intervals.

- :func:`attracting` — Z is an attracting critical locus (Def. 3.4): a positive-measure set of
  starts flows to it (at least one sampled start converges; the interval bounds the fraction);
- :func:`not_attracting` — no sampled start converges to Z (the open question's conjecture);
- :func:`converges_from_everywhere` — every sampled start converges to Z;
- :func:`limits_distinct` — the converged starts have pairwise distinct limits (no single point
  of Z attracts a positive fraction of them);
- :func:`critical_on_target`, :func:`at_target` — exact statements about Z for explicit f.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from critlocus.core.errors import SpecError
from critlocus.core.explicit import FunctionInstance, line_sign_radius
from critlocus.core.flow import FlowInstance, PointTarget, PolynomialField, SubspaceTarget, estimate_basin
from critlocus.core.functions import Polynomial
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, Outcome, TierResult, Verdict

from .base import Claim
from .functions import exact_claim

__all__ = [
    "FINE_RTOL",
    "at_target",
    "attracting",
    "converges_from_everywhere",
    "critical_on_target",
    "descent_direction_at",
    "limits_distinct",
    "not_attracting",
    "unique_critical_point",
]

FINE_RTOL = (2.0**-53) ** 0.75  # u^{3/4}


def _basin(instance: FlowInstance, fine: bool, recheck: frozenset = frozenset()):
    """The coarse basin estimate, or the fine one: the starts whose coarse status is in ``recheck``
    (plus the undecided and failed ones) integrated again at rtol = u^¾."""
    if not isinstance(instance, FlowInstance):
        raise SpecError(f"flow claims need a FlowInstance, got {type(instance).__name__}")
    coarse = instance.basin()
    if not fine:
        return coarse
    recheck = frozenset(recheck) | {"undecided", "failed"}
    caches = instance.__dict__.setdefault("_fine_basins", {})
    if recheck not in caches:
        settings = dataclasses.replace(instance.settings, rtol=FINE_RTOL)
        caches[recheck] = estimate_basin(instance.field, instance.box, instance.target, n=instance.n_starts,
                                         settings=settings, seed=instance.seed, reuse=coarse, recheck=recheck)
    return caches[recheck]


def _summary(b) -> str:
    lo, hi = b.interval
    return (f"{b.converged}/{b.n} starts converged ({b.escaped} escaped, {b.undecided} undecided); "
            f"basin fraction ∈ [{lo:.3f}, {hi:.3f}] (95 %, Clopper–Pearson)")


def _evidence(b, instance) -> dict:
    statuses = [r.to_dict() for r in b.results[:6]]
    return {"basin": b.to_dict(), "starts": statuses, "radius": b.results[0].radius if b.results else None,
            "target": instance.target.describe(), "margin": math.inf}


class _FlowClaim(Claim):
    """``decide(basin, instance) -> status`` on the coarse tier, then on the fine tier to confirm a
    ``false`` or resolve an ``undecided``."""

    def __init__(self, name: str, decide: Callable, recheck: frozenset):
        self.name = name
        self._decide = decide
        self._recheck = recheck

    def tier(self, instance, precision=None, *, fine: bool = False) -> TierResult:
        b = _basin(instance, fine, self._recheck)
        status, extra = self._decide(b, instance)
        label = "flow rtol=u^¾" if fine else "flow rtol=u^½"
        summary = _summary(b) + (f"; {extra}" if extra else "")
        ev = _evidence(b, instance)
        ev["rtol"] = FINE_RTOL if fine else instance.settings.rtol
        if fine:
            ev["rechecked"] = sorted(self._recheck | {"undecided", "failed"})
        return TierResult(label, status, False, summary, ev)

    def check(self, instance, ladder) -> Outcome:
        first = self.tier(instance)
        if first.status == TRUE:
            return Outcome(Verdict.HOLDS, self.describe(), [first], "decided by the flow at rtol = u^½")
        second = self.tier(instance, fine=True)
        tiers = [first, second]
        if second.status == FALSE and first.status == FALSE:
            return Outcome(Verdict.FAILS, self.describe(), tiers, "refuted at rtol = u^½, confirmed at u^¾")
        if second.status == TRUE and first.status == UNDECIDED:
            return Outcome(Verdict.HOLDS, self.describe(), tiers, "undecided at rtol = u^½, decided at u^¾")
        if second.status == FALSE:
            return Outcome(Verdict.INCONCLUSIVE, self.describe(), tiers,
                           "refuted only at the tighter tolerance: the flow verdict depends on the tolerance")
        if second.status == TRUE:
            return Outcome(Verdict.INCONCLUSIVE, self.describe(), tiers,
                           "refuted at rtol = u^½ but not at u^¾: the flow verdict depends on the tolerance")
        return Outcome(Verdict.INCONCLUSIVE, self.describe(), tiers, "some starts stay undecided at both "
                       f"tolerances: {second.summary}")


def attracting() -> Claim:
    """Def. 3.4: Z attracts a set of positive measure.  True when a sampled start converges (with a
    continuous sampling law, a measure-zero basin is hit with probability 0; the Clopper–Pearson
    lower bound is reported), false when no start converges and none is undecided."""
    def decide(b, instance):
        if b.converged >= 1:
            return TRUE, ""
        return (FALSE, "no sampled start converged") if b.undecided + b.failed == 0 else (UNDECIDED, "")
    return _FlowClaim("Z is an attracting critical locus (Def. 3.4)", decide, frozenset({"escaped"}))


def not_attracting() -> Claim:
    """No sampled start converges to Z (every start certified to escape): the reported 95 % upper
    bound on the basin fraction is ``1 − 0.025^{1/n}``.  False when a start converges."""
    def decide(b, instance):
        if b.converged:
            return FALSE, f"{b.converged} start(s) converged to {instance.target.describe()}"
        if b.undecided or b.failed:
            return UNDECIDED, ""
        return TRUE, f"no start converged in {b.n} samples; 95 % upper bound {b.interval[1]:.3f}"
    return _FlowClaim("no sampled start converges to Z", decide, frozenset({"converged"}))


def converges_from_everywhere() -> Claim:
    """Every sampled start converges to Z (false as soon as one is certified to escape)."""
    def decide(b, instance):
        if b.escaped:
            bad = next(r for r in b.results if r.status == "escaped")
            return FALSE, f"a start escaped: x0 = {bad.x0.tolist()} ({bad.reason})"
        return (TRUE, "") if b.converged == b.n else (UNDECIDED, "")
    return _FlowClaim("every sampled start converges to Z", decide, frozenset({"escaped"}))


def limits_distinct() -> Claim:
    """The converged starts have pairwise distinct limits: the smallest distance between two limit
    points exceeds ``2ρ + 2·dist`` (ρ the convergence radius, dist each end's distance to Z), so no
    point of Z attracts two of the n starts — evidence that no single point is attracting."""
    def decide(b, instance):
        ends = [r for r in b.results if r.status == "converged"]
        if len(ends) < 2:
            return UNDECIDED, "fewer than two converged starts"
        target = instance.target
        pts = [target.project(r.x) if hasattr(target, "project") else r.x for r in ends]
        worst = math.inf
        clash = False
        for i in range(len(pts)):
            for j in range(i):
                gap = float(np.linalg.norm(pts[i] - pts[j]))
                slack = 2 * ends[i].radius + ends[i].distance + ends[j].distance
                worst = min(worst, gap / slack if slack else math.inf)
                clash |= gap <= slack
        return (FALSE if clash else TRUE), f"limits pairwise separated (min gap / resolution = {worst:.3g})"
    return _FlowClaim("converged starts have pairwise distinct limits", decide, frozenset({"converged"}))


def _polynomial(instance) -> Polynomial:
    field = getattr(instance, "field", None)
    if not isinstance(field, PolynomialField):
        raise SpecError("exact claims about the target need an explicit polynomial field")
    return field.polynomial


def critical_on_target() -> Claim:
    """Every point of Z is a critical point of f, exactly: for a coordinate subspace Z the gradient
    restricted to Z (fixed coordinates substituted) is the zero polynomial; for a point, ∇f = 0."""
    def decide(instance):
        f = _polynomial(instance)
        target = instance.target
        if isinstance(target, PointTarget):
            g = f.gradient_at(tuple(Fraction(v) for v in target.point))
            return (TRUE if not any(g) else FALSE), f"∇f(z) = {[str(v) for v in g]}", {}
        if not isinstance(target, SubspaceTarget):
            raise SpecError("critical_on_target handles point and coordinate-subspace targets")
        xs = Polynomial.variables(f.n_vars, names=f.names)
        fixed = dict(target.fixed)
        subs = [Polynomial.constant(Fraction(fixed[i]), f.n_vars, names=f.names) if i in fixed else xs[i]
                for i in range(f.n_vars)]
        rest = [str(g.substitute(subs)) for g in f.gradient]
        ok = all(r == "0" for r in rest)
        return (TRUE if ok else FALSE), "∇f ≡ 0 on Z" if ok else f"∇f on Z = {rest}", {"gradient_on_Z": rest}
    return exact_claim("Z consists of critical points (exactly)", decide)


def at_target(claim: Claim) -> Claim:
    """``claim`` checked on the explicit function at the target point (a :class:`FunctionInstance`
    built from the flow instance), e.g. ``at_target(critical_order(at_least(2)))``."""
    if not isinstance(claim, Claim):
        raise SpecError(f"at_target expects a claim, got {claim!r}")

    class _At(Claim):
        def describe(self) -> str:
            return f"at the target point: {claim.describe()}"

        def check(self, instance, ladder):
            f = _polynomial(instance)
            if not isinstance(instance.target, PointTarget):
                raise SpecError("at_target needs a point target")
            point = tuple(Fraction(v) for v in instance.target.point)
            fi = FunctionInstance(f, point, label=f"{instance.label}: z", info=instance.info,
                                  seed=instance.seed)
            return claim.check(fi, ladder)
    return _At()


def descent_direction_at() -> Claim:
    """f takes values below f(z) arbitrarily close to z (z is not a local minimum): exhibited by a
    rational direction v with ``f(z + t v) < f(z)`` for all ``0 < t < ρ`` (certified ρ)."""
    def decide(instance):
        f = instance.function if isinstance(instance, FunctionInstance) else _polynomial(instance)
        z = instance.point if isinstance(instance, FunctionInstance) else \
            tuple(Fraction(v) for v in instance.target.point)
        n = f.n_vars
        for i in range(n):
            for sgn in (-1, 1):
                v = tuple(Fraction(sgn * int(i == j)) for j in range(n))
                res = line_sign_radius(f, z, v)
                if res is not None and res[0] < 0:
                    _, k, rho = res
                    return TRUE, f"f(z + t·v) − f(z) ~ −|a| t^{k} < 0 for 0 < t < {rho} along v = " \
                                 f"{[str(c) for c in v]}", {"direction": [str(c) for c in v], "power": k,
                                                             "radius": str(rho)}
        return FALSE, "no coordinate direction descends from z", {}
    return exact_claim("negative values arbitrarily near z (f(z) = 0)", decide)


def unique_critical_point() -> Claim:
    """The target point is the *only* critical point of a separable polynomial f = Σ_i g_i(x_i):
    ∂f/∂x_i depends on x_i alone (checked), so the critical set is the product of the real roots of
    the univariate ∂f/∂x_i, found exactly (Sturm sequences; :func:`critlocus.core.piecewise.
    rational_real_roots`)."""
    from critlocus.core.piecewise import rational_real_roots

    def decide(instance):
        f = _polynomial(instance)
        roots = []
        for i, g in enumerate(f.gradient):
            if set(g.depends_on()) - {i}:
                raise SpecError(f"∂f/∂{f.names[i]} depends on other variables: f is not separable")
            coeffs = [Fraction(0)] * (g.degree + 1)
            for alpha, c in g.terms.items():
                coeffs[alpha[i]] = c
            if g.is_zero:
                return FALSE, f"∂f/∂{f.names[i]} ≡ 0: a whole line of critical points", {}
            roots.append(rational_real_roots(coeffs))
        z = tuple(Fraction(v) for v in instance.target.point)
        ok = all(len(r) == 1 and r[0] == zi for r, zi in zip(roots, z))
        text = f"real roots of each ∂f/∂x_i: {[[str(v) for v in r] for r in roots]}"
        return (TRUE if ok else FALSE), text, \
            {"roots": [[str(v) for v in r] for r in roots]}
    return exact_claim("the target is the only critical point (exact, separable f)", decide)
