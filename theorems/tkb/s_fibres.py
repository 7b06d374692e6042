"""TKB — the fibres of μ_d: local openness at minima, and the connected components of a fibre.

``μ_d⁻¹(W̄)`` for ``rk W̄ = r`` is a smooth manifold of dimension ``d_θ − dim M_r`` (dμ_d has maximal,
hence locally constant, rank there).  ``Π_i GL(d_i)`` acts on it (``W_i ↦ G_i W_i G_{i−1}⁻¹``);
points are built as ``g·θ_c`` from a canonical ``θ_c`` (``W_1 = [B; 0]``, ``W_i = diag(I_r, 0)``,
``W_h = [A, 0]``).
"""

from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import strategies as st

from critlocus import Source, Spec, claims
from critlocus.core.decisions import decide_zero
from critlocus.core.determinantal import determinantal_dimension
from critlocus.core.gl_paths import gl_path
from critlocus.core.instance import Instance
from critlocus.core.linear import (
    ConstructedPoint,
    bias_free_architecture,
    factor_matrices,
    frobenius_problem,
    is_filling,
    mp_matrix,
    partial_product,
    work_precision,
)
from critlocus.core.rank import ExactMatrix, decide_rank
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult
from critlocus.strategies.linear import (
    eckart_young_instances,
    factorization_factors,
    gauges,
    linear_widths,
    low_rank_factors,
)
from critlocus.strategies.linear_minima import local_minimum_instances

from . import PAPER

L = claims.linear


def dim_M_r(instance: Instance) -> int:
    """r(d_0 + d_h − r)"""
    w = instance.problem.architecture.widths
    return determinantal_dimension(w[-1], w[0], min(w))


# -- tkb.prop.local-openness ------------------------------------------------------------------------


def _non_open_instances():
    """d = (n, n, n), W_2 = diag(I_k, 0), W_1 = diag(0, I_{n−k}) (product 0), moved by G ∈ GL(n) in the
    middle layer: the catalogue's point where μ_d is not locally open (n = 2, k = 1)."""

    @st.composite
    def build(draw):
        n = draw(st.integers(2, 3))
        k = draw(st.integers(1, n - 1))
        G = draw(gauges(n))
        W2 = np.diag([1.0] * k + [0.0] * (n - k))
        W1 = np.diag([0.0] * k + [1.0] * (n - k))
        Q = np.zeros((n, n))
        Q[n - 1, 0] = 1.0

        def build_factors(data, G=G, W1=W1, W2=W2):
            Gm = mp_matrix(G)
            return [Gm * mp_matrix(W1), mp_matrix(W2) * mpmath.inverse(Gm)]

        point = ConstructedPoint(bias_free_architecture((n, n, n)), build_factors,
                                 description="W_2 = diag(I_k, 0) G⁻¹, W_1 = G diag(0, I_{n−k})",
                                 payload={"construction": "non_open", "k": k, "gauge": G.tolist()})
        return Instance(frobenius_problem((n, n, n), Q), point.recipe(),
                        label=f"non-open point of μ_(n,n,n), n = {n}, k = {k}",
                        info={"family": "non_open", "n": n, "k": k})

    return build()


def _minimum_maps_to_minimum(instance: Instance, precision) -> TierResult:
    """θ certified local min of L and μ_d submersive at θ ⇒ W̄ local min of ℓ|M_r° (stratum-critical,
    Riemannian Hessian ⪰ 0)."""
    kind, cert = L.certify_local_minimum(instance, precision)
    if kind == "saddle":
        return TierResult(precision.label, TRUE, True, "θ is a saddle: the premise fails", cert)
    if kind != "minimum":
        return TierResult(precision.label, UNDECIDED, True, "θ not certified a local minimum", cert)
    view = L.functional_view(instance)
    e = view.r
    t = view.tangent_residual_decision(precision, e)
    R = view.riemannian_inertia(precision, e)
    ev = {"certificate": cert, "tangent_residual": t.to_dict(), "riemannian_hessian": R.to_dict()}
    if t.status == "ambiguous" or not R.decided:
        return TierResult(precision.label, UNDECIDED, True, "W̄'s type undecided", ev)
    ok = t.status == "zero" and R.n_neg == 0
    return TierResult(precision.label, TRUE if ok else FALSE, True,
                      f"θ local min, rk dμ = dim M_r (open); W̄ on M_r°: residual {t.status}, "
                      f"Riemannian inertia {R.inertia}", ev)


