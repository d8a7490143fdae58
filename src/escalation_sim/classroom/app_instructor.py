"""The app's instructor console (/instructor): open a class session, then run it from /instructor?session=CODE&token=T.

Every seat's link is shown in full (host and port, with the seat's own token) and as a QR code to scan from the
projector; the console's own link carries the instructor's token. Without it the page refuses. Downloads: the
whole session (without tokens) and each seat's game, both read by `escalation-sim debrief`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import segno
import solara

from ..scenario import load_scenario, scenario_paths
from .app_panels import timeline_figure
from .app_seats import clock, query
from .debrief import placement_words
from .game import ChoiceError, GameError
from .session import ClassSession, choice_rows, choice_summary
from .session_file import session_json
from .sessions import find_session, open_session
from .widgets import bullets, heading, link, page_style, table, use_live

URL_ENV = "ESCALATION_SIM_APP_URL"  # set by `escalation-sim app`: the address students' browsers use
SCENARIO_ENV = "ESCALATION_SIM_APP_SCENARIO"  # set by `escalation-sim app SCENARIO`


def base_url() -> str:
    """The server's address as students must type it: from `escalation-sim app`, else the Host the instructor's
    browser used."""
    chosen = os.environ.get(URL_ENV, "").rstrip("/")
    if chosen:
        return chosen
    headers = solara.lab.headers.value or {}
    host = (headers.get("host") or ["127.0.0.1:8765"])[0]
    return f"http://{host}"


def seat_url(session: ClassSession, actor_id: str, base: str) -> str:
    return f"{base}/seat/{actor_id}?session={session.code}&token={session.seat_tokens[actor_id]}"


def instructor_url(session: ClassSession, base: str) -> str:
    return f"{base}/instructor?session={session.code}&token={session.instructor_token}"


def qr_svg(url: str) -> str:
    """A QR code of a link as inline SVG (segno: no image library, no network)."""
    return segno.make(url, error="m").svg_inline(scale=3, border=2)


@solara.component
def InstructorPage() -> None:
    """Open a class session, then run it: every seat's screen, advance, pause, timing, injects, debrief."""
    page_style()
    router = solara.use_router()
    code = query("session")
    found = find_session(code) if code else None
    refusal = None
    if code:
        refusal = "no such class session" if found is None else found.instructor_refusal(query("token"))
    with solara.Div(classes=["es-page"]):
        if refusal:
            solara.Title("escalation-sim: instructor refused")
            solara.Error(
                f"Refused: {refusal}. Use the console link shown when the session was opened, or open a "
                "new session at /instructor.",
                classes=["instructor-refused"],
            )
            return
        if found is None:
            OpenForm(lambda s: router.push(f"/instructor?session={s.code}&token={s.instructor_token}"))
            return
        RunSession(found)


@solara.component
def OpenForm(opened: Any) -> None:
    files = dict(scenario_paths())
    chosen = os.environ.get(SCENARIO_ENV)  # the scenario `escalation-sim app FILE` was given comes first
    if chosen:
        files = {Path(chosen).stem: Path(chosen), **{k: v for k, v in files.items() if k != Path(chosen).stem}}
    name, set_name = solara.use_state(
        next(iter(files)) if chosen else "jan2020" if "jan2020" in files else next(iter(files))
    )
    scenario = solara.use_memo(lambda: load_scenario(files[name]), [name])
    picked, set_seats = solara.use_state(list[str]())
    states = [a for a, s in scenario.actors.items() if s.kind == "state"][:2]
    seats = [a for a in scenario.actors if a in picked] or states  # another scenario: its first two states
    seed, set_seed = solara.use_state(0)
    seconds, set_seconds = solara.use_state(0)
    error, set_error = solara.use_state("")
    heading("Open a class session", "h1")
    solara.Text("One model for the class; a seat (an actor) per team. Each team sees only what its actor knows.")
    if error:
        solara.Error(error)
    solara.Select("Scenario", values=list(files), value=name, on_value=set_name)
    with solara.Row(classes=["es-buttons"]):
        for actor_id, spec in scenario.actors.items():
            solara.Checkbox(
                label=f"{actor_id} ({spec.name})",
                value=actor_id in seats,
                on_value=lambda on, a=actor_id: set_seats([x for x in seats if x != a] + [a] * on),
            )
    solara.InputInt("Random seed", value=seed, on_value=set_seed)
    solara.InputInt("Seconds per day (0: no limit)", value=seconds, on_value=set_seconds)

    def open_it() -> None:
        try:
            session = open_session(scenario, seats, seed=seed, day_seconds=seconds or None)
        except GameError as exc:
            set_error(str(exc))
            return
        opened(session)

    solara.Button("Open the session", on_click=open_it, color="primary", disabled=not seats)


