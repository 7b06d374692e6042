"""Reports: the results document (JSON, for machines) and its Markdown and HTML renderings.

A run writes one directory, ``reports/<run-id>/`` (:mod:`critlocus.output`)::

    results.json    the document below
    report.md       Markdown, figures beside it in figures/*.png
    report.html     one self-contained page, figures embedded as data URIs

The document: ``{"critlocus": version, "command", "settings", "summary", "results": [...],
"load_errors": [...], "timing": {...}}``.  Each result (:meth:`SpecResult.to_dict`) has
``id``, ``verdict``, ``expected``, ``examples``, ``evidence``, the spec's description and, for a
``fails``, the shrunk ``counterexample`` (architecture, activation, loss, data, the point by
named blocks with the rule defining each, the shrink status and what reproduces it).
Everything that depends on the clock or the machine (dates, durations, host, run id, the
number of processes) is under ``timing`` — in the document and in each result — so two runs
with the same seed give identical documents once ``timing`` is removed.

``critlocus report RESULTS.json`` re-renders the Markdown and HTML from a results file
(:func:`rerender`).
"""

from __future__ import annotations

import base64
import json
import math
import platform
import socket
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from critlocus.core.errors import CritlocusError

from .output import atomic_write_bytes, atomic_write_text
from .views import document_view, plural

__all__ = ["build_document", "figures_png", "json_safe", "load_results", "render_html",
           "render_markdown", "rerender", "strip_timing", "write_run"]

RESULTS_NAME, MARKDOWN_NAME, HTML_NAME, FIGURES_DIR = "results.json", "report.md", "report.html", "figures"


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


def run_timing(*, run_id: str = "", started: datetime | None = None, duration_s: float | None = None,
               jobs: int | None = None) -> dict:
    """The document's ``timing``: when, how long, on what machine."""
    out = {
        "run_id": run_id,
        "created": (started or datetime.now(UTC)).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
    }
    if duration_s is not None:
        out["duration_s"] = round(duration_s, 3)
    if jobs is not None:
        out["jobs"] = jobs
    return out


def build_document(results: list[dict], *, command: str, settings: dict,
                   load_errors: list[dict] | None = None, timing: dict | None = None) -> dict:
    """The report document from result records (:meth:`SpecResult.to_dict`)."""
    from . import __version__

    counts = Counter(r["verdict"] for r in results)
    unexpected = [r["id"] for r in results if not r["as_expected"]]
    doc = {
        "critlocus": __version__,
        "command": command,
        "settings": settings,
        "summary": {"specs": len(results), "verdicts": dict(sorted(counts.items())),
                    "unexpected": unexpected, "load_errors": len(load_errors or [])},
        "results": list(results),
    }
    if load_errors:
        doc["load_errors"] = load_errors
    doc["timing"] = timing if timing is not None else run_timing()
    return json_safe(doc)


def strip_timing(doc: dict) -> dict:
    """The document without any ``timing`` entry (what two runs with one seed share)."""
    if isinstance(doc, dict):
        return {k: strip_timing(v) for k, v in doc.items() if k != "timing"}
    if isinstance(doc, list):
        return [strip_timing(v) for v in doc]
    return doc


