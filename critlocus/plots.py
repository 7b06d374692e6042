"""Evidence plots for reports (optional: needs matplotlib, ``pip install -e ".[plots]"``).

One figure per spec result: for each elementary check of the counterexample (or of the
tightest-separated instance when the spec holds), the decided magnitudes at every tier of the
precision ladder — ``|λ|`` of the spectrum, ``||∇L||``, ``|λ − target|`` — against that tier's
zero threshold τ (solid) and the top of its ambiguity band (dashed).  Rounding noise sinks
with the precision; real nonzeros stay put: the escalation made visible.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["available", "plot_result", "plot_series"]


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _magnitudes(evidence: dict) -> tuple[list[float], list[float]]:
    """Decided magnitudes of one tier: (nonzero-classified values, zero-classified values)."""
    tau = evidence.get("threshold") or 0.0
    if "eigenvalues_excerpt" in evidence:
        vals = [abs(v) for v in evidence["eigenvalues_excerpt"] if isinstance(v, (int, float))]
        if evidence.get("largest_zero") is not None and not any(v <= tau for v in vals):
            vals.append(float(evidence["largest_zero"]))
    elif "largest_deviation" in evidence:
        vals = [float(evidence["largest_deviation"])]
    elif "value" in evidence:
        vals = [float(evidence["value"])]
    else:
        return [], []
    return [v for v in vals if v > tau], [v for v in vals if v <= tau]


def _leaves(outcome: dict) -> list[dict]:
    if outcome.get("parts"):
        return [leaf for p in outcome["parts"] for leaf in _leaves(p)]
    return [outcome]


def plot_result(result: dict, path: Path) -> Path | None:
    """Draw the evidence of one spec result into ``path`` (PNG); None if nothing to draw."""
    if result.get("counterexample"):
        leaves = _leaves(result["counterexample"]["outcome"])
        title = f"{result['id']}: counterexample ({result['verdict']})"
    else:
        worst = result.get("evidence", {}).get("worst_case", {})
        leaves = [w["outcome"] for w in worst.values() if "outcome" in w]
        title = f"{result['id']}: tightest separation seen ({result['verdict']})"
    leaves = [leaf for leaf in leaves if leaf.get("tiers")]
    if not leaves:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(leaves), figsize=(4.2 * len(leaves), 3.6), squeeze=False)
    for ax, leaf in zip(axes[0], leaves, strict=True):
        tiers = leaf["tiers"]
        positive = [v for t in tiers for group in _magnitudes(t["evidence"]) for v in group if v > 0]
        floor = min(positive + [t["evidence"].get("threshold") or 1.0 for t in tiers
                                if (t["evidence"].get("threshold") or 0) > 0] or [1e-300]) / 1e3
        floor = max(floor, 1e-320)  # subnormal evidence (e.g. a 1-ulp shift of 0) stays drawable
        for x, tier in enumerate(tiers):
            ev = tier["evidence"]
            nonzero, zero = _magnitudes(ev)
            ax.scatter([x] * len(nonzero), nonzero, marker="o", color="tab:blue", s=14,
                       label="nonzero" if x == 0 else None)
            ax.scatter([x] * len(zero), [max(v, floor) for v in zero], marker="x", color="tab:gray",
                       s=14, label="zero (≤ τ)" if x == 0 else None)
            tau, top = ev.get("threshold"), ev.get("band_top")
            if tau:
                ax.hlines(tau, x - 0.3, x + 0.3, colors="tab:red", label="τ" if x == 0 else None)
            if top:
                ax.hlines(top, x - 0.3, x + 0.3, colors="tab:red", linestyles="dashed",
                          label="band top" if x == 0 else None)
            ax.annotate(tier["status"], (x, floor), textcoords="offset points", xytext=(0, 4),
                        ha="center", fontsize=7)
        ax.set_yscale("log")
        ax.set_ylim(bottom=floor / 10)
        ax.set_xticks(range(len(tiers)), [t["precision"] for t in tiers], fontsize=7, rotation=20)
        ax.set_title(leaf["check"][:60], fontsize=8)
        ax.set_ylabel("magnitude", fontsize=8)
        ax.legend(fontsize=6, loc="best")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_series(series: dict, path: Path) -> Path | None:
    """Draw one ``Spec.summarize`` series (e.g. measured vs predicted dimension against width)."""
    x = series.get("x") or []
    lines = series.get("lines") or {}
    if not x or not lines:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    for i, (label, ys) in enumerate(lines.items()):
        style = "--" if "predicted" in label or "formula" in label else "-"
        ax.plot(x[:len(ys)], ys, style, marker="os^vDx+*"[i % 8], markersize=4, label=str(label))
    if series.get("log_y"):
        ax.set_yscale("log")
    ax.set_xlabel(series.get("x_label", "x"), fontsize=8)
    ax.set_ylabel(series.get("y_label", "y"), fontsize=8)
    ax.set_title(series.get("title", "")[:80], fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
