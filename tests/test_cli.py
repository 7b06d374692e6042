"""The command line: list, verify, check, report — exit codes, stdout/stderr, report layout."""

import json
import subprocess
import sys
import textwrap

import pytest

from critlocus.cli import auto_jobs, main

CONJECTURES = textwrap.dedent('''
    """A researcher's conjectures, in a file outside the repository: one false, one true."""
    from critlocus import Source, Spec, claims, strategies

    CORE = strategies.core_locus_instances(max_depth=5, max_width=6)

    NO_POSITIVE = Spec(
        id="mine.core-no-positive",
        source=Source("my notes", "Conjecture 1"),
        statement="Core points have no positive Hessian eigenvalue.",
        formula="p ∈ C  ⇒  n₊(Hess L(p)) = 0",
        instances=CORE,
        claim=claims.hessian_inertia(positive=0),
    )

    NO_NEGATIVE = Spec(
        id="mine.core-no-negative",
        source=Source("my notes", "Conjecture 2"),
        statement="Core points have no negative Hessian eigenvalue and are degenerate.",
        instances=CORE,
        claim=claims.hessian_inertia(negative=0, zero=claims.at_least(1)),
    )
''')


@pytest.fixture
def conjecture_file(tmp_path):
    f = tmp_path / "elsewhere" / "my_conjectures.py"
    f.parent.mkdir()
    f.write_text(CONJECTURES)
    return f


