"""TKB — the functional space: determinantal varieties, rank strata, and the pure/spurious definition.

``M_r = {W ∈ R^{d_h×d_0} : rk W ≤ r}``, ``M_e° = {rk = e}``; ``T_P M_e° = {A : U_⊥ᵀ A V_⊥ = 0}``,
``N_P = Col(P)^⊥ ⊗ Row(P)^⊥`` (:mod:`critlocus.core.determinantal`).  A critical point θ of
``L = ℓ ∘ μ_d`` is pure when ``W̄ = μ_d(θ)`` is critical for ``ℓ|M_r`` (the convention at singular
points: ``∇ℓ(W̄) = 0``; :mod:`critlocus.core.pure_spurious`).
"""

from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import strategies as st

from critlocus import Source, Spec, claims
from critlocus.core.decisions import decide_zero
from critlocus.core.determinantal import normal_basis, tangent_basis
from critlocus.core.instance import Instance
from critlocus.core.linear import (
    differential_mp,
    factor_matrices,
    frobenius_problem,
    is_filling,
    work_precision,
)
from critlocus.core.precision import FLOAT64, Precision
from critlocus.core.rank import MatrixSource, decide_rank
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult
from critlocus.strategies.linear import (
    eckart_young_instances,
    factorization_point,
    generic_matrices,
    linear_widths,
    low_rank_factors,
    random_point_instances,
    zero_point,
)
from critlocus.strategies.linear_minima import local_minimum_instances

from . import PAPER

L = claims.linear


class _Stacked(MatrixSource):
    """``[dμ_d(θ) | B]`` with B a basis built from the frame of W̄ at the same precision."""

    def __init__(self, instance: Instance, e: int, which: str):
        self.instance, self.e, self.which = instance, e, which
        self._cache: dict = {}
        self.shape = self._get_f64().shape

    def _build(self, precision: Precision) -> mpmath.matrix:
        inst = self.instance
        view = L.functional_view(inst)
        with work_precision(precision):
            if precision.is_float64:
                flat = [mpmath.mpf(float(v)) for v in inst.point.realize_float64(inst.problem.data)]
            else:
                flat = inst.point.realize_mp(inst.problem.data)
            J = differential_mp(factor_matrices(inst.point.architecture, flat))
            frame = view.frame(precision, self.e)
            B = tangent_basis(frame) if self.which == "tangent" else normal_basis(frame)
            M = mpmath.matrix(J.rows, J.cols + B.cols)
            for i in range(J.rows):
                for j in range(J.cols):
                    M[i, j] = J[i, j]
                for j in range(B.cols):
                    M[i, J.cols + j] = B[i, j]
            return M

    def dense_mp(self, precision):
        if precision.label not in self._cache:
            self._cache[precision.label] = self._build(precision)
        return self._cache[precision.label]

    def _get_f64(self):
        M = self.dense_mp(FLOAT64)
        return np.array([[float(M[i, j]) for j in range(M.cols)] for i in range(M.rows)])

    def dense_float64(self):
        return self._get_f64()

    def scale(self):
        view = L.functional_view(self.instance)
        return L.differential_source(self.instance).scale() * view.frame_scale(FLOAT64, self.e)


def _e(instance: Instance) -> int:
    return instance.info["e"]


def _dim_stratum(instance: Instance) -> int:
    """e(d_0 + d_h − e)"""
    w = instance.problem.architecture.widths
    e = _e(instance)
    return e * (w[0] + w[-1] - e)


# -- tkb.fact.determinantal --------------------------------------------------------------------------


