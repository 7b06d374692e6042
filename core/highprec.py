"""High-precision evaluation in mpmath: loss, gradient, Hessian-vector products, Hessian.

Method: explicit backpropagation for the network of :mod:`critlocus.core.network`, and
Pearlmutter's R-operator (forward-mode differentiation of backpropagation) for exact
Hessian-vector products ``H v``; the dense Hessian is ``H e_i`` for every unit vector.  All
derivatives are exact derivatives evaluated in mpmath arithmetic at the caller's working
precision (``mpmath.workdps``) — no finite differences.  Dot products use ``mpmath.fdot``
(exact accumulation, one rounding).

Cost: one gradient is O(d·N) operations, one ``H v`` about three times that, the dense
Hessian O(d·N²).  Reference: B. A. Pearlmutter, *Fast exact multiplication by the Hessian*,
Neural Computation 6 (1994).

The dense Hessian (:func:`dense_hessian_fixed`, used by :meth:`MPLandscape.hessian`) is the same
forward-over-reverse computation with all N unit directions at once: per data point, one
forward pass, then the forward tangents ``T_k = ∂h_k/∂θ`` (an ``n_k × N`` matrix per layer) and
the reverse tangents ``R_k = ∂g_k/∂θ`` as matrix products, and the Hessian rows of layer k as
``a_{k−1}[m]·R_k[i,:] + g_k[i]·∂a_{k−1}[m]/∂θ`` (rows of ``W_k``) and ``R_k[i,:]`` (rows of ``b_k``).
The arithmetic is block fixed point (:mod:`critlocus.core.fixedpoint`) with ``guard_bits`` more
than the working precision: exact integer products and sums, one rounding per intermediate
block, so the Hessian is as accurate as the per-column mpmath path (checked in the tests) at
a fraction of its cost.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import numpy as np
from mpmath import fdot, mpf

from .errors import InvalidArgument
from .fixedpoint import FixedArray
from .network import Problem

__all__ = ["MPLandscape", "dense_hessian_fixed", "to_mpf_list"]


def to_mpf_list(values) -> list[mpf]:
    """Exact conversion of float64 (or mpf) values to mpf at the current precision."""
    return [v if isinstance(v, mpf) else mpf(float(v)) for v in values]


class MPLandscape:
    """``L`` and its derivatives at one point, in mpmath at the current working precision.

    ``params`` is the flat parameter vector (layout order of the architecture) as mpmath
    numbers; build it at the working precision you evaluate at, e.g. via
    :meth:`critlocus.core.points.PointRecipe.realize_mp`.  The forward and backward passes
    are computed once on construction; :meth:`hvp` reuses them.
    """

    def __init__(self, problem: Problem, params: Sequence[mpf]):
        arch = problem.network.architecture
        if len(params) != arch.n_params:
            raise InvalidArgument(f"expected {arch.n_params} parameters, got {len(params)}")
        self.problem = problem
        self.depth = arch.depth
        self.widths = arch.widths
        self._jet = problem.network.activation.mp_jet
        self._loss_jet = problem.loss.mp_jet
        self._w = [to_mpf_list(row) for row in problem.loss.weight_matrix(problem.data.size, arch.n_out)]
        self._params = to_mpf_list(params)
        self.W, self.b = self._unpack(self._params)
        self.X = [to_mpf_list(row) for row in problem.data.X]
        self.Y = [to_mpf_list(row) for row in problem.data.Y]
        self._forward_backward()

    # -- layout ---------------------------------------------------------------------------
    def _unpack(self, flat: list[mpf]):
        layout = self.problem.network.architecture.layout
        W: dict[int, list[list[mpf]]] = {}
        b: dict[int, list[mpf] | None] = {}
        for k in range(1, self.depth + 1):
            blk = layout.block(f"W_{k}")
            rows, cols = blk.shape
            vals = flat[blk.slice]
            W[k] = [vals[i * cols:(i + 1) * cols] for i in range(rows)]
            b[k] = flat[layout.block(f"b_{k}").slice] if f"b_{k}" in layout else None
        return W, b

    def _pack(self, gW: dict[int, list[list[mpf]]], gb: dict[int, list[mpf]]) -> list[mpf]:
        out: list[mpf] = []
        for k in range(1, self.depth + 1):
            for row in gW[k]:
                out.extend(row)
            if self.b[k] is not None:
                out.extend(gb[k])
        return out

    def _zeros_like_params(self):
        gW = {k: [[mpf(0)] * self.widths[k - 1] for _ in range(self.widths[k])]
              for k in range(1, self.depth + 1)}
        gb = {k: [mpf(0)] * self.widths[k] for k in range(1, self.depth + 1)}
        return gW, gb

    # -- passes ---------------------------------------------------------------------------
    def _forward_backward(self) -> None:
        ell = self.depth
        self._cache = []
        total = mpf(0)
        gW, gb = self._zeros_like_params()
        for x, y, wj in zip(self.X, self.Y, self._w):
            a = {0: x}
            h: dict[int, list[mpf]] = {}
            s1: dict[int, list[mpf]] = {}
            s2: dict[int, list[mpf]] = {}
            for k in range(1, ell + 1):
                Wk, bk = self.W[k], self.b[k]
                hk = [fdot(row, a[k - 1]) for row in Wk]
                if bk is not None:
                    hk = [v + c for v, c in zip(hk, bk)]
                h[k] = hk
                if k < ell:
                    jets = [self._jet(v) for v in hk]
                    a[k] = [j[0] for j in jets]
                    s1[k] = [j[1] for j in jets]
                    s2[k] = [j[2] for j in jets]
            r = [fo - yo for fo, yo in zip(h[ell], y)]
            jets = [self._loss_jet(ro) for ro in r]
            total += fdot(wj, [j[0] for j in jets])
            g = {ell: [w * j[1] for w, j in zip(wj, jets)]}
            phi2 = [w * j[2] for w, j in zip(wj, jets)]
            e: dict[int, list[mpf]] = {}
            for k in range(ell, 0, -1):
                gk, ak = g[k], a[k - 1]
                for i, gi in enumerate(gk):
                    row = gW[k][i]
                    for m, am in enumerate(ak):
                        row[m] += gi * am
                    gb[k][i] += gi
                if k > 1:
                    cols = list(zip(*self.W[k]))
                    e[k - 1] = [fdot(col, gk) for col in cols]
                    g[k - 1] = [u * v for u, v in zip(s1[k - 1], e[k - 1])]
            self._cache.append((a, h, s1, s2, g, e, phi2))
        self._loss = total
        self._grad = self._pack(gW, gb)

    def loss(self) -> mpf:
        """L(p)."""
        return self._loss

    def gradient(self) -> list[mpf]:
        """∇L(p) in layout order."""
        return list(self._grad)

    def hvp(self, v: Sequence[mpf]) -> list[mpf]:
        """The exact Hessian-vector product ``Hess L(p) · v`` (Pearlmutter's R-operator)."""
        ell = self.depth
        VW, Vb = self._unpack(to_mpf_list(v))
        RgW, Rgb = self._zeros_like_params()
        for (a, _h, s1, s2, g, e, phi2) in self._cache:
            Ra: dict[int, list[mpf]] = {0: [mpf(0)] * len(a[0])}
            Rh: dict[int, list[mpf]] = {}
            for k in range(1, ell + 1):
                Rhk = [fdot(vrow, a[k - 1]) + fdot(wrow, Ra[k - 1])
                       for vrow, wrow in zip(VW[k], self.W[k])]
                if Vb[k] is not None:
                    Rhk = [p + q for p, q in zip(Rhk, Vb[k])]
                Rh[k] = Rhk
                if k < ell:
                    Ra[k] = [p * q for p, q in zip(s1[k], Rhk)]
            Rg = {ell: [p * q for p, q in zip(phi2, Rh[ell])]}
            for k in range(ell, 0, -1):
                gk, Rgk, ak, Rak = g[k], Rg[k], a[k - 1], Ra[k - 1]
                for i in range(len(gk)):
                    row = RgW[k][i]
                    gi, Rgi = gk[i], Rgk[i]
                    for m in range(len(ak)):
                        row[m] += Rgi * ak[m] + gi * Rak[m]
                    Rgb[k][i] += Rgi
                if k > 1:
                    Re = [fdot(vcol, gk) + fdot(wcol, Rgk)
                          for vcol, wcol in zip(zip(*VW[k]), zip(*self.W[k]))]
                    Rg[k - 1] = [p * q * r + u * w for p, q, r, u, w in
                                 zip(s2[k - 1], Rh[k - 1], e[k - 1], s1[k - 1], Re)]
        return self._pack(RgW, Rgb)

    def hessian(self) -> mpmath.matrix:
        """The dense Hessian at the working precision, symmetrised (:func:`dense_hessian_fixed`)."""
        return self.hessian_fixed().to_mpmath_matrix()

    def hessian_fixed(self, *, guard_bits: int = 24) -> FixedArray:
        """The dense symmetrised Hessian in block fixed point with ``working precision +
        guard_bits`` bits (cached); see :func:`dense_hessian_fixed`."""
        key = (mpmath.mp.prec, guard_bits)
        cache = self.__dict__.setdefault("_hessian_cache", {})
        if key not in cache:
            cache[key] = dense_hessian_fixed(self.problem, self._params, bits=mpmath.mp.prec + guard_bits)
        return cache[key]

    def hessian_columns(self) -> mpmath.matrix:
        """The dense Hessian column by column ``H e_i`` (one R-operator pass each), symmetrised
        ``(H + Hᵀ)/2``: the reference the structured :meth:`hessian` is checked against."""
        n = len(self._grad)
        H = mpmath.matrix(n, n)
        zero, one = mpf(0), mpf(1)
        for i in range(n):
            unit = [zero] * n
            unit[i] = one
            col = self.hvp(unit)
            for j in range(n):
                H[j, i] = col[j]
        for i in range(n):
            for j in range(i + 1, n):
                s = (H[i, j] + H[j, i]) / 2
                H[i, j] = H[j, i] = s
        return H


class _SymmetricFixed(FixedArray):
    """A symmetric :class:`FixedArray` that converts to an ``mpmath.matrix``."""

    __slots__ = ()

    def to_mpmath_matrix(self) -> mpmath.matrix:
        n = self.M.shape[0]
        H = mpmath.matrix(n, n)
        vals = self.to_mpf_list()
        for i in range(n):
            for j in range(n):
                H[i, j] = vals[i * n + j]
        return H


def dense_hessian_fixed(problem: Problem, params: Sequence, *, bits: int) -> FixedArray:
    """The exact dense Hessian of L at ``params`` (mpmath numbers), computed in block fixed point
    with ``bits`` significant bits per intermediate block (module docstring).

    Returns the symmetrised ``(H + Hᵀ)/2`` as a :class:`FixedArray` (``to_mpmath_matrix()``
    converts it at the current precision).  Cost: about ``4·d·N²`` integer multiply-adds.
    """
    arch = problem.network.architecture
    layout = arch.layout
    ell, widths, N = arch.depth, arch.widths, arch.n_params
    if len(params) != N:
        raise InvalidArgument(f"expected {N} parameters, got {len(params)}")
    jet = problem.network.activation.mp_jet
    loss_jet = problem.loss.mp_jet
    offW = {k: layout.block(f"W_{k}").offset for k in range(1, ell + 1)}
    offb = {k: layout.block(f"b_{k}").offset if f"b_{k}" in layout else None for k in range(1, ell + 1)}
    end = {k: max(layout.block(f"W_{k}").slice.stop,
                  layout.block(f"b_{k}").slice.stop if f"b_{k}" in layout else 0) for k in range(1, ell + 1)}
    end[0] = 0
    W = {k: FixedArray.from_mpf(params[layout.block(f"W_{k}").slice], bits, (widths[k], widths[k - 1]))
         for k in range(1, ell + 1)}
    b = {k: FixedArray.from_mpf(params[layout.block(f"b_{k}").slice], bits) if offb[k] is not None
         else None for k in range(1, ell + 1)}
    weight_rows = [FixedArray.from_floats(np.array(row, dtype=np.float64))
                   for row in problem.loss.weight_matrix(problem.data.size, arch.n_out)]
    H: FixedArray | None = None

    def add_rows(H, rows: slice, cols: int, term: FixedArray) -> FixedArray:
        if H is None:
            H = FixedArray.zeros((N, N), term.e)
        if term.e < H.e:
            H = H.aligned(term.e)
        H.M[rows, :cols] += term.aligned(H.e).M
        return H

    def jets(values: FixedArray, fn) -> tuple[FixedArray, FixedArray, FixedArray]:
        out = [fn(v) for v in values.to_mpf_list()]
        return tuple(FixedArray.from_mpf([o[i] for o in out], bits) for i in range(3))

    with mpmath.workprec(bits):
        for x_row, y_row, weights in zip(problem.data.X, problem.data.Y, weight_rows):
            a = {0: FixedArray.from_floats(x_row)}
            s1, s2 = {}, {}
            for k in range(1, ell + 1):
                h = W[k] @ a[k - 1]
                if b[k] is not None:
                    h = h + b[k]
                h = h.rounded(bits)
                if k < ell:
                    a[k], s1[k], s2[k] = jets(h, jet)
            r = (h - FixedArray.from_floats(y_row)).rounded(bits)
            _, d1, d2 = jets(r, loss_jet)
            g = {ell: (weights * d1).rounded(bits)}
            phi2 = (weights * d2).rounded(bits)
            e = {}
            for k in range(ell, 1, -1):
                e[k - 1] = (W[k].T @ g[k]).rounded(bits)
                g[k - 1] = (s1[k - 1] * e[k - 1]).rounded(bits)
            # forward tangents T_k = ∂h_k/∂θ (columns of layers ≤ k) and A_k = ∂a_k/∂θ
            T, A = {}, {}
            for k in range(1, ell + 1):
                n_k, n_prev = widths[k], widths[k - 1]
                direct = FixedArray.zeros((n_k, end[k]), min(a[k - 1].e, 0))
                av = a[k - 1].aligned(direct.e).M
                one = 1 << (-direct.e)
                for i in range(n_k):
                    start = offW[k] + i * n_prev
                    direct.M[i, start:start + n_prev] = av
                    if offb[k] is not None:
                        direct.M[i, offb[k] + i] = one
                if k > 1:
                    prod = W[k] @ A[k - 1]
                    pad = FixedArray.zeros((n_k, end[k]), prod.e)
                    pad.M[:, :end[k - 1]] = prod.M
                    direct = direct + pad
                T[k] = direct.rounded(bits)
                if k < ell:
                    A[k] = (FixedArray(s1[k].M[:, None], s1[k].e) * T[k]).rounded(bits)
            # reverse tangents R_k = ∂g_k/∂θ and the Hessian rows of layer k
            R = (FixedArray(phi2.M[:, None], phi2.e) * T[ell]).rounded(bits)
            for k in range(ell, 0, -1):
                n_k, n_prev = widths[k], widths[k - 1]
                term = FixedArray((R.M[:, None, :] * a[k - 1].M[None, :, None]).reshape(n_k * n_prev, N),
                                  R.e + a[k - 1].e)
                H = add_rows(H, slice(offW[k], offW[k] + n_k * n_prev), N, term)
                if k > 1:
                    term = FixedArray((g[k].M[:, None, None] * A[k - 1].M[None, :, :])
                                      .reshape(n_k * n_prev, end[k - 1]), g[k].e + A[k - 1].e)
                    H = add_rows(H, slice(offW[k], offW[k] + n_k * n_prev), end[k - 1], term)
                if offb[k] is not None:
                    H = add_rows(H, slice(offb[k], offb[k] + n_k), N, R)
                if k > 1:
                    Re = W[k].T @ R
                    U = FixedArray.zeros((n_prev, N), g[k].e)
                    for i in range(n_k):
                        start = offW[k] + i * n_prev
                        for m in range(n_prev):
                            U.M[m, start + m] = g[k].M[i]
                    Re = (Re + U).rounded(bits)
                    c2 = (s2[k - 1] * e[k - 1]).rounded(bits)
                    Tpad = FixedArray.zeros((n_prev, N), T[k - 1].e)
                    Tpad.M[:, :end[k - 1]] = T[k - 1].M
                    R = (FixedArray(c2.M[:, None], c2.e) * Tpad
                         + FixedArray(s1[k - 1].M[:, None], s1[k - 1].e) * Re).rounded(bits)
    assert H is not None
    H = H.rounded(bits)  # exact accumulation grew the integers: one rounding back to `bits`
    return _SymmetricFixed(H.M + H.M.T, H.e - 1)
