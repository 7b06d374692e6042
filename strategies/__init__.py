"""critlocus.strategies — Hypothesis strategies for architectures, data and locus points.

All strategies take keyword-only arguments, validated up front: a bad value raises
:class:`critlocus.core.errors.InvalidArgument` naming it.
"""

from .architectures import REGIMES, activations, architectures, regime_architectures, regime_of
from .data import datasets, generic_arrays, realizable_datasets, realizable_targets
from .loci import (
    core_locus_instances,
    locus_label,
    star_locus_instances,
    star_locus_point,
    with_block_offset_ulps,
)
from .minima import (
    generic_point_instances,
    global_minimum_instances,
    global_minimum_point,
    interpolating_instances,
    interpolating_point,
    slice_instances,
    slice_minimum_point,
)
from .numbers import dyadic_arrays, dyadic_floats

__all__ = [
    "REGIMES",
    "activations",
    "architectures",
    "core_locus_instances",
    "datasets",
    "dyadic_arrays",
    "dyadic_floats",
    "generic_arrays",
    "generic_point_instances",
    "global_minimum_instances",
    "global_minimum_point",
    "interpolating_instances",
    "interpolating_point",
    "locus_label",
    "realizable_datasets",
    "realizable_targets",
    "regime_architectures",
    "regime_of",
    "slice_instances",
    "slice_minimum_point",
    "star_locus_instances",
    "star_locus_point",
    "with_block_offset_ulps",
]
