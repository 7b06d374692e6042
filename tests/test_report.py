"""What reports say: exact claim descriptions, each tier's own status, conjectures labelled as
such, counterexamples in the theory's terms, spectra with exact zeros at 0, concrete instances."""

from pathlib import Path

import pytest

from critlocus import Source, Spec, claims, concrete_instance, run_spec, strategies
from critlocus.core.errors import InvalidArgument
from critlocus.registry import load_spec_file
from critlocus.report import build_document, render_html, render_markdown, strip_timing
from critlocus.views import block_text, plural

SPEC_FILE = Path(__file__).parent / "conjectures" / "false_variants.py"
FALSE_VARIANTS = {s.id: s for s in load_spec_file(SPEC_FILE)}


@pytest.fixture(scope="module")
def ulp_result():
    """float64 cannot see a 1-ulp shift of ȳ (its tier says true or undecided), 30 and 60 digits
    refute it."""
    return run_spec(FALSE_VARIANTS["false.ulp-shifted-critical"], examples=5, seed=3).to_dict()


def test_bounds_and_callables_describe_themselves_exactly():
    def at_least_n_minus_out(instance):
        """≥ N − n_ℓ"""
        return claims.at_least(instance.n_params - instance.n_out)

    def n_minus_out(instance):
        """N − n_ℓ"""
        return instance.n_params - instance.n_out

    assert claims.hessian_inertia(zero=claims.at_least(2)).describe() == "Hessian inertia: n₀ ≥ 2"
    assert claims.hessian_inertia(positive=claims.at_most(1)).describe() == "Hessian inertia: n₊ ≤ 1"
    assert claims.hessian_inertia(zero=at_least_n_minus_out).describe() == "Hessian inertia: n₀ ≥ N − n_ℓ"
    assert claims.hessian_inertia(zero=n_minus_out, negative=0).describe() == \
        "Hessian inertia: n₋ = 0, n₀ = N − n_ℓ"


def test_plural():
    assert plural(1, "spec") == "1 spec" and plural(2, "spec") == "2 specs" and plural(0, "spec") == "0 specs"


def test_tier_lines_show_each_tiers_own_status(ulp_result):
    assert ulp_result["verdict"] == "fails"
    md = render_markdown(build_document([ulp_result], command="check", settings={}))
    float64 = ulp_result["counterexample"]["outcome"]["tiers"][0]["status"]
    assert float64 in ("true", "undecided")
    assert f"float64: **{float64}**" in md
    assert "mpmath-30: **false**" in md and "mpmath-60: **false**" in md
    assert "**1 spec — fails: 1.**" in md and "1 specs" not in md
    html = render_html(build_document([ulp_result], command="check", settings={}))
    assert f"<td>float64</td><td>{float64}</td>" in html


def test_counterexample_in_the_theorys_terms(ulp_result):
    md = render_markdown(build_document([ulp_result], command="check", settings={}),
                         results_path="/data/results.json")
    cx = ulp_result["counterexample"]
    depth = cx["instance"]["architecture"]["depth"]
    assert f"`W_{depth} = 0`" in md
    assert f"b_{depth} (fl(ȳ) +" in md  # the ulp-shifted bias says what it is
    assert "Reproduce: `critlocus replay /data/results.json --id false.ulp-shifted-critical`" in md
    assert "Search again: `critlocus verify --only false.ulp-shifted-critical --seed 3" in md
    assert "Hypothesis: `@reproduce_failure(" in md
    assert block_text("b_3", {"rule": "mean_target", "float64": [0.5]}) == "b_3 = ȳ = [0.5]"
    assert block_text("W_1", {"rule": "zero", "float64": [[0.0]]}) == "W_1 = 0"


def test_user_specs_are_conjectures_and_catalogue_specs_theorems():
    spec = Spec(id="mine.x", source=Source("notes"), statement="s", claim=claims.is_critical(),
                instances=strategies.star_locus_instances(max_depth=3, max_width=2))
    assert spec.kind == "conjecture"
    from critlocus.theorems.cooper import s3_loci

    assert s3_loci.THM_3_1.kind == "theorem" and s3_loci.THM_3_1.defined_in["module"].startswith("critlocus.")


def test_timing_is_the_only_run_dependent_part(ulp_result):
    a = build_document([ulp_result], command="check", settings={"seed": 3})
    b = build_document([ulp_result], command="check", settings={"seed": 3})
    assert "timing" in a and "timing" in a["results"][0]
    assert strip_timing(a) == strip_timing(b)


def test_spectrum_plot_draws_exact_zeros_at_zero(ulp_result):
    from critlocus import plots

    core = run_spec(FALSE_VARIANTS["false.core-no-positive-eigenvalue"], examples=3, seed=0).to_dict()
    _, tiers = plots.spectrum_tiers(core)
    assert [t[0] for t in tiers] == ["float64", "mpmath-30", "mpmath-60"]
    inst = core["counterexample"]["instance"]
    n_zero = inst["architecture"]["n_params"] - inst["architecture"]["widths"][-1]
    for _, _, evidence in tiers:  # listed or decided without listing (exact deflation), all at 0
        groups = plots.spectrum_groups(evidence)
        assert len(groups["exact zero"]) == n_zero and all(v == 0.0 for _, v in groups["exact zero"])
        assert groups["nonzero"] and not groups["ambiguous"]
    if plots.available():
        assert plots.spectrum_png(core)[:4] == b"\x89PNG"
    assert plots.spectrum_tiers(ulp_result)[1] == []  # a gradient claim has no spectrum to draw


def test_concrete_instance_is_checked_as_an_explicit_example(tmp_path):
    point = {"W_1": [[0.5], [1.0]], "b_1": [0, 0], "W_2": "zero", "b_2": "zero", "W_3": "zero",
             "b_3": "mean_target"}
    inst = concrete_instance(widths=(1, 2, 2, 1), activation="tanh", X=[[0.5], [-1.0]], Y=[[1.0], [0.25]],
                             point=point, label="p ∈ S_{2}")
    assert str(inst.point.rules["b_3"].to_dict()["rule"]) == "mean_target"
    spec = Spec(id="mine.concrete", source="notes", statement="this star point is critical",
                examples=[inst], claim=claims.is_critical())
    result = run_spec(spec, examples=50, seed=0)
    assert result.verdict == "holds" and result.examples == 1  # exactly the stated instance
    with pytest.raises(InvalidArgument, match=r"missing \['b_3'\]"):
        concrete_instance(widths=(1, 2, 2, 1), activation="tanh", X=[[0.5]], Y=[[1.0]],
                          point={k: v for k, v in point.items() if k != "b_3"})
    with pytest.raises(InvalidArgument, match=r"block W_1 has shape \(2, 1\)"):
        concrete_instance(widths=(1, 2, 2, 1), activation="tanh", X=[[0.5]], Y=[[1.0]],
                          point={**point, "W_1": [[1.0, 2.0]]})
    with pytest.raises(InvalidArgument, match="unknown rule 'ybar'"):
        concrete_instance(widths=(1, 2, 2, 1), activation="tanh", X=[[0.5]], Y=[[1.0]],
                          point={**point, "b_3": "ybar"})
