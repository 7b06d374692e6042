"""The public spec API: validation, fault isolation, inconclusive handling, search targets."""

import pytest
from hypothesis import strategies as st

from critlocus import Spec, claims, run_spec, strategies
from critlocus.core.errors import SpecError
from critlocus.core.verdict import UNDECIDED, TierResult

INSTANCES = strategies.core_locus_instances(max_depth=4, max_width=3, max_data=3)


def make(**overrides):
    kwargs = dict(id="t.spec", source="tests", statement="a statement", instances=INSTANCES,
                  claim=claims.is_critical())
    kwargs.update(overrides)
    return Spec(**kwargs)


@pytest.mark.parametrize("field,value,message", [
    ("id", "has space", "spec id"),
    ("id", "", "spec id"),
    ("statement", "  ", "statement"),
    ("instances", [1, 2], "Hypothesis strategy"),
    ("claim", lambda inst: True, "critlocus.claims.Claim"),
    ("expected", "maybe", "expected"),
    ("kind", "rumour", "kind"),
    ("source", 42, "source"),
])
def test_malformed_specs_raise_spec_errors_naming_the_field(field, value, message):
    with pytest.raises(SpecError, match=message):
        make(**{field: value})


def test_claim_constructors_validate():
    with pytest.raises(SpecError, match="at least one"):
        claims.hessian_inertia()
    with pytest.raises(SpecError, match="nonnegative"):
        claims.at_least(-1)
    with pytest.raises(SpecError, match="number or a callable"):
        claims.positive_eigenvalues_equal("2d")


def test_bound_logic():
    assert claims.Bound("==", 3).decide(3, 3) == "true"
    assert claims.Bound("==", 3).decide(1, 2) == "false"
    assert claims.Bound("==", 3).decide(2, 4) == "undecided"
    assert claims.at_least(2).decide(2, 5) == "true"
    assert claims.at_least(6).decide(2, 5) == "false"
    assert claims.at_most(1).decide(2, 5) == "false"
    assert claims.at_most(5).decide(0, 5) == "true"


class _Boom(claims.Claim):
    name = "explodes"

    def tier(self, instance, precision):
        raise RuntimeError("numerics blew up")


class _Undecidable(claims.Claim):
    name = "never decides"

    def tier(self, instance, precision):
        return TierResult(precision.label, UNDECIDED, True, "no separation", {"margin": 1.0})


def test_a_crashing_spec_becomes_an_error_verdict_not_an_exception():
    result = run_spec(make(claim=_Boom()), examples=3)
    assert result.verdict == "error"
    assert "numerics blew up" in result.error
    assert "on instance Instance(p ∈ S_{1,2}" in result.error  # the shrunk crashing instance
    assert not result.as_expected


def test_undecidable_instances_make_the_spec_inconclusive_with_evidence():
    result = run_spec(make(claim=_Undecidable()), examples=4)
    assert result.verdict == "inconclusive"
    assert result.counts == {"inconclusive": 4}
    assert result.evidence["inconclusive_instances"]
    assert "no precision" in result.evidence["inconclusive_instances"][0]["outcome"]["reason"]


def test_target_hook_is_called_for_every_instance():
    seen = []

    def target(instance, outcome):
        seen.append(outcome.verdict)
        return float(instance.n_params)

    result = run_spec(make(target=target), examples=5)
    assert result.verdict == "holds" and len(seen) == 5


def _labels_of_run(seed: int) -> list[str]:
    seen: list[str] = []
    run_spec(make(instances=INSTANCES.map(lambda i: seen.append(repr(i)) or i)), examples=5, seed=seed)
    return seen


def test_same_seed_same_instances():
    assert _labels_of_run(11) == _labels_of_run(11)


def test_all_of_combines_and_flattens():
    c = claims.is_critical() & claims.is_degenerate() & claims.hessian_inertia(negative=0)
    assert len(c.claims) == 3
    assert "∧" in c.describe()


