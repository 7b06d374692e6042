"""Ball-arithmetic (Arb) and exact rational 2-jets of activations and losses.

Every smooth activation registered in :mod:`critlocus.core.activations` has an Arb 2-jet
``x ↦ (σ(x), σ'(x), σ''(x))`` here: evaluated on a ball ``x`` it returns balls that contain
the true values for every point of ``x`` (Arb's elementary functions are rigorous, and the
algebra on balls is inclusion-isotone).  Polynomial activations and losses also have an
*exact* jet on rationals (``fmpq``), used where the whole Hessian is rational.

A user's own activation gets certified verdicts once its jet is registered::

    from flint import arb
    register_arb_jet("softsign", lambda x: (x / (1 + abs(x)), ...))
"""

from __future__ import annotations

from collections.abc import Callable

from flint import arb, fmpq

from ..errors import InvalidArgument, NotCertifiable
from ..losses import Loss

__all__ = [
    "activation_jet",
    "exact_activation_jet",
    "exact_loss_jet",
    "loss_jet",
    "register_arb_jet",
]

ArbJet = Callable[[arb], tuple[arb, arb, arb]]

_ONE, _TWO = arb(1), arb(2)


def _tanh(x):
    t = x.tanh()
    s = _ONE - t * t
    return t, s, -2 * t * s


def _arctan(x):
    q = _ONE / (_ONE + x * x)
    return x.atan(), q, -2 * x * q * q


def _cubic(x):
    x2 = x * x
    return x + x2 * x, _ONE + 3 * x2, 6 * x


def _sigmoid_value(x):
    return _ONE / (_ONE + (-x).exp())


def _sigmoid(x):
    s = _sigmoid_value(x)
    s1 = s * (_ONE - s)
    return s, s1, s1 * (_ONE - 2 * s)


def _silu(x):
    s = _sigmoid_value(x)
    s1 = s * (_ONE - s)
    return x * s, s + x * s1, s1 * (_TWO + x * (_ONE - 2 * s))


def _identity(x):
    return x, _ONE, arb(0)


def _relu(x):
    if x > 0:
        return x, _ONE, arb(0)
    if x < 0:
        return arb(0), arb(0), arb(0)
    raise NotCertifiable(f"ReLU is not differentiable at 0 and the ball {x} contains 0; "
                          "exclude it with smooth=True")


_ARB_JETS: dict[str, ArbJet] = {
    "tanh": _tanh,
    "arctan": _arctan,
    "cubic": _cubic,
    "sigmoid": _sigmoid,
    "silu": _silu,
    "identity": _identity,
    "relu": _relu,
}

# Exact jets on rationals: only where σ is a polynomial with rational coefficients.
_EXACT_JETS: dict[str, Callable[[fmpq], tuple[fmpq, fmpq, fmpq]]] = {
    "identity": lambda x: (x, fmpq(1), fmpq(0)),
    "cubic": lambda x: (x + x * x * x, 1 + 3 * x * x, 6 * x),
}


def register_arb_jet(name: str, jet: ArbJet, *, exact: Callable | None = None,
                     replace: bool = False) -> None:
    """Register the Arb 2-jet (and optionally an exact rational jet) of activation ``name``."""
    if not callable(jet) or (exact is not None and not callable(exact)):
        raise InvalidArgument(f"the jet of {name!r} must be callable x -> (σ, σ', σ'')")
    if name in _ARB_JETS and not replace:
        raise InvalidArgument(f"an Arb jet for {name!r} is registered; pass replace=True to override")
    _ARB_JETS[name] = jet
    if exact is not None:
        _EXACT_JETS[name] = exact


def activation_jet(name: str) -> ArbJet:
    """The Arb 2-jet of the activation called ``name``."""
    try:
        return _ARB_JETS[name]
    except KeyError:
        raise NotCertifiable(
            f"activation {name!r} has no ball-arithmetic jet, so it cannot be certified; register "
            "one with critlocus.core.certify.register_arb_jet"
        ) from None


def exact_activation_jet(name: str):
    """The exact rational jet of a polynomial activation, or ``None``."""
    return _EXACT_JETS.get(name)


def _loss_params(loss: Loss) -> dict:
    return dict(loss.params)


def loss_jet(loss: Loss) -> Callable[[arb], tuple[arb, arb, arb]]:
    """The Arb 2-jet ``r ↦ (φ(r), φ'(r), φ''(r))`` of a separable loss (weights excluded)."""
    if loss.name in ("squared_error", "weighted_squared_error"):
        return lambda r: (r * r, 2 * r, _TWO)
    if loss.name == "pseudo_huber":
        delta = arb(_loss_params(loss)["delta"])

        def pseudo_huber(r):
            u = r / delta
            q = _ONE + u * u  # never u ** 2: Arb's pow is NaN on a ball that contains 0
            s = q.sqrt()
            return r * r / (s + _ONE), r / s, _ONE / (q * s)

        return pseudo_huber
    if loss.name == "log_cosh":
        def log_cosh(r):
            t = r.tanh()
            return r.cosh().log(), t, _ONE - t * t

        return log_cosh
    raise NotCertifiable(f"loss {loss.name!r} has no ball-arithmetic jet, so it cannot be certified")


def exact_loss_jet(loss: Loss):
    """The exact rational jet of a polynomial loss (the squared errors), or ``None``."""
    if loss.name in ("squared_error", "weighted_squared_error"):
        return lambda r: (r * r, 2 * r, fmpq(2))
    return None


def is_polynomial(loss: Loss, activation_name: str) -> bool:
    """Whether loss and activation are polynomials, so the Hessian is rational at rational points."""
    return exact_loss_jet(loss) is not None and exact_activation_jet(activation_name) is not None
