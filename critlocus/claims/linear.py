"""Claims about deep linear networks ``L = ℓ ∘ μ_d`` (Trager, Kohn & Bruna 2020).

Each claim looks at the point in function space through
:class:`critlocus.core.pure_spurious.FunctionalView` (``W̄ = μ_d(θ)``, its rank, ℓ's gradient and
Hessian at ``W̄``), rebuilt at every precision tier, and answers true / false / undecided with
the decisions' evidence.

- :func:`purity` — the pure/spurious label (with the convention at singular points);
- :func:`stratum_critical` — ``W̄`` is critical for ℓ on its own rank stratum ``M_e°``;
- :func:`product_rank` — ``rk W̄``;
- :func:`riemannian_inertia` — inertia of the Riemannian Hessian of ℓ on ``M_e°``;
- :func:`riemannian_spectrum` — its eigenvalues equal given values;
- :func:`loss_value` — ``L(θ)`` equals a value computed at the same precision;
- :func:`type_matches_function_space` — ``Hess L(θ)`` and the Riemannian Hessian on ``M_r°`` have
  the same index, and nullities differing by the fibre dimension ``d_θ − dim M_r``;
- :func:`descends` — θ is not a local minimum (an exact descent polynomial along a line);
- :func:`applies_if` — a claim restricted to the instances where a predicate holds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import mpmath

from critlocus.core.decisions import AMBIGUOUS, NONZERO, ZERO, as_float, decide_zero
from critlocus.core.determinantal import determinantal_dimension
from critlocus.core.errors import SpecError
from critlocus.core.instance import Instance
from critlocus.core.linear import work_precision
from critlocus.core.precision import Precision
from critlocus.core.pure_spurious import PURE, SPURIOUS, FunctionalView, classify_critical_point
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult

from .base import Claim, Expected, counts_status, counts_text, describe_expected, gap_margin, rank_status

__all__ = [
    "applies_if",
    "certify_local_minimum",
    "descends",
    "differential_source",
    "functional_view",
    "hessian_spectrum",
    "loss_value",
    "no_bad_minimum",
    "partial_ranks",
    "product_rank",
    "purity",
    "riemannian_inertia",
    "riemannian_spectrum",
    "stratum_critical",
    "type_matches_function_space",
]


def functional_view(instance: Instance) -> FunctionalView:
    """The instance's :class:`FunctionalView`, built once and cached on the instance."""
    view = instance.__dict__.get("_functional_view")
    if view is None:
        view = FunctionalView(instance.problem, instance.point)
        instance.__dict__["_functional_view"] = view
    return view


def _deferred(precision: Precision) -> TierResult:
    """float64 cannot confirm an exact zero of the rebuilt point (it sees the rounded point), so
    claims that rest on exact zeros are decided from the first mpmath tier on."""
    return TierResult(precision.label, UNDECIDED, True,
                      "rests on exact zeros: decided on the point rebuilt at high precision", {})


def _zero_status(status: str) -> str:
    return {ZERO: TRUE, NONZERO: FALSE, AMBIGUOUS: UNDECIDED}[status]


class _Purity(Claim):
    def __init__(self, expected: str | Callable[[Instance], str]):
        self.expected = expected

    def describe(self) -> str:
        exp = self.expected if isinstance(self.expected, str) else (self.expected.__doc__ or "f(instance)")
        return f"critical point is {exp} (pure ⇔ W̄ critical for ℓ|M_r)"

    def tier(self, instance, precision):
        dec = classify_critical_point(functional_view(instance), precision)
        want = self.expected(instance) if callable(self.expected) else self.expected
        if dec.label not in (PURE, SPURIOUS):
            status = UNDECIDED
        else:
            status = TRUE if dec.label == want else FALSE
        ev = dec.to_dict()
        ev["expected"] = want
        test = dec.test
        ev["margin"] = test.margin if test is not None else None
        exact = (test is not None and test.status == ZERO) or (
            dec.rank is not None and dec.rank < min(functional_view(instance).m, functional_view(instance).n))
        return TierResult(precision.label, status, exact,
                          f"{dec.label} (rk W̄ = {dec.rank}, r = {dec.bottleneck}), expected {want}", ev)


