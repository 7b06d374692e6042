"""Slices of parameter space over the hidden layers: features, the slice's quadratic form,
its kernel and the least-squares last layer — in float64 and in mpmath.

Split ``p = (p', W_ℓ, b_ℓ)`` where ``p'`` holds every layer but the last, and let
``π(p) = p'``.  On the slice ``π⁻¹(p')`` the hidden layers are fixed, so the features

    Φ(p') = [a_{ℓ−1}(x_1) … a_{ℓ−1}(x_d)] ∈ R^{n_{ℓ−1} × d}

are constant and the network is affine in the last layer: ``f(x_j) = W̃ φ̃_j`` with
``W̃ = [W_ℓ  b_ℓ]`` and ``φ̃_j = (φ_j, 1)`` (the *augmented* feature matrix
``Φ̃ = [Φ; 1ᵀ]``; without an output bias ``Φ̃ = Φ``).  Hence, for the L2 loss,

    L|_slice(W̃) = ||W̃ Φ̃ − Yᵀ||_F²,   quadratic part  Q(Ṽ) = ||Ṽ Φ̃||_F² = vec(Ṽ)ᵀ (Id_{n_ℓ} ⊗ Φ̃Φ̃ᵀ) vec(Ṽ),

a positive semidefinite form of rank ``n_ℓ · rank Φ̃`` whose kernel is
``K = {Ṽ : Ṽ Φ̃ = 0}`` (every row of Ṽ in the left null space of Φ̃), of dimension
``n_ℓ (rows(Φ̃) − rank Φ̃)``.  The minimisers of ``L|_slice`` form ``W̃* + K`` with
``W̃* = Yᵀ Φ̃⁺`` the minimum-norm least-squares last layer.

Vectors ``Ṽ`` are flattened row by row, ``vec(Ṽ) = (Ṽ[0,:], Ṽ[1,:], …)``;
:func:`last_layer_indices` maps them to coordinates of the full parameter vector.

Methods (one per function): features by the network's forward pass (torch in float64,
``mpmath`` at the working precision); singular value decompositions by LAPACK
(``numpy.linalg.svd``) and ``mpmath.svd_r``; the pseudo-inverse from the SVD truncated at a
given rank (Golub & Van Loan, *Matrix Computations*, 4th ed., §5.5.4).  Ranks are decided
elsewhere (:func:`critlocus.core.rank.decide_rank` on :class:`FeatureMatrix`), never by a
fixed tolerance here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import mpmath
import numpy as np
import torch

from .architecture import Architecture
from .errors import InvalidArgument
from .mpsvd import full_svd
from .network import Problem
from .precision import Precision
from .rank import MatrixSource

__all__ = [
    "FeatureMatrix",
    "SliceHessianBlock",
    "augment",
    "feature_term_sizes",
    "features_float64",
    "features_mp",
    "kernel_basis",
    "last_layer_indices",
    "least_squares_last_layer",
    "loss_mp",
    "outputs_mp",
    "slice_gram",
]

ParamsAt = Callable[[Precision], Sequence]


# -- layout --------------------------------------------------------------------------------

def last_layer_indices(architecture: Architecture) -> list[int]:
    """Flat parameter indices of ``vec(W̃)``, ``W̃ = [W_ℓ b_ℓ]`` row by row.

    >>> last_layer_indices(Architecture((1, 2, 1)))   # W_2 = p[4:6], b_2 = p[6]
    [4, 5, 6]
    """
    ell = architecture.depth
    layout = architecture.layout
    W = layout.block(f"W_{ell}")
    n_out, n_hid = W.shape
    has_bias = f"b_{ell}" in layout
    out: list[int] = []
    for o in range(n_out):
        out.extend(W.offset + o * n_hid + m for m in range(n_hid))
        if has_bias:
            out.append(layout.block(f"b_{ell}").offset + o)
    return out


def _has_output_bias(architecture: Architecture) -> bool:
    return bool(architecture.bias[-1])


# -- features ------------------------------------------------------------------------------

def features_float64(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """Φ(p') in float64: the last hidden layer's activations, shape ``(n_{ℓ−1}, d)``.

    For depth ℓ = 1 the "features" are the inputs themselves (``Φ = Xᵀ``).
    """
    return _forward_float64(problem, theta)[0]


def feature_term_sizes(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """``|σ'(h_{ℓ−1})| · (|W_{ℓ−1}|·|a_{ℓ−2}| + |b_{ℓ−1}|)``, shape ``(n_{ℓ−1}, d)``: the size of
    the terms whose sum is the pre-activation of each feature, propagated through σ — the
    first-order size of the rounding error of Φ, which stays O(u) even where Φ cancels to 0
    (a dead unit)."""
    return _forward_float64(problem, theta)[1]


def _forward_float64(problem: Problem, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    arch = problem.architecture
    layout = arch.layout
    t = torch.as_tensor(np.asarray(theta, dtype=np.float64))
    a = torch.tensor(problem.data.X)
    terms = torch.abs(a)
    act = problem.network.activation.torch_fn
    with torch.no_grad():
        for k in range(1, arch.depth):
            W = t[layout.block(f"W_{k}").slice].reshape(layout.block(f"W_{k}").shape)
            h = a @ W.T
            size = torch.abs(a) @ torch.abs(W).T
            if f"b_{k}" in layout:
                b = t[layout.block(f"b_{k}").slice]
                h = h + b
                size = size + torch.abs(b)
            slope = torch.func.grad(lambda z: act(z).sum())(h) if h.numel() else h
            a = act(h)
            terms = torch.abs(slope) * size
    return a.numpy().T.copy(), terms.numpy().T.copy()


def _unpack_mp(architecture: Architecture, params: Sequence):
    layout = architecture.layout
    W, b = {}, {}
    for k in range(1, architecture.depth + 1):
        blk = layout.block(f"W_{k}")
        rows, cols = blk.shape
        vals = [mpmath.mpf(v) for v in params[blk.slice]]
        W[k] = [vals[i * cols:(i + 1) * cols] for i in range(rows)]
        b[k] = [mpmath.mpf(v) for v in params[layout.block(f"b_{k}").slice]] if f"b_{k}" in layout \
            else None
    return W, b


def _hidden_activations_mp(problem: Problem, params: Sequence):
    arch = problem.architecture
    if len(params) != arch.n_params:
        raise InvalidArgument(f"expected {arch.n_params} parameters, got {len(params)}")
    W, b = _unpack_mp(arch, params)
    jet = problem.network.activation.mp_jet
    cols = []
    for x in problem.data.X:
        a = [mpmath.mpf(float(v)) for v in x]
        for k in range(1, arch.depth):
            h = [mpmath.fdot(row, a) for row in W[k]]
            if b[k] is not None:
                h = [u + c for u, c in zip(h, b[k])]
            a = [jet(v)[0] for v in h]
        cols.append(a)
    return cols, W, b


def features_mp(problem: Problem, params: Sequence) -> mpmath.matrix:
    """Φ(p') at the current mpmath precision (``params``: the full flat parameter vector)."""
    cols, _, _ = _hidden_activations_mp(problem, params)
    n = len(cols[0])
    Phi = mpmath.matrix(n, len(cols))
    for j, col in enumerate(cols):
        for i in range(n):
            Phi[i, j] = col[i]
    return Phi


def outputs_mp(problem: Problem, params: Sequence) -> list[list]:
    """``f_p(x_j)`` for every data point at the current precision, as ``d`` lists of ``n_ℓ``."""
    cols, W, b = _hidden_activations_mp(problem, params)
    ell = problem.architecture.depth
    out = []
    for a in cols:
        h = [mpmath.fdot(row, a) for row in W[ell]]
        if b[ell] is not None:
            h = [u + c for u, c in zip(h, b[ell])]
        out.append(h)
    return out


def loss_mp(problem: Problem, params: Sequence) -> mpmath.mpf:
    """L(p) by a forward pass only, at the current precision (no derivatives)."""
    weights = problem.loss.weight_matrix(problem.data.size, problem.architecture.n_out)
    jet = problem.loss.mp_jet
    terms = []
    for f, y, row in zip(outputs_mp(problem, params), problem.data.Y, weights):
        terms.extend(mpmath.mpf(w) * jet(fo - mpmath.mpf(float(yo)))[0] for w, fo, yo in zip(row, f, y))
    return mpmath.fsum(terms)


def augment(Phi, *, bias: bool):
    """Φ̃ = [Φ; 1ᵀ] when the last layer has a bias, else Φ (float64 array or mpmath matrix)."""
    if not bias:
        return Phi
    if isinstance(Phi, np.ndarray):
        return np.vstack([Phi, np.ones((1, Phi.shape[1]))])
    out = mpmath.matrix(Phi.rows + 1, Phi.cols)
    for i in range(Phi.rows):
        for j in range(Phi.cols):
            out[i, j] = Phi[i, j]
    for j in range(Phi.cols):
        out[Phi.rows, j] = mpmath.mpf(1)
    return out


# -- the slice's quadratic form ---------------------------------------------------------------

def slice_gram(Phi_tilde, n_out: int):
    """``Id_{n_ℓ} ⊗ Φ̃Φ̃ᵀ``: the matrix of Q in ``vec(Ṽ)`` coordinates (float64 or mpmath)."""
    if isinstance(Phi_tilde, np.ndarray):
        return np.kron(np.eye(n_out), Phi_tilde @ Phi_tilde.T)
    m = Phi_tilde.rows
    G = Phi_tilde * Phi_tilde.T
    out = mpmath.zeros(n_out * m, n_out * m)
    for o in range(n_out):
        for i in range(m):
            for j in range(m):
                out[o * m + i, o * m + j] = G[i, j]
    return out


def _svd(A, *, full: bool = True):
    """SVD ``A = U diag(s) Vᵀ`` (float64: LAPACK; mpmath: ``svd_r``), s descending; ``full=False``
    gives the thin factors (enough for a pseudo-inverse, and much cheaper in mpmath)."""
    if isinstance(A, np.ndarray):
        U, s, Vt = np.linalg.svd(A, full_matrices=full)
        return U, list(s), Vt.T
    if full:
        return full_svd(A)  # mpmath's own full factors can be non-orthogonal (core/mpsvd.py)
    U, S, V = mpmath.svd_r(A, full_matrices=False, compute_uv=True)
    s = [S[i] for i in range(min(A.rows, A.cols))]
    return U, s, V.T  # mpmath returns Vᵀ as V


def kernel_basis(Phi_tilde, rank: int, n_out: int) -> list[list]:
    """An orthonormal basis of K = {Ṽ : ṼΦ̃ = 0} as vectors ``vec(Ṽ)`` (length ``n_ℓ·m``).

    ``rank`` is the (decided) rank of Φ̃; the left singular vectors beyond it span the left
    null space, one copy per output row.  Works in float64 or at the current mpmath precision.
    """
    m = Phi_tilde.shape[0] if isinstance(Phi_tilde, np.ndarray) else Phi_tilde.rows
    if not 0 <= rank <= m:
        raise InvalidArgument(f"rank={rank!r} must lie in 0..{m} for a matrix with {m} rows")
    U, _, _ = _svd(Phi_tilde)
    zero = 0.0 if isinstance(Phi_tilde, np.ndarray) else mpmath.mpf(0)
    basis = []
    for o in range(n_out):
        for c in range(rank, m):
            v = [zero] * (n_out * m)
            for i in range(m):
                v[o * m + i] = U[i, c]
            basis.append(v)
    return basis


def least_squares_last_layer(Phi_tilde, Y, rank: int):
    """The minimum-norm least-squares last layer ``W̃* = Yᵀ Φ̃⁺`` (shape ``n_ℓ × m``).

    ``Y`` is the ``d × n_ℓ`` target array; Φ̃⁺ is the pseudo-inverse truncated at ``rank``
    (the decided rank of Φ̃).  When ``rank = d`` the fit is exact: ``W̃* Φ̃ = Yᵀ``.  Returns a
    float64 array or, for an mpmath Φ̃, a list of rows at the current precision.
    """
    U, s, V = _svd(Phi_tilde, full=False)
    if isinstance(Phi_tilde, np.ndarray):
        Ur, Vr = U[:, :rank], V[:, :rank]
        return (np.asarray(Y, dtype=np.float64).T @ Vr) / np.array(s[:rank]) @ Ur.T
    m, d = Phi_tilde.rows, Phi_tilde.cols
    Yt = [[mpmath.mpf(float(Y[j][o])) for j in range(d)] for o in range(len(Y[0]))]
    out = []
    for row in Yt:
        # row · V_r diag(1/s) U_rᵀ
        coeff = [mpmath.fdot(row, [V[j, c] for j in range(d)]) / s[c] for c in range(rank)]
        out.append([mpmath.fdot(coeff, [U[i, c] for c in range(rank)]) for i in range(m)])
    return out


# -- matrix sources (ranks decided per precision) ---------------------------------------------

class FeatureMatrix(MatrixSource):
    """Φ(p') or Φ̃(p') rebuilt at each precision from the point's parameters.

    ``params_at(precision)`` returns the full parameter vector at that precision (float64
    array, or mpmath numbers built inside ``workdps``).  ``augmented=None`` augments exactly
    when the last layer has a bias.  Scale: ``‖Φ̃‖_F`` plus the size of the terms summed into
    the features (so a dead unit, Φ = 0 up to rounding, is decided rank-deficient).
    """

    def __init__(self, problem: Problem, params_at: ParamsAt, *, augmented: bool | None = None):
        from .precision import FLOAT64

        self.problem = problem
        self.params_at = params_at
        bias = _has_output_bias(problem.architecture)
        self.augmented = bias if augmented is None else bool(augmented)
        theta = np.asarray(params_at(FLOAT64), dtype=np.float64)
        Phi, terms = _forward_float64(problem, theta)
        self._f64 = augment(Phi, bias=self.augmented)
        self._scale = float(np.linalg.norm(self._f64) + np.linalg.norm(terms))
        self.shape = tuple(self._f64.shape)
        self._mp: dict[int, mpmath.matrix] = {}

    def scale(self) -> float:
        """``‖Φ̃‖_F + ‖T‖_F`` with T the term sizes of :func:`feature_term_sizes`."""
        return self._scale

    def dense_float64(self) -> np.ndarray:
        return self._f64

    def dense_mp(self, precision: Precision) -> mpmath.matrix:
        if precision.dps not in self._mp:
            with mpmath.workdps(precision.dps):
                Phi = features_mp(self.problem, self.params_at(precision))
                self._mp[precision.dps] = augment(Phi, bias=self.augmented)
        return self._mp[precision.dps]


class SliceHessianBlock(MatrixSource):
    """½·∂²L/∂W̃² — the Hessian of L restricted to the slice, in ``vec(W̃)`` coordinates,
    computed from the network by exact differentiation (torch in float64, Pearlmutter's
    R-operator in mpmath), *not* from the Gram formula: for the L2 loss it equals
    ``Id_{n_ℓ} ⊗ Φ̃Φ̃ᵀ`` (the matrix of Q) exactly.

    ``hessian_float64()`` returns the full float64 Hessian; ``hvp_at(precision, v)`` the
    product ``Hess L · v`` at that precision.
    """

    def __init__(self, problem: Problem, hessian_float64: Callable[[], np.ndarray],
                 hvp_at: Callable[[Precision, list], list]):
        self.problem = problem
        self.idx = last_layer_indices(problem.architecture)
        self._hessian_float64 = hessian_float64
        self._hvp_at = hvp_at
        self.shape = (len(self.idx), len(self.idx))
        self._mp: dict[int, mpmath.matrix] = {}

    def dense_float64(self) -> np.ndarray:
        H = self._hessian_float64()
        return 0.5 * H[np.ix_(self.idx, self.idx)]

    def dense_mp(self, precision: Precision) -> mpmath.matrix:
        if precision.dps not in self._mp:
            n = self.problem.n_params
            size = len(self.idx)
            with mpmath.workdps(precision.dps):
                B = mpmath.matrix(size, size)
                for c, col_index in enumerate(self.idx):
                    e = [mpmath.mpf(0)] * n
                    e[col_index] = mpmath.mpf(1)
                    Hv = self._hvp_at(precision, e)
                    for r, row_index in enumerate(self.idx):
                        B[r, c] = Hv[row_index] / 2
                self._mp[precision.dps] = B
        return self._mp[precision.dps]
