"""TKB — weighted quadratic distances on ``M_1 ⊂ R^{2×2}``: the catalogue's bad minimum and how many
critical points and local minima such losses have.

Every critical point of ``ℓ|M_1°`` is computed by variable projection over ``b = (cos φ, sin φ)``
(:mod:`critlocus.core.weighted_rank_one`) at each precision, and mapped to parameters of
d = (2, 1, 2): ``W_1 = c·bᵀ``, ``W_2 = a/c`` (c moves θ along the fibre ``GL(1)``).
"""

from __future__ import annotations

from collections import Counter

import mpmath
import numpy as np
from hypothesis import strategies as st

from critlocus import Source, Spec, claims
from critlocus.core.instance import Instance
from critlocus.core.linear import ConstructedPoint, bias_free_architecture, weighted_frobenius_problem
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult
from critlocus.core.weighted_rank_one import rank_one_critical_points
from critlocus.strategies.linear import generic_matrices, zero_point

from . import PAPER
from .s_convex import CATALOGUE_LAMBDA, CATALOGUE_Q

L = claims.linear

#: The catalogue's values (6 decimals) for Λ, Q of tkb.ex.weighted-bad-min, sorted by value.
CATALOGUE_POINTS = (("minimum", 0.128261), ("minimum", 0.680568), ("saddle", 0.692439), ("saddle", 1.349178))
#: The catalogue's balanced-representative Hessian at the bad minimum (2 decimals).
CATALOGUE_BALANCED_SPECTRUM = (0.26, 1.95, 4.61)


def _weights_and_targets(problem) -> tuple[np.ndarray, np.ndarray]:
    """Λ and Q in the paper's orientation from the problem (data x_b = e_b, y_b = Q e_b)."""
    W = np.array(problem.loss.weight_matrix(problem.data.size, problem.architecture.n_out))
    return W.T, problem.data.Y.T


def rank_one_point(widths_problem, k: int, scale) -> ConstructedPoint:
    """θ = (c·bᵀ, a/c) at the k-th critical point (by value) of ℓ|M_1°, rebuilt at every precision;
    ``scale = "balanced"`` takes c = √||a|| (then ||W_1|| = ||W_2||)."""
    problem = widths_problem

    def build(data):
        Lam, Q = _weights_and_targets(problem)
        cp = rank_one_critical_points(Lam, Q)[k]
        a_norm = mpmath.sqrt(mpmath.fsum(v * v for v in cp.a))
        c = mpmath.sqrt(a_norm) if scale == "balanced" else mpmath.mpf(scale)
        W1 = mpmath.matrix([[c * cp.b[0], c * cp.b[1]]])
        W2 = mpmath.matrix([[v / c] for v in cp.a])
        return [W1, W2]

    return ConstructedPoint(bias_free_architecture((2, 1, 2)), build,
                            description=(f"critical point #{k + 1} (by value) of ℓ|M_1°, "
                                         "W_1 = c·bᵀ, W_2 = a/c"),
                            payload={"construction": "rank_one_critical_point", "index_by_value": k,
                                     "fibre_scale": scale})


def _catalogue_instances():
    problem = weighted_frobenius_problem((2, 1, 2), CATALOGUE_LAMBDA, CATALOGUE_Q)
    scales = st.sampled_from([1.0, -1.0, 2.0, -0.5, 0.75, 3.0])

    @st.composite
    def critical(draw):
        k = draw(st.integers(0, 3))
        c = draw(st.one_of(scales, st.just("balanced"))) if k == 1 else draw(scales)
        kind, value = CATALOGUE_POINTS[k]
        return Instance(problem, rank_one_point(problem, k, c).recipe(),
                        label=f"catalogue {kind} #{k + 1}, value {value}",
                        info={"case": "catalogue", "k": k, "kind": kind, "printed_value": value,
                              "balanced": c == "balanced", "Lambda": CATALOGUE_LAMBDA, "Q": CATALOGUE_Q})

    zero = st.just(Instance(problem, zero_point((2, 1, 2)), label="θ = 0 (spurious)",
                            info={"case": "zero", "Lambda": CATALOGUE_LAMBDA, "Q": CATALOGUE_Q}))

    @st.composite
    def control(draw):
        Q = draw(generic_matrices(2, 2))
        p = weighted_frobenius_problem((2, 1, 2), np.ones((2, 2)), Q)
        return Instance(p, rank_one_point(p, 0, draw(scales)).recipe(), label="Λ ≡ 1 control: the minimum",
                        info={"case": "control", "Q": Q.tolist()})

    return st.one_of(critical(), zero, control())


