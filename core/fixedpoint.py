"""Block fixed-point arrays of Python integers: the fast arithmetic behind the dense high-precision
Hessian and the LDLᵀ inertia.

A :class:`FixedArray` holds ``M·2^e``: a numpy object array ``M`` of Python integers and one
binary exponent ``e`` for the whole block (block floating point).  Products and sums of such
arrays are **exact** (integer arithmetic, numpy's C loops over Python ints — about 10× faster
per operation than mpmath's ``mpf``, and no Python-level loop); the only rounding is
:meth:`FixedArray.rounded`, which keeps ``bits`` significant bits relative to the block's
largest entry, i.e. an absolute error of at most ``2^−bits·max|M·2^e|`` per entry (one unit
in the last place of the block).  This is the normwise error model of floating point with unit
roundoff ``2^−bits`` (Wilkinson, *Rounding Errors in Algebraic Processes*, 1963, ch. 1 on block
floating point), which is what the thresholds ``τ = κ·n·u·S`` of
:mod:`critlocus.core.decisions` assume.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import mpmath
import numpy as np
from mpmath.libmp import from_man_exp

__all__ = ["FixedArray"]


def _as_object(values) -> np.ndarray:
    arr = np.empty(np.shape(values), dtype=object)
    arr[...] = values
    return arr


def _round_shift(M: np.ndarray, s: int) -> np.ndarray:
    """``round(M / 2^s)`` elementwise (ties up), exact for ``s ≤ 0``."""
    if s <= 0:
        return M << (-s) if s < 0 else M
    return (M + (1 << (s - 1))) >> s


def _max_bits(M: np.ndarray) -> int:
    if M.size == 0:
        return 0
    return max(int(v).bit_length() for v in np.abs(M).flat)


class FixedArray:
    """``M·2^e`` with ``M`` an object array of Python ints (see the module docstring)."""

    __slots__ = ("M", "e")

    def __init__(self, M: np.ndarray, e: int):
        self.M = M
        self.e = int(e)

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def zeros(cls, shape: tuple[int, ...], e: int = 0) -> FixedArray:
        M = np.empty(shape, dtype=object)
        M.fill(0)
        return cls(M, e)

    @classmethod
    def from_floats(cls, values) -> FixedArray:
        """Exact: every float64 is ``m·2^k`` with integer m."""
        flat = [float(v) for v in np.asarray(values, dtype=np.float64).reshape(-1)]
        pairs = [v.as_integer_ratio() for v in flat]  # (num, 2^k)
        e = -max((den.bit_length() - 1 for _, den in pairs), default=0)
        M = _as_object([num << (-e - (den.bit_length() - 1)) for num, den in pairs])
        return cls(M.reshape(np.shape(values)), e)

    @classmethod
    def from_mpf(cls, values: Sequence | Iterable, bits: int, shape: tuple[int, ...] | None = None
                 ) -> FixedArray:
        """Round mpmath numbers to ``bits`` significant bits relative to the largest (mpf values
        are read exactly, whatever the current precision)."""
        raw = [v._mpf_ if isinstance(v, mpmath.mpf) else mpmath.mpf(v)._mpf_
               for v in values]  # (sign, man, exp, bc)
        top = max((exp + bc for sign, man, exp, bc in raw if man), default=None)
        if top is None:
            out = cls.zeros((len(raw),))
        else:
            e = top - bits
            ints = []
            for sign, man, exp, _ in raw:
                s = e - exp
                m = man << -s if s <= 0 else (man + (1 << (s - 1))) >> s
                ints.append(-m if sign else m)
            out = cls(_as_object(ints), e)
        return out if shape is None else cls(out.M.reshape(shape), out.e)

    # -- conversion ----------------------------------------------------------------------------
    def to_mpf_list(self) -> list:
        """The entries as mpmath numbers at the current precision (row-major)."""
        prec = mpmath.mp.prec
        make = mpmath.mp.make_mpf
        return [make(from_man_exp(int(m), self.e, prec, "n")) for m in self.M.flat]

    def to_float(self) -> np.ndarray:
        return np.array([float(mpmath.ldexp(int(m), self.e)) for m in self.M.flat]).reshape(self.M.shape)

    # -- arithmetic (exact unless named otherwise) ---------------------------------------------
    def rounded(self, bits: int) -> FixedArray:
        """Keep ``bits`` significant bits relative to the largest entry (the one rounding)."""
        s = _max_bits(self.M) - bits
        if s <= 0:
            return self
        return FixedArray(_round_shift(self.M, s), self.e + s)

    def matmul(self, other: FixedArray) -> FixedArray:
        return FixedArray(np.dot(self.M, other.M), self.e + other.e)

    def __matmul__(self, other: FixedArray) -> FixedArray:
        return self.matmul(other)

    def __mul__(self, other: FixedArray) -> FixedArray:
        """Elementwise (numpy broadcasting)."""
        return FixedArray(self.M * other.M, self.e + other.e)

    def aligned(self, e: int) -> FixedArray:
        """The same values at exponent ``e ≤ self.e`` (exact)."""
        if e > self.e:
            raise ValueError("aligning to a larger exponent would round; use rounded()")
        return FixedArray(self.M << (self.e - e), e) if e < self.e else self

    def __add__(self, other: FixedArray) -> FixedArray:
        e = min(self.e, other.e)
        return FixedArray(self.aligned(e).M + other.aligned(e).M, e)

    def __sub__(self, other: FixedArray) -> FixedArray:
        e = min(self.e, other.e)
        return FixedArray(self.aligned(e).M - other.aligned(e).M, e)

    @property
    def T(self) -> FixedArray:
        return FixedArray(self.M.T, self.e)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.M.shape

    def max_abs(self):
        """``max |entry|`` as an mpmath number (exact exponent)."""
        if self.M.size == 0:
            return mpmath.mpf(0)
        return mpmath.ldexp(mpmath.mpf(int(np.max(np.abs(self.M)))), self.e)
