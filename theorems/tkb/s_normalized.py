"""TKB — the normalised parameterisation ``ν(λ, V_1, …, V_h) = λ V_h ⋯ V_1`` with ``||V_i||_F = 1``
(catalogue: content not recovered, statements N1–N3 derived by the catalogue's authors; UNC).

``f = ℓ ∘ ν`` lives on ``R × Π_i S^{n_i − 1}`` (``n_i = d_i d_{i−1}``).  With
``φ(λ, V) = (λV_1, V_2, …, V_h)`` one has ``ν = μ_d ∘ φ`` and ``f = L ∘ φ``, so at a point
``(λ, V)`` the Riemannian Hessian of f is ``Dφᵀ Hess L(φ) Dφ`` plus ``2 δλ ⟨∇_{W_1}L, δV_1⟩`` (from
``∂²φ/∂λ∂V_1``) plus the spheres' Weingarten terms ``−Σ_i ⟨∂f/∂V_i, V_i⟩ ||δV_i||²`` — each piece
computed at the tier's precision from the exact Hessian of L (R-operator) and orthonormal
tangent bases of the spheres (Householder).
"""

from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import strategies as st

from critlocus import Source, Spec, claims
from critlocus.core.decisions import decide_zero
from critlocus.core.highprec import MPLandscape
from critlocus.core.instance import Instance
from critlocus.core.linear import (
    ConstructedPoint,
    bias_free_architecture,
    differential_mp,
    factor_matrices,
    frobenius_problem,
    mp_matrix,
    work_precision,
)
from critlocus.core.precision import Precision
from critlocus.core.rank import ExactMatrix, decide_rank
from critlocus.core.spectrum import classify_spectrum
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult
from critlocus.strategies.linear import (
    eckart_young_factors,
    gauges,
    generic_matrices,
    linear_widths,
    random_point_instances,
)

from . import PAPER

L = claims.linear


def sphere_tangent_basis(v: list) -> list[list]:
    """An orthonormal basis of ``v^⊥`` for a unit vector v: columns 2..n of the Householder reflection
    mapping e_1 to ±v (``w = v ± e_1`` with the sign of ``v_1``, no cancellation)."""
    n = len(v)
    w = list(v)
    w[0] += 1 if v[0] >= 0 else -1
    ww = mpmath.fdot(w, w)
    return [[(1 if i == j else 0) - 2 * w[i] * w[j] / ww for i in range(n)] for j in range(1, n)]


def _flat(mats) -> list:
    return [M[i, j] for M in mats for i in range(M.rows) for j in range(M.cols)]


def _normalised(mats):
    """(λ, [V_i]) = ψ(θ) = (Π ||W_i||, W_i/||W_i||)."""
    norms = [mpmath.sqrt(mpmath.fsum(x * x for x in _flat([M]))) for M in mats]
    lam = mpmath.fprod(norms)
    return lam, [M / n for M, n in zip(mats, norms)]


def _d_phi(lam, V: list, widths) -> mpmath.matrix:
    """Dφ restricted to T(R × Π S): columns (δλ) and each V_i's sphere tangent basis."""
    sizes = [M.rows * M.cols for M in V]
    N = sum(sizes)
    cols = []
    v1 = _flat([V[0]])
    cols.append(v1 + [mpmath.mpf(0)] * (N - sizes[0]))  # ∂φ/∂λ = (V_1, 0, …)
    offset = 0
    for i, M in enumerate(V):
        for t in sphere_tangent_basis(_flat([M])):
            col = [mpmath.mpf(0)] * N
            factor = lam if i == 0 else 1
            for k, x in enumerate(t):
                col[offset + k] = factor * x
            cols.append(col)
        offset += sizes[i]
    D = mpmath.matrix(N, len(cols))
    for j, c in enumerate(cols):
        for i in range(N):
            D[i, j] = c[i]
    return D


