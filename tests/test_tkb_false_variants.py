"""The linear-network claims can fail: wrong variants of TKB's statements are refuted by the
framework's own search, confirmed at 60 digits, and shrunk."""

import pytest

from critlocus import Source, Spec, claims, run_spec
from critlocus.strategies.linear import eckart_young_instances, random_point_instances
from critlocus.theorems.tkb import s_convex
from critlocus.theorems.tkb.s_parameterization import predicted_differential_rank

L = claims.linear

WRONG = [
    Spec(id="false.tkb.index-off-by-one", source=Source("test"), kind="false-variant", expected="fails",
         statement="Morse index of Q_I on M_r° is the formula + 1",
         instances=eckart_young_instances(min_depth=2, max_depth=2, max_dim=3, ranks="top", gauge=False,
                                          spare=False),
         claim=L.riemannian_inertia(negative=lambda i: i.info["morse_index_on_stratum"] + 1)),
    Spec(id="false.tkb.every-critical-point-pure", source=Source("test"), kind="false-variant",
         expected="fails", statement="every critical point of the quadratic loss is pure",
         instances=eckart_young_instances(min_depth=2, max_depth=2, max_dim=3, ranks="all", filling=False),
         claim=L.purity("pure")),
    Spec(id="false.tkb.diff-rank-plus-one", source=Source("test"), kind="false-variant", expected="fails",
         statement="rk dμ_d is one more than TKB's formula",
         instances=random_point_instances(max_depth=3, max_dim=3),
         claim=claims.matrix_rank(L.differential_source, lambda i: predicted_differential_rank(i) + 1)),
]


@pytest.mark.spec
@pytest.mark.parametrize("spec", WRONG, ids=[s.id for s in WRONG])
def test_wrong_variants_are_refuted_at_high_precision(spec):
    result = run_spec(spec, seed=1, examples=10)
    assert result.verdict == "fails", (result.error, result.counts)
    tiers = result.counterexample["outcome"]["tiers"]
    assert tiers[-1]["precision"] == "mpmath-60" or tiers[-1]["precision"] == "mpmath-30"
    assert all(t["status"] != "true" for t in tiers[1:])


def test_must_fail_counterexample_is_certified_and_reported_in_the_papers_terms():
    result = run_spec(s_convex.NONFILLING_NO_BAD_MINIMA, seed=0, examples=20)
    assert result.verdict == "fails"
    cx = result.counterexample
    inst, outcome = cx["instance"], cx["outcome"]
    assert [t["precision"] for t in outcome["tiers"][-2:]] == ["mpmath-30", "mpmath-60"]
    ev = outcome["tiers"][-1]["evidence"]
    assert ev["gap"] > 0 and ev["loss"] > ev["global_minimum_loss"]
    cert = ev["certificate"]
    assert cert["hessian"]["inertia"]["negative"] == 0
    n_params = inst["architecture"]["n_params"]
    assert cert["hessian"]["inertia"]["zero"] == cert["fibre_dimension"] == n_params - 3
    assert ev["gradient"]["status"] == "zero"
    # shrunk to the smallest non-filling architecture, weights and targets stated as Λ and Q
    assert inst["architecture"]["widths"] == [2, 1, 2]
    assert set(inst["info"]) >= {"Lambda", "Q", "minima_found", "best_point_float64"}
    # the point is replayable: its float64 start and how it was found (Newton-MR polish per precision)
    construction = inst["point"]["W_1"]["construction"]
    assert inst["point"]["W_1"]["rule"] == "polished_critical_point" and construction["method"] == "newton-mr"
    assert construction["found_by"]["method"].startswith("multistart L-BFGS-B")


def test_the_catalogue_instance_is_a_confirmed_bad_minimum():
    """Regression example: Λ = [[0.47, 0.89], [0.32, 0.03]], Q = [[−0.86, 0.62], [−1.76, −1.03]]."""
    from critlocus.core.precision import DEFAULT_LADDER

    instance = s_convex.catalogue_instance()
    outcome = s_convex.NONFILLING_NO_BAD_MINIMA.claim.check(instance, DEFAULT_LADDER)
    assert outcome.verdict.value == "fails"
    ev = outcome.tiers[-1].evidence
    assert round(ev["loss"], 6) == 0.680568 and round(ev["global_minimum_loss"], 6) == 0.128261
