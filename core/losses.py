"""Separable output losses ``L(p) = Σ_j Σ_o w_{j,o} φ(f_p(x_j)_o − y_{j,o})``.

Weights are per output (``w_{j,o} = w_o``) or per data point and output (a ``d × n_ℓ``
matrix): the latter gives Trager–Kohn–Bruna's weighted distance
``ℓ(W) = Σ_ab Λ_ab (W_ab − Q_ab)²`` on a linear network fed the unit vectors ``x_b = e_b``
with targets ``y_b = Q e_b`` (``w_{b,a} = Λ_ab``).

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
    """A separable loss ``Σ_j Σ_o w_{j,o} φ(r_{j,o})`` of the residuals ``r = f(x) − y``.

    ``weights`` is ``None`` (all 1), a tuple of per-output weights ``w_o``, or a tuple of
    rows (one per data point) of per-output weights ``w_{j,o}``.
    """

    name: str
    formula: str
    torch_phi: Callable[[torch.Tensor], torch.Tensor] = field(repr=False, compare=False)
    mp_jet: Callable = field(repr=False, compare=False)
    weights: tuple[float, ...] | tuple[tuple[float, ...], ...] | None = None
    params: tuple[tuple[str, float], ...] = ()
    convex: bool = True
    smooth: bool = True
    curvature_bound: float = 2.0  # sup |φ''| · max w: scales rounding errors of residuals

    @property
    def per_point(self) -> bool:
        """True when the weights are a ``d × n_ℓ`` matrix (one row per data point)."""
        return bool(self.weights) and isinstance(self.weights[0], tuple)

    def output_weights(self, n_out: int) -> tuple[float, ...]:
        """The per-output weights ``w_o`` (an error for per-data-point weights)."""
        if self.weights is None:
            return (1.0,) * n_out
        if self.per_point:
            raise InvalidArgument(
                f"loss {self.name!r} has per-data-point weights; use weight_matrix(d, n_out)")
        if len(self.weights) != n_out:
            raise InvalidArgument(
                f"loss {self.name!r} has {len(self.weights)} output weights but the network has "
                f"{n_out} outputs"
            )
        return self.weights

    def weight_matrix(self, n_data: int, n_out: int) -> tuple[tuple[float, ...], ...]:
        """The weights ``w_{j,o}`` as ``n_data`` rows of ``n_out`` (validating the shape)."""
        if not self.per_point:
            row = self.output_weights(n_out)
            return (row,) * n_data
        rows = len(self.weights)
        cols = len(self.weights[0])
        if (rows, cols) != (n_data, n_out):
            raise InvalidArgument(
                f"loss {self.name!r} has a {rows} × {cols} weight matrix but the problem has "
                f"{n_data} data points and {n_out} outputs"
            )
        return self.weights  # type: ignore[return-value]

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
            out["weights"] = [list(w) for w in self.weights] if self.per_point else list(self.weights)
        return out

    @classmethod
    def from_dict(cls, record: dict) -> Loss:
        """Rebuild a built-in loss from :meth:`to_dict`: its name, parameters and weights."""
        return loss_from_dict(record)


def squared_error() -> Loss:
    """The papers' L2 loss ``Σ_j ||f(x_j) − y_j||²`` (no 1/d)."""
    return Loss("squared_error", "Σ_j ||f(x_j) − y_j||²", lambda r: r * r,
                lambda r: (r * r, 2 * r, mpmath.mpf(2)))


def _positive_row(weights) -> tuple[float, ...]:
    if isinstance(weights, (str, bytes)):
        raise TypeError
    return tuple(float(x) for x in weights)


def weighted_squared_error(weights: Sequence[float] | Sequence[Sequence[float]]) -> Loss:
    """``Σ_j Σ_o w_{j,o} (f(x_j)_o − y_{j,o})²`` with positive weights: per output (a sequence
    ``w_o``) or per data point and output (a ``d × n_ℓ`` matrix, one row per data point).

    >>> weighted_squared_error([[0.5, 1.0], [2.0, 0.25]]).weight_matrix(2, 2)
    ((0.5, 1.0), (2.0, 0.25))
    """
    try:
        if hasattr(weights, "tolist"):
            weights = weights.tolist()
        rows = list(weights) if not isinstance(weights, (str, bytes)) else None
        if rows is None:
            raise TypeError
        if rows and not isinstance(rows[0], (int, float)) and hasattr(rows[0], "__iter__"):
            matrix = tuple(_positive_row(row) for row in rows)
            if any(len(row) != len(matrix[0]) for row in matrix) or not matrix[0]:
                raise InvalidArgument(
                    f"weight matrix rows must be nonempty and of equal length, got {weights!r}")
            flat = [x for row in matrix for x in row]
            w: tuple = matrix
        else:
            w = _positive_row(rows)
            flat = list(w)
    except (TypeError, ValueError):
        raise InvalidArgument(
            f"weights must be a sequence (or matrix) of positive numbers, got {weights!r}") from None
    if not flat or not all(math.isfinite(x) and x > 0 for x in flat):
        raise InvalidArgument(f"weights must be finite and positive, got {weights!r}")
    return Loss("weighted_squared_error", "Σ_j Σ_o w_{j,o} (f(x_j)_o − y_{j,o})²", lambda r: r * r,
                lambda r: (r * r, 2 * r, mpmath.mpf(2)), weights=w,
                curvature_bound=2.0 * max(flat))


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
