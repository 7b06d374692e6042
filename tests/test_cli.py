"""The command line: list, verify, check — exit codes, JSON and Markdown reports."""

import json
import subprocess
import sys
import textwrap

import pytest

from critlocus.cli import main

CONJECTURE = textwrap.dedent('''
    """A researcher's (false) conjecture, in a file outside the repository."""
    from critlocus import Source, Spec, claims, strategies

    SPEC = Spec(
        id="mine.core-no-positive",
        source=Source("my notes", "Conjecture 1"),
        statement="Core points have no positive Hessian eigenvalue.",
        formula="p ∈ C  ⇒  n₊(Hess L(p)) = 0",
        instances=strategies.core_locus_instances(max_depth=5, max_width=6),
        claim=claims.hessian_inertia(positive=0),
    )
''')


def test_help_explains_verdicts_and_exit_codes(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for word in ("verify", "check", "inconclusive", "exit status"):
        assert word in out


def test_list_shows_catalogue(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "cooper.thm3.1" in out and "cooper.thm3.2" in out


def test_verify_cooper_thm3_exits_zero_with_both_holding(tmp_path):
    out = tmp_path / "out.json"
    rc = subprocess.run(
        [sys.executable, "-m", "critlocus.cli", "verify", "--only", "cooper.thm3.1", "cooper.thm3.2",
         "--json", str(out), "--examples", "15", "--reports-dir", str(tmp_path / "reports")],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert rc.returncode == 0, rc.stderr
    doc = json.loads(out.read_text())
    verdicts = {r["id"]: r["verdict"] for r in doc["results"]}
    assert verdicts == {"cooper.thm3.1": "holds", "cooper.thm3.2": "holds"}
    for r in doc["results"]:
        assert {"id", "verdict", "expected", "examples", "evidence"} <= set(r)
        assert r["examples"] == 15
    md = list((tmp_path / "reports").glob("verify-*.md"))
    assert md and "cooper.thm3.2" in md[0].read_text()
    assert (tmp_path / "reports" / "latest.json").exists()


def test_check_conjecture_file_outside_repo_reports_shrunk_counterexample(tmp_path):
    f = tmp_path / "elsewhere" / "my_conjecture.py"
    f.parent.mkdir()
    f.write_text(CONJECTURE)
    out = tmp_path / "check.json"
    rc = main(["check", str(f), "--json", str(out), "--examples", "20", "--seed", "5", "--quiet",
               "--reports-dir", str(tmp_path / "reports")])
    assert rc == 1  # the conjecture was expected to hold and was refuted
    doc = json.loads(out.read_text())
    (res,) = doc["results"]
    assert res["id"] == "mine.core-no-positive" and res["verdict"] == "fails"
    cx = res["counterexample"]
    inst = cx["instance"]
    assert inst["architecture"]["widths"] == [1, 1, 1, 1]
    assert inst["activation"]["name"] and inst["data"]["d"] == 1
    assert inst["point"]["W_1"]["rule"] == "zero" and inst["point"]["b_3"]["rule"] == "mean_target"
    assert cx["reproduce"]["seed"] == 5
    assert cx["reproduce"]["command"].startswith(f"critlocus check {f} --only mine.core-no-positive --seed 5")
    assert cx["outcome"]["tiers"][-1]["precision"] == "mpmath-60"


def test_bad_file_is_reported_and_other_files_still_run(tmp_path, capsys):
    bad = tmp_path / "broken.py"
    bad.write_text("this is not python(\n")
    empty = tmp_path / "empty.py"
    empty.write_text("X = 1\n")
    good = tmp_path / "good.py"
    good.write_text(CONJECTURE.replace("positive=0", "negative=0"))
    out = tmp_path / "r.json"
    rc = main(["check", str(bad), str(empty), str(good), "--json", str(out), "--examples", "5",
               "--quiet", "--reports-dir", str(tmp_path)])
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
                                  ["verify", "--ladder", "60,30"]])
def test_bad_options_are_rejected(argv, capsys):
    try:
        rc = main([*argv, "--quiet"])
    except SystemExit as exc:
        rc = exc.code
    assert rc == 2
    assert capsys.readouterr().err.strip()


def test_reports_embed_evidence_plots(tmp_path):
    pytest.importorskip("matplotlib")
    rc = main(["verify", "--only", "cooper.thm3.1", "--examples", "5", "--quiet", "--jobs", "1",
               "--reports-dir", str(tmp_path)])
    assert rc == 0
    (png,) = tmp_path.glob("verify-*-cooper.thm3.1.png")
    assert png.stat().st_size > 1000 and png.read_bytes()[:4] == b"\x89PNG"
    md = (tmp_path / "latest.md").read_text()
    assert f"]({png.name})" in md


def test_reproduce_line_reproduces_the_counterexample(tmp_path):
    f = tmp_path / "conj.py"
    f.write_text(CONJECTURE)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    main(["check", str(f), "--json", str(first), "--examples", "20", "--seed", "9", "--quiet",
          "--reports-dir", str(tmp_path)])
    cx = json.loads(first.read_text())["results"][0]["counterexample"]
    argv = cx["reproduce"]["command"].split()[1:]  # drop the program name
    assert main([*argv, "--json", str(second), "--quiet", "--reports-dir", str(tmp_path)]) == 1
    again = json.loads(second.read_text())["results"][0]["counterexample"]
    assert again["instance"] == cx["instance"]
