"""Cooper §5: the definitions of local minima, valleys and nondegeneracy (Defs 5.1–5.6, the Morse
lemma), the worked examples of §5.3, Figure 5's implication triangle and Lemma 5.12.

These statements are about functions in general, so they are checked on *explicit* functions
with planted properties (:mod:`critlocus.strategies.functions`), decided in exact rational
arithmetic (:mod:`critlocus.claims.functions`; :mod:`critlocus.core.piecewise` for valleys).
Each paper example is included as an explicit example of its spec.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from critlocus import Source, Spec, claims, strategies
from critlocus.core.explicit import FunctionInstance
from critlocus.core.functions import Polynomial
from critlocus.core.piecewise import PiecewisePolynomial, SeparableSum

from . import PAPER

_x, _y = Polynomial.variables(2)
(_t,) = Polynomial.variables(1)
#: Cooper's g(x) = x² − x³ (§5.3; the paper's own formula is stripped, this one has its properties)
G_PAPER = PiecewisePolynomial((_t**2 - _t**3,))


def _paper_point(f, point, label, **info) -> FunctionInstance:
    return FunctionInstance(f, point, label=label, info={"family": "paper example", **info})


# -- Definitions 5.1–5.6 and the Morse lemma -------------------------------------------------------

_VALLEY_DEFINITIONS = claims.all_of(
    claims.landscape_implication("strict non-global local minimum", "spurious valley"),
    claims.landscape_implication("spurious valley", "bad local valley"),
    claims.landscape_implication("bad local valley", "spurious valley"),
    claims.landscape_implication("strict local minimum", "local minimum"),
)

DEFS_5_1_5_6 = Spec(
    id="cooper.defs5.1–5.6",
    title="Local minima, valleys, strict and isolated minima, nondegenerate points; the Morse lemma",
    source=Source(PAPER, "Definitions 5.1–5.6, Morse lemma [Lee09, Thm 2.39]", "§5", ("SRC",)),
    statement=("The standard definitions behave as stated: a strict local minimum is a local minimum; "
               "a nondegenerate critical point (every Hessian eigenvalue nonzero) is isolated and, by the "
               "Morse lemma, f = f(p) − Σ_{i≤λ} x_i² + Σ_{i>λ} x_i² near it with λ the number of negative "
               "eigenvalues, so it is a (strict) local minimum iff λ = 0; a strict non-global local minimum "
               "lies in a spurious valley (a component of a sublevel set {f ≤ c} with inf_K f > inf f) and "
               "in a bad local valley (the same for {f < c})."),
    formula=("strict ⇒ local min;  det Hess f(p) ≠ 0 ⇒ p isolated, index λ = n₋, local min ⇔ λ = 0;  "
             "strict non-global min ⇒ spurious valley ⇔ bad local valley (1-D)"),
    hypotheses=("f a polynomial with rational coefficients at a rational critical point (local "
                "definitions), or a continuous 1-D piecewise polynomial or its lift (valleys)",),
    instances=st.one_of(strategies.planted_local_geometry(max_vars=3),
                        strategies.piecewise_landscapes(max_nodes=5),
                        strategies.lifts(strategies.piecewise_landscapes(max_nodes=4))),
    claim=claims.by_landscape(point=claims.local_geometry(), landscape=_VALLEY_DEFINITIONS),
    expected="holds",
    kind="definition",
    examples=(
        _paper_point(_x**2 - _y**2, (0, 0), "x² − y² at 0 (index-1 Morse saddle)",
                     planted={"inertia": [1, 1, 0], "nondegenerate": True, "local_min": False}),
        _paper_point(_x**4 + _y**2, (0, 0), "x⁴ + y² at 0 (degenerate strict minimum)",
                     plant={"A": [["1", "0"], ["0", "1"]],
                            "parts": [["0", "0", "0", "0", "1"], ["0", "0", "1"]]},
                     planted={"inertia": [1, 0, 1], "nondegenerate": False, "local_min": True,
                              "strict_min": True, "isolated_critical": True}),
        FunctionInstance(G_PAPER, None, label="g(x) = x² − x³", info={"family": "paper example"}),
    ),
    notes=("Local statements are checked with exact certificates: an isolation radius ρ = σ/C' "
           "(σ = 1/‖H⁻¹‖_F, C' bounding the gradient's terms of degree ≥ 2), a strict-minimum radius, "
           "and H-conjugate rational directions along which f has the Morse signs.  Degenerate points are "
           "judged in their planted coordinates u = A(x − p), after verifying f(p + A⁻¹u) = f(p) + "
           "Σ g_i(u_i) exactly.  Valleys are decided exactly on 1-D piecewise polynomials; there the "
           "spurious-valley [VBB18] and bad-local-valley [NMH18] notions coincide, which is checked as a "
           "consistency test of the two definitions, not a claim of the paper."),
)


# -- §5.3 worked examples ----------------------------------------------------------------------------

EX_LOCAL_NONGLOBAL_MIN = Spec(
    id="cooper.ex.local-nonglobal-min",
    title="x² − x³: an isolated strict non-global local minimum in a spurious valley",
    source=Source(PAPER, "example in §5.3", "§5.3", ("SRC", "REC")),
    statement=("For g(x) = x² − x³ the origin is an isolated local minimum, a strict local minimum, not "
               "global (g → −∞), and it lies in a spurious valley."),
    formula=("g(x) = c + a(x − p)² ∓ b(x − p)³, a, b > 0:  p strict, isolated, non-global, "
             "in a spurious valley"),
    hypotheses=("a, b > 0 rational; any center p and offset c",),
    instances=strategies.local_nonglobal_minima(),
    claim=claims.minimum_at_point(strict=True, isolated=True, is_global=False, in_spurious_valley=True),
    expected="holds",
    kind="example",
    examples=(FunctionInstance(G_PAPER, (0,), label="g(x) = x² − x³ at 0",
                               info={"family": "paper example"}),),
    notes="The paper's own function is stripped from the seed; g(x) = x² − x³ has every stated property.",
)

EX_VALLEY_WITHOUT_ISOLATED_MIN = Spec(
    id="cooper.ex.valley-without-isolated-min",
    title="f(x, y) = g(x): a spurious valley without an isolated local minimum",
    source=Source(PAPER, "example in §5.3 (Figure 5's failing leg)", "§5.3", ("SRC", "REC")),
    statement=("f(x, y) = g(x) with g(x) = x² − x³ has a spurious valley, but none of its local minima (the "
               "line x = 0) is isolated or strict: 'spurious valley ⇒ isolated local minimum' fails."),
    formula="f(x, y) = g(x):  spurious valley ∧ no isolated local min ∧ no strict local min",
    hypotheses=("g from the family of cooper.ex.local-nonglobal-min, lifted to 2–3 variables",),
    instances=strategies.local_nonglobal_minima(lifted=True),
    claim=claims.all_of(
        claims.landscape_properties_equal({"spurious valley": True, "local minimum": True,
                                           "isolated local minimum": False, "strict local minimum": False}),
        claims.minimum_at_point(strict=False, isolated=False, is_global=False, in_spurious_valley=True),
    ),
    expected="holds",
    kind="example",
    examples=(FunctionInstance(SeparableSum((G_PAPER, None)), (0, 0), label="f(x, y) = x² − x³ at (0, 0)",
                               info={"family": "paper example"}),),
)

EX_ISOLATED_SADDLE_ON_LEVEL_SET = Spec(
    id="cooper.ex.isolated-saddle-on-level-set",
    title="x² − y²: an isolated nondegenerate critical point whose level set contains lines",
    source=Source(PAPER, "example after Proposition 5.13", "§5.3", ("SRC", "REC")),
    statement=("For f(x, y) = x² − y² the origin is an isolated, nondegenerate critical point, yet its level "
               "set {y = x} ∪ {y = −x} contains lines: a positive-dimensional level set through a critical "
               "point does not make it degenerate or non-isolated."),
    formula=("f = c + λ(s²u₁² − t²u₂²) [+ μu₃²], u = A(x − p):  p isolated, nondegenerate, "
             "{f = f(p)} ⊇ two lines"),
    hypotheses=("λ > 0, s, t positive integers, A rational invertible",),
    instances=strategies.saddles_with_linear_level_sets(),
    claim=claims.all_of(
        claims.local_geometry(),
        claims.level_set_contains_lines(lambda inst: inst.info["level_lines"]),
        claims.is_critical(),
        claims.is_nondegenerate(),
    ),
    expected="holds",
    kind="example",
    examples=(_paper_point(_x**2 - _y**2, (0, 0), "x² − y² at 0", level_lines=[["1", "1"], ["1", "-1"]],
                           planted={"inertia": [1, 1, 0], "nondegenerate": True,
                                    "isolated_critical": True}),),
    notes=("Why Cor 5.16's proof has a gap at saddles: a level set containing lines does not force zero "
           "eigenvalues."),
)


# -- Figure 5 and Lemma 5.12 ---------------------------------------------------------------------------

_CATALOGUE = st.one_of(strategies.piecewise_landscapes(max_nodes=5),
                       strategies.lifts(strategies.piecewise_landscapes(max_nodes=4)))

_LEGS = (
    ("no spurious valley ⇒ no strict non-global min [NMH18]", "strict non-global local minimum",
     "spurious valley"),
    ("no strict non-global min ⇒ no isolated non-global min (Lemma 5.12)",
     "isolated non-global local minimum", "strict non-global local minimum"),
    ("no isolated non-global min ⇒ no spurious valley (false)", "spurious valley",
     "isolated non-global local minimum"),
)


def triangle_table(checked) -> dict:
    """For each leg of Figure 5 (as a contrapositive ``A ⇒ B``): how many generated functions have
    A, have B, and violate the implication."""
    rows = []
    for title, premise, conclusion in _LEGS:
        n_prem = n_conc = viol = 0
        for inst, _ in checked:
            props = claims.functions.landscape_properties(inst)
            n_prem += props[premise]
            n_conc += props[conclusion]
            viol += props[premise] and not props[conclusion]
        rows.append([title, f"{premise} ⇒ {conclusion}", n_prem, n_conc, viol])
    return {"tables": [{"title": "Figure 5 on the generated catalogue (each leg as its contrapositive)",
                        "columns": ["leg", "checked as", "premise holds", "conclusion holds", "violations"],
                        "rows": rows}],
            "notes": [f"{len(checked)} functions: 1-D piecewise polynomials (profiles with plateaus and "
                      "rays, "
                      "polynomials with planted rational critical points) and their lifts f(x, y) = g(x)."]}


FIG5 = Spec(
    id="cooper.fig5",
    title="Figure 5: the implication triangle between valleys, strict and isolated minima",
    source=Source(PAPER, "Figure 5", "§5.3", ("SRC",)),
    statement=("No spurious valleys ⇒ no strict non-global local minima [NMH18]; no strict non-global local "
               "minima ⇒ no isolated non-global local minima (Lemma 5.12); the closing leg, no isolated "
               "non-global local minima ⇒ no spurious valleys, fails (see cooper.fig5.false-leg)."),
    formula="¬SV ⇒ ¬strict ⇒ ¬isolated  (true legs);  ¬isolated ⇏ ¬SV",
    hypotheses=("continuous functions: generated 1-D piecewise polynomials and their lifts",),
    instances=_CATALOGUE,
    claim=claims.all_of(claims.landscape_implication("strict non-global local minimum", "spurious valley"),
                        claims.landscape_implication("isolated non-global local minimum",
                                                     "strict non-global local minimum")),
    expected="holds",
    kind="proposition",
    summarize=triangle_table,
    examples=(FunctionInstance(G_PAPER, None, label="g(x) = x² − x³"),
              FunctionInstance(SeparableSum((G_PAPER, None)), None, label="f(x, y) = x² − x³")),
    notes="The summary table counts, per leg, the functions where its premise and conclusion hold.",
)

FIG5_FALSE_LEG = Spec(
    id="cooper.fig5.false-leg",
    title="Figure 5's failing leg: a spurious valley need not contain an isolated local minimum",
    source=Source(PAPER, "Figure 5 (the leg that does not hold)", "§5.3", ("SRC",)),
    statement=("'If f has a spurious valley then f has an isolated non-global local minimum' — false; the "
               "framework must find a counterexample such as f(x, y) = g(x) by its own search."),
    formula="spurious valley ⇒ isolated non-global local minimum   (false)",
    hypotheses=("the same catalogue as cooper.fig5",),
    instances=_CATALOGUE,
    claim=claims.landscape_implication("spurious valley", "isolated non-global local minimum"),
    expected="fails",
    kind="false-variant",
)

LEM_5_12 = Spec(
    id="cooper.lem5.12",
    title="No strict non-global local minima ⇒ no isolated non-global local minima",
    source=Source(PAPER, "Lemma 5.12", "§5.3", ("SRC",)),
    statement=("A continuous f with no strict local non-global minima has no isolated local non-global "
               "minima.  Proof step checked per minimum: a non-strict local minimum p is a limit of points "
               "p_n with f(p_n) = f(p) that are themselves local minima, so p is not isolated."),
    formula="(∄ strict non-global min) ⇒ (∄ isolated non-global min);  p non-strict ⇒ p not isolated",
    hypotheses=("f continuous: generated 1-D piecewise polynomials, lifts and separable sums Σ g_i(x_i)",),
    instances=st.one_of(_CATALOGUE, strategies.separable_landscapes(max_vars=3)),
    claim=claims.all_of(claims.landscape_implication("isolated non-global local minimum",
                                                     "strict non-global local minimum"),
                        claims.nonstrict_minima_not_isolated()),
    expected="holds",
    kind="lemma",
    examples=(FunctionInstance(PiecewisePolynomial((Polynomial.constant(0, 1), -_t**3), (Fraction(0),)), None,
                               label="g = 0 (x ≤ 0), −x³ (x ≥ 0): non-strict non-global minima only"),),
)
