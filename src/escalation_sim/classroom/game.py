"""Play as an actor: a student takes one actor's decisions while the model plays the others.

Game logic only, no terminal or browser: `escalation-sim play` and the app's buttons share it. The game sets
the played actor's `choose` hook (`CrisisActor.step` calls it): the player's choice replaces the one the model
would have sampled, and the actor still draws its random number as the model would, so every other draw stays
where the seeded model has it. A player who lets the model choose every day therefore reproduces
`escalation-sim run --decisions doctrines` with the same seed exactly.

The briefing shown each day is `classroom.briefing`; saved games `classroom.saved`; debriefs `classroom.debrief`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..agents import Choice, CrisisActor, sample_index
from ..display import format_probability
from ..model import EscalationModel, Record
from ..rules import Option, Policy
from ..runner import summary_dict
from ..scenario import Scenario
from .briefing import Situation, blame, costs, describe, option_text, option_views
from .debrief import DEFAULT_RUNS, Debrief, debrief_game
from .saved import (
    RECORD_FORMAT,
    RECORD_VERSION,
    GameError,
    GameRecord,
    How,
    RecordedChoice,
    RecordedEvent,
    finite,
    save_game,
)

LET_MODEL_CHOOSE = "model"  # a pending choice meaning "today the model decides for me"


class ChoiceError(ValueError):
    """A choice that is not on today's list; the game goes on and the player tries again."""


@dataclass(slots=True)
class PlayerChoice:
    """What the played actor did on one day, and what the model's rule made of it."""

    day: int
    date: dt.date
    action: str
    target: str | None
    label: str
    rung: int
    probability: float  # the probability the model's rule gave this choice that day
    how: How  # chosen by the player, left to the model, or held by default (no choice made)
    model_favourite: str  # the option the rule gave most probability to
    model_favourite_probability: float


