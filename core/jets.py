"""Directional derivatives of any order: truncated Taylor (jet) arithmetic in mpmath, nested
``torch.func.jvp`` in float64.

Along a line ``t ↦ p + t·v`` the loss and the network outputs are analytic in t; their Taylor
coefficients ``c_k = D^k F(p)[v, …, v] / k!`` are computed *exactly* — by propagating truncated
power series ``c_0 + c_1 t + … + c_K t^K`` through the network (Taylor-mode automatic
differentiation: Griewank & Walther, *Evaluating Derivatives*, 2nd ed., SIAM 2008, ch. 13) — in
mpmath at the caller's working precision, or by ``K`` nested forward-mode products
``torch.func.jvp`` in float64.  No finite differences anywhere.

Rounding-error scale (the ``S`` of τ = κ·n·u·S, :mod:`critlocus.core.decisions`).  Every
coefficient carries a *majorant* ``m_k ≥ |c_k|``: the same recurrences evaluated on absolute
values, i.e. a bound on the sum of the magnitudes of all the terms that were added into ``c_k``
(a running error bound in the sense of Wilkinson; Higham, *Accuracy and Stability of Numerical
Algorithms*, §3.3).  The computed ``c_k`` then differs from the exact one by at most about
``n·u·m_k`` with ``n`` the length of the longest chain of operations, so an exact zero computed
at precision u is decided zero against ``τ = κ·n·u·m_k``.

Elementary functions use the classical recurrences: for ``y = g(u)`` with ``g' = z(y)`` a
polynomial in y (tanh: ``1 − y²``; the logistic sigmoid: ``y − y²``),
``k·y_k = Σ_{j=1}^{k} j·u_j·z_{k−j}``; arctan integrates ``u'/(1+u²)``; square roots solve
``s² = q`` order by order.  Activations and losses are looked up by name
(:func:`register_activation_jet` adds one).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce

import mpmath
import numpy as np
import torch

from .errors import InvalidArgument
from .network import Problem

__all__ = [
    "Series",
    "TaylorResult",
    "activation_jet_names",
    "directional_derivative_f64",
    "polarized_derivative_mp",
    "register_activation_jet",
    "series_activation",
    "taylor_loss_f64",
    "taylor_loss_mp",
    "taylor_outputs_f64",
    "taylor_outputs_mp",
]


# --- scalar back ends ----------------------------------------------------------------------


class _Backend:
    """The scalar functions of one arithmetic: mpmath (``mp=True``) or IEEE float64."""

    def __init__(self, mp: bool):
        self.mp = mp
        if mp:
            self.tanh, self.atan, self.exp = mpmath.tanh, mpmath.atan, mpmath.exp
            self.log, self.cosh, self.sqrt = mpmath.log, mpmath.cosh, mpmath.sqrt
            self.num = mpmath.mpf
            self.fdot = mpmath.fdot
        else:
            self.tanh, self.atan, self.exp = math.tanh, math.atan, math.exp
            self.log, self.cosh, self.sqrt = math.log, math.cosh, math.sqrt
            self.num = float
            self.fdot = lambda a, b: math.fsum(x * y for x, y in zip(a, b))

    def zero(self):
        return self.num(0)


_MP, _F64 = _Backend(True), _Backend(False)


def _backend(values) -> _Backend:
    return _MP if any(isinstance(v, mpmath.mpf) for v in values) else _F64


# --- truncated power series ------------------------------------------------------------------


@dataclass
class Series:
    """``c_0 + c_1 t + … + c_K t^K`` (``c``: mpf or float) with majorants ``m`` (floats).

    ``m[k]`` bounds the magnitudes of the terms summed into ``c[k]`` (so ``|c[k]| ≤ m[k]``);
    arithmetic keeps that invariant.
    """

    c: list
    m: list[float]

    @property
    def order(self) -> int:
        return len(self.c) - 1

    @classmethod
    def constant(cls, value, order: int, backend: _Backend) -> Series:
        z = backend.zero()
        return cls([value] + [z] * order, [abs(float(value))] + [0.0] * order)

    def __add__(self, other: Series) -> Series:
        return Series([a + b for a, b in zip(self.c, other.c)], [a + b for a, b in zip(self.m, other.m)])

    def __sub__(self, other: Series) -> Series:
        return Series([a - b for a, b in zip(self.c, other.c)], [a + b for a, b in zip(self.m, other.m)])

    def __mul__(self, other: Series) -> Series:
        K = self.order
        be = _backend(self.c + other.c)
        c = [be.fdot(self.c[: k + 1], other.c[k::-1]) for k in range(K + 1)]
        m = [math.fsum(self.m[i] * other.m[k - i] for i in range(k + 1)) for k in range(K + 1)]
        return Series(c, m)

    def scale(self, s) -> Series:
        return Series([s * a for a in self.c], [abs(float(s)) * a for a in self.m])

    def shift_constant(self, s) -> Series:
        """``self + s`` for a scalar s."""
        c = list(self.c)
        c[0] = c[0] + s
        m = list(self.m)
        m[0] += abs(float(s))
        return Series(c, m)


def _ode_series(u: Series, y0, dy0: float, z_of: Callable[[list, int, _Backend], object],
                zm_of: Callable[[list, int], float]) -> Series:
    """``y = g(u)`` with ``g'(u) = z(g(u))``: ``k·y_k = Σ_{j=1}^k j·u_j·z_{k−j}``.

    ``z_of(y, k)`` is the k-th coefficient of ``z(y)`` given ``y_0..y_k``; ``zm_of`` its majorant.
    """
    K = u.order
    be = _backend(u.c)
    y, ym = [y0], [abs(float(y0)) + abs(dy0) * u.m[0]]
    z, zm = [], []
    for k in range(1, K + 1):
        z.append(z_of(y, k - 1, be))
        zm.append(zm_of(ym, k - 1))
        yk = be.fdot([j * u.c[j] for j in range(1, k + 1)], [z[k - j] for j in range(1, k + 1)]) / k
        y.append(yk)
        ym.append(math.fsum(j * u.m[j] * zm[k - j] for j in range(1, k + 1)) / k)
    return Series(y, ym)


def _square_coeff(y: list, k: int, be: _Backend):
    return be.fdot(y[: k + 1], y[k::-1])


def _square_major(ym: list, k: int) -> float:
    return math.fsum(ym[i] * ym[k - i] for i in range(k + 1))


def _tanh(u: Series) -> Series:
    be = _backend(u.c)
    t0 = be.tanh(u.c[0])
    return _ode_series(u, t0, 1.0,
                       lambda y, k, be: (1 if k == 0 else 0) - _square_coeff(y, k, be),
                       lambda ym, k: (1.0 if k == 0 else 0.0) + _square_major(ym, k))


def _sigmoid(u: Series) -> Series:
    be = _backend(u.c)
    s0 = 1 / (1 + be.exp(-u.c[0]))
    return _ode_series(u, s0, 0.25,
                       lambda y, k, be: y[k] - _square_coeff(y, k, be),
                       lambda ym, k: ym[k] + _square_major(ym, k))


def _divide(a: Series, b: Series) -> Series:
    """``a / b`` (``b_0 ≠ 0``): ``q_k = (a_k − Σ_{j<k} q_j b_{k−j}) / b_0``."""
    be = _backend(a.c + b.c)
    if b.c[0] == 0:
        raise InvalidArgument("series division by a series with zero constant term")
    q, qm = [], []
    b0m = abs(float(b.c[0]))
    for k in range(a.order + 1):
        acc = a.c[k] - be.fdot(q[:k], b.c[k:0:-1]) if k else a.c[0]
        q.append(acc / b.c[0])
        qm.append((a.m[k] + math.fsum(qm[j] * b.m[k - j] for j in range(k))) / b0m)
    return Series(q, qm)


def _derivative(u: Series) -> Series:
    """``u'`` truncated to the same order (last coefficient 0)."""
    be = _backend(u.c)
    c = [(k + 1) * u.c[k + 1] for k in range(u.order)] + [be.zero()]
    m = [(k + 1) * u.m[k + 1] for k in range(u.order)] + [0.0]
    return Series(c, m)


