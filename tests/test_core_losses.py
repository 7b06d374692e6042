"""Separable losses: mpmath 2-jets against torch autograd, parameter validation, lookup."""

import math

import mpmath
import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch.func import grad

from critlocus.core.errors import InvalidArgument
from critlocus.core.losses import (
    Loss,
    get_loss,
    log_cosh,
    loss_names,
    pseudo_huber,
    squared_error,
    weighted_squared_error,
)

EPS = np.finfo(np.float64).eps
# φ, φ', φ'' are short formulas of O(1) terms for |r| ≤ 5 and δ ∈ [1/2, 2]: their float64
# rounding error is a few eps relative to max(1, |value|).
FACTOR = 8

residuals = st.floats(-5.0, 5.0, allow_nan=False, allow_infinity=False)


def close(torch_value: float, exact) -> bool:
    return abs(torch_value - float(exact)) <= FACTOR * EPS * max(1.0, abs(float(exact)))


def torch_jet(fn, r: float) -> tuple[float, float, float]:
    t = torch.tensor(r, dtype=torch.float64)
    return float(fn(t)), float(grad(fn)(t)), float(grad(grad(fn))(t))


@st.composite
def losses(draw):
    kind = draw(st.sampled_from(["squared_error", "weighted_squared_error", "pseudo_huber",
                                 "log_cosh"]))
    if kind == "weighted_squared_error":
        return weighted_squared_error([draw(st.floats(0.125, 8.0))])
    if kind == "pseudo_huber":
        return pseudo_huber(draw(st.floats(0.5, 2.0)))
    return get_loss(kind)


@settings(max_examples=60, deadline=None)
@given(loss=losses(), r=residuals)
def test_mp_jet_matches_torch_autograd(loss, r):
    # log cosh at r = 0 exactly: see test_log_cosh_float64_curvature_at_zero_residual
    assume(not (loss.name == "log_cosh" and r == 0.0))
    with mpmath.workdps(30):
        exact = loss.mp_jet(mpmath.mpf(r))
    got = torch_jet(loss.torch_phi, r)
    for order, (t, e) in enumerate(zip(got, exact)):
        assert close(t, e), f"{loss.name} {loss.params}: order {order} at r={r!r}: torch {t!r}, mp {e}"


# δ = 1/2 has an exact square; for δ = 0.7 see test_pseudo_huber_mp_value_uses_exact_delta_squared
@pytest.mark.parametrize("loss", [squared_error(), pseudo_huber(0.5), log_cosh()], ids=lambda x: x.name)
@settings(max_examples=5, deadline=None)
@given(r=residuals)
def test_mp_jet_is_the_derivative_of_its_value(loss, r):
    with mpmath.workdps(30):
        r0 = mpmath.mpf(r)
        _, p1, p2 = loss.mp_jet(r0)

        def phi(x):
            return loss.mp_jet(x)[0]

        assert abs(p1 - mpmath.diff(phi, r0, 1)) <= mpmath.mpf(10) ** -25 * max(1, abs(p1))
        assert abs(p2 - mpmath.diff(phi, r0, 2)) <= mpmath.mpf(10) ** -25 * max(1, abs(p2))


def test_zero_residual_is_a_minimum_with_the_declared_curvature():
    for loss in (squared_error(), pseudo_huber(0.5), log_cosh()):
        p0, p1, p2 = loss.mp_jet(mpmath.mpf(0))
        assert p0 == 0 and p1 == 0
        assert 0 < p2 <= loss.curvature_bound
    w = weighted_squared_error([0.5, 3.0])
    assert w.curvature_bound == 6.0  # sup φ'' · max w


def test_log_cosh_float64_curvature_at_zero_residual():
    assert torch_jet(log_cosh().torch_phi, 0.0)[2] == 1.0


def test_pseudo_huber_mp_value_uses_exact_delta_squared():
    delta = 0.7  # an exact binary rational; its square is not a float64
    with mpmath.workdps(50):
        d = mpmath.mpf(delta)
        r = mpmath.mpf(1)
        exact = d**2 * (mpmath.sqrt(1 + (r / d) ** 2) - 1)
        value = pseudo_huber(delta).mp_jet(r)[0]
        assert abs(value - exact) <= mpmath.mpf(10) ** -45 * exact


def test_torch_value_sums_weighted_terms():
    R = torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64)
    assert float(squared_error().torch_value(R)) == 1 + 4 + 0.25 + 9
    w = weighted_squared_error([2.0, 0.5])
    assert float(w.torch_value(R)) == 2 * (1 + 0.25) + 0.5 * (4 + 9)
    assert w.output_weights(2) == (2.0, 0.5)
    assert squared_error().output_weights(3) == (1.0, 1.0, 1.0)
    with pytest.raises(InvalidArgument, match="2 output weights but the network has 3"):
        w.output_weights(3)


# -- parameter validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "weights",
    [[], [1.0, 0.0], [-1.0], [math.nan], [math.inf, 1.0], ["a"], None, 3.0],
    ids=repr,
)
def test_weighted_squared_error_bad_weights(weights):
    with pytest.raises(InvalidArgument, match="weights"):
        weighted_squared_error(weights)


@pytest.mark.parametrize("delta", [0, 0.0, -1.0, math.nan, math.inf, "1", None], ids=repr)
def test_pseudo_huber_bad_delta(delta):
    with pytest.raises(InvalidArgument, match="delta") as info:
        pseudo_huber(delta)
    assert repr(delta) in str(info.value)


def test_pseudo_huber_params_recorded():
    loss = pseudo_huber(2)
    assert loss.params == (("delta", 2.0),)
    assert loss.to_dict() == {"name": "pseudo_huber", "formula": loss.formula, "delta": 2.0}


# -- lookup --------------------------------------------------------------------------------------


def test_loss_names():
    assert loss_names() == ["log_cosh", "pseudo_huber", "squared_error", "weighted_squared_error"]


@pytest.mark.parametrize(
    ("name", "params"),
    [("squared_error", {}), ("log_cosh", {}), ("pseudo_huber", {}), ("pseudo_huber", {"delta": 0.5}),
     ("weighted_squared_error", {"weights": [1.0, 2.0]})],
)
def test_get_loss_by_name(name, params):
    loss = get_loss(name, **params)
    assert isinstance(loss, Loss)
    assert loss.name == name
    for key, value in params.items():
        if key == "weights":
            assert loss.weights == tuple(value)
        else:
            assert dict(loss.params)[key] == value


def test_get_loss_passes_loss_through():
    loss = log_cosh()
    assert get_loss(loss) is loss


@pytest.mark.parametrize("name", ["l2", "Squared_Error", None, 3])
def test_get_loss_unknown_name(name):
    with pytest.raises(InvalidArgument, match="unknown loss") as info:
        get_loss(name)
    assert repr(name) in str(info.value)
    assert "squared_error" in str(info.value)


@pytest.mark.parametrize(
    ("name", "params"),
    [("squared_error", {"delta": 1.0}), ("weighted_squared_error", {}), ("pseudo_huber", {"width": 1})],
)
def test_get_loss_bad_parameters(name, params):
    with pytest.raises(InvalidArgument, match="bad parameters") as info:
        get_loss(name, **params)
    assert name in str(info.value)


def test_get_loss_forwards_validation_errors():
    with pytest.raises(InvalidArgument, match="delta"):
        get_loss("pseudo_huber", delta=-2.0)
