"""Float64 (torch.func) and mpmath (R-operator) evaluation agree; mpmath derivatives are exact.

Tolerances are forward-error bounds ``c · n · u · S`` with ``u`` the unit roundoff, ``n = N + d``
the number of accumulated terms and ``S`` the magnitude of the quantities combined (outputs,
targets and the output Jacobian), never a fixed number.
"""

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critlocus.core import float64 as f64
from critlocus.core.activations import get_activation
from critlocus.core.architecture import Architecture
from critlocus.core.data import Dataset
from critlocus.core.errors import InvalidArgument
from critlocus.core.highprec import MPLandscape
from critlocus.core.losses import log_cosh, pseudo_huber, squared_error, weighted_squared_error
from critlocus.core.network import Network, Problem

EPS = np.finfo(np.float64).eps
C = 4.0  # κ of critlocus.core.decisions (Higham's γ_n ≈ n·u)
ACTIVATIONS = ["tanh", "arctan", "cubic", "silu", "sigmoid", "identity"]

unit = st.floats(-1.0, 1.0, allow_nan=False, allow_infinity=False)


def matrix(rows, cols):
    return st.lists(st.lists(unit, min_size=cols, max_size=cols), min_size=rows, max_size=rows)


@st.composite
def problems(draw, max_width=4):
    """A random small problem and a float64 point θ (entries scaled by 1/√(fan-in + 1))."""
    depth = draw(st.integers(2, 4))
    widths = tuple(draw(st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1)))
    bias = tuple(draw(st.lists(st.booleans(), min_size=depth, max_size=depth)))
    arch = Architecture(widths, bias)
    n_out = widths[-1]
    loss = draw(st.sampled_from(["squared_error", "weighted", "pseudo_huber", "log_cosh"]))
    if loss == "weighted":
        loss = weighted_squared_error(draw(st.lists(st.floats(0.25, 4.0), min_size=n_out, max_size=n_out)))
    elif loss == "pseudo_huber":
        loss = pseudo_huber(draw(st.sampled_from([0.5, 1.0, 2.0])))
    else:
        loss = {"squared_error": squared_error, "log_cosh": log_cosh}[loss]()
    d = draw(st.integers(1, 4))
    # values either drawn by Hypothesis (which favours 0, ±1 and other edge cases) or full-mantissa
    # uniform floats from a drawn seed
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1))) if draw(st.booleans()) else None

    def values(rows, cols):
        if rng is not None:
            return rng.uniform(-1.0, 1.0, (rows, cols))
        return np.array(draw(matrix(rows, cols)), dtype=np.float64).reshape(rows, cols)

    data = Dataset(values(d, widths[0]), values(d, n_out))
    problem = Problem(Network(arch, get_activation(draw(st.sampled_from(ACTIVATIONS)))), loss, data)
    theta = np.empty(arch.n_params)
    for b in arch.layout.blocks:
        theta[b.slice] = values(1, b.size)[0] / np.sqrt(widths[b.layer - 1] + 1)
    return problem, theta


def zero_residual(problem, theta) -> bool:
    return bool(np.any(f64.outputs_f64(problem, theta) == problem.data.Y))


def scales(problem, theta):
    """Magnitudes S_L, S_g, S_H of the terms summed into L, ∇L and Hess L."""
    data, loss = problem.data, problem.loss
    F = f64.outputs_f64(problem, theta)
    J = f64.output_jacobian_f64(problem, theta)
    terms = data.size * data.n_out * loss.curvature_bound
    s_f = 1 + np.abs(F).max() + np.abs(data.Y).max()
    s_j = 1 + np.abs(J).max()
    return terms * s_f**2, terms * s_f * s_j, terms * s_f * s_j**2


def as_array(values) -> np.ndarray:
    return np.array([float(v) for v in values])


def mp_matrix_to_array(H) -> np.ndarray:
    return np.array([[float(H[i, j]) for j in range(H.cols)] for i in range(H.rows)])


def landscape(problem, theta, dps):
    with mpmath.workdps(dps):
        land = MPLandscape(problem, list(theta))
        return land, land.loss(), land.gradient(), land.hessian()


