"""Working precisions, evidence levels and the escalation ladder.

A :class:`Precision` is IEEE float64 (evaluated with torch), an mpmath working precision of
``digits`` decimal digits, or :data:`CERTIFIED` — ball arithmetic (Arb, via python-flint) whose
answers are proofs.  Its unit roundoff ``u`` drives every tolerance in critlocus: thresholds
are ``κ · n · u · scale`` (see :mod:`critlocus.core.spectrum`), never a fixed number.

Each precision has an **evidence level**: ``float64``, ``high-precision`` (mpmath tiers, or
Arb standing in for them) or ``certified``.  A ladder such as ``"certified,30,60"`` runs
float64, then the certified tier, then mpmath at 30 and 60 digits.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from .errors import InvalidArgument

__all__ = [
    "CERTIFIED",
    "DEFAULT_LADDER",
    "EVIDENCE_LEVELS",
    "FLOAT64",
    "Precision",
    "mp_precision",
    "parse_ladder",
    "with_certified",
]

#: Evidence levels, weakest first.
EVIDENCE_LEVELS = ("float64", "high-precision", "certified")


@dataclass(frozen=True)
class Precision:
    """A working precision.

    ``kind`` is ``"float64"``, ``"mpmath"`` or ``"certified"``; ``digits`` is the decimal
    precision (15.95 for float64, the mpmath ``dps``, or Arb's working precision for the
    certified tier); ``bits`` the binary precision.
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
    def is_certified(self) -> bool:
        """Ball arithmetic whose answers are proofs (see :mod:`critlocus.core.certify`)."""
        return self.kind == "certified"

    @property
    def evidence_level(self) -> str:
        """``"float64"``, ``"high-precision"`` or ``"certified"``."""
        if self.is_float64:
            return "float64"
        return "certified" if self.is_certified else "high-precision"

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
        if self.is_certified:
            return "certified"
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

#: The certified tier: Arb ball arithmetic at 128 bits (proofs, not estimates).
CERTIFIED = Precision("certified", 128 * math.log10(2), 128)

CERTIFIED_TOKEN = "certified"


def with_certified(ladder: tuple[Precision, ...] | list[Precision]) -> tuple[Precision, ...]:
    """``ladder`` with the certified tier right after float64 (unchanged if present)."""
    ladder = tuple(ladder)
    if any(p.is_certified for p in ladder):
        return ladder
    head = [p for p in ladder if p.is_float64] or [FLOAT64]
    return (*head, CERTIFIED, *(p for p in ladder if not p.is_float64))


def parse_ladder(spec: str | tuple[int, ...] | list[int]) -> tuple[Precision, ...]:
    """Parse ``"30,60"`` (or ``(30, 60)``) into ``(FLOAT64, mp30, mp60)``.

    The ladder always starts at float64; the mpmath digits must increase strictly.  The token
    ``certified`` (e.g. ``"certified,30,60"``) adds the certified tier after float64.
    """
    if isinstance(spec, str):
        parts = [part.strip() for part in spec.split(",") if part.strip()]
        if CERTIFIED_TOKEN in parts:
            rest = ",".join(p for p in parts if p != CERTIFIED_TOKEN)
            return with_certified(parse_ladder(rest) if rest else (FLOAT64,))
        try:
            digits = [int(part) for part in parts]
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
