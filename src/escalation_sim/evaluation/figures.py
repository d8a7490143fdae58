"""The evaluation figure: per case, the two models' outcome shares (95% Wilson intervals) beside history's class."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..results.outcomes import OUTCOMES

COLOURS = {"de-escalation": "#4c72b0", "protracted": "#dd8452", "war": "#c44e52"}


def shares_figure(outcomes: pd.DataFrame) -> Figure:
    """Two panels (fitted quantal, hand-set): one group of bars per case, a triangle over the class history took."""
    table = outcomes.reset_index(drop=True)
    fig, axes = plt.subplots(2, 1, figsize=(max(8, 0.6 * len(table) + 3), 7.5), sharex=True)
    x = np.arange(len(table))
    width = 0.26
    for ax, suffix, title in zip(axes, ("", "_handset"), ("fitted quantal model", "hand-set doctrines"), strict=True):
        for i, k in enumerate(OUTCOMES):
            share = table[f"share_{k}{suffix}"].to_numpy(dtype=float)
            err = [
                share - table[f"low_{k}{suffix}"].to_numpy(dtype=float),
                table[f"high_{k}{suffix}"].to_numpy(dtype=float) - share,
            ]
            ax.bar(x + (i - 1) * width, share, width, yerr=err, color=COLOURS[k], label=k, capsize=2)
            hit = (table["observed"] == k).to_numpy()
            ax.scatter(
                (x + (i - 1) * width)[hit],
                share[hit] + 0.07,
                marker="v",
                s=60,
                color="black",
                zorder=3,
                label="history" if i == 0 else None,
            )
        ax.set_ylim(0, 1.18)
        ax.set_ylabel("share of runs")
        ax.set_title(title, fontsize=10, loc="left")
    axes[0].legend(fontsize=8, ncol=4, loc="upper right")
    axes[1].set_xticks(
        x, [f"{c}\n({s})" for c, s in zip(table["case"], table["split"], strict=True)], fontsize=7, rotation=60
    )
    fig.suptitle("Outcome shares per library case (95% Wilson intervals); triangle: the class history took")
    fig.tight_layout()
    return fig
