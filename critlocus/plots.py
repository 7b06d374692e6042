"""Figures for reports (optional: needs matplotlib, ``pip install -e ".[plots]"``).

Every function takes a result record (:meth:`critlocus.runner.SpecResult.to_dict`) or part of
one and returns PNG bytes (``None`` when there is nothing to draw); the report embeds them as
data URIs in HTML and writes them next to the Markdown file.

- :func:`spectrum_png` — the Hessian spectrum at each precision tier on a symmetric log
  scale (``symlog``: logarithmic for ``|λ|`` above a linear window around 0, so an exact zero
  sits *at 0*, drawn and labelled as exact, never at an axis floor), with the zero threshold
  ``±τ``, the top of the ambiguity band ``±τ·u^(-1/4)`` and the zero/nonzero gap shaded.
- :func:`evidence_png` — for each elementary check, the decided magnitudes (``|λ|``,
  ``||∇L||``, ``|λ − target|``) at each tier against that tier's τ and band: rounding noise
  sinks with the precision, real nonzeros stay put.
- :func:`series_png` — a ``Spec.summarize`` series (measured vs predicted against a width).
"""

from __future__ import annotations

import io
import math

__all__ = ["available", "evidence_png", "series_png", "spectrum_groups", "spectrum_png", "spectrum_tiers"]


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    _pyplot().close(fig)
    return buf.getvalue()


def _leaves(outcome: dict) -> list[dict]:
    if outcome.get("parts"):
        return [leaf for p in outcome["parts"] for leaf in _leaves(p)]
    return [outcome]


def _numbers(values) -> list[float]:
    return [float(v) for v in values or [] if isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v)]


def _spectrum_evidence(evidence: dict) -> dict | None:
    if "eigenvalues_excerpt" in evidence:
        return evidence
    # a claim that decides more than the spectrum nests the inertia decision under a key
    # ("spectrum" by convention, "inertia" for the zero-count claims)
    for key in ("spectrum", "inertia", *evidence):
        nested = evidence.get(key)
        if isinstance(nested, dict) and "eigenvalues_excerpt" in nested:
            return nested
    return None


def spectrum_tiers(result: dict) -> tuple[str, list[tuple[str, str, dict]]]:
    """The spectra to draw for a result: ``(title, [(precision, status, spectrum evidence)])``
    from the counterexample, else from the tightest-separated instance seen."""
    if result.get("counterexample"):
        outcomes = [result["counterexample"]["outcome"]]
        title = f"{result['id']}: Hessian spectrum of the counterexample"
    else:
        worst = (result.get("evidence") or {}).get("worst_case") or {}
        outcomes = [w["outcome"] for w in worst.values() if isinstance(w, dict) and "outcome" in w]
        title = f"{result['id']}: Hessian spectrum at the tightest separation seen"
    tiers: list[tuple[str, str, dict]] = []
    seen: set[str] = set()
    for outcome in outcomes:
        for leaf in _leaves(outcome):
            for tier in leaf.get("tiers", []):
                ev = _spectrum_evidence(tier.get("evidence") or {})
                if ev is not None and tier["precision"] not in seen and _numbers(ev["eigenvalues_excerpt"]):
                    seen.add(tier["precision"])
                    tiers.append((tier["precision"], tier.get("status", ""), ev))
    return title, tiers


def _unlisted_zeros(evidence: dict) -> int:
    tau = float(evidence.get("threshold") or 0.0)
    listed = sum(1 for v in _numbers(evidence["eigenvalues_excerpt"]) if abs(v) <= tau)
    zeros = (evidence.get("inertia") or {}).get("zero", listed)
    return max(0, int(zeros) - listed) if isinstance(zeros, int) else 0


def spectrum_groups(evidence: dict) -> dict[str, list[tuple[int, float]]]:
    """The listed eigenvalues of one tier, sorted, as ``(index, λ)`` points by class: ``exact
    zero`` (λ = 0 exactly: drawn *at* 0), ``zero`` (0 < |λ| ≤ τ), ``ambiguous`` (τ < |λ| ≤ band
    top) and ``nonzero``."""
    tau = float(evidence.get("threshold") or 0.0)
    top = float(evidence.get("band_top") or 0.0)
    listed = _numbers(evidence["eigenvalues_excerpt"])
    # zeros a method decided without listing them (exact deflation, a sketch's kernel): exact
    # when the largest zero is exactly 0, and then drawn as exact zeros
    if evidence.get("largest_zero") == 0:
        listed += [0.0] * _unlisted_zeros(evidence)
    pts = list(enumerate(sorted(listed)))
    return {"exact zero": [(x, v) for x, v in pts if v == 0.0],
            "zero": [(x, v) for x, v in pts if v != 0.0 and abs(v) <= tau],
            "ambiguous": [(x, v) for x, v in pts if tau < abs(v) <= top],
            "nonzero": [(x, v) for x, v in pts if abs(v) > top]}


