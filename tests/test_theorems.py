"""Every catalogue spec, checked on generated instances: one pytest item per spec."""

import pytest
from hypothesis import settings

from critlocus import run_spec
from critlocus.registry import builtin_specs

ITEMS, LOAD_ERRORS = builtin_specs()


def test_catalogue_loads_without_errors():
    assert not LOAD_ERRORS, [e.message for e in LOAD_ERRORS]
    assert {s.id for _, s in ITEMS} >= {"cooper.thm3.1", "cooper.thm3.2"}


@pytest.mark.spec
@pytest.mark.parametrize("spec", [s for _, s in ITEMS], ids=[s.id for _, s in ITEMS])
def test_spec(spec):
    result = run_spec(spec, seed=0)
    detail = result.error or result.evidence.get("inconclusive_instances") or result.counterexample
    assert result.verdict == spec.expected, f"{spec.id}: {result.verdict} — {detail}"
    if result.verdict == "holds":
        # every generated instance was checked and decided (Hypothesis stops early only when a
        # strategy's space is exhausted, e.g. a finite grid)
        assert 1 <= result.examples <= result.max_examples
        assert result.max_examples == spec.example_count(settings.default.max_examples) + len(spec.examples)
        assert result.counts == {"holds": result.examples}
