"""pytest plugin: every spec is a test item (registered through the ``pytest11`` entry point).

- ``--critlocus-catalogue`` (or ``critlocus_catalogue = true`` in the ini file, as critlocus's
  own ``pyproject.toml`` sets): one item per catalogue spec, ``critlocus::cooper.thm3.2``.
- ``--critlocus-specs DIR`` (repeatable): one item per spec of every ``.py`` file in ``DIR``
  (recursively, skipping ``_*`` files), ``critlocus::<file>::<spec id>``.  A file that does
  not load is one failing item naming the problem.

An item passes when the spec's verdict equals its ``expected``.  It runs the spec with the
active Hypothesis profile's example count (``HYPOTHESIS_PROFILE``; ``--critlocus-examples N``
overrides) and ``--critlocus-seed`` (default 0).  A failing item writes a report
(``--critlocus-reports DIR``, default ``reports``) and its failure message gives the path,
the verdict and the counterexample in the theory's terms.

Nothing heavy is imported unless an option asks for specs, so the plugin costs nothing in
projects that merely have critlocus installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ITEM_PREFIX = "critlocus"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("critlocus", "critlocus specs as test items")
    group.addoption("--critlocus-catalogue", action="store_true", default=None,
                    help="collect every spec of critlocus's catalogue, one item each")
    group.addoption("--critlocus-specs", action="append", default=[], metavar="DIR",
                    help="collect every spec of the conjecture files (*.py) under DIR, one item each")
    group.addoption("--critlocus-examples", type=int, default=None, metavar="N",
                    help="instances per spec (default: the Hypothesis profile's max_examples)")
    group.addoption("--critlocus-seed", type=int, default=0, metavar="S", help="seed (default 0)")
    group.addoption("--critlocus-reports", default="reports", metavar="DIR",
                    help="where a failing item writes its report (default ./reports)")
    parser.addini("critlocus_catalogue", type="bool", default=False,
                  help="collect every catalogue spec as a test item")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "spec: a critlocus spec checked on generated instances")
    # emitted inside torch.func's own jvp decompositions, not by critlocus or the user's specs
    config.addinivalue_line("filterwarnings", "ignore:`torch.jit.script` is deprecated:DeprecationWarning")


def _catalogue_wanted(config: pytest.Config) -> bool:
    opt = config.getoption("critlocus_catalogue")
    return bool(opt) if opt is not None else bool(config.getini("critlocus_catalogue"))


class SpecItem(pytest.Item):
    """One spec checked on generated instances; passes when its verdict is the expected one."""

    def __init__(self, *, spec=None, ref=None, load_error: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec
        self.ref = ref
        self.load_error = load_error
        self.report_path: Path | None = None
        self.add_marker("spec")

    def runtest(self) -> None:
        if self.load_error is not None:
            raise SpecFailure(self.load_error)
        from critlocus.cli import _command_for
        from critlocus.runner import run_spec

        cfg = self.config
        result = run_spec(self.spec, examples=cfg.getoption("critlocus_examples"),
                          seed=cfg.getoption("critlocus_seed"), command=_command_for(self.ref))
        record = result.to_dict()
        if not result.as_expected:
            self.report_path = _write_report(record, Path(cfg.getoption("critlocus_reports")))
            raise SpecFailure(_failure_text(record, self.report_path))
        if result.verdict == "holds" and result.counts != {"holds": result.examples}:
            raise SpecFailure(f"{self.spec.id}: holds but not every instance was decided: {result.counts}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, SpecFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        where = (self.spec.defined_in if self.spec is not None else {}) or {}
        return where.get("file", self.ref.location if self.ref else ""), where.get("line"), self.name


class SpecFailure(Exception):
    """A spec's verdict differs from its expected outcome (or its file did not load)."""


def _write_report(record: dict, reports_dir: Path) -> Path:
    from critlocus.output import new_run_dir
    from critlocus.report import build_document, run_timing, write_run

    run_id, run_dir = new_run_dir(reports_dir, "pytest")
    doc = build_document([record], command="pytest", settings={"seed": record["seed"]},
                         timing=run_timing(run_id=run_id))
    return write_run(doc, run_dir)["html"]


def _failure_text(record: dict, report: Path) -> str:
    from critlocus.console import results_text

    lines = [f"{record['id']}: verdict {record['verdict']}, expected {record['expected']}",
             f"report: {report}", "", results_text({"command": "pytest", "results": [record]},
                                                   results_path=str(report.parent / "results.json"))]
    return "\n".join(lines)


def _items_for_catalogue(session: pytest.Session) -> list[SpecItem]:
    from critlocus.registry import builtin_specs

    specs, errors = builtin_specs()
    items = [_item(session, spec.id, spec=spec, ref=ref) for ref, spec in specs]
    items += [_item(session, f"load::{e.location}", load_error=f"{e.location} failed to load: {e.message}")
              for e in errors]
    return items


def _item(session: pytest.Session, name: str, **kwargs) -> SpecItem:
    return SpecItem.from_parent(session, name=name, nodeid=f"{ITEM_PREFIX}::{name}", **kwargs)


def _items_for_folder(session: pytest.Session, folder: Path) -> list[SpecItem]:
    from critlocus.core.errors import CritlocusError
    from critlocus.registry import SpecRef, load_spec_file

    if not folder.is_dir():
        return [_item(session, str(folder), load_error=f"--critlocus-specs {folder}: not a directory")]
    items: list[SpecItem] = []
    for f in sorted(folder.rglob("*.py")):
        if f.name.startswith("_") or "__pycache__" in f.parts:
            continue
        rel = f.relative_to(folder).as_posix()
        try:
            specs = load_spec_file(f)
        except CritlocusError as exc:
            items.append(_item(session, rel, load_error=str(exc)))
            continue
        for spec in specs:
            ref = SpecRef("file", str(f.resolve()), spec.id)
            items.append(_item(session, f"{rel}::{spec.id}", spec=spec, ref=ref))
    return items


@pytest.hookimpl(tryfirst=True)  # before -k / -m selection, so they apply to these items too
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    new: list[SpecItem] = []
    explicit = config.getoption("critlocus_catalogue")
    # the ini option adds the catalogue to a whole-suite run, not to `pytest tests/test_x.py`
    if explicit or (explicit is None and config.getini("critlocus_catalogue") and _whole_suite(config)):
        new += _items_for_catalogue(session)
    for folder in config.getoption("critlocus_specs"):
        new += _items_for_folder(session, Path(folder))
    items.extend(new)


def _whole_suite(config: pytest.Config) -> bool:
    """A bare ``pytest`` (the ini's testpaths) or one naming only directories."""
    args = [a for a in config.args if not a.startswith("-")]
    if not args or args == list(config.getini("testpaths") or []):
        return True
    return all(Path(a.split("::")[0]).is_dir() for a in args)
