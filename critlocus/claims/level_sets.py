"""Claims at critical points, from the slice's structure (Cooper §5.3): zero eigenvalues
against rank bounds (Cor 5.16/5.18, and at saddles), the kernel K of the slice form inside
ker Hess (extrema) and the exact kernel statement (every critical point), the output-bias
curvature and the local-maximum certificate (Prop 5.13, Cor 5.19).

Numerics and conventions as in :mod:`critlocus.claims.slices` (which these build on).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import mpmath
import numpy as np

from critlocus.core.decisions import AMBIGUOUS, NONZERO, ZERO, as_float, decide_zero
from critlocus.core.instance import Instance
from critlocus.core.mpsvd import full_svd
from critlocus.core.rank import rank_from_singular_values
from critlocus.core.slices import last_layer_indices
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult

from .base import Claim
from .slices import (
    SliceRanks,
    _decide_loss_identity,
    _features,
    _last_layer_vector,
    _loss,
    _random_direction,
    _SliceClaim,
    _status,
    _term_size,
    _with_precision,
    _worst_margin,
    point_parameters,
    slice_kernel,
    slice_ranks,
)

__all__ = [
    "hessian_kernel_from_slice",
    "hessian_vanishes_on_slice_kernel",
    "not_a_local_maximum",
    "output_bias_curvature",
    "slice_zero_eigenvalues",
]


# -- Cor 5.16 / 5.18: zero eigenvalues against rank bounds --------------------------------------

def slice_zero_eigenvalues(bound: Callable[[Instance, SliceRanks], int], *, text: str,
                           only_saddles: bool = False) -> Claim:
    """``n₀(Hess L(p)) ≥ bound(instance, ranks)`` with the Hessian's inertia and the ranks of
    Φ, Φ̃ decided at the same precision (e.g. ``n_ℓ(n_{ℓ−1} − rank Φ)``).

    ``only_saddles``: the bound is asserted only at certified saddles — Hess has a negative
    eigenvalue (decided) and a positive one, so p is not an extremum; at a point with n₋ = 0
    decided the claim holds vacuously (evidence ``"vacuous"``: such a point may be a minimum).
    """
    def tier(instance, precision):
        r = slice_ranks(instance, precision)
        spec = instance.evaluation().inertia(precision)
        want = bound(instance, r)
        lo, hi = spec.n_zero, spec.n_zero + spec.n_ambiguous
        ev = {**r.evidence(), "inertia": spec.to_dict(), "bound": want, "n_zero": spec.n_zero,
              "surplus": spec.n_zero - want}
        gap = spec.gap_ratio
        ev["margin"] = (gap / precision.band_factor) if gap else math.inf
        if only_saddles:
            saddle = spec.n_neg > 0 and spec.n_pos > 0
            ev["certified_saddle"] = saddle
            if not saddle:
                if spec.n_neg + spec.n_ambiguous == 0 or (spec.n_pos + spec.n_ambiguous == 0):
                    ev["vacuous"] = "no certified negative and positive eigenvalue: not a certified saddle"
                    return TierResult(precision.label, TRUE, exact=True,
                                      summary=f"inertia {spec.inertia}: not a certified saddle (vacuous)",
                                      evidence=ev)
                return TierResult(precision.label, UNDECIDED, True,
                                  f"inertia {spec.inertia} + {spec.n_ambiguous} ambiguous: saddle?", ev)
        if not r.decided or not spec.decided:
            status = FALSE if (r.decided and hi < want) else UNDECIDED
        else:
            status = TRUE if lo >= want else FALSE
        return TierResult(precision.label, status, exact=True,
                          summary=(f"n₀ = {spec.n_zero}" + (f" + {spec.n_ambiguous} ambiguous"
                                                            if spec.n_ambiguous else "")
                                   + f", bound {text} = {want} (rank Φ = {r.k}, rank Φ̃ = {r.k_tilde}); "
                                   f"inertia {spec.inertia}"),
                          evidence=ev)

    where = " at certified saddles (n₋ > 0, n₊ > 0)" if only_saddles else ""
    return _SliceClaim(f"Hess L has ≥ {text} zero eigenvalues{where}", tier)


def _hessian_on_kernel(instance: Instance, precision, basis: list) -> list:
    """``Hess L(p)·v`` for each ``v`` of a basis of K given in last-layer coordinates ``vec(W̃)``:
    the float64 Hessian times v, or the exact R-operator product at ``precision`` (call it inside
    the working precision)."""
    evn = instance.evaluation()
    idx = last_layer_indices(instance.problem.architecture)
    N = instance.n_params
    out = []
    for v in basis:
        full = [0.0] * N if precision.is_float64 else [mpmath.mpf(0)] * N
        for i, x in zip(idx, v):
            full[i] = x
        if precision.is_float64:
            out.append(list(evn.hessian_f64() @ np.asarray(full, dtype=np.float64)))
        else:
            out.append(evn.landscape_mp(precision).hvp(full))
    return out


def _norm(xs, precision):
    """The Euclidean norm in float64, or exactly summed at the working precision."""
    if precision.is_float64:
        return float(np.linalg.norm(np.asarray(xs, dtype=np.float64)))
    return mpmath.sqrt(mpmath.fsum(x * x for x in xs))


def hessian_vanishes_on_slice_kernel() -> Claim:
    """``Hess L(p)·v = 0`` for every v of a basis of K (Cooper Cor 5.16's exact content at a
    local minimum or maximum: Hess is semidefinite and vanishes as a form on K, so K ⊆ ker Hess;
    at a saddle only ``vᵀ Hess v = 0`` is forced)."""
    def tier(instance, precision):
        r = slice_ranks(instance, precision)
        ev = r.evidence()
        if not r.phi_tilde.decided:
            return TierResult(precision.label, UNDECIDED, True, "rank Φ̃ not decided", ev)
        evn = instance.evaluation()
        N = instance.n_params

        def compute():
            products = _hessian_on_kernel(instance, precision, slice_kernel(instance, precision, r.k_tilde))
            return [_norm(Hv, precision) for Hv in products]

        norms = _with_precision(precision, compute)
        decisions = [decide_zero(nv, precision, n=N + instance.n_data, scale=evn.hessian_scale(),
                                 quantity="‖Hess L · v‖, v ∈ K") for nv in norms]
        ev.update({"dim_K": len(norms), "largest": max((d.value for d in decisions), default=0.0),
                   "threshold": decisions[0].threshold if decisions else None,
                   "margin": _worst_margin(decisions)})
        return TierResult(precision.label, _status(decisions), True,
                          f"dim K = {len(norms)}, max ‖Hess·v‖ = {ev['largest']:.2e}", ev)

    return _SliceClaim("K ⊆ ker Hess L(p)", tier)


def hessian_kernel_from_slice() -> Claim:
    """The exact kernel statement behind Cooper Cor 5.16, valid at every critical point:

        Hess L·v = (2 Σ_j J̃_jᵀ Ṽᵀ r_j, 0)   for v = Ṽ ∈ K

    (J̃_j = ∂φ̃_j/∂p', r_j = f(x_j) − y_j), hence ``ker Hess ⊇ K' = {v ∈ K : Σ_j J̃_jᵀṼᵀr_j = 0}``
    and ``n₀(Hess) ≥ dim K' = dim K − rank M``, M the p'-block of Hess on K.  Checked at each
    precision without a spectrum: the last-layer block of Hess·v vanishes for a basis of K;
    rank M is decided; Hess·v = 0 for a basis of K' (null vectors of M).
    """
    def tier(instance, precision):
        r = slice_ranks(instance, precision)
        ev = r.evidence()
        if not r.phi_tilde.decided:
            return TierResult(precision.label, UNDECIDED, True, "rank Φ̃ not decided", ev)
        evn = instance.evaluation()
        idx = last_layer_indices(instance.problem.architecture)
        last = set(idx)
        rest = [i for i in range(instance.n_params) if i not in last]
        N = instance.n_params
        scale = evn.hessian_scale()

        def compute():
            basis = slice_kernel(instance, precision, r.k_tilde)
            products = _hessian_on_kernel(instance, precision, basis)

            def norm(xs):
                return _norm(xs, precision)

            last_norms = [norm([Hv[i] for i in idx]) for Hv in products]
            if not products or not rest:
                return len(basis), last_norms, None, []
            # one SVD of M = (Hess·v_j)_{p'} gives its decided rank and its null vectors
            n_k = len(products)
            if precision.is_float64:
                A = np.array([[Hv[i] for i in rest] for Hv in products], dtype=np.float64).T
                _, sv, Vt = np.linalg.svd(A)
                method = "float64 SVD"
            else:
                A = mpmath.matrix(len(rest), n_k)
                for j, Hv in enumerate(products):
                    for i, k in enumerate(rest):
                        A[i, j] = Hv[k]
                # the thin factors hold every right singular vector unless M is wide
                if A.rows < n_k:
                    _, sv, V = full_svd(A)  # orthogonal full factors (critlocus.core.mpsvd)
                    Vt = V.T
                else:
                    _, S, Vt = mpmath.svd_r(A, full_matrices=False, compute_uv=True)
                    sv = [S[i] for i in range(n_k)]
                method = "mpmath svd_r"
            dec = rank_from_singular_values(sv, (len(rest), n_k), precision, scale=scale, method=method)
            null = [[Vt[c, j] for j in range(n_k)] for c in range(dec.rank, n_k)] if dec.decided else []
            # Hess·(Σ c_j v_j) = Σ c_j Hess·v_j for the null vectors c of M
            residuals = [norm([sum(c[j] * products[j][i] for j in range(len(products))) for i in range(N)])
                         for c in null]
            return len(basis), last_norms, dec, residuals

        dim_k, last_norms, dec, residuals = _with_precision(precision, compute)
        n = N + instance.n_data
        decisions = [decide_zero(x, precision, n=n, scale=scale, quantity="‖(Hess·v)_W̃‖, v ∈ K")
                     for x in last_norms]
        decisions += [decide_zero(x, precision, n=n, scale=scale, quantity="‖Hess·v‖, v ∈ K'")
                      for x in residuals]
        status = _status(decisions)
        rank_m = 0 if dec is None else dec.rank
        if dec is not None and not dec.decided and status == TRUE:
            status = UNDECIDED
        ev.update({"dim_K": dim_k, "rank_M": rank_m, "dim_K_prime": dim_k - rank_m,
                   "margin": _worst_margin(decisions),
                   "largest": max((d.value for d in decisions), default=0.0)})
        return TierResult(precision.label, status, True,
                          f"dim K = {dim_k}, rank M = {rank_m}: Hess vanishes on K' of dim {dim_k - rank_m} "
                          f"(so n₀ ≥ {dim_k - rank_m}); max residual {ev['largest']:.2e}", ev)

    return _SliceClaim("Hess·v = (2Σ_j J̃_jᵀṼᵀr_j, 0) on K; ker Hess ⊇ K' = K ∩ ker M", tier)


# -- Prop 5.13 / Cor 5.19: no local maxima ------------------------------------------------------

def output_bias_curvature() -> Claim:
    """``∂²L/∂b_ℓ² = 2d·Id`` (positive definite: with an output bias L has no local maximum).
    Without an output bias the claim is vacuous and answers true with that reason."""
    def tier(instance, precision):
        arch = instance.problem.architecture
        ell = arch.depth
        if not arch.bias[-1]:
            return TierResult(precision.label, TRUE, False, "no output bias: nothing to check",
                              {"no_output_bias": True, "margin": math.inf})
        evn = instance.evaluation()
        blk = arch.layout.block(f"b_{ell}")
        d = instance.n_data
        N = instance.n_params

        def compute():
            worst = 0
            for o in range(arch.n_out):
                if precision.is_float64:
                    col = evn.hessian_f64()[:, blk.offset + o]
                else:
                    e = [mpmath.mpf(0)] * N
                    e[blk.offset + o] = mpmath.mpf(1)
                    col = evn.landscape_mp(precision).hvp(e)
                for o2 in range(arch.n_out):
                    target = 2 * d if o2 == o else 0
                    worst = max(worst, abs(col[blk.offset + o2] - target))
            return worst

        dev = _with_precision(precision, compute)
        dec = decide_zero(dev, precision, n=N + d, scale=2.0 * d, quantity="max |∂²L/∂b_ℓ² − 2d·Id|")
        return TierResult(precision.label, {ZERO: TRUE, NONZERO: FALSE, AMBIGUOUS: UNDECIDED}[dec.status],
                          True, f"max |∂²L/∂b_ℓ² − 2d·Id| = {dec.value:.2e} (2d = {2 * d})",
                          {**dec.to_dict(), "margin": dec.margin})

    return _SliceClaim("∂²L/∂b_ℓ² = 2d·Id ≻ 0", tier)


def not_a_local_maximum() -> Claim:
    """At a critical point p: if ``rank Q > 0`` then ``L(p + v) − L(p) = Q(v) > 0`` for a last-
    layer direction v (the top eigenvector of Φ̃Φ̃ᵀ in the first output row), so p is not a
    local maximum; if ``rank Q = 0`` (⇔ Φ̃ = 0) L is constant on the whole slice (checked at a
    random point of it).  Together: a local maximum has ``rank Q = 0`` (Cooper Cor 5.19)."""
    def tier(instance, precision):
        r = slice_ranks(instance, precision)
        ev = r.evidence()
        if not r.phi_tilde.decided:
            return TierResult(precision.label, UNDECIDED, True, "rank Φ̃ not decided", ev)
        p = point_parameters(instance, precision)
        Phi_t = _features(instance, True)
        P64 = Phi_t.dense_float64()
        m = P64.shape[0]
        if r.k_tilde > 0:
            U, _, _ = np.linalg.svd(P64)
            v = np.zeros(instance.n_out * m)
            v[:m] = np.ldexp(np.round(np.ldexp(U[:, 0], 20)), -20)  # exact direction
        else:
            v = _random_direction(instance, 11)

        def compute():
            L0 = _loss(instance, p, precision)
            L1 = _loss(instance, _last_layer_vector(instance, p, v, 1), precision)
            return L0, L1 - L0

        L0, diff = _with_precision(precision, compute)
        T = _term_size(instance, float(np.abs(v).max()))
        dec = _decide_loss_identity(instance, diff, precision, loss_size=as_float(L0) + as_float(diff),
                                    term_size=T, quantity="L(p + v) − L(p)", terms=2)
        if r.k_tilde > 0:
            status = TRUE if (dec.status == NONZERO and as_float(diff) > 0) else (
                UNDECIDED if dec.status == AMBIGUOUS else FALSE)
            text = f"rank Q = {instance.n_out * r.k_tilde} > 0: L(p + v) − L(p) = {as_float(diff):.3e} > 0"
        else:
            status = {ZERO: TRUE, NONZERO: FALSE, AMBIGUOUS: UNDECIDED}[dec.status]
            text = f"Φ̃ = 0, rank Q = 0: L constant on the slice (change {as_float(diff):.1e})"
        ev.update({"rank_Q": instance.n_out * r.k_tilde, "change": as_float(diff), **dec.to_dict(),
                   "margin": dec.margin})
        return TierResult(precision.label, status, True, text, ev)

    return _SliceClaim("rank Q > 0 ⇒ not a local max; rank Q = 0 ⇔ Φ̃ = 0 ⇒ L constant on the slice",
                       tier)
