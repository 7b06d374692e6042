"""The point rebuilt from its construction, as exact rationals where it is exact and as
balls otherwise.

Block rules (:mod:`critlocus.core.points`):

- ``Zero`` and ``Given`` are exact: every float64 is a dyadic rational.
- ``MeanTarget``: ``ȳ = (1/d) Σ_j y_j`` is the exact rational (``fmpq``); its ball is Arb's
  enclosure of that rational — enclosed, never rounded.
- ``Derived`` and other rules: a rule may provide the hooks ``rational(shape, data)`` (exact
  values, flat row-major ``fmpq``) or ``arb(shape, data, prec)`` (rigorous balls).  Without a
  hook the block is enclosed from its *high-precision value*: ``mp(shape, data)`` at
  ``prec + 64`` bits, with a radius of ``2^-prec`` relative.  That enclosure is rigorous only
  if the rule's mpmath code is accurate to its working precision, so the certificate lists it
  among its ``assumptions``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mpmath
import numpy as np
from flint import arb, fmpq

from ..data import Dataset
from ..errors import InvalidArgument
from ..points import Given, MeanTarget, PointRecipe, Zero
from .context import workprec

__all__ = ["PointEnclosure", "arb_to_fmpq", "enclose_point", "float_to_fmpq", "mean_target_exact"]


def float_to_fmpq(x: float) -> fmpq:
    """The exact rational value of a float64."""
    num, den = float(x).as_integer_ratio()
    return fmpq(num, den)


def arb_to_fmpq(x: arb) -> fmpq | None:
    """The exact rational value of an exact ball (radius 0), else ``None``."""
    if not x.is_exact():
        return None
    if x.is_zero():
        return fmpq(0)
    man, exp = x.mid().man_exp()
    man, exp = int(man), int(exp)
    return fmpq(man * 2**exp) if exp >= 0 else fmpq(man, 2**-exp)


def mean_target_exact(data: Dataset) -> list[fmpq]:
    """``ȳ`` as exact rationals."""
    d = data.size
    return [sum((float_to_fmpq(v) for v in data.Y[:, o]), fmpq(0)) / d for o in range(data.n_out)]


@dataclass
class PointEnclosure:
    """The flat parameter vector as balls (``balls``) and, where exact, as rationals
    (``exact[i]`` is an ``fmpq`` or ``None``).  ``assumptions`` names blocks whose enclosure
    rests on a high-precision value rather than a rigorous hook."""

    balls: list
    exact: list
    rules: dict[str, str] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)

    @property
    def is_exact(self) -> bool:
        return all(v is not None for v in self.exact)

    @property
    def rigorous(self) -> bool:
        return not self.assumptions


def _block(rule, shape, data: Dataset, prec: int, name: str):
    """(balls, exact-or-None list, description, assumption-or-None) for one block."""
    size = int(np.prod(shape))
    if isinstance(rule, Zero):
        return [arb(0)] * size, [fmpq(0)] * size, "zero (exact)", None
    if isinstance(rule, Given):
        vals = rule.float64(shape, data).reshape(-1)
        return [arb(float(v)) for v in vals], [float_to_fmpq(v) for v in vals], "given (exact)", None
    if isinstance(rule, MeanTarget):
        rule.float64(shape, data)  # shape check
        ex = mean_target_exact(data)
        return [arb(q) for q in ex], ex, "ȳ (exact rational, ball enclosure)", None
    rational = getattr(rule, "rational", None)
    if callable(rational):
        ex = [fmpq(v) if not isinstance(v, fmpq) else v for v in rational(shape, data)]
        if len(ex) != size:
            raise InvalidArgument(f"rule for {name} returned {len(ex)} rational values, expected {size}")
        return [arb(q) for q in ex], ex, "exact rational hook", None
    hook = getattr(rule, "arb", None)
    if callable(hook):
        balls = [v if isinstance(v, arb) else arb(v) for v in hook(shape, data, prec)]
        if len(balls) != size:
            raise InvalidArgument(f"rule for {name} returned {len(balls)} balls, expected {size}")
        return balls, [None] * size, "Arb hook (rigorous)", None
    # Fallback: enclose the rule's own high-precision value.
    with mpmath.workprec(prec + 64):
        vals = list(rule.mp(shape, data))
    if len(vals) != size:
        raise InvalidArgument(f"rule for {name} produced {len(vals)} values, expected {size}")
    balls = _normwise_balls(vals, prec)
    note = (f"{name}: enclosed from its mpmath value at {prec + 64} bits with radius 2^-{prec}·max|{name}| "
            "(assumes the rule's mp code is accurate to its working precision, normwise)")
    return balls, [None] * size, "high-precision value (assumed accurate)", note


def _normwise_balls(vals: list, prec: int) -> list:
    """Balls around high-precision values with one radius ``2^-prec·max|v|`` for all of them.

    The error of a computed vector (an SVD, a solve, a Newton polish) is bounded normwise, not
    componentwise: a component that is exactly 0 in the true point comes out as rounding noise
    (say 1e-58), and a radius relative to that component would exclude the true value — then a
    gradient enclosure "certifies" a nonzero gradient at a true critical point."""
    with workprec(prec + 64):
        mids = [arb(v) for v in vals]
        scale = max((abs(m.mid()) for m in mids), default=arb(0))
        radius = scale * arb(2) ** (-prec)
        return [arb(m.mid(), radius + m.rad()) for m in mids]


def enclose_point(recipe: PointRecipe, data: Dataset, prec: int) -> PointEnclosure:
    """Rebuild ``recipe`` on ``data`` as balls at ``prec`` bits (exact where possible).

    A recipe that rebuilds the point as a whole (it overrides ``realize_mp``, e.g. a polished
    critical point, whose block rules only record the float64 *start*) is enclosed from its own
    high-precision value, like a ``Derived`` block without hooks — never from its rules."""
    if type(recipe).realize_mp is not PointRecipe.realize_mp:
        return _enclose_whole(recipe, data, prec)
    balls: list = []
    exact: list = []
    rules: dict[str, str] = {}
    assumptions: list[str] = []
    with workprec(prec):
        for b in recipe.architecture.layout.blocks:
            bb, ex, desc, note = _block(recipe.rules[b.name], b.shape, data, prec, b.name)
            balls.extend(bb)
            exact.extend(ex)
            rules[b.name] = desc
            if note:
                assumptions.append(note)
    return PointEnclosure(balls, exact, rules, assumptions)


def _enclose_whole(recipe: PointRecipe, data: Dataset, prec: int) -> PointEnclosure:
    with mpmath.workprec(prec + 64):
        vals = list(recipe.realize_mp(data))
    balls = _normwise_balls(vals, prec)
    name = type(recipe).__name__
    note = (f"{name}: enclosed from its mpmath value at {prec + 64} bits with radius 2^-{prec}·max|θ| "
            "(assumes the construction is accurate to its working precision, normwise)")
    rules = {b: f"{name} (high-precision value, assumed accurate)" for b in recipe.architecture.layout.names}
    return PointEnclosure(balls, [None] * len(balls), rules, [note])


def fmpq_to_float(q: fmpq) -> float:
    """Nearest float to a rational (for reports)."""
    return int(q.p) / int(q.q) if abs(int(q.p)) < 2**1000 else math.copysign(math.inf, int(q.p))


def odd_part(n: int) -> int:
    """``n`` with its factors of 2 removed (n > 0)."""
    n = int(n)
    while n and n % 2 == 0:
        n //= 2
    return n


def common_odd_denominator(values) -> int:
    """The odd part of the lcm of the denominators of exact rationals."""
    den = 1
    for q in values:
        qd = odd_part(int(q.q))
        den = den * qd // math.gcd(den, qd)
    return den
