"""Critical points found by search: polished points are critical at 60 digits, kinds are what
they say, failures are flagged (never judged), bad arguments are named."""

import json

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from critlocus import claims, strategies
from critlocus.core import (
    DEFAULT_LADDER,
    Architecture,
    Dataset,
    Instance,
    Network,
    Problem,
    mp_precision,
    squared_error,
    weighted_squared_error,
)
from critlocus.core.critical import (
    PolishBasis,
    find_critical_points,
    polish_critical_point,
)
from critlocus.core.decisions import NONZERO, ZERO
from critlocus.core.errors import InvalidArgument
from critlocus.core.points import PolishedCriticalPoint
from critlocus.core.precision import FLOAT64
from critlocus.core.verdict import Verdict
from critlocus.strategies.critical import _search_instance

# expensive instances (a multistart search each): few examples, no shrinking (a failure is
# reported as generated, with its seed)
FEW = settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), database=None,
               phases=[Phase.explicit, Phase.generate])
MP60 = mp_precision(60)
SMALL = strategies.architectures(min_depth=2, max_depth=3, max_width=4, max_inputs=2, max_outputs=2)


def small_problem(widths=(2, 3, 1), d=3, activation="tanh", bias=None, seed=0, loss=None):
    rng = np.random.default_rng(seed)
    arch = Architecture(widths, bias)
    data = Dataset(np.round(rng.uniform(-2, 2, (d, widths[0])) * 64) / 64,
                   np.round(rng.uniform(-2, 2, (d, widths[-1])) * 64) / 64)
    return Problem(Network(arch, activation), loss or squared_error(), data)


def polished(instance):
    return instance.info["critical_point"]["polish"]


@FEW
@given(strategies.critical_point_instances(architectures=SMALL, starts=4))
def test_polished_points_are_critical_at_60_digits(instance):
    if not instance.info["found"]:
        # e.g. under-parameterized tanh networks whose descent runs off to a "critical point at
        # infinity" (saturated units, ‖θ‖ → ∞): no polish converges, and the instance says so
        assert "'any'" in instance.info["inconclusive"]
        assert claims.is_critical().check(instance, DEFAULT_LADDER).verdict == Verdict.INCONCLUSIVE
        return
    ev = instance.evaluation()
    dec = ev.gradient_decision(MP60)
    assert dec.status == ZERO, dec.to_dict()
    assert dec.value <= dec.threshold
    cp = instance.info["critical_point"]
    assert cp["polished_residual"] <= polished(instance)["threshold"]
    assert cp["solver"] and cp["iterations"] >= 0 and len(cp["start"]) == instance.n_params
    # the 30-digit tier rebuilds its own point, decided zero at its own threshold
    assert ev.gradient_decision(mp_precision(30)).status == ZERO
    assert claims.is_critical().check(instance, DEFAULT_LADDER).verdict == Verdict.HOLDS


@FEW
@given(strategies.critical_point_instances(
    architectures=strategies.architectures(min_depth=2, max_depth=2, max_width=4, max_inputs=2,
                                           max_outputs=1), kind="saddle", starts=6))
def test_saddles_have_a_negative_eigenvalue_decided_at_high_precision(instance):
    if not instance.info["found"]:
        # flagged, never judged: every claim is inconclusive on it
        outcome = claims.is_critical().check(instance, DEFAULT_LADDER)
        assert outcome.verdict == Verdict.INCONCLUSIVE and "not usable" in outcome.reason
        return
    cp = instance.info["critical_point"]
    assert cp["float64_inertia"]["negative"] > 0
    assert cp["negative_curvature"]["negative"] and cp["negative_curvature"]["status"] == NONZERO
    ev = instance.evaluation()
    assert ev.gradient_decision(MP60).status == ZERO
    inertia = ev.inertia(mp_precision(30))  # N ≤ 40: dense eigsy
    assert inertia.n_neg > 0, inertia.to_dict()


@FEW
@given(strategies.critical_point_instances(architectures=SMALL, kind="local_min", starts=4))
def test_local_minima_have_no_negative_eigenvalue_in_float64(instance):
    if not instance.info["found"]:  # honest and rare (the yield is measured in the docs)
        assert "local_min" in instance.info["inconclusive"]
        return
    assert instance.info["critical_point"]["float64_inertia"]["negative"] == 0
    assert instance.evaluation().gradient_decision(MP60).status == ZERO
    f64 = instance.evaluation().inertia(FLOAT64)
    assert min([*f64.nonzero_eigenvalues, 0.0]) >= -f64.band_top


@FEW
@given(strategies.critical_point_instances(architectures=SMALL, kind="not_global_min", starts=4,
                                           global_min_loss=0.0))
def test_not_global_minima_have_loss_decided_positive(instance):
    if not instance.info["found"]:
        assert instance.info["inconclusive"]
        return
    ev = instance.evaluation()
    assert ev.gradient_decision(MP60).status == ZERO
    with mpmath.workdps(60):
        assert ev.landscape_mp(MP60).loss() > 0


@FEW
@given(strategies.critical_point_instances(
    architectures=st.sampled_from([Architecture((2, 2, 2), bias=(False, False)),
                                   Architecture((3, 2, 2, 3), bias=(False, False, False))]),
    activations="identity", kind="saddle", starts=6, min_data=3, max_data=5))
def test_deep_linear_saddles(instance):
    assert instance.problem.network.activation.name == "identity"
    assert instance.info["found"], instance.info.get("inconclusive")
    assert instance.evaluation().gradient_decision(MP60).status == ZERO
    assert instance.info["critical_point"]["negative_curvature"]["negative"]


