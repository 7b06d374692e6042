"""TKB — smooth convex losses: no bad minima when filling; bad minima can appear when not.

The search (:func:`critlocus.strategies.linear.local_minimum_instances`): Hypothesis draws an
architecture and a smooth convex loss (weights Λ, targets Q, …); multistart descent, seeded by
the problem, finds the local minima; the instance's point is the *worst* one, polished at every
precision.  A claim "no bad minima" fails only when that point is decided critical, certified a
local minimum (``Hess L ⪰ 0`` with its kernel exactly the tangent space of the fibre of μ_d) and
its loss is decided above a point the same search found.
"""

from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import strategies as st

from critlocus import Source, Spec, claims
from critlocus.core.instance import Instance
from critlocus.core.linear import weighted_frobenius_problem
from critlocus.strategies.linear import linear_widths
from critlocus.strategies.linear_minima import local_minimum_instances, search_instance

from . import PAPER

L = claims.linear

#: The catalogue's instance (tkb.ex.weighted-bad-min): d = (2, 1, 2), bad minimum 0.680568.
CATALOGUE_LAMBDA = [[0.47, 0.89], [0.32, 0.03]]
CATALOGUE_Q = [[-0.86, 0.62], [-1.76, -1.03]]


def catalogue_instance() -> Instance:
    """The catalogue's weighted instance with the worst local minimum the search finds."""
    problem = weighted_frobenius_problem((2, 1, 2), CATALOGUE_LAMBDA, CATALOGUE_Q)
    inst = search_instance(problem, {"family": "weighted", "Lambda": CATALOGUE_LAMBDA, "Q": CATALOGUE_Q},
                           starts=16)
    assert inst is not None
    return inst


def gap_target(instance: Instance, outcome) -> float:
    """Steer the search toward larger gaps L(worst) − L(best) between local minima."""
    return float(instance.info.get("gap_float64", 0.0))


_NONFILLING_SMALL = linear_widths(min_depth=2, max_depth=3, min_dim=1, max_dim=3, filling=False)

NONFILLING_NO_BAD_MINIMA = Spec(
    id="tkb.claim.nonfilling-convex-no-bad-minima",
    title="FALSE: on a non-filling architecture every smooth convex loss has no non-global local minimum",
    source=Source(PAPER, "negation of the paper's non-filling example", "§ smooth convex losses",
                  ("SRC", "REC", "VER")),
    statement=("Must fail.  'If d is non-filling and ℓ is smooth and convex, every local minimum of "
               "L = ℓ ∘ μ_d is global.'  TKB show the opposite: weighted quadratic distances on M_r "
               "already have non-global local minima."),
    formula="d non-filling ∧ ℓ smooth convex ∧ θ local min of L ⇒ L(θ) = min L",
    hypotheses=("d non-filling, h = 2, 3, d_i ≤ 3",
                "ℓ(W) = Σ_ab Λ_ab (W_ab − Q_ab)², Λ_ab ∈ [1/16, 2] and Q_ab ∈ [−2, 2] dyadic",),
    instances=local_minimum_instances(widths=_NONFILLING_SMALL, families=("weighted",), starts=8,
                                      generic=False),
    claim=L.no_bad_minimum(),
    expected="fails",
    kind="false-variant",
    target=gap_target,
    examples_scale=2.0,
    notes=("The framework's own search over (d, Λ, Q) finds a weighted loss with two local-minimum "
           "values; the worse one is polished to a critical point at 30 and 60 digits, certified a local "
           "minimum (n₋ = 0, n₀ = d_θ − dim M_r: the zero eigenvalues are exactly the fibre's tangent "
           "directions, a Morse–Bott minimum) and its loss is decided above the best minimum found. "
           "The catalogue's instance (Λ = [[0.47, 0.89], [0.32, 0.03]], Q = [[−0.86, 0.62], "
           "[−1.76, −1.03]]; bad minimum 0.680568 vs global 0.128261) is tkb.ex.weighted-bad-min.  "
           "examples_scale = 2: an instance without a bad minimum costs ~20 ms (descent only); "
           "over seeds 0–39 the search refuted the claim within 3–51 instances (median 9), while "
           "with 50 instances seed 1 missed it."),
)


