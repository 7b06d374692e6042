"""Float64 evaluation through ``torch.func``: loss, gradient, exact dense Hessian, Jacobian.

One set of transformed functions is built per ``(architecture, activation, loss)`` and
reused for every point and data set (data are arguments, not closures).  Autograd
derivatives are exact derivatives of the float64 program (no finite differences), so
their only error is float64 rounding.

Two transforms serve :class:`critlocus.core.evaluation.PointEvaluation`, each one pass:

- :func:`first_order_f64` — ``jacrev`` of the outputs gives ``F`` and the output Jacobian
  ``J``; then ``∂ℓ/∂F``, ``L`` and ``∇L = Jᵀ ∂ℓ/∂F``;
- :func:`second_order_f64` — the Jacobian of ``θ ↦ (∇L(θ), F(θ))`` gives ``Hess L`` and
  ``J`` together, with ``∇L`` and ``F`` as auxiliary outputs: reverse-over-reverse
  (``jacrev``) up to N = 400, where it is several times faster than the forward-over-reverse
  of ``torch.func.hessian`` (vmapped forward mode has a large fixed cost), and ``jacfwd``
  above, where forward mode wins.

**Device.** The float64 tier runs on ``cpu`` by default; ``set_device("cuda")`` (or the
environment variable ``CRITLOCUS_DEVICE=cuda``, which ``critlocus --device cuda`` sets so
worker processes inherit it) runs it on a GPU when ``torch.cuda.is_available()``.  Results
come back as numpy arrays on the host either way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from torch.func import grad, jacfwd, jacrev

from .activations import Activation
from .architecture import Architecture
from .errors import InvalidArgument
from .losses import Loss
from .network import Network, Problem

__all__ = [
    "FirstOrder",
    "SecondOrder",
    "first_order_f64",
    "get_device",
    "gradient_f64",
    "hessian_f64",
    "loss_f64",
    "output_jacobian_f64",
    "outputs_f64",
    "residual_gradient_f64",
    "second_order_f64",
    "set_device",
]

DEVICE_VARIABLE = "CRITLOCUS_DEVICE"
REVERSE_OVER_REVERSE_LIMIT = 400  # N up to which the Hessian is taken reverse-over-reverse


def _check_device(device: str | torch.device) -> torch.device:
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise InvalidArgument(f"unknown torch device {device!r}; use 'cpu' or 'cuda[:k]'") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise InvalidArgument(f"device {device!r} requested but torch.cuda.is_available() is False; "
                              "use 'cpu'")
    if dev.type not in ("cpu", "cuda"):
        raise InvalidArgument(f"device {device!r}: the float64 tier runs on 'cpu' or 'cuda'")
    return dev


def set_device(device: str | torch.device) -> torch.device:
    """Run the float64 tier on ``device`` (``"cpu"`` or ``"cuda[:k]"``) in this process and
    in processes started from it (through ``$CRITLOCUS_DEVICE``)."""
    dev = _check_device(device)
    os.environ[DEVICE_VARIABLE] = str(dev)
    return dev


def get_device() -> torch.device:
    """The float64 tier's device: ``$CRITLOCUS_DEVICE`` or ``cpu``."""
    return _check_device(os.environ.get(DEVICE_VARIABLE) or "cpu")


@lru_cache(maxsize=256)
def _transforms(architecture: Architecture, activation: Activation, loss: Loss):
    network = Network(architecture, activation)
    # per-output weights (n_ℓ,) broadcast over the data; per-point weights are a (d, n_ℓ) matrix
    weights = torch.tensor(loss.weights, dtype=torch.float64) if loss.weights else None

    def outputs(theta, X):
        return network.forward_torch(theta, X)

    def residual_loss(F, Y):
        phi = loss.torch_phi(F - Y)
        return (phi * weights.to(F.device)).sum() if weights is not None else phi.sum()

    def loss_and_outputs(theta, X, Y):
        F = outputs(theta, X)
        return residual_loss(F, Y), F

    def loss_fn(theta, X, Y):
        return residual_loss(outputs(theta, X), Y)

    def flat_outputs(theta, X):
        F = outputs(theta, X)
        return F.reshape(-1), F

    grad_with_outputs = grad(loss_and_outputs, has_aux=True)

    def second(theta, X, Y):
        def inner(t):
            g, F = grad_with_outputs(t, X, Y)
            return (g, F.reshape(-1)), (g, F)
        jac = jacrev if theta.shape[0] <= REVERSE_OVER_REVERSE_LIMIT else jacfwd
        return jac(inner, has_aux=True)(theta)

    return {
        "loss": loss_fn,
        "grad": grad(loss_fn),
        "jacobian": jacrev(flat_outputs, has_aux=True),
        "outputs": outputs,
        "dloss_doutput": grad(residual_loss),
        "residual_loss": residual_loss,
        "second": second,
    }