def test_search_finds_critical_points_on_fixed_problems():
    """Deterministic yield check (the Hypothesis tests above accept honest flags)."""
    from critlocus.strategies.critical import generic_dataset

    found = 0
    for i, widths in enumerate([(2, 4, 1), (1, 3, 3, 1), (3, 6, 2), (2, 3, 1), (2, 5, 1), (1, 2, 1)]):
        arch = Architecture(widths)
        problem = Problem(Network(arch, "tanh"), squared_error(), generic_dataset(arch, 3, i))
        inst = _search_instance(problem, kind="any", starts=8, seed=i, max_iterations=40, precision=MP60,
                                global_min_loss=None)
        found += bool(inst.info["found"])
    assert found == 6


def test_weighted_loss_deep_linear_polish():
    p = small_problem((2, 2, 2), d=4, activation="identity", bias=(False, False),
                      loss=weighted_squared_error([1.0, 3.0]))
    found = [c for c in find_critical_points(p, starts=6, seed=3) if np.abs(c.theta).max() > 1e-3]
    assert found
    res = polish_critical_point(p, found[0].theta, MP60)
    assert res.converged and res.decision.status == ZERO, res.to_dict()
    assert res.history[0] >= res.history[-1]


def test_polished_point_round_trips_through_json():
    p = small_problem()
    cand = find_critical_points(p, starts=4, seed=1)[0]
    point = PolishedCriticalPoint.from_start(p, cand.theta, found_by=cand.to_dict())
    inst = Instance(p, point)
    doc = json.loads(json.dumps(inst.to_dict()))
    rebuilt = PolishedCriticalPoint.from_dict(doc["point"], p)
    assert np.array_equal(rebuilt.start, point.start)  # the start is exact
    with mpmath.workdps(60):
        assert rebuilt.realize_mp(p.data) == point.realize_mp(p.data)
    first = doc["point"][p.architecture.layout.names[0]]
    assert first["construction"]["method"] == "newton-mr"
    assert first["construction"]["polishes"]["mpmath-30"]["converged"]


def test_each_precision_polishes_to_its_own_threshold():
    p = small_problem((1, 3, 1), d=3, seed=2)
    cand = find_critical_points(p, starts=4, seed=0)[0]
    basis = PolishBasis.at(p, cand.theta)
    for digits in (30, 60, 100):
        res = polish_critical_point(p, cand.theta, mp_precision(digits), basis=basis)
        assert res.converged and res.decision.status == ZERO
        assert res.residual < 10.0 ** (-digits + 8)


def test_polish_failure_is_reported_with_its_history():
    p = small_problem()
    start = np.full(p.n_params, 0.3)  # not a critical point
    res = polish_critical_point(p, start, MP60, max_iterations=2)
    assert not res.converged and res.reason
    assert len(res.history) >= 1 and res.decision.status != ZERO


def test_unfound_kind_is_flagged_and_every_claim_is_inconclusive():
    # one data point and an output bias: every critical point interpolates (L = 0)
    p = small_problem((1, 2, 1), d=1)
    inst = _search_instance(p, kind="not_global_min", starts=4, seed=0, max_iterations=30,
                            precision=MP60, global_min_loss=0.0)
    assert inst.info["found"] is False and "not_global_min" in inst.info["inconclusive"]
    for claim in (claims.is_critical(), claims.hessian_inertia(negative=0) & claims.is_critical()):
        outcome = claim.check(inst, DEFAULT_LADDER)
        assert outcome.verdict == Verdict.INCONCLUSIVE


def test_float64_candidates_carry_their_evidence():
    p = small_problem()
    found = find_critical_points(p, starts=5, seed=4)
    assert found
    for c in found:
        assert c.gradient.precision == FLOAT64.label and c.gradient.status != NONZERO
        assert sum(c.inertia.inertia) + c.inertia.n_ambiguous == p.n_params
        assert c.kind in ("saddle", "local_min", "undecided")
    thetas = [c.theta for c in found]
    assert all(np.linalg.norm(a - b) > 0 for i, a in enumerate(thetas) for b in thetas[i + 1:])


@pytest.mark.parametrize("kwargs,name", [
    ({"kind": "maximum"}, "kind"),
    ({"starts": 0}, "starts"),
    ({"polish_digits": 10}, "polish_digits"),
    ({"global_min_loss": -1.0}, "global_min_loss"),
    ({"architectures": [Architecture((1, 2, 1))]}, "architectures"),
    ({"activations": 3}, "activations"),
    ({"loss": "l2"}, "loss"),
    ({"min_data": 3, "max_data": 2}, "max_data"),
    ({"datasets": 5}, "datasets"),
    ({"start_families": ("random", "grid")}, "start_families"),
])
def test_bad_arguments_name_the_argument(kwargs, name):
    with pytest.raises(InvalidArgument, match=name):
        strategies.critical_point_instances(**kwargs)


@pytest.mark.parametrize("kwargs,name", [
    ({"method": "bfgs"}, "method"),
    ({"starts": 0}, "starts"),
    ({"starts": np.zeros((2, 3))}, "starts"),
    ({"max_iterations": 0}, "max_iterations"),
])
def test_search_rejects_bad_arguments(kwargs, name):
    with pytest.raises(InvalidArgument, match=name):
        find_critical_points(small_problem(), **kwargs)


def test_polish_rejects_float64_and_bad_starts():
    p = small_problem()
    with pytest.raises(InvalidArgument, match="mpmath precision"):
        polish_critical_point(p, np.zeros(p.n_params), FLOAT64)
    with pytest.raises(InvalidArgument, match="start"):
        polish_critical_point(p, np.zeros(3), MP60)
    with pytest.raises(InvalidArgument, match="start"):
        PolishedCriticalPoint.from_start(p, np.zeros(3))
