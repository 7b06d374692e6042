"""Strategies for deep linear networks ``W_h ⋯ W_1`` (Trager–Kohn–Bruna's setting).

Everything is constructive and exact: widths are drawn filling or non-filling by construction;
factors with prescribed ranks are ``L D U`` products of dyadic unit-triangular matrices and a
0/1 diagonal; targets with distinct nonzero singular values are a dyadic diagonal plus a
perturbation too small to close its gaps (Weyl); inputs with ``XXᵀ ≻ 0`` are ``X = R O`` with
``R`` dyadic lower triangular and O orthonormal dyadic rows (a scaled Hadamard matrix); points
of the Eckart–Young family are rebuilt from the data at every precision
(:class:`critlocus.core.linear.ConstructedPoint`: Cholesky, SVD, then factors), and moved
along the fibre of μ_d by exact dyadic gauges ``W_k ↦ G_k W_k G_{k−1}⁻¹``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import mpmath
import numpy as np
from hypothesis import strategies as st

from critlocus.core.data import Dataset
from critlocus.core.errors import InvalidArgument
from critlocus.core.instance import Instance
from critlocus.core.linear import (
    ConstructedPoint,
    bias_free_architecture,
    frobenius_problem,
    is_filling,
    linear_problem,
    mp_matrix,
)
from critlocus.core.losses import squared_error
from critlocus.core.points import Given, PointRecipe, Zero

from ._validation import check_integer, check_range

__all__ = [
    "HADAMARD_8",
    "eckart_young_direction",
    "eckart_young_factors",
    "eckart_young_instances",
    "factorization_factors",
    "factorization_point",
    "factors_with_ranks",
    "full_row_rank_inputs",
    "gauges",
    "generic_matrices",
    "given_point",
    "linear_widths",
    "low_rank_factors",
    "morse_index_formula",
    "random_point_instances",
    "reduced_target",
    "regression_data",
    "spare_blocks",
    "zero_point",
]

#: Sylvester's Hadamard matrix of order 8: rows orthogonal, each of squared norm 8.
HADAMARD_8 = np.array([[(-1) ** bin(i & j).count("1") for j in range(8)] for i in range(8)], dtype=float)


def _dyadic(bound: float, bits: int) -> st.SearchStrategy[float]:
    top = int(bound * 2**bits)
    return st.integers(-top, top).map(lambda k: k / 2**bits)


def linear_widths(*, min_depth: int = 1, max_depth: int = 4, min_dim: int = 1, max_dim: int = 4,
                  filling: bool | None = None) -> st.SearchStrategy[tuple[int, ...]]:
    """Widths ``d = (d_0, …, d_h)`` with ``min_depth ≤ h ≤ max_depth`` and every ``d_i`` in
    ``[min_dim, max_dim]``; ``filling=True`` gives ``min_i d_i = min(d_0, d_h)``, ``False`` gives
    ``r = min_i d_i < min(d_0, d_h)`` (then ``h ≥ 2`` and ``d_0, d_h ≥ 2``), ``None`` either.

    >>> d = linear_widths(filling=False, max_dim=3).example()
    >>> min(d) < min(d[0], d[-1])
    True
    """
    check_integer("min_depth", min_depth, minimum=1)
    check_integer("max_depth", max_depth, minimum=1)
    check_range("min_depth", min_depth, "max_depth", max_depth)
    check_integer("min_dim", min_dim, minimum=1)
    check_integer("max_dim", max_dim, minimum=1)
    check_range("min_dim", min_dim, "max_dim", max_dim)
    if filling is not None and not isinstance(filling, bool):
        raise InvalidArgument(f"filling={filling!r} must be True, False or None")
    if filling is False and (max_depth < 2 or max_dim < 2):
        raise InvalidArgument(f"non-filling widths need max_depth ≥ 2 and max_dim ≥ 2, got "
                              f"max_depth={max_depth}, max_dim={max_dim}")

    @st.composite
    def build(draw):
        fill = draw(st.booleans()) if filling is None else filling
        if not fill and (max_depth < 2 or max_dim < 2):
            fill = True
        lo_h = max(min_depth, 1 if fill else 2)
        h = draw(st.integers(lo_h, max(lo_h, max_depth)))
        lo_end = max(min_dim, 1 if fill else 2)
        d0 = draw(st.integers(lo_end, max_dim))
        dh = draw(st.integers(lo_end, max_dim))
        m = min(d0, dh)
        if fill:
            hidden = [draw(st.integers(m, max_dim)) for _ in range(h - 1)]
        else:
            r = draw(st.integers(max(min_dim, 1), m - 1))
            hidden = [draw(st.integers(r, max_dim)) for _ in range(h - 1)]
            hidden[draw(st.integers(0, h - 2))] = r
        return (d0, *hidden, dh)

    return build()


def generic_matrices(m: int, n: int, *, rank: int | None = None, bits: int = 6
                     ) -> st.SearchStrategy[np.ndarray]:
    """Dyadic ``m × n`` matrices whose nonzero singular values are distinct, separated by at least
    1/2 and at least 3/4, with exactly ``rank`` of them (default ``min(m, n)``).

    Construction: ``P_1 (D + N) P_2`` with D diagonal, entries ``s_1 > … > s_rank ≥ 1`` (gaps ≥ 1)
    and zeros, N a dyadic perturbation with ``||N||_F ≤ 1/4`` supported so that it keeps the rank
    (on the first ``rank`` rows), and signed permutations ``P_1``, ``P_2``.  By Weyl's inequality
    ``|σ_i(D + N) − s_i| ≤ ||N||₂ ≤ 1/4``.
    """
    check_integer("m", m, minimum=1)
    check_integer("n", n, minimum=1)
    k = min(m, n) if rank is None else check_integer("rank", rank, minimum=0, maximum=min(m, n))

    @st.composite
    def build(draw):
        incs = [draw(st.integers(1, 3)) + draw(st.integers(0, 3)) / 4 for _ in range(k)]
        s = np.cumsum(incs)[::-1]
        D = np.zeros((m, n))
        for i in range(k):
            D[i, i] = s[i]
        bound = 1.0 / (4.0 * np.sqrt(max(k, 1) * n))
        step = 2.0**-bits
        top = int(bound / step)
        N = np.zeros((m, n))
        for i in range(k):
            for j in range(n):
                N[i, j] = draw(st.integers(-top, top)) * step
        rows = draw(st.permutations(range(m)))
        cols = draw(st.permutations(range(n)))
        rs = np.array([draw(st.sampled_from([1.0, -1.0])) for _ in range(m)])
        cs = np.array([draw(st.sampled_from([1.0, -1.0])) for _ in range(n)])
        Q = (D + N)[np.ix_(rows, cols)] * rs[:, None] * cs[None, :]
        return Q

    return build()


def gauges(k: int, *, bits: int = 2) -> st.SearchStrategy[np.ndarray]:
    """Invertible dyadic ``k × k`` matrices ``Π·D·L·U`` (a permutation, a diagonal of ``±2^j``,
    unit lower and upper triangular dyadic factors): an element of GL(k) acting on the fibre."""
    check_integer("k", k, minimum=1)

    @st.composite
    def build(draw):
        L = np.eye(k)
        U = np.eye(k)
        for i in range(k):
            for j in range(k):
                if i > j:
                    L[i, j] = draw(_dyadic(1.0, bits))
                elif i < j:
                    U[i, j] = draw(_dyadic(1.0, bits))
        D = np.diag([draw(st.sampled_from([1.0, -1.0, 2.0, -2.0, 0.5, -0.5])) for _ in range(k)])
        perm = draw(st.permutations(range(k)))
        return (D @ L @ U)[list(perm)]

    return build()


def full_row_rank_inputs(d0: int, *, bits: int = 3) -> st.SearchStrategy[np.ndarray]:
    """``X = R O ∈ R^{d0 × 8}`` with R dyadic lower triangular (diagonal in ``{±1, 1/2, 2}``) and
    ``O = HADAMARD_8[:d0] / 2`` (``O Oᵀ = 2I``): ``XXᵀ = 2RRᵀ ≻ 0``, every entry dyadic."""
    check_integer("d0", d0, minimum=1, maximum=8)

    @st.composite
    def build(draw):
        R = np.zeros((d0, d0))
        for i in range(d0):
            R[i, i] = draw(st.sampled_from([1.0, -1.0, 0.5, 2.0]))
            for j in range(i):
                R[i, j] = draw(_dyadic(1.0, bits))
        return R @ (HADAMARD_8[:d0] / 2)

    return build()


def regression_data(d0: int, dh: int) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """``(X, Y)`` in TKB's orientation (``X ∈ R^{d0×8}``, ``Y ∈ R^{dh×8}``, columns are the data
    points) with ``XXᵀ ≻ 0`` and ``Y = A O + Z O_⊥`` (O, O_⊥ complementary rows of
    ``HADAMARD_8 / 2``): then ``Q' = Y Xᵀ R_c⁻ᵀ = √2·A`` (``R_c`` the Cholesky factor of XXᵀ) has
    the distinct nonzero singular values of the generic A, and ``Z O_⊥`` is variance no linear
    map explains."""
    check_integer("dh", dh, minimum=1)

    @st.composite
    def build(draw):
        X = draw(full_row_rank_inputs(d0))
        A = draw(generic_matrices(dh, d0))
        H = HADAMARD_8 / 2
        Z = np.array([[draw(_dyadic(1.0, 2)) for _ in range(8 - d0)] for _ in range(dh)])
        Y = A @ H[:d0] + Z @ H[d0:]
        return X, Y

    return build()


# -- points -------------------------------------------------------------------------------------


def given_point(widths: Sequence[int], factors: Sequence[np.ndarray]) -> PointRecipe:
    """The point with the given factor values ``[W_1, …, W_h]`` (exact dyadic numbers)."""
    arch = bias_free_architecture(widths)
    return PointRecipe(arch, {f"W_{i + 1}": Given(np.array(W, dtype=float), note="given")
                              for i, W in enumerate(factors)})


def zero_point(widths: Sequence[int]) -> PointRecipe:
    """θ = 0."""
    arch = bias_free_architecture(widths)
    return PointRecipe(arch, {b.name: Zero() for b in arch.layout.blocks})


def _identity_block(rows: int, cols: int, e: int, spare: np.ndarray | None) -> mpmath.matrix:
    M = mpmath.matrix(rows, cols)
    for i in range(e):
        M[i, i] = 1
    if spare is not None:
        for i in range(rows - e):
            for j in range(cols - e):
                M[e + i, e + j] = mpmath.mpf(float(spare[i, j]))
    return M


def reduced_target(data: Dataset) -> dict:
    """At the current mpmath precision: ``XXᵀ = RRᵀ`` (Cholesky), ``Q' = Y Xᵀ R⁻ᵀ = U Σ Vᵀ`` with
    each singular pair's sign fixed (largest ``|u|`` entry positive), so that the Eckart–Young
    points are the same points at every precision.  ``X``, ``Y`` in TKB's orientation (columns
    are the data points)."""
    X = mp_matrix(data.X.T)
    Y = mp_matrix(data.Y.T)
    R = mpmath.cholesky(X * X.T)
    Rinv = mpmath.inverse(R)
    Qp = Y * X.T * Rinv.T
    U, s, Vt = mpmath.svd_r(Qp, full_matrices=False)
    for i in range(len(s)):
        k = max(range(U.rows), key=lambda a: abs(U[a, i]))
        if U[k, i] < 0:
            for a in range(U.rows):
                U[a, i] = -U[a, i]
            for b in range(Vt.cols):
                Vt[i, b] = -Vt[i, b]
    return {"X": X, "Y": Y, "R": R, "Rinv": Rinv, "Q": Qp, "U": U, "sigma": [s[i] for i in range(len(s))],
            "Vt": Vt}


def _gauged(mats: list, gauge: Sequence[np.ndarray]) -> list:
    """``W_k ↦ G_k W_k G_{k−1}⁻¹`` with ``G_0 = G_h = I``."""
    if not len(gauge):
        return mats
    h = len(mats)
    G = [None] + [mp_matrix(g) for g in gauge] + [None]
    Ginv = [None] + [mpmath.inverse(g) for g in G[1:-1]] + [None]
    out = []
    for k in range(1, h + 1):
        M = mats[k - 1]
        if G[k] is not None:
            M = G[k] * M
        if Ginv[k - 1] is not None:
            M = M * Ginv[k - 1]
        out.append(M)
    return out


def eckart_young_factors(data: Dataset, widths: Sequence[int], index_set: Sequence[int],
                         gauge: Sequence[np.ndarray] = (), spare: Sequence[np.ndarray | None] = ()
                         ) -> list[mpmath.matrix]:
    """Factors of a critical point ``W̄ = Q'_I R⁻¹`` of ``ℓ(W) = Σ_j ||W x_j − y_j||²`` at the current
    mpmath precision.

    With ``X = [x_j]`` (``d_0 × n``), ``XXᵀ = RRᵀ`` and ``Q' = Y Xᵀ R⁻ᵀ = U Σ Vᵀ``
    (:func:`reduced_target`), the change of variables ``W ↦ WR`` turns ℓ into ``||WR − Q'||² +
    const``, whose critical points on the rank strata are the truncations
    ``Q'_I = Σ_{i∈I} σ_i u_i v_iᵀ`` (Eckart–Young); TKB's symmetric square root gives
    ``Q = Q'·(orthogonal)``, with the same σ_i and the same points.  Canonical factors
    ``W_1 = [Σ_I V_Iᵀ R⁻¹; 0]``, ``W_k = diag(I_e, Z_k)`` (``Z_k`` the optional ``spare`` blocks,
    which keep the point critical), ``W_h = [U_I, 0]``; then the gauge
    ``W_k ↦ G_k W_k G_{k−1}⁻¹`` moves the point along the fibre.  ``index_set`` is 1-based
    (σ_1 > σ_2 > …).
    """
    t = reduced_target(data)
    d0, dh = t["X"].rows, t["Y"].rows
    h = len(widths) - 1
    idx = [i - 1 for i in sorted(index_set)]
    e = len(idx)
    if e > min(widths):
        raise InvalidArgument(f"|I| = {e} exceeds the bottleneck {min(widths)}")
    A = mpmath.matrix(dh, e)
    B = mpmath.matrix(e, d0)
    for c, i in enumerate(idx):
        for a in range(dh):
            A[a, c] = t["U"][a, i]
        for b in range(d0):
            B[c, b] = t["sigma"][i] * t["Vt"][i, b]
    B = B * t["Rinv"]
    if h == 1:
        return [A * B]
    spare = list(spare) + [None] * h
    mats = []
    for k in range(1, h + 1):
        rows, cols = widths[k], widths[k - 1]
        M = mpmath.matrix(rows, cols)
        if k == 1:
            for c in range(e):
                for b in range(cols):
                    M[c, b] = B[c, b]
        elif k == h:
            for a in range(rows):
                for c in range(e):
                    M[a, c] = A[a, c]
        else:
            M = _identity_block(rows, cols, e, spare[k - 1])
        mats.append(M)
    return _gauged(mats, gauge)


def eckart_young_direction(data: Dataset, widths: Sequence[int], index_set: Sequence[int], j: int,
                           gauge: Sequence[np.ndarray] = (), sign: int = 1) -> list[mpmath.matrix]:
    """A direction Δ at the Eckart–Young point with ``|I| = e < r`` along which L descends: in the
    canonical frame ``Δ_1 = e_{e+1} v_jᵀ R⁻¹``, ``Δ_k = E_{e+1,e+1}``, ``Δ_h = ±u_j e_{e+1}ᵀ`` (the
    spare coordinate ``e+1`` exists in every layer since ``e < r``), then gauged.  Along
    ``θ + tΔ`` the product gains ``±t²·c(t)·u_j v_jᵀR⁻¹`` (c a polynomial with leading term
    ``t^{h−2}``) and ``⟨∇ℓ(W̄), u_j v_jᵀ R⁻¹⟩ = −2σ_j``, so the lowest-order change is nonzero."""
    t = reduced_target(data)
    h = len(widths) - 1
    e = len(index_set)
    mats = []
    for k in range(1, h + 1):
        rows, cols = widths[k], widths[k - 1]
        M = mpmath.matrix(rows, cols)
        if k == 1:
            row = mpmath.matrix([[t["Vt"][j - 1, b] for b in range(cols)]]) * t["Rinv"]
            for b in range(cols):
                M[e, b] = row[0, b]
        elif k == h:
            for a in range(rows):
                M[a, e] = sign * t["U"][a, j - 1]
        else:
            M[e, e] = 1
        mats.append(M)
    return _gauged(mats, gauge)


def morse_index_formula(index_set: Sequence[int], m: int) -> int:
    """``#{(i, j) : i ∈ I, j ∉ I, j ≤ m, σ_j > σ_i}`` with σ sorted decreasingly (j < i)."""
    I = set(index_set)  # noqa: E741
    return sum(1 for i in I for j in range(1, m + 1) if j not in I and j < i)


