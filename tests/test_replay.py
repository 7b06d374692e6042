"""Instances round-trip through JSON exactly, and ``critlocus replay`` re-decides a report's
counterexample from the JSON alone."""

import json
import textwrap

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from critlocus import Derived, Instance, PointRecipe, concrete_instance, strategies
from critlocus.cli import main
from critlocus.core.errors import InvalidArgument
from critlocus.core.points import BlockRule, block_rule_from_dict, block_rule_names, register_block_rule

CONJECTURE = textwrap.dedent('''
    from critlocus import Source, Spec, claims, strategies

    SPEC = Spec(id="mine.star-no-positive", source=Source("notes", "Conjecture 3"),
                statement="Star points have no positive Hessian eigenvalue.",
                instances=strategies.star_locus_instances(max_depth=4, max_width=3),
                claim=claims.hessian_inertia(positive=0))
''')


def _roundtrip(instance: Instance) -> Instance:
    return Instance.from_dict(json.loads(json.dumps(instance.to_dict())))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(strategies.star_locus_instances(max_depth=4, max_width=3, max_outputs=2))
def test_instances_round_trip_exactly_through_json(instance):
    back = _roundtrip(instance)
    assert back.to_dict() == instance.to_dict()
    data, data_back = instance.problem.data, back.problem.data
    assert np.array_equal(data.X, data_back.X) and np.array_equal(data.Y, data_back.Y)
    with mpmath.workdps(60):  # rules are rebuilt as rules: ȳ is exact at every precision
        assert back.point.realize_mp(data_back) == instance.point.realize_mp(data)


def test_ulp_offsets_and_signed_zeros_survive_json():
    inst = concrete_instance(widths=(1, 1, 1), activation="tanh", X=[[0.1]], Y=[[1 / 3]],
                             point={"W_1": [[-0.0]], "b_1": [np.nextafter(1.0, 2.0)], "W_2": "zero",
                                    "b_2": "mean_target"})
    back = _roundtrip(inst)
    assert back.problem.data.Y[0, 0] == 1 / 3
    b1 = back.point.rules["b_1"].values[0]
    assert b1 == np.nextafter(1.0, 2.0)
    assert np.signbit(back.point.rules["W_1"].values[0, 0])


def test_derived_blocks_come_back_tabulated_to_100_digits():
    base = concrete_instance(widths=(1, 1, 1), activation="tanh", X=[[1.0]], Y=[[2.0]],
                             point={"W_1": [[1.0]], "b_1": [0.0], "W_2": "zero", "b_2": "mean_target"})
    third = Derived(lambda shape, data: np.full(shape, 1 / 3),
                    lambda shape, data: [mpmath.mpf(1) / 3] * int(np.prod(shape)), "one third")
    rules = {**base.point.rules, "W_1": third}
    inst = Instance(base.problem, PointRecipe(base.problem.architecture, rules))
    back = _roundtrip(inst)
    assert back.point.rules["W_1"].label == "tabulated"
    with mpmath.workdps(90):
        assert abs(back.point.realize_mp(back.problem.data)[0] - mpmath.mpf(1) / 3) < mpmath.mpf(10) ** -95


def test_new_block_rules_plug_into_the_registry():
    class Half(BlockRule):
        label = "half_for_test"

        def float64(self, shape, data):
            return np.full(shape, 0.5)

        def mp(self, shape, data):
            return [mpmath.mpf(1) / 2] * int(np.prod(shape))

    register_block_rule("half_for_test", lambda record: Half())
    assert "half_for_test" in block_rule_names()
    assert isinstance(block_rule_from_dict({"rule": "half_for_test"}), Half)
    with pytest.raises(InvalidArgument, match="unknown block rule 'nope'"):
        block_rule_from_dict({"rule": "nope"})


def test_bad_records_name_the_problem():
    record = concrete_instance(widths=(1, 1), activation="tanh", X=[[1.0]], Y=[[2.0]],
                               point={"W_1": [[1.0]], "b_1": [0.0]}).to_dict()
    with pytest.raises(InvalidArgument, match="unknown activation 'sine'"):
        Instance.from_dict({**record, "activation": {"name": "sine"}})
    with pytest.raises(InvalidArgument, match="n_params"):
        Instance.from_dict({**record, "architecture": {**record["architecture"], "n_params": 99}})


