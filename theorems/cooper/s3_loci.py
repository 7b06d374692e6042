"""Cooper §3.1: the star and core loci (eq. 3.1), Theorems 3.1 and 3.2, Lemma 3.3.

One spec per result; the id is the catalogue id.  Notation (§2): depth ℓ, widths
``n_0 … n_ℓ``, N parameters, d data points, L2 loss ``L(p) = Σ_j ||f_p(x_j) − y_j||²`` (no
1/d), σ smooth with σ(0) = 0.  Loci are built by :mod:`critlocus.strategies.loci`:

    S_I = { W_i = 0 (i ∈ I);  b_{min I} = … = b_{ℓ−1} = 0;  W_ℓ = 0;  b_ℓ = ȳ },

``C_k = ∪_{|I|=k} S_I``, star locus ``S = C_1``, core ``C = C_2``; generalised loci
``S_I^gen = {W_i = 0 (i ∈ I), W_ℓ = 0, b_ℓ = ȳ}``.  The saddle structure off and on the core
(catalogue corollaries) is in :mod:`.s3_saddles`.
"""

from __future__ import annotations

import mpmath
from hypothesis import strategies as st

from critlocus import Source, Spec, claims, strategies
from critlocus.core.decisions import AMBIGUOUS, NONZERO, as_float, decide_zero
from critlocus.core.instance import Instance
from critlocus.core.precision import Precision
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult

from . import PAPER

_HYPOTHESES = (
    "fully connected network of depth ℓ ≥ 3, any widths, any number of outputs n_ℓ",
    "σ smooth (C^∞) with σ(0) = 0",
    "L2 loss L(p) = Σ_j ||f_p(x_j) − y_j||² (no 1/d)",
    "any data with distinct inputs",
)


def n_outputs(instance: Instance) -> int:
    """n_ℓ"""
    return instance.n_out


def n_zero_at_core(instance: Instance) -> int:
    """N − n_ℓ"""
    return instance.n_params - instance.n_out


def two_d(instance: Instance) -> float:
    """2d"""
    return 2.0 * instance.n_data


DEF_STAR_CORE = Spec(
    id="cooper.def.star-core",
    title="Star and core loci: equations, nesting, affine subspaces through the centre, dimensions",
    source=Source(PAPER, "Definition (eq. 3.1)", "§3.1.1", ("SRC", "REC", "VER", "UNC")),
    statement=("S_I is cut out by coordinate equations: each drawn point satisfies them exactly and "
               "those of every S_J with ∅ ≠ J ⊂ I (so C_1 ⊇ C_2 ⊇ …); S_I is an affine subspace "
               "through the centre point (0, …, 0, b_ℓ = ȳ); its dimension is the same by the exact "
               "formula, by counting the construction's free coordinates and as N − rank J (J the "
               "Jacobian of the defining equations); under both readings of the index range S is "
               "positive-dimensional iff ℓ ≥ 3 and C iff ℓ ≥ 4."),
    formula=("dim S_I = N − Σ_{i∈I} n_i n_{i−1} − Σ_{k=min I}^{ℓ−1} n_k − n_ℓ n_{ℓ−1} − n_ℓ "
             "= #free = N − rank ∂E_I/∂θ;  S_I ⊆ S_J (J ⊆ I);  centre ∈ S_I"),
    hypotheses=("fully connected network of depth ℓ ≥ 2 with biases", "index range 1..ℓ−1 or 2..ℓ−1",
                "any data"),
    instances=st.one_of(
        strategies.star_locus_instances(min_depth=2, max_depth=6, max_width=6, max_outputs=3,
                                        max_data=4, min_index=1),
        strategies.star_locus_instances(min_depth=3, max_depth=6, max_width=6, max_outputs=3,
                                        max_data=4, min_index=2),
    ),
    claim=claims.locus_construction(),
    expected="holds",
    kind="definition",
    notes=("Index range UNC: instances are drawn under both readings (1 ≤ i ≤ ℓ−1 and 2 ≤ i ≤ ℓ−1; "
           "info.reading) and each instance's evidence records dim S and dim C under both.  Depth 2 is "
           "included (S_1 is then the centre point alone).  The equations are decided at the "
           "precision the point is rebuilt at (b_ℓ = ȳ at 30 digits, not fl(ȳ)); the dimension "
           "counts are exact integers (the Jacobian of coordinate equations has signed unit rows)."),
)


