"""Process-level runtime settings: one BLAS/torch thread per process.

Small autograd calls and ``eigh`` slow down 10–100× when several threads compete for two
cores, so critlocus runs one thread per process and gets parallelism from processes
(pytest-xdist workers, ``concurrent.futures`` executors).  Set ``CRITLOCUS_THREADS`` to
override.

Importing torch costs about a second, and a command that only refuses a bad argument must not
pay it, so :func:`limit_threads` never imports torch itself: it sets the BLAS variables (read
by numpy's and torch's BLAS when they load) and limits torch's intra-op threads either at once
(torch already loaded) or the moment torch is first imported (a one-shot import hook), before
any torch computation can run.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys

__all__ = ["THREAD_VARIABLES", "limit_threads", "thread_count"]

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def thread_count() -> int:
    """``$CRITLOCUS_THREADS`` or 1."""
    return int(os.environ.get("CRITLOCUS_THREADS", "1"))


def limit_threads(n: int | None = None) -> int:
    """Set the BLAS thread variables (if unset) and torch's intra-op threads to ``n``.

    ``n`` defaults to ``$CRITLOCUS_THREADS`` or 1.  Environment variables only affect
    libraries loaded afterwards, so this is called before numpy/torch are imported by
    :mod:`critlocus` and again in every worker process.  torch is limited now if it is loaded,
    else when it is first imported (:class:`_LimitTorchOnImport`).  Returns the thread count.
    """
    if n is None:
        n = thread_count()
    for var in THREAD_VARIABLES:
        os.environ.setdefault(var, str(n))
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "set_num_threads"):
        _set_torch_threads(torch, n)
    else:
        _LimitTorchOnImport.install(n)
    return n


def _set_torch_threads(torch, n: int) -> None:
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


class _LimitTorchOnImport(importlib.abc.MetaPathFinder):
    """A one-shot ``sys.meta_path`` finder: when ``torch`` is imported, the normal finders
    locate it, and right after its ``__init__`` has run (before the importer gets the module
    back) its intra-op threads are set to ``n``."""

    def __init__(self, n: int):
        self.n = n

    @classmethod
    def install(cls, n: int) -> None:
        for finder in sys.meta_path:
            if isinstance(finder, cls):
                finder.n = n
                return
        sys.meta_path.insert(0, cls(n))

    def find_spec(self, fullname, path, target=None):
        if fullname != "torch":
            return None
        sys.meta_path.remove(self)  # one shot; the normal finders locate torch below
        spec = importlib.util.find_spec(fullname)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        exec_module, n = loader.exec_module, self.n

        def exec_and_limit(module) -> None:
            exec_module(module)
            _set_torch_threads(module, n)

        loader.exec_module = exec_and_limit  # this loader instance serves torch/__init__ only
        return spec
