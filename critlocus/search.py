"""How a spec's search is driven: reproducible generation, phases, a shrink budget, statistics.

**Reproducibility.**  A run's instances must depend only on the spec, the seed and the
example count.  Two things in Hypothesis would break that:

- Hypothesis mixes into generation the numeric and string *constants of every loaded local
  module* (``hypothesis.internal.conjecture.providers._get_local_constants``): the
  instance stream of a spec changes with the other spec files loaded in the same process,
  and with what a reused worker process has imported before.  :func:`isolated_search`
  replaces that pool by an empty one for the duration of a spec's run (the global constants,
  fixed per Hypothesis version, still apply) and clears the constants cache on entry and
  exit.
- The randomness is seeded per spec with ``@seed(seed)`` and a fresh engine, with no
  example database.

**Phases.**  explicit → generate (with ``target`` optimisation interleaved, so a spec's
``target=`` steers the search) → shrink.

**Shrinking.**  Hypothesis stops shrinking after ``MAX_SHRINKING_SECONDS`` (300 s) or 500
successful shrinks, and then replays the best failure found so far.  :func:`isolated_search`
sets that budget (``--shrink-time``) and :class:`SearchStats` records why the engine
stopped, so the report says ``partially shrunk`` when the shrinker did not finish.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hypothesis import Phase

__all__ = ["DEFAULT_SHRINK_SECONDS", "SearchStats", "isolated_search", "phases", "reproduce_blob"]

#: Hypothesis's own default shrink budget (seconds).
DEFAULT_SHRINK_SECONDS = 300.0

_BLOB = re.compile(r"@reproduce_failure\((?:[^()]|\([^()]*\))*\)")
# The engine's exit reasons that mean "shrinking was cut short" (ExitReason values).
_CUT_SHORT = ("shrinking was very slow", "shrunk test case")


def phases(*, shrink: bool, generate: bool = True) -> list[Phase]:
    """explicit, generate (+ target), shrink."""
    from hypothesis import Phase  # here, so the command line reads DEFAULT_SHRINK_SECONDS cheaply

    out = [Phase.explicit]
    if generate:
        out += [Phase.generate, Phase.target]
    if shrink:
        out.append(Phase.shrink)
    return out


@dataclass
class SearchStats:
    """What the Hypothesis engine reported for one spec's run."""

    stopped_because: str = ""
    shrink_seconds: float = 0.0
    generate_seconds: float = 0.0
    shrinks_successful: int = 0
    targets: dict = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def collect(self, stats: dict) -> None:
        """Callback for ``hypothesis.statistics.collector``."""
        self.stopped_because = str(stats.get("stopped-because", ""))
        shrink = stats.get("shrink-phase") or {}
        gen = stats.get("generate-phase") or {}
        self.shrink_seconds = float(shrink.get("duration-seconds", 0.0) or 0.0)
        self.generate_seconds = float(gen.get("duration-seconds", 0.0) or 0.0)
        self.shrinks_successful = int(shrink.get("shrinks-successful", 0) or 0)
        self.targets = dict(stats.get("targets") or {})

    @property
    def shrink_completed(self) -> bool:
        """False when the engine stopped shrinking on its time or count limit."""
        text = self.stopped_because + " " + " ".join(self.messages)
        return not any(reason in text for reason in _CUT_SHORT) and "stopped because it" not in text


@contextlib.contextmanager
def isolated_search(*, shrink_seconds: float = DEFAULT_SHRINK_SECONDS) -> Iterator[SearchStats]:
    """Run one spec's search independently of what else is loaded; yields its statistics.

    Within the block: no local-module constants in generation, the shrink budget is
    ``shrink_seconds``, Hypothesis's statistics and report messages are captured (nothing is
    printed to stdout).
    """
    from hypothesis.internal.conjecture import engine, providers
    from hypothesis.reporting import with_reporter
    from hypothesis.statistics import collector

    stats = SearchStats()
    saved_constants = getattr(providers, "_get_local_constants", None)
    saved_budget = getattr(engine, "MAX_SHRINKING_SECONDS", None)
    empty = providers.Constants()

    def clear_cache() -> None:
        cache = getattr(providers, "CONSTANTS_CACHE", None)
        if cache is not None and hasattr(cache, "cache"):
            cache.cache.clear()

    clear_cache()
    if saved_constants is not None:
        providers._get_local_constants = lambda: empty
    if saved_budget is not None:
        engine.MAX_SHRINKING_SECONDS = shrink_seconds
    try:
        with collector.with_value(stats.collect), with_reporter(stats.messages.append):
            yield stats
    finally:
        if saved_constants is not None:
            providers._get_local_constants = saved_constants
        if saved_budget is not None:
            engine.MAX_SHRINKING_SECONDS = saved_budget
        clear_cache()


def reproduce_blob(exc: BaseException) -> str | None:
    """The ``@reproduce_failure(...)`` decorator Hypothesis attached to a failure, if any."""
    for note in getattr(exc, "__notes__", ()) or ():
        match = _BLOB.search(str(note))
        if match:
            return match.group(0)
    return None
