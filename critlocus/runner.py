"""Run a spec: generate instances with Hypothesis, decide the claim on each, shrink failures.

Every instance's claim is decided up the precision ladder
(:func:`critlocus.core.verdict.escalate`).  A confirmed ``fails`` raises inside the
Hypothesis test, so Hypothesis shrinks it to a minimal counterexample, which is replayed
last and reported in the theory's terms with the seed that reproduces it.  ``inconclusive``
instances are counted, never silently dropped.

Spec verdict: ``fails`` if a counterexample was confirmed; else ``inconclusive`` if any
instance was inconclusive; else ``holds``.
"""

from __future__ import annotations

import math
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, example, given, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import Unsatisfiable

from critlocus.core.errors import CritlocusError
from critlocus.core.instance import Instance, LandscapeInstance
from critlocus.core.precision import DEFAULT_LADDER, Precision
from critlocus.core.verdict import Outcome, Verdict

from .spec import Spec

__all__ = ["ERROR", "SpecResult", "run_spec"]

ERROR = "error"
Progress = Callable[[str, int, int], None]


@dataclass
class SpecResult:
    """The result of checking one spec (see :meth:`to_dict` for the JSON record)."""

    spec: dict
    verdict: str
    examples: int
    counts: dict[str, int]
    evidence: dict
    seed: int
    ladder: list[str]
    duration_s: float
    counterexample: dict | None = None
    shrink_evaluations: int = 0
    error: str | None = None
    max_examples: int = 0

    @property
    def id(self) -> str:
        return self.spec["id"]

    @property
    def expected(self) -> str:
        return self.spec["expected"]

    @property
    def as_expected(self) -> bool:
        return self.verdict == self.expected

    def to_dict(self) -> dict:
        out = {
            "id": self.id,
            "verdict": self.verdict,
            "expected": self.expected,
            "as_expected": self.as_expected,
            "examples": self.examples,
            "max_examples": self.max_examples,
            "counts": self.counts,
            "evidence": self.evidence,
            "seed": self.seed,
            "ladder": self.ladder,
            "duration_s": round(self.duration_s, 3),
            "spec": self.spec,
        }
        if self.counterexample is not None:
            out["counterexample"] = self.counterexample
            out["shrink_evaluations"] = self.shrink_evaluations
        if self.error is not None:
            out["error"] = self.error
        return out


class _Refuted(Exception):
    def __init__(self, instance: Instance, outcome: Outcome):
        super().__init__(f"claim refuted on {instance!r}: {outcome.reason}")
        self.instance = instance
        self.outcome = outcome


@dataclass
class _Tally:
    examples: int = 0
    shrink: int = 0
    refuted: bool = False
    counts: Counter = field(default_factory=Counter)
    decided_at: Counter = field(default_factory=Counter)
    worst: dict = field(default_factory=dict)  # check -> (margin, evidence)
    first: dict | None = None
    inconclusive: list = field(default_factory=list)
    checked: list = field(default_factory=list)  # (instance, outcome) pairs for Spec.summarize
    keep_checked: bool = False

    def record(self, instance: Instance, outcome: Outcome) -> None:
        if self.refuted:
            self.shrink += 1
            return
        self.examples += 1
        self.counts[outcome.verdict.value] += 1
        if self.keep_checked:
            self.checked.append((instance, outcome))
        for leaf in outcome.leaves():
            self.decided_at[leaf.precision or "none"] += 1
            tier = leaf.deciding_tier
            if tier is None:
                continue
            margin = tier.evidence.get("margin", math.inf)
            margin = math.inf if margin is None else float(margin)
            best = self.worst.get(leaf.check)
            if best is None or margin < best[0]:
                self.worst[leaf.check] = (margin, {"instance": instance.label,
                                                   "architecture": instance.landscape,
                                                   "outcome": leaf.to_dict()})
        if self.first is None:
            self.first = {"instance": instance.label, "outcome": outcome.to_dict()}
        if outcome.verdict == Verdict.INCONCLUSIVE and len(self.inconclusive) < 5:
            self.inconclusive.append({"instance": instance.to_dict(), "outcome": outcome.to_dict()})


