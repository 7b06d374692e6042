"""TKB — the parameterization μ_d: filling architectures, the image and rank of the differential,
and what maximal rank implies for critical points (purity and type).

Notation (catalogue §0): ``μ_d(θ) = W̄ = W_h ⋯ W_1``, ``W_{>i} = W_h ⋯ W_{i+1}``,
``W_{<i} = W_{i−1} ⋯ W_1``, ``r = min_i d_i``, ``e = rk W̄``, ``m = min(d_0, d_h)``,
``dim M_r = r(d_0 + d_h − r)``.
"""

from __future__ import annotations

from hypothesis import strategies as st

from critlocus import Source, Spec, claims
from critlocus.core.determinantal import determinantal_dimension
from critlocus.core.instance import Instance
from critlocus.core.linear import differential_rank_formula, frobenius_problem, is_filling, staircase_indices
from critlocus.core.rank import decide_rank
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult
from critlocus.strategies.linear import (
    eckart_young_instances,
    factorization_point,
    gauges,
    linear_widths,
    low_rank_factors,
    random_point_instances,
    spare_blocks,
)

from . import PAPER

L = claims.linear


def dim_M_r(instance: Instance) -> int:
    """r(d_0 + d_h − r)"""
    w = instance.problem.architecture.widths
    r = min(w)
    return determinantal_dimension(w[-1], w[0], r)


def r_of(instance: Instance) -> int:
    """r = min_i d_i"""
    return min(instance.problem.architecture.widths)


# -- tkb.def.filling ------------------------------------------------------------------------------


def _filling_instances():
    """Either a constructed θ_T with μ_d(θ_T) = T (rk T = r, so rk T = m when filling) or a dyadic θ
    with factors of drawn ranks."""

    @st.composite
    def constructed(draw):
        widths = draw(linear_widths(min_depth=1, max_depth=4, max_dim=4))
        d0, dh, r = widths[0], widths[-1], min(widths)
        A, B = draw(low_rank_factors(dh, d0, r))
        h = len(widths) - 1
        G = [draw(gauges(widths[k])) for k in range(1, h)]
        Z = draw(spare_blocks(widths, r))
        problem = frobenius_problem(widths, A @ B)
        return Instance(problem, factorization_point(widths, A, B, G, Z),
                        label="θ_T with μ_d(θ_T) = T, rk T = r",
                        info={"family": "constructed", "r": r, "filling": is_filling(widths)})

    return st.one_of(constructed(), random_point_instances(min_depth=1, max_depth=4, max_dim=4))


def _filling_definition(instance: Instance, precision) -> TierResult:
    """filling ⇔ dim M_r = d_0 d_h (the definition read as a statement about M_r)."""
    w = instance.problem.architecture.widths
    r, m = min(w), min(w[0], w[-1])
    lhs, rhs = is_filling(w), determinantal_dimension(w[-1], w[0], r) == w[0] * w[-1]
    agree = lhs == rhs == (r == m)
    return TierResult(precision.label, TRUE if agree else FALSE, False,
                      f"filling = {lhs}; dim M_r = d_0 d_h: {rhs}", {"r": r, "m": m})


FILLING = Spec(
    id="tkb.def.filling",
    title="Filling architectures: μ_d is onto R^{d_h×d_0} iff min_i d_i = min(d_0, d_h)",
    source=Source(PAPER, "definition: filling", "§ linear networks", ("SRC", "REC")),
    statement=("d is filling iff r = min_i d_i equals m = min(d_0, d_h).  Every product has rank ≤ r; "
               "when filling every matrix T is a product μ_d(θ_T), and dμ_d is onto at such a point; "
               "otherwise the image is the proper variety M_r (matrices of rank ≤ r < m)."),
    formula=("rk μ_d(θ) ≤ r;  filling ⇒ ∀T ∃θ_T: μ_d(θ_T) = T, rk dμ_d(θ_T) = d_0 d_h;  "
             "filling ⇔ dim M_r = d_0 d_h"),
    hypotheses=("any widths, h = 1…4, d_i ≤ 4",),
    instances=_filling_instances(),
    claim=claims.all_of(
        claims.custom("filling ⇔ r = m ⇔ dim M_r = d_0 d_h", _filling_definition),
        L.product_rank(lambda i: claims.at_most(r_of(i))),
        L.applies_if(lambda i: i.info["family"] == "constructed",
                     claims.all_of(L.loss_value(lambda i, p: 0, text="0 (μ_d(θ_T) = T)"),
                                   claims.matrix_rank(L.differential_source, dim_M_r, name="dμ_d(θ_T)")),
                     text="θ = θ_T is constructed"),
    ),
    expected="holds",
    kind="definition",
    notes=("Non-filling: T of rank m > r is never a product because every product has rank ≤ r "
           "(checked at every generated θ).  Filling: the constructed θ_T reaches any T and dμ_d is "
           "onto there, so μ_d is a submersion near θ_T."),
)


