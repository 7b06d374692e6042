"""Deep linear networks: the product map μ_d, its differential and functional losses."""

from functools import reduce

import numpy as np
import pytest

from critlocus.core.errors import InvalidArgument
from critlocus.core.linear import (
    LinearNetwork,
    frobenius_distance,
    quadratic_regression,
    weighted_frobenius,
)

EPS = np.finfo(np.float64).eps
C = 4.0

WIDTHS = [(3, 2), (2, 3, 2), (3, 2, 3), (2, 4, 3, 2), (3, 1, 2, 3), (4, 3, 2), (2, 2, 2, 2, 2)]


def factors(net, theta):
    blocks = net.architecture.layout.unflatten(theta)
    return [blocks[f"W_{i}"] for i in range(1, net.depth + 1)]


def chain(mats, size):
    """M_k ⋯ M_1 for mats = [M_1, …, M_k]; the identity of ``size`` when empty."""
    return reduce(lambda acc, m: m @ acc, mats, np.eye(size))


def product_scale(Ws) -> float:
    return float(np.prod([1 + np.linalg.norm(W) for W in Ws]))


def random_theta(net, seed):
    return np.random.default_rng(seed).standard_normal(net.n_params)


@pytest.mark.parametrize("widths", WIDTHS, ids=str)
def test_sizes(widths):
    net = LinearNetwork(widths)
    assert net.depth == len(widths) - 1
    assert net.n_params == sum(widths[i] * widths[i - 1] for i in range(1, len(widths)))
    assert net.bottleneck == min(widths)
    assert net.architecture.bias == (False,) * net.depth


@pytest.mark.parametrize(("widths", "filling"), [
    ((2, 3, 2), True), ((2, 2, 3), True), ((3, 4, 2), True), ((1, 1), True), ((4, 3, 2), True),
    ((3, 2, 3), False), ((3, 1, 3), False), ((3, 1, 2, 3), False), ((2, 4, 1, 5, 2), False),
])
def test_is_filling(widths, filling):
    assert LinearNetwork(widths).is_filling is filling


@pytest.mark.parametrize("widths", WIDTHS, ids=str)
@pytest.mark.parametrize("seed", [0, 1])
def test_product_is_the_matrix_product(widths, seed):
    net = LinearNetwork(widths)
    theta = random_theta(net, seed)
    Ws = factors(net, theta)
    P = net.product(theta)
    assert P.shape == (widths[-1], widths[0])
    np.testing.assert_allclose(P, chain(Ws, widths[0]), rtol=0,
                               atol=C * sum(widths) * EPS * product_scale(Ws))


@pytest.mark.parametrize("widths", WIDTHS, ids=str)
def test_product_jacobian_matches_central_differences(widths):
    net = LinearNetwork(widths)
    rng = np.random.default_rng(7)
    theta, v = rng.standard_normal(net.n_params), rng.standard_normal(net.n_params)
    J = net.product_jacobian(theta)
    assert J.shape == (widths[-1] * widths[0], net.n_params)
    # μ(θ + tv) is a polynomial of degree h in t: the central difference has truncation error
    # ≤ s²/6·|∂³_t μ| ≲ s²·h³·Π(|W_i| + |V_i|), plus rounding ≲ eps/s times the same scale
    s, h = 1e-4, net.depth
    scale = product_scale([a + np.abs(b) for a, b in zip(factors(net, np.abs(theta)), factors(net, v))])
    fd = (net.product(theta + s * v) - net.product(theta - s * v)) / (2 * s)
    err = np.abs(fd.reshape(-1) - J @ v).max()
    assert err <= (s**2 * h**3 + 10 * h * EPS / s) * scale
    if h >= 3:  # and the difference is a real one: J v is not simply the difference quotient
        assert err > 0


