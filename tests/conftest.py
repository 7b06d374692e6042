"""Test configuration: one BLAS/torch thread per process, Hypothesis profiles.

The default profile is ``ci`` (100 instances per spec); select another with
``HYPOTHESIS_PROFILE=dev`` (quick) or ``HYPOTHESIS_PROFILE=thorough`` (deep search).
"""

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
             "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")

from critlocus.profiles import load_profile  # noqa: E402

load_profile()