@solara.component
def RunSession(session: ClassSession) -> None:
    version = use_live(session)  # here, not in the page: a child with unchanged arguments is not redrawn
    model = session.model
    base = base_url()
    solara.Title(f"Instructor - class session {session.code}")
    heading(f"{model.crisis.title} - class session {session.code}", "h1")
    solara.Text(clock(session.seat_view(session.seats[0])), classes=["es-status", "instructor-status"])
    with solara.Details("This console's own link (keep it private: it runs the session)"):
        link(instructor_url(session, base), css_class="instructor-link")
    with solara.Div(classes=["es-grid"]):
        with solara.Div(classes=["es-panel", "es-wide", "es-figure", "panel-timeline"]):
            timeline_figure(model)
        with solara.Div(classes=["es-panel", "instructor-controls"]):
            Controls(session, version)
        with solara.Div(classes=["es-panel", "instructor-inject"]):
            InjectForm(session, version)
        for status in session.instructor_view():
            with solara.Div(classes=["es-panel", "instructor-seat"]):
                url = seat_url(session, status.actor_id, base)
                heading(f"Seat {status.actor_id}" + (" (the model plays it)" if status.view.delegated else ""))
                link(url, css_class="seat-link")
                solara.HTML(tag="div", unsafe_innerHTML=qr_svg(url), classes=["seat-qr"])
                solara.Text(f"today: {status.chosen or 'not chosen yet'}")
                with solara.Div(classes=["es-scroll"]):
                    bullets(status.view.news[::-1][:12], "What it knows (newest first)")
                    bullets(status.view.blame, "Whom it holds responsible")
                    bullets(
                        [f"{m.date} {m.sender} -> {m.recipient}: {m.text}" for m in status.view.messages] or ["none"],
                        "Messages",
                    )
        with solara.Div(classes=["es-panel", "instructor-downloads"]):
            Downloads(session, version)
        if session.finished:
            with solara.Div(classes=["es-panel", "es-wide", "instructor-debrief"]):
                DebriefPanel(session, version)


@solara.component
def Downloads(session: ClassSession, version: int) -> None:
    """The session so far (its log, without tokens) and each seat's game: `escalation-sim debrief` reads both."""
    heading("Save the class")
    solara.FileDownload(
        lambda: session_json(session, secrets=False),
        filename=f"session-{session.code}.json",
        label="Download the whole session",
    )
    for actor_id, game in session.games.items():
        solara.FileDownload(
            lambda g=game: g.record().model_dump_json(indent=1),
            filename=f"session-{session.code}-{actor_id}.json",
            label=f"Download seat {actor_id}'s game",
        )
    solara.Text(
        "The session is also saved on the server after every change, and restored after a restart.", classes=["es-help"]
    )


