"""Gradient-flow instances: a landscape, a box of starts and a target set (Cooper §3.2).

- :func:`attracting_subspace_flows` — ``f(x, y) = Σ_i (c_i + Σ_j b_ij x_j²) y_i²`` (c > 0, b ≥ 0):
  the critical locus is exactly ``Z = {y = 0}``, which attracts every start although each of its
  points attracts only a measure-zero set (Cooper's ``y²`` example, generalised);
- :func:`degenerate_attracting_flows` — ``f = Σ_i a_i x_i^{m_i}`` (a > 0, odd m ≥ 3): the origin
  is the only critical point, ``Hess f(0) = 0``, and every start in ``[0, R]ⁿ`` flows to it
  (Cooper's ``x³ + y³``, generalised);
- :func:`core_locus_flows` — small networks, starts drawn near a point of the core locus
  ``C = ∪_{|I|=2} S_I``, target C (for the open question "is C attracting?").
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

from critlocus.core.activations import Activation
from critlocus.core.architecture import Architecture
from critlocus.core.data import Dataset
from critlocus.core.errors import InvalidArgument
from critlocus.core.flow import (
    Box,
    FlowInstance,
    FlowSettings,
    PointTarget,
    PolynomialField,
    ProblemField,
    SubspaceTarget,
    UnionTarget,
)
from critlocus.core.functions import Polynomial
from critlocus.core.losses import squared_error
from critlocus.core.network import Network, Problem

from ._validation import check_integer, check_range
from .architectures import activations as activation_strategy
from .functions import rationals
from .numbers import dyadic_arrays

__all__ = ["attracting_subspace_flows", "core_locus_flows", "degenerate_attracting_flows",
           "star_locus_target"]


def attracting_subspace_flows(*, max_x: int = 2, max_y: int = 2, n_starts: int = 12
                              ) -> st.SearchStrategy[FlowInstance]:
    """Flows of ``f(x, y) = Σ_i (c_i + Σ_j b_ij x_j²) y_i²`` from the box ``[−R, R]^{n_x + n_y}``
    toward ``Z = {y = 0}`` (level 0).  ``y_i`` decays at rate ≥ 2c_i, so every start converges,
    to a point that depends on the start.

    >>> inst = attracting_subspace_flows(max_x=1, max_y=1).example()
    >>> inst.target.level
    0.0
    """
    check_integer("max_x", max_x, minimum=1, maximum=3)
    check_integer("max_y", max_y, minimum=1, maximum=3)
    check_integer("n_starts", n_starts, minimum=2, maximum=200)

    @st.composite
    def build(draw):
        nx, ny = draw(st.integers(1, max_x)), draw(st.integers(1, max_y))
        n = nx + ny
        names = tuple(("x", "y") if n == 2 else
                      [f"x{j + 1}" for j in range(nx)] + [f"y{i + 1}" for i in range(ny)])
        vs = Polynomial.variables(n, names=names)
        xs, ys = vs[:nx], vs[nx:]
        f = Polynomial(n, names=names)
        c_min = None
        for y in ys:
            c = abs(draw(rationals(max_denominator=2, bound=2, nonzero=True)))
            c_min = c if c_min is None else min(c_min, c)
            coef = Polynomial.constant(c, n, names=names)
            for x in xs:
                b = abs(draw(rationals(max_denominator=2, bound=1)))
                if b:
                    coef = coef + x * x * b
            f = f + coef * y * y
        R = float(draw(st.sampled_from([1, 2])))
        box = Box((-R,) * n, (R,) * n)
        target = SubspaceTarget(tuple((nx + i, 0.0) for i in range(ny)), level=0.0, name="{y = 0}")
        settings = FlowSettings(scale=R, t_max=200.0 / float(c_min))
        seed = draw(st.integers(0, 2**16))
        return FlowInstance(PolynomialField(f), box, target, n_starts, settings,
                            label=f"f = {f}, Z = {{y = 0}}", info={"n_x": nx, "n_y": ny}, seed=seed)

    return build()


def degenerate_attracting_flows(*, max_vars: int = 3, exponents: tuple[int, ...] = (3, 5), n_starts: int = 8
                                ) -> st.SearchStrategy[FlowInstance]:
    """Flows of ``f = Σ_i a_i x_i^{m_i}`` (a_i > 0 rational, m_i odd from ``exponents``) from the
    quadrant box ``[0, R]ⁿ`` toward the origin (level 0).  Each coordinate solves
    ``ẋ = −a m x^{m−1}``: ``x(t) = (x₀^{2−m} + a m (m−2) t)^{1/(2−m)} → 0``."""
    check_integer("max_vars", max_vars, minimum=1, maximum=4)
    check_integer("n_starts", n_starts, minimum=1, maximum=200)
    if not exponents or any(isinstance(m, bool) or not isinstance(m, int) or m < 3 or m % 2 == 0
                            for m in exponents):
        raise InvalidArgument(f"exponents={exponents!r} must be odd integers ≥ 3")

    @st.composite
    def build(draw):
        n = draw(st.integers(1, max_vars))
        vs = Polynomial.variables(n)
        ms = draw(st.lists(st.sampled_from(exponents), min_size=n, max_size=n))
        coeffs = [abs(draw(rationals(max_denominator=3, bound=2, nonzero=True))) for _ in range(n)]
        f = sum((v**m * a for v, m, a in zip(vs, ms, coeffs)), Polynomial(n))
        R = float(draw(st.sampled_from([1, 2])))
        box = Box((0.0,) * n, (R,) * n)
        target = PointTarget((0.0,) * n, level=0.0, name="origin")
        # algebraic decay: x ~ (a m (m−2) t)^{-1/(m−2)} reaches ρ ≈ 1e-7·R by t ≈ ρ^{2−m}
        t_max = 10.0 * (1e-8 * R) ** (2 - max(ms)) / float(min(coeffs))
        settings = FlowSettings(scale=R, t_max=t_max)
        seed = draw(st.integers(0, 2**16))
        info = {"exponents": ms, "coefficients": [str(a) for a in coeffs]}
        return FlowInstance(PolynomialField(f), box, target, n_starts, settings,
                            label=f"f = {f} on [0, {R:g}]^{n}", info=info, seed=seed)

    return build()


def star_locus_target(architecture: Architecture, mean_target: np.ndarray, index_set, *, level: float,
                      min_index: int = 1) -> SubspaceTarget:
    """``S_I`` (Cooper eq. 3.1) as a coordinate subspace: ``W_i = 0`` (i ∈ I), ``b_k = 0`` for
    ``min I ≤ k ≤ ℓ−1``, ``W_ℓ = 0``, ``b_ℓ = ȳ``; ``level`` is L on it, ``Σ_j ||y_j − ȳ||²``."""
    ell = architecture.depth
    idx = sorted(index_set)
    if not idx or idx[0] < min_index or idx[-1] > ell - 1:
        raise InvalidArgument(f"index set {idx} must lie in {min_index}..{ell - 1}")
    fixed: list[tuple[int, float]] = []
    for b in architecture.layout.blocks:
        k = b.layer
        if (b.kind == "W" and (k in idx or k == ell)) or (b.kind == "b" and idx[0] <= k <= ell - 1):
            fixed += [(i, 0.0) for i in range(b.offset, b.offset + b.size)]
        elif b.kind == "b" and k == ell:
            fixed += [(b.offset + i, float(mean_target[i])) for i in range(b.size)]
    return SubspaceTarget(tuple(fixed), level=level, name="S_{" + ",".join(map(str, idx)) + "}")


def _spread_data(n_in: int, max_data: int) -> st.SearchStrategy[Dataset]:
    """Well-spread data: inputs on distinct points of the grid (1/2)Zⁿ⁰ ∩ [−2, 2]ⁿ⁰ (pairwise at
    least 1/2 apart) and targets with ``y_0 ≠ y_1`` (so ``L_C > 0``).  Nearly coincident inputs
    make every loss difference tiny and the flow correspondingly slow."""
    @st.composite
    def build(draw):
        grid = list(itertools.product(range(-4, 5), repeat=n_in))
        cells = draw(st.lists(st.sampled_from(grid), min_size=2, max_size=max_data, unique=True))
        X = np.array(cells, dtype=float) / 2
        ys = draw(st.lists(st.integers(-4, 4), min_size=len(cells), max_size=len(cells)))
        Y = np.array(ys, dtype=float) / 4
        if Y[1] == Y[0]:
            Y[1] = Y[0] + 0.5
        return Dataset(X, Y.reshape(-1, 1))
    return build()


def core_locus_flows(*, min_depth: int = 3, max_depth: int = 4, max_width: int = 3, max_data: int = 4,
                     n_starts: int = 8, radii: tuple[float, ...] = (0.25, 0.0625, 0.015625),
                     activations: st.SearchStrategy[Activation] | None = None,
                     t_max: float = 1e4) -> st.SearchStrategy[FlowInstance]:
    """Flows of a small network's L2 loss from random starts near a point p of the core locus
    toward ``C = ∪_{|I|=2} S_I`` (level ``L_C = Σ_j ||y_j − ȳ||²``).

    p has random free blocks (dyadic); starts are ``p + ε·U(−1, 1)^N`` with ε from ``radii``.  A
    start whose loss falls below L_C is certified never to converge to C (L is nonincreasing
    along the flow and constant = L_C on C).
    """
    check_integer("min_depth", min_depth, minimum=3)
    check_integer("max_depth", max_depth, minimum=3, maximum=6)
    check_range("min_depth", min_depth, "max_depth", max_depth)
    check_integer("max_width", max_width, minimum=1, maximum=8)
    check_integer("max_data", max_data, minimum=1, maximum=10)
    check_integer("n_starts", n_starts, minimum=1, maximum=200)
    acts = activations if activations is not None else activation_strategy(smooth=True, zero_at_zero=True)

    @st.composite
    def build(draw):
        depth = draw(st.integers(min_depth, max_depth))
        widths = (draw(st.integers(1, 2)), *(draw(st.integers(1, max_width)) for _ in range(depth - 1)), 1)
        arch = Architecture(widths)
        data = draw(_spread_data(arch.n_in, max_data))
        act = draw(acts)
        problem = Problem(Network(arch, act), squared_error(), data)
        ybar = data.mean_target()
        level = float(np.sum((data.Y - ybar) ** 2))
        parts = tuple(star_locus_target(arch, ybar, index_set, level=level)
                      for index_set in itertools.combinations(range(1, depth), 2))
        C = UnionTarget(parts, name="core locus C")
        I0 = draw(st.sampled_from(list(itertools.combinations(range(1, depth), 2))))
        free = draw(dyadic_arrays((arch.n_params,), bound=1.0, bits=4))
        p = star_locus_target(arch, ybar, I0, level=level).project(free)
        eps = draw(st.sampled_from(radii))
        box = Box(tuple(p - eps), tuple(p + eps), escape_factor=1e3 / eps)
        settings = FlowSettings(scale=eps, t_max=t_max)
        seed = draw(st.integers(0, 2**16))
        record = {"core_point": p.tolist(), "core_index_set": list(I0)}
        label = f"starts in p + [−{eps:g}, {eps:g}]^N, p ∈ S_{{{I0[0]},{I0[1]}}} ⊆ C"
        return FlowInstance(ProblemField(problem), box, C, n_starts, settings, label=label,
                            info={"epsilon": eps, "L_C": level, "depth": depth, "N": arch.n_params},
                            seed=seed, landscape_record=record)

    return build()

