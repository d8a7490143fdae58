"""The learned weights as a figure: per actor kind, each feature's posterior mean with its 90% interval and the
reasoned default it started from."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure


def weights_figure(weights: pd.DataFrame) -> Figure:
    """`weights` as written to weights.csv: one panel per kind."""
    kinds = list(dict.fromkeys(weights["kind"]))
    fig, axes = plt.subplots(1, len(kinds), figsize=(4 * len(kinds), 8), sharey=True)
    for ax, kind in zip(axes, kinds, strict=True):
        rows = weights[weights["kind"] == kind].reset_index(drop=True)
        y = range(len(rows))
        ax.hlines(y, rows["q05"], rows["q95"], color="tab:blue", lw=2, label="90% interval")
        ax.plot(rows["mean"], y, "o", color="tab:blue", label="posterior mean")
        ax.plot(rows["default"], y, "x", color="grey", label="reasoned default (prior mean)")
        ax.axvline(0.0, color="black", lw=0.5)
        ax.set_title(kind)
        ax.set_yticks(list(y), rows["feature"])
        ax.invert_yaxis()
    axes[0].legend(loc="lower left", fontsize=7)
    fig.suptitle("quantal rule: learned weights by actor kind (train split)")
    fig.tight_layout()
    return fig
