"""The app's seat page, one per team (/seat/IRN?session=CODE&token=TOKEN); the instructor's is `app_instructor`.

A thin layer over `classroom.session`: every rule (who sees what, when the day advances, which token opens
which seat) lives there. A page without its seat's own token shows a refusal and nothing of the session.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import solara

from .game import LET_MODEL_CHOOSE, ChoiceError, GameError
from .session import ClassSession, SeatView
from .sessions import find_session
from .widgets import bullets, heading, page_style, use_live


def query(name: str) -> str:
    """A value of the page's query string ("" if absent), bounded: a token is never longer than 64 characters."""
    router = solara.use_router()
    values = urllib.parse.parse_qs(router.search or "").get(name, [""])
    return values[0][:64]


def clock(view: SeatView) -> str:
    if view.finished:
        return "the crisis is over"
    parts = [f"{view.date}: day {view.turn} of {view.turns}"]
    if view.paused:
        parts.append("paused by the instructor")
    if view.seconds_left is not None:
        parts.append(f"{view.seconds_left:.0f} s left")
    waiting = f"waiting for {view.waiting_for} team{'s' * (view.waiting_for != 1)}" if view.waiting_for else ""
    return " - ".join(parts + ([waiting] if waiting else []))


@solara.component
def SeatPage(actor_id="") -> None:  # unannotated: Solara would cast the URL part with the annotation
    """One team's screen: only what its actor could know, its menu, and its private messages."""
    page_style()
    found = find_session(query("session"))
    refusal = (
        "no such class session: ask the instructor for your seat's link"
        if found is None
        else found.seat_refusal(str(actor_id), query("token"))
    )
    session = None if refusal else found
    use_live(session)
    error, set_error = solara.use_state("")
    with solara.Div(classes=["es-page"]):
        if session is None:
            solara.Title("escalation-sim: seat refused")
            solara.Error(f"Refused: {refusal}.", classes=["seat-refused"])
            return
        view = session.seat_view(actor_id)
        solara.Title(f"{actor_id} - class session {session.code}")
        heading(f"Team {actor_id} ({view.actor_name}) - session {session.code}", "h1")
        solara.Text(clock(view), classes=["es-status", "seat-status"])
        if error:
            solara.Error(error)
        with solara.Div(classes=["es-grid"]):
            with solara.Div(classes=["es-panel", "seat-decide"]):
                _decide(session, view, set_error)
            with solara.Div(classes=["es-panel", "seat-news"]):
                heading("What you know")
                with solara.Div(classes=["es-scroll"]):
                    bullets(view.news[::-1] or ["nothing yet"], css_class="seat-news-list")
            with solara.Div(classes=["es-panel", "seat-blame"]):
                bullets(view.blame, "Whom you hold responsible")
                if view.beliefs:
                    bullets(view.beliefs, "What you believe")
                bullets(view.costs, "Costs in view")
            with solara.Div(classes=["es-panel", "seat-messages"]):
                Messages(session, view, set_error)
            if view.finished:
                with solara.Div(classes=["es-panel", "seat-download"]):
                    heading("Your game")
                    solara.FileDownload(
                        lambda: _seat_game(session, actor_id),
                        filename=f"{session.code}-{actor_id}.json",
                        label="Download your game (for `escalation-sim debrief`)",
                    )


def _decide(session: ClassSession, view: SeatView, set_error: Any) -> None:
    heading("Your decision")
    if view.finished:
        solara.Text("The crisis is over: the instructor has the debrief.")
        return
    if view.last:
        solara.Text(f"Last day: {view.last}", classes=["seat-last"])
    if view.delegated:
        solara.Text("The model plays this seat from now on.", classes=["seat-chosen"])
        solara.Button("Take the seat back", on_click=lambda: session.delegate(view.actor_id, False))
        return
    if view.chosen is not None:
        solara.Text(
            f"Chosen for {view.date}: {view.chosen} (you may change it until the day is played)",
            classes=["seat-chosen"],
        )

    def choose(choice: Any) -> None:
        try:
            session.choose(view.actor_id, choice)
            set_error("")
        except (ChoiceError, GameError) as exc:
            set_error(str(exc))

    hold = session.games[view.actor_id].actor.hold_index
    with solara.Row(classes=["es-buttons"]):
        solara.Button("Hold", on_click=lambda: choose(None), color="primary")
        solara.Button("Let the model decide today", on_click=lambda: choose(LET_MODEL_CHOOSE))
        solara.Button(
            "Let the model play this seat from now on", outlined=True, on_click=lambda: session.delegate(view.actor_id)
        )
    with solara.Row(classes=["es-buttons"]):
        for o in view.options:
            if o.index == hold:
                continue
            label = f"{o.text} (rung {o.rung})" + ("" if o.available else f" - open in {o.cooling_days} d")
            solara.Button(
                label, on_click=lambda i=o.index: choose(i), disabled=not o.available, small=True, outlined=True
            )


@solara.component
def Messages(session: ClassSession, view: SeatView, set_error: Any) -> None:
    heading("Private messages")
    others = [a for a in session.model.actor_ids if a != view.actor_id]
    to, set_to = solara.use_state(others[0] if others else "")
    text, set_text = solara.use_state("")
    lines = [f"{m.date} {m.sender} -> {m.recipient}: {m.text}" for m in view.messages]
    bullets(lines[::-1] or ["none"], css_class="seat-message-list")

    def send() -> None:
        try:
            session.send(view.actor_id, to, text)
            set_text("")
            set_error("")
        except GameError as exc:
            set_error(str(exc))

    solara.Select("To", values=others, value=to, on_value=set_to)
    solara.InputText("Message", value=text, on_value=set_text, continuous_update=True)
    solara.Button("Send", on_click=send, disabled=not text.strip())


def _seat_game(session: ClassSession, actor_id: str) -> str:
    """The seat's game as `play --record` saves one (offered once the crisis is over: it names every actor)."""
    return json.dumps(session.games[actor_id].record().model_dump(mode="json"), indent=1) + "\n"
