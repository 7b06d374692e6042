"""Architectures by regime, activations by name, data (distinct inputs, realizable targets):
the regime's inequalities hold by construction, arguments are validated up front."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from critlocus import strategies
from critlocus.core import Architecture, Network
from critlocus.core import float64 as f64
from critlocus.core.errors import InvalidArgument

FAST = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.mark.parametrize("kwargs,name", [
    ({"n_data": 3, "regime": "wide"}, "regime"),
    ({"n_data": 0, "regime": "mild"}, "n_data"),
    ({"n_data": 1, "regime": "mild"}, "n_data"),
    ({"n_data": 3, "regime": "very_wide", "max_width": 2}, "max_width"),
    ({"n_data": 3, "regime": "very_wide", "wide": "first"}, "wide"),
    ({"n_data": 3, "regime": "mild", "min_depth": 1}, "min_depth"),
    ({"n_data": 2, "regime": "under"}, "n_data"),
    ({"n_data": 3, "regime": "mild", "output_bias": 1}, "output_bias"),
])
def test_regime_arguments_are_validated(kwargs, name):
    with pytest.raises(InvalidArgument, match=name):
        strategies.regime_architectures(**kwargs)


@FAST
@given(strategies.activations("tanh", "arctan"))
def test_activations_by_name(act):
    assert act.name in ("tanh", "arctan")


def test_activations_by_name_and_property():
    with pytest.raises(InvalidArgument, match="lacks"):
        strategies.activations("sigmoid", zero_at_zero=True)
    with pytest.raises(InvalidArgument, match="unknown activation"):
        strategies.activations("softplus")


def _with_d(regime, low=2, **kwargs):
    return st.integers(low, 6).flatmap(
        lambda d: st.tuples(st.just(d), strategies.regime_architectures(n_data=d, regime=regime, **kwargs)))


@FAST
@given(_with_d("under", low=5, max_outputs=2))
def test_under_parameterized(case):
    d, arch = case
    assert arch.n_params <= d * arch.n_out
    assert strategies.regime_of(arch, d) == "under"


@FAST
@given(_with_d("mild"))
def test_mildly_over_parameterized(case):
    d, arch = case
    assert arch.n_params > d * arch.n_out
    assert max(arch.widths[1:-1]) < d


@FAST
@given(_with_d("very_wide", wide="last", min_excess=1))
def test_very_wide_last_layer_is_wider_than_d(case):
    d, arch = case
    assert arch.widths[-2] > d


@FAST
@given(_with_d("very_wide", output_bias=False, min_depth=3, max_depth=3))
def test_very_wide_every_layer(case):
    d, arch = case
    assert min(arch.widths[1:-1]) >= d and arch.depth == 3 and arch.bias == (True, True, False)


@FAST
@given(_with_d("extremely_wide", max_depth=2))
def test_extremely_wide(case):
    d, arch = case
    assert min(arch.widths[1:-1]) >= d * d


@FAST
@given(st.data())
def test_realizable_targets_are_reached_by_the_network(data):
    arch = Architecture((2, 3, 2))
    net = Network(arch, "tanh")
    theta = data.draw(strategies.generic_arrays((arch.n_params,), bits=10))
    dataset = data.draw(strategies.realizable_datasets(network=net, theta=theta, max_size=5))
    assert dataset.has_distinct_inputs()
    from critlocus.core import Problem, squared_error

    assert np.array_equal(f64.outputs_f64(Problem(net, squared_error(), dataset), theta), dataset.Y)


@FAST
@given(strategies.datasets(n_in=2, n_out=2, min_size=2, max_size=5, targets="generic"))
def test_generic_targets_and_distinct_inputs(dataset):
    assert dataset.has_distinct_inputs()
    assert len(np.unique(dataset.Y)) == dataset.Y.size  # no coincidences, with probability one
