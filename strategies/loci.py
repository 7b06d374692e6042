"""Points on Cooper's star and core loci, built constructively (never by filtering).

Star locus (Cooper §3.1.1, eq. 3.1; catalogue ``cooper.def.star-core``), for a nonempty
index set ``I = {i_1 < … < i_k}`` of hidden layers:

    S_I = { W_i = 0 (i ∈ I);  b_{i_1} = … = b_{ℓ−1} = 0;  W_ℓ = 0;  b_ℓ = ȳ },

every other weight and bias free.  ``S = ∪_i S_i`` is the star locus, ``C = ∪_{|I|=2} S_I``
the core locus, ``C_k = ∪_{|I|=k} S_I`` the k-core.  The index range is uncertain in the
paper: ``1 ≤ i ≤ ℓ−1`` (default, ``min_index=1``) or ``2 ≤ i ≤ ℓ−1`` (``min_index=2``).

Generalised loci (``cooper.thm3.1.generalised``): ``S_I^gen = {W_i = 0 (i ∈ I), W_ℓ = 0,
b_ℓ = ȳ}`` — no bias conditions, any smooth σ (σ(0) ≠ 0 allowed).  Also here: points with
``W_ℓ = 0`` only (Lemma 3.3), points moved off a locus by an exact dyadic amount, random
directions attached to instances.  The equal-width families of Cooper §6 are in
:mod:`critlocus.strategies.equal_width`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st

from critlocus.core.activations import Activation
from critlocus.core.architecture import Architecture
from critlocus.core.data import Dataset
from critlocus.core.errors import InvalidArgument
from critlocus.core.instance import Instance
from critlocus.core.losses import Loss, squared_error
from critlocus.core.network import Network, Problem
from critlocus.core.points import Given, MeanTarget, PointRecipe, Zero

from ._validation import check_integer, check_range
from .architectures import activations as activation_strategy
from .architectures import architectures
from .data import datasets
from .numbers import dyadic_arrays, dyadic_floats

__all__ = [
    "core_locus_instances",
    "defining_equations",
    "generalised_locus_instances",
    "generalised_locus_point",
    "last_layer_zero_instances",
    "locus_label",
    "star_locus_instances",
    "star_locus_point",
    "with_block_offset",
    "with_block_offset_ulps",
    "with_random_direction",
]


def locus_label(index_set: Sequence[int]) -> str:
    """``"S_{2,3}"`` for I = {2, 3}."""
    return "S_{" + ",".join(map(str, sorted(index_set))) + "}"


def star_locus_point(architecture: Architecture, index_set: Sequence[int],
                     free: dict[str, np.ndarray], *, min_index: int = 1) -> PointRecipe:
    """The point of ``S_I`` with the given values on the free blocks.

    Fixed blocks: ``W_i = 0`` (i ∈ I), ``b_k = 0`` for ``min I ≤ k ≤ ℓ−1``, ``W_ℓ = 0`` and
    ``b_ℓ = ȳ`` (a :class:`MeanTarget`, rebuilt at every precision).  ``free`` must give
    exactly the remaining blocks.
    """
    if not isinstance(architecture, Architecture):
        raise InvalidArgument(f"architecture must be an Architecture, got {architecture!r}")
    try:
        idx = sorted({check_integer("index", i) for i in index_set})
    except TypeError:
        raise InvalidArgument(f"index_set must be a collection of layer indices, got {index_set!r}") from None
    if not isinstance(free, dict):
        raise InvalidArgument(f"free must map block names to values, got {free!r}")
    ell = architecture.depth
    if not idx:
        raise InvalidArgument("the index set I of a star locus must be nonempty")
    if idx[0] < min_index or idx[-1] > ell - 1:
        raise InvalidArgument(
            f"index set {idx} must lie in {min_index}..{ell - 1} (hidden layers) for depth ℓ={ell}"
        )
    if not architecture.bias[-1]:
        raise InvalidArgument("star loci need an output bias b_ℓ (it sits at ȳ)")
    return _recipe(architecture, defining_equations(architecture, idx), free, locus_label(idx))


def star_locus_instances(*, min_depth: int = 3, max_depth: int = 6, max_width: int = 12,
                         max_inputs: int = 4, min_outputs: int = 1, max_outputs: int = 3,
                         min_data: int = 1, max_data: int = 8, min_index_set_size: int = 1,
                         max_index_set_size: int | None = None, min_index: int = 1,
                         activations: st.SearchStrategy[Activation] | None = None,
                         loss: Loss | None = None, parameter_bound: float = 1.5,
                         parameter_bits: int = 8, generic: bool = False) -> st.SearchStrategy[Instance]:
    """Instances ``(network, L2 loss, data, p ∈ S_I)`` with ``|I|`` in the given range.

    Architectures have depth ``ℓ ∈ [min_depth, max_depth]`` (raised if needed so that ``|I|``
    hidden layers exist), hidden widths ≤ ``max_width``; data sets have ``d`` distinct inputs;
    activations default to the smooth ones with ``σ(0) = 0`` (Cooper §2); free parameters
    are dyadic in ``[−parameter_bound, parameter_bound]``.

    ``generic=True`` steers draws away from the degenerate cases results "for generic data"
    exclude, constructively (draws are mapped, never filtered): ``d ≥ 2``, every output's
    targets non-constant (a drawn nonzero dyadic is added to ``y_2`` where ``y_1 = y_2 = …``)
    and every free weight matrix nonzero (a drawn nonzero entry replaces an all-zero matrix).

    >>> inst = star_locus_instances(max_depth=4, max_width=3).example()
    >>> inst.info["locus"]
    'star'
    """
    check_integer("min_index", min_index, minimum=1, maximum=2)
    check_integer("min_index_set_size", min_index_set_size, minimum=1)
    check_integer("min_depth", min_depth, minimum=1)
    check_integer("min_data", min_data, minimum=1)
    check_integer("max_data", max_data, minimum=1)
    check_range("min_data", min_data, "max_data", max_data)
    # the data and parameter grids, validated now rather than at the first draw (n_in = 1 is the
    # smallest input grid an architecture may draw)
    datasets(n_in=1, n_out=1, min_size=min_data, max_size=max_data)
    dyadic_arrays((1,), bound=parameter_bound, bits=parameter_bits)
    if activations is not None and not isinstance(activations, st.SearchStrategy):
        raise InvalidArgument(f"activations={activations!r} must be a strategy of activations, e.g. "
                              "strategies.activations(smooth=True, zero_at_zero=True)")
    if loss is not None and not isinstance(loss, Loss):
        from critlocus.core.losses import get_loss

        loss = get_loss(loss)
    if max_index_set_size is not None:
        check_integer("max_index_set_size", max_index_set_size, minimum=1)
        check_range("min_index_set_size", min_index_set_size, "max_index_set_size", max_index_set_size)
    # S_I needs |I| hidden indices in min_index..ℓ−1, i.e. ℓ ≥ |I| + min_index.
    need = min_index_set_size + min_index
    check_integer("max_depth", max_depth, minimum=need)
    min_depth = max(min_depth, need)
    check_range("min_depth", min_depth, "max_depth", max_depth)
    if not isinstance(generic, bool):
        raise InvalidArgument(f"generic={generic!r} must be True or False")
    if generic:
        check_integer("max_data", max_data, minimum=2)
        min_data = max(min_data, 2)
    acts = activations if activations is not None else activation_strategy(smooth=True, zero_at_zero=True)
    loss = squared_error() if loss is None else loss
    arch_strategy = architectures(min_depth=min_depth, max_depth=max_depth, max_width=max_width,
                                  max_inputs=max_inputs, min_outputs=min_outputs,
                                  max_outputs=max_outputs)
    nonzero = dyadic_floats(bound=parameter_bound, bits=parameter_bits).filter(lambda x: x != 0)

    @st.composite
    def build(draw):
        arch = draw(arch_strategy)
        hidden = list(range(min_index, arch.depth))
        top = len(hidden) if max_index_set_size is None else min(max_index_set_size, len(hidden))
        size = draw(st.integers(min_index_set_size, top))
        idx = sorted(draw(st.lists(st.sampled_from(hidden), min_size=size, max_size=size, unique=True)))
        fixed = set(defining_equations(arch, idx))
        free = {b.name: draw(dyadic_arrays(b.shape, bound=parameter_bound, bits=parameter_bits))
                for b in arch.layout.blocks if b.name not in fixed}
        data = draw(datasets(n_in=arch.n_in, n_out=arch.n_out, min_size=min_data, max_size=max_data))
        if generic:
            for name, values in free.items():
                if name.startswith("W_") and not values.any():
                    values = values.copy()
                    values.flat[0] = draw(nonzero)
                    free[name] = values
            Y = data.Y.copy()
            for o in range(Y.shape[1]):
                if np.all(Y[:, o] == Y[0, o]):
                    Y[1, o] += draw(nonzero)
            data = Dataset(data.X, Y)
        act = draw(acts)
        recipe = star_locus_point(arch, idx, free, min_index=min_index)
        problem = Problem(Network(arch, act), loss, data)
        kind = "core" if len(idx) >= 2 else "star"
        label = f"p ∈ {locus_label(idx)}" + (" ⊆ C" if len(idx) >= 2 else " ⊆ S")
        info = {"locus": kind, "index_set": idx, "k": len(idx),
                "reading": f"{min_index} ≤ i ≤ ℓ−1", "free_blocks": sorted(free)}
        return Instance(problem, recipe, label=label, info=info)

    return build()


def core_locus_instances(**kwargs) -> st.SearchStrategy[Instance]:
    """Instances on the core locus ``C = C_2``: :func:`star_locus_instances` with ``|I| ≥ 2``.

    Accepts the same keyword arguments; ``min_index_set_size`` defaults to 2 and must be ≥ 2.
    """
    kwargs.setdefault("min_index_set_size", 2)
    check_integer("min_index_set_size", kwargs["min_index_set_size"])
    if kwargs["min_index_set_size"] < 2:
        raise InvalidArgument(
            f"min_index_set_size={kwargs['min_index_set_size']!r}: core points need |I| ≥ 2"
        )
    return star_locus_instances(**kwargs)


def with_block_offset_ulps(instance: Instance, block: str, ulps: int) -> Instance:
    """The same instance with ``block`` replaced by its float64 value moved ``ulps`` units in
    the last place (``np.nextafter`` steps, per entry) — an exact, precision-independent point.

    Used to state near-miss variants such as "``b_ℓ = fl(ȳ) + 3 ulp`` is critical".
    """
    if not isinstance(instance, Instance):
        raise InvalidArgument(f"instance must be an Instance, got {type(instance).__name__}")
    if isinstance(ulps, bool) or not isinstance(ulps, int) or ulps == 0:
        raise InvalidArgument(f"ulps={ulps!r} must be a nonzero integer")
    layout = instance.problem.architecture.layout
    b = layout.block(block)
    values = instance.point.rules[block].float64(b.shape, instance.problem.data).copy()
    direction = math.inf if ulps > 0 else -math.inf
    for _ in range(abs(ulps)):
        values = np.nextafter(values, direction)
    rules = dict(instance.point.rules)
    old = instance.point.rules[block]
    symbol = "ȳ" if isinstance(old, MeanTarget) else ("0" if isinstance(old, Zero) else "value")
    rules[block] = Given(values, note=f"fl({symbol}) {'+' if ulps > 0 else '−'} {abs(ulps)} ulp")
    info = {**instance.info, "perturbed_block": block, "ulps": ulps}
    return Instance(instance.problem, PointRecipe(instance.point.architecture, rules),
                    label=f"{instance.label}, {block} moved {ulps:+d} ulp", info=info,
                    seed=instance.seed)


# --- the defining equations --------------------------------------------------------------


def defining_equations(architecture: Architecture, index_set: Sequence[int], *,
                       generalised: bool = False) -> dict[str, str]:
    """The equations cutting out ``S_I`` (or ``S_I^gen``): block name → ``"0"`` or ``"ȳ"``.

    ``S_I``: ``W_i = 0`` (i ∈ I), ``b_k = 0`` for ``min I ≤ k ≤ ℓ−1``, ``W_ℓ = 0``, ``b_ℓ = ȳ``.
    ``S_I^gen`` drops the bias equations.  Every other block is free.

    >>> defining_equations(Architecture((2, 3, 3, 1)), [2])
    {'W_2': '0', 'b_2': '0', 'W_3': '0', 'b_3': 'ȳ'}
    """
    ell = architecture.depth
    idx = sorted(set(index_set))
    eqs: dict[str, str] = {}
    for block in architecture.layout.blocks:
        k = block.layer
        if block.kind == "W" and (k in idx or k == ell):
            eqs[block.name] = "0"
        elif block.kind == "b" and k == ell:
            eqs[block.name] = "ȳ"
        elif block.kind == "b" and not generalised and idx and idx[0] <= k <= ell - 1:
            eqs[block.name] = "0"
    return eqs


def generalised_locus_point(architecture: Architecture, index_set: Sequence[int],
                            free: dict[str, np.ndarray]) -> PointRecipe:
    """The point of ``S_I^gen = {W_i = 0 (i ∈ I), W_ℓ = 0, b_ℓ = ȳ}`` with the given free blocks
    (every bias except ``b_ℓ`` is free)."""
    ell = architecture.depth
    idx = sorted(set(index_set))
    if not idx or idx[0] < 1 or idx[-1] > ell - 1:
        raise InvalidArgument(f"index set {idx} must be a nonempty subset of 1..{ell - 1} for depth ℓ={ell}")
    if not architecture.bias[-1]:
        raise InvalidArgument("generalised loci need an output bias b_ℓ (it sits at ȳ)")
    eqs = defining_equations(architecture, idx, generalised=True)
    return _recipe(architecture, eqs, free, locus_label(idx) + "^gen")


def _recipe(architecture: Architecture, eqs: dict[str, str], free: dict[str, np.ndarray],
            label: str) -> PointRecipe:
    rules = {name: (MeanTarget() if rhs == "ȳ" else Zero()) for name, rhs in eqs.items()}
    need = [b.name for b in architecture.layout.blocks if b.name not in rules]
    missing = [n for n in need if n not in free]
    extra = sorted(set(free) - set(need))
    if missing or extra:
        raise InvalidArgument(f"free blocks mismatch for {label}: missing {missing}, not free {extra}")
    rules.update({name: Given(values) for name, values in free.items()})
    return PointRecipe(architecture, rules)


def _draw_free(draw, arch: Architecture, fixed: set[str], bound: float, bits: int) -> dict[str, np.ndarray]:
    return {b.name: draw(dyadic_arrays(b.shape, bound=bound, bits=bits))
            for b in arch.layout.blocks if b.name not in fixed}


def _architectures_with_optional_biases(*, min_depth, max_depth, max_width, max_inputs, min_outputs,
                                        max_outputs, hidden_bias):
    base = architectures(min_depth=min_depth, max_depth=max_depth, max_width=max_width,
                         max_inputs=max_inputs, min_outputs=min_outputs, max_outputs=max_outputs)
    if hidden_bias is True:
        return base

    @st.composite
    def build(draw):
        arch = draw(base)
        n_hidden = arch.depth - 1
        flags = (draw(st.lists(st.booleans(), min_size=n_hidden, max_size=n_hidden))
                 if hidden_bias is None else [False] * n_hidden)
        return Architecture(arch.widths, bias=(*flags, True))

    return build()


def generalised_locus_instances(*, min_depth: int = 2, max_depth: int = 5, max_width: int = 8,
                                max_inputs: int = 3, min_outputs: int = 1, max_outputs: int = 3,
                                min_data: int = 1, max_data: int = 6, min_index_set_size: int = 1,
                                max_index_set_size: int | None = None,
                                hidden_bias: bool | None = None,
                                activations: st.SearchStrategy[Activation] | None = None,
                                loss: Loss | None = None, parameter_bound: float = 1.5,
                                parameter_bits: int = 8) -> st.SearchStrategy[Instance]:
    """Instances on the generalised loci ``S_I^gen = {W_i = 0 (i ∈ I), W_ℓ = 0, b_ℓ = ȳ}``.

    Depth ``ℓ ≥ 2``; ``I ⊆ {1..ℓ−1}`` with ``|I|`` in the given range; every hidden bias is free and,
    with ``hidden_bias=None`` (default), each hidden layer has a bias or not at random (``True``:
    all present, ``False``: none).  Activations default to *every* smooth one — σ(0) ≠ 0 allowed
    (the sigmoid).

    >>> inst = generalised_locus_instances(max_depth=3, max_width=2).example()
    >>> inst.info["locus"]
    'generalised'
    """
    check_integer("min_index_set_size", min_index_set_size, minimum=1)
    if max_index_set_size is not None:
        check_integer("max_index_set_size", max_index_set_size, minimum=1)
        check_range("min_index_set_size", min_index_set_size, "max_index_set_size", max_index_set_size)
    check_integer("min_depth", min_depth, minimum=2)
    check_integer("max_depth", max_depth, minimum=min_index_set_size + 1)
    min_depth = max(min_depth, min_index_set_size + 1)
    check_range("min_depth", min_depth, "max_depth", max_depth)
    if hidden_bias is not None and not isinstance(hidden_bias, bool):
        raise InvalidArgument(f"hidden_bias={hidden_bias!r} must be True, False or None (random)")
    acts = activations if activations is not None else activation_strategy(smooth=True)
    loss = squared_error() if loss is None else loss
    arch_strategy = _architectures_with_optional_biases(
        min_depth=min_depth, max_depth=max_depth, max_width=max_width, max_inputs=max_inputs,
        min_outputs=min_outputs, max_outputs=max_outputs, hidden_bias=hidden_bias)

    @st.composite
    def build(draw):
        arch = draw(arch_strategy)
        hidden = list(range(1, arch.depth))
        top = len(hidden) if max_index_set_size is None else min(max_index_set_size, len(hidden))
        size = draw(st.integers(min_index_set_size, top))
        idx = sorted(draw(st.lists(st.sampled_from(hidden), min_size=size, max_size=size, unique=True)))
        eqs = defining_equations(arch, idx, generalised=True)
        free = _draw_free(draw, arch, set(eqs), parameter_bound, parameter_bits)
        data = draw(datasets(n_in=arch.n_in, n_out=arch.n_out, min_size=min_data, max_size=max_data))
        problem = Problem(Network(arch, draw(acts)), loss, data)
        info = {"locus": "generalised", "index_set": idx, "k": len(idx), "free_blocks": sorted(free)}
        return Instance(problem, generalised_locus_point(arch, idx, free),
                        label=f"p ∈ {locus_label(idx)}^gen", info=info)

    return build()


def last_layer_zero_instances(*, min_depth: int = 2, max_depth: int = 5, max_width: int = 8,
                              max_inputs: int = 3, max_outputs: int = 3, min_data: int = 1,
                              max_data: int = 5,
                              activations: st.SearchStrategy[Activation] | None = None,
                              parameter_bound: float = 1.5, parameter_bits: int = 8
                              ) -> st.SearchStrategy[Instance]:
    """Points with ``W_ℓ = 0`` and every other block free (``b_ℓ`` included) — the setting of
    Cooper's Lemma 3.3.  Activations default to every smooth one.

    >>> inst = last_layer_zero_instances(max_depth=3, max_width=2).example()
    >>> inst.point.rules[f"W_{inst.problem.architecture.depth}"].label
    'zero'
    """
    check_integer("min_depth", min_depth, minimum=1)
    check_integer("max_depth", max_depth, minimum=1)
    check_range("min_depth", min_depth, "max_depth", max_depth)
    acts = activations if activations is not None else activation_strategy(smooth=True)
    arch_strategy = architectures(min_depth=min_depth, max_depth=max_depth, max_width=max_width,
                                  max_inputs=max_inputs, max_outputs=max_outputs)

    @st.composite
    def build(draw):
        arch = draw(arch_strategy)
        last = f"W_{arch.depth}"
        free = _draw_free(draw, arch, {last}, parameter_bound, parameter_bits)
        rules = {last: Zero(), **{n: Given(v) for n, v in free.items()}}
        data = draw(datasets(n_in=arch.n_in, n_out=arch.n_out, min_size=min_data, max_size=max_data))
        problem = Problem(Network(arch, draw(acts)), squared_error(), data)
        return Instance(problem, PointRecipe(arch, rules), label=f"p with {last} = 0",
                        info={"locus": "last-layer-zero", "free_blocks": sorted(free)})

    return build()


# --- moving off a locus, directions --------------------------------------------------------


def with_block_offset(instance: Instance, block: str, delta: float, *,
                      entries: Sequence[int] | None = None) -> Instance:
    """The same instance with ``block`` moved by the exact amount ``delta`` (a dyadic rational,
    e.g. ``2**-10``) in the given flat ``entries`` (default: every entry).

    The moved block becomes free values ``fl(value) + δ``; for a block defined as ``ȳ`` the
    float64 ``fl(ȳ)`` is used, so pick δ far above one ulp (the point is then off the locus by
    ``δ`` up to that rounding, at every precision).

    >>> inst = star_locus_instances(max_depth=3, max_width=2).example()
    >>> moved = with_block_offset(inst, "W_3", 2.0**-6)
    >>> bool((moved.point.blocks_float64(moved.problem.data)["W_3"] == 2.0**-6).all())
    True
    """
    if isinstance(delta, bool) or not isinstance(delta, (int, float)) or not math.isfinite(delta) \
            or delta == 0:
        raise InvalidArgument(f"delta={delta!r} must be a nonzero finite number")
    mantissa, _ = math.frexp(float(delta))
    if (mantissa * 2**53) != int(mantissa * 2**53):
        raise InvalidArgument(f"delta={delta!r} must be a float64 number")
    layout = instance.problem.architecture.layout
    b = layout.block(block)
    values = instance.point.rules[block].float64(b.shape, instance.problem.data).copy().reshape(-1)
    chosen = range(b.size) if entries is None else list(entries)
    for e in chosen:
        if isinstance(e, bool) or not isinstance(e, (int, np.integer)) or not 0 <= e < b.size:
            raise InvalidArgument(f"entry {e!r} is not a flat index of {block} (size {b.size})")
        values[e] = values[e] + float(delta)
    rules = dict(instance.point.rules)
    old = instance.point.rules[block]
    symbol = "ȳ" if isinstance(old, MeanTarget) else ("0" if isinstance(old, Zero) else block)
    rules[block] = Given(values.reshape(b.shape), note=f"{symbol} + {delta!r}")
    info = {**instance.info, "offset_block": block, "offset": float(delta)}
    return Instance(instance.problem, PointRecipe(instance.point.architecture, rules),
                    label=f"{instance.label}, {block} moved by {delta!r}", info=info,
                    seed=instance.seed)


_SUPPORTS = ("escape", "all-but-last-weight", "all")


def _support_blocks(instance: Instance, support) -> list[str]:
    arch = instance.problem.architecture
    if callable(support):
        return list(support(instance))
    if support == "escape":
        idx = instance.info.get("index_set")
        if idx is None:
            raise InvalidArgument("support='escape' needs an instance on a locus S_I (info['index_set'])")
        return [f"W_{i}" for i in idx] + [f"W_{arch.depth}"]
    if support == "all-but-last-weight":
        return [n for n in arch.layout.names if n != f"W_{arch.depth}"]
    return list(arch.layout.names)


def with_random_direction(instances: st.SearchStrategy[Instance], *, support="all"
                          ) -> st.SearchStrategy[Instance]:
    """Attach a random direction ``v`` (``instance.info["direction"]``, a float64 list) to each
    instance: standard normal entries on the ``support`` blocks, 0 elsewhere.

    ``support``: ``"escape"`` (``W_i``, i ∈ I, and ``W_ℓ``: the directions of
    ``cooper.cor.core-higher-order-saddle``), ``"all-but-last-weight"`` (every block except
    ``W_ℓ``: Lemma 3.3), ``"all"`` or a callable ``instance -> block names``.  The direction
    comes from a drawn seed, so shrinking never makes it degenerate (e.g. zero).
    """
    if not isinstance(instances, st.SearchStrategy):
        raise InvalidArgument(f"instances must be a Hypothesis strategy, got {type(instances).__name__}")
    if not callable(support) and support not in _SUPPORTS:
        raise InvalidArgument(f"support={support!r} must be one of {_SUPPORTS} or a callable")

    def attach(pair):
        instance, seed = pair
        layout = instance.problem.architecture.layout
        rng = np.random.default_rng(seed)
        v = np.zeros(layout.size)
        for name in _support_blocks(instance, support):
            blk = layout.block(name)
            v[blk.slice] = rng.standard_normal(blk.size)
        info = {**instance.info, "direction": v.tolist(), "direction_seed": seed,
                "direction_support": support if isinstance(support, str) else "custom"}
        return Instance(instance.problem, instance.point, label=instance.label, info=info,
                        seed=instance.seed)

    return st.tuples(instances, st.integers(0, 2**32 - 1)).map(attach)
