"""critlocus.strategies — Hypothesis strategies for architectures, data and locus points.

All strategies take keyword-only arguments, validated up front: a bad value raises
:class:`critlocus.core.errors.InvalidArgument` naming it.
"""

from .architectures import activations, architectures
from .data import datasets
from .loci import (
    core_locus_instances,
    defining_equations,
    equal_width_architecture,
    equal_width_core_instance,
    equal_width_core_instances,
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
from .numbers import dyadic_arrays, dyadic_floats

__all__ = [
    "activations",
    "architectures",
    "core_locus_instances",
    "datasets",
    "defining_equations",
    "dyadic_arrays",
    "dyadic_floats",
    "equal_width_architecture",
    "equal_width_core_instance",
    "equal_width_core_instances",
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
