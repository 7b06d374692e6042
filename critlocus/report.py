"""Reports: a JSON results file and a Markdown summary under ``reports/``.

JSON: ``{"critlocus": version, "command", "created", "settings", "summary", "results": [...]}``;
each result has ``id``, ``verdict``, ``expected``, ``examples``, ``evidence`` and, for a
``fails``, the shrunk ``counterexample`` (architecture, activation, loss, data, the point by
named blocks ``W_k``/``b_k`` with the rule defining each, and the reproducing seed).
"""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from .runner import ERROR

__all__ = ["build_document", "json_safe", "render_markdown", "write_reports"]


def json_safe(value):
    """Replace non-finite floats by strings (``"inf"``, ``"nan"``) so the JSON is standard."""
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return json_safe(value.item())
    return value


def build_document(results: list[dict], *, command: str, settings: dict,
                   load_errors: list[dict] | None = None) -> dict:
    """The report document from result records (:meth:`SpecResult.to_dict`)."""
    from . import __version__

    counts = Counter(r["verdict"] for r in results)
    unexpected = [r["id"] for r in results if not r["as_expected"]]
    doc = {
        "critlocus": __version__,
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": settings,
        "summary": {"specs": len(results), "verdicts": dict(counts), "unexpected": unexpected,
                    "load_errors": len(load_errors or [])},
        "results": list(results),
    }
    if load_errors:
        doc["load_errors"] = load_errors
    return json_safe(doc)


def _fmt(x) -> str:
    if isinstance(x, float):
        return f"{x:.3g}"
    return str(x)


def _block_text(name: str, block: dict) -> str:
    rule = block.get("rule", "?")
    value = block.get("float64")
    if rule == "zero":
        return f"- `{name}` = 0"
    if rule == "mean_target":
        return f"- `{name}` = ȳ = {value}"
    note = block.get("note") or block.get("description") or rule
    return f"- `{name}` ({note}) = {value}"


def render_markdown(doc: dict, figures: dict[str, str] | None = None) -> str:
    lines = [f"# critlocus report — `{doc['command']}`", "",
             f"Created {doc['created']} with critlocus {doc['critlocus']}. "
             f"Settings: {', '.join(f'{k}={v}' for k, v in doc['settings'].items())}.", ""]
    summary = doc["summary"]
    verdicts = ", ".join(f"{v}: {n}" for v, n in sorted(summary["verdicts"].items()))
    lines += [f"**{summary['specs']} specs** — {verdicts}.", ""]
    if summary["unexpected"]:
        lines += [f"**Verdicts differing from the expected outcome:** {', '.join(summary['unexpected'])}", ""]
    lines += ["| id | result | verdict | expected | instances | decided at | time (s) |",
              "|---|---|---|---|---|---|---|"]
    for r in doc["results"]:
        mark = "✅" if r["as_expected"] else "❌"
        decided = ", ".join(f"{k}: {v}" for k, v in sorted(r["evidence"].get("decided_at", {}).items()))
        lines.append(f"| `{r['id']}` | {mark} | **{r['verdict']}** | {r['expected']} | {r['examples']} "
                     f"| {decided} | {r['duration_s']} |")
    lines.append("")
    for r in doc["results"]:
        spec = r["spec"]
        lines += [f"## `{r['id']}` — {spec.get('title') or spec['statement']}", "",
                  f"*{spec['source']['paper']}, {spec['source']['result']}* ({spec['kind']}). "
                  f"{spec['statement']}", ""]
        if spec.get("formula"):
            lines += [f"Formula: `{spec['formula']}`", ""]
        lines += [f"Claim checked: {spec['claim']}", "",
                  f"Verdict **{r['verdict']}** (expected {r['expected']}) on {r['examples']} generated "
                  f"instances; counts {r['counts']}; seed {r['seed']}; ladder {' → '.join(r['ladder'])}.", ""]
        if figures and r["id"] in figures:
            lines += [f"![evidence for {r['id']}]({figures[r['id']]})", ""]
        lines += _summary_lines(r["evidence"].get("summary"), r["id"], figures)
        if r["verdict"] == ERROR:
            lines += ["Error:", "", "```", str(r.get("error", "")).strip(), "```", ""]
        worst = r["evidence"].get("worst_case", {})
        if worst:
            lines += ["Tightest separation seen (smallest margin between zero and nonzero):", ""]
            for check, ev in worst.items():
                tier = (ev.get("outcome") or {}).get("tiers", [{}])[-1]
                lines.append(f"- {check}: margin {_fmt(ev.get('margin'))} at {tier.get('precision')} — "
                             f"{tier.get('summary', '')} ({ev.get('instance')}, {ev.get('architecture')})")
            lines.append("")
        cx = r.get("counterexample")
        if cx:
            inst = cx["instance"]
            if "architecture" not in inst:  # an explicit function (critlocus.core.explicit)
                fn = inst.get("function", {})
                lines += ["### Counterexample (shrunk)", "", f"- instance: {inst.get('label')}",
                          f"- function: {fn.get('formula') or inst.get('landscape')}",
                          f"- point: {inst.get('point')}"]
            else:
                arch = inst["architecture"]
                lines += ["### Counterexample (shrunk)", "",
                          f"- point: {inst['label']}",
                          f"- architecture: widths {arch['widths']}, N = {arch['n_params']}, "
                          f"bias {arch['bias']}",
                          f"- activation: {inst['activation']['name']} ({inst['activation']['formula']})",
                          f"- loss: {inst['loss']['formula']}",
                          f"- data (d = {inst['data']['d']}): X = {inst['data']['X']}, "
                          f"Y = {inst['data']['Y']}",
                          "- blocks:"]
                lines += ["  " + _block_text(n, b) for n, b in inst["point"].items()]
            lines += ["", f"Why it fails: {cx['outcome']['reason']}", ""]
            for leaf in _leaves(cx["outcome"]):
                for t in leaf["tiers"]:
                    lines.append(f"- [{leaf['verdict']}] {leaf['check']} @ {t['precision']}: "
                                 f"{t['status']} — {t['summary']}")
            lines += ["", f"Reproduce: `{cx['reproduce']['command']}`", ""]
    if doc.get("load_errors"):
        lines += ["## Load errors", ""]
        for e in doc["load_errors"]:
            lines += [f"- `{e['location']}`: {e['message'].splitlines()[0]}"]
        lines.append("")
    return "\n".join(lines)


