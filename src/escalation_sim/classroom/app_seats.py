"""The app's class-session pages: a seat per team (/seat/IRN?session=CODE) and the instructor's (/instructor).

A thin layer over `classroom.session`: every rule (who sees what, when the day advances) lives there.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import solara

from ..scenario import load_scenario, scenario_paths
from .game import LET_MODEL_CHOOSE, ChoiceError, GameError
from .session import ClassSession, SeatView, find_session, open_session
from .timeline_view import timeline_svg
from .widgets import bullets, page_style, table, use_live


def _query(name: str) -> str:
    router = solara.use_router()
    values = urllib.parse.parse_qs(router.search or "").get(name, [""])
    return values[0]


def _clock(view: SeatView) -> str:
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
    code = _query("session")
    session = find_session(code)
    use_live(session)
    error, set_error = solara.use_state("")
    with solara.Div(classes=["es-page"]):
        if session is None or actor_id not in session.seats:
            solara.Error(f"No seat {actor_id!r} in a session {code!r}: ask the instructor for your seat's link.")
            return
        view = session.seat_view(actor_id)
        solara.Title(f"{actor_id} - class session {session.code}")
        solara.HTML(tag="h1", unsafe_innerHTML=f"Team {actor_id} ({view.actor_name}) - session {session.code}")
        solara.Text(_clock(view), classes=["es-status", "seat-status"])
        if error:
            solara.Error(error)
        with solara.Div(classes=["es-grid"]):
            with solara.Div(classes=["es-panel", "seat-decide"]):
                _decide(session, view, set_error)
            with solara.Div(classes=["es-panel", "seat-news"]):
                solara.HTML(tag="h2", unsafe_innerHTML="What you know")
                with solara.Div(classes=["es-scroll"]):
                    bullets(view.news[::-1] or ["nothing yet"], css_class="seat-news-list")
            with solara.Div(classes=["es-panel", "seat-blame"]):
                bullets(view.blame, "Whom you hold responsible")
                bullets(view.beliefs or ["(this actor states no beliefs)"], "What you believe")
                bullets(view.costs, "Costs in view")
            with solara.Div(classes=["es-panel", "seat-messages"]):
                Messages(session, view, set_error)


def _decide(session: ClassSession, view: SeatView, set_error: Any) -> None:
    solara.HTML(tag="h2", unsafe_innerHTML="Your decision")
    if view.finished:
        solara.Text("The crisis is over: the instructor has the debrief.")
        return
    if view.chosen is not None:
        solara.Text(f"Chosen for {view.date}: {view.chosen} (you may change it until the day is played)",
                    classes=["seat-chosen"])  # fmt: skip

    def choose(choice: Any) -> None:
        try:
            session.choose(view.actor_id, choice)
            set_error("")
        except (ChoiceError, GameError) as exc:
            set_error(str(exc))

    hold = session.games[view.actor_id].actor.hold_index
    with solara.Row(classes=["es-buttons"]):
        solara.Button("Hold", on_click=lambda: choose(None), color="primary")
        solara.Button("Let the model decide", on_click=lambda: choose(LET_MODEL_CHOOSE))
    with solara.Row(classes=["es-buttons"]):
        for o in view.options:
            if o.index == hold:
                continue
            label = f"{o.text} (rung {o.rung})" + ("" if o.available else f" - open in {o.cooling_days} d")
            solara.Button(label, on_click=lambda i=o.index: choose(i), disabled=not o.available, small=True,
                          outlined=True)  # fmt: skip


@solara.component
def Messages(session: ClassSession, view: SeatView, set_error: Any) -> None:
    solara.HTML(tag="h2", unsafe_innerHTML="Private messages")
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


@solara.component
def InstructorPage() -> None:
    """Open a class session, then run it: every seat's screen, advance, pause, timing, injects, debrief."""
    page_style()
    router = solara.use_router()
    session = find_session(_query("session"))
    with solara.Div(classes=["es-page"]):
        if session is None:
            OpenForm(lambda code: router.push(f"/instructor?session={code}"))
            return
        RunSession(session)


@solara.component
def OpenForm(opened: Any) -> None:
    files = dict(scenario_paths())
    name, set_name = solara.use_state("jan2020" if "jan2020" in files else next(iter(files)))
    scenario = solara.use_memo(lambda: load_scenario(files[name]), [name])
    picked, set_seats = solara.use_state(list[str]())
    states = [a for a, s in scenario.actors.items() if s.kind == "state"][:2]
    seats = [a for a in scenario.actors if a in picked] or states  # another scenario: its first two states
    seed, set_seed = solara.use_state(0)
    seconds, set_seconds = solara.use_state(0)
    error, set_error = solara.use_state("")
    solara.HTML(tag="h1", unsafe_innerHTML="Open a class session")
    solara.Text("One model for the class; a seat (an actor) per team. Each team sees only what its actor knows.")
    if error:
        solara.Error(error)
    solara.Select("Scenario", values=list(files), value=name, on_value=set_name)
    with solara.Row(classes=["es-buttons"]):
        for actor_id, spec in scenario.actors.items():
            solara.Checkbox(label=f"{actor_id} ({spec.name})", value=actor_id in seats,
                            on_value=lambda on, a=actor_id: set_seats([x for x in seats if x != a] + [a] * on))
    solara.InputInt("Random seed", value=seed, on_value=set_seed)
    solara.InputInt("Seconds per day (0: no limit)", value=seconds, on_value=set_seconds)

    def open_it() -> None:
        try:
            session = open_session(scenario, seats, seed=seed, day_seconds=seconds or None)
        except GameError as exc:
            set_error(str(exc))
            return
        opened(session.code)

    solara.Button("Open the session", on_click=open_it, color="primary", disabled=not seats)


