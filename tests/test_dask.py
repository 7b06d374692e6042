"""A verification on a Dask distributed cluster gives the local run's results (timing aside)."""

import json

import pytest

from critlocus.cli import main
from critlocus.core.batch import evaluate_batch
from critlocus.core.errors import InvalidArgument
from critlocus.execution import parse_executor

distributed = pytest.importorskip("distributed")

TIMING_KEYS = {"timing", "duration_s", "created"}


def without_timing(value):
    """The document with every timing field removed (times, dates, durations)."""
    if isinstance(value, dict):
        return {k: without_timing(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [without_timing(v) for v in value]
    return value


@pytest.fixture(scope="module")
def cluster():
    # threads in this process: cheap to start, and the workers see the same files
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=1,
                                  dashboard_address=None) as c:
        yield c


def test_dask_run_equals_local_run(cluster, tmp_path):
    common = ["verify", "--only", "cooper.thm3.1", "cooper.thm3.2", "--examples", "6", "--seed", "4",
              "--quiet", "--reports-dir", str(tmp_path / "reports")]
    assert main([*common, "--jobs", "1", "--json", str(tmp_path / "local.json")]) == 0
    assert main([*common, "--executor", f"dask://{cluster.scheduler_address}",
                 "--json", str(tmp_path / "dask.json")]) == 0
    local = json.loads((tmp_path / "local.json").read_text())
    remote = json.loads((tmp_path / "dask.json").read_text())
    assert [r["id"] for r in remote["results"]] == ["cooper.thm3.1", "cooper.thm3.2"]
    assert all(r["verdict"] == "holds" and r["examples"] == 6 for r in remote["results"])
    assert without_timing(remote["results"]) == without_timing(local["results"])


def square(x):
    return x * x


def test_evaluate_batch_on_a_dask_executor(cluster):
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        results = evaluate_batch(square, range(5), executor=client.get_executor())
    assert [r.value for r in results] == [0, 1, 4, 9, 16]
    assert all(r.status == "ok" for r in results)


@pytest.mark.parametrize("text,expected", [("local", ("local", None)),
                                           ("dask://10.0.0.1:8786", ("dask", "tcp://10.0.0.1:8786")),
                                           ("dask://tls://h:1", ("dask", "tls://h:1"))])
def test_executor_names(text, expected):
    assert parse_executor(text) == expected


@pytest.mark.parametrize("text", ["dask://", "dask:/x", "threads", ""])
def test_bad_executor_is_refused_before_computing(text, tmp_path, capsys):
    with pytest.raises(InvalidArgument, match="local"):
        parse_executor(text)
    assert main(["verify", "--executor", text, "--reports-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("critlocus: error: --executor") and "\n" not in err


def test_unreachable_scheduler_is_one_line(tmp_path, capsys):
    rc = main(["verify", "--only", "cooper.thm3.1", "--executor", "dask://127.0.0.1:1", "--quiet",
               "--reports-dir", str(tmp_path)])
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert "cannot connect to the Dask scheduler" in err and "\n" not in err


@pytest.mark.parametrize("option", [["--timeout", "5"], ["--memory-limit", "2"]])
def test_local_only_limits_are_refused_with_dask_before_connecting(tmp_path, capsys, option):
    rc = main(["verify", "--only", "cooper.thm3.1", "--executor", "dask://127.0.0.1:1", "--quiet",
               "--reports-dir", str(tmp_path), *option])
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert option[0] in err and "local worker processes only" in err and "\n" not in err
    assert not any(tmp_path.iterdir())  # refused before any computation or report
