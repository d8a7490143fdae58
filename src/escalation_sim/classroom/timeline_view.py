"""The app's ladder timeline: an inline SVG sized to be read on a projector.

Drawn by `plots.draw_timeline`, as the figure `run` writes, in the app's style (`APP`); the axis follows the
game: it spans the days played so far (at least two weeks), so ten steps fill the axis instead of a sixth of
it. Type is set in points at the figure's natural size (1 pt = 4/3 CSS px) and the page never shows the figure
wider than that, so labels stay at or above `MIN_FONT_PT`; an event label that would overlap another label is
left off (every event is in the list under the figure).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from ..plots import TimelineStyle, draw_timeline, mpl_text

if TYPE_CHECKING:
    from ..model import EscalationModel

MIN_FONT_PT = 9.5  # 12.7 CSS px at natural size: the smallest type on the figure
WIDTH_IN = 9.4  # natural width 902 CSS px: fits the narrowest layout (1024 CSS px, 1280x720 at 125%)
HEIGHT_IN = 4.6
MIN_SPAN_DAYS = 14
LABEL_CHARS = 26
APP = TimelineStyle(
    font=MIN_FONT_PT,
    marker=(80, 55),
    edge=1.6,
    headroom=1.8,
    label_chars=LABEL_CHARS,
    ticks=(3, 7),
    ylabel="rung on the escalation ladder",
    legend={
        "loc": "upper left",
        "fontsize": MIN_FONT_PT,
        "bbox_to_anchor": (0.0, 1.0),
        "handletextpad": 0.1,
        "columnspacing": 0.8,
        "borderaxespad": 0.2,
    },
    legend_cols=99,
    legend_labels=("history", "no force"),
    accident_in_legend=False,
    axis_font=MIN_FONT_PT,
)


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


def _draw(model: EscalationModel, ax: Axes) -> None:
    """The shared drawing (plots.draw_timeline) over the days played, then the labels that fit."""
    played = max(model.day, 0)
    last = model.start_date + dt.timedelta(days=max(played + 1, MIN_SPAN_DAYS))
    colours = draw_timeline(model, ax, APP, last)
    _label_events(model, ax, colours, MIN_FONT_PT)


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
