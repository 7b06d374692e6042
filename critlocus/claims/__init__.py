"""Claims: what a spec asserts about each instance, decided up the precision ladder.

Elementary claims map the numerics of :mod:`critlocus.core` to a per-tier answer
(``true`` / ``false`` / ``undecided`` plus evidence); :func:`critlocus.core.verdict.escalate`
turns those into a verdict.  Claims compose with :func:`all_of` (or ``&``); a new kind of
claim is a :class:`Claim` subclass implementing :meth:`Claim.tier`, or :func:`custom`.

Expected counts may be an ``int``, a bound (:func:`at_least`, :func:`at_most`) or a callable
``instance -> int | bound`` — e.g. ``zero=lambda inst: inst.n_params - inst.n_out``.

Modules: :mod:`.base` (protocol, bounds, conjunction), :mod:`.gradient`, :mod:`.hessian`,
:mod:`.rank`, :mod:`.slices` (slices over the hidden layers), :mod:`.level_sets` (claims at
critical points from the slice structure),
:mod:`.taylor` (Taylor coefficients along directions), :mod:`.loci` (locus
constructions, inertia from formulas), :mod:`.functions` (explicit landscapes, decided in exact
arithmetic), :mod:`.flow` (gradient flow: attracting loci, basin fractions).
"""

from . import linear
from .base import Bound, Claim, all_of, at_least, at_most, custom, resolve_expected
from .flow import (
    at_target,
    attracting,
    converges_from_everywhere,
    critical_on_target,
    descent_direction_at,
    limits_distinct,
    not_attracting,
    unique_critical_point,
)
from .functions import (
    by_landscape,
    critical_order,
    definitions_consistent,
    exact_claim,
    gradient_vanishes,
    landscape_implication,
    landscape_properties_equal,
    level_set_contains_lines,
    local_geometry,
    minimum_at_point,
    nonstrict_minima_not_isolated,
    on_source,
)
from .gradient import is_critical
from .hessian import hessian_inertia, is_degenerate, is_nondegenerate, positive_eigenvalues_equal
from .level_sets import (
    hessian_kernel_from_slice,
    hessian_vanishes_on_slice_kernel,
    not_a_local_maximum,
    output_bias_curvature,
    slice_zero_eigenvalues,
)
from .loci import (
    FormulaCounts,
    hessian_inertia_formula,
    jacobian_rank,
    layer_values,
    locus_construction,
    locus_dimension_formula,
    low_rank_inertia,
)
from .rank import matrix_rank
from .slices import (
    constant_on_slice_kernel,
    loss_decision,
    output_jacobian_source,
    point_parameters,
    segment_to_interpolation,
    slice_critical_points_interpolate,
    slice_form_rank,
    slice_ranks,
    slice_restriction_is_quadratic,
)
from .taylor import leading_taylor_order, output_derivatives_vanish, point_at, tier_status

__all__ = [
    "Bound",
    "Claim",
    "FormulaCounts",
    "all_of",
    "at_least",
    "at_most",
    "at_target",
    "attracting",
    "by_landscape",
    "constant_on_slice_kernel",
    "converges_from_everywhere",
    "critical_on_target",
    "critical_order",
    "custom",
    "definitions_consistent",
    "descent_direction_at",
    "exact_claim",
    "gradient_vanishes",
    "hessian_inertia",
    "hessian_inertia_formula",
    "hessian_kernel_from_slice",
    "hessian_vanishes_on_slice_kernel",
    "is_critical",
    "is_degenerate",
    "is_nondegenerate",
    "jacobian_rank",
    "landscape_implication",
    "landscape_properties_equal",
    "layer_values",
    "leading_taylor_order",
    "level_set_contains_lines",
    "limits_distinct",
    "linear",
    "local_geometry",
    "locus_construction",
    "locus_dimension_formula",
    "loss_decision",
    "low_rank_inertia",
    "matrix_rank",
    "minimum_at_point",
    "nonstrict_minima_not_isolated",
    "not_a_local_maximum",
    "not_attracting",
    "on_source",
    "output_bias_curvature",
    "output_derivatives_vanish",
    "output_jacobian_source",
    "point_at",
    "point_parameters",
    "positive_eigenvalues_equal",
    "resolve_expected",
    "segment_to_interpolation",
    "slice_critical_points_interpolate",
    "slice_form_rank",
    "slice_ranks",
    "slice_restriction_is_quadratic",
    "slice_zero_eigenvalues",
    "tier_status",
    "unique_critical_point",
]
