"""Claims: what a spec asserts about each instance, decided up the precision ladder.

Elementary claims map the numerics of :mod:`critlocus.core` to a per-tier answer
(``true`` / ``false`` / ``undecided`` plus evidence); :func:`critlocus.core.verdict.escalate`
turns those into a verdict.  Claims compose with :func:`all_of` (or ``&``); a new kind of
claim is a :class:`Claim` subclass implementing :meth:`Claim.tier`, or :func:`custom`.

Expected counts may be an ``int``, a bound (:func:`at_least`, :func:`at_most`) or a callable
``instance -> int | bound`` — e.g. ``zero=lambda inst: inst.n_params - inst.n_out``.

Modules: :mod:`.base` (protocol, bounds, conjunction), :mod:`.gradient`, :mod:`.hessian`,
:mod:`.rank`.
"""

from .base import Bound, Claim, all_of, at_least, at_most, custom, resolve_expected
from .gradient import is_critical
from .hessian import hessian_inertia, is_degenerate, is_nondegenerate, positive_eigenvalues_equal
from .rank import matrix_rank

__all__ = [
    "Bound",
    "Claim",
    "all_of",
    "at_least",
    "at_most",
    "custom",
    "hessian_inertia",
    "is_critical",
    "is_degenerate",
    "is_nondegenerate",
    "matrix_rank",
    "positive_eigenvalues_equal",
    "resolve_expected",
]
