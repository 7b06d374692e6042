"""critlocus.strategies — Hypothesis strategies for architectures, data and locus points.

All strategies take keyword-only arguments, validated up front: a bad value raises
:class:`critlocus.core.errors.InvalidArgument` naming it.
"""

from .architectures import activations, architectures
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
    "activations",
    "architectures",
    "core_locus_instances",
    "datasets",
    "dyadic_arrays",
    "dyadic_floats",
    "locus_label",
    "star_locus_instances",
    "star_locus_point",
    "with_block_offset_ulps",
]
