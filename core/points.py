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

__all__ = ["BlockRule", "Derived", "Given", "MeanTarget", "PointRecipe", "PolishedCriticalPoint", "Tabulated",
           "Zero", "block_rule_from_dict", "block_rule_names", "register_block_rule", "register_point_kind"]

#: JSON rule name -> ``from_dict(record) -> BlockRule``; see :func:`register_block_rule`.
_RULES: dict[str, Callable[[dict], BlockRule]] = {}


def register_block_rule(name: str, from_dict: Callable[[dict], BlockRule] | None = None):
    """Register how a block rule is rebuilt from its JSON record (``to_dict()``).

    ``name`` is the ``"rule"`` entry of the rule's ``to_dict()``.  Usable as a class
    decorator (the class's ``from_dict`` classmethod is registered)::

        @register_block_rule("zero")
        class Zero(BlockRule): ...

    or as a call, ``register_block_rule("my_rule", MyRule.from_dict)``.  A new rule plugs
    into :func:`block_rule_from_dict` (and so into replay) without touching this module.
    """
    if not isinstance(name, str) or not name:
        raise InvalidArgument(f"a block rule name must be a non-empty string, got {name!r}")

    def register(obj):
        fn = from_dict if from_dict is not None else getattr(obj, "from_dict", None)
        if not callable(fn):
            raise InvalidArgument(f"block rule {name!r}: need a from_dict(record) callable")
        _RULES[name] = fn
        return obj

    if from_dict is not None:
        register(from_dict)
        return from_dict
    return register


#: point kinds defined as a whole (not block by block): rule name -> from_dict(blocks, problem)
_POINT_KINDS: dict[str, Callable[[Mapping, Any], PointRecipe]] = {}


def register_point_kind(name: str, from_dict: Callable[[Mapping, Any], PointRecipe]) -> None:
    """Register a point defined as a whole (every block's record has ``"rule": name``) and how
    :meth:`PointRecipe.from_dict` rebuilds it from the blocks' records and the problem."""
    if not isinstance(name, str) or not name or not callable(from_dict):
        raise InvalidArgument(f"register_point_kind needs a name and a from_dict callable, got {name!r}")
    _POINT_KINDS[name] = from_dict


def block_rule_names() -> list[str]:
    """The rule names :func:`block_rule_from_dict` can rebuild."""
    return sorted(_RULES)


def block_rule_from_dict(record: Mapping) -> BlockRule:
    """Rebuild a block rule from its JSON record, dispatching on ``record["rule"]``."""
    if not isinstance(record, Mapping) or "rule" not in record:
        raise InvalidArgument(f"a block rule record needs a 'rule' entry, got {record!r}")
    try:
        fn = _RULES[record["rule"]]
    except (KeyError, TypeError):
        raise InvalidArgument(f"unknown block rule {record['rule']!r}; known: "
                              f"{', '.join(block_rule_names())}") from None
    rule = fn(dict(record))
    if not isinstance(rule, BlockRule):
        raise InvalidArgument(f"rule {record['rule']!r} rebuilt {type(rule).__name__}, not a BlockRule")
    return rule


class BlockRule:
    """How one parameter block is defined.  Subclasses implement both precisions.

    ``to_dict()`` is the rule's JSON record (its ``"rule"`` entry names it); the matching
    ``from_dict(record)`` is registered with :func:`register_block_rule` so that reports can
    be replayed (:func:`block_rule_from_dict`).
    """

    label: str = "rule"

    def float64(self, shape: tuple[int, ...], data: Dataset) -> np.ndarray:
        raise NotImplementedError

    def mp(self, shape: tuple[int, ...], data: Dataset) -> list:
        raise NotImplementedError

    def to_dict(self) -> dict:
        return {"rule": self.label}

    def record(self, shape: tuple[int, ...], data: Dataset) -> dict:
        """The JSON record of this rule for a block of ``shape`` (default: :meth:`to_dict`);
        rules whose definition is code override it to record their values."""
        return self.to_dict()

    @classmethod
    def from_dict(cls, record: dict) -> BlockRule:
        return block_rule_from_dict(record)


@register_block_rule("zero")
@dataclass(frozen=True)
class Zero(BlockRule):
    """The block is exactly zero."""

    label = "zero"

    @classmethod
    def from_dict(cls, record: dict) -> Zero:
        return cls()

    def float64(self, shape, data):
        return np.zeros(shape)

    def mp(self, shape, data):
        return [mpmath.mpf(0)] * int(np.prod(shape))


@register_block_rule("given")
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

    @classmethod
    def from_dict(cls, record: dict) -> Given:
        """JSON floats round-trip exactly (shortest repr), so the values are the same binary
        rationals."""
        return cls(np.array(record["values"], dtype=np.float64), note=record.get("note", "free"))