class Game:
    """One student's game: the model plays every actor but one, whose choices come from the player.

    `Game(scenario, "IRN", seed=7)` builds its own model; `Game.attach(model, "IRN")` plays an existing one
    (the app does that). Call `to_branch_point()`, then for each day `situation()` and `play(choice)` until
    `finished`; `record()` and `debrief()` at any time.
    """

    def __init__(
        self,
        scenario: Scenario,
        actor_id: str,
        seed: int = 0,
        branch_date: dt.date | None = None,
        player: str = "",
        model: EscalationModel | None = None,
    ) -> None:
        check_actor(scenario, actor_id)
        if model is None:
            if branch_date is None and scenario.branch_date is None:
                raise GameError(
                    f"scenario {scenario.name} has no branch point (it replays history only): "
                    "give a branch date, the first day you decide"
                )
            try:
                model = EscalationModel(scenario=scenario, rng=seed, branch_date=branch_date, collect=False)
            except ValueError as exc:
                raise GameError(str(exc)) from None
        elif model.branch_date is None:
            raise GameError("this model replays history only: there is no day for a player to decide")
        self.model = model
        self.seed = seed
        self.player = player
        self.actor: CrisisActor = model.by_id[actor_id]
        self.choices: list[PlayerChoice] = []
        self._pending: int | str | None = None
        self._seen = 0  # records already shown to the player
        self.held_news: list[Record] = []  # what stopped the last `hold_until_news`
        self.actor.choose = self.choose  # the hook: the player decides for this actor

    @classmethod
    def attach(cls, model: EscalationModel, actor_id: str, seed: int = 0, player: str = "") -> Game:
        """Play one actor of an existing model (not yet past the branch point)."""
        return cls(model.crisis, actor_id, seed=seed, player=player, model=model)

    # --- where the game stands ---------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return not self.model.running

    @property
    def deciding(self) -> bool:
        """The next day is one the player decides (the branch point has been reached)."""
        return self.model.running and self.model.day + 1 >= self.model.branch_day

    @property
    def turns(self) -> int:
        return self.model.horizon - self.model.branch_day

    @property
    def turn(self) -> int:
        """The number of the next day to decide, 1 on the branch day."""
        return self.model.day + 2 - self.model.branch_day

    @property
    def next_date(self) -> dt.date:
        return self.model.start_date + dt.timedelta(days=self.model.day + 1)

    def to_branch_point(self) -> None:
        """Replay history up to the first day the player decides."""
        while self.model.running and not self.deciding:
            self.model.step()

    # --- what the player sees ----------------------------------------------------------------------------

    def situation(self) -> Situation:
        """Today's situation as the played actor sees it (nothing here draws random numbers)."""
        actor = self.actor
        return Situation(
            date=self.next_date,
            turn=self.turn,
            turns=self.turns,
            actor_id=actor.actor_id,
            actor_name=actor.spec.name,
            happened=[self.describe(r) for r in self.model.records[self._seen :]],
            blame=blame(self.model, actor),
            costs=costs(self.model, actor),
            options=option_views(self.model, actor),
        )

    def describe(self, record: Record) -> str:
        """A record as one line of news, from the played actor's point of view."""
        return describe(record, self.actor.actor_id, self.model.ladder)

    # --- deciding ----------------------------------------------------------------------------------------

    def play(self, choice: int | str | None = None) -> list[Record]:
        """Decide the next day and play it: an option index, LET_MODEL_CHOOSE, or None to hold.

        Raises ChoiceError (and plays nothing) if the option is not on today's list. Returns the day's records.
        """
        if self.finished:
            raise ChoiceError("the game is over: there is no day left to play")
        if not self.deciding:
            raise ChoiceError(f"history is still replaying: you decide from {self.model.branch_date}")
        if isinstance(choice, int):
            self.check_option(choice)
        elif choice is not None and choice != LET_MODEL_CHOOSE:
            raise ChoiceError(f"{choice!r} is not a choice: give an option number, {LET_MODEL_CHOOSE!r} or nothing")
        self._pending = choice
        self._seen = len(self.model.records)
        before = len(self.model.records)
        self.model.step()
        self._pending = None
        return self.model.records[before:]

    def set_pending(self, choice: int | str | None) -> None:
        """Set the choice the next `model.step()` takes for this actor (a class session steps the shared model
        itself, once for every seat)."""
        self._pending = choice

    def check_option(self, index: int) -> Option:
        options = self.actor.options
        if not 0 <= index < len(options):
            raise ChoiceError(f"{index} is not on the list: pick a number from 0 to {len(options) - 1}")
        days = self.actor.cooling[index]
        if days:
            raise ChoiceError(
                f"{index} ({self.model.ladder[options[index].action].label}) was used too recently: "
                f"open again in {days} day{'s' * (days > 1)}; pick another"
            )
        return options[index]

    def hold_until_news(self, max_days: int | None = None) -> int:
        """Hold day after day until another actor does something (`max_days` None), or for `max_days` days; but
        always stop after a day with news that involves the player (`involves`), which are kept in `held_news`.
        The next `situation()` lists everything that happened while holding. Returns the days held."""
        held = 0
        me = self.actor.actor_id
        start = len(self.model.records)
        self.held_news = []
        while not self.finished and (max_days is None or held < max_days):
            records = self.play(None)
            held += 1
            self.held_news = [r for r in records if involves(self.actor.actor_id, r)]
            if self.held_news or (max_days is None and any(r.actor != me for r in records)):
                break
        self._seen = start  # the player has not seen the days held through
        return held

    def choose(self, policy: Policy, draw: float) -> Choice:
        """The played actor's `choose` hook: the pending choice, or the model's sample, or holding.

        Called by `CrisisActor.step` with the draw the model made as always, so every other draw stays where
        the seeded model has it.
        """
        actor = self.actor
        model = self.model
        probs = policy.probs
        pending = self._pending
        if pending == LET_MODEL_CHOOSE:
            index, how = sample_index(probs, draw), "model"
        elif isinstance(pending, int) and not actor.cooling[pending]:
            index, how = pending, "player"
        else:
            index, how = actor.hold_index, "hold"
        option = actor.options[index]
        favourite = max(range(len(probs)), key=probs.__getitem__)
        ladder = model.ladder
        self.choices.append(
            PlayerChoice(
                day=model.day,
                date=model.date,
                action=option.action,
                target=option.target,
                label=option_text(ladder[option.action].label, option.target),
                rung=option.rung,
                probability=probs[index],
                how=how,  # type: ignore[arg-type]
                model_favourite=option_text(
                    ladder[actor.options[favourite].action].label, actor.options[favourite].target
                ),
                model_favourite_probability=probs[favourite],
            )
        )
        if how != "player":
            return option, "model", policy.reason
        who = self.player or "the player"
        reason = (
            f"{who}'s choice (the model's rule gave it p={format_probability(probs[index])}; it favoured "
            f"{self.choices[-1].model_favourite} p={format_probability(probs[favourite])}: {policy.reason})"
        )
        return option, "player", reason

    # --- after the game ----------------------------------------------------------------------------------

    def record(self) -> GameRecord:
        """The game so far, as saved by `--record` (finished or not)."""
        model = self.model
        scenario = model.crisis
        if self.finished:
            outcome = summary_dict(model, self.seed)
        else:
            outcome = {"outcome": "unfinished", "stopped_on": self.next_date.isoformat()}
        return GameRecord(
            format=RECORD_FORMAT,
            version=RECORD_VERSION,
            package_version=__version__,
            player=self.player,
            actor=self.actor.actor_id,
            seed=self.seed,
            branch_date=model.branch_date,  # type: ignore[arg-type]  # a game always has one
            turns=self.turns,
            days_played=len(self.choices),
            finished=self.finished,
            scenario_name=scenario.name,
            scenario_title=scenario.title,
            scenario_sha256=scenario.sha256(),
            scenario=scenario.model_dump(mode="json"),
            outcome=outcome,
            choices=recorded_choices(self.choices),
            events=recorded_events(model),
        )

    def save(self, path: str | Path) -> Path:
        return save_game(self.record(), path)

    def debrief(self, runs: int = DEFAULT_RUNS, seed: int = 0) -> Debrief:
        return debrief_game(self.record(), runs=runs, seed=seed)


