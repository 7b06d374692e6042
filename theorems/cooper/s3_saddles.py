"""Cooper §3, sharpened: star points off the core are strict saddles; core points are
higher-order saddles (catalogue corollaries ``cooper.cor.*``, REC+VER — not stated in the paper).

At ``p ∈ S_i`` (one zero hidden layer) the only nonzero second derivatives are
``∂²L/∂b_ℓ² = 2d·Id`` and the block ``∂²L/∂W_ℓ∂W_i = 2·G ⊗ D`` with

    G = Σ_j (ȳ − y_j) a_{i−1}(x_j)ᵀ ∈ R^{n_ℓ × n_{i−1}},
    D = ∂a_{ℓ−1}/∂h_i = diag σ'(h_{ℓ−1}) W_{ℓ−1} ⋯ W_{i+1} diag σ'(h_i)   (= σ'(0)^{ℓ−i} W_{ℓ−1}⋯W_{i+1}),

so ``Hess L(p)`` has inertia ``(n_ℓ + ρ, ρ, N − n_ℓ − 2ρ)`` with ``ρ = rank G · rank D``.

On ``S_I`` with ``|I| = k``, along ``v`` moving only ``W_i`` (i ∈ I) and ``W_ℓ`` (by ``V_i``,
``V_ℓ``): ``L(p + εv) − L(p) = c·ε^{k+1} + O(ε^{k+2})`` with

    c = 2 Σ_j (ȳ − y_j)ᵀ V_ℓ Dσ_{ℓ−1} M_{ℓ−1} ⋯ Dσ_{i_1} M_{i_1} a_{i_1−1}(x_j),

``M_m = V_m`` for m ∈ I, ``W_m`` otherwise, ``Dσ_m = diag σ'(h_m) = σ'(0)·Id``; c ≠ 0 for generic
data and directions, and ``V_ℓ → −V_ℓ`` flips its sign: a saddle, never a local minimum.
"""

from __future__ import annotations

import mpmath
import numpy as np

from critlocus import Source, Spec, claims, strategies
from critlocus.claims import FormulaCounts, layer_values, point_at
from critlocus.core.instance import Instance
from critlocus.core.precision import Precision
from critlocus.core.rank import rank_float64, rank_mp

from . import PAPER


def _matrix(instance: Instance, values, name: str) -> mpmath.matrix:
    blk = instance.problem.architecture.layout.block(name)
    rows, cols = blk.shape
    flat = values[blk.slice]
    return mpmath.matrix([[mpmath.mpf(flat[r * cols + c]) for c in range(cols)] for r in range(rows)])


def _diag(values) -> mpmath.matrix:
    return mpmath.diag([mpmath.mpf(v) for v in values])


def _frob(M: mpmath.matrix) -> float:
    return float(mpmath.mnorm(M, "f"))


def _centred_target_gram(instance: Instance, precision: Precision, layer: int, lv: list[dict]):
    """``G = Σ_j (ȳ − y_j) a_layer(x_j)ᵀ`` and the size of its summands."""
    data = instance.problem.data
    ybar = data.mean_target_mp() if not precision.is_float64 else [mpmath.mpf(float(v))
                                                                   for v in data.mean_target()]
    n_out = data.n_out
    G = mpmath.zeros(n_out, len(lv[0]["a"][layer]))
    scale = 0.0
    for j, row in enumerate(lv):
        r = [ybar[o] - mpmath.mpf(float(data.Y[j, o])) for o in range(n_out)]
        a = [mpmath.mpf(v) for v in row["a"][layer]]
        G += mpmath.matrix(r) * mpmath.matrix(a).T
        scale += (float(mpmath.norm(mpmath.matrix(ybar))) + float(np.linalg.norm(data.Y[j]))) \
            * float(mpmath.norm(mpmath.matrix(a)))
    return G, scale


def _rank(M: mpmath.matrix, precision: Precision, scale: float):
    if precision.is_float64:
        A = np.array([[float(M[r, c]) for c in range(M.cols)] for r in range(M.rows)])
        return rank_float64(A, precision, scale=scale)
    return rank_mp(M, precision, scale=scale)