def run_spec(spec: Spec, *, examples: int | None = None, seed: int = 0,
             ladder: Sequence[Precision] = DEFAULT_LADDER, progress: Progress | None = None,
             shrink: bool = True, command: str = "critlocus verify") -> SpecResult:
    """Check ``spec`` on ``examples`` generated instances (default: the active Hypothesis
    profile's ``max_examples``) with a reproducible ``seed``.  Never raises for a failing
    claim or a crashing spec: those become the ``fails`` and ``error`` verdicts.

    ``command`` is how the spec is run from the shell (``"critlocus check FILE"`` for a spec
    file); the counterexample's reproduce line is built from it."""
    if not isinstance(spec, Spec):
        raise CritlocusError(f"run_spec needs a critlocus.Spec, got {type(spec).__name__}")
    if examples is None:
        examples = settings.default.max_examples
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise CritlocusError(f"examples={examples!r} must be a positive integer")
    requested = examples
    examples = spec.example_count(requested)
    ladder = tuple(ladder)
    tally = _Tally(keep_checked=spec.summarize is not None)
    found: list[_Refuted] = []
    crashed: list[Instance] = []
    start = time.perf_counter()

    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])

    def search(instance: Instance) -> None:
        if not isinstance(instance, LandscapeInstance):
            raise CritlocusError(f"spec {spec.id!r}: its strategy produced {type(instance).__name__}, "
                                 "not an Instance")
        try:
            outcome = spec.claim.check(instance, ladder)
        except Exception:
            crashed.append(instance)  # Hypothesis shrinks crashes too: the last one is minimal
            raise
        tally.record(instance, outcome)
        if progress is not None and not tally.refuted:
            progress(spec.id, tally.examples, examples)
        if spec.target is not None:
            target(float(spec.target(instance, outcome)), label=spec.id)
        if outcome.verdict == Verdict.FAILS:
            tally.refuted = True
            err = _Refuted(instance, outcome)
            found.append(err)
            raise err

    for explicit in reversed(spec.examples):
        search = example(explicit)(search)
    search = settings(max_examples=examples, deadline=None, database=None, derandomize=False,
                      suppress_health_check=list(HealthCheck), phases=phases, report_multiple_bugs=False,
                      print_blob=False)(hypothesis_seed(seed)(given(spec.instances)(search)))

    error = None
    try:
        search()
    except _Refuted:
        pass
    except Unsatisfiable as exc:
        error = f"could not generate valid instances: {exc}"
    except Exception as exc:  # one bad spec never stops the others
        where = f"\non instance {crashed[-1]!r}" if crashed else ""
        error = f"{type(exc).__name__}: {exc}{where}\n{traceback.format_exc(limit=6)}"
    duration = time.perf_counter() - start

    counterexample = None
    if found:
        minimal = found[-1]  # Hypothesis replays the shrunk example last
        verdict = Verdict.FAILS.value
        counterexample = {
            "instance": minimal.instance.to_dict(),
            "outcome": minimal.outcome.to_dict(),
            "reproduce": {"seed": seed, "examples": examples,
                          "command": f"{command} --only {spec.id} --seed {seed} "
                                     f"--examples {examples} --ladder "
                                     + ",".join(p.label if p.is_certified else str(p.dps)
                                                for p in ladder if not p.is_float64)},
        }
    elif error is not None:
        verdict = ERROR
    elif tally.counts.get(Verdict.INCONCLUSIVE.value):
        verdict = Verdict.INCONCLUSIVE.value
    elif tally.examples == 0:
        verdict, error = ERROR, "no instance was checked"
    else:
        verdict = Verdict.HOLDS.value

    summary = None
    if spec.summarize is not None and tally.checked and error is None:
        try:
            summary = spec.summarize(list(tally.checked))
            if not isinstance(summary, dict):
                raise CritlocusError(f"summarize returned {type(summary).__name__}, expected a dict")
        except Exception as exc:  # a broken summary is this spec's error, not the run's
            verdict = ERROR if verdict != Verdict.FAILS.value else verdict
            error = f"summarize failed: {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
            summary = None

    evidence = {
        "decided_at": dict(tally.decided_at),
        "worst_case": {check: {"margin": m if math.isfinite(m) else "inf", **ev}
                       for check, (m, ev) in tally.worst.items()},
        "first_instance": tally.first,
    }
    if tally.inconclusive:
        evidence["inconclusive_instances"] = tally.inconclusive
    if summary is not None:
        evidence["summary"] = summary
    return SpecResult(
        spec=spec.describe(), verdict=verdict, examples=tally.examples,
        counts=dict(tally.counts), evidence=evidence, seed=seed,
        ladder=[p.label for p in ladder], duration_s=duration, counterexample=counterexample,
        shrink_evaluations=tally.shrink, error=error, max_examples=examples + len(spec.examples),
    )