def test_help_explains_verdicts_exit_codes_and_output(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for word in ("verify", "check", "replay", "report", "inconclusive", "exit status", "stderr"):
        assert word in out


def test_list_shows_catalogue_and_json_listing(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "cooper.thm3.1" in out and "cooper.thm3.2" in out
    assert main(["list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    entry = next(e for e in listing if e["id"] == "cooper.thm3.2")
    assert entry["kind"] == "theorem" and entry["expected"] == "holds"
    assert entry["source"]["paper"].startswith("Cooper") and entry["source"]["result"] == "Theorem 3.2"


def test_list_json_of_a_conjecture_file_says_conjecture(conjecture_file, capsys):
    assert main(["list", "--files", str(conjecture_file), "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [(e["id"], e["kind"], e["expected"]) for e in listing] == [
        ("mine.core-no-positive", "conjecture", "holds"), ("mine.core-no-negative", "conjecture", "holds")]


def test_check_false_and_true_conjecture_stdout_has_counterexample_and_report(conjecture_file, tmp_path):
    """The must-show: exit non-zero; the false claim's shrunk counterexample and the report path
    on stdout; the true claim holds; progress only on stderr."""
    reports = tmp_path / "reports"
    proc = subprocess.run(
        [sys.executable, "-m", "critlocus.cli", "check", str(conjecture_file), "--examples", "15",
         "--seed", "5", "--reports-dir", str(reports), "--jobs", "1"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr
    out, err = proc.stdout, proc.stderr
    assert "Counterexample to mine.core-no-positive (shrunk" in out
    assert "architecture: widths 1-1-1-1" in out and "W_1 = 0" in out and "b_3 = ȳ" in out
    assert "mpmath-60: false" in out  # each tier's own status
    assert "critlocus replay" in out and "--id mine.core-no-positive" in out
    (run_dir,) = [p for p in reports.iterdir() if p.name.startswith("check-")]
    assert f"report: {run_dir / 'report.html'}" in out
    assert "ok mine.core-no-negative" in out and "holds" in out
    assert "checking" in err and "checking" not in out  # progress on stderr only
    doc = json.loads((run_dir / "results.json").read_text())
    verdicts = {r["id"]: r["verdict"] for r in doc["results"]}
    assert verdicts == {"mine.core-no-positive": "fails", "mine.core-no-negative": "holds"}
    assert {r["spec"]["kind"] for r in doc["results"]} == {"conjecture"}
    assert (reports / "latest" / "results.json").read_text() == (run_dir / "results.json").read_text()
    assert (run_dir / "report.md").exists() and (run_dir / "report.html").exists()


def test_counterexample_record_is_shrunk_and_reproducible(conjecture_file, tmp_path):
    out = tmp_path / "check.json"
    rc = main(["check", str(conjecture_file), "--only", "mine.core-no-positive", "--json", str(out),
               "--examples", "20", "--seed", "5", "--quiet", "--reports-dir", str(tmp_path / "reports"),
               "--no-plots"])
    assert rc == 1
    (res,) = json.loads(out.read_text())["results"]
    cx = res["counterexample"]
    inst = cx["instance"]
    assert inst["architecture"]["widths"] == [1, 1, 1, 1] and inst["data"]["d"] == 1
    assert inst["point"]["W_1"]["rule"] == "zero" and inst["point"]["b_3"]["rule"] == "mean_target"
    assert cx["shrink"] == {"status": "shrunk", "completed": True, "evaluations": cx["shrink"]["evaluations"],
                            "budget_s": 300.0}
    assert cx["reproduce"]["seed"] == 5
    assert cx["reproduce"]["hypothesis_blob"].startswith("@reproduce_failure(")
    assert cx["reproduce"]["command"].startswith(
        f"critlocus check {conjecture_file} --only mine.core-no-positive --seed 5")
    assert cx["outcome"]["tiers"][-1]["precision"] == "mpmath-60"
    # the search-again command finds the same counterexample
    again = tmp_path / "again.json"
    argv = cx["reproduce"]["command"].split()[1:]
    assert main([*argv, "--json", str(again), "--quiet", "--reports-dir", str(tmp_path), "--no-plots"]) == 1
    assert json.loads(again.read_text())["results"][0]["counterexample"]["instance"] == inst


def test_shrink_budget_reports_partial_shrinking(conjecture_file, tmp_path, capsys):
    out = tmp_path / "r.json"
    main(["check", str(conjecture_file), "--only", "mine.core-no-positive", "--examples", "20",
          "--seed", "5", "--shrink-time", "1e-9", "--json", str(out), "--quiet", "--reports-dir",
          str(tmp_path), "--no-plots"])
    cx = json.loads(out.read_text())["results"][0]["counterexample"]
    assert cx["shrink"]["status"] == "partially shrunk" and not cx["shrink"]["completed"]
    assert "shrinking was very slow" in cx["shrink"]["stopped_because"]
    assert "(partially shrunk" in capsys.readouterr().out
    md = (tmp_path / "latest" / "report.md").read_text()
    assert "Counterexample (partially shrunk)" in md and "a smaller counterexample may exist" in md


def test_verify_cooper_thm3_exits_zero_with_both_holding(tmp_path):
    out = tmp_path / "out.json"
    rc = subprocess.run(
        [sys.executable, "-m", "critlocus.cli", "verify", "--only", "cooper.thm3.1", "cooper.thm3.2",
         "--json", str(out), "--examples", "8", "--reports-dir", str(tmp_path / "reports"), "--quiet"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert rc.returncode == 0, rc.stderr
    assert rc.stderr == ""  # --quiet
    doc = json.loads(out.read_text())
    verdicts = {r["id"]: r["verdict"] for r in doc["results"]}
    assert verdicts == {"cooper.thm3.1": "holds", "cooper.thm3.2": "holds"}
    for r in doc["results"]:
        assert {"id", "verdict", "expected", "examples", "evidence", "timing"} <= set(r)
        assert r["examples"] == 8 and r["spec"]["kind"] == "theorem"
    (md,) = (tmp_path / "reports").glob("verify-*/report.md")
    text = md.read_text()
    assert "cooper.thm3.2" in text and "**2 specs — holds: 2.**" in text
    assert "Hessian inertia: n₊ = n_ℓ" in text


def test_invalid_spec_is_an_error_and_the_files_other_specs_run(tmp_path, capsys):
    f = tmp_path / "mixed.py"
    f.write_text(CONJECTURES.replace('claim=claims.hessian_inertia(positive=0),',
                                     'claim=lambda inst: True,\n    expected="maybe",'))
    out = tmp_path / "r.json"
    rc = main(["check", str(f), "--json", str(out), "--examples", "5", "--quiet", "--reports-dir",
               str(tmp_path), "--no-plots"])
    assert rc == 3  # a spec errored (docs/errors.md)
    results = {r["id"]: r for r in json.loads(out.read_text())["results"]}
    assert results["mine.core-no-negative"]["verdict"] == "holds"
    bad = results["mine.core-no-positive"]
    assert bad["verdict"] == "error" and "invalid spec" in bad["error"] and "claim must be" in bad["error"]
    assert "Error in mine.core-no-positive: invalid spec" in capsys.readouterr().out


def test_crashing_spec_shows_message_and_the_users_frame(tmp_path, capsys):
    f = tmp_path / "crashing.py"
    f.write_text(textwrap.dedent('''
        from critlocus import Source, Spec, claims, strategies

        def blows_up(instance, precision):
            raise ValueError("my tier function is broken")

        BOOM = Spec(id="mine.boom", source=Source("notes"), statement="crashes",
                    instances=strategies.star_locus_instances(max_depth=3, max_width=2),
                    claim=claims.custom("boom", blows_up))
    '''))
    rc = main(["check", str(f), "--examples", "3", "--quiet", "--reports-dir", str(tmp_path), "--no-plots"])
    assert rc == 3
    out = capsys.readouterr().out
    assert "Error in mine.boom: ValueError: my tier function is broken" in out
    assert f"at {f}:5 in blows_up" in out
    assert 'raise ValueError("my tier function is broken")' in out


def test_bad_file_is_reported_and_other_files_still_run(tmp_path):
    bad = tmp_path / "broken.py"
    bad.write_text("this is not python(\n")
    empty = tmp_path / "empty.py"
    empty.write_text("X = 1\n")
    good = tmp_path / "good.py"
    good.write_text(CONJECTURES.replace("positive=0", "negative=0"))
    out = tmp_path / "r.json"
    rc = main(["check", str(bad), str(empty), str(good), "--only", "mine.core-no-positive", "--json",
               str(out), "--examples", "5", "--quiet", "--reports-dir", str(tmp_path), "--no-plots"])
    assert rc == 3  # a file could not be loaded (docs/errors.md)
    doc = json.loads(out.read_text())
    assert [r["verdict"] for r in doc["results"]] == ["holds"]
    locations = [e["location"] for e in doc["load_errors"]]
    assert str(bad) in locations and str(empty) in locations
    messages = " ".join(e["message"] for e in doc["load_errors"])
    assert "SyntaxError" in messages and "no Spec objects found" in messages


def test_unknown_spec_id_is_a_clear_usage_error(capsys):
    assert main(["verify", "--only", "cooper.thm9.9", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "cooper.thm9.9" in err and "known ids" in err


@pytest.mark.parametrize("argv", [["verify", "--examples", "0"], ["verify", "--jobs", "-3"],
                                  ["verify", "--ladder", "60,30"], ["verify", "--shrink-time", "0"]])
def test_bad_options_are_rejected(argv, capsys):
    try:
        rc = main([*argv, "--quiet"])
    except SystemExit as exc:
        rc = exc.code
    assert rc == 2
    assert capsys.readouterr().err.strip()


def test_report_rerenders_markdown_and_html_from_results(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    rc = main(["verify", "--only", "cooper.thm3.2", "--examples", "5", "--quiet", "--jobs", "1",
               "--reports-dir", str(tmp_path / "reports")])
    assert rc == 0
    run_dir = (tmp_path / "reports" / "latest").resolve()
    for png in ("cooper.thm3.2-spectrum.png", "cooper.thm3.2-evidence.png"):
        data = (run_dir / "figures" / png).read_bytes()
        assert data[:4] == b"\x89PNG" and len(data) > 1000
    assert "](figures/cooper.thm3.2-spectrum.png)" in (run_dir / "report.md").read_text()
    capsys.readouterr()
    out_dir = tmp_path / "again"
    assert main(["report", str(run_dir / "results.json"), "--out", str(out_dir)]) == 0
    assert f"report: {out_dir / 'report.html'}" in capsys.readouterr().out
    html = (out_dir / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 2 and 'data-spec-id="cooper.thm3.2"' in html
    assert (out_dir / "report.md").read_text() == (run_dir / "report.md").read_text()


def test_report_of_a_non_results_file_is_a_clear_error(tmp_path, capsys):
    f = tmp_path / "x.json"
    f.write_text("[1, 2]")
    assert main(["report", str(f)]) == 2
    assert "not a critlocus results file" in capsys.readouterr().err


def test_auto_jobs_uses_one_process_unless_the_run_is_long_and_cores_are_idle():
    assert auto_jobs(2, 100, cpus=2, load=0.0) == 1  # few specs
    assert auto_jobs(9, 20, cpus=8, load=0.0) == 1  # little work
    assert auto_jobs(59, 100, cpus=2, load=0.0) == 2  # the catalogue on an idle machine
    assert auto_jobs(59, 100, cpus=2, load=1.5) == 1  # a busy machine: no idle core for a worker
    assert auto_jobs(30, 100, cpus=16, load=4.2) == 11
    assert auto_jobs(59, 100, cpus=1, load=0.0) == 1
