"""Gradient flow (core/flow.py, critlocus/claims/flow.py): known solutions, certificates, confidence
intervals, and a flow claim that must fail."""

import numpy as np
import pytest
from hypothesis import given, settings

from critlocus import Source, Spec, claims, run_spec, strategies
from critlocus.core import float64 as f64
from critlocus.core.errors import InvalidArgument
from critlocus.core.flow import (
    Box,
    FlowSettings,
    PointTarget,
    PolynomialField,
    ProblemField,
    SubspaceTarget,
    classify_flow,
    clopper_pearson,
    gradient_flow,
)
from critlocus.core.functions import Polynomial

x, y = Polynomial.variables(2)
CUBIC = PolynomialField(x**3 + y**3)
ORIGIN = PointTarget((0.0, 0.0), level=0.0)


def test_cubic_flow_matches_its_closed_form():
    """ẋ = −3x² has x(t) = x₀/(1 + 3x₀t); the integrated solution agrees to ~rtol."""
    s = FlowSettings(scale=1.0, t_max=1e3)
    x0 = np.array([0.7, 0.2])
    end, t, event, _ = gradient_flow(CUBIC, x0, settings=s)
    assert event == "horizon" and t == pytest.approx(1e3)
    exact = x0 / (1 + 3 * x0 * t)
    assert np.max(np.abs(end - exact) / exact) < 1e3 * s.rtol


def test_quadrant_converges_and_negative_starts_escape():
    s = FlowSettings(scale=1.0, t_max=1e12)
    box = Box((0.0, 0.0), (1.0, 1.0))
    r = classify_flow(CUBIC, [0.5, 0.25], ORIGIN, settings=s, box=box)
    assert r.status == "converged" and r.distance <= r.radius
    r = classify_flow(CUBIC, [-0.1, 0.5], ORIGIN, settings=s, box=box)
    assert r.status == "escaped"


def test_y_squared_limit_is_the_vertical_projection():
    field = PolynomialField(y**2 + 0 * x)
    s = FlowSettings(scale=1.0, t_max=100.0)
    target = SubspaceTarget(((1, 0.0),), level=0.0)
    r = classify_flow(field, [0.3, -0.8], target, settings=s, box=Box((-1, -1), (1, 1)))
    assert r.status == "converged"
    assert abs(r.x[0] - 0.3) <= r.radius


@settings(max_examples=3, deadline=None)
@given(strategies.core_locus_instances(max_depth=3, max_width=2))
def test_problem_field_matches_the_float64_evaluator(inst):
    field = ProblemField(inst.problem)
    theta = np.linspace(-0.5, 0.5, inst.n_params)
    assert np.allclose(field.gradient(theta), f64.gradient_f64(inst.problem, theta), atol=1e-13)
    assert np.allclose(field.hessian(theta), f64.hessian_f64(inst.problem, theta), atol=1e-12)


def test_clopper_pearson_known_values_and_coverage():
    lo, hi = clopper_pearson(0, 40)
    assert lo == 0 and hi == pytest.approx(1 - 0.025 ** (1 / 40))
    lo, hi = clopper_pearson(40, 40)
    assert hi == 1 and lo == pytest.approx(0.025 ** (1 / 40))
    rng = np.random.default_rng(0)
    for p in (0.05, 0.3, 0.7):
        ks = rng.binomial(30, p, size=400)
        covered = np.mean([lo <= p <= hi for lo, hi in (clopper_pearson(int(k), 30) for k in ks)])
        assert covered >= 0.93  # exact intervals are conservative: coverage ≥ 95 % up to sampling noise


@pytest.mark.parametrize(("call", "match"), [
    (lambda: FlowSettings(method="RK45"), "stiff"),
    (lambda: FlowSettings(scale=0), "scale"),
    (lambda: Box((0, 0), (1,)), "Box"),
    (lambda: clopper_pearson(3, 2), "k ≤ n"),
    (lambda: strategies.degenerate_attracting_flows(exponents=(4,)), "odd"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises(InvalidArgument, match=match):
        call()


@settings(max_examples=3, deadline=None)
@given(strategies.attracting_subspace_flows(max_x=1, max_y=1, n_starts=4))
def test_subspace_flows_converge_to_distinct_limits(inst):
    b = inst.basin()
    assert b.converged == b.n
    assert claims.limits_distinct().check(inst, ()).verdict == "holds"


def test_not_attracting_is_refuted_where_the_locus_attracts():
    """The conjecture's claim must be able to fail: on y²-type landscapes every start converges."""
    spec = Spec(id="false.subspace-not-attracting", source=Source("test"),
                statement="no start converges to {y = 0}",
                instances=strategies.attracting_subspace_flows(max_x=1, max_y=1, n_starts=3),
                claim=claims.not_attracting(), expected="fails", kind="false-variant")
    result = run_spec(spec, examples=3, seed=0)
    assert result.verdict == "fails"
    tiers = result.counterexample["outcome"]["tiers"]
    assert [t["precision"] for t in tiers] == ["flow rtol=u^½", "flow rtol=u^¾"]


@settings(max_examples=3, deadline=None)
@given(strategies.core_locus_flows(max_depth=3, max_width=2))
def test_flow_instance_records_round_trip(inst):
    import json

    from critlocus.core.flow import FlowInstance

    record = inst.to_dict()
    json.dumps(record)
    again = FlowInstance.from_dict(record)
    assert again.to_dict() == record
    assert again.field.value(np.asarray(inst.box.center)) == inst.field.value(np.asarray(inst.box.center))
