"""The evaluation figure: per case, the model's outcome shares (with 95% Wilson intervals) beside history's class."""

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
    """One group of bars per case (train cases, then test): the share of each class, its interval, and a
    triangle over the class history took."""
    table = outcomes.sort_values(["split", "case"], ascending=[False, True]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(12, 4.8))
    x = np.arange(len(table))
    width = 0.26
    for i, k in enumerate(OUTCOMES):
        share = table[f"share_{k}"].to_numpy()
        err = [share - table[f"low_{k}"].to_numpy(), table[f"high_{k}"].to_numpy() - share]
        ax.bar(x + (i - 1) * width, share, width, yerr=err, color=COLOURS.get(k), label=f"model: {k}", capsize=2)
        hit = table["observed"] == k
        ax.scatter(
            (x + (i - 1) * width)[hit],
            share[hit] + 0.06,
            marker="v",
            s=70,
            color="black",
            zorder=3,
            label="history" if i == 0 else None,
        )
    ax.set_xticks(x, [f"{c}\n({s})" for c, s in zip(table["case"], table["split"], strict=True)], fontsize=8)
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("share of runs (95% Wilson interval)")
    ax.set_title(
        "The crisis library: the model's outcome shares with frozen shared parameters; "
        "triangle = the class history took"
    )
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, fontsize=8, ncol=4, loc="upper right")
    fig.tight_layout()
    return fig