def eckart_young_instances(*, min_depth: int = 2, max_depth: int = 3, max_dim: int = 4,
                           filling: bool | None = None, regression: bool | st.SearchStrategy = False,
                           ranks: str = "all", gauge: bool = True, spare: bool = True,
                           target_rank: int | None = None, min_rank: int = 0) -> st.SearchStrategy[Instance]:
    """Critical points of the quadratic loss mapped back to parameters: ``μ_d(θ) = Q'_I R⁻¹``.

    ``ranks``: ``"all"`` (any I with ``|I| ≤ r``, including ``I = ∅``: θ = 0 up to spare blocks),
    ``"top"`` (``|I| = r``), ``"deficient"`` (``|I| < r``) or ``"global"`` (``I = {1..r}``, the global
    minima); ``min_rank`` raises the least ``|I|`` drawn (e.g. 1: no θ = 0 fibre), capped at r, so
    no draw is rejected.  ``regression=False`` gives
    ``ℓ = ||W − Q||²`` (inputs ``e_b``); ``True`` gives ``||WX − Y||²`` on 8 data points.
    ``target_rank`` makes Q of that rank (``None``: full rank, generic).
    """
    check_integer("max_dim", max_dim, minimum=1)
    check_integer("min_rank", min_rank, minimum=0)
    if ranks not in ("all", "top", "deficient", "global"):
        raise InvalidArgument(f"ranks={ranks!r} must be 'all', 'top', 'deficient' or 'global'")
    widths_strategy = linear_widths(min_depth=min_depth, max_depth=max_depth, max_dim=max_dim,
                                    filling=filling)
    reg = regression if isinstance(regression, st.SearchStrategy) else st.just(bool(regression))

    @st.composite
    def build(draw):
        widths = draw(widths_strategy)
        d0, dh, r = widths[0], widths[-1], min(widths)
        m = min(d0, dh)
        h = len(widths) - 1
        use_reg = draw(reg)
        if use_reg:
            X, Y = draw(regression_data(d0, dh))
            problem = linear_problem(widths, squared_error(), Dataset(X.T, Y.T))
            Q = None
        else:
            Q = draw(generic_matrices(dh, d0, rank=target_rank))
            problem = frobenius_problem(widths, Q)
        lo = {"all": 0, "top": r, "deficient": 0, "global": r}[ranks]
        hi = {"all": r, "top": r, "deficient": r - 1, "global": r}[ranks]
        if hi < lo:
            hi = lo
        lo = min(max(lo, min_rank), hi)
        e = draw(st.integers(lo, hi))
        if ranks == "global":
            index_set = list(range(1, e + 1))
        else:
            index_set = sorted(draw(st.sampled_from(list(combinations(range(1, m + 1), e)))))
        G = [draw(gauges(widths[k])) for k in range(1, h)] if gauge and h > 1 else []
        Z = []
        for k in range(1, h + 1):
            if spare and 1 < k < h and widths[k] > e and widths[k - 1] > e:
                Z.append(np.array([[draw(_dyadic(1.0, 2)) for _ in range(widths[k - 1] - e)]
                                   for _ in range(widths[k] - e)]))
            else:
                Z.append(None)
        point = ConstructedPoint(
            bias_free_architecture(widths),
            lambda data, w=widths, ix=index_set, g=G, z=Z: eckart_young_factors(data, w, ix, g, z),
            description="μ_d(θ) = Q'_I R⁻¹ (Eckart–Young truncation), moved along the fibre",
            payload={"construction": "eckart_young", "index_set": index_set,
                     "gauge": [g.tolist() for g in G],
                     "spare": [None if z is None else z.tolist() for z in Z]},
        )
        label = f"μ(θ) = Q_I, I = {{{','.join(map(str, index_set))}}}" + (" (θ = 0 fibre)" if e == 0 else "")
        info = {"family": "eckart_young", "index_set": index_set, "e": e, "r": r, "m": m,
                "filling": is_filling(widths), "regression": bool(use_reg),
                "rank_Q": m if target_rank is None else target_rank,
                "morse_index_on_stratum": morse_index_formula(index_set, m),
                "gauge": [g.tolist() for g in G], "spare": [None if z is None else z.tolist() for z in Z]}
        return Instance(problem, point.recipe(), label=label, info=info)

    return build()


