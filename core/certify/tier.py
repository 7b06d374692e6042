"""Certified and Arb-backed decisions for :class:`critlocus.core.evaluation.PointEvaluation`.

Two uses of the same ball-arithmetic evaluation:

- **The certified tier** (``precision.is_certified``): every count is proved.  Eigenvalue
  signs come from :func:`.inertia.certify_inertia`; zeros only from exact arguments
  (structural deflation, verified kernel vectors, exact rational rank); the gradient is
  certified zero only when every component's enclosure is exactly zero, and certified nonzero
  when one excludes zero.  Whatever is not proved stays *ambiguous*, and the ladder moves on.
- **The fast high-precision tier** (an mpmath precision p): the same enclosure at ``p + 32``
  bits decides what the mpmath tier would, far faster — signs are certified, and eigenvalues
  whose rigorous bound is below p's zero threshold τ_p count as zero *at that precision*, the
  mpmath tier's own rule.  When it cannot separate, it returns ``None`` and the mpmath path runs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import mpmath
from flint import arb, fmpq

from ..decisions import AMBIGUOUS, NONZERO, ZERO, ZeroDecision, zero_threshold
from ..errors import InvalidArgument
from ..precision import Precision
from ..spectrum import SpectrumDecision
from ..verdict import FALSE, TRUE, UNDECIDED, TierResult
from .context import workprec
from .inertia import InertiaCertificate, certify_inertia
from .jets import is_polynomial
from .landscape import BallLandscape
from .point import float_to_fmpq, fmpq_to_float

__all__ = [
    "CERTIFIED_BITS",
    "PointCertificate",
    "certified_eigenvalues_equal",
    "certified_gradient_decision",
    "certified_inertia_decision",
    "high_precision_gradient",
    "high_precision_inertia",
    "point_certificate",
]

CERTIFIED_BITS = 128
EXACT_LIMIT = 160  # largest N for the exact rational re-evaluation of polynomial networks


@dataclass
class PointCertificate:
    """A point's ball-arithmetic evaluation and the certificate of its Hessian's inertia."""

    landscape: BallLandscape
    inertia: InertiaCertificate
    seconds: float
    exact: bool

    def to_dict(self) -> dict:
        enc = self.landscape.enclosure
        return {"evidence_level": "certified" if enc.rigorous else "certified (conditional)",
                "arithmetic": "exact rationals" if self.exact else f"Arb balls, {self.landscape.prec} bits",
                "loss_scale": self.landscape.scale, "point": enc.rules,
                "assumptions": list(enc.assumptions),
                "timing": {"seconds": round(self.seconds, 4)},  # clock-dependent: only under "timing"
                **self.inertia.to_dict()}


def ball_landscape(evaluation, prec: int) -> BallLandscape:
    """The evaluation's point enclosed at ``prec`` bits (memoised on the evaluation)."""
    key = ("ball", prec)
    if key not in evaluation._cache:
        evaluation._cache[key] = BallLandscape(evaluation.problem, evaluation.point, prec=prec)
    return evaluation._cache[key]


def point_certificate(evaluation, *, prec: int = CERTIFIED_BITS, zero_target: float | None = None,
                      refine: int = 1) -> PointCertificate:
    """Enclose Hess L at the evaluation's point and certify its inertia (memoised per prec).

    Candidate kernel vectors attached to the evaluation (``evaluation.kernel_candidates``, an
    ``N × r`` array of exactly representable numbers, e.g. from a spec's
    ``info["kernel_candidates"]``) are verified and, where ``H K = 0`` holds exactly, certify
    zero eigenvalues (:func:`.inertia.certify_inertia`)."""
    kernel = getattr(evaluation, "kernel_candidates", None)
    key = ("certificate", prec, zero_target, kernel is not None)
    cache = evaluation._cache
    if key in cache:
        return cache[key]
    start = time.perf_counter()
    problem, point = evaluation.problem, evaluation.point
    land = ball_landscape(evaluation, prec)
    cert = certify_inertia(land.hessian_scaled(), scale=land.scale, prec=prec, refine=refine,
                           zero_target=zero_target, mids=land.hessian_mids(), kernel=kernel)
    exact = False
    if (not cert.complete and zero_target is None and problem.n_params <= EXACT_LIMIT
            and land.enclosure.is_exact and is_polynomial(problem.loss, problem.network.activation.name)):
        exact_land = BallLandscape(problem, point, exact=True, enclosure=land.enclosure)
        exact_cert = certify_inertia(exact_land.hessian_scaled(), prec=prec, exact_limit=EXACT_LIMIT)
        if exact_cert.n_uncertain < cert.n_uncertain:
            cert, exact = exact_cert, True
    result = PointCertificate(land, cert, time.perf_counter() - start, exact)
    cache[key] = result
    return result


