"""Ball-arithmetic enclosures (critlocus.core.certify.landscape) contain the true loss,
gradient and Hessian — checked against mpmath at 60 digits on generated instances."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

flint = pytest.importorskip("flint")

from flint import arb, fmpq  # noqa: E402

from critlocus.core.activations import get_activation  # noqa: E402
from critlocus.core.architecture import Architecture  # noqa: E402
from critlocus.core.certify import BallLandscape  # noqa: E402
from critlocus.core.certify.context import workprec  # noqa: E402
from critlocus.core.certify.point import enclose_point, mean_target_exact  # noqa: E402
from critlocus.core.data import Dataset  # noqa: E402
from critlocus.core.errors import InvalidArgument  # noqa: E402
from critlocus.core.highprec import MPLandscape  # noqa: E402
from critlocus.core.losses import log_cosh, pseudo_huber, squared_error, weighted_squared_error  # noqa: E402
from critlocus.core.network import Network, Problem  # noqa: E402
from critlocus.core.points import Derived, Given, PointRecipe  # noqa: E402
from critlocus.strategies import core_locus_instances, star_locus_instances  # noqa: E402

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


def _contains(ball, value, slack) -> bool:
    """``value`` (an mpf at 60 digits) lies in ``ball`` up to the mpf's own rounding ``slack``."""
    with workprec(256):
        return bool(abs(ball.mid() - arb(value)) <= ball.rad() + slack)


def _mp_reference(problem, recipe):
    with mpmath.workdps(60):
        land = MPLandscape(problem, recipe.realize_mp(problem.data))
        return land.loss(), land.gradient(), land.hessian()


def _check_encloses(problem, recipe):
    land = BallLandscape(problem, recipe, prec=128)
    L, g, H = _mp_reference(problem, recipe)
    scale = 1 + max(abs(float(v)) for v in g) + max(abs(float(H[i, j])) for i in range(H.rows)
                                                      for j in range(H.cols))
    slack = 1e-50 * scale
    loss = land.loss if isinstance(land.loss, arb) else arb(land.loss)
    assert _contains(loss, L, slack)
    assert all(_contains(b, v, slack) for b, v in zip(land.gradient(), g))
    Hb = land.hessian()
    n = Hb.nrows()
    assert n == problem.n_params
    bad = [(i, j) for i in range(n) for j in range(n) if not _contains(Hb[i, j], H[i, j], slack)]
    assert not bad, f"Hessian entries {bad[:5]} not enclosed"
    return land


@SETTINGS
@given(st.one_of(star_locus_instances(min_depth=2, max_depth=4, max_width=4, max_data=5),
                 core_locus_instances(max_depth=5, max_width=4, max_data=5)))
def test_enclosures_contain_the_60_digit_values_at_star_and_core_points(instance):
    land = _check_encloses(instance.problem, instance.point)
    # at a star point every gradient component is an exact zero (ȳ's rational sum is exact)
    assert all(x.is_zero() for x in land.gradient())