def _integral(w: Series, y0, y0_major: float) -> Series:
    c = [y0] + [w.c[k - 1] / k for k in range(1, w.order + 1)]
    m = [y0_major] + [w.m[k - 1] / k for k in range(1, w.order + 1)]
    return Series(c, m)


def _atan(u: Series) -> Series:
    be = _backend(u.c)
    q = (u * u).shift_constant(be.num(1))
    w = _divide(_derivative(u), q)
    return _integral(w, be.atan(u.c[0]), abs(float(be.atan(u.c[0]))) + u.m[0])


def _sqrt(q: Series) -> Series:
    """``s = √q`` (``q_0 > 0``): ``s_k = (q_k − Σ_{i=1}^{k−1} s_i s_{k−i}) / (2 s_0)``."""
    be = _backend(q.c)
    if not q.c[0] > 0:
        raise InvalidArgument("series square root needs a positive constant term")
    s0 = be.sqrt(q.c[0])
    s, sm = [s0], [abs(float(s0)) + q.m[0] / (2 * abs(float(s0)))]
    for k in range(1, q.order + 1):
        acc = q.c[k] - be.fdot(s[1:k], s[k - 1:0:-1])
        s.append(acc / (2 * s0))
        sm.append((q.m[k] + math.fsum(sm[i] * sm[k - i] for i in range(1, k))) / (2 * abs(float(s0))))
    return Series(s, sm)


