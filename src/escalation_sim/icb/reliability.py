"""Calibration of out-of-fold level forecasts: a reliability table per level and method, and its diagram.

Why both: the diagram shows where each method's forecast probabilities sit against observed frequencies; the table
gives the numbers behind it (mean forecast against observed share, and the reliability term of the Brier score's
decomposition, Murphy 1973, in equal-count bins: 0 for a perfectly calibrated forecast).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import VIOLENCE_LEVELS, VIOLENCE_VARIABLE

LABELS = ("no violence", "minor clashes", "serious clashes", "full-scale war")
BINS = 5


def _bins(p: np.ndarray, bins: int) -> np.ndarray:
    edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
    if len(edges) < 2:
        return np.zeros(len(p), dtype=int)
    return np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)


def curve(p: np.ndarray, hit: np.ndarray, bins: int = BINS) -> tuple[list[float], list[float], list[int]]:
    """Mean forecast, observed frequency and size of each non-empty equal-count bin."""
    which = _bins(p, bins)
    groups = [which == b for b in np.unique(which)]
    return [float(p[g].mean()) for g in groups], [float(hit[g].mean()) for g in groups], [int(g.sum()) for g in groups]


def reliability_table(table: pd.DataFrame, methods: dict[str, str], bins: int = BINS) -> pd.DataFrame:
    """Per level and method: mean forecast, observed share, and the binned reliability term (lower is better)."""
    y = table["y"].to_numpy()
    rows = []
    for lv, name in zip(VIOLENCE_LEVELS, LABELS, strict=True):
        hit = (y == lv).astype(float)
        for method, label in methods.items():
            p = table[f"{method}_{lv}"].to_numpy(dtype=float)
            xs, ys, ns = curve(p, hit, bins)
            rel = sum(n * (x - o) ** 2 for x, o, n in zip(xs, ys, ns, strict=True)) / len(p)
            rows.append(
                {
                    "level": f"{lv} {name}",
                    "method": label,
                    "mean forecast": float(p.mean()),
                    "observed share": float(hit.mean()),
                    "reliability (binned)": float(rel),
                }
            )
    return pd.DataFrame(rows)


def reliability_figure(table: pd.DataFrame, path: Path, methods: dict[str, str], bins: int = BINS) -> None:
    """Observed frequency against forecast probability of each level, in equal-count bins, one line per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(15, 4.0), sharey=True)
    y = table["y"].to_numpy()
    styles = ("o-", "D-", "s--", "^:")
    for ax, lv, name in zip(axes, VIOLENCE_LEVELS, LABELS, strict=True):
        for (method, label), style in zip(methods.items(), styles, strict=False):
            xs, ys, _ = curve(table[f"{method}_{lv}"].to_numpy(dtype=float), (y == lv).astype(float), bins)
            ax.plot(xs, ys, style, label=label)
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8)
        ax.axhline((y == lv).mean(), color="grey", ls=":", lw=0.8)
        ax.set(title=f"{lv}: {name}", xlabel="forecast probability", xlim=(0, 1), ylim=(0, 1))
    axes[0].set_ylabel("observed frequency")
    axes[0].legend(fontsize=7)
    fig.suptitle(
        f"ICB {VIOLENCE_VARIABLE}: reliability of out-of-fold forecasts ({len(table)} crises, "
        f"{bins} equal-count bins; dotted: observed share)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