def _as_mpf(x) -> mpmath.mpf:
    if isinstance(x, fmpq):
        return mpmath.mpf(int(x.p)) / int(x.q)
    if isinstance(x, arb):
        if x.mid().is_zero():
            return mpmath.mpf(0)
        man, exp = x.mid().man_exp()
        return mpmath.ldexp(mpmath.mpf(int(man)), int(exp))
    return mpmath.mpf(x)


def certified_inertia_decision(evaluation, precision: Precision) -> SpectrumDecision:
    """The certified tier's :class:`SpectrumDecision`: proved counts, the rest ambiguous."""
    pc = point_certificate(evaluation)
    c = pc.inertia
    values = ([fmpq_to_float(q) for q in c.exact_eigenvalues] if c.exact_eigenvalues is not None
              else c.estimates)
    largest_zero = c.zero_bound if c.n_uncertain else 0.0
    gap = (math.inf if largest_zero == 0 else c.nonzero_lower / largest_zero) if c.nonzero_lower else None
    return SpectrumDecision(
        precision=precision.label, method=f"certified: {c.method}", size=c.size,
        norm=abs(evaluation.hessian_scale()), threshold=largest_zero,
        band_top=c.nonzero_lower or 0.0, n_pos=c.n_pos, n_neg=c.n_neg, n_zero=c.n_zero,
        n_ambiguous=c.n_uncertain, largest_zero=largest_zero if c.n_zero or c.n_uncertain else None,
        smallest_nonzero=c.nonzero_lower, gap_ratio=gap, gap_agrees=True,
        nonzero_eigenvalues=sorted(values, key=lambda v: -abs(float(v))),
        eigenvalues=[float(v) for v in values[:64]], details={"certificate": pc.to_dict()},
    )


def certified_gradient_decision(evaluation, precision: Precision) -> ZeroDecision:
    """``∇L = 0`` proved (every component exactly zero), refuted (a component's ball excludes
    zero), or ambiguous (the enclosure contains zero but is not exactly zero)."""
    pc = point_certificate(evaluation)
    land = pc.landscape
    with workprec(land.prec):
        grad = land.gradient()
        if not _all_finite(grad):
            return ZeroDecision(precision.label, math.inf, 0.0, 0.0, AMBIGUOUS, "gradient norm (upper bound)",
                                {"evidence_level": pc.to_dict()["evidence_level"],
                                 "method": "ball-arithmetic gradient",
                                 "reason": "the enclosure is not finite (NaN or infinite balls)",
                                 "loss_scale": land.scale})
        exact_zero = all((g == 0) if isinstance(g, fmpq) else g.is_zero() for g in grad)
        nonzero = [i for i, g in enumerate(grad) if (g != 0 if isinstance(g, fmpq) else not g.contains(0))]
        mags = [abs(float(g)) + (0.0 if isinstance(g, fmpq) else float(g.rad())) for g in grad]
        bound = math.nextafter(math.sqrt(sum(m * m for m in mags)) * (1 + 1e-9), math.inf) if mags else 0.0
    status = ZERO if exact_zero else (NONZERO if nonzero else AMBIGUOUS)
    names = evaluation.problem.architecture.layout.coordinate_names()
    worst = max(range(len(mags)), key=lambda i: mags[i]) if mags else None
    details = {"evidence_level": pc.to_dict()["evidence_level"], "method": "ball-arithmetic gradient "
               "(exact zeros propagate; ȳ and other rationals enclosed, residual sums exact)",
               "certified_nonzero_components": [names[i] for i in nonzero[:16]],
               "largest_component": mags[worst] if worst is not None else 0.0,
               "largest_component_at": names[worst] if worst is not None else None,
               "loss_scale": land.scale, "assumptions": list(land.enclosure.assumptions)}
    return ZeroDecision(precision.label, bound if status != ZERO else 0.0, 0.0, 0.0, status,
                        "gradient norm (upper bound)", details)


def _supported(evaluation, prec: int) -> BallLandscape | None:
    """The Arb landscape, or ``None`` where ball arithmetic does not apply (an activation or
    loss without a ball jet, ReLU at a kink): the mpmath path then decides."""
    try:
        return ball_landscape(evaluation, prec)
    except InvalidArgument:
        return None


