"""Enclosures of the loss, its gradient and its Hessian in ball arithmetic (Arb), or exactly.

:class:`BallLandscape` evaluates ``L(p) = Σ_j Σ_o w_o φ(f_p(x_j)_o − y_{j,o})`` for the network
of :mod:`critlocus.core.network` (any depth, biases or not) at the point rebuilt from its
construction (:mod:`.point`).  Every number is a ball that contains the true value, so the
result encloses the *true* Hessian at the *true* point — not the Hessian of the float64
program at the rounded point.  With ``exact=True`` (polynomial activation and loss, every
block an exact rational) the same code runs on exact rationals (``fmpq_mat``).

Method: backpropagation for the gradient and forward-over-reverse differentiation in all N
directions at once for the Hessian (the R-operator of Pearlmutter 1994 applied to the
identity), organised as matrix products so the work runs in FLINT's C matrix kernels:

    Jh_k = W_k Ja_{k−1} + P_k(a_{k−1}),   Ja_k = diag(σ'(h_k)) Jh_k,
    Jg_ℓ = diag(w φ''(r)) Jh_ℓ,
    Jg_{k−1} = diag(σ''(h_{k−1}) ⊙ e_{k−1}) Jh_{k−1} + diag(σ'(h_{k−1})) (W_kᵀ Jg_k + P'_k(g_k)),
    Hess L [W_k[p,q], :] = Σ_j a_{k−1}[q] Jg_k[p, :] + g_k[p] Ja_{k−1}[q, :],
    Hess L [b_k[p], :]   = Σ_j Jg_k[p, :],

where ``J·`` are ``n_k × N`` Jacobians with respect to all parameters, ``P_k`` places
``a_{k−1}`` (and 1) in the columns of ``W_k`` (and ``b_k``), and ``e_{k−1} = W_kᵀ g_k``.  Cost
O(d·N²) for d data points, plus O(d·N·Σ n_k) for the diagonal scalings.

Exact cancellation: at a point whose outputs are exact rationals (e.g. a star point, where
``f(x_j) = ȳ``), the residual gradients ``g_j = 2w(ȳ − y_j)`` are exact rationals whose sum is
exactly zero, but their balls are not.  Then every quantity is computed for ``s·L`` with
``s`` the odd common denominator of the ``g_j``, so that ``s·g_j`` is an exact binary number
and sums such as ``Σ_j s·g_j = 0`` come out as exact zeros; :attr:`BallLandscape.scale` is
``s``.  ``s·Hess L`` has the same inertia as ``Hess L``.
"""

from __future__ import annotations

import numpy as np
from flint import arb, arb_mat, fmpq, fmpq_mat

from ..errors import InvalidArgument
from ..network import Problem
from ..points import PointRecipe
from .context import workprec
from .jets import activation_jet, exact_activation_jet, exact_loss_jet, loss_jet
from .point import (
    PointEnclosure,
    arb_to_fmpq,
    common_odd_denominator,
    enclose_point,
    float_to_fmpq,
)

__all__ = ["BallLandscape"]


def _is_zero(x) -> bool:
    return x.is_zero() if isinstance(x, arb) else x == 0


