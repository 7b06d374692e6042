"""Locus points are constructions, rebuilt at each precision — not rounded vectors."""

import mpmath
from hypothesis import HealthCheck, given, settings

from critlocus.core.highprec import MPLandscape
from critlocus.core.precision import mp_precision
from critlocus.strategies import star_locus_instances


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(star_locus_instances(max_depth=5, max_width=8, min_data=2))
def test_thm31_gradient_at_60_digits_is_zero_to_working_precision(instance):
    evaluation = instance.evaluation()
    prec = mp_precision(60)
    with mpmath.workdps(60):
        g = evaluation.landscape_mp(prec).gradient()
        norm = mpmath.sqrt(mpmath.fdot(g, g))
        # the same point given as its float64 vector (b_ℓ = fl(ȳ)) is *not* critical at 60 digits
        rounded = MPLandscape(instance.problem, [mpmath.mpf(float(v)) for v in evaluation.theta])
        rg = rounded.gradient()
        rounded_norm = mpmath.sqrt(mpmath.fdot(rg, rg))
        ybar_exact = instance.problem.data.mean_target_mp()
        ybar_rounds = any(mpmath.mpf(float(v)) != v for v in ybar_exact)
    decision = evaluation.gradient_decision(prec)
    assert decision.status == "zero"
    assert norm <= decision.threshold
    assert norm < mpmath.mpf(10) ** -50 * max(1, evaluation.gradient_scale())
    # ȳ rounds to float64 unless it is a dyadic rational with few bits: then the rounded
    # vector's gradient 2d(fl(ȳ) − ȳ) is of float64 size, ~35 orders above the rebuilt one
    if ybar_rounds:
        assert rounded_norm > mpmath.mpf(10) ** -25
