"""Explicit landscapes f: Rⁿ → R given exactly: polynomials with rational coefficients.

A :class:`Polynomial` stores its terms ``{α: c_α}`` (exponent tuples → :class:`fractions.Fraction`)
and computes derivatives symbolically, so at a rational point the gradient, the Hessian and every
higher derivative are *exact* rationals: "is ∇f(p) = 0", "is det Hess f(p) = 0" and "is p
critical of order k" are decided without any tolerance.  The same polynomial also evaluates in
float64 (compiled monomial tables, vectorised over many points, for gradient flows) and in
mpmath.

Exact linear algebra over ℚ used by the decisions:

- :func:`exact_inertia` — the inertia ``(n₊, n₋, n₀)`` of a rational symmetric matrix by
  symmetric elimination with 1×1 and 2×2 pivots, using Haynsworth's inertia additivity
  ``In(A) = In(P) + In(A/P)`` for the Schur complement ``A/P`` (Haynsworth, *Determination of
  the inertia of a partitioned Hermitian matrix*, Linear Algebra Appl. 1, 1968) — Sylvester's
  law of inertia without eigenvalues.
- :func:`exact_determinant` — fraction-free Bareiss elimination (Bareiss, Math. Comp. 22, 1968).

Network losses with polynomial activations are polynomials too: :func:`network_loss_polynomial`
expands ``h ↦ L(p + h)`` exactly (optionally truncated at a degree), so a network instance can be
decided in exact arithmetic (e.g. the order of a critical point of a bias-free network at 0).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from functools import cached_property

import mpmath
import numpy as np

from .errors import InvalidArgument

__all__ = [
    "MAX_EXPANDED_DEGREE",
    "POLYNOMIAL_ACTIVATIONS",
    "Polynomial",
    "as_fraction",
    "exact_determinant",
    "exact_inertia",
    "network_loss_polynomial",
]

Exponent = tuple[int, ...]
Scalar = int | Fraction


def as_fraction(value) -> Fraction:
    """An exact rational: ints, Fractions, finite floats (their exact binary value), ``"p/q"``."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise InvalidArgument(f"{value!r} is a bool, not a number")
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise InvalidArgument(f"{value!r} is not a finite number")
        return Fraction(float(value))
    if isinstance(value, str):
        try:
            return Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise InvalidArgument(f"{value!r} is not a rational number such as '3/4'") from None
    raise InvalidArgument(f"{value!r} ({type(value).__name__}) is not an exact rational number")


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class Polynomial:
    """A polynomial in ``n_vars`` real variables with rational coefficients (immutable).

    Build one from variables and arithmetic, or from its terms::

        >>> x, y = Polynomial.variables(2, names=("x", "y"))
        >>> f = x**3 + y**3
        >>> str(f)
        'x³ + y³'
        >>> f.gradient_at((0, 0))
        (Fraction(0, 1), Fraction(0, 1))
        >>> f.critical_order_at((0, 0))
        2
    """

    __slots__ = ("__dict__", "_terms", "n_vars", "names")

    def __init__(self, n_vars: int, terms: Mapping[Sequence[int], object] | None = None, *,
                 names: Sequence[str] | None = None):
        if isinstance(n_vars, bool) or not isinstance(n_vars, int) or n_vars < 1:
            raise InvalidArgument(f"n_vars={n_vars!r} must be a positive integer")
        self.n_vars = n_vars
        self.names = _names(n_vars, names)
        clean: dict[Exponent, Fraction] = {}
        for alpha, c in (terms or {}).items():
            alpha = tuple(int(a) for a in alpha)
            if len(alpha) != n_vars or any(a < 0 for a in alpha):
                raise InvalidArgument(f"exponent {alpha!r} must be {n_vars} nonnegative integers")
            c = as_fraction(c)
            if c:
                clean[alpha] = clean.get(alpha, Fraction(0)) + c
                if not clean[alpha]:
                    del clean[alpha]
        self._terms = clean

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def variables(cls, n: int, *, names: Sequence[str] | None = None) -> tuple[Polynomial, ...]:
        """The coordinate functions ``x_1, …, x_n`` (named ``names`` in printing)."""
        names = _names(n, names)
        return tuple(cls(n, {tuple(int(i == j) for j in range(n)): 1}, names=names) for i in range(n))

    @classmethod
    def constant(cls, value, n_vars: int, *, names: Sequence[str] | None = None) -> Polynomial:
        return cls(n_vars, {(0,) * n_vars: value}, names=names)

    def _new(self, terms: dict[Exponent, Fraction]) -> Polynomial:
        p = Polynomial.__new__(Polynomial)
        p.n_vars, p.names = self.n_vars, self.names
        p._terms = {a: c for a, c in terms.items() if c}
        return p

    def _coerce(self, other) -> Polynomial:
        if isinstance(other, Polynomial):
            if other.n_vars != self.n_vars:
                raise InvalidArgument(f"cannot combine polynomials in {self.n_vars} and {other.n_vars} "
                                      "variables")
            return other
        return self._new({(0,) * self.n_vars: as_fraction(other)})

    # -- arithmetic ------------------------------------------------------------------------------
    def __add__(self, other) -> Polynomial:
        other = self._coerce(other)
        out = dict(self._terms)
        for a, c in other._terms.items():
            out[a] = out.get(a, Fraction(0)) + c
        return self._new(out)

    __radd__ = __add__

    def __neg__(self) -> Polynomial:
        return self._new({a: -c for a, c in self._terms.items()})

    def __sub__(self, other) -> Polynomial:
        return self + (-self._coerce(other))

    def __rsub__(self, other) -> Polynomial:
        return self._coerce(other) - self

    def __mul__(self, other) -> Polynomial:
        return self.multiply(other)

    __rmul__ = __mul__

    def multiply(self, other, *, max_degree: int | None = None) -> Polynomial:
        """The product, dropping terms of total degree above ``max_degree`` (a truncated jet)."""
        other = self._coerce(other)
        out: dict[Exponent, Fraction] = {}
        for a, c in self._terms.items():
            da = sum(a)
            for b, e in other._terms.items():
                if max_degree is not None and da + sum(b) > max_degree:
                    continue
                k = tuple(i + j for i, j in zip(a, b))
                out[k] = out.get(k, Fraction(0)) + c * e
        return self._new(out)

    def __pow__(self, k: int) -> Polynomial:
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise InvalidArgument(f"polynomial power {k!r} must be a nonnegative integer")
        result = self._new({(0,) * self.n_vars: Fraction(1)})
        base = self
        while k:
            if k & 1:
                result = result * base
            base = base * base
            k >>= 1
        return result

    def __truediv__(self, other) -> Polynomial:
        c = as_fraction(other)
        if c == 0:
            raise InvalidArgument("division of a polynomial by zero")
        return self._new({a: v / c for a, v in self._terms.items()})

    def __eq__(self, other) -> bool:
        if isinstance(other, (int, Fraction)):
            other = self._coerce(other)
        return isinstance(other, Polynomial) and other.n_vars == self.n_vars and other._terms == self._terms

    def __hash__(self) -> int:
        return hash((self.n_vars, frozenset(self._terms.items())))

    # -- structure -------------------------------------------------------------------------------
    @property
    def terms(self) -> dict[Exponent, Fraction]:
        """A copy of ``{α: c_α}``."""
        return dict(self._terms)

    @property
    def is_zero(self) -> bool:
        return not self._terms

    @property
    def degree(self) -> int:
        """Total degree (−1 for the zero polynomial)."""
        return max((sum(a) for a in self._terms), default=-1)

    @property
    def lowest_degree(self) -> int | None:
        """The smallest total degree of a term (None for the zero polynomial)."""
        return min((sum(a) for a in self._terms), default=None)

    def homogeneous_part(self, k: int) -> Polynomial:
        return self._new({a: c for a, c in self._terms.items() if sum(a) == k})

    def truncate(self, max_degree: int) -> Polynomial:
        return self._new({a: c for a, c in self._terms.items() if sum(a) <= max_degree})

    def depends_on(self) -> tuple[int, ...]:
        """Indices of the variables that occur."""
        return tuple(i for i in range(self.n_vars) if any(a[i] for a in self._terms))

    def univariate_coefficients(self) -> list[Fraction]:
        """``[c_0, c_1, …, c_m]`` of a polynomial in one variable."""
        if self.n_vars != 1:
            raise InvalidArgument(f"univariate_coefficients needs one variable, this has {self.n_vars}")
        out = [Fraction(0)] * (self.degree + 1)
        for (a,), c in self._terms.items():
            out[a] = c
        return out

    # -- calculus --------------------------------------------------------------------------------
    def derivative(self, i: int, times: int = 1) -> Polynomial:
        """``∂^times f / ∂x_i^times`` (exact)."""
        if not 0 <= i < self.n_vars:
            raise InvalidArgument(f"variable index {i!r} must lie in 0..{self.n_vars - 1}")
        key = ("d", i, times)
        cache = self.__dict__.setdefault("_derivatives", {})
        if key not in cache:
            out: dict[Exponent, Fraction] = {}
            for a, c in self._terms.items():
                if a[i] >= times:
                    b = list(a)
                    b[i] -= times
                    out[tuple(b)] = c * math.perm(a[i], times)
            cache[key] = self._new(out)
        return cache[key]

    def partial(self, multi_index: Sequence[int]) -> Polynomial:
        """``∂^|β| f / ∂x^β`` for ``β = multi_index`` (a count per variable)."""
        p = self
        for i, k in enumerate(multi_index):
            if k:
                p = p.derivative(i, k)
        return p

    @cached_property
    def gradient(self) -> tuple[Polynomial, ...]:
        """``(∂f/∂x_1, …, ∂f/∂x_n)`` as polynomials."""
        return tuple(self.derivative(i) for i in range(self.n_vars))

    @cached_property
    def hessian(self) -> tuple[tuple[Polynomial, ...], ...]:
        """The Hessian ``∂²f/∂x_i∂x_j`` as a symmetric table of polynomials."""
        g = self.gradient
        return tuple(tuple(g[i].derivative(j) for j in range(self.n_vars)) for i in range(self.n_vars))

    # -- exact evaluation --------------------------------------------------------------------------
    def __call__(self, point: Sequence) -> Fraction:
        """``f(point)`` exactly (point entries are converted with :func:`as_fraction`)."""
        x = self._point(point)
        powers = [_powers(xi, max((a[i] for a in self._terms), default=0)) for i, xi in enumerate(x)]
        total = Fraction(0)
        for a, c in self._terms.items():
            term = c
            for i, k in enumerate(a):
                if k:
                    term *= powers[i][k]
            total += term
        return total

    def _point(self, point: Sequence) -> tuple[Fraction, ...]:
        try:
            x = tuple(as_fraction(v) for v in point)
        except TypeError:
            raise InvalidArgument(f"a point must be a sequence of {self.n_vars} numbers, got {point!r}") \
                from None
        if len(x) != self.n_vars:
            raise InvalidArgument(f"point {point!r} has {len(x)} coordinates, the polynomial has "
                                  f"{self.n_vars} variables")
        return x

    def gradient_at(self, point: Sequence) -> tuple[Fraction, ...]:
        return tuple(g(point) for g in self.gradient)

    def hessian_at(self, point: Sequence) -> list[list[Fraction]]:
        H = self.hessian
        n = self.n_vars
        out = [[Fraction(0)] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                out[i][j] = out[j][i] = H[i][j](point)
        return out

    def translate(self, point: Sequence, *, max_degree: int | None = None) -> Polynomial:
        """``h ↦ f(point + h)`` exactly (terms above ``max_degree`` in h dropped)."""
        p = self._point(point)
        out: dict[Exponent, Fraction] = {}
        for a, c in self._terms.items():
            # Π_i (p_i + h_i)^{a_i} = Σ_{b ≤ a} Π_i C(a_i, b_i) p_i^{a_i − b_i} h_i^{b_i}
            ranges = [range(k + 1) for k in a]
            for b in itertools.product(*ranges):
                if max_degree is not None and sum(b) > max_degree:
                    continue
                coef = c
                for i, (ai, bi) in enumerate(zip(a, b)):
                    if ai != bi:
                        coef *= math.comb(ai, bi) * p[i] ** (ai - bi)
                if coef:
                    out[b] = out.get(b, Fraction(0)) + coef
        return self._new(out)

    def critical_order_at(self, point: Sequence, *, max_order: int | None = None) -> int | float:
        """The largest k such that every partial derivative of order 1…k vanishes at ``point``.

        0 when ∇f(point) ≠ 0; ``math.inf`` when f is constant.  Exact: it is one less than the
        lowest degree of ``h ↦ f(point + h) − f(point)``.  With ``max_order`` the expansion is
        truncated and ``max_order`` means "at least max_order".
        """
        cap = None if max_order is None else max_order + 1
        g = self.translate(point, max_degree=cap)
        rest = g._new({a: c for a, c in g._terms.items() if sum(a) > 0})
        low = rest.lowest_degree
        if low is None:
            return math.inf if max_order is None else max_order
        return low - 1

    def restrict_to_line(self, point: Sequence, direction: Sequence) -> Polynomial:
        """The univariate polynomial ``t ↦ f(point + t·direction)`` (exact)."""
        p, v = self._point(point), self._point(direction)
        (t,) = Polynomial.variables(1, names=("t",))
        return self.substitute([pi + vi * t for pi, vi in zip(p, v)])

    def substitute(self, values: Sequence[Polynomial]) -> Polynomial:
        """``f(g_1, …, g_n)`` for polynomials ``g_i`` in a common set of variables."""
        if len(values) != self.n_vars:
            raise InvalidArgument(f"substitute needs {self.n_vars} polynomials, got {len(values)}")
        values = [v if isinstance(v, Polynomial) else None for v in values]
        if any(v is None for v in values):
            raise InvalidArgument("substitute takes polynomials")
        base = values[0]
        result = base._new({})
        cache: dict[tuple[int, int], Polynomial] = {}
        for a, c in self._terms.items():
            term = base._new({(0,) * base.n_vars: c})
            for i, k in enumerate(a):
                if k:
                    if (i, k) not in cache:
                        cache[(i, k)] = values[i] ** k
                    term = term * cache[(i, k)]
            result = result + term
        return result

    # -- float64 and mpmath evaluation -----------------------------------------------------------
    @cached_property
    def _compiled(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._terms:
            return np.zeros((0, self.n_vars), dtype=np.int64), np.zeros(0)
        exps = np.array(list(self._terms), dtype=np.int64)
        coefs = np.array([float(c) for c in self._terms.values()])
        return exps, coefs

    def _monomials_f64(self, X: np.ndarray) -> np.ndarray:
        exps, _ = self._compiled
        return np.prod(X[:, None, :] ** exps[None, :, :], axis=2)

    def value_f64(self, x) -> np.ndarray | float:
        """f in float64 at one point (shape ``(n,)``) or many (shape ``(m, n)``)."""
        X = np.asarray(x, dtype=np.float64)
        single = X.ndim == 1
        X = X.reshape(-1, self.n_vars)
        _, coefs = self._compiled
        out = self._monomials_f64(X) @ coefs if len(coefs) else np.zeros(X.shape[0])
        return float(out[0]) if single else out

    def abs_value_f64(self, x) -> float:
        """``Σ_α |c_α| |x^α|``: the size of the terms whose sum is f(x) (a rounding-error scale)."""
        X = np.abs(np.asarray(x, dtype=np.float64)).reshape(1, self.n_vars)
        _, coefs = self._compiled
        return float((self._monomials_f64(X) @ np.abs(coefs))[0]) if len(coefs) else 0.0

    def gradient_f64(self, x) -> np.ndarray:
        """∇f in float64; shape ``(n,)`` or ``(m, n)``."""
        X = np.asarray(x, dtype=np.float64)
        cols = [g.value_f64(X.reshape(-1, self.n_vars)) for g in self.gradient]
        G = np.stack(cols, axis=-1)
        return G[0] if X.ndim == 1 else G

    def hessian_f64(self, x) -> np.ndarray:
        """Hess f in float64; shape ``(n, n)`` or ``(m, n, n)``."""
        X = np.asarray(x, dtype=np.float64).reshape(-1, self.n_vars)
        n = self.n_vars
        H = np.empty((X.shape[0], n, n))
        for i in range(n):
            for j in range(i, n):
                H[:, i, j] = H[:, j, i] = self.hessian[i][j].value_f64(X)
        return H[0] if np.asarray(x).ndim == 1 else H

    def value_mp(self, point: Sequence) -> mpmath.mpf:
        """f at the current mpmath precision (coefficients rounded once each)."""
        x = [mpmath.mpf(v) if not isinstance(v, Fraction) else mpmath.mpf(v.numerator) / v.denominator
             for v in point]
        total = mpmath.mpf(0)
        for a, c in self._terms.items():
            term = mpmath.mpf(c.numerator) / c.denominator
            for i, k in enumerate(a):
                if k:
                    term *= x[i] ** k
            total += term
        return total

    # -- printing and records ---------------------------------------------------------------------
    def __str__(self) -> str:
        if not self._terms:
            return "0"
        parts = []
        for a in sorted(self._terms, key=lambda a: (sum(a), [-k for k in a])):
            c = self._terms[a]
            mono = "·".join(self.names[i] + (str(k).translate(_SUPERSCRIPT) if k > 1 else "")
                            for i, k in enumerate(a) if k)
            mag = abs(c)
            coef = "" if (mag == 1 and mono) else str(mag)
            body = coef + ("·" if coef and mono and "/" in coef else "") + mono if mono else str(mag)
            parts.append(("− " if c < 0 else "+ ") + body)
        text = " ".join(parts)
        return text[2:] if text.startswith("+ ") else "−" + text[2:]

    def __repr__(self) -> str:
        return f"Polynomial({self})"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def to_dict(self) -> dict:
        """``{"n_vars", "names", "terms": [[α, "p/q"], …], "formula"}`` (exact, JSON-able)."""
        return {"n_vars": self.n_vars, "names": list(self.names), "formula": str(self),
                "terms": [[list(a), str(c)] for a, c in sorted(self._terms.items())]}

    @classmethod
    def from_dict(cls, data: Mapping) -> Polynomial:
        try:
            terms = {tuple(a): Fraction(c) for a, c in data["terms"]}
            return cls(int(data["n_vars"]), terms, names=data.get("names"))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidArgument(f"not a polynomial record: {exc}") from None


def _names(n: int, names: Sequence[str] | None) -> tuple[str, ...]:
    if names is None:
        return ("x", "y", "z")[:n] if n <= 3 else tuple(f"x{i + 1}" for i in range(n))
    names = tuple(str(s) for s in names)
    if len(names) != n:
        raise InvalidArgument(f"names={names!r} must name exactly {n} variables")
    return names


def _powers(x: Fraction, top: int) -> list[Fraction]:
    out = [Fraction(1)]
    for _ in range(top):
        out.append(out[-1] * x)
    return out


# -- exact linear algebra over ℚ -------------------------------------------------------------------


def exact_inertia(matrix: Sequence[Sequence]) -> tuple[int, int, int]:
    """The inertia ``(n₊, n₋, n₀)`` of a rational symmetric matrix, exactly.

    Symmetric elimination: a nonzero diagonal pivot ``a`` contributes ``sign(a)``; if every
    remaining diagonal entry is 0 but some ``a_ij ≠ 0``, the 2×2 pivot ``[[0, a], [a, 0]]``
    contributes ``(1, 1)``; the Schur complement carries the rest (Haynsworth additivity).
    """
    A = [[as_fraction(v) for v in row] for row in matrix]
    n = len(A)
    if any(len(row) != n for row in A):
        raise InvalidArgument("exact_inertia needs a square matrix")
    if any(A[i][j] != A[j][i] for i in range(n) for j in range(i)):
        raise InvalidArgument("exact_inertia needs a symmetric matrix")
    active = list(range(n))
    pos = neg = 0
    while active:
        i = next((i for i in active if A[i][i] != 0), None)
        if i is not None:
            d = A[i][i]
            pos, neg = (pos + 1, neg) if d > 0 else (pos, neg + 1)
            active.remove(i)
            for r in active:
                if A[r][i]:
                    f = A[r][i] / d
                    for c in active:
                        A[r][c] -= f * A[i][c]
            continue
        pair = next(((i, j) for i in active for j in active if j > i and A[i][j] != 0), None)
        if pair is None:
            break
        i, j = pair
        a = A[i][j]
        pos, neg = pos + 1, neg + 1
        active.remove(i)
        active.remove(j)
        rows = {r: (A[r][i], A[r][j]) for r in active}
        for r in active:
            ri, rj = rows[r]
            if ri or rj:
                for c in active:
                    ci, cj = rows[c]
                    A[r][c] -= (ri * cj + rj * ci) / a
    return pos, neg, n - pos - neg


def exact_determinant(matrix: Sequence[Sequence]) -> Fraction:
    """``det`` of a rational square matrix by Bareiss's fraction-free elimination (exact)."""
    A = [[as_fraction(v) for v in row] for row in matrix]
    n = len(A)
    if any(len(row) != n for row in A):
        raise InvalidArgument("exact_determinant needs a square matrix")
    if n == 0:
        return Fraction(1)
    sign, prev = 1, Fraction(1)
    for k in range(n - 1):
        if A[k][k] == 0:
            swap = next((r for r in range(k + 1, n) if A[r][k] != 0), None)
            if swap is None:
                return Fraction(0)
            A[k], A[swap] = A[swap], A[k]
            sign = -sign
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                A[i][j] = (A[i][j] * A[k][k] - A[i][k] * A[k][j]) / prev
        prev = A[k][k]
    return sign * A[n - 1][n - 1]


# -- network losses with polynomial activations -----------------------------------------------------

#: Activations that are polynomials with rational coefficients: name → ``[c_0, c_1, …]``.
POLYNOMIAL_ACTIVATIONS: dict[str, tuple[Fraction, ...]] = {
    "identity": (Fraction(0), Fraction(1)),
    "cubic": (Fraction(0), Fraction(1), Fraction(0), Fraction(1)),
}


#: The largest total degree :func:`network_loss_polynomial` expands without truncation.
MAX_EXPANDED_DEGREE = 16


def network_loss_polynomial(problem, point: Sequence | None = None, *,
                            max_degree: int | None = None) -> Polynomial:
    """``h ↦ L(p + h)`` for a network :class:`~critlocus.core.network.Problem` whose activation
    is a polynomial (:data:`POLYNOMIAL_ACTIVATIONS`) and whose loss is the plain or weighted L2
    loss, expanded exactly (data, weights and the point are read as exact binary rationals).

    The variables are the network's parameters in layout order (named ``W_2[0,1]`` etc.).
    ``max_degree`` truncates every intermediate product (a multivariate jet): enough to decide
    the order of a critical point up to ``max_degree − 1``.
    """
    arch = problem.architecture
    act = problem.network.activation
    if act.name not in POLYNOMIAL_ACTIVATIONS:
        raise InvalidArgument(f"activation {act.name!r} is not a polynomial; exact network losses need "
                              f"one of {sorted(POLYNOMIAL_ACTIVATIONS)}")
    loss = problem.loss
    if loss.name not in ("squared_error", "weighted_squared_error"):
        raise InvalidArgument(f"loss {loss.name!r}: exact network losses need the (weighted) L2 loss")
    weights = [[as_fraction(w) for w in row] for row in loss.weight_matrix(problem.data.size, arch.n_out)]
    n = arch.n_params
    names = arch.layout.coordinate_names()
    base = [Fraction(0)] * n if point is None else [as_fraction(v) for v in point]
    if len(base) != n:
        raise InvalidArgument(f"point has {len(base)} coordinates, the network has N = {n}")
    hs = Polynomial.variables(n, names=names)
    theta = [h + b for h, b in zip(hs, base)]
    coeffs = POLYNOMIAL_ACTIVATIONS[act.name]
    degree = 1  # of h_k in θ: deg h_1 = 1, deg h_{k+1} = 1 + deg(σ)·deg h_k
    for _ in range(arch.depth - 1):
        degree = 1 + (len(coeffs) - 1) * degree
    if max_degree is None and 2 * degree > MAX_EXPANDED_DEGREE:
        raise InvalidArgument(f"L has degree {2 * degree} in θ for {arch} with σ = {act.name}: expanding "
                              f"it fully is too costly (limit {MAX_EXPANDED_DEGREE}); pass max_degree= "
                              "for a jet")
    zero = Polynomial(n, names=names)

    def sigma(p: Polynomial) -> Polynomial:
        out, power = zero + coeffs[0], zero + 1
        for c in coeffs[1:]:
            power = power.multiply(p, max_degree=max_degree)
            if c:
                out = out + power * c
        return out

    blocks = {b.name: b for b in arch.layout.blocks}
    total = zero
    for x, y, w_row in zip(problem.data.X, problem.data.Y, weights):
        a = [zero + as_fraction(v) for v in x]
        for k in range(1, arch.depth + 1):
            W = blocks[f"W_{k}"]
            rows, cols = W.shape
            b = blocks.get(f"b_{k}")
            h = []
            for r in range(rows):
                acc = theta[b.offset + r] if b is not None else zero
                for c in range(cols):
                    acc = acc + theta[W.offset + r * cols + c].multiply(a[c], max_degree=max_degree)
                h.append(acc)
            a = [sigma(v) for v in h] if k < arch.depth else h
        for o, (fo, yo) in enumerate(zip(a, y)):
            r = fo - as_fraction(yo)
            total = total + r.multiply(r, max_degree=max_degree) * w_row[o]
    return total