def recorded_events(model: EscalationModel) -> list[RecordedEvent]:
    """What happened from the branch point on, as the saved game keeps it."""
    return [
        RecordedEvent(
            day=r.day,
            date=r.date,
            actor=r.actor,
            target=r.target,
            action=r.action,
            rung=r.rung,
            killed=r.killed_total,
            origin=r.origin,
            probability=finite(r.probability),
        )
        for r in model.records
        if r.day >= model.branch_day
    ]


def recorded_choices(choices: list[PlayerChoice]) -> list[RecordedChoice]:
    """The player's days, as the saved game keeps them."""
    return [
        RecordedChoice(
            day=c.day,
            date=c.date,
            action=c.action,
            target=c.target,
            label=c.label,
            rung=c.rung,
            probability=finite(c.probability),
            how=c.how,
            model_favourite=c.model_favourite,
            model_favourite_probability=c.model_favourite_probability,
        )
        for c in choices
    ]


def check_actor(scenario: Scenario, actor_id: str) -> None:
    """Raise GameError naming the scenario's actors if `actor_id` is not one of them."""
    if actor_id in scenario.actors:
        return
    known = list(scenario.actors)
    close = difflib.get_close_matches(actor_id, known, n=1) or [k for k in known if k.lower() == actor_id.lower()]
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise GameError(f"unknown actor {actor_id!r} in {scenario.name}{hint} (its actors: {', '.join(known)})")


def involves(me: str, record: Record) -> bool:
    """News a player must not sleep through: an act aimed at it, its nationals killed or wounded, an act it is
    blamed for, or an act of its own it did not choose (an accident on alert, a statement)."""
    if record.actor == me:
        return record.origin != "player"
    return (
        record.target == me
        or record.killed.get(me, 0) > 0
        or record.wounded.get(me, 0) > 0
        or me in record.attributed.split("+")
    )
