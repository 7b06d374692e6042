"""``critlocus bench``: time every tier against naive baselines measured in the same run.

For each size N ≈ 50, 200, 500, 1000 and two points — a **core** point (Cooper's C, a
low-rank Hessian: rank n_ℓ) and a **star** point S_1 of a one-hidden-layer network (a
high-rank Hessian: rank N − h) — it measures

- the **float64 verdict** (gradient and inertia decided in float64, from scratch),
- the **high-precision verdict** (gradient and inertia at 30 digits, from scratch: Arb ball
  arithmetic where python-flint is installed, else mpmath),
- the **certified** gradient and inertia (ball arithmetic, proofs),

beside the baselines ``torch.func.hessian`` + ``eigvalsh``,
``torch.autograd.functional.hessian(vectorize=False)`` + ``eigvalsh`` and the dense mpmath
Hessian + ``eigsy`` at 30 digits (in a subprocess with a time cap, reported; skipped above
``--mp-max-n``).  Each figure is the median of ``--repeats`` runs (the mpmath baseline: as many
runs as fit in its cap) after one warm-up run; the peak resident memory of each tier is the
process's high-water mark reset before it (Linux ``/proc/self/clear_refs``).  One thread per
process.  Also: a search over one-hidden-layer star points (N ≤ 150) timing its
high-precision tiers per instance, and the cold-start cost (import + first verdict).

The timings are shown here, never asserted in tests (the suite only runs ``--quick``).
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BenchCase", "build_case", "main", "run_bench"]

SIZES = (50, 200, 500, 1000)
QUICK_SIZES = (20,)


@dataclass
class BenchCase:
    kind: str
    widths: tuple[int, ...]
    n_params: int
    problem: object = field(repr=False)
    point: object = field(repr=False)


def build_case(kind: str, n_target: int, *, seed: int = 0) -> BenchCase:
    """A core point (depth 3, I = {1, 2}) or a star point S_1 (depth 2) with N ≈ n_target.

    Widths ``(5, h, h, 5)`` (core: N = h² + 12h + 5) or ``(5, h, 5)`` (star: N = 11h + 5);
    d = 6 data points (so ȳ is not a binary fraction and C = Σ (ȳ − y_j) x_jᵀ has full rank),
    tanh, the papers' L2 loss."""
    import numpy as np

    from critlocus.core import Architecture, Dataset, Network, Problem, get_activation, squared_error
    from critlocus.strategies import star_locus_point

    n0 = n_out = 5
    if kind == "core":
        h = max(1, round(-6 + math.sqrt(36 + max(n_target - 5, 0))))
        arch, index_set = Architecture((n0, h, h, n_out)), [1, 2]
    elif kind == "star":
        h = max(1, round((n_target - n_out) / (n0 + 1 + n_out)))
        arch, index_set = Architecture((n0, h, n_out)), [1]
    else:
        raise ValueError(f"unknown bench point {kind!r}; use 'core' or 'star'")
    rng = np.random.default_rng(seed)
    data = Dataset(np.round(rng.standard_normal((6, n0)), 6), np.round(rng.standard_normal((6, n_out)), 6))
    point = star_locus_point(arch, index_set, {})
    problem = Problem(Network(arch, get_activation("tanh")), squared_error(), data)
    return BenchCase(kind, arch.widths, arch.n_params, problem, point)


# -- measurement helpers ---------------------------------------------------------------------

def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _time(fn: Callable[[], object], repeats: int) -> dict:
    """Median wall time of ``repeats`` runs after one warm-up, with the peak RSS and the
    warm-up's result."""
    result = fn()
    times = []
    peak = None
    for _ in range(repeats):
        reset = _reset_peak()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        mb = _peak_mb()
        peak = mb if reset else None if peak is None else max(peak, mb)
    return {"median_s": statistics.median(times), "runs": len(times), "min_s": min(times),
            "peak_mb": peak, "result": result}


