"""TKB — smooth convex losses: no bad minima when filling; bad minima can appear when not.

The search (:func:`critlocus.strategies.linear.local_minimum_instances`): Hypothesis draws an
architecture and a smooth convex loss (weights Λ, targets Q, …); multistart descent, seeded by
the problem, finds the local minima; the instance's point is the *worst* one, polished at every
precision.  A claim "no bad minima" fails only when that point is decided critical, certified a
local minimum (``Hess L ⪰ 0`` with its kernel exactly the tangent space of the fibre of μ_d) and
its loss is decided above a point the same search found.
"""

from __future__ import annotations

import numpy as np

from critlocus import Source, Spec, claims
from critlocus.core.instance import Instance
from critlocus.core.linear import weighted_frobenius_problem
from critlocus.strategies.linear import linear_widths, local_minimum_instances, search_instance

from . import PAPER

L = claims.linear

#: The catalogue's instance (tkb.ex.weighted-bad-min): d = (2, 1, 2), bad minimum 0.680568.
CATALOGUE_LAMBDA = [[0.47, 0.89], [0.32, 0.03]]
CATALOGUE_Q = [[-0.86, 0.62], [-1.76, -1.03]]


def catalogue_instance() -> Instance:
    """The catalogue's weighted instance with the worst local minimum the search finds."""
    problem = weighted_frobenius_problem((2, 1, 2), CATALOGUE_LAMBDA, CATALOGUE_Q)
    inst = search_instance(problem, {"family": "weighted", "Lambda": CATALOGUE_LAMBDA, "Q": CATALOGUE_Q})
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
    instances=local_minimum_instances(widths=_NONFILLING_SMALL, families=("weighted",), starts=8),
    claim=L.no_bad_minimum(),
    expected="fails",
    kind="false-variant",
    target=gap_target,
    examples_scale=0.5,
    notes=("The framework's own search over (d, Λ, Q) finds a weighted loss with two local-minimum "
           "values; the worse one is polished to a critical point at 30 and 60 digits, certified a local "
           "minimum (n₋ = 0, n₀ = d_θ − dim M_r: the zero eigenvalues are exactly the fibre's tangent "
           "directions, a Morse–Bott minimum) and its loss is decided above the best minimum found. "
           "The catalogue's instance (Λ = [[0.47, 0.89], [0.32, 0.03]], Q = [[−0.86, 0.62], "
           "[−1.76, −1.03]]; bad minimum 0.680568 vs global 0.128261) is tkb.ex.weighted-bad-min."),
)


def filling_reference(instance: Instance, precision):
    """min ℓ over all of R^{d_h×d_0} (the one-layer problem's minimum, polished at this precision)."""
    from critlocus.core.linear import functional_problem
    from critlocus.core.linear_search import PolishedPoint, descend

    cache = instance.__dict__.setdefault("_functional_minimum", {})
    fp = functional_problem(instance.problem)
    if "point" not in cache:
        cache["point"] = PolishedPoint(fp, descend(fp, np.zeros(fp.n_params)), n_zero=0)
    flat = cache["point"].flat()
    from critlocus.core.highprec import MPLandscape

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
    examples_scale=0.5,
    notes=("Same search and certificate as the must-fail claim, under the same budget; the reference is "
           "the unconstrained minimum of the convex ℓ itself, so 'global' is decided against min ℓ, "
           "not against the best point found."),
)
