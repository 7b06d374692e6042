"""Replay a reported instance: rebuild it from the results JSON and decide it again.

``critlocus replay RESULTS.json [--id ID]`` needs nothing but the results file and the spec's
claim: the instance — architecture, activation, loss, exact data, the point block by block
with the rule defining each — comes from the JSON alone (:meth:`Instance.from_dict`; JSON
floats round-trip float64 exactly and rules such as ``b_ℓ = ȳ`` are rebuilt as rules), and the
claim is decided up the same precision ladder, with no search.  The spec is found where the
report says it was defined (a catalogue module, or a spec file; ``--spec-file`` overrides).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from critlocus.core.errors import CritlocusError, SpecError
from critlocus.core.instance import LandscapeInstance, instance_from_dict
from critlocus.core.precision import parse_ladder
from critlocus.core.verdict import Outcome

from .registry import load_spec_file, specs_in_module
from .report import load_results
from .spec import Spec

__all__ = ["ReplayResult", "ladder_from_labels", "replay"]


@dataclass
class ReplayResult:
    """What a replay found, beside what the report said."""

    spec_id: str
    what: str  # "counterexample" or "inconclusive instance k"
    instance: LandscapeInstance
    outcome: Outcome
    reported_verdict: str
    reported_tiers: list[str]

    @property
    def verdict(self) -> str:
        return self.outcome.verdict.value

    @property
    def reproduced(self) -> bool:
        return self.verdict == self.reported_verdict

    @property
    def tiers(self) -> list[str]:
        return [f"{t.precision}: {t.status}" for leaf in self.outcome.leaves() for t in leaf.tiers]


def ladder_from_labels(labels: list[str]):
    """``["float64", "certified", "mpmath-30", "mpmath-60"]`` → the same ladder."""
    tokens = []
    for label in labels:
        label = str(label)
        if label == "float64":
            continue
        if label.startswith("certified"):
            tokens.append(label)
        elif label.startswith("mpmath-"):
            tokens.append(label.split("-", 1)[1])
        else:
            raise CritlocusError(f"unknown precision {label!r} in the report's ladder")
    return parse_ladder(",".join(tokens))


def _pick(doc: dict, spec_id: str | None) -> dict:
    results = doc["results"]
    if spec_id is not None:
        for r in results:
            if r["id"] == spec_id:
                return r
        known = ", ".join(r["id"] for r in results)
        raise CritlocusError(f"no result {spec_id!r} in the report; it has {known}")
    candidates = [r for r in results if r.get("counterexample")
                  or (r.get("evidence") or {}).get("inconclusive_instances")]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise CritlocusError("the report has no counterexample or inconclusive instance to replay")
    raise CritlocusError("the report has several results to replay; choose one with --id: "
                         + ", ".join(r["id"] for r in candidates))


def _find_spec(record: dict, spec_file: str | Path | None) -> Spec:
    spec_id = record["id"]
    where = (record.get("spec") or {}).get("defined_in") or {}
    if spec_file is not None:
        specs = load_spec_file(spec_file)
    elif "module" in where:
        specs = specs_in_module(importlib.import_module(where["module"]))
    elif "file" in where:
        if not Path(where["file"]).is_file():
            raise CritlocusError(f"spec {spec_id!r} was defined in {where['file']!r}, which is not here; "
                                 "pass its spec file with --spec-file FILE")
        specs = load_spec_file(where["file"])
    else:
        from .registry import builtin_specs

        specs = [s for _, s in builtin_specs()[0]]
    for s in specs:
        if s.id == spec_id:
            if s.invalid:
                raise SpecError(f"spec {spec_id!r} is invalid: {s.invalid}")
            return s
    raise CritlocusError(f"spec {spec_id!r} is not defined in {spec_file or where or 'the catalogue'}")


def replay(results_path: str | Path, *, spec_id: str | None = None, spec_file: str | Path | None = None,
           instance: int | None = None) -> ReplayResult:
    """Rebuild the counterexample of ``spec_id`` (or its ``instance``-th inconclusive
    instance) from the results file and decide it again up the recorded ladder."""
    doc = load_results(results_path)
    record = _pick(doc, spec_id)
    spec = _find_spec(record, spec_file)  # first: a spec file may register its own activations
    cx = record.get("counterexample")
    inconclusive = (record.get("evidence") or {}).get("inconclusive_instances") or []
    if cx is not None and instance is None:
        inst_record, outcome_record, what = cx["instance"], cx["outcome"], "counterexample"
    elif inconclusive:
        k = instance or 0
        if not 0 <= k < len(inconclusive):
            raise CritlocusError(f"--instance {k}: the report keeps {len(inconclusive)} "
                                 "inconclusive instances")
        inst_record, outcome_record = inconclusive[k]["instance"], inconclusive[k]["outcome"]
        what = f"inconclusive instance {k}"
    else:
        raise CritlocusError(f"result {record['id']!r} ({record['verdict']}) has no instance to replay")
    rebuilt = instance_from_dict(inst_record)
    ladder = ladder_from_labels(record.get("ladder") or ["float64", "mpmath-30", "mpmath-60"])
    outcome = spec.claim.check(rebuilt, ladder)
    reported = [f"{t['precision']}: {t['status']}" for leaf in _leaves(outcome_record) for t in leaf["tiers"]]
    return ReplayResult(record["id"], what, rebuilt, outcome, outcome_record["verdict"], reported)


def _leaves(outcome: dict) -> list[dict]:
    if outcome.get("parts"):
        return [leaf for p in outcome["parts"] for leaf in _leaves(p)]
    return [outcome]


def replay_text(result: ReplayResult) -> str:
    """The replay's report for stdout."""
    inst = result.instance
    lines = [f"replaying the {result.what} of {result.spec_id}", f"  instance: {inst.label}; {inst.landscape}"
             + (f"; {inst.problem.network.activation.name}; {inst.problem.loss.name}; d = {inst.n_data}"
                if hasattr(inst, "problem") else "")]
    for leaf in result.outcome.leaves():
        for t in leaf.tiers:
            lines.append(f"    {leaf.check} — {t.precision}: {t.status} — {t.summary}")
    lines.append(f"verdict: {result.verdict} ({result.outcome.reason})")
    lines.append(f"reported: {result.reported_verdict} — "
                 + ("reproduced" if result.reproduced else "NOT reproduced"))
    return "\n".join(lines) + "\n"