def _cubic(u: Series) -> Series:
    return u + u * u * u


def _silu(u: Series) -> Series:
    return u * _sigmoid(u)


def _identity(u: Series) -> Series:
    return u


_ACTIVATION_JETS: dict[str, Callable[[Series], Series]] = {
    "tanh": _tanh,
    "arctan": _atan,
    "cubic": _cubic,
    "silu": _silu,
    "sigmoid": _sigmoid,
    "identity": _identity,
}


def register_activation_jet(name: str, fn: Callable[[Series], Series], *, replace: bool = False) -> None:
    """Teach the jet evaluator the Taylor series of the activation called ``name``.

    ``fn`` maps the :class:`Series` of ``u(t)`` to that of ``σ(u(t))`` and must keep the
    majorant invariant (build it from :class:`Series` arithmetic where possible).
    """
    if not isinstance(name, str) or not callable(fn):
        raise InvalidArgument("register_activation_jet needs a name and a callable Series -> Series")
    if name in _ACTIVATION_JETS and not replace:
        raise InvalidArgument(f"activation {name!r} already has a jet; pass replace=True to override")
    _ACTIVATION_JETS[name] = fn


def activation_jet_names() -> list[str]:
    return sorted(_ACTIVATION_JETS)


def series_activation(name: str) -> Callable[[Series], Series]:
    """The series map ``u ↦ σ∘u`` of a registered activation (error if it has none)."""
    try:
        return _ACTIVATION_JETS[name]
    except KeyError:
        if name == "relu":
            raise InvalidArgument("ReLU is not differentiable at 0 and has no Taylor series; "
                                  "select smooth activations (smooth=True)") from None
        raise InvalidArgument(f"activation {name!r} has no Taylor-series implementation; known: "
                              f"{', '.join(activation_jet_names())} (add one with "
                              "register_activation_jet)") from None


