"""Claims about derivatives of any order along directions: which Taylor coefficients vanish.

Built on :mod:`critlocus.core.jets` (Taylor-mode differentiation in mpmath, nested
``torch.func.jvp`` in float64).  Each coefficient ``c_k`` is decided zero / nonzero against
τ = κ·n·u·m_k with ``m_k`` its running-error majorant (:func:`critlocus.core.decisions.decide_zero`).
Claims resting on exact zeros are always confirmed on the point rebuilt at high precision.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import mpmath
import numpy as np

from critlocus.core import jets
from critlocus.core.decisions import AMBIGUOUS, NONZERO, ZERO, ZeroDecision, as_float, decide_zero
from critlocus.core.errors import InvalidArgument, SpecError
from critlocus.core.instance import Instance
from critlocus.core.precision import Precision
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult

from .base import Claim

__all__ = ["leading_taylor_order", "output_derivatives_vanish", "point_at", "tier_status"]

Predicted = Callable[[Instance, Precision], tuple[object, float]]


def point_at(instance: Instance, precision: Precision) -> list | np.ndarray:
    """The instance's point realised at ``precision`` (float64 vector, or mpf list rebuilt from its
    construction — call inside ``mpmath.workdps(precision.dps)`` or not, it sets it)."""
    ev = instance.evaluation()
    if precision.is_float64:
        return ev.theta

    def build():
        with mpmath.workdps(precision.dps):
            return instance.point.realize_mp(instance.problem.data)
    return ev._memo(("params", precision.dps), build)


def tier_status(required_zero: Sequence[ZeroDecision], required_nonzero: Sequence[ZeroDecision] = (),
                extra_false: bool = False) -> str:
    """``false`` if a required zero is decided nonzero (or vice versa, or ``extra_false``),
    ``undecided`` if any is ambiguous, else ``true``."""
    if extra_false or any(d.status == NONZERO for d in required_zero) \
            or any(d.status == ZERO for d in required_nonzero):
        return FALSE
    if any(d.status == AMBIGUOUS for d in [*required_zero, *required_nonzero]):
        return UNDECIDED
    return TRUE


def _margin(decisions: Sequence[ZeroDecision]) -> float:
    return min((d.margin for d in decisions), default=math.inf)


def _default_direction(instance: Instance) -> np.ndarray:
    v = instance.info.get("direction")
    if v is None:
        raise SpecError(f"{instance!r} carries no direction; attach one with "
                        "strategies.with_random_direction or pass direction=")
    return np.asarray(v, dtype=np.float64)


def _loss_series(instance: Instance, precision: Precision, direction: np.ndarray, order: int):
    if precision.is_float64:
        return jets.taylor_loss_f64(instance.problem, point_at(instance, precision), direction, order)
    with mpmath.workdps(precision.dps):
        return jets.taylor_loss_mp(instance.problem, point_at(instance, precision), list(direction), order)


def _decide(value, precision, n, scale, quantity) -> ZeroDecision:
    with mpmath.workdps(max(precision.dps, 15)):
        return decide_zero(value, precision, n=n, scale=scale, quantity=quantity)


class _LeadingOrder(Claim):
    def __init__(self, order, direction, predicted, reflect):
        self.order, self.direction, self.predicted, self.reflect = order, direction, predicted, reflect

    def describe(self) -> str:
        text = "first nonzero Taylor coefficient of L along v has order m"
        if self.predicted is not None:
            text += " and equals its closed form (order > m exactly when the closed form vanishes)"
        if self.reflect is not None:
            text += "; the reflected direction flips its sign"
        return text

    def tier(self, instance, precision):
        m = self.order(instance) if callable(self.order) else self.order
        v = np.asarray(self.direction(instance), dtype=np.float64)
        res = _loss_series(instance, precision, v, m)
        dec = [_decide(res.coefficients[k], precision, res.chain, res.majorants[k], f"c_{k}")
               for k in range(1, m + 1)]
        lower, top = dec[:-1], dec[-1]
        zeros, nonzeros, false_extra = list(lower), [], False
        ev: dict = {"order": m, "coefficients": [as_float(c) for c in res.coefficients],
                    "majorants": res.majorants, "decisions": [d.to_dict() for d in dec]}
        generic = True
        if self.predicted is not None:
            value, scale = self.predicted(instance, precision)
            pred = _decide(value, precision, res.chain, scale, "closed form")
            diff = _decide(res.coefficients[m] - value, precision, res.chain,
                           res.majorants[m] + scale, f"c_{m} − closed form")
            zeros.append(diff)
            ev.update(predicted=as_float(value), predicted_decision=pred.to_dict(),
                      difference=diff.to_dict())
            generic = pred.status != ZERO
            if pred.status == AMBIGUOUS:
                nonzeros.append(pred)  # escalate until genericity is decided
            elif not generic:
                zeros.append(top)  # non-generic instance: the order exceeds m
        if generic:
            nonzeros.append(top)
        ev["generic"] = generic
        if self.reflect is not None and generic:
            w = np.asarray(self.reflect(instance, v), dtype=np.float64)
            ref = _loss_series(instance, precision, w, m)
            rdec = [_decide(ref.coefficients[k], precision, ref.chain, ref.majorants[k], f"c'_{k}")
                    for k in range(1, m + 1)]
            zeros.extend(rdec[:-1])
            nonzeros.append(rdec[-1])
            same_sign = (top.status == rdec[-1].status == NONZERO
                         and (res.coefficients[m] > 0) == (ref.coefficients[m] > 0))
            false_extra = same_sign
            ev.update(reflected_coefficients=[as_float(c) for c in ref.coefficients],
                      reflected_decisions=[d.to_dict() for d in rdec], sign_change=not same_sign)
        status = tier_status(zeros, nonzeros, false_extra)
        ev["margin"] = _margin(zeros + nonzeros)
        lead = next((k + 1 for k, d in enumerate(dec) if d.status == NONZERO), None)
        ev["leading_order_found"] = lead
        summary = (f"c_1..c_{m - 1} " + ("zero" if all(d.status == ZERO for d in lower) else "not all zero")
                   + f", c_{m} = {as_float(res.coefficients[m]):.3e} ({top.status})"
                   + ("" if generic else "; non-generic instance (closed form 0)"))
        return TierResult(precision.label, status, exact=True, summary=summary, evidence=ev)


def leading_taylor_order(order: int | Callable[[Instance], int], *,
                         direction: Callable[[Instance], Sequence[float]] | None = None,
                         predicted: Predicted | None = None,
                         reflect: Callable[[Instance, np.ndarray], Sequence[float]] | None = None
                         ) -> Claim:
    """``L(p + εv) − L(p) = c·ε^m + O(ε^{m+1})`` with ``c ≠ 0``: the Taylor coefficients
    ``c_1 … c_{m−1}`` of L along v are zero and ``c_m`` is nonzero.

    - ``order``: m, or ``instance -> m``;
    - ``direction``: ``instance -> v`` (default ``instance.info["direction"]``);
    - ``predicted``: optional ``(instance, precision) -> (value, scale)``, a closed form for
      ``c_m``; then ``c_m`` must equal it, and when the closed form is decided zero (a
      non-generic instance) ``c_m`` must vanish too — the evidence says ``generic: false``;
    - ``reflect``: optional ``(instance, v) -> v'`` with ``c_m(v') = −c_m(v)`` (values of L below
      and above ``L(p)`` arbitrarily close to p: a saddle, not an extremum).
    """
    if isinstance(order, bool) or not ((isinstance(order, int) and order >= 1) or callable(order)):
        raise SpecError(f"order={order!r} must be a positive integer or a callable")
    for name, fn in (("direction", direction), ("predicted", predicted), ("reflect", reflect)):
        if fn is not None and not callable(fn):
            raise SpecError(f"{name} must be callable")
    return _LeadingOrder(order, direction or _default_direction, predicted, reflect)


# --- derivatives of the outputs -------------------------------------------------------------


def _output_series(instance, precision, direction, order):
    if precision.is_float64:
        return jets.taylor_outputs_f64(instance.problem, point_at(instance, precision), direction, order)
    with mpmath.workdps(precision.dps):
        return jets.taylor_outputs_mp(instance.problem, point_at(instance, precision), list(direction),
                                      order)


class _OutputDerivatives(Claim):
    def __init__(self, order: int, excluded: Callable[[Instance], str], exception: Callable[[Instance], str],
                 mixed: bool):
        self.order, self.excluded, self.exception, self.mixed = order, excluded, exception, mixed

    def describe(self) -> str:
        return (f"derivatives of f of orders 1..{self.order} not involving the excluded block vanish, "
                "except the first derivative along the exception block (= Id)")

    def _coordinates(self, instance: Instance) -> tuple[np.ndarray, list[int]]:
        layout = instance.problem.architecture.layout
        excl = layout.block(self.excluded(instance))
        v = _default_direction(instance) if "direction" in instance.info else None
        if v is None:
            raise SpecError("output_derivatives_vanish needs instances with a direction "
                            "(strategies.with_random_direction(..., support='all-but-last-weight'))")
        if np.any(v[excl.slice] != 0):
            raise InvalidArgument(f"the direction must not move the excluded block {excl.name}")
        allowed = [i for i in range(layout.size) if not excl.offset <= i < excl.offset + excl.size]
        rng = np.random.default_rng(int(instance.info.get("direction_seed", 0)))
        exc = layout.block(self.exception(instance))
        first = [int(rng.integers(exc.offset, exc.offset + exc.size))]
        coords = first + [int(c) for c in rng.choice(allowed, size=self.order - 1)]
        return v, coords

    def tier(self, instance, precision):
        v, coords = self._coordinates(instance)
        layout = instance.problem.architecture.layout
        exc = layout.block(self.exception(instance))
        n = instance.n_params
        K = self.order
        zeros: list[ZeroDecision] = []
        rows = instance.problem.data.size
        series = _output_series(instance, precision, v, K)
        worst = 0.0
        for j in range(rows):
            for o, res in enumerate(series[j]):
                vb = float(v[exc.offset + o]) if exc.size == instance.n_out else 0.0
                for k in range(1, K + 1):
                    target = vb if k == 1 else 0
                    d = _decide(res.coefficients[k] - target, precision, res.chain,
                                res.majorants[k] + abs(target), f"D^{k}f(x_{j})_{o}[v^{k}]")
                    zeros.append(d)
                    worst = max(worst, d.value)
        mixed_ev = []
        if self.mixed and not precision.is_float64:
            units = []
            for c in coords:
                e = np.zeros(n)
                e[c] = 1.0
                units.append(e)
            names = layout.coordinate_names()
            point = point_at(instance, precision)

            def series_of(w):
                with mpmath.workdps(precision.dps):
                    out = jets.taylor_outputs_mp(instance.problem, point, list(w), K)
                return [res for row in out for res in row]

            for k in range(1, K + 1):
                values = jets.polarized_derivative_mp(series_of, units[:k])
                for idx, (value, major) in enumerate(values):
                    j, o = divmod(idx, instance.n_out)
                    expected = 1 if (k == 1 and coords[0] == exc.offset + o) else 0
                    d = _decide(value - expected, precision, n * (K + 1), major + expected,
                                f"∂^{k}f(x_{j})_{o}")
                    zeros.append(d)
                    worst = max(worst, d.value)
                mixed_ev.append({"order": k, "coordinates": [names[c] for c in coords[:k]]})
        status = tier_status(zeros)
        ev = {"order": K, "checked": len(zeros), "largest_deviation": worst,
              "margin": _margin(zeros), "mixed_partials": mixed_ev,
              "decisions_excerpt": [d.to_dict() for d in sorted(zeros, key=lambda d: -d.value)[:6]]}
        return TierResult(precision.label, status, exact=True,
                          summary=f"{len(zeros)} derivatives, largest |deviation| {worst:.2e}",
                          evidence=ev)


def output_derivatives_vanish(*, order: int = 3, excluded: Callable[[Instance], str] | None = None,
                              exception: Callable[[Instance], str] | None = None,
                              mixed: bool = True) -> Claim:
    """Every derivative of the outputs ``f(x_j)`` of orders ``1..order`` that involves no coordinate
    of the ``excluded`` block vanishes, except the first derivative along the ``exception`` block,
    which is the identity (Cooper Lemma 3.3: excluded ``W_ℓ``, exception ``b_ℓ``, at ``W_ℓ = 0``).

    Checked along the instance's direction v (zero on the excluded block; a generic v sees every
    nonzero symmetric form): ``D f[v] = v_{b_ℓ}``, ``D^k f[v^k] = 0`` for ``k ≥ 2``; and at high
    precision on mixed coordinate partials ``∂^k f/∂θ_{a_1}⋯∂θ_{a_k}`` (``a_1`` in the exception
    block, the others drawn from the allowed coordinates) by polarization of Taylor coefficients.
    """
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise SpecError(f"order={order!r} must be a positive integer")

    def last_w(inst):
        return f"W_{inst.problem.architecture.depth}"

    def last_b(inst):
        return f"b_{inst.problem.architecture.depth}"

    return _OutputDerivatives(order, excluded or last_w, exception or last_b, mixed)