def purity(expected: str | Callable[[Instance], str]) -> Claim:
    """The critical point is ``"pure"`` / ``"spurious"`` (or ``instance -> label``), decided by
    :func:`critlocus.core.pure_spurious.classify_critical_point`."""
    if isinstance(expected, str) and expected not in (PURE, SPURIOUS):
        raise SpecError(f"purity expected={expected!r} must be 'pure', 'spurious' or a callable")
    if not isinstance(expected, str) and not callable(expected):
        raise SpecError(f"purity expected={expected!r} must be 'pure', 'spurious' or a callable")
    return _Purity(expected)


class _StratumCritical(Claim):
    name = "W̄ is critical for ℓ on its rank stratum M_e° (Π_T ∇ℓ(W̄) = 0)"

    def tier(self, instance, precision):
        if precision.is_float64:
            return _deferred(precision)
        view = functional_view(instance)
        rdec = view.rank_decision(precision)
        if not rdec.decided:
            return TierResult(precision.label, UNDECIDED, True, "rk W̄ not decided", rdec.to_dict())
        e = rdec.rank
        dec = view.tangent_residual_decision(precision, e)
        ev = dec.to_dict()
        ev["rank_decision"] = rdec.to_dict()
        ev["margin"] = dec.margin
        return TierResult(precision.label, _zero_status(dec.status), True,
                          f"rk W̄ = {e}; ||Π_T ∇ℓ|| = {dec.value:.2e} ({dec.status}; "
                          f"τ = {dec.threshold:.1e})", ev)


def stratum_critical() -> Claim:
    """``Π_{T M_e°} ∇ℓ(W̄) = 0`` with ``e = rk W̄`` decided at the same precision."""
    return _StratumCritical()


class _ProductRank(Claim):
    def __init__(self, expected: Expected):
        self.expected = expected

    def describe(self) -> str:
        return f"rk W̄ {describe_expected(self.expected)}"

    def tier(self, instance, precision):
        dec = functional_view(instance).rank_decision(precision)
        status, bound = rank_status(self.expected, instance, dec)
        ev = dec.to_dict()
        ev["expected"] = str(bound)
        ev["margin"] = gap_margin(dec.spectrum, precision)
        return TierResult(precision.label, status, exact=dec.rank < min(dec.shape),
                          summary=f"rk W̄ = {dec.rank} (+{dec.n_ambiguous} ambiguous), expected {bound}",
                          evidence=ev)


def product_rank(expected: Expected) -> Claim:
    """``rk μ_d(θ)`` matches ``expected`` (int, bound or ``instance -> int | bound``)."""
    return _ProductRank(expected)


def _stratum(instance: Instance, precision: Precision, stratum) -> tuple[int | None, dict]:
    view = functional_view(instance)
    if stratum is None:
        rdec = view.rank_decision(precision)
        return (rdec.rank if rdec.decided else None), rdec.to_dict()
    e = stratum(instance) if callable(stratum) else int(stratum)
    return e, {"stratum": e}


class _RiemannianInertia(Claim):
    def __init__(self, positive, negative, zero, stratum):
        if positive is None and negative is None and zero is None:
            raise SpecError("riemannian_inertia needs at least one of positive=, negative=, zero=")
        self.expected = {"positive": positive, "negative": negative, "zero": zero}
        self.stratum = stratum

    def describe(self) -> str:
        parts = [f"{k} {describe_expected(v)}" for k, v in self.expected.items() if v is not None]
        return "Riemannian Hessian of ℓ on M_e° (e = rk W̄): " + ", ".join(parts)

    def tier(self, instance, precision):
        e, rank_ev = _stratum(instance, precision, self.stratum)
        if e is None:
            return TierResult(precision.label, UNDECIDED, True, "rk W̄ not decided", rank_ev)
        if e == 0:
            return TierResult(precision.label, UNDECIDED, True, "the rank-0 stratum is a point",
                              {"stratum": 0})
        dec = functional_view(instance).riemannian_inertia(precision, e)
        status, shown = counts_status(self.expected, instance, dec)
        ev = dec.to_dict()
        ev.update({"expected": shown, "stratum_rank": e, "rank_decision": rank_ev,
                   "margin": gap_margin(dec, precision)})
        return TierResult(precision.label, status, exact=dec.n_zero > 0,
                          summary=(f"Riemannian inertia on M_{e}° = {dec.inertia}, "
                                   f"expected {counts_text(shown)}"),
                          evidence=ev)