def test_replay_reproduces_the_reported_verdict(tmp_path, capsys):
    f = tmp_path / "conj.py"
    f.write_text(CONJECTURE)
    out = tmp_path / "r.json"
    assert main(["check", str(f), "--examples", "10", "--seed", "2", "--json", str(out), "--quiet",
                 "--reports-dir", str(tmp_path / "reports"), "--no-plots"]) == 1
    stdout = capsys.readouterr().out
    replay_line = next(line for line in stdout.splitlines() if "reproduce:" in line).split("reproduce:")[1]
    argv = replay_line.split()[1:]
    assert argv[:3] == ["replay", str(out), "--id"]
    assert main(argv) == 0  # the command the report prints
    text = capsys.readouterr().out
    assert "verdict: fails (refuted at mpmath-30, confirmed at mpmath-60)" in text
    assert "reported: fails — reproduced" in text
    # from the JSON alone: the run's report directory and the spec's search are not needed
    cx = json.loads(out.read_text())["results"][0]["counterexample"]
    from critlocus.replay import replay

    result = replay(out)
    assert result.instance.to_dict() == cx["instance"]
    assert result.tiers == [f"{t['precision']}: {t['status']}" for t in cx["outcome"]["tiers"]]


def test_replay_with_a_moved_spec_file_needs_spec_file(tmp_path, capsys):
    f = tmp_path / "conj.py"
    f.write_text(CONJECTURE)
    out = tmp_path / "r.json"
    main(["check", str(f), "--examples", "5", "--seed", "2", "--json", str(out), "--quiet",
          "--reports-dir", str(tmp_path / "reports"), "--no-plots"])
    moved = tmp_path / "moved.py"
    f.rename(moved)
    capsys.readouterr()
    assert main(["replay", str(out)]) == 2
    assert "--spec-file" in capsys.readouterr().err
    assert main(["replay", str(out), "--spec-file", str(moved)]) == 0


def test_polished_critical_points_and_explicit_functions_come_back_from_json():
    from critlocus.core.critical import find_critical_points
    from critlocus.core.explicit import FunctionInstance
    from critlocus.core.functions import Polynomial
    from critlocus.core.instance import instance_from_dict
    from critlocus.core.points import PolishedCriticalPoint

    base = concrete_instance(widths=(2, 3, 1), activation="tanh",
                             X=[[0.5, -1.0], [1.25, 0.25], [-0.75, 1.5]], Y=[[1.0], [0.25], [-0.5]],
                             point={"W_1": "zero", "b_1": "zero", "W_2": "zero", "b_2": "mean_target"})
    problem = base.problem
    candidate = find_critical_points(problem, starts=4, seed=1)[0]
    inst = Instance(problem, PolishedCriticalPoint.from_start(problem, candidate.theta), label="polished")
    back = instance_from_dict(json.loads(json.dumps(inst.to_dict())))
    assert isinstance(back.point, PolishedCriticalPoint)
    assert np.array_equal(back.point.start, inst.point.start)  # the construction, exactly
    with mpmath.workdps(30):
        assert back.point.realize_mp(back.problem.data) == inst.point.realize_mp(problem.data)

    cubic = Polynomial(1, {(3,): 1})  # f(x) = x³ at its degenerate critical point 0
    f = FunctionInstance(cubic, (0,), label="x³ at 0")
    g = instance_from_dict(json.loads(json.dumps(f.to_dict())))
    assert isinstance(g, FunctionInstance) and g.to_dict() == f.to_dict()


@pytest.mark.parametrize("spec_id", ["tkb.claim.nonfilling-convex-no-bad-minima", "cooper.cor5.18.saddles",
                                     "cooper.lem5.14.literal"])
def test_every_kind_of_catalogue_counterexample_replays_from_the_json(tmp_path, capsys, spec_id):
    """Regression: the must-fail TKB claim compares against the search's best minimum, which
    lived only on the in-memory instance — its replay crashed (KeyError 'best_point'); it is
    rebuilt from info['best_point_float64'] now.  One counterexample of each kind of point:
    a polished minimum, a closed-form saddle, a slice point."""
    out = tmp_path / "r.json"
    assert main(["verify", "--only", spec_id, "--json", str(out), "--quiet", "--no-plots",
                 "--reports-dir", str(tmp_path / "reports")]) == 0
    capsys.readouterr()
    assert main(["replay", str(out), "--id", spec_id]) == 0
    assert "reported: fails — reproduced" in capsys.readouterr().out
