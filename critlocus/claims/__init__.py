"""Claims: what a spec asserts about each instance, decided up the precision ladder.

Elementary claims map the numerics of :mod:`critlocus.core` to a per-tier answer
(``true`` / ``false`` / ``undecided`` plus evidence); :func:`critlocus.core.verdict.escalate`
turns those into a verdict.  Claims compose with :func:`all_of` (or ``&``); a new kind of
claim is a :class:`Claim` subclass implementing :meth:`Claim.tier`, or :func:`custom`.

Expected counts may be an ``int``, a bound (:func:`at_least`, :func:`at_most`) or a callable
``instance -> int | bound`` — e.g. ``zero=lambda inst: inst.n_params - inst.n_out``.

Modules: :mod:`.base` (protocol, bounds, conjunction), :mod:`.gradient`, :mod:`.hessian`,
:mod:`.rank`, :mod:`.taylor` (Taylor coefficients along directions), :mod:`.loci` (locus
constructions, inertia from formulas).
"""

from . import linear
from .base import Bound, Claim, all_of, at_least, at_most, custom, resolve_expected
from .gradient import is_critical
from .hessian import hessian_inertia, is_degenerate, is_nondegenerate, positive_eigenvalues_equal
from .loci import (
    FormulaCounts,
    hessian_inertia_formula,
    jacobian_rank,
    layer_values,
    locus_construction,
    locus_dimension_formula,
)
from .rank import matrix_rank
from .taylor import leading_taylor_order, output_derivatives_vanish, point_at

__all__ = [
    "Bound",
    "Claim",
    "FormulaCounts",
    "all_of",
    "at_least",
    "at_most",
    "custom",
    "hessian_inertia",
    "hessian_inertia_formula",
    "is_critical",
    "is_degenerate",
    "is_nondegenerate",
    "jacobian_rank",
    "layer_values",
    "leading_taylor_order",
    "linear",
    "locus_construction",
    "locus_dimension_formula",
    "matrix_rank",
    "output_derivatives_vanish",
    "point_at",
    "positive_eigenvalues_equal",
    "resolve_expected",
]
