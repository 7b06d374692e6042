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

import mpmath

from .precision import Precision

__all__ = ["KAPPA", "ZeroDecision", "as_float", "decide_zero", "zero_threshold"]

KAPPA = 4.0

ZERO, NONZERO, AMBIGUOUS = "zero", "nonzero", "ambiguous"


def as_float(x) -> float:
    """Convert an mpmath number (or anything real) to float, keeping 0 and signs."""
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError):
        return math.nan


def zero_threshold(precision: Precision, n: int, scale: float) -> float:
    """τ = κ·n·u·S (see the module docstring), as a float (0 when S = 0 or it underflows)."""
    return KAPPA * max(n, 1) * precision.unit_roundoff * abs(float(scale))


def _threshold_mp(precision: Precision, n: int, scale: float) -> mpmath.mpf:
    """τ in mpmath: exact comparisons even where the float τ would underflow."""
    return mpmath.mpf(KAPPA) * max(n, 1) * mpmath.ldexp(1, -precision.bits) * abs(mpmath.mpf(scale))


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
            return math.inf if self.band_top == 0 else self.value / self.band_top
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
    """Classify ``|value|`` against τ = κ·n·u·scale and the ambiguity band above it.

    The comparison is exact (in mpmath), so values and thresholds below the float64 range
    (e.g. a gradient of 1e-323 at a point whose data are 0) are still classified correctly.
    """
    v = abs(mpmath.mpf(value))
    tau = _threshold_mp(precision, n, scale)
    top = tau * mpmath.mpf(precision.band_factor)
    status = ZERO if v <= tau else (NONZERO if v > top else AMBIGUOUS)
    return ZeroDecision(precision.label, as_float(v), as_float(tau), as_float(top), status, quantity,
                        dict(details))
