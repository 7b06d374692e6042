"""Zero/nonzero decisions at a given precision, with the evidence that separates them.

Every tolerance has the form of a forward-error bound

    τ = κ · n · u · S,

with ``u`` the unit roundoff of the working precision, ``n`` the number of accumulated
terms (the problem size N, plus d where sums run over data), ``S`` the magnitude of the
quantities combined (a norm of the Hessian, or ``Σ_j ||∂ℓ/∂f_j||·||J_j||`` for a gradient)
and ``κ = 4`` (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1: the rounding
error of an n-term sum or dot product is at most γ_n Σ|terms| with γ_n ≈ n·u).

A value is
- **zero** at that precision when ``|v| ≤ τ``;
- **nonzero** when ``|v| > τ · u^(-1/4)`` (the band factor of :class:`Precision`);
- **ambiguous** in between: escalate to a higher precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .precision import Precision

__all__ = ["KAPPA", "zero_threshold", "ZeroDecision", "decide_zero", "as_float"]

KAPPA = 4.0

ZERO, NONZERO, AMBIGUOUS = "zero", "nonzero", "ambiguous"


def as_float(x) -> float:
    """Convert an mpmath number (or anything real) to float, keeping 0 and signs."""
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError):
        return math.nan


def zero_threshold(precision: Precision, n: int, scale: float) -> float:
    """τ = κ·n·u·S (see the module docstring).  A zero scale gives the smallest normal float."""
    return max(KAPPA * max(n, 1) * precision.unit_roundoff * abs(scale), 1e-300)


@dataclass
class ZeroDecision:
    """Whether one nonnegative magnitude (e.g. a gradient norm) is zero at a precision."""

    precision: str
    value: float
    threshold: float
    band_top: float
    status: str
    quantity: str = "value"
    details: dict = field(default_factory=dict)

    @property
    def margin(self) -> float:
        """How far inside its class the value lies: τ/|v| for zeros, |v|/band_top for nonzeros."""
        if self.status == ZERO:
            return math.inf if self.value == 0 else self.threshold / self.value
        if self.status == NONZERO:
            return self.value / self.band_top
        return 1.0

    def to_dict(self) -> dict:
        return {
            "quantity": self.quantity,
            "precision": self.precision,
            "value": self.value,
            "threshold": self.threshold,
            "band_top": self.band_top,
            "status": self.status,
            **self.details,
        }


def decide_zero(value, precision: Precision, *, n: int, scale: float,
                quantity: str = "value", **details) -> ZeroDecision:
    """Classify ``|value|`` against τ = κ·n·u·scale and the ambiguity band above it."""
    v = abs(as_float(value))
    tau = zero_threshold(precision, n, scale)
    top = tau * precision.band_factor
    status = ZERO if v <= tau else (NONZERO if v > top else AMBIGUOUS)
    return ZeroDecision(precision.label, v, tau, top, status, quantity, dict(details))
