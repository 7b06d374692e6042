"""The ``critlocus`` command line: list, verify and check claims; replay and re-render reports."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

# Only light modules here: usage errors and unwritable outputs are refused before torch,
# Hypothesis and scipy load (≈2 s); the run machinery (registry, runner) loads when a run starts.
from critlocus.core.errors import CritlocusError, InvalidArgument
from critlocus.core.precision import parse_ladder

from .console import ProgressDisplay, results_text
from .output import new_run_dir, point_latest
from .report import build_document, run_timing, write_run
from .search import DEFAULT_SHRINK_SECONDS

if TYPE_CHECKING:
    from .registry import LoadError, SpecRef

EPILOG = """\
verdicts
  holds         every generated instance satisfies the claim (decided with evidence)
  fails         a counterexample was found, confirmed in high precision, and shrunk
  inconclusive  some instance could not be decided at any precision of the ladder
  error         the spec itself crashed (the message says why); other specs still run
  timeout       the spec ran past --timeout; its worker process was killed

exit status (docs/errors.md)
  0    every verdict equals its spec's expected outcome
  1    some verdict differs from its spec's expected outcome (e.g. a claim was refuted)
  2    bad command-line usage (unknown option or spec id, invalid value)
  3    a spec errored or timed out, or a spec file could not be loaded (others still ran)
  4    an output path cannot be written (checked before computing) or writing a report failed
  5    internal error in critlocus (a bug: please report it; --debug shows the traceback)
  130  interrupted (Ctrl-C): the results decided so far are saved as a partial report

output (docs/cli.md)
  stdout: the summary table, each counterexample (shrunk, in the theory's terms) with the
  command that replays it, each crash with the line of your file it came from, and the
  report's path.  stderr: progress (bars on a terminal, plain lines otherwise; --quiet
  silences it).  Reports: reports/<run-id>/{results.json,report.md,report.html}, and
  reports/latest points at the newest complete run.

examples
  critlocus list --json
  critlocus verify --only cooper.thm3 --json out.json
  critlocus verify --examples 500 --seed 7 --jobs 2
  critlocus check my_conjectures.py --examples 200 --timeout 600
  critlocus replay reports/latest/results.json --id mine.core-no-positive
  critlocus report reports/latest/results.json
  critlocus verify --executor dask://scheduler:8786
