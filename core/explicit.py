"""Explicit landscapes as instances: a polynomial f and a rational point, decided exactly.

:class:`FunctionInstance` is the explicit-function counterpart of
:class:`~critlocus.core.instance.Instance`: the runner and the generic claims
(``is_critical``, ``hessian_inertia``, ``is_degenerate`` …) accept it, because its
:meth:`~FunctionInstance.evaluation` has the :class:`~critlocus.core.evaluation.PointEvaluation`
interface.  The tiers of the precision ladder mean:

- **float64**: the polynomial evaluated in float64 at the rounded point, with thresholds
  ``τ = κ·n·u·S`` where S is ``(1 + deg f)`` times the sum of the absolute values of the terms
  (it bounds both the evaluation's rounding and the rounding of the point);
- **every mpmath tier**: *exact rational arithmetic* (``fractions.Fraction``).  A gradient is
  zero iff it is exactly zero, the inertia is exact (:func:`~critlocus.core.functions.exact_inertia`),
  so no tolerance is involved; the evidence records ``"arithmetic": "exact rational"``.
  Eigenvalues listed in the evidence are computed in mpmath at the tier's precision.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from .decisions import NONZERO, ZERO, ZeroDecision, decide_zero
from .errors import InvalidArgument
from .functions import Polynomial, as_fraction, exact_determinant, exact_inertia
from .instance import LandscapeInstance
from .precision import Precision
from .spectrum import SpectrumDecision, inertia_float64

__all__ = [
    "FunctionEvaluation",
    "FunctionInstance",
    "conjugate_directions",
    "exact_spectrum_decision",
    "isolation_radius",
    "line_sign_radius",
    "network_point_exact",
    "smallest_singular_value_lower_bound",
    "strict_minimum_radius",
    "taylor_parts",
]

EXACT = "exact rational"


def _frac_text(x: Fraction) -> str:
    return str(x)


class FunctionEvaluation:
    """A polynomial at a rational point, evaluated lazily in float64 and exactly (cached).

    ``jet_degree``: when the polynomial is a truncated expansion ``h ↦ f(p + h)`` (terms above
    that degree dropped), orders of criticality ≥ ``jet_degree`` are reported as lower bounds.
    """

    def __init__(self, function: Polynomial, point: Sequence, *, jet_degree: int | None = None):
        self.function = function
        self.point = tuple(as_fraction(v) for v in point)
        if len(self.point) != function.n_vars:
            raise InvalidArgument(f"point has {len(self.point)} coordinates, f has {function.n_vars} "
                                  "variables")
        self.jet_degree = jet_degree
        self._cache: dict = {}

    def _memo(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    @property
    def n_params(self) -> int:
        return self.function.n_vars

    @property
    def theta(self) -> np.ndarray:
        """The float64 point (each coordinate rounded to nearest)."""
        return np.array([float(v) for v in self.point])

    # -- exact -----------------------------------------------------------------------------------
    def gradient_exact(self) -> tuple[Fraction, ...]:
        return self._memo("gx", lambda: self.function.gradient_at(self.point))

    def hessian_exact(self) -> list[list[Fraction]]:
        return self._memo("Hx", lambda: self.function.hessian_at(self.point))

    def inertia_exact(self) -> tuple[int, int, int]:
        return self._memo("inx", lambda: exact_inertia(self.hessian_exact()))

    def determinant_exact(self) -> Fraction:
        return self._memo("det", lambda: exact_determinant(self.hessian_exact()))

    def value_exact(self) -> Fraction:
        return self._memo("fx", lambda: self.function(self.point))

    def critical_order(self) -> tuple[int | float, bool]:
        """``(k, is_lower_bound)``: the order of criticality at the point (see
        :meth:`Polynomial.critical_order_at`); a lower bound when a truncated jet cannot see
        further."""
        def compute():
            if self.jet_degree is None:
                return self.function.critical_order_at(self.point), False
            k = self.function.critical_order_at(self.point, max_order=self.jet_degree - 1)
            return k, k >= self.jet_degree - 1
        return self._memo("order", compute)

    # -- scales ----------------------------------------------------------------------------------
    @property
    def _rounding_factor(self) -> float:
        return 1.0 + max(self.function.degree, 0)

    def _n_terms(self, polys: Sequence[Polynomial]) -> int:
        return max((len(p.terms) for p in polys), default=1) + self.function.degree + 1

    def gradient_scale(self) -> float:
        def compute():
            mags = [g.abs_value_f64(self.theta) for g in self.function.gradient]
            return self._rounding_factor * float(np.linalg.norm(mags))
        return self._memo("gscale", compute)

    def hessian_scale(self) -> float:
        def compute():
            H = self.function.hessian
            n = self.n_params
            mags = [H[i][j].abs_value_f64(self.theta) for i in range(n) for j in range(n)]
            return self._rounding_factor * float(np.linalg.norm(mags))
        return self._memo("hscale", compute)

    # -- the PointEvaluation interface ---------------------------------------------------------------
    def gradient(self, precision: Precision):
        if precision.is_float64:
            return self._memo("g64", lambda: self.function.gradient_f64(self.theta))
        return list(self.gradient_exact())

    def hessian_f64(self) -> np.ndarray:
        return self._memo("H64", lambda: self.function.hessian_f64(self.theta))

    def loss(self, precision: Precision) -> float:
        if precision.is_float64:
            return self.function.value_f64(self.theta)
        return float(self.value_exact())

    def gradient_decision(self, precision: Precision) -> ZeroDecision:
        """Is ∇f(p) = 0?  float64: against τ = κ·n·u·S_g; higher tiers: exactly."""
        def compute():
            if precision.is_float64:
                g = self.gradient(precision)
                worst = int(np.argmax(np.abs(g)))
                return decide_zero(float(np.linalg.norm(g)), precision,
                                   n=self._n_terms(self.function.gradient), scale=self.gradient_scale(),
                                   quantity="gradient norm", largest_component=float(abs(g[worst])),
                                   largest_component_at=self.function.names[worst])
            g = self.gradient_exact()
            sq = sum(v * v for v in g)
            worst = max(range(len(g)), key=lambda i: abs(g[i]))
            return ZeroDecision(precision.label, math.sqrt(float(sq)), 0.0, 0.0,
                                ZERO if sq == 0 else NONZERO, "gradient norm",
                                {"arithmetic": EXACT, "gradient": [_frac_text(v) for v in g],
                                 "largest_component": float(abs(g[worst])),
                                 "largest_component_at": self.function.names[worst]})
        return self._memo(("gdec", precision.label), compute)

    def spectrum(self, precision: Precision) -> SpectrumDecision:
        """The spectrum with accurate eigenvalue values (here the same as :meth:`inertia`)."""
        return self.inertia(precision)

    def inertia(self, precision: Precision) -> SpectrumDecision:
        """Hessian inertia: float64 ``eigvalsh`` with thresholds, or exact (higher tiers)."""
        def compute():
            if precision.is_float64:
                return inertia_float64(self.hessian_f64(), precision, scale=self.hessian_scale())
            return exact_spectrum_decision(self.hessian_exact(), precision)
        return self._memo(("inertia", precision.label), compute)


def exact_spectrum_decision(H: Sequence[Sequence[Fraction]], precision: Precision) -> SpectrumDecision:
    """A :class:`SpectrumDecision` whose counts are exact (:func:`exact_inertia`); the eigenvalues
    in the evidence are mpmath ``eigsy`` values at ``precision``, largest |λ| first."""
    n = len(H)
    pos, neg, zero = exact_inertia(H)
    with mpmath.workdps(precision.dps):
        M = mpmath.matrix([[mpmath.mpf(v.numerator) / v.denominator for v in row] for row in H]) \
            if n else None
        eig = list(mpmath.eigsy(M, eigvals_only=True)) if n else []
    by_size = sorted(eig, key=lambda v: -abs(v))
    nonzero = by_size[:pos + neg]
    norm = math.sqrt(float(sum(v * v for row in H for v in row)))
    smallest = min((abs(float(v)) for v in nonzero), default=None)
    return SpectrumDecision(
        precision=precision.label,
        method="exact: symmetric elimination over ℚ (Haynsworth inertia additivity)",
        size=n, norm=norm, threshold=0.0, band_top=0.0, n_pos=pos, n_neg=neg, n_zero=zero, n_ambiguous=0,
        largest_zero=0.0 if zero else None, smallest_nonzero=smallest,
        gap_ratio=math.inf if (zero and nonzero) else None, gap_agrees=True,
        nonzero_eigenvalues=nonzero, eigenvalues=sorted(float(v) for v in eig)[:64],
        details={"arithmetic": EXACT, "rank": pos + neg},
    )


@dataclass(frozen=True, eq=False)
class FunctionInstance(LandscapeInstance):
    """An explicit landscape ``function`` (a :class:`Polynomial`, or a 1-D piecewise polynomial or
    separable sum from :mod:`critlocus.core.piecewise`) and optionally a rational ``point``.

    ``label`` names the point or the function in the theory's terms; ``info`` records how it
    was generated (the planted properties a claim compares against).  ``jet_degree`` marks a
    truncated expansion ``h ↦ L(p + h)`` (e.g. of a network loss), whose point is ``h = 0``.
    """

    function: Any
    point: tuple[Fraction, ...] | None = None
    label: str = "f"
    info: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0
    jet_degree: int | None = None
    source: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.point is not None:
            point = tuple(as_fraction(v) for v in self.point)
            n = getattr(self.function, "n_vars", None)
            if n is not None and len(point) != n:
                raise InvalidArgument(f"point has {len(point)} coordinates but f has {n} variables")
            object.__setattr__(self, "point", point)
        object.__setattr__(self, "info", dict(self.info))
        object.__setattr__(self, "_evaluation", None)

    def evaluation(self) -> FunctionEvaluation:
        ev = object.__getattribute__(self, "_evaluation")
        if ev is None:
            if not isinstance(self.function, Polynomial) or self.point is None:
                raise InvalidArgument(f"{self.label}: pointwise evaluation needs a polynomial and a point")
            ev = FunctionEvaluation(self.function, self.point, jet_degree=self.jet_degree)
            object.__setattr__(self, "_evaluation", ev)
        return ev

    @property
    def n_params(self) -> int:
        return int(getattr(self.function, "n_vars", 1))

    @property
    def landscape(self) -> str:
        text = str(self.function)
        return "f = " + (text if len(text) <= 80 else text[:77] + "…")

    def to_dict(self) -> dict:
        if self.source is not None and hasattr(self.source, "to_dict"):
            return {**self.source.to_dict(), "jet_degree": self.jet_degree, "label": self.label}
        out = {"label": self.label, "function": self.function.to_dict(),
               "point": None if self.point is None else [str(v) for v in self.point],
               "info": _jsonable(self.info), "seed": self.seed}
        if self.jet_degree is not None:
            out["jet_degree"] = self.jet_degree
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> FunctionInstance:
        from .piecewise import function_from_dict

        try:
            fn = function_from_dict(data["function"])
            point = None if data.get("point") is None else tuple(Fraction(v) for v in data["point"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidArgument(f"not a function-instance record: {exc}") from None
        return cls(fn, point, label=data.get("label", "f"), info=data.get("info", {}),
                   seed=int(data.get("seed", 0)), jet_degree=data.get("jet_degree"))

    @classmethod
    def from_network(cls, instance, *, jet_degree: int) -> FunctionInstance:
        """The loss of a network :class:`~critlocus.core.instance.Instance` with a polynomial
        activation as the exact jet ``h ↦ L(p + h)`` of degree ``jet_degree`` at its point (the
        point is rebuilt exactly from its construction: ȳ is the exact mean of the targets).
        ``source`` keeps the network instance, so its own evaluator can be compared."""
        from .functions import network_loss_polynomial

        point = network_point_exact(instance)
        poly = network_loss_polynomial(instance.problem, point, max_degree=jet_degree)
        info = {**instance.info, "network": str(instance.problem.architecture),
                "activation": instance.problem.network.activation.name,
                "network_point": [str(v) for v in point]}
        return cls(poly, (0,) * poly.n_vars, label=f"{instance.label} (jet of L at p, degree {jet_degree})",
                   info=info, seed=instance.seed, jet_degree=jet_degree, source=instance)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def __repr__(self) -> str:
        at = "" if self.point is None else " at (" + ", ".join(str(v) for v in self.point) + ")"
        return f"FunctionInstance({self.label}; {self.landscape}{at})"


def network_point_exact(instance) -> tuple[Fraction, ...]:
    """The point of a network instance as exact rationals, rebuilt from its recipe: ``Zero`` → 0,
    ``Given`` → the exact binary value, ``MeanTarget`` → ``(1/d) Σ_j y_j`` exactly."""
    from .points import Given, MeanTarget, Zero

    data = instance.problem.data
    out: list[Fraction] = []
    for b in instance.problem.architecture.layout.blocks:
        rule = instance.point.rules[b.name]
        if isinstance(rule, Zero):
            out.extend([Fraction(0)] * b.size)
        elif isinstance(rule, Given):
            out.extend(Fraction(float(v)) for v in rule.values.reshape(-1))
        elif isinstance(rule, MeanTarget):
            d = data.size
            out.extend(sum((Fraction(float(v)) for v in data.Y[:, o]), Fraction(0)) / d
                       for o in range(data.n_out))
        else:
            raise InvalidArgument(f"block {b.name}: rule {rule.label!r} has no exact rational value")
    return tuple(out)


def _jsonable(value):
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


# -- local geometry at a point: exact certificates ------------------------------------------------

def taylor_parts(function: Polynomial, point: Sequence) -> dict[int, Polynomial]:
    """The homogeneous parts ``{j: H_j}`` of ``h ↦ f(point + h) − f(point)`` (exact, j ≥ 1)."""
    g = function.translate(point)
    return {j: g.homogeneous_part(j) for j in range(1, g.degree + 1) if not g.homogeneous_part(j).is_zero}


def conjugate_directions(H: Sequence[Sequence]) -> list[tuple[tuple[Fraction, ...], Fraction]]:
    """A rational basis ``v_1 … v_n`` with ``v_iᵀ H v_j = 0`` (i ≠ j) and the values
    ``d_i = v_iᵀ H v_i``: H-orthogonalisation over ℚ (Gram–Schmidt in the form ⟨u, w⟩ = uᵀHw, with
    ``u + w`` taken when every remaining ``uᵀHu`` is 0).  By Sylvester's law of inertia the signs of
    the ``d_i`` give the inertia; the ``v_i`` with ``d_i < 0`` span a subspace on which the quadratic
    part is negative definite (the Morse index)."""
    n = len(H)
    A = [[as_fraction(v) for v in row] for row in H]

    def form(u, w):
        return sum(u[i] * A[i][j] * w[j] for i in range(n) if u[i] for j in range(n) if w[j])

    rest = [tuple(Fraction(int(i == j)) for j in range(n)) for i in range(n)]
    out: list[tuple[tuple[Fraction, ...], Fraction]] = []
    while rest:
        k = next((k for k, u in enumerate(rest) if form(u, u) != 0), None)
        if k is None:
            pair = next(((a, b) for a in range(len(rest)) for b in range(a + 1, len(rest))
                         if form(rest[a], rest[b]) != 0), None)
            if pair is None:
                out.extend((u, Fraction(0)) for u in rest)
                break
            a, b = pair
            rest[a] = tuple(x + y for x, y in zip(rest[a], rest[b]))
            k = a
        u = rest.pop(k)
        d = form(u, u)
        out.append((u, d))
        rest = [tuple(wi - (form(w, u) / d) * ui for wi, ui in zip(w, u)) for w in rest]
    return out


def _l1(p: Polynomial) -> Fraction:
    return sum((abs(c) for c in p.terms.values()), Fraction(0))


def _sqrt_lower(q: Fraction, bits: int = 40) -> Fraction:
    """A rational lower bound of √q (q ≥ 0), within a relative 2^-bits."""
    if q <= 0:
        return Fraction(0)
    scale = 1 << (2 * bits)
    num = math.isqrt(q.numerator * scale // q.denominator)
    return Fraction(num, 1 << bits)


def _inverse(H: Sequence[Sequence[Fraction]]) -> list[list[Fraction]] | None:
    n = len(H)
    M = [[as_fraction(v) for v in row] + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(H)]
    for c in range(n):
        r = next((r for r in range(c, n) if M[r][c] != 0), None)
        if r is None:
            return None
        M[c], M[r] = M[r], M[c]
        piv = M[c][c]
        M[c] = [v / piv for v in M[c]]
        for r2 in range(n):
            if r2 != c and M[r2][c]:
                f = M[r2][c]
                M[r2] = [a - f * b for a, b in zip(M[r2], M[c])]
    return [row[n:] for row in M]


def smallest_singular_value_lower_bound(H: Sequence[Sequence[Fraction]]) -> Fraction:
    """A rational ``σ ≤ σ_min(H)``: ``1/‖H⁻¹‖_F`` (0 for a singular H)."""
    inv = _inverse(H)
    if inv is None:
        return Fraction(0)
    fro2 = sum(v * v for row in inv for v in row)
    return _sqrt_lower(1 / fro2) if fro2 else Fraction(0)


def isolation_radius(function: Polynomial, point: Sequence) -> Fraction | None:
    """A certified rational ρ > 0 such that ``point`` is the only critical point of f in the ball
    of radius ρ, when Hess f(point) is nonsingular at a critical point (else ``None``).

    With ``f(p + h) = f(p) + ½hᵀHh + Σ_{j≥3} H_j(h)``: for ``|h| = r ≤ 1``,
    ``|∇H_j(h)| ≤ Σ_i ‖∂_i H_j‖₁ r²`` (‖·‖₁ the sum of |coefficients|) and ``|Hh| ≥ σ r`` with
    ``σ = 1/‖H⁻¹‖_F``; so ``∇f(p + h) ≠ 0`` for ``0 < r < σ / C'``.
    """
    p = tuple(as_fraction(v) for v in point)
    if any(function.gradient_at(p)):
        return None
    sigma = smallest_singular_value_lower_bound(function.hessian_at(p))
    if sigma == 0:
        return None
    parts = taylor_parts(function, p)
    c = sum((_l1(Hj.derivative(i)) for j, Hj in parts.items() if j >= 3 for i in range(function.n_vars)),
            Fraction(0))
    return Fraction(1) if c == 0 else min(Fraction(1), sigma / c / 2)


def strict_minimum_radius(function: Polynomial, point: Sequence) -> Fraction | None:
    """A certified rational ρ > 0 with ``f(q) > f(p)`` for ``0 < |q − p| < ρ`` when p is a critical
    point with Hess f(p) ≻ 0 (else ``None``): ``f(p+h) − f(p) ≥ ½μr² − C r³`` with
    ``μ = 1/‖H⁻¹‖_F ≤ λ_min`` and ``C = Σ_{j≥3} ‖H_j‖₁`` (r ≤ 1), positive for ``r < μ/(2C)``."""
    p = tuple(as_fraction(v) for v in point)
    if any(function.gradient_at(p)):
        return None
    H = function.hessian_at(p)
    pos, _, _ = exact_inertia(H)
    if pos != function.n_vars:
        return None
    mu = smallest_singular_value_lower_bound(H)
    parts = taylor_parts(function, p)
    c = sum((_l1(Hj) for j, Hj in parts.items() if j >= 3), Fraction(0))
    return Fraction(1) if c == 0 else min(Fraction(1), mu / c / 4)


def line_sign_radius(function: Polynomial, point: Sequence, direction: Sequence
                     ) -> tuple[int, int, Fraction] | None:
    """``(s, k, ρ)``: ``f(p + t v) − f(p) = a_k t^k + …`` has the sign of ``a_k t^k`` (``s = sign a_k``)
    for ``0 < |t| < ρ = min(1, |a_k| / (2 Σ_{j>k} |a_j|))``; ``None`` if f is constant on the line."""
    q = function.restrict_to_line(point, direction)
    coeffs = q.univariate_coefficients()[1:] if q.degree >= 1 else []
    k = next((i for i, c in enumerate(coeffs) if c != 0), None)
    if k is None:
        return None
    lead = coeffs[k]
    tail = sum((abs(c) for c in coeffs[k + 1:]), Fraction(0))
    rho = Fraction(1) if tail == 0 else min(Fraction(1), abs(lead) / tail / 2)
    return (1 if lead > 0 else -1), k + 1, rho
