"""Claims about explicit landscapes, decided in exact rational arithmetic.

For a :class:`~critlocus.core.explicit.FunctionInstance` (a polynomial at a rational point, or a
1-D piecewise polynomial / separable sum) these claims need no tolerance: they are decided once,
exactly, and reported with a single tier labelled ``exact (ℚ)`` (a refutation in exact arithmetic
needs no higher precision to confirm it).  The generic ladder claims (``is_critical``,
``hessian_inertia`` …) also accept function instances.

- :func:`critical_order` — the order of criticality (Cooper §3.1);
- :func:`definitions_consistent` — the §3.1 definitions agree with each other at the point;
- :func:`gradient_vanishes` — ``∇f(p) = 0`` or ``≠ 0`` as expected, up the ladder;
- :func:`local_geometry` — Definitions 5.1, 5.4–5.6 and the Morse lemma at a critical point,
  with certificates, compared with the planted truth;
- :func:`landscape_implication`, :func:`nonstrict_minima_not_isolated` — global statements
  (spurious valleys, strict / isolated non-global minima) on 1-D piecewise polynomials and lifts.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from fractions import Fraction

from critlocus.core.decisions import AMBIGUOUS, NONZERO, ZERO
from critlocus.core.errors import CritlocusError, SpecError
from critlocus.core.explicit import (
    conjugate_directions,
    isolation_radius,
    line_sign_radius,
    strict_minimum_radius,
)
from critlocus.core.functions import Polynomial, exact_determinant, exact_inertia
from critlocus.core.piecewise import PiecewisePolynomial, SeparableSum, analyze
from critlocus.core.verdict import FALSE, TRUE, UNDECIDED, Outcome, TierResult, Verdict

from .base import Claim, Expected, resolve_expected

__all__ = [
    "EXACT_TIER",
    "LANDSCAPE_PROPERTIES",
    "by_landscape",
    "critical_order",
    "definitions_consistent",
    "exact_claim",
    "gradient_vanishes",
    "landscape_implication",
    "landscape_properties",
    "landscape_properties_equal",
    "level_set_contains_lines",
    "local_geometry",
    "minimum_at_point",
    "nonstrict_minima_not_isolated",
    "on_source",
]

EXACT_TIER = "exact (ℚ)"
_VERDICT = {TRUE: Verdict.HOLDS, FALSE: Verdict.FAILS, UNDECIDED: Verdict.INCONCLUSIVE}


class _Exact(Claim):
    """A claim decided once in exact arithmetic: ``decide(instance) -> (status, summary, evidence)``."""

    def __init__(self, name: str, decide: Callable):
        self.name = name
        self._decide = decide

    def tier(self, instance, precision=None) -> TierResult:
        try:
            status, summary, evidence = self._decide(instance)
        except CritlocusError as exc:  # e.g. an irrational critical point: no exact decision
            return TierResult(EXACT_TIER, UNDECIDED, True, f"not decidable exactly: {exc}",
                              {"reason": str(exc)})
        evidence = {"arithmetic": "exact rational", "margin": math.inf, **evidence}
        return TierResult(EXACT_TIER, status, True, summary, evidence)

    def check(self, instance, ladder) -> Outcome:
        t = self.tier(instance)
        reason = {TRUE: "decided in exact rational arithmetic",
                  FALSE: f"refuted in exact rational arithmetic: {t.summary}",
                  UNDECIDED: t.summary}[t.status]
        return Outcome(_VERDICT[t.status], self.describe(), [t], reason)


def exact_claim(name: str, decide: Callable) -> Claim:
    """A claim decided in exact arithmetic by ``decide(instance) -> (status, summary, evidence)``
    with status ``"true"``, ``"false"`` or ``"undecided"``."""
    if not isinstance(name, str) or not name.strip():
        raise SpecError(f"exact claim name must be a non-empty string, got {name!r}")
    if not callable(decide):
        raise SpecError(f"exact claim {name!r}: decide must be callable")
    return _Exact(name, decide)


def _status(ok: bool) -> str:
    return TRUE if ok else FALSE


# -- criticality (Cooper §3.1) ---------------------------------------------------------------------

def critical_order(expected: Expected) -> Claim:
    """p is critical of order k (every partial derivative of order 1…k vanishes, Cooper §3.1) with
    k matching ``expected`` (an int, :func:`at_least`/:func:`at_most`, or ``instance -> …``).

    Decided exactly from the lowest degree of ``h ↦ f(p + h) − f(p)``; for a truncated jet the
    order is a lower bound once it reaches the jet's reach.
    """
    def decide(instance):
        k, lower = instance.evaluation().critical_order()
        bound = resolve_expected(expected, instance)
        big = 10**9
        lo = big if k == math.inf else int(k)
        hi = big if (lower or k == math.inf) else int(k)
        text = "∞ (f constant)" if k == math.inf else (f"≥ {k}" if lower else str(k))
        return bound.decide(lo, hi), f"critical of order {text}, expected {bound}", \
            {"order": text, "expected": str(bound), "jet_degree": instance.evaluation().jet_degree}
    return exact_claim("order of criticality", decide)


def _multi_indices(n: int, order: int):
    for combo in itertools.combinations_with_replacement(range(n), order):
        beta = [0] * n
        for i in combo:
            beta[i] += 1
        yield tuple(beta)


def definitions_consistent(*, max_partials: int = 400) -> Claim:
    """The definitions of Cooper §3.1 agree with each other at the point, in exact arithmetic:

    - critical (``∇f = 0``) ⇔ order ≥ 1;
    - order ≥ k ⇔ every partial derivative ``∂^β f(p)`` with ``1 ≤ |β| ≤ k`` vanishes (checked by
      enumerating the partials, independently of the Taylor expansion, up to ``max_partials``);
    - order ≥ 2 ⇔ critical and ``Hess f(p) = 0``;
    - degenerate ⇔ critical and ``det Hess f(p) = 0`` (Bareiss) ⇔ critical and ``n₀ ≥ 1``
      (symmetric elimination) ⇔ critical and a zero value among H-conjugate directions.
    """
    def decide(instance):
        ev = instance.evaluation()
        f, p = ev.function, ev.point
        critical = not any(ev.gradient_exact())
        k, lower = ev.critical_order()
        H = ev.hessian_exact()
        hess_zero = not any(v for row in H for v in row)
        det = exact_determinant(H)
        n_zero = exact_inertia(H)[2]
        conj_zero = any(d == 0 for _, d in conjugate_directions(H))
        checks = {
            "critical ⇔ order ≥ 1": critical == (k >= 1),
            "order ≥ 2 ⇔ critical ∧ Hess = 0": (k >= 2) == (critical and hess_zero),
            "det Hess = 0 ⇔ n₀ ≥ 1 ⇔ a zero conjugate value": (det == 0) == (n_zero >= 1) == conj_zero,
        }
        # enumerate the partials of orders 1 … min(k + 1, reach)
        reach = ev.jet_degree if ev.jet_degree is not None else f.degree
        top = int(min(k + 1 if k != math.inf else reach, reach, 4))
        checked, first_nonzero = 0, None
        for order in range(1, top + 1):
            for beta in _multi_indices(f.n_vars, order):
                if checked >= max_partials:
                    break
                checked += 1
                if f.partial(beta)(p) != 0 and first_nonzero is None:
                    first_nonzero = order
        expect_first = None if (lower or k == math.inf or k + 1 > top) else int(k) + 1
        if checked < max_partials:
            checks["order from the partials = order from the Taylor expansion"] = \
                first_nonzero == expect_first
        degenerate = critical and det == 0
        ok = all(checks.values())
        bad = [name for name, v in checks.items() if not v]
        summary = (f"critical={critical}, order={'≥' if lower else ''}{k}, Hess=0: {hess_zero}, "
                   f"det Hess={det}, degenerate={degenerate}" + (f"; inconsistent: {bad}" if bad else ""))
        return _status(ok), summary, {"checks": checks, "critical": critical, "order": str(k),
                                      "degenerate": degenerate, "determinant": str(det),
                                      "partials_checked": checked}
    return exact_claim("Cooper §3.1 definitions agree (critical, degenerate, order k)", decide)


class _GradientVanishes(Claim):
    def __init__(self, expected):
        self.expected = expected

    def describe(self) -> str:
        return "∇f(p) = 0 as planted" if callable(self.expected) else \
            ("∇f(p) = 0" if self.expected else "∇f(p) ≠ 0")

    def tier(self, instance, precision):
        want = self.expected(instance) if callable(self.expected) else self.expected
        dec = instance.evaluation().gradient_decision(precision)
        if dec.status == AMBIGUOUS:
            status = UNDECIDED
        else:
            status = _status((dec.status == ZERO) == bool(want))
        ev = dec.to_dict()
        ev["margin"] = dec.margin
        ev["expected_zero"] = bool(want)
        # a zero can only be confirmed on the exact point; a clear nonzero is decided in float64
        return TierResult(precision.label, status, exact=dec.status != NONZERO,
                          summary=f"||∇f|| = {dec.value:.3e} ({dec.status}), expected "
                                  f"{'zero' if want else 'nonzero'}", evidence=ev)


def gradient_vanishes(expected: bool | Callable = True) -> Claim:
    """``∇f(p) = 0`` (``expected=True``), ``≠ 0`` (False), or as ``expected(instance)`` says; decided
    up the precision ladder like :func:`critlocus.claims.is_critical`."""
    if not (isinstance(expected, bool) or callable(expected)):
        raise SpecError(f"gradient_vanishes expected={expected!r} must be a bool or a callable")
    return _GradientVanishes(expected)


# -- local geometry at a critical point (Cooper Defs 5.1, 5.4–5.6; Morse lemma) -------------------

def _planted_geometry(instance) -> dict | None:
    """Local facts from the planted coordinates ``u = A(x − p)``, ``f = f(p) + Σ_i g_i(u_i)``,
    after checking that identity exactly (info["plant"] = {"A": rows, "parts": [coeffs | None]})."""
    plant = instance.info.get("plant")
    if not plant:
        return None
    ev = instance.evaluation()
    f, p = ev.function, ev.point
    n = f.n_vars
    A = [[Fraction(v) for v in row] for row in plant["A"]]
    parts = [None if c is None else [Fraction(v) for v in c] for c in plant["parts"]]
    xs = Polynomial.variables(n, names=f.names)
    us = [sum((A[i][j] * (xs[j] - p[j]) for j in range(n)), Polynomial(n, names=f.names)) for i in range(n)]
    g = Polynomial.constant(f(p), n, names=f.names)
    for u, c in zip(us, parts):
        if c is not None:
            g = g + sum((u**k * ck for k, ck in enumerate(c) if ck), Polynomial(n, names=f.names))
    if g != f:
        raise CritlocusError("the planted coordinates do not reproduce f")
    lows = []
    for c in parts:
        if c is None:
            lows.append(None)
            continue
        k = next(k for k, ck in enumerate(c) if ck and k >= 1)
        lows.append((k, c[k]))
    free = any(lw is None for lw in lows)
    each_min = [lw is None or (lw[0] % 2 == 0 and lw[1] > 0) for lw in lows]
    each_max = [lw is None or (lw[0] % 2 == 0 and lw[1] < 0) for lw in lows]
    return {
        "identity": "f(p + A⁻¹u) = f(p) + Σ g_i(u_i) verified exactly",
        "local_min": all(each_min), "strict_min": all(each_min) and not free,
        "local_max": all(each_max), "strict_max": all(each_max) and not free,
        "isolated_critical": not free and all(lw[0] >= 2 for lw in lows if lw),
        "order": math.inf if all(lw is None for lw in lows) else min(lw[0] for lw in lows if lw) - 1,
    }


def _certified_geometry(instance) -> dict:
    ev = instance.evaluation()
    f, p = ev.function, ev.point
    critical = not any(ev.gradient_exact())
    H = ev.hessian_exact()
    inertia = exact_inertia(H)
    det = exact_determinant(H)
    out: dict = {"critical": critical, "inertia": inertia, "det_nonzero": det != 0,
                 "nondegenerate": critical and inertia[2] == 0}
    if not (critical and inertia[2] == 0):
        return out
    pos, neg, _ = inertia
    dirs = conjugate_directions(H)
    signs = []
    for v, d in dirs:
        s = line_sign_radius(f, p, v)
        signs.append((int(d > 0) - int(d < 0), s))
    out["morse_index"] = neg
    out["conjugate_negative"] = sum(1 for v, d in dirs if d < 0)
    out["lines_follow_morse_signs"] = all(s is not None and s[1] == 2 and s[0] == sd for sd, s in signs)
    out["isolation_radius"] = isolation_radius(f, p)
    out["local_min"] = out["strict_min"] = neg == 0
    out["local_max"] = out["strict_max"] = pos == 0
    if neg == 0:
        out["strict_min_radius"] = strict_minimum_radius(f, p)
    else:
        v = next(v for v, d in dirs if d < 0)
        out["descent_direction"] = [str(x) for x in v]
        out["descent_radius"] = line_sign_radius(f, p, v)[2]
    out["isolated_critical"] = out["isolation_radius"] is not None
    out["order"] = 1
    return out


def local_geometry() -> Claim:
    """Definitions 5.1 (local min), 5.4 (strict), 5.5 (isolated), 5.6 (nondegenerate) and the Morse
    lemma behave as stated at a critical point, in exact arithmetic:

    - nondegenerate ⇔ ``det Hess ≠ 0`` ⇔ ``n₀ = 0``;
    - nondegenerate ⇒ isolated critical point (a certified radius ρ: no other zero of ∇f in B(p, ρ));
    - Morse lemma: the index equals the number of negative values among H-conjugate rational
      directions, and f decreases (increases) quadratically along each negative (positive) one
      (certified radius); index 0 ⇒ strict local min (certified radius), index > 0 ⇒ not a local min;
    - strict ⇒ local min, and strict ⇔ isolated among local minima for the planted families;
    - every decided property equals the planted one (``info["planted"]``), degenerate points being
      decided in their planted coordinates (the identity ``f(p + A⁻¹u) = f(p) + Σ g_i(u_i)`` is
      verified exactly).
    """
    def decide(instance):
        cert = _certified_geometry(instance)
        plant = _planted_geometry(instance)
        facts = dict(cert)
        if plant is not None:
            for key in ("local_min", "strict_min", "local_max", "strict_max", "isolated_critical", "order"):
                if key in cert and cert[key] != plant[key]:
                    facts.setdefault("disagreements", []).append(f"{key}: certified {cert[key]}, planted "
                                                                  f"coordinates {plant[key]}")
                facts.setdefault(key, plant[key])
            facts["planted_coordinates"] = plant["identity"]
        checks = {"nondegenerate ⇔ det Hess ≠ 0": (not cert["critical"]) or
                  (cert["nondegenerate"] == cert["det_nonzero"])}
        if cert.get("nondegenerate"):
            checks["nondegenerate ⇒ isolated critical point (certified radius)"] = cert["isolated_critical"]
            checks["Morse index = negative conjugate directions"] = \
                cert["morse_index"] == cert["conjugate_negative"]
            checks["f follows the Morse signs along conjugate lines"] = cert["lines_follow_morse_signs"]
            checks["index 0 ⇔ strict local min (certified)"] = (cert["morse_index"] == 0) == \
                (cert.get("strict_min_radius") is not None)
        if "strict_min" in facts:
            checks["strict ⇒ local min (5.4 ⇒ 5.1)"] = (not facts["strict_min"]) or facts["local_min"]
        if "disagreements" in facts:
            checks["certificates agree with the planted coordinates"] = False
        planted = instance.info.get("planted", {})
        for key, want in planted.items():
            if key in facts:
                got = facts[key]
                got = list(got) if isinstance(got, tuple) else got
                want = list(want) if isinstance(want, tuple) else want
                checks[f"planted {key} = {want}"] = got == want or (key == "order" and str(got) == str(want))
        ok = all(checks.values())
        bad = [k for k, v in checks.items() if not v]
        shown = {k: (str(v) if isinstance(v, Fraction) else v) for k, v in facts.items()}
        summary = (f"inertia {cert['inertia']}, " + ", ".join(f"{k}={facts[k]}" for k in
                   ("local_min", "strict_min", "isolated_critical") if k in facts)
                   + (f"; failed: {bad}" if bad else ""))
        return _status(ok), summary, {"facts": shown, "checks": checks}
    return exact_claim("Defs 5.1, 5.4–5.6 and the Morse lemma at a critical point", decide)


# -- global statements on 1-D piecewise polynomials and lifts ---------------------------------------

LANDSCAPE_PROPERTIES: dict[str, Callable] = {
    "local minimum": lambda a: bool(a.minima),
    "strict local minimum": lambda a: any(m.strict for m in a.minima),
    "isolated local minimum": lambda a: any(m.isolated for m in a.minima),
    "spurious valley": lambda a: a.spurious_valley is not None,
    "bad local valley": lambda a: a.bad_local_valley is not None,
    "non-global local minimum": lambda a: any(not m.is_global for m in a.minima),
    "strict non-global local minimum": lambda a: any(m.strict and not m.is_global for m in a.minima),
    "isolated non-global local minimum": lambda a: any(m.isolated and not m.is_global for m in a.minima),
}


def _analysis(instance):
    fn = instance.function
    if not isinstance(fn, (PiecewisePolynomial, SeparableSum, Polynomial)):
        raise SpecError(f"{instance.label}: landscape claims need a 1-D function or a separable sum")
    return analyze(fn)


def landscape_properties(instance) -> dict[str, bool]:
    """Every property of :data:`LANDSCAPE_PROPERTIES` for the instance's function (exact)."""
    a = _analysis(instance)
    return {name: bool(test(a)) for name, test in LANDSCAPE_PROPERTIES.items()}