@solara.component
def RunSession(session: ClassSession) -> None:
    version = use_live(session)  # here, not in the page: a child with unchanged arguments is not redrawn
    model = session.model
    solara.Title(f"Instructor - class session {session.code}")
    solara.HTML(tag="h1", unsafe_innerHTML=f"{model.crisis.title} - class session {session.code}")
    first = session.seat_view(session.seats[0])
    solara.Text(_clock(first), classes=["es-status", "instructor-status"])
    with solara.Div(classes=["es-grid"]):
        with solara.Div(classes=["es-panel", "es-wide", "es-figure"]):
            solara.HTML(tag="div", unsafe_innerHTML=timeline_svg(model), classes=["timeline-svg"])
        with solara.Div(classes=["es-panel", "instructor-controls"]):
            Controls(session, version)
        with solara.Div(classes=["es-panel", "instructor-inject"]):
            InjectForm(session, version)
        for status in session.instructor_view():
            with solara.Div(classes=["es-panel", "instructor-seat"]):
                link = f"/seat/{status.actor_id}?session={session.code}"
                solara.HTML(tag="h2", unsafe_innerHTML=f"{status.actor_id}: <a href='{link}'>{link}</a>")
                solara.Text(f"today: {status.chosen or 'not chosen yet'}")
                with solara.Div(classes=["es-scroll"]):
                    bullets(status.view.news[::-1][:12], "What it knows (newest first)")
                    bullets(status.view.blame, "Whom it holds responsible")
                    bullets([f"{m.date} {m.sender} -> {m.recipient}: {m.text}" for m in status.view.messages]
                            or ["none"], "Messages")  # fmt: skip
        if session.finished:
            with solara.Div(classes=["es-panel", "es-wide", "instructor-debrief"]):
                DebriefPanel(session, version)


@solara.component
def Controls(session: ClassSession, version: int) -> None:
    error, set_error = solara.use_state("")
    seconds, set_seconds = solara.use_state(int(session.day_seconds or 0))
    solara.HTML(tag="h2", unsafe_innerHTML="Day, pause and timing")
    if error:
        solara.Error(error)

    def attempt(action: Any) -> None:
        try:
            action()
            set_error("")
        except (ChoiceError, GameError) as exc:
            set_error(str(exc))

    with solara.Row(classes=["es-buttons"]):
        solara.Button("Advance the day", on_click=lambda: attempt(session.advance), color="primary",
                      disabled=session.finished)  # fmt: skip
        solara.Button("Resume" if session.paused else "Pause", on_click=lambda: attempt(
            lambda: session.pause(not session.paused)))  # fmt: skip
    solara.InputInt("Seconds per day (0: no limit)", value=seconds, on_value=set_seconds)
    solara.Button("Set the timing", on_click=lambda: attempt(lambda: session.set_timing(seconds or None)))


@solara.component
def InjectForm(session: ClassSession, version: int) -> None:
    model = session.model
    actor, set_actor = solara.use_state(model.actor_ids[0])
    action, set_action = solara.use_state("threaten")
    target, set_target = solara.use_state(model.actor_ids[-1])
    killed, set_killed = solara.use_state(0)
    note, set_note = solara.use_state("")
    solara.HTML(tag="h2", unsafe_innerHTML="Inject an event (next day)")
    solara.Select("Actor", values=model.actor_ids, value=actor, on_value=set_actor)
    solara.Select("Action", values=list(model.ladder), value=action, on_value=set_action)
    solara.Select("Target", values=model.actor_ids, value=target, on_value=set_target)
    solara.InputInt("Killed", value=killed, on_value=set_killed)

    def add() -> None:
        try:
            event = session.inject(actor, action, target, killed)
            set_note(f"{event.id} on {event.date}: {event.description}")
        except GameError as exc:
            set_note(str(exc))

    solara.Button("Add the event", on_click=add, disabled=session.finished)
    if note:
        solara.Text(note)


@solara.component
def DebriefPanel(session: ClassSession, version: int) -> None:
    result, set_result = solara.use_state(None)  # type: ignore[arg-type]
    solara.HTML(tag="h2", unsafe_innerHTML="Debrief: the class against history and the model")
    if result is None:
        solara.Button("Debrief (runs the model 100 times)", on_click=lambda: set_result(session.debrief(runs=100)),
                      color="primary")  # fmt: skip
        return
    o = result.outcome
    first = next(iter(result.seats.values()))
    solara.Text(f"The class: {o['outcome']} (highest rung {o.get('max_rung')}, deaths in hostile acts "
                f"{o.get('hostile_deaths')}); history: {first.history.outcome} (deaths "
                f"{first.history.hostile_deaths}).", classes=["debrief-outcome"])  # fmt: skip
    if first.placement is not None:
        p = first.placement
        shares = ", ".join(f"{k} {100 * v:.0f}%" for k, v in p.outcome_shares.items())
        solara.Text(f"The model from the same branch point ({p.runs} runs): {shares}; the class's deaths exceed "
                    f"{100 * p.deaths_below:.0f}% of runs.")  # fmt: skip
    for actor_id, d in result.seats.items():
        dates = sorted({s.date for s in d.your_path} | {s.date for s in d.history.path})
        rows = [[str(day), "; ".join(s.text for s in d.your_path if s.date == day) or "hold",
                 "; ".join(s.text for s in d.history.path if s.date == day)] for day in dates]  # fmt: skip
        table(["date", f"team {actor_id}", "history"], rows, css_class="debrief-path")