def _loss_series(loss, r: Series) -> Series:
    """The Taylor series of ``φ(r(t))`` for the separable losses of :mod:`critlocus.core.losses`."""
    be = _backend(r.c)
    if loss.name in ("squared_error", "weighted_squared_error"):
        return r * r
    if loss.name == "log_cosh":
        # φ' = tanh: φ_k = (1/k) Σ_j j r_j tanh(r)_{k−j}
        t = _tanh(r)
        a0 = abs(r.c[0])
        c0 = a0 + be.log(1 + be.exp(-2 * a0)) - be.log(be.num(2))  # log cosh, no overflow
        out, om = [c0], [abs(float(c0)) + r.m[0]]
        for k in range(1, r.order + 1):
            js = range(1, k + 1)
            out.append(be.fdot([j * r.c[j] for j in js], [t.c[k - j] for j in js]) / k)
            om.append(math.fsum(j * r.m[j] * t.m[k - j] for j in range(1, k + 1)) / k)
        return Series(out, om)
    if loss.name == "pseudo_huber":
        delta = be.num(dict(loss.params)["delta"])
        s = _sqrt((r * r).scale(1 / (delta * delta)).shift_constant(be.num(1)))
        c0 = r.c[0] * r.c[0] / (s.c[0] + 1)  # δ²(s_0 − 1) without cancellation
        c = [c0] + [delta * delta * sk for sk in s.c[1:]]
        m = [abs(float(c0)) + 2 * r.m[0] * r.m[0]] + [float(delta * delta) * sk for sk in s.m[1:]]
        return Series(c, m)
    raise InvalidArgument(f"loss {loss.name!r} has no Taylor-series implementation")


# --- the network along a line ----------------------------------------------------------------


@dataclass
class TaylorResult:
    """Taylor coefficients ``c_k = D^k F(p)[v^k]/k!`` of a quantity along ``p + t·v``.

    ``coefficients[k]`` (mpf or float), ``majorants[k]`` (the rounding-error scale of each),
    ``chain`` (the length n of the longest chain of accumulated operations, for τ = κ·n·u·m_k).
    """

    coefficients: list
    majorants: list[float]
    chain: int

    @property
    def order(self) -> int:
        return len(self.coefficients) - 1


def _check_line(problem: Problem, params: Sequence, direction: Sequence, order: int) -> None:
    n = problem.n_params
    if len(params) != n or len(direction) != n:
        raise InvalidArgument(f"point and direction need {n} coordinates, got {len(params)} and "
                              f"{len(direction)}")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise InvalidArgument(f"order={order!r} must be a positive integer")


def _layers(problem: Problem, values: Sequence):
    arch = problem.architecture
    layout = arch.layout
    out = []
    for k in range(1, arch.depth + 1):
        W = layout.block(f"W_{k}")
        rows, cols = W.shape
        flat = list(values[W.slice])
        mat = [flat[i * cols:(i + 1) * cols] for i in range(rows)]
        b = list(values[layout.block(f"b_{k}").slice]) if f"b_{k}" in layout else None
        out.append((mat, b))
    return out


def _outputs_along_line(problem: Problem, params: list, direction: list, order: int,
                        be: _Backend) -> tuple[list[list[Series]], int]:
    """``f_{p+tv}(x_j)`` as series, ``[j][o]``, and the longest accumulation chain."""
    arch = problem.architecture
    act = series_activation(problem.network.activation.name)
    P, V = _layers(problem, params), _layers(problem, direction)
    Pm = [([[abs(float(x)) for x in row] for row in W], None if b is None else [abs(float(x)) for x in b])
          for W, b in P]
    Vm = [([[abs(float(x)) for x in row] for row in W], None if b is None else [abs(float(x)) for x in b])
          for W, b in V]
    K = order
    zero = be.zero()
    outs = []
    for x in problem.data.X:
        a = [Series.constant(be.num(float(xi)), K, be) for xi in x]
        for k in range(arch.depth):
            (W, b), (VW, Vb), (Wm, bm), (VWm, Vbm) = P[k], V[k], Pm[k], Vm[k]
            cols = [[ai.c[r] for ai in a] for r in range(K + 1)]
            colm = [[ai.m[r] for ai in a] for r in range(K + 1)]
            h = []
            for o in range(len(W)):
                c = [be.fdot(W[o], cols[r]) + (be.fdot(VW[o], cols[r - 1]) if r else zero)
                     for r in range(K + 1)]
                m = [math.fsum(p * q for p, q in zip(Wm[o], colm[r]))
                     + (math.fsum(p * q for p, q in zip(VWm[o], colm[r - 1])) if r else 0.0)
                     for r in range(K + 1)]
                if b is not None:
                    c[0] = c[0] + b[o]
                    m[0] += bm[o]
                    if K >= 1:
                        c[1] = c[1] + Vb[o]
                        m[1] += Vbm[o]
                h.append(Series(c, m))
            a = [act(s) for s in h] if k < arch.depth - 1 else h
        outs.append(a)
    chain = (max(arch.widths) + 2) * arch.depth * (K + 1)
    return outs, chain