@pytest.mark.parametrize("widths", WIDTHS, ids=str)
def test_product_jacobian_is_the_closed_form_differential(widths):
    """dμ(θ)[Δ] = Σ_i W_{>i} Δ_i W_{<i}."""
    net = LinearNetwork(widths)
    rng = np.random.default_rng(11)
    theta, delta = rng.standard_normal(net.n_params), rng.standard_normal(net.n_params)
    Ws, Ds = factors(net, theta), factors(net, delta)
    h = net.depth
    closed = sum(chain(Ws[i + 1:], widths[i + 1]) @ Ds[i] @ chain(Ws[:i], widths[0]) for i in range(h))
    J = net.product_jacobian(theta)
    tol = C * net.n_params * EPS * product_scale(Ws) * max(1.0, np.abs(delta).max())
    np.testing.assert_allclose(J @ delta, closed.reshape(-1), rtol=0, atol=tol)


@pytest.mark.parametrize("widths", WIDTHS, ids=str)
def test_product_jacobian_rank_at_a_generic_point(widths):
    """rank dμ(θ) = dim of the rank-≤r matrices, r(d_0 + d_h − r), at generic θ (TKB)."""
    net = LinearNetwork(widths)
    r, d0, dh = net.bottleneck, widths[0], widths[-1]
    J = net.product_jacobian(random_theta(net, 3))
    assert np.linalg.matrix_rank(J) == r * (d0 + dh - r)
    if net.is_filling:
        assert np.linalg.matrix_rank(J) == d0 * dh


def test_rank_example_3_2_3():
    net = LinearNetwork((3, 2, 3))
    assert np.linalg.matrix_rank(net.product_jacobian(random_theta(net, 5))) == 8 == 2 * (3 + 3 - 2)
    assert np.linalg.matrix_rank(net.product(random_theta(net, 5))) == 2


# -- functional losses ----------------------------------------------------------------------------


@pytest.mark.parametrize("widths", WIDTHS, ids=str)
def test_frobenius_loss_and_gradient_closed_form(widths):
    """L = ||W̄ − Q||², ∇_{W_i} L = W_{>i}ᵀ · 2(W̄ − Q) · W_{<i}ᵀ."""
    net = LinearNetwork(widths)
    rng = np.random.default_rng(13)
    theta = rng.standard_normal(net.n_params)
    Q = rng.standard_normal((widths[-1], widths[0]))
    loss = frobenius_distance(Q)
    Ws = factors(net, theta)
    R = chain(Ws, widths[0]) - Q
    scale = product_scale(Ws) * (product_scale(Ws) + np.abs(Q).max())
    assert abs(net.loss(loss, theta) - np.sum(R * R)) <= C * net.n_params * EPS * scale
    g = net.architecture.layout.unflatten(net.gradient(loss, theta))
    for i in range(net.depth):
        expected = chain(Ws[i + 1:], widths[i + 1]).T @ (2 * R) @ chain(Ws[:i], widths[0]).T
        np.testing.assert_allclose(g[f"W_{i + 1}"], expected, rtol=0, atol=C * net.n_params * EPS * scale)


@pytest.mark.parametrize("widths", [(2, 3), (3, 2, 2, 3), (2, 3, 4, 2), (3, 1, 1, 1, 2)], ids=str)
def test_frobenius_at_zero_deep(widths):
    """h ≥ 2: θ = 0 is critical; h ≥ 3: its Hessian vanishes (μ has no terms of degree < 3)."""
    net = LinearNetwork(widths)
    Q = np.random.default_rng(17).standard_normal((widths[-1], widths[0]))
    loss = frobenius_distance(Q)
    zero = np.zeros(net.n_params)
    assert net.loss(loss, zero) == pytest.approx(np.sum(Q * Q), rel=4 * Q.size * EPS)
    H = net.hessian(loss, zero)
    if net.depth == 1:
        np.testing.assert_array_equal(H, 2 * np.eye(net.n_params))  # ℓ ∘ id: Hessian 2I
        return
    assert not net.gradient(loss, zero).any()
    assert not H.any()


