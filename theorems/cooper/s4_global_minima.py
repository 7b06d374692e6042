"""Cooper §4.1 (quoting [Coo18]): the locus of global minima M = L⁻¹(0).

Setting: N parameters, smooth σ, L2 loss, d distinct inputs, ``N > d·n_ℓ``.  For generic data
M is empty or a smooth submanifold of dimension ``N − d·n_ℓ``; at each ``p ∈ M``
``Hess L(p) = 2JᵀJ`` with ``rank J = d·n_ℓ``, so the inertia is ``(d·n_ℓ, 0, N − d·n_ℓ)``.

Points of M are constructions rebuilt at every precision
(:mod:`critlocus.strategies.minima`): for realizable targets ``y = fl(f_{p*}(x))`` a
Gauss–Newton projection from p* onto M (any over-parameterized architecture, mild regime
included), and for last hidden width ≥ d the minimum-norm interpolating last layer on a
generic p'.  A float64 point of M has zero eigenvalues of size ~√L ≈ 1e-16 (the guide's
warning); rebuilt at 30 digits they are ~1e-31 and decided.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import strategies as st

from critlocus import Source, Spec, claims, strategies
from critlocus.core.instance import Instance
from critlocus.strategies.architectures import regime_of

from . import PAPER

__all__ = ["THM_COO18"]


def d_n_out(instance: Instance) -> int:
    """d·n_ℓ"""
    return instance.n_data * instance.n_out


def n_minus_d_n_out(instance: Instance) -> int:
    """N − d·n_ℓ"""
    return instance.n_params - instance.n_data * instance.n_out


def _summary(checked):
    by_regime: Counter = Counter()
    decided_at: Counter = Counter()
    rows = {}
    for inst, outcome in checked:
        regime = regime_of(inst.problem.architecture, inst.n_data)
        by_regime[regime] += 1
        decided_at[outcome.precision or "none"] += 1
        key = (regime, inst.info.get("point_kind", ""))
        r = rows.setdefault(key, {"n": 0, "max_N": 0, "max_dn": 0, "max_zero": 0})
        r["n"] += 1
        r["max_N"] = max(r["max_N"], inst.n_params)
        r["max_dn"] = max(r["max_dn"], d_n_out(inst))
        r["max_zero"] = max(r["max_zero"], n_minus_d_n_out(inst))
    return {
        "tables": [{
            "title": "Points of M checked, by regime and construction",
            "columns": ["regime", "construction", "instances", "largest N", "largest d·n_ℓ",
                        "largest N − d·n_ℓ (zero eigenvalues)"],
            "rows": [[k[0], k[1], v["n"], v["max_N"], v["max_dn"], v["max_zero"]]
                     for k, v in sorted(rows.items())],
        }],
        "notes": ["decided at: " + ", ".join(f"{p}: {n}" for p, n in sorted(decided_at.items()))],
    }


THM_COO18 = Spec(
    id="cooper.thm.coo18",
    certify=True,
    title="M = L⁻¹(0) is smooth of dimension N − d·n_ℓ; Hess L = 2JᵀJ has inertia (d·n_ℓ, 0, N − d·n_ℓ)",
    source=Source(PAPER, "Theorem (§4.1, quoting [Coo18])", "§4.1", ("SRC", "SRC-F", "VER")),
    statement=("For an over-parameterized network (N > d·n_ℓ), smooth σ, L2 loss and generic data, "
               "M = L⁻¹(0) is empty or a smooth submanifold of dimension N − d·n_ℓ: at every p ∈ M "
               "the output Jacobian J has rank d·n_ℓ and Hess L(p) = 2JᵀJ has d·n_ℓ positive and "
               "N − d·n_ℓ zero eigenvalues."),
    formula="p ∈ M  ⇒  ∇L(p) = 0,  rank J(p) = d·n_ℓ,  inertia Hess L(p) = (d·n_ℓ, 0, N − d·n_ℓ)",
    hypotheses=("fully connected network, depth ℓ ≥ 2, N > d·n_ℓ (mildly over-parameterized or wider)",
                "σ smooth, analytic and non-polynomial (tanh, arctan, sigmoid, silu)",
                "L2 loss L(p) = Σ_j ||f_p(x_j) − y_j||²",
                "d distinct inputs; generic data: realizable targets y = f_{p*}(x) for generic p* "
                "(no hidden layer narrower than n_ℓ, through which J could not reach rank d·n_ℓ), or "
                "any targets when the last hidden width is ≥ d"),
    instances=st.one_of(
        strategies.interpolating_instances(regime="mild", max_data=4, max_depth=3, max_outputs=2),
        strategies.interpolating_instances(regime="very_wide", max_data=3, max_depth=2, max_outputs=2),
        strategies.global_minimum_instances(max_data=3, max_depth=2, max_outputs=2),
    ),
    claim=claims.all_of(
        claims.is_critical(),
        claims.matrix_rank(claims.output_jacobian_source, d_n_out, name="J"),
        claims.hessian_inertia(positive=d_n_out, negative=0, zero=n_minus_d_n_out),
    ),
    expected="holds",
    kind="theorem",
    summarize=_summary,
    notes=("Generic data are modelled by realizable targets y = fl(f_{p*}(x)) with generic p*: the "
           "point of M is rebuilt at every precision by Gauss–Newton from p* (float64 evaluates "
           "the rounded point, where zero eigenvalues are ~√L ≈ 1e-16 and escalate), and by the "
           "minimum-norm interpolating last layer when n_{ℓ−1} ≥ d.  Inputs lie on a 1/16 grid: "
           "closer inputs make J so ill-conditioned that the nearest point of M is outside "
           "Newton's basin.  Polynomial σ are excluded (their networks span a finite-dimensional "
           "function space, so rank J < d·n_ℓ for large d and realizable targets are not generic)."),
)