def factors_with_ranks(widths: Sequence[int], *, bits: int = 2, nonzero: bool = False
                       ) -> st.SearchStrategy[list[np.ndarray]]:
    """Dyadic factors ``W_i = L_i D_i U_i`` with ``D_i`` a 0/1 diagonal at drawn positions: rank of
    ``W_i`` = number of ones (prescribed by the draw); unit-triangular ``L_i``, ``U_i`` keep it.
    The partial products' ranks then vary with how the ones line up across layers.  ``nonzero``:
    every factor has rank ≥ 1 (one position of each diagonal is drawn to be a one)."""
    if not isinstance(nonzero, bool):
        raise InvalidArgument(f"nonzero={nonzero!r} must be True or False")

    @st.composite
    def build(draw):
        mats = []
        for i in range(1, len(widths)):
            rows, cols = widths[i], widths[i - 1]
            k = min(rows, cols)
            ones = draw(st.lists(st.booleans(), min_size=k, max_size=k))
            if nonzero and not any(ones):
                ones[draw(st.integers(0, k - 1))] = True
            D = np.zeros((rows, cols))
            for t, one in enumerate(ones):
                if one:
                    D[t, t] = draw(st.sampled_from([1.0, -1.0, 2.0, 0.5]))
            L = np.eye(rows)
            U = np.eye(cols)
            for a in range(rows):
                for b in range(a):
                    L[a, b] = draw(_dyadic(1.0, bits))
            for a in range(cols):
                for b in range(a + 1, cols):
                    U[a, b] = draw(_dyadic(1.0, bits))
            mats.append(L @ D @ U)
        return mats

    return build()


