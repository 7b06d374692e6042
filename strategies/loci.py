"""Points on Cooper's star and core loci, built constructively (never by filtering).

Star locus (Cooper §3.1.1, eq. 3.1; catalogue ``cooper.def.star-core``), for a nonempty
index set ``I = {i_1 < … < i_k}`` of hidden layers:

    S_I = { W_i = 0 (i ∈ I);  b_{i_1} = … = b_{ℓ−1} = 0;  W_ℓ = 0;  b_ℓ = ȳ },

every other weight and bias free.  ``S = ∪_i S_i`` is the star locus, ``C = ∪_{|I|=2} S_I``
the core locus, ``C_k = ∪_{|I|=k} S_I`` the k-core.  The index range is uncertain in the
paper: ``1 ≤ i ≤ ℓ−1`` (default, ``min_index=1``) or ``2 ≤ i ≤ ℓ−1`` (``min_index=2``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st

from critlocus.core.activations import Activation
from critlocus.core.architecture import Architecture
from critlocus.core.errors import InvalidArgument
from critlocus.core.instance import Instance
from critlocus.core.losses import Loss, squared_error
from critlocus.core.network import Network, Problem
from critlocus.core.points import Given, MeanTarget, PointRecipe, Zero

from ._validation import check_integer, check_range
from .architectures import activations as activation_strategy
from .architectures import architectures
from .data import datasets
from .numbers import dyadic_arrays

__all__ = [
    "core_locus_instances",
    "locus_label",
    "star_locus_instances",
    "star_locus_point",
    "with_block_offset_ulps",
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
    rules = {}
    for block in architecture.layout.blocks:
        k = block.layer
        if block.kind == "W" and (k in idx or k == ell):
            rules[block.name] = Zero()
        elif block.kind == "b" and k == ell:
            rules[block.name] = MeanTarget()
        elif block.kind == "b" and idx[0] <= k <= ell - 1:
            rules[block.name] = Zero()
    missing = [b.name for b in architecture.layout.blocks if b.name not in rules and b.name not in free]
    extra = sorted(set(free) - {b.name for b in architecture.layout.blocks if b.name not in rules})
    if missing or extra:
        raise InvalidArgument(f"free blocks mismatch for {locus_label(idx)}: missing {missing}, "
                              f"not free {extra}")
    for name, values in free.items():
        rules[name] = Given(values)
    return PointRecipe(architecture, rules)


def star_locus_instances(*, min_depth: int = 3, max_depth: int = 6, max_width: int = 12,
                         max_inputs: int = 4, min_outputs: int = 1, max_outputs: int = 3,
                         min_data: int = 1, max_data: int = 8, min_index_set_size: int = 1,
                         max_index_set_size: int | None = None, min_index: int = 1,
                         activations: st.SearchStrategy[Activation] | None = None,
                         loss: Loss | None = None, parameter_bound: float = 1.5,
                         parameter_bits: int = 8) -> st.SearchStrategy[Instance]:
    """Instances ``(network, L2 loss, data, p ∈ S_I)`` with ``|I|`` in the given range.

    Architectures have depth ``ℓ ∈ [min_depth, max_depth]`` (raised if needed so that ``|I|``
    hidden layers exist), hidden widths ≤ ``max_width``; data sets have ``d`` distinct inputs;
    activations default to the smooth ones with ``σ(0) = 0`` (Cooper §2); free parameters
    are dyadic in ``[−parameter_bound, parameter_bound]``.

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
    acts = activations if activations is not None else activation_strategy(smooth=True, zero_at_zero=True)
    loss = squared_error() if loss is None else loss
    arch_strategy = architectures(min_depth=min_depth, max_depth=max_depth, max_width=max_width,
                                  max_inputs=max_inputs, min_outputs=min_outputs,
                                  max_outputs=max_outputs)

    @st.composite
    def build(draw):
        arch = draw(arch_strategy)
        hidden = list(range(min_index, arch.depth))
        top = len(hidden) if max_index_set_size is None else min(max_index_set_size, len(hidden))
        size = draw(st.integers(min_index_set_size, top))
        idx = sorted(draw(st.lists(st.sampled_from(hidden), min_size=size, max_size=size, unique=True)))
        fixed = _fixed_blocks(arch, idx)
        free = {b.name: draw(dyadic_arrays(b.shape, bound=parameter_bound, bits=parameter_bits))
                for b in arch.layout.blocks if b.name not in fixed}
        data = draw(datasets(n_in=arch.n_in, n_out=arch.n_out, min_size=min_data, max_size=max_data))
        act = draw(acts)
        recipe = star_locus_point(arch, idx, free, min_index=min_index)
        problem = Problem(Network(arch, act), loss, data)
        kind = "core" if len(idx) >= 2 else "star"
        label = f"p ∈ {locus_label(idx)}" + (" ⊆ C" if len(idx) >= 2 else " ⊆ S")
        info = {"locus": kind, "index_set": idx, "k": len(idx),
                "reading": f"{min_index} ≤ i ≤ ℓ−1", "free_blocks": sorted(free)}
        return Instance(problem, recipe, label=label, info=info)

    return build()


def _fixed_blocks(arch: Architecture, idx: Sequence[int]) -> set[str]:
    ell = arch.depth
    fixed = {f"W_{i}" for i in idx} | {f"W_{ell}", f"b_{ell}"}
    fixed |= {f"b_{k}" for k in range(idx[0], ell) if arch.bias[k - 1]}
    return fixed


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
