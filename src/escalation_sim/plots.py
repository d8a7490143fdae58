"""Figures of single runs: where each actor stood on the ladder, day by day, with history marked.

Text from input files (titles, actor ids, ladder labels) is shown as written: `mpl_text` escapes the `$` that
would otherwise start matplotlib mathtext (a title with `$\\frac` would stop the figure from drawing).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
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


BRANCH_LABEL = "branch-label"  # the gid of the branch line's label (the app keeps event labels clear of it)
PALETTE = ["#1f4e79", "#b22222", "#2e8b57", "#d2691e", "#6a5acd", "#8b8b00", "#008b8b", "#8b008b"]


@dataclass(frozen=True, slots=True)
class TimelineStyle:
    """How a timeline is drawn where it is shown: the figure `run` writes, or the app's projector view."""

    font: float  # rung names and legend
    marker: tuple[float, float]  # marker area: history, model
    edge: float  # marker edge width
    headroom: float  # rungs of space above the top rung
    label_chars: int  # a rung's names are wrapped at about this width (a name is never cut)
    ticks: tuple[int, int]  # date ticks: at least, at most
    ylabel: str
    legend: dict[str, Any] = field(default_factory=dict)  # where the legend goes, its type size
    legend_cols: int = 9
    legend_labels: tuple[str, str] = ("history (hollow)", "no force (square)")
    accident_in_legend: bool = True
    label_lines: int = 2  # lines a rung's names may take: the whole names that fit, then "+N more"
    axis_font: float | None = None  # the y label and the dates (None: matplotlib's default)


FIGURE = TimelineStyle(
    font=7,
    marker=(70, 45),
    edge=1.5,
    headroom=1.5,
    label_chars=38,
    ticks=(4, 9),
    ylabel="escalation ladder (rung)",
    # below the axes, in one row: a legend at the side squeezes the plot in narrow panels
    legend={"loc": "upper center", "fontsize": 8, "bbox_to_anchor": (0.5, -0.08)},
)


def timeline(model: EscalationModel, ax: Axes | None = None, label_history: bool = True) -> Figure:
    """Rung of every action over time, one colour per actor; history hollow and labelled, the branch marked."""
    if ax is None:
        fig = Figure(figsize=(12, 5.5), layout="constrained")  # no pyplot: works under any backend, leaks none
        ax = fig.add_subplot()
    else:
        fig = ax.figure  # type: ignore[assignment]
    colours = draw_timeline(model, ax, FIGURE, model.start_date + dt.timedelta(days=model.horizon))
    labelled = 0
    for record in model.records:
        if record.actor is None:  # an event with no actor (the Kerman stampede): its dotted line, labelled
            ax.annotate(
                mpl_text(record.event_id or record.action),
                (record.date, 0),
                textcoords="offset points",
                xytext=(2, -12),
                fontsize=7,
                color="grey",
            )
        elif record.origin == "history" and label_history and record.event_id:
            ax.annotate(
                mpl_text(record.event_id),
                (record.date, record.rung),
                textcoords="offset points",
                xytext=(0, 10 + 9 * (labelled % 3)),
                ha="center",
                fontsize=7,
                color=colours[record.actor],
            )
            labelled += 1
    ax.axhline(model.crisis.outcomes.calm_rung - 0.5, color="grey", linewidth=0.6, alpha=0.5)
    title = model.crisis.title
    if not model.running:
        title += f"  -  outcome: {model.outcome.outcome}"
    ax.set_title(mpl_text(title), fontsize=11)
    return fig