def _riemannian_hessian_f(instance: Instance, precision: Precision):
    """(H_f, ∇f) of f = ℓ∘ν at (λ, V) = ψ(θ), θ the instance's point (at the working precision)."""
    data = instance.problem.data
    flat = instance.point.realize_mp(data) if not precision.is_float64 else [
        mpmath.mpf(float(x)) for x in instance.point.realize_float64(data)]
    arch = instance.point.architecture
    mats = factor_matrices(arch, flat)
    if instance.info.get("lambda_zero"):
        raw = [mp_matrix(np.array(v)) for v in instance.info["V_unnormalised"]]
        lam, V = mpmath.mpf(0), [M / mpmath.sqrt(mpmath.fsum(x * x for x in _flat([M]))) for M in raw]
    else:
        lam, V = _normalised(mats)
    theta = [lam * x for x in _flat([V[0]])] + _flat(V[1:])
    land = MPLandscape(instance.problem, theta)
    H = land.hessian()
    g = land.gradient()
    D = _d_phi(lam, V, arch.widths)
    Hf = D.T * H * D
    n1 = V[0].rows * V[0].cols
    basis1 = sphere_tangent_basis(_flat([V[0]]))
    # coupling ∂²φ/∂λ∂V_1: 2 δλ ⟨∇_{W_1}L, δV_1⟩
    for j, t in enumerate(basis1):
        c = mpmath.fdot(g[:n1], t)
        Hf[0, 1 + j] += c
        Hf[1 + j, 0] += c
    # Weingarten terms of the spheres: −⟨∂f/∂V_i, V_i⟩ on each sphere's block
    offset, col = 0, 1
    for i, M in enumerate(V):
        size = M.rows * M.cols
        dfdV = [(lam if i == 0 else 1) * x for x in g[offset:offset + size]]
        w = mpmath.fdot(dfdV, _flat([M]))
        for k in range(size - 1):
            Hf[col + k, col + k] -= w
        offset += size
        col += size - 1
    grad_f = [mpmath.fdot(g[:n1], _flat([V[0]]))]
    offset = 0
    for i, M in enumerate(V):
        size = M.rows * M.cols
        dfdV = [(lam if i == 0 else 1) * x for x in g[offset:offset + size]]
        grad_f += [mpmath.fdot(dfdV, t) for t in sphere_tangent_basis(_flat([M]))]
        offset += size
    return (Hf + Hf.T) / 2, grad_f, lam, V


# -- N1: same image, same types ---------------------------------------------------------------------


def _same_image(instance: Instance, precision) -> TierResult:
    """Im dν(ψ(θ)) = Im dμ_d(θ) at θ with every W_i ≠ 0 (rk [dμ | dν] = rk dμ = rk dν)."""
    data = instance.problem.data
    arch = instance.point.architecture

    def build(which):
        def rows():
            mats = factor_matrices(arch, instance.point.realize_mp(data))
            J = differential_mp(mats)
            lam, V = _normalised(mats)
            Vbar = V[0]
            for M in V[1:]:
                Vbar = M * Vbar
            Jn = differential_mp(V) * lam
            cols = [[Vbar[i, j] for i in range(Vbar.rows) for j in range(Vbar.cols)]]
            cols += [[Jn[r, c] for r in range(Jn.rows)] for c in range(Jn.cols)]
            if which == "nu":
                return [[cols[c][r] for c in range(len(cols))] for r in range(J.rows)]
            return [[J[r, c] for c in range(J.cols)] + [cols[c][r] for c in range(len(cols))]
                    for r in range(J.rows)]
        return rows

    a = decide_rank(L.differential_source(instance), precision)
    b = decide_rank(ExactMatrix(build("nu"), scale=L.differential_source(instance).scale()), precision)
    c = decide_rank(ExactMatrix(build("both"), scale=L.differential_source(instance).scale()), precision)
    ev = {"rank_dmu": a.rank, "rank_dnu": b.rank, "rank_both": c.rank}
    if not (a.decided and b.decided and c.decided):
        return TierResult(precision.label, UNDECIDED, True, "a rank is undecided", ev)
    ok = a.rank == b.rank == c.rank
    return TierResult(precision.label, TRUE if ok else FALSE, True,
                      f"rk dμ = {a.rank}, rk dν = {b.rank}, rk [dμ | dν] = {c.rank}", ev)


