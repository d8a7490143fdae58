"""A class session: one model shared by the class, one seat per team (an actor each), hidden information.

No browser here: the app's seat and instructor pages are a thin layer over `ClassSession`, and the tests drive
it directly. Each seat is a `Game` attached to the session's one model (its `choose` hook takes the team's
choice); the model plays every actor without a seat. The day advances when every seat has chosen, when the
instructor advances it, or when the day's time runs out - never while the session is paused.

What a seat sees (`seat_view`) is what its actor could know, not what the model knows:
- its own acts, in full;
- acts of others that were claimed (every state act; history's events as the sources report them), in full;
- unclaimed (deniable) acts: the target sees whom it blamed, or "unknown" (`Record.attributed`, drawn by the
  model's perception step); the sponsor of the proxy that did it knows it was its proxy; every other seat sees
  only that someone attacked the target;
- its own grievances, costs and menu (`briefing`), its beliefs if the actor exposes any (`beliefs()`), and
  the private messages it sent or received.
The instructor sees everything (`instructor_view`).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model import EscalationModel, Record
from ..scenario import Event, Scenario
from .briefing import OptionView, blame, costs, option_text, option_views
from .debrief import Debrief, debrief_game, model_runs, place
from .game import LET_MODEL_CHOOSE, ChoiceError, Game, GameError

Choice = int | str | None  # an option index, LET_MODEL_CHOOSE, or None (hold)
SESSIONS: dict[str, ClassSession] = {}  # the server's open sessions, by code
_REGISTRY_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Message:
    """A private message between two teams (the instructor reads every one)."""

    day: int
    date: dt.date
    sender: str
    recipient: str
    text: str


@dataclass(slots=True)
class SeatView:
    """Everything one team sees before deciding a day: its own news, blame, costs, beliefs, menu, messages."""

    actor_id: str
    actor_name: str
    date: dt.date  # the day being decided
    turn: int
    turns: int
    news: list[str]  # every act since the start, as this actor could know it, oldest first
    blame: list[str]
    costs: list[str]
    beliefs: list[str]
    options: list[OptionView]
    messages: list[Message]
    chosen: str | None  # the team's pending choice for today, in words (None: not chosen yet)
    waiting_for: int  # how many seats have not chosen yet
    finished: bool
    paused: bool
    seconds_left: float | None


@dataclass(slots=True)
class SeatStatus:
    """One seat as the instructor sees it."""

    actor_id: str
    chosen: str | None
    view: SeatView


@dataclass(slots=True)
class ClassDebrief:
    """The class's game against history, seat by seat, and against the model's runs from the same branch."""

    outcome: dict[str, Any]
    seats: dict[str, Debrief] = field(default_factory=dict)


def news_line(record: Record, me: str, model: EscalationModel) -> str:
    """One act as actor `me` could know it (see the module's docstring for who learns what)."""
    ladder = model.ladder
    label = ladder[record.action].label
    date = record.date.isoformat()
    if record.actor is None:
        return f"{date}  {label}"
    you = {me: "you"}
    target = f" -> {you.get(record.target, record.target)}" if record.target else ""
    killed = ""
    if record.killed:
        killed = ": killed " + ", ".join(f"{n} {'of yours' if k == me else k}" for k, n in record.killed.items())
    if record.actor == me:
        return f"{date}  you: {label}{target}{killed}"
    if _claimed(record, model):
        return f"{date}  {record.actor}: {label}{target}{killed}"
    actor = model.by_id[record.actor]
    if record.target == me:
        blamed = record.attributed or "unknown"
        culprits = "+".join(you.get(a, a) for a in blamed.split("+"))
        return f"{date}  unclaimed {label} -> you{killed} (you blamed: {culprits})"
    if actor.sponsor is not None and actor.sponsor.actor_id == me:
        return f"{date}  {record.actor} (your proxy, unclaimed): {label}{target}{killed}"
    return f"{date}  unclaimed {label}{target}{killed} (attacker not known to you)"


def _claimed(record: Record, model: EscalationModel) -> bool:
    """Whether an act was claimed: history's events as the scenario says, the model's acts as `Model.act` does
    (states claim, militias do not)."""
    if record.event_id is not None:
        for event in model.crisis.events:
            if event.id == record.event_id:
                return event.claimed
        for event in model.events_by_day.get(record.day, ()):
            if event.id == record.event_id:  # an instructor's inject
                return event.claimed
    return model.by_id[record.actor].kind == "state" if record.actor else True


def beliefs_of(actor: Any) -> list[str]:
    """What the actor believes, if it says (`beliefs()` returning lines or a mapping); nothing otherwise."""
    describe = getattr(actor, "beliefs", None)
    if not callable(describe):
        return []
    found = describe()
    if isinstance(found, dict):
        return [f"{k}: {v}" for k, v in found.items()]
    if isinstance(found, str):
        return [found]
    return [str(line) for line in found or ()]


class ClassSession:
    """One class's crisis: a model, a seat per team, the day's choices, messages, injects, pause and timing."""

    def __init__(
        self,
        scenario: Scenario,
        seats: Iterable[str],
        seed: int = 0,
        code: str | None = None,
        branch_date: dt.date | None = None,
        day_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        seats = list(dict.fromkeys(seats))
        if not seats:
            raise GameError("a class session needs at least one seat (an actor a team plays)")
        try:
            self.model = EscalationModel(scenario=scenario, rng=seed, branch_date=branch_date, collect=False)
        except ValueError as exc:
            raise GameError(str(exc)) from None
        self.seed = seed
        self.code = code or secrets.token_hex(3)  # a name for the session, not a model draw
        self.games = {a: Game.attach(self.model, a, seed=seed, player=f"team {a}") for a in seats}
        self.pending: dict[str, Choice] = {}
        self.messages: list[Message] = []
        self.injects: list[Event] = []
        self.paused = False
        self.day_seconds = day_seconds
        self._clock = clock
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.version = 0
        next(iter(self.games.values())).to_branch_point()
        self.day_started = clock()

    # --- where the session stands ----------------------------------------------------------------------------

    @property
    def seats(self) -> list[str]:
        return list(self.games)

    @property
    def finished(self) -> bool:
        return not self.model.running

    @property
    def next_date(self) -> dt.date:
        return self.model.start_date + dt.timedelta(days=self.model.day + 1)

    def seconds_left(self) -> float | None:
        if self.day_seconds is None or self.finished:
            return None
        return max(0.0, self.day_seconds - (self._clock() - self.day_started))

    def _touch(self) -> None:
        self.version += 1
        self.changed.notify_all()

    def wait_for_change(self, version: int, timeout: float) -> int:
        """Block until the session changes after `version` (or `timeout` seconds); the current version."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != version, timeout=timeout)
            return self.version

    # --- a team's turn ---------------------------------------------------------------------------------------

    def choose(self, actor_id: str, choice: Choice) -> bool:
        """A team's choice for the day being decided; returns whether the day advanced (everyone had chosen)."""
        with self.lock:
            game = self._game(actor_id)
            if self.finished:
                raise ChoiceError("the session is over: there is no day left to play")
            if isinstance(choice, int):
                game.check_option(choice)
            elif choice is not None and choice != LET_MODEL_CHOOSE:
                raise ChoiceError(f"{choice!r} is not a choice: an option number, {LET_MODEL_CHOOSE!r} or None")
            self.pending[actor_id] = choice
            self._touch()
            if not self.paused and len(self.pending) == len(self.games):
                self.advance()
                return True
            return False

    def send(self, sender: str, recipient: str, text: str) -> Message:
        """A private message from one team to another (seen by both, and the instructor)."""
        with self.lock:
            self._game(sender)
            if recipient not in self.model.by_id:
                raise GameError(f"no actor {recipient!r} to write to (actors: {', '.join(self.model.actor_ids)})")
            text = text.strip()
            if not text:
                raise GameError("an empty message: write something")
            message = Message(self.model.day + 1, self.next_date, sender, recipient, text[:1000])
            self.messages.append(message)
            self._touch()
            return message

    def _game(self, actor_id: str) -> Game:
        game = self.games.get(actor_id)
        if game is None:
            raise GameError(f"{actor_id!r} has no seat in session {self.code} (seats: {', '.join(self.games)})")
        return game

    # --- the instructor --------------------------------------------------------------------------------------

    def advance(self) -> list[Record]:
        """Play the day: each seat's choice (a seat that did not choose holds), the model for everyone else."""
        with self.lock:
            if self.finished:
                raise ChoiceError("the session is over: there is no day left to play")
            for actor_id, game in self.games.items():
                game.set_pending(self.pending.get(actor_id))
            before = len(self.model.records)
            self.model.step()
            for game in self.games.values():
                game.set_pending(None)
            self.pending.clear()
            self.day_started = self._clock()
            self._touch()
            return self.model.records[before:]

    def pause(self, paused: bool = True) -> None:
        with self.lock:
            self.paused = paused
            self.day_started = self._clock()  # a resumed day gets its full time again
            self._touch()
            if not paused and self.games and len(self.pending) == len(self.games) and not self.finished:
                self.advance()

    def set_timing(self, day_seconds: float | None) -> None:
        """Seconds the teams have for each day (None: no limit); the clock restarts now."""
        with self.lock:
            if day_seconds is not None and day_seconds <= 0:
                raise GameError(f"seconds per day must be positive, not {day_seconds}")
            self.day_seconds = day_seconds
            self.day_started = self._clock()
            self._touch()

    def tick(self) -> bool:
        """Advance the day if its time is up (and the session is not paused); whether it advanced."""
        with self.lock:
            left = self.seconds_left()
            if left is None or left > 0 or self.paused or self.finished:
                return False
            self.advance()
            return True

    def inject(self, actor: str | None, action: str, target: str | None = None, killed: int = 0,
               description: str = "") -> Event:  # fmt: skip
        """Add an event to the next day (the instructor's inject): it happens whatever the actors decide."""
        with self.lock:
            model = self.model
            if self.finished:
                raise GameError("the session is over: nothing can be injected")
            if action not in model.ladder:
                raise GameError(f"unknown action {action!r}; actions: {', '.join(model.ladder)}")
            for role, who in (("actor", actor), ("target", target)):
                if who is not None and who not in model.by_id:
                    raise GameError(f"unknown {role} {who!r}; actors: {', '.join(model.actor_ids)}")
            if killed < 0:
                raise GameError(f"killed must be 0 or more, not {killed}")
            day = model.day + 1
            event = Event.model_construct(
                id=f"INJ{len(self.injects) + 1}", date=self.next_date, end_date=None, actor=actor, target=target,
                action=action, killed={target: killed} if killed and target else {}, wounded={},
                claimed=True, soil=None, exogenous=True, source="", disputed="",
                description=description or f"instructor's inject: {option_text(model.ladder[action].label, target)}",
            )  # fmt: skip
            model.events_by_day.setdefault(day, []).append(event)
            self.injects.append(event)
            self._touch()
            return event

    # --- views -----------------------------------------------------------------------------------------------

    def seat_view(self, actor_id: str) -> SeatView:
        """What one team sees: nothing the actor could not know."""
        with self.lock:
            game = self._game(actor_id)
            model = self.model
            actor = game.actor
            chosen = self.pending.get(actor_id, _NOT_CHOSEN)
            return SeatView(
                actor_id=actor_id, actor_name=actor.spec.name, date=self.next_date, turn=game.turn, turns=game.turns,
                news=[news_line(r, actor_id, model) for r in model.records], blame=blame(model, actor),
                costs=costs(model, actor), beliefs=beliefs_of(actor),
                options=option_views(model, actor) if not self.finished else [],
                messages=[m for m in self.messages if actor_id in (m.sender, m.recipient)],
                chosen=None if chosen is _NOT_CHOSEN else self.choice_text(actor_id, chosen),
                waiting_for=len(self.games) - len(self.pending), finished=self.finished, paused=self.paused,
                seconds_left=self.seconds_left(),
            )  # fmt: skip

    def choice_text(self, actor_id: str, choice: Choice) -> str:
        if choice is None:
            return "hold"
        if choice == LET_MODEL_CHOOSE:
            return "let the model decide"
        option = self.games[actor_id].actor.options[int(choice)]
        return option_text(self.model.ladder[option.action].label, option.target)

    def instructor_view(self) -> list[SeatStatus]:
        """Every seat: what it has chosen for today and everything it sees."""
        with self.lock:
            return [
                SeatStatus(a, self.choice_text(a, self.pending[a]) if a in self.pending else None, self.seat_view(a))
                for a in self.games
            ]

    def debrief(self, runs: int = 100, seed: int = 0) -> ClassDebrief:
        """Each seat's path against history's, and the class's outcome among `runs` model runs from the branch."""
        with self.lock:
            records = {a: g.record() for a, g in self.games.items()}
        first = next(iter(records.values()))
        frame = model_runs(self.model.crisis, first.branch_date, runs, seed) if runs > 0 else None
        result = ClassDebrief(outcome=first.outcome)
        for actor_id, record in records.items():
            debrief = debrief_game(record, runs=0)
            if frame is not None:
                debrief.placement = place(record.outcome, actor_id, frame)
            result.seats[actor_id] = debrief
        return result


_NOT_CHOSEN = object()


def open_session(scenario: Scenario, seats: Iterable[str], seed: int = 0, **kwargs: Any) -> ClassSession:
    """A new session, registered under a fresh code for the seat and instructor pages to find."""
    with _REGISTRY_LOCK:
        session = ClassSession(scenario, seats, seed=seed, **kwargs)
        while session.code in SESSIONS:
            session.code = secrets.token_hex(3)
        SESSIONS[session.code] = session
        return session


def find_session(code: str | None) -> ClassSession | None:
    return SESSIONS.get((code or "").strip().lower())
