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

import hashlib
import math
import os
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hypothesis import HealthCheck, example, given, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import Unsatisfiable

from critlocus.core.errors import CritlocusError
from critlocus.core.instance import Instance, LandscapeInstance
from critlocus.core.precision import DEFAULT_LADDER, Precision, with_certified
from critlocus.core.verdict import Outcome, Verdict

from .search import DEFAULT_SHRINK_SECONDS, isolated_search, phases, reproduce_blob
from .spec import Spec

__all__ = ["ERROR", "SpecResult", "run_spec", "user_frame"]

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
    search: dict = field(default_factory=dict)
    timing: dict = field(default_factory=dict)
    error_frame: dict | None = None

    @property
    def id(self) -> str:
        return self.spec["id"]

    @property
    def expected(self) -> str:
        return self.spec["expected"]

    @property
    def is_conjecture(self) -> bool:
        return self.spec.get("kind") == "conjecture"

    @property
    def is_open_question(self) -> bool:
        """A conjecture of the catalogue: one of the papers' open questions (or a statement the
        catalogue could only reconstruct), searched rather than known."""
        module = str((self.spec.get("defined_in") or {}).get("module", ""))
        return self.is_conjecture and module.startswith("critlocus.theorems")

    @property
    def as_expected(self) -> bool:
        """The verdict is the expected one.

        For the catalogue's open questions (:attr:`is_open_question`) any decided outcome is a
        result: ``holds`` (no counterexample in the instances searched), ``fails`` (a
        confirmed, shrunk counterexample — a finding) and ``inconclusive`` (with its reason);
        only ``error``/``timeout`` are not.  A conjecture in a user's own file is held to its
        ``expected``: if it fails, the user wants the run to say so (exit status 1)."""
        if self.is_open_question:
            return self.verdict in ("holds", "fails", "inconclusive")
        return self.verdict == self.expected

    @property
    def finding(self) -> str | None:
        """For a conjecture, what the search found, in words (None for other kinds)."""
        if not self.is_conjecture:
            return None
        if self.verdict == "holds":
            return f"no counterexample found in {self.examples} instances (not a proof)"
        if self.verdict == "fails":
            return "refuted: a counterexample confirmed in high precision — the statement does not survive"
        if self.verdict == "inconclusive":
            return "inconclusive: some instance could not be decided at any precision"
        return None

    def to_dict(self) -> dict:
        """The JSON record.  Everything that depends on the clock lives under ``timing``, so
        two runs with the same seed give identical records once ``timing`` is removed."""
        out = {
            "id": self.id,
            "verdict": self.verdict,
            "expected": self.expected,
            "as_expected": self.as_expected,
            "finding": self.finding,
            "examples": self.examples,
            "max_examples": self.max_examples,
            "counts": self.counts,
            "evidence": self.evidence,
            "seed": self.seed,
            "ladder": self.ladder,
            "search": self.search,
            "spec": self.spec,
            "timing": {"duration_s": round(self.duration_s, 3), **self.timing},
        }
        if self.counterexample is not None:
            out["counterexample"] = self.counterexample
            out["shrink_evaluations"] = self.shrink_evaluations
        if self.error is not None:
            out["error"] = self.error
        if self.error_frame is not None:
            out["error_frame"] = self.error_frame
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
    found_after: int | None = None
    counts: Counter = field(default_factory=Counter)
    decided_at: Counter = field(default_factory=Counter)
    worst: dict = field(default_factory=dict)  # check -> (margin, evidence)
    first: dict | None = None
    inconclusive: list = field(default_factory=list)
    checked: list = field(default_factory=list)  # (instance, outcome) pairs for Spec.summarize
    keep_checked: bool = False
    digest: object = field(default_factory=hashlib.sha256)

    def record(self, instance: Instance, outcome: Outcome) -> None:
        if self.refuted:
            self.shrink += 1
            return
        self.examples += 1
        self.digest.update(_fingerprint(instance))
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