def low_rank_factors(m: int, n: int, k: int, *, bits: int = 2
                     ) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """Dyadic ``A ∈ R^{m×k}`` of full column rank and ``B ∈ R^{k×n}`` of full row rank (so
    ``rk AB = k``): ``A = Π_1 L[:, :k]`` with L unit lower triangular, ``B = [T | N] Π_2`` with T upper
    triangular with diagonal ``±2^j``."""
    check_integer("k", k, minimum=0, maximum=min(m, n))

    @st.composite
    def build(draw):
        L = np.eye(m)
        for a in range(m):
            for b in range(a):
                L[a, b] = draw(_dyadic(1.0, bits))
        A = L[list(draw(st.permutations(range(m))))][:, :k]
        B = np.zeros((k, n))
        for a in range(k):
            B[a, a] = draw(st.sampled_from([1.0, -1.0, 2.0, 0.5, -2.0]))
            for b in range(a + 1, n):
                B[a, b] = draw(_dyadic(1.0, bits))
        B = B[:, list(draw(st.permutations(range(n))))]
        return A, B

    return build()


def factorization_factors(widths: Sequence[int], A, B, gauge: Sequence[np.ndarray] = (),
                          spare: Sequence[np.ndarray | None] = ()) -> list[mpmath.matrix]:
    """Factors of ``W̄ = A B`` (``A ∈ R^{d_h×k}``, ``B ∈ R^{k×d_0}``, ``k ≤ min_i d_i``) at the current
    precision: ``W_1 = [B; 0]``, ``W_k = diag(I_k, Z_k)``, ``W_h = [A, 0]``, then gauged."""
    A, B = mp_matrix(A), mp_matrix(B)
    k = A.cols
    h = len(widths) - 1
    if h == 1:
        return [A * B]
    spare = list(spare) + [None] * h
    mats = []
    for i in range(1, h + 1):
        rows, cols = widths[i], widths[i - 1]
        if i == 1:
            M = mpmath.matrix(rows, cols)
            for a in range(k):
                for b in range(cols):
                    M[a, b] = B[a, b]
        elif i == h:
            M = mpmath.matrix(rows, cols)
            for a in range(rows):
                for c in range(k):
                    M[a, c] = A[a, c]
        else:
            M = _identity_block(rows, cols, k, spare[i - 1])
        mats.append(M)
    return _gauged(mats, gauge)


