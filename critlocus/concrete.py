"""One concrete instance, stated by hand: architecture, activation, data and a point by blocks.

For a regression example, a worked example of a paper, or a counterexample someone sent
you::

    import critlocus

    EXAMPLE = critlocus.concrete_instance(
        widths=(1, 2, 2, 1), activation="tanh",
        X=[[0.5], [-1.0]], Y=[[1.0], [0.25]],
        point={"W_1": [[0.5], [1.0]], "b_1": [0, 0], "W_2": "zero", "b_2": "zero",
               "W_3": "zero", "b_3": "mean_target"},
        label="p ∈ S_{2}",
    )

    SPEC = critlocus.Spec(id="mine.example", source="my notes", statement="…",
                          examples=[EXAMPLE], claim=critlocus.claims.is_critical())

Numbers are taken as float64 (exact binary rationals; write ``0.1`` only if you mean
``fl(0.1)``).  A block is given as

- ``"zero"`` (or the number ``0``): exactly zero;
- ``"mean_target"``: the output bias at ``ȳ = (1/d) Σ_j y_j``, rebuilt at every precision;
- an array (nested lists) of the block's shape: free coordinates with those values;
- any :class:`~critlocus.core.points.BlockRule` (e.g. ``critlocus.Derived(...)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from critlocus.core.activations import Activation, get_activation
from critlocus.core.architecture import Architecture
from critlocus.core.data import Dataset
from critlocus.core.errors import InvalidArgument
from critlocus.core.instance import Instance
from critlocus.core.losses import Loss, get_loss
from critlocus.core.network import Network, Problem
from critlocus.core.points import BlockRule, Given, MeanTarget, PointRecipe, Zero

__all__ = ["concrete_instance"]

_NAMED = {"zero": Zero, "mean_target": MeanTarget}


def _block_rule(name: str, value: Any, shape: tuple[int, ...]) -> BlockRule:
    if isinstance(value, BlockRule):
        return value
    if isinstance(value, str):
        try:
            return _NAMED[value]()
        except KeyError:
            raise InvalidArgument(f"block {name}: unknown rule {value!r}; use one of "
                                  f"{sorted(_NAMED)}, an array of shape {shape} or a BlockRule") from None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
        return Zero()
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgument(f"block {name}: {value!r} is not an array of numbers") from None
    if arr.size == int(np.prod(shape)) and arr.shape != shape and arr.ndim <= 1 and len(shape) == 1:
        arr = arr.reshape(shape)
    if arr.shape != shape:
        raise InvalidArgument(f"block {name} has shape {shape}; the values given have shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidArgument(f"block {name}: values must be finite")
    return Given(arr, note="given")


def concrete_instance(*, widths: Sequence[int], activation: str | Activation, X, Y,
                      point: Mapping[str, Any], loss: str | Loss = "squared_error",
                      bias: bool | Sequence[bool] = True, label: str = "given point",
                      info: Mapping[str, Any] | None = None, seed: int = 0) -> Instance:
    """The instance ``(network, loss, data, point)`` stated block by block.

    - ``widths``: ``(n_0, …, n_ℓ)``; ``bias``: one bool for every layer, or one per layer;
    - ``activation``: a registered activation's name (``critlocus.core.activation_names()``)
      or an :class:`~critlocus.core.activations.Activation`;
    - ``X`` (``d × n_0``) and ``Y`` (``d × n_ℓ``): the data, one row per point;
    - ``point``: every parameter block ``W_k``/``b_k`` by name (see the module docstring);
    - ``loss``: a loss name (``"squared_error"``, …) or a :class:`~critlocus.core.losses.Loss`;
    - ``label``/``info``: the point in the theory's terms (e.g. ``"p ∈ S_{2}"``), and any
      facts a claim may read (``instance.info``); ``seed`` seeds randomized numerics.

    Every argument is validated; a missing or misshapen block raises
    :class:`~critlocus.core.errors.InvalidArgument` naming it.

    >>> inst = concrete_instance(widths=(1, 1, 1), activation="tanh", X=[[1.0]], Y=[[2.0]],
    ...                          point={"W_1": [[1.0]], "b_1": [0.0], "W_2": "zero",
    ...                                 "b_2": "mean_target"})
    >>> inst.n_params
    4
    """
    depth = len(tuple(widths)) - 1
    bias_t = (bias,) * depth if isinstance(bias, bool) else tuple(bias)
    arch = Architecture(tuple(widths), bias_t)
    act = get_activation(activation)
    data = Dataset(X, Y)
    problem = Problem(Network(arch, act), get_loss(loss), data)
    if not isinstance(point, Mapping):
        raise InvalidArgument(f"point must map block names to values, got {type(point).__name__}")
    names = list(arch.layout.names)
    missing = [n for n in names if n not in point]
    extra = sorted(set(point) - set(names))
    if missing or extra:
        raise InvalidArgument(f"point must give every block of {arch}: {names}; missing {missing}, "
                              f"unknown {extra}")
    rules = {n: _block_rule(n, point[n], arch.layout.block(n).shape) for n in names}
    if not isinstance(label, str):
        raise InvalidArgument(f"label must be a string, got {label!r}")
    return Instance(problem, PointRecipe(arch, rules), label=label, info=dict(info or {}), seed=seed)
