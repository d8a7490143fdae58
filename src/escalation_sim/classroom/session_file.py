"""A class session as a file: its log (every day's choices, the injects, the messages), enough to rebuild it.

A session is rebuilt by replaying its log on a fresh model with the same scenario and seed: the model is
deterministic, so the same choices give the same crisis, and a digest of the acts checks it did (a session saved
by a version of the model that decides differently is refused, not silently changed). The server saves the file
after every change (`sessions`), restores it after a restart, and offers it for download without its tokens;
`escalation-sim debrief` reads it beside `play --record` games (`session_games`: one game per seat).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ..provenance import package_version
from ..scenario import ScenarioError, validate_scenario_data
from ..scenario.policy import value_problems
from .game import GameError
from .saved import GameRecord, load_game, read_json
from .session import ClassSession, Message

SESSION_FORMAT = "escalation-sim class session"
SavedChoice = int | Literal["model"] | None


class _Saved(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SavedInject(_Saved):
    day: int
    actor: str | None
    action: str
    target: str | None
    killed: int
    claimed: bool
    description: str


class SavedMessage(_Saved):
    day: int
    date: dt.date
    sender: str
    recipient: str
    text: str


class SessionFile(_Saved):
    """A class session's log: the scenario and seed, each day's choices, injects, messages, tokens."""

    format: Literal["escalation-sim class session"]
    version: Literal[1]
    package_version: str
    code: str
    seed: int
    branch_date: dt.date | None
    seats: list[str]
    instructor_token: str  # "" in a download
    seat_tokens: dict[str, str]
    day_seconds: float | None
    paused: bool
    delegated: list[str]
    scenario: dict[str, Any]
    scenario_sha256: str
    days: list[dict[str, SavedChoice]]
    pending: dict[str, SavedChoice]
    injects: list[SavedInject]
    messages: list[SavedMessage]
    acts: int  # records the model holds after the last day played
    digest: str  # of those records: the replay must give the same


def acts_digest(session: ClassSession) -> str:
    text = "\n".join(
        f"{r.day} {r.actor} {r.action} {r.target} {sorted(r.killed.items())}" for r in session.model.records
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def session_data(session: ClassSession, secrets: bool = True) -> dict[str, Any]:
    """The session's file content; without the tokens (`secrets` False) for a download."""
    with session.lock:
        model = session.model
        start = model.start_date
        return SessionFile(
            format=SESSION_FORMAT,
            version=1,
            package_version=package_version(),
            code=session.code,
            seed=session.seed,
            branch_date=model.branch_date,
            seats=session.seats,
            instructor_token=session.instructor_token if secrets else "",
            seat_tokens=dict(session.seat_tokens) if secrets else {},
            day_seconds=session.day_seconds,
            paused=session.paused,
            delegated=sorted(session.delegated),
            scenario=model.crisis.model_dump(mode="json"),
            scenario_sha256=model.crisis.sha256(),
            days=[dict(d) for d in session.days],
            pending=dict(session.pending),
            injects=[
                SavedInject(
                    day=(e.date - start).days,
                    actor=e.actor,
                    action=e.action,
                    target=e.target,
                    killed=sum(e.killed.values()),
                    claimed=e.claimed,
                    description=e.description,
                )
                for e in session.injects
            ],
            messages=[
                SavedMessage(day=m.day, date=m.date, sender=m.sender, recipient=m.recipient, text=m.text)
                for m in session.messages
            ],
            acts=len(model.records),
            digest=acts_digest(session),
        ).model_dump(mode="json")


def session_json(session: ClassSession, secrets: bool = True) -> str:
    return json.dumps(session_data(session, secrets), indent=1) + "\n"


def read_session_file(path: str | Path) -> SessionFile:
    """Read a saved session; GameError says what is wrong with the file."""
    path = Path(path)
    return parse_session(read_json(path, "a class session"), str(path))