def _time_interleaved(fns: dict[str, Callable[[], object]], repeats: int, *, budget_s: float = 3.0,
                      max_repeats: int = 60) -> dict[str, dict]:
    """Like :func:`_time` for several functions, run in rotating order within each repeat, so
    that load on a shared machine affects each of them alike (ratios stay meaningful).  Cheap
    functions are repeated until ``budget_s`` is spent (at most ``max_repeats`` times)."""
    names = list(fns)
    start = time.perf_counter()
    results = {k: fns[k]() for k in names}
    first = time.perf_counter() - start
    repeats = max(repeats, min(max_repeats, int(budget_s / max(first, 1e-6))))
    times: dict[str, list[float]] = {k: [] for k in names}
    peaks: dict[str, float | None] = dict.fromkeys(names)
    for r in range(repeats):
        for k in names[r % len(names):] + names[:r % len(names)]:
            reset = _reset_peak()
            start = time.perf_counter()
            fns[k]()
            times[k].append(time.perf_counter() - start)
            mb = _peak_mb() if reset else None
            peaks[k] = mb if peaks[k] is None or (mb is not None and mb > peaks[k]) else peaks[k]
    return {k: {"median_s": statistics.median(times[k]), "runs": repeats, "min_s": min(times[k]),
                "peak_mb": peaks[k], "result": results[k]} for k in names}


def _tier(case: BenchCase, kind: str):
    from critlocus.core.evaluation import PointEvaluation
    from critlocus.core.precision import CERTIFIED, FLOAT64, mp_precision

    prec = {"float64": FLOAT64, "high-precision": mp_precision(30), "certified": CERTIFIED}[kind]

    def run():
        ev = PointEvaluation(case.problem, case.point)
        grad = ev.gradient_decision(prec)
        dec = ev.inertia(prec)
        return {"gradient": grad.status, "inertia": list(dec.inertia), "ambiguous": dec.n_ambiguous,
                "decided": dec.decided and grad.status != "ambiguous", "method": dec.method}
    return run


def _torch_baselines(case: BenchCase):
    import torch
    from torch.func import hessian

    net, loss = case.problem.network, case.problem.loss
    theta = torch.tensor(case.point.realize_float64(case.problem.data))
    X, Y = torch.tensor(case.problem.data.X), torch.tensor(case.problem.data.Y)

    def f(t, X, Y):
        return loss.torch_value(net.forward_torch(t, X) - Y)

    h = hessian(f)

    def func_hessian():
        return int((torch.linalg.eigvalsh(h(theta, X, Y)).abs() > 0).sum())

    def autograd_hessian():
        H = torch.autograd.functional.hessian(lambda t: f(t, X, Y), theta, vectorize=False)
        return int((torch.linalg.eigvalsh(H).abs() > 0).sum())

    return func_hessian, autograd_hessian


_MP_SNIPPET = """
import json, sys, time
from critlocus.bench import build_case
import mpmath
from critlocus.core.highprec import MPLandscape
kind, n, runs, cap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
case = build_case(kind, n)
times = []
for _ in range(runs):
    start = time.perf_counter()
    with mpmath.workdps(30):
        land = MPLandscape(case.problem, case.point.realize_mp(case.problem.data))
        mpmath.eigsy(land.hessian(), eigvals_only=True)
    times.append(time.perf_counter() - start)
    if sum(times) + times[0] > cap:
        break
print(json.dumps(times))
"""


def _mp_dense(case: BenchCase) -> None:
    import mpmath

    from critlocus.core.highprec import MPLandscape

    with mpmath.workdps(30):
        land = MPLandscape(case.problem, case.point.realize_mp(case.problem.data))
        mpmath.eigsy(land.hessian(), eigvals_only=True)


