"""A warm pool of worker processes: per-task timeouts, worker replacement, clean interrupt.

:class:`WorkerPool` is a :class:`concurrent.futures.Executor` whose workers are spawned once
(one BLAS/torch thread each; spawned processes pay torch's import, ≈5 s) and kept warm
across tasks.  What a plain :class:`~concurrent.futures.ProcessPoolExecutor` cannot do:

- **per-task timeouts** enforced by *killing* the worker that runs the task (a hung spec,
  a runaway mpmath computation): the task's future raises :class:`TaskTimeout`, a fresh
  worker replaces the killed one when there is more work, and every other task goes on;
- **crash isolation**: a worker that dies (segfault, ``os._exit``, the kernel's OOM killer)
  fails only its own task, with :class:`WorkerDied` naming the exit status; the pool is not
  "broken" for the others;
- **optional memory cap** per worker (``memory_limit``, ``RLIMIT_AS``): a task that exhausts
  it gets a ``MemoryError`` inside the worker instead of taking the machine down;
- **progress** from inside a task with :func:`report_progress` (delivered to the
  submitter's callback in the parent);
- **clean interrupt**: workers ignore SIGINT (a Ctrl-C on the terminal reaches the whole
  process group), so only the parent sees ``KeyboardInterrupt``; :meth:`WorkerPool.terminate`
  kills the workers at once, without a traceback from any of them.

A dispatcher thread owns the worker processes (spawning, dispatch, deadlines, replacement);
callers only submit and wait on futures, so the pool plugs into
:func:`critlocus.core.batch.evaluate_batch` like any executor.

>>> with WorkerPool(2, timeout=30) as pool:            # doctest: +SKIP
...     futures = [pool.submit(pow, 2, k) for k in range(4)]
...     [f.result() for f in futures]
[1, 2, 4, 8]
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Executor, Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

__all__ = ["TaskTimeout", "WorkerDied", "WorkerPool", "WorkerStartError", "report_progress"]


class TaskTimeout(TimeoutError):
    """A task ran past its timeout; the worker running it was killed."""


class WorkerDied(RuntimeError):
    """The worker process running a task exited (killed, crashed, out of memory)."""


class WorkerStartError(RuntimeError):
    """A worker process could not be initialised (its initializer or a preload raised)."""


# --- inside a worker ------------------------------------------------------------------------

_CHANNEL: Connection | None = None  # set in worker processes: the pipe to the parent


def report_progress(*payload: Any) -> None:
    """Send ``payload`` to the parent's progress callback (inside a pool task); a no-op
    anywhere else.  Payloads must be picklable and small (e.g. ``(spec_id, done, total)``)."""
    if _CHANNEL is not None:
        try:
            _CHANNEL.send(("progress", payload))
        except (OSError, ValueError):  # parent gone: nothing to report to
            pass


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (out of memory?)" if -code == signal.SIGKILL else ""
        return f"was killed by {name}{hint}"
    return f"exited with status {code}"


def _worker_main(conn: Connection, initializer: Callable | None, initargs: tuple,
                 preload: Sequence[str], memory_limit: int | None) -> None:
    """The loop of one worker process: receive ``(fn, args, kwargs)``, send the result."""
    global _CHANNEL
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        if memory_limit is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        from critlocus.core.runtime import limit_threads

        limit_threads()
        import importlib

        for name in preload:
            importlib.import_module(name)
        if initializer is not None:
            initializer(*initargs)
    except BaseException as exc:
        conn.send(("init-failed", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
        return
    _CHANNEL = conn
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        fn, args, kwargs = task
        try:
            message = ("result", True, fn(*args, **kwargs), None, None)
        except BaseException as exc:  # a task's failure is its own, never the worker's
            message = ("result", False, None, f"{type(exc).__name__}: {exc}", traceback.format_exc())
        try:
            conn.send(message)
        except Exception as exc:  # e.g. an unpicklable return value
            conn.send(("result", False, None, f"cannot send the result back: {type(exc).__name__}: {exc}",
                       traceback.format_exc()))


# --- the parent side ------------------------------------------------------------------------


class RemoteError(Exception):
    """An exception raised by a task inside a worker (message and the worker's traceback)."""

    def __init__(self, message: str, remote_traceback: str | None):
        super().__init__(message)
        self.remote_traceback = remote_traceback


@dataclass
class _Task:
    future: Future
    fn: Callable
    args: tuple
    kwargs: dict
    timeout: float | None
    on_progress: Callable[..., None] | None


@dataclass
class _Worker:
    process: Any
    conn: Connection
    ready: bool = False
    task: _Task | None = None
    deadline: float = float("inf")
    started: float = field(default_factory=time.monotonic)


class WorkerPool(Executor):
    """Warm worker processes with per-task timeouts (see the module docstring).

    - ``max_workers``: number of worker processes (default ``os.cpu_count()``), spawned at
      once and reused for every task;
    - ``timeout``: default per-task limit in seconds (``None``: no limit), counted from the
      moment a ready worker receives the task;
    - ``preload``: modules each worker imports once at start (e.g. the spec catalogue);
    - ``initializer(*initargs)``: called once per worker after the preloads;
    - ``memory_limit``: address-space cap per worker in bytes (``RLIMIT_AS``), or ``None``;
    - ``on_progress(*payload)``: default callback for :func:`report_progress` messages (called
      in the pool's dispatcher thread).

    Tasks and their results are pickled; functions must be importable by reference.
    """

    def __init__(self, max_workers: int | None = None, *, timeout: float | None = None,
                 preload: Sequence[str] = (), initializer: Callable | None = None,
                 initargs: tuple = (), memory_limit: int | None = None,
                 on_progress: Callable[..., None] | None = None):
        from critlocus.core.errors import InvalidArgument

        n = (os.cpu_count() or 1) if max_workers is None else max_workers
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InvalidArgument(f"max_workers={max_workers!r} must be a positive integer")
        _check_timeout(timeout)
        if memory_limit is not None and (isinstance(memory_limit, bool) or not isinstance(memory_limit, int)
                                         or memory_limit < 2**28):
            raise InvalidArgument(f"memory_limit={memory_limit!r} must be a number of bytes ≥ 256 MiB")
        self.max_workers = n
        self.timeout = timeout
        self._preload = tuple(preload)
        self._initializer = initializer
        self._initargs = tuple(initargs)
        self._memory_limit = memory_limit
        self._on_progress = on_progress
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._pending: collections.deque[_Task] = collections.deque()
        self._workers: list[_Worker] = []
        self._wake_r, self._wake_w = multiprocessing.Pipe(duplex=False)
        self._shutdown = False
        self._kill = False
        self._broken: str | None = None
        self.spawned = 0  # worker processes started so far (replacements included)
        self._thread = threading.Thread(target=self._dispatch, name="critlocus-pool", daemon=True)
        self._thread.start()

    # -- Executor API -----------------------------------------------------------------------
    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` in a worker under the pool's default timeout."""
        return self.submit_task(fn, args, kwargs)

    def submit_task(self, fn: Callable, args: tuple = (), kwargs: dict | None = None, *,
                    timeout: float | str | None = "default",
                    on_progress: Callable[..., None] | None = None) -> Future:
        """Like :meth:`submit`, with this task's own ``timeout`` (seconds or ``None``) and
        progress callback."""
        timeout = self.timeout if timeout == "default" else timeout
        _check_timeout(timeout)
        future: Future = Future()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot submit to a pool that was shut down")
            if self._broken:
                raise WorkerStartError(self._broken)
            self._pending.append(_Task(future, fn, tuple(args), dict(kwargs or {}), timeout,
                                       on_progress or self._on_progress))
        self._wake()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop accepting tasks; workers exit once the queue is done (or now, with
        ``cancel_futures``, for tasks not yet started)."""
        with self._lock:
            self._shutdown = True
            if cancel_futures:
                while self._pending:
                    self._pending.popleft().future.cancel()
        self._wake()
        if wait:
            self._thread.join()

    def terminate(self) -> None:
        """Kill every worker now (e.g. on Ctrl-C): running tasks are cancelled, pending ones
        too.  Returns once the workers are gone."""
        with self._lock:
            self._shutdown = True
            self._kill = True
        self._wake()
        self._thread.join()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, BaseException) and \
                not issubclass(exc_type, Exception):  # KeyboardInterrupt, SystemExit
            self.terminate()
        else:
            self.shutdown(wait=True)
        return False

    # -- dispatcher thread ---------------------------------------------------------------------
    def _wake(self) -> None:
        try:
            self._wake_w.send_bytes(b"!")
        except OSError:
            pass

    def _spawn(self) -> None:
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_worker_main, name="critlocus-worker", daemon=True,
                                 args=(child, self._initializer, self._initargs, self._preload,
                                       self._memory_limit))
        proc.start()
        child.close()
        self.spawned += 1
        self._workers.append(_Worker(proc, parent))

    def _retire(self, worker: _Worker, *, kill: bool) -> None:
        if kill and worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5 if kill else 30)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
        if worker in self._workers:
            self._workers.remove(worker)

    def _fail(self, worker: _Worker, exc: BaseException) -> None:
        task = worker.task
        worker.task = None
        if task is not None and not task.future.done():
            task.future.set_exception(exc)

    def _dispatch(self) -> None:
        # Block SIGINT in this thread: worker processes forked from here inherit the blocked
        # mask through exec, so a Ctrl-C during their start-up cannot hit them either.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._loop()
        except BaseException as exc:  # never leave callers waiting forever
            self._broken = f"the pool's dispatcher failed: {type(exc).__name__}: {exc}"
            self._kill = True
        finally:
            def reason() -> BaseException:
                return (WorkerStartError(self._broken) if self._broken is not None
                        else CancelledError("the pool was terminated"))

            for w in list(self._workers):
                self._fail(w, reason())
                self._retire(w, kill=True)
            with self._lock:
                while self._pending:
                    task = self._pending.popleft()
                    if not task.future.done():
                        task.future.set_exception(reason())
            self._wake_r.close()

    def _loop(self) -> None:
        for _ in range(self.max_workers):
            self._spawn()
        while True:
            with self._lock:
                kill, shutdown = self._kill, self._shutdown
            if kill:
                return
            self._assign()
            with self._lock:
                idle_and_done = shutdown and not self._pending and all(w.task is None for w in self._workers)
            if idle_and_done:
                for w in list(self._workers):
                    if w.ready:
                        try:
                            w.conn.send(None)
                        except OSError:
                            pass
                    self._retire(w, kill=not w.ready)
                return
            now = time.monotonic()
            deadline = min((w.deadline for w in self._workers if w.task is not None), default=now + 60)
            waitables = [self._wake_r] + [w.conn for w in self._workers] + \
                [w.process.sentinel for w in self._workers]
            ready = wait(waitables, timeout=max(0.0, min(deadline - now, 60.0)))
            if self._wake_r in ready:
                while self._wake_r.poll():
                    self._wake_r.recv_bytes()
            for w in list(self._workers):
                if w.conn in ready or w.process.sentinel in ready:
                    self._receive(w)
            now = time.monotonic()
            for w in list(self._workers):
                if w.task is not None and now >= w.deadline:
                    limit = w.task.timeout
                    self._retire(w, kill=True)
                    self._fail(w, TaskTimeout(f"ran past its {limit:g} s timeout; its worker process "
                                              "was killed"))

    def _receive(self, w: _Worker) -> None:
        """Drain ``w``'s messages; handle its death."""
        while True:
            try:
                if not w.conn.poll():
                    break
                msg = w.conn.recv()
            except (EOFError, OSError):
                break
            kind = msg[0]
            if kind == "ready":
                w.ready = True
            elif kind == "progress":
                task = w.task
                if task is not None and task.on_progress is not None:
                    try:
                        task.on_progress(*msg[1])
                    except Exception:  # a broken progress display never stops the run
                        pass
            elif kind == "result":
                _, ok, value, err, tb = msg
                task, w.task, w.deadline = w.task, None, float("inf")
                if task is not None and not task.future.done():
                    if ok:
                        task.future.set_result(value)
                    else:
                        task.future.set_exception(RemoteError(err, tb))
            elif kind == "init-failed":
                with self._lock:
                    self._broken = f"a worker process failed to start: {msg[1]}\n{msg[2]}"
                    self._kill = True
        if not w.process.is_alive():
            w.process.join()
            code = w.process.exitcode
            self._retire(w, kill=False)
            if w.task is not None:
                self._fail(w, WorkerDied(f"its worker process (pid {w.process.pid}) {_describe_exit(code)}"))

    def _assign(self) -> None:
        with self._lock:
            if self._kill:
                return
            while self._pending:
                idle = next((w for w in self._workers if w.ready and w.task is None), None)
                if idle is None:
                    starting = sum(1 for w in self._workers if not w.ready)
                    if len(self._workers) < self.max_workers and starting < len(self._pending):
                        self._spawn()  # replace a killed or dead worker: there is work for it
                        continue
                    return
                task = self._pending.popleft()
                if not task.future.set_running_or_notify_cancel():
                    continue
                try:
                    idle.conn.send((task.fn, task.args, task.kwargs))
                except Exception as exc:  # unpicklable task: its own failure
                    task.future.set_exception(exc)
                    continue
                idle.task = task
                idle.deadline = (float("inf") if task.timeout is None
                                 else time.monotonic() + task.timeout)


def _check_timeout(timeout) -> None:
    from critlocus.core.errors import InvalidArgument

    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0 \
            or timeout == float("inf"):
        raise InvalidArgument(f"timeout={timeout!r} must be a positive number of seconds or None")


def warm_up() -> None:
    """Pay the one-time costs of a fresh process (torch.func transforms, mpmath, Hypothesis's
    engine: ≈3 s here) on a tiny spec, so that a worker's first real task — and its timeout —
    measures the task's own work.  Used as the CLI pool's initializer."""
    from critlocus import Source, Spec, claims, strategies
    from critlocus.runner import run_spec

    tiny = Spec(id="critlocus.warm-up", source=Source("critlocus"), statement="warm-up",
                instances=strategies.core_locus_instances(max_depth=3, max_width=2, max_outputs=1,
                                                          max_data=2),
                claim=claims.is_critical() & claims.hessian_inertia(negative=0))
    run_spec(tiny, examples=2, seed=0, shrink=False)


# --- executors by name ----------------------------------------------------------------------


def parse_executor(spec: str) -> tuple[str, str | None]:
    """``"local"`` → ``("local", None)``; ``"dask://HOST:PORT"`` → ``("dask", "tcp://HOST:PORT")``
    (a scheme after ``dask://``, e.g. ``dask://tls://host:8786``, is kept)."""
    from critlocus.core.errors import InvalidArgument

    if spec == "local":
        return "local", None
    if isinstance(spec, str) and spec.startswith("dask://") and len(spec) > len("dask://"):
        address = spec[len("dask://"):]
        return "dask", address if "://" in address else f"tcp://{address}"
    raise InvalidArgument(f"--executor {spec!r}: expected 'local' or 'dask://ADDRESS' "
                          "(e.g. dask://127.0.0.1:8786)")


def make_executor(spec: str, *, connect_timeout: float = 5.0) -> tuple[Executor, Callable[[], None]]:
    """An executor for ``spec`` (see :func:`parse_executor`) and the function that closes it.

    ``dask://ADDRESS`` connects a :class:`distributed.Client` to that scheduler and returns its
    ``concurrent.futures`` executor; the workers must have critlocus installed and see spec
    files at the same paths.
    """
    from critlocus.core.errors import CritlocusError

    kind, address = parse_executor(spec)
    if kind == "local":
        pool = WorkerPool()
        return pool, pool.shutdown
    try:
        from distributed import Client
    except ImportError:
        raise CritlocusError("--executor dask://… needs Dask distributed: pip install 'critlocus[dask]'") \
            from None
    try:
        client = Client(address, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise CritlocusError(f"cannot connect to the Dask scheduler at {address}: {exc}") from None
    executor = client.get_executor(pure=False)

    def close() -> None:
        executor.shutdown(wait=False)
        client.close()

    return executor, close
