"""Test configuration: one BLAS/torch thread per process, Hypothesis profiles.

Importing :mod:`critlocus` first sets the thread variables before numpy and torch load.
The default profile is ``ci`` (100 instances per spec); select another with
``HYPOTHESIS_PROFILE=dev`` (quick) or ``HYPOTHESIS_PROFILE=thorough`` (deep search).
"""

import os

import critlocus  # noqa: F401  (one thread per process, before numpy/torch load)

os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")

from critlocus.profiles import load_profile

load_profile()
