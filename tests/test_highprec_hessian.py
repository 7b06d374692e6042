"""The structured fixed-point Hessian equals the per-column R-operator Hessian to working
precision (every activation, loss and bias pattern), and the fixed-point arithmetic is exact
where it claims to be."""

import mpmath
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from critlocus.core import (
    Architecture,
    Dataset,
    MPLandscape,
    Network,
    Problem,
    log_cosh,
    pseudo_huber,
    squared_error,
    weighted_squared_error,
)
from critlocus.core.decisions import KAPPA
from critlocus.core.fixedpoint import FixedArray
from critlocus.core.highprec import to_mpf_list

SOME = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@st.composite
def problems(draw):
    depth = draw(st.integers(1, 4))
    widths = tuple(draw(st.lists(st.integers(1, 4), min_size=depth + 1, max_size=depth + 1)))
    bias = tuple(draw(st.lists(st.booleans(), min_size=depth, max_size=depth)))
    n_out = widths[-1]
    loss = draw(st.sampled_from(["l2", "weighted", "huber", "logcosh"]))
    loss = {"l2": squared_error(), "huber": pseudo_huber(0.5), "logcosh": log_cosh(),
            "weighted": weighted_squared_error([1.0 + o for o in range(n_out)])}[loss]
    activation = draw(st.sampled_from(["tanh", "arctan", "cubic", "silu", "sigmoid", "identity"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    d = draw(st.integers(1, 4))
    arch = Architecture(widths, bias)
    problem = Problem(Network(arch, activation), loss,
                      Dataset(rng.uniform(-1, 1, (d, widths[0])), rng.uniform(-1, 1, (d, n_out))))
    return problem, rng.uniform(-1, 1, arch.n_params)


@SOME
@given(problems(), st.sampled_from([30, 60]))
def test_structured_hessian_equals_per_column_hessian(case, digits):
    problem, theta = case
    n = problem.n_params
    with mpmath.workdps(digits):
        land = MPLandscape(problem, to_mpf_list(theta))
        reference = land.hessian_columns()
        fast = land.hessian()
        diff = mpmath.mnorm(reference - fast, "f")
        size = mpmath.mnorm(reference, "f") + 1
        # both are exact derivatives rounded at the working precision: they agree to κ·N·u·‖H‖
        assert diff <= KAPPA * (n + problem.data.size) * mpmath.eps * size
        assert all(fast[i, j] == fast[j, i] for i in range(n) for j in range(i))


def test_fixed_point_products_are_exact_and_rounding_is_bounded():
    rng = np.random.default_rng(0)
    a = FixedArray.from_floats(rng.uniform(-1, 1, (3, 4)))
    b = FixedArray.from_floats(rng.uniform(-1, 1, (4, 2)))
    exact = np.array([[sum(float(x) * float(y) for x, y in zip(r, c)) for c in b.to_float().T]
                      for r in a.to_float()])
    assert np.allclose((a @ b).to_float(), exact, rtol=0, atol=1e-15)
    with mpmath.workdps(50):
        third = mpmath.mpf(1) / 3
        x = FixedArray.from_mpf([third, -2 * third], bits=40)
        vals = x.to_mpf_list()
        assert abs(vals[0] - third) <= mpmath.ldexp(1, x.e)
        rounded = FixedArray.from_mpf([third], bits=200).rounded(30)
        assert abs(rounded.to_mpf_list()[0] - third) <= mpmath.ldexp(1, rounded.e)
    assert not (a - a).M.any() and (a + a).to_float().tolist() == (2 * a.to_float()).tolist()
