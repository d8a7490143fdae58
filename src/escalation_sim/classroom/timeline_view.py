"""The app's ladder timeline: an inline SVG sized to be read on a projector.

Drawn by `plots.draw_timeline`, as the figure `run` writes, in the app's style (`APP`); the axis follows the
game: it spans the days played so far (at least two weeks), so ten steps fill the axis instead of a sixth of
it. Type is set in points at the figure's natural size (1 pt = 4/3 CSS px) and the page never shows the figure
smaller than that at 1280x720 at 125%, so labels stay at or above `MIN_FONT_PT`; an event label that would
overlap another label is left off (every event is in the list under the figure).

Why one line per rung: at the type size a projector needs, the 14 rungs of the shared ladder leave room for one
line each (two lines overlapped their neighbours, and a taller figure would be shown smaller than its natural
size on a 16:9 screen, under the page's 78vh cap). So the axis names each rung's first acts whole and counts the
rest ("+6 more"); `rung_key` lists those rungs in full under the figure, as text the page wraps.

Why 2.25:1: the card of a 16:9 screen (1280x720 at 125%, 1366x768, 1920x1080) is about 2.2 times as wide as
the page's 78vh, so a figure of that shape fills the card's width instead of leaving bands at its sides.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from ..plots import BRANCH_LABEL, TimelineStyle, draw_timeline, fit_branch_label, mpl_text, rung_label, rung_names

if TYPE_CHECKING:
    from ..model import EscalationModel

MIN_FONT_PT = 9.5  # 12.7 CSS px at natural size: the smallest type on the figure
WIDTH_IN = 9.4  # natural width 902 CSS px: fits the narrowest layout (1024 CSS px, 1280x720 at 125%)
HEIGHT_IN = WIDTH_IN / 2.25  # natural height 401 CSS px
MIN_SPAN_DAYS = 14
LABEL_CHARS = 34  # a rung's label on the axis: its first names whole within about this many characters
FONT_SLACK = 1.1  # room for a browser font a little wider than matplotlib's measure of DejaVu Sans
APP = TimelineStyle(
    font=MIN_FONT_PT,
    marker=(80, 55),
    edge=1.6,
    headroom=1.3,  # room for the branch line's label above the top rung
    label_chars=LABEL_CHARS,
    label_lines=1,
    ticks=(3, 7),
    ylabel="rung on the escalation ladder",
    legend={  # above the axes, in one row: it covers no marker and no label
        "loc": "lower left",
        "fontsize": MIN_FONT_PT,
        "bbox_to_anchor": (0.0, 1.0),
        "handletextpad": 0.1,
        "columnspacing": 0.8,
        "borderaxespad": 0.1,
        "borderpad": 0.2,
    },
    legend_cols=99,
    legend_labels=("history", "no force"),
    accident_in_legend=False,
    axis_font=MIN_FONT_PT,
)


def rung_key(model: EscalationModel) -> list[str]:
    """The rungs whose label on the axis leaves acts out ("+N more"), each with all its acts' names."""
    return [
        f"{rung}: " + " / ".join(names)
        for rung, names in rung_names(model).items()
        if "more" in rung_label(rung, names, LABEL_CHARS, APP.label_lines).rsplit("+", 1)[-1]
    ]


def timeline_svg(model: EscalationModel) -> str:
    """The timeline as an SVG document (text kept as text, so the page can measure and zoom it)."""
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN))  # margins measured (`_fit_margins`): a constrained layout took
    FigureCanvasAgg(fig)  # half the time; text extents are measured while labels are placed
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


def _draw(model: EscalationModel, ax: Axes) -> None:
    """The shared drawing (plots.draw_timeline) over the days played, then the labels that fit."""
    played = max(model.day, 0)
    last = model.start_date + dt.timedelta(days=max(played + 1, MIN_SPAN_DAYS))
    colours = draw_timeline(model, ax, APP, last)
    _fit_margins(ax)
    _label_events(model, ax, colours, MIN_FONT_PT)


def _fit_margins(ax: Axes) -> None:
    """Margins that hold the rung names, the dates and the legend as drawn (with `FONT_SLACK`), no wider."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    fig.draw_without_rendering()
    width, height = fig.bbox.width, fig.bbox.height
    box = ax.get_window_extent(renderer)
    ticks = max(t.get_window_extent(renderer).width for t in ax.get_yticklabels())
    left = box.x0 - ax.yaxis.label.get_window_extent(renderer).x0 + ticks * (FONT_SLACK - 1) + 4  # the rung names
    dates = box.y0 - min(t.get_window_extent(renderer).y0 for t in [*ax.get_xticklabels(), ax.xaxis.offsetText])
    legend = ax.get_legend().get_window_extent(renderer).height  # type: ignore[union-attr]
    fig.subplots_adjust(
        left=min(left / width, 0.45), right=0.985, bottom=(dates + 6) / height, top=1 - (legend + 4) / height
    )
    fit_branch_label(ax)  # the axis moved: the branch line's label may need history's side


def _label_events(model: EscalationModel, ax: object, colours: dict[str, str], font: float) -> None:
    """Label history's events by id where the label overlaps nothing already drawn (newest first)."""
    fig = ax.figure  # type: ignore[attr-defined]
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    taken: list[Bbox] = [ax.get_legend().get_window_extent(renderer)]  # type: ignore[attr-defined]
    taken += [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == BRANCH_LABEL]  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)  # type: ignore[attr-defined]
    for record in reversed(model.records):
        if record.origin != "history" or not record.event_id or record.actor is None:
            continue
        for offset in (12, 26, 40, -22):
            text = ax.annotate(  # type: ignore[attr-defined]
                mpl_text(record.event_id),
                (record.date, record.rung),
                textcoords="offset points",
                xytext=(0, offset),
                ha="center",
                fontsize=font,
                color=colours[record.actor],
            )
            text.set_in_layout(False)  # the layout stays as measured
            box = text.get_window_extent(renderer).expanded(1.15, 1.15)  # room for a browser font a little wider
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                break
            text.remove()
