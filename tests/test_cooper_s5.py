"""Cooper §5 specs beyond their verdicts (tests/test_theorems.py): the literal Lemma 5.14 is
refuted by the search itself and shrunk; summaries report what was checked and found."""

from critlocus import run_spec
from critlocus.theorems.cooper.s5_level_sets import LEM_5_14_LITERAL, THM_5_15
from critlocus.theorems.cooper.s5_slices import THM_5_10


def test_literal_lemma_5_14_is_refuted_by_search_and_shrunk():
    result = run_spec(LEM_5_14_LITERAL, examples=20, seed=3)
    assert result.verdict == "fails" and LEM_5_14_LITERAL.examples == ()
    inst = result.counterexample["instance"]
    # shrunk to one hidden unit and two data points: k = 1, rank Φ̃ = 2, rank Q = 2 > k·n_ℓ
    assert inst["architecture"]["widths"] == [1, 1, 1] and inst["data"]["d"] == 2
    assert result.counterexample["outcome"]["precision"] == "mpmath-60"


def test_summaries_report_instances_and_precisions():
    result = run_spec(THM_5_10, examples=8, seed=1)
    table = result.evidence["summary"]["tables"][0]
    assert result.verdict == "holds" and table["rows"][0][5] == result.examples
    result = run_spec(THM_5_15, examples=6, seed=1)
    rows = result.evidence["summary"]["tables"][0]["rows"]
    assert sum(r[1] for r in rows) == result.examples
    # gradient norms at the deciding precision, "1.2e-35 (mpmath-30)"
    assert all(r[4] != "—" and float(r[4].split()[0]) < 1e-20 and "mpmath" in r[4] for r in rows)
