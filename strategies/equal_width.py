"""Cooper §6: networks of equal hidden width w with one output, and points on their loci.

``widths = (n_0, w, …, w, 1)``, so ``N = (ℓ−2)w² + (n_0+ℓ)w + 1``.  Points are built
deterministically from a seed (for the explicit grids of the §6 specs) or drawn
(:func:`equal_width_core_instances`): star points ``S_i``, core points ``S_I`` (``|I| ≥ 2``) and
global minima (``M``, minimum-norm interpolating last layer rebuilt at every precision).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st

from critlocus.core.architecture import Architecture
from critlocus.core.data import Dataset
from critlocus.core.errors import InvalidArgument
from critlocus.core.instance import Instance
from critlocus.core.losses import squared_error
from critlocus.core.network import Network, Problem

from ._validation import check_integer
from .loci import defining_equations, locus_label, star_locus_point

__all__ = [
    "equal_width_architecture",
    "equal_width_core_instance",
    "equal_width_core_instances",
    "equal_width_global_minimum_instance",
    "equal_width_locus_instance",
]


def equal_width_architecture(width: int, depth: int, *, n_in: int = 1, n_out: int = 1) -> Architecture:
    """Widths ``(n_0, w, …, w, n_ℓ)`` with ``ℓ − 1`` hidden layers of width w (Cooper §6).

    >>> equal_width_architecture(4, 3, n_in=2).widths
    (2, 4, 4, 1)
    """
    check_integer("width", width, minimum=1)
    check_integer("depth", depth, minimum=2)
    check_integer("n_in", n_in, minimum=1)
    check_integer("n_out", n_out, minimum=1)
    return Architecture((n_in, *([width] * (depth - 1)), n_out))


def equal_width_locus_instance(width: int, depth: int, *, index_set: Sequence[int], n_in: int = 1,
                               n_data: int = 3, activation: str = "tanh", seed: int = 0, bits: int = 8
                               ) -> Instance:
    """One point of ``S_I`` for the equal-width network (Cooper §6), built deterministically from
    ``seed``: data ``n_data`` distinct dyadic inputs and targets, free parameters dyadic with
    ``bits`` bits in [−1, 1].  ``|I| = 1`` gives a star point, ``|I| ≥ 2`` a core point.

    >>> equal_width_locus_instance(3, 4, index_set=[3]).label
    'p ∈ S_{3} ⊆ S'
    """
    check_integer("depth", depth, minimum=2)
    check_integer("n_data", n_data, minimum=1)
    check_integer("seed", seed, minimum=0)
    arch = equal_width_architecture(width, depth, n_in=n_in)
    idx = sorted(set(index_set))
    if not idx or idx[0] < 1 or idx[-1] > depth - 1:
        raise InvalidArgument(f"index_set={index_set!r} must be a nonempty subset of 1..{depth - 1}")
    rng = np.random.default_rng(seed)
    scale = 2.0**bits

    def dyadic(shape):
        return np.round(rng.uniform(-1, 1, size=shape) * scale) / scale

    eqs = defining_equations(arch, idx)
    free = {b.name: dyadic(b.shape) for b in arch.layout.blocks if b.name not in eqs}
    X = np.arange(n_data, dtype=float)[:, None] / n_data + dyadic((n_data, n_in)) / 64  # distinct
    Y = dyadic((n_data, 1))
    problem = Problem(Network(arch, activation), squared_error(), Dataset(X, Y))
    kind = "core" if len(idx) >= 2 else "star"
    info = {"locus": kind, "index_set": idx, "k": len(idx), "width": width, "depth": depth,
            "reading": "1 ≤ i ≤ ℓ−1", "free_blocks": sorted(free), "family": "equal-width"}
    label = f"p ∈ {locus_label(idx)} ⊆ {'C' if kind == 'core' else 'S'}"
    return Instance(problem, star_locus_point(arch, idx, free), label=label, info=info, seed=seed)


def equal_width_core_instance(width: int, depth: int, *, n_in: int = 1, n_data: int = 3,
                              index_set: Sequence[int] | None = None, activation: str = "tanh",
                              seed: int = 0, bits: int = 8) -> Instance:
    """One core point of the equal-width network (:func:`equal_width_locus_instance` with
    ``|I| ≥ 2``; ``index_set`` defaults to ``{ℓ−2, ℓ−1}``, which needs ``ℓ ≥ 3``)."""
    check_integer("depth", depth, minimum=3)
    idx = sorted(index_set) if index_set is not None else [depth - 2, depth - 1]
    if len(idx) < 2:
        raise InvalidArgument(f"index_set={index_set!r}: a core point needs |I| ≥ 2")
    return equal_width_locus_instance(width, depth, index_set=idx, n_in=n_in, n_data=n_data,
                                      activation=activation, seed=seed, bits=bits)


def equal_width_global_minimum_instance(width: int, depth: int, *, n_in: int = 1, n_data: int = 3,
                                        activation: str = "tanh", seed: int = 0, bits: int = 8) -> Instance:
    """A global minimum (``L = 0``) of the equal-width network (Cooper §6): hidden layers dyadic from
    ``seed``, last layer the minimum-norm interpolating one rebuilt at every precision
    (:func:`critlocus.strategies.minima.global_minimum_point`; needs ``w + 1 ≥ d``).  Same data as
    :func:`equal_width_locus_instance` with the same seed."""
    from .minima import global_minimum_point

    check_integer("depth", depth, minimum=2)
    check_integer("n_data", n_data, minimum=1)
    check_integer("seed", seed, minimum=0)
    if width + 1 < n_data:
        raise InvalidArgument(f"width={width} + 1 < n_data={n_data}: the last layer cannot interpolate")
    template = equal_width_locus_instance(width, depth, index_set=[depth - 1], n_in=n_in, n_data=n_data,
                                          activation=activation, seed=seed, bits=bits)
    arch, problem = template.problem.architecture, template.problem
    rng = np.random.default_rng(seed + 1)
    scale = 2.0**bits
    last = {f"W_{depth}", f"b_{depth}"}
    hidden = {b.name: np.round(rng.uniform(-1, 1, size=b.shape) * scale) / scale
              for b in arch.layout.blocks if b.name not in last}
    info = {"locus": "M", "width": width, "depth": depth, "family": "equal-width",
            "free_blocks": sorted(hidden)}
    return Instance(problem, global_minimum_point(problem, hidden), label="p ∈ M (global minimum)",
                    info=info, seed=seed)


_EQUAL_WIDTH_LOCI = ("star", "core", "M")


def equal_width_core_instances(*, widths: Sequence[int], depths: Sequence[int], n_in: int = 1,
                               n_data: Sequence[int] = (2, 3, 4), activations: Sequence[str] = ("tanh",),
                               loci: Sequence[str] = ("core",)) -> st.SearchStrategy[Instance]:
    """Points of equal-width networks (Cooper §6) over a grid of widths and depths: core points
    (:func:`equal_width_core_instance`), star points (``"star"``) and global minima (``"M"``,
    :func:`equal_width_global_minimum_instance`, drawn with ``d ≤ w + 1``); index set, data size,
    activation and seed drawn.

    >>> inst = equal_width_core_instances(widths=[2, 4], depths=[3]).example()
    >>> inst.info["width"] in (2, 4)
    True
    """
    widths, depths, n_data, loci = list(widths), list(depths), list(n_data), list(loci)
    for name, values, lo in (("widths", widths, 1), ("depths", depths, 3), ("n_data", n_data, 1)):
        if not values:
            raise InvalidArgument(f"{name} must be a nonempty sequence")
        for v in values:
            check_integer(f"{name} entry", v, minimum=lo)
    if not loci or any(k not in _EQUAL_WIDTH_LOCI for k in loci):
        raise InvalidArgument(f"loci={loci!r} must be a nonempty subset of {_EQUAL_WIDTH_LOCI}")
    if loci == ["M"] and min(n_data) > max(widths) + 1:
        raise InvalidArgument(f"loci=['M'] needs some n_data ≤ width + 1, got n_data={n_data}, "
                              f"widths={widths}")

    @st.composite
    def build(draw):
        depth = draw(st.sampled_from(depths))
        width = draw(st.sampled_from(widths))
        kind = draw(st.sampled_from(loci))
        common = {"n_in": n_in, "activation": draw(st.sampled_from(list(activations))),
                  "seed": draw(st.integers(0, 2**16))}
        if kind == "M":
            fitting = [d for d in n_data if d <= width + 1] or [width + 1]
            return equal_width_global_minimum_instance(width, depth, n_data=draw(st.sampled_from(fitting)),
                                                       **common)
        size = 1 if kind == "star" else 2
        subsets = [list(c) for c in itertools.combinations(range(1, depth), size)]
        return equal_width_locus_instance(width, depth, index_set=draw(st.sampled_from(subsets)),
                                          n_data=draw(st.sampled_from(n_data)), **common)

    return build()