def test_strategy_must_yield_instances():
    spec = make(instances=st.just(3))
    result = run_spec(spec, examples=2)
    assert result.verdict == "error"
    assert "not an Instance" in result.error


def test_explicit_examples_run_first_and_summarize_reports_tables(tmp_path):
    from critlocus.core import Architecture, Dataset, Problem
    from critlocus.core.network import Network
    from critlocus.report import build_document, render_markdown

    arch = Architecture((1, 1, 1, 1))
    data = Dataset([[0.5]], [[1.0]])
    free = {"W_2": [[0.25]]}
    import numpy as np

    point = strategies.star_locus_point(arch, [1], {k: np.array(v) for k, v in free.items()})
    from critlocus import Instance

    concrete = Instance(Problem(Network(arch, "tanh"), "squared_error", data), point, label="p ∈ S_1")
    seen = []

    def summarize(pairs):
        seen.extend(pairs)
        return {"tables": [{"title": "labels", "columns": ["label", "verdict"],
                            "rows": [[i.label, o.verdict.value] for i, o in pairs[:3]]}],
                "series": [{"title": "growth", "x": [1, 2, 3], "lines": {"measured": [1, 4, 9]}}]}

    spec = make(examples=[concrete], examples_scale=0.5, summarize=summarize)
    assert spec.example_count(10) == 5
    result = run_spec(spec, examples=10, seed=1)
    assert result.verdict == "holds"
    assert result.max_examples == 6
    assert seen and seen[0][0] is concrete  # the explicit example is checked first
    table = result.evidence["summary"]["tables"][0]
    assert table["rows"][0] == ["p ∈ S_1", "holds"]
    md = render_markdown(build_document([result.to_dict()], command="t", settings={}))
    assert "| label | verdict |" in md and "p ∈ S_1" in md


@pytest.mark.parametrize("field,value,message", [
    ("examples", [1], "Instance"),
    ("examples_scale", 0, "examples_scale"),
    ("summarize", "table", "summarize"),
])
def test_malformed_spec_extras_raise(field, value, message):
    with pytest.raises(SpecError, match=message):
        make(**{field: value})


def test_broken_summarize_is_an_error_verdict():
    def summarize(pairs):
        raise ValueError("no table today")

    result = run_spec(make(summarize=summarize), examples=3, seed=0)
    assert result.verdict == "error" and "no table today" in result.error


def test_conjectures_report_findings_and_catalogue_open_questions_accept_any_decided_verdict():
    # "core points have no positive eigenvalue", stated as a user's conjecture: the search refutes
    # it, the record says so in words, and the run must fail (the user wants to know)
    spec = make(claim=claims.hessian_inertia(positive=0), kind="conjecture", expected="holds")
    record = run_spec(spec, examples=10, seed=2).to_dict()
    assert record["verdict"] == "fails" and record["counterexample"]
    assert not record["as_expected"] and "does not survive" in record["finding"]
    held = run_spec(make(kind="conjecture"), examples=5, seed=2).to_dict()
    assert held["verdict"] == "holds" and held["as_expected"]
    assert held["finding"].startswith("no counterexample found in 5 instances")
    theorem = run_spec(make(claim=claims.hessian_inertia(positive=0), kind="theorem"), examples=10,
                       seed=2).to_dict()
    assert not theorem["as_expected"] and theorem["finding"] is None


def test_catalogue_open_questions_are_findings_whatever_their_decided_verdict():
    from critlocus.runner import SpecResult

    def result(verdict, module):
        spec = {"id": "x", "expected": "holds", "kind": "conjecture", "defined_in": {"module": module}}
        return SpecResult(spec=spec, verdict=verdict, examples=3, counts={}, evidence={}, seed=0,
                          ladder=[], duration_s=0.0)

    for verdict in ("holds", "fails", "inconclusive"):
        assert result(verdict, "critlocus.theorems.cooper.s5_level_sets").as_expected
    assert not result("error", "critlocus.theorems.cooper.s5_level_sets").as_expected
    assert not result("fails", "my_conjectures").as_expected
