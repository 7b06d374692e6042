"""Benchmark: wall time of ``critlocus verify`` with --jobs 1, 2 and auto (the default).

Each configuration runs as a fresh process, as a user would run it, on the same specs with the
same seed; the table gives the wall time and the ratio to ``--jobs 1`` measured in the same run.
A fresh worker pays the torch/critlocus import and the first torch.func derivatives (≈6 s on an
idle core) before its first spec, so parallel runs pay off only for enough work and idle cores.
Measured on the shared 2-core development machine (load ≈ 7–9): 2 specs × 20 instances:
15.6 s (--jobs 1) vs 38.2 s (--jobs 2); 9 specs × 20: 17.8 s vs 38.5 s; 9 specs × 100: 42 s vs
63 s.  ``--jobs auto`` chose 1 in each case.

    python benchmarks/jobs.py                          # a few specs: auto picks 1 process
    python benchmarks/jobs.py --only cooper tkb        # the whole catalogue: auto picks 1 per core
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def run(only: list[str], examples: int, jobs: str) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as reports:
        cmd = [sys.executable, "-m", "critlocus.cli", "verify", "--only", *only, "--examples", str(examples),
               "--jobs", jobs, "--quiet", "--no-plots", "--reports-dir", reports]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        return time.perf_counter() - start, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", default=["cooper.thm3.1", "cooper.thm3.2"])
    parser.add_argument("--examples", type=int, default=20)
    args = parser.parse_args()
    from critlocus.cli import auto_jobs
    from critlocus.registry import builtin_specs, select

    n_specs = len(select(builtin_specs()[0], args.only))
    print(f"{n_specs} specs, {args.examples} instances each, {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}; --jobs auto = {auto_jobs(n_specs, args.examples)}")
    baseline = None
    print(f"{'--jobs':>8} {'wall (s)':>9} {'vs 1':>6} {'exit':>5}")
    for jobs in ("1", "2", "auto"):
        wall, rc = run(args.only, args.examples, jobs)
        baseline = baseline or wall
        print(f"{jobs:>8} {wall:9.1f} {wall / baseline:6.2f} {rc:5d}")


if __name__ == "__main__":
    main()