# -- tkb.thm.diff-image ---------------------------------------------------------------------------


def predicted_differential_rank(instance: Instance) -> int:
    """a_1 d_0 + Σ_{i≥2} (a_i − a_{i−1}) b_i"""
    info = instance.info
    return differential_rank_formula(info["ranks_above"], info["ranks_below"],
                                     instance.problem.architecture.n_in)


def _max_rank_criterion(instance: Instance, precision) -> TierResult:
    """rk dμ maximal ⇔ e = r, or e < r, filling and ∃i: rk W_{>i} = d_h, rk W_{<i} = d_0."""
    w = instance.problem.architecture.widths
    info = instance.info
    dec = decide_rank(L.differential_source(instance), precision)
    if not dec.decided:
        return TierResult(precision.label, UNDECIDED, True, "rk dμ not decided", dec.to_dict())
    maximal = dec.rank == determinantal_dimension(w[-1], w[0], min(w))
    stairs = staircase_indices(info["ranks_above"], info["ranks_below"], w[0], w[-1])
    criterion = info["e"] == info["r"] or (info["e"] < info["r"] and is_filling(w) and bool(stairs))
    ev = dec.to_dict()
    ev.update({"maximal": maximal, "criterion": criterion, "staircase_indices": stairs, "e": info["e"],
               "r": info["r"]})
    return TierResult(precision.label, TRUE if maximal == criterion else FALSE,
                      exact=dec.rank < min(dec.shape),
                      summary=f"rk dμ = {dec.rank} (maximal: {maximal}); criterion: {criterion}",
                      evidence=ev)


DIFF_IMAGE = Spec(
    id="tkb.thm.diff-image",
    title="Image and rank of the differential of μ_d; when the rank is maximal",
    source=Source(PAPER, "theorem on the differential of μ_d", "§ linear networks", ("REC", "VER")),
    statement=("Im dμ_d(θ) = Σ_i Col(W_{>i}) ⊗ Row(W_{<i}), of dimension "
               "a_1 d_0 + Σ_{i≥2}(a_i − a_{i−1}) b_i (a_i = rk W_{>i}, b_i = rk W_{<i}).  The rank is "
               "maximal (= dim M_r) iff e = r, or e < r, "
               "d is filling and some i has rk W_{>i} = d_h and rk W_{<i} = d_0."),
    formula=("rk dμ_d(θ) = a_1 d_0 + Σ_{i=2}^{h} (a_i − a_{i−1}) b_i;  "
             "maximal ⇔ e = r ∨ (e < r ∧ filling ∧ ∃ staircase i)"),
    hypotheses=("any widths, h = 1…4, d_i ≤ 4", "θ dyadic with factors of drawn ranks (exact ranks known)"),
    instances=random_point_instances(min_depth=1, max_depth=4, max_dim=4),
    claim=claims.all_of(
        claims.matrix_rank(L.differential_source, predicted_differential_rank, name="dμ_d(θ)"),
        claims.custom("maximal rank ⇔ (e = r) ∨ (filling ∧ staircase)", _max_rank_criterion),
    ),
    expected="holds",
    kind="theorem",
    notes=("The image statement is the block structure of the Jacobian: the block of W_i is "
           "W_{>i} ⊗ W_{<i}ᵀ, whose column space is Col(W_{>i}) ⊗ Row(W_{<i}); the rank of their sum is "
           "what is checked, against exact rational ranks a_i, b_i of the dyadic partial products."),
)


# -- tkb.lem.maxrank-pure and tkb.cor.rank-r-pure -------------------------------------------------------

TOP_INSTANCES = eckart_young_instances(min_depth=2, max_depth=3, max_dim=4, ranks="top",
                                       regression=st.booleans(), gauge=True, spare=True)

