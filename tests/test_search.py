"""The search: Hypothesis's target phase steers it (``Spec.target``), and shrinking has its own
budget whose exhaustion the record states."""

from hypothesis import strategies as st

from critlocus import Source, Spec, TierResult, claims, concrete_instance, run_spec
from critlocus.search import phases

PLANTED = 700_001  # the counterexamples: |t − PLANTED| ≤ 64 among t ∈ [0, 2^20]


def _instance(t: int):
    return concrete_instance(widths=(1, 1, 1), activation="tanh", X=[[1.0]], Y=[[2.0]],
                             point={"W_1": [[1.0]], "b_1": [0.0], "W_2": "zero", "b_2": "mean_target"},
                             info={"t": t}, label=f"t = {t}")


def _far_from_planted(instance, precision):
    bad = abs(instance.info["t"] - PLANTED) <= 64
    return TierResult(precision.label, "false" if bad else "true", False, f"t = {instance.info['t']}")


def _spec(target):
    return Spec(id="planted", source=Source("tests"), statement="t is far from the planted value",
                instances=st.integers(0, 2**20).map(_instance),
                claim=claims.custom("t far from the planted value", _far_from_planted),
                target=target, expected="fails")


def test_target_phase_is_enabled():
    assert [p.name for p in phases(shrink=True)] == ["explicit", "generate", "target", "shrink"]


def test_targeted_search_reaches_a_planted_counterexample_in_fewer_examples():
    """129 of 2^20 values fail: random generation misses them in 200 examples; hill-climbing on
    ``target = −|t − PLANTED|`` reaches them.  Seeded, so deterministic."""
    untargeted = _spec(None)
    targeted = _spec(lambda instance, outcome: -abs(instance.info["t"] - PLANTED))
    for seed in (0, 1, 2):
        plain = run_spec(untargeted, examples=200, seed=seed, shrink=False)
        steered = run_spec(targeted, examples=200, seed=seed, shrink=False)
        assert plain.verdict == "holds" and plain.examples == 200
        assert steered.verdict == "fails"
        found_after = steered.counterexample["found_after"]
        assert found_after < plain.examples
        assert abs(steered.counterexample["instance"]["info"]["t"] - PLANTED) <= 64
        assert steered.search["targeted"] and steered.search["best_target"]["planted"] <= 0


def test_shrinking_budget_marks_partially_shrunk_counterexamples():
    spec = _spec(lambda instance, outcome: -abs(instance.info["t"] - PLANTED))
    full = run_spec(spec, examples=200, seed=0)
    cut = run_spec(spec, examples=200, seed=0, shrink_time=1e-9)
    assert full.counterexample["shrink"]["status"] == "shrunk" and full.counterexample["shrink"]["completed"]
    assert full.counterexample["instance"]["info"]["t"] == PLANTED - 64  # shrunk toward 0
    assert cut.counterexample["shrink"]["status"] == "partially shrunk"
    assert not cut.counterexample["shrink"]["completed"]
    assert cut.counterexample["shrink"]["budget_s"] == 1e-9
    unshrunk = run_spec(spec, examples=200, seed=0, shrink=False)
    assert unshrunk.counterexample["shrink"]["status"] == "not shrunk"
