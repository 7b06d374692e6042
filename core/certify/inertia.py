"""Certified inertia of a symmetric matrix given by an enclosure (balls) or exactly.

Method (Rump, *Verification methods: rigorous results using floating-point arithmetic*,
Acta Numerica 19 (2010), §10 and §13; Sylvester's law of inertia; Weyl's and Ostrowski's
inequalities):

1. **Exact deflation.** A row or column of the enclosure that is exactly zero (every ball has
   midpoint 0 and radius 0) proves ``e_i ∈ ker H``: those coordinates are certified zero
   eigenvalues and are removed (``H = P diag(0, H_R) Pᵀ``).
2. **Congruence.** For the rest, float64 eigenvectors ``X`` of the midpoint matrix give
   ``S = Xᵀ H X`` and ``G = XᵀX``, computed exactly in fixed-point integers with the rounding
   of H bounded (:mod:`.congruence`).  With ``δ ≥ ||G − I||₂ < 1``, ``X`` is
   nonsingular, so ``S`` has the inertia of ``H`` (Sylvester), and by Ostrowski's theorem
   ``λ_i(H) = λ_i(S)/θ_i`` with ``θ_i ∈ [1 − δ, 1 + δ]``.
3. **Weyl.** ``S = diag(S) + B`` with ``||B||₂ ≤ e`` (Frobenius norm of the off-diagonal part
   plus every radius, bounded by ``||R||₂ ≤ √(||R||₁ ||R||_∞)``), so the i-th largest
   eigenvalue of S lies within ``e`` of the i-th largest diagonal entry.  An eigenvalue whose
   interval excludes 0 has a certified sign; the others are *uncertain* with ``|λ| ≤`` a
   rigorous bound.
4. **Refinement.** When float64 eigenvectors leave ``e ≈ 1e-16·||H||`` too large, one step
   of Ogita–Aishima refinement (*Iterative refinement for symmetric eigenvalue
   decomposition*, Japan J. Indust. Appl. Math. 35, 2018) computes ``X' = X(I + E)`` with
   ``E`` from ``S`` and ``G`` (clusters orthogonalised, ``E_ij = R_ij/2``), squaring the
   accuracy; a cluster of close eigenvalues is first diagonalised by the eigenvectors of its
   own block of ``S`` (part II, JJIAM 36, 2019).  ``X'`` is formed in Arb (an exact point
   matrix, no float64 rounding).
5. **Exact zeros.** Uncertain eigenvalues are certified zero only by an exact argument:
   deflation (1), candidate kernel vectors ``K`` with ``H K = 0`` exactly in ball arithmetic
   and ``rank K`` exact, or — for an exact rational H (radius 0) of moderate size — its exact
   rank (``n₀ = N − rank``) and, if signs remain, Descartes' rule of signs on its exact
   characteristic polynomial (exact for polynomials with only real roots).

The certificate *refuses* (counts an eigenvalue as uncertain) whenever its error bound reaches
it: it never rounds a small eigenvalue to zero.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
from flint import arb, arb_mat, fmpq, fmpq_mat, fmpz_mat

from ..errors import InvalidArgument
from .congruence import (
    Basis,
    Congruence,
    FixedMatrix,
    cluster_rotation,
    congruence,
    fixed_from_arb,
    float_congruence,
    frobenius_upper,
    ogita_aishima,
)
from .context import workprec
from .point import arb_to_fmpq, fmpq_to_float

__all__ = ["InertiaCertificate", "certify_inertia", "exact_inertia"]

_SAFE = 1.0 + 1e-6  # inflation covering float64 rounding of bounds computed from floats


@dataclass
class InertiaCertificate:
    """What was proved about the inertia of a symmetric matrix.

    ``n_pos``/``n_neg`` eigenvalues have a certified sign, ``n_zero`` are certified exactly
    zero, ``n_uncertain`` are neither (each has ``|λ| ≤ zero_bound``).  ``nonzero_lower``
    bounds ``|λ|`` from below over the signed ones.  ``enclosures`` are rigorous intervals of
    the signed eigenvalues (largest first); ``exact_eigenvalues`` the exact nonzero
    eigenvalues when they are known exactly.  Every bound is rigorous (rounded outward).
    """

    size: int
    n_pos: int
    n_neg: int
    n_zero: int
    n_uncertain: int
    zero_bound: float
    nonzero_lower: float | None
    error_bound: float
    orthogonality_defect: float
    method: str
    refinements: int = 0
    enclosures: list[tuple[float, float]] = field(default_factory=list)
    estimates: list[float] = field(default_factory=list)
    exact_eigenvalues: list | None = None
    details: dict = field(default_factory=dict)
    estimate_balls: list = field(default_factory=list, repr=False)  # Rayleigh quotients (arb)
    _accurate: object = field(default=None, repr=False, compare=False)

    def accurate_estimates(self) -> list:
        """Rayleigh quotients of the signed eigenvalues accurate to the working precision
        (computed on first call when only float64-accurate ones were needed so far: one exact
        product H·X); exact eigenvalues when known."""
        if self.exact_eigenvalues is not None:
            return list(self.exact_eigenvalues)
        if callable(self._accurate):
            self._accurate = self._accurate()
        return list(self._accurate) if self._accurate is not None else list(self.estimate_balls)

    @property
    def complete(self) -> bool:
        """Every eigenvalue is certified (positive, negative or exactly zero)."""
        return self.n_uncertain == 0

    @property
    def inertia(self) -> tuple[int, int, int]:
        return (self.n_pos, self.n_neg, self.n_zero)

    def to_dict(self) -> dict:
        out = {
            "size": self.size,
            "certified": {"positive": self.n_pos, "negative": self.n_neg, "zero": self.n_zero},
            "uncertain": self.n_uncertain,
            "complete": self.complete,
            "uncertain_bound": self.zero_bound,
            "smallest_certified_nonzero": self.nonzero_lower,
            "weyl_error_bound": self.error_bound,
            "orthogonality_defect": self.orthogonality_defect,
            "method": self.method,
            "refinements": self.refinements,
            **self.details,
        }
        if self.exact_eigenvalues is not None:
            out["exact_nonzero_eigenvalues"] = [str(q) for q in self.exact_eigenvalues[:64]]
        return out


# -- rigorous float helpers -----------------------------------------------------------------

def _up(x: arb) -> float:
    """A float ≥ every point of the ball."""
    v = float(x.upper())
    return math.nextafter(v, math.inf) if math.isfinite(v) else v


def _down(x: arb) -> float:
    v = float(x.lower())
    return math.nextafter(v, -math.inf) if math.isfinite(v) else v


def _radius_norm(M: arb_mat) -> float:
    """Upper bound of ``||R||₂`` for the radius matrix R of ``M`` (√(||R||₁ ||R||_∞))."""
    n, m = M.nrows(), M.ncols()
    if n == 0 or m == 0:
        return 0.0
    D = M - M.mid()
    rows = D * arb_mat(m, 1, [1] * m)
    cols = arb_mat(1, n, [1] * n) * D
    r_inf = max(_up(abs(x)) for x in rows.entries())
    r_one = max(_up(abs(x)) for x in cols.entries())
    return math.sqrt(r_inf * r_one) * _SAFE


def _floats(M) -> np.ndarray:
    return np.array([float(x) for x in M.entries()], dtype=np.float64).reshape(M.nrows(), M.ncols())


# -- exact rational inertia -------------------------------------------------------------------

def _integer_matrix(Q: fmpq_mat) -> fmpz_mat:
    """``c·Q`` with ``c > 0`` the lcm of the denominators (same inertia, integer entries)."""
    n = Q.nrows()
    vals = Q.entries()
    den = 1
    for v in vals:
        qd = int(v.q)
        den = den * qd // math.gcd(den, qd)
    return fmpz_mat(n, Q.ncols(), [int(v.p) * (den // int(v.q)) for v in vals])


def exact_inertia(Q: fmpq_mat) -> tuple[int, int, int]:
    """The exact inertia of a rational symmetric matrix: Descartes' rule of signs on its
    characteristic polynomial, exact because every root is real."""
    n = Q.nrows()
    if n == 0:
        return (0, 0, 0)
    coeffs = [int(c) for c in _integer_matrix(Q).charpoly().coeffs()]  # low → high degree
    n_zero = next(i for i, c in enumerate(coeffs) if c != 0)
    tail = coeffs[n_zero:]

    def changes(cs):
        signs = [c > 0 for c in cs if c != 0]
        return sum(1 for a, b in itertools.pairwise(signs) if a != b)

    n_pos = changes(tail)
    n_neg = changes([c if i % 2 == 0 else -c for i, c in enumerate(tail)])
    if n_pos + n_neg + n_zero != n:  # impossible for a symmetric matrix
        raise InvalidArgument("exact_inertia: the matrix is not symmetric (complex eigenvalues)")
    return (n_pos, n_neg, n_zero)


# -- the certificate ------------------------------------------------------------------------

def _as_arb_matrix(H, prec: int):
    """(arb_mat, fmpq_mat or None)."""
    if isinstance(H, fmpq_mat):
        return arb_mat(H), H
    if isinstance(H, fmpz_mat):
        q = fmpq_mat(H)
        return arb_mat(q), q
    if isinstance(H, arb_mat):
        return H, None
    arr = np.asarray(H, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or not np.all(np.isfinite(arr)):
        raise InvalidArgument(f"certify_inertia needs a finite square matrix, got shape {arr.shape}")
    return arb_mat(arr.tolist()), None


def _exact_zero_indices(H: arb_mat, mids: np.ndarray) -> list[int]:
    """Indices i whose row or column of the enclosure is exactly zero."""
    n = H.nrows()
    cand = set(np.flatnonzero(~mids.any(axis=0)).tolist()) | set(np.flatnonzero(~mids.any(axis=1)).tolist())
    out = []
    for i in sorted(cand):
        if all(H[j, i].is_zero() for j in range(n)) or all(H[i, j].is_zero() for j in range(n)):
            out.append(i)
    return out


def _submatrix(H, idx: list[int]):
    n = H.nrows()
    ents = H.entries()
    m = len(idx)
    return type(H)(m, m, [ents[i * n + j] for i in idx for j in idx])


@dataclass
class _Assessment:
    pos: int
    neg: int
    uncertain: list[int]
    zero_bound: arb
    nonzero_lower: arb | None
    e: arb
    delta: arb
    enclosures: list
    estimates: list
    signed: list[int]


def _assess(cong: Congruence) -> _Assessment:
    """Step 3 of the module docstring: Weyl + order statistics + Ostrowski."""
    c = cong.c
    m = c.shape[0]
    off = c.copy()
    np.fill_diagonal(off, 0.0)
    e = arb(frobenius_upper(off) + cong.perturbation)
    diag = cong.diag
    lo = [d - e for d in diag]
    hi = [d + e for d in diag]
    P = [i for i in range(m) if lo[i] > 0]
    Nn = [i for i in range(m) if hi[i] < 0]
    in_p, in_n = set(P), set(Nn)
    U = [i for i in range(m) if i not in in_p and i not in in_n]
    delta_a = arb(cong.delta)
    one = arb(1)
    # Every uncertain eigenvalue of S lies in [min_{i∉N} lo_i, max_{i∉P} hi_i] (order statistics).
    if U:
        top = max((hi[i] for i in range(m) if i not in in_p), key=_up)
        bot = min((lo[i] for i in range(m) if i not in in_n), key=_down)
        zb = arb(max(_up(top), -_down(bot), 0.0)) / (one - delta_a)
    else:
        zb = arb(0)
    lows = [lo[i] for i in P] + [-hi[i] for i in Nn]
    nz_lower = (min(lows, key=_down) / (one + delta_a)) if lows else None
    # Rigorous intervals of the signed eigenvalues: i-th largest within e of the i-th largest diagonal.
    lo_sorted = sorted(lo, key=_down, reverse=True)
    hi_sorted = sorted(hi, key=_up, reverse=True)
    encl = [(lo_sorted[i] / (one + delta_a), hi_sorted[i] / (one - delta_a)) for i in range(len(P))]
    encl += [(lo_sorted[i] / (one - delta_a), hi_sorted[i] / (one + delta_a)) for i in range(m - len(Nn), m)]
    est = [cong.estimates[i] for i in P + Nn]
    return _Assessment(len(P), len(Nn), U, zb, nz_lower, e, delta_a, encl, est, P + Nn)


def certify_inertia(H, *, scale: int = 1, kernel=None, refine: int = 1, zero_target: float | None = None,
                    prec: int = 128, exact_limit: int = 120, mids: np.ndarray | None = None
                    ) -> InertiaCertificate:
    """Certify the inertia of the symmetric matrix enclosed by ``H`` (see the module docstring).

    ``H``: an ``arb_mat`` enclosure, an exact ``fmpq_mat``/``fmpz_mat``, or a float array
    (taken as exact).  The certificate is for ``H / scale`` (``scale > 0``; inertia is the
    same).  ``kernel``: candidate kernel vectors (exact, columns of an ``N × r`` matrix).
    ``refine``: at most this many refinement steps; ``zero_target``: also refine while the
    uncertain eigenvalues' bound exceeds it (for high-precision decisions).  ``exact_limit``:
    largest size for the exact rank / characteristic-polynomial fallbacks.  ``mids``: the
    float64 values of H's midpoints when the caller has them (saves a pass over the entries).
    """
    if isinstance(scale, bool) or int(scale) < 1:
        raise InvalidArgument(f"scale must be a positive integer, got {scale!r}")
    with workprec(prec):
        return _certify(H, int(scale), kernel, int(refine), zero_target, int(prec), int(exact_limit), mids)


def _certify(H, scale, kernel, refine, zero_target, prec, exact_limit, mids) -> InertiaCertificate:
    Ha, Hq = _as_arb_matrix(H, prec)
    n = Ha.nrows()
    if Ha.ncols() != n:
        raise InvalidArgument(f"certify_inertia needs a square matrix, got {n}×{Ha.ncols()}")
    s = arb(scale)
    mids = _floats(Ha) if mids is None else np.asarray(mids, dtype=np.float64)
    zeros = _exact_zero_indices(Ha, mids)
    rest = [i for i in range(n) if i not in set(zeros)]
    m = len(rest)
    details: dict = {"deflated_exact_zero_coordinates": len(zeros), "prec_bits": prec}
    if m == 0:
        return InertiaCertificate(n, 0, 0, n, 0, 0.0, None, 0.0, 0.0, "exact deflation (H = 0)",
                                  exact_eigenvalues=[], details=details)
    HRq = _submatrix(Hq, rest) if (Hq is not None and zeros) else Hq
    mR = mids[np.ix_(rest, rest)]
    rad_h = _radius_norm(Ha)  # bounds the radius norm of every principal submatrix too
    exact_input = HRq is not None or rad_h == 0.0
    n_kernel = _kernel_rank(Ha, kernel, rest) if kernel is not None else 0
    details["kernel_candidates_verified"] = n_kernel
    sub: list = []

    def HR() -> arb_mat:  # the remainder as balls, built only when needed
        if not sub:
            sub.append(_submatrix(Ha, rest) if zeros else Ha)
        return sub[0]

    # A NaN or infinite ball (an overflow, a jet undefined on its ball) proves nothing — checked
    # before every shortcut, so no count, not even a diagonal entry's sign, is read from it.
    if not np.all(np.isfinite(mR)) or not math.isfinite(rad_h):
        return InertiaCertificate(n, 0, 0, len(zeros), m, math.inf, None, math.inf, math.inf,
                                  "refused: the enclosure is not finite", details=details)
    off = mR.copy()
    np.fill_diagonal(off, 0.0)
    if not off.any() and all(HR()[i, j].is_zero() for i in range(m) for j in range(m) if i != j):
        return _diagonal(HR(), HRq, n, len(zeros), scale, details)

    sym = 0.5 * (mR + mR.T)
    _, X = np.linalg.eigh(sym)
    # First pass: float64 products with a priori error bounds.
    last = float_congruence(mR, rad_h, X)
    basis = None
    cong = _assess(last)
    steps = 0
    high = None
    # Refine while an uncertain eigenvalue stands above float64 noise (probably nonzero, and
    # masked by the error of float64 eigenvectors), or the caller needs a smaller bound.
    noise = 64.0 * m * 2.0**-53 * float(np.linalg.norm(sym))
    while steps < refine and cong.uncertain:
        above_noise = any(abs(last.c[i, i]) > noise for i in cong.uncertain)
        wants = zero_target is not None and _up(cong.zero_bound / s) > zero_target
        if not (above_noise and len(cong.uncertain) > n_kernel) and not wants:
            break
        if high is None:  # the working precision from here on: S and R accurate to it
            high = fixed_from_arb(HR(), prec)
            basis = Basis.from_floats(X)
            last = congruence(high[0], high[1], rad_h, basis, bits=prec)
        B = cluster_rotation(last.c, last.r)
        if B is not None:  # separate mixed clusters first, then refine on accurate S and R
            basis = basis.times(B, identity=False, bits=prec)
            last = congruence(high[0], high[1], rad_h, basis, bits=prec)
        basis = basis.times(ogita_aishima(last.c, last.r), identity=True, bits=prec)
        steps += 1
        last = congruence(high[0], high[1], rad_h, basis, bits=prec)
        cong = _assess(last)
    n_pos, n_neg, n_unc = cong.pos, cong.neg, len(cong.uncertain)
    n_zero = len(zeros)
    method = "exact deflation + " if zeros else ""
    method += f"congruence XᵀHX (float64 eigenvectors{', refined ×' + str(steps) if steps else ''}) + Weyl"
    if n_kernel:
        take = min(n_kernel, n_unc)
        n_zero += take
        n_unc -= take
        method += f" + {n_kernel} verified kernel vectors"
    exact_eigs = None
    if n_unc and exact_input and m <= exact_limit:
        Q = HRq if HRq is not None else fmpq_mat(m, m, [arb_to_fmpq(x) for x in HR().entries()])
        rank = Q.rank()
        if n_pos + n_neg == rank:
            n_zero, n_unc = len(zeros) + (m - rank), 0
            method += " + exact rank"
        else:
            p, q, z = exact_inertia(Q)
            n_pos, n_neg, n_zero, n_unc = p, q, len(zeros) + z, 0
            method += " + exact characteristic polynomial (Descartes)"
    details["eigenvector_refinements"] = steps
    if basis is None and cong.signed:  # float-pass estimates: exact ones on demand
        signed = list(cong.signed)

        def accurate():
            with workprec(prec):
                return [v / s for v in _rayleigh(fixed_from_arb(HR(), prec)[0], Basis.from_floats(X), signed)]
    else:
        accurate = None
    zb = _up(cong.zero_bound / s) if n_unc else 0.0
    nzl = _down(cong.nonzero_lower / s) if cong.nonzero_lower is not None else None
    encl = [(_down(a / s), _up(b / s)) for a, b in cong.enclosures]
    return InertiaCertificate(
        n, n_pos, n_neg, n_zero, n_unc, zb, nzl, _up(cong.e / s), _up(cong.delta), method,
        refinements=steps, enclosures=encl, estimates=[float(v) / scale for v in cong.estimates],
        exact_eigenvalues=exact_eigs, details=details, estimate_balls=[v / s for v in cong.estimates],
        _accurate=accurate)


def _rayleigh(W: FixedMatrix, basis: Basis, idx: list[int]) -> list:
    """Rayleigh quotients ``x_iᵀHx_i / x_iᵀx_i`` of the columns ``idx``, exact in integers."""
    Z = basis.Z
    m = Z.nrows()
    Y = W.M * Z
    ys, zs = Y.entries(), Z.entries()
    out = []
    for i in idx:
        num = sum(int(zs[j * m + i]) * int(ys[j * m + i]) for j in range(m))
        den = sum(int(zs[j * m + i]) ** 2 for j in range(m))
        out.append(arb(num) * arb(2) ** (-W.s) / arb(den))
    return out


def _diagonal(HR: arb_mat, HRq, n: int, n_deflated: int, scale: int, details: dict) -> InertiaCertificate:
    """A remainder that is exactly diagonal: its eigenvalues are the diagonal entries (balls,
    or exact rationals when ``HRq`` is given)."""
    m = HR.nrows()
    s = arb(scale)
    if HRq is not None:
        exact = [HRq[i, i] / scale for i in range(m) if HRq[i, i] != 0]
        pos = sum(1 for q in exact if q > 0)
        signed = sorted(exact, key=lambda q: -q)
        encl = [(math.nextafter(fmpq_to_float(q), -math.inf), math.nextafter(fmpq_to_float(q), math.inf))
                for q in signed]
        return InertiaCertificate(
            n, pos, len(exact) - pos, n - len(exact), 0, 0.0,
            min((abs(fmpq_to_float(q)) for q in exact), default=None), 0.0, 0.0,
            ("exact deflation + " if n_deflated else "") + "exactly diagonal remainder (exact rationals)",
            enclosures=encl, estimates=[fmpq_to_float(q) for q in signed],
            exact_eigenvalues=sorted(exact, key=lambda q: -abs(fmpq_to_float(q))), details=details,
            estimate_balls=[arb(q) for q in signed])
    diag = [HR[i, i] for i in range(m)]
    pos = [d for d in diag if d > 0]
    neg = [d for d in diag if d < 0]
    zero = [d for d in diag if d.is_zero()]
    unc = m - len(pos) - len(neg) - len(zero)
    exact = None
    if all(d.is_exact() for d in pos + neg):
        exact = sorted((arb_to_fmpq(d) / scale for d in pos + neg), key=lambda q: -abs(fmpq_to_float(q)))
    signed = sorted(pos, key=_down, reverse=True) + sorted(neg, key=_down, reverse=True)
    encl = [(_down(d / s), _up(d / s)) for d in signed]
    lows = [_down(abs(d) / s) for d in pos + neg]
    others = [d for d in diag if not (d > 0 or d < 0 or d.is_zero())]
    zb = max((_up(abs(d) / s) for d in others), default=0.0)
    return InertiaCertificate(
        n, len(pos), len(neg), n_deflated + len(zero), unc, zb, min(lows) if lows else None, 0.0, 0.0,
        ("exact deflation + " if n_deflated else "") + "exactly diagonal remainder",
        enclosures=encl, estimates=[float(d.mid()) / scale for d in signed], exact_eigenvalues=exact,
        details=details, estimate_balls=[d / s for d in signed])


def _kernel_rank(Ha: arb_mat, kernel, rest: list[int]) -> int:
    """Number of independent candidate kernel vectors proved to satisfy ``H k = 0`` exactly,
    counted beyond the deflated coordinates (rank of their rows outside the deflated set)."""
    K = kernel if isinstance(kernel, fmpq_mat) else fmpq_mat(
        [[fmpq(*float(v).as_integer_ratio()) if not isinstance(v, fmpq) else v for v in row]
         for row in np.asarray(kernel, dtype=object).tolist()])
    if K.nrows() != Ha.nrows():
        raise InvalidArgument(f"kernel candidates need {Ha.nrows()} rows, got {K.nrows()}")
    if K.ncols() == 0:
        return 0
    if not all(x.is_zero() for x in (Ha * arb_mat(K)).entries()):
        return 0
    Kr = fmpq_mat(len(rest), K.ncols(), [K[i, j] for i in rest for j in range(K.ncols())])
    return Kr.rank()
