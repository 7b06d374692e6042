"""Process-level runtime settings: one BLAS/torch thread per process.

Small autograd calls and ``eigh`` slow down 10–100× when several threads compete for two
cores, so critlocus runs one thread per process and gets parallelism from processes
(pytest-xdist workers, ``concurrent.futures`` executors).  Set ``CRITLOCUS_THREADS`` to
override.
"""

from __future__ import annotations

import os

__all__ = ["THREAD_VARIABLES", "limit_threads"]

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def limit_threads(n: int | None = None) -> int:
    """Set the BLAS thread variables (if unset) and torch's intra-op threads to ``n``.

    ``n`` defaults to ``$CRITLOCUS_THREADS`` or 1.  Environment variables only affect
    libraries loaded afterwards, so this is called before numpy/torch are imported by
    :mod:`critlocus` and again in every worker process.  Returns the thread count used.
    """
    if n is None:
        n = int(os.environ.get("CRITLOCUS_THREADS", "1"))
    for var in THREAD_VARIABLES:
        os.environ.setdefault(var, str(n))
    import torch

    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n