MAXRANK_PURE = Spec(
    id="tkb.lem.maxrank-pure",
    title="Critical points where dμ_d has maximal rank are pure, of the same type as W̄ on M_r",
    source=Source(PAPER, "lemma: maximal rank ⇒ pure", "§ pure and spurious", ("REC",)),
    statement=("If θ is a critical point of L = ℓ ∘ μ_d and dμ_d(θ) has maximal rank dim M_r, then θ is "
               "pure, and index(L, θ) = index(ℓ|M_r, W̄), "
               "nullity(L, θ) = nullity(ℓ|M_r, W̄) + d_θ − dim M_r."),
    formula=("∇L(θ) = 0 ∧ rk dμ_d(θ) = dim M_r ⇒ pure ∧ "
             "(n₊, n₋, n₀)(Hess L) = (n₊, n₋, n₀ + d_θ − dim M_r)(Hess_{M_r} ℓ)"),
    hypotheses=("critical points with e = r: the Eckart–Young points Q_I (|I| = r) of quadratic losses "
                "(Frobenius or regression), filling or not, at gauged fibre points with free spare blocks",),
    instances=TOP_INSTANCES,
    claim=claims.all_of(
        claims.is_critical(),
        claims.matrix_rank(L.differential_source, dim_M_r, name="dμ_d(θ)"),
        L.purity("pure"),
        L.type_matches_function_space(),
    ),
    expected="holds",
    kind="lemma",
    examples_scale=0.2,
    notes=("examples_scale = 0.2: each instance decides the full Hessian spectrum and the Riemannian Hessian "
           "on M_r° at 30 digits (dense, up to d_θ = 48)."),
)


def _spurious_explained(instance: Instance, precision) -> TierResult:
    """spurious ⇒ e < r, or (filling and no staircase index)."""
    from critlocus.core.pure_spurious import PURE, SPURIOUS, classify_critical_point

    view = L.functional_view(instance)
    dec = classify_critical_point(view, precision)
    if dec.label == PURE:
        return TierResult(precision.label, TRUE, dec.test is not None and dec.test.status == "zero",
                          "pure: nothing to explain", dec.to_dict())
    if dec.label != SPURIOUS:
        return TierResult(precision.label, UNDECIDED, True, "label undecided", dec.to_dict())
    if dec.rank < view.r:
        return TierResult(precision.label, TRUE, True, f"spurious with e = {dec.rank} < r = {view.r}",
                          dec.to_dict())
    w = instance.problem.architecture.widths
    above, below, ok, ev = L.partial_ranks(instance, precision)
    if not ok:
        return TierResult(precision.label, UNDECIDED, True, "partial ranks undecided", ev)
    stairs = staircase_indices(above, below, w[0], w[-1])
    explained = view.filling and not stairs
    return TierResult(precision.label, TRUE if explained else FALSE, True,
                      f"spurious with e = r = {view.r}; filling {view.filling}, staircase {stairs}",
                      {**dec.to_dict(), "partial_ranks": ev})


RANK_R_PURE = Spec(
    id="tkb.cor.rank-r-pure",
    certify=True,
    title="Critical points of rank r are pure; spurious ones have e < r (or fail the staircase)",
    source=Source(PAPER, "corollary of the differential theorem", "§ pure and spurious", ("REC",)),
    statement=("Every critical point θ with e = rk W̄ = r is pure, of the type of W̄ on M_r°; every "
               "spurious critical point has e < r or (filling case) fails the staircase condition."),
    formula=("e = r ⇒ pure ∧ type(θ) = type(W̄ on M_r°);  "
             "spurious ⇒ e < r ∨ (filling ∧ ∄i: rk W_{>i} = d_h, rk W_{<i} = d_0)"),
    hypotheses=("critical points of quadratic losses at every rank e ≤ r (all Eckart–Young index sets), "
                "filling or not, gauged, with free spare blocks",),
    instances=eckart_young_instances(min_depth=2, max_depth=3, max_dim=4, ranks="all",
                                     regression=st.booleans(), gauge=True, spare=True),
    claim=claims.all_of(
        claims.is_critical(),
        L.applies_if(lambda i: i.info["e"] == i.info["r"],
                     claims.all_of(L.purity("pure"), L.type_matches_function_space()), text="e = r"),
        claims.custom("spurious ⇒ e < r ∨ (filling ∧ no staircase)", _spurious_explained),
    ),
    expected="holds",
    kind="corollary",
)