def load_results(path: str | Path) -> dict:
    """Read a results file, with a clear error when it is not one."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CritlocusError(f"results file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CritlocusError(f"{str(path)!r} is not a critlocus results file: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise CritlocusError(f"{str(path)!r} is not a critlocus results file (no 'results' list)")
    return doc


# --- figures ------------------------------------------------------------------------------


def figures_png(doc: dict) -> dict[str, bytes]:
    """Every figure of the report as PNG bytes, keyed ``"<id>#spectrum"``, ``"<id>#evidence"``,
    ``"<id>#series<i>"`` (empty without matplotlib)."""
    from . import plots

    if not plots.available():
        return {}
    out: dict[str, bytes] = {}
    for r in doc["results"]:
        for kind, make in (("spectrum", plots.spectrum_png), ("evidence", plots.evidence_png)):
            png = make(r)
            if png:
                out[f"{r['id']}#{kind}"] = png
        summary = (r.get("evidence") or {}).get("summary") or {}
        for i, series in enumerate(summary.get("series", [])):
            png = plots.series_png(series)
            if png:
                out[f"{r['id']}#series{i}"] = png
    return out


def _figure_name(key: str) -> str:
    spec_id, kind = key.split("#", 1)
    return f"{spec_id}-{kind}.png"


# --- rendering ----------------------------------------------------------------------------


def _environment():
    import jinja2

    def cell(x) -> str:
        text = _fmt(x)
        return text.replace("|", "\\|").replace("\n", " ")

    env = jinja2.Environment(loader=jinja2.PackageLoader("critlocus", "templates"),
                             autoescape=lambda name: bool(name and name.endswith(".html.j2")),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["cell"] = cell
    env.filters["fmt"] = _fmt
    return env


def _fmt(x) -> str:
    """A table cell: floats to 3 significant digits, a missing value as a dash."""
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.3g}"
    if isinstance(x, dict):  # counts by label, e.g. {"mpmath-30": 3}
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in x.items())
    return str(x)


def _tidy(text: str) -> str:
    """Collapse the blank-line runs that template conditionals leave behind."""
    lines, blank = [], False
    for line in text.splitlines():
        if not line.strip():
            if not blank:
                lines.append("")
            blank = True
        else:
            lines.append(line.rstrip())
            blank = False
    return "\n".join(lines).strip() + "\n"


def render_markdown(doc: dict, figures: dict[str, str] | None = None, *,
                    results_path: str | None = None) -> str:
    """Markdown; ``figures`` maps figure keys to image paths relative to the Markdown file."""
    run = document_view(doc, figures=figures, results_path=results_path)
    return _tidy(_environment().get_template("report.md.j2").render(run=run))


def render_html(doc: dict, figures: dict[str, bytes] | None = None, *,
                results_path: str | None = None) -> str:
    """One self-contained HTML page; ``figures`` (PNG bytes) are embedded as data URIs."""
    uris = {k: "data:image/png;base64," + base64.b64encode(v).decode("ascii")
            for k, v in (figures or {}).items()}
    run = document_view(doc, figures=uris, results_path=results_path)
    return _environment().get_template("report.html.j2").render(run=run)


def write_run(doc: dict, run_dir: str | Path, *, json_path: Path | None = None,
              markdown_path: Path | None = None, html_path: Path | None = None,
              plots: bool = True, results_path: Path | None = None) -> dict[str, Path]:
    """Write ``results.json``, ``report.md`` (figures in ``figures/``) and ``report.html`` into
    ``run_dir`` atomically, plus copies at ``json_path``/``markdown_path``/``html_path``.

    Reproduce lines name ``results_path`` (default: the copy at ``json_path`` if given, else
    ``run_dir/results.json``).  Returns the paths written, by kind.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    primary = run_dir / RESULTS_NAME
    shown = results_path or json_path or primary
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    written = {"json": atomic_write_text(primary, text)}
    if json_path is not None and Path(json_path).resolve() != primary.resolve():
        written["json_copy"] = atomic_write_text(json_path, text)
    pngs = figures_png(doc) if plots else {}
    rel: dict[str, str] = {}
    for key, png in pngs.items():
        path = atomic_write_bytes(run_dir / FIGURES_DIR / _figure_name(key), png)
        rel[key] = f"{FIGURES_DIR}/{path.name}"
    md = render_markdown(doc, rel, results_path=str(shown))
    written["markdown"] = atomic_write_text(run_dir / MARKDOWN_NAME, md)
    html = render_html(doc, pngs, results_path=str(shown))
    written["html"] = atomic_write_text(run_dir / HTML_NAME, html)
    if markdown_path is not None:
        # a copy elsewhere links its figures by absolute path
        absolute = {k: str((run_dir / v).resolve()) for k, v in rel.items()}
        written["markdown_copy"] = atomic_write_text(markdown_path,
                                                     render_markdown(doc, absolute, results_path=str(shown)))
    if html_path is not None:
        written["html_copy"] = atomic_write_text(html_path, html)
    return written


def rerender(results: str | Path, *, out_dir: str | Path | None = None,
             plots: bool = True) -> dict[str, Path]:
    """Re-render ``report.md`` and ``report.html`` from a results file, into ``out_dir``
    (default: the results file's directory)."""
    path = Path(results)
    doc = load_results(path)
    target = Path(out_dir) if out_dir is not None else path.parent
    target.mkdir(parents=True, exist_ok=True)
    pngs = figures_png(doc) if plots else {}
    rel = {}
    for key, png in pngs.items():
        p = atomic_write_bytes(target / FIGURES_DIR / _figure_name(key), png)
        rel[key] = f"{FIGURES_DIR}/{p.name}"
    md = render_markdown(doc, rel, results_path=str(path))
    html = render_html(doc, pngs, results_path=str(path))
    return {"markdown": atomic_write_text(target / MARKDOWN_NAME, md),
            "html": atomic_write_text(target / HTML_NAME, html)}


def headline(doc: dict) -> str:
    """``"3 specs: 2 as expected, 1 not (mine.x)"``."""
    results = doc["results"]
    bad = [r["id"] for r in results if not r["as_expected"]]
    return (f"{plural(len(results), 'spec')}: {len(results) - len(bad)} as expected, {len(bad)} not"
            + (f" ({', '.join(bad)})" if bad else ""))
