"""Cooper §5 specs beyond their verdicts (tests/test_theorems.py): the literal Lemma 5.14 is
refuted by the search itself and shrunk; summaries report what was checked and found."""

import numpy as np
import pytest

from critlocus import claims, run_spec
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
    # gradient norms at the deciding precision, "1.2e-35 (mpmath-30)" or a certified bound
    assert all(r[2] != "—" and float(r[2].split()[0]) < 1e-20 and ("mpmath" in r[2] or "certified" in r[2])
               for r in rows)


def _unfound(problem, reason: str):
    from critlocus.core.instance import Instance
    from critlocus.core.points import PolishedCriticalPoint

    point = PolishedCriticalPoint.from_start(problem, np.zeros(problem.n_params), found_by={"seed": 0})
    return Instance(problem, point, label="nothing found",
                    info={"locus": "critical point (search)", "found": False, "inconclusive": reason})


@pytest.mark.parametrize("bias", [True, False])
def test_root_finding_draws_are_kept_inconclusive_or_replaced_by_a_closed_form_critical_point(bias):
    """A root-finding draw that found nothing of the requested kind, even on its retry, is never
    skipped: for a local minimum or a saddle it stays an inconclusive instance with both reasons;
    for 'any critical point' it becomes the closed-form dead-last-hidden point of the same problem,
    whose defining equations hold exactly — ∇L = 0 decided at 60 digits."""
    from critlocus.core.activations import get_activation
    from critlocus.core.architecture import Architecture
    from critlocus.core.losses import squared_error
    from critlocus.core.network import Network, Problem
    from critlocus.core.precision import DEFAULT_LADDER, mp_precision
    from critlocus.strategies.critical import generic_dataset
    from critlocus.theorems.cooper.s5_level_sets import _after_retry

    arch = Architecture((2, 3, 4, 2), bias=(True, True, bias))
    problem = Problem(Network(arch, get_activation("tanh")), squared_error(), generic_dataset(arch, 3, 5))
    first, second = _unfound(problem, "first reason"), _unfound(problem, "second reason")
    kept = _after_retry(second, first, "local_min")
    assert "second reason" in kept.info["inconclusive"] and "first reason" in kept.info["inconclusive"]
    assert claims.is_critical().check(kept, DEFAULT_LADDER).verdict == "inconclusive"
    closed = _after_retry(_unfound(problem, "second reason"), first, "any")
    assert "inconclusive" not in closed.info and "first reason" in closed.info["root_finding"]
    rules = closed.point.rules
    assert all(rules[b].label == "zero" for b in ("W_2", "b_2", "W_3"))
    assert (rules["b_3"].label == "mean_target") if bias else ("b_3" not in rules)
    dec = closed.evaluation().gradient_decision(mp_precision(60))
    assert dec.status == "zero" and dec.value <= dec.threshold, dec.to_dict()


def test_a_problem_without_a_point_of_the_kind_is_retried_on_fresh_data(monkeypatch):
    """When root finding finds no local minimum on a drawn problem, neither first nor on the retry
    (some problems have none within reach), the same network is tried on fresh data; the instance
    says so and its point is a real critical point: ∇L = 0 decided at 60 digits."""
    from hypothesis import HealthCheck, given, settings

    import critlocus.strategies.critical as critical
    from critlocus.core.precision import mp_precision
    from critlocus.theorems.cooper.s5_level_sets import _root_found

    real = critical.find_critical_points
    failing: dict = {}  # the first dataset drawn in each example finds nothing

    def flaky(problem, **kw):
        key = problem.data.X.tobytes() + problem.data.Y.tobytes()
        failing.setdefault("data", key)
        return [] if key == failing["data"] else real(problem, **kw)

    monkeypatch.setattr(critical, "find_critical_points", flaky)
    seen = []

    @settings(max_examples=2, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(_root_found("local_min", max_width=3, max_data=3))
    def check(inst):
        failing.clear()  # a new example: its first dataset fails again
        seen.append(inst)

    check()
    fresh = [i for i in seen if i.info.get("fresh_data")]
    assert fresh, [i.info for i in seen]
    for inst in fresh:
        assert len(inst.info["retried"]) >= 2  # the first attempt and the replaced dataset
        if inst.info.get("found"):
            dec = inst.evaluation().gradient_decision(mp_precision(60))
            assert dec.status == "zero", dec.to_dict()
        else:
            assert "inconclusive" in inst.info


def test_deciding_precision_orders_the_ladder_with_the_certified_tier():
    from types import SimpleNamespace

    from critlocus.theorems.cooper.s5_level_sets import _deciding_precision

    def outcome(*labels):
        return SimpleNamespace(leaves=lambda: [SimpleNamespace(precision=p) for p in labels])

    assert _deciding_precision(outcome("float64", "float64")) == "float64"
    assert _deciding_precision(outcome("float64", "certified")) == "certified"
    assert _deciding_precision(outcome("certified", "mpmath-30", "float64")) == "mpmath-30"
    assert _deciding_precision(outcome("mpmath-60", "mpmath-30")) == "mpmath-60"
    assert _deciding_precision(outcome()) == "none"


def test_a_network_without_a_point_of_the_kind_is_replaced_by_a_fresh_problem(monkeypatch):
    """When a network has no local minimum within reach on any of its datasets (x + x³ on
    widths 1-1-1), the draw moves on to a freshly drawn problem and says so; its point is a
    real critical point (∇L = 0 decided at 60 digits) of a different network."""
    from hypothesis import HealthCheck, given, settings

    import critlocus.strategies.critical as critical
    from critlocus.core.precision import mp_precision
    from critlocus.theorems.cooper.s5_level_sets import _root_found

    real = critical.find_critical_points
    failing: dict = {}  # the first network drawn in each example has nothing, on any data

    def flaky(problem, **kw):
        key = (problem.architecture.widths, problem.architecture.bias, problem.network.activation.name)
        failing.setdefault("net", key)
        return [] if key == failing["net"] else real(problem, **kw)

    monkeypatch.setattr(critical, "find_critical_points", flaky)
    seen = []

    @settings(max_examples=3, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(_root_found("local_min", max_width=3, max_data=3))
    def check(inst):
        failing.clear()
        seen.append(inst)

    check()
    moved = [i for i in seen if i.info.get("fresh_problem")]
    assert moved, [i.info for i in seen]
    for inst in moved:
        assert any(k.startswith("problem") for k in inst.info["retried"])
        if inst.info.get("found"):
            dec = inst.evaluation().gradient_decision(mp_precision(60))
            assert dec.status == "zero", dec.to_dict()
        else:
            assert "inconclusive" in inst.info
