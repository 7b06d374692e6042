"""Float64 evaluation through ``torch.func``: loss, gradient, exact dense Hessian, Jacobian.

One set of transformed functions is built per ``(architecture, activation, loss)`` and
reused for every point and data set (data are arguments, not closures).  Autograd
derivatives are exact derivatives of the float64 program (no finite differences), so
their only error is float64 rounding.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
from torch.func import grad, hessian, jacrev

from .activations import Activation
from .architecture import Architecture
from .losses import Loss
from .network import Network, Problem

__all__ = [
    "gradient_f64",
    "hessian_f64",
    "loss_f64",
    "output_jacobian_f64",
    "outputs_f64",
    "residual_gradient_f64",
]


@lru_cache(maxsize=256)
def _transforms(architecture: Architecture, activation: Activation, loss: Loss):
    network = Network(architecture, activation)

    def outputs(theta, X):
        return network.forward_torch(theta, X)

    def loss_fn(theta, X, Y):
        return loss.torch_value(network.forward_torch(theta, X) - Y)

    def flat_outputs(theta, X):
        return outputs(theta, X).reshape(-1)

    def residual_loss(F, Y):
        return loss.torch_value(F - Y)

    return {
        "loss": loss_fn,
        "grad": grad(loss_fn),
        "hessian": hessian(loss_fn),
        "jacobian": jacrev(flat_outputs),
        "outputs": outputs,
        "dloss_doutput": grad(residual_loss),
    }


def _prepared(problem: Problem, theta: np.ndarray):
    t = torch.as_tensor(np.asarray(theta, dtype=np.float64))
    X = torch.tensor(problem.data.X)  # copies: the data arrays are read-only
    Y = torch.tensor(problem.data.Y)
    arch = problem.network.architecture
    return _transforms(arch, problem.network.activation, problem.loss), t, X, Y


def loss_f64(problem: Problem, theta: np.ndarray) -> float:
    """L(θ) in float64."""
    fns, t, X, Y = _prepared(problem, theta)
    with torch.no_grad():
        return float(fns["loss"](t, X, Y))


def gradient_f64(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """∇L(θ) (reverse mode), shape ``(N,)``."""
    fns, t, X, Y = _prepared(problem, theta)
    return fns["grad"](t, X, Y).numpy()


def hessian_f64(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """The exact dense Hessian of the float64 program (forward-over-reverse), symmetrised."""
    fns, t, X, Y = _prepared(problem, theta)
    H = fns["hessian"](t, X, Y).numpy()
    return 0.5 * (H + H.T)


def output_jacobian_f64(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """J = ∂(f(x_j))_j/∂θ with rows ordered (j, o): shape ``(d·n_ℓ, N)``."""
    fns, t, X, _ = _prepared(problem, theta)
    return fns["jacobian"](t, X).numpy()


def outputs_f64(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """The network outputs ``f_θ(x_j)``, shape ``(d, n_ℓ)``."""
    fns, t, X, _ = _prepared(problem, theta)
    with torch.no_grad():
        return fns["outputs"](t, X).numpy()


def residual_gradient_f64(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """∂L/∂f(x_j): shape ``(d, n_ℓ)`` (equals ``2(f(x_j) − y_j)`` for the L2 loss)."""
    fns, t, X, Y = _prepared(problem, theta)
    with torch.no_grad():
        F = fns["outputs"](t, X)
    return fns["dloss_doutput"](F, Y).numpy()
