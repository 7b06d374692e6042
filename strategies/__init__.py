"""critlocus.strategies — Hypothesis strategies for architectures, data, locus points and
critical points found by search.

All strategies take keyword-only arguments, validated up front: a bad value raises
:class:`critlocus.core.errors.InvalidArgument` naming it.
"""

from .architectures import activations, architectures
from .critical import CRITICAL_KINDS, critical_point_instances
from .data import datasets
from .loci import (
    core_locus_instances,
    locus_label,
    star_locus_instances,
    star_locus_point,
    with_block_offset_ulps,
)
from .numbers import dyadic_arrays, dyadic_floats

__all__ = [
    "CRITICAL_KINDS",
    "activations",
    "architectures",
    "core_locus_instances",
    "critical_point_instances",
    "datasets",
    "dyadic_arrays",
    "dyadic_floats",
    "locus_label",
    "star_locus_instances",
    "star_locus_point",
    "with_block_offset_ulps",
]