def _printed_value(instance: Instance, precision) -> TierResult:
    """|L(θ) − printed| ≤ 5·10⁻⁷ (the catalogue prints 6 decimals)."""
    view = L.functional_view(instance)
    with mpmath.workdps(precision.dps):
        dev = abs(view.loss_value(precision) - mpmath.mpf(instance.info["printed_value"]))
    half = 5e-7
    slack = 64 * precision.unit_roundoff * (1 + instance.info["printed_value"])
    status = TRUE if dev < half - slack else (FALSE if dev > half + slack else UNDECIDED)
    return TierResult(precision.label, status, False,
                      f"|L − {instance.info['printed_value']}| = {float(dev):.2e} (printed to 6 decimals)",
                      {"deviation": float(dev), "half_unit_of_last_printed_digit": half})


def _balanced_spectrum(instance: Instance, precision) -> TierResult:
    """The balanced bad minimum's nonzero Hessian eigenvalues are {0.26, 1.95, 4.61} to 2 decimals."""
    dec = instance.evaluation().spectrum(precision)
    if not dec.decided:
        return TierResult(precision.label, UNDECIDED, True, "spectrum undecided", dec.to_dict())
    got = sorted(float(v) for v in dec.nonzero_eigenvalues)
    ok = len(got) == 3 and all(abs(a - b) < 0.005 for a, b in zip(got, CATALOGUE_BALANCED_SPECTRUM))
    return TierResult(precision.label, TRUE if ok else FALSE, True,
                      f"nonzero eigenvalues {[round(v, 4) for v in got]}, zeros {dec.n_zero}",
                      {"eigenvalues": got, "printed": list(CATALOGUE_BALANCED_SPECTRUM),
                       "spectrum": dec.to_dict()})


def _control_unique_minimum(instance: Instance, precision) -> TierResult:
    """Λ ≡ 1: exactly one local minimum on M_1°, of value σ_2(Q)² (Eckart–Young)."""
    Lam, Q = _weights_and_targets(instance.problem)
    with mpmath.workdps(precision.dps):
        pts = rank_one_critical_points(Lam, Q)
        minima = [p for p in pts if p.kind == "minimum"]
        sigma = mpmath.svd_r(mpmath.matrix(Q.tolist()), compute_uv=False)
        target = min(sigma) ** 2
        dev = abs(minima[0].value - target) if minima else mpmath.inf
    tau = 64 * precision.unit_roundoff * (1 + float(target))
    status = TRUE if (len(minima) == 1 and dev <= tau) else FALSE
    return TierResult(precision.label, status, True,
                      f"{len(minima)} local minimum(a); value − σ_2(Q)² = {float(dev):.1e}",
                      {"minima": len(minima), "critical_points": len(pts), "threshold": tau})


def _case(name):
    return lambda i: i.info["case"] == name


WEIGHTED_BAD_MIN = Spec(
    id="tkb.ex.weighted-bad-min",
    title="A weighted quadratic loss on d = (2, 1, 2) with a non-global local minimum",
    source=Source(PAPER, "example: weighted loss, non-filling", "§ smooth convex losses",
                  ("SRC", "REC", "VER")),
    statement=("For d = (2, 1, 2) and ℓ(W) = Σ Λ_ab (W_ab − Q_ab)² with Λ = [[0.47, 0.89], [0.32, 0.03]], "
               "Q = [[−0.86, 0.62], [−1.76, −1.03]], L has two local-minimum values, 0.128261 (global) and "
               "0.680568 (bad); the real critical points on M_1 are these 2 minima and 2 saddles (0.692439, "
               "1.349178), plus the spurious θ = 0 (index 2).  At the balanced bad minimum the Hessian has "
               "eigenvalues {0, 0.26, 1.95, 4.61}.  Control: with Λ ≡ 1 there is one minimum value σ_2(Q)²."),
    formula="crit(ℓ|M_1°) = {min 0.128261, min 0.680568, saddle 0.692439, saddle 1.349178};  θ = 0: n₋ = 2",
    hypotheses=("the catalogue's Λ and Q (float64 values of the printed decimals), points at random fibre "
                "scales c", "control: Λ ≡ 1, Q with distinct singular values"),
    instances=_catalogue_instances(),
    claim=claims.all_of(
        claims.is_critical(),
        L.applies_if(_case("catalogue"), claims.all_of(
            claims.custom("L equals the catalogue's printed value", _printed_value),
            claims.hessian_inertia(negative=lambda i: 0 if i.info["kind"] == "minimum" else 1, zero=1),
            L.purity("pure"),
        ), text="a critical point of the catalogue's instance"),
        L.applies_if(lambda i: i.info.get("balanced", False),
                     claims.custom("balanced Hessian spectrum {0, 0.26, 1.95, 4.61}", _balanced_spectrum),
                     text="the balanced bad minimum"),
        L.applies_if(_case("zero"), claims.all_of(L.purity("spurious"), claims.hessian_inertia(negative=2)),
                     text="θ = 0"),
        L.applies_if(_case("control"),
                     claims.custom("Λ ≡ 1: one minimum, value σ_2(Q)²", _control_unique_minimum),
                     text="Λ ≡ 1"),
    ),
    expected="holds",
    kind="example",
    examples_scale=0.3,
    notes=("All four critical points come from a complete enumeration of ℓ|M_1° (variable projection over "
           "b = (cos φ, sin φ)); the catalogue's decimals are compared to their printed rounding.  The "
           "must-fail spec tkb.claim.nonfilling-convex-no-bad-minima finds such instances by search."),
)


