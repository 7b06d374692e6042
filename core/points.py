"""Points as constructions: each parameter block carries the rule that defines it.

A locus point is not a rounded vector.  The float64 vector of a star point has
``b_ℓ = fl(ȳ)``, whose exact gradient is ``2d(fl(ȳ) − ȳ) ≈ 1e-16``; re-evaluating that vector
at 60 digits would "refute" a true theorem at the rounding of its own point.  So a
:class:`PointRecipe` records, block by block, *what defines it* — zero, given exact values,
the mean target ȳ — and every precision tier rebuilds the point from the data at its own
precision (:meth:`PointRecipe.realize_float64`, :meth:`PointRecipe.realize_mp`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import mpmath
import numpy as np

from .architecture import Architecture
from .data import Dataset
from .errors import InvalidArgument

__all__ = ["BlockRule", "Derived", "Given", "MeanTarget", "PointRecipe", "Zero"]


class BlockRule:
    """How one parameter block is defined.  Subclasses implement both precisions."""

    label: str = "rule"

    def float64(self, shape: tuple[int, ...], data: Dataset) -> np.ndarray:
        raise NotImplementedError

    def mp(self, shape: tuple[int, ...], data: Dataset) -> list:
        raise NotImplementedError

    def to_dict(self) -> dict:
        return {"rule": self.label}


@dataclass(frozen=True)
class Zero(BlockRule):
    """The block is exactly zero."""

    label = "zero"

    def float64(self, shape, data):
        return np.zeros(shape)

    def mp(self, shape, data):
        return [mpmath.mpf(0)] * int(np.prod(shape))


@dataclass(frozen=True, eq=False)
class Given(BlockRule):
    """Free coordinates with given float64 values — exact binary rationals at every precision.

    ``note`` describes the values in the theory's terms (e.g. ``"fl(ȳ) + 3 ulp"``).
    """

    values: np.ndarray
    note: str = "free"

    def __post_init__(self) -> None:
        try:
            arr = np.array(self.values, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidArgument(f"Given block values must be real numbers, got {self.values!r}") from None
        if not np.all(np.isfinite(arr)):
            raise InvalidArgument(f"Given block values must be finite (no NaN or infinity), "
                                  f"got {arr.tolist()!r}")
        arr.setflags(write=False)
        object.__setattr__(self, "values", arr)

    @property
    def label(self) -> str:  # type: ignore[override]
        return "given"

    def float64(self, shape, data):
        if self.values.shape != tuple(shape):
            raise InvalidArgument(f"Given values have shape {self.values.shape}, block needs {shape}")
        return self.values.copy()

    def mp(self, shape, data):
        return [mpmath.mpf(float(v)) for v in self.float64(shape, data).reshape(-1)]

    def to_dict(self) -> dict:
        return {"rule": "given", "note": self.note, "values": self.values.tolist()}


@dataclass(frozen=True)
class MeanTarget(BlockRule):
    """The output bias at the mean target, ``b_ℓ = ȳ = (1/d) Σ_j y_j``, at each precision."""

    label = "mean_target"

    def float64(self, shape, data):
        if tuple(shape) != (data.n_out,):
            raise InvalidArgument(f"MeanTarget needs a block of shape ({data.n_out},), got {shape}")
        return data.mean_target()

    def mp(self, shape, data):
        self.float64(shape, data)  # shape check
        return data.mean_target_mp()

    def to_dict(self) -> dict:
        return {"rule": "mean_target", "formula": "ȳ = (1/d) Σ_j y_j"}


@dataclass(frozen=True, eq=False)
class Derived(BlockRule):
    """A block computed from the data by user code, once per precision.

    ``float64_fn(shape, data) -> ndarray`` and ``mp_fn(shape, data) -> list[mpf]`` (flat,
    row-major) must compute the same mathematical value.
    """

    float64_fn: Callable[[tuple[int, ...], Dataset], np.ndarray] = field(repr=False)
    mp_fn: Callable[[tuple[int, ...], Dataset], list] = field(repr=False)
    description: str = "derived"

    @property
    def label(self) -> str:  # type: ignore[override]
        return "derived"

    def __post_init__(self) -> None:
        if not callable(self.float64_fn) or not callable(self.mp_fn):
            raise InvalidArgument("Derived needs callables float64_fn(shape, data) and mp_fn(shape, data)")

    def float64(self, shape, data):
        values = np.asarray(self.float64_fn(shape, data), dtype=np.float64)
        if values.size != int(np.prod(shape)):
            raise InvalidArgument(f"derived block ({self.description}) has {values.size} values, "
                                  f"expected shape {tuple(shape)}")
        if not np.all(np.isfinite(values)):
            raise InvalidArgument(f"derived block ({self.description}) is not finite: {values.tolist()!r}")
        return values.reshape(shape)

    def mp(self, shape, data):
        values = list(self.mp_fn(shape, data))
        if not all(mpmath.isfinite(v) for v in values):
            raise InvalidArgument(f"derived block ({self.description}) is not finite at high precision")
        return values

    def to_dict(self) -> dict:
        return {"rule": "derived", "description": self.description}


@dataclass(frozen=True, eq=False)
class PointRecipe:
    """A point of parameter space defined block by block (every block of the layout)."""

    architecture: Architecture
    rules: Mapping[str, BlockRule]

    def __post_init__(self) -> None:
        if not isinstance(self.architecture, Architecture):
            raise InvalidArgument(f"architecture must be an Architecture, got {self.architecture!r}")
        if not isinstance(self.rules, Mapping):
            raise InvalidArgument(f"rules must map block names (e.g. 'W_1') to BlockRules, "
                                  f"got {self.rules!r}")
        names = set(self.architecture.layout.names)
        missing = sorted(names - set(self.rules))
        extra = sorted(set(self.rules) - names)
        if missing or extra:
            raise InvalidArgument(
                f"a point recipe needs exactly the blocks {sorted(names)}; missing {missing}, "
                f"unexpected {extra}"
            )
        for name, rule in self.rules.items():
            if not isinstance(rule, BlockRule):
                raise InvalidArgument(f"block {name} has rule {rule!r}, expected a BlockRule")
        object.__setattr__(self, "rules", dict(self.rules))

    def realize_float64(self, data: Dataset) -> np.ndarray:
        """The flat float64 vector (derived values rounded to float64)."""
        layout = self.architecture.layout
        return layout.flatten({b.name: self.rules[b.name].float64(b.shape, data) for b in layout.blocks})

    def realize_mp(self, data: Dataset) -> list:
        """The flat vector rebuilt at the current mpmath precision."""
        out: list = []
        for b in self.architecture.layout.blocks:
            vals = self.rules[b.name].mp(b.shape, data)
            if len(vals) != b.size:
                raise InvalidArgument(f"rule for {b.name} produced {len(vals)} values, expected {b.size}")
            out.extend(vals)
        return out

    def blocks_float64(self, data: Dataset) -> dict[str, np.ndarray]:
        return self.architecture.layout.unflatten(self.realize_float64(data))

    def to_dict(self, data: Dataset) -> dict:
        """The point in the theory's terms: each block's rule and its float64 value."""
        values = self.blocks_float64(data)
        return {name: {**self.rules[name].to_dict(), "float64": values[name].tolist()}
                for name in self.architecture.layout.names}
