"""Hypothesis profiles: ``dev`` (quick), ``ci`` (the CI default) and ``thorough`` (deep search).

All use ``deadline=None`` (high-precision escalation makes some examples slow by design).
Select one with ``HYPOTHESIS_PROFILE=ci`` or ``--hypothesis-profile=ci`` under pytest; the
CLI's ``--examples`` overrides the count.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILES = {"dev": 20, "ci": 100, "thorough": 1000}


def register_profiles() -> None:
    for name, n in PROFILES.items():
        settings.register_profile(name, max_examples=n, deadline=None, database=None,
                                  suppress_health_check=[HealthCheck.too_slow,
                                                         HealthCheck.data_too_large])


def load_profile(name: str | None = None) -> str:
    """Load ``name`` (default ``$HYPOTHESIS_PROFILE`` or ``dev``) and return it."""
    register_profiles()
    name = name or os.environ.get("HYPOTHESIS_PROFILE", "dev")
    settings.load_profile(name)
    return name