def _as_backend_values(values: Sequence, be: _Backend) -> list:
    return [v if isinstance(v, mpmath.mpf) else be.num(float(v)) for v in values] if be.mp \
        else [float(v) for v in values]


def taylor_outputs_mp(problem: Problem, params: Sequence, direction: Sequence, order: int
                      ) -> list[list[TaylorResult]]:
    """Taylor coefficients of every output ``f_{p+tv}(x_j)_o`` to ``order``, ``[j][o]``, in
    mpmath at the current working precision (``params`` as built by ``realize_mp``)."""
    _check_line(problem, params, direction, order)
    outs, chain = _outputs_along_line(problem, _as_backend_values(params, _MP),
                                      _as_backend_values(direction, _MP), order, _MP)
    return [[TaylorResult(s.c, s.m, chain) for s in row] for row in outs]


def taylor_outputs_f64(problem: Problem, theta: Sequence, direction: Sequence, order: int
                       ) -> list[list[TaylorResult]]:
    """:func:`taylor_outputs_mp` in float64: ``c_k = D^k f(x_j)_o[v^k]/k!`` by nested
    ``torch.func.jvp``; majorants (the float64 decisions' scales) from the float64 series."""
    _check_line(problem, theta, direction, order)
    outs, chain = _outputs_along_line(problem, _as_backend_values(theta, _F64),
                                      _as_backend_values(direction, _F64), order, _F64)
    X = torch.tensor(problem.data.X)

    def fn(t):
        return problem.network.forward_torch(t, X).reshape(-1)

    try:
        derivs = [directional_derivative_f64(fn, theta, [direction] * k).numpy() / math.factorial(k)
                  for k in range(order + 1)]
    except NotImplementedError:  # no nested forward-mode rule (e.g. silu): the float64 series
        derivs = None
    n_out = problem.architecture.n_out
    result = []
    for j, row in enumerate(outs):
        cells = []
        for o, s in enumerate(row):
            c = s.c if derivs is None else [float(derivs[k][j * n_out + o]) for k in range(order + 1)]
            cells.append(TaylorResult(c, s.m, chain))
        result.append(cells)
    return result


def _loss_along_line(problem: Problem, params: list, direction: list, order: int, be: _Backend
                     ) -> TaylorResult:
    outs, chain = _outputs_along_line(problem, params, direction, order, be)
    weights = problem.loss.weight_matrix(problem.data.size, problem.architecture.n_out)
    terms = []
    for row, y, w in zip(outs, problem.data.Y, weights):
        for o, f in enumerate(row):
            phi = _loss_series(problem.loss, f.shift_constant(be.num(-float(y[o]))))
            terms.append(phi.scale(be.num(w[o])) if w[o] != 1 else phi)
    total = reduce(lambda s, t: s + t, terms)
    return TaylorResult(total.c, total.m, chain + len(terms))


def taylor_loss_mp(problem: Problem, params: Sequence, direction: Sequence, order: int) -> TaylorResult:
    """Taylor coefficients ``L(p + t v) = Σ_k c_k t^k`` to ``order`` in mpmath (exact
    derivatives ``D^k L(p)[v^k] = k!·c_k`` at the current working precision)."""
    _check_line(problem, params, direction, order)
    return _loss_along_line(problem, _as_backend_values(params, _MP), _as_backend_values(direction, _MP),
                            order, _MP)


def _loss_fn_f64(problem: Problem):
    X = torch.tensor(problem.data.X)
    Y = torch.tensor(problem.data.Y)
    network, loss = problem.network, problem.loss
    return lambda t: loss.torch_value(network.forward_torch(t, X) - Y)