def spectrum_png(result: dict) -> bytes | None:
    """The Hessian spectrum per precision tier (see the module docstring); None without one."""
    title, tiers = spectrum_tiers(result)
    if not tiers:
        return None
    plt = _pyplot()
    nonzero = [abs(v) for _, _, ev in tiers for v in _numbers(ev["eigenvalues_excerpt"]) if v != 0]
    taus = [float(ev["threshold"]) for _, _, ev in tiers if isinstance(ev.get("threshold"), (int, float))
            and ev["threshold"] > 0]
    # linear window around 0 below every drawn magnitude: exact zeros sit at 0, the rest on log scale
    linthresh = max(min(nonzero + taus, default=1.0) / 10, 1e-300)
    fig, axes = plt.subplots(1, len(tiers), figsize=(3.6 * len(tiers) + 0.6, 3.9), squeeze=False,
                             sharey=True)
    for ax, (precision, status, ev) in zip(axes[0], tiers, strict=True):
        groups = spectrum_groups(ev)
        tau = float(ev.get("threshold") or 0.0)
        top = float(ev.get("band_top") or 0.0)
        exact, small, amb, big = (groups[k] for k in ("exact zero", "zero", "ambiguous", "nonzero"))
        for pts, kw in ((big, dict(marker="o", color="tab:blue", label="nonzero")),
                        (amb, dict(marker="s", color="tab:orange", label="ambiguous (in band)")),
                        (small, dict(marker="x", color="tab:gray", label="zero (|λ| ≤ τ)")),
                        (exact, dict(marker="D", facecolors="none", edgecolors="tab:green",
                                     label="exact 0"))):
            if pts:
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=22, zorder=3, **kw)
        lz, sn = ev.get("largest_zero"), ev.get("smallest_nonzero")
        if isinstance(lz, (int, float)) and isinstance(sn, (int, float)) and sn > lz:
            for sign in (1, -1):
                ax.axhspan(sign * max(lz, 0.0), sign * sn, color="tab:green", alpha=0.08, lw=0,
                           label="zero/nonzero gap" if sign == 1 else None)
        if tau > 0:
            for sign in (1, -1):
                ax.axhline(sign * tau, color="tab:red", lw=1,
                           label="±τ (zero threshold)" if sign == 1 else None)
        if top > 0:
            for sign in (1, -1):
                ax.axhline(sign * top, color="tab:red", lw=1, ls="--",
                           label="±τ·u^(-1/4) (band top)" if sign == 1 else None)
        implicit = _unlisted_zeros(ev) if ev.get("largest_zero") != 0 else 0
        gap = ev.get("gap_ratio")
        gap_text = "∞ (exact zeros)" if gap in ("inf", math.inf) else (f"{gap:.2g}" if isinstance(
            gap, (int, float)) else "n/a")
        note = f"gap ratio {gap_text}"
        if implicit > 0:
            note += f"\n+{implicit} zeros not listed (|λ| ≤ {ev.get('largest_zero'):.1e})"
        ax.text(0.02, 0.98, note, transform=ax.transAxes, va="top", fontsize=7)
        ax.set_yscale("symlog", linthresh=linthresh, linscale=1.5)
        ax.axhline(0.0, color="black", lw=0.5)
        ax.set_xlabel("eigenvalue (sorted)", fontsize=8)
        ax.set_title(f"{precision}: {status}", fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0][0].set_yticks(_symlog_ticks(linthresh, max(nonzero + taus + [linthresh * 10])))
    axes[0][0].set_ylabel("λ (symmetric log scale)", fontsize=8)
    handles, labels = {}, []
    for ax in axes[0]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in handles:
                handles[lab] = h
                labels.append(lab)
    fig.legend([handles[lab] for lab in labels], labels, loc="lower center", ncol=min(4, len(labels)),
               fontsize=7, frameon=False)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return _png(fig)


