"""Three-valued verdicts and the precision ladder that decides them.

A check is evaluated tier by tier (float64, then mpmath at increasing digits).  At each
tier it answers ``true``, ``false`` or ``undecided`` (a value fell in the ambiguity band),
and says whether its answer rests on an *exact* zero or equality.  The rules:

1. ``undecided`` escalates to the next tier.
2. float64 never reports ``fails``: a float64 ``false`` escalates for confirmation.
3. float64 evaluates the *rounded* point, so it cannot confirm an exact zero (``fl(ȳ)`` is
   not ``ȳ``): a float64 ``true`` that rests on an exact zero escalates too.  High-precision
   tiers evaluate the point rebuilt from its construction.
4. At a high-precision tier ``true`` gives ``holds``; ``false`` is confirmed at the next tier
   (when the ladder has one) and gives ``fails`` only if that tier agrees.  Once a tier has
   refuted, any later ``true`` makes the verdict ``inconclusive`` (it depends on precision).
5. If no tier decides, the verdict is ``inconclusive``.
6. The certified tier (ball arithmetic, :mod:`critlocus.core.certify`) decides for good:
   ``true`` gives ``holds`` and ``false`` gives ``fails`` with no confirmation needed (it is a
   proof); ``undecided`` moves on.  When the ladder has a certified tier, a float64 ``true``
   moves on to it instead of concluding.

Every outcome states the **evidence level** that decided it (``float64``,
``high-precision`` or ``certified``, :attr:`Outcome.evidence_level`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .precision import EVIDENCE_LEVELS, Precision

__all__ = ["Outcome", "TierResult", "Verdict", "combine_outcomes", "escalate"]

TRUE, FALSE, UNDECIDED = "true", "false", "undecided"


class Verdict(enum.StrEnum):
    HOLDS = "holds"
    FAILS = "fails"
    INCONCLUSIVE = "inconclusive"

    def __str__(self) -> str:
        return self.value


@dataclass
class TierResult:
    """What one check found at one precision."""

    precision: str
    status: str  # "true" | "false" | "undecided"
    exact: bool
    summary: str
    evidence: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"precision": self.precision, "status": self.status, "rests_on_exact_zero": self.exact,
                "summary": self.summary, "evidence": self.evidence}


@dataclass
class Outcome:
    """The verdict of one check on one instance, with every tier that was evaluated."""

    verdict: Verdict
    check: str
    tiers: list[TierResult]
    reason: str
    parts: list[Outcome] = field(default_factory=list)

    @property
    def deciding_tier(self) -> TierResult | None:
        return self.tiers[-1] if self.tiers else None

    @property
    def precision(self) -> str | None:
        return self.tiers[-1].precision if self.tiers else None

    @property
    def evidence_level(self) -> str | None:
        """The evidence behind a decided verdict: ``float64``, ``high-precision`` or
        ``certified`` (the weakest of the parts for a conjunction that holds, the failing
        part's for one that fails); ``None`` when inconclusive."""
        if self.verdict == Verdict.INCONCLUSIVE:
            return None
        if self.parts:
            levels = [p.evidence_level for p in self.parts if p.verdict == self.verdict]
            levels = [lv for lv in levels if lv is not None]
            if not levels:
                return None
            pick = min if self.verdict == Verdict.HOLDS else max
            return pick(levels, key=EVIDENCE_LEVELS.index)
        return evidence_level_of(self.precision)

    def to_dict(self) -> dict:
        out = {"check": self.check, "verdict": self.verdict.value, "reason": self.reason,
               "precision": self.precision, "evidence_level": self.evidence_level,
               "tiers": [t.to_dict() for t in self.tiers]}
        if self.parts:
            out["parts"] = [p.to_dict() for p in self.parts]
        return out

    def leaves(self) -> list[Outcome]:
        """The outcomes of the elementary checks (``self`` when it has no parts)."""
        return [leaf for p in self.parts for leaf in p.leaves()] if self.parts else [self]


def evidence_level_of(precision_label: str | None) -> str | None:
    """The evidence level of a tier's precision label (``"mpmath-30"`` → ``high-precision``)."""
    if precision_label is None:
        return None
    if precision_label in ("float64", "certified"):
        return precision_label
    return "high-precision"


def escalate(evaluate: Callable[[Precision], TierResult], ladder: Sequence[Precision], *,
             check: str = "claim") -> Outcome:
    """Run ``evaluate`` up the precision ladder and return the verdict (rules above)."""
    tiers: list[TierResult] = []
    refuted_at: str | None = None
    certify = any(p.is_certified for p in ladder)
    for i, prec in enumerate(ladder):
        result = evaluate(prec)
        tiers.append(result)
        if result.status == UNDECIDED:
            continue
        if prec.is_certified:
            if result.status == TRUE:
                return Outcome(Verdict.HOLDS, check, tiers, "certified (ball arithmetic: a proof)")
            return Outcome(Verdict.FAILS, check, tiers, "refuted with a certificate (ball arithmetic)")
        if prec.is_float64:
            if result.status == TRUE and not result.exact and not certify:
                return Outcome(Verdict.HOLDS, check, tiers, "decided in float64 (no exact zero involved)")
            continue  # float64 never fails, and cannot confirm exact zeros of the rebuilt point
        if result.status == TRUE:
            if refuted_at is not None:
                return Outcome(Verdict.INCONCLUSIVE, check, tiers,
                               f"{refuted_at} refutes but {prec.label} confirms: the verdict depends "
                               "on the precision")
            return Outcome(Verdict.HOLDS, check, tiers, f"decided at {prec.label}")
        if refuted_at is not None:
            return Outcome(Verdict.FAILS, check, tiers, f"refuted at {refuted_at}, confirmed at {prec.label}")
        refuted_at = prec.label
        if i + 1 == len(ladder):
            return Outcome(Verdict.FAILS, check, tiers, f"refuted at {prec.label} (top of the ladder)")
    if refuted_at is not None:
        return Outcome(Verdict.INCONCLUSIVE, check, tiers,
                       f"refuted at {refuted_at} but no higher precision confirmed it")
    return Outcome(Verdict.INCONCLUSIVE, check, tiers,
                   "no precision in the ladder separates zero from nonzero")


def combine_outcomes(outcomes: Sequence[Outcome]) -> Verdict:
    """Conjunction: ``fails`` if any fails, else ``inconclusive`` if any is, else ``holds``."""
    verdicts = {o.verdict for o in outcomes}
    if Verdict.FAILS in verdicts:
        return Verdict.FAILS
    if Verdict.INCONCLUSIVE in verdicts:
        return Verdict.INCONCLUSIVE
    return Verdict.HOLDS
