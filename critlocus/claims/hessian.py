"""Hessian claims: inertia ``(n₊, n₋, n₀)``, (non)degeneracy, values of the positive eigenvalues."""

from __future__ import annotations

import math
from collections.abc import Callable

from critlocus.core.decisions import AMBIGUOUS, NONZERO, decide_zero
from critlocus.core.errors import SpecError
from critlocus.core.instance import Instance
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, TierResult

from .base import Bound, Claim, Expected, at_least, counts_status, counts_text, describe_expected, gap_margin

__all__ = ["hessian_inertia", "is_degenerate", "is_nondegenerate", "positive_eigenvalues_equal"]


class _Inertia(Claim):
    certifiable = True

    def __init__(self, positive: Expected | None, negative: Expected | None, zero: Expected | None):
        if positive is None and negative is None and zero is None:
            raise SpecError("hessian_inertia needs at least one of positive=, negative=, zero=")
        for name, v in (("positive", positive), ("negative", negative), ("zero", zero)):
            if (v is not None and not (isinstance(v, (int, Bound)) or callable(v))) or isinstance(v, bool):
                raise SpecError(f"hessian_inertia {name}={v!r} must be an int, a bound or a callable")
        self.expected = {"positive": positive, "negative": negative, "zero": zero}

    def describe(self) -> str:
        parts = []
        for k, v in self.expected.items():
            if v is None:
                continue
            text = describe_expected(v)
            parts.append(f"n_{k[:3]} {text}".replace("n_pos", "n₊").replace("n_neg", "n₋")
                         .replace("n_zer", "n₀"))
        return "Hessian inertia: " + ", ".join(parts)

    def tier(self, instance, precision):
        if precision.is_certified and "kernel_candidates" in (instance.info or {}):
            # a spec or the theory may supply exact kernel candidates: the certificate verifies them
            kernel = instance.info["kernel_candidates"]
            instance.evaluation().kernel_candidates = kernel(instance) if callable(kernel) else kernel
        dec = instance.evaluation().inertia(precision)
        a = dec.n_ambiguous
        status, expected_out = counts_status(self.expected, instance, dec)
        ev = dec.to_dict()
        ev["expected"] = expected_out
        ev["margin"] = gap_margin(dec, precision)
        return TierResult(
            precision.label, status, exact=dec.n_zero > 0,
            summary=(f"inertia (n₊, n₋, n₀) = {dec.inertia}" + (f" + {a} ambiguous" if a else "")
                     + f", expected {counts_text(expected_out)}; gap ratio {_fmt(dec.gap_ratio)}"),
            evidence=ev,
        )


def _fmt(x) -> str:
    return "n/a" if x is None else ("inf" if x == math.inf else f"{x:.2e}")


def hessian_inertia(*, positive: Expected | None = None, negative: Expected | None = None,
                    zero: Expected | None = None) -> Claim:
    """The Hessian's inertia ``(n₊, n₋, n₀)`` matches the given counts or bounds.

    Counts are decided by :meth:`critlocus.core.evaluation.PointEvaluation.inertia`: float64
    ``eigvalsh``, then mpmath (dense ``eigsy`` for small N, a range sketch otherwise).
    """
    return _Inertia(positive, negative, zero)


def is_degenerate() -> Claim:
    """``det Hess L(p) = 0``: at least one zero eigenvalue (Cooper Def. 5.6's negation)."""
    return _Inertia(None, None, at_least(1))


def is_nondegenerate() -> Claim:
    """Every Hessian eigenvalue is nonzero (Cooper Def. 5.6)."""
    return _Inertia(None, None, 0)


class _PositiveEigenvaluesEqual(Claim):
    certifiable = True

    def __init__(self, value: float | Callable[[Instance], float], text: str):
        self.value = value
        self.text = text

    def describe(self) -> str:
        return f"every positive Hessian eigenvalue equals {self.text}"

    def tier(self, instance, precision):
        ev_obj = instance.evaluation()
        target = self.value(instance) if callable(self.value) else self.value
        if precision.is_certified:
            from critlocus.core.certify import certified_eigenvalues_equal

            return certified_eigenvalues_equal(ev_obj, precision, target, self.text)
        dec = ev_obj.spectrum(precision)
        if not dec.decided:
            return TierResult(precision.label, UNDECIDED, True,
                              "spectrum not separated at this precision", dec.to_dict())
        positives = [v for v in dec.nonzero_eigenvalues if v > 0]
        decisions = [decide_zero(v - target, precision, n=instance.n_params,
                                 scale=ev_obj.hessian_scale(), quantity="λ − target")
                     for v in positives]
        if any(d.status == NONZERO for d in decisions):
            status = FALSE
        elif any(d.status == AMBIGUOUS for d in decisions):
            status = UNDECIDED
        else:
            status = TRUE
        worst = max((d.value for d in decisions), default=0.0)
        ev = {"target": float(target), "positive_eigenvalues": [float(v) for v in positives],
              "largest_deviation": worst,
              "threshold": decisions[0].threshold if decisions else None,
              "band_top": decisions[0].band_top if decisions else None,
              "margin": min((d.margin for d in decisions), default=math.inf),
              "spectrum": dec.to_dict()}
        return TierResult(precision.label, status, True,
                          f"{len(positives)} positive eigenvalues, max |λ − {self.text}| = {worst:.2e}",
                          ev)


def positive_eigenvalues_equal(value: float | Callable[[Instance], float], *, text: str | None = None
                               ) -> Claim:
    """Every positive Hessian eigenvalue equals ``value`` (a number or ``instance -> number``),
    decided as ``|λ − value| = 0`` against τ = κ·N·u·S_H.  ``text`` names the value in reports."""
    if not callable(value) and (isinstance(value, bool) or not isinstance(value, (int, float))
                                or not math.isfinite(value)):
        raise SpecError(f"positive_eigenvalues_equal value={value!r} must be a finite number or a callable "
                        "instance -> number")
    return _PositiveEigenvaluesEqual(value, text or (str(value) if not callable(value) else
                                                     (value.__doc__ or "f(instance)")))