@pytest.mark.parametrize("widths", [(2, 3, 2), (3, 2, 3), (3, 1, 2), (2, 4, 3), (1, 2, 1)], ids=str)
def test_frobenius_at_zero_two_layers(widths):
    """h = 2: Hess L(0) has eigenvalues ±2σ_i(Q), each d_1 times, and 0 d_1·|d_0 − d_2| times."""
    net = LinearNetwork(widths)
    d0, d1, d2 = widths
    Q = np.random.default_rng(19).standard_normal((d2, d0))
    H = net.hessian(frobenius_distance(Q), np.zeros(net.n_params))
    sv = np.linalg.svd(Q, compute_uv=False)
    expected = np.sort(np.concatenate([np.tile(np.concatenate([2 * sv, -2 * sv]), d1),
                                       np.zeros(d1 * abs(d0 - d2))]))
    eig = np.linalg.eigvalsh(H)
    np.testing.assert_allclose(eig, expected, rtol=0, atol=C * net.n_params * EPS * 2 * sv.max())
    np.testing.assert_array_equal(H, H.T)


def test_quadratic_regression_matches_its_formula():
    net = LinearNetwork((3, 2, 2))
    rng = np.random.default_rng(23)
    X, Y = rng.standard_normal((3, 5)), rng.standard_normal((2, 5))
    theta = rng.standard_normal(net.n_params)
    loss = quadratic_regression(X, Y)
    assert loss.shape == (2, 3)
    R = net.product(theta) @ X - Y
    assert net.loss(loss, theta) == pytest.approx(np.sum(R * R), rel=1e-12)


def test_weighted_frobenius_matches_its_formula():
    net = LinearNetwork((2, 2))
    Q = np.array([[1.0, -1.0], [0.5, 2.0]])
    Lam = np.array([[1.0, 2.0], [3.0, 0.25]])
    theta = np.array([0.5, 0.25, -1.0, 4.0])
    expected = float(np.sum(Lam * (theta.reshape(2, 2) - Q) ** 2))
    assert net.loss(weighted_frobenius(Lam, Q), theta) == expected
    H = net.hessian(weighted_frobenius(Lam, Q), theta)
    np.testing.assert_array_equal(H, 2 * np.diag(Lam.reshape(-1)))


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("widths", [(3,), (3, 0, 2), (2, -1), (2, 1.5)], ids=str)
def test_bad_widths(widths):
    with pytest.raises(InvalidArgument, match="widths"):
        LinearNetwork(widths)


@pytest.mark.parametrize("bad", [np.zeros(11), np.zeros(13), np.zeros((3, 4))], ids=lambda a: str(a.shape))
def test_wrong_theta_shape(bad):
    net = LinearNetwork((3, 2, 3))
    for call in (net.product, net.product_jacobian):
        with pytest.raises(InvalidArgument, match=r"\(12,\)"):
            call(bad)
    with pytest.raises(InvalidArgument, match=r"\(12,\)"):
        net.gradient(frobenius_distance(np.zeros((3, 3))), bad)


def test_loss_of_the_wrong_shape():
    net = LinearNetwork((3, 2, 4))  # μ maps to 4 × 3 matrices
    loss = frobenius_distance(np.zeros((3, 4)))
    theta = np.zeros(net.n_params)
    for call in (net.loss, net.gradient, net.hessian):
        with pytest.raises(InvalidArgument, match=r"\(3, 4\).*\(4, 3\)"):
            call(loss, theta)


@pytest.mark.parametrize("Q", [np.zeros(3), np.zeros((2, 2, 2)), [[1.0, np.nan]], [[np.inf]]], ids=repr)
def test_bad_target_matrix(Q):
    with pytest.raises(InvalidArgument, match="Q must be a finite 2-d array"):
        frobenius_distance(Q)


def test_bad_regression_data_and_weights():
    with pytest.raises(InvalidArgument, match="same number of columns"):
        quadratic_regression(np.zeros((3, 5)), np.zeros((2, 4)))
    with pytest.raises(InvalidArgument, match=r"weights must have shape \(2, 2\)"):
        weighted_frobenius(np.ones((2, 3)), np.zeros((2, 2)))
    with pytest.raises(InvalidArgument, match="positive"):
        weighted_frobenius([[1.0, 0.0], [1.0, 1.0]], np.zeros((2, 2)))
