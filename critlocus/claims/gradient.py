"""Gradient claims: ``∇L(p) = 0`` (Cooper §3.1, ``cooper.def.critical``)."""

from __future__ import annotations

from critlocus.core.decisions import AMBIGUOUS, NONZERO, ZERO
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult

from .base import Claim

__all__ = ["is_critical"]


class _Critical(Claim):
    name = "critical point: ∇L(p) = 0"
    certifiable = True

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