def _chart_instances():
    """P = AB of rank e ≤ r < m on the chart d = (d_0, r, d_h): W_1 = [B; 0], W_2 = [A, 0]."""

    @st.composite
    def build(draw):
        d0 = draw(st.integers(2, 4))
        dh = draw(st.integers(2, 4))
        r = draw(st.integers(1, min(d0, dh) - 1))
        e = draw(st.integers(1, r))
        A, B = draw(low_rank_factors(dh, d0, e))
        Q = draw(generic_matrices(dh, d0))
        widths = (d0, r, dh)
        return Instance(frobenius_problem(widths, Q), factorization_point(widths, A, B),
                        label=f"P = AB of rank {e} on M_{r} ⊂ R^{{{dh}×{d0}}}",
                        info={"family": "chart", "e": e, "r": r, "critical": False})

    top = eckart_young_instances(min_depth=2, max_depth=2, max_dim=4, filling=False, ranks="top",
                                 regression=False, gauge=True, spare=False).map(
        lambda i: Instance(i.problem, i.point, label=i.label, info={**i.info, "critical": True}))
    return st.one_of(build(), top)


def _tangent_is_the_kernel_of_the_normal_block(instance: Instance, precision) -> TierResult:
    """At rank e = r: Nᵀ dμ = 0 (Im dμ ⊆ {U_⊥ᵀ X V_⊥ = 0}) and rk [dμ | N] = d_0 d_h (they span)."""
    e = _e(instance)
    src = _Stacked(instance, e, "normal")
    dec = decide_rank(src, precision)
    J = src.dense_mp(precision)
    m, n = J.rows, instance.n_params
    with work_precision(precision):
        cols = [[J[k, j] for k in range(m)] for j in range(J.cols)]
        cross = mpmath.sqrt(mpmath.fsum(mpmath.fdot(cols[n + a], cols[b]) ** 2
                                        for a in range(J.cols - n) for b in range(n)))
    zdec = decide_zero(cross, precision, n=m + n, scale=src.scale(), quantity="||Nᵀ dμ||_F")
    ev = {"rank": dec.to_dict(), "normal_tangent_cross": zdec.to_dict(), "margin": zdec.margin}
    if not dec.decided or zdec.status == "ambiguous":
        return TierResult(precision.label, UNDECIDED, True, "undecided", ev)
    ok = dec.rank == m and zdec.status == "zero"
    return TierResult(precision.label, TRUE if ok else FALSE, True,
                      f"rk [dμ | N] = {dec.rank} of {m}; ||Nᵀ dμ|| = {zdec.value:.1e} ({zdec.status})", ev)


def _criticality_two_ways(instance: Instance, precision) -> TierResult:
    """(Uᵀ∇ℓ = 0 ∧ ∇ℓ V = 0) ⇔ dμ(θ)ᵀ vec ∇ℓ(W̄) = 0, at a point of M_r° (e = r)."""
    view = L.functional_view(instance)
    e = _e(instance)
    frame = view.frame(precision, e)
    with work_precision(precision):
        G = view.loss_gradient(precision)
        a = mpmath.mnorm(frame.U.T * G, "f") + mpmath.mnorm(G * frame.V, "f")
    s = view.gradient_scale() * view.frame_scale(precision, e)
    da = decide_zero(a, precision, n=view.n_terms, scale=s, quantity="||Uᵀ∇ℓ|| + ||∇ℓ V||")
    db = instance.evaluation().gradient_decision(precision)
    ev = {"projector_test": da.to_dict(), "chart_test": db.to_dict(), "margin": min(da.margin, db.margin)}
    if "ambiguous" in (da.status, db.status):
        return TierResult(precision.label, UNDECIDED, True, "a test is ambiguous", ev)
    agree = (da.status == "zero") == (db.status == "zero")
    # a constructed critical point (Eckart–Young) must pass both tests; a drawn AB is generically
    # not critical, but a draw may land on a critical point (AB = Q_I for simple Q), so there
    # only the equivalence is asserted
    ok = agree and (da.status == "zero" or not instance.info["critical"])
    return TierResult(precision.label, TRUE if ok else FALSE, True,
                      f"projector test {da.status}, chart test ||dμᵀ∇ℓ|| = {db.value:.1e} {db.status}", ev)