def riemannian_inertia(*, positive: Expected | None = None, negative: Expected | None = None,
                       zero: Expected | None = None, stratum: int | Callable | None = None) -> Claim:
    """Inertia of the Riemannian Hessian of ℓ on the rank stratum ``M_e°`` at ``W̄`` (``e = rk W̄``
    decided at the same precision unless ``stratum`` fixes it)."""
    return _RiemannianInertia(positive, negative, zero, stratum)


class _RiemannianSpectrum(Claim):
    def __init__(self, values: Callable[[Instance, Precision], Sequence], text: str):
        self.values = values
        self.text = text

    def describe(self) -> str:
        return f"Riemannian Hessian eigenvalues on M_e° are {self.text}"

    def tier(self, instance, precision):
        if precision.is_float64:
            return _deferred(precision)
        view = functional_view(instance)
        rdec = view.rank_decision(precision)
        if not rdec.decided or rdec.rank == 0:
            return TierResult(precision.label, UNDECIDED, True, "rk W̄ not decided (or 0)", rdec.to_dict())
        e = rdec.rank
        with work_precision(precision):
            M = view.riemannian_hessian(precision, e)
            eig = sorted(mpmath.eigsy(M, eigvals_only=True))
            want = sorted(mpmath.mpf(v) for v in self.values(instance, precision))
        if len(want) != len(eig):
            return TierResult(precision.label, FALSE, False,
                              f"{len(eig)} eigenvalues, {len(want)} predicted", {"predicted": len(want)})
        scale = view.hessian_scale() * view.frame_scale(precision, e) + float(mpmath.mnorm(M, "f"))
        with work_precision(precision):
            diffs = [a - b for a, b in zip(eig, want)]
        decs = [decide_zero(d, precision, n=view.n_terms, scale=scale, quantity="λ − predicted")
                for d in diffs]
        statuses = {d.status for d in decs}
        status = FALSE if NONZERO in statuses else (UNDECIDED if AMBIGUOUS in statuses else TRUE)
        worst = max(decs, key=lambda d: d.value)
        ev = {"eigenvalues": [as_float(v) for v in eig], "predicted": [as_float(v) for v in want],
              "largest_deviation": worst.value, "threshold": worst.threshold, "band_top": worst.band_top,
              "margin": min(d.margin for d in decs), "stratum_rank": e}
        return TierResult(precision.label, status, True,
                          f"{len(eig)} eigenvalues on M_{e}°, max |λ − predicted| = {worst.value:.2e}", ev)


def riemannian_spectrum(values: Callable[[Instance, Precision], Sequence], *, text: str) -> Claim:
    """The sorted eigenvalues of the Riemannian Hessian on ``M_e°`` equal ``values(instance,
    precision)`` (computed at that precision), each difference decided zero."""
    if not callable(values):
        raise SpecError("riemannian_spectrum values must be callable (instance, precision) -> list")
    return _RiemannianSpectrum(values, text)