def _fingerprint(instance: LandscapeInstance) -> bytes:
    """Bytes identifying an instance: architecture, activation, loss, data and the point's
    float64 vector (what makes two runs' instance streams comparable); for other landscapes
    (explicit functions, flows) their JSON record."""
    if not isinstance(instance, Instance):
        import json

        try:
            return json.dumps(instance.to_dict(), sort_keys=True, default=str).encode()
        except Exception:
            return repr(instance).encode()
    p = instance.problem
    head = f"{p.architecture.widths}|{p.architecture.bias}|{p.network.activation.name}|{p.loss.to_dict()}|"
    try:
        vector = instance.point.realize_float64(p.data).tobytes()
    except Exception:  # a point that cannot be realized is its claim's error, not the digest's
        vector = b"?"
    return head.encode() + p.data.X.tobytes() + p.data.Y.tobytes() + vector + instance.label.encode()


def user_frame(exc: BaseException, spec_file: str | None = None) -> dict | None:
    """The innermost traceback frame in the user's own code: in ``spec_file`` when given,
    else the innermost frame outside critlocus, Hypothesis and installed packages."""
    frames = traceback.extract_tb(exc.__traceback__)
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    core_dir = os.path.dirname(os.path.abspath(__import__("critlocus.core", fromlist=["x"]).__file__))
    for fr in reversed(frames):
        name = os.path.abspath(fr.filename)
        if spec_file is not None:
            if name == os.path.abspath(spec_file):
                return _frame_dict(fr)
            continue
        if ("site-packages" in name or name.startswith(package + os.sep + "critlocus")
                or name.startswith(core_dir) or "/hypothesis/" in name or name.startswith("<")):
            continue
        return _frame_dict(fr)
    return None


def _frame_dict(fr: traceback.FrameSummary) -> dict:
    return {"file": fr.filename, "line": fr.lineno, "function": fr.name, "code": (fr.line or "").strip()}


