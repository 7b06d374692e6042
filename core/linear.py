"""Deep linear networks ``Φ(θ, x) = W_h ⋯ W_1 x`` and the product map μ_d.

Trager–Kohn–Bruna notation: widths ``d = (d_0, …, d_h)``, ``W_i ∈ R^{d_i × d_{i−1}}``,
``μ_d(θ) = W̄ = W_h ⋯ W_1``; the loss is ``L = ℓ ∘ μ_d`` for a *functional* loss
ℓ on ``R^{d_h × d_0}``.  The parameter layout is the bias-free :class:`Architecture`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import torch
from torch.func import grad, hessian, jacrev

from .architecture import Architecture
from .errors import InvalidArgument

__all__ = [
    "FunctionalLoss",
    "LinearNetwork",
    "frobenius_distance",
    "quadratic_regression",
    "weighted_frobenius",
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
