"""Float64 tier: one torch.func transform per point, and device plumbing (cpu by default,
``--device cuda`` where a GPU exists)."""

import numpy as np
import pytest
import torch

from critlocus.core import FLOAT64, Architecture, Dataset, Network, Problem, get_activation, log_cosh
from critlocus.core import float64 as f64
from critlocus.core.errors import InvalidArgument
from critlocus.core.evaluation import PointEvaluation
from critlocus.core.points import Given, PointRecipe


def _case(seed=0):
    rng = np.random.default_rng(seed)
    arch = Architecture((3, 4, 2), (True, False))
    data = Dataset(rng.standard_normal((5, 3)), rng.standard_normal((5, 2)))
    rules = {b.name: Given(rng.standard_normal(b.shape)) for b in arch.layout.blocks}
    problem = Problem(Network(arch, get_activation("silu")), log_cosh(), data)
    point = PointRecipe(arch, rules)
    return problem, point, point.realize_float64(data)


def test_one_pass_gives_the_same_derivatives_as_separate_transforms():
    problem, _, theta = _case()
    so = f64.second_order_f64(problem, theta, device="cpu")
    fo = f64.first_order_f64(problem, theta, device="cpu")
    np.testing.assert_allclose(so.gradient, f64.gradient_f64(problem, theta), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(fo.gradient, so.gradient, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(so.jacobian, f64.output_jacobian_f64(problem, theta), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(0.5 * (so.hessian + so.hessian.T), f64.hessian_f64(problem, theta),
                               rtol=1e-12, atol=1e-14)
    assert so.loss == pytest.approx(f64.loss_f64(problem, theta), rel=1e-14)
    np.testing.assert_allclose(so.outputs, f64.outputs_f64(problem, theta), rtol=1e-14)


def test_evaluation_uses_one_second_order_pass_for_small_problems():
    problem, point, _ = _case()
    ev = PointEvaluation(problem, point)
    ev.gradient_decision(FLOAT64)
    assert "d2" in ev._cache and "d1" not in ev._cache
    ev.inertia(FLOAT64)
    assert ev.inertia(FLOAT64).decided


def test_device_is_cpu_by_default_and_validated(monkeypatch):
    monkeypatch.delenv(f64.DEVICE_VARIABLE, raising=False)
    assert f64.get_device() == torch.device("cpu")
    assert f64.set_device("cpu") == torch.device("cpu")
    with pytest.raises(InvalidArgument, match="device"):
        f64.set_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(InvalidArgument, match=r"cuda\.is_available"):
            f64.set_device("cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU")
def test_cuda_tier_agrees_with_cpu(monkeypatch):
    problem, point, theta = _case(1)
    cpu = f64.second_order_f64(problem, theta, device="cpu")
    gpu = f64.second_order_f64(problem, theta, device="cuda")
    np.testing.assert_allclose(gpu.hessian, cpu.hessian, rtol=1e-10, atol=1e-12)
    on_cpu = PointEvaluation(problem, point).inertia(FLOAT64).inertia
    monkeypatch.setenv(f64.DEVICE_VARIABLE, "cuda")
    assert PointEvaluation(problem, point).inertia(FLOAT64).inertia == on_cpu