"""

EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, EXIT_SPEC_ERROR, EXIT_OUTPUT, EXIT_INTERNAL = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130
TIMEOUT = "timeout"
ERROR = "error"  # = critlocus.runner.ERROR (the runner loads with the run machinery)


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
                   help="specs checked in parallel processes ('auto': in-process unless the run is long "
                        "and cores are idle, then one per idle core; 1 = in-process)")
    p.add_argument("--json", type=Path, metavar="PATH", help="also write the JSON results here")
    p.add_argument("--markdown", type=Path, metavar="PATH", help="also write the Markdown report here")
    p.add_argument("--html", type=Path, metavar="PATH", help="also write the HTML report here")
    p.add_argument("--reports-dir", type=Path, default=Path("reports"), metavar="DIR",
                   help="directory for reports: each run writes DIR/<run-id>/ (default ./reports)")
    p.add_argument("--no-shrink", action="store_true", help="report the first counterexample unshrunk")
    p.add_argument("--shrink-time", type=_positive_float, default=DEFAULT_SHRINK_SECONDS, metavar="SECONDS",
                   help="time budget for shrinking one counterexample; past it the report says "
                        f"'partially shrunk' (default {DEFAULT_SHRINK_SECONDS:g})")
    p.add_argument("--no-plots", action="store_true", help="write reports without figures")
    p.add_argument("--timeout", type=_positive_float, metavar="SECONDS",
                   help="per-spec time limit; a spec past it is stopped (its worker process "
                        "killed) with verdict 'timeout' and the others go on")
    p.add_argument("--memory-limit", type=_positive_float, metavar="GIB",
                   help="per-worker address-space limit in GiB: a spec exceeding it ends as 'error'")
    p.add_argument("--executor", default="local", metavar="local|dask://ADDRESS",
                   help="where specs run: 'local' worker processes (default) or a Dask "
                        "distributed scheduler, e.g. dask://127.0.0.1:8786 (extra 'dask')")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output on stderr")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show Python tracebacks for errors (normally one line each)")
    p.add_argument("--certify", action="store_true",
                   help="decide exact counts (inertia, zero eigenvalues, critical points) with a "
                        "certified tier in ball arithmetic after float64 (needs python-flint: "
                        "pip install -e '.[certify]'); same as --ladder certified,DIGITS")
    p.add_argument("--device", default=None, metavar="DEVICE",
                   help="torch device of the float64 tier, e.g. cuda (default cpu)")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="critlocus",
        description=("Property-based theorem checking for the geometry of neural-network loss "
                     "landscapes: every claim is checked on generated instances, decided "
                     "float64-first with escalation to mpmath, and refuted only with a "
                     "high-precision, shrunk counterexample."),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true",
                        help="show Python tracebacks for errors (normally one line each)")
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
    p.add_argument("--scale", nargs="?", const="250,500,1000,2000,5000,10000", metavar="N,N,…",
                   help="instead: Hessian inertia by N, dense float64 vs HVP + eigsh Lanczos, time and "
                        "memory with ratios (critlocus.bench_scale; default sizes to N = 10^4)")
    p.add_argument("--json", type=Path, metavar="PATH", help="write the JSON record here")
    p.add_argument("--device", default=None, metavar="DEVICE", help="torch device of the float64 tier")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")


def _run_ref(args: tuple) -> dict:
    """Worker entry point: resolve a spec by reference and run it (picklable).

    Progress goes to the pool's callback as ``(spec_id, done, total)`` (a no-op on executors
    other than :class:`~critlocus.execution.WorkerPool`).
    """
    from .execution import report_progress
    from .registry import resolve
    from .runner import run_spec

    ref, examples, seed, digits, shrink, shrink_time = args
    return run_spec(resolve(ref), examples=examples, seed=seed, ladder=parse_ladder(digits),
                    shrink=shrink, progress=report_progress, command=_command_for(ref),
                    shrink_time=shrink_time).to_dict()


def _command_for(ref: SpecRef) -> str:
    """The shell command that runs the spec ``ref`` points to."""
    return f"critlocus check {ref.location}" if ref.origin == "file" else "critlocus verify"


def auto_jobs(n_specs: int, examples: int = 100, *, cpus: int | None = None,
              load: float | None = None) -> int:
    """The number of processes ``--jobs auto`` uses: the fastest choice on this machine.

    A fresh worker pays before its first spec the import of torch, critlocus and the catalogue
    and the first torch.func derivatives (≈6 s on an idle core, far more on a busy machine),
    and it only helps if a core is free for it.  Measured here (2 cores, shared): ``verify``
    of 2 specs × 20 instances took 15.6 s in one process and 38.2 s with two workers; 9 specs
    × 100 instances 42 s vs 63 s (load ≈ 8).  So: one in-process run unless there are at
    least 6 specs, at least 2000 instance checks in all, and at least two idle cores
    (``os.cpu_count()`` minus the 1-minute load average); then one worker per idle core.
    """
    cpus = cpus or os.cpu_count() or 1
    if load is None:
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):  # not on every platform
            load = 0.0
    idle = int(cpus - load)
    if n_specs < 6 or n_specs * examples < 2000 or idle < 2:
        return 1
    return min(idle, n_specs)


def _unfinished_result(spec, verdict: str, message: str, args, ladder, duration: float = 0.0) -> dict:
    """The record of a spec that produced no result of its own (timeout, dead worker)."""
    from .runner import SpecResult

    return SpecResult(spec=spec.describe(), verdict=verdict, examples=0, counts={}, evidence={},
                      seed=args.seed, ladder=[p.label for p in ladder], duration_s=duration,
                      error=message).to_dict()


class _RunState:
    """Results by spec index, filled as specs finish; ``interrupted`` after a Ctrl-C."""

    def __init__(self, n: int):
        self.by_index: dict[int, dict] = {}
        self.n = n
        self.interrupted = False
        self.jobs = 1

    def results(self) -> list[dict]:
        return [self.by_index[i] for i in sorted(self.by_index)]


def _jobs(args, n_specs: int) -> int:
    if args.jobs == "auto":
        return auto_jobs(n_specs, args.examples)
    return int(args.jobs)


def _run(items: list[tuple[SpecRef, object]], args, display: ProgressDisplay) -> _RunState:
    """Check every spec; a Ctrl-C stops the run and keeps what was decided (``interrupted``)."""
    from .runner import run_spec

    ladder = parse_ladder(args.ladder)
    state = _RunState(len(items))
    shrink = not args.no_shrink
    in_process = (args.executor == "local" and args.timeout is None and args.memory_limit is None
                  and (_jobs(args, len(items)) <= 1 or len(items) <= 1))
    try:
        if in_process:
            for i, (ref, spec) in enumerate(items):
                display.start(spec.id, spec.example_count(args.examples) + len(spec.examples))
                res = run_spec(spec, examples=args.examples, seed=args.seed, ladder=ladder, shrink=shrink,
                               progress=display.advance, command=_command_for(ref),
                               shrink_time=args.shrink_time)
                state.by_index[i] = res.to_dict()
                display.finish(state.by_index[i])
        else:
            _run_parallel(items, args, display, shrink, ladder, state)
    except KeyboardInterrupt:
        state.interrupted = True
    return state


def _run_parallel(items, args, display: ProgressDisplay, shrink: bool, ladder, state: _RunState) -> None:
    import threading

    from critlocus.core.batch import evaluate_batch

    from .execution import WorkerPool, make_executor, warm_up

    start = {i: time.perf_counter() for i in range(len(items))}
    lock = threading.Lock()  # progress arrives on the pool's thread, results on this one

    def progress(spec_id: str, done: int, total: int) -> None:
        with lock:
            display.advance(spec_id, done, total)

    def done(res) -> None:
        spec = items[res.index][1]
        if res.ok:
            state.by_index[res.index] = res.value
        else:  # the worker was killed (timeout) or died: this spec's verdict, the others go on
            verdict = TIMEOUT if res.status == "timeout" else ERROR
            state.by_index[res.index] = _unfinished_result(
                spec, verdict, f"{res.error}" + (f"\n{res.traceback}" if verdict == ERROR else ""),
                args, ladder, duration=time.perf_counter() - start[res.index])
        with lock:
            display.finish(state.by_index[res.index])

    payload = [(ref, args.examples, args.seed, args.ladder, shrink, args.shrink_time) for ref, _ in items]
    if args.executor == "local":
        jobs = max(1, min(_jobs(args, len(items)), len(items)))
        state.jobs = jobs
        memory = None if args.memory_limit is None else int(args.memory_limit * 2**30)
        display.log(f"checking {len(items)} specs in {jobs} worker processes ({args.examples} instances each"
                    + (f", timeout {args.timeout:g} s" if args.timeout else "") + ")")
        # warm_up: each worker pays its first-use costs once, so a timeout measures the spec
        executor = WorkerPool(jobs, timeout=args.timeout, memory_limit=memory, on_progress=progress,
                              preload=("critlocus.theorems",), initializer=warm_up)
        close = executor.shutdown
    else:
        executor, close = make_executor(args.executor)
        state.jobs = 0
        display.log(f"checking {len(items)} specs on {args.executor} ({args.examples} instances each)")
    try:
        evaluate_batch(_run_ref, payload, executor=executor, on_result=done)
    except BaseException:
        if isinstance(executor, WorkerPool):
            executor.terminate()
        raise
    finally:
        close()


def _settings(args) -> dict:
    """The run's settings (what determines its results; not --jobs, which never changes them)."""
    return {"examples": args.examples, "seed": args.seed, "ladder": f"float64,{args.ladder}",
            "shrink": not args.no_shrink, "shrink_time_s": args.shrink_time}


