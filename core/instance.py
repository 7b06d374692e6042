"""An instance: one point of one loss landscape, described in the theory's own terms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .evaluation import PointEvaluation
from .network import Problem
from .points import PointRecipe

__all__ = ["Instance", "LandscapeInstance", "instance_from_dict"]


class LandscapeInstance:
    """What the runner and the claims need from an instance, whatever the landscape.

    Subclasses provide ``label``, ``info``, ``seed``, :meth:`evaluation` (an object with the
    :class:`PointEvaluation` interface: ``gradient_decision(precision)``,
    ``inertia(precision)``, ``loss(precision)``, …), :meth:`to_dict`, ``n_params`` and
    :attr:`landscape` (one line naming the landscape in reports).  :class:`Instance` is the
    network case; :class:`critlocus.core.explicit.FunctionInstance` is an explicit function.
    """

    label: str
    info: Mapping[str, Any]
    seed: int

    def evaluation(self):
        raise NotImplementedError

    def to_dict(self) -> dict:
        raise NotImplementedError

    @property
    def landscape(self) -> str:
        return type(self).__name__


@dataclass(frozen=True, eq=False)
class Instance(LandscapeInstance):
    """A :class:`Problem` (architecture, activation, loss, data) and a point construction.

    ``label`` names the point in the theory's terms (e.g. ``"p ∈ S_{2,3}"``) and ``info``
    carries what a claim may need about how it was built (e.g. the index set I).
    """

    problem: Problem
    point: PointRecipe
    label: str = "point"
    info: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0

    def __post_init__(self) -> None:
        from .errors import InvalidArgument

        if not isinstance(self.problem, Problem):
            raise InvalidArgument(f"problem must be a Problem(network, loss, data), got {self.problem!r}")
        if not isinstance(self.point, PointRecipe):
            raise InvalidArgument(f"point must be a PointRecipe, got {self.point!r}")
        if not isinstance(self.label, str):
            raise InvalidArgument(f"label must be a string, got {self.label!r}")
        if self.point.architecture != self.problem.architecture:
            raise InvalidArgument(
                f"point built for {self.point.architecture} but the problem has {self.problem.architecture}"
            )
        object.__setattr__(self, "_evaluation", None)

    def evaluation(self) -> PointEvaluation:
        """The cached :class:`PointEvaluation` of this instance (shared by all its checks)."""
        ev = object.__getattribute__(self, "_evaluation")
        if ev is None:
            ev = PointEvaluation(self.problem, self.point, seed=self.seed)
            object.__setattr__(self, "_evaluation", ev)
        return ev

    @property
    def n_params(self) -> int:
        return self.problem.n_params

    @property
    def landscape(self) -> str:
        return str(self.problem.architecture)

    @property
    def n_data(self) -> int:
        return self.problem.data.size

    @property
    def n_out(self) -> int:
        return self.problem.architecture.n_out

    def to_dict(self) -> dict:
        """The instance in the theory's terms; :meth:`from_dict` rebuilds it exactly."""
        return {
            "label": self.label,
            **self.problem.to_dict(),
            "point": self.point.to_dict(self.problem.data),
            "info": dict(self.info),
            "seed": self.seed,
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Instance:
        """Rebuild an instance from :meth:`to_dict`'s record (e.g. a report's counterexample).

        Data and given blocks are exact binary rationals, which JSON floats round-trip
        exactly; rules such as ``b_ℓ = ȳ`` are rebuilt as rules, so every precision tier
        re-derives them.  Block rules are rebuilt through
        :func:`critlocus.core.points.block_rule_from_dict` (a registry keyed by the record's
        ``"rule"``); activations and losses by name.
        """
        if not isinstance(record, Mapping):
            from .errors import InvalidArgument

            raise InvalidArgument(f"an instance record is a mapping, got {type(record).__name__}")
        problem = Problem.from_dict(dict(record))
        point = PointRecipe.from_dict(problem.architecture, record["point"], problem)
        return cls(problem, point, label=record.get("label", "point"), info=dict(record.get("info", {})),
                   seed=int(record.get("seed", 0)))

    def _repr_pretty_(self, printer, cycle) -> None:  # Hypothesis / IPython pretty-printing
        printer.text(repr(self))

    def __repr__(self) -> str:
        return (f"Instance({self.label}; {self.problem.architecture}; "
                f"{self.problem.network.activation.name}; {self.problem.loss.name}; d={self.n_data})")


def instance_from_dict(record: Mapping[str, Any]) -> LandscapeInstance:
    """Rebuild any instance from its ``to_dict()`` record: a gradient-flow instance (it has a
    ``box``), an explicit function (a ``function`` and no network), or a network
    :class:`Instance` (an ``architecture``)."""
    from .errors import InvalidArgument

    if not isinstance(record, Mapping):
        raise InvalidArgument(f"an instance record is a mapping, got {type(record).__name__}")
    if "box" in record and "target" in record:
        from .flow import FlowInstance

        return FlowInstance.from_dict(dict(record))
    if "function" in record and "architecture" not in record:
        from .explicit import FunctionInstance

        return FunctionInstance.from_dict(record)
    if "architecture" in record:
        return Instance.from_dict(record)
    raise InvalidArgument(f"not an instance record (no architecture, function or flow box): keys "
                          f"{sorted(record)}")
