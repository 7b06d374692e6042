"""The certified evidence level end to end: ladders, escalation, claims, Cooper §3 certified,
false statements refuted with certificates, Arb as the fast high-precision tier."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from critlocus import claims, run_spec, strategies
from critlocus.core import (
    Architecture,
    Dataset,
    Instance,
    Network,
    Problem,
    certify,
    get_activation,
    squared_error,
)
from critlocus.core.errors import CritlocusError
from critlocus.core.precision import CERTIFIED, FLOAT64, mp_precision, parse_ladder, with_certified
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult, Verdict, escalate
from critlocus.registry import load_spec_file
from critlocus.theorems.cooper.s3_loci import THM_3_1, THM_3_2

CERT_LADDER = parse_ladder("certified,30,60")
FALSE_VARIANTS = {s.id: s for s in load_spec_file(Path(__file__).parent / "conjectures"
                                                  / "false_variants.py")}
needs_flint = pytest.mark.skipif(not certify.available(), reason="python-flint not installed")


def test_ladders_and_evidence_levels():
    assert [p.label for p in CERT_LADDER] == ["float64", "certified", "mpmath-30", "mpmath-60"]
    assert parse_ladder("30,certified") == CERT_LADDER[:3]
    assert [p.label for p in parse_ladder("certified")] == ["float64", "certified"]
    assert with_certified(CERT_LADDER) == CERT_LADDER
    assert [p.evidence_level for p in CERT_LADDER] == ["float64", "certified", "high-precision",
                                                       "high-precision"]
    assert CERTIFIED.is_certified and not FLOAT64.is_certified and not mp_precision(30).is_certified


def _tiers(answers: dict):
    def evaluate(p):
        status, exact = answers[p.label]
        return TierResult(p.label, status, exact, f"{p.label}: {status}")
    return evaluate


def test_escalation_rules_for_the_certified_tier():
    ladder = CERT_LADDER
    holds = escalate(_tiers({"float64": (TRUE, False), "certified": (TRUE, True)}), ladder)
    assert holds.verdict == Verdict.HOLDS and holds.evidence_level == "certified"
    assert [t.precision for t in holds.tiers] == ["float64", "certified"]  # float64 did not conclude
    fails = escalate(_tiers({"float64": (FALSE, True), "certified": (FALSE, True)}), ladder)
    assert fails.verdict == Verdict.FAILS and fails.evidence_level == "certified"
    assert len(fails.tiers) == 2  # a certificate needs no confirmation
    up = escalate(_tiers({"float64": (UNDECIDED, True), "certified": (UNDECIDED, True),
                          "mpmath-30": (TRUE, True)}), ladder)
    assert up.verdict == Verdict.HOLDS and up.evidence_level == "high-precision"
    plain = escalate(_tiers({"float64": (TRUE, False)}), parse_ladder("30"))
    assert plain.evidence_level == "float64" and plain.to_dict()["evidence_level"] == "float64"
    none = escalate(_tiers({"float64": (UNDECIDED, True), "mpmath-30": (UNDECIDED, True)}),
                    parse_ladder("30"))
    assert none.verdict == Verdict.INCONCLUSIVE and none.evidence_level is None


def test_claims_that_cannot_certify_skip_the_certified_tier():
    seen = []

    def tier(instance, precision):
        seen.append(precision.label)
        return TierResult(precision.label, TRUE, True, "ok")

    outcome = claims.custom("mine", tier).check(None, CERT_LADDER)
    assert "certified" not in seen and outcome.evidence_level == "high-precision"


@needs_flint
@pytest.mark.parametrize("spec", [THM_3_1, THM_3_2], ids=["thm3.1", "thm3.2"])
def test_cooper_section3_is_certified(spec):
    """Every leaf — the critical point, the nonzero inertia, the zeros and λ₊ = 2d — is proved."""
    result = run_spec(spec, examples=12, seed=1, ladder=CERT_LADDER)
    assert result.verdict == "holds", result.error
    assert result.evidence["decided_at"] == {"certified": 12 * (3 if spec is THM_3_2 else 1)}
    outcome = result.evidence["first_instance"]["outcome"]
    assert outcome["evidence_level"] == "certified"
    for leaf in outcome.get("parts", [outcome]):
        assert leaf["evidence_level"] == "certified"


@needs_flint
@pytest.mark.parametrize("variant", ["false.core-no-positive-eigenvalue", "false.ulp-shifted-critical"])
def test_false_statements_are_refuted_by_a_certificate(variant):
    result = run_spec(FALSE_VARIANTS[variant], examples=10, seed=3, ladder=CERT_LADDER)
    assert result.verdict == "fails", result.error
    outcome = result.counterexample["outcome"]
    assert outcome["evidence_level"] == "certified"
    assert outcome["tiers"][-1]["precision"] == "certified"
    assert "certified" in result.counterexample["reproduce"]["command"]


@needs_flint
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(strategies.star_locus_instances(min_depth=2, max_depth=2, max_width=3, min_data=4, max_data=4))
def test_star_points_zeros_are_not_claimed_without_proof(inst):
    """At a star point S_1 the Hessian's kernel is not made of coordinate directions alone: the
    certificate proves the signs and leaves what it cannot prove uncertain."""
    spec_claim = claims.hessian_inertia(zero=claims.at_least(1))
    dec = inst.evaluation().inertia(CERTIFIED)
    assert dec.n_pos + dec.n_neg + dec.n_zero + dec.n_ambiguous == inst.n_params
    assert spec_claim.check(inst, CERT_LADDER).verdict == Verdict.HOLDS


@needs_flint
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(strategies.star_locus_instances(min_depth=2, max_depth=3, max_width=4, max_data=6))
def test_arb_fast_tier_agrees_with_the_mpmath_tier(instance):
    prec = mp_precision(30)
    fast = certify.high_precision_inertia(instance.evaluation(), prec)
    slow = instance.evaluation()
    from critlocus.core.spectrum import decide_inertia

    ref = decide_inertia(_MpOnly(slow), prec, scale=slow.hessian_scale(), dense_limit=10_000)
    assert fast is not None and fast.decided
    assert fast.details["evidence_level"] == "high-precision"
    if ref.decided:
        assert fast.inertia == ref.inertia


class _MpOnly:
    """The evaluation's Hessian through mpmath only (the reference path)."""

    def __init__(self, evaluation):
        from critlocus.core.evaluation import _LandscapeHessian

        self._h = _LandscapeHessian(evaluation)
        self.size = self._h.size

    def dense_float64(self):
        return self._h.dense_float64()

    def dense_mp(self, precision):
        return self._h.dense_mp(precision)

    def matvec_mp(self, v, precision):
        return self._h.matvec_mp(v, precision)


