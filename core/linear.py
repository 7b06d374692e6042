"""Deep linear networks ``Φ(θ, x) = W_h ⋯ W_1 x``, the product map μ_d and its differential.

Notation: widths ``d = (d_0, …, d_h)``, ``W_i ∈ R^{d_i × d_{i−1}}``, ``μ_d(θ) = W̄ = W_h ⋯ W_1``,
partial products ``W_{>i} = W_h ⋯ W_{i+1}`` and ``W_{<i} = W_{i−1} ⋯ W_1`` (empty products
are identities); the loss is ``L = ℓ ∘ μ_d`` for a *functional* loss ℓ on ``R^{d_h × d_0}``.

Every linear-network landscape is a core :class:`~critlocus.core.network.Problem`
(:func:`linear_problem`): the bias-free :class:`Architecture`, the identity activation, data
and a separable loss, so the float64/mpmath evaluators, the precision ladder and the
inertia and gradient decisions apply unchanged.  Functional losses on ``W̄`` itself are
problems on the unit inputs ``x_b = e_b`` (:func:`frobenius_problem`,
:func:`weighted_frobenius_problem`); ℓ itself is the one-layer problem
(:func:`functional_problem`) evaluated at the point ``W̄`` (:func:`product_recipe`).

The differential (Trager–Kohn–Bruna): ``dμ_d(θ)[Δ] = Σ_i W_{>i} Δ_i W_{<i}``, so in row-major
coordinates its block for ``W_i`` is ``W_{>i} ⊗ W_{<i}ᵀ`` (:func:`differential_mp`); its rank
is decided at a precision from the point rebuilt at that precision
(:class:`DifferentialSource`, :func:`critlocus.core.rank.decide_rank`).

The float64 tier of the matrix computations here runs mpmath at 53 bits (correctly rounded
binary64 arithmetic, unit roundoff 2⁻⁵³), so one code path serves every tier.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import mpmath
import numpy as np
import torch
from torch.func import grad, hessian, jacrev

from .architecture import Architecture
from .data import Dataset
from .errors import InvalidArgument
from .losses import Loss, squared_error, weighted_squared_error
from .network import Network, Problem
from .points import BlockRule, Derived, PointRecipe
from .precision import Precision
from .rank import MatrixSource

__all__ = [
    "ConstructedPoint",
    "DifferentialSource",
    "FunctionalLoss",
    "LinearNetwork",
    "ProductSource",
    "bias_free_architecture",
    "differential_mp",
    "differential_rank_formula",
    "exact_partial_ranks",
    "exact_product",
    "exact_rank",
    "factor_matrices",
    "factor_norms",
    "frobenius_data",
    "frobenius_distance",
    "frobenius_problem",
    "functional_problem",
    "is_filling",
    "is_linear_problem",
    "linear_problem",
    "loss_polynomial",
    "mp_matrix",
    "partial_product",
    "product_recipe",
    "quadratic_regression",
    "regression_problem",
    "staircase_indices",
    "weighted_frobenius",
    "weighted_frobenius_problem",
    "work_precision",
]


@dataclass(frozen=True)
class FunctionalLoss:
    """A loss ``ℓ(W)`` on matrices ``W ∈ R^{d_h × d_0}`` (torch implementation)."""

    name: str
    formula: str
    fn: Callable[[torch.Tensor], torch.Tensor] = field(repr=False, compare=False)
    shape: tuple[int, int]
    convex: bool = True
    smooth: bool = True


def _matrix(name: str, values, shape: tuple[int, ...] | None = None) -> torch.Tensor:
    arr = np.array(values, dtype=np.float64)
    if arr.ndim != 2 or not np.all(np.isfinite(arr)):
        raise InvalidArgument(f"{name} must be a finite 2-d array, got shape {arr.shape}")
    if shape is not None and arr.shape != shape:
        raise InvalidArgument(f"{name} must have shape {shape}, got {arr.shape}")
    return torch.tensor(arr)


def frobenius_distance(Q) -> FunctionalLoss:
    """``ℓ_Q(W) = ||W − Q||_F²`` (Eckart–Young setting)."""
    Qt = _matrix("Q", Q)
    return FunctionalLoss("frobenius_distance", "||W − Q||_F²", lambda W: ((W - Qt) ** 2).sum(),
                          tuple(Qt.shape))


def quadratic_regression(X, Y) -> FunctionalLoss:
    """``ℓ(W) = ||W X − Y||_F²`` with ``X ∈ R^{d_0 × n}``, ``Y ∈ R^{d_h × n}``."""
    Xt, Yt = _matrix("X", X), _matrix("Y", Y)
    if Xt.shape[1] != Yt.shape[1]:
        raise InvalidArgument(f"X and Y need the same number of columns, got {Xt.shape} and {Yt.shape}")
    return FunctionalLoss("quadratic_regression", "||W X − Y||_F²",
                          lambda W: ((W @ Xt - Yt) ** 2).sum(), (Yt.shape[0], Xt.shape[0]))


def weighted_frobenius(weights, Q) -> FunctionalLoss:
    """``ℓ(W) = Σ_ab Λ_ab (W_ab − Q_ab)²`` with positive weights Λ: smooth, strictly convex."""
    Qt = _matrix("Q", Q)
    Lt = _matrix("weights", weights, tuple(Qt.shape))
    if not bool((Lt > 0).all()):
        raise InvalidArgument("weighted_frobenius weights must all be positive")
    return FunctionalLoss("weighted_frobenius", "Σ_ab Λ_ab (W_ab − Q_ab)²",
                          lambda W: (Lt * (W - Qt) ** 2).sum(), tuple(Qt.shape))


@dataclass(frozen=True)
class LinearNetwork:
    """A deep linear network with widths ``(d_0, …, d_h)``, ``h ≥ 1``."""

    widths: tuple[int, ...]

    def __post_init__(self) -> None:
        try:
            widths = tuple(self.widths)
        except TypeError:
            raise InvalidArgument(f"widths must be a sequence of positive integers, got {self.widths!r}") \
                from None
        arch = Architecture(widths, bias=(False,) * max(len(widths) - 1, 0))
        object.__setattr__(self, "widths", arch.widths)

    @cached_property
    def architecture(self) -> Architecture:
        return Architecture(self.widths, bias=(False,) * (len(self.widths) - 1))

    @property
    def depth(self) -> int:
        """h, the number of factors."""
        return len(self.widths) - 1

    @property
    def n_params(self) -> int:
        """d_θ = Σ_i d_i d_{i−1}."""
        return self.architecture.n_params

    @property
    def bottleneck(self) -> int:
        """r = min_i d_i."""
        return min(self.widths)

    @property
    def is_filling(self) -> bool:
        """``r = min(d_0, d_h)``: μ_d is onto R^{d_h × d_0}."""
        return self.bottleneck == min(self.widths[0], self.widths[-1])

    def factors(self, theta: torch.Tensor) -> list[torch.Tensor]:
        blocks = self.architecture.layout.blocks
        return [theta[b.slice].reshape(b.shape) for b in blocks]

    def product_torch(self, theta: torch.Tensor) -> torch.Tensor:
        """μ_d(θ) = W_h ⋯ W_1 as a torch tensor."""
        out = None
        for W in self.factors(theta):
            out = W if out is None else W @ out
        return out

    def product(self, theta) -> np.ndarray:
        """μ_d(θ) = W_h ⋯ W_1."""
        return self.product_torch(self._vec(theta)).numpy()

    def product_jacobian(self, theta) -> np.ndarray:
        """dμ_d(θ) as a ``(d_h·d_0) × d_θ`` matrix (row-major in W̄)."""
        return jacrev(lambda t: self.product_torch(t).reshape(-1))(self._vec(theta)).numpy()

    def _check_loss(self, loss: FunctionalLoss) -> None:
        if loss.shape != (self.widths[-1], self.widths[0]):
            raise InvalidArgument(
                f"functional loss {loss.name} is defined on {loss.shape} matrices but μ_d maps to "
                f"{(self.widths[-1], self.widths[0])}"
            )

    def loss(self, loss: FunctionalLoss, theta) -> float:
        """L(θ) = ℓ(μ_d(θ))."""
        self._check_loss(loss)
        return float(loss.fn(self.product_torch(self._vec(theta))))

    def gradient(self, loss: FunctionalLoss, theta) -> np.ndarray:
        self._check_loss(loss)
        return grad(lambda t: loss.fn(self.product_torch(t)))(self._vec(theta)).numpy()

    def hessian(self, loss: FunctionalLoss, theta) -> np.ndarray:
        self._check_loss(loss)
        H = hessian(lambda t: loss.fn(self.product_torch(t)))(self._vec(theta)).numpy()
        return 0.5 * (H + H.T)

    def _vec(self, theta) -> torch.Tensor:
        t = torch.as_tensor(np.array(theta, dtype=np.float64))
        if t.shape != (self.n_params,):
            raise InvalidArgument(f"θ must have shape ({self.n_params},), got {tuple(t.shape)}")
        return t


# -- linear networks as core problems -----------------------------------------------------------


def bias_free_architecture(widths: Sequence[int]) -> Architecture:
    """The architecture of ``W_h ⋯ W_1``: widths ``(d_0, …, d_h)``, no biases."""
    widths = tuple(widths)
    return Architecture(widths, bias=(False,) * max(len(widths) - 1, 1))


def is_filling(widths: Sequence[int]) -> bool:
    """``min_i d_i = min(d_0, d_h)``: μ_d is onto ``R^{d_h × d_0}`` (TKB's *filling*)."""
    return min(widths) == min(widths[0], widths[-1])


def linear_problem(widths: Sequence[int], loss: Loss, data: Dataset) -> Problem:
    """``L(θ) = Σ_j loss(W_h ⋯ W_1 x_j − y_j)``: identity activation, no biases."""
    return Problem(Network(bias_free_architecture(widths), "identity"), loss, data)


def is_linear_problem(problem: Problem) -> bool:
    arch = problem.architecture
    return problem.network.activation.name == "identity" and not any(arch.bias)


def frobenius_data(Q) -> Dataset:
    """Inputs ``x_b = e_b`` (``b = 1..d_0``) with targets ``y_b = Q e_b``: a separable loss on
    these data is a loss on the matrix ``W̄`` itself, e.g. ``Σ_b ||W̄ e_b − Q e_b||² = ||W̄ − Q||_F²``."""
    Qa = np.array(Q, dtype=np.float64)
    if Qa.ndim != 2 or not np.all(np.isfinite(Qa)):
        raise InvalidArgument(f"Q must be a finite 2-d array, got shape {Qa.shape}")
    return Dataset(np.eye(Qa.shape[1]), Qa.T.copy())


def frobenius_problem(widths: Sequence[int], Q, loss: Loss | None = None) -> Problem:
    """``L = ℓ ∘ μ_d`` with ``ℓ(W) = Σ_ab φ(W_ab − Q_ab)`` (default φ(r) = r²: ``||W − Q||_F²``)."""
    return linear_problem(widths, squared_error() if loss is None else loss, frobenius_data(Q))


def weighted_frobenius_problem(widths: Sequence[int], weights, Q) -> Problem:
    """``ℓ(W) = Σ_ab Λ_ab (W_ab − Q_ab)²`` with positive weights Λ (same shape as Q)."""
    Lam = np.array(weights, dtype=np.float64)
    Qa = np.array(Q, dtype=np.float64)
    if Lam.shape != Qa.shape:
        raise InvalidArgument(f"weights must have the shape of Q {Qa.shape}, got {Lam.shape}")
    return linear_problem(widths, weighted_squared_error(Lam.T), frobenius_data(Qa))


def regression_problem(widths: Sequence[int], X, Y, loss: Loss | None = None) -> Problem:
    """``ℓ(W) = ||W X − Y||_F²`` with ``X ∈ R^{d_0 × n}`` and ``Y ∈ R^{d_h × n}`` (columns are
    the data points, TKB's orientation)."""
    Xa, Ya = np.array(X, dtype=np.float64), np.array(Y, dtype=np.float64)
    if Xa.ndim != 2 or Ya.ndim != 2 or Xa.shape[1] != Ya.shape[1]:
        raise InvalidArgument(f"X and Y need the same number of columns, got {Xa.shape} and {Ya.shape}")
    return linear_problem(widths, squared_error() if loss is None else loss, Dataset(Xa.T, Ya.T))


def functional_problem(problem: Problem) -> Problem:
    """ℓ itself: the one-layer problem ``(d_0 → d_h)`` with the same loss and data, so that
    ``L(θ) = ℓ(μ_d(θ))`` and ℓ's gradient and Hessian at ``W̄`` come from the core evaluators."""
    arch = problem.architecture
    return linear_problem((arch.n_in, arch.n_out), problem.loss, problem.data)


# -- matrices at a working precision ---------------------------------------------------------------


def work_precision(precision: Precision):
    """``with work_precision(p):`` sets mpmath to the precision of tier p (its ``dps``, as
    :class:`~critlocus.core.evaluation.PointEvaluation` does; 15 digits = 53 bits for float64), so
    constructions cached per ``mpmath.mp.prec`` are shared by every evaluator of that tier."""
    return mpmath.workdps(precision.dps)


def mp_matrix(values) -> mpmath.matrix:
    """An mpmath matrix from a 2-d array (exact for float64 entries) or an mpmath matrix."""
    if isinstance(values, mpmath.matrix):
        return values
    arr = np.asarray(values, dtype=np.float64)
    M = mpmath.matrix(arr.shape[0], arr.shape[1])
    for i in range(arr.shape[0]):
        for j in range(arr.shape[1]):
            M[i, j] = mpmath.mpf(float(arr[i, j]))
    return M


def factor_matrices(architecture: Architecture, flat: Sequence) -> list[mpmath.matrix]:
    """``[W_1, …, W_h]`` as mpmath matrices from a flat parameter vector (layout order)."""
    mats = []
    for b in architecture.layout.blocks:
        if b.kind != "W":
            raise InvalidArgument(f"{architecture} has biases: not a linear network")
        rows, cols = b.shape
        vals = list(flat[b.slice])
        M = mpmath.matrix(rows, cols)
        for i in range(rows):
            for j in range(cols):
                M[i, j] = mpmath.mpf(vals[i * cols + j])
        mats.append(M)
    return mats


def partial_product(mats: Sequence[mpmath.matrix], start: int, stop: int, size: int) -> mpmath.matrix:
    """``W_stop ⋯ W_start`` (1-based, inclusive); the identity of ``size`` when ``start > stop``."""
    out = mpmath.eye(size)
    for k in range(start, stop + 1):
        out = mats[k - 1] * out
    return out


def differential_mp(mats: Sequence[mpmath.matrix]) -> mpmath.matrix:
    """dμ_d(θ) as a ``(d_h d_0) × d_θ`` matrix: block ``W_{>i} ⊗ W_{<i}ᵀ`` for ``W_i`` (row-major)."""
    h = len(mats)
    d0, dh = mats[0].cols, mats[-1].rows
    widths = [d0] + [M.rows for M in mats]
    n = sum(M.rows * M.cols for M in mats)
    J = mpmath.matrix(dh * d0, n)
    col = 0
    for i in range(1, h + 1):
        above = partial_product(mats, i + 1, h, widths[i])  # d_h × d_i
        below = partial_product(mats, 1, i - 1, d0)  # d_{i−1} × d_0
        for p in range(widths[i]):
            for q in range(widths[i - 1]):
                for a in range(dh):
                    if above[a, p] == 0:
                        continue
                    for b in range(d0):
                        J[a * d0 + b, col] = above[a, p] * below[q, b]
                col += 1
    return J


def differential_rank_formula(ranks_above: Sequence[int], ranks_below: Sequence[int], d0: int) -> int:
    """``rk dμ_d(θ) = a_1 d_0 + Σ_{i=2}^{h} (a_i − a_{i−1}) b_i`` with ``a_i = rk W_{>i}`` and
    ``b_i = rk W_{<i}`` (Trager–Kohn–Bruna; catalogue ``tkb.thm.diff-image``)."""
    a, b = list(ranks_above), list(ranks_below)
    if len(a) != len(b) or not a:
        raise InvalidArgument(f"need h ranks above and below, got {a} and {b}")
    return a[0] * d0 + sum((a[i] - a[i - 1]) * b[i] for i in range(1, len(a)))


def staircase_indices(ranks_above: Sequence[int], ranks_below: Sequence[int], d0: int, dh: int) -> list[int]:
    """The ``i`` (1-based) with ``rk W_{>i} = d_h`` and ``rk W_{<i} = d_0``."""
    return [i + 1 for i, (a, b) in enumerate(zip(ranks_above, ranks_below)) if a == dh and b == d0]


# -- points built from a construction at every precision --------------------------------------------


class ConstructedPoint:
    """A point of a linear network given by a construction ``build(data) -> [W_1, …, W_h]``
    (mpmath matrices at the current working precision), run once per precision.

    ``description`` and ``payload`` say in the theory's terms what the construction is (e.g.
    ``"W̄ = Q_I"`` with ``I``); they go into the point's ``to_dict`` with the float64 values.
    """

    def __init__(self, architecture: Architecture, build: Callable[[Dataset], list],
                 *, description: str, payload: dict | None = None):
        self.architecture = architecture
        self._build = build
        self.description = description
        self.payload = dict(payload or {})
        self._cache: dict[int, list] = {}

    def flat(self, data: Dataset) -> list:
        """The flat parameter vector at the current mpmath precision."""
        prec = mpmath.mp.prec
        if prec not in self._cache:
            mats = self._build(data)
            out: list = []
            for b, M in zip(self.architecture.layout.blocks, mats):
                if (M.rows, M.cols) != b.shape:
                    raise InvalidArgument(f"construction gave {b.name} of shape {(M.rows, M.cols)}, "
                                          f"expected {b.shape}")
                out.extend(M[i, j] for i in range(M.rows) for j in range(M.cols))
            if len(mats) != len(self.architecture.layout.blocks):
                raise InvalidArgument(f"construction gave {len(mats)} factors for {self.architecture}")
            self._cache[prec] = out
        return self._cache[prec]

    def recipe(self) -> PointRecipe:
        rules: dict[str, BlockRule] = {}
        for b in self.architecture.layout.blocks:
            rules[b.name] = _ConstructedBlock(self, b.slice)
        return PointRecipe(self.architecture, rules)


class _ConstructedBlock(Derived):
    def __init__(self, point: ConstructedPoint, where: slice):
        def f64(shape, data):
            with mpmath.workdps(15):
                vals = point.flat(data)[where]
            return np.array([float(v) for v in vals]).reshape(shape)

        def mp(shape, data):
            return list(point.flat(data)[where])

        super().__init__(f64, mp, point.description)
        object.__setattr__(self, "_point", point)

    def to_dict(self) -> dict:
        point = object.__getattribute__(self, "_point")
        return {"rule": "derived", "description": point.description, "construction": point.payload}


def _realize(point: PointRecipe, data: Dataset, precision: Precision) -> list[mpmath.matrix]:
    """The factors of ``point`` rebuilt at ``precision`` (inside the caller's work_precision)."""
    if precision.is_float64:
        flat = [mpmath.mpf(float(v)) for v in point.realize_float64(data)]
    else:
        flat = point.realize_mp(data)
    return factor_matrices(point.architecture, flat)


def factor_norms(point: PointRecipe, data: Dataset) -> list[float]:
    blocks = point.blocks_float64(data)
    return [float(np.linalg.norm(blocks[b.name])) for b in point.architecture.layout.blocks]


def product_recipe(problem: Problem, point: PointRecipe) -> PointRecipe:
    """The point ``W̄ = μ_d(θ)`` of :func:`functional_problem`, rebuilt from θ at each precision."""
    arch = functional_problem(problem).architecture

    def f64(shape, data):
        with mpmath.workdps(15):
            P = partial_product(factor_matrices(point.architecture, point.realize_float64(data).tolist()),
                                1, problem.architecture.depth, problem.architecture.n_in)
        return np.array([[float(P[i, j]) for j in range(P.cols)] for i in range(P.rows)])

    def mp(shape, data):
        mats = factor_matrices(point.architecture, point.realize_mp(data))
        P = partial_product(mats, 1, len(mats), problem.architecture.n_in)
        return [P[i, j] for i in range(P.rows) for j in range(P.cols)]

    return PointRecipe(arch, {"W_1": Derived(f64, mp, "W̄ = μ_d(θ) = W_h ⋯ W_1")})


class _PointMatrix(MatrixSource):
    """A matrix computed from a point of a linear network at each precision."""

    def __init__(self, point: PointRecipe, data: Dataset, build: Callable[[list], mpmath.matrix],
                 scale: float):
        self.point, self.data, self._build, self._scale = point, data, build, scale
        self._cache: dict[str, mpmath.matrix] = {}
        self.shape = self._get_f64().shape

    def _get(self, precision: Precision) -> mpmath.matrix:
        if precision.label not in self._cache:
            with work_precision(precision):
                self._cache[precision.label] = self._build(_realize(self.point, self.data, precision))
        return self._cache[precision.label]

    def _get_f64(self) -> np.ndarray:
        from .precision import FLOAT64

        M = self._get(FLOAT64)
        return np.array([[float(M[i, j]) for j in range(M.cols)] for i in range(M.rows)]).reshape(M.rows,
                                                                                                   M.cols)

    def dense_float64(self) -> np.ndarray:
        return self._get_f64()

    def dense_mp(self, precision: Precision) -> mpmath.matrix:
        return self._get(precision)

    def scale(self) -> float:
        return self._scale


def _product_scale(point: PointRecipe, data: Dataset) -> float:
    """Π_i (1 + ||W_i||_F): the size of the terms whose sums are the entries of partial products."""
    return float(np.prod([1.0 + n for n in factor_norms(point, data)]))


class ProductSource(_PointMatrix):
    """``W̄ = μ_d(θ)`` (or the partial product ``W_stop ⋯ W_start``) at every precision, for rank
    decisions; the scale is ``Π_i (1 + ||W_i||_F)`` (entries are sums of products of factors)."""

    def __init__(self, point: PointRecipe, data: Dataset, start: int = 1, stop: int | None = None):
        h = point.architecture.depth
        stop = h if stop is None else stop
        size = point.architecture.widths[start - 1]
        super().__init__(point, data, lambda mats: partial_product(mats, start, stop, size),
                         _product_scale(point, data))


class DifferentialSource(_PointMatrix):
    """dμ_d(θ) at every precision (:func:`differential_mp`), for rank decisions."""

    def __init__(self, point: PointRecipe, data: Dataset):
        super().__init__(point, data, differential_mp, _product_scale(point, data))


# -- the loss along a line: an exact polynomial for squared losses -----------------------------------


def _poly_matmul(A: list, B: list) -> list:
    """Product of matrix polynomials ``Σ_i t^i A_i`` and ``Σ_j t^j B_j`` (coefficient lists)."""
    out = [None] * (len(A) + len(B) - 1)
    for i, Ai in enumerate(A):
        for j, Bj in enumerate(B):
            term = Ai * Bj
            out[i + j] = term if out[i + j] is None else out[i + j] + term
    return out


def loss_polynomial(problem: Problem, factors: Sequence[mpmath.matrix],
                    direction: Sequence[mpmath.matrix]) -> list:
    """Coefficients ``c_0, …, c_{2h}`` of ``L(θ + tΔ) = Σ_k c_k t^k`` for a squared loss
    (``φ(r) = r²``, any weights), computed exactly at the working precision: the network output is
    the matrix polynomial ``Π_k (W_k + tΔ_k) x_j`` and the loss a weighted sum of squares.

    ``c_0 = L(θ)``; the lowest-order nonzero ``c_k`` (k ≥ 1) decides whether θ is a local
    minimum along the line (:func:`descent_order`)."""
    if problem.loss.name not in ("squared_error", "weighted_squared_error"):
        raise InvalidArgument(f"loss_polynomial needs a squared loss, got {problem.loss.name!r}")
    poly = None
    for W, D in zip(factors, direction):
        term = [W, D]
        poly = term if poly is None else _poly_matmul(term, poly)
    data = problem.data
    weights = problem.loss.weight_matrix(data.size, problem.architecture.n_out)
    coeffs = [mpmath.mpf(0)] * (2 * len(poly) - 1)
    for j in range(data.size):
        x = mp_matrix(data.X[j:j + 1].T)
        outs = [P * x for P in poly]  # each d_h × 1
        for o in range(problem.architecture.n_out):
            r = [outs[k][o, 0] for k in range(len(outs))]
            r[0] -= mpmath.mpf(float(data.Y[j, o]))
            w = mpmath.mpf(weights[j][o])
            for a in range(len(r)):
                for b in range(len(r)):
                    coeffs[a + b] += w * r[a] * r[b]
    return coeffs


# -- exact ranks of dyadic factors ------------------------------------------------------------------


def exact_rank(A) -> int:
    """The rank of a matrix of float64 numbers, computed exactly over the rationals (each float is
    an exact binary rational; Gaussian elimination with :class:`fractions.Fraction`)."""
    from fractions import Fraction

    rows = [[x if isinstance(x, Fraction) else Fraction(float(x)) for x in row] for row in A]
    rank, col = 0, 0
    n_rows = len(rows)
    n_cols = len(rows[0]) if rows else 0
    while rank < n_rows and col < n_cols:
        pivot = next((i for i in range(rank, n_rows) if rows[i][col] != 0), None)
        if pivot is None:
            col += 1
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(rank + 1, n_rows):
            if rows[i][col] != 0:
                f = rows[i][col] / rows[rank][col]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[rank])]
        rank += 1
        col += 1
    return rank


