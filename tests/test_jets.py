"""core/jets.py: Taylor-mode derivatives in mpmath agree with known series, with the exact gradient
and Hessian of core/highprec.py, and with nested torch.func.jvp in float64; majorants bound the
coefficients and scale the zero decisions."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from critlocus.core import Architecture, Dataset, Network, Problem, get_loss, jets
from critlocus.core.decisions import decide_zero
from critlocus.core.errors import InvalidArgument
from critlocus.core.highprec import MPLandscape
from critlocus.core.precision import mp_precision

ACTIVATIONS = ["tanh", "arctan", "cubic", "silu", "sigmoid", "identity"]


def _problem(act, loss="squared_error", widths=(2, 3, 3, 2), d=3, seed=0, **loss_params):
    rng = np.random.default_rng(seed)
    arch = Architecture(widths)
    data = Dataset(np.round(rng.normal(size=(d, widths[0])) * 64) / 64,
                   np.round(rng.normal(size=(d, widths[-1])) * 64) / 64)
    problem = Problem(Network(arch, act), get_loss(loss, **loss_params), data)
    theta = np.round(rng.normal(size=arch.n_params) * 0.6 * 256) / 256
    v = rng.normal(size=arch.n_params)
    return problem, theta, v


def _identity_series(order):
    with mpmath.workdps(40):
        return jets.Series([mpmath.mpf(0), mpmath.mpf(1)] + [mpmath.mpf(0)] * (order - 1),
                           [0.0, 1.0] + [0.0] * (order - 1))


@pytest.mark.parametrize("name,known", [
    ("tanh", ["0", "1", "0", "-1/3", "0", "2/15", "0", "-17/315"]),
    ("arctan", ["0", "1", "0", "-1/3", "0", "1/5", "0", "-1/7"]),
    ("sigmoid", ["1/2", "1/4", "0", "-1/48", "0", "1/480", "0", "-17/80640"]),
    ("cubic", ["0", "1", "0", "1", "0", "0", "0", "0"]),
    ("silu", ["0", "1/2", "1/4", "0", "-1/48", "0", "1/480", "0"]),
])
def test_activation_series_match_known_maclaurin_coefficients(name, known):
    with mpmath.workdps(40):
        s = jets.series_activation(name)(_identity_series(7))
        for c, k, m in zip(s.c, known, s.m):
            q = Fraction(k)
            assert abs(c - mpmath.mpf(q.numerator) / q.denominator) < mpmath.mpf(10) ** -35
            assert abs(c) <= m * (1 + 1e-12) + 1e-300  # the majorant bounds the coefficient


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_first_two_coefficients_are_the_exact_gradient_and_hessian(act):
    problem, theta, v = _problem(act)
    with mpmath.workdps(40):
        params = [mpmath.mpf(float(t)) for t in theta]
        res = jets.taylor_loss_mp(problem, params, list(v), 3)
        land = MPLandscape(problem, params)
        vm = [mpmath.mpf(float(x)) for x in v]
        g = mpmath.fdot(land.gradient(), vm)
        q = mpmath.fdot(land.hvp(vm), vm) / 2
        assert abs(res.coefficients[0] - land.loss()) <= 1e-35 * res.majorants[0]
        assert abs(res.coefficients[1] - g) <= 1e-35 * res.majorants[1]
        assert abs(res.coefficients[2] - q) <= 1e-35 * res.majorants[2]


@pytest.mark.parametrize("act", ACTIVATIONS)
@pytest.mark.parametrize("loss,params", [("squared_error", {}), ("log_cosh", {}),
                                         ("pseudo_huber", {"delta": 0.75}),
                                         ("weighted_squared_error", {"weights": [1.5, 0.25]})])
def test_mpmath_jets_agree_with_nested_jvp_in_float64(act, loss, params):
    problem, theta, v = _problem(act, loss, **params)
    with mpmath.workdps(30):
        exact = jets.taylor_loss_mp(problem, list(theta), list(v), 4)
    f64 = jets.taylor_loss_f64(problem, theta, v, 4)
    for k in range(5):
        tau = 4 * f64.chain * 2.0**-53 * f64.majorants[k]
        assert abs(float(exact.coefficients[k]) - f64.coefficients[k]) <= tau
        assert abs(float(exact.coefficients[k])) <= exact.majorants[k] * (1 + 1e-12)


@pytest.mark.parametrize("act", ["tanh", "silu"])
def test_output_coefficients_by_nested_jvp_match_the_mpmath_jets(act):
    problem, theta, v = _problem(act)
    with mpmath.workdps(30):
        exact = jets.taylor_outputs_mp(problem, list(theta), list(v), 3)
    f64 = jets.taylor_outputs_f64(problem, theta, v, 3)
    for row_mp, row_64 in zip(exact, f64):
        for a, b in zip(row_mp, row_64):
            for k in range(4):
                tau = 4 * b.chain * 2.0**-53 * b.majorants[k]
                assert abs(float(a.coefficients[k]) - b.coefficients[k]) <= tau


def test_polarization_gives_the_mixed_third_derivative():
    problem, theta, _ = _problem("tanh", widths=(2, 3, 2), d=2)
    rng = np.random.default_rng(3)
    u, v, w = (rng.normal(size=problem.n_params) for _ in range(3))

    def outputs(t):
        import torch
        return problem.network.forward_torch(t, torch.tensor(problem.data.X)).reshape(-1)

    nested = jets.directional_derivative_f64(outputs, theta, [u, v, w]).numpy()

    def series_of(x):
        with mpmath.workdps(30):
            out = jets.taylor_outputs_mp(problem, list(theta), list(x), 3)
        return [r for row in out for r in row]

    polar = jets.polarized_derivative_mp(series_of, [u, v, w])
    for (value, major), ref in zip(polar, nested):
        assert abs(float(value) - ref) <= 1e-12 * (major + 1)
    second = jets.polarized_derivative_mp(series_of, [u, v])
    nested2 = jets.directional_derivative_f64(outputs, theta, [u, v]).numpy()
    for (value, major), ref in zip(second, nested2):
        assert abs(float(value) - ref) <= 1e-12 * (major + 1)


def test_exact_zeros_decide_zero_and_a_dyadic_offset_decides_nonzero():
    """Along W_ℓ at a point with a_{ℓ−1} = 0 the first coefficient is an exact zero; moving b_ℓ off
    ȳ by 2^-30 makes the b_ℓ-directional coefficient a decided nonzero at 30 digits."""
    problem, theta, _ = _problem("tanh", widths=(2, 3, 3, 1), d=4)
    layout = problem.architecture.layout
    theta = theta.copy()
    theta[layout.block("W_2").slice] = 0
    theta[layout.block("b_2").slice] = 0
    theta[layout.block("W_3").slice] = 0
    prec = mp_precision(30)
    with mpmath.workdps(30):
        params = [mpmath.mpf(float(t)) for t in theta]
        ybar = problem.data.mean_target_mp()
        for name, offset in (("b_3", 0), ("b_3", mpmath.mpf(2) ** -30)):
            params[layout.block(name).slice.start] = ybar[0] + offset
            e = np.zeros(problem.n_params)
            e[layout.block(name).slice] = 1
            res = jets.taylor_loss_mp(problem, params, list(e), 2)
            dec = decide_zero(res.coefficients[1], prec, n=res.chain, scale=res.majorants[1])
            assert dec.status == ("zero" if offset == 0 else "nonzero")
            if offset:
                assert abs(res.coefficients[1] - 2 * problem.data.size * offset) < mpmath.mpf(10) ** -25


def test_errors_name_the_problem():
    problem, theta, v = _problem("relu")
    with pytest.raises(InvalidArgument, match="ReLU"):
        jets.taylor_loss_mp(problem, list(theta), list(v), 2)
    problem, theta, v = _problem("tanh")
    with pytest.raises(InvalidArgument, match="order"):
        jets.taylor_loss_mp(problem, list(theta), list(v), 0)
    with pytest.raises(InvalidArgument, match="coordinates"):
        jets.taylor_loss_mp(problem, list(theta), list(v[:-1]), 2)
    with pytest.raises(InvalidArgument, match="no Taylor-series"):
        jets.series_activation("softsign")
    with pytest.raises(InvalidArgument, match="already has a jet"):
        jets.register_activation_jet("tanh", lambda s: s)
    with pytest.raises(InvalidArgument, match="direction of shape"):
        jets.directional_derivative_f64(lambda t: t.sum(), theta, [v[:-1]])