def _prepared(problem: Problem, theta: np.ndarray, device: torch.device | None = None):
    dev = get_device() if device is None else _check_device(device)
    t = torch.as_tensor(np.asarray(theta, dtype=np.float64), device=dev)
    X = torch.as_tensor(np.array(problem.data.X), device=dev)  # copies: the data arrays are read-only
    Y = torch.as_tensor(np.array(problem.data.Y), device=dev)
    arch = problem.network.architecture
    return _transforms(arch, problem.network.activation, problem.loss), t, X, Y


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


@dataclass
class FirstOrder:
    """Loss, gradient, outputs ``F`` (d × n_ℓ), ``∂ℓ/∂F`` and the output Jacobian ``J``
    (rows ordered (j, o), shape ``(d·n_ℓ, N)``) at one point, in float64."""

    loss: float
    gradient: np.ndarray
    outputs: np.ndarray
    residual_gradient: np.ndarray
    jacobian: np.ndarray


@dataclass
class SecondOrder(FirstOrder):
    """:class:`FirstOrder` plus the dense Hessian (forward-over-reverse, not symmetrised)."""

    hessian: np.ndarray


def first_order_f64(problem: Problem, theta: np.ndarray, *, device=None) -> FirstOrder:
    """One ``jacrev`` pass: ``F``, ``J``, then ``∂ℓ/∂F``, ``L`` and ``∇L = Jᵀ ∂ℓ/∂F``."""
    fns, t, X, Y = _prepared(problem, theta, device)
    J, F = fns["jacobian"](t, X)
    L, G = _loss_and_output_gradient(fns, F, Y)
    with torch.no_grad():
        g = J.T @ G.reshape(-1)
    return FirstOrder(float(L), _np(g), _np(F), _np(G), _np(J))


def _loss_and_output_gradient(fns, F: torch.Tensor, Y: torch.Tensor):
    """``L`` and ``∂ℓ/∂F`` by plain autograd on the (small) output matrix."""
    Fl = F.detach().requires_grad_(True)
    L = fns["residual_loss"](Fl, Y)
    (G,) = torch.autograd.grad(L, Fl)
    return L.detach(), G


def second_order_f64(problem: Problem, theta: np.ndarray, *, device=None) -> SecondOrder:
    """One ``jacfwd(∇L, F)`` pass: ``Hess L``, ``J``, ``∇L``, ``F``; then ``∂ℓ/∂F`` and ``L``."""
    fns, t, X, Y = _prepared(problem, theta, device)
    (H, J), (g, F) = fns["second"](t, X, Y)
    L, G = _loss_and_output_gradient(fns, F, Y)
    return SecondOrder(float(L), _np(g), _np(F), _np(G), _np(J), _np(H))


def loss_f64(problem: Problem, theta: np.ndarray) -> float:
    """L(θ) in float64."""
    fns, t, X, Y = _prepared(problem, theta)
    with torch.no_grad():
        return float(fns["loss"](t, X, Y))


def gradient_f64(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """∇L(θ) (reverse mode), shape ``(N,)``."""
    fns, t, X, Y = _prepared(problem, theta)
    return _np(fns["grad"](t, X, Y))


def hessian_f64(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """The exact dense Hessian of the float64 program (forward-over-reverse), symmetrised."""
    H = second_order_f64(problem, theta).hessian
    return 0.5 * (H + H.T)


def output_jacobian_f64(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """J = ∂(f(x_j))_j/∂θ with rows ordered (j, o): shape ``(d·n_ℓ, N)``."""
    fns, t, X, _ = _prepared(problem, theta)
    return _np(fns["jacobian"](t, X)[0])


def outputs_f64(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """The network outputs ``f_θ(x_j)``, shape ``(d, n_ℓ)``."""
    fns, t, X, _ = _prepared(problem, theta)
    with torch.no_grad():
        return _np(fns["outputs"](t, X))


def residual_gradient_f64(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """∂L/∂f(x_j): shape ``(d, n_ℓ)`` (equals ``2(f(x_j) − y_j)`` for the L2 loss)."""
    fns, t, X, Y = _prepared(problem, theta)
    with torch.no_grad():
        F = fns["outputs"](t, X)
    return _np(fns["dloss_doutput"](F, Y))