@settings(max_examples=25, deadline=None)
@given(case=problems())
def test_mp30_agrees_with_float64(case):
    problem, theta = case
    n = problem.n_params + problem.data.size
    s_loss, s_grad, s_hess = scales(problem, theta)
    _, L, g, H = landscape(problem, theta, 30)

    L64 = f64.loss_f64(problem, theta)
    assert abs(L64 - float(L)) <= C * n * EPS * s_loss

    g64 = f64.gradient_f64(problem, theta)
    assert g64.shape == (problem.n_params,)
    assert np.abs(g64 - as_array(g)).max() <= C * n * EPS * s_grad

    H64 = f64.hessian_f64(problem, theta)
    Hmp = mp_matrix_to_array(H)
    assert H64.shape == Hmp.shape == (problem.n_params,) * 2
    assert np.abs(H64 - Hmp).max() <= C * n * EPS * (s_hess + np.abs(Hmp).max())


@settings(max_examples=10, deadline=None)
@given(case=problems(), seed=st.integers(0, 2**32 - 1))
def test_hvp_equals_dense_hessian_times_v_at_40_digits(case, seed):
    problem, theta = case
    n = problem.n_params
    v = np.random.default_rng(seed).standard_normal(n)
    with mpmath.workdps(40):
        land = MPLandscape(problem, list(theta))
        Hv = land.hvp(list(v))
        H = land.hessian()
        ref = H * mpmath.matrix(list(v))
        norm_h = mpmath.mnorm(H, 1)
        bound = mpmath.mpf(10) ** -35 * (1 + norm_h) * max(abs(mpmath.mpf(x)) for x in v)
        assert len(Hv) == n
        assert max(abs(Hv[i] - ref[i]) for i in range(n)) <= bound

        # the raw R-operator columns H e_i (before hessian() symmetrises) are symmetric already
        cols = []
        for i in range(n):
            e = [mpmath.mpf(0)] * n
            e[i] = mpmath.mpf(1)
            cols.append(land.hvp(e))
        asym = max((abs(cols[i][j] - cols[j][i]) for i in range(n) for j in range(n)), default=0)
        assert asym <= mpmath.mpf(10) ** -35 * (1 + norm_h)
        assert all(H[i, j] == H[j, i] for i in range(n) for j in range(n))


@settings(max_examples=8, deadline=None)
@given(case=problems())
def test_50_digits_agree_with_30_digits(case):
    """Exact derivatives: raising the precision changes nothing beyond the 30-digit rounding.

    Finite differences would differ by their truncation error (≫ 1e-28) at every precision.
    """
    problem, theta = case
    s_loss, s_grad, s_hess = scales(problem, theta)
    _, L30, g30, H30 = landscape(problem, theta, 30)
    _, L50, g50, H50 = landscape(problem, theta, 50)
    with mpmath.workdps(50):
        tol = mpmath.mpf(10) ** -28
        assert abs(L50 - L30) <= tol * s_loss
        assert max(abs(a - b) for a, b in zip(g50, g30)) <= tol * s_grad
        n = problem.n_params
        diff = max(abs(H50[i, j] - H30[i, j]) for i in range(n) for j in range(n))
        assert diff <= tol * (s_hess + mpmath.mnorm(H50, 1))


def test_closed_form_single_layer():
    """Depth 1, L = Σ_j ||W x_j + b − y_j||²: ∇_W = 2 Σ_j r_j x_jᵀ, Hess = 2 Σ_j z_j z_jᵀ ⊗ I."""
    X = np.array([[1.0, -0.5], [0.25, 2.0], [3.0, 1.0]])
    Y = np.array([[0.5], [-1.0], [2.0]])
    problem = Problem(Network(Architecture((2, 1)), get_activation("tanh")), squared_error(), Dataset(X, Y))
    theta = np.array([0.75, -0.25, 0.125])  # W = [0.75, −0.25], b = 0.125
    with mpmath.workdps(30):
        land = MPLandscape(problem, list(theta))
        r = X @ theta[:2] + theta[2] - Y[:, 0]  # exact in float64 here (dyadic data)
        assert land.loss() == float(np.sum(r * r))
        assert as_array(land.gradient()).tolist() == [2 * float(r @ X[:, 0]), 2 * float(r @ X[:, 1]),
                                                     2 * float(r.sum())]
        Z = np.hstack([X, np.ones((3, 1))])
        assert mp_matrix_to_array(land.hessian()).tolist() == (2 * Z.T @ Z).tolist()


def test_wrong_parameter_count():
    problem = Problem(Network(Architecture((2, 1)), get_activation("tanh")), squared_error(),
                      Dataset([[1.0, 2.0]], [[0.0]]))
    with pytest.raises(InvalidArgument, match="expected 3 parameters, got 2"):
        MPLandscape(problem, [mpmath.mpf(0)] * 2)