def high_precision_gradient(evaluation, precision: Precision) -> ZeroDecision | None:
    """The mpmath tier's gradient decision from the Arb enclosure at ``precision.bits + 32``
    bits: ``zero`` when the norm's upper bound is within τ (exact zeros give 0), ``nonzero``
    when its lower bound clears the band — the mpmath tier's rule.  ``None`` (the mpmath path
    then decides) where ball arithmetic does not apply, where any ball is NaN or infinite, and
    where the enclosure straddles the band: the fast tier never reports a decision the mpmath
    path could improve on."""
    land = _supported(evaluation, precision.bits + 32)
    if land is None:
        return None
    n = evaluation.n_params + evaluation.problem.data.size
    scale = evaluation.gradient_scale()
    tau = zero_threshold(precision, n, scale)
    if not (tau >= 0 and math.isfinite(tau)):  # τ = 0: only an exact zero is zero
        return None
    with workprec(land.prec):
        grad = land.gradient()
        if not _all_finite(grad):  # a NaN/∞ ball decides nothing: the mpmath path runs
            return None
        sq = sum((g * g for g in grad), arb(0))
        exact_zero = sq.is_zero()
        positive = not exact_zero and sq > 0  # the ball excludes 0
        norm = arb(0) if exact_zero else (sq.sqrt() if positive else sq.abs_upper().sqrt())
        upper = 0.0 if exact_zero else _up_float(norm)
        # a ball that contains 0 has norm lower bound 0 (sqrt(|sq|_upper) is only an upper bound)
        lower = max(_down_float(norm), 0.0) if positive else 0.0
        mags = [abs(float(g)) for g in grad]
    if not (math.isfinite(upper) and math.isfinite(lower) and all(map(math.isfinite, mags))):
        return None
    top = tau * precision.band_factor
    status = ZERO if exact_zero or upper <= tau else (NONZERO if lower > top else AMBIGUOUS)
    if status == AMBIGUOUS:  # the ball straddles the band: let the mpmath path decide
        return None
    worst = max(range(len(mags)), key=lambda i: mags[i]) if mags else None
    names = evaluation.problem.architecture.layout.coordinate_names() if worst is not None else []
    return ZeroDecision(precision.label, upper if status != NONZERO else float(norm), tau, top, status,
                        "gradient norm", {"method": f"Arb ball arithmetic ({land.prec} bits)",
                                          "evidence_level": "high-precision",
                                          "largest_component": mags[worst] if mags else 0.0,
                                          "largest_component_at": names[worst] if mags else None})


def _all_finite(balls) -> bool:
    """Every entry is an exact rational or a ball with finite midpoint and radius (Arb's NaN
    ball, which contains every real, and infinite radii enclose nothing useful)."""
    return all(isinstance(b, fmpq) or b.is_finite() for b in balls)


def _up_float(x: arb) -> float:
    v = float(x.upper())
    return math.nextafter(v, math.inf) if math.isfinite(v) else v


def _down_float(x: arb) -> float:
    v = float(x.lower())
    return math.nextafter(v, -math.inf) if math.isfinite(v) else v


def refinement_steps(bits: int) -> int:
    """Ogita–Aishima steps that may be needed to bring float64 eigenvectors (53 bits) to
    ``bits``: each step squares the accuracy, ``⌈log₂(bits/53)⌉``, plus one for clusters (whose
    first step gains less).  Steps stop early once the bound is below the target, so a generous
    cap costs nothing where fewer suffice."""
    return max(1, math.ceil(math.log2(max(bits, 53) / 53))) + 1


def high_precision_inertia(evaluation, precision: Precision) -> SpectrumDecision | None:
    """The mpmath tier's decision computed in Arb at ``precision.bits + 32`` bits, or ``None``
    when the enclosure cannot separate zero from nonzero at that precision."""
    n = evaluation.n_params
    scale = evaluation.hessian_scale()
    tau = zero_threshold(precision, n, scale)
    if tau <= 0 or not math.isfinite(tau) or _supported(evaluation, precision.bits + 32) is None:
        return None
    pc = point_certificate(evaluation, prec=precision.bits + 32, zero_target=tau,
                           refine=refinement_steps(precision.bits + 32))
    c = pc.inertia
    # Only a finite certificate whose uncertain eigenvalues are all below τ decides; written as
    # ``not (bound <= τ)`` so a NaN bound falls back to mpmath rather than counting as zero.
    if c.n_uncertain and not c.zero_bound <= tau:
        return None
    if not _certificate_finite(c):
        return None
    n_zero = c.n_zero + c.n_uncertain
    largest_zero = c.zero_bound if c.n_uncertain else (0.0 if c.n_zero else None)
    gap = None
    if largest_zero is not None and c.nonzero_lower:
        gap = math.inf if largest_zero == 0 else c.nonzero_lower / largest_zero
    floats = sorted(c.estimates if c.exact_eigenvalues is None
                    else [fmpq_to_float(q) for q in c.exact_eigenvalues], key=lambda v: -abs(v))
    dec = _LazyValuesDecision(
        precision=precision.label, method=f"Arb ball arithmetic ({pc.landscape.prec} bits): {c.method}",
        size=c.size, norm=abs(scale), threshold=tau, band_top=tau * precision.band_factor,
        n_pos=c.n_pos, n_neg=c.n_neg, n_zero=n_zero, n_ambiguous=0, largest_zero=largest_zero,
        smallest_nonzero=c.nonzero_lower, gap_ratio=gap, gap_agrees=True,
        nonzero_eigenvalues=floats, eigenvalues=floats[:64],
        details={"evidence_level": "high-precision", "signs_certified": True,
                 "zeros": f"{c.n_zero} exact, {c.n_uncertain} below τ at {precision.label}",
                 # the counts are proved; the eigenvalue *values* are Rayleigh quotients whose
                 # error is bounded by Weyl's bound — accurate at this precision only below τ
                 "eigenvalue_error_bound": c.error_bound,
                 "values_accurate": c.exact_eigenvalues is not None or c.error_bound <= tau,
                 "certificate": pc.to_dict()})
    dec._accurate_values = lambda: _estimates_mp(pc, precision)
    return dec