def _cell(x) -> str:
    return _fmt(x).replace("|", "\\|")


def _summary_lines(summary: dict | None, spec_id: str, figures: dict[str, str] | None) -> list[str]:
    """A spec's own tables, notes and growth plots (see ``Spec.summarize``)."""
    if not summary:
        return []
    lines: list[str] = []
    for note in summary.get("notes", []):
        lines += [str(note), ""]
    for table in summary.get("tables", []):
        cols = table.get("columns", [])
        lines += [f"**{table.get('title', 'Table')}**", "",
                  "| " + " | ".join(_cell(c) for c in cols) + " |",
                  "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.get("rows", [])]
        lines.append("")
    for i, series in enumerate(summary.get("series", [])):
        key = f"{spec_id}#series{i}"
        if figures and key in figures:
            lines += [f"![{series.get('title', 'series')}]({figures[key]})", ""]
    return lines


def _leaves(outcome: dict) -> list[dict]:
    if outcome.get("parts"):
        return [leaf for p in outcome["parts"] for leaf in _leaves(p)]
    return [outcome]


def write_reports(doc: dict, *, directory: Path, stem: str, json_path: Path | None = None,
                  markdown_path: Path | None = None, plots: bool = True, latest: bool = True
                  ) -> tuple[Path, Path]:
    """Write ``<stem>.json`` and ``<stem>.md`` (or the given paths) and refresh ``latest.*``
    (unless ``latest`` is false).

    With matplotlib installed (and ``plots``), one evidence figure per spec is written next to
    the Markdown file as ``<stem>-<id>.png`` and embedded in it.
    """
    directory.mkdir(parents=True, exist_ok=True)
    jp = json_path or directory / f"{stem}.json"
    mp = markdown_path or directory / f"{stem}.md"
    jp.parent.mkdir(parents=True, exist_ok=True)
    mp.parent.mkdir(parents=True, exist_ok=True)
    jp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    figures: dict[str, str] = {}
    if plots:
        from . import plots as plotting

        if plotting.available():
            for r in doc["results"]:
                png = plotting.plot_result(r, mp.parent / f"{mp.stem}-{r['id']}.png")
                if png is not None:
                    figures[r["id"]] = png.name
                summary = r.get("evidence", {}).get("summary") or {}
                for i, series in enumerate(summary.get("series", [])):
                    png = plotting.plot_series(series, mp.parent / f"{mp.stem}-{r['id']}-series{i}.png")
                    if png is not None:
                        figures[f"{r['id']}#series{i}"] = png.name
    mp.write_text(render_markdown(doc, figures), encoding="utf-8")
    for src, name in ((jp, "latest.json"), (mp, "latest.md")) if latest else ():
        dst = directory / name
        if src.resolve() != dst.resolve():
            shutil.copyfile(src, dst)
    return jp, mp
