"""The mutation suite: every generated false variant of a true catalogue spec is refuted.

Mutants come from :func:`critlocus.mutations.mutants` (off-by-one counts, wrong eigenvalue
constants, wrong locus, dropped hypotheses), generated from the specs' claims and instances,
so new catalogue specs built from the same claim types are covered without editing this
file.  Each is run on a few instances without shrinking; it is *killed* when the verdict is
``fails`` with a counterexample refuted at high precision.  The kill rate must be 100 %.
"""

import pytest

from critlocus import Source, Spec, claims, run_spec, strategies
from critlocus.mutations import is_killed, kill_table, mutants
from critlocus.registry import builtin_specs

ITEMS, _ = builtin_specs()
WITH_MUTANTS = [s for _, s in ITEMS if mutants(s)]
EXAMPLES = 6  # instances per mutant: a false-by-construction claim fails on the first few


@pytest.mark.mutation
@pytest.mark.parametrize("spec", WITH_MUTANTS, ids=[s.id for s in WITH_MUTANTS])
def test_every_mutant_of_a_catalogue_spec_is_killed(spec):
    rows = kill_table([spec], examples=EXAMPLES, seed=0)
    killed = [r for r in rows if r["killed"]]
    print(f"\nmutation kill rate for {spec.id}: {len(killed)}/{len(rows)} = "
          f"{100 * len(killed) / len(rows):.0f} %")
    for r in rows:
        mark = "killed" if r["killed"] else "ALIVE "
        print(f"  {mark} {r['operator']:<22} {r['verdict']:<8} {r['change']}")
    alive = [f"{r['operator']} ({r['verdict']}{': ' + r['error'] if r['error'] else ''})"
             for r in rows if not r["killed"]]
    assert not alive, f"{spec.id}: mutants not refuted: {alive}"


def test_the_catalogue_has_mutants_of_every_kind():
    kinds = {m.kind for s in WITH_MUTANTS for m in mutants(s)}
    assert kinds >= {"off-by-one count", "wrong constant", "wrong locus", "dropped hypothesis"}
    ids = [m.spec.id for s in WITH_MUTANTS for m in mutants(s)]
    assert len(ids) == len(set(ids))
    for s in WITH_MUTANTS:
        for m in mutants(s):
            assert m.spec.expected == "fails" and m.spec.kind == "false-variant"
            assert m.original == s.id and m.spec.id.startswith(f"{s.id}.mutant.")


def test_a_new_spec_gets_mutants_automatically_and_they_are_killed():
    spec = Spec(id="mine.core-degenerate", source=Source("test"), statement="core points are degenerate",
                instances=strategies.core_locus_instances(max_depth=4, max_width=3),
                claim=claims.is_critical() & claims.is_degenerate())
    made = {m.operator: m for m in mutants(spec)}
    # n₀ ≥ 1 negated to n₀ ≤ 0; the point moved off the locus; the L2 loss dropped
    assert set(made) == {"zero-bound-negated", "off-locus", "drop-l2-loss"}
    rows = kill_table([spec], examples=EXAMPLES)
    assert all(r["killed"] for r in rows), rows


def test_no_mutants_for_false_specs_or_unknown_claim_types():
    false_spec = Spec(id="x.false", source=Source("t"), statement="s", expected="fails",
                      instances=strategies.star_locus_instances(max_depth=3), claim=claims.is_critical())
    assert mutants(false_spec) == []
    custom = Spec(id="x.custom", source=Source("t"), statement="s",
                  instances=strategies.datasets(n_in=1, n_out=1),
                  claim=claims.custom("opaque", lambda i, p: None))
    assert mutants(custom) == []


def test_dropping_sigma_zero_is_not_a_mutant_of_a_gradient_claim():
    """Why the σ(0) = 0 operator is restricted to eigenvalue values: Thm 3.1 survives it (star
    points are critical for any σ, claims.md), so that variant would be true, not a mutant."""
    thm31 = next(s for _, s in ITEMS if s.id == "cooper.thm3.1")
    assert "drop-sigma-zero" not in {m.operator for m in mutants(thm31)}
    sigmoid_star = Spec(id="check.sigmoid-star", source=Source("t"), statement="s",
                        instances=strategies.star_locus_instances(
                            max_depth=4, max_width=3, activations=strategies.activations("sigmoid")),
                        claim=claims.is_critical())
    result = run_spec(sigmoid_star, examples=4, seed=1)
    assert result.verdict == "holds" and not is_killed(result)