@st.composite
def random_points(draw):
    depth = draw(st.integers(1, 3))
    widths = tuple(draw(st.lists(st.integers(1, 3), min_size=depth + 1, max_size=depth + 1)))
    bias = tuple(draw(st.lists(st.booleans(), min_size=depth, max_size=depth)))
    act = draw(st.sampled_from(["tanh", "arctan", "cubic", "sigmoid", "silu", "identity"]))
    n_out = widths[-1]
    loss = draw(st.sampled_from([
        squared_error(), pseudo_huber(0.75), log_cosh(),
        weighted_squared_error([0.5 + k for k in range(n_out)])]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    d = draw(st.integers(1, 4))
    arch = Architecture(widths, bias)
    data = Dataset(rng.standard_normal((d, widths[0])), rng.standard_normal((d, n_out)))
    rules = {b.name: Given(rng.standard_normal(b.shape)) for b in arch.layout.blocks}
    return Problem(Network(arch, get_activation(act)), loss, data), PointRecipe(arch, rules)


@SETTINGS
@given(random_points())
def test_enclosures_contain_the_60_digit_values_at_generic_points(case):
    """Any depth, biases or not, every smooth activation, every loss (weighted included)."""
    problem, recipe = case
    land = _check_encloses(problem, recipe)
    with workprec(128):
        H = land.hessian().entries()
        scale = max(1.0, max(abs(float(x.mid())) for x in H))  # radii are absolute: relative to ‖H‖
        assert max(float(x.rad()) for x in H) < 1e-25 * scale  # tight (≈ 2^-83 relative), not just valid


def test_mean_target_is_enclosed_exactly_not_rounded():
    data = Dataset(np.zeros((3, 2)), np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]))
    assert mean_target_exact(data) == [fmpq(1, 3), fmpq(1, 3)]
    arch = Architecture((2, 2))
    from critlocus.core.points import MeanTarget, Zero

    enc = enclose_point(PointRecipe(arch, {"W_1": Zero(), "b_1": MeanTarget()}), data, 128)
    assert enc.exact[-2:] == [fmpq(1, 3), fmpq(1, 3)] and enc.rigorous
    with workprec(256):
        assert enc.balls[-1].contains(arb(fmpq(1, 3))) and not enc.balls[-1].is_exact()


def test_derived_blocks_without_a_hook_are_enclosed_from_their_high_precision_value():
    arch = Architecture((1, 1))
    data = Dataset(np.array([[1.0]]), np.array([[2.0]]))
    third = Derived(lambda shape, d: np.full(shape, 1 / 3), lambda shape, d: [mpmath.mpf(1) / 3],
                    description="1/3")
    enc = enclose_point(PointRecipe(arch, {"W_1": third, "b_1": Given(np.zeros(1))}), data, 128)
    assert not enc.rigorous and "mpmath value" in enc.assumptions[0]
    with workprec(256):
        assert enc.balls[0].contains(arb(fmpq(1, 3)))

    class Hooked(Derived):
        def rational(self, shape, data):
            return [fmpq(1, 3)]

    enc = enclose_point(PointRecipe(arch, {"W_1": Hooked(third.float64_fn, third.mp_fn),
                                           "b_1": Given(np.zeros(1))}), data, 128)
    assert enc.rigorous and enc.exact[0] == fmpq(1, 3)


def test_exact_rational_evaluation_agrees_with_ball_arithmetic():
    rng = np.random.default_rng(5)
    arch = Architecture((2, 3, 2))
    data = Dataset(rng.integers(-4, 5, (3, 2)) / 4, rng.integers(-4, 5, (3, 2)) / 8)
    rules = {b.name: Given(rng.integers(-8, 9, b.shape) / 8) for b in arch.layout.blocks}
    problem = Problem(Network(arch, get_activation("cubic")), squared_error(), data)
    recipe = PointRecipe(arch, rules)
    exact = BallLandscape(problem, recipe, exact=True)
    balls = BallLandscape(problem, recipe)
    He, Hb = exact.hessian_scaled(), balls.hessian()
    assert all(b.contains(arb(q)) for b, q in zip(Hb.entries(), He.entries()))
    with pytest.raises(InvalidArgument, match="polynomial"):
        BallLandscape(Problem(Network(arch, get_activation("tanh")), squared_error(), data), recipe,
                      exact=True)


def test_relu_at_a_kink_and_unknown_activations_are_refused_with_a_clear_error():
    arch = Architecture((1, 1, 1))
    data = Dataset(np.array([[0.0]]), np.array([[1.0]]))
    rules = {b.name: Given(np.zeros(b.shape)) for b in arch.layout.blocks}
    problem = Problem(Network(arch, get_activation("relu")), squared_error(), data)
    with pytest.raises(InvalidArgument, match="ReLU"):
        BallLandscape(problem, PointRecipe(arch, rules))
