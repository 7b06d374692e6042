"""critlocus — property-based theorem checking for neural-network loss landscapes.

Public API for spec authors (everything a spec file needs)::

    from critlocus import Spec, Source, claims, strategies

- :class:`Spec`, :class:`Source` — the declarative spec format (:mod:`critlocus.spec`);
- :mod:`critlocus.claims` — claims decided up the precision ladder;
- :mod:`critlocus.strategies` — Hypothesis strategies for architectures, data, locus points;
- :func:`run_spec` — check one spec programmatically; :class:`Verdict`;
- :mod:`critlocus.core` — the numerics (networks, float64/mpmath evaluation, spectra).
"""

from critlocus.core.runtime import limit_threads as _limit_threads

_limit_threads()

from critlocus import claims, core, strategies  # noqa: E402
from critlocus.core.instance import Instance  # noqa: E402
from critlocus.core.verdict import Verdict  # noqa: E402
from critlocus.runner import SpecResult, run_spec  # noqa: E402
from critlocus.spec import Source, Spec  # noqa: E402

__version__ = "0.1.0"

__all__ = ["Instance", "Source", "Spec", "SpecResult", "Verdict", "__version__", "claims", "core",
           "run_spec", "strategies"]