DETERMINANTAL = Spec(
    id="tkb.fact.determinantal",
    title="Determinantal varieties: dimension, tangent and normal spaces, criticality on M_r°",
    source=Source(PAPER, "standard facts on M_r", "§ functional space", ("REC",)),
    statement=("For r < min(d_0, d_h): dim M_r = r(d_0 + d_h − r) and Sing M_r = M_{r−1}; at P of rank r, "
               "T_P M_r = {A : U_⊥ᵀ A V_⊥ = 0} with normal space Col(P)^⊥ ⊗ Row(P)^⊥, and P is critical for "
               "ℓ|M_r° iff Uᵀ∇ℓ(P) = 0 and ∇ℓ(P) V = 0."),
    formula=("rk d(A,B ↦ AB) = r(d_0 + d_h − r) at rk AB = r, = e(d_0 + d_h − e) < dim M_r at "
             "rk AB = e < r;  "
             "Nᵀ dμ = 0, rk [dμ | N] = d_0 d_h;  crit ⇔ Uᵀ∇ℓ = 0 ∧ ∇ℓV = 0 ⇔ dμᵀ∇ℓ = 0"),
    hypotheses=("charts d = (d_0, r, d_h), d_0, d_h ≤ 4, r < min(d_0, d_h)",
                "P = AB exact dyadic of rank e ≤ r, or the critical Eckart–Young points of rank r"),
    instances=_chart_instances(),
    claim=claims.all_of(
        claims.matrix_rank(L.differential_source, _dim_stratum, name="d(A, B ↦ AB)"),
        L.applies_if(lambda i: i.info["e"] == i.info["r"], claims.all_of(
            claims.custom("T_P M_r = {U_⊥ᵀ A V_⊥ = 0}: Nᵀ dμ = 0 and rk [dμ | N] = d_0 d_h",
                          _tangent_is_the_kernel_of_the_normal_block),
            claims.custom("criticality on M_r°: projector test ⇔ chart test", _criticality_two_ways),
        ), text="rk P = r"),
    ),
    expected="holds",
    kind="definition",
    notes=("The chart (A, B) ↦ AB of d = (d_0, r, d_h) has differential of rank dim M_r exactly at "
           "rank-r points, and only e(d_0 + d_h − e) at rank e < r: the rank drops on M_{r−1}, where M_r "
           "is singular."),
)


# -- tkb.prop.stratum-critical ----------------------------------------------------------------------


def _tangent_in_image(instance: Instance, precision) -> TierResult:
    """T_{W̄} M_e° ⊆ Im dμ_d(θ): rk [dμ | B_T] = rk dμ (e = rk W̄)."""
    view = L.functional_view(instance)
    rdec = view.rank_decision(precision)
    if not rdec.decided:
        return TierResult(precision.label, UNDECIDED, True, "rk W̄ undecided", rdec.to_dict())
    e = rdec.rank
    if e == 0:
        return TierResult(precision.label, TRUE, True, "e = 0: T M_0° = {0}", rdec.to_dict())
    a = decide_rank(L.differential_source(instance), precision)
    b = decide_rank(_Stacked(instance, e, "tangent"), precision)
    ev = {"rank_dmu": a.to_dict(), "rank_stacked": b.to_dict(), "e": e}
    if not (a.decided and b.decided):
        return TierResult(precision.label, UNDECIDED, True, "a rank is undecided", ev)
    return TierResult(precision.label, TRUE if a.rank == b.rank else FALSE, True,
                      f"rk dμ = {a.rank}, rk [dμ | T_(M_{e}°)] = {b.rank}", ev)