def draw_timeline(model: EscalationModel, ax: Axes, style: TimelineStyle, last: dt.date) -> dict[str, str]:
    """The one drawing of the ladder timeline, up to `last`, for the figure and the app: a stem and a marker per
    act (one scatter per actor and look: hollow for history, a circle for force, a square without, X for an
    accident), a dotted line for an event with no actor, the branch point, the rungs named, the legend. Text
    from input files is escaped (`mpl_text`). Returns the actors' colours, for the labels each view adds."""
    colours = {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(model.actor_ids)}
    ladder = model.ladder
    groups: dict[tuple[str, str, bool], list[tuple[dt.date, int]]] = {}
    for record in model.records:
        if record.actor is None:
            ax.axvline(record.date, color="grey", linestyle=":", linewidth=0.8)
            continue
        action = ladder[record.action]
        marker = "X" if action.effect == "accident" else ("o" if action.force else "s")
        groups.setdefault((record.actor, marker, record.origin == "history"), []).append((record.date, record.rung))
    for (actor, marker, history), points in groups.items():
        dates, rungs = zip(*points, strict=True)
        colour = colours[actor]
        ax.vlines(dates, 0, rungs, color=colour, alpha=0.25, linewidth=1)  # no line implies a standing rung
        ax.scatter(
            dates,
            rungs,
            s=style.marker[0] if history else style.marker[1],
            marker=marker,
            zorder=3,
            facecolors="white" if history else colour,
            edgecolors=colour,
            linewidths=style.edge,
        )
    _ladder_axis(model, ax, style)
    ax.set_xlim(model.start_date - dt.timedelta(days=1), last)
    if model.branch_date is not None and model.branch_date <= last:
        ax.axvline(model.branch_date, color="black", linestyle="--", linewidth=1)
        _branch_label(ax, model.branch_date, style.font)
    locator = mdates.AutoDateLocator(minticks=style.ticks[0], maxticks=style.ticks[1])
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if style.axis_font is not None:
        ax.tick_params(axis="x", labelsize=style.axis_font)
        ax.xaxis.get_offset_text().set_fontsize(style.axis_font)
    ax.grid(axis="y", alpha=0.2)
    acted = {actor for actor, _, _ in groups}
    handles = [
        Line2D([], [], color=colours[a], marker="o", linestyle="", label=mpl_text(a))
        for a in model.actor_ids
        if a in acted
    ]
    grey = {"color": "grey", "linestyle": ""}
    history, calm = style.legend_labels
    handles.append(Line2D([], [], marker="o", markerfacecolor="white", label=history, **grey))
    handles.append(Line2D([], [], marker="s", label=calm, **grey))
    if style.accident_in_legend:
        handles.append(Line2D([], [], marker="X", label="accident", **grey))
    ax.legend(handles=handles, frameon=False, ncols=min(len(handles), style.legend_cols), **style.legend)
    ax.set_ylabel(style.ylabel, fontsize=style.axis_font)
    return colours


def _branch_label(ax: Axes, branch: dt.date, font: float) -> None:
    """Name the branch line at the top of the axis (`fit_branch_label` chooses its side)."""
    ax.annotate(
        "branch: the model decides \u2192",  # the arrow points at the model's days on either side
        (branch, 1),
        xycoords=("data", "axes fraction"),
        xytext=(4, -3),
        textcoords="offset points",
        va="top",
        fontsize=font,
        gid=BRANCH_LABEL,
    )
    fit_branch_label(ax)


def fit_branch_label(ax: Axes) -> None:
    """The branch line's label on the model's side of the line; on history's side when the model's side is too
    narrow for it (the label would leave the axis). Called again by a view that moves the axis."""
    fig = ax.figure
    if not hasattr(fig.canvas, "get_renderer"):  # a bare Figure: text is measured as Agg draws it
        FigureCanvasAgg(fig)  # type: ignore[arg-type]
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for text in ax.texts:
        if text.get_gid() != BRANCH_LABEL:
            continue
        text.set_horizontalalignment("left")
        text.xyann = (4, -3)  # type: ignore[attr-defined]
        if text.get_window_extent(renderer).x1 > ax.get_window_extent(renderer).x1:
            text.set_horizontalalignment("right")
            text.xyann = (-4, -3)  # type: ignore[attr-defined]


def rung_names(model: EscalationModel) -> dict[int, list[str]]:
    """Every rung of the model's ladder with the names of the acts a rule may choose on it (none: an empty list)."""
    names: dict[int, list[str]] = {a.rung: [] for a in model.ladder.values()}
    for action in model.ladder.values():
        if action.chosen and not action.justifies:
            names[action.rung].append(action.label)
    return dict(sorted(names.items()))


def rung_label(rung: int, names: list[str], width: int, lines: int) -> str:
    """A rung's number and names on at most `lines` lines of about `width` characters. A name is never cut: the
    first is always shown whole, and the names that do not fit are counted ("+3 more")."""
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        text = "\u00a0/ ".join(names[:shown]) + (f" +{rest}\u00a0more" if rest else "")  # a line may end at "/"
        wrapped = _wrap(f"{rung}  {text}", width)
        if len(wrapped) <= lines or shown == 1:
            while len(wrapped) > lines:  # one name longer than the lines allow: wider lines, never a cut
                width += 4
                wrapped = _wrap(f"{rung}  {text}", width)
            return "\n".join(wrapped).replace("\u00a0", " ")
    return str(rung)


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def _ladder_axis(model: EscalationModel, ax: Axes, style: TimelineStyle) -> None:
    """Rungs as y ticks, each named by the actions on it (whole names, `rung_label`), with room above."""
    names = rung_names(model)
    labels = [rung_label(r, n, style.label_chars, style.label_lines) for r, n in names.items()]
    ax.set_yticks(list(names))
    ax.set_yticklabels([mpl_text(t) for t in labels], fontsize=style.font)
    ax.set_ylim(min(names) - 0.5, max(names) + style.headroom)
