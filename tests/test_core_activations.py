"""The activation registry and the agreement of each mpmath 2-jet with torch autograd."""

import math

import mpmath
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.func import grad

from critlocus.core.activations import (
    PROPERTIES,
    Activation,
    activation_names,
    activations_with,
    get_activation,
    register_activation,
)
from critlocus.core.errors import InvalidArgument

EPS = np.finfo(np.float64).eps
BUILTIN = {"arctan", "cubic", "identity", "relu", "sigmoid", "silu", "tanh"}
SMOOTH = [a.name for a in activations_with(smooth=True)]

# float64 error of evaluating σ, σ', σ'' through torch: each is a short formula of O(1)
# terms (e.g. 1 − tanh²x), so its rounding error is a few eps relative to the larger of the
# value and those O(1) terms.  |x| ≤ 4 keeps every term O(1) for the cubic as well.
FACTOR = 8


def close(torch_value: float, exact, *, factor: float = FACTOR) -> bool:
    return abs(torch_value - float(exact)) <= factor * EPS * max(1.0, abs(float(exact)))


def torch_jet(fn, x: float) -> tuple[float, float, float]:
    t = torch.tensor(x, dtype=torch.float64)
    return float(fn(t)), float(grad(fn)(t)), float(grad(grad(fn))(t))


# -- registry --------------------------------------------------------------------------------


def test_builtins_registered_and_sorted():
    names = activation_names()
    assert BUILTIN <= set(names)
    assert names == sorted(names)
    assert [a.name for a in activations_with()] == names


def test_smooth_excludes_relu():
    smooth = {a.name for a in activations_with(smooth=True)}
    assert "relu" not in smooth
    assert {"tanh", "arctan", "cubic", "silu", "sigmoid", "identity"} <= smooth
    assert [a.name for a in activations_with(smooth=False)] == ["relu"]


def test_documented_filter_example():
    chosen = [a.name for a in activations_with(smooth=True, bounded=True, zero_at_zero=True)]
    assert chosen == ["arctan", "tanh"]


@pytest.mark.parametrize("prop", PROPERTIES)
def test_filters_partition_the_registry(prop):
    yes = {a.name for a in activations_with(**{prop: True})}
    no = {a.name for a in activations_with(**{prop: False})}
    assert yes.isdisjoint(no)
    assert yes | no == set(activation_names())
    assert all(getattr(get_activation(n), prop) for n in yes)


def test_declared_property_values():
    assert not get_activation("sigmoid").zero_at_zero
    assert not get_activation("silu").strictly_increasing
    assert {a.name for a in activations_with(bounded=True)} >= {"tanh", "arctan", "sigmoid"}
    assert get_activation("cubic").properties() == {
        "smooth": True, "analytic": True, "zero_at_zero": True, "strictly_increasing": True,
        "bounded": False}


def test_unknown_property():
    with pytest.raises(InvalidArgument, match="convex") as info:
        activations_with(smooth=True, convex=True)
    assert "zero_at_zero" in str(info.value)  # lists the known properties


@pytest.mark.parametrize("name", ["softplus", "Tanh", "", 3, None])
def test_unknown_name(name):
    with pytest.raises(InvalidArgument, match="unknown activation") as info:
        get_activation(name)
    assert repr(name) in str(info.value)
    assert "tanh" in str(info.value)  # lists the registered names


def test_get_activation_passes_activation_through():
    act = get_activation("tanh")
    assert get_activation(act) is act
    assert act.name == "tanh"


def test_register_rejects_duplicates_and_non_activations():
    before = activation_names()
    dup = Activation("tanh", "x", torch.tanh, lambda x: (x, x, x))
    with pytest.raises(InvalidArgument, match="already registered"):
        register_activation(dup)
    with pytest.raises(InvalidArgument, match="expected an Activation"):
        register_activation("tanh")
    assert activation_names() == before
    assert get_activation("tanh").mp_jet is not dup.mp_jet  # the built-in one is untouched


# -- jets --------------------------------------------------------------------------------------

points = st.floats(-4.0, 4.0, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("name", SMOOTH)
@settings(max_examples=30, deadline=None)
@given(x=points)
def test_mp_jet_matches_torch_autograd(name, x):
    act = get_activation(name)
    with mpmath.workdps(30):
        exact = act.mp_jet(mpmath.mpf(x))
    got = torch_jet(act.torch_fn, x)
    for order, (t, e) in enumerate(zip(got, exact)):
        assert close(t, e), f"{name}: order {order} at x={x!r}: torch {t!r}, mpmath {e}"


@pytest.mark.parametrize("name", SMOOTH)
@settings(max_examples=5, deadline=None)
@given(x=points)
def test_mp_jet_is_the_derivative_of_its_value(name, x):
    """σ' and σ'' of the jet are the derivatives of its σ (mpmath's high-precision diff)."""
    act = get_activation(name)
    with mpmath.workdps(30):
        x0 = mpmath.mpf(x)
        s0, s1, s2 = act.mp_jet(x0)
        d1 = mpmath.diff(act.mp, x0, 1)
        d2 = mpmath.diff(act.mp, x0, 2)
        assert abs(s0 - act.mp(x0)) == 0
        assert abs(s1 - d1) <= mpmath.mpf(10) ** -25 * max(1, abs(s1))
        assert abs(s2 - d2) <= mpmath.mpf(10) ** -25 * max(1, abs(s2))


@settings(max_examples=20, deadline=None)
@given(x=points.filter(lambda v: v != 0))
def test_relu_jet_away_from_zero(x):
    act = get_activation("relu")
    exact = act.mp_jet(mpmath.mpf(x))
    assert torch_jet(act.torch_fn, x) == tuple(float(e) for e in exact)


def test_relu_jet_at_zero_is_refused():
    with pytest.raises(InvalidArgument, match="not differentiable at 0"):
        get_activation("relu").mp_jet(mpmath.mpf(0))


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_zero_at_zero_flag_matches_value(name):
    act = get_activation(name)
    at_zero = float(act.torch_fn(torch.zeros((), dtype=torch.float64)))
    assert (at_zero == 0.0) == act.zero_at_zero
    if act.smooth:
        assert (act.mp(mpmath.mpf(0)) == 0) == act.zero_at_zero


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_bounded_and_increasing_flags(name):
    act = get_activation(name)
    xs = torch.linspace(-6.0, 6.0, 241, dtype=torch.float64)
    ys = act.torch_fn(xs)
    steps = ys[1:] - ys[:-1]
    if act.strictly_increasing:
        assert bool((steps > 0).all())
    else:
        assert bool((steps <= 0).any())  # ReLU is flat on x < 0, SiLU decreases on x < −1.28
    far = float(act.torch_fn(torch.tensor(1e3, dtype=torch.float64)).abs())
    assert (far <= 2.0) == act.bounded
    assert math.isfinite(far)