class BallLandscape:
    """Enclosures of ``L``, ``∇L`` and ``Hess L`` at a point (see the module docstring).

    ``prec`` is Arb's working precision in bits; ``exact=True`` computes with exact rationals
    (allowed only for polynomial activations and losses at exact points).  The forward and
    backward passes run on construction; the Hessian on first request.
    """

    def __init__(self, problem: Problem, point: PointRecipe, *, prec: int = 128, exact: bool = False,
                 enclosure: PointEnclosure | None = None):
        self.problem = problem
        self.prec = int(prec)
        self.exact = bool(exact)
        arch = problem.network.architecture
        self.widths = arch.widths
        self.depth = arch.depth
        act = problem.network.activation.name
        if self.exact:
            self._jet = exact_activation_jet(act)
            self._loss_jet = exact_loss_jet(problem.loss)
            if self._jet is None or self._loss_jet is None:
                raise InvalidArgument(f"exact evaluation needs a polynomial activation and loss, got "
                                      f"{act!r} and {problem.loss.name!r}")
            self._mat, self._num = fmpq_mat, (lambda q: q)
        else:
            self._jet = activation_jet(act)
            self._loss_jet = loss_jet(problem.loss)
            self._mat, self._num = arb_mat, arb
        with workprec(self.prec):
            self.enclosure = enclosure or enclose_point(point, problem.data, self.prec)
            if self.exact and not self.enclosure.is_exact:
                raise InvalidArgument("exact evaluation needs every parameter block to be an exact rational")
            self._unpack()
            self._forward()
            self._backward()
        self._hessian = None

    # -- set-up ------------------------------------------------------------------------------
    def _value(self, i: int):
        return self.enclosure.exact[i] if self.exact else self.enclosure.balls[i]

    def _unpack(self) -> None:
        layout = self.problem.network.architecture.layout
        self.W: dict[int, list[list]] = {}
        self.b: dict[int, list | None] = {}
        self.W_exact: dict[int, list | None] = {}
        self.b_exact: dict[int, list | None] = {}
        self.col_W: dict[int, int] = {}
        self.col_b: dict[int, int | None] = {}
        for k in range(1, self.depth + 1):
            blk = layout.block(f"W_{k}")
            rows, cols = blk.shape
            vals = [self._value(i) for i in range(blk.offset, blk.offset + blk.size)]
            self.W[k] = [vals[i * cols:(i + 1) * cols] for i in range(rows)]
            self.col_W[k] = blk.offset
            if f"b_{k}" in layout:
                bb = layout.block(f"b_{k}")
                self.b[k] = [self._value(i) for i in range(bb.offset, bb.offset + bb.size)]
                self.b_exact[k] = self.enclosure.exact[bb.slice]
                self.col_b[k] = bb.offset
            else:
                self.b[k], self.b_exact[k], self.col_b[k] = None, None, None
        self.n_params = layout.size
        data = self.problem.data
        to = float_to_fmpq if self.exact else (lambda v: arb(float(v)))
        self.X = [[to(v) for v in row] for row in data.X]
        self.Y_exact = [[float_to_fmpq(v) for v in row] for row in data.Y]
        self.weights_exact = [[float_to_fmpq(w) for w in row]  # w_{j,o}: per output or per (point, output)
                              for row in self.problem.loss.weight_matrix(data.size, self.widths[-1])]
        self.D = data.size

    def _matrix(self, rows):
        return self._mat(rows) if rows and rows[0] else self._mat(len(rows), 0)

    # -- forward -------------------------------------------------------------------------------
    def _forward(self) -> None:
        ell = self.depth
        self.a = {0: self.X}           # a[k][j][p]
        self.s1: dict[int, list] = {}
        self.s2: dict[int, list] = {}
        self.Wmat = {k: self._mat(self.W[k]) for k in self.W}
        A = self._mat(self.X)
        self.Amat = {0: A}
        z_out = None
        for k in range(1, ell + 1):
            Z = (A * self.Wmat[k].transpose()).tolist()
            if k == ell:
                z_out = Z
            bk = self.b[k]
            h = [[z + c for z, c in zip(row, bk)] for row in Z] if bk is not None else Z
            if k < ell:
                jets = [[self._jet(v) for v in row] for row in h]
                self.a[k] = [[t[0] for t in row] for row in jets]
                self.s1[k] = [[t[1] for t in row] for row in jets]
                self.s2[k] = [[t[2] for t in row] for row in jets]
                A = self._mat(self.a[k])
                self.Amat[k] = A
            else:
                self.outputs = h
        self._residuals(z_out)

    def _residuals(self, z_out) -> None:
        """Residual jets ``s·w·φ'(r)``, ``s·w·φ''(r)`` and the loss (exact when possible)."""
        ell, n_out = self.depth, self.widths[-1]
        w_ex = self.weights_exact
        exact_r = None
        if not self.exact:
            exact_r = self._exact_residuals(z_out)
        if self.exact or exact_r is not None:
            r = [[self.outputs[j][o] - self.Y_exact[j][o] for o in range(n_out)]
                 for j in range(self.D)] if self.exact else exact_r
            jet = exact_loss_jet(self.problem.loss)
            jets = [[jet(v) for v in row] for row in r]
            loss = sum((w_ex[j][o] * jets[j][o][0] for j in range(self.D) for o in range(n_out)), fmpq(0))
            g = [[w_ex[j][o] * jets[j][o][1] for o in range(n_out)] for j in range(self.D)]
            lam = [[w_ex[j][o] * jets[j][o][2] for o in range(n_out)] for j in range(self.D)]
            self.loss_exact = loss
            scale = 1 if self.exact else common_odd_denominator([v for row in g for v in row])
            if self.exact:
                self.G = {ell: g}
                self.lam = lam
                self.scale = 1
                self.loss_value = loss
                return
            gs = [[arb(v * scale) for v in row] for row in g]
            ls = [[arb(v * scale) for v in row] for row in lam]
            if all(x.is_exact() for row in gs + ls for x in row):
                self.G = {ell: gs}
                self.lam = ls
                self.scale = scale
                self.loss_value = arb(loss)
                return
        # General case: residual balls, scale 1.
        self.scale = 1
        self.loss_exact = None
        w = [[arb(x) for x in row] for row in w_ex]
        Y = [[arb(v) for v in row] for row in self.Y_exact]
        jets = [[self._loss_jet(self.outputs[j][o] - Y[j][o]) for o in range(n_out)] for j in range(self.D)]
        total = arb(0)
        for j in range(self.D):
            for o in range(n_out):
                total += w[j][o] * jets[j][o][0]
        self.loss_value = total
        self.G = {ell: [[w[j][o] * jets[j][o][1] for o in range(n_out)] for j in range(self.D)]}
        self.lam = [[w[j][o] * jets[j][o][2] for o in range(n_out)] for j in range(self.D)]

    def _exact_residuals(self, z_out):
        """``f(x_j) − y_j`` as exact rationals when the outputs are exact, else ``None``."""
        if exact_loss_jet(self.problem.loss) is None:
            return None
        ell = self.depth
        b_ex = self.b_exact.get(ell)
        if self.b[ell] is not None and (b_ex is None or any(v is None for v in b_ex)):
            return None
        out = []
        for j, row in enumerate(z_out):
            zq = [arb_to_fmpq(z) for z in row]
            if any(v is None for v in zq):
                return None
            if b_ex is not None:
                zq = [z + c for z, c in zip(zq, b_ex)]
            out.append([z - y for z, y in zip(zq, self.Y_exact[j])])
        return out

    # -- backward ------------------------------------------------------------------------------
    def _backward(self) -> None:
        self.E: dict[int, list] = {}
        for k in range(self.depth, 1, -1):
            e = (self._mat(self.G[k]) * self.Wmat[k]).tolist()
            self.E[k - 1] = e
            self.G[k - 1] = [[u * v for u, v in zip(s_row, e_row)]
                             for s_row, e_row in zip(self.s1[k - 1], e)]
        grad: list = []
        for k in range(1, self.depth + 1):
            gw = self._mat(self.G[k]).transpose() * self.Amat[k - 1]
            grad.extend(gw.entries())
            if self.b[k] is not None:
                zero = self._num(0) if not self.exact else fmpq(0)
                for p in range(self.widths[k]):
                    acc = zero
                    for j in range(self.D):
                        acc = acc + self.G[k][j][p]
                    grad.append(acc)
        self.gradient_scaled = grad

    # -- results -------------------------------------------------------------------------------
    @property
    def loss(self):
        """Enclosure of ``L(p)`` (an exact ``fmpq`` when known exactly)."""
        return self.loss_exact if self.loss_exact is not None else self.loss_value

    def gradient(self) -> list:
        """Enclosure of ``∇L(p)`` in layout order (exact zeros stay exact)."""
        if self.scale == 1:
            return list(self.gradient_scaled)
        with workprec(self.prec):
            s = arb(self.scale)
            return [g if g.is_zero() else g / s for g in self.gradient_scaled]

    def hessian_scaled(self):
        """Enclosure of ``s·Hess L(p)`` with ``s = self.scale`` (an ``arb_mat`` or ``fmpq_mat``)."""
        if self._hessian is None:
            with workprec(self.prec):
                self._hessian = self._assemble()
        return self._hessian

    def hessian(self):
        """Enclosure of ``Hess L(p)`` itself (entrywise division by ``s``; exact zeros stay exact)."""
        H = self.hessian_scaled()
        if self.scale == 1:
            return H
        with workprec(self.prec):
            s = arb(self.scale)
            n = H.nrows()
            vals = [x if x.is_zero() else x / s for x in H.entries()]
            return arb_mat(n, n, vals)

    # -- Hessian -------------------------------------------------------------------------------
    def _placement(self, k: int, coef: list, a_prev: list):
        """``n_k × N``: row p has ``coef[p]·a_prev[q]`` at ``W_k[p,q]`` and ``coef[p]`` at ``b_k[p]``."""
        n_k, n_prev = self.widths[k], self.widths[k - 1]
        M = self._mat(n_k, self.n_params)  # zeros, set in C; only the nonzeros go through Python
        cw, cb = self.col_W[k], self.col_b[k]
        for p in range(n_k):
            c = coef[p]
            if _is_zero(c):
                continue
            start = cw + p * n_prev
            for q, v in enumerate(a_prev):
                if not _is_zero(v):
                    M[p, start + q] = c * v
            if cb is not None:
                M[p, cb + p] = c
        return M

    def _placement_g(self, k: int, g: list, s1_prev: list):
        """``n_{k−1} × N``: row q has ``s1_prev[q]·g[p]`` at ``W_k[p,q]`` (for every p)."""
        n_k, n_prev = self.widths[k], self.widths[k - 1]
        M = self._mat(n_prev, self.n_params)
        cw = self.col_W[k]
        for p in range(n_k):
            if _is_zero(g[p]):
                continue
            for q in range(n_prev):
                M[q, cw + p * n_prev + q] = s1_prev[q] * g[p]
        return M

    @staticmethod
    def _scaled_rows(coef: list, W: list) -> list:
        return [[c * w for w in row] for c, row in zip(coef, W)]

    def _jacobians(self, j: int):
        """Per data point j: ``Ja_k`` (k < ℓ) and ``Jg_k`` (k ≤ ℓ) as ``n_k × N`` matrices."""
        ell = self.depth
        JA: dict[int, object] = {}
        JV: dict[int, object | None] = {}
        a = self.a
        for k in range(1, ell):
            s1 = self.s1[k][j]
            v = [x * y for x, y in zip(self.s2[k][j], self.E[k][j])]
            if k == 1:
                JA[k] = self._placement(k, s1, a[0][j])
                JV[k] = None if all(_is_zero(x) for x in v) else self._placement(k, v, a[0][j])
            else:
                prev, a_prev = JA[k - 1], a[k - 1][j]
                JA[k] = self._mat(self._scaled_rows(s1, self.W[k])) * prev + self._placement(k, s1, a_prev)
                JV[k] = (None if all(_is_zero(x) for x in v) else
                         self._mat(self._scaled_rows(v, self.W[k])) * prev + self._placement(k, v, a_prev))
        lam = self.lam[j]
        Jg: dict[int, object] = {}
        Jg[ell] = self._placement(ell, lam, a[ell - 1][j])
        if ell > 1:
            Jg[ell] = self._mat(self._scaled_rows(lam, self.W[ell])) * JA[ell - 1] + Jg[ell]
        for k in range(ell, 1, -1):
            s1 = self.s1[k - 1][j]
            WT = [[s1[q] * self.W[k][p][q] for p in range(self.widths[k])] for q in range(self.widths[k - 1])]
            M = self._mat(WT) * Jg[k] + self._placement_g(k, self.G[k][j], s1)
            if JV[k - 1] is not None:
                M = M + JV[k - 1]
            Jg[k - 1] = M
        return JA, Jg

    def _assemble(self):
        ell, D = self.depth, self.D
        per_point = [self._jacobians(j) for j in range(D)]
        rows: list = []
        for k in range(1, ell + 1):
            n_k, n_prev = self.widths[k], self.widths[k - 1]
            jg_lists = [per_point[j][1][k].tolist() for j in range(D)]
            a_prev_T = self._mat([[self.a[k - 1][j][q] for j in range(D)] for q in range(n_prev)])
            for p in range(n_k):
                block = a_prev_T * self._mat([jg_lists[j][p] for j in range(D)])
                if k >= 2:
                    for j in range(D):
                        c = self.G[k][j][p]
                        if not _is_zero(c):
                            block = block + per_point[j][0][k - 1] * c
                rows.extend(block.tolist())
            if self.b[k] is not None:
                total = per_point[0][1][k]
                for j in range(1, D):
                    total = total + per_point[j][1][k]
                rows.extend(total.tolist())
        self._mids = np.array([[float(x) for x in row] for row in rows], dtype=np.float64).reshape(
            self.n_params, self.n_params)
        return self._mat(rows)

    def hessian_mids(self) -> np.ndarray:
        """Float64 values (nearest) of the midpoints of :meth:`hessian_scaled`."""
        self.hessian_scaled()
        return self._mids