def filling_reference(instance: Instance, precision):
    """min ℓ over all of R^{d_h×d_0} (the one-layer problem's minimum, polished at this precision)."""
    from critlocus.core.highprec import MPLandscape
    from critlocus.core.linear import functional_problem
    from critlocus.core.linear_search import descend
    from critlocus.core.points import PolishedCriticalPoint

    cache = instance.__dict__.setdefault("_functional_minimum", {})
    fp = functional_problem(instance.problem)
    if "point" not in cache:
        cache["point"] = PolishedCriticalPoint.from_start(fp, descend(fp, np.zeros(fp.n_params)),
                                                          found_by={"method": "L-BFGS-B on ℓ"})
    point = cache["point"]
    flat = ([mpmath.mpf(float(v)) for v in point.realize_float64(fp.data)] if precision.is_float64
            else point.realize_mp(fp.data))
    value = MPLandscape(fp, flat).loss()
    return value, instance.problem.loss.curvature_bound * (1.0 + float(abs(value)))


FILLING_CONVEX = Spec(
    id="tkb.thm.filling-convex",
    title="Filling architectures: every local minimum of a smooth convex loss is global",
    source=Source(PAPER, "theorem: filling + convex ⇒ no bad minima", "§ smooth convex losses",
                  ("SRC", "REC")),
    statement=("If d is filling and ℓ is smooth and convex, every local minimum θ of L = ℓ ∘ μ_d is a "
               "global minimum, and μ_d(θ) minimises ℓ on all of R^{d_h×d_0} (also Laurent–von Brecht "
               "2018)."),
    formula="d filling ∧ ℓ smooth convex ∧ θ local min of L ⇒ L(θ) = min_W ℓ(W)",
    hypotheses=("d filling, h = 1…3, d_i ≤ 3",
                "ℓ: ||W − Q||², weighted Σ Λ_ab(W_ab − Q_ab)², pseudo-Huber, log-cosh or ||WX − Y||²",),
    instances=local_minimum_instances(
        widths=linear_widths(min_depth=2, max_depth=3, max_dim=3, filling=True), starts=8),
    claim=L.no_bad_minimum(filling_reference, text="min ℓ over R^{d_h×d_0}"),
    expected="holds",
    kind="theorem",
    target=gap_target,
    examples_scale=0.3,
    notes=("Same search and certificate as the must-fail claim, under the same budget; the reference is "
           "the unconstrained minimum of the convex ℓ itself, so 'global' is decided against min ℓ, "
           "not against the best point found.  examples_scale = 0.3: each instance is a multistart descent "
           "(8 starts), a Newton-MR polish of the chosen minimum at 30 and 60 digits and its second-order "
           "certificate."),
)


def _nonfilling_alternative(instance: Instance, precision):
    """(a) e = r and W̄ a local minimum of ℓ on M_r°, or (b) e < r and ∇ℓ(W̄) = 0."""
    from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult

    g = instance.evaluation().gradient_decision(precision)
    if g.status != "zero":
        return TierResult(precision.label, UNDECIDED, True, f"θ not decided critical ({g.status})",
                          {"gradient": g.to_dict()})
    view = L.functional_view(instance)
    rdec = view.rank_decision(precision)
    if not rdec.decided:
        return TierResult(precision.label, UNDECIDED, True, "rk W̄ undecided", rdec.to_dict())
    e, r = rdec.rank, view.r
    ev: dict = {"e": e, "r": r, "rank_decision": rdec.to_dict()}
    if e == r:
        t = view.tangent_residual_decision(precision, e)
        R = view.riemannian_inertia(precision, e)
        ev.update({"tangent_residual": t.to_dict(), "riemannian_hessian": R.to_dict(), "case": "a"})
        if t.status == "zero" and R.decided and R.n_neg == 0:
            return TierResult(precision.label, TRUE, True,
                              f"(a): e = r = {r}, W̄ critical on M_r° with Riemannian inertia {R.inertia}", ev)
        holds_a = None if (t.status == "ambiguous" or not R.decided) else False
    else:
        gl = view.gradient_decision(precision)
        ev.update({"functional_gradient": gl.to_dict(), "case": "b"})
        if gl.status == "zero":
            return TierResult(precision.label, TRUE, True, f"(b): e = {e} < r = {r} and ∇ℓ(W̄) = 0", ev)
        holds_a = None if gl.status == "ambiguous" else False
    if holds_a is None:
        return TierResult(precision.label, UNDECIDED, True, "alternative undecided", ev)
    kind, cert = L.certify_local_minimum(instance, precision)
    ev["certificate"] = cert
    if kind == "saddle":
        return TierResult(precision.label, TRUE, True, "θ is a saddle: the premise fails", ev)
    if kind == "minimum":
        return TierResult(precision.label, FALSE, True,
                          f"certified local minimum with e = {e}, r = {r} violating (a) and (b)", ev)
    return TierResult(precision.label, UNDECIDED, True, "local minimality of θ not certified", ev)