def _landscape_evidence(instance) -> dict:
    a = _analysis(instance)
    return {"infimum": str(a.infimum), "minima": [m.describe() for m in a.minima[:12]],
            "spurious_valley": None if a.spurious_valley is None else
            {"level": str(a.spurious_valley.level), "component": str(a.spurious_valley.component),
             "bottom": str(a.spurious_valley.bottom)},
            "properties": landscape_properties(instance), **a.notes}


def landscape_implication(premise: str, conclusion: str) -> Claim:
    """``premise ⇒ conclusion`` for the instance's function, both from :data:`LANDSCAPE_PROPERTIES`
    (e.g. ``landscape_implication("strict non-global local minimum", "spurious valley")``)."""
    for name in (premise, conclusion):
        if name not in LANDSCAPE_PROPERTIES:
            raise SpecError(f"unknown landscape property {name!r}; known: {sorted(LANDSCAPE_PROPERTIES)}")

    def decide(instance):
        props = landscape_properties(instance)
        ok = (not props[premise]) or props[conclusion]
        return _status(ok), f"{premise}: {props[premise]}, {conclusion}: {props[conclusion]}", \
            _landscape_evidence(instance)
    return exact_claim(f"{premise} ⇒ {conclusion}", decide)


def nonstrict_minima_not_isolated() -> Claim:
    """Lemma 5.12's step, per minimum: a non-strict local minimum is not isolated among local minima.

    For a 1-D function the proof's sequence is exhibited: ``p_n = p ± 2⁻ⁿ`` inside the adjacent
    plateau, with ``f(p_n) = f(p)`` and each ``p_n`` a local minimum (checked exactly).
    """
    def decide(instance):
        a = _analysis(instance)
        bad, shown = [], []
        fn = instance.function
        for m in a.minima:
            if m.strict:
                continue
            if m.isolated:
                bad.append(m.describe())
            if m.kind == "point" and isinstance(fn, PiecewisePolynomial):
                plateaus = [q.location for q in a.minima if q.kind == "plateau"]
                side = next(((lo, hi) for lo, hi in plateaus if lo == m.location or hi == m.location), None)
                if side is None:
                    bad.append(f"{m.describe()}: no adjacent plateau")
                    continue
                step = 1 if side[0] == m.location else -1
                width = (side[1] - side[0]) if None not in side else Fraction(1)
                n0 = max(1, math.ceil(-math.log2(float(width))) + 1)
                seq = [m.location + step * Fraction(1, 2**n) for n in range(n0, n0 + 4)]
                same = all(fn(q) == m.value for q in seq)
                if not same:
                    bad.append(f"{m.describe()}: f(p_n) ≠ f(p)")
                shown.append({"p": str(m.location), "p_n": [str(q) for q in seq], "f(p_n) = f(p)": same})
        n_nonstrict = sum(1 for m in a.minima if not m.strict)
        return _status(not bad), f"{n_nonstrict} non-strict local minima, none isolated" if not bad else \
            f"violations: {bad}", {**_landscape_evidence(instance), "sequences": shown[:6]}
    return exact_claim("non-strict local minimum ⇒ not isolated (Lemma 5.12's step)", decide)



