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
from typing import Any

import mpmath
import numpy as np

from .architecture import Architecture
from .data import Dataset
from .errors import InvalidArgument

__all__ = ["BlockRule", "Derived", "Given", "MeanTarget", "PointRecipe", "PolishedCriticalPoint", "Zero"]


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


@dataclass(frozen=True, eq=False)
class PolishedCriticalPoint(PointRecipe):
    """A critical point found by search, rebuilt at every precision by polishing its start.

    The construction is the float64 start ``θ₀`` (exact binary rationals) and the method:
    at each mpmath precision the point is Newton-MR polished from ``θ₀`` to ``∇L = 0`` decided
    at that precision (:func:`critlocus.core.critical.polish_critical_point`, cached per
    ``dps``); the float64 tier sees that point rounded, ``fl(θ*)``, as it sees ``fl(ȳ)`` for a
    star point.  Each block's rule is a :class:`Given` holding the start, so the layout checks
    and a reader see ``θ₀``; :meth:`to_dict` carries the start exactly and the method.

    Build one with :meth:`from_start`; ``found_by`` records how the start was found (JSON-able).
    """

    problem: Any = field(repr=False)  # critlocus.core.network.Problem (import cycle otherwise)
    start: np.ndarray = field(repr=False)
    found_by: Mapping[str, Any] = field(default_factory=dict, repr=False)
    method: str = "newton-mr"
    float64_digits: int = 30  # the precision whose polished point the float64 tier rounds
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    label = "polished_critical_point"

    def __post_init__(self) -> None:
        super().__post_init__()
        start = np.array(self.start, dtype=np.float64)
        if start.shape != (self.architecture.n_params,) or not np.all(np.isfinite(start)):
            raise InvalidArgument(f"start must be a finite vector of length {self.architecture.n_params}, "
                                  f"got shape {start.shape}")
        if self.problem.architecture != self.architecture:
            raise InvalidArgument(f"start built for {self.architecture} but the problem has "
                                  f"{self.problem.architecture}")
        if self.method != "newton-mr":
            raise InvalidArgument(f"method={self.method!r}: only 'newton-mr' polishing is implemented")
        start.setflags(write=False)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "found_by", dict(self.found_by))

    @classmethod
    def from_start(cls, problem, start, *, found_by: Mapping[str, Any] | None = None
                   ) -> PolishedCriticalPoint:
        """The polished critical point of ``problem`` (a :class:`~critlocus.core.network.Problem`)
        from the float64 vector ``start``."""
        arch = problem.architecture
        start = np.asarray(start, dtype=np.float64)
        if start.shape != (arch.n_params,):
            raise InvalidArgument(f"start must have length {arch.n_params}, got shape {start.shape}")
        blocks = arch.layout.unflatten(start)
        rules = {name: Given(values, note="float64 start of the Newton-MR polish")
                 for name, values in blocks.items()}
        return cls(arch, rules, problem, np.asarray(start, dtype=np.float64), dict(found_by or {}))

    def _check_data(self, data: Dataset) -> None:
        if data is not self.problem.data and not (
                np.array_equal(data.X, self.problem.data.X) and np.array_equal(data.Y, self.problem.data.Y)):
            raise InvalidArgument("a polished critical point is a point of its own problem: realise it with "
                                  "that problem's data")

    def basis(self):
        """The float64 pseudo-inverse data shared by every precision (computed once)."""
        from .critical import PolishBasis

        if "basis" not in self._cache:
            self._cache["basis"] = PolishBasis.at(self.problem, self.start)
        return self._cache["basis"]

    def polish(self, digits: int | None = None):
        """The :class:`~critlocus.core.critical.PolishResult` at ``digits`` (default: the current
        mpmath precision), computed once per ``dps``."""
        from .critical import polish_critical_point
        from .precision import Precision

        dps = int(mpmath.mp.dps) if digits is None else int(digits)
        if dps not in self._cache:
            with mpmath.workdps(dps):
                precision = Precision("mpmath", float(dps), int(mpmath.mp.prec))
                self._cache[dps] = polish_critical_point(self.problem, self.start, precision,
                                                         basis=self.basis())
        return self._cache[dps]

    def realize_mp(self, data: Dataset) -> list:
        """The point polished at the current mpmath precision (the last iterate if the polish
        failed: its gradient is then decided nonzero, and ``polish().reason`` says why)."""
        self._check_data(data)
        return [+x for x in self.polish().theta]  # unary + rounds to the working precision

    def realize_float64(self, data: Dataset) -> np.ndarray:
        """``fl(θ*)`` of the point polished at ``float64_digits`` (the start if that failed)."""
        self._check_data(data)
        result = self.polish(self.float64_digits)
        if not result.converged:
            return self.start.copy()
        return np.array([float(x) for x in result.theta], dtype=np.float64)

    def to_dict(self, data: Dataset) -> dict:
        """Per block: the rule, the start ``θ₀`` (exact float64 values) and ``fl(θ*)``; the first
        block also carries the construction (method, precisions polished, how it was found)."""
        layout = self.architecture.layout
        values = layout.unflatten(self.realize_float64(data))
        start = layout.unflatten(self.start)
        out = {}
        for i, name in enumerate(layout.names):
            out[name] = {"rule": self.label, "note": "critical point, Newton-MR polished from the start",
                         "start": start[name].tolist(), "float64": values[name].tolist()}
            if i == 0:
                out[name]["construction"] = self.construction()
        return out

    def construction(self) -> dict:
        """How this point is built: the method, the polishes done so far, how the start was found."""
        polishes = {f"mpmath-{k}": v.to_dict() for k, v in sorted(
            ((k, v) for k, v in self._cache.items() if isinstance(k, int)), key=lambda kv: kv[0])}
        return {"method": self.method, "float64_digits": self.float64_digits,
                "start": self.start.tolist(), "found_by": dict(self.found_by), "polishes": polishes}

    @classmethod
    def from_dict(cls, point: Mapping[str, Any], problem) -> PolishedCriticalPoint:
        """Rebuild from :meth:`to_dict`'s output and the instance's problem."""
        layout = problem.architecture.layout
        try:
            start = np.concatenate([np.asarray(point[b.name]["start"], dtype=np.float64).reshape(-1)
                                    for b in layout.blocks])
            first = point[layout.names[0]].get("construction", {})
        except (KeyError, TypeError, AttributeError) as exc:
            raise InvalidArgument(f"not a polished critical point's dict: missing {exc}") from None
        return cls.from_start(problem, start, found_by=first.get("found_by"))