def exact_product(mats: Sequence[np.ndarray], size: int) -> list[list]:
    """``M_k ⋯ M_1`` in rational arithmetic (:class:`fractions.Fraction`); the identity of ``size``
    when ``mats`` is empty."""
    from fractions import Fraction

    out = [[Fraction(int(i == j)) for j in range(size)] for i in range(size)]
    for M in mats:
        Mf = [[Fraction(float(x)) for x in row] for row in np.asarray(M)]
        out = [[sum((Mf[i][k] * out[k][j] for k in range(len(out))), Fraction(0))
                for j in range(len(out[0]))] for i in range(len(Mf))]
    return out


def exact_partial_ranks(factors: Sequence[np.ndarray]) -> tuple[list[int], list[int]]:
    """``(a, b)`` with ``a_i = rk W_{>i}`` and ``b_i = rk W_{<i}`` (i = 1..h), exactly: the partial
    products of the float64 factors are formed in rational arithmetic."""
    def rank_of(F):
        return exact_rank(F) if F and F[0] else 0

    h = len(factors)
    d0 = factors[0].shape[1]
    widths = [d0] + [W.shape[0] for W in factors]
    above = [rank_of(exact_product(factors[i:], widths[i])) for i in range(1, h + 1)]
    below = [rank_of(exact_product(factors[:i - 1], d0)) for i in range(1, h + 1)]
    return above, below
