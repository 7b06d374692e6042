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
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
from mpmath import fdot, mpf

from .errors import InvalidArgument
from .network import Problem

__all__ = ["MPLandscape", "to_mpf_list"]


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
        self.W, self.b = self._unpack(to_mpf_list(params))
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
        """The dense Hessian, column by column ``H e_i``, symmetrised ``(H + Hᵀ)/2``."""
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
