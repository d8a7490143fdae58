"""Figures of single runs: where each actor stood on the ladder, day by day, with history marked.

Text from input files (titles, actor ids, ladder labels) is shown as written: `mpl_text` escapes the `$` that
would otherwise start matplotlib mathtext (a title with `$\\frac` would stop the figure from drawing).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

if TYPE_CHECKING:
    from .model import EscalationModel

def mpl_text(value: Any) -> str:
    """Plain text for a matplotlib artist: every `$` escaped, so nothing is parsed as mathtext."""
    return str(value).replace("$", r"\$")


def save_figure(fig: Figure, path: str | Path, dpi: int = 110) -> Path:
    """Save a figure as PNG through the package's one safe writer (regular file, atomic)."""
    from .files import write_with

    return write_with(path, lambda handle: fig.savefig(handle, format="png", dpi=dpi))


PALETTE = ["#1f4e79", "#b22222", "#2e8b57", "#d2691e", "#6a5acd", "#8b8b00", "#008b8b", "#8b008b"]


def timeline(model: EscalationModel, ax: Axes | None = None, label_history: bool = True) -> Figure:
    """Rung of every action over time, one colour per actor; history hollow and labelled, the branch marked."""
    if ax is None:
        fig = Figure(figsize=(12, 5.5), layout="constrained")  # no pyplot: works under any backend, leaks none
        ax = fig.add_subplot()
    else:
        fig = ax.figure  # type: ignore[assignment]
    colours = {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(model.actor_ids)}
    ladder = model.ladder
    series: dict[str, list[tuple[dt.date, int]]] = {a: [] for a in model.actor_ids}
    for record in model.records:
        if record.actor is None:
            continue
        series[record.actor].append((record.date, record.rung))
    for actor, points in series.items():
        for date, rung in points:  # a stem from "hold" to the action: no line implies a standing rung
            ax.plot([date, date], [0, rung], color=colours[actor], alpha=0.25, linewidth=1)
    labelled = 0
    for record in model.records:
        if record.actor is None:  # an event with no actor (the Kerman stampede): a dotted line, labelled
            ax.axvline(record.date, color="grey", linestyle=":", linewidth=0.8)
            ax.annotate(mpl_text(record.event_id or record.action), (record.date, 0), textcoords="offset points",
                        xytext=(2, -12), fontsize=7, color="grey")  # fmt: skip
            continue
        colour = colours[record.actor]
        history = record.origin == "history"
        marker = "X" if ladder[record.action].effect == "accident" else ("o" if ladder[record.action].force else "s")
        ax.scatter(
            record.date, record.rung, s=70 if history else 45, marker=marker, zorder=3,
            facecolors="white" if history else colour, edgecolors=colour, linewidths=1.5,
        )  # fmt: skip
        if history and label_history and record.event_id:
            offset = 10 + 9 * (labelled % 3)
            ax.annotate(
                mpl_text(record.event_id), (record.date, record.rung), textcoords="offset points", xytext=(0, offset),
                ha="center", fontsize=7, color=colour,
            )  # fmt: skip
            labelled += 1
    if model.branch_date is not None:
        ax.axvline(model.branch_date, color="black", linestyle="--", linewidth=1)
        ax.text(model.branch_date, ax.get_ylim()[1], " branch: model decides", va="top", fontsize=8)
    rungs = sorted({a.rung for a in ladder.values()})
    names: dict[int, list[str]] = {}
    for action in ladder.values():
        if action.chosen and not action.justifies:
            names.setdefault(action.rung, []).append(action.label)
    ax.set_yticks(rungs)
    ax.set_yticklabels([mpl_text(f"{r}  " + " / ".join(names.get(r, []))[:38]) for r in rungs], fontsize=7)
    ax.set_ylim(min(rungs) - 0.5, max(rungs) + 1.5)
    ax.axhline(model.crisis.outcomes.calm_rung - 0.5, color="grey", linewidth=0.6, alpha=0.5)
    ax.set_xlim(model.start_date - dt.timedelta(days=1), model.start_date + dt.timedelta(days=model.horizon))
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="y", alpha=0.2)
    handles = [
        Line2D([], [], color=colours[a], marker="o", linestyle="", label=mpl_text(a))
        for a in model.actor_ids
        if series[a]
    ]
    handles.append(Line2D([], [], color="grey", marker="o", markerfacecolor="white", linestyle="",
                              label="history (hollow)"))  # fmt: skip
    handles.append(Line2D([], [], color="grey", marker="s", linestyle="", label="no force (square)"))
    handles.append(Line2D([], [], color="grey", marker="X", linestyle="", label="accident"))
    # below the axes, in one row: a legend at the side squeezes the plot in narrow panels (the app)
    ax.legend(handles=handles, loc="upper center", fontsize=8, ncols=min(len(handles), 9), frameon=False,
              bbox_to_anchor=(0.5, -0.08))  # fmt: skip
    ax.set_ylabel("escalation ladder (rung)")
    outcome = model.outcome if not model.running else None
    title = model.crisis.title
    if outcome is not None:
        title += f"  -  outcome: {outcome.outcome}"
    ax.set_title(mpl_text(title), fontsize=11)
    return fig