THM_3_1 = Spec(
    id="cooper.thm3.1",
    certify=True,
    title="Star points are critical",
    source=Source(PAPER, "Theorem 3.1", "§3.1.1", ("SRC", "REC", "VER")),
    statement="Every point of the star locus S = ∪_i S_i is a critical point of L.",
    formula="p ∈ S_I = {W_i = 0 (i ∈ I), b_{min I} = … = b_{ℓ−1} = 0, W_ℓ = 0, b_ℓ = ȳ}  ⇒  ∇L(p) = 0",
    hypotheses=_HYPOTHESES,
    instances=strategies.star_locus_instances(min_depth=2, max_depth=6, max_width=12, max_outputs=3),
    claim=claims.is_critical(),
    expected="holds",
    kind="theorem",
    notes=("Index range read as 1 ≤ i ≤ ℓ−1 (UNC: the paper may exclude i = 1; both readings "
           "share the theorem).  W_ℓ = 0 kills every derivative outside the last layer, "
           "∂f/∂W_ℓ = σ(h_{ℓ−1}) = σ(0) = 0, and ∂L/∂b_ℓ = 2Σ_j(ȳ − y_j) = 0.  Depth ℓ ≥ 2 is "
           "drawn (the paper needs ℓ ≥ 3 for S to be positive-dimensional; at ℓ = 2, S_1 is the "
           "centre point, still critical)."),
)

THM_3_1_GENERALISED = Spec(
    id="cooper.thm3.1.generalised",
    certify=True,
    title="Generalised star loci are critical (no bias conditions, any smooth σ)",
    source=Source(PAPER, "Theorem 3.1 (generalisation)", "§3.1.1", ("REC", "VER")),
    statement=("Every point of S_I^gen = {W_i = 0 (i ∈ I), W_ℓ = 0, b_ℓ = ȳ} is a critical point of L, "
               "with every other weight and bias free, for any smooth σ — σ(0) ≠ 0 allowed (sigmoid) — "
               "and with or without hidden biases."),
    formula="W_i = 0, W_ℓ = 0, b_ℓ = ȳ  ⇒  ∇L(p) = 0",
    hypotheses=("fully connected network of depth ℓ ≥ 2 with an output bias; hidden biases optional",
                "σ smooth (any value at 0)", "L2 loss", "any data"),
    instances=strategies.generalised_locus_instances(min_depth=2, max_depth=5, max_width=8, max_outputs=3),
    claim=claims.is_critical(),
    expected="holds",
    kind="theorem",
    notes=("Catalogue stretch (REC+VER).  Proof: W_i = 0 makes h_i = b_i, hence a_{ℓ−1} = c constant "
           "over the data; W_ℓ = 0 kills every derivative of f outside layer ℓ; "
           "∂L/∂W_ℓ = 2Σ_j(ȳ − y_j)cᵀ = 0 and ∂L/∂b_ℓ = 2Σ_j(ȳ − y_j) = 0.  Neither σ(0) = 0 nor the "
           "bias equations are used."),
)

THM_3_2 = Spec(
    id="cooper.thm3.2",
    certify=True,
    title="Core points are degenerate critical points with Hess L = 2d·Id on b_ℓ",
    source=Source(PAPER, "Theorem 3.2", "§3.1.1", ("SRC", "REC", "VER")),
    statement=("Every point of the core locus C = ∪_{|I|=2} S_I is a degenerate critical point: "
               "Hess L(p) is 2d·Id on the b_ℓ block and 0 elsewhere, so it has n_ℓ positive "
               "eigenvalues, all equal to 2d, and N − n_ℓ zero eigenvalues."),
    formula="p ∈ C  ⇒  ∇L(p) = 0,  inertia Hess L(p) = (n_ℓ, 0, N − n_ℓ),  λ₊ = 2d",
    hypotheses=_HYPOTHESES,
    instances=strategies.core_locus_instances(min_depth=3, max_depth=6, max_width=12, max_outputs=3),
    claim=claims.all_of(
        claims.is_critical(),
        claims.hessian_inertia(positive=n_outputs, negative=0, zero=n_zero_at_core),
        claims.positive_eigenvalues_equal(two_d, text="2d"),
    ),
    expected="holds",
    kind="theorem",
    notes=("Vector-output form (REC+VER): n_ℓ eigenvalues 2d.  The paper states one positive "
           "eigenvalue (its §6 takes n_ℓ = 1); the literal reading is cooper.thm3.2.literal, refuted "
           "for n_ℓ > 1.  Cores are k-cores with |I| ≥ 2."),
)