def parse_session(data: Any, where: str) -> SessionFile:
    if not isinstance(data, dict) or data.get("format") != SESSION_FORMAT:
        raise GameError(f"{where}: not a class session")
    bounds = value_problems({k: v for k, v in data.items() if k != "scenario"})
    if bounds:
        loc, problem = bounds[0]
        raise GameError(f"{where}: damaged class session ({'.'.join(str(p) for p in loc)}: {problem})")
    try:
        return SessionFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise GameError(f"{where}: damaged class session ({loc}: {first['msg']})") from None


def rebuild(saved: SessionFile, where: str = "the session") -> ClassSession:
    """The session as it was saved: its log replayed on a fresh model (GameError if the replay differs)."""
    try:
        scenario = validate_scenario_data(dict(saved.scenario), f"the scenario saved in {where}")
    except ScenarioError as exc:
        raise GameError(f"{where}: the scenario inside is invalid ({exc.problems[0]})") from None
    session = ClassSession(
        scenario,
        saved.seats,
        seed=saved.seed,
        code=saved.code,
        branch_date=saved.branch_date,
        tokens=saved.seat_tokens,
        instructor_token=saved.instructor_token or None,
    )
    injects: dict[int, list[SavedInject]] = {}
    for inject in saved.injects:
        injects.setdefault(inject.day, []).append(inject)
    try:
        for choices in saved.days:
            _inject(session, injects.pop(session.model.day + 1, []))
            session.pending = {a: c for a, c in choices.items() if a in session.games}
            for actor_id, choice in session.pending.items():
                if isinstance(choice, int):
                    session.games[actor_id].check_option(choice)  # on the list and open that day
            session.advance()
        _inject(session, injects.pop(session.model.day + 1, []))
        if injects:
            raise GameError(f"injects for day(s) {', '.join(map(str, sorted(injects)))}, never played")
    except ValueError as exc:  # ChoiceError and GameError: a log this model cannot play
        raise GameError(f"{where}: its log cannot be replayed ({exc})") from None
    if len(session.model.records) != saved.acts or acts_digest(session) != saved.digest:
        raise GameError(
            f"{where}: replayed with escalation-sim {package_version()}, the crisis differs from the "
            f"one played with {saved.package_version}: use that version to restore it"
        )
    session.pending = {a: c for a, c in saved.pending.items() if a in session.games}
    session.delegated = {a for a in saved.delegated if a in session.games}
    session.messages = [Message(m.day, m.date, m.sender, m.recipient, m.text) for m in saved.messages]
    session.paused, session.day_seconds = saved.paused, saved.day_seconds
    return session


def _inject(session: ClassSession, injects: list[SavedInject]) -> None:
    for i in injects:
        session.inject(i.actor, i.action, i.target, i.killed, description=i.description, claimed=i.claimed)


def session_games(saved: SessionFile, where: str) -> list[tuple[str, GameRecord]]:
    """Each seat's game, as `play --record` saves one, for `escalation-sim debrief`."""
    session = rebuild(saved, where)
    return [(f"{where} (seat {a})", game.record()) for a, game in session.games.items()]


def read_games(path: Path, notes: list[str] | None = None) -> list[tuple[str, GameRecord]]:
    """The games in one file: a saved game (`play --record`, a seat's download), or every seat of a class
    session (the app's download, or its file on the server), rebuilt from the session's log; a session's
    injects are added to `notes` in words."""
    try:
        return [(str(path), load_game(path))]
    except GameError as exc:
        if SESSION_FORMAT not in _head(path):
            raise exc from None
    saved = read_session_file(path)
    games = session_games(saved, str(path))
    if notes is not None:
        injected = [f"{i.description} (day {i.day})" for i in saved.injects] or ["none"]
        notes.append(f"{path}: the instructor's injects: " + "; ".join(injected))
    return games


def _head(path: Path) -> str:
    """The file's first bytes, to tell a session from a damaged game (never opens a FIFO or a device)."""
    if not path.is_file():
        return ""
    try:
        with path.open("rb") as handle:
            return handle.read(200).decode("utf-8", "replace")
    except OSError:
        return ""
