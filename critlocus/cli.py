"""The ``critlocus`` command line: list, verify and check claims about loss landscapes."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from critlocus.core.errors import CritlocusError
from critlocus.core.precision import parse_ladder

from .registry import LoadError, SpecRef, builtin_specs, load_spec_file, resolve, select
from .report import build_document, write_reports
from .runner import SpecResult, run_spec

EPILOG = """\
verdicts
  holds         every generated instance satisfies the claim (decided with evidence)
  fails         a counterexample was found, confirmed in high precision, and shrunk
  inconclusive  some instance could not be decided at any precision of the ladder
  error         the spec itself crashed (the message says why); other specs still run

exit status
  0  every verdict equals its spec's expected outcome
  1  some verdict differs (or a spec/file errored)
  2  bad command-line usage

examples
  critlocus list
  critlocus verify --only cooper.thm3 --json out.json
  critlocus verify --examples 500 --seed 7 --jobs 2
  critlocus check my_conjectures.py --examples 200
"""


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--only", nargs="+", metavar="ID_OR_PREFIX",
                   help="check only specs whose id equals or starts with one of these")
    p.add_argument("--examples", type=int, default=100, metavar="N",
                   help="generated instances per spec (default 100)")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="Hypothesis seed; the same seed reproduces the same instances (default 0)")
    p.add_argument("--ladder", default="30,60", metavar="DIGITS",
                   help="mpmath digits tried after float64, comma-separated (default 30,60)")
    p.add_argument("--jobs", default="auto", metavar="J",
                   help="specs checked in parallel processes ('auto' = min(#cores, #specs); 1 = in-process)")
    p.add_argument("--json", type=Path, metavar="PATH", help="write the JSON results here")
    p.add_argument("--markdown", type=Path, metavar="PATH", help="write the Markdown summary here")
    p.add_argument("--reports-dir", type=Path, default=Path("reports"), metavar="DIR",
                   help="directory for reports (default ./reports)")
    p.add_argument("--no-shrink", action="store_true", help="report the first counterexample unshrunk")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--certify", action="store_true",
                   help="decide exact counts (inertia, zero eigenvalues, critical points) with a "
                        "certified tier in ball arithmetic after float64 (needs python-flint: "
                        "pip install -e '.[certify]'); same as --ladder certified,DIGITS")
    p.add_argument("--device", default=None, metavar="DEVICE",
                   help="torch device of the float64 tier, e.g. cuda (default cpu)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="critlocus",
        description=("Property-based theorem checking for the geometry of neural-network loss "
                     "landscapes: every claim is checked on generated instances, decided "
                     "float64-first with escalation to mpmath, and refuted only with a "
                     "high-precision, shrunk counterexample."),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p_list = sub.add_parser("list", help="list the catalogue's specs")
    p_list.add_argument("--only", nargs="+", metavar="ID_OR_PREFIX")
    p_list.add_argument("--files", nargs="+", type=Path, metavar="FILE",
                        help="list the specs of these spec files instead")
    p_verify = sub.add_parser("verify", help="verify the catalogue's claims and write a report",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_run_options(p_verify)
    p_check = sub.add_parser("check", help="check the specs of conjecture files (any .py files)",
                             epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p_check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    _add_run_options(p_check)
    _add_bench_parser(sub)
    return parser


def _add_bench_parser(sub) -> None:
    p = sub.add_parser("bench", help="time every tier against naive baselines (figures and ratios)",
                       description="Time the float64, high-precision and certified tiers on a core "
                                   "and a star point at each size, beside torch.func.hessian+eigvalsh, "
                                   "torch.autograd.functional.hessian and dense mpmath+eigsy measured "
                                   "in the same run (see docs/benchmark.md).")
    p.add_argument("--sizes", default="50,200,500,1000", metavar="N,N,…", help="target parameter counts")
    p.add_argument("--points", default="core,star", metavar="KINDS", help="core and/or star")
    p.add_argument("--repeats", type=int, default=None, metavar="R", help="runs per median (default 5)")
    p.add_argument("--quick", action="store_true", help="one small size, one run (for tests)")
    p.add_argument("--mp-cap", type=float, default=180.0, metavar="SECONDS",
                   help="time cap of the dense mpmath baseline (default 180)")
    p.add_argument("--mp-max-n", type=int, default=250, metavar="N",
                   help="largest N for the dense mpmath baseline (default 250)")
    p.add_argument("--search", type=int, default=20, metavar="K",
                   help="one-hidden-layer star instances in the search benchmark (0: skip)")
    p.add_argument("--json", type=Path, metavar="PATH", help="write the JSON record here")
    p.add_argument("--device", default=None, metavar="DEVICE", help="torch device of the float64 tier")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def _run_ref(args: tuple) -> dict:
    """Worker entry point: resolve a spec by reference and run it (picklable).

    Progress goes to ``queue`` (a manager queue) as ``(spec_id, done, total)``.
    """
    ref, examples, seed, digits, shrink, queue = args

    def progress(spec_id: str, done: int, total: int) -> None:
        if queue is not None:
            queue.put((spec_id, done, total))

    return run_spec(resolve(ref), examples=examples, seed=seed, ladder=parse_ladder(digits),
                    shrink=shrink, progress=progress, command=_command_for(ref)).to_dict()


def _command_for(ref: SpecRef) -> str:
    """The shell command that runs the spec ``ref`` points to."""
    return f"critlocus check {ref.location}" if ref.origin == "file" else "critlocus verify"


class _Printer:
    """Status lines on stderr: a rewritten line on a terminal, rate-limited lines otherwise."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, msg: str, *, transient: bool = False) -> None:
        if self.quiet:
            return
        if transient:
            now = time.monotonic()
            if now - self.last < (0.5 if self.tty else 10.0):
                return
            self.last = now
            if self.tty:
                print(f"\r  {msg}\033[K", end="", file=sys.stderr, flush=True)
            else:
                print(f"  {msg}", file=sys.stderr, flush=True)
        else:
            print(f"\r{msg}\033[K" if self.tty else msg, file=sys.stderr, flush=True)