def _types_correspond(instance: Instance, precision) -> TierResult:
    """At a critical θ with every W_i ≠ 0: index(f, ψ(θ)) = index(L, θ), nullity(L) = nullity(f) + h − 1."""
    with work_precision(precision):
        Hf, grad_f, _, _ = _riemannian_hessian_f(instance, precision)
        E = mpmath.eigsy(Hf, eigvals_only=True)
        vals = [E[i] for i in range(Hf.rows)]
        gnorm = mpmath.sqrt(mpmath.fdot(grad_f, grad_f))
    ev_obj = instance.evaluation()
    scale = ev_obj.hessian_scale() * (1 + float(mpmath.mnorm(Hf, "f")))
    F = classify_spectrum(vals, precision, size=Hf.rows, scale=scale, method="Riemannian Hessian of ℓ∘ν")
    H = ev_obj.inertia(precision)
    gd = decide_zero(gnorm, precision, n=instance.n_params, scale=ev_obj.gradient_scale(),
                     quantity="||grad f||")
    h = instance.problem.architecture.depth
    ev = {"f_inertia": F.to_dict(), "L_inertia": H.to_dict(), "grad_f": gd.to_dict()}
    if not (F.decided and H.decided) or gd.status != "zero":
        return TierResult(precision.label, UNDECIDED, True, "undecided", ev)
    ok = F.n_pos == H.n_pos and F.n_neg == H.n_neg and H.n_zero == F.n_zero + h - 1
    return TierResult(precision.label, TRUE if ok else FALSE, True,
                      f"inertia of ℓ∘ν {F.inertia} vs L {H.inertia} (h − 1 = {h - 1})", ev)


def _critical_instances():
    """Eckart–Young critical points with every factor nonzero (|I| = e ≥ 1), on a balanced fibre point."""
    @st.composite
    def build(draw):
        from itertools import combinations

        widths = draw(linear_widths(min_depth=2, max_depth=3, max_dim=3))
        Q = draw(generic_matrices(widths[-1], widths[0]))
        m, r = min(widths[0], widths[-1]), min(widths)
        e = draw(st.integers(1, r))
        idx = list(draw(st.sampled_from(list(combinations(range(1, m + 1), e)))))
        point = ConstructedPoint(bias_free_architecture(widths),
                                 lambda data, w=widths, ix=idx: eckart_young_factors(data, w, ix),
                                 description="μ_d(θ) = Q_I",
                                 payload={"construction": "eckart_young", "index_set": idx})
        return Instance(frobenius_problem(widths, Q), point.recipe(), label=f"μ(θ) = Q_I, I = {idx}",
                        info={"family": "critical", "index_set": idx, "e": e, "r": r})

    return build()


# -- N2: λ = 0 -------------------------------------------------------------------------------------------


def _lambda_zero_instances():
    """(λ, V) = (0, V) with V_i ∝ G_i E_11 G_{i−1}⁻¹ (so V̄ ∝ E_11) and Q_11 = 0: ⟨∇ℓ(0), V̄⟩ = 0."""
    @st.composite
    def build(draw):
        widths = draw(linear_widths(min_depth=2, max_depth=3, max_dim=3))
        h = len(widths) - 1
        Q = draw(generic_matrices(widths[-1], widths[0]))
        Q[0, 0] = 0.0
        G = [np.eye(widths[0])] + [draw(gauges(widths[k])) for k in range(1, h)] + [np.eye(widths[-1])]
        V = []
        for k in range(1, h + 1):
            E = np.zeros((widths[k], widths[k - 1]))
            E[0, 0] = 1.0
            V.append(G[k] @ E @ np.linalg.inv(G[k - 1]))

        def factors(data, V=V):
            mats = [mp_matrix(v) for v in V]
            norms = [mpmath.sqrt(mpmath.fsum(x * x for x in _flat([M]))) for M in mats]
            return [mats[0] * 0] + [M / n for M, n in zip(mats[1:], norms[1:])]

        point = ConstructedPoint(bias_free_architecture(widths), factors,
                                 description="θ' = φ(0, V) = (0, V_2, …, V_h), V_i unit",
                                 payload={"construction": "normalised, λ = 0",
                                          "V": [v.tolist() for v in V]})
        return Instance(frobenius_problem(widths, Q), point.recipe(),
                        label="(λ, V) = (0, V), ⟨∇ℓ(0), V̄⟩ = 0",
                        info={"family": "lambda_zero", "lambda_zero": True,
                              "V_unnormalised": [v.tolist() for v in V]})

    return build()


