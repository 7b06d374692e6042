"""How Hessian inertia scales with N: dense float64 versus matrix-free Lanczos on HVPs.

:func:`scaling_table` measures, at Cooper core points (degenerate critical points whose
Hessian has rank n_ℓ — exactly ``2d`` on the ``b_ℓ`` block, Thm 3.2) of networks of growing
N, the time and peak memory of

- ``dense``: :func:`critlocus.core.large.hessian_dense` + LAPACK ``eigvalsh`` (N ≤ 2000), and
- ``hvp``: :func:`critlocus.core.large.hvp_operator` + :func:`~critlocus.core.large.inertia_hvp`
  (ARPACK Lanczos, H never formed), up to N = 10⁴ and beyond,

checks both find the inertia ``(n_ℓ, 0, N − n_ℓ)`` and reports the ratios against the dense
baseline measured in the same run.  Figures, never assertions on time (see ``docs/scale.md``).

``python -m critlocus.bench_scale [--sizes 500,1000,2000,5000,10000]`` prints the table;
``critlocus bench`` can call :func:`scaling_table` and :func:`format_table`.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Sequence

import numpy as np

__all__ = ["core_point_problem", "format_table", "scaling_table"]


class _PeakMemory:
    """Peak resident-memory growth (MiB) inside a ``with`` block, sampled every 2 ms."""

    def __init__(self):
        self.peak_mib = math.nan

    @staticmethod
    def _rss() -> int:
        try:
            with open("/proc/self/statm") as fh:
                return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            import resource

            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def __enter__(self):
        self._base = self._peak = self._rss()
        self._stop = threading.Event()

        def poll():
            while not self._stop.wait(0.002):
                self._peak = max(self._peak, self._rss())

        self._thread = threading.Thread(target=poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._peak = max(self._peak, self._rss())
        self.peak_mib = (self._peak - self._base) / 2**20
        return False


def _hidden_width(n_params: int, n_in: int, n_out: int) -> int:
    """The largest w with N = n_in·w + w + 2(w² + w) + n_out·w + n_out ≤ ``n_params`` (3 hidden layers)."""
    a, b, c = 2.0, n_in + 3.0 + n_out, n_out - n_params
    return max(1, math.floor((-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)))


def core_point_problem(n_params: int, *, data: int = 20, n_in: int = 3, n_out: int = 2, seed: int = 0,
                       activation: str = "tanh"):
    """``(problem, theta)``: a point of the core locus ``S_{2,3}`` of a depth-4 network with
    about ``n_params`` parameters, dyadic data and free blocks (exact at every precision)."""
    from critlocus.core import Architecture, Dataset, Network, Problem
    from critlocus.strategies import star_locus_point

    rng = np.random.default_rng(seed)
    w = _hidden_width(n_params, n_in, n_out)
    arch = Architecture((n_in, w, w, w, n_out))

    def dyadic(shape):
        return np.round(rng.standard_normal(shape) * 16) / 16

    dataset = Dataset(dyadic((data, n_in)), dyadic((data, n_out)))
    free = {"W_1": dyadic((w, n_in)), "b_1": dyadic((w,))}
    point = star_locus_point(arch, [2, 3], free)
    return Problem(Network(arch, activation), "squared_error", dataset), point.realize_float64(dataset)


def _dense(problem, theta) -> dict:
    from critlocus.core.large import hessian_dense
    from critlocus.core.precision import FLOAT64
    from critlocus.core.spectrum import inertia_float64

    t0 = time.perf_counter()
    H = hessian_dense(problem, theta)
    t1 = time.perf_counter()
    decision = inertia_float64(H, FLOAT64)
    t2 = time.perf_counter()
    return {"seconds": t2 - t0, "build_s": t1 - t0, "eig_s": t2 - t1, "decision": decision, "products": None}


def _hvp(problem, theta, expected: tuple[int, int]) -> dict:
    from critlocus.core.large import hvp_operator, inertia_hvp

    t0 = time.perf_counter()
    op = hvp_operator(problem, theta)
    t1 = time.perf_counter()
    decision = inertia_hvp(op, expected_positive=expected[0], expected_negative=expected[1])
    t2 = time.perf_counter()
    return {"seconds": t2 - t0, "build_s": t1 - t0, "eig_s": t2 - t1, "decision": decision,
            "products": op.products}


def scaling_table(sizes: Sequence[int] = (250, 500, 1000, 2000, 5000, 10000), *, data: int = 20,
                  n_out: int = 2, dense_limit: int | None = None, seed: int = 0) -> list[dict]:
    """One row per (N, method): ``n_params``, ``method``, ``seconds`` (``build_s`` + ``eig_s``),
    ``peak_mib``, ``products`` (HVPs), ``inertia``, ``decided``, ``correct`` (equals
    ``(n_ℓ, 0, N − n_ℓ)``) and, for ``hvp`` rows with a dense row at the same N, ``time_ratio``
    and ``memory_ratio`` (hvp / dense)."""
    from critlocus.core.errors import InvalidArgument
    from critlocus.core.large import DENSE_LIMIT

    limit = DENSE_LIMIT if dense_limit is None else min(dense_limit, DENSE_LIMIT)
    if not sizes or any(isinstance(n, bool) or not isinstance(n, int) or n < 50 for n in sizes):
        raise InvalidArgument(f"sizes={sizes!r} must be integers ≥ 50")
    rows: list[dict] = []
    warm, warm_theta = core_point_problem(60, data=2, n_out=n_out, seed=seed)  # build torch's transforms
    _dense(warm, warm_theta)
    _hvp(warm, warm_theta, (n_out, 0))
    for target in sizes:
        problem, theta = core_point_problem(target, data=data, n_out=n_out, seed=seed)
        n = problem.n_params
        expected = (n_out, 0, n - n_out)
        dense_row = None
        for method in ("dense", "hvp"):
            if method == "dense" and n > limit:
                continue
            with _PeakMemory() as mem:
                out = _dense(problem, theta) if method == "dense" else _hvp(problem, theta, expected[:2])
            dec = out["decision"]
            row = {"n_params": n, "method": method, "seconds": round(out["seconds"], 4),
                   "build_s": round(out["build_s"], 4), "eig_s": round(out["eig_s"], 4),
                   "peak_mib": round(mem.peak_mib, 1), "products": out["products"],
                   "inertia": list(dec.inertia), "ambiguous": dec.n_ambiguous, "decided": dec.decided,
                   "correct": dec.decided and dec.inertia == expected,
                   "positive_eigenvalues": [round(float(v), 12) for v in dec.nonzero_eigenvalues[:4]]}
            if method == "dense":
                dense_row = row
            elif dense_row is not None:
                row["time_ratio"] = round(row["seconds"] / max(dense_row["seconds"], 1e-9), 3)
                row["memory_ratio"] = round(max(row["peak_mib"], 0.1) / max(dense_row["peak_mib"], 0.1), 3)
            rows.append(row)
    return rows


def format_table(rows: Sequence[dict]) -> str:
    """The rows as a fixed-width text table."""
    head = (f"{'N':>7} {'method':<6} {'time s':>9} {'build s':>8} {'eig s':>8} {'peak MiB':>9} "
            f"{'HVPs':>6} {'inertia (+,−,0)':>20} {'ok':>3} {'t/dense':>8} {'mem/dense':>9}")
    lines = [head, "-" * len(head)]
    for r in rows:
        inertia = "(" + ", ".join(map(str, r["inertia"])) + ")"
        lines.append(f"{r['n_params']:>7} {r['method']:<6} {r['seconds']:>9.3f} {r['build_s']:>8.3f} "
                     f"{r['eig_s']:>8.3f} {r['peak_mib']:>9.1f} {r['products'] or '':>6} {inertia:>20} "
                     f"{'yes' if r['correct'] else 'NO':>3} {r.get('time_ratio', ''):>8} "
                     f"{r.get('memory_ratio', ''):>9}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    import critlocus  # noqa: F401  (one BLAS/torch thread, as in every critlocus process)

    p = argparse.ArgumentParser(prog="python -m critlocus.bench_scale", description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="250,500,1000,2000,5000,10000")
    p.add_argument("--data", type=int, default=20)
    p.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    args = p.parse_args(argv)
    rows = scaling_table([int(s) for s in args.sizes.split(",")], data=args.data)
    print(format_table(rows))
    if args.json:
        import json
        from pathlib import Path

        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if all(r["correct"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