def _not_open_witness(instance: Instance, precision) -> TierResult:
    """dμ_d(θ) is not onto, and the catalogue's direction E = e_n e_1ᵀ is not in its image."""
    n = instance.info["n"]
    src = L.differential_source(instance)
    a = decide_rank(src, precision)

    def stacked():
        J = src.dense_mp(precision)
        M = mpmath.matrix(J.rows, J.cols + 1)
        for i in range(J.rows):
            for j in range(J.cols):
                M[i, j] = J[i, j]
        M[(n - 1) * n, J.cols] = 1
        return [[M[i, j] for j in range(M.cols)] for i in range(M.rows)]

    b = decide_rank(ExactMatrix(stacked, scale=src.scale()), precision)
    ev = {"rank_dmu": a.to_dict(), "rank_with_E": b.to_dict()}
    if not (a.decided and b.decided):
        return TierResult(precision.label, UNDECIDED, True, "ranks undecided", ev)
    ok = a.rank < n * n and b.rank == a.rank + 1
    return TierResult(precision.label, TRUE if ok else FALSE, True,
                      f"rk dμ = {a.rank} < {n * n}; E ∉ Im dμ: {b.rank == a.rank + 1}", ev)


LOCAL_OPENNESS = Spec(
    id="tkb.prop.local-openness",
    title="Where μ_d is locally open, local minima of L map to local minima of ℓ|M",
    source=Source(PAPER, "proposition (local openness)", "§ pure and spurious", ("REC",)),
    statement=("If μ is locally open at θ (images of neighbourhoods are neighbourhoods of μ(θ) in M), then θ "
               "a local minimum of L implies μ(θ) a local minimum of ℓ|M.  μ_d is not everywhere locally "
               "open, even when filling: at d = (2, 2, 2), W_2 = diag(1, 0), W_1 = diag(0, 1), products near "
               "W_2W_1 = 0 never equal [[0, 0], [δ, 0]]."),
    formula=("θ local min of L ∧ rk dμ_d(θ) = dim M_r (μ_d submersive, hence open) ⇒ Π_T ∇ℓ(W̄) = 0 ∧ "
             "Hess_{M_r°} ℓ(W̄) ⪰ 0;  at the catalogue's point: rk dμ < d_0 d_h, E ∉ Im dμ"),
    hypotheses=("local minima: global minima of quadratic losses (Eckart–Young, I = {1..r}) and the worst "
                "local minimum descent finds for weighted losses on non-filling networks",
                "non-open points: d = (n, n, n), n = 2, 3, moved by GL(n)"),
    instances=st.one_of(
        eckart_young_instances(min_depth=2, max_depth=3, max_dim=3, ranks="global",
                               regression=st.booleans(), gauge=True, spare=True),
        local_minimum_instances(widths=linear_widths(min_depth=2, max_depth=3, max_dim=3, filling=False),
                                families=("weighted",), starts=6),
        _non_open_instances(),
    ),
    claim=claims.all_of(
        L.applies_if(lambda i: i.info.get("family") != "non_open",
                     claims.custom("local min of L at an open point ⇒ local min of ℓ|M_r",
                                   _minimum_maps_to_minimum),
                     text="θ a local minimum"),
        L.applies_if(lambda i: i.info.get("family") == "non_open",
                     claims.custom("μ_d not submersive; E = e_n e_1ᵀ ∉ Im dμ_d", _not_open_witness),
                     text="the catalogue's non-open configuration"),
    ),
    expected="holds",
    kind="proposition",
    notes=("Local openness is certified by its sufficient condition: dμ_d of maximal rank dim M_r makes μ_d "
           "a submersion onto M_r° near θ, hence open.  At the non-open configuration the differential is "
           "not onto and E = e_n e_1ᵀ is not even reachable to first order; that no curve reaches it at "
           "all is the catalogue's elimination argument (first-row constraint), recorded here, not "
           "computed."),
)


# -- tkb.prop.fiber-components ----------------------------------------------------------------------


