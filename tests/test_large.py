"""Large networks: chunked dense Hessians to N = 2000, and Hessian inertia from HVPs with eigsh."""

import numpy as np
import pytest

from critlocus.bench_scale import core_point_problem, format_table, scaling_table
from critlocus.core import Architecture, Dataset, Network, Problem, mp_precision
from critlocus.core.errors import InvalidArgument
from critlocus.core.float64 import hessian_f64
from critlocus.core.large import DENSE_LIMIT, hessian_dense, hvp_operator, inertia_hvp
from critlocus.core.precision import FLOAT64
from critlocus.core.spectrum import inertia_float64


def off_locus(problem, theta, shift=0.25):
    """The core point with b_ℓ moved off ȳ: not critical, Hessian of low rank with ± pairs."""
    theta = theta.copy()
    theta[-problem.architecture.n_out:] += shift
    return theta


@pytest.fixture(scope="module")
def core300():
    return core_point_problem(300, data=6, n_out=2, seed=3)


def test_chunked_dense_hessian_equals_torch_func_hessian(core300):
    problem, theta = core300
    for point in (theta, off_locus(problem, theta)):
        H = hessian_dense(problem, point, max_bytes=2**18)  # many small chunks
        assert np.array_equal(H, hessian_f64(problem, point))


def test_hvp_operator_matches_the_dense_hessian(core300):
    problem, theta = core300
    point = off_locus(problem, theta)
    H = hessian_f64(problem, point)
    op = hvp_operator(problem, point)
    rng = np.random.default_rng(0)
    v, V = rng.standard_normal(problem.n_params), rng.standard_normal((problem.n_params, 3))
    scale = np.abs(H).sum(axis=1).max()  # ‖H‖_∞: the size of the products' rounding errors
    assert np.abs(op @ v - H @ v).max() <= 64 * problem.n_params * 2**-53 * scale * np.abs(v).max()
    assert np.abs(op @ V - H @ V).max() <= 64 * problem.n_params * 2**-53 * scale * np.abs(V).max()
    assert op.products == 4


@pytest.mark.parametrize("where", ["core", "off-locus"])
@pytest.mark.parametrize("hints", [(None, None), (2, 0), (7, 3)])
def test_eigsh_inertia_equals_the_dense_inertia(core300, where, hints):
    problem, theta = core300
    point = theta if where == "core" else off_locus(problem, theta)
    dense = inertia_float64(hessian_f64(problem, point), FLOAT64)
    op = hvp_operator(problem, point)
    lanczos = inertia_hvp(op, expected_positive=hints[0], expected_negative=hints[1])
    assert dense.decided and lanczos.decided
    assert lanczos.inertia == dense.inertia
    if where == "core":  # Cooper Thm 3.2: (n_ℓ, 0, N − n_ℓ), every positive eigenvalue 2d
        assert lanczos.inertia == (2, 0, problem.n_params - 2)
        assert np.allclose(lanczos.nonzero_eigenvalues, 2 * problem.data.size, rtol=1e-12)
        assert op.products < problem.n_params  # matrix-free: fewer products than columns of H
    else:
        assert lanczos.n_neg > 0
        assert np.allclose(sorted(lanczos.nonzero_eigenvalues), sorted(dense.nonzero_eigenvalues), rtol=1e-9)


def test_full_rank_hessian_beyond_max_k_is_left_undecided_not_guessed():
    rng = np.random.default_rng(1)
    arch = Architecture((3, 6, 6, 2))
    data = Dataset(rng.standard_normal((12, 3)), rng.standard_normal((12, 2)))
    problem = Problem(Network(arch, "tanh"), "squared_error", data)
    theta = rng.standard_normal(problem.n_params)
    dense = inertia_float64(hessian_f64(problem, theta), FLOAT64)
    assert dense.n_zero == 0  # a generic point: no zero eigenvalue
    decision = inertia_hvp(hvp_operator(problem, theta), max_k=4)
    assert not decision.decided and decision.n_ambiguous > 0
    assert decision.n_pos <= dense.n_pos and decision.n_neg <= dense.n_neg