@solara.component
def Controls(session: ClassSession, version: int) -> None:
    error, set_error = solara.use_state("")
    seconds, set_seconds = solara.use_state(int(session.day_seconds or 0))
    heading("Day, pause and timing")
    if error:
        solara.Error(error)

    def attempt(action: Any) -> None:
        try:
            action()
            set_error("")
        except (ChoiceError, GameError) as exc:
            set_error(str(exc))

    with solara.Row(classes=["es-buttons"]):
        solara.Button(
            "Advance the day", on_click=lambda: attempt(session.advance), color="primary", disabled=session.finished
        )
        solara.Button(
            "Resume" if session.paused else "Pause", on_click=lambda: attempt(lambda: session.pause(not session.paused))
        )
    solara.InputInt("Seconds per day (0: no limit)", value=seconds, on_value=set_seconds)
    solara.Button("Set the timing", on_click=lambda: attempt(lambda: session.set_timing(seconds or None)))


@solara.component
def InjectForm(session: ClassSession, version: int) -> None:
    """An event for the next day: the actor, one of its own options (labelled), claimed or deniable, a toll."""
    model = session.model
    ladder = model.ladder
    actor, set_actor = solara.use_state(model.actor_ids[0])
    options = {
        f"{ladder[o.action].label}" + (f" -> {o.target}" if o.target else "") + f" (rung {o.rung})": o
        for o in model.by_id[actor].options
        if o.action != "hold"
    }
    choice, set_choice = solara.use_state("")
    chosen = choice if choice in options else next(iter(options), "")
    killed, set_killed = solara.use_state(0)
    claimed, set_claimed = solara.use_state(True)
    note, set_note = solara.use_state("")
    heading("Inject an event (next day)")
    solara.Select("Actor", values=model.actor_ids, value=actor, on_value=lambda a: (set_actor(a), set_choice("")))
    solara.Select("What it does", values=list(options), value=chosen, on_value=set_choice)
    solara.InputInt("Killed", value=killed, on_value=set_killed)
    solara.Checkbox(
        label="Claimed (unticked: deniable, the target must guess who did it)", value=claimed, on_value=set_claimed
    )

    def add() -> None:
        option = options.get(chosen)
        if option is None:
            set_note(f"{actor} has no option to inject")
            return
        try:
            event = session.inject(actor, option.action, option.target, killed, claimed=claimed)
            set_note(f"Added {event.id} on {event.date}: {event.description}")
        except GameError as exc:
            set_note(str(exc))

    solara.Button("Add the event", on_click=add, disabled=session.finished or not options)
    if note:
        solara.Text(note, classes=["inject-note"])
    if session.injects:
        bullets([f"{e.id} {e.date}: {e.description}" for e in session.injects], "Injected so far")


@solara.component
def DebriefPanel(session: ClassSession, version: int) -> None:
    result, set_result = solara.use_state(None)  # type: ignore[arg-type]
    heading("Debrief: the class against history and the model")
    if result is None:
        solara.Button(
            "Debrief (runs the model 100 times)",
            on_click=lambda: set_result(session.debrief(runs=100)),
            color="primary",
        )
        return
    o = result.outcome
    first = next(iter(result.seats.values()))
    solara.Text(
        f"The class: {o['outcome']} (highest rung {o.get('max_rung')}, deaths in hostile acts "
        f"{o.get('hostile_deaths')}); history: {first.history.outcome} (deaths "
        f"{first.history.hostile_deaths}).",
        classes=["debrief-outcome"],
    )
    if first.placement is not None:
        solara.Text(placement_words(first.placement, "the class", outcome_share=False))
    bullets([f"{e.id} {e.date}: {e.description}" for e in session.injects] or ["none"], "The instructor's injects")
    for actor_id, game in session.games.items():
        d = result.seats[actor_id]
        history: dict = {}
        for step in d.history.path:
            history.setdefault(step.date, []).append(step.text)
        heading(f"Team {actor_id}")
        solara.Text(choice_summary(game.choices, "the team"), classes=["debrief-days"])
        table(
            ["date", f"team {actor_id}", "chosen by", "the model's probability", "history"],
            choice_rows(game.choices, history, "the team"),
            css_class="debrief-path",
        )
