"""Separable output losses ``L(p) = Σ_j Σ_o w_o φ(f_p(x_j)_o − y_{j,o})``.

The papers' loss is the plain L2 loss ``Σ_j ||f(x_j) − y_j||²`` (φ(r) = r², w = 1, **no**
1/d factor — every eigenvalue constant such as Cooper's 2d assumes this).  Each loss has a
torch implementation of φ and an mpmath 2-jet ``(φ, φ', φ'')`` for exact high-precision
gradients and Hessians.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import mpmath
import torch

from .errors import InvalidArgument

__all__ = [
    "Loss",
    "get_loss",
    "log_cosh",
    "loss_from_dict",
    "loss_names",
    "pseudo_huber",
    "squared_error",
    "weighted_squared_error",
]


@dataclass(frozen=True)
class Loss:
    """A separable loss ``Σ_j Σ_o w_o φ(r_{j,o})`` of the residuals ``r = f(x) − y``."""

    name: str
    formula: str
    torch_phi: Callable[[torch.Tensor], torch.Tensor] = field(repr=False, compare=False)
    mp_jet: Callable = field(repr=False, compare=False)
    weights: tuple[float, ...] | None = None
    params: tuple[tuple[str, float], ...] = ()
    convex: bool = True
    smooth: bool = True
    curvature_bound: float = 2.0  # sup |φ''| · max w: scales rounding errors of residuals

    def output_weights(self, n_out: int) -> tuple[float, ...]:
        if self.weights is None:
            return (1.0,) * n_out
        if len(self.weights) != n_out:
            raise InvalidArgument(
                f"loss {self.name!r} has {len(self.weights)} output weights but the network has "
                f"{n_out} outputs"
            )
        return self.weights

    def torch_value(self, residual: torch.Tensor) -> torch.Tensor:
        """The loss of a residual matrix of shape ``(d, n_ℓ)``."""
        phi = self.torch_phi(residual)
        if self.weights is not None:
            phi = phi * torch.as_tensor(self.weights, dtype=residual.dtype)
        return phi.sum()

    def to_dict(self) -> dict:
        out: dict = {"name": self.name, "formula": self.formula}
        out.update(dict(self.params))
        if self.weights is not None:
            out["weights"] = list(self.weights)
        return out

    @classmethod
    def from_dict(cls, record: dict) -> Loss:
        """Rebuild a built-in loss from :meth:`to_dict`: its name, parameters and weights."""
        return loss_from_dict(record)


def squared_error() -> Loss:
    """The papers' L2 loss ``Σ_j ||f(x_j) − y_j||²`` (no 1/d)."""
    return Loss("squared_error", "Σ_j ||f(x_j) − y_j||²", lambda r: r * r,
                lambda r: (r * r, 2 * r, mpmath.mpf(2)))


def weighted_squared_error(weights: Sequence[float]) -> Loss:
    """``Σ_j Σ_o w_o (f(x_j)_o − y_{j,o})²`` with positive output weights ``w``."""
    try:
        if isinstance(weights, (str, bytes)):
            raise TypeError
        w = tuple(float(x) for x in weights)
    except (TypeError, ValueError):
        raise InvalidArgument(f"weights must be a sequence of positive numbers, got {weights!r}") from None
    if not w or not all(math.isfinite(x) and x > 0 for x in w):
        raise InvalidArgument(f"weights must be finite and positive, got {weights!r}")
    return Loss("weighted_squared_error", "Σ_j Σ_o w_o (f(x_j)_o − y_{j,o})²", lambda r: r * r,
                lambda r: (r * r, 2 * r, mpmath.mpf(2)), weights=w,
                curvature_bound=2.0 * max(w))


def pseudo_huber(delta: float = 1.0) -> Loss:
    """``Σ δ² (√(1 + (r/δ)²) − 1)``: smooth, convex, quadratic near 0 and linear far out."""
    if isinstance(delta, bool) or not (isinstance(delta, (int, float)) and math.isfinite(delta)
                                       and delta > 0):
        raise InvalidArgument(f"pseudo_huber delta must be a positive number, got {delta!r}")
    delta = float(delta)

    # δ²(√(1+q) − 1) = r² / (√(1+q) + 1) with q = (r/δ)²: no cancellation for |r| ≪ δ.
    def jet(r):
        q = 1 + (r / mpmath.mpf(delta)) ** 2
        s = mpmath.sqrt(q)
        return r * r / (s + 1), r / s, 1 / (q * s)

    return Loss("pseudo_huber", "Σ δ²(√(1+(r/δ)²) − 1)",
                lambda r: r * r / (torch.sqrt(1 + (r / delta) ** 2) + 1), jet,
                params=(("delta", delta),), curvature_bound=1.0)


def log_cosh() -> Loss:
    """``Σ log cosh(r)``: smooth, strictly convex, φ'' = 1 − tanh² r."""

    def torch_phi(r):  # stable and smooth at 0 (no |r|): log cosh r = r + softplus(−2r) − log 2
        return r + torch.nn.functional.softplus(-2 * r) - math.log(2.0)

    def jet(r):
        t = mpmath.tanh(r)
        return mpmath.log(mpmath.cosh(r)), t, 1 - t * t

    return Loss("log_cosh", "Σ log cosh(r)", torch_phi, jet, curvature_bound=1.0)


_FACTORIES: dict[str, Callable[..., Loss]] = {
    "squared_error": squared_error,
    "weighted_squared_error": weighted_squared_error,
    "pseudo_huber": pseudo_huber,
    "log_cosh": log_cosh,
}


def loss_names() -> list[str]:
    return sorted(_FACTORIES)


def loss_from_dict(record: dict) -> Loss:
    """The loss a :meth:`Loss.to_dict` record describes (built-in losses, by name)."""
    if not isinstance(record, dict) or "name" not in record:
        raise InvalidArgument(f"a loss record needs a 'name', got {record!r}")
    params = {k: v for k, v in record.items() if k not in ("name", "formula")}
    return get_loss(record["name"], **params)


def get_loss(name: str | Loss, **params) -> Loss:
    """Build a loss by name, e.g. ``get_loss("pseudo_huber", delta=0.5)``."""
    if isinstance(name, Loss):
        return name
    try:
        factory = _FACTORIES[name]
    except (KeyError, TypeError):
        raise InvalidArgument(f"unknown loss {name!r}; known: {', '.join(loss_names())}") from None
    try:
        return factory(**params)
    except TypeError as exc:
        raise InvalidArgument(f"bad parameters {params} for loss {name!r}: {exc}") from None