def _fibre_instances():
    @st.composite
    def build(draw):
        widths = draw(linear_widths(min_depth=2, max_depth=3, max_dim=3))
        r = min(widths)
        h = len(widths) - 1
        A, B = draw(low_rank_factors(widths[-1], widths[0], r))
        g = [draw(gauges(widths[k])) for k in range(1, h)]
        g2 = [draw(gauges(widths[k])) for k in range(1, h)]
        bottleneck = [k for k in range(1, h) if widths[k] == r]
        signs = [int(np.sign(np.linalg.det(g[k - 1]))) for k in bottleneck]
        signs2 = [int(np.sign(np.linalg.det(g2[k - 1]))) for k in bottleneck]
        point = ConstructedPoint(bias_free_architecture(widths),
                                 lambda data, w=widths, a=A, b=B, gg=g: factorization_factors(w, a, b, gg),
                                 description="θ = g·θ_c on the fibre of W̄ = AB",
                                 payload={"construction": "fibre point", "A": A.tolist(), "B": B.tolist(),
                                          "gauge": [x.tolist() for x in g]})
        return Instance(frobenius_problem(widths, A @ B), point.recipe(),
                        label=f"fibre point, κ = {len(bottleneck)} bottleneck layer(s)",
                        info={"widths": list(widths), "r": r, "bottleneck_layers": bottleneck,
                              "kappa": len(bottleneck),
                              "signs": signs, "other_signs": signs2, "A": A.tolist(), "B": B.tolist(),
                              "gauge": [x.tolist() for x in g], "other_gauge": [x.tolist() for x in g2],
                              "filling": is_filling(widths)})

    return build()


def _sign_invariants(instance: Instance, precision) -> TierResult:
    """det G_i ≠ 0 with W_{≤i} = G_i B (each bottleneck layer i), and sign det G_i = sign det g_i."""
    info = instance.info
    data = instance.problem.data
    with work_precision(precision):
        flat = (instance.point.realize_mp(data) if not precision.is_float64 else
                [mpmath.mpf(float(v)) for v in instance.point.realize_float64(data)])
        mats = factor_matrices(instance.point.architecture, flat)
        B = mp_matrix(info["B"])
        Bpinv = B.T * mpmath.inverse(B * B.T)
        dets = [mpmath.det(partial_product(mats, 1, i, B.cols) * Bpinv) for i in info["bottleneck_layers"]]
    scale = float(np.prod([1 + np.linalg.norm(np.array(x)) for x in info["gauge"]])) ** info["r"]
    decs = [decide_zero(d, precision, n=instance.n_params, scale=scale, quantity="det G_i") for d in dets]
    if any(d.status != "nonzero" for d in decs):
        return TierResult(precision.label, UNDECIDED, False, "a det G_i is not decided nonzero",
                          {"dets": [float(d) for d in dets]})
    got = [1 if d > 0 else -1 for d in dets]
    return TierResult(precision.label, TRUE if got == info["signs"] else FALSE, False,
                      f"sign det G_i = {got} (predicted {info['signs']})", {"dets": [float(d) for d in dets]})


def _path_in_fibre(instance: Instance, precision) -> TierResult:
    """Equal bottleneck signs ⇒ an explicit path θ(t) = g(t)·θ_c in the fibre joins θ to θ' (sampled
    at t = k/8: μ_d(θ(t)) = W̄ decided, bottleneck det G_i(t) of constant sign)."""
    info = instance.info
    if info["signs"] != info["other_signs"]:
        return TierResult(precision.label, TRUE, False,
                          "different sign invariants: different components (det G_i continuous, ≠ 0)", {})
    widths = info["widths"]
    h = len(widths) - 1
    with work_precision(precision):
        paths = []
        for k in range(1, h):
            g, g2 = mp_matrix(info["gauge"][k - 1]), mp_matrix(info["other_gauge"][k - 1])
            if mpmath.det(g) * mpmath.det(g2) < 0:  # d_k > r: the stabiliser flip S_k fixes θ_c
                S = mpmath.eye(widths[k])
                S[widths[k] - 1, widths[k] - 1] = -1
                g2 = g2 * S
            paths.append(gl_path(g, g2))
        W = mp_matrix(np.array(info["A"]) @ np.array(info["B"]))
        worst = mpmath.mpf(0)
        for step in range(9):
            t = mpmath.mpf(step) / 8
            gt = [p(t) for p in paths]
            mats = _gauged_mp(widths, info["A"], info["B"], gt)
            P = partial_product(mats, 1, h, widths[0])
            worst = max(worst, mpmath.mnorm(P - W, "f"))
    sizes = [1 + np.linalg.norm(np.array(x)) for x in info["gauge"] + info["other_gauge"]]
    scale = float(np.prod(sizes)) ** 2
    dec = decide_zero(worst, precision, n=instance.n_params, scale=scale, quantity="max_t ||μ(θ(t)) − W̄||")
    status = {"zero": TRUE, "nonzero": FALSE}.get(dec.status, UNDECIDED)
    return TierResult(precision.label, status, True,
                      f"path in the fibre: max ||μ(θ(t)) − W̄|| = {dec.value:.1e}", dec.to_dict())


