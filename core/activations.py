"""Activation functions as a registry with declared mathematical properties.

Each :class:`Activation` carries a torch implementation (float64 tier) and an mpmath
implementation returning the 2-jet ``(σ(x), σ'(x), σ''(x))`` (high-precision tier, which
needs σ' for the gradient and σ'' for exact Hessians).  Specs select activations by
property, e.g. ``activations_with(smooth=True, zero_at_zero=True)`` for Cooper's §2
hypotheses; ReLU is registered as non-smooth so such a selection excludes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import mpmath
import torch

from .errors import InvalidArgument

__all__ = [
    "PROPERTIES",
    "Activation",
    "activation_names",
    "activations_with",
    "get_activation",
    "register_activation",
]

PROPERTIES = ("smooth", "analytic", "zero_at_zero", "strictly_increasing", "bounded")

MpJet = Callable[[mpmath.mpf], tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]]


@dataclass(frozen=True)
class Activation:
    """A scalar activation σ with torch and mpmath implementations and its properties.

    ``mp_jet(x)`` returns ``(σ(x), σ'(x), σ''(x))`` at the current mpmath precision.
    Properties: ``smooth`` (C^∞), ``analytic``, ``zero_at_zero`` (σ(0) = 0),
    ``strictly_increasing`` and ``bounded``.
    """

    name: str
    formula: str
    torch_fn: Callable[[torch.Tensor], torch.Tensor] = field(repr=False, compare=False)
    mp_jet: MpJet = field(repr=False, compare=False)
    smooth: bool = True
    analytic: bool = True
    zero_at_zero: bool = True
    strictly_increasing: bool = True
    bounded: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidArgument(f"activation name must be a non-empty string, got {self.name!r}")
        if not callable(self.torch_fn) or not callable(self.mp_jet):
            raise InvalidArgument(f"activation {self.name!r} needs callables torch_fn(tensor) and "
                                  "mp_jet(x) -> (σ, σ', σ'')")
        for p in PROPERTIES:
            if not isinstance(getattr(self, p), bool):
                raise InvalidArgument(f"activation {self.name!r}: property {p}={getattr(self, p)!r} must be "
                                      "True or False")

    def properties(self) -> dict[str, bool]:
        return {p: getattr(self, p) for p in PROPERTIES}

    def mp(self, x: mpmath.mpf) -> mpmath.mpf:
        """σ(x) in mpmath."""
        return self.mp_jet(x)[0]


_REGISTRY: dict[str, Activation] = {}


def register_activation(activation: Activation, *, replace: bool = False) -> Activation:
    """Add ``activation`` to the registry (a user's own activation included)."""
    if not isinstance(activation, Activation):
        raise InvalidArgument(f"expected an Activation, got {type(activation).__name__}")
    if activation.name in _REGISTRY and not replace:
        raise InvalidArgument(
            f"activation {activation.name!r} is already registered; pass replace=True to override"
        )
    _REGISTRY[activation.name] = activation
    return activation


def get_activation(name: str | Activation) -> Activation:
    """The registered activation called ``name`` (an :class:`Activation` passes through)."""
    if isinstance(name, Activation):
        return name
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise InvalidArgument(
            f"unknown activation {name!r}; registered: {', '.join(sorted(_REGISTRY))}"
        ) from None


def activation_names() -> list[str]:
    return sorted(_REGISTRY)


def activations_with(**properties: bool) -> list[Activation]:
    """Registered activations having every given property value, sorted by name.

    >>> [a.name for a in activations_with(smooth=True, bounded=True, zero_at_zero=True)]
    ['arctan', 'tanh']
    """
    unknown = set(properties) - set(PROPERTIES)
    if unknown:
        raise InvalidArgument(
            f"unknown activation properties {sorted(unknown)}; known: {', '.join(PROPERTIES)}"
        )
    for key, value in properties.items():
        if not isinstance(value, bool):
            raise InvalidArgument(f"activation property {key}={value!r} must be True or False")
    return [
        a
        for _, a in sorted(_REGISTRY.items())
        if all(getattr(a, k) == v for k, v in properties.items())
    ]


# --- the built-in activations ------------------------------------------------------------


def _tanh_jet(x):
    t = mpmath.tanh(x)
    s = 1 - t * t
    return t, s, -2 * t * s


def _arctan_jet(x):
    q = 1 / (1 + x * x)
    return mpmath.atan(x), q, -2 * x * q * q


def _cubic_jet(x):
    return x + x**3, 1 + 3 * x * x, 6 * x


def _sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def _sigmoid_jet(x):
    s = _sigmoid(x)
    s1 = s * (1 - s)
    return s, s1, s1 * (1 - 2 * s)


def _silu_jet(x):
    s = _sigmoid(x)
    s1 = s * (1 - s)
    return x * s, s + x * s1, s1 * (2 + x * (1 - 2 * s))


def _identity_jet(x):
    return x, mpmath.mpf(1), mpmath.mpf(0)


def _relu_jet(x):
    if x == 0:
        raise InvalidArgument("ReLU is not differentiable at 0; exclude it with smooth=True")
    return (x, mpmath.mpf(1), mpmath.mpf(0)) if x > 0 else (mpmath.mpf(0),) * 3


for _act in (
    Activation("tanh", "σ(x) = tanh x", torch.tanh, _tanh_jet, bounded=True),
    Activation("arctan", "σ(x) = arctan x", torch.atan, _arctan_jet, bounded=True),
    Activation("cubic", "σ(x) = x + x³", lambda t: t + t**3, _cubic_jet),
    Activation(
        "silu",
        "σ(x) = x·sigmoid(x) (swish)",
        torch.nn.functional.silu,
        _silu_jet,
        strictly_increasing=False,
    ),
    Activation(
        "sigmoid", "σ(x) = 1/(1+e^(−x))", torch.sigmoid, _sigmoid_jet, zero_at_zero=False,
        bounded=True,
    ),
    Activation("identity", "σ(x) = x", lambda t: t, _identity_jet),
    Activation(
        "relu",
        "σ(x) = max(0, x)",
        torch.relu,
        _relu_jet,
        smooth=False,
        analytic=False,
        strictly_increasing=False,
    ),
):
    register_activation(_act)
del _act