def star_inertia_counts(instance: Instance, precision: Precision) -> FormulaCounts:
    """``(n_ℓ + ρ, ρ, N − n_ℓ − 2ρ)`` with ``ρ = rank G · rank D`` decided at ``precision``."""
    arch = instance.problem.architecture
    (i,) = instance.info["index_set"]
    ell = arch.depth
    params = point_at(instance, precision)
    lv = layer_values(instance.problem, params, precision)
    with mpmath.workdps(max(precision.dps, 15)):
        G, scale_g = _centred_target_gram(instance, precision, i - 1, lv)
        D = _diag(lv[0]["ds"][i])
        scale_d = _frob(D)
        for m in range(i + 1, ell):
            Dm = _diag(lv[0]["ds"][m])
            W = _matrix(instance, params, f"W_{m}")
            D = Dm * W * D
            scale_d *= _frob(Dm) * _frob(W)
        rg, rd = _rank(G, precision, scale_g), _rank(D, precision, scale_d)
    decided = rg.decided and rd.decided
    rho = rg.rank * rd.rank
    n_out, N = arch.n_out, arch.n_params
    ev = {"rank G": rg.rank, "rank D": rd.rank, "rho": rho, "G": rg.to_dict(), "D": rd.to_dict()}
    return FormulaCounts(n_out + rho, rho, N - n_out - 2 * rho, decided, ev)


def escape_coefficient(instance: Instance, precision: Precision) -> tuple[object, float]:
    """The closed form ``c`` of the module docstring (order-(k+1) Taylor coefficient) and the size
    of its summands."""
    arch = instance.problem.architecture
    idx = sorted(instance.info["index_set"])
    i1, ell = idx[0], arch.depth
    v = instance.info["direction"]
    params = point_at(instance, precision)
    lv = layer_values(instance.problem, params, precision)
    with mpmath.workdps(max(precision.dps, 15)):
        G, scale_g = _centred_target_gram(instance, precision, i1 - 1, lv)
        P = _diag(lv[0]["ds"][i1]) * _matrix(instance, v, f"W_{i1}")
        size = _frob(P)
        for m in range(i1 + 1, ell):
            M = _matrix(instance, v if m in idx else params, f"W_{m}")
            Dm = _diag(lv[0]["ds"][m])
            P = Dm * M * P
            size *= _frob(Dm) * _frob(M)
        VP = _matrix(instance, v, f"W_{ell}") * P
        size *= _frob(_matrix(instance, v, f"W_{ell}"))
        c = 2 * mpmath.fsum(VP[r, s] * G[r, s] for r in range(G.rows) for s in range(G.cols))
        return (float(c) if precision.is_float64 else c), 2 * size * scale_g


def escape_order(instance: Instance) -> int:
    """k + 1"""
    return len(instance.info["index_set"]) + 1


def reflect_last_layer(instance: Instance, v: np.ndarray) -> np.ndarray:
    """v with its W_ℓ part negated."""
    w = np.array(v, dtype=np.float64)
    w[instance.problem.architecture.layout.block(f"W_{instance.problem.architecture.depth}").slice] *= -1
    return w


def _summarize_star(checked) -> dict:
    rows: dict[tuple, list] = {}
    for inst, out in checked:
        leaf = out.leaves()[0].deciding_tier
        rho = (leaf.evidence.get("predicted") or {}).get("rho") if leaf else None
        key = (inst.problem.architecture.depth, inst.info["index_set"][0])
        entry = rows.setdefault(key, [0, 0, 0])
        entry[0] += 1
        entry[1 if rho else 2] += 1
    table = [[ell, i, n, pos, zero] for (ell, i), (n, pos, zero) in sorted(rows.items())]
    return {"tables": [{"title": "star points S_i by depth and index: strict saddles (ρ > 0) vs ρ = 0",
                        "columns": ["ℓ", "i", "instances", "ρ > 0 (strict saddle)", "ρ = 0 (flat, in C)"],
                        "rows": table}]}


def _summarize_escape(checked) -> dict:
    rows: dict[int, list] = {}
    for inst, out in checked:
        tier = out.deciding_tier
        generic = bool(tier and tier.evidence.get("generic"))
        entry = rows.setdefault(len(inst.info["index_set"]), [0, 0, 0])
        entry[0] += 1
        entry[1 if generic else 2] += 1
    table = [[k, k + 1, n, g, ng] for k, (n, g, ng) in sorted(rows.items())]
    return {"tables": [{"title": "escape order on S_I: first nonzero Taylor coefficient of L along v",
                        "columns": ["|I| = k", "order k+1", "instances", "generic: c ≠ 0, sign flips",
                                    "non-generic: closed form c = 0"], "rows": table}]}


