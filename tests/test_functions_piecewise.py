"""1-D piecewise polynomials (core/piecewise.py): exact roots, minima and valleys, checked against
hand-computed examples and against a brute-force scan of generated functions."""

from fractions import Fraction

import pytest
from hypothesis import given, settings

from critlocus import strategies
from critlocus.core.errors import InvalidArgument
from critlocus.core.functions import Polynomial
from critlocus.core.piecewise import (
    IrrationalCriticalPoint,
    PiecewisePolynomial,
    SeparableSum,
    analyze,
    function_from_dict,
    rational_real_roots,
    valley_at,
)

(t,) = Polynomial.variables(1)


def test_rational_real_roots():
    assert rational_real_roots([-6, 11, -6, 1]) == [1, 2, 3]
    assert rational_real_roots([-6, 11, -6, 1], 1, 3) == [2]
    assert rational_real_roots([Fraction(-1, 9), 0, 1]) == [Fraction(-1, 3), Fraction(1, 3)]
    assert rational_real_roots([0, 0, 0, 1]) == [0]
    assert rational_real_roots([1, 0, 1]) == []
    with pytest.raises(IrrationalCriticalPoint):
        rational_real_roots([-2, 0, 1])


def test_x2_minus_x3():
    a = analyze(PiecewisePolynomial((t**2 - t**3,)))
    assert a.nodes == [0, Fraction(2, 3)] and a.infimum == float("-inf")
    (m,) = a.minima
    assert (m.location, m.strict, m.isolated, m.is_global) == (0, True, True, False)
    assert a.spurious_valley is not None and a.spurious_valley.bottom == 0
    assert a.bad_local_valley is not None and a.bad_local_valley.level > 0


def test_plateau_that_drains_has_no_valley():
    g = PiecewisePolynomial((Polynomial.constant(0, 1), -t**3), (0,))
    a = analyze(g)
    assert [m.kind for m in a.minima] == ["plateau"]
    assert not a.minima[0].strict and not a.minima[0].isolated
    assert a.spurious_valley is None and a.bad_local_valley is None


def test_lift_and_separable_sum():
    g = PiecewisePolynomial((t**2 - t**3,))
    lift = SeparableSum((g, None))
    (m,) = analyze(lift).minima
    assert not m.isolated and not m.strict
    assert valley_at(lift, m) is not None
    both = analyze(SeparableSum((g, PiecewisePolynomial((t**2,)))))
    assert [(mm.strict, mm.isolated) for mm in both.minima] == [(True, True)]
    assert function_from_dict(lift.to_dict()).parts[1] is None


def test_discontinuity_is_rejected():
    with pytest.raises(InvalidArgument, match="continuous"):
        PiecewisePolynomial((t, t + 1), (0,))


@settings(max_examples=40, deadline=None)
@given(strategies.piecewise_landscapes(max_nodes=5))
def test_minima_agree_with_a_brute_force_scan(inst):
    """Every reported point minimum is ≤ its neighbours at small rational offsets and every strict one
    is <; no scanned value lies below the reported infimum."""
    g = inst.function
    a = analyze(g)
    h = Fraction(1, 2**12)
    for m in a.minima:
        if m.kind != "point":
            continue
        left, right = g(m.location - h), g(m.location + h)
        assert left >= m.value and right >= m.value
        if m.strict:
            assert left > m.value and right > m.value
    scan = [g(Fraction(k, 8)) for k in range(-80, 81)]
    if a.infimum != float("-inf"):
        assert min(scan) >= a.infimum
    assert g.pieces[0] == function_from_dict(g.to_dict()).pieces[0]