def test_large_core_point_checked_without_forming_the_hessian():
    problem, theta = core_point_problem(6000, data=8, n_out=3, seed=5)
    assert problem.n_params > 2 * DENSE_LIMIT
    op = hvp_operator(problem, theta)
    decision = inertia_hvp(op, expected_positive=3, expected_negative=0)
    assert decision.decided and decision.inertia == (3, 0, problem.n_params - 3)
    assert np.allclose(decision.nonzero_eigenvalues, 16.0, rtol=1e-12)  # 2d, d = 8
    assert op.products < 500


def test_dense_hessian_at_n_2000_within_memory():
    problem, theta = core_point_problem(DENSE_LIMIT, data=4, n_out=2, seed=2)
    assert 1800 < problem.n_params <= DENSE_LIMIT
    H = hessian_dense(problem, theta, max_bytes=64 * 2**20)
    assert H.shape == (problem.n_params,) * 2 and H.nbytes <= 32 * 2**20
    dense = inertia_float64(H, FLOAT64)
    assert dense.inertia == (2, 0, problem.n_params - 2)


def test_bad_inputs_are_refused():
    problem, theta = core_point_problem(2100, data=2, seed=0)
    with pytest.raises(InvalidArgument, match="2000"):
        hessian_dense(problem, theta)
    with pytest.raises(InvalidArgument, match="shape"):
        hvp_operator(problem, theta[:-1])
    bad = theta.copy()
    bad[0] = np.nan
    with pytest.raises(InvalidArgument, match="NaN"):
        hvp_operator(problem, bad)
    with pytest.raises(InvalidArgument, match="float64"):
        inertia_hvp(hvp_operator(problem, theta), precision=mp_precision(30))
    with pytest.raises(InvalidArgument, match="sizes"):
        scaling_table([10])


def test_scaling_table_rows_and_ratios():
    rows = scaling_table([120, 400], data=4)
    assert [(r["method"]) for r in rows] == ["dense", "hvp", "dense", "hvp"]
    assert all(r["correct"] and r["decided"] for r in rows)
    assert all("time_ratio" in r and "memory_ratio" in r for r in rows if r["method"] == "hvp")
    text = format_table(rows)
    assert "inertia" in text and text.count("\n") == len(rows) + 1


def test_bench_scale_command(capsys):
    from critlocus.cli import main

    assert main(["bench", "--scale", "120"]) == 0
    out = capsys.readouterr().out
    assert "dense" in out and "hvp" in out and "(2, 0, " in out
    assert main(["bench", "--scale", "lots"]) == 2
    assert capsys.readouterr().err.strip() == ("critlocus: error: --scale 'lots': expected comma-separated "
                                               "positive sizes, e.g. 500,1000")


def test_point_evaluation_counts_matrix_free_above_the_dense_limit():
    """A claim checked on a network with N > 2000 parameters: the float64 tier decides the
    inertia by Lanczos on Hessian-vector products, never forming H (N = 2209 core point:
    inertia (1, 0, N − 1), the one positive eigenvalue 2d)."""
    from critlocus import claims
    from critlocus.core.precision import DEFAULT_LADDER
    from critlocus.strategies import equal_width_core_instance

    inst = equal_width_core_instance(32, 4, n_data=3, index_set=[1, 2], seed=1)
    n = inst.n_params
    assert n > DENSE_LIMIT
    dec = inst.evaluation().inertia(FLOAT64)
    assert "eigsh" in dec.method and dec.decided and dec.inertia == (1, 0, n - 1)
    assert np.isclose(dec.nonzero_eigenvalues[0], 6.0, rtol=1e-10)
    assert "H64" not in inst.evaluation()._cache  # the dense Hessian was never formed
    # float64 agrees but never confirms exact zeros alone: on a float64-only ladder the claim is
    # inconclusive, its tier 'true' by Lanczos (the mpmath tiers then decide it: 8 s here)
    claim = claims.hessian_inertia(positive=1, negative=0, zero=n - 1)
    outcome = claim.check(inst, DEFAULT_LADDER[:1])
    tier = outcome.tiers[0]
    assert outcome.verdict == "inconclusive" and tier.status == "true" and "eigsh" in tier.evidence["method"]