COR_STAR_INERTIA = Spec(
    id="cooper.cor.star-inertia",
    certify=True,
    title="Star points off the core are strict saddles: inertia (n_ℓ+ρ, ρ, N−n_ℓ−2ρ)",
    source=Source(PAPER, "Corollary (catalogue; sharpens Thm 3.1/3.2)", "§3.1", ("REC", "VER")),
    statement=("At a point of S_i the Hessian has inertia (n_ℓ + ρ, ρ, N − n_ℓ − 2ρ) with "
               "ρ = rank G · rank D, G = Σ_j (ȳ − y_j) a_{i−1}(x_j)ᵀ, D = ∂a_{ℓ−1}/∂h_i; at generic points "
               "off the core ρ > 0, so star points there are strict saddles."),
    formula="p ∈ S_i  ⇒  inertia Hess L(p) = (n_ℓ + ρ, ρ, N − n_ℓ − 2ρ),  ρ = rank G · rank D",
    hypotheses=("fully connected network of depth ℓ ≥ 2", "σ smooth, σ(0) = 0 (σ'(0) ≠ 0 for ρ > 0)",
                "L2 loss", "any data with distinct inputs"),
    instances=strategies.star_locus_instances(min_depth=2, max_depth=5, max_width=4, max_inputs=3,
                                              max_outputs=2, max_data=4, max_index_set_size=1,
                                              generic=True),
    claim=claims.hessian_inertia_formula(star_inertia_counts,
                                         text="(n_ℓ + ρ, ρ, N − n_ℓ − 2ρ), ρ = rank G · rank D"),
    expected="holds",
    kind="corollary",
    summarize=_summarize_star,
    notes=("Derivation (REC): at S_i every second derivative vanishes except 2d·Id on b_ℓ and the "
           "W_ℓ×W_i block 2·G⊗D, whose rank is rank G·rank D; [[0, Bᵀ], [B, 0]] has eigenvalues "
           "±σ(B).  The formula holds at every point of S_i, not only generic ones: on C ∩ S_i "
           "(a free W_m vanishing) ρ = 0 and it reduces to Thm 3.2.  ρ and the inertia are decided "
           "at the same precision (ranks by SVD with evidence, core/rank.py).  The report's table "
           "counts strict saddles (ρ > 0).  Instances use generic=True (d ≥ 2, non-constant targets, "
           "nonzero free weight matrices — constructive), so most have ρ > 0.  Depth ℓ ≥ 2: at ℓ = 2 "
           "S_1 is the centre point alone, and it is a strict saddle too (ρ = rank G·n_1 > 0)."),
)

COR_CORE_HIGHER_ORDER_SADDLE = Spec(
    id="cooper.cor.core-higher-order-saddle",
    title="Points of S_I are saddles of order |I|+1: L(p+εv) − L(p) = c·ε^{k+1} + O(ε^{k+2})",
    source=Source(PAPER, "Corollary (catalogue; explains why C evades [JGN+17])", "§3.1",
                  ("REC", "VER")),
    statement=("On S_I with |I| = k, moving W_i (i ∈ I) and W_ℓ along a random direction v: the Taylor "
               "coefficients of L along v of orders 1..k vanish, the order-(k+1) coefficient equals the "
               "closed form c and is nonzero for generic data, and reflecting V_ℓ flips its sign — "
               "so the points of the core are degenerate saddles, never local minima, and the descent "
               "direction appears first at order k+1 (3 on C_2, 4 on C_3)."),
    formula="L(p + εv) − L(p) = c·ε^{k+1} + O(ε^{k+2}),  c = 2Σ_j(ȳ − y_j)ᵀV_ℓ P a_{i_1−1}(x_j) ≠ 0",
    hypotheses=("fully connected network of depth ℓ ≥ 2", "σ smooth, σ(0) = 0, σ'(0) ≠ 0", "L2 loss",
                "d ≥ 2 data points with distinct inputs (generic data)"),
    instances=strategies.with_random_direction(
        strategies.star_locus_instances(min_depth=2, max_depth=5, max_width=4, max_outputs=2,
                                        max_data=4, max_index_set_size=3, generic=True),
        support="escape"),
    claim=claims.leading_taylor_order(escape_order, predicted=escape_coefficient,
                                      reflect=reflect_last_layer),
    expected="holds",
    kind="corollary",
    summarize=_summarize_escape,
    notes=("Checked exactly, not by log–log slopes: Taylor-mode jets of L along v in mpmath "
           "(nested torch.func.jvp in float64), each coefficient decided against its running-error "
           "majorant.  The closed form makes 'generic' exact: c = 0 exactly when G = 0 or a free "
           "W_m (i_1 < m < ℓ) kills the path; such instances must then have order > k+1 and are "
           "counted as non-generic in the report's table.  Includes k = 1 (strict saddle, order 2)."),
)
