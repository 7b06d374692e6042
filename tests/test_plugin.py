"""critlocus's pytest plugin: specs as test items, a failing item prints its report's path."""

import subprocess
import sys
import textwrap
from pathlib import Path

FOLDER_SPECS = textwrap.dedent('''
    from critlocus import Source, Spec, claims, strategies

    CORE = strategies.core_locus_instances(max_depth=4, max_width=3, max_data=3)
    FALSE = Spec(id="mine.core-no-positive", source=Source("notes"),
                 statement="Core points have no positive Hessian eigenvalue.",
                 instances=CORE, claim=claims.hessian_inertia(positive=0))
    TRUE = Spec(id="mine.core-critical", source=Source("notes"), statement="Core points are critical.",
                instances=CORE, claim=claims.is_critical())
''')


def _pytest(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def test_conjecture_folder_gives_one_item_per_spec_and_failures_print_the_report(tmp_path):
    folder = tmp_path / "conjectures"
    (folder / "sub").mkdir(parents=True)
    (folder / "mine.py").write_text(FOLDER_SPECS)
    (folder / "sub" / "broken.py").write_text("import nonexistent_module_xyz\n")
    (folder / "_helpers.py").write_text("raise RuntimeError('helpers are not spec files')\n")
    run = _pytest("-rA", "--critlocus-specs", str(folder), "--critlocus-examples", "5", "--critlocus-reports",
                  str(tmp_path / "reports"), cwd=tmp_path)
    assert run.returncode == 1
    out = run.stdout
    assert "PASSED critlocus::mine.py::mine.core-critical" in out
    assert "FAILED critlocus::mine.py::mine.core-no-positive" in out
    assert "FAILED critlocus::sub/broken.py" in out and "_helpers" not in out
    assert "1 passed" in out and "2 failed" in out
    assert "mine.core-no-positive: verdict fails, expected holds" in out
    (run_dir,) = (tmp_path / "reports").iterdir()
    assert f"report: {run_dir / 'report.html'}" in out
    assert (run_dir / "results.json").exists()
    assert "Counterexample to mine.core-no-positive" in out
    assert "nonexistent_module_xyz" in out  # the broken file is a failing item naming the problem


def test_catalogue_items_with_the_option():
    root = Path(__file__).resolve().parent.parent
    asked = _pytest("--collect-only", "tests/test_theorems.py", "--critlocus-catalogue", cwd=root)
    assert "critlocus::cooper.thm3.1" in asked.stdout and "critlocus::cooper.thm3.2" in asked.stdout


class _Config:
    def __init__(self, args, testpaths=("tests",)):
        self.args = list(args)
        self._testpaths = list(testpaths)

    def getini(self, name):
        return self._testpaths


def test_the_ini_option_adds_the_catalogue_to_whole_suite_runs_only(tmp_path):
    """This repository sets ``critlocus_catalogue = true``: a bare ``pytest`` (or one naming
    directories) has the catalogue items, ``pytest tests/test_x.py`` does not."""
    from critlocus.pytest_plugin import _whole_suite

    f = tmp_path / "test_x.py"
    f.write_text("")
    assert _whole_suite(_Config([]))
    assert _whole_suite(_Config(["tests"]))
    assert _whole_suite(_Config([str(tmp_path)]))
    assert not _whole_suite(_Config([str(f)]))
    assert not _whole_suite(_Config([f"{f}::test_a"]))
