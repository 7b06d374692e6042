"""The one documented error type of critlocus and its refinements.

Every bad input raises a :class:`CritlocusError` whose message names the offending value
and, where possible, says what to do instead.
"""

from __future__ import annotations

__all__ = ["CritlocusError", "InvalidArgument", "NotCertifiable", "PrecisionError", "SpecError"]


class CritlocusError(Exception):
    """Base class of every error critlocus raises on purpose."""


class InvalidArgument(CritlocusError, ValueError):
    """An argument has the wrong type, shape or value (the message names it)."""


class SpecError(CritlocusError):
    """A theorem or conjecture spec is malformed, or a spec file cannot be loaded."""


class PrecisionError(CritlocusError):
    """A numerical tier was asked for something it cannot compute (e.g. a size cap)."""


class NotCertifiable(InvalidArgument):
    """The certified tier has no ball-arithmetic model of part of a problem (an activation or a
    loss without an Arb jet): a claim is then undecided at that tier and the ladder goes on."""