def landscape_properties_equal(expected: dict[str, bool] | Callable) -> Claim:
    """Each named property of :data:`LANDSCAPE_PROPERTIES` has the expected truth value (a dict, or
    ``instance -> dict``)."""
    if not callable(expected):
        for name in expected:
            if name not in LANDSCAPE_PROPERTIES:
                raise SpecError(f"unknown landscape property {name!r}; known: {sorted(LANDSCAPE_PROPERTIES)}")

    def decide(instance):
        want = expected(instance) if callable(expected) else expected
        props = landscape_properties(instance)
        wrong = {k: props[k] for k, v in want.items() if props[k] != v}
        text = ", ".join(f"{k}: {props[k]}" for k in want)
        return _status(not wrong), text + (f"; expected otherwise: {sorted(wrong)}" if wrong else ""), \
            _landscape_evidence(instance)
    return exact_claim("landscape properties: " + (", ".join(f"{k}={v}" for k, v in expected.items())
                                                    if not callable(expected) else "as planted"), decide)


def minimum_at_point(*, strict: bool | None = None, isolated: bool | None = None,
                     is_global: bool | None = None, in_spurious_valley: bool | None = None) -> Claim:
    """The instance's point is a local minimum of its 1-D function (or lift) with the given
    properties: strict (Def 5.4), isolated among local minima (Def 5.5), global, and lying at the
    bottom of a spurious valley (Def 5.2: the component of ``{f ≤ f(p)}`` through p has no lower
    point while ``inf f < f(p)``)."""
    from critlocus.core.piecewise import valley_at

    wanted = {"strict": strict, "isolated": isolated, "global": is_global,
              "in spurious valley": in_spurious_valley}

    def decide(instance):
        a = _analysis(instance)
        p = instance.point
        fn = instance.function
        if p is None:
            raise SpecError(f"{instance.label}: minimum_at_point needs a point")
        found = None
        for m in a.minima:
            loc = m.location if isinstance(fn, SeparableSum) else (m.location,)
            if _contains(loc, p):
                found = m
                break
        if found is None:
            return FALSE, f"{tuple(map(str, p))} is not a local minimum", _landscape_evidence(instance)
        valley = valley_at(fn, found) if wanted["in spurious valley"] is not None else None
        got = {"strict": found.strict, "isolated": found.isolated, "global": found.is_global,
               "in spurious valley": valley is not None}
        wrong = [k for k, v in wanted.items() if v is not None and got[k] != v]
        ev = {**_landscape_evidence(instance), "minimum": found.describe(), "properties": got,
              "valley": None if valley is None else {"level": str(valley.level),
                                                     "component": str(valley.component)}}
        return _status(not wrong), f"local minimum at ({', '.join(map(str, p))}): " + \
            ", ".join(f"{k}: {'yes' if v else 'no'}" for k, v in got.items()) + \
            (f"; expected otherwise: {', '.join(wrong)}" if wrong else ""), ev
    text = ", ".join(f"{k}={v}" for k, v in wanted.items() if v is not None)
    return exact_claim(f"local minimum at p ({text})", decide)


