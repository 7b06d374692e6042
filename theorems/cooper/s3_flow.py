"""Cooper §3.1 (definitions of critical, degenerate, order-k critical points) and §3.2
(attracting critical loci: Definition 3.4 and the example ``x³ + y³``).

Definitions are checked on explicit polynomials with planted properties, decided exactly
(:mod:`critlocus.claims.functions`), and on network losses with polynomial activations expanded
exactly as jets; gradient-flow statements on generated landscapes with sampled starts
(:mod:`critlocus.core.flow`, :mod:`critlocus.claims.flow`).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from critlocus import Source, Spec, claims, strategies
from critlocus.core.architecture import Architecture
from critlocus.core.data import Dataset
from critlocus.core.explicit import FunctionInstance
from critlocus.core.flow import Box, FlowInstance, FlowSettings, PointTarget, PolynomialField, SubspaceTarget
from critlocus.core.functions import Polynomial
from critlocus.core.instance import Instance
from critlocus.core.losses import squared_error
from critlocus.core.network import Network, Problem
from critlocus.core.points import Given, PointRecipe

from . import PAPER

_x, _y = Polynomial.variables(2)


# -- cooper.def.critical -------------------------------------------------------------------------------

def planted_order(instance):
    """the planted order k"""
    p = instance.info["planted"]
    return p["order"] if p.get("order") is not None else claims.at_least(int(instance.info["depth"]))


def planted_critical(instance) -> bool:
    return bool(instance.info["planted"]["critical"])


def _planted_inertia(k: int):
    def count(instance):
        p = instance.info["planted"]
        if "inertia" in p:
            return p["inertia"][k]
        if p.get("hessian_zero"):
            return instance.n_params if k == 2 else 0
        return claims.at_least(0)
    count.__doc__ = ("n₊", "n₋", "n₀")[k] + " as planted"
    return count


def _bias_free_origin_example() -> FunctionInstance:
    arch = Architecture((1, 1, 1, 1), bias=(False,) * 3)
    data = Dataset(np.array([[1.0]]), np.array([[1.0]]))
    problem = Problem(Network(arch, "identity"), squared_error(), data)
    recipe = PointRecipe(arch, {b.name: Given(np.zeros(b.shape)) for b in arch.layout.blocks})
    inst = Instance(problem, recipe, label="θ = 0 of f = w₃w₂w₁x, data (1, 1)")
    jet = FunctionInstance.from_network(inst, jet_degree=4)
    return FunctionInstance(jet.function, jet.point, label=jet.label, jet_degree=4, source=inst,
                            info={**jet.info, "depth": 3, "planted": {"critical": True, "order": 2,
                                                                      "hessian_zero": True}})


DEF_CRITICAL = Spec(
    id="cooper.def.critical",
    title="Critical, degenerate, and critical of order k",
    source=Source(PAPER, "definitions in §3.1", "§3.1", ("SRC",)),
    statement=("p is critical if every first partial derivative of L vanishes at p; degenerate if it is "
               "critical and det Hess L(p) = 0; critical of order k if every partial derivative of order "
               "1…k vanishes at p — so a critical point with zero Hessian has order ≥ 2."),
    formula="∇f(p) = 0;  degenerate ⇔ ∇f(p) = 0 ∧ det Hess f(p) = 0;  order ≥ k ⇔ ∂^β f(p) = 0 ∀ 1 ≤ |β| ≤ k",
    hypotheses=("explicit polynomials with a planted order of criticality at a rational point",
                "network losses with polynomial σ (identity, x + x³) as exact jets: bias-free networks at "
                "θ = 0 (planted order ℓ − 1 when YᵀX ≠ 0) and points of the core locus (order 1)"),
    instances=st.one_of(strategies.planted_critical_points(max_vars=3, max_order=3),
                        strategies.network_jets(kind="bias-free-origin", max_depth=4),
                        strategies.network_jets(kind="core", max_width=2)),
    claim=claims.all_of(
        claims.critical_order(planted_order),
        claims.definitions_consistent(),
        claims.gradient_vanishes(planted_critical),
        claims.hessian_inertia(positive=_planted_inertia(0), negative=_planted_inertia(1),
                               zero=_planted_inertia(2)),
        claims.on_source(claims.hessian_inertia(positive=_planted_inertia(0), negative=_planted_inertia(1),
                                                zero=_planted_inertia(2))),
    ),
    expected="holds",
    kind="definition",
    examples=(FunctionInstance(_x**3 + _y**3, (0, 0), label="x³ + y³ at 0",
                               info={"planted": {"critical": True, "order": 2, "inertia": [0, 0, 2]}}),
              FunctionInstance(_x**2 - _y**2, (0, 0), label="x² − y² at 0",
                               info={"planted": {"critical": True, "order": 1, "inertia": [1, 1, 0]}}),
              _bias_free_origin_example()),
    notes=("Exact: gradients, Hessians, determinants (Bareiss), inertia (symmetric elimination) and orders "
           "(lowest degree of f(p + h) − f(p), cross-checked by enumerating the partial derivatives) are "
           "rational computations; the ladder claims (float64, then exact) and, for networks, the network's "
           "own float64/mpmath evaluator must agree with them."),
)


# -- cooper.def3.4 --------------------------------------------------------------------------------------

def _flow_example(f: Polynomial, box: Box, target, t_max: float, label: str, n: int = 12) -> FlowInstance:
    return FlowInstance(PolynomialField(f), box, target, n, FlowSettings(scale=box.scale, t_max=t_max),
                        label=label, seed=0)


DEF_3_4 = Spec(
    id="cooper.def3.4",
    title="Attracting critical loci: a set of critical points attracting a positive-measure set",
    source=Source(PAPER, "Definition 3.4 and the example after it", "§3.2", ("SRC", "REC")),
    statement=("A locus Z of critical points is attracting if gradient flow from every point of some "
               "positive-measure set U converges to a point of Z.  Example: for f(x, y) = y² the x-axis is "
               "attracting although no single point of it is (each attracts only a vertical line)."),
    formula=("∃ U, |U| > 0: ∀ x₀ ∈ U, lim_{t→∞} φ_t(x₀) ∈ Z;  "
             "f = Σ_i (c_i + Σ_j b_ij x_j²) y_i²,  Z = {y = 0}"),
    hypotheses=("c_i > 0, b_ij ≥ 0 rational; starts uniform in [−R, R]ⁿ",),
    instances=strategies.attracting_subspace_flows(max_x=2, max_y=2, n_starts=12),
    claim=claims.all_of(claims.critical_on_target(), claims.attracting(), claims.limits_distinct()),
    expected="holds",
    kind="definition",
    examples=(_flow_example(_y**2, Box((-1.0, -1.0), (1.0, 1.0)),
                            SubspaceTarget(((1, 0.0),), level=0.0, name="the x-axis"), 200.0,
                            "f = y², Z = x-axis"),),
    examples_scale=0.2,
    notes=("Each start's limit is (x₀ + drift, 0): the limits are pairwise distinct, so no point of Z "
           "attracts two of the sampled starts, while every start converges to Z.  Flow verdicts are "
           "numerical (LSODA, exact Jacobian); examples_scale = 0.2 because every instance integrates 12 "
           "trajectories."),
)


# -- cooper.ex.attracting-degenerate --------------------------------------------------------------------

EX_ATTRACTING_DEGENERATE = Spec(
    id="cooper.ex.attracting-degenerate",
    title="x³ + y³: a degenerate critical point that attracts a quadrant",
    source=Source(PAPER, "example in §3.2", "§3.2", ("SRC", "REC")),
    statement=("For f(x, y) = x³ + y³ the origin is the only critical point, Hess f(0) = 0, f takes negative "
               "values arbitrarily close to 0, and every start in [0, ∞)² flows to 0 — a degenerate saddle "
               "can be an attracting critical point."),
    formula=("f = Σ_i a_i x_i^{m_i} (a_i > 0, m_i odd ≥ 3): Crit f = {0}, order(0) = min m_i − 1 ≥ 2, "
             "f(−t e_i) < 0, φ_t(x₀) → 0 for x₀ ∈ [0, R]ⁿ"),
    hypotheses=("a_i > 0 rational, m_i ∈ {3, 5}; starts uniform in [0, R]ⁿ",),
    instances=strategies.degenerate_attracting_flows(max_vars=3, n_starts=8),
    claim=claims.all_of(
        claims.unique_critical_point(),
        claims.at_target(claims.critical_order(claims.at_least(2))),
        claims.at_target(claims.hessian_inertia(positive=0, negative=0, zero=lambda inst: inst.n_params)),
        claims.descent_direction_at(),
        claims.converges_from_everywhere(),
    ),
    expected="holds",
    kind="example",
    examples=(_flow_example(_x**3 + _y**3, Box((0.0, 0.0), (1.0, 1.0)), PointTarget((0.0, 0.0), level=0.0,
                                                                                       name="origin"),
                            1e18, "f = x³ + y³ on [0, 1]²", n=8),),
    examples_scale=0.1,
    notes=("Coordinates decay algebraically, x(t) = (x₀^{2−m} + a·m(m−2)t)^{1/(2−m)}: the stiff solver "
           "reaches the convergence radius at t ≈ 10⁷ (m = 3) to 10²² (m = 5) in a few hundred steps.  "
           "examples_scale = 0.1: each instance integrates 8 slow trajectories (twice, to check they stay)."),
)