def run_spec(spec: Spec, *, examples: int | None = None, seed: int = 0,
             ladder: Sequence[Precision] = DEFAULT_LADDER, progress: Progress | None = None,
             shrink: bool = True, command: str = "critlocus verify",
             shrink_time: float = DEFAULT_SHRINK_SECONDS) -> SpecResult:
    """Check ``spec`` on ``examples`` generated instances (default: the active Hypothesis
    profile's ``max_examples``) with a reproducible ``seed``.  Never raises for a failing
    claim or a crashing spec: those become the ``fails`` and ``error`` verdicts.

    The instances depend only on ``spec``, ``seed`` and ``examples`` (see
    :mod:`critlocus.search`).  ``shrink_time`` bounds the shrinking of a counterexample in
    seconds; the record says whether shrinking completed.  ``command`` is how the spec is run
    from the shell (``"critlocus check FILE"`` for a spec file); the counterexample's
    search-again line is built from it."""
    if not isinstance(spec, Spec):
        raise CritlocusError(f"run_spec needs a critlocus.Spec, got {type(spec).__name__}")
    if examples is None:
        examples = settings.default.max_examples
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise CritlocusError(f"examples={examples!r} must be a positive integer")
    if isinstance(shrink_time, bool) or not isinstance(shrink_time, (int, float)) or not shrink_time > 0:
        raise CritlocusError(f"shrink_time={shrink_time!r} must be a positive number of seconds")
    ladder = tuple(ladder)
    if getattr(spec, "certify", False) and not any(p.is_certified for p in ladder):
        from critlocus.core.certify import available

        if available():  # exact counts are proved where the extra is installed
            ladder = with_certified(ladder)
    if spec.invalid is not None:  # a malformed spec of a file: this spec's error, not the file's
        return SpecResult(spec=spec.describe(), verdict=ERROR, examples=0, counts={}, evidence={},
                          seed=seed, ladder=[p.label for p in ladder], duration_s=0.0,
                          error=f"invalid spec: {spec.invalid}")
    generate = not getattr(spec, "examples_only", False)
    examples = spec.example_count(examples) if generate else 0
    tally = _Tally(keep_checked=spec.summarize is not None)
    found: list[_Refuted] = []
    crashed: list[Instance] = []
    start = time.perf_counter()

    def search(instance: LandscapeInstance) -> None:
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
            progress(spec.id, tally.examples, examples + len(spec.examples))
        if spec.target is not None:
            target(float(spec.target(instance, outcome)), label=spec.id)
        if outcome.verdict == Verdict.FAILS:
            if not tally.refuted:
                tally.found_after = tally.examples
            tally.refuted = True
            err = _Refuted(instance, outcome)
            found.append(err)
            raise err

    for explicit in reversed(spec.examples):
        search = example(explicit)(search)
    run_phases = phases(shrink=shrink, generate=generate)
    search = settings(max_examples=max(1, examples), deadline=None, database=None, derandomize=False,
                      suppress_health_check=list(HealthCheck), phases=run_phases,
                      report_multiple_bugs=False, print_blob=True)(
        hypothesis_seed(seed)(given(spec.instances)(search)))

    error = None
    error_frame = None
    blob = None
    with isolated_search(shrink_seconds=shrink_time) as stats:
        try:
            search()
        except _Refuted as exc:
            blob = reproduce_blob(exc)
        except Unsatisfiable as exc:
            error = f"could not generate valid instances: {exc}"
        except Exception as exc:  # one bad spec never stops the others
            error_frame = user_frame(exc, spec.defined_in.get("file"))
            where = f"\non instance {crashed[-1]!r}" if crashed else ""
            at = (f"\nat {error_frame['file']}:{error_frame['line']} in {error_frame['function']}: "
                  f"{error_frame['code']}" if error_frame else "")
            error = f"{type(exc).__name__}: {exc}{at}{where}\n{traceback.format_exc(limit=-8)}"
    duration = time.perf_counter() - start

    counterexample = None
    if found:
        minimal = found[-1]  # Hypothesis replays the shrunk example last
        verdict = Verdict.FAILS.value
        completed = shrink and stats.shrink_completed
        digits = ",".join(p.label if p.is_certified else str(p.dps) for p in ladder if not p.is_float64)
        counterexample = {
            "instance": minimal.instance.to_dict(),
            "outcome": minimal.outcome.to_dict(),
            "shrink": {
                "status": "shrunk" if completed else ("partially shrunk" if shrink else "not shrunk"),
                "completed": completed,
                "evaluations": tally.shrink,
                "budget_s": shrink_time,
                **({"stopped_because": stats.stopped_because} if shrink and not completed else {}),
            },
            "found_after": tally.found_after,
            "reproduce": {"seed": seed, "examples": examples, "ladder": digits,
                          "command": f"{command} --only {spec.id} --seed {seed} "
                                     f"--examples {max(1, examples)} --ladder {digits}",
                          "hypothesis_blob": blob},
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
            error_frame = user_frame(exc, spec.defined_in.get("file"))
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
    search_info = {"targeted": spec.target is not None, "phases": [p.name for p in run_phases],
                   # sha256 of the checked instances, in order: equal digests, equal instance streams
                   "instances_sha256": tally.digest.hexdigest()}
    if stats.targets:
        search_info["best_target"] = {k: float(v) for k, v in stats.targets.items()}
    return SpecResult(
        spec=spec.describe(), verdict=verdict, examples=tally.examples,
        counts=dict(tally.counts), evidence=evidence, seed=seed,
        ladder=[p.label for p in ladder], duration_s=duration, counterexample=counterexample,
        shrink_evaluations=tally.shrink, error=error, max_examples=examples + len(spec.examples),
        search=search_info, error_frame=error_frame,
        timing={"generate_s": round(stats.generate_seconds, 3), "shrink_s": round(stats.shrink_seconds, 3)},
    )
