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

# One BLAS thread per process: set before numpy/torch load, so it reaches OpenBLAS/MKL too;
# torch's own threads are limited the moment torch is imported.  CRITLOCUS_THREADS overrides;
# see core/runtime.py.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
             "NUMEXPR_NUM_THREADS"):
    _os.environ.setdefault(_var, _os.environ.get("CRITLOCUS_THREADS", "1"))

from critlocus.core.runtime import limit_threads as _limit_threads  # noqa: E402  (imports no numerics)

_limit_threads()

__version__ = "0.1.0"

# The public names load on first use (PEP 562): ``import critlocus`` costs milliseconds, so the
# command line refuses a bad argument or an unwritable path before torch, Hypothesis and scipy
# load (docs/errors.md).  ``from critlocus import Spec, claims, strategies`` works as before.
_LAZY = {
    "claims": None, "core": None, "strategies": None,  # subpackages
    "concrete_instance": "critlocus.concrete",
    "Architecture": "critlocus.core.architecture",
    "Dataset": "critlocus.core.data",
    "Instance": "critlocus.core.instance",
    **dict.fromkeys(("Network", "Problem"), "critlocus.core.network"),
    **dict.fromkeys(("Derived", "Given", "MeanTarget", "PointRecipe", "Zero"), "critlocus.core.points"),
    "Precision": "critlocus.core.precision",
    **dict.fromkeys(("FALSE", "TRUE", "UNDECIDED", "Outcome", "TierResult", "Verdict"),
                    "critlocus.core.verdict"),
    **dict.fromkeys(("SpecResult", "run_spec"), "critlocus.runner"),
    **dict.fromkeys(("Source", "Spec"), "critlocus.spec"),
}

__all__ = ["FALSE", "TRUE", "UNDECIDED", "Architecture", "Dataset", "Derived", "Given", "Instance",
           "MeanTarget", "Network", "Outcome", "PointRecipe", "Precision", "Problem", "Source", "Spec",
           "SpecResult", "TierResult", "Verdict", "Zero", "__version__", "claims", "concrete_instance",
           "core", "run_spec", "strategies"]


def __getattr__(name: str):
    import importlib
    import importlib.util

    if name in _LAZY:
        where = _LAZY[name]
        value = importlib.import_module(f"critlocus.{name}") if where is None else \
            getattr(importlib.import_module(where), name)
        globals()[name] = value  # later lookups are plain attribute reads
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"critlocus.{name}") is not None:
        return importlib.import_module(f"critlocus.{name}")  # any submodule, as an attribute
    raise AttributeError(f"module 'critlocus' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
