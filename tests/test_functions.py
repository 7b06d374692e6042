"""Exact polynomial landscapes (core/functions.py, core/explicit.py): derivatives against torch,
exact linear algebra against numpy, orders of criticality, certificates, records and errors."""

from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from critlocus import Source, Spec, claims, run_spec, strategies
from critlocus.core import float64 as f64
from critlocus.core.errors import InvalidArgument
from critlocus.core.explicit import (
    FunctionInstance,
    conjugate_directions,
    isolation_radius,
    line_sign_radius,
    strict_minimum_radius,
)
from critlocus.core.functions import Polynomial, exact_determinant, exact_inertia, network_loss_polynomial
from critlocus.core.precision import DEFAULT_LADDER, FLOAT64, mp_precision

x, y = Polynomial.variables(2)


def _torch_value(poly: Polynomial, t: torch.Tensor) -> torch.Tensor:
    total = torch.zeros((), dtype=torch.float64)
    for alpha, c in poly.terms.items():
        term = torch.tensor(float(c), dtype=torch.float64)
        for i, k in enumerate(alpha):
            term = term * t[i] ** k
        total = total + term
    return total


@settings(max_examples=10, deadline=None)
@given(strategies.planted_critical_points(max_vars=3, max_order=3),
       st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3))
def test_exact_gradient_and_hessian_agree_with_torch_autograd(inst, raw):
    f = inst.function
    point = np.array(raw[:f.n_vars])
    t = torch.tensor(point, dtype=torch.float64)
    g_torch = torch.func.grad(lambda v: _torch_value(f, v))(t).numpy()
    H_torch = torch.func.hessian(lambda v: _torch_value(f, v))(t).numpy()
    scale = 1 + np.abs(H_torch).max() + np.abs(g_torch).max()
    assert np.allclose(f.gradient_f64(point), g_torch, rtol=0, atol=1e-12 * scale)
    assert np.allclose(f.hessian_f64(point), H_torch, rtol=0, atol=1e-12 * scale)
    # the exact rational gradient at the (exactly representable) float point
    exact = [float(v) for v in f.gradient_at(tuple(point))]
    assert np.allclose(exact, g_torch, rtol=0, atol=1e-12 * scale)


def test_arithmetic_printing_and_calculus():
    f = x**3 + y**3
    assert str(f) == "x³ + y³"
    assert f.degree == 3 and f.lowest_degree == 3
    assert f.derivative(0) == 3 * x**2
    assert f.hessian[0][0] == 6 * x and f.hessian[0][1].is_zero
    assert (x - y) * (x + y) == x**2 - y**2
    assert f.translate((1, 0)) == (x + 1) ** 3 + y**3
    assert f.restrict_to_line((0, 0), (1, -1)).is_zero
    assert (x**2 - x**3)((Fraction(1, 3), 0)) == Fraction(2, 27)
    assert f.partial((2, 0)) == 6 * x


@pytest.mark.parametrize(("poly", "point", "order"), [
    (x**3 + y**3, (0, 0), 2), (x**2 - y**2, (0, 0), 1), (x + y**2, (0, 0), 0),
    (x**4 * y, (0, 0), 4), ((x - Fraction(1, 3)) ** 3, (Fraction(1, 3), 5), 2),
])
def test_critical_order(poly, point, order):
    assert poly.critical_order_at(point) == order


def test_critical_order_of_a_constant_and_of_a_truncated_jet():
    assert Polynomial.constant(2, 2).critical_order_at((0, 0)) == float("inf")
    assert (x**5).critical_order_at((0, 0), max_order=3) == 3  # "at least 3"


def test_exact_inertia_and_determinant_agree_with_numpy():
    rng = np.random.default_rng(0)
    for _ in range(30):
        n = int(rng.integers(1, 6))
        A = rng.integers(-3, 4, size=(n, n))
        S = (A + A.T).tolist()
        eig = np.linalg.eigvalsh(np.array(S, dtype=float))
        tol = 1e-9 * (1 + np.abs(eig).max())
        pos, neg, zero = exact_inertia(S)
        assert (pos, neg) == (int(np.sum(eig > tol)), int(np.sum(eig < -tol)))
        assert pos + neg + zero == n
        assert float(exact_determinant(S)) == pytest.approx(np.linalg.det(np.array(S, float)), abs=1e-6)
        dirs = conjugate_directions(S)
        assert sorted((d > 0) - (d < 0) for _, d in dirs) == sorted([1] * pos + [-1] * neg + [0] * zero)


def test_exact_inertia_needs_2x2_pivots():
    assert exact_inertia([[0, 1], [1, 0]]) == (1, 1, 0)
    assert exact_inertia([[0, 0, 2], [0, 0, 0], [2, 0, 0]]) == (1, 1, 1)


def test_certificates():
    saddle = x**2 - y**2 + x**3
    rho = isolation_radius(saddle, (0, 0))
    assert rho is not None and rho > 0
    assert strict_minimum_radius(saddle, (0, 0)) is None
    # no other critical point inside the certified ball (exact check on a rational grid)
    grid = [Fraction(i, 7) * rho for i in range(-6, 7)]
    for a in grid:
        for b in grid:
            if (a, b) != (0, 0) and a * a + b * b < rho * rho:
                assert any(saddle.gradient_at((a, b)))
    bowl = x**2 + 2 * y**2 - x**3
    r = strict_minimum_radius(bowl, (0, 0))
    for a in (r / 2, -r / 2):
        assert bowl((a, r / 3)) > 0
    assert line_sign_radius(saddle, (0, 0), (0, 1))[:2] == (-1, 2)
    assert isolation_radius(x**3 + y**3, (0, 0)) is None  # degenerate: no certificate