def test_without_python_flint_everything_still_works(monkeypatch):
    monkeypatch.setattr(certify, "available", lambda: False)
    arch = Architecture((1, 2, 2, 1))
    point = strategies.star_locus_point(arch, [1, 2], {})
    data = Dataset(np.array([[0.5], [1.0], [2.0]]), np.array([[1.0], [0.0], [0.25]]))
    inst = Instance(Problem(Network(arch, get_activation("tanh")), squared_error(), data), point)
    dec = inst.evaluation().inertia(mp_precision(30))
    assert "Arb" not in dec.method
    with pytest.raises(CritlocusError, match="python-flint"):
        certify.require()
    from critlocus.cli import main

    assert main(["verify", "--only", "cooper.thm3.2", "--certify", "--examples", "1", "--quiet"]) == 2


@needs_flint
def test_spec_supplied_kernel_candidates_certify_zeros():
    """L(a, b) = (ab − q)² on the hyperbola ab = q: Hess = 2 (b, a)ᵀ(b, a), kernel (a, −b)."""
    from critlocus.core import Architecture as Arch
    from critlocus.core.points import Given, PointRecipe

    arch = Arch((1, 1, 1), (False, False))
    problem = Problem(Network(arch, get_activation("identity")), squared_error(),
                      Dataset(np.array([[1.0]]), np.array([[1.5]])))
    point = PointRecipe(arch, {"W_1": Given(np.array([[0.75]])), "W_2": Given(np.array([[2.0]]))})
    inst = Instance(problem, point, info={"kernel_candidates": [[0.75], [-2.0]]})
    claim = claims.hessian_inertia(positive=1, negative=0, zero=1)
    outcome = claim.check(inst, CERT_LADDER)
    assert outcome.verdict == Verdict.HOLDS and outcome.evidence_level == "certified"
    cert = outcome.tiers[-1].evidence["certificate"]
    assert cert["kernel_candidates_verified"] == 1 and "kernel vectors" in cert["method"]