class _LossValue(Claim):
    def __init__(self, value: Callable[[Instance, Precision], object], text: str):
        self.value = value
        self.text = text

    def describe(self) -> str:
        return f"L(θ) = {self.text}"

    def tier(self, instance, precision):
        if precision.is_float64:
            return _deferred(precision)
        view = functional_view(instance)
        with work_precision(precision):
            got = view.loss_value(precision)
            want = mpmath.mpf(self.value(instance, precision))
            diff = got - want
        scale = view.gradient_scale() * (1 + as_float(abs(want)) + as_float(abs(got)))
        dec = decide_zero(diff, precision, n=view.n_terms, scale=scale, quantity="L(θ) − predicted")
        ev = dec.to_dict()
        ev.update({"loss": as_float(got), "predicted": as_float(want), "margin": dec.margin})
        return TierResult(precision.label, _zero_status(dec.status), True,
                          f"L = {as_float(got):.6g}, predicted {as_float(want):.6g} "
                          f"(|Δ| = {dec.value:.1e})", ev)


def loss_value(value: Callable[[Instance, Precision], object], *, text: str) -> Claim:
    """``L(θ) = value(instance, precision)`` (the predicted value computed at that precision)."""
    if not callable(value):
        raise SpecError("loss_value value must be callable (instance, precision) -> number")
    return _LossValue(value, text)


class _TypeMatches(Claim):
    name = ("index(Hess L, θ) = index(Hess ℓ|M_r°, W̄) and nullity(Hess L) = nullity(Hess ℓ|M_r°) + "
            "d_θ − dim M_r")

    def tier(self, instance, precision):
        if precision.is_float64:
            return _deferred(precision)
        view = functional_view(instance)
        rdec = view.rank_decision(precision)
        if not rdec.decided:
            return TierResult(precision.label, UNDECIDED, True, "rk W̄ not decided", rdec.to_dict())
        e = rdec.rank
        if e != view.r or e == 0:
            return TierResult(precision.label, UNDECIDED, True,
                              f"rk W̄ = {e} ≠ r = {view.r}: not on the smooth stratum", rdec.to_dict())
        R = view.riemannian_inertia(precision, e)
        H = instance.evaluation().inertia(precision)
        fibre = instance.n_params - determinantal_dimension(view.m, view.n, view.r)
        ev = {"parameter_inertia": H.to_dict(), "riemannian_inertia": R.to_dict(), "fibre_dimension": fibre,
              "margin": min((H.gap_ratio or math.inf), (R.gap_ratio or math.inf)) / precision.band_factor}
        if not (R.decided and H.decided):
            return TierResult(precision.label, UNDECIDED, True, "an inertia is undecided", ev)
        ok = H.n_pos == R.n_pos and H.n_neg == R.n_neg and H.n_zero == R.n_zero + fibre
        return TierResult(precision.label, TRUE if ok else FALSE, True,
                          f"Hess L inertia {H.inertia}; ℓ|M_r° inertia {R.inertia} + fibre {fibre}", ev)


def type_matches_function_space() -> Claim:
    """Index and nullity of ``Hess L(θ)`` match the Riemannian Hessian of ℓ on ``M_r°`` at ``W̄``
    (nullity shifted by the fibre dimension ``d_θ − dim M_r``): the type of θ is the type of W̄."""
    return _TypeMatches()


class _Applies(Claim):
    def __init__(self, predicate: Callable[[Instance], bool], claim: Claim, text: str):
        self.predicate, self.claim, self.text = predicate, claim, text

    def describe(self) -> str:
        return f"if {self.text}: {self.claim.describe()}"

    def check(self, instance, ladder):
        from critlocus.core.verdict import Outcome, Verdict

        if not self.predicate(instance):
            tier = TierResult("float64", TRUE, False, f"not applicable ({self.text} is false)", {})
            return Outcome(Verdict.HOLDS, self.describe(), [tier], "not applicable")
        return self.claim.check(instance, ladder)


def applies_if(predicate: Callable[[Instance], bool], claim: Claim, *, text: str) -> Claim:
    """``claim`` on the instances where ``predicate(instance)`` is true; vacuous elsewhere."""
    if not callable(predicate) or not isinstance(claim, Claim):
        raise SpecError("applies_if needs a predicate instance -> bool and a Claim")
    return _Applies(predicate, claim, text)


