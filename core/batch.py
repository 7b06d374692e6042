"""Run many evaluations through any ``concurrent.futures.Executor``.

Parallelism in critlocus comes from processes (one BLAS/torch thread each, see
:mod:`critlocus.core.runtime`).  :func:`evaluate_batch` maps a picklable function over items
with a process pool by default, or with any executor you pass (a thread pool, a Dask
``distributed`` client's executor, …).  A failing item never stops the others: its
exception is captured in its :class:`BatchResult`.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from .runtime import limit_threads

__all__ = ["BatchResult", "default_executor", "evaluate_batch"]


@dataclass
class BatchResult:
    """The result of one item: ``value`` when ``ok``, else ``error`` (type, message, traceback)."""

    index: int
    ok: bool
    value: Any = None
    error: str | None = None
    traceback: str | None = None


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
    try:
        futures = {ex.submit(_call, fn, item): i for i, item in enumerate(items)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                ok, value, err, tb = fut.result()
            except Exception as exc:  # the worker itself died
                ok, value, err, tb = False, None, f"{type(exc).__name__}: {exc}", traceback.format_exc()
            res = BatchResult(i, ok, value, err, tb)
            results[i] = res
            if on_result is not None:
                on_result(res)
    finally:
        if own:
            ex.shutdown(wait=True, cancel_futures=True)
    return [r for r in results if r is not None]