@needs_flint
def test_fast_tier_eigenvalue_values_are_accurate_to_the_tier_precision():
    """Reports show float64-accurate values; a claim reading them gets 30-digit ones."""
    import mpmath

    from critlocus.core.highprec import MPLandscape
    from critlocus.core.points import Given, PointRecipe

    rng = np.random.default_rng(4)
    arch = Architecture((2, 3, 2))
    data = Dataset(rng.standard_normal((3, 2)), rng.standard_normal((3, 2)))
    problem = Problem(Network(arch, get_activation("tanh")), squared_error(), data)
    point = PointRecipe(arch, {b.name: Given(rng.standard_normal(b.shape)) for b in arch.layout.blocks})
    inst = Instance(problem, point)
    prec = mp_precision(30)
    dec = certify.high_precision_inertia(inst.evaluation(), prec)
    assert dec is not None and dec.decided and dec.n_zero == 0
    with mpmath.workdps(40):
        H = MPLandscape(problem, point.realize_mp(data)).hessian()
        ref = sorted(mpmath.eigsy(H, eigvals_only=True), key=lambda v: -abs(v))
        got = dec.nonzero_eigenvalues
        assert max(abs(a - b) for a, b in zip(got, ref)) < mpmath.mpf(10) ** -26 * abs(ref[0])
    assert all(isinstance(v, float) for v in dec.to_dict()["nonzero_eigenvalues"])


def test_enclosure_of_a_computed_point_is_normwise_so_exact_zeros_stay_inside():
    """A computed vector's error is bounded normwise: a component that is 0 in the true point
    comes out as rounding noise, and its ball must still contain 0 (a componentwise relative
    radius excluded it, and the certified tier then refuted true critical points)."""
    from flint import arb

    from critlocus.core.certify.point import _normwise_balls

    balls = _normwise_balls([3.0, 1e-60, -2.5], 128)
    assert balls[1].contains(arb(0)) and balls[0].contains(arb(3)) and balls[2].contains(arb(-2.5))
    assert all(b.rad() < arb(2) ** -125 for b in balls)


def test_certified_tier_never_refutes_eckart_young_critical_points():
    """Regression: with --certify, the Eckart–Young critical points (derived by an SVD in
    mpmath) were 'refuted with a certificate' at ‖∇L‖ ≈ 1e-36 in a 128-bit ball."""
    from critlocus.theorems.tkb.s_determinantal import STRATUM_CRITICAL

    result = run_spec(STRATUM_CRITICAL, examples=40, seed=0, ladder=CERT_LADDER, shrink=False)
    assert result.verdict == "holds", result.counterexample


def test_a_spec_of_exact_counts_asks_for_the_certified_tier_when_the_extra_is_installed(monkeypatch):
    """Spec(certify=True): Thm 3.2's counts are proved on a plain ladder when python-flint is
    installed, and the ladder is left as given without it."""
    assert THM_3_2.certify
    result = run_spec(THM_3_2, examples=5, seed=1)
    assert result.ladder[:2] == ["float64", "certified"]
    assert result.verdict == "holds" and set(result.evidence["decided_at"]) == {"certified"}
    import critlocus.core.certify as cert

    monkeypatch.setattr(cert, "available", lambda: False)
    plain = run_spec(THM_3_2, examples=5, seed=1)
    assert "certified" not in plain.ladder and plain.verdict == "holds"


def test_certify_must_be_a_bool():
    from critlocus.spec import Spec, SpecError

    with pytest.raises(SpecError, match="certify must be True or False"):
        Spec(id="x.y", source="me", statement="s", instances=strategies.star_locus_instances(),
             claim=claims.is_critical(), certify="yes")
