"""What a report shows, computed once from the JSON records for every output format.

:func:`document_view` turns a results document (:func:`critlocus.report.build_document`) into
plain strings and lists — the instance in the theory's terms (``W_1 = 0``, ``b_3 = ȳ``), the
per-tier lines (each tier's own status), the commands that reproduce a result — which the
Markdown and HTML templates (``critlocus/templates/``) and the terminal summary lay out.
"""

from __future__ import annotations

import math
import re
import shlex

__all__ = ["block_text", "decided_text", "document_view", "plural", "result_view", "tier_lines"]


def plural(n: int, word: str, words: str | None = None) -> str:
    """``"1 spec"``, ``"2 specs"``."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def _num(x) -> str:
    if isinstance(x, float):
        if math.isnan(x) or math.isinf(x):
            return str(x)
        return repr(x)  # the shortest string that round-trips: exact
    if isinstance(x, list):
        return "[" + ", ".join(_num(v) for v in x) + "]"
    return str(x)


def _fmt(x) -> str:
    if isinstance(x, float):
        return f"{x:.3g}"
    return str(x)


def block_text(name: str, block: dict) -> str:
    """One parameter block in the theory's terms, e.g. ``W_1 = 0`` or ``b_3 = ȳ = [0.5]``."""
    rule = block.get("rule", "?")
    value = block.get("float64")
    if rule == "zero":
        return f"{name} = 0"
    if rule == "mean_target":
        return f"{name} = ȳ = {_num(value)}"
    if rule == "given":
        note = block.get("note", "")
        extra = f" ({note})" if note and note not in ("free", "given") else ""
        return f"{name}{extra} = {_num(value)}"
    note = block.get("note") or block.get("description") or ""
    return f"{name} = {rule}{f' ({note})' if note else ''} ≈ {_num(value)}"


def _leaves(outcome: dict) -> list[dict]:
    if outcome.get("parts"):
        return [leaf for p in outcome["parts"] for leaf in _leaves(p)]
    return [outcome]


def tier_lines(outcome: dict) -> list[dict]:
    """Every check's every tier, with *that tier's* status (``mpmath-30: false``)."""
    out = []
    for leaf in _leaves(outcome):
        for t in leaf.get("tiers", []):
            out.append({"check": leaf.get("check", ""), "verdict": leaf.get("verdict", ""),
                        "precision": t.get("precision", ""), "status": t.get("status", ""),
                        "summary": t.get("summary", ""),
                        "text": f"{t.get('precision')}: {t.get('status')} — {t.get('summary', '')}"})
    return out


def decided_text(r: dict) -> str:
    """The precision (evidence level) that decided the result."""
    cx = r.get("counterexample")
    if cx:
        return cx["outcome"].get("reason") or str(cx["outcome"].get("precision"))
    decided = (r.get("evidence") or {}).get("decided_at") or {}
    if not decided:
        return "—"
    return ", ".join(f"{k}: {plural(v, 'check')}" for k, v in sorted(decided.items()))


def _landscape_view(inst: dict) -> dict:
    """An explicit function or gradient-flow instance (no network): its landscape and point."""
    fn = inst.get("function") or {}
    text = fn.get("formula") if isinstance(fn, dict) else None
    point = inst.get("point")
    landscape = inst.get("landscape") or text or "explicit landscape"
    return {"label": inst.get("label", ""), "architecture": landscape,
            "function": text or inst.get("landscape", ""), "point": _num(point) if point is not None else "",
            "activation": "", "loss": "", "d": None, "X": "", "Y": "", "blocks": [],
            "info": dict(inst.get("info") or {}), "explicit": True}


def _instance_view(inst: dict) -> dict:
    if "architecture" not in inst:
        return _landscape_view(inst)
    arch = inst["architecture"]
    loss = inst.get("loss") or {}
    params = {k: v for k, v in loss.items() if k not in ("name", "formula")}
    act = inst.get("activation") or {}
    data = inst.get("data") or {}
    nobias = [k + 1 for k, b in enumerate(arch.get("bias", [])) if not b]
    return {
        "label": inst.get("label", ""),
        "architecture": (f"widths {'-'.join(map(str, arch['widths']))} (ℓ = {arch.get('depth')}, "
                         f"N = {arch.get('n_params')}" + (f", no bias in layers {nobias}" if nobias else "")
                         + ")"),
        "activation": f"{act.get('name')} ({act.get('formula', '')})",
        "loss": f"{loss.get('formula', loss.get('name'))}"
                + (f" with {', '.join(f'{k} = {_num(v)}' for k, v in params.items())}" if params else ""),
        "d": data.get("d"),
        "X": _num(data.get("X")),
        "Y": _num(data.get("Y")),
        "blocks": [block_text(n, b) for n, b in (inst.get("point") or {}).items()],
        "info": {k: v for k, v in (inst.get("info") or {}).items()},
        "explicit": False, "function": "", "point": "",
    }


def _summary_view(summary: dict) -> dict:
    """A spec's ``summarize`` output with every optional key filled in."""
    tables = [{"title": t.get("title", "Table"), "columns": list(t.get("columns", [])),
               "rows": [list(row) for row in t.get("rows", [])]} for t in summary.get("tables", [])]
    return {"notes": [str(n) for n in summary.get("notes", [])], "tables": tables,
            "series": list(summary.get("series", []))}


def _quote(path: str) -> str:
    return shlex.quote(str(path))


