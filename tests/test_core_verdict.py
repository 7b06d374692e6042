"""escalate(): the precision-ladder rules, driven by fake tier functions; parse_ladder."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critlocus.core.errors import InvalidArgument
from critlocus.core.precision import DEFAULT_LADDER, FLOAT64, mp_precision, parse_ladder
from critlocus.core.verdict import (
    Outcome,
    TierResult,
    Verdict,
    combine_outcomes,
    escalate,
)

MP30, MP60, MP90 = mp_precision(30), mp_precision(60), mp_precision(90)
FULL = (FLOAT64, MP30, MP60, MP90)


class Scripted:
    """A fake check: answers ``script[label] = (status, exact)`` and records every call."""

    def __init__(self, script):
        self.script = script
        self.calls = []

    def __call__(self, prec):
        self.calls.append(prec.label)
        status, exact = self.script[prec.label]
        return TierResult(prec.label, status, exact, f"{status} at {prec.label}")


def run(script, ladder=FULL):
    fake = Scripted(script)
    outcome = escalate(fake, ladder, check="fake")
    assert [t.precision for t in outcome.tiers] == fake.calls  # every evaluation is recorded
    return outcome, fake.calls


def test_float64_true_without_exact_zero_holds_at_once():
    outcome, calls = run({"float64": ("true", False)})
    assert outcome.verdict is Verdict.HOLDS
    assert calls == ["float64"]
    assert outcome.precision == "float64"
    assert outcome.check == "fake"


def test_float64_true_on_exact_zero_escalates():
    outcome, calls = run({"float64": ("true", True), "mpmath-30": ("true", True)})
    assert outcome.verdict is Verdict.HOLDS
    assert calls == ["float64", "mpmath-30"]
    assert outcome.deciding_tier.precision == "mpmath-30"


def test_float64_true_on_exact_zero_refuted_at_high_precision():
    outcome, calls = run({"float64": ("true", True), "mpmath-30": ("false", True),
                          "mpmath-60": ("false", True)})
    assert outcome.verdict is Verdict.FAILS
    assert calls == ["float64", "mpmath-30", "mpmath-60"]


@pytest.mark.parametrize("exact", [False, True])
def test_float64_false_alone_never_fails(exact):
    outcome, calls = run({"float64": ("false", exact)}, ladder=(FLOAT64,))
    assert outcome.verdict is Verdict.INCONCLUSIVE
    assert calls == ["float64"]


def test_float64_false_escalates_for_confirmation():
    outcome, calls = run({"float64": ("false", False), "mpmath-30": ("true", False)})
    assert outcome.verdict is Verdict.HOLDS
    assert calls == ["float64", "mpmath-30"]


def test_mp_false_confirmed_by_next_tier_fails():
    outcome, calls = run({"float64": ("false", False), "mpmath-30": ("false", False),
                          "mpmath-60": ("false", False)})
    assert outcome.verdict is Verdict.FAILS
    assert calls == ["float64", "mpmath-30", "mpmath-60"]
    assert "mpmath-30" in outcome.reason and "mpmath-60" in outcome.reason


def test_mp_false_at_the_top_of_the_ladder_fails():
    outcome, calls = run({"float64": ("undecided", False), "mpmath-30": ("false", False)},
                         ladder=(FLOAT64, MP30))
    assert outcome.verdict is Verdict.FAILS
    assert calls == ["float64", "mpmath-30"]
    assert "top of the ladder" in outcome.reason


def test_mp_false_then_mp_true_is_inconclusive():
    outcome, calls = run({"float64": ("false", False), "mpmath-30": ("false", True),
                          "mpmath-60": ("true", True)})
    assert outcome.verdict is Verdict.INCONCLUSIVE
    assert calls == ["float64", "mpmath-30", "mpmath-60"]  # mpmath-90 is not consulted
    assert "depends on the precision" in outcome.reason


def test_refuted_then_undecided_then_true_is_still_inconclusive():
    outcome, calls = run({"float64": ("false", False), "mpmath-30": ("false", False),
                          "mpmath-60": ("undecided", False), "mpmath-90": ("true", False)})
    assert outcome.verdict is Verdict.INCONCLUSIVE
    assert calls == ["float64", "mpmath-30", "mpmath-60", "mpmath-90"]
    assert "depends on the precision" in outcome.reason


def test_refuted_then_never_confirmed_is_inconclusive():
    outcome, _ = run({"float64": ("false", False), "mpmath-30": ("false", False),
                      "mpmath-60": ("undecided", False), "mpmath-90": ("undecided", False)})
    assert outcome.verdict is Verdict.INCONCLUSIVE
    assert "no higher precision confirmed" in outcome.reason


def test_all_undecided_is_inconclusive():
    script = {p.label: ("undecided", False) for p in FULL}
    outcome, calls = run(script)
    assert outcome.verdict is Verdict.INCONCLUSIVE
    assert calls == [p.label for p in FULL]


def test_undecided_escalates_until_a_tier_decides():
    outcome, calls = run({"float64": ("undecided", False), "mpmath-30": ("undecided", False),
                          "mpmath-60": ("true", False)})
    assert outcome.verdict is Verdict.HOLDS
    assert calls == ["float64", "mpmath-30", "mpmath-60"]


statuses = st.tuples(st.sampled_from(["true", "false", "undecided"]), st.booleans())


@settings(max_examples=200, deadline=None)
@given(script=st.fixed_dictionaries({p.label: statuses for p in FULL}), top=st.integers(1, 4))
def test_escalation_invariants(script, top):
    ladder = FULL[:top]
    outcome, calls = run(script, ladder)
    assert calls == [p.label for p in ladder[: len(calls)]]  # in order, none skipped or repeated
    last_status, last_exact = script[calls[-1]]
    mp_calls = [c for c in calls if c != "float64"]
    if outcome.verdict is Verdict.FAILS:
        # decided in high precision by a false, never by float64 alone
        assert mp_calls and last_status == "false"
        assert len(mp_calls) >= 2 or calls[-1] == ladder[-1].label
    elif outcome.verdict is Verdict.HOLDS:
        assert last_status == "true"
        assert calls[-1] != "float64" or not last_exact
        # no high-precision tier refuted before the one that confirmed
        assert all(script[c][0] != "false" for c in mp_calls[:-1])
    if not mp_calls:
        assert outcome.verdict is not Verdict.FAILS


def test_combine_outcomes():
    def out(v):
        return Outcome(v, "c", [], "")

    assert combine_outcomes([out(Verdict.HOLDS), out(Verdict.HOLDS)]) is Verdict.HOLDS
    assert combine_outcomes([out(Verdict.HOLDS), out(Verdict.INCONCLUSIVE)]) is Verdict.INCONCLUSIVE
    assert combine_outcomes([out(Verdict.INCONCLUSIVE), out(Verdict.FAILS)]) is Verdict.FAILS
    assert combine_outcomes([]) is Verdict.HOLDS


def test_outcome_serialisation():
    outcome, _ = run({"float64": ("true", True), "mpmath-30": ("true", True)})
    d = outcome.to_dict()
    assert d["verdict"] == "holds" and d["precision"] == "mpmath-30"
    assert [t["rests_on_exact_zero"] for t in d["tiers"]] == [True, True]
    assert str(Verdict.FAILS) == "fails"


# -- parse_ladder -------------------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "digits"), [("30,60", (30, 60)), (" 30 , 60 ,", (30, 60)), ((40,), (40,)),
                                              ([20, 25, 100], (20, 25, 100))])
def test_parse_ladder(spec, digits):
    ladder = parse_ladder(spec)
    assert ladder[0] is FLOAT64
    assert tuple(p.dps for p in ladder[1:]) == digits
    assert all(not p.is_float64 for p in ladder[1:])
    bits = [p.bits for p in ladder]
    assert bits == sorted(bits) and len(set(bits)) == len(bits)


def test_default_ladder():
    assert parse_ladder("30,60") == DEFAULT_LADDER


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "at least one mpmath tier"),
        (" , ", "at least one mpmath tier"),
        ([], "at least one mpmath tier"),
        ("30,abc", "comma-separated"),
        ("30;60", "comma-separated"),
        ("60,30", "increase strictly"),
        ("30,30", "increase strictly"),
        ("15", ">= 20"),
        ([30.0], ">= 20"),
        ([True], ">= 20"),
    ],
)
def test_parse_ladder_errors(spec, message):
    with pytest.raises(InvalidArgument, match=message):
        parse_ladder(spec)


def test_precision_properties():
    assert FLOAT64.unit_roundoff == 2.0**-53
    assert MP30.unit_roundoff < 1e-30 < 10 * MP30.unit_roundoff
    assert (FLOAT64.label, MP30.label) == ("float64", "mpmath-30")
    assert FLOAT64.band_factor == pytest.approx(2.0 ** (53 / 4))
