"""The catalogue loads; every catalogue spec is a test item of its own.

The items themselves come from critlocus's pytest plugin (``critlocus/pytest_plugin.py``,
enabled for this repository by ``critlocus_catalogue = true`` in ``pyproject.toml``): a bare
``pytest`` collects ``critlocus::<spec id>`` for every spec, checked on generated instances
with the active Hypothesis profile; select some with ``-k cooper.thm3``.
"""

from critlocus.registry import builtin_specs

ITEMS, LOAD_ERRORS = builtin_specs()


def test_catalogue_loads_without_errors():
    assert not LOAD_ERRORS, [e.message for e in LOAD_ERRORS]
    assert {s.id for _, s in ITEMS} >= {"cooper.thm3.1", "cooper.thm3.2"}
    assert not [s.id for _, s in ITEMS if s.invalid], "a catalogue spec is malformed"