def result_view(r: dict, *, results_path: str | None = None, timing: dict | None = None) -> dict:
    """Display fields of one result record."""
    spec = r.get("spec") or {}
    src = spec.get("source") or {}
    source_text = ", ".join(p for p in (src.get("paper"), src.get("result"), src.get("section")) if p)
    where = spec.get("defined_in") or {}
    defined = (f"{where['file']}:{where.get('line')}" if "file" in where else
               f"{where['module']} (line {where.get('line')})" if "module" in where else "")
    view = {
        "id": r["id"],
        "anchor": "spec-" + re.sub(r"[^A-Za-z0-9_.-]", "-", r["id"]),
        "title": spec.get("title") or spec.get("statement", ""),
        "statement": spec.get("statement", ""),
        "formula": spec.get("formula", ""),
        "hypotheses": spec.get("hypotheses", []),
        "notes": spec.get("notes", ""),
        "claim": spec.get("claim", ""),
        "kind": spec.get("kind", ""),
        "source": source_text,
        "tags": src.get("tags", []),
        "defined_in": defined,
        "verdict": r["verdict"],
        "expected": r["expected"],
        "as_expected": r["as_expected"],
        "mark": "✓" if r["as_expected"] else "✗",
        "finding": r.get("finding"),
        "examples": r.get("examples", 0),
        "instances": plural(r.get("examples", 0), "instance"),
        "max_examples": r.get("max_examples", 0),
        "counts": ", ".join(f"{k}: {v}" for k, v in sorted((r.get("counts") or {}).items())) or "—",
        "decided": decided_text(r),
        "seed": r.get("seed"),
        "ladder": " → ".join(r.get("ladder", [])),
        "duration": _fmt((timing or r.get("timing") or {}).get("duration_s", "")),
        "error": (r.get("error") or "").strip(),
        "error_frame": r.get("error_frame"),
        "worst": [],
        "counterexample": None,
        "inconclusive": [],
        "summary": _summary_view((r.get("evidence") or {}).get("summary") or {}),
        "search": r.get("search") or {},
    }
    if r["verdict"] == "error" and r.get("error"):
        view["error_headline"] = view["error"].splitlines()[0]
    for check, ev in ((r.get("evidence") or {}).get("worst_case") or {}).items():
        tier = ((ev.get("outcome") or {}).get("tiers") or [{}])[-1]
        view["worst"].append(f"{check}: margin {_fmt(ev.get('margin'))} at {tier.get('precision')} — "
                             f"{tier.get('summary', '')} ({ev.get('instance')}, {ev.get('architecture')})")
    for item in (r.get("evidence") or {}).get("inconclusive_instances", []):
        view["inconclusive"].append({"instance": _instance_view(item["instance"]),
                                     "reason": item["outcome"].get("reason", ""),
                                     "tiers": tier_lines(item["outcome"])})
    cx = r.get("counterexample")
    if cx:
        rep = cx.get("reproduce") or {}
        shrink = cx.get("shrink") or {"status": "shrunk"}
        view["counterexample"] = {
            "instance": _instance_view(cx["instance"]),
            "reason": cx["outcome"].get("reason", ""),
            "tiers": tier_lines(cx["outcome"]),
            "shrink_status": shrink.get("status", "shrunk"),
            "shrink_note": (f"shrinking stopped early ({shrink.get('stopped_because', 'budget reached')}; "
                            f"budget {_fmt(shrink.get('budget_s'))} s): a smaller counterexample may exist"
                            if shrink.get("status") == "partially shrunk" else ""),
            "found_after": cx.get("found_after"),
            "found_after_text": (f"Found after {plural(cx['found_after'], 'generated instance')}."
                                 if cx.get("found_after") else ""),
            "replay": (f"critlocus replay {_quote(results_path)} --id {r['id']}" if results_path else
                       f"critlocus replay RESULTS.json --id {r['id']}"),
            "search_again": rep.get("command", ""),
            "blob": rep.get("hypothesis_blob"),
        }
    return view


def document_view(doc: dict, *, figures: dict | None = None, results_path: str | None = None) -> dict:
    """Everything the templates need: the run's header, one view per result, figure links."""
    figures = figures or {}
    timing = doc.get("timing") or {}
    per_spec = timing.get("specs") or {}
    results = []
    for r in doc["results"]:
        v = result_view(r, results_path=results_path, timing=per_spec.get(r["id"]))
        v["figures"] = {"spectrum": None, "evidence": None}
        v["figures"].update({k.split("#", 1)[1]: src for k, src in figures.items()
                             if k.split("#", 1)[0] == r["id"]})
        v["series_figures"] = [(s.get("title", "series"), figures.get(f"{r['id']}#series{i}"))
                               for i, s in enumerate(v["summary"].get("series", []))]
        results.append(v)
    summary = doc.get("summary") or {}
    verdicts = summary.get("verdicts") or {}
    return {
        "command": doc.get("command", ""),
        "version": doc.get("critlocus", ""),
        "settings": ", ".join(f"{k} = {v}" for k, v in (doc.get("settings") or {}).items()),
        "created": timing.get("created", ""),
        "run_id": timing.get("run_id", ""),
        "duration": _fmt(timing.get("duration_s", "")),
        "headline": plural(summary.get("specs", len(results)), "spec") + (
            " — " + ", ".join(f"{v}: {n}" for v, n in sorted(verdicts.items())) if verdicts else ""),
        "unexpected": summary.get("unexpected", []),
        "interrupted": bool(doc.get("interrupted")),
        "not_run": list(doc.get("not_run", [])),
        "results": results,
        "load_errors": [{"location": e["location"], "message": e["message"].splitlines()[0] if e["message"]
                         else ""} for e in doc.get("load_errors", [])],
        "results_path": results_path,
        "plots_missing": not figures and bool(results),
    }