NONFILLING_LOCALMIN = Spec(
    id="tkb.thm.nonfilling-localmin",
    title="Non-filling + smooth convex: a local minimum is pure of full rank, or a global minimum",
    source=Source(PAPER, "theorem on local minima for non-filling architectures", "§ smooth convex losses",
                  ("REC", "UNC")),
    statement=("If d is non-filling and ℓ smooth and convex, every local minimum θ of L satisfies "
               "(a) e = r and W̄ is a local minimum of ℓ|M_r° (pure), or (b) e < r and ∇ℓ(W̄) = 0, so θ is a "
               "global minimum.  Hence L has a non-global local minimum iff ℓ|M_r does, on its smooth part."),
    formula="θ local min of L ⇒ (e = r ∧ Π_T ∇ℓ(W̄) = 0 ∧ Hess_{M_r°} ℓ(W̄) ⪰ 0) ∨ (e < r ∧ ∇ℓ(W̄) = 0)",
    hypotheses=("d non-filling, h = 2, 3, d_i ≤ 3", "ℓ from the five convex families; targets of full or "
                "low rank (so that case (b) occurs)", "θ: the worst or the best local minimum a multistart "
                "descent finds, polished"),
    instances=local_minimum_instances(widths=_NONFILLING_SMALL, starts=6,
                                      choose=st.sampled_from(["worst", "best"]),
                                      target_rank=st.sampled_from([None, None, 1])),
    claim=claims.custom("(a) e = r and W̄ local min on M_r°, or (b) e < r and ∇ℓ(W̄) = 0",
                        _nonfilling_alternative),
    expected="holds",
    kind="conjecture",
    examples_scale=0.3,
    notes=("UNC whether TKB state it exactly so; encoded as stated.  The implication is refuted only by a "
           "certified local minimum (Morse–Bott certificate) violating both (a) and (b).  examples_scale = "
           "0.3: each instance is a multistart descent (6 starts), a Newton-MR polish of the chosen minimum "
           "at 30 and 60 digits and its second-order certificate."),
)

OPEN = Spec(
    id="tkb.open",
    title="Open question (dynamics): does gradient descent avoid spurious critical points?",
    source=Source(PAPER, "discussion / open questions", "§ conclusion", ("REC",)),
    statement=("TKB's open questions: (1) pure/spurious for nonlinear networks; (2) how many bad minima a "
               "convex loss can create on a non-filling M_r; (3) does gradient flow avoid spurious and "
               "non-strict saddles (θ = 0 for h ≥ 3, rank-deficient Q_I)?; (4) structured linear "
               "networks.  Checked here, reading (3): the limit of descent from a random start is a pure "
               "critical point."),
    formula="θ* = lim descent(θ_0), θ_0 random ⇒ θ* pure",
    hypotheses=("any architecture, h = 2, 3, d_i ≤ 3", "ℓ from the five convex families",
                "descent: L-BFGS-B from seeded Gaussian starts, limit polished"),
    instances=local_minimum_instances(widths=linear_widths(min_depth=2, max_depth=3, max_dim=3),
                                      starts=6,
                                      choose=st.sampled_from(["worst", "best"]),
                                      target_rank=st.sampled_from([None, None, 1])),
    claim=claims.all_of(claims.is_critical(), L.purity("pure")),
    expected="holds",
    kind="conjecture",
    examples_scale=0.3,
    notes=("Questions (1) and (4) are outside linear networks and not encoded; (2) is explored by "
           "tkb.prop.many-bad-minima (distribution of the number of local minima).  A spurious limit "
           "would be a finding: θ = 0 and the rank-deficient Q_I are spurious saddles, and descent should "
           "not stop there.  examples_scale = 0.3: each instance is a multistart descent (6 starts) whose "
           "limits are polished and classified at 30 digits."),
)