def _contains(location, point) -> bool:
    for loc, x in zip(location, point):
        if loc == "R":
            continue
        if isinstance(loc, tuple):
            lo, hi = loc
            if not ((lo is None or lo < x) and (hi is None or x < hi)):
                return False
        elif loc != x:
            return False
    return True


def level_set_contains_lines(directions: Callable) -> Claim:
    """The level set ``{f = f(p)}`` contains the lines ``p + τ w`` for every ``w`` in
    ``directions(instance)`` (rational vectors): ``τ ↦ f(p + τw) − f(p)`` is the zero polynomial,
    checked exactly; the lines must be pairwise distinct."""
    def decide(instance):
        ev = instance.evaluation()
        f, p = ev.function, ev.point
        ws = [tuple(Fraction(v) for v in w) for w in directions(instance)]
        flat = []
        for w in ws:
            q = f.restrict_to_line(p, w) - f(p)
            flat.append(q.is_zero)
        distinct = all(_independent(a, b) for a, b in itertools.combinations(ws, 2))
        ok = bool(ws) and all(flat) and distinct
        text = f"{sum(flat)}/{len(ws)} lines through p lie in the level set (distinct: {distinct})"
        return _status(ok), text, \
            {"directions": [[str(v) for v in w] for w in ws], "on_level_set": flat}
    return exact_claim("the level set of p contains lines through p", decide)