def directional_derivative_f64(fn: Callable[[torch.Tensor], torch.Tensor], theta, directions
                               ) -> torch.Tensor:
    """``D^k fn(θ)[v_1, …, v_k]`` by ``k`` nested ``torch.func.jvp`` calls (exact derivatives of the
    float64 program; ``k = len(directions)``, ``k = 0`` returns ``fn(θ)``)."""
    t = torch.as_tensor(np.asarray(theta, dtype=np.float64))
    vs = [torch.as_tensor(np.asarray(v, dtype=np.float64)) for v in directions]
    for v in vs:
        if v.shape != t.shape:
            raise InvalidArgument(f"direction of shape {tuple(v.shape)} for a point of shape "
                                  f"{tuple(t.shape)}")

    def nest(f, v):
        return lambda s: torch.func.jvp(f, (s,), (v,))[1]

    g = fn
    for v in vs:
        g = nest(g, v)
    with torch.no_grad():
        return g(t)


def taylor_loss_f64(problem: Problem, theta: Sequence, direction: Sequence, order: int) -> TaylorResult:
    """Taylor coefficients of ``L`` along ``θ + t v`` in float64: ``c_k = D^k L[v^k]/k!`` by nested
    ``torch.func.jvp``; majorants from the float64 series recurrences."""
    _check_line(problem, theta, direction, order)
    fn = _loss_fn_f64(problem)
    ref = _loss_along_line(problem, _as_backend_values(theta, _F64), _as_backend_values(direction, _F64),
                           order, _F64)
    try:
        coeffs = [float(directional_derivative_f64(fn, theta, [direction] * k)) / math.factorial(k)
                  for k in range(order + 1)]
    except NotImplementedError:
        # some torch kernels (e.g. silu's backward) have no forward-mode rule for nesting:
        # the float64 series recurrences give the same exact derivatives of a float64 program
        coeffs = [float(c) for c in ref.coefficients]
    return TaylorResult(coeffs, ref.majorants, ref.chain)


def polarized_derivative_mp(series_of: Callable[[list], list[TaylorResult]], directions: Sequence[Sequence]
                            ) -> list[tuple[object, float]]:
    """Mixed derivatives ``D^k F(p)[v_1, …, v_k]`` from Taylor coefficients along sums of the
    directions, by polarization: ``T(v_1..v_k) = (1/(k!·2^k)) Σ_{ε∈{±1}^k} ε_1⋯ε_k q(Σ ε_i v_i)``
    with ``q(w) = D^k F[w^k] = k!·c_k(w)``.  ``series_of(w)`` returns the Taylor coefficients
    (order ≥ k) of each component of a vector-valued F along w.  Returns ``(value, majorant)``
    per component.  Since q is odd when k is, only ``2^(k−1)`` evaluations are needed then;
    ``2^k`` otherwise.
    """
    k = len(directions)
    if k < 1:
        raise InvalidArgument("polarization needs at least one direction")
    n = len(directions[0])
    totals: list | None = None
    majors: list[float] = []
    patterns = [p for p in np.ndindex(*([2] * k)) if k % 2 == 0 or p[0] == 0]
    for signs in patterns:
        eps = [1 - 2 * s for s in signs]
        w = [sum(e * d[i] for e, d in zip(eps, directions)) for i in range(n)]
        results = series_of(w)
        if totals is None:
            totals, majors = [0] * len(results), [0.0] * len(results)
        sign = math.prod(eps)
        for idx, res in enumerate(results):
            if res.order < k:
                raise InvalidArgument(f"series_of returned order {res.order} < {k}")
            totals[idx] = totals[idx] + res.coefficients[k] * sign
            majors[idx] += res.majorants[k]
    # q = k!·c_k and T = Σ ε q /(k!·2^k); for odd k the pairs ±w were folded (factor 2)
    norm = 1 / (2 ** (k - 1) if k % 2 else 2 ** k)
    return [(t * norm, m * norm) for t, m in zip(totals, majors)]