def generalised_core_eigenvalue(instance: Instance, precision: Precision) -> tuple[object, float]:
    """2d(1 + ||c||²), c = σ(h_{ℓ−1}) (constant over the data on a generalised core), at ``precision``."""
    lv = claims.layer_values(instance.problem, claims.point_at(instance, precision), precision)
    c = lv[0]["a"][instance.problem.architecture.depth - 1]
    with mpmath.workdps(max(precision.dps, 15)):
        sq = mpmath.fsum(mpmath.mpf(x) ** 2 for x in c)
        return 2 * instance.n_data * (1 + sq), 2.0 * instance.n_data * (1 + float(sq))


def _eigenvalues_at_generalised_core(instance: Instance, precision: Precision) -> TierResult:
    dec = instance.evaluation().spectrum(precision)
    if not dec.decided:
        return TierResult(precision.label, UNDECIDED, True, "spectrum not separated", dec.to_dict())
    target, size = generalised_core_eigenvalue(instance, precision)
    scale = instance.evaluation().hessian_scale() + size
    with mpmath.workdps(max(precision.dps, 15)):
        decisions = [decide_zero(v - target, precision, n=instance.n_params, scale=scale,
                                 quantity="λ − 2d(1+||c||²)") for v in dec.nonzero_eigenvalues if v > 0]
    status = (FALSE if any(d.status == NONZERO for d in decisions) else
              UNDECIDED if any(d.status == AMBIGUOUS for d in decisions) else TRUE)
    worst = max((d.value for d in decisions), default=0.0)
    return TierResult(precision.label, status, True,
                      f"{len(decisions)} positive eigenvalues, max |λ − 2d(1+||c||²)| = {worst:.2e}",
                      {"target": as_float(target), "deviations": [d.to_dict() for d in decisions],
                       "margin": min((d.margin for d in decisions), default=float("inf"))})


THM_3_2_GENERALISED = Spec(
    id="cooper.thm3.2.generalised",
    certify=True,
    title="Generalised cores: Hess L has n_ℓ positive eigenvalues 2d(1 + ||c||²), the rest zero",
    source=Source(PAPER, "Theorem 3.2 (generalisation)", "§3.1.1", ("REC", "VER")),
    statement=("On the generalised core {W_{i_1} = W_{i_2} = 0, W_ℓ = 0, b_ℓ = ȳ} (no bias conditions, "
               "any smooth σ) every point is a degenerate critical point whose Hessian has n_ℓ positive "
               "eigenvalues, each 2d(1 + ||c||²) with c = σ(h_{ℓ−1}) constant over the data, and N − n_ℓ "
               "zeros."),
    formula="|I| ≥ 2, p ∈ S_I^gen  ⇒  inertia (n_ℓ, 0, N − n_ℓ),  λ₊ = 2d(1 + ||σ(h_{ℓ−1})||²)",
    hypotheses=("fully connected network of depth ℓ ≥ 3 with an output bias; hidden biases optional",
                "σ smooth (any value at 0)", "L2 loss", "any data"),
    instances=strategies.generalised_locus_instances(min_depth=3, max_depth=5, max_width=5, max_outputs=2,
                                                     max_data=4, min_index_set_size=2),
    claim=claims.all_of(
        claims.is_critical(),
        claims.hessian_inertia(positive=n_outputs, negative=0, zero=n_zero_at_core),
        claims.custom("every positive eigenvalue equals 2d(1 + ||c||²)", _eigenvalues_at_generalised_core),
    ),
    expected="holds",
    kind="theorem",
    notes=("Catalogue REC+VER (under cooper.thm3.2).  On the last layer Hess L = 2d·[c;1][c;1]ᵀ ⊗ Id_{n_ℓ}; "
           "every other second derivative vanishes because the two zero layers make every derivative "
           "of a_{ℓ−1} constant over the data, and Σ_j(ȳ − y_j) = 0.  The target 2d(1 + ||c||²) is "
           "recomputed at each precision from the rebuilt point (c is irrational for tanh, sigmoid…).  "
           "With σ(0) = 0 and zero biases it reduces to Theorem 3.2 (c = 0)."),
)