def _independent(a, b) -> bool:
    return any(a[i] * b[j] != a[j] * b[i] for i in range(len(a)) for j in range(i + 1, len(a)))


class _ByLandscape(Claim):
    def __init__(self, point: Claim, landscape: Claim):
        self.point_claim, self.landscape_claim = point, landscape

    def describe(self) -> str:
        return f"at a point: {self.point_claim.describe()}; globally: {self.landscape_claim.describe()}"

    def check(self, instance, ladder):
        if isinstance(getattr(instance, "function", None), Polynomial) and instance.point is not None:
            return self.point_claim.check(instance, ladder)
        return self.landscape_claim.check(instance, ladder)


def by_landscape(*, point: Claim, landscape: Claim) -> Claim:
    """``point`` for instances that are a polynomial at a point, ``landscape`` for the others
    (1-D functions and separable sums, judged as a whole)."""
    for c in (point, landscape):
        if not isinstance(c, Claim):
            raise SpecError(f"by_landscape expects claims, got {c!r}")
    return _ByLandscape(point, landscape)


class _OnSource(Claim):
    def __init__(self, claim: Claim):
        self.claim = claim

    def describe(self) -> str:
        return f"network evaluator: {self.claim.describe()}"

    def check(self, instance, ladder):
        import dataclasses

        source = getattr(instance, "source", None)
        if source is None:
            return self.claim.check(instance, ladder)
        view = dataclasses.replace(source, info={**source.info, **instance.info})
        return self.claim.check(view, ladder)


def on_source(claim: Claim) -> Claim:
    """``claim`` checked on the network instance an exact jet was built from (its own float64 and
    mpmath evaluator, up the ladder), with the jet's ``info`` (planted values) visible; on other
    instances, ``claim`` itself."""
    if not isinstance(claim, Claim):
        raise SpecError(f"on_source expects a claim, got {claim!r}")
    return _OnSource(claim)