def _certificate_finite(c: InertiaCertificate) -> bool:
    bounds = [c.error_bound, c.zero_bound if c.n_uncertain else 0.0,
              0.0 if c.nonzero_lower is None else c.nonzero_lower]
    bounds += [x for pair in c.enclosures for x in pair] + list(c.estimates)
    return all(math.isfinite(float(b)) for b in bounds)


def _estimates_mp(pc: PointCertificate, precision: Precision) -> list:
    """The nonzero eigenvalues at ``precision`` (as mpf, largest |λ| first): exact where known,
    else Rayleigh quotients accurate to the working precision."""
    with mpmath.workdps(precision.dps):
        vals = [_as_mpf(v) for v in pc.inertia.accurate_estimates()]
        return sorted(vals, key=lambda v: -abs(v))


class _LazyValuesDecision(SpectrumDecision):
    """A :class:`SpectrumDecision` whose ``nonzero_eigenvalues`` become accurate to the tier's
    precision on first use (one exact product H·X, only when a claim reads eigenvalue values);
    reports (:meth:`to_dict`) show the float64-accurate ones."""

    _accurate_values = None
    _cached = None
    _report = False

    @property
    def nonzero_eigenvalues(self):  # type: ignore[override]
        if self._report or self._accurate_values is None:
            return self._floats
        if self._cached is None:
            self._cached = self._accurate_values()
        return self._cached

    @nonzero_eigenvalues.setter
    def nonzero_eigenvalues(self, values) -> None:
        self._floats = list(values)

    def to_dict(self) -> dict:
        self._report = True
        try:
            return super().to_dict()
        finally:
            self._report = False


def certified_eigenvalues_equal(evaluation, precision: Precision, target: float, text: str) -> TierResult:
    """"Every positive eigenvalue equals ``target``", proved or refuted.

    Proved only when the positive eigenvalues are known exactly (an exactly diagonal remainder
    after exact deflation, e.g. ``2d·Id`` on ``b_ℓ`` at a core point) and every eigenvalue is
    certified; refuted when a certified positive eigenvalue's enclosure excludes ``target``;
    otherwise undecided.
    """
    pc = point_certificate(evaluation)
    c = pc.inertia
    goal = float_to_fmpq(float(target))
    evidence = {"target": float(target), "certificate": pc.to_dict()}
    pos_encl = [(lo, hi) for lo, hi in c.enclosures if lo > 0]
    if c.exact_eigenvalues is not None:
        positives = [q for q in c.exact_eigenvalues if q > 0]
        evidence["positive_eigenvalues"] = [str(q) for q in positives[:64]]
        wrong = [q for q in positives if q != goal]
        if wrong:
            return TierResult(precision.label, FALSE, True,
                              f"certified: a positive eigenvalue is exactly {wrong[0]} ≠ {text}", evidence)
        if c.complete:
            return TierResult(precision.label, TRUE, True,
                              f"certified: all {len(positives)} positive eigenvalues are exactly {text}",
                              evidence)
    off = [(lo, hi) for lo, hi in pos_encl if not lo <= float(target) <= hi]
    evidence["positive_enclosures"] = pos_encl[:64]
    if off:
        return TierResult(precision.label, FALSE, True,
                          f"certified: a positive eigenvalue lies in [{off[0][0]:.6e}, {off[0][1]:.6e}], "
                          f"excluding {text} = {float(target):.6e}", evidence)
    return TierResult(precision.label, UNDECIDED, True,
                      "enclosures contain the target but do not prove equality", evidence)
