"""Working precisions and the escalation ladder.

A :class:`Precision` is either IEEE float64 (evaluated with torch) or an mpmath working
precision of ``digits`` decimal digits.  Its unit roundoff ``u`` drives every tolerance in
critlocus: thresholds are ``κ · n · u · scale`` (see :mod:`critlocus.core.spectrum`), never a
fixed number.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from .errors import InvalidArgument

__all__ = ["DEFAULT_LADDER", "FLOAT64", "Precision", "mp_precision", "parse_ladder"]


@dataclass(frozen=True)
class Precision:
    """A working precision.

    ``kind`` is ``"float64"`` or ``"mpmath"``; ``digits`` is the decimal precision (15.95
    for float64, the mpmath ``dps`` otherwise); ``bits`` the binary precision.
    """

    kind: str
    digits: float
    bits: int

    @property
    def unit_roundoff(self) -> float:
        """u = 2^(-bits): the largest relative rounding error of one operation."""
        return math.ldexp(1.0, -self.bits)

    @property
    def is_float64(self) -> bool:
        return self.kind == "float64"

    @property
    def dps(self) -> int:
        """mpmath decimal precision (15 for float64)."""
        return int(self.digits)

    @property
    def band_factor(self) -> float:
        """Width of the ambiguity band above the zero threshold: u^(-1/4).

        A value v with τ < |v| ≤ τ·u^(-1/4) is neither certainly rounding noise nor certainly
        a real nonzero: a quarter of the available digits is held back as a safety margin
        against an underestimated error bound (≈1e4 for float64, ≈3e7 at 30 digits).
        """
        return self.unit_roundoff ** -0.25

    @property
    def label(self) -> str:
        return "float64" if self.is_float64 else f"mpmath-{self.dps}"

    def __str__(self) -> str:
        return self.label


FLOAT64 = Precision("float64", 53 * math.log10(2), 53)


def mp_precision(digits: int) -> Precision:
    """The mpmath precision with ``digits`` decimal digits (mpmath's ``dps``)."""
    if not isinstance(digits, int) or isinstance(digits, bool) or digits < 20:
        raise InvalidArgument(
            f"mpmath precision must be an integer number of digits >= 20, got {digits!r}; "
            "below that it adds nothing over float64"
        )
    bits = math.ceil(digits * math.log2(10)) + 1
    return Precision("mpmath", float(digits), bits)


DEFAULT_LADDER: tuple[Precision, ...] = (FLOAT64, mp_precision(30), mp_precision(60))


def parse_ladder(spec: str | tuple[int, ...] | list[int]) -> tuple[Precision, ...]:
    """Parse ``"30,60"`` (or ``(30, 60)``) into ``(FLOAT64, mp30, mp60)``.

    The ladder always starts at float64; the mpmath digits must increase strictly.
    """
    if isinstance(spec, str):
        try:
            digits = [int(part) for part in spec.split(",") if part.strip()]
        except ValueError:
            raise InvalidArgument(
                f"precision ladder {spec!r} must be comma-separated digit counts, e.g. '30,60'"
            ) from None
    else:
        try:
            digits = list(spec)
        except TypeError:
            raise InvalidArgument(f"precision ladder {spec!r} must be a string such as '30,60' or a "
                                  "sequence of digit counts") from None
    if not digits:
        raise InvalidArgument("the precision ladder needs at least one mpmath tier, e.g. '30,60'")
    if any(b <= a for a, b in itertools.pairwise(digits)):
        raise InvalidArgument(f"precision ladder digits must increase strictly, got {digits}")
    return (FLOAT64, *(mp_precision(d) for d in digits))
