"""Continuous piecewise polynomials on R and their lifts: local minima and valleys, exactly.

A :class:`PiecewisePolynomial` is a continuous ``g: R → R`` equal to a rational polynomial on each
of ``(−∞, a_1], [a_1, a_2], …, [a_m, ∞)``.  :func:`analyze` decides, in exact rational
arithmetic, everything the standard definitions ask about it:

- its *nodes*: the breakpoints and the real critical points of every piece (found by Sturm
  sequences and bisection, and required to be rational — planted families have rational
  critical points; an irrational one raises :class:`IrrationalCriticalPoint`);
- between consecutive nodes ``g`` is constant (a constant piece) or strictly monotone;
- local minima (Def.: ``g(q) ≥ g(p)`` near p) — isolated points and plateaus —, which are
  *strict* (``g(q) > g(p)`` for q ≠ p near p), *isolated* among local minima, *global*;
- ``inf g`` (possibly −∞);
- a *spurious valley* (Venturi–Bandeira–Bruna 2018): a connected component K of a sublevel
  set ``{g ≤ c}`` with ``inf_K g > inf g``; and a *bad local valley* (Nguyen–Mukkamala–Hein
  2018): the same for a strict sublevel set ``{g < c}``.  Both are decided by walking from each
  local minimum over monotone segments (a witness: the level and the component).

:class:`SeparableSum` is ``f(x_1, …, x_n) = Σ_i g_i(x_i)``, a part ``None`` meaning that
``x_i`` does not occur (a *lift*, e.g. ``f(x, y) = g(x)``).  Its local minima are the products
of the parts' local minima; valleys are decided for lifts (one part), whose sublevel sets are
products with R.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import numpy as np

from .errors import CritlocusError, InvalidArgument
from .functions import Polynomial, as_fraction

__all__ = [
    "Analysis",
    "IrrationalCriticalPoint",
    "LocalMinimum",
    "PiecewisePolynomial",
    "SeparableSum",
    "Valley",
    "analyze",
    "function_from_dict",
    "rational_real_roots",
    "valley_at",
]

INF = math.inf
Coeffs = list[Fraction]


class IrrationalCriticalPoint(CritlocusError):
    """A piece has an irrational critical point; the exact analysis needs rational ones."""


# -- univariate exact algebra (coefficients low → high) -------------------------------------------

def _trim(p: Coeffs) -> Coeffs:
    p = list(p)
    while p and p[-1] == 0:
        p.pop()
    return p


def _eval(p: Coeffs, x: Fraction) -> Fraction:
    acc = Fraction(0)
    for c in reversed(p):
        acc = acc * x + c
    return acc


def _deriv(p: Coeffs) -> Coeffs:
    return _trim([k * c for k, c in enumerate(p)][1:])


def _rem(a: Coeffs, b: Coeffs) -> Coeffs:
    a = _trim(a)
    b = _trim(b)
    while len(a) >= len(b) and a:
        f = a[-1] / b[-1]
        shift = len(a) - len(b)
        for i, c in enumerate(b):
            a[i + shift] -= f * c
        a = _trim(a)
    return a


def _quo(a: Coeffs, b: Coeffs) -> Coeffs:
    a, b = _trim(a), _trim(b)
    q = [Fraction(0)] * max(len(a) - len(b) + 1, 0)
    while len(a) >= len(b) and a:
        f = a[-1] / b[-1]
        shift = len(a) - len(b)
        q[shift] = f
        for i, c in enumerate(b):
            a[i + shift] -= f * c
        a = _trim(a)
    return _trim(q)


def _gcd(a: Coeffs, b: Coeffs) -> Coeffs:
    a, b = _trim(a), _trim(b)
    while b:
        a, b = b, _rem(a, b)
    return [c / a[-1] for c in a] if a else a


def _sign_at(p: Coeffs, x: Fraction | float) -> int:
    """Sign of p at x, or at ±∞ for x = ±inf."""
    if not p:
        return 0
    if x == INF:
        return 1 if p[-1] > 0 else -1
    if x == -INF:
        return (1 if p[-1] > 0 else -1) * (-1) ** (len(p) - 1)
    v = _eval(p, x)
    return (v > 0) - (v < 0)


def _sturm(p: Coeffs) -> list[Coeffs]:
    seq = [p, _deriv(p)]
    while seq[-1]:
        r = _rem(seq[-2], seq[-1])
        if not r:
            break
        seq.append([-c for c in r])
    return seq


def _variations(seq: list[Coeffs], x) -> int:
    signs = [s for s in (_sign_at(q, x) for q in seq) if s]
    return sum(1 for a, b in itertools.pairwise(signs) if a != b)


def _simplest_between(lo: Fraction, hi: Fraction) -> Fraction:
    """The rational with the smallest denominator in ``[lo, hi]`` (Stern–Brocot descent)."""
    fl = math.floor(lo)
    if fl == lo or fl < math.floor(hi):
        return Fraction(fl if fl == lo else fl + 1)
    return fl + 1 / _simplest_between(1 / (hi - fl), 1 / (lo - fl))


def rational_real_roots(p: Sequence, lo=-INF, hi=INF) -> list[Fraction]:
    """The distinct real roots of ``p`` (coefficients low → high) in the open interval (lo, hi).

    Sturm's theorem isolates them; each is then found exactly as the simplest rational of a
    shrinking isolating interval.  A rational root of an integer polynomial has a denominator
    dividing the leading coefficient, so once the interval is narrower than ``1/lead²`` without
    a hit the root is irrational and :class:`IrrationalCriticalPoint` is raised.
    """
    p = _trim([as_fraction(c) for c in p])
    if not p:
        raise InvalidArgument("the zero polynomial has every number as a root")
    if len(p) == 1:
        return []
    q = _quo(p, _gcd(p, _deriv(p)))  # squarefree part: same distinct roots
    scale = math.lcm(*(c.denominator for c in q))
    ints = [int(c * scale) for c in q]
    g = math.gcd(*ints)
    lead = abs(ints[-1] // g)
    bound = 1 + max(abs(c / q[-1]) for c in q[:-1])  # Cauchy: every root has |r| < bound
    a = Fraction(-bound) if lo == -INF else max(as_fraction(lo), Fraction(-bound))
    b = Fraction(bound) if hi == INF else min(as_fraction(hi), Fraction(bound))
    if a >= b:
        return []
    seq = _sturm(q)
    roots: list[Fraction] = []

    def count(x0: Fraction, x1: Fraction) -> int:  # roots in (x0, x1] (Sturm)
        return _variations(seq, x0) - _variations(seq, x1)

    def solve(x0: Fraction, x1: Fraction) -> None:
        n = count(x0, x1) - (1 if _eval(q, x1) == 0 else 0)  # roots in the open (x0, x1)
        if n == 0:
            return
        if n > 1:
            mid = (x0 + x1) / 2
            if _eval(q, mid) == 0:
                roots.append(mid)
            solve(x0, mid)
            solve(mid, x1)
            return
        while True:  # exactly one root in (x0, x1)
            s = _simplest_between(x0, x1)
            if x0 < s < x1 and _eval(q, s) == 0:
                roots.append(s)
                return
            if (x1 - x0) * lead * lead < 1 and s.denominator > lead:
                raise IrrationalCriticalPoint(f"a root of {p} in ({x0}, {x1}) is irrational")
            mid = (x0 + x1) / 2
            if _eval(q, mid) == 0:
                roots.append(mid)
                return
            if count(x0, mid):
                x1 = mid
            else:
                x0 = mid

    solve(a, b)
    return sorted(set(r for r in roots if a < r < b))


# -- piecewise polynomials ------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class PiecewisePolynomial:
    """A continuous piecewise polynomial ``g: R → R``.

    ``pieces[k]`` (a univariate :class:`Polynomial` or coefficients low → high) holds on
    ``[a_k, a_{k+1}]`` with ``a_0 = −∞`` and ``a_{m+1} = +∞``; ``breakpoints = (a_1, …, a_m)``
    strictly increasing.  Continuity at every breakpoint is checked exactly.

    >>> (x,) = Polynomial.variables(1)
    >>> g = PiecewisePolynomial((x**2 - x**3,))
    >>> [m.location for m in analyze(g).minima]
    [Fraction(0, 1)]
    """

    pieces: tuple
    breakpoints: tuple = ()
    name: str = "x"

    def __post_init__(self) -> None:
        pieces = tuple(self._as_poly(p) for p in self.pieces)
        bps = tuple(as_fraction(b) for b in self.breakpoints)
        if len(pieces) != len(bps) + 1:
            raise InvalidArgument(f"{len(bps)} breakpoints need {len(bps) + 1} pieces, got {len(pieces)}")
        if any(b1 >= b2 for b1, b2 in itertools.pairwise(bps)):
            raise InvalidArgument(f"breakpoints {[str(b) for b in bps]} must increase strictly")
        for k, b in enumerate(bps):
            if pieces[k]((b,)) != pieces[k + 1]((b,)):
                raise InvalidArgument(f"not continuous at x = {b}: pieces give {pieces[k]((b,))} and "
                                      f"{pieces[k + 1]((b,))}")
        object.__setattr__(self, "pieces", pieces)
        object.__setattr__(self, "breakpoints", bps)

    def _as_poly(self, p) -> Polynomial:
        if isinstance(p, Polynomial):
            if p.n_vars != 1:
                raise InvalidArgument(f"pieces must be univariate, got {p.n_vars} variables")
            return Polynomial(1, p.terms, names=(self.name,))
        return Polynomial(1, {(k,): c for k, c in enumerate(p)}, names=(self.name,))

    n_vars = 1

    def piece_index(self, x: Fraction) -> int:
        """The piece holding at x (the left one at a breakpoint)."""
        return sum(1 for b in self.breakpoints if x > b)

    def __call__(self, point) -> Fraction:
        x = as_fraction(point[0] if isinstance(point, (tuple, list)) else point)
        return self.pieces[self.piece_index(x)]((x,))

    def value_f64(self, x) -> np.ndarray | float:
        X = np.asarray(x, dtype=np.float64)
        flat = X.reshape(-1)
        idx = np.searchsorted(np.array([float(b) for b in self.breakpoints]), flat, side="left")
        out = np.array([self.pieces[i].value_f64(np.array([v])) for i, v in zip(idx, flat)])
        return float(out[0]) if X.ndim == 0 or (X.ndim == 1 and X.size == 1 and np.ndim(x) == 0) else out

    def __str__(self) -> str:
        if not self.breakpoints:
            return str(self.pieces[0])
        parts = []
        bps = self.breakpoints
        for k, p in enumerate(self.pieces):
            if k == 0:
                where = f"{self.name} ≤ {bps[0]}"
            elif k == len(bps):
                where = f"{self.name} ≥ {bps[-1]}"
            else:
                where = f"{bps[k - 1]} ≤ {self.name} ≤ {bps[k]}"
            parts.append(f"{p} ({where})")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        return {"type": "piecewise", "name": self.name, "formula": str(self),
                "breakpoints": [str(b) for b in self.breakpoints],
                "pieces": [p.to_dict() for p in self.pieces]}

    @cached_property
    def analysis(self) -> Analysis:
        return _analyze_piecewise(self)


@dataclass(frozen=True)
class LocalMinimum:
    """A local minimum of a 1-D function: a point, or a plateau (an open interval of them).

    ``location`` is the point, or ``(left, right)`` with ``None`` for ±∞.  For a separable sum
    ``location`` is a tuple of per-coordinate locations.
    """

    kind: str  # "point" | "plateau" | "product"
    location: object
    value: Fraction
    strict: bool
    isolated: bool
    is_global: bool

    def describe(self) -> str:
        return f"{self.kind} {self.location} (value {self.value}; strict={self.strict}, " \
               f"isolated={self.isolated}, global={self.is_global})"


@dataclass(frozen=True)
class Valley:
    """A witness: the component ``K`` (endpoints, None = unbounded) of ``{g ≤ level}`` (or
    ``{g < level}``) whose infimum ``bottom`` exceeds ``inf g``."""

    level: Fraction
    component: tuple
    bottom: Fraction
    strict_sublevel: bool


@dataclass
class Analysis:
    """The exact analysis of a 1-D function (see :func:`analyze`)."""

    nodes: list[Fraction]
    values: list[Fraction]
    segments: list[str]  # len(nodes)+1: left ray, between nodes…, right ray: "inc" | "dec" | "const"
    infimum: Fraction | float
    minima: list[LocalMinimum]
    spurious_valley: Valley | None
    bad_local_valley: Valley | None
    notes: dict = field(default_factory=dict)

    def non_global_minima(self) -> list[LocalMinimum]:
        return [m for m in self.minima if not m.is_global]


def _analyze_piecewise(g: PiecewisePolynomial) -> Analysis:
    bps = list(g.breakpoints)
    edges = [-INF, *bps, INF]
    nodes = set(bps)
    for k, piece in enumerate(g.pieces):
        d = _deriv(piece.univariate_coefficients())
        if d:
            nodes.update(rational_real_roots(d, edges[k], edges[k + 1]))
    nodes = sorted(nodes) or [Fraction(0)]
    values = [g(x) for x in nodes]
    segs: list[str] = []
    # left ray
    p0 = _trim(g.pieces[0].univariate_coefficients())
    segs.append("const" if len(p0) <= 1 else ("dec" if _sign_at(p0, -INF) > 0 else "inc"))
    for i in range(len(nodes) - 1):
        mid = (nodes[i] + nodes[i + 1]) / 2
        piece = g.pieces[g.piece_index(mid)]
        if piece.degree <= 0:
            segs.append("const")
        else:
            segs.append("inc" if values[i + 1] > values[i] else "dec")
    pn = _trim(g.pieces[-1].univariate_coefficients())
    segs.append("const" if len(pn) <= 1 else ("inc" if _sign_at(pn, INF) > 0 else "dec"))
    lows = list(values)
    if segs[0] == "inc" or segs[-1] == "dec":
        infimum: Fraction | float = -INF
    else:
        infimum = min(lows)
    minima: list[LocalMinimum] = []
    for i, (x, v) in enumerate(zip(nodes, values)):
        left, right = segs[i], segs[i + 1]
        if left in ("dec", "const") and right in ("inc", "const"):
            strict = left == "dec" and right == "inc"
            minima.append(LocalMinimum("point", x, v, strict, strict, v == infimum))
    for i, s in enumerate(segs):
        if s == "const":
            a = None if i == 0 else nodes[i - 1]
            b = None if i == len(nodes) else nodes[i]
            v = values[max(i - 1, 0)] if i else values[0]
            minima.append(LocalMinimum("plateau", (a, b), v, False, False, v == infimum))
    sv = _find_valley(nodes, values, segs, minima, infimum, strict=False)
    bv = _find_valley(nodes, values, segs, minima, infimum, strict=True)
    return Analysis(nodes, values, segs, infimum, minima, sv, bv)


def _walk(nodes, values, segs, i: int, level: Fraction, step: int, strict: bool):
    """From node i walk toward ``step`` (−1 left, +1 right) through ``{g ≤ level}`` (``< level``
    with ``strict``); return ("lower", None) if a value below the minimum's is reached, else
    ("closed", endpoint) with the last node inside (None if the component is unbounded)."""
    bottom = values[i]
    j = i
    while True:
        seg = segs[j] if step < 0 else segs[j + 1]
        nxt = j + step
        if nxt < 0 or nxt >= len(nodes):  # a ray
            if seg == "const":
                return "closed", None
            going_down = (seg == "inc") if step < 0 else (seg == "dec")
            return ("lower", None) if going_down else ("closed", nodes[j])
        v = values[nxt]
        if v < bottom:
            return "lower", None
        inside = v < level if strict else v <= level
        if not inside:
            return "closed", nodes[j]
        j = nxt


def _find_valley(nodes, values, segs, minima, infimum, *, strict: bool) -> Valley | None:
    for m in minima:
        v = _valley_at(nodes, values, segs, m, strict=strict)
        if v is not None:
            return v
    return None


def _valley_at(nodes, values, segs, m: LocalMinimum, *, strict: bool) -> Valley | None:
    """The valley whose bottom is the local minimum m, if the component through m is spurious."""
    if m.is_global:
        return None
    if m.kind == "point":
        i = nodes.index(m.location)
    else:
        a, b = m.location
        i = nodes.index(a) if a is not None else nodes.index(b)
    bottom = values[i]
    if strict:
        # c strictly between the bottom and every higher node value (both barriers)
        higher = [v for v in values if v > bottom]
        level = (bottom + min(higher)) / 2 if higher else bottom + 1
    else:
        level = bottom
    lw, left = _walk(nodes, values, segs, i, level, -1, strict)
    rw, right = _walk(nodes, values, segs, i, level, +1, strict)
    if lw == "closed" and rw == "closed":
        return Valley(level, (left, right), bottom, strict)
    return None


def valley_at(f, minimum: LocalMinimum, *, strict: bool = False) -> Valley | None:
    """The spurious valley (``strict=False``) or bad local valley (``strict=True``) of a 1-D
    function or a lift whose bottom is ``minimum`` (one of ``analyze(f).minima``), or ``None``."""
    if isinstance(f, SeparableSum):
        if not f.is_lift:
            raise InvalidArgument("valleys are decided for 1-D functions and lifts only")
        k = next(i for i, p in enumerate(f.parts) if p is not None)
        inner_min = LocalMinimum("point" if not isinstance(minimum.location[k], tuple) else "plateau",
                                 minimum.location[k], minimum.value, minimum.strict, minimum.isolated,
                                 minimum.is_global)
        v = valley_at(f.parts[k], inner_min, strict=strict)
        if v is None:
            return None
        comp = tuple(v.component if i == k else ("R",) for i in range(f.n_vars))
        return Valley(v.level, comp, v.bottom, v.strict_sublevel)
    a = analyze(f)
    return _valley_at(a.nodes, a.values, a.segments, minimum, strict=strict)


# -- separable sums and lifts -------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class SeparableSum:
    """``f(x_1, …, x_n) = Σ_i g_i(x_i)``; a part ``None`` means ``x_i`` does not occur (a lift).

    >>> (x,) = Polynomial.variables(1)
    >>> f = SeparableSum((PiecewisePolynomial((x**2 - x**3,)), None))   # f(x, y) = g(x)
    >>> analyze(f).minima[0].isolated
    False
    """

    parts: tuple
    names: tuple = ()

    def __post_init__(self) -> None:
        parts = tuple(self.parts)
        if not parts:
            raise InvalidArgument("a separable sum needs at least one coordinate")
        for p in parts:
            if p is not None and not isinstance(p, PiecewisePolynomial):
                raise InvalidArgument(f"parts must be PiecewisePolynomial or None, got {type(p).__name__}")
        if all(p is None for p in parts):
            raise InvalidArgument("a separable sum needs at least one nonzero part")
        names = tuple(self.names) or (("x", "y", "z")[:len(parts)] if len(parts) <= 3
                                      else tuple(f"x{i + 1}" for i in range(len(parts))))
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "names", names)

    @property
    def n_vars(self) -> int:
        return len(self.parts)

    @property
    def is_lift(self) -> bool:
        return sum(p is not None for p in self.parts) == 1

    def __call__(self, point) -> Fraction:
        if len(point) != self.n_vars:
            raise InvalidArgument(f"point needs {self.n_vars} coordinates")
        return sum((p((as_fraction(x),)) for p, x in zip(self.parts, point) if p is not None), Fraction(0))

    def __str__(self) -> str:
        terms = [f"g{i + 1}({n})" for i, (p, n) in enumerate(zip(self.parts, self.names)) if p is not None]
        defs = [f"g{i + 1}({n}) = {str(p).replace('x', n) if n != 'x' else p}"
                for i, (p, n) in enumerate(zip(self.parts, self.names)) if p is not None]
        return f"f({', '.join(self.names)}) = " + " + ".join(terms) + " with " + "; ".join(defs)

    def to_dict(self) -> dict:
        return {"type": "separable", "names": list(self.names), "formula": str(self),
                "parts": [None if p is None else p.to_dict() for p in self.parts]}

    @cached_property
    def analysis(self) -> Analysis:
        return _analyze_separable(self)


def _analyze_separable(f: SeparableSum) -> Analysis:
    subs = [p.analysis if p is not None else None for p in f.parts]
    inf = sum((a.infimum for a in subs if a is not None), Fraction(0)) \
        if all(a.infimum != -INF for a in subs if a is not None) else -INF
    lists = [a.minima if a is not None else [None] for a in subs]
    lifted = any(a is None for a in subs)
    minima: list[LocalMinimum] = []
    for combo in _product(lists):
        real = [m for m in combo if m is not None]
        value = sum((m.value for m in real), Fraction(0))
        strict = all(m.strict for m in real) and not lifted
        isolated = all(m.isolated for m in real) and not lifted
        loc = tuple("R" if m is None else m.location for m in combo)
        minima.append(LocalMinimum("product", loc, value, strict, isolated, value == inf))
    sv = bv = None
    notes: dict = {}
    if f.is_lift:
        (inner,) = [a for a in subs if a is not None]
        k = next(i for i, p in enumerate(f.parts) if p is not None)

        def lift(v: Valley | None) -> Valley | None:
            if v is None:
                return None
            comp = tuple(v.component if i == k else ("R",) for i in range(f.n_vars))
            return Valley(v.level, comp, v.bottom, v.strict_sublevel)
        sv, bv = lift(inner.spurious_valley), lift(inner.bad_local_valley)
        notes["valleys"] = "sublevel sets of a lift are (sublevel set of g) × R: components lift"
    else:
        notes["valleys"] = "not decided for sums of two or more nonconstant parts"
    return Analysis([], [], [], inf, minima, sv, bv, notes)


def _product(lists):
    if not lists:
        yield ()
        return
    for head in lists[0]:
        for tail in _product(lists[1:]):
            yield (head, *tail)


def analyze(f) -> Analysis:
    """The exact :class:`Analysis` of a :class:`PiecewisePolynomial`, a :class:`SeparableSum`,
    or a univariate :class:`~critlocus.core.functions.Polynomial`."""
    if isinstance(f, Polynomial):
        if f.n_vars != 1:
            raise InvalidArgument("analyze takes univariate polynomials; use SeparableSum for sums")
        f = PiecewisePolynomial((f,), name=f.names[0])
    if not isinstance(f, (PiecewisePolynomial, SeparableSum)):
        raise InvalidArgument(f"analyze needs a PiecewisePolynomial or SeparableSum, got {type(f).__name__}")
    return f.analysis


def function_from_dict(data: Mapping):
    """Rebuild a :class:`Polynomial`, :class:`PiecewisePolynomial` or :class:`SeparableSum` from
    its ``to_dict`` record."""
    kind = data.get("type", "polynomial")
    if kind == "polynomial":
        return Polynomial.from_dict(data)
    if kind == "piecewise":
        return PiecewisePolynomial(tuple(Polynomial.from_dict(p) for p in data["pieces"]),
                                   tuple(Fraction(b) for b in data["breakpoints"]), data.get("name", "x"))
    if kind == "separable":
        return SeparableSum(tuple(None if p is None else function_from_dict(p) for p in data["parts"]),
                            tuple(data.get("names", ())))
    raise InvalidArgument(f"unknown function record type {kind!r}")