@register_block_rule("mean_target")
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

    @classmethod
    def from_dict(cls, record: dict) -> MeanTarget:
        return cls()


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

    #: decimal digits at which a derived block's values are recorded in reports
    RECORD_DIGITS = 100

    def to_dict(self) -> dict:
        return {"rule": "derived", "description": self.description}

    def record(self, shape, data) -> dict:
        """The description and the values computed at :attr:`RECORD_DIGITS` digits (decimal
        strings): :class:`Tabulated` rebuilds the block from them for replay."""
        try:
            with mpmath.workdps(self.RECORD_DIGITS):
                values = self.mp(shape, data)
                text = [mpmath.nstr(mpmath.mpf(v), self.RECORD_DIGITS, strip_zeros=False)
                        for v in values]
        except Exception as exc:  # recorded without values: replay will say so
            return {**self.to_dict(), "unrecorded": f"{type(exc).__name__}: {exc}"}
        return {**self.to_dict(), "digits": self.RECORD_DIGITS, "values": text}


@register_block_rule("derived")
@register_block_rule("tabulated")
@dataclass(frozen=True, eq=False)
class Tabulated(BlockRule):
    """A block given by decimal values recorded to ``digits`` significant digits.

    This is how a :class:`Derived` block (user code) comes back from a report: its values
    were recorded at :attr:`Derived.RECORD_DIGITS` digits, so they are exact to that many
    digits at every precision up to it; asking for more digits raises.
    """

    values: tuple[str, ...]
    digits: int
    description: str = "tabulated"

    def __post_init__(self) -> None:
        vals = tuple(str(v) for v in self.values)
        for v in vals:
            try:
                mpmath.mpf(v)
            except (ValueError, TypeError):
                raise InvalidArgument(f"tabulated value {v!r} is not a decimal number") from None
        object.__setattr__(self, "values", vals)

    @property
    def label(self) -> str:  # type: ignore[override]
        return "tabulated"

    def _check(self, shape) -> None:
        if len(self.values) != int(np.prod(shape)):
            raise InvalidArgument(f"tabulated block has {len(self.values)} values, block needs {shape}")

    def float64(self, shape, data):
        self._check(shape)
        return np.array([float(mpmath.mpf(v)) for v in self.values]).reshape(shape)

    def mp(self, shape, data):
        self._check(shape)
        if mpmath.mp.dps > self.digits:
            from .errors import PrecisionError

            raise PrecisionError(f"block {self.description!r} was recorded to {self.digits} digits; "
                                 f"it cannot be rebuilt at {mpmath.mp.dps}")
        return [mpmath.mpf(v) for v in self.values]

    def to_dict(self) -> dict:
        return {"rule": "tabulated", "description": self.description, "digits": self.digits,
                "values": list(self.values)}

    @classmethod
    def from_dict(cls, record: dict) -> Tabulated:
        if "values" not in record or "digits" not in record:
            raise InvalidArgument(f"block rule {record.get('rule')!r} ({record.get('description', '')}) "
                                  "has no recorded values: it cannot be rebuilt from the report")
        return cls(tuple(record["values"]), int(record["digits"]),
                   record.get("description", "tabulated"))


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
        layout = self.architecture.layout
        return {name: {**self.rules[name].record(layout.block(name).shape, data),
                       "float64": values[name].tolist()}
                for name in layout.names}

    @classmethod
    def from_dict(cls, architecture: Architecture, blocks: Mapping[str, Mapping],
                  problem: Any = None) -> PointRecipe:
        """Rebuild a point from :meth:`to_dict`'s record: every block's rule, or — for a point
        defined as a whole (e.g. a :class:`PolishedCriticalPoint`, whose blocks' rule names a
        point kind registered with :func:`register_point_kind`) — that kind's ``from_dict``,
        which gets the instance's ``problem``."""
        if not isinstance(blocks, Mapping):
            raise InvalidArgument(f"a point record maps block names to rules, got {blocks!r}")
        kinds = {rec.get("rule") for rec in blocks.values() if isinstance(rec, Mapping)}
        whole = kinds & set(_POINT_KINDS)
        if whole:
            if problem is None:
                raise InvalidArgument(f"a {sorted(whole)[0]} point is rebuilt with its problem")
            return _POINT_KINDS[sorted(whole)[0]](blocks, problem)
        return cls(architecture, {name: block_rule_from_dict(rec) for name, rec in blocks.items()})


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


register_point_kind(PolishedCriticalPoint.label, PolishedCriticalPoint.from_dict)
