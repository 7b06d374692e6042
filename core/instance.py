"""An instance: one point of one loss landscape, described in the theory's own terms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .evaluation import PointEvaluation
from .network import Problem
from .points import PointRecipe

__all__ = ["Instance", "LandscapeInstance"]


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
        return {
            "label": self.label,
            **self.problem.to_dict(),
            "point": self.point.to_dict(self.problem.data),
            "info": dict(self.info),
        }

    def _repr_pretty_(self, printer, cycle) -> None:  # Hypothesis / IPython pretty-printing
        printer.text(repr(self))

    def __repr__(self) -> str:
        return (f"Instance({self.label}; {self.problem.architecture}; "
                f"{self.problem.network.activation.name}; {self.problem.loss.name}; d={self.n_data})")
