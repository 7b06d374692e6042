"""Networks ``f_p`` and loss-landscape problems ``(network, loss, data)``.

Forward pass (Cooper §2): ``a_0 = x``, ``h_k = W_k a_{k−1} + b_k``, ``a_k = σ(h_k)`` for
``k < ℓ``; the output ``f_p(x) = h_ℓ`` has no activation.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .activations import Activation, get_activation
from .architecture import Architecture
from .data import Dataset
from .errors import InvalidArgument
from .losses import Loss, get_loss

__all__ = ["Network", "Problem"]


@dataclass(frozen=True)
class Network:
    """A fully connected network: an :class:`Architecture` and an :class:`Activation`."""

    architecture: Architecture
    activation: Activation

    def __post_init__(self) -> None:
        if not isinstance(self.architecture, Architecture):
            raise InvalidArgument(f"architecture must be an Architecture, got {self.architecture!r}")
        object.__setattr__(self, "activation", get_activation(self.activation))

    def forward_torch(self, theta: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        """Outputs ``f_θ(x_j)`` as a ``(d, n_ℓ)`` tensor; ``theta`` is the flat vector."""
        arch = self.architecture
        blocks = {b.name: b for b in arch.layout.blocks}
        a = X
        for k in range(1, arch.depth + 1):
            wb = blocks[f"W_{k}"]
            h = a @ theta[wb.slice].reshape(wb.shape).T
            bb = blocks.get(f"b_{k}")
            if bb is not None:
                h = h + theta[bb.slice]
            a = self.activation.torch_fn(h) if k < arch.depth else h
        return a


@dataclass(frozen=True, eq=False)
class Problem:
    """A loss landscape ``L(p) = Σ_j loss(f_p(x_j), y_j)`` over the network's parameters."""

    network: Network
    loss: Loss
    data: Dataset

    def __post_init__(self) -> None:
        if not isinstance(self.network, Network):
            raise InvalidArgument(f"network must be a Network(architecture, activation), "
                                  f"got {self.network!r}")
        if not isinstance(self.data, Dataset):
            raise InvalidArgument(f"data must be a Dataset(X, Y), got {type(self.data).__name__}")
        object.__setattr__(self, "loss", get_loss(self.loss))
        arch = self.network.architecture
        if self.data.n_in != arch.n_in:
            raise InvalidArgument(
                f"data inputs have dimension {self.data.n_in} but the architecture's n_0 is {arch.n_in}"
            )
        if self.data.n_out != arch.n_out:
            raise InvalidArgument(
                f"data targets have dimension {self.data.n_out} but the architecture's n_ℓ is {arch.n_out}"
            )
        self.loss.weight_matrix(self.data.size, arch.n_out)  # validates the weights' shape

    @property
    def architecture(self) -> Architecture:
        return self.network.architecture

    @property
    def n_params(self) -> int:
        return self.network.architecture.n_params

    def to_dict(self) -> dict:
        act = self.network.activation
        return {
            "architecture": self.architecture.to_dict(),
            "activation": {"name": act.name, "formula": act.formula, **act.properties()},
            "loss": self.loss.to_dict(),
            "data": self.data.to_dict(),
        }

    @classmethod
    def from_dict(cls, record: dict) -> Problem:
        """Rebuild from :meth:`to_dict`: architecture, activation by name (a user's own
        activation must be registered first), loss by name and parameters, exact data."""
        from .losses import loss_from_dict

        for key in ("architecture", "activation", "loss", "data"):
            if key not in record:
                raise InvalidArgument(f"a problem record needs {key!r}; it has {sorted(record)}")
        act = record["activation"]
        name = act["name"] if isinstance(act, dict) else act
        return cls(Network(Architecture.from_dict(record["architecture"]), get_activation(name)),
                   loss_from_dict(record["loss"]), Dataset.from_dict(record["data"]))