@pytest.mark.parametrize(("activation", "widths"), [("identity", (2, 2, 1, 1)), ("cubic", (2, 2, 1))])
def test_network_loss_polynomial_matches_the_float64_evaluator(activation, widths):
    from critlocus.core.architecture import Architecture
    from critlocus.core.data import Dataset
    from critlocus.core.losses import squared_error
    from critlocus.core.network import Network, Problem

    arch = Architecture(widths)
    data = Dataset(np.array([[0.5, -1.0], [1.25, 0.75], [-0.5, 0.25]]), np.array([[1.0], [-0.5], [0.25]]))
    problem = Problem(Network(arch, activation), squared_error(), data)
    poly = network_loss_polynomial(problem)  # L(θ) exactly, expanded at 0
    theta = np.array([(-1) ** i * (i % 5) / 8 for i in range(arch.n_params)])
    assert float(poly(tuple(theta))) == pytest.approx(f64.loss_f64(problem, theta), rel=1e-12, abs=1e-12)
    g = np.array([float(v) for v in poly.gradient_at(tuple(theta))])
    assert np.allclose(g, f64.gradient_f64(problem, theta), atol=1e-10)
    jet = network_loss_polynomial(problem, theta, max_degree=2)  # h ↦ L(θ + h) to second order
    assert float(jet((0,) * arch.n_params)) == pytest.approx(f64.loss_f64(problem, theta), rel=1e-12)
    deep = Problem(Network(Architecture((1, 1, 1, 1)), "cubic"), squared_error(), Dataset([[1.0]], [[1.0]]))
    with pytest.raises(InvalidArgument, match="max_degree"):
        network_loss_polynomial(deep)


def test_function_instance_evaluation_is_exact_above_float64():
    inst = FunctionInstance(x**3 + y**3, (Fraction(1, 3), 0))
    ev = inst.evaluation()
    assert ev.gradient_decision(FLOAT64).status == "nonzero"
    dec = ev.gradient_decision(mp_precision(30))
    assert dec.status == "nonzero" and dec.details["arithmetic"] == "exact rational"
    origin = FunctionInstance(x**3 + y**3, (0, 0)).evaluation()
    spec = origin.inertia(mp_precision(30))
    assert spec.inertia == (0, 0, 2) and spec.decided
    outcome = claims.is_critical().check(FunctionInstance(x**3 + y**3, (0, 0)), DEFAULT_LADDER)
    assert outcome.verdict == "holds"


def test_records_round_trip():
    inst = FunctionInstance(x**2 - Fraction(2, 3) * y**3, (Fraction(1, 3), 2), label="p", info={"k": 1})
    again = FunctionInstance.from_dict(inst.to_dict())
    assert again.function == inst.function and again.point == inst.point and again.label == "p"
    assert Polynomial.from_dict((x * y).to_dict()) == x * y


@pytest.mark.parametrize(("call", "match"), [
    (lambda: Polynomial(0), "n_vars"),
    (lambda: (x + y)((1,)), "coordinates"),
    (lambda: (x + y)((1, float("nan"))), "finite"),
    (lambda: x**-1, "nonnegative"),
    (lambda: FunctionInstance(x + y, (1, 2, 3)), "variables"),
    (lambda: exact_inertia([[1, 2], [3, 4]]), "symmetric"),
    (lambda: Polynomial.from_dict({"terms": 3}), "polynomial record"),
    (lambda: strategies.planted_critical_points(max_vars=0), "max_vars"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises(InvalidArgument, match=match):
        call()


def test_a_false_claim_about_orders_is_refuted_with_a_shrunk_counterexample():
    spec = Spec(id="false.order-at-least-2", source=Source("test"), statement="every point has order ≥ 2",
                instances=strategies.planted_critical_points(max_vars=2, max_order=3),
                claim=claims.critical_order(claims.at_least(2)), expected="fails", kind="false-variant")
    result = run_spec(spec, examples=30, seed=1)
    assert result.verdict == "fails"
    cx = result.counterexample
    assert cx["outcome"]["tiers"][0]["precision"] == "exact (ℚ)"
    assert cx["instance"]["info"]["planted"]["order"] < 2


@settings(max_examples=25, deadline=None)
@given(strategies.planted_critical_points(max_vars=3, max_order=3))
def test_planted_critical_points_have_their_planted_order_and_inertia_exactly(inst):
    """The defining facts of a planted point hold in exact rational arithmetic: ∇f(p) = 0 iff the
    planted order is ≥ 1, the order of criticality, and at order 1 the planted Hessian inertia."""
    planted = inst.info["planted"]
    ev = inst.evaluation()
    assert ev.critical_order()[0] == planted["order"]
    assert all(g == 0 for g in ev.gradient_exact()) == planted["critical"]
    if planted["critical"]:
        assert list(ev.inertia_exact()) == planted["inertia"]
        assert (ev.determinant_exact() == 0) == planted["degenerate"]