def _symlog_ticks(linthresh: float, top: float, per_side: int = 4) -> list[float]:
    """0 and about ``per_side`` powers of ten on each side, between ``linthresh`` and ``top``."""
    lo, hi = math.ceil(math.log10(linthresh)), math.ceil(math.log10(top))
    step = max(1, math.ceil((hi - lo) / per_side))
    ups = [10.0 ** k for k in range(hi, lo, -step) if k - lo >= max(1, step // 2)]  # 0 stands alone
    return sorted([-v for v in ups] + [0.0] + ups)


def _magnitudes(evidence: dict) -> tuple[list[float], list[float]]:
    """Decided magnitudes of one tier: (nonzero-classified values, zero-classified values)."""
    tau = evidence.get("threshold") or 0.0
    if "eigenvalues_excerpt" in evidence:
        vals = [abs(v) for v in _numbers(evidence["eigenvalues_excerpt"])]
        if isinstance(evidence.get("largest_zero"), (int, float)) and not any(v <= tau for v in vals):
            vals.append(float(evidence["largest_zero"]))
    elif isinstance(evidence.get("largest_deviation"), (int, float)):
        vals = [float(evidence["largest_deviation"])]
    elif isinstance(evidence.get("value"), (int, float)):
        vals = [float(evidence["value"])]
    else:
        return [], []
    return [v for v in vals if v > tau], [v for v in vals if v <= tau]


def evidence_png(result: dict) -> bytes | None:
    """Magnitudes against thresholds, per check and tier (see the module docstring)."""
    if result.get("counterexample"):
        leaves = _leaves(result["counterexample"]["outcome"])
        title = f"{result['id']}: counterexample ({result['verdict']})"
    else:
        worst = (result.get("evidence") or {}).get("worst_case") or {}
        leaves = [w["outcome"] for w in worst.values() if isinstance(w, dict) and "outcome" in w]
        title = f"{result['id']}: tightest separation seen ({result['verdict']})"
    # a check whose tiers carry no magnitude (a count, a rank) has nothing to draw here: the
    # spectrum plot shows it
    leaves = [leaf for leaf in leaves
              if any(any(_magnitudes(t.get("evidence") or {})) for t in leaf.get("tiers", []))]
    if not leaves:
        return None
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(leaves), figsize=(4.2 * len(leaves), 3.6), squeeze=False)
    for ax, leaf in zip(axes[0], leaves, strict=True):
        tiers = leaf["tiers"]
        positive = [v for t in tiers for group in _magnitudes(t["evidence"]) for v in group if v > 0]
        floor = min(positive + [t["evidence"].get("threshold") or 1.0 for t in tiers
                                if (t["evidence"].get("threshold") or 0) > 0] or [1e-300]) / 1e3
        floor = max(floor, 1e-320)
        for x, tier in enumerate(tiers):
            ev = tier["evidence"]
            nonzero, zero = _magnitudes(ev)
            exact = [v for v in zero if v == 0]
            ax.scatter([x] * len(nonzero), nonzero, marker="o", color="tab:blue", s=14,
                       label="nonzero" if x == 0 else None)
            ax.scatter([x] * (len(zero) - len(exact)), [v for v in zero if v != 0], marker="x",
                       color="tab:gray", s=14, label="zero (≤ τ)" if x == 0 else None)
            if exact:
                ax.annotate(f"{len(exact)} exact 0", (x, floor), textcoords="offset points", xytext=(0, 14),
                            ha="center", fontsize=7, color="tab:green")
            tau, top = ev.get("threshold"), ev.get("band_top")
            if isinstance(tau, (int, float)) and tau > 0:
                ax.hlines(tau, x - 0.3, x + 0.3, colors="tab:red", label="τ" if x == 0 else None)
            if isinstance(top, (int, float)) and top > 0:
                ax.hlines(top, x - 0.3, x + 0.3, colors="tab:red", linestyles="dashed",
                          label="band top" if x == 0 else None)
            ax.annotate(f"{tier['precision']}: {tier['status']}", (x, floor), textcoords="offset points",
                        xytext=(0, 4), ha="center", fontsize=7)
        ax.set_yscale("log")
        ax.set_ylim(bottom=floor / 10)
        ax.set_xticks(range(len(tiers)), [t["precision"] for t in tiers], fontsize=7, rotation=20)
        ax.set_title(leaf["check"][:60], fontsize=8)
        ax.set_ylabel("magnitude", fontsize=8)
        ax.legend(fontsize=6, loc="best")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return _png(fig)


def series_png(series: dict) -> bytes | None:
    """Draw one ``Spec.summarize`` series (e.g. measured vs predicted dimension against width)."""
    x = series.get("x") or []
    lines = series.get("lines") or {}
    if not x or not lines:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    for i, (label, ys) in enumerate(lines.items()):
        style = "--" if "predicted" in label or "formula" in label else "-"
        ax.plot(x[:len(ys)], ys, style, marker="os^vDx+*"[i % 8], markersize=4, label=str(label))
    if series.get("log_y"):
        ax.set_yscale("log")
    ax.set_xlabel(series.get("x_label", "x"), fontsize=8)
    ax.set_ylabel(series.get("y_label", "y"), fontsize=8)
    ax.set_title(str(series.get("title", ""))[:80], fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)