class _HessianSpectrum(Claim):
    def __init__(self, values: Callable[[Instance, Precision], Sequence], text: str):
        self.values, self.text = values, text

    def describe(self) -> str:
        return f"nonzero eigenvalues of Hess L(θ) are {self.text}"

    def tier(self, instance, precision):
        if precision.is_float64:
            return _deferred(precision)
        ev_obj = instance.evaluation()
        dec = ev_obj.spectrum(precision)
        if not dec.decided:
            return TierResult(precision.label, UNDECIDED, True, "spectrum not separated", dec.to_dict())
        got = sorted(dec.nonzero_eigenvalues)
        with work_precision(precision):
            want = sorted(mpmath.mpf(v) for v in self.values(instance, precision))
        if len(got) != len(want):
            return TierResult(precision.label, FALSE, True,
                              f"{len(got)} nonzero eigenvalues, {len(want)} predicted",
                              {"spectrum": dec.to_dict(), "predicted": [as_float(v) for v in want]})
        with work_precision(precision):
            diffs = [mpmath.mpf(a) - b for a, b in zip(got, want)]
        decs = [decide_zero(d, precision, n=instance.n_params, scale=ev_obj.hessian_scale(),
                            quantity="λ − predicted") for d in diffs]
        statuses = {d.status for d in decs}
        status = FALSE if NONZERO in statuses else (UNDECIDED if AMBIGUOUS in statuses else TRUE)
        worst = max(decs, key=lambda d: d.value) if decs else None
        ev = {"eigenvalues": [as_float(v) for v in got], "predicted": [as_float(v) for v in want],
              "largest_deviation": worst.value if worst else 0.0,
              "margin": min((d.margin for d in decs), default=math.inf), "spectrum": dec.to_dict()}
        return TierResult(precision.label, status, True,
                          f"{len(got)} nonzero eigenvalues, max |λ − predicted| = "
                          f"{(worst.value if worst else 0.0):.2e}", ev)


def hessian_spectrum(values: Callable[[Instance, Precision], Sequence], *, text: str) -> Claim:
    """The nonzero eigenvalues of ``Hess L(θ)`` (decided at the precision) equal the predicted
    multiset ``values(instance, precision)``."""
    if not callable(values):
        raise SpecError("hessian_spectrum values must be callable (instance, precision) -> list")
    return _HessianSpectrum(values, text)


def differential_source(instance: Instance):
    """dμ_d(θ) as a :class:`~critlocus.core.linear.DifferentialSource`, cached on the instance."""
    from critlocus.core.linear import DifferentialSource

    src = instance.__dict__.get("_differential_source")
    if src is None:
        src = DifferentialSource(instance.point, instance.problem.data)
        instance.__dict__["_differential_source"] = src
    return src


def partial_ranks(instance: Instance, precision: Precision) -> tuple[list[int], list[int], bool, dict]:
    """``a_i = rk W_{>i}``, ``b_i = rk W_{<i}`` (i = 1..h) decided at ``precision``; the flag says
    whether every rank was decided."""
    from critlocus.core.linear import ProductSource
    from critlocus.core.rank import decide_rank

    cache = instance.__dict__.setdefault("_partial_ranks", {})
    if precision.label in cache:
        return cache[precision.label]
    arch = instance.problem.architecture
    h, widths = arch.depth, arch.widths
    above, below, ok, ev = [], [], True, {}
    for i in range(1, h + 1):
        if i == h:
            above.append(widths[h])
        else:
            d = decide_rank(ProductSource(instance.point, instance.problem.data, i + 1, h), precision)
            ok &= d.decided
            above.append(d.rank)
            ev[f"rk W_>{i}"] = d.rank
        if i == 1:
            below.append(widths[0])
        else:
            d = decide_rank(ProductSource(instance.point, instance.problem.data, 1, i - 1), precision)
            ok &= d.decided
            below.append(d.rank)
            ev[f"rk W_<{i}"] = d.rank
    cache[precision.label] = (above, below, ok, ev)
    return cache[precision.label]


# The claims about local minima live in .linear_minima; they are part of this namespace.
from .linear_minima import certify_local_minimum, descends, no_bad_minimum  # noqa: E402
