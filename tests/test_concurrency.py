"""Concurrent runs into one reports folder never mix or lose files.

Three ``critlocus verify`` processes with different seeds start together into the same
``--reports-dir``: each gets its own run directory (unique run id, exclusive ``mkdir``), every
file in it is complete (written atomically) and belongs to that run (its seed everywhere),
and ``latest`` points at one complete run.
"""

import json
import subprocess
import sys

SEEDS = (11, 22, 33)


def test_three_concurrent_runs_leave_three_complete_consistent_reports(tmp_path):
    reports = tmp_path / "reports"
    procs = [subprocess.Popen(
        [sys.executable, "-m", "critlocus.cli", "verify", "--only", "cooper.thm3.1", "--examples", "3",
         "--seed", str(seed), "--jobs", "1", "--quiet", "--no-plots", "--reports-dir", str(reports),
         "--json", str(tmp_path / f"seed{seed}.json")],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for seed in SEEDS]
    outputs = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, outputs):
        assert p.returncode == 0, err

    runs = sorted(d for d in reports.iterdir() if d.is_dir() and not d.is_symlink())
    assert len(runs) == 3, [d.name for d in reports.iterdir()]
    assert len({d.name for d in runs}) == 3
    seen = set()
    for run in runs:
        files = sorted(f.name for f in run.iterdir())
        assert {"results.json", "report.md", "report.html"} <= set(files), files
        assert not [f for f in files if f.endswith(".tmp")]  # no half-written file left behind
        doc = json.loads((run / "results.json").read_text())  # complete: parses
        seed = doc["settings"]["seed"]
        seen.add(seed)
        assert doc["timing"]["run_id"] == run.name
        assert [r["seed"] for r in doc["results"]] == [seed]
        assert doc["results"][0]["verdict"] == "holds"
        # the Markdown and HTML of a run describe that run, not another one
        for name in ("report.md", "report.html"):
            text = (run / name).read_text()
            assert run.name in text and f"seed = {seed}" in text, name
            assert all(f"seed = {other}" not in text for other in SEEDS if other != seed), name
        # the --json copy is the same document
        assert json.loads((tmp_path / f"seed{seed}.json").read_text()) == doc
    assert seen == set(SEEDS)
    latest = reports / "latest"
    assert latest.resolve() in {r.resolve() for r in runs}
    assert json.loads((latest / "results.json").read_text())["settings"]["seed"] in SEEDS