def _many_instances():
    @st.composite
    def build(draw):
        Q = draw(generic_matrices(2, 2)) / 2
        Lam = np.array([[draw(st.integers(1, 32)) / 16 for _ in range(2)] for _ in range(2)])
        p = weighted_frobenius_problem((2, 1, 2), Lam, Q)
        pts = rank_one_critical_points(Lam, Q, grid=1024)
        kinds = [c.kind for c in pts]
        worst = max(i for i, k in enumerate(kinds) if k == "minimum")
        return Instance(p, rank_one_point(p, worst, 1.0).recipe(),
                        label=f"worst of {kinds.count('minimum')} local minima on M_1°",
                        info={"Lambda": Lam.tolist(), "Q": Q.tolist(), "n_critical": len(pts),
                              "n_minima": kinds.count("minimum"), "index_by_value": worst})

    return build()


def _count_bound(instance: Instance, precision) -> TierResult:
    """2 ≤ #crit(ℓ|M_1°) ≤ 6 (generic ED degree of M_1 ⊂ C^{2×2}) and #min = #crit/2 (Morse on S¹)."""
    Lam, Q = _weights_and_targets(instance.problem)
    with mpmath.workdps(precision.dps):
        pts = rank_one_critical_points(Lam, Q, grid=1024)
    n, n_min = len(pts), sum(p.kind == "minimum" for p in pts)
    ok = 2 <= n <= 6 and 2 * n_min == n
    return TierResult(precision.label, TRUE if ok else FALSE, False,
                      f"{n} real critical points on M_1°, {n_min} local minima",
                      {"critical_points": n, "minima": n_min, "values": [float(p.value) for p in pts]})


def many_bad_minima_summary(checked) -> dict:
    counts = Counter((inst.info["n_critical"], inst.info["n_minima"]) for inst, _ in checked)
    rows = [[c, m, k, f"{k / len(checked):.0%}"] for (c, m), k in sorted(counts.items())]
    bad = sum(k for (c, m), k in counts.items() if m >= 2)
    return {"tables": [{"title": "weighted ℓ on M_1 ⊂ R^{2×2}: real critical points vs local minima",
                        "columns": ["#critical points", "#local minima", "instances", "share"],
                        "rows": rows}],
            "notes": [f"{bad} of {len(checked)} weightings have a non-global local minimum; the generic "
                      "ED degree of M_1 is 6 against C(2, 1) = 2 for Λ ≡ 1 (Eckart–Young)."]}


MANY_BAD_MINIMA = Spec(
    id="tkb.prop.many-bad-minima",
    title="Weighted quadratic distances on M_r: more critical points than Eckart–Young, bad minima",
    source=Source(PAPER, "abstract: 'may lead to landscapes with many bad minima'", "§ smooth convex losses",
                  ("SRC", "REC", "UNC")),
    statement=("For non-filling d there are smooth convex ℓ (weighted quadratics) whose restriction to M_r, "
               "hence L, has non-global local minima; the number of critical points of a generic quadratic "
               "distance on M_r is bounded by the generic ED degree, which exceeds C(m, r) — for "
               "M_1 ⊂ R^{2×2} at most 6 real critical points, against 2 for the Euclidean distance."),
    formula="2 ≤ #crit(ℓ_Λ,Q|M_1°) ≤ 6 = EDdeg_gen(M_1),  #min = #crit/2",
    hypotheses=("M_1 ⊂ R^{2×2} (d = (2, 1, 2)), Λ_ab ∈ [1/16, 2] dyadic, Q with distinct singular values",),
    instances=_many_instances(),
    claim=claims.all_of(
        claims.is_critical(),
        claims.custom("2 ≤ #crit ≤ 6 and #min = #crit/2", _count_bound),
        claims.hessian_inertia(negative=0, zero=1),
    ),
    expected="holds",
    kind="conjecture",
    examples_scale=0.3,
    summarize=many_bad_minima_summary,
    notes=("UNC whether TKB prove an explicit unbounded count; encoded: the ED-degree bound on M_1 ⊂ R^{2×2} "
           "and the Morse count on the circle of directions b; the report tabulates how often a weighting "
           "has two minima.  The instance's point is the worst local minimum (Hessian inertia (3, 0, 1): "
           "the zero is the fibre)."),
)