def factorization_point(widths: Sequence[int], A: np.ndarray, B: np.ndarray, gauge: Sequence[np.ndarray] = (),
                        spare: Sequence[np.ndarray | None] = ()) -> PointRecipe:
    """The point of :func:`factorization_factors` as a recipe (rebuilt at every precision)."""
    point = ConstructedPoint(
        bias_free_architecture(widths),
        lambda data: factorization_factors(widths, A, B, gauge, spare),
        description="W_1 = [B; 0], W_k = diag(I, Z_k), W_h = [A, 0], gauged (μ_d(θ) = AB)",
        payload={"construction": "factorization", "A": np.asarray(A).tolist(), "B": np.asarray(B).tolist(),
                 "gauge": [np.asarray(g).tolist() for g in gauge],
                 "spare": [None if z is None else np.asarray(z).tolist() for z in spare]},
    )
    return point.recipe()


def spare_blocks(widths: Sequence[int], k: int) -> st.SearchStrategy[list]:
    """Free blocks ``Z_i`` on the coordinates beyond k of the middle layers (they do not change W̄)."""

    @st.composite
    def build(draw):
        h = len(widths) - 1
        out = []
        for i in range(1, h + 1):
            if 1 < i < h and widths[i] > k and widths[i - 1] > k:
                out.append(np.array([[draw(_dyadic(1.0, 2)) for _ in range(widths[i - 1] - k)]
                                     for _ in range(widths[i] - k)]))
            else:
                out.append(None)
        return out

    return build()