THM_3_2_LITERAL = Spec(
    id="cooper.thm3.2.literal",
    certify=True,
    title="Literal Theorem 3.2: exactly one positive eigenvalue at core points (false for n_ℓ > 1)",
    source=Source(PAPER, "Theorem 3.2 (literal)", "§3.1.1", ("SRC",)),
    statement=("Literal reading of Theorem 3.2 for every output dimension: at every core point the "
               "Hessian has exactly one positive eigenvalue and all others vanish."),
    formula="p ∈ C  ⇒  inertia Hess L(p) = (1, 0, N − 1)",
    hypotheses=_HYPOTHESES,
    instances=strategies.core_locus_instances(min_depth=3, max_depth=5, max_width=6, max_outputs=3),
    claim=claims.hessian_inertia(positive=1, negative=0),
    expected="fails",
    kind="literal",
    notes=("Expected to fail: Hess L = 2d·Id_{n_ℓ} on b_ℓ, so there are n_ℓ positive eigenvalues.  "
           "The search draws n_ℓ ∈ {1, 2, 3}; any n_ℓ ≥ 2 refutes, and Hypothesis shrinks the "
           "counterexample to the smallest such network (widths 1-1-1-2, one data point).  The "
           "paper's statement is correct for n_ℓ = 1 (its setting from §4 on)."),
)


LEM_3_3 = Spec(
    id="cooper.lem3.3",
    title="At W_ℓ = 0 every derivative of f not involving W_ℓ vanishes, except ∂f/∂b_ℓ = Id",
    source=Source(PAPER, "Lemma 3.3", "§3.1.2", ("SRC", "REC")),
    statement=("At any point with W_ℓ = 0, every partial derivative of the network output f, of any "
               "order, that involves no W_ℓ-coordinate vanishes — the only exception is ∂f/∂b_ℓ = Id."),
    formula="W_ℓ = 0  ⇒  ∂^k f/∂θ_{a_1}⋯∂θ_{a_k} = 0 (θ_a ∉ W_ℓ, 1 ≤ k ≤ 3) except ∂f/∂b_ℓ = Id_{n_ℓ}",
    hypotheses=("fully connected network of depth ℓ ≥ 2", "σ smooth (σ(0) = 0 not needed)",
                "any point with W_ℓ = 0 (b_ℓ and every other block free)", "any data"),
    instances=strategies.with_random_direction(
        strategies.last_layer_zero_instances(min_depth=2, max_depth=5, max_width=5, max_outputs=2,
                                             max_data=3),
        support="all-but-last-weight"),
    claim=claims.output_derivatives_vanish(order=3),
    expected="holds",
    kind="lemma",
    examples_scale=0.5,
    notes=("Orders 1..3 (the catalogue's check), exact derivatives: Taylor coefficients of f(x_j) along "
           "a random direction v with v_{W_ℓ} = 0 (a nonzero symmetric form is nonzero at a generic v), "
           "and at high precision three mixed coordinate partials (∂f/∂θ_a, ∂²f/∂θ_a∂θ_b, "
           "∂³f/∂θ_a∂θ_b∂θ_c, θ_a ∈ b_ℓ) by polarization of Taylor-mode jets; float64 by nested "
           "torch.func.jvp.  Holds for any smooth σ: f = W_ℓ a_{ℓ−1} + b_ℓ.  examples_scale 0.5: "
           "each instance runs 1 + 2 + 2 + 4 Taylor propagations at 30 digits."),
)
