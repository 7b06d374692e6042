"""The terminal: progress on stderr, results on stdout.

- :class:`ProgressDisplay` — while specs run: on a terminal, a live bar per running spec and
  one for the whole run (rich); otherwise plain, rate-limited lines; nothing with ``quiet``.
  Always on **stderr**, so stdout carries only results.
- :func:`results_text` — what stdout shows at the end: the summary table, each
  counterexample in the theory's terms with its replay command, each crash with the frame
  in the user's own file, and where the report is.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .views import plural, result_view

__all__ = ["ProgressDisplay", "result_line", "results_text"]


def result_line(r: dict, *, with_error: bool = False) -> str:
    """``ok ID  verdict  expected …  N instances  time`` (and the error's first line)."""
    mark = "ok" if r["as_expected"] else "!!"
    t = (r.get("timing") or {}).get("duration_s")
    line = (f"{mark} {r['id']:<30} {r['verdict']:<12} expected {r['expected']:<6} "
            f"{plural(r.get('examples', 0), 'instance'):>14}" + (f"  {t:6.1f}s" if isinstance(t, (int, float))
                                                                  else ""))
    if r.get("finding") and r["verdict"] == "fails":
        line += "\n   conjecture " + r["finding"]
    if with_error and r["verdict"] in ("error", "timeout") and r.get("error"):
        line += f"\n   {r['error'].strip().splitlines()[0]}"
    return line


class ProgressDisplay:
    """Progress of a run on stderr (see the module docstring).  Use as a context manager."""

    def __init__(self, total_specs: int, *, quiet: bool = False, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.total = total_specs
        self.done = 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._rich = None
        self._tasks: dict[str, int] = {}
        self._overall = None
        self._last = 0.0

    def __enter__(self) -> ProgressDisplay:
        if self.quiet or not self.tty:
            return self
        try:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        except ImportError:  # plain lines
            return self
        self._rich = Progress(TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(),
                              TimeElapsedColumn(), console=Console(file=self.stream), transient=True)
        self._rich.start()
        self._overall = self._rich.add_task(f"{plural(self.total, 'spec')}", total=self.total)
        return self

    def __exit__(self, *exc) -> None:
        if self._rich is not None:
            self._rich.stop()
            self._rich = None

    def log(self, message: str) -> None:
        """A permanent line (above the bars on a terminal)."""
        if self.quiet:
            return
        if self._rich is not None:
            self._rich.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=self.stream, flush=True)

    def start(self, spec_id: str, total: int) -> None:
        if self.quiet:
            return
        if self._rich is not None:
            if spec_id not in self._tasks:
                self._tasks[spec_id] = self._rich.add_task(spec_id[:34], total=max(total, 1))
        elif not self.tty:
            self.log(f"  checking {spec_id} ({plural(total, 'instance')}) [{self.done + 1}/{self.total}]")

    def advance(self, spec_id: str, done: int, total: int) -> None:
        if self.quiet:
            return
        if self._rich is not None:
            if spec_id not in self._tasks:
                self.start(spec_id, total)
            self._rich.update(self._tasks[spec_id], completed=done, total=max(total, 1))
            return
        now = time.monotonic()
        if now - self._last >= (0.5 if self.tty else 10.0):
            self._last = now
            if self.tty:
                print(f"\r  {spec_id}: {done}/{total}\033[K", end="", file=self.stream, flush=True)
            else:
                self.log(f"  {spec_id}: {done}/{total}")

    def finish(self, record: dict) -> None:
        self.done += 1
        if self.quiet:
            return
        if self._rich is not None:
            task = self._tasks.pop(record["id"], None)
            if task is not None:
                self._rich.remove_task(task)
            self._rich.update(self._overall, completed=self.done)
        elif self.tty:
            print("\r\033[K", end="", file=self.stream)
        self.log(result_line(record, with_error=True))


def _counterexample_lines(r: dict, results_path: str | None) -> list[str]:
    v = result_view(r, results_path=results_path)
    cx = v["counterexample"]
    inst = cx["instance"]
    found = f", found after {plural(cx['found_after'], 'instance')}" if cx.get("found_after") else ""
    lines = [f"Counterexample to {r['id']} ({cx['shrink_status']}{found}):",
             f"  claim:        {v['claim']}",
             f"  point:        {inst['label']}"]
    if inst["explicit"]:
        lines += [f"  function:     {inst['function']}", f"  at:           {inst['point']}"]
    else:
        lines += [f"  architecture: {inst['architecture']}",
                  f"  activation:   {inst['activation']}",
                  f"  loss:         {inst['loss']}",
                  f"  data (d = {inst['d']}): X = {inst['X']}, Y = {inst['Y']}",
                  "  blocks:       " + "; ".join(inst["blocks"])]
    lines.append(f"  why:          {cx['reason']}")
    lines += [f"    {t['check']} — {t['precision']}: {t['status']} — {t['summary']}" for t in cx["tiers"]]
    if cx["shrink_note"]:
        lines.append(f"  note:         {cx['shrink_note']}")
    lines.append(f"  reproduce:    {cx['replay']}")
    return lines


def _error_lines(r: dict) -> list[str]:
    text = (r.get("error") or "").strip()
    lines = [f"Error in {r['id']}: {text.splitlines()[0] if text else 'unknown error'}"]
    frame = r.get("error_frame")
    if frame:
        lines.append(f"  at {frame['file']}:{frame['line']} in {frame['function']}")
        if frame.get("code"):
            lines.append(f"    {frame['code']}")
    return lines


def results_text(doc: dict, *, report_path: str | None = None, results_path: str | None = None) -> str:
    """The end-of-run text for stdout."""
    from .report import headline

    results = doc["results"]
    lines = [f"critlocus {doc.get('command', '')}: {headline(doc)}", ""]
    lines += [result_line(r) for r in results]
    for r in results:
        if r.get("counterexample"):
            lines += ["", *_counterexample_lines(r, results_path)]
        elif r["verdict"] in ("error", "timeout"):  # timeout: --timeout stopped the spec
            lines += ["", *_error_lines(r)]
        elif r["verdict"] == "inconclusive":
            items = (r.get("evidence") or {}).get("inconclusive_instances") or []
            if items:
                lines += ["", f"Inconclusive {r['id']}: {items[0]['outcome'].get('reason', '')}"]
    for e in doc.get("load_errors", []):
        first = e["message"].splitlines()[0] if e["message"] else ""
        lines += ["", f"Could not load {e['location']}: {first}"]
    if report_path:
        lines += ["", f"report: {report_path}"]
    return "\n".join(lines) + "\n"
