"""Rank claims: ``rank A(instance) = r`` (or ≥, ≤) for a matrix built from the instance at every
precision — e.g. the output Jacobian at a global minimum (Cooper §4.1), the augmented feature
matrix of a slice (Lemma 5.14), the differential of μ_d (Trager–Kohn–Bruna)."""

from __future__ import annotations

import math
from collections.abc import Callable

from critlocus.core.errors import SpecError
from critlocus.core.instance import Instance
from critlocus.core.rank import MatrixSource, decide_rank
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult

from .base import Bound, Claim, Expected, describe_expected, resolve_expected

__all__ = ["matrix_rank"]


class _MatrixRank(Claim):
    def __init__(self, matrix: Callable[[Instance], MatrixSource], expected: Expected, name: str):
        self.matrix = matrix
        self.expected = expected
        self.name = name

    def describe(self) -> str:
        return f"rank {self.name} {describe_expected(self.expected)}"

    def _source(self, instance: Instance) -> MatrixSource:
        cache = instance.__dict__.setdefault("_matrix_sources", {})  # one build per instance
        key = (id(self), self.name)
        if key not in cache:
            src = self.matrix(instance)
            if not isinstance(src, MatrixSource):
                raise SpecError(f"rank claim {self.name!r}: matrix() returned {type(src).__name__}, "
                                "expected a critlocus.core.rank.MatrixSource")
            cache[key] = src
        return cache[key]

    def tier(self, instance, precision):
        dec = decide_rank(self._source(instance), precision)
        bound = resolve_expected(self.expected, instance)
        lo, hi = dec.rank_range
        status = bound.decide(lo, hi)
        if status == TRUE and not dec.decided:
            status = UNDECIDED
        ev = dec.to_dict()
        ev["expected"] = str(bound)
        gap = dec.spectrum.gap_ratio
        ev["margin"] = (gap / precision.band_factor) if gap else math.inf
        n_zero = min(dec.shape) - hi
        return TierResult(precision.label, status if status in (TRUE, FALSE) else UNDECIDED,
                          exact=n_zero > 0,
                          summary=(f"rank {self.name} = {lo}" + (f"…{hi}" if hi > lo else "")
                                   + f" of {min(dec.shape)}, expected {bound}; gap ratio "
                                   + ("n/a" if gap is None else f"{gap:.2e}")),
                          evidence=ev)


def matrix_rank(matrix: Callable[[Instance], MatrixSource], expected: Expected, *, name: str = "A") -> Claim:
    """``rank matrix(instance)`` matches ``expected`` (an int, a bound, or ``instance -> int | bound``).

    ``matrix`` returns a :class:`~critlocus.core.rank.MatrixSource`, rebuilt at each precision;
    the rank is decided by :func:`critlocus.core.rank.decide_rank` (threshold and largest gap
    must agree; rank deficiency rests on exact zeros, so float64 never confirms it alone).
    """
    if not callable(matrix):
        raise SpecError(f"matrix_rank: matrix must be callable instance -> MatrixSource, got {matrix!r}")
    if not (isinstance(expected, (int, Bound)) or callable(expected)) or isinstance(expected, bool):
        raise SpecError(f"matrix_rank expected={expected!r} must be an int, a bound or a callable")
    if not isinstance(name, str) or not name:
        raise SpecError(f"matrix_rank name={name!r} must be a non-empty string")
    return _MatrixRank(matrix, expected, name)
