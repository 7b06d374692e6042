"""Claims about slices ``π⁻¹(p')`` over the hidden layers (Cooper §5): L is a PSD quadratic on
each slice, its form has rank ``n_ℓ·rank Φ̃``, L is constant on ``p + K``, the segment to
the least-squares last layer (claims at critical points: :mod:`.level_sets`).

Notation and numerics: :mod:`critlocus.core.slices`.  Every identity is decided at each
precision on the point *rebuilt* at that precision, against a threshold τ = κ·n·u·S
(:mod:`critlocus.core.decisions`) whose scale S is the size of the terms combined — for a
loss value, ``(√L + T)²`` with ``T = (Σ_j ‖ |W̃|·|φ̃_j| + |y_j| ‖²)^½`` the size of the terms
summed into the residuals — and ranks by :func:`critlocus.core.rank.decide_rank`.  These
identities rest on exact zeros, so float64 never decides them alone (it escalates).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import mpmath
import numpy as np

from critlocus.core import float64 as f64
from critlocus.core.decisions import AMBIGUOUS, NONZERO, ZERO, ZeroDecision, as_float, decide_zero
from critlocus.core.errors import SpecError
from critlocus.core.instance import Instance
from critlocus.core.precision import Precision
from critlocus.core.rank import RankDecision, decide_rank
from critlocus.core.slices import (
    FeatureMatrix,
    SliceHessianBlock,
    features_float64,
    kernel_basis,
    last_layer_indices,
    least_squares_last_layer,
    loss_mp,
)
from critlocus.core.spectrum import classify_spectrum
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult

from .base import Claim

__all__ = [
    "SliceRanks",
    "constant_on_slice_kernel",
    "loss_decision",
    "output_jacobian_source",
    "point_parameters",
    "segment_to_interpolation",
    "slice_critical_points_interpolate",
    "slice_form_rank",
    "slice_ranks",
    "slice_restriction_is_quadratic",
]


# -- per-instance numerics (cached on the instance) -------------------------------------------

def _cache(instance: Instance) -> dict:
    return instance.__dict__.setdefault("_slice_cache", {})


def point_parameters(instance: Instance, precision: Precision) -> Sequence:
    """The instance's point at ``precision``: the float64 vector, or the mpmath vector the
    evaluation rebuilt at that precision (read from its landscape, so a polished point is not
    polished twice)."""
    ev = instance.evaluation()
    if precision.is_float64:
        return ev.theta
    land = ev.landscape_mp(precision)
    out: list = []
    for k in range(1, land.depth + 1):
        for row in land.W[k]:
            out.extend(row)
        if land.b[k] is not None:
            out.extend(land.b[k])
    return out


def output_jacobian_source(instance: Instance):
    """J = ∂(f_p(x_j))_{j,o}/∂p at the instance's point, rebuilt per precision (a
    :class:`~critlocus.core.rank.MatrixSource` for :func:`critlocus.claims.matrix_rank`)."""
    from critlocus.core.interpolation import OutputJacobian

    return _source(instance, "J", lambda: OutputJacobian(instance.problem, _params_at(instance)))


def _params_at(instance: Instance) -> Callable[[Precision], Sequence]:
    return lambda precision: point_parameters(instance, precision)


def _source(instance: Instance, key: str, make):
    c = _cache(instance)
    if key not in c:
        c[key] = make()
    return c[key]


def _features(instance: Instance, augmented: bool) -> FeatureMatrix:
    arch = instance.problem.architecture
    if arch.depth < 2:
        raise SpecError(f"slice claims need a hidden layer (depth ℓ ≥ 2), got {arch}")
    return _source(instance, f"Phi{int(augmented)}",
                   lambda: FeatureMatrix(instance.problem, _params_at(instance),
                                         augmented=augmented and bool(arch.bias[-1])))


def _slice_block(instance: Instance) -> SliceHessianBlock:
    ev = instance.evaluation()
    return _source(instance, "Q", lambda: SliceHessianBlock(
        instance.problem, ev.hessian_f64, lambda prec, v: ev.landscape_mp(prec).hvp(v)))


class SliceRanks:
    """``rank Φ``, ``rank Φ̃`` and (optionally) ``rank Q`` decided at one precision."""

    def __init__(self, instance: Instance, precision: Precision, *, form: bool = False):
        self.phi = decide_rank(_features(instance, False), precision)
        self.phi_tilde = decide_rank(_features(instance, True), precision)
        self.form: RankDecision | None = decide_rank(_slice_block(instance), precision) if form else None

    @property
    def decisions(self) -> list[RankDecision]:
        return [d for d in (self.phi, self.phi_tilde, self.form) if d is not None]

    @property
    def decided(self) -> bool:
        return all(d.decided for d in self.decisions)

    @property
    def k(self) -> int:
        return self.phi.rank

    @property
    def k_tilde(self) -> int:
        return self.phi_tilde.rank

    def evidence(self) -> dict:
        out = {"rank_phi": _rank_ev(self.phi), "rank_phi_tilde": _rank_ev(self.phi_tilde)}
        if self.form is not None:
            out["rank_Q"] = _rank_ev(self.form)
        return out


def _rank_ev(dec: RankDecision) -> dict:
    s = dec.spectrum
    return {"rank": dec.rank, "ambiguous": dec.n_ambiguous, "shape": list(dec.shape),
            "largest_zero": s.largest_zero, "smallest_nonzero": s.smallest_nonzero,
            "threshold": s.threshold, "gap_ratio": s.gap_ratio, "decided": dec.decided}


def slice_ranks(instance: Instance, precision: Precision, *, form: bool = False) -> SliceRanks:
    """Decided ranks of Φ, Φ̃ (and the slice form Q) at ``precision``, cached per instance."""
    key = ("ranks", precision.label, form)
    return _source(instance, str(key), lambda: SliceRanks(instance, precision, form=form))


def _rank_margin(ranks: SliceRanks, precision: Precision) -> float:
    gaps = [d.spectrum.gap_ratio for d in ranks.decisions if d.spectrum.gap_ratio]
    return min(gaps) / precision.band_factor if gaps else math.inf


# -- loss values and their rounding scale -----------------------------------------------------

def _loss(instance: Instance, params: Sequence, precision: Precision):
    if precision.is_float64:
        return f64.loss_f64(instance.problem, np.asarray(params, dtype=np.float64))
    with mpmath.workdps(precision.dps):
        return loss_mp(instance.problem, params)


def _term_size(instance: Instance, extra_last_layer: float = 0.0) -> float:
    """T = (Σ_j ‖ (|W̃| + e)·|φ̃_j| + |y_j| ‖²)^½: the size of the terms summed into the
    residuals at the point and at points up to ``e`` away in the last layer (max norm)."""
    problem = instance.problem
    arch = problem.architecture
    theta = instance.evaluation().theta
    A = np.abs(features_float64(problem, theta))
    if arch.bias[-1]:
        A = np.vstack([A, np.ones((1, A.shape[1]))])
    W = np.abs(theta[last_layer_indices(arch)].reshape(arch.n_out, A.shape[0])) + abs(extra_last_layer)
    T = W @ A + np.abs(problem.data.Y).T
    return float(np.linalg.norm(T))


def _decide_loss_identity(instance: Instance, value, precision: Precision, *, loss_size: float,
                          term_size: float, quantity: str, terms: int = 1) -> ZeroDecision:
    """``|value| = 0`` for a combination of ``terms`` loss values of size ≤ ``loss_size``."""
    scale = terms * (math.sqrt(max(loss_size, 0.0)) + term_size) ** 2
    return decide_zero(value, precision, n=instance.n_params + instance.n_data, scale=scale,
                       quantity=quantity)


def _status(decisions: Sequence[ZeroDecision]) -> str:
    """All zero: true; any nonzero: false; else undecided."""
    if any(d.status == NONZERO for d in decisions):
        return FALSE
    if any(d.status == AMBIGUOUS for d in decisions):
        return UNDECIDED
    return TRUE


def _worst_margin(decisions: Sequence[ZeroDecision]) -> float:
    return min((d.margin for d in decisions), default=math.inf)


def _last_layer_vector(instance: Instance, params: Sequence, direction: Sequence, t) -> list:
    """``params + t·direction`` with ``direction`` given in ``vec(W̃)`` coordinates."""
    out = list(params)
    for i, v in zip(last_layer_indices(instance.problem.architecture), direction):
        out[i] = out[i] + t * v
    return out


def _random_direction(instance: Instance, salt: int) -> np.ndarray:
    """An exact (dyadic) random last-layer direction, the same at every precision."""
    n = len(last_layer_indices(instance.problem.architecture))
    rng = np.random.default_rng([instance.seed, salt, n])
    return np.ldexp(np.round(np.ldexp(rng.standard_normal(n), 10)), -10)


class _SliceClaim(Claim):
    """A claim whose tier function is given; ``exact`` answers escalate past float64."""

    def __init__(self, name: str, tier_fn):
        self.name = name
        self._tier_fn = tier_fn

    def tier(self, instance, precision):
        return self._tier_fn(instance, precision)


def _with_precision(precision: Precision, fn):
    if precision.is_float64:
        return fn()
    with mpmath.workdps(precision.dps):
        return fn()


def loss_decision(instance: Instance, precision: Precision) -> ZeroDecision:
    """Is ``L(p) = 0`` at ``precision``?  (Decided against τ with the loss terms' size.)"""
    def compute():
        return _with_precision(precision, lambda: _loss(instance, point_parameters(instance, precision),
                                                        precision))
    L = _source(instance, f"loss-{precision.label}", compute)
    return _decide_loss_identity(instance, L, precision, loss_size=as_float(L),
                                 term_size=_term_size(instance), quantity="L(p)")


# -- Prop 5.7: L|slice is a quadratic with PSD quadratic part ---------------------------------

def slice_restriction_is_quadratic(*, directions: int = 2) -> Claim:
    """L restricted to the slice is the quadratic ``Σ_j ‖W_ℓ φ_j + b_ℓ − y_j‖²``:

    - along ``directions`` random exact last-layer directions v the third difference
      ``L(p+3v) − 3L(p+2v) + 3L(p+v) − L(p)`` vanishes (a cubic term would survive);
    - the second difference equals ``2Q(v) = 2‖ṼΦ̃‖²`` (features from their own forward pass);
    - the exact slice Hessian block (R-operator) equals ``2·(Id ⊗ Φ̃Φ̃ᵀ)`` entrywise and has no
      negative eigenvalue (Q is PSD).
    """
    def tier(instance, precision):
        params = point_parameters(instance, precision)
        Phi_t = _features(instance, True)
        P = Phi_t.dense_float64() if precision.is_float64 else Phi_t.dense_mp(precision)
        decisions, rows = [], []
        for s in range(directions):
            v = _random_direction(instance, s)
            vmax = float(np.abs(v).max())

            def values(v=v):
                Ls = [_loss(instance, _last_layer_vector(instance, params, v, t), precision)
                      for t in (-1, 0, 1, 2, 3)]
                Vt = np.asarray(v).reshape(instance.n_out, -1)
                if precision.is_float64:
                    Q = float(np.sum((Vt @ P) ** 2))
                else:
                    Vm = mpmath.matrix([[mpmath.mpf(float(x)) for x in row] for row in Vt])
                    R = Vm * P
                    Q = mpmath.fsum(R[i, j] ** 2 for i in range(R.rows) for j in range(R.cols))
                # combined at the working precision (outside workdps mpf arithmetic is 53-bit)
                return Ls, Q, Ls[4] - 3 * Ls[3] + 3 * Ls[2] - Ls[1], Ls[2] - 2 * Ls[1] + Ls[0] - 2 * Q

            Ls, Q, third, second = _with_precision(precision, values)
            big = max(as_float(x) for x in Ls)
            T = _term_size(instance, 3 * vmax)
            decisions.append(_decide_loss_identity(instance, third, precision, loss_size=big, term_size=T,
                                                   quantity="third difference", terms=8))
            decisions.append(_decide_loss_identity(instance, second, precision, loss_size=big,
                                                   term_size=T, quantity="second difference − 2Q(v)",
                                                   terms=6))
            rows.append({"third_difference": as_float(third), "second_minus_2Q": as_float(second),
                         "Q(v)": as_float(Q)})
        # the slice Hessian block against the Gram formula, and its inertia
        block = _slice_block(instance)
        B = block.dense_float64() if precision.is_float64 else block.dense_mp(precision)
        m = P.shape[0] if precision.is_float64 else P.rows
        n_out = instance.n_out

        def gram_deviation():
            G = P @ P.T if precision.is_float64 else P * P.T
            worst = 0
            for o in range(n_out):
                for i in range(m):
                    for j in range(m):
                        worst = max(worst, abs(B[o * m + i, o * m + j] - G[i, j]))
                for o2 in range(n_out):
                    if o2 != o:
                        for i in range(m):
                            for j in range(m):
                                worst = max(worst, abs(B[o * m + i, o2 * m + j]))
            return worst

        dev = _with_precision(precision, gram_deviation)
        gscale = float(np.linalg.norm(Phi_t.dense_float64())) ** 2
        decisions.append(decide_zero(dev, precision, n=instance.n_params + instance.n_data,
                                     scale=gscale + float(np.linalg.norm(block.dense_float64())),
                                     quantity="max |½∂²L/∂W̃² − Id⊗Φ̃Φ̃ᵀ|"))
        if precision.is_float64:
            eig = list(np.linalg.eigvalsh(np.asarray(B)))
        else:
            with mpmath.workdps(precision.dps):
                eig = list(mpmath.eigsy(B, eigvals_only=True))
        spec = classify_spectrum(eig, precision, size=len(eig), scale=gscale, method="slice block eig")
        status = _status(decisions)
        if spec.n_neg > 0 and status != UNDECIDED:
            status = FALSE
        elif spec.n_ambiguous and status == TRUE:
            status = UNDECIDED
        ev = {"directions": rows, "decisions": [d.to_dict() for d in decisions],
              "slice_block_inertia": spec.inertia, "margin": _worst_margin(decisions)}
        return TierResult(precision.label, status, exact=True,
                          summary=(f"max |Δ³L| = {max(abs(r['third_difference']) for r in rows):.2e}, "
                                   f"|Δ²L − 2Q| = {max(abs(r['second_minus_2Q']) for r in rows):.2e}, "
                                   f"|½H_W̃W̃ − Id⊗Φ̃Φ̃ᵀ| = {as_float(dev):.2e}, "
                                   f"slice-block inertia {spec.inertia}"),
                          evidence=ev)

    return _SliceClaim("L on the slice is the PSD quadratic Σ_j‖W_ℓφ_j + b_ℓ − y_j‖²", tier)


# -- Lemma 5.14: rank of the slice form ------------------------------------------------------

def slice_form_rank(*, bound: Callable[[Instance, SliceRanks], int] | None = None,
                    text: str = "n_ℓ·rank Φ̃") -> Claim:
    """``rank Q = n_ℓ·rank Φ̃`` and ``rank Φ̃ − rank Φ ∈ {0, 1}`` (all three decided), or, with
    ``bound``, ``rank Q ≤ bound(instance, ranks)`` (e.g. the paper's literal ``k·n_ℓ``)."""
    def tier(instance, precision):
        r = slice_ranks(instance, precision, form=True)
        ev = {**r.evidence(), "margin": _rank_margin(r, precision)}
        rq = r.form.rank
        if not r.decided:
            return TierResult(precision.label, UNDECIDED, True, "a rank is not decided", ev)
        if bound is None:
            ok = rq == instance.n_out * r.k_tilde and r.k_tilde - r.k in (0, 1)
            want = instance.n_out * r.k_tilde
        else:
            want = bound(instance, r)
            ok = rq <= want
        ev.update({"rank_Q": rq, "bound": want, "k": r.k, "k_tilde": r.k_tilde})
        return TierResult(precision.label, TRUE if ok else FALSE, exact=True,
                          summary=(f"rank Q = {rq}, rank Φ = k = {r.k}, rank Φ̃ = {r.k_tilde}, "
                                   f"n_ℓ = {instance.n_out}; {'=' if bound is None else '≤'} {want} "
                                   + ("holds" if ok else "violated")),
                          evidence=ev)

    name = f"rank Q_p' = {text}, rank Φ̃ ∈ {{k, k+1}}" if bound is None else f"rank Q_p' ≤ {text}"
    return _SliceClaim(name, tier)


# -- Thm 5.15 / 5.17: L constant on p + K ------------------------------------------------------

def constant_on_slice_kernel(*, min_dimension: Callable[[Instance, SliceRanks], int] | None = None,
                             text: str = "", t_values: Sequence[float] = (1.0, -2.5)) -> Claim:
    """L is constant on the affine space ``p + K``, ``K = {(V, β) : Vφ_j + β = 0 ∀j}``:
    ``L(p + t v) = L(p)`` for every vector v of an orthonormal basis of K (computed at each
    precision from Φ̃ rebuilt there), ``t = t_values[0]``, and for one random combination of
    them at ``t = t_values[1]``; ``dim K = n_ℓ(rows Φ̃ − rank Φ̃)``, which must be at least
    ``min_dimension(instance, ranks)`` when given."""
    def tier(instance, precision):
        r = slice_ranks(instance, precision)
        ev = r.evidence()
        if not r.phi_tilde.decided:
            return TierResult(precision.label, UNDECIDED, True, "rank Φ̃ not decided", ev)
        params = point_parameters(instance, precision)
        Phi_t = _features(instance, True)
        P = Phi_t.dense_float64() if precision.is_float64 else Phi_t.dense_mp(precision)

        def compute():
            basis = kernel_basis(P, r.k_tilde, instance.n_out)
            L0 = _loss(instance, params, precision)
            diffs = []
            for v in basis:
                diffs.append(_loss(instance, _last_layer_vector(instance, params, v, t_values[0]),
                                   precision) - L0)
            if basis:
                rng = np.random.default_rng([instance.seed, 7])
                c = [float(x) for x in np.ldexp(np.round(np.ldexp(rng.standard_normal(len(basis)), 8)), -8)]
                combo = [sum(ci * v[i] for ci, v in zip(c, basis)) for i in range(len(basis[0]))]
                diffs.append(_loss(instance, _last_layer_vector(instance, params, combo, t_values[1]),
                                   precision) - L0)
            return basis, L0, diffs

        basis, L0, diffs = _with_precision(precision, compute)
        dim = len(basis)
        T = _term_size(instance, 3 * max(abs(t) for t in t_values))
        decisions = [_decide_loss_identity(instance, dv, precision, loss_size=as_float(L0), term_size=T,
                                           quantity="L(p + tv) − L(p)", terms=2) for dv in diffs]
        status = _status(decisions)
        want = min_dimension(instance, r) if min_dimension is not None else None
        if want is not None and not r.phi.decided:
            status = UNDECIDED if status == TRUE else status
        if want is not None and dim < want:
            status = FALSE
        ev.update({"dim_K": dim, "required_dim": want, "loss": as_float(L0),
                   "largest_change": max((d.value for d in decisions), default=0.0),
                   "threshold": decisions[0].threshold if decisions else None,
                   "margin": _worst_margin(decisions)})
        return TierResult(precision.label, status, exact=True,
                          summary=(f"dim K = {dim}" + (f" (≥ {want} required)" if want is not None else "")
                                   + f", max |L(p+tv) − L(p)| = {ev['largest_change']:.2e}"),
                          evidence=ev)

    return _SliceClaim("L(p + v) = L(p) for v ∈ K = ker Q_π(p)" + (f", dim K ≥ {text}" if text else ""), tier)


# -- Lemma 5.8 / Cor 5.9: least squares on the slice ------------------------------------------

def _least_squares_point(instance: Instance, precision: Precision, rank: int) -> list:
    Phi_t = _features(instance, True)
    params = point_parameters(instance, precision)
    P = Phi_t.dense_float64() if precision.is_float64 else Phi_t.dense_mp(precision)
    W = least_squares_last_layer(P, instance.problem.data.Y, rank)
    rows = [list(w) for w in W]
    flat = [x for row in rows for x in row]
    out = list(params)
    for i, v in zip(last_layer_indices(instance.problem.architecture), flat):
        out[i] = v
    return out


def slice_critical_points_interpolate() -> Claim:
    """Lemma 5.8: with ``rank Φ = d``, the slice's critical points — ``W̃* + K``, W̃* the
    least-squares last layer — interpolate: ``L = 0`` at W̃* and at ``W̃* + v`` for a random
    v ∈ K, both decided at each precision."""
    def tier(instance, precision):
        r = slice_ranks(instance, precision)
        ev = r.evidence()
        d = instance.n_data
        if not (r.phi.decided and r.phi_tilde.decided):
            return TierResult(precision.label, UNDECIDED, True, "rank Φ not decided", ev)
        if r.k != d:
            return TierResult(precision.label, FALSE, True, f"rank Φ = {r.k} < d = {d}", ev)

        p = point_parameters(instance, precision)

        def compute():
            q = _least_squares_point(instance, precision, r.k_tilde)
            Lq = _loss(instance, q, precision)
            Phi_t = _features(instance, True)
            P = Phi_t.dense_float64() if precision.is_float64 else Phi_t.dense_mp(precision)
            basis = kernel_basis(P, r.k_tilde, instance.n_out)
            Lk = None
            if basis:
                Lk = _loss(instance, _last_layer_vector(instance, q, basis[0], 1.5), precision)
            return Lq, Lk, max(abs(as_float(b - a)) for a, b in zip(p, q)) + 1.5

        Lq, Lk, step = _with_precision(precision, compute)
        T = _term_size(instance, step)
        decisions = [_decide_loss_identity(instance, v, precision, loss_size=0.0, term_size=T,
                                           quantity="L at a slice-critical point")
                     for v in (Lq, Lk) if v is not None]
        ev.update({"loss_at_least_squares": as_float(Lq), "loss_on_K": None if Lk is None else as_float(Lk),
                   "margin": _worst_margin(decisions)})
        return TierResult(precision.label, _status(decisions), True,
                          f"rank Φ = d = {d}; L(W̃*) = {as_float(Lq):.2e}"
                          + ("" if Lk is None else f", L(W̃* + v) = {as_float(Lk):.2e}"), ev)

    return _SliceClaim("rank Φ(p') = d ⇒ every slice-critical point has L = 0", tier)


def segment_to_interpolation(*, t_values: Sequence[float] = (0.25, 0.5, 0.75, 1.0)) -> Claim:
    """Cor 5.9: with q the minimum-norm interpolating last layer on p's slice (rank Φ̃ = d),
    ``L(p + t(q − p)) = (1 − t)² L(p)`` for every t in ``t_values`` and ``L(p) > 0``: L
    decreases strictly (quadratically) along the segment to a global minimum."""
    def tier(instance, precision):
        r = slice_ranks(instance, precision)
        ev = r.evidence()
        d = instance.n_data
        if not r.phi_tilde.decided:
            return TierResult(precision.label, UNDECIDED, True, "rank Φ̃ not decided", ev)
        if r.k_tilde != d:
            return TierResult(precision.label, FALSE, True, f"rank Φ̃ = {r.k_tilde} < d = {d}", ev)
        p = point_parameters(instance, precision)

        def compute():
            q = _least_squares_point(instance, precision, d)
            L0 = _loss(instance, p, precision)
            diffs = []
            for t in t_values:
                tt = t if precision.is_float64 else mpmath.mpf(t)
                pt = [a + tt * (b - a) for a, b in zip(p, q)]
                diffs.append(_loss(instance, pt, precision) - (1 - tt) ** 2 * L0)
            return L0, diffs, max(abs(as_float(b - a)) for a, b in zip(p, q))

        L0, diffs, step = _with_precision(precision, compute)
        T = _term_size(instance, step)
        decisions = [_decide_loss_identity(instance, v, precision, loss_size=as_float(L0), term_size=T,
                                           quantity="L(p + t(q−p)) − (1−t)²L(p)", terms=2) for v in diffs]
        positive = _decide_loss_identity(instance, L0, precision, loss_size=as_float(L0), term_size=T,
                                         quantity="L(p)")
        status = _status(decisions)
        if positive.status == ZERO:
            status = FALSE if status != UNDECIDED else status
        elif positive.status == AMBIGUOUS and status == TRUE:
            status = UNDECIDED
        ev.update({"loss": as_float(L0), "identity_errors": [as_float(v) for v in diffs],
                   "t_values": list(t_values), "margin": _worst_margin(decisions),
                   "loss_positive": positive.to_dict()})
        return TierResult(precision.label, status, True,
                          f"L(p) = {as_float(L0):.3e} > 0; max |L(p+t(q−p)) − (1−t)²L(p)| = "
                          f"{max(abs(as_float(v)) for v in diffs):.2e}", ev)

    return _SliceClaim("L(p + t(q − p)) = (1 − t)² L(p), L(p) > 0", tier)
