"""Run many evaluations through any ``concurrent.futures.Executor``.

Parallelism in critlocus comes from processes (one BLAS/torch thread each, see
:mod:`critlocus.core.runtime`).  :func:`evaluate_batch` maps a picklable function over items
with a process pool by default, or with any executor you pass (a thread pool, a Dask
``distributed`` client's executor, critlocus's own warm
:class:`~critlocus.execution.WorkerPool` with per-task timeouts, …).  A failing item never
stops the others: its exception is captured in its :class:`BatchResult`, whose ``status``
says how it ended (``ok``, ``error``, or ``timeout`` when the executor gave up on it with a
:class:`TimeoutError`).  A ``KeyboardInterrupt`` cancels what has not started and
propagates; the results that arrived before it were already passed to ``on_result``.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import CancelledError, Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from .runtime import limit_threads

__all__ = ["BatchResult", "default_executor", "evaluate_batch"]


@dataclass
class BatchResult:
    """The result of one item: ``value`` when ``ok``, else ``error`` (type, message, traceback).

    ``status`` is ``"ok"``, ``"error"`` (the item raised, or its worker died) or ``"timeout"``.
    """

    index: int
    ok: bool
    value: Any = None
    error: str | None = None
    traceback: str | None = None
    status: str = ""

    def __post_init__(self) -> None:
        if not self.status:
            self.status = "ok" if self.ok else "error"


def _worker_init() -> None:
    limit_threads()


def default_executor(max_workers: int | None = None) -> Executor:
    """A process pool (spawned workers, one thread each)."""
    ctx = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=ctx, initializer=_worker_init)


def _call(fn: Callable, item: Any) -> tuple[bool, Any, str | None, str | None]:
    try:
        return True, fn(item), None, None
    except Exception as exc:  # captured per item: one bad item never stops the batch
        return False, None, f"{type(exc).__name__}: {exc}", traceback.format_exc()


def evaluate_batch(fn: Callable[[Any], Any], items: Iterable[Any], *,
                   executor: Executor | None = None, max_workers: int | None = None,
                   on_result: Callable[[BatchResult], None] | None = None) -> list[BatchResult]:
    """Evaluate ``fn(item)`` for every item, in parallel; results in input order.

    ``fn`` and the items must be picklable for a process pool.  ``on_result`` is called as
    each result arrives (for progress reporting).
    """
    items = list(items)
    own = executor is None
    ex = default_executor(max_workers) if own else executor
    results: list[BatchResult | None] = [None] * len(items)
    futures: dict = {}
    interrupted = False
    try:
        futures = {ex.submit(_call, fn, item): i for i, item in enumerate(items)}
        for fut in as_completed(futures):
            i = futures[fut]
            status = ""
            try:
                ok, value, err, tb = fut.result()
            except BaseException as exc:  # the executor gave up on it, or its worker died
                if not isinstance(exc, Exception) and not isinstance(exc, CancelledError):
                    raise
                status = "timeout" if isinstance(exc, TimeoutError) else "error"
                ok, value, err, tb = False, None, f"{type(exc).__name__}: {exc}", traceback.format_exc()
            res = BatchResult(i, ok, value, err, tb, status)
            results[i] = res
            if on_result is not None:
                on_result(res)
    except BaseException:
        interrupted = True
        for fut in futures:
            fut.cancel()
        raise
    finally:
        if own:
            ex.shutdown(wait=not interrupted, cancel_futures=True)
    return [r for r in results if r is not None]
