"""critlocus — property-based theorem checking for neural-network loss landscapes.

Public API for spec authors (everything a spec file needs; spec files import only
``critlocus``)::

    from critlocus import Spec, Source, claims, strategies, concrete_instance

- :class:`Spec`, :class:`Source` — the declarative spec format (:mod:`critlocus.spec`);
- :mod:`critlocus.claims` — claims decided up the precision ladder;
- :mod:`critlocus.strategies` — Hypothesis strategies for architectures, data, locus points;
- :func:`concrete_instance` — one instance stated by hand (architecture, activation, data,
  the point by named blocks), e.g. for ``Spec(examples=[...])``;
- the building blocks of instances: :class:`Instance`, :class:`Architecture`,
  :class:`Dataset`, :class:`Network`, :class:`Problem`, :class:`PointRecipe` and the block
  rules :class:`Zero`, :class:`Given`, :class:`MeanTarget`, :class:`Derived`; results of a
  check: :class:`Verdict`, :class:`TierResult` (with its statuses :data:`TRUE`, :data:`FALSE`,
  :data:`UNDECIDED`, for ``claims.custom``), :class:`Outcome`, :class:`Precision`;
- :func:`run_spec` — check one spec programmatically;
- :mod:`critlocus.core` — the numerics (networks, float64/mpmath evaluation, spectra).
"""

import os as _os

# One BLAS thread per process: set before numpy/torch load (importing critlocus.core loads
# them), so it reaches OpenBLAS/MKL too.  CRITLOCUS_THREADS overrides; see core/runtime.py.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
             "NUMEXPR_NUM_THREADS"):
    _os.environ.setdefault(_var, _os.environ.get("CRITLOCUS_THREADS", "1"))

from critlocus.core.runtime import limit_threads as _limit_threads  # noqa: E402

_limit_threads()

from critlocus import claims, core, strategies  # noqa: E402
from critlocus.concrete import concrete_instance  # noqa: E402
from critlocus.core.architecture import Architecture  # noqa: E402
from critlocus.core.data import Dataset  # noqa: E402
from critlocus.core.instance import Instance  # noqa: E402
from critlocus.core.network import Network, Problem  # noqa: E402
from critlocus.core.points import Derived, Given, MeanTarget, PointRecipe, Zero  # noqa: E402
from critlocus.core.precision import Precision  # noqa: E402
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, Outcome, TierResult, Verdict  # noqa: E402
from critlocus.runner import SpecResult, run_spec  # noqa: E402
from critlocus.spec import Source, Spec  # noqa: E402

__version__ = "0.1.0"

__all__ = ["FALSE", "TRUE", "UNDECIDED", "Architecture", "Dataset", "Derived", "Given", "Instance",
           "MeanTarget", "Network", "Outcome", "PointRecipe", "Precision", "Problem", "Source", "Spec",
           "SpecResult", "TierResult", "Verdict", "Zero", "__version__", "claims", "concrete_instance",
           "core", "run_spec", "strategies"]
