"""Strategies for architectures and activations."""

from __future__ import annotations

from hypothesis import strategies as st

from critlocus.core.activations import Activation, activations_with, get_activation
from critlocus.core.architecture import Architecture
from critlocus.core.errors import InvalidArgument

from ._validation import check_integer, check_range

__all__ = ["activations", "architectures"]


def architectures(*, min_depth: int = 3, max_depth: int = 6, min_width: int = 1, max_width: int = 12,
                  min_inputs: int = 1, max_inputs: int = 4, min_outputs: int = 1, max_outputs: int = 3,
                  bias: bool = True) -> st.SearchStrategy[Architecture]:
    """Fully connected architectures ``(n_0, n_1, …, n_ℓ)`` with ``min_depth ≤ ℓ ≤ max_depth``.

    Hidden widths lie in ``[min_width, max_width]``, ``n_0`` in ``[min_inputs, max_inputs]`` and
    ``n_ℓ`` in ``[min_outputs, max_outputs]``; ``bias`` gives every layer a bias.  Shrinks toward
    shallow, narrow networks.

    >>> arch = architectures(min_depth=3, max_depth=3, max_width=4).example()
    >>> arch.depth
    3
    """
    check_integer("min_depth", min_depth, minimum=1)
    check_integer("max_depth", max_depth, minimum=1)
    check_range("min_depth", min_depth, "max_depth", max_depth)
    for name, lo, hi in (("width", min_width, max_width), ("inputs", min_inputs, max_inputs),
                         ("outputs", min_outputs, max_outputs)):
        check_integer(f"min_{name}", lo, minimum=1)
        check_integer(f"max_{name}", hi, minimum=1)
        check_range(f"min_{name}", lo, f"max_{name}", hi)
    if not isinstance(bias, bool):
        raise InvalidArgument(f"bias={bias!r} must be True or False")

    @st.composite
    def build(draw):
        depth = draw(st.integers(min_depth, max_depth))
        n_in = draw(st.integers(min_inputs, max_inputs))
        hidden = draw(st.lists(st.integers(min_width, max_width), min_size=depth - 1,
                               max_size=depth - 1))
        n_out = draw(st.integers(min_outputs, max_outputs))
        return Architecture((n_in, *hidden, n_out), bias=(bias,) * depth)

    return build()


def activations(*names: str | Activation, **properties: bool) -> st.SearchStrategy[Activation]:
    """Registered activations with the given properties, e.g. ``smooth=True, zero_at_zero=True``;
    with ``names``, those activations, each required to have the properties.

    Properties: ``smooth``, ``analytic``, ``zero_at_zero``, ``strictly_increasing``, ``bounded``.

    ``activations("tanh", "relu", smooth=True)`` raises :class:`InvalidArgument`: "activation
    'relu' lacks smooth=True, which this strategy requires; …".
    """
    choices = activations_with(**properties)
    if names:
        chosen = [get_activation(n) for n in names]
        for act in chosen:
            lacking = {k: v for k, v in properties.items() if getattr(act, k) != v}
            if lacking:
                want = ", ".join(f"{k}={v}" for k, v in lacking.items())
                raise InvalidArgument(
                    f"activation {act.name!r} lacks {want}, which this strategy requires; activations "
                    f"with {properties}: {', '.join(a.name for a in choices) or 'none'}")
        return st.sampled_from(chosen)
    if not choices:
        raise InvalidArgument(f"no registered activation has the properties {properties}; registered: "
                              + "; ".join(f"{a.name} {a.properties()}" for a in activations_with()))
    return st.sampled_from(choices)
