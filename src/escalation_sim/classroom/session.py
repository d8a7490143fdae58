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

Access: each seat has its own unguessable token and the instructor another (`seat_refusal`,
`instructor_refusal`); a page shows nothing without the right one. `on_change` is called after every change
(the app saves the session there: `classroom.session_file`).
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
from .access import SeatAccess
from .briefing import OptionView, blame, costs, option_text, option_views
from .debrief import Debrief, debrief_game, model_runs, place
from .game import LET_MODEL_CHOOSE, ChoiceError, Game, GameError, PlayerChoice
from .inject import inject_event
from .seat_news import beliefs_of, news_line

__all__ = ["ClassSession", "SeatView", "beliefs_of", "news_line"]

Choice = int | str | None  # an option index, LET_MODEL_CHOOSE, or None (hold)


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
    last: str | None = None  # what the seat did on the last day played, and who chose it
    delegated: bool = False  # the model plays this seat from now on


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


class ClassSession(SeatAccess):
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
        tokens: dict[str, str] | None = None,
        instructor_token: str | None = None,
    ) -> None:
        seats = list(dict.fromkeys(seats))
        if not seats:
            raise GameError("a class session needs at least one seat (an actor a team plays)")
        try:
            self.model = EscalationModel(scenario=scenario, rng=seed, branch_date=branch_date, collect=False)
        except ValueError as exc:
            raise GameError(str(exc)) from None
        self.seed = seed
        self.code = code or secrets.token_hex(4)  # a name for the session, not a model draw
        SeatAccess.__init__(self, seats, tokens, instructor_token)
        self.days: list[dict[str, Choice]] = []  # each day played: every seat's choice (the session's log)
        self.delegated: set[str] = set()  # seats the model plays from now on
        self.on_change: Callable[[ClassSession], None] | None = None
        self.games = {a: Game.attach(self.model, a, seed=seed, player=f"team {a}") for a in seats}
        self.pending: dict[str, Choice] = {}
        self.messages: list[Message] = []
        self.injects: list[Event] = []
        self.paused, self.day_seconds, self._clock = False, day_seconds, clock
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
        self.on_change and self.on_change(self)

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
            return self._advance_if_all_chose()

    def delegate(self, actor_id: str, on: bool = True) -> bool:
        """Let the model play a seat from now on (`on`), or give it back to the team; whether the day advanced."""
        with self.lock:
            self._game(actor_id)
            (self.delegated.add if on else self.delegated.discard)(actor_id)
            self.pending.pop(actor_id, None)
            self._touch()
            return self._advance_if_all_chose()

    def _advance_if_all_chose(self) -> bool:
        waiting = [a for a in self.games if a not in self.pending and a not in self.delegated]
        if self.paused or self.finished or waiting:
            return False
        self.advance()
        return True

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
            choices = {a: LET_MODEL_CHOOSE if a in self.delegated else self.pending.get(a) for a in self.games}
            self.days.append(choices)
            for actor_id, game in self.games.items():
                game.set_pending(choices[actor_id])
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
            if not paused:
                self._advance_if_all_chose()

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

    def inject(
        self,
        actor: str | None,
        action: str,
        target: str | None = None,
        killed: int = 0,
        description: str = "",
        claimed: bool = True,
    ) -> Event:
        """Add an event to the next day (the instructor's inject): it happens whatever the actors decide."""
        with self.lock:
            if self.finished:
                raise GameError("the session is over: nothing can be injected")
            model = self.model
            number, day = len(self.injects) + 1, model.day + 1
            event = inject_event(model, number, self.next_date, actor, action, target, killed, description, claimed)
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
                actor_id=actor_id,
                actor_name=actor.spec.name,
                date=self.next_date,
                turn=game.turn,
                turns=game.turns,
                news=[news_line(r, actor_id, model) for r in model.records],
                blame=blame(model, actor),
                costs=costs(model, actor),
                beliefs=beliefs_of(actor),
                options=option_views(model, actor) if not self.finished else [],
                messages=[m for m in self.messages if actor_id in (m.sender, m.recipient)],
                chosen=None if chosen is _NOT_CHOSEN else self.choice_text(actor_id, chosen),
                waiting_for=len(set(self.games) - set(self.pending) - self.delegated),
                finished=self.finished,
                paused=self.paused,
                seconds_left=self.seconds_left(),
                last=last_choice(game.choices),
                delegated=actor_id in self.delegated,
            )

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


def percent(p: float) -> str:
    return "0%" if p <= 0 else "<1%" if p < 0.005 else ">99%" if 0.995 < p < 1 else f"{100 * p:.0f}%"


def choice_summary(choices: list[PlayerChoice], who: str) -> str:
    """How a game's days were decided: by the player, by the model when asked, or held by default."""
    n = {how: sum(1 for c in choices if c.how == how) for how in ("player", "model", "hold")}
    return (
        f"{len(choices)} days: {n['player']} chosen by {who}, {n['model']} chosen by the model when asked, "
        f"{n['hold']} held by default. The table lists every day with an act (yours or history's) or a choice."
    )


def choice_rows(choices: list[PlayerChoice], history: dict[Any, list[str]], who: str) -> list[list[str]]:
    """The debrief's rows: each day a choice was made or something was done (by the team or in history), with
    who chose and the probability the model's rule gave that choice."""
    how = {"player": who, "model": "the model (asked)", "hold": "held (no choice made)"}
    return [
        [str(c.date), c.label, how[c.how], percent(c.probability), "; ".join(history.get(c.date, []))]
        for c in choices
        if c.how == "player" or c.label != "hold" or c.date in history
    ]


def last_choice(choices: list[PlayerChoice]) -> str | None:
    """The last day played, in words: what the seat did and who chose it (the model's choice named)."""
    if not choices:
        return None
    c = choices[-1]
    who = {"player": "your choice", "model": "chosen by the model for you", "hold": "you held"}[c.how]
    return f"{c.date}: {c.label} ({who}; the model gave it {percent(c.probability)})"
