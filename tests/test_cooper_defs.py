"""Cooper's definitions and examples through the public API: planted strategies hold their plant,
the runner and the report handle explicit-function and flow instances, the paper examples pass."""

import json
import subprocess
import sys
import textwrap
from fractions import Fraction

from hypothesis import given, settings

from critlocus import claims, strategies
from critlocus.core.explicit import FunctionInstance
from critlocus.core.functions import Polynomial
from critlocus.core.precision import DEFAULT_LADDER
from critlocus.theorems.cooper import s3_flow, s5_definitions


@settings(max_examples=30, deadline=None)
@given(strategies.planted_local_geometry(max_vars=3))
def test_planted_local_geometry_is_what_the_exact_checks_find(inst):
    outcome = claims.local_geometry().check(inst, DEFAULT_LADDER)
    assert outcome.verdict == "holds", outcome.reason
    facts = outcome.tiers[0].evidence["facts"]
    assert list(facts["inertia"]) == inst.info["planted"]["inertia"]


@settings(max_examples=20, deadline=None)
@given(strategies.saddles_with_linear_level_sets())
def test_level_lines_are_exact(inst):
    f, p = inst.function, inst.point
    for w in inst.info["level_lines"]:
        assert (f.restrict_to_line(p, [Fraction(v) for v in w]) - f(p)).is_zero


def test_paper_examples_are_explicit_examples_of_their_specs():
    labels = {s.id: [e.label for e in s.examples] for s in (
        s5_definitions.EX_LOCAL_NONGLOBAL_MIN, s5_definitions.EX_VALLEY_WITHOUT_ISOLATED_MIN,
        s5_definitions.EX_ISOLATED_SADDLE_ON_LEVEL_SET, s3_flow.DEF_3_4, s3_flow.EX_ATTRACTING_DEGENERATE)}
    assert labels["cooper.ex.local-nonglobal-min"] == ["g(x) = x² − x³ at 0"]
    assert labels["cooper.ex.attracting-degenerate"] == ["f = x³ + y³ on [0, 1]²"]
    for spec in (s5_definitions.EX_LOCAL_NONGLOBAL_MIN, s5_definitions.EX_ISOLATED_SADDLE_ON_LEVEL_SET):
        for ex in spec.examples:
            assert spec.claim.check(ex, DEFAULT_LADDER).verdict == "holds"


def test_a_critical_point_with_zero_hessian_has_order_at_least_2():
    x, y = Polynomial.variables(2)
    for f in (x**3 + y**3, x**2 * y, x**4 - y**5):
        inst = FunctionInstance(f, (0, 0))
        assert claims.all_of(claims.is_critical(), claims.hessian_inertia(zero=2),
                             claims.critical_order(claims.at_least(2)),
                             claims.definitions_consistent()).check(inst, DEFAULT_LADDER).verdict == "holds"


def test_check_command_reports_an_explicit_counterexample(tmp_path):
    spec_file = tmp_path / "valleys.py"
    spec_file.write_text(textwrap.dedent('''
        from critlocus import Source, Spec, claims, strategies
        SPEC = Spec(id="mine.valley-needs-isolated-min", source=Source("test"),
                    statement="a spurious valley contains an isolated local minimum",
                    instances=strategies.lifts(strategies.piecewise_landscapes(max_nodes=3)),
                    claim=claims.landscape_implication("spurious valley",
                                                       "isolated non-global local minimum"))
    '''))
    out = tmp_path / "out.json"
    proc = subprocess.run([sys.executable, "-m", "critlocus.cli", "check", str(spec_file), "--examples", "15",
                           "--json", str(out), "--reports-dir", str(tmp_path), "--jobs", "1", "--quiet"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    (result,) = json.loads(out.read_text())["results"]
    assert result["verdict"] == "fails"
    assert "f(x, y)" in result["counterexample"]["instance"]["function"]["formula"]
    md = next(tmp_path.glob("*/report.md")).read_text()  # reports/<run-id>/report.md
    assert "Counterexample (shrunk)" in md and "function:" in md