def _exit_code(results: list[dict], load_errors: list[LoadError], interrupted: bool) -> int:
    if interrupted:
        return EXIT_INTERRUPTED
    if load_errors or any(r["verdict"] in (ERROR, TIMEOUT) for r in results):
        return EXIT_SPEC_ERROR
    if any(not r["as_expected"] for r in results):
        return EXIT_UNEXPECTED
    return EXIT_OK


def _finish(state: _RunState, items, load_errors: list[LoadError], args, command: str,
            started: datetime, elapsed: float) -> int:
    results = state.results()
    not_run = [items[i][1].id for i in range(len(items)) if i not in state.by_index]
    errors = [{"location": e.location, "message": e.message} for e in load_errors]
    try:
        run_id, run_dir = new_run_dir(args.reports_dir, command)
        timing = run_timing(run_id=run_id, started=started, duration_s=elapsed, jobs=state.jobs)
        doc = build_document(results, command=command, settings=_settings(args), load_errors=errors,
                             timing=timing)
        if state.interrupted:
            doc["interrupted"] = True
            doc["summary"]["interrupted"] = True
            doc["not_run"] = not_run
        written = write_run(doc, run_dir, json_path=args.json, markdown_path=args.markdown,
                            html_path=args.html, plots=not args.no_plots and not state.interrupted)
        if results and not state.interrupted:  # 'latest' moves only for a complete run with results
            point_latest(args.reports_dir, run_dir)
    except (OSError, CritlocusError) as exc:
        print(f"critlocus: error: cannot write the report: {exc}", file=sys.stderr)
        return EXIT_OUTPUT
    results_path = str(args.json if args.json is not None else written["json"])
    if state.interrupted:  # one line, nothing else
        print(f"\ncritlocus: interrupted: {len(results)} of {len(items)} specs decided; partial report "
              f"{results_path}", file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED
    sys.stdout.write(results_text(doc, report_path=f"{written['html']} (also {written['markdown'].name}, "
                                                   f"{written['json'].name})",
                                  results_path=results_path))
    sys.stdout.flush()
    return _exit_code(results, load_errors, state.interrupted)


def _preflight(args) -> None:
    """Refuse unusable output paths and executors before any computation."""
    from .preflight import check_output_file, check_reports_dir

    check_reports_dir(args.reports_dir)
    for option, path in (("--json", args.json), ("--markdown", args.markdown), ("--html", args.html)):
        if path is not None:
            check_output_file(path, option=option)
    from .execution import parse_executor

    if parse_executor(args.executor)[0] == "dask":
        # both limits act on a local worker process (killed past --timeout; address-space rlimit);
        # a Dask task cannot be killed from the client, so refuse rather than ignore them
        for option, value, instead in (
                ("--timeout", args.timeout, "drop --timeout or use --executor local"),
                ("--memory-limit", args.memory_limit,
                 "set it on the workers instead: dask worker --memory-limit 4GiB")):
            if value is not None:
                raise InvalidArgument(f"{option} {value:g} is enforced on local worker processes only, "
                                      f"not with --executor {args.executor}: {instead}")


def main(argv: list[str] | None = None) -> int:
    from critlocus.core.runtime import limit_threads

    limit_threads()  # torch is limited when a run imports it; nothing heavy loads here
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _main(parser, args)
    except KeyboardInterrupt:  # outside a run (loading specs): nothing to save
        print("critlocus: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except CritlocusError as exc:
        from .preflight import OutputPathError

        _print_error(exc, args)
        return EXIT_OUTPUT if isinstance(exc, OutputPathError) else EXIT_USAGE
    except Exception as exc:  # a bug in critlocus itself
        _print_error(exc, args, internal=True)
        return EXIT_INTERNAL


def _print_error(exc: BaseException, args, *, internal: bool = False) -> None:
    """One line on stderr (the full traceback with ``--debug``)."""
    if getattr(args, "debug", False):
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    if internal:
        print(f"critlocus: internal error: {type(exc).__name__}: {first} (a bug in critlocus; "
              "--debug shows the traceback)", file=sys.stderr)
    else:
        print(f"critlocus: error: {first}", file=sys.stderr)


def _main(parser: argparse.ArgumentParser, args) -> int:
    if args.command == "list":
        return _list(args)
    if args.command == "replay":
        return _replay(args)
    if args.command == "report":
        return _report(args)
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
    _preflight(args)
    from .registry import builtin_specs, select

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
        state = _run(items, args, display)
    return _finish(state, items, load_errors, args, args.command, started, time.perf_counter() - t0)


def _load_files(files: list[Path]) -> tuple[list[tuple[SpecRef, object]], list[LoadError]]:
    from .registry import LoadError, SpecRef, load_spec_file

    items, load_errors = [], []
    for f in files:
        try:
            specs = load_spec_file(f)
        except CritlocusError as exc:
            load_errors.append(LoadError(str(f), str(exc)))
            continue
        items.extend((SpecRef("file", str(Path(f).resolve()), s.id), s) for s in specs)
    return items, load_errors


def _replay(args) -> int:
    from .replay import replay, replay_text

    result = replay(args.results, spec_id=args.spec_id, spec_file=args.spec_file, instance=args.instance)
    sys.stdout.write(replay_text(result))
    return EXIT_OK if result.reproduced else EXIT_UNEXPECTED


def _report(args) -> int:
    from .report import rerender

    written = rerender(args.results, out_dir=args.out, plots=not args.no_plots)
    print(f"report: {written['html']} (also {written['markdown'].name})")
    return EXIT_OK


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
    from .registry import builtin_specs, load_spec_file, select

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
