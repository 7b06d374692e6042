"""Cooper §5.1–5.2: slices π⁻¹(p') over the hidden layers — Prop 5.7, Lemma 5.8, Cor 5.9,
Theorems 5.10 and 5.11.

On a slice the features Φ(p') (last hidden layer on the d inputs) are fixed and
``L = ‖W̃Φ̃ − Yᵀ‖_F²`` is a quadratic in the last layer ``W̃ = [W_ℓ b_ℓ]`` (numerics:
:mod:`critlocus.core.slices`; claims: :mod:`critlocus.claims.slices`).  "For almost every p'"
statements are checked on Monte-Carlo draws (generic p', :func:`critlocus.strategies.generic_arrays`)
with adversarial (Hypothesis-drawn, distinct) inputs.
"""

from __future__ import annotations

import math

import numpy as np

from critlocus import Source, Spec, claims, strategies
from critlocus.claims.slices import _features
from critlocus.core.instance import Instance

from . import PAPER

__all__ = ["COR_5_9", "LEM_5_8", "PROP_5_7", "THM_5_10", "THM_5_11"]

#: σ of [NMH18] (analytic, strictly increasing, bounded) and of [LDS18] (analytic with ≥ d
#: nonvanishing derivatives at 0: tanh, swish)
_ANALYTIC = strategies.activations("tanh", "arctan", "sigmoid", "silu")
_NMH18 = strategies.activations(analytic=True, strictly_increasing=True, bounded=True)


def n_data(instance: Instance) -> int:
    """d"""
    return instance.n_data


def feature_matrix(instance: Instance):
    """Φ(p')"""
    return _features(instance, False)


PROP_5_7 = Spec(
    id="cooper.prop5.7",
    title="L restricted to a slice is a PSD quadratic in the last layer",
    source=Source(PAPER, "Proposition 5.7", "§5.1", ("SRC", "REC", "VER")),
    statement=("For any p' ∈ P', L restricted to the slice π⁻¹(p') is the quadratic polynomial "
               "Σ_j ||W_ℓ φ_j + b_ℓ − y_j||² in (W_ℓ, b_ℓ), whose quadratic part "
               "Q(V, β) = Σ_j ||Vφ_j + β||² is positive semidefinite."),
    formula=("L(p', W_ℓ, b_ℓ) = Σ_j ||W_ℓφ_j + b_ℓ − y_j||²;  ∂³L/∂W̃³ = 0;  "
             "½∂²L/∂W̃² = Id_{n_ℓ} ⊗ Φ̃Φ̃ᵀ ⪰ 0"),
    hypotheses=("fully connected network, depth ℓ ≥ 2 (with or without an output bias)",
                "σ smooth (any: the claim is about the last layer)", "L2 loss", "any p', any data"),
    instances=strategies.slice_instances(max_data=5, max_depth=3, max_outputs=2, max_last_width=5,
                                         output_bias=None, activations=strategies.activations(smooth=True)),
    claim=claims.slice_restriction_is_quadratic(directions=2),
    expected="holds",
    kind="proposition",
    notes=("Three independent checks at each precision on the rebuilt point: the third finite "
           "difference of L along random exact last-layer directions vanishes (a cubic term would "
           "survive), the second difference equals 2Q(v) with Q from the features' own forward "
           "pass, and the exact slice Hessian block (R-operator, not the formula) equals "
           "2·(Id ⊗ Φ̃Φ̃ᵀ) entrywise with no negative eigenvalue.  Slices include exactly dependent "
           "features (duplicated, negated, dead and constant units)."),
)

LEM_5_8 = Spec(
    id="cooper.lem5.8",
    title="rank Φ(p') = d ⇒ every slice-critical point is a global minimum (L = 0)",
    source=Source(PAPER, "Lemma 5.8", "§5.1", ("SRC", "REC")),
    statement=("If p' is such that Φ(p') has full rank d, then every critical point of L restricted "
               "to the slice π⁻¹(p') (and so every critical point of L in it) is a global minimum "
               "with L = 0."),
    formula="rank Φ(p') = d  ⇒  ∀ W̃ ∈ W̃* + K:  L(p', W̃) = 0,  W̃* = Yᵀ Φ̃⁺",
    hypotheses=("last hidden width n_{ℓ−1} ≥ d (so rank Φ = d is possible)", "σ smooth",
                "L2 loss", "distinct inputs"),
    instances=strategies.generic_point_instances(regime="very_wide", wide="last", max_data=5,
                                                 max_depth=3, max_outputs=2),
    claim=claims.slice_critical_points_interpolate(),
    expected="holds",
    kind="lemma",
    notes=("The slice's critical points are the minimisers W̃* + K of the convex quadratic; the "
           "claim decides rank Φ = d, then L = 0 at the minimum-norm W̃* and at W̃* + v for v ∈ K, "
           "each rebuilt at the tier's precision.  p' is generic (Monte-Carlo), inputs adversarial."),
)

COR_5_9 = Spec(
    id="cooper.cor5.9",
    title="L decreases quadratically along the segment to the min-norm interpolating last layer",
    source=Source(PAPER, "Corollary 5.9", "§5.1", ("SRC", "REC", "VER")),
    statement=("With last hidden width ≥ d and U = {p : rank Φ(π(p)) = d}, every p ∈ U with L(p) > 0 "
               "is joined to a global minimum q in its slice by a segment on which L decreases "
               "strictly; indeed L(p + t(q − p)) = (1 − t)² L(p)."),
    formula="rank Φ̃(π(p)) = d, q = (π(p), Yᵀ Φ̃⁺)  ⇒  L(p + t(q − p)) = (1 − t)² L(p), t ∈ [0, 1]",
    hypotheses=("last hidden width n_{ℓ−1} ≥ d", "σ smooth", "L2 loss", "distinct inputs"),
    instances=strategies.generic_point_instances(regime="very_wide", wide="last", max_data=5,
                                                 max_depth=3, max_outputs=2),
    claim=claims.segment_to_interpolation(t_values=(0.25, 0.5, 0.75, 1.0)),
    expected="holds",
    kind="corollary",
    notes=("An exact identity, decided at each precision (t = 1/4, 1/2, 3/4, 1) against τ = κ·n·u·S "
           "with S the size of the loss terms; L(p) > 0 is decided nonzero.  q's last layer is "
           "recomputed from Φ̃ at every precision."),
)


