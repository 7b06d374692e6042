"""Explicit landscapes with planted properties, for the definitions and worked examples.

Every strategy builds its functions *constructively* from the property it plants (never by
filtering), records the planted truth in ``instance.info`` and yields
:class:`~critlocus.core.explicit.FunctionInstance` objects:

- :func:`planted_critical_points` — ``f(x) = Σ_j H_j(x − p)`` with a planted order of
  criticality k at a rational point p and a planted Hessian inertia (``Q = LᵀDL``);
- :func:`planted_local_geometry` — ``f(x) = c + Σ_i g_i(u_i)`` in planted coordinates
  ``u = A(x − p)`` (A rational, invertible), each ``g_i`` a univariate polynomial with a chosen
  local behaviour at 0 (nondegenerate ±u², degenerate ±u^{2m} or u^{2m+1}, or absent);
- :func:`piecewise_landscapes` — continuous 1-D piecewise polynomials drawn from a profile of
  node values (plateaus, valleys, rays to ±∞) or as polynomials with planted rational critical
  points; :func:`lifts` and :func:`separable_landscapes` put them in several variables;
- :func:`network_jets` — network losses with polynomial activations as exact jets, at points
  of Cooper's core locus or at 0 of a bias-free network.

Keyword-only arguments, validated up front (errors name the bad value).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from critlocus.core.activations import get_activation
from critlocus.core.architecture import Architecture
from critlocus.core.data import Dataset
from critlocus.core.errors import InvalidArgument
from critlocus.core.explicit import FunctionInstance
from critlocus.core.functions import Polynomial
from critlocus.core.instance import Instance
from critlocus.core.losses import squared_error
from critlocus.core.network import Network, Problem
from critlocus.core.piecewise import PiecewisePolynomial, SeparableSum
from critlocus.core.points import Given, PointRecipe

from ._validation import check_integer, check_range
from .data import datasets
from .loci import core_locus_instances

__all__ = [
    "lifts",
    "local_nonglobal_minima",
    "network_jets",
    "piecewise_landscapes",
    "planted_critical_points",
    "planted_local_geometry",
    "rationals",
    "saddles_with_linear_level_sets",
    "separable_landscapes",
]


def rationals(*, max_denominator: int = 6, bound: int = 3, nonzero: bool = False
              ) -> st.SearchStrategy[Fraction]:
    """Rationals ``a/q`` with ``1 ≤ q ≤ max_denominator`` and ``|a/q| ≤ bound`` — including
    non-dyadic ones (1/3) that float64 cannot represent.  Shrinks toward 0 (toward 1 if
    ``nonzero``) and small denominators.

    >>> r = rationals(max_denominator=3, bound=1).example()
    >>> abs(r) <= 1 and r.denominator <= 3
    True
    """
    check_integer("max_denominator", max_denominator, minimum=1)
    check_integer("bound", bound, minimum=1)
    return _rational(max_denominator, bound, nonzero)


@st.composite
def _rational(draw, max_denominator: int, bound: int, nonzero: bool) -> Fraction:
    """One draw of :func:`rationals` (module level: it is built per draw, and Hypothesis parses a
    composite's source each time one is defined)."""
    q = draw(st.integers(1, max_denominator))
    a = draw(st.integers(1 if nonzero else 0, bound * q))
    sign = draw(st.sampled_from([1, -1])) if a else 1
    return Fraction(sign * a, q)


def _homogeneous(draw, n: int, degree: int, names, *, terms: int = 2) -> Polynomial:
    """A nonzero homogeneous polynomial of the given degree with a few random monomials."""
    out = Polynomial(n, names=names)
    count = draw(st.integers(1, terms))
    for _ in range(count):
        combo = draw(st.lists(st.integers(0, n - 1), min_size=degree, max_size=degree))
        alpha = [0] * n
        for i in combo:
            alpha[i] += 1
        out = out + Polynomial(n, {tuple(alpha): draw(rationals(max_denominator=4, bound=2, nonzero=True))},
                               names=names)
    if out.is_zero:  # cancellation: plant one monomial
        out = Polynomial(n, {tuple([degree] + [0] * (n - 1)): 1}, names=names)
    return out


def _planted_quadratic(draw, n: int, names, *, allow_zero: bool):
    """``hᵀ Q h`` with ``Q = Lᵀ D L`` (L unit triangular rational): inertia = signs of D."""
    signs = draw(st.lists(st.sampled_from([1, -1, 0] if allow_zero else [1, -1]), min_size=n, max_size=n))
    if all(s == 0 for s in signs):
        signs[0] = 1
    D = [s * abs(draw(rationals(max_denominator=3, bound=2, nonzero=True))) for s in signs]
    L = [[Fraction(int(i == j)) if j >= i else draw(rationals(max_denominator=2, bound=1))
          for j in range(n)] for i in range(n)]
    hs = Polynomial.variables(n, names=names)
    # (L h)_i = Σ_j L_ij h_j ;  hᵀLᵀDLh = Σ_i D_i (L h)_i²
    lh = [sum((hs[j] * L[i][j] for j in range(n) if L[i][j]), Polynomial(n, names=names)) for i in range(n)]
    quad = sum((lh[i] * lh[i] * D[i] for i in range(n) if D[i]), Polynomial(n, names=names))
    inertia = (sum(1 for s in signs if s > 0), sum(1 for s in signs if s < 0),
               sum(1 for s in signs if s == 0))
    return quad, inertia


def planted_critical_points(*, min_vars: int = 1, max_vars: int = 3, max_order: int = 3,
                            max_extra_degree: int = 2) -> st.SearchStrategy[FunctionInstance]:
    """``(f, p)`` with f critical of planted order ``k ∈ [0, max_order]`` at a rational p.

    ``f(p + h) = c + Σ_{j > k} H_j(h)``: for ``k = 0`` a nonzero linear part; for ``k = 1`` a
    quadratic part ``hᵀ(LᵀDL)h`` with planted signs of D (zeros allowed: degenerate); for
    ``k ≥ 2`` no quadratic part and a nonzero ``H_{k+1}``; plus random terms up to
    ``max_extra_degree`` degrees higher.  ``info["planted"]`` holds ``critical``, ``order``,
    ``inertia`` (of Hess f(p)) and ``degenerate``.

    >>> inst = planted_critical_points(max_vars=2).example()
    >>> inst.info["planted"]["order"] == inst.evaluation().critical_order()[0]
    True
    """
    check_integer("min_vars", min_vars, minimum=1)
    check_integer("max_vars", max_vars, minimum=1, maximum=6)
    check_range("min_vars", min_vars, "max_vars", max_vars)
    check_integer("max_order", max_order, minimum=0, maximum=6)
    check_integer("max_extra_degree", max_extra_degree, minimum=0, maximum=4)

    @st.composite
    def build(draw):
        n = draw(st.integers(min_vars, max_vars))
        names = None
        k = draw(st.integers(0, max_order))
        p = tuple(draw(st.lists(rationals(), min_size=n, max_size=n)))
        g = Polynomial.constant(draw(rationals()), n)
        if k == 0:
            g = g + _homogeneous(draw, n, 1, names)
        if k <= 1:
            quad, inertia = _planted_quadratic(draw, n, names, allow_zero=True)
            g = g + quad
        else:
            inertia = (0, 0, n)
            g = g + _homogeneous(draw, n, k + 1, names)
        top = max(k + 1, 2) + draw(st.integers(0, max_extra_degree))
        for j in range(max(k + 2, 3), top + 1):
            if draw(st.booleans()):
                g = g + _homogeneous(draw, n, j, names)
        f = g.translate(tuple(-v for v in p))  # f(x) = g(x − p)
        critical = k >= 1
        planted = {"critical": critical, "order": k, "inertia": list(inertia),
                   "degenerate": critical and inertia[2] > 0}
        label = f"p = ({', '.join(map(str, p))}), planted order {k}"
        return FunctionInstance(f, p, label=label, info={"planted": planted, "family": "planted order"})

    return build()


# univariate local behaviours at 0: name → (coefficients, local min, local max, nondegenerate)
_BEHAVIOURS = {
    "+u²": ((0, 0, 1), "min"), "−u²": ((0, 0, -1), "max"),
    "+u² + u³": ((0, 0, 1, 1), "min"), "−u² + u³": ((0, 0, -1, 1), "max"),
    "+u⁴": ((0, 0, 0, 0, 1), "min"), "−u⁴": ((0, 0, 0, 0, -1), "max"),
    "u³": ((0, 0, 0, 1), "neither"), "u³ + u⁴": ((0, 0, 0, 1, 1), "neither"),
    "absent": (None, "flat"),
}


def planted_local_geometry(*, min_vars: int = 1, max_vars: int = 3, degenerate: bool | None = None
                           ) -> st.SearchStrategy[FunctionInstance]:
    """A critical point p with planted local geometry: ``f(x) = c + Σ_i s_i g_i(u_i)``,
    ``u = A(x − p)`` with A rational, invertible (unit triangular times a permutation),
    ``s_i > 0`` rational scalings and each ``g_i`` one of ``±u²``, ``±u² + u³`` (nondegenerate),
    ``±u⁴``, ``u³``, ``u³ + u⁴`` (degenerate) or absent (a flat direction: p lies on a line of
    critical points).  ``info["plant"]`` holds A and the parts; ``info["planted"]`` the truth:
    ``inertia``, ``nondegenerate``, ``local_min``, ``strict_min``, ``isolated_critical``.

    ``degenerate=False`` draws only nondegenerate parts, ``True`` at least one degenerate one.
    """
    check_integer("min_vars", min_vars, minimum=1)
    check_integer("max_vars", max_vars, minimum=1, maximum=5)
    check_range("min_vars", min_vars, "max_vars", max_vars)
    nondeg = [k for k in _BEHAVIOURS if k.startswith(("+u²", "−u²"))]
    deg = [k for k in _BEHAVIOURS if k not in nondeg]

    @st.composite
    def build(draw):
        n = draw(st.integers(min_vars, max_vars))
        pool = nondeg if degenerate is False else nondeg + deg
        kinds = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
        if degenerate and all(k in nondeg for k in kinds):
            kinds[draw(st.integers(0, n - 1))] = draw(st.sampled_from(deg))
        p = tuple(draw(st.lists(rationals(), min_size=n, max_size=n)))
        perm = draw(st.permutations(list(range(n))))
        U = [[Fraction(int(i == j)) if j >= i else draw(rationals(max_denominator=2, bound=1))
              for j in range(n)] for i in range(n)]
        A = [U[perm[i]] for i in range(n)]
        parts = []
        for kind in kinds:
            coeffs, _ = _BEHAVIOURS[kind]
            if coeffs is None:
                parts.append(None)
                continue
            s = abs(draw(rationals(max_denominator=3, bound=2, nonzero=True)))
            parts.append([Fraction(c) * s for c in coeffs])
        c = draw(rationals())
        xs = Polynomial.variables(n)
        f = Polynomial.constant(c, n)
        for i, part in enumerate(parts):
            if part is None:
                continue
            u = sum((xs[j] * A[i][j] for j in range(n) if A[i][j]), Polynomial(n)) \
                - sum((A[i][j] * p[j] for j in range(n)), Fraction(0))
            f = f + sum((u**k * ck for k, ck in enumerate(part) if ck), Polynomial(n))
        behaviour = [_BEHAVIOURS[k][1] for k in kinds]
        quadratic = [k in nondeg for k in kinds]
        inertia = [sum(1 for k in kinds if k.startswith("+u²")), sum(1 for k in kinds if k.startswith("−u²")),
                   sum(1 for q in quadratic if not q)]
        local_min = all(b in ("min", "flat") for b in behaviour)
        free = "flat" in behaviour
        planted = {"inertia": inertia, "nondegenerate": all(quadratic),
                   "local_min": local_min, "strict_min": local_min and not free,
                   "isolated_critical": not free}
        info = {"plant": {"A": [[str(v) for v in row] for row in A],
                          "parts": [None if q is None else [str(v) for v in q] for q in parts]},
                "planted": planted, "kinds": kinds, "family": "planted local geometry"}
        label = f"p = ({', '.join(map(str, p))}); f = c + " + " + ".join(
            f"{k if k != 'absent' else '0'}(u{i + 1})" for i, k in enumerate(kinds))
        return FunctionInstance(f, p, label=label, info=info)

    return build()


# -- 1-D piecewise polynomials -----------------------------------------------------------------------

_SHAPES = {  # monotone s: [0, 1] → [0, 1], s(0) = 0, s(1) = 1 (coefficients in t, low → high)
    "linear": (0, 1), "ease-in t²": (0, 0, 1), "ease-out 2t − t²": (0, 2, -1),
    "smoothstep 3t² − 2t³": (0, 0, 3, -2),
}


def _segment(x0: Fraction, x1: Fraction, v0: Fraction, v1: Fraction, shape: str) -> Polynomial:
    (x,) = Polynomial.variables(1)
    t = (x - x0) / (x1 - x0)
    s = sum((t**k * c for k, c in enumerate(_SHAPES[shape]) if c), Polynomial(1))
    return Polynomial.constant(v0, 1) + s * (v1 - v0)


def _ray(x0: Fraction, v0: Fraction, slope: Fraction, power: int, side: int) -> Polynomial:
    (x,) = Polynomial.variables(1)
    return Polynomial.constant(v0, 1) + ((x - x0) * side) ** power * slope


def piecewise_landscapes(*, min_nodes: int = 1, max_nodes: int = 5, plateaus: bool = True,
                         planted_polynomials: bool = True) -> st.SearchStrategy[FunctionInstance]:
    """Continuous 1-D piecewise polynomials (as :class:`FunctionInstance` without a point).

    Profiles: nodes ``x_0 < … < x_m`` with values ``v_i`` (equal neighbours make a plateau when
    ``plateaus``), joined by monotone pieces (linear, ease-in/out, smoothstep) and continued by
    rays ``v ± (x − x_i)^e`` or constants.  With ``planted_polynomials`` also single polynomials
    ``g(x) = c + ∫_0^x a Π_i (t − r_i)^{m_i} dt`` with planted rational critical points ``r_i``.
    """
    check_integer("min_nodes", min_nodes, minimum=1)
    check_integer("max_nodes", max_nodes, minimum=1, maximum=12)
    check_range("min_nodes", min_nodes, "max_nodes", max_nodes)

    @st.composite
    def profile(draw):
        m = draw(st.integers(min_nodes, max_nodes))
        steps = draw(st.lists(st.integers(1, 8), min_size=m - 1, max_size=m - 1))
        x0 = Fraction(draw(st.integers(-8, 8)), 4)
        xs = [x0]
        for s in steps:
            xs.append(xs[-1] + Fraction(s, 4))
        values = [Fraction(v) for v in draw(st.lists(st.integers(-3, 3), min_size=m, max_size=m))]
        if not plateaus:
            for i in range(1, m):
                if values[i] == values[i - 1]:
                    values[i] += 1
        pieces, shapes = [], []
        left = draw(st.sampled_from(["up", "down", "flat"] if plateaus else ["up", "down"]))
        e = draw(st.integers(1, 3))
        slope = {"up": Fraction(1), "down": Fraction(-1), "flat": Fraction(0)}[left]
        pieces.append(_ray(xs[0], values[0], slope, e, -1))
        for i in range(m - 1):
            shape = draw(st.sampled_from(sorted(_SHAPES)))
            shapes.append(shape)
            pieces.append(_segment(xs[i], xs[i + 1], values[i], values[i + 1], shape)
                          if values[i] != values[i + 1] else Polynomial.constant(values[i], 1))
        right = draw(st.sampled_from(["up", "down", "flat"] if plateaus else ["up", "down"]))
        e = draw(st.integers(1, 3))
        slope = {"up": Fraction(1), "down": Fraction(-1), "flat": Fraction(0)}[right]
        pieces.append(_ray(xs[-1], values[-1], slope, e, 1))
        g = PiecewisePolynomial(tuple(pieces), tuple(xs))
        info = {"family": "profile", "nodes": [str(v) for v in xs], "values": [str(v) for v in values],
                "rays": [left, right], "shapes": shapes}
        return FunctionInstance(g, None, label=f"profile {[str(v) for v in values]}", info=info)

    @st.composite
    def planted(draw):
        roots = draw(st.lists(st.integers(-6, 6), min_size=1, max_size=3, unique=True))
        roots = [Fraction(r, 2) for r in roots]
        mult = draw(st.lists(st.integers(1, 2), min_size=len(roots), max_size=len(roots)))
        a = draw(rationals(max_denominator=2, bound=2, nonzero=True))
        (t,) = Polynomial.variables(1)
        d = Polynomial.constant(a, 1)
        for r, k in zip(roots, mult):
            d = d * (t - r) ** k
        coeffs = d.univariate_coefficients()
        g = Polynomial(1, {(k + 1,): c / (k + 1) for k, c in enumerate(coeffs)}) + draw(rationals())
        fn = PiecewisePolynomial((g,))
        info = {"family": "planted critical points", "critical_points": [str(r) for r in roots],
                "multiplicities": mult}
        return FunctionInstance(fn, None, label=f"g = {g}", info=info)

    return st.one_of(profile(), planted()) if planted_polynomials else profile()


def lifts(inner: st.SearchStrategy[FunctionInstance], *, n_vars: int = 2
          ) -> st.SearchStrategy[FunctionInstance]:
    """``f(x, y, …) = g(x)``: the 1-D functions of ``inner`` as functions of ``n_vars`` variables.

    Every local minimum of a lift lies on a line of minima (never isolated, never strict), and its
    sublevel sets are products with R (so valleys lift).
    """
    check_integer("n_vars", n_vars, minimum=2, maximum=4)

    def lift(inst: FunctionInstance) -> FunctionInstance:
        f = SeparableSum((inst.function, *([None] * (n_vars - 1))))
        return FunctionInstance(f, None, label=f"lift of {inst.label}", info={**inst.info, "lifted": True})

    return inner.map(lift)


def separable_landscapes(*, min_vars: int = 2, max_vars: int = 3, max_nodes: int = 4
                         ) -> st.SearchStrategy[FunctionInstance]:
    """``f(x_1, …, x_n) = Σ_i g_i(x_i)`` with 1-D parts from :func:`piecewise_landscapes` (a part
    may be absent: a lift in that coordinate)."""
    check_integer("min_vars", min_vars, minimum=1)
    check_integer("max_vars", max_vars, minimum=1, maximum=4)
    check_range("min_vars", min_vars, "max_vars", max_vars)
    part = piecewise_landscapes(max_nodes=max_nodes)

    @st.composite
    def build(draw):
        n = draw(st.integers(min_vars, max_vars))
        parts = [draw(st.one_of(st.none(), part.map(lambda i: i.function))) for _ in range(n)]
        if all(p is None for p in parts):
            parts[0] = draw(part).function
        f = SeparableSum(tuple(parts))
        return FunctionInstance(f, None, label=f"separable sum in {n} variables",
                                info={"family": "separable", "absent": [p is None for p in parts]})

    return build()


# -- networks with polynomial activations as exact jets ----------------------------------------------

def network_jets(*, kind: str = "bias-free-origin", max_depth: int = 4, max_width: int = 2,
                 max_data: int = 3) -> st.SearchStrategy[FunctionInstance]:
    """Network losses with the polynomial activations ``identity`` and ``cubic`` (σ(x) = x + x³,
    both smooth with σ(0) = 0) as exact jets ``h ↦ L(p + h)`` (:meth:`FunctionInstance.from_network`).

    ``kind="bias-free-origin"``: a bias-free network of depth ℓ at θ = 0, where L − L(0) starts
    with ``−2 Σ_j y_jᵀ W_ℓ⋯W_1 x_j`` (σ'(0) = 1): planted order ``ℓ − 1`` when ``YᵀX ≠ 0`` (else
    ≥ ℓ), Hess = 0 for ℓ ≥ 3.  ``kind="core"``: a point of Cooper's core locus (widths ≤
    ``max_width``, depth 3), planted critical of order 1 with inertia ``(n_ℓ, 0, N − n_ℓ)``.
    """
    if kind not in ("bias-free-origin", "core"):
        raise InvalidArgument(f"kind={kind!r} must be 'bias-free-origin' or 'core'")
    check_integer("max_depth", max_depth, minimum=2, maximum=5)
    check_integer("max_width", max_width, minimum=1, maximum=3)
    check_integer("max_data", max_data, minimum=1, maximum=5)
    acts = st.sampled_from([get_activation("identity"), get_activation("cubic")])
    if kind == "core":
        base = core_locus_instances(min_depth=3, max_depth=3, max_width=max_width, max_inputs=1,
                                    max_outputs=1, max_data=max_data, activations=acts)

        def to_jet(inst: Instance) -> FunctionInstance:
            j = FunctionInstance.from_network(inst, jet_degree=3)
            n, n_out = inst.n_params, inst.n_out
            planted = {"critical": True, "order": 1, "inertia": [n_out, 0, n - n_out], "degenerate": True}
            return FunctionInstance(j.function, j.point, label=j.label, info={**j.info, "planted": planted},
                                    seed=j.seed, jet_degree=j.jet_degree, source=inst)
        return base.map(to_jet)

    @st.composite
    def build(draw):
        depth = draw(st.integers(2, max_depth))
        widths = [draw(st.integers(1, 2))] + [draw(st.integers(1, max_width)) for _ in range(depth - 1)] + [1]
        arch = Architecture(tuple(widths), bias=(False,) * depth)
        data: Dataset = draw(datasets(n_in=arch.n_in, n_out=1, min_size=1, max_size=max_data, bits=3))
        act = draw(acts)
        problem = Problem(Network(arch, act), squared_error(), data)
        recipe = PointRecipe(arch, {b.name: Given(np.zeros(b.shape)) for b in arch.layout.blocks})
        inst = Instance(problem, recipe, label=f"θ = 0, bias-free depth {depth}", info={"kind": kind})
        yx = [sum(Fraction(float(data.Y[j, 0])) * Fraction(float(data.X[j, i])) for j in range(data.size))
              for i in range(arch.n_in)]
        order = depth - 1 if any(yx) else None
        jet = FunctionInstance.from_network(inst, jet_degree=depth + 1)
        planted = {"critical": True, "order": order, "hessian_zero": depth >= 3,
                   "YᵀX": [str(v) for v in yx]}
        return FunctionInstance(jet.function, jet.point, label=jet.label,
                                info={**jet.info, "planted": planted, "depth": depth},
                                seed=jet.seed, jet_degree=jet.jet_degree, source=inst)

    return build()



def local_nonglobal_minima(*, lifted: bool = False, max_vars: int = 3) -> st.SearchStrategy[FunctionInstance]:
    """``g(x) = c + a(x − p)² − s·b(x − p)³`` (a, b > 0 rational, s = ±1) with its point p: an
    isolated, strict, non-global local minimum (g → −∞ on one side) at the bottom of a spurious
    valley — Cooper's ``x² − x³`` up to translation, scaling and reflection.  ``lifted`` gives
    ``f(x, y, …) = g(x)`` in 2…``max_vars`` variables, with the point ``(p, y, …)``."""
    check_integer("max_vars", max_vars, minimum=2, maximum=4)

    @st.composite
    def build(draw):
        p = draw(rationals())
        a = abs(draw(rationals(max_denominator=3, bound=3, nonzero=True)))
        b = abs(draw(rationals(max_denominator=3, bound=3, nonzero=True)))
        s = draw(st.sampled_from([1, -1]))
        c = draw(rationals())
        (x,) = Polynomial.variables(1)
        g = PiecewisePolynomial(((x - p) ** 2 * a - (x - p) ** 3 * (s * b) + c,))
        info = {"family": "a(x−p)² ∓ b(x−p)³", "p": str(p), "a": str(a), "b": str(b), "s": s}
        if not lifted:
            return FunctionInstance(g, (p,), label=f"g = {g}, p = {p}", info=info)
        n = draw(st.integers(2, max_vars))
        rest = draw(st.lists(rationals(), min_size=n - 1, max_size=n - 1))
        f = SeparableSum((g, *([None] * (n - 1))))
        return FunctionInstance(f, (p, *rest), label=f"f(x, …) = g(x), g = {g}", info={**info, "lifted": n})

    return build()


def saddles_with_linear_level_sets(*, max_vars: int = 3) -> st.SearchStrategy[FunctionInstance]:
    """``f(x) = c + λ(s²u₁² − t²u₂²) [+ μ u₃²]`` with ``u = A(x − p)`` (A rational, invertible):
    p is an isolated nondegenerate saddle whose level set ``{f = f(p)}`` contains the two lines
    ``p + τ A⁻¹(t, ±s, 0)`` (``info["level_lines"]``) — Cooper's ``x² − y²`` in disguise."""
    check_integer("max_vars", max_vars, minimum=2, maximum=4)

    @st.composite
    def build(draw):
        n = draw(st.integers(2, max_vars))
        p = tuple(draw(st.lists(rationals(), min_size=n, max_size=n)))
        lam = abs(draw(rationals(max_denominator=3, bound=2, nonzero=True)))
        s_, t_ = (draw(st.integers(1, 3)) for _ in range(2))
        extra = [draw(st.sampled_from([1, -1]))
                 * abs(draw(rationals(max_denominator=2, bound=2, nonzero=True))) for _ in range(n - 2)]
        U = [[Fraction(int(i == j)) if j >= i else draw(rationals(max_denominator=2, bound=1))
              for j in range(n)] for i in range(n)]
        xs = Polynomial.variables(n)
        us = [sum((xs[j] * U[i][j] for j in range(n) if U[i][j]), Polynomial(n))
              - sum((U[i][j] * p[j] for j in range(n)), Fraction(0)) for i in range(n)]
        c = draw(rationals())
        f = Polynomial.constant(c, n) + (us[0] ** 2 * (s_ * s_) - us[1] ** 2 * (t_ * t_)) * lam
        for k, mu in enumerate(extra):
            f = f + us[k + 2] ** 2 * mu
        lines = [_solve_unit_lower(U, [Fraction(t_), Fraction(sg * s_)] + [Fraction(0)] * (n - 2))
                 for sg in (1, -1)]
        pos = 1 + sum(1 for m in extra if m > 0)
        planted = {"inertia": [pos, n - pos, 0], "nondegenerate": True, "isolated_critical": True,
                   "local_min": False}
        info = {"planted": planted, "level_lines": [[str(v) for v in w] for w in lines],
                "family": "λ(s²u₁² − t²u₂²) + Σ μ_k u_k²"}
        return FunctionInstance(f, p, label=f"saddle at p = ({', '.join(map(str, p))})", info=info)

    return build()


def _solve_unit_lower(U, b):
    """Solve ``U w = b`` for a unit lower-triangular rational U (forward substitution)."""
    w: list[Fraction] = []
    for i, bi in enumerate(b):
        w.append(bi - sum((U[i][j] * w[j] for j in range(i)), Fraction(0)))
    return tuple(w)