def _gauged_mp(widths, A, B, gt):
    """Canonical factors of W̄ = AB acted on by mpmath gauges gt (one per hidden layer)."""
    mats = factorization_factors(widths, A, B)
    h = len(widths) - 1
    G = [None, *gt, None]
    out = []
    for k in range(1, h + 1):
        M = mats[k - 1]
        if G[k] is not None:
            M = G[k] * M
        if G[k - 1] is not None:
            M = M * mpmath.inverse(G[k - 1])
        out.append(M)
    return out


def fibre_summary(checked) -> dict:
    seen: dict = {}
    for inst, _ in checked:
        key = tuple(inst.info["widths"])
        seen.setdefault(key, set()).add(tuple(inst.info["signs"]))
        seen[key].add(tuple(inst.info["other_signs"]))
    rows = [[str(w), sum(1 for k in range(1, len(w) - 1) if w[k] == min(w)), len(s),
             2 ** sum(1 for k in range(1, len(w) - 1) if w[k] == min(w))] for w, s in sorted(seen.items())]
    return {"tables": [{"title": "fibres of μ_d: sign patterns of the bottleneck invariants seen vs 2^κ",
                        "columns": ["widths", "κ", "patterns seen", "2^κ"], "rows": rows}]}


FIBER_COMPONENTS = Spec(
    id="tkb.prop.fiber-components",
    title="The fibre of μ_d over a rank-r matrix: dimension and 2^κ connected components",
    source=Source(PAPER, "fibre components (third-party summary)", "§ linear networks", ("REC", "UNC")),
    statement=("For W̄ of rank r, μ_d⁻¹(W̄) is a smooth manifold of dimension d_θ − dim M_r with 2^κ "
               "connected components, κ = #{i ∈ 1..h−1 : d_i = r}: each bottleneck layer contributes the "
               "sign of det G_i, W_{≤i} = G_i B_0.  Hence the global minima of a generic quadratic loss form "
               "2^κ components."),
    formula="dim μ_d⁻¹(W̄) = d_θ − r(d_0 + d_h − r);  #π_0 = 2^κ, κ = #{i < h : d_i = r}",
    hypotheses=("widths h = 2, 3, d_i ≤ 3; W̄ = AB exact dyadic of rank r",
                "two fibre points θ = g·θ_c, θ' = g'·θ_c with dyadic gauges g, g'"),
    instances=_fibre_instances(),
    claim=claims.all_of(
        L.loss_value(lambda i, p: 0, text="0 (θ in the fibre of W̄)"),
        claims.matrix_rank(L.differential_source, dim_M_r, name="dμ_d(θ)"),
        claims.custom("bottleneck invariants sign det G_i are defined and as predicted", _sign_invariants),
        claims.custom("equal invariants ⇒ joined by a path in the fibre", _path_in_fibre),
    ),
    expected="holds",
    kind="conjecture",
    summarize=fibre_summary,
    notes=("UNC (second-hand).  Lower bound: det G_i is continuous and nonzero on the fibre, so points with "
           "different signs lie in different components; every sign pattern is realised by a gauge.  Upper "
           "bound, on the GL-orbit of θ_c: a path between equal patterns is built explicitly (QR + Givens in "
           "GL⁺, a stabiliser flip where d_i > r) and sampled.  That the fibre is one orbit is not checked."),
)
