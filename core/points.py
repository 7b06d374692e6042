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

__all__ = ["BlockRule", "Derived", "Given", "MeanTarget", "PointRecipe", "Tabulated", "Zero",
           "block_rule_from_dict", "block_rule_names", "register_block_rule"]

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
    def from_dict(cls, architecture: Architecture, blocks: Mapping[str, Mapping]) -> PointRecipe:
        """Rebuild a point from :meth:`to_dict`'s record (every block's rule)."""
        if not isinstance(blocks, Mapping):
            raise InvalidArgument(f"a point record maps block names to rules, got {blocks!r}")
        return cls(architecture, {name: block_rule_from_dict(rec) for name, rec in blocks.items()})