def random_point_instances(*, min_depth: int = 1, max_depth: int = 4, max_dim: int = 4,
                           filling: bool | None = None, nonzero_factors: bool = False
                           ) -> st.SearchStrategy[Instance]:
    """Dyadic points θ with factors of drawn ranks (:func:`factors_with_ranks`) on ``ℓ = ||W − Q||²``;
    ``info`` carries the exact ranks ``a_i = rk W_{>i}``, ``b_i = rk W_{<i}`` and ``e = rk W̄``.
    ``nonzero_factors``: every ``W_i ≠ 0`` by construction."""
    from critlocus.core.linear import exact_partial_ranks, exact_product, exact_rank

    widths_strategy = linear_widths(min_depth=min_depth, max_depth=max_depth, max_dim=max_dim,
                                    filling=filling)

    @st.composite
    def build(draw):
        widths = draw(widths_strategy)
        mats = draw(factors_with_ranks(widths, nonzero=nonzero_factors))
        Q = draw(generic_matrices(widths[-1], widths[0]))
        problem = frobenius_problem(widths, Q)
        above, below = exact_partial_ranks(mats)
        e = exact_rank(exact_product(mats, widths[0]))
        factor_ranks = [exact_rank(M) for M in mats]
        info = {"family": "random", "ranks_above": above, "ranks_below": below, "e": e, "r": min(widths),
                "filling": is_filling(widths), "factor_ranks": factor_ranks}
        return Instance(problem, given_point(widths, mats),
                        label=f"θ with rk W_i = {factor_ranks}, rk W̄ = {e}", info=info)

    return build()
