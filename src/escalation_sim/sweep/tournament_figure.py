"""The tournament's figure: the ranked rules' outcome shares beside the war share of every pairing.

Analysis layer, like `sweep.figures`: a matplotlib Figure (no pyplot) that the CLI saves and notebooks show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..plots import mpl_text  # rule labels and the title are shown as written, never as mathtext
from ..results.outcomes import OUTCOMES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLOURS = {"de-escalation": "tab:green", "protracted": "tab:orange", "war": "tab:red"}


def tournament_figure(table: pd.DataFrame, matrix: pd.DataFrame, title: str = "") -> Figure:
    """Left: each rule's outcome shares, best rank on top. Right: P(war) by rule (row) and opponent (column)."""
    from matplotlib.figure import Figure

    size = len(table)
    fig = Figure(figsize=(11, 1.6 + 0.55 * size), layout="constrained")
    bars, grid = fig.subplots(1, 2, width_ratios=[1.1, 1])
    y = np.arange(size)[::-1]
    left = np.zeros(size)
    for outcome in OUTCOMES:
        share = table[outcome].to_numpy(dtype=float)
        bars.barh(y, share, left=left, color=COLOURS[outcome], label=outcome)
        left += share
    shared = table["rank"].value_counts()
    labels = [mpl_text(f"{int(r['rank'])}{'=' * int(shared[r['rank']] > 1)}. {r['rule']}") for _, r in table.iterrows()]
    for i, (_, row) in enumerate(table.iterrows()):
        if "war_low" in row:  # the war share's 95% interval, on the edge of the war segment (which ends at 1)
            edge = 1 - row["war"]
            bars.errorbar(
                edge,
                y[i],
                xerr=[[row["war_high"] - row["war"]], [row["war"] - row["war_low"]]],
                fmt="none",
                ecolor="black",
                capsize=3,
                lw=1,
            )
        bars.text(1.01, y[i], f"{row['mean_deaths']:.0f} dead", va="center", fontsize=9)
    bars.set_yticks(y, labels)
    bars.set_xlim(0, 1.25)
    bars.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    bars.set_xlabel("share of seat-games (mean deaths after the branch on the right)")
    bars.legend(fontsize=8, loc="lower right", ncols=3)
    bars.set_title(
        "Ranking: war share, then deaths, then de-escalation\n('2=': a shared rank, tied within the "
        "95% intervals; black bars: war share's interval)",
        fontsize=10,
    )
    order = list(table["rule"])
    values = matrix.reindex(index=order, columns=order).to_numpy(dtype=float)
    image = grid.imshow(values, cmap="Reds", vmin=0, vmax=1)
    shown = [mpl_text(rule) for rule in order]
    grid.set_xticks(range(size), shown, rotation=45, ha="right")
    grid.set_yticks(range(size), shown)
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            grid.text(
                j, i, f"{value:.2f}", ha="center", va="center", fontsize=8, color="white" if value > 0.5 else "black"
            )
    grid.set_xlabel("opponent")
    grid.set_ylabel("rule")
    grid.set_title("P(war), both seatings pooled")
    fig.colorbar(image, ax=grid, label="probability of war")
    if title:
        fig.suptitle(mpl_text(title))
    return fig