def _result_line(r: dict) -> str:
    mark = "ok " if r["as_expected"] else "!! "
    return (f"{mark}{r['id']:<28} {r['verdict']:<12} (expected {r['expected']}; "
            f"{r['examples']} instances, {r['duration_s']:.1f}s)")


def _run(items: list[tuple[SpecRef, object]], args, printer: _Printer) -> list[dict]:
    ladder = parse_ladder(args.ladder)
    jobs = (min(os.cpu_count() or 1, len(items)) if args.jobs == "auto" else int(args.jobs))
    shrink = not args.no_shrink
    results: list[dict] = []
    if jobs <= 1 or len(items) <= 1:
        for ref, spec in items:
            printer(f"checking {spec.id} ({args.examples} instances)")
            res = run_spec(spec, examples=args.examples, seed=args.seed, ladder=ladder, shrink=shrink,
                           progress=lambda sid, i, n: printer(f"{sid}: {i}/{n}", transient=True),
                           command=_command_for(ref))
            results.append(res.to_dict())
            printer(_result_line(results[-1]))
        return results
    return _run_parallel(items, args, printer, jobs, shrink, ladder)


def _run_parallel(items, args, printer: _Printer, jobs: int, shrink: bool, ladder) -> list[dict]:
    import multiprocessing
    import queue as queue_mod
    import threading

    from critlocus.core.batch import evaluate_batch

    printer(f"checking {len(items)} specs in {jobs} processes ({args.examples} instances each)")
    manager = multiprocessing.get_context("spawn").Manager()
    events = manager.Queue()
    payload = [(ref, args.examples, args.seed, args.ladder, shrink, events) for ref, _ in items]
    by_index: dict[int, dict] = {}
    running: dict[str, str] = {}
    stop = threading.Event()

    def drain() -> None:  # live progress from the workers
        while not stop.is_set():
            try:
                spec_id, done, total = events.get(timeout=0.2)
            except (queue_mod.Empty, EOFError, OSError):
                continue
            running[spec_id] = f"{spec_id} {done}/{total}"
            printer(" | ".join(running.values()), transient=True)

    def done(res) -> None:
        if res.ok:
            by_index[res.index] = res.value
        else:  # the worker crashed: an error result, the other specs go on
            spec = items[res.index][1]
            by_index[res.index] = SpecResult(
                spec=spec.describe(), verdict="error", examples=0, counts={}, evidence={},
                seed=args.seed, ladder=[p.label for p in ladder], duration_s=0.0,
                error=f"{res.error}\n{res.traceback}").to_dict()
        running.pop(items[res.index][1].id, None)
        printer(_result_line(by_index[res.index]))

    watcher = threading.Thread(target=drain, daemon=True)
    watcher.start()
    try:
        evaluate_batch(_run_ref, payload, max_workers=jobs, on_result=done)
    finally:
        stop.set()
        watcher.join(timeout=1.0)
        manager.shutdown()
    return [by_index[i] for i in range(len(items))]