STRATUM_CRITICAL = Spec(
    id="tkb.prop.stratum-critical",
    title=("Im dμ_d(θ) contains the tangent space of the rank stratum of W̄; critical points are "
           "stratum-critical"),
    source=Source(PAPER, "proposition (rank strata)", "§ pure and spurious", ("REC", "VER")),
    statement=("For every θ, Im dμ_d(θ) ⊇ T_{W̄} M_e° with e = rk W̄.  Hence every critical point of L "
               "maps to a critical point of ℓ restricted to its own rank stratum M_e°."),
    formula="T_{W̄} M_e° ⊆ Im dμ_d(θ);  ∇L(θ) = 0 ⇒ Π_{T M_e°} ∇ℓ(W̄) = 0",
    hypotheses=("any widths h = 1…4, d_i ≤ 4; θ dyadic with factors of drawn ranks",
                "critical points: Eckart–Young points of every rank, gauged, with spare blocks"),
    instances=st.one_of(random_point_instances(min_depth=1, max_depth=4, max_dim=4),
                        eckart_young_instances(min_depth=2, max_depth=3, max_dim=4, ranks="all",
                                               regression=st.booleans(), gauge=True, spare=True)),
    claim=claims.all_of(
        claims.custom("T_{W̄} M_e° ⊆ Im dμ_d(θ)", _tangent_in_image),
        L.applies_if(lambda i: i.info.get("family") == "eckart_young",
                     claims.all_of(claims.is_critical(), L.stratum_critical()), text="θ critical"),
    ),
    expected="holds",
    kind="proposition",
)


# -- tkb.def.pure-spurious --------------------------------------------------------------------------


def _predicted_label(instance: Instance) -> str:
    """from the construction"""
    info = instance.info
    if info.get("family") in ("eckart_young",):
        return "pure" if info["e"] == info["r"] else "spurious"
    if info.get("family") == "zero":
        return "spurious"
    return "pure"  # local minima of convex losses (tkb.thm.filling-convex, tkb.thm.nonfilling-localmin)


def _zero_instances():
    @st.composite
    def build(draw):
        widths = draw(linear_widths(min_depth=2, max_depth=4, max_dim=3))
        Q = draw(generic_matrices(widths[-1], widths[0]))
        return Instance(frobenius_problem(widths, Q), zero_point(widths), label="θ = 0",
                        info={"family": "zero", "filling": is_filling(widths)})

    return build()


PURE_SPURIOUS = Spec(
    id="tkb.def.pure-spurious",
    certify=True,
    title="Pure and spurious critical points",
    source=Source(PAPER, "definition (abstract)", "§ pure and spurious", ("SRC", "REC")),
    statement=("A critical point θ of L = ℓ ∘ μ is pure if μ(θ) is a critical point of ℓ restricted to the "
               "functional space M, spurious otherwise.  At a smooth point, 'critical on M' means "
               "∇ℓ(μ(θ)) ⊥ T_{μ(θ)}M; at a singular point of a non-filling M_r (rank e < r) the convention "
               "(UNC) is ∇ℓ(μ(θ)) = 0."),
    formula="pure ⇔ Π_{T_{W̄} M_r} ∇ℓ(W̄) = 0 (e = r),  ∇ℓ(W̄) = 0 (e < r)",
    hypotheses=("critical points of known type: Eckart–Young points of every rank (pure iff |I| = r), "
                "θ = 0 (spurious: ∇ℓ(0) = −2Q ≠ 0), local minima of convex losses found by descent (pure)",),
    instances=st.one_of(
        eckart_young_instances(min_depth=2, max_depth=3, max_dim=4, ranks="all", regression=st.booleans()),
        _zero_instances(),
        local_minimum_instances(widths=linear_widths(min_depth=2, max_depth=3, max_dim=3), starts=4,
                                choose="best"),
    ),
    claim=claims.all_of(claims.is_critical(), L.purity(_predicted_label)),
    expected="holds",
    kind="definition",
    notes=("The label is decided by core.pure_spurious.classify_critical_point: rk W̄ at the tier's "
           "precision, then the tangent residual (e = r) or ∇ℓ(W̄) (e < r; the stated convention).  The "
           "expected label comes from how each point was built, independently of the classifier.  The "
           "other reading of the UNC convention — 'W̄ critical for ℓ restricted to its own stratum "
           "M_e°' — is not encoded as a second spec: by tkb.prop.stratum-critical every critical point "
           "of L satisfies it, so every critical point would be pure (θ = 0 included), contradicting the "
           "spurious points the paper exhibits."),
)
