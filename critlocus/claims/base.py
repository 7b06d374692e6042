"""The claim protocol: a :class:`Claim` answers ``true`` / ``false`` / ``undecided`` at each
precision tier (:meth:`Claim.tier`), and :func:`critlocus.core.verdict.escalate` turns the tiers
into a verdict.  Counts are given as an ``int``, a :class:`Bound` (:func:`at_least`,
:func:`at_most`) or a callable ``instance -> int | Bound``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from critlocus.core.errors import NotCertifiable, SpecError
from critlocus.core.instance import Instance
from critlocus.core.precision import Precision
from critlocus.core.verdict import (
    FALSE,
    TRUE,
    UNDECIDED,
    Outcome,
    TierResult,
    Verdict,
    combine_outcomes,
    escalate,
)

__all__ = ["FALSE", "TRUE", "UNDECIDED", "Bound", "Claim", "Expected", "all_of", "at_least", "at_most",
           "counts_status", "custom", "describe_expected", "gap_margin", "rank_status", "resolve_expected"]


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


_RELATIONS = ("=", "≥", "≤", "<", ">", "≠")


def describe_expected(expected: Expected) -> str:
    """How an expected count reads: ``= 3``, ``≥ 1`` (a :func:`at_least` bound), or a callable's
    docstring — ``"N − n_ℓ"`` reads ``= N − n_ℓ``, and a docstring that starts with a relation
    (``"≥ N − n_ℓ"``, for a callable returning a bound) is kept as it is."""
    if isinstance(expected, Bound):
        return str(expected)
    if isinstance(expected, int):
        return f"= {expected}"
    doc = (getattr(expected, "__doc__", None) or "").strip() or "f(instance)"
    return doc if doc.startswith(_RELATIONS) else f"= {doc}"


def resolve_expected(expected: Expected | None, instance: Instance) -> Bound | None:
    if expected is None:
        return None
    value = expected(instance) if callable(expected) and not isinstance(expected, Bound) else expected
    if isinstance(value, Bound):
        return value
    return Bound("==", _count("expected count", int(value)))


def counts_status(expected: Mapping[str, Expected | None], instance: Instance, dec) -> tuple[str, dict]:
    """Decide the counts of a :class:`~critlocus.core.spectrum.SpectrumDecision` (``"positive"``,
    ``"negative"``, ``"zero"``) against ``expected``: ambiguous eigenvalues may fall in any class,
    so a count is known to lie in ``[n, n + n_ambiguous]``.  ``false`` if a bound fails for the
    whole range, ``true`` if every bound holds and the spectrum is decided, else ``undecided``.
    Returns the status and the bounds as text (for the evidence)."""
    a = dec.n_ambiguous
    ranges = {"positive": (dec.n_pos, dec.n_pos + a), "negative": (dec.n_neg, dec.n_neg + a),
              "zero": (dec.n_zero, dec.n_zero + a)}
    statuses, shown = {}, {}
    for key, exp in expected.items():
        bound = resolve_expected(exp, instance)
        if bound is None:
            continue
        shown[key] = str(bound)
        statuses[key] = bound.decide(*ranges[key])
    if FALSE in statuses.values():
        return FALSE, shown
    if all(s == TRUE for s in statuses.values()) and dec.decided:
        return TRUE, shown
    return UNDECIDED, shown


_COUNT_SYMBOLS = {"positive": "n₊", "negative": "n₋", "zero": "n₀"}


def counts_text(shown: Mapping[str, str]) -> str:
    """``{"positive": "= 0", "zero": "≥ 2"}`` → ``"n₊ = 0, n₀ ≥ 2"`` (the bounds as the paper writes them)."""
    return ", ".join(f"{_COUNT_SYMBOLS.get(k, k)} {v}" for k, v in shown.items())


def rank_status(expected: Expected, instance: Instance, dec) -> tuple[str, Bound]:
    """Decide a :class:`~critlocus.core.rank.RankDecision` (rank in ``[rank, rank + ambiguous]``)
    against ``expected``; ``true`` only when the rank is decided.  Returns the status and the bound."""
    bound = resolve_expected(expected, instance)
    status = bound.decide(*dec.rank_range)
    return (UNDECIDED if status == TRUE and not dec.decided else status), bound


def gap_margin(spectrum, precision: Precision) -> float:
    """How far past the ambiguity band a spectrum's zero/nonzero split lies (≥ 1 when decided;
    inf with no gap to measure)."""
    gap = spectrum.gap_ratio
    return (gap / precision.band_factor) if gap else math.inf


class Claim:
    """Base class.  Subclasses implement :meth:`tier` (elementary) or override :meth:`check`."""

    name = "claim"
    #: Whether :meth:`tier` understands the certified precision (ball arithmetic,
    #: :mod:`critlocus.core.certify`); other claims skip a ladder's certified tier.
    certifiable = False

    def tier(self, instance: Instance, precision: Precision) -> TierResult:
        raise NotImplementedError

    def check(self, instance: Instance, ladder: Sequence[Precision]) -> Outcome:
        """Decide this claim on ``instance`` up the precision ladder.

        An instance whose strategy could not build what the spec assumes says so in
        ``info["inconclusive"]`` (e.g. no critical point of the requested kind was found): the
        claim is then ``inconclusive`` with that reason, never judged on the wrong point.
        The certified tier is skipped by claims that cannot be certified.
        """
        info = getattr(instance, "info", None)
        unusable = info.get("inconclusive") if isinstance(info, Mapping) else None
        if unusable:
            return Outcome(Verdict.INCONCLUSIVE, self.describe(), [], f"instance not usable: {unusable}")
        ladder = [p for p in ladder if self.certifiable or not p.is_certified]

        def tier(p: Precision) -> TierResult:
            if not p.is_certified:
                return self.tier(instance, p)
            try:
                return self.tier(instance, p)
            except NotCertifiable as exc:  # e.g. a loss without an Arb jet: the next tier decides
                return TierResult(p.label, UNDECIDED, False, f"not certifiable: {exc}", {})

        return escalate(tier, ladder, check=self.describe())

    def describe(self) -> str:
        return self.name

    def __and__(self, other: Claim) -> Claim:
        return all_of(self, other)


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


class _Custom(Claim):
    def __init__(self, name: str, tier: Callable[[Instance, Precision], TierResult]):
        self.name = name
        self._tier = tier

    def tier(self, instance, precision):
        result = self._tier(instance, precision)
        if not isinstance(result, TierResult):
            raise SpecError(f"claim {self.name!r}: its tier function returned {type(result).__name__}, "
                            "expected a critlocus.core.verdict.TierResult")
        return result


def custom(name: str, tier: Callable[[Instance, Precision], TierResult]) -> Claim:
    """A claim from a function ``tier(instance, precision) -> TierResult``.

    The function answers ``"true"``, ``"false"`` or ``"undecided"`` at one precision, with
    evidence; the ladder's rules (:func:`critlocus.core.verdict.escalate`) do the rest.  Set
    ``TierResult.exact`` when the answer rests on an exact zero (float64 then escalates).
    """
    if not isinstance(name, str) or not name.strip():
        raise SpecError(f"custom claim name must be a non-empty string, got {name!r}")
    if not callable(tier):
        raise SpecError(f"custom claim {name!r}: tier must be callable (instance, precision) -> TierResult")
    return _Custom(name, tier)
