"""Small Solara pieces the app's pages share: the page's style sheet, panels, lists, tables, live sessions.

Lists and tables are plain HTML: solara's Markdown would fetch KaTeX from a CDN, and the page must work
offline. Panels sit in a CSS grid and keep their natural height, so no panel can cover another at any window
size (the browser test measures their boxes at 1280x720 at 125%, 1366x768 and 1920x1080).
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterable
from typing import Any

import solara

CSS = """
.es-page { padding: 12px 16px; font-size: 16px; line-height: 1.35; max-width: 1900px; margin: 0 auto; }
.es-page h1 { font-size: 22px; margin: 0 0 4px 0; font-weight: 600; }
.es-page h2 { font-size: 18px; margin: 0 0 6px 0; font-weight: 600; }
.es-status { font-size: 17px; margin: 2px 0 8px 0; }
.es-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 440px), 1fr));
           gap: 12px; align-items: start; }
.es-panel { min-width: 0; border: 1px solid #c8c8c8; border-radius: 6px; padding: 10px 12px; background: white;
            overflow-wrap: anywhere; }
.es-wide { grid-column: 1 / -1; }
.es-figure svg { max-width: 100%; height: auto; display: block; }
.timeline-svg svg { width: 100%; max-width: 100%; height: auto; max-height: 78vh; }
.seat-qr svg { width: 180px; height: 180px; }
.seat-link, .instructor-link { font-size: 15px; word-break: break-all; margin: 4px 0; }
.es-figure img { max-width: 100%; height: auto; display: block; }
.es-table { width: 100%; border-collapse: collapse; font-size: 14px; table-layout: fixed; }
.es-table th, .es-table td { text-align: left; vertical-align: top; padding: 3px 6px;
                             border-bottom: 1px solid #eee; overflow-wrap: anywhere; }
.es-list { margin: 2px 0 8px 0; padding-left: 20px; font-size: 15px; }
.es-scroll { max-height: 320px; overflow-y: auto; }
.es-help { font-size: 13px; color: #555; margin: -6px 0 8px 0; }
.es-buttons { display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 0; }
.es-buttons .v-btn { text-transform: none; }
"""


def page_style() -> None:
    solara.Style(CSS)


def heading(text: str, tag: str = "h2", classes: list[str] | None = None) -> None:
    """A heading whose text is text, never markup: scenario titles and actor names come from files anyone wrote."""
    solara.HTML(tag=tag, unsafe_innerHTML=html.escape(text), classes=classes or [])


def link(url: str, text: str | None = None, css_class: str = "") -> None:
    """A link whose address and text are escaped (a quote in a scenario's actor id cannot leave the attribute)."""
    shown = html.escape(text if text is not None else url)
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"<a href='{html.escape(url, quote=True)}'>{shown}</a>",
        classes=[css_class] if css_class else [],
    )


def bullets(lines: Iterable[str], title: str = "", css_class: str = "") -> None:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    heading = f"<b>{html.escape(title)}</b>" if title else ""
    classes = ["es-bullets"] + ([css_class] if css_class else [])
    solara.HTML(tag="div", unsafe_innerHTML=f"{heading}<ul class='es-list'>{items}</ul>", classes=classes)


def table(header: list[str], rows: list[list[str]], css_class: str, widths: list[str] | None = None) -> None:
    cols = "".join(f"<col style='width:{w}'>" for w in widths) if widths else ""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    solara.HTML(
        tag="table",
        unsafe_innerHTML=f"<colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody>",
        classes=["es-table", css_class],
    )


def use_live(session: Any) -> int:
    """Re-render when a class session changes (another team chose, the instructor advanced); also runs the
    session's clock. A thread per page waits on the session's condition; it ends when the page goes."""
    version, set_version = solara.use_state(session.version if session is not None else 0)

    def watch() -> Any:
        if session is None:
            return None
        stop = threading.Event()

        def loop() -> None:
            seen = session.version
            while not stop.is_set():
                session.tick()
                now = session.wait_for_change(seen, timeout=1.0)
                if stop.is_set():
                    break
                if now != seen or session.day_seconds is not None:
                    seen = now
                    set_version(lambda v: v + 1)

        threading.Thread(target=loop, daemon=True, name=f"session-{session.code}").start()
        return stop.set

    solara.use_effect(watch, [session])
    return version
