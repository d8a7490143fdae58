"""The app's ladder timeline: an inline SVG sized to be read on a projector.

Unlike `plots.timeline` (the figure `run` writes, unchanged), the axis follows the game: it spans the days
played so far (at least two weeks), so ten steps fill the axis instead of a sixth of it. Type is set in points
at the figure's natural size (1 pt = 4/3 CSS px) and the page never shows the figure wider than that, so
labels stay at or above `MIN_FONT_PT`; an event label that would overlap another label is left off (every
event is in the list under the figure).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from ..plots import PALETTE

if TYPE_CHECKING:
    from ..model import EscalationModel

MIN_FONT_PT = 9.5  # 12.7 CSS px at natural size: the smallest type on the figure
WIDTH_IN = 9.4  # natural width 902 CSS px: fits the narrowest layout (1024 CSS px, 1280x720 at 125%)
HEIGHT_IN = 4.6
MIN_SPAN_DAYS = 14
LABEL_CHARS = 26


def timeline_svg(model: EscalationModel) -> str:
    """The timeline as an SVG document (text kept as text, so the page can measure and zoom it)."""
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN))  # fixed margins: a constrained layout took half the time
    fig.subplots_adjust(left=0.27, right=0.985, top=0.975, bottom=0.11)  # room for LABEL_CHARS-long rung names
    FigureCanvasAgg(fig)  # text extents are measured while labels are placed
    ax = fig.subplots()
    _draw(model, ax)
    buffer = io.StringIO()
    with _svg_text_as_text():
        fig.savefig(buffer, format="svg")
    return buffer.getvalue()


class _svg_text_as_text:
    """Keep SVG text as <text> elements (measurable, crisp at any zoom) for one savefig."""

    def __enter__(self) -> None:
        import matplotlib

        self._old = matplotlib.rcParams["svg.fonttype"]
        matplotlib.rcParams["svg.fonttype"] = "none"

    def __exit__(self, *exc: object) -> None:
        import matplotlib

        matplotlib.rcParams["svg.fonttype"] = self._old


def _draw(model: EscalationModel, ax: object) -> None:
    colours = {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(model.actor_ids)}
    ladder = model.ladder
    font = MIN_FONT_PT
    played = max(model.day, 0)
    last = model.start_date + dt.timedelta(days=max(played + 1, MIN_SPAN_DAYS))
    ax.set_xlim(model.start_date - dt.timedelta(days=1), last)  # type: ignore[attr-defined]
    rungs = sorted({a.rung for a in ladder.values()})
    ax.set_ylim(min(rungs) - 0.5, max(rungs) + 1.8)  # type: ignore[attr-defined]
    groups: dict[tuple[str, str, bool], list[tuple[dt.date, int]]] = {}  # one scatter per look: fast to draw
    for record in model.records:
        if record.actor is None:
            ax.axvline(record.date, color="grey", linestyle=":", linewidth=0.8)  # type: ignore[attr-defined]
            continue
        effect = ladder[record.action].effect
        marker = "X" if effect == "accident" else ("o" if ladder[record.action].force else "s")
        groups.setdefault((record.actor, marker, record.origin == "history"), []).append((record.date, record.rung))
    for (actor, marker, history), points in groups.items():
        dates, rungs_ = zip(*points, strict=True)
        colour = colours[actor]
        ax.vlines(dates, 0, rungs_, color=colour, alpha=0.25, linewidth=1)  # type: ignore[attr-defined]
        ax.scatter(dates, rungs_, s=80 if history else 55, marker=marker, zorder=3,  # type: ignore[attr-defined]
                   facecolors="white" if history else colour, edgecolors=colour, linewidths=1.6)  # fmt: skip
    if model.branch_date is not None and model.branch_date <= last:
        ax.axvline(model.branch_date, color="black", linestyle="--", linewidth=1)  # type: ignore[attr-defined]
    names: dict[int, list[str]] = {}
    for action in ladder.values():
        if action.chosen and not action.justifies:
            names.setdefault(action.rung, []).append(action.label)
    ax.set_yticks(rungs)  # type: ignore[attr-defined]
    ax.set_yticklabels([f"{r} " + _short(" / ".join(names.get(r, []))) for r in rungs], fontsize=font)  # type: ignore[attr-defined]
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)  # type: ignore[attr-defined]
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[attr-defined]
    ax.tick_params(axis="x", labelsize=font)  # type: ignore[attr-defined]
    ax.xaxis.get_offset_text().set_fontsize(font)  # type: ignore[attr-defined]
    ax.grid(axis="y", alpha=0.2)  # type: ignore[attr-defined]
    handles = [Line2D([], [], color=colours[a], marker="o", linestyle="", label=a) for a in model.actor_ids]
    handles.append(Line2D([], [], color="grey", marker="o", markerfacecolor="white", linestyle="", label="history"))
    handles.append(Line2D([], [], color="grey", marker="s", linestyle="", label="no force"))
    ax.legend(handles=handles, loc="upper left", fontsize=font, ncols=len(handles), frameon=False,  # type: ignore[attr-defined]
              bbox_to_anchor=(0.0, 1.0), handletextpad=0.1, columnspacing=0.8, borderaxespad=0.2)  # fmt: skip
    ax.set_ylabel("rung on the escalation ladder", fontsize=font)  # type: ignore[attr-defined]
    _label_events(model, ax, colours, font)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _label_events(model: EscalationModel, ax: object, colours: dict[str, str], font: float) -> None:
    """Label history's events by id where the label overlaps nothing already drawn (newest first)."""
    fig = ax.figure  # type: ignore[attr-defined]
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    taken: list[Bbox] = [ax.get_legend().get_window_extent(renderer)]  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)  # type: ignore[attr-defined]
    for record in reversed(model.records):
        if record.origin != "history" or not record.event_id or record.actor is None:
            continue
        for offset in (12, 26, 40, -22):
            text = ax.annotate(  # type: ignore[attr-defined]
                record.event_id, (record.date, record.rung), textcoords="offset points", xytext=(0, offset),
                ha="center", fontsize=font, color=colours[record.actor],
            )  # fmt: skip
            text.set_in_layout(False)  # the layout stays as measured
            box = text.get_window_extent(renderer).expanded(1.15, 1.15)  # room for a browser font a little wider
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                break
            text.remove()
