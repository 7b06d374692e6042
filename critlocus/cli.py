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

from .console import ProgressDisplay, results_text
from .output import new_run_dir, point_latest
from .registry import LoadError, SpecRef, builtin_specs, load_spec_file, resolve, select
from .report import build_document, run_timing, write_run
from .runner import SpecResult, run_spec
from .search import DEFAULT_SHRINK_SECONDS

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
  critlocus replay reports/latest/results.json --id mine.core-no-positive
  critlocus report reports/latest/results.json

output
  stdout: the summary table, each counterexample (shrunk, in the theory's terms) with the
  command that replays it, each crash with the line of your file it came from, and the
  report's path.  stderr: progress (bars on a terminal, plain lines otherwise; --quiet
  silences it).  Reports: reports/<run-id>/{results.json,report.md,report.html}, and
  reports/latest points at the newest run.
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
                   help="specs checked in parallel processes ('auto': one process for a few specs, "
                        "else one per core; 1 = in-process)")
    p.add_argument("--json", type=Path, metavar="PATH", help="also write the JSON results here")
    p.add_argument("--markdown", type=Path, metavar="PATH", help="also write the Markdown report here")
    p.add_argument("--html", type=Path, metavar="PATH", help="also write the HTML report here")
    p.add_argument("--reports-dir", type=Path, default=Path("reports"), metavar="DIR",
                   help="directory for reports: each run writes DIR/<run-id>/ (default ./reports)")
    p.add_argument("--no-shrink", action="store_true", help="report the first counterexample unshrunk")
    p.add_argument("--shrink-time", type=float, default=DEFAULT_SHRINK_SECONDS, metavar="SECONDS",
                   help="time budget for shrinking one counterexample; past it the report says "
                        f"'partially shrunk' (default {DEFAULT_SHRINK_SECONDS:g})")
    p.add_argument("--no-plots", action="store_true", help="write reports without figures")
    p.add_argument("--quiet", action="store_true", help="no progress output on stderr")


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
    p_list.add_argument("--json", action="store_true",
                        help="print a JSON list of {id, source, kind, expected, title}")
    p_verify = sub.add_parser("verify", help="verify the catalogue's claims and write a report",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_run_options(p_verify)
    p_check = sub.add_parser("check", help="check the specs of conjecture files (any .py files)",
                             epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p_check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    _add_run_options(p_check)
    p_replay = sub.add_parser("replay",
                              help="rebuild a reported counterexample from its JSON and decide it again",
                              description="Rebuild the counterexample (or an inconclusive instance) of a "
                                          "result from the results JSON alone and decide the spec's claim on "
                                          "it again, up the same precision ladder.  Exit 0 when the verdict "
                                          "is reproduced.")
    p_replay.add_argument("results", type=Path, metavar="RESULTS.json")
    p_replay.add_argument("--id", dest="spec_id", metavar="ID", help="which result (needed when several)")
    p_replay.add_argument("--spec-file", type=Path, metavar="FILE",
                          help="the spec file defining the claim, if it moved since the run")
    p_replay.add_argument("--instance", type=int, metavar="K",
                          help="replay the K-th recorded inconclusive instance instead")
    p_report = sub.add_parser("report", help="re-render the Markdown and HTML report of a results file")
    p_report.add_argument("results", type=Path, metavar="RESULTS.json")
    p_report.add_argument("--out", type=Path, metavar="DIR", help="where to write (default: beside the JSON)")
    p_report.add_argument("--no-plots", action="store_true", help="without figures")
    return parser


_EVENTS = None  # a worker's queue for progress events (set by _worker_init)


def _worker_init(events) -> None:
    """Initializer of a worker process: one BLAS thread, and the progress queue."""
    global _EVENTS
    from critlocus.core.runtime import limit_threads

    limit_threads()
    _EVENTS = events


def _run_ref(args: tuple) -> dict:
    """Worker entry point: resolve a spec by reference and run it (picklable).

    Progress goes to the worker's queue as ``(spec_id, done, total)``.
    """
    ref, examples, seed, digits, shrink, shrink_time = args

    def progress(spec_id: str, done: int, total: int) -> None:
        if _EVENTS is not None:
            _EVENTS.put((spec_id, done, total))

    return run_spec(resolve(ref), examples=examples, seed=seed, ladder=parse_ladder(digits),
                    shrink=shrink, progress=progress, command=_command_for(ref),
                    shrink_time=shrink_time).to_dict()


def _command_for(ref: SpecRef) -> str:
    """The shell command that runs the spec ``ref`` points to."""
    return f"critlocus check {ref.location}" if ref.origin == "file" else "critlocus verify"


def auto_jobs(n_specs: int, cpus: int | None = None) -> int:
    """The number of processes ``--jobs auto`` uses.

    A spawned worker pays before its first spec the import of torch and critlocus (≈2.7 s on
    an idle core here) and the first torch.func gradient and Hessian (≈3.2 s): ≈6 s, twice
    that on a busy machine.  Measured on 2 cores, two workers were slower than one process
    for the two specs of ``critlocus verify`` (32 s vs 19 s).  So: one in-process run for
    fewer than 6 specs, else one worker per core (at most one per spec).
    """
    cpus = cpus or os.cpu_count() or 1
    if n_specs < 6 or cpus < 2:
        return 1
    return min(cpus, n_specs)


def _run(items: list[tuple[SpecRef, object]], args, display: ProgressDisplay) -> tuple[list[dict], int]:
    ladder = parse_ladder(args.ladder)
    jobs = auto_jobs(len(items)) if args.jobs == "auto" else int(args.jobs)
    jobs = max(1, min(jobs, len(items)))
    shrink = not args.no_shrink
    results: list[dict] = []
    if jobs <= 1:
        for ref, spec in items:
            display.start(spec.id, spec.example_count(args.examples) + len(getattr(spec, "examples", ())))
            res = run_spec(spec, examples=args.examples, seed=args.seed, ladder=ladder, shrink=shrink,
                           progress=display.advance, command=_command_for(ref), shrink_time=args.shrink_time)
            results.append(res.to_dict())
            display.finish(results[-1])
        return results, 1
    return _run_parallel(items, args, display, jobs, shrink, ladder), jobs


def _run_parallel(items, args, display: ProgressDisplay, jobs: int, shrink: bool, ladder) -> list[dict]:
    import multiprocessing
    import queue as queue_mod
    import threading
    from concurrent.futures import ProcessPoolExecutor

    from critlocus.core.batch import evaluate_batch

    display.log(f"checking {len(items)} specs in {jobs} processes ({args.examples} instances each)")
    ctx = multiprocessing.get_context("spawn")
    events = ctx.Queue()  # inherited by the workers at start: no manager process (and no extra import)
    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init,
                                   initargs=(events,))
    payload = [(ref, args.examples, args.seed, args.ladder, shrink, args.shrink_time) for ref, _ in items]
    by_index: dict[int, dict] = {}
    stop = threading.Event()
    lock = threading.Lock()

    def drain() -> None:  # live progress from the workers
        while not stop.is_set():
            try:
                spec_id, done, total = events.get(timeout=0.2)
            except (queue_mod.Empty, EOFError, OSError):
                continue
            with lock:
                display.advance(spec_id, done, total)

    def done(res) -> None:
        if res.ok:
            by_index[res.index] = res.value
        else:  # the worker crashed: an error result, the other specs go on
            spec = items[res.index][1]
            by_index[res.index] = SpecResult(
                spec=spec.describe(), verdict="error", examples=0, counts={}, evidence={},
                seed=args.seed, ladder=[p.label for p in ladder], duration_s=0.0,
                error=f"{res.error}\n{res.traceback}").to_dict()
        with lock:
            display.finish(by_index[res.index])

    watcher = threading.Thread(target=drain, daemon=True)
    watcher.start()
    try:
        evaluate_batch(_run_ref, payload, executor=executor, on_result=done)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        stop.set()
        watcher.join(timeout=1.0)
        events.close()
    return [by_index[i] for i in range(len(items))]


def _settings(args) -> dict:
    """The run's settings (what determines its results; not --jobs, which never changes them)."""
    return {"examples": args.examples, "seed": args.seed, "ladder": f"float64,{args.ladder}",
            "shrink": not args.no_shrink, "shrink_time_s": args.shrink_time}


def _finish(results: list[dict], load_errors: list[LoadError], args, command: str,
            started: datetime, elapsed: float, jobs: int) -> int:
    errors = [{"location": e.location, "message": e.message} for e in load_errors]
    run_id, run_dir = new_run_dir(args.reports_dir, command)
    timing = run_timing(run_id=run_id, started=started, duration_s=elapsed, jobs=jobs)
    doc = build_document(results, command=command, settings=_settings(args), load_errors=errors,
                         timing=timing)
    written = write_run(doc, run_dir, json_path=args.json, markdown_path=args.markdown,
                        html_path=args.html, plots=not args.no_plots)
    point_latest(args.reports_dir, run_dir)
    results_path = str(args.json if args.json is not None else written["json"])
    sys.stdout.write(results_text(doc, report_path=f"{written['html']} (also {written['markdown'].name}, "
                                                   f"{written['json'].name})",
                                  results_path=results_path))
    sys.stdout.flush()
    bad = [r["id"] for r in results if not r["as_expected"]]
    return 1 if bad or load_errors else 0


def _load_files(files: list[Path]) -> tuple[list[tuple[SpecRef, object]], list[LoadError]]:
    items, load_errors = [], []
    for f in files:
        try:
            specs = load_spec_file(f)
        except CritlocusError as exc:
            load_errors.append(LoadError(str(f), str(exc)))
            continue
        items.extend((SpecRef("file", str(Path(f).resolve()), s.id), s) for s in specs)
    return items, load_errors


def main(argv: list[str] | None = None) -> int:
    from critlocus.core.runtime import limit_threads

    limit_threads()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            return _list(args)
        if args.command == "replay":
            return _replay(args)
        if args.command == "report":
            return _report(args)
        if args.examples < 1:
            parser.error(f"--examples must be positive, got {args.examples}")
        if args.jobs != "auto" and (not args.jobs.isdigit() or int(args.jobs) < 1):
            parser.error(f"--jobs must be 'auto' or a positive integer, got {args.jobs!r}")
        if not args.shrink_time > 0:
            parser.error(f"--shrink-time must be a positive number of seconds, got {args.shrink_time}")
        parse_ladder(args.ladder)
        started = datetime.now(UTC)
        t0 = time.perf_counter()
        if args.command == "verify":
            items, load_errors = builtin_specs()
            items = select(items, args.only)
        else:
            items, load_errors = _load_files(args.files)
            items = select(items, args.only) if items else items
        with ProgressDisplay(len(items), quiet=args.quiet) as display:
            for e in load_errors:
                display.log(f"!! could not load {e.location}: {e.message.splitlines()[0]}")
            results, jobs = _run(items, args, display) if items else ([], 1)
        return _finish(results, load_errors, args, args.command, started, time.perf_counter() - t0, jobs)
    except CritlocusError as exc:
        print(f"critlocus: error: {exc}", file=sys.stderr)
        return 2


def _replay(args) -> int:
    from .replay import replay, replay_text

    result = replay(args.results, spec_id=args.spec_id, spec_file=args.spec_file, instance=args.instance)
    sys.stdout.write(replay_text(result))
    return 0 if result.reproduced else 1


def _report(args) -> int:
    from .report import rerender

    written = rerender(args.results, out_dir=args.out, plots=not args.no_plots)
    print(f"report: {written['html']} (also {written['markdown'].name})")
    return 0


def _list(args) -> int:
    if args.files:
        items = []
        for f in args.files:
            items.extend((None, s) for s in load_spec_file(f))
        errors: list[LoadError] = []
    else:
        items, errors = builtin_specs()
    items = select(items, args.only)
    if args.json:
        import json

        listing = [{"id": s.id, "source": s.source.to_dict(), "kind": s.kind, "expected": s.expected,
                    "title": s.title or s.statement, **({"invalid": s.invalid} if s.invalid else {})}
                   for _, s in items]
        print(json.dumps(listing, indent=2, ensure_ascii=False))
    else:
        for _, spec in items:
            print(f"{spec.id:<24} {spec.kind:<12} expected {spec.expected:<6} {spec.source}: "
                  f"{spec.title or spec.statement}")
    for e in errors:
        print(f"!! {e.location}: {e.message.splitlines()[0]}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
