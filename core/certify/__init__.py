"""Certified verdicts: ball arithmetic (Arb, via python-flint) whose answers are proofs.

Install with ``pip install -e ".[certify]"``.  critlocus works without it; then
:func:`available` is false and the certified tier is reported as unavailable.

- :class:`BallLandscape` — enclosures of ``L``, ``∇L`` and ``Hess L`` at a point rebuilt from
  its construction (:mod:`.landscape`, :mod:`.point`, :mod:`.jets`);
- :func:`certify_inertia` — certified inertia of an enclosed symmetric matrix: exact deflation,
  congruence with float64 (refined) eigenvectors, Sylvester + Weyl + Ostrowski, exact rank
  (:mod:`.inertia`);
- :func:`point_certificate`, :func:`certified_inertia_decision`,
  :func:`certified_gradient_decision`, :func:`high_precision_inertia` — what
  :class:`critlocus.core.evaluation.PointEvaluation` calls (:mod:`.tier`).
"""

from __future__ import annotations

import importlib.util

from ..errors import CritlocusError

__all__ = [
    "BallLandscape",
    "InertiaCertificate",
    "PointCertificate",
    "available",
    "certified_eigenvalues_equal",
    "certified_gradient_decision",
    "certified_inertia_decision",
    "certify_inertia",
    "exact_inertia",
    "fast_tier_enabled",
    "high_precision_gradient",
    "high_precision_inertia",
    "point_certificate",
    "register_arb_jet",
    "require",
]

_LAZY = {
    "BallLandscape": ".landscape",
    "InertiaCertificate": ".inertia",
    "certify_inertia": ".inertia",
    "exact_inertia": ".inertia",
    "PointCertificate": ".tier",
    "certified_eigenvalues_equal": ".tier",
    "certified_gradient_decision": ".tier",
    "certified_inertia_decision": ".tier",
    "high_precision_gradient": ".tier",
    "high_precision_inertia": ".tier",
    "point_certificate": ".tier",
    "register_arb_jet": ".jets",
}


def available() -> bool:
    """Whether python-flint is installed (the certified tier can run)."""
    return importlib.util.find_spec("flint") is not None


def require() -> None:
    """Raise a clear error when python-flint is missing."""
    if not available():
        raise CritlocusError("certified verdicts need python-flint: pip install -e \".[certify]\"")


def fast_tier_enabled() -> bool:
    """Whether mpmath tiers try Arb first (``CRITLOCUS_ARB_TIER=0`` turns it off)."""
    import os

    return os.environ.get("CRITLOCUS_ARB_TIER", "1").lower() not in ("0", "false", "no", "off")


def __getattr__(name: str):
    if name in _LAZY:
        require()
        import importlib

        module = importlib.import_module(_LAZY[name], __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