def _lambda_zero_saddle(instance: Instance, precision) -> TierResult:
    """At λ = 0: grad f = 0 (⟨∇ℓ(0), V̄⟩ = 0), Hess f = [[V̄ᵀ∇²ℓV̄, gᵀ], [g, 0]], strict saddle if g ≠ 0."""
    with work_precision(precision):
        Hf, grad_f, _, V = _riemannian_hessian_f(instance, precision)
        n = Hf.rows
        zero_block = mpmath.sqrt(mpmath.fsum(Hf[i, j] ** 2 for i in range(1, n) for j in range(1, n)))
        g = [Hf[0, j] for j in range(1, n)]
        gnorm = mpmath.sqrt(mpmath.fdot(g, g))
        Vbar = V[0]
        for M in V[1:]:
            Vbar = M * Vbar
        lam_lam = 2 * mpmath.fsum(x * x for x in _flat([Vbar]))  # ℓ = ||W − Q||²: V̄ᵀ∇²ℓV̄ = 2||V̄||²
        dev = abs(Hf[0, 0] - lam_lam)
        E = mpmath.eigsy(Hf, eigvals_only=True)
        vals = [E[i] for i in range(n)]
        gf = mpmath.sqrt(mpmath.fdot(grad_f, grad_f))
    s = instance.evaluation().hessian_scale() + 2
    decs = {k: decide_zero(v, precision, n=instance.n_params, scale=s, quantity=k)
            for k, v in (("||grad f||", gf), ("||H_VV||", zero_block), ("|H_λλ − V̄ᵀ∇²ℓV̄|", dev),
                         ("||g||", gnorm))}
    spec = classify_spectrum(vals, precision, size=n, scale=s, method="Hess f at λ = 0")
    ev = {k: d.to_dict() for k, d in decs.items()}
    ev["spectrum"] = spec.to_dict()
    if any(d.status == "ambiguous" for d in decs.values()) or not spec.decided:
        return TierResult(precision.label, UNDECIDED, True, "undecided", ev)
    structure = all(decs[k].status == "zero" for k in ("||grad f||", "||H_VV||", "|H_λλ − V̄ᵀ∇²ℓV̄|"))
    saddle = decs["||g||"].status == "zero" or (spec.n_pos >= 1 and spec.n_neg >= 1)
    return TierResult(precision.label, TRUE if (structure and saddle) else FALSE, True,
                      f"block structure {'as predicted' if structure else 'violated'}; "
                      f"||g|| {decs['||g||'].status}, inertia {spec.inertia}", ev)


NORMALIZED = Spec(
    id="tkb.sec.normalized-parameterization",
    title="The normalised parameterisation ν(λ, V) = λ V_h ⋯ V_1: same image and types; λ = 0 saddles",
    source=Source(PAPER, "section on the normalised parameterisation", "§ normalised", ("UNC", "REC")),
    statement=("N1: on {all W_i ≠ 0}, μ_d = ν ∘ ψ with ψ(W) = (Π||W_i||, W_i/||W_i||) a submersion: "
               "Im dν = Im dμ_d and critical points correspond with the same type (index equal, nullity "
               "shifted by h − 1).  N2: at λ = 0 the point is critical iff ⟨∇ℓ(0), V̄⟩ = 0, with Hessian "
               "[[V̄ᵀ∇²ℓV̄, gᵀ], [g, 0]]: a strict saddle unless g = 0 (contrast: θ = 0 of μ_d has Hess = 0 "
               "when h ≥ 3).  N3: zero-layer critical points of μ_d have no counterpart with λ ≠ 0."),
    formula=("Im dν(ψ(θ)) = Im dμ_d(θ);  ∇L(θ) = 0 ⇒ ind_f = ind_L, n₀(L) = n₀(f) + h − 1;  "
             "λ = 0: Hess f = [[V̄ᵀ∇²ℓV̄, gᵀ], [g, 0]]"),
    hypotheses=("h = 2, 3, d_i ≤ 3, ℓ = ||W − Q||²",
                "N1 at dyadic θ with nonzero factors and at Eckart–Young critical points (|I| ≥ 1); "
                "N2 at (0, V) with V̄ ∝ E_11, Q_11 = 0"),
    instances=st.one_of(
        random_point_instances(min_depth=2, max_depth=3, max_dim=3, nonzero_factors=True),
        _critical_instances(),
        _lambda_zero_instances(),
    ),
    claim=claims.all_of(
        L.applies_if(lambda i: i.info.get("family") == "random",
                     claims.custom("Im dν = Im dμ_d", _same_image), text="θ with W_i ≠ 0"),
        L.applies_if(lambda i: i.info.get("family") == "critical",
                     claims.all_of(claims.is_critical(),
                                   claims.custom("types correspond under ψ", _types_correspond)),
                     text="θ critical"),
        L.applies_if(lambda i: i.info.get("family") == "lambda_zero",
                     claims.custom("λ = 0: block Hessian, strict saddle unless g = 0", _lambda_zero_saddle),
                     text="λ = 0"),
    ),
    expected="holds",
    kind="conjecture",
    notes=("UNC: TKB's section was not recovered; N1–N2 are the catalogue's derivations, encoded as stated.  "
           "N3 is immediate (ψ is undefined when a factor vanishes) and not computed."),
)
