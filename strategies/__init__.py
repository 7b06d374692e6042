"""critlocus.strategies — Hypothesis strategies for architectures, data, locus points and
critical points found by search.

All strategies take keyword-only arguments, validated up front: a bad value raises
:class:`critlocus.core.errors.InvalidArgument` naming it.
"""

from .architectures import REGIMES, activations, architectures, regime_architectures, regime_of
from .critical import CRITICAL_KINDS, critical_point_instances
from .data import datasets, generic_arrays, realizable_datasets, realizable_targets
from .equal_width import (
    equal_width_architecture,
    equal_width_core_instance,
    equal_width_core_instances,
    equal_width_global_minimum_instance,
    equal_width_locus_instance,
)
from .flows import (
    attracting_subspace_flows,
    core_locus_flows,
    degenerate_attracting_flows,
    star_locus_target,
)
from .functions import (
    lifts,
    local_nonglobal_minima,
    network_jets,
    piecewise_landscapes,
    planted_critical_points,
    planted_local_geometry,
    rationals,
    saddles_with_linear_level_sets,
    separable_landscapes,
)
from .loci import (
    core_locus_instances,
    defining_equations,
    generalised_locus_instances,
    generalised_locus_point,
    last_layer_zero_instances,
    locus_label,
    star_locus_instances,
    star_locus_point,
    with_block_offset,
    with_block_offset_ulps,
    with_random_direction,
)
from .minima import (
    generic_point_instances,
    global_minimum_instances,
    global_minimum_point,
    interpolating_instances,
    interpolating_point,
    locus_critical_instances,
    slice_instances,
    slice_minimum_point,
)
from .numbers import dyadic_arrays, dyadic_floats

__all__ = [
    "CRITICAL_KINDS",
    "REGIMES",
    "activations",
    "architectures",
    "attracting_subspace_flows",
    "core_locus_flows",
    "core_locus_instances",
    "critical_point_instances",
    "datasets",
    "defining_equations",
    "degenerate_attracting_flows",
    "dyadic_arrays",
    "dyadic_floats",
    "equal_width_architecture",
    "equal_width_core_instance",
    "equal_width_core_instances",
    "equal_width_global_minimum_instance",
    "equal_width_locus_instance",
    "generalised_locus_instances",
    "generalised_locus_point",
    "generic_arrays",
    "generic_point_instances",
    "global_minimum_instances",
    "global_minimum_point",
    "interpolating_instances",
    "interpolating_point",
    "last_layer_zero_instances",
    "lifts",
    "local_nonglobal_minima",
    "locus_critical_instances",
    "locus_label",
    "network_jets",
    "piecewise_landscapes",
    "planted_critical_points",
    "planted_local_geometry",
    "rationals",
    "realizable_datasets",
    "realizable_targets",
    "regime_architectures",
    "regime_of",
    "saddles_with_linear_level_sets",
    "separable_landscapes",
    "slice_instances",
    "slice_minimum_point",
    "star_locus_instances",
    "star_locus_point",
    "star_locus_target",
    "with_block_offset",
    "with_block_offset_ulps",
    "with_random_direction",
]