def _sv_summary(checked):
    ratios, mins = [], []
    for inst, _ in checked:
        A = feature_matrix(inst).dense_float64()
        s = np.linalg.svd(A, compute_uv=False)
        if s.size and s[0] > 0:
            ratios.append(math.log10(max(s[-1] / s[0], 1e-300)))
            mins.append(float(s[-1]))
    if not ratios:
        return {}
    qs = np.quantile(ratios, [0.0, 0.1, 0.5, 0.9, 1.0])
    decided = {}
    for _, outcome in checked:
        decided[outcome.precision] = decided.get(outcome.precision, 0) + 1
    return {
        "tables": [{
            "title": "σ_min(Φ)/σ_max(Φ) over the Monte-Carlo draws (log10)",
            "columns": ["min", "10%", "median", "90%", "max", "draws", "rank-deficient"],
            "rows": [[*(round(float(q), 2) for q in qs), len(ratios), 0]],
        }],
        "series": [{"title": "sorted log10 σ_min/σ_max of Φ", "x_label": "draw (sorted)",
                    "y_label": "log10 σ_min/σ_max", "x": list(range(len(ratios))),
                    "lines": {"log10 σ_min/σ_max": sorted(ratios)}, "log_y": False}],
        "notes": [f"smallest σ_min(Φ) = {min(mins):.3e}; ranks decided at {decided}"],
    }


THM_5_10 = Spec(
    id="cooper.thm5.10",
    title="Rank deficiency of Φ has measure zero ([NMH18], [LDS18])",
    source=Source(PAPER, "Theorem 5.10 ([NMH18])", "§5.2", ("SRC",)),
    statement=("For distinct inputs and σ analytic, strictly increasing and bounded ([NMH18]; or analytic "
               "with enough nonvanishing derivatives at 0, [LDS18]), the set of p' with rank Φ(p') < d "
               "has measure zero when the last hidden width is ≥ d."),
    formula="n_{ℓ−1} ≥ d, x_j distinct  ⇒  rank Φ(p') = d for almost every p'",
    hypotheses=("last hidden width n_{ℓ−1} ≥ d", "σ analytic and non-polynomial: tanh, arctan, sigmoid "
                "([NMH18]), tanh, silu ([LDS18])", "distinct inputs"),
    instances=strategies.generic_point_instances(regime="very_wide", wide="last", max_data=6,
                                                 max_depth=3, max_outputs=1, activations=_ANALYTIC),
    claim=claims.matrix_rank(feature_matrix, n_data, name="Φ(p')"),
    expected="holds",
    kind="theorem",
    summarize=_sv_summary,
    notes=("Monte-Carlo: p' drawn from a Gaussian (seed chosen by Hypothesis), so a measure-zero set "
           "is missed with probability one; inputs are Hypothesis's (distinct, clustered on purpose). "
           "Each rank is decided (float64 when the smallest singular value clears the band, else at "
           "30/60 digits); the report gives the distribution of σ_min/σ_max.  Polynomial σ are "
           "outside the hypotheses (identity: rank Φ ≤ n_0 + 1)."),
)

def _success_rate(checked):
    ok = sum(outcome.verdict.value == "holds" for _, outcome in checked)
    return {"tables": [{"title": "Segment construction from random p (Theorem 5.11)",
                        "columns": ["draws", "succeeded", "rate"],
                        "rows": [[len(checked), ok, f"{100.0 * ok / max(len(checked), 1):.0f} %"]]}]}


THM_5_11 = Spec(
    id="cooper.thm5.11",
    title="Almost every p with L > 0 is joined to a global minimum by a segment of strict descent",
    source=Source(PAPER, "Theorem 5.11", "§5.2", ("SRC",)),
    statement=("For σ analytic, strictly increasing and bounded, every hidden width > d and distinct "
               "inputs, there is a null set Z such that every p ∉ Z with L(p) > 0 is joined to a global "
               "minimum by a line segment along which L strictly decreases (5.9 + 5.10)."),
    formula="p generic, L(p) > 0  ⇒  L(p + t(q − p)) = (1 − t)² L(p), q ∈ M in p's slice",
    hypotheses=("every hidden width n_k > d", "σ analytic, strictly increasing, bounded (tanh, arctan, "
                "sigmoid)", "L2 loss", "distinct inputs"),
    instances=strategies.generic_point_instances(regime="very_wide", wide="all", min_excess=1,
                                                 max_data=4, max_depth=3, max_outputs=2,
                                                 activations=_NMH18),
    claim=claims.segment_to_interpolation(t_values=(0.5, 1.0)),
    expected="holds",
    kind="theorem",
    summarize=_success_rate,
    notes=("Monte-Carlo over p (generic draws); the construction of Cor 5.9 must succeed on 100 % of "
           "them: rank Φ̃ = d decided, L(p) > 0 decided, and the identity L(p + t(q−p)) = (1−t)²L(p) "
           "decided at t = 1/2 and 1 (so L(q) = 0)."),
)