def _finish(results: list[dict], load_errors: list[LoadError], args, command: str,
            printer: _Printer) -> int:
    settings = {"examples": args.examples, "seed": args.seed, "ladder": f"float64,{args.ladder}"}
    errors = [{"location": e.location, "message": e.message} for e in load_errors]
    doc = build_document(results, command=command, settings=settings,
                         load_errors=errors)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    stem = f"{command.split()[0]}-{stamp}"
    jp, mp = write_reports(doc, directory=args.reports_dir, stem=stem, json_path=args.json,
                           markdown_path=args.markdown)
    for e in load_errors:
        printer(f"!! could not load {e.location}: {e.message.splitlines()[0]}")
    bad = [r["id"] for r in results if not r["as_expected"]]
    printer(f"\n{len(results)} specs: {len(results) - len(bad)} as expected, {len(bad)} not"
            + (f" ({', '.join(bad)})" if bad else "") + f"\nreports: {jp}  {mp}")
    return 1 if bad or load_errors else 0


def main(argv: list[str] | None = None) -> int:
    from critlocus.core.runtime import limit_threads

    limit_threads()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            return _list(args)
        if args.command == "bench":
            from .bench import main as bench_main

            _certify_and_device(args)
            return bench_main(args)
        if args.examples < 1:
            parser.error(f"--examples must be positive, got {args.examples}")
        if args.jobs != "auto" and (not args.jobs.isdigit() or int(args.jobs) < 1):
            parser.error(f"--jobs must be 'auto' or a positive integer, got {args.jobs!r}")
        _certify_and_device(args)
        parse_ladder(args.ladder)
        printer = _Printer(args.quiet)
        if args.command == "verify":
            items, load_errors = builtin_specs()
            items = select(items, args.only)
            results = _run(items, args, printer)
            return _finish(results, load_errors, args, "verify", printer)
        items, load_errors = [], []
        for f in args.files:
            try:
                specs = load_spec_file(f)
            except CritlocusError as exc:
                load_errors.append(LoadError(str(f), str(exc)))
                continue
            items.extend((SpecRef("file", str(Path(f).resolve()), s.id), s) for s in specs)
        items = select(items, args.only) if items else items
        results = _run(items, args, printer)
        return _finish(results, load_errors, args, "check", printer)
    except CritlocusError as exc:
        print(f"critlocus: error: {exc}", file=sys.stderr)
        return 2


def _certify_and_device(args) -> None:
    """--certify adds the certified tier to the ladder; --device reaches worker processes
    through the environment (critlocus.core.float64 reads CRITLOCUS_DEVICE)."""
    if getattr(args, "certify", False):
        from critlocus.core.certify import require

        require()
        if "certified" not in args.ladder.split(","):
            args.ladder = "certified," + args.ladder
    if getattr(args, "device", None):
        from critlocus.core.float64 import set_device

        set_device(args.device)


def _list(args) -> int:
    if args.files:
        items = []
        for f in args.files:
            items.extend((None, s) for s in load_spec_file(f))
        errors: list[LoadError] = []
    else:
        items, errors = builtin_specs()
    items = select(items, args.only)
    for _, spec in items:
        print(f"{spec.id:<24} {spec.kind:<12} expected {spec.expected:<6} {spec.source}: "
              f"{spec.title or spec.statement}")
    for e in errors:
        print(f"!! {e.location}: {e.message.splitlines()[0]}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
