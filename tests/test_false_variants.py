"""The framework must be able to fail: known-false statements are refuted by its own search,
with a shrunk counterexample, every refutation confirmed in high precision."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings

from critlocus import run_spec
from critlocus.core.precision import DEFAULT_LADDER
from critlocus.core.verdict import Verdict
from critlocus.registry import load_spec_file

FALSE_VARIANTS = load_spec_file(Path(__file__).parent / "conjectures" / "false_variants.py")
BY_ID = {s.id: s for s in FALSE_VARIANTS}


@pytest.mark.spec
@pytest.mark.parametrize("spec", FALSE_VARIANTS, ids=[s.id for s in FALSE_VARIANTS])
def test_false_variant_is_refuted_and_shrunk(spec):
    assert spec.expected == "fails"
    result = run_spec(spec, seed=3)
    assert result.verdict == "fails", result.error
    cx = result.counterexample
    tiers = cx["outcome"]["tiers"]
    # decided at high precision and confirmed one tier up: never from float64 alone
    assert tiers[0]["precision"] == "float64"
    assert [t["precision"] for t in tiers[-2:]] == ["mpmath-30", "mpmath-60"]
    assert [t["status"] for t in tiers[-2:]] == ["false", "false"]
    assert "confirmed at mpmath-60" in cx["outcome"]["reason"]
    # shrunk to a minimal instance, stated in the theory's terms
    inst = cx["instance"]
    assert inst["architecture"]["depth"] == 3
    assert inst["data"]["d"] == 1
    assert max(inst["architecture"]["widths"]) <= 2
    assert set(inst["point"]) == {"W_1", "b_1", "W_2", "b_2", "W_3", "b_3"}
    assert inst["point"]["W_3"]["rule"] == "zero"
    assert cx["reproduce"]["seed"] == 3


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(BY_ID["false.ulp-shifted-critical"].instances)
def test_ulp_shift_is_below_float64_noise_and_only_escalation_decides(instance):
    """On generic data the gradient 2d(fl(ȳ) + k·ulp − ȳ) ~ 1e-16 is inside float64's noise: the
    float64 tier cannot refute it, the rebuilt high-precision point does."""
    data = instance.problem.data
    assume(float(abs(data.mean_target()).min()) >= 2.0**-6)
    outcome = BY_ID["false.ulp-shifted-critical"].claim.check(instance, DEFAULT_LADDER)
    first = outcome.tiers[0]
    assert first.precision == "float64"
    assert first.status != "false"  # float64 sees only noise
    assert first.evidence["value"] <= first.evidence["band_top"]
    assert outcome.verdict == Verdict.FAILS
    assert outcome.tiers[-1].precision == "mpmath-60"
    # at 30 digits the real gradient 2d(b_ℓ − ȳ) is clearly above the band: a decided nonzero
    assert outcome.tiers[1].evidence["status"] == "nonzero"
    assert outcome.tiers[1].evidence["value"] > outcome.tiers[1].evidence["band_top"]
