"""Data sets ``(x_j, y_j)``, ``j = 1..d``, stored as exact float64 arrays.

Every float64 number is an exact binary rational, so the same data are exact at every
precision tier; derived quantities such as the mean target ``ȳ = (1/d) Σ_j y_j`` are
recomputed at each tier's own precision (:meth:`Dataset.mean_target_mp`).
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from .errors import InvalidArgument

__all__ = ["Dataset"]


def _as_matrix(name: str, values, columns: int | None = None) -> np.ndarray:
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{name} must be a 2-d array of real numbers, got {values!r}") from None
    if arr.ndim != 2:
        raise InvalidArgument(f"{name} must be 2-d (one row per data point), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise InvalidArgument(f"{name} contains NaN or infinity: {name}[{where[0]}, {where[1]}] = "
                              f"{float(arr[where])!r}; data must be finite real numbers")
    if columns is not None and arr.shape[1] != columns:
        raise InvalidArgument(f"{name} must have {columns} columns, got shape {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Dataset:
    """Inputs ``X`` (shape ``(d, n_0)``) and targets ``Y`` (shape ``(d, n_ℓ)``)."""

    X: np.ndarray
    Y: np.ndarray

    def __post_init__(self) -> None:
        X = _as_matrix("X", self.X)
        Y = _as_matrix("Y", self.Y)
        if X.shape[0] != Y.shape[0]:
            raise InvalidArgument(f"X has {X.shape[0]} rows but Y has {Y.shape[0]}: one per data point")
        if X.shape[0] < 1:
            raise InvalidArgument("a data set needs at least one point")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Y", Y)

    @property
    def size(self) -> int:
        """d, the number of data points."""
        return self.X.shape[0]

    @property
    def n_in(self) -> int:
        return self.X.shape[1]

    @property
    def n_out(self) -> int:
        return self.Y.shape[1]

    def has_distinct_inputs(self) -> bool:
        return len({(row + 0.0).tobytes() for row in self.X}) == self.size  # -0.0 == 0.0

    def require_distinct_inputs(self, why: str = "the papers' standing assumption") -> Dataset:
        """Return ``self`` if the inputs ``x_j`` are pairwise distinct, else raise
        :class:`InvalidArgument` naming two equal rows (for constructions that need them)."""
        seen: dict[bytes, int] = {}
        for j, row in enumerate(self.X):
            key = (row + 0.0).tobytes()  # -0.0 == 0.0
            if key in seen:
                raise InvalidArgument(f"inputs x_{seen[key]} and x_{j} are equal ({row.tolist()}); "
                                      f"distinct inputs are required ({why})")
            seen[key] = j
        return self

    def mean_target(self) -> np.ndarray:
        """ȳ rounded to float64 (the float64 tier's value)."""
        return self.Y.mean(axis=0)

    def mean_target_mp(self) -> list[mpmath.mpf]:
        """ȳ at the current mpmath precision (exact sum, one rounding per division)."""
        d = self.size
        return [mpmath.fsum(mpmath.mpf(float(v)) for v in self.Y[:, o]) / d for o in range(self.n_out)]

    def to_dict(self) -> dict:
        return {"d": self.size, "X": self.X.tolist(), "Y": self.Y.tolist()}

    @classmethod
    def from_dict(cls, data: dict) -> Dataset:
        """Rebuild from :meth:`to_dict` (JSON floats round-trip exactly)."""
        if not isinstance(data, dict) or "X" not in data or "Y" not in data:
            raise InvalidArgument(f"a data record needs 'X' and 'Y', got {data!r}")
        out = cls(np.array(data["X"], dtype=float), np.array(data["Y"], dtype=float))
        if "d" in data and data["d"] != out.size:
            raise InvalidArgument(f"data record says d={data['d']!r} but has {out.size} rows")
        return out