def _mp_baseline(case: BenchCase, repeats: int, cap: float, *, in_process: bool = False) -> dict:
    """Dense mpmath Hessian + eigsy at 30 digits in a subprocess, stopped at ``cap`` seconds
    (``in_process``: here, for tiny quick runs)."""
    if in_process:
        out = _time(lambda: _mp_dense(case), repeats)
        return {"median_s": out["median_s"], "runs": out["runs"], "capped": False}
    env = dict(os.environ, CRITLOCUS_THREADS="1")
    try:
        out = subprocess.run([sys.executable, "-c", _MP_SNIPPET, case.kind, str(case.n_params), str(repeats),
                              str(cap)], capture_output=True, text=True, timeout=cap + 60, env=env)
        times = json.loads(out.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return {"median_s": None, "runs": 0, "capped": True, "note": f"exceeded the {cap:.0f} s cap"}
    except (ValueError, IndexError):
        return {"median_s": None, "runs": 0, "error": out.stderr[-500:]}
    return {"median_s": statistics.median(times), "runs": len(times), "capped": False}


def _ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def bench_case(case: BenchCase, *, repeats: int, mp_cap: float, mp_max_n: int, certified: bool,
               quick: bool = False) -> dict:
    from critlocus.core import certify

    row: dict = {"point": case.kind, "widths": list(case.widths), "N": case.n_params}
    func_h, autograd_h = _torch_baselines(case)
    row.update(_time_interleaved({"torch_func_hessian_eigvalsh": func_h,
                                  "float64_verdict": _tier(case, "float64")}, max(repeats, 5)))
    row["autograd_hessian_eigvalsh"] = _time(autograd_h, max(1, min(repeats, 3)) if case.n_params > 400
                                             else repeats)
    row["high_precision_verdict"] = _time(_tier(case, "high-precision"), repeats)
    if certified and certify.available():
        row["certified"] = _time(_tier(case, "certified"), repeats)
    if case.n_params <= mp_max_n:
        row["mpmath_dense_eigsy"] = _mp_baseline(case, repeats, mp_cap, in_process=quick)
    else:
        row["mpmath_dense_eigsy"] = {"median_s": None, "runs": 0,
                                     "note": f"skipped above N = {mp_max_n} (cost O(d·N²) + O(N³) in mpmath)"}
    t = {k: v.get("median_s") for k, v in row.items() if isinstance(v, dict)}
    row["ratios"] = {
        "float64_verdict / torch.func.hessian+eigvalsh": _ratio(t["float64_verdict"],
                                                                t["torch_func_hessian_eigvalsh"]),
        "float64_verdict / torch.func.hessian+eigvalsh (fastest runs)": _ratio(
            row["float64_verdict"]["min_s"], row["torch_func_hessian_eigvalsh"]["min_s"]),
        "mpmath dense+eigsy / high-precision verdict": _ratio(t["mpmath_dense_eigsy"],
                                                              t["high_precision_verdict"]),
        "mpmath dense+eigsy / certified": _ratio(t["mpmath_dense_eigsy"], t.get("certified")),
    }
    return row


def search_bench(n_instances: int, *, max_n: int = 150, seed: int = 0) -> dict:
    """One-hidden-layer star points (random widths, data and activation, N ≤ ``max_n``): time
    of the high-precision tiers (gradient and inertia at 30 digits) per instance, after float64."""
    import numpy as np

    from critlocus.core import Architecture, Dataset, Network, Problem, activations_with, squared_error
    from critlocus.core.evaluation import PointEvaluation
    from critlocus.core.precision import FLOAT64, mp_precision
    from critlocus.strategies import star_locus_point

    rng = np.random.default_rng(seed)
    acts = activations_with(smooth=True, zero_at_zero=True)
    times, sizes, undecided = [], [], 0
    prec = mp_precision(30)
    for _ in range(n_instances):
        n0, n2 = int(rng.integers(1, 5)), int(rng.integers(1, 4))
        h = int(rng.integers(1, (max_n - n2) // (n0 + 1 + n2) + 1))
        arch = Architecture((n0, h, n2))
        d = int(rng.integers(1, 9))
        data = Dataset(np.round(rng.standard_normal((d, n0)), 4), np.round(rng.standard_normal((d, n2)), 4))
        problem = Problem(Network(arch, acts[int(rng.integers(len(acts)))]), squared_error(), data)
        ev = PointEvaluation(problem, star_locus_point(arch, [1], {}))
        ev.gradient_decision(FLOAT64)
        ev.inertia(FLOAT64)
        start = time.perf_counter()
        g = ev.gradient_decision(prec)
        dec = ev.inertia(prec)
        times.append(time.perf_counter() - start)
        sizes.append(arch.n_params)
        undecided += int(not dec.decided or g.status == "ambiguous")
    return {"instances": n_instances, "max_N": max(sizes), "mean_N": statistics.mean(sizes),
            "mean_high_precision_s": statistics.mean(times),
            "median_high_precision_s": statistics.median(times), "max_high_precision_s": max(times),
            "undecided": undecided}


def cold_start() -> dict:
    """Seconds for ``import critlocus`` and for the first float64 verdict, in a fresh process."""
    code = ("import time; t0 = time.perf_counter(); import critlocus; t1 = time.perf_counter(); "
            "from critlocus.bench import build_case, _tier; c = build_case('star', 20); "
            "t2 = time.perf_counter(); _tier(c, 'float64')(); t3 = time.perf_counter(); "
            "print(t1 - t0, t3 - t2)")
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
        imp, first = map(float, out.stdout.split())
    except (subprocess.TimeoutExpired, ValueError):
        return {"import_s": None, "first_verdict_s": None}
    return {"import_s": imp, "first_verdict_s": first}


def run_bench(*, sizes=SIZES, points=("core", "star"), repeats: int = 5, mp_cap: float = 180.0,
              mp_max_n: int = 250, certified: bool = True, search: int = 20, quick: bool = False,
              progress=None) -> dict:
    """Run the benchmark; returns the JSON-ready record."""
    import torch

    from critlocus.core import certify

    rows = []
    for n in sizes:
        for kind in points:
            case = build_case(kind, n)
            if progress:
                progress(f"{kind} N={case.n_params} …")
            rows.append(bench_case(case, repeats=repeats, mp_cap=mp_cap, mp_max_n=mp_max_n,
                                   certified=certified, quick=quick))
            if progress:
                progress(format_row(rows[-1]))
    out = {"threads": torch.get_num_threads(), "python_flint": certify.available(),
           "repeats": repeats, "rows": rows}
    if search:
        out["search_one_hidden_layer_star"] = search_bench(search)
    out["cold_start"] = {"import_s": None, "first_verdict_s": None} if quick else cold_start()
    return out


def _fmt(s) -> str:
    if s is None:
        return "—"
    return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"


def _fr(r) -> str:
    return "—" if r is None else f"{r:.2f}×"


def format_row(r: dict) -> str:
    t = {k: (v.get("median_s") if isinstance(v, dict) else None) for k, v in r.items()}
    ratios = r["ratios"]
    mp = r["mpmath_dense_eigsy"]
    mp_text = _fmt(mp.get("median_s")) + (f" ({mp['runs']} runs)" if mp.get("runs") else "")
    cert = r.get("certified", {}).get("result", {})
    return (f"{r['point']:<5} N={r['N']:<5} f64 {_fmt(t['float64_verdict']):>9} vs func.hessian+eigvalsh "
            f"{_fmt(t['torch_func_hessian_eigvalsh']):>9} = "
            f"{_fr(ratios['float64_verdict / torch.func.hessian+eigvalsh'])}; autograd(vectorize=False) "
            f"{_fmt(t['autograd_hessian_eigvalsh'])}; high-prec {_fmt(t['high_precision_verdict'])}; "
            f"certified {_fmt(t.get('certified'))} {cert.get('inertia', '')}; mpmath dense+eigsy {mp_text}; "
            f"speed-up {_fr(ratios['mpmath dense+eigsy / high-precision verdict'])}")


def format_report(doc: dict) -> str:
    lines = ["| point | N | float64 verdict | torch.func.hessian+eigvalsh | ratio (median; fastest runs) "
             "| autograd (vectorize=False) | high-precision verdict | certified | mpmath dense+eigsy "
             "| mpmath / high-prec | peak MB (f64 / hp / cert) | inertia (certified) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in doc["rows"]:
        t = {k: (v.get("median_s") if isinstance(v, dict) else None) for k, v in r.items()}
        mem = " / ".join("—" if r.get(k, {}).get("peak_mb") is None else f"{r[k]['peak_mb']:.0f}"
                         for k in ("float64_verdict", "high_precision_verdict", "certified"))
        mp = r["mpmath_dense_eigsy"]
        cert = r.get("certified", {}).get("result", {})
        mp_runs = f" ({mp['runs']} runs)" if mp.get("runs") else f" ({mp.get('note', '')})"
        uncertain = f" +{cert['ambiguous']} uncertain" if cert.get("ambiguous") else ""
        lines.append(
            f"| {r['point']} | {r['N']} | {_fmt(t['float64_verdict'])} | "
            f"{_fmt(t['torch_func_hessian_eigvalsh'])} | "
            f"{_fr(r['ratios']['float64_verdict / torch.func.hessian+eigvalsh'])} (fastest "
            f"{_fr(r['ratios']['float64_verdict / torch.func.hessian+eigvalsh (fastest runs)'])}) | "
            f"{_fmt(t['autograd_hessian_eigvalsh'])} | {_fmt(t['high_precision_verdict'])} | "
            f"{_fmt(t.get('certified'))} | {_fmt(mp.get('median_s'))}{mp_runs} | "
            f"{_fr(r['ratios']['mpmath dense+eigsy / high-precision verdict'])} | {mem} | "
            f"{cert.get('inertia', '—')}{uncertain} |")
    s = doc.get("search_one_hidden_layer_star")
    if s:
        lines.append(f"\nsearch over {s['instances']} one-hidden-layer star points (N ≤ {s['max_N']}, "
                     f"mean N {s['mean_N']:.0f}): high-precision tiers {_fmt(s['mean_high_precision_s'])} "
                     f"per instance on average (max {_fmt(s['max_high_precision_s'])}; "
                     f"{s['undecided']} undecided)")
    c = doc.get("cold_start")
    if c and c.get("import_s") is not None:
        lines.append(f"cold start: import critlocus {_fmt(c['import_s'])}, first float64 verdict "
                     f"{_fmt(c['first_verdict_s'])} (torch.func warm-up)")
    lines.append(f"threads per process: {doc['threads']}; python-flint: {doc['python_flint']}; "
                 f"medians of {doc['repeats']} runs")
    return "\n".join(lines)


def _sizes(text: str, option: str) -> list[int]:
    """``"500,1000"`` → ``[500, 1000]``, or a clear error naming the option."""
    from critlocus.core.errors import InvalidArgument

    try:
        sizes = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        raise InvalidArgument(f"{option} {text!r}: expected comma-separated positive sizes, e.g. 500,1000")
    return sizes


def main(args) -> int:
    """Entry point of ``critlocus bench`` (arguments parsed by :mod:`critlocus.cli`)."""
    if getattr(args, "scale", None):  # dense vs matrix-free inertia by N (docs/scale.md)
        from .bench_scale import format_table, scaling_table

        rows = scaling_table(_sizes(args.scale, "--scale"))
        print(format_table(rows))
        if args.json:
            Path(args.json).write_text(json.dumps({"scale": rows}, indent=2))
        return 0 if all(r["correct"] for r in rows) else 1
    sizes = QUICK_SIZES if args.quick else tuple(_sizes(args.sizes, "--sizes"))
    repeats = 1 if args.quick and args.repeats is None else (args.repeats or 5)
    points = tuple(p.strip() for p in args.points.split(","))

    def progress(msg):
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    doc = run_bench(sizes=sizes, points=points, repeats=repeats, mp_cap=args.mp_cap,
                    mp_max_n=args.mp_max_n, search=(3 if args.quick else args.search), quick=args.quick,
                    progress=progress)
    print(format_report(doc))
    if args.json:
        Path(args.json).write_text(json.dumps(doc, indent=2, default=str))
    return 0
