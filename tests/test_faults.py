"""Fault isolation: a spec that raises, hangs, exhausts memory or kills its worker gets its own
verdict (``error`` or ``timeout``) and every other spec still gets its verdict and report; a
Ctrl-C saves what was decided as a valid partial report marked ``interrupted``."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from critlocus.cli import main
from critlocus.core.errors import InvalidArgument
from critlocus.execution import TaskTimeout, WorkerDied, WorkerPool, report_progress

FAULTY_SPECS = textwrap.dedent('''
    """Specs that misbehave in every way a worker can, and two that behave."""
    import os
    import signal
    import time

    from critlocus import Source, Spec, claims, strategies

    SMALL = strategies.star_locus_instances(max_depth=3, max_width=2, max_outputs=1, max_data=2)
    SOURCE = Source("critlocus test suite", "fault isolation")


    def _raise(instance, precision):
        raise RuntimeError("deliberate failure in a claim")


    def _hang(instance, precision):
        time.sleep(600)


    def _exhaust_memory(instance, precision):
        import numpy as np

        chunks = []
        while True:  # address space only (np.empty never touches the pages)
            chunks.append(np.empty(2**27))


    def _kill_own_worker(instance, precision):
        os.kill(os.getpid(), signal.SIGKILL)


    def spec(name, claim):
        return Spec(id=f"faults.{name}", source=SOURCE, statement=f"{name} spec", instances=SMALL,
                    claim=claim)


    NORMAL_A = spec("normal-a", claims.is_critical())
    RAISES = spec("raises", claims.custom("raises", _raise))
    HANGS = spec("hangs", claims.custom("hangs", _hang))
    NORMAL_B = spec("normal-b", claims.is_critical())
    EXHAUSTS = spec("exhausts-memory", claims.custom("exhausts memory", _exhaust_memory))
    DIES = spec("kills-its-worker", claims.custom("kills its worker", _kill_own_worker))
''')


def test_faulty_specs_get_their_own_verdicts_and_the_others_hold(tmp_path, capsys):
    f = tmp_path / "faulty.py"
    f.write_text(FAULTY_SPECS)
    out = tmp_path / "faults.json"
    start = time.monotonic()
    rc = main(["check", str(f), "--jobs", "2", "--timeout", "10", "--memory-limit", "4", "--examples", "3",
               "--json", str(out), "--reports-dir", str(tmp_path / "reports")])
    elapsed = time.monotonic() - start
    assert rc == 3  # the exit code says specs errored or timed out (docs/errors.md)
    doc = json.loads(out.read_text())
    by_id = {r["id"]: r for r in doc["results"]}
    assert list(by_id) == ["faults.normal-a", "faults.raises", "faults.hangs", "faults.normal-b",
                           "faults.exhausts-memory", "faults.kills-its-worker"]  # spec order kept
    assert by_id["faults.normal-a"]["verdict"] == by_id["faults.normal-b"]["verdict"] == "holds"
    assert by_id["faults.normal-a"]["examples"] == 3
    assert by_id["faults.raises"]["verdict"] == "error"
    assert "deliberate failure in a claim" in by_id["faults.raises"]["error"]
    assert by_id["faults.hangs"]["verdict"] == "timeout"
    assert "10 s timeout" in by_id["faults.hangs"]["error"]
    assert by_id["faults.exhausts-memory"]["verdict"] == "error"
    assert "MemoryError" in by_id["faults.exhausts-memory"]["error"]
    assert by_id["faults.kills-its-worker"]["verdict"] == "error"
    assert "SIGKILL" in by_id["faults.kills-its-worker"]["error"]
    assert all(not by_id[i]["as_expected"] for i in by_id if "normal" not in i)
    assert elapsed < 120  # the hung spec was stopped, not waited for
    captured = capsys.readouterr()
    assert "Error in faults.raises: RuntimeError: deliberate failure in a claim" in captured.out
    assert "Error in faults.hangs: TaskTimeout: ran past its 10 s timeout" in captured.out
    assert "timeout" in captured.err  # the progress line of the hung spec
    assert "Traceback" not in captured.out + captured.err


# --- the pool itself ------------------------------------------------------------------------


def square(x):
    report_progress("square", x)
    return x * x


def sleep_then(x):
    time.sleep(x)
    return x


def die(_):
    os.kill(os.getpid(), signal.SIGKILL)


def fail(x):
    raise ValueError(f"bad {x}")


def test_pool_isolates_timeouts_deaths_and_errors_and_stays_warm():
    seen = []
    with WorkerPool(2, on_progress=lambda *p: seen.append(p)) as pool:
        assert [f.result() for f in [pool.submit(square, i) for i in range(4)]] == [0, 1, 4, 9]
        assert sorted(seen) == [("square", i) for i in range(4)]
        assert pool.spawned == 2  # warm: four tasks, two processes
        hung = pool.submit_task(sleep_then, (600,), timeout=1.5)
        dead = pool.submit(die, 0)
        bad = pool.submit(fail, 7)
        fine = pool.submit(square, 5)
        with pytest.raises(TaskTimeout, match=r"1\.5 s timeout"):
            hung.result()
        with pytest.raises(WorkerDied, match="SIGKILL"):
            dead.result()
        with pytest.raises(Exception, match="ValueError: bad 7"):
            bad.result()
        assert fine.result() == 25
        assert pool.submit(square, 6).result() == 36  # killed workers were replaced
        assert pool.spawned >= 3


def test_pool_terminate_cancels_running_and_pending_tasks():
    pool = WorkerPool(1)
    running = pool.submit(sleep_then, 600)
    pending = pool.submit(square, 2)
    time.sleep(0.5)
    t = time.monotonic()
    pool.terminate()
    assert time.monotonic() - t < 10
    for fut in (running, pending):
        assert fut.done()
        with pytest.raises(BaseException):  # noqa: B017 (cancelled, whichever way it was stopped)
            fut.result()


@pytest.mark.parametrize("kwargs", [{"timeout": 0}, {"timeout": -1.0}, {"timeout": "10"},
                                    {"memory_limit": 1000}, {"max_workers": 0}])
def test_pool_rejects_bad_arguments(kwargs):
    args = {"max_workers": 1, **kwargs}
    with pytest.raises(InvalidArgument):
        WorkerPool(**args)


# --- Ctrl-C ---------------------------------------------------------------------------------

INTERRUPTIBLE = textwrap.dedent('''
    import time

    from critlocus import Source, Spec, claims, strategies

    SMALL = strategies.star_locus_instances(max_depth=3, max_width=2, max_outputs=1, max_data=2)


    def _slow(instance, precision):
        time.sleep(600)


    QUICK = Spec(id="ctrlc.quick", source=Source("test"), statement="quick", instances=SMALL,
                 claim=claims.is_critical())
    SLOW = Spec(id="ctrlc.slow", source=Source("test"), statement="slow", instances=SMALL,
                claim=claims.custom("slow", _slow))
''')


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_saves_a_valid_partial_report(tmp_path, jobs):
    f = tmp_path / "specs.py"
    f.write_text(INTERRUPTIBLE)
    out = tmp_path / "partial.json"
    reports = tmp_path / "reports"
    proc = subprocess.Popen(
        [sys.executable, "-m", "critlocus.cli", "check", str(f), "--jobs", jobs, "--examples", "3",
         "--json", str(out), "--reports-dir", str(reports)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)  # its own process group, as on a terminal
    lines = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:  # wait until the quick spec is decided
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if "ctrlc.quick" in line and "holds" in line:
            break
    assert any("ctrlc.quick" in x for x in lines), "".join(lines)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest
    said = [x for x in rest.splitlines() if x.strip() and not x.startswith("  ")]  # not progress
    assert len(said) == 1, rest  # one line
    assert "interrupted" in rest and "1 of 2 specs decided" in rest
    doc = json.loads(out.read_text())
    assert doc["interrupted"] is True and doc["not_run"] == ["ctrlc.slow"]
    assert [(r["id"], r["verdict"]) for r in doc["results"]] == [("ctrlc.quick", "holds")]
    assert not (reports / "latest").exists()  # a partial run does not move 'latest'
    assert (out.parent / "reports").is_dir() and doc["not_run"]


# --- unwritable outputs are refused before any computation ------------------------------------


def _read_only_prefix(directory) -> list[str] | None:
    """A command prefix that runs its command with ``directory`` read-only, or None."""
    import shutil

    if os.geteuid() != 0:  # permissions bind a normal user
        directory.chmod(0o555)
        return []
    if shutil.which("unshare") is None:
        return None
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    d = str(directory)
    script = f'mount --bind "{d}" "{d}" && mount -o remount,bind,ro "{d}" && exec "$@"'
    return ["unshare", "-rm", "sh", "-c", script, "sh"]


_HEAVY = ("torch", "hypothesis", "scipy", "mpmath")
_REPORT_MODULES = ("import sys, critlocus.cli as cli\n"
                   "try:\n    rc = cli.main(sys.argv[1:])\nexcept SystemExit as e:\n    rc = e.code\n"
                   f"print(','.join(m for m in {_HEAVY!r} if m in sys.modules) or 'none')\nsys.exit(rc)")


@pytest.mark.parametrize("argv, rc", [
    (["verify", "--reports-dir", "{blocker}/x"], 4),
    (["check", "{blocker}", "--json", "{blocker}/x.json"], 4),
    (["verify", "--examples", "0"], 2),
    (["verify", "--ladder", "60,30"], 2),
    (["verify", "--reports-dir", "{tmp}/r", "--executor", "threads"], 2),
])
def test_refusals_happen_before_torch_hypothesis_or_scipy_load(tmp_path, argv, rc):
    """A bad path or option is refused by the light part of the command line: the process that
    prints the one-line error never imported the numerics (a cost of seconds, issue 9)."""
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    argv = [a.format(blocker=blocker, tmp=tmp_path) for a in argv]
    proc = subprocess.run([sys.executable, "-c", _REPORT_MODULES, *argv], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == rc, proc.stderr
    said = proc.stderr.strip().splitlines()
    assert said[-1].startswith("critlocus: error:"), proc.stderr  # argparse's usage line may precede
    assert len([x for x in said if not x.startswith("usage:")]) == 1, proc.stderr
    assert proc.stdout.strip() == "none", f"loaded before refusing: {proc.stdout.strip()}"


def test_read_only_reports_dir_fails_at_once_with_one_line(tmp_path):
    ro = tmp_path / "readonly"
    ro.mkdir()
    prefix = _read_only_prefix(ro)
    if prefix is None:
        pytest.skip("no way to make a read-only directory here (root without user namespaces)")
    proc = subprocess.run([*prefix, sys.executable, "-c", _REPORT_MODULES, "verify",
                           "--reports-dir", str(ro)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.strip().count("\n") == 0, proc.stderr  # one line
    assert proc.stderr.startswith(f"critlocus: error: --reports-dir {str(ro)!r} is not writable")
    assert "Read-only file system" in proc.stderr or "Permission denied" in proc.stderr
    assert not any(ro.iterdir())
    assert proc.stdout.strip() == "none", f"loaded before refusing: {proc.stdout.strip()}"  # no torch etc.


@pytest.mark.parametrize("option", ["--reports-dir", "--json", "--markdown", "--html"])
def test_unwritable_output_is_refused_before_loading_any_spec(tmp_path, capsys, monkeypatch, option):
    import critlocus.registry

    def no_specs(*args, **kwargs):
        raise AssertionError("specs were loaded before the output paths were checked")

    monkeypatch.setattr(critlocus.registry, "builtin_specs", no_specs)
    monkeypatch.setattr(critlocus.registry, "load_spec_file", no_specs)
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    others = [] if option == "--reports-dir" else ["--reports-dir", str(tmp_path / "reports")]
    rc = main(["verify", option, str(blocker / "x"), *others])
    assert rc == 4  # checked first: no spec was loaded or run
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"critlocus: error: {option}") and "is a file, not a directory" in err
    assert "\n" not in err
