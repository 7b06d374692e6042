"""Claims: what a spec asserts about each instance, decided up the precision ladder.

Elementary claims map the numerics of :mod:`critlocus.core` to a per-tier answer
(``true`` / ``false`` / ``undecided`` plus evidence); :func:`critlocus.core.verdict.escalate`
turns those into a verdict.  Claims compose with :func:`all_of` (or ``&``).

Expected counts may be an ``int``, a bound (:func:`at_least`, :func:`at_most`) or a callable
``instance -> int | bound`` — e.g. ``zero=lambda inst: inst.n_params - inst.n_out``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from critlocus.core.decisions import AMBIGUOUS, NONZERO, ZERO, decide_zero
from critlocus.core.errors import SpecError
from critlocus.core.instance import Instance
from critlocus.core.precision import Precision
from critlocus.core.verdict import (
    FALSE,
    TRUE,
    UNDECIDED,
    Outcome,
    TierResult,
    combine_outcomes,
    escalate,
)

__all__ = [
    "Bound",
    "Claim",
    "all_of",
    "at_least",
    "at_most",
    "hessian_inertia",
    "is_critical",
    "is_degenerate",
    "is_nondegenerate",
    "positive_eigenvalues_equal",
]


@dataclass(frozen=True)
class Bound:
    """A count constraint: ``op`` is ``"=="``, ``">="`` or ``"<="``."""

    op: str
    value: int

    def __str__(self) -> str:
        return {"==": "= ", ">=": "≥ ", "<=": "≤ "}[self.op] + str(self.value)

    def decide(self, lo: int, hi: int) -> str:
        """Given that the true count lies in ``[lo, hi]``: true, false or undecided."""
        if self.op == "==":
            if self.value < lo or self.value > hi:
                return FALSE
            return TRUE if lo == hi == self.value else UNDECIDED
        if self.op == ">=":
            return FALSE if hi < self.value else (TRUE if lo >= self.value else UNDECIDED)
        return FALSE if lo > self.value else (TRUE if hi <= self.value else UNDECIDED)


def at_least(k: int) -> Bound:
    return Bound(">=", _count("at_least", k))


def at_most(k: int) -> Bound:
    return Bound("<=", _count("at_most", k))


def _count(name: str, k) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise SpecError(f"{name}({k!r}): a count must be a nonnegative integer")
    return k


Expected = int | Bound | Callable[[Instance], "int | Bound"]


def _resolve(expected: Expected | None, instance: Instance) -> Bound | None:
    if expected is None:
        return None
    value = expected(instance) if callable(expected) and not isinstance(expected, Bound) else expected
    if isinstance(value, Bound):
        return value
    return Bound("==", _count("expected count", int(value)))


class Claim:
    """Base class.  Subclasses implement :meth:`tier` (elementary) or override :meth:`check`."""

    name = "claim"

    def tier(self, instance: Instance, precision: Precision) -> TierResult:
        raise NotImplementedError

    def check(self, instance: Instance, ladder: Sequence[Precision]) -> Outcome:
        """Decide this claim on ``instance`` up the precision ladder."""
        return escalate(lambda p: self.tier(instance, p), ladder, check=self.describe())

    def describe(self) -> str:
        return self.name

    def __and__(self, other: Claim) -> Claim:
        return all_of(self, other)


class _Critical(Claim):
    name = "critical point: ∇L(p) = 0"

    def tier(self, instance, precision):
        dec = instance.evaluation().gradient_decision(precision)
        status = {ZERO: TRUE, NONZERO: FALSE, AMBIGUOUS: UNDECIDED}[dec.status]
        ev = dec.to_dict()
        ev["margin"] = dec.margin
        return TierResult(precision.label, status, exact=True,
                          summary=f"||∇L|| = {dec.value:.3e} ({dec.status}; τ = {dec.threshold:.2e})",
                          evidence=ev)


def is_critical() -> Claim:
    """``∇L(p) = 0`` (Cooper §3.1, ``cooper.def.critical``).

    Decided on ``||∇L||₂`` against τ = κ(N+d)·u·S_g (see :mod:`critlocus.core.decisions`).
    Always confirmed on the point rebuilt at high precision: an exact zero cannot be
    confirmed on a rounded float64 vector.
    """
    return _Critical()


class _Inertia(Claim):
    def __init__(self, positive: Expected | None, negative: Expected | None, zero: Expected | None):
        if positive is None and negative is None and zero is None:
            raise SpecError("hessian_inertia needs at least one of positive=, negative=, zero=")
        for name, v in (("positive", positive), ("negative", negative), ("zero", zero)):
            if (v is not None and not (isinstance(v, (int, Bound)) or callable(v))) or isinstance(v, bool):
                raise SpecError(f"hessian_inertia {name}={v!r} must be an int, a bound or a callable")
        self.expected = {"positive": positive, "negative": negative, "zero": zero}

    def describe(self) -> str:
        parts = []
        for k, v in self.expected.items():
            if v is None:
                continue
            text = str(v) if isinstance(v, Bound) else (f"= {v}" if isinstance(v, int) else
                                                         f"= {getattr(v, '__doc__', None) or 'f(instance)'}")
            parts.append(f"n_{k[:3]} {text}".replace("n_pos", "n₊").replace("n_neg", "n₋")
                         .replace("n_zer", "n₀"))
        return "Hessian inertia: " + ", ".join(parts)

    def tier(self, instance, precision):
        dec = instance.evaluation().inertia(precision)
        a = dec.n_ambiguous
        ranges = {"positive": (dec.n_pos, dec.n_pos + a), "negative": (dec.n_neg, dec.n_neg + a),
                  "zero": (dec.n_zero, dec.n_zero + a)}
        statuses = {}
        expected_out = {}
        for key, exp in self.expected.items():
            bound = _resolve(exp, instance)
            if bound is None:
                continue
            expected_out[key] = str(bound)
            statuses[key] = bound.decide(*ranges[key])
        if FALSE in statuses.values():
            status = FALSE
        elif all(s == TRUE for s in statuses.values()) and dec.decided:
            status = TRUE
        else:
            status = UNDECIDED
        ev = dec.to_dict()
        ev["expected"] = expected_out
        # how far past the band the split lies (≥ 1 when decided; inf with no gap to measure)
        ev["margin"] = (dec.gap_ratio / precision.band_factor) if dec.gap_ratio else math.inf
        return TierResult(
            precision.label, status, exact=dec.n_zero > 0,
            summary=(f"inertia (n₊, n₋, n₀) = {dec.inertia}" + (f" + {a} ambiguous" if a else "")
                     + f", expected {expected_out}; gap ratio {_fmt(dec.gap_ratio)}"),
            evidence=ev,
        )


def _fmt(x) -> str:
    return "n/a" if x is None else ("inf" if x == math.inf else f"{x:.2e}")


def hessian_inertia(*, positive: Expected | None = None, negative: Expected | None = None,
                    zero: Expected | None = None) -> Claim:
    """The Hessian's inertia ``(n₊, n₋, n₀)`` matches the given counts or bounds.

    Counts are decided by :meth:`critlocus.core.evaluation.PointEvaluation.inertia`: float64
    ``eigvalsh``, then mpmath (dense ``eigsy`` for small N, a range sketch otherwise).
    """
    return _Inertia(positive, negative, zero)


def is_degenerate() -> Claim:
    """``det Hess L(p) = 0``: at least one zero eigenvalue (Cooper Def. 5.6's negation)."""
    return _Inertia(None, None, at_least(1))


def is_nondegenerate() -> Claim:
    """Every Hessian eigenvalue is nonzero (Cooper Def. 5.6)."""
    return _Inertia(None, None, 0)


class _PositiveEigenvaluesEqual(Claim):
    def __init__(self, value: float | Callable[[Instance], float], text: str):
        self.value = value
        self.text = text

    def describe(self) -> str:
        return f"every positive Hessian eigenvalue equals {self.text}"

    def tier(self, instance, precision):
        ev_obj = instance.evaluation()
        dec = ev_obj.inertia(precision)
        target = self.value(instance) if callable(self.value) else self.value
        if not dec.decided:
            return TierResult(precision.label, UNDECIDED, True,
                              "spectrum not separated at this precision", dec.to_dict())
        positives = [v for v in dec.nonzero_eigenvalues if v > 0]
        decisions = [decide_zero(v - target, precision, n=instance.n_params,
                                 scale=ev_obj.hessian_scale(), quantity="λ − target")
                     for v in positives]
        if any(d.status == NONZERO for d in decisions):
            status = FALSE
        elif any(d.status == AMBIGUOUS for d in decisions):
            status = UNDECIDED
        else:
            status = TRUE
        worst = max((d.value for d in decisions), default=0.0)
        ev = {"target": float(target), "positive_eigenvalues": [float(v) for v in positives],
              "largest_deviation": worst,
              "threshold": decisions[0].threshold if decisions else None,
              "band_top": decisions[0].band_top if decisions else None,
              "margin": min((d.margin for d in decisions), default=math.inf),
              "spectrum": dec.to_dict()}
        return TierResult(precision.label, status, True,
                          f"{len(positives)} positive eigenvalues, max |λ − {self.text}| = {worst:.2e}",
                          ev)


def positive_eigenvalues_equal(value: float | Callable[[Instance], float], *, text: str | None = None
                               ) -> Claim:
    """Every positive Hessian eigenvalue equals ``value`` (a number or ``instance -> number``),
    decided as ``|λ − value| = 0`` against τ = κ·N·u·S_H.  ``text`` names the value in reports."""
    if not callable(value) and not isinstance(value, (int, float)):
        raise SpecError(f"positive_eigenvalues_equal value={value!r} must be a number or a callable")
    return _PositiveEigenvaluesEqual(value, text or (str(value) if not callable(value) else
                                                     (value.__doc__ or "f(instance)")))


class _AllOf(Claim):
    def __init__(self, claims: Sequence[Claim]):
        flat: list[Claim] = []
        for c in claims:
            if not isinstance(c, Claim):
                raise SpecError(f"all_of expects claims, got {c!r}")
            flat.extend(c.claims if isinstance(c, _AllOf) else [c])
        if not flat:
            raise SpecError("all_of needs at least one claim")
        self.claims = flat

    def describe(self) -> str:
        return " ∧ ".join(c.describe() for c in self.claims)

    def check(self, instance, ladder):
        parts = [c.check(instance, ladder) for c in self.claims]
        verdict = combine_outcomes(parts)
        failing = [p for p in parts if p.verdict == verdict]
        reason = "; ".join(f"{p.check}: {p.reason}" for p in failing) if failing else ""
        tiers = [t for p in parts for t in p.tiers]
        return Outcome(verdict, self.describe(), tiers, reason, parts=parts)


def all_of(*claims: Claim) -> Claim:
    """The conjunction: fails if any part fails, inconclusive if any part is, else holds."""
    return _AllOf(claims)
