"""Play as an actor: a student takes one actor's decisions while the model plays the others.

Game logic only, no terminal or browser: `escalation-sim play` and the app's buttons share it. The player's
choice replaces the one the model would have sampled; the played actor still draws its random number as the
model would, so every other draw stays where the seeded model has it. A player who lets the model choose every
day therefore reproduces `escalation-sim run` with the same seed exactly.

A game is saved as JSON (`GameRecord`) with the scenario inside, so a class's games can be summarised later
(`class_debrief`) even if the scenario files have moved on.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import os
import statistics
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from . import __version__
from .agents import CrisisActor
from .model import EscalationModel, Record
from .outcomes import OUTCOMES
from .rules import Option
from .runner import summary_dict
from .scenario import Scenario, ScenarioError, validate_scenario_data

RECORD_FORMAT = "escalation-sim game"
RECORD_VERSION = 1
DEFAULT_RUNS = 200  # model runs behind a debrief: shares to within about 3 points, in about two seconds
LET_MODEL_CHOOSE = "model"  # a pending choice meaning "today the model decides for me"

How = Literal["player", "model", "hold"]


class GameError(ValueError):
    """A game that cannot start or a record that cannot be read; the message says what to do instead."""


class ChoiceError(ValueError):
    """A choice that is not on today's list; the game goes on and the player tries again."""


# --- the game ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OptionView:
    """One line of today's menu: what the option is, whether it is open today, what the model would give it."""

    index: int
    action: str
    target: str | None
    label: str
    rung: int
    force: bool
    expected_killed: float
    cooling_days: int  # 0 when available today
    model_probability: float

    @property
    def available(self) -> bool:
        return self.cooling_days == 0

    @property
    def text(self) -> str:
        return self.label + (f" -> {self.target}" if self.target else "")


@dataclass(slots=True)
class Situation:
    """What the player sees before deciding a day: what happened, whom it blames, its costs, its options."""

    date: dt.date
    turn: int  # 1 on the branch day
    turns: int
    actor_id: str
    actor_name: str
    happened: list[str]
    blame: list[str]
    costs: list[str]
    options: list[OptionView]


@dataclass(slots=True)
class Choice:
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
        self.choices: list[Choice] = []
        self._pending: int | str | None = None
        self._seen = 0  # records already shown to the player
        self.actor.step = self._step  # type: ignore[method-assign]  # the player decides for this actor

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
            blame=self._blame(),
            costs=self._costs(),
            options=self.options(),
        )

    def options(self) -> list[OptionView]:
        actor = self.actor
        probs = actor.policy().probs
        ladder = self.model.ladder
        return [
            OptionView(
                index=o.index, action=o.action, target=o.target, label=ladder[o.action].label, rung=o.rung,
                force=o.force, expected_killed=o.expected_killed, cooling_days=actor.cooling[o.index],
                model_probability=probs[o.index],
            )
            for o in actor.options
        ]  # fmt: skip

    def describe(self, record: Record) -> str:
        """A record as one line of news, from the played actor's point of view."""
        me = self.actor.actor_id
        who = "you" if record.actor == me else record.actor
        target = ""
        if record.target:
            target = " -> " + ("you" if record.target == me else record.target)
        killed = ""
        if record.killed:
            killed = ": killed " + ", ".join(f"{n} {k}" for k, n in record.killed.items())
        blame = ""
        if record.attributed and record.target:
            blamed = "+".join("you" if a == me else a for a in record.attributed.split("+"))
            blame = f" ({'you' if record.target == me else record.target} blamed {blamed})"
        source = {"history": "  [history]", "player": "  [your choice]"}.get(record.origin, "")
        label = self.model.ladder[record.action].label
        doer = f"{who}: " if who else ""
        return f"{record.date.isoformat()}  {doer}{label}{target}{killed}{blame}{source}"

    def _blame(self) -> list[str]:
        actor = self.actor
        lines = []
        for other in self.model.actors:
            j = other.index
            if other is actor:
                continue
            if actor.outstanding[j] > 0.0:
                p = actor.last_attribution[j]
                sure = "for certain" if p >= 0.999 else f"with p={p:.2f}"
                lines.append(
                    f"{other.actor_id}: you hold it responsible {sure} for acts weighing {actor.outstanding[j]:.1f} "
                    f"rungs, unanswered (grievance {actor.grievance[j]:.1f})"
                )
            if actor.conciliatory[j]:
                lines.append(f"{other.actor_id} has made a conciliatory move: you may answer it in kind")
        if not lines:
            lines.append("nothing unanswered weighs on you")
        return lines

    def _costs(self) -> list[str]:
        actor = self.actor
        spec = actor.spec
        ids = self.model.actor_ids
        lines = [
            f"pressure at home to answer: {actor.domestic_pressure:.2f} (0-1)",
            f"your credibility (how far others believe your threats): {actor.credibility:.2f}",
        ]
        if spec.accident_rate > 0:
            lines.append(
                f"your forces' alert: {actor.alert:.2f}; chance of an accident today "
                f"{100 * actor.accident_hazard():.2f}% (it grows with the square of alert)"
            )
        if actor.legitimacy_cost >= 0.05:
            lines.append(
                f"legitimacy cost of force already used: {actor.legitimacy_cost:.2f} (a justification lowers it)"
            )
        for j, days in enumerate(actor.pending_threat):
            if days:
                lines.append(
                    f"your threat against {ids[j]}: {days} day{'s' * (days > 1)} left to carry it out, "
                    f"or lose {spec.audience_cost:.2f} credibility"
                )
        for j, cost in enumerate(actor.sovereignty_cost):
            if cost > 0:
                lines.append(f"{ids[j]} demands your withdrawal: force on its soil costs you more ({cost:.2f})")
        for name in spec.adversaries:
            other = self.model.by_id[name]
            lines.append(
                f"{name}'s resolve {other.resolve:.2f} x credibility {other.credibility:.2f}: "
                "how hard it is expected to answer force (retaliation grows with the square of the rung)"
            )
        if actor.sponsor is not None and spec.sponsor_control > 0:
            lines.append(f"{actor.sponsor.actor_id} wants calm: its restraint on you is {actor.sponsor_restraint:.2f}")
        return lines

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
        """Hold day after day until another actor does something (or `max_days`, or the end); days held."""
        held = 0
        me = self.actor.actor_id
        while not self.finished and (max_days is None or held < max_days):
            records = self.play(None)
            held += 1
            if max_days is None and any(r.actor != me for r in records):
                break
        return held

    def _step(self) -> None:
        """The played actor's day, in place of CrisisActor.step: same draws, the player's choice."""
        actor = self.actor
        model = self.model
        policy = actor.policy()
        probs = policy.probs
        u = model.random.random()  # drawn as the model would, so every other draw stays in step
        pending = self._pending
        if pending == LET_MODEL_CHOOSE:
            index, how = sample_index(probs, u), "model"
        elif isinstance(pending, int) and not actor.cooling[pending]:
            index, how = pending, "player"
        else:
            index, how = actor.hold_index, "hold"
        option = actor.options[index]
        favourite = max(range(len(probs)), key=probs.__getitem__)
        ladder = model.ladder
        self.choices.append(
            Choice(
                day=model.day, date=model.date, action=option.action, target=option.target,
                label=_option_text(ladder[option.action].label, option.target), rung=option.rung,
                probability=probs[index], how=how,  # type: ignore[arg-type]
                model_favourite=_option_text(ladder[actor.options[favourite].action].label,
                                             actor.options[favourite].target),
                model_favourite_probability=probs[favourite],
            )
        )  # fmt: skip
        actor.last_action = option.action
        if index != actor.hold_index:
            if how == "model":
                reason = policy.reason
            else:
                who = self.player or "the player"
                reason = (
                    f"{who}'s choice (the model's rule gave it p={probs[index]:.2f}; it favoured "
                    f"{self.choices[-1].model_favourite} p={probs[favourite]:.2f}: {policy.reason})"
                )
            record = model.act(actor, option, probs[index], reason)
            if how == "player":
                record.origin = "player"
        chance = actor.justification_chance()  # public justification stays with the actor's diplomats
        if chance > 0.0 and model.random.random() < chance:
            model.justify(actor, chance)

    # --- after the game ----------------------------------------------------------------------------------

    def record(self) -> GameRecord:
        """The game so far, as saved by `--record` (finished or not)."""
        model = self.model
        scenario = model.crisis
        if self.finished:
            outcome = summary_dict(model, self.seed)
        else:
            outcome = {"outcome": "unfinished", "stopped_on": self.next_date.isoformat()}
        branch = model.branch_day
        events = [
            RecordedEvent(
                day=r.day, date=r.date, actor=r.actor, target=r.target, action=r.action, rung=r.rung,
                killed=r.killed_total, origin=r.origin, probability=_finite(r.probability),
            )
            for r in model.records
            if r.day >= branch
        ]  # fmt: skip
        choices = [
            RecordedChoice(
                day=c.day, date=c.date, action=c.action, target=c.target, label=c.label, rung=c.rung,
                probability=_finite(c.probability), how=c.how, model_favourite=c.model_favourite,
                model_favourite_probability=c.model_favourite_probability,
            )
            for c in self.choices
        ]  # fmt: skip
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
            choices=choices,
            events=events,
        )

    def save(self, path: str | Path) -> Path:
        return save_game(self.record(), path)

    def debrief(self, runs: int = DEFAULT_RUNS, seed: int = 0) -> Debrief:
        return debrief_game(self.record(), runs=runs, seed=seed)


def check_actor(scenario: Scenario, actor_id: str) -> None:
    """Raise GameError naming the scenario's actors if `actor_id` is not one of them."""
    if actor_id in scenario.actors:
        return
    known = list(scenario.actors)
    close = difflib.get_close_matches(actor_id, known, n=1) or [k for k in known if k.lower() == actor_id.lower()]
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise GameError(f"unknown actor {actor_id!r} in {scenario.name}{hint} (its actors: {', '.join(known)})")


def sample_index(probs: list[float], u: float) -> int:
    """The option a uniform draw `u` picks from `probs`, exactly as CrisisActor.step picks it."""
    acc = 0.0
    for i, p in enumerate(probs):
        acc += p
        if u < acc:
            return i
    return len(probs) - 1


def _option_text(label: str, target: str | None) -> str:
    return label + (f" -> {target}" if target else "")


def _finite(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


# --- commands typed by a player ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed line of player input."""

    kind: Literal["option", "hold", "model", "wait", "quit", "help"]
    option: int | None = None
    days: int | None = None


HELP = (
    "type an option's number and Enter; Enter alone holds for the day; "
    "m lets the model decide today; w holds until another actor does something (w 5: hold 5 days); "
    "q stops the game (what was played is saved); ? shows this help"
)


def parse_command(text: str, game: Game) -> Command:
    """Read one line of player input; raise ChoiceError saying what is allowed if it is not on the list."""
    words = text.strip().lower().split()
    if not words:
        return Command("hold")
    head = words[0]
    if len(words) == 1 and head.isdigit():
        game.check_option(int(head))
        return Command("option", option=int(head))
    if head in ("h", "hold") and len(words) == 1:
        return Command("hold")
    if head in ("m", "model") and len(words) == 1:
        return Command("model")
    if head in ("q", "quit", "exit") and len(words) == 1:
        return Command("quit")
    if head in ("?", "help") and len(words) == 1:
        return Command("help")
    if head in ("w", "wait"):
        if len(words) == 1:
            return Command("wait")
        if len(words) == 2 and words[1].isdigit() and int(words[1]) > 0:
            return Command("wait", days=int(words[1]))
        raise ChoiceError(f"{text.strip()!r}: w alone, or w and a number of days (w 5)")
    n = len(game.actor.options)
    raise ChoiceError(
        f"{text.strip()!r} is not on the list: type an option's number (0-{n - 1}), Enter to hold, "
        "m to let the model decide, w to wait, q to stop (? for help)"
    )


# --- saved games ---------------------------------------------------------------------------------------------


class _Saved(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordedChoice(_Saved):
    day: int
    date: dt.date
    action: str
    target: str | None
    label: str
    rung: int
    probability: float | None
    how: How
    model_favourite: str
    model_favourite_probability: float


class RecordedEvent(_Saved):
    day: int
    date: dt.date
    actor: str | None
    target: str | None
    action: str
    rung: int
    killed: int
    origin: str
    probability: float | None


class GameRecord(_Saved):
    """A saved game: who played which actor, every day's choice, what happened, the outcome, the scenario."""

    format: Literal["escalation-sim game"]
    version: Literal[1]
    package_version: str
    player: str
    actor: str
    seed: int
    branch_date: dt.date
    turns: int
    days_played: int
    finished: bool
    scenario_name: str
    scenario_title: str
    scenario_sha256: str
    scenario: dict[str, Any]
    outcome: dict[str, Any]
    choices: list[RecordedChoice]
    events: list[RecordedEvent]

    def crisis(self) -> Scenario:
        """The scenario the game was played on, validated again."""
        return validate_scenario_data(dict(self.scenario), f"the scenario saved in {self.player or 'a game'}")

    @property
    def outcome_class(self) -> str:
        return str(self.outcome.get("outcome", "unfinished"))


def save_game(record: GameRecord, path: str | Path) -> Path:
    """Write a game atomically (a half-written file never replaces a good one)."""
    path = Path(path)
    text = json.dumps(record.model_dump(mode="json"), indent=1) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_game(path: str | Path) -> GameRecord:
    """Read a saved game; GameError says what is wrong with the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GameError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GameError(f"{path}: cannot read it ({exc})") from None
    except json.JSONDecodeError as exc:
        raise GameError(f"{path}: not a saved game (not JSON: {exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
        raise GameError(f"{path}: not a saved game (write one with `escalation-sim play ... --record FILE`)")
    try:
        record = GameRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise GameError(
            f"{path}: damaged saved game ({where}: {first['msg']}; {exc.error_count()} problem(s))"
        ) from None
    try:
        record.crisis()
    except ScenarioError as exc:
        raise GameError(f"{path}: the scenario inside is invalid ({exc.problems[0]})") from None
    return record


# --- debriefs --------------------------------------------------------------------------------------------------


def branch_distribution(scenario: Scenario, branch_date: dt.date | None, runs: int, seed: int = 0) -> pd.DataFrame:
    """Outcomes of `runs` runs from the branch point with the model playing every actor, seeds seed, seed+1...

    One row per run: seed, outcome, max_rung, hostile_deaths, days_to_calm, first_response_<ACTOR>.
    A serial loop on purpose: it runs inside the app's multi-threaded server, where forking a pool is unsafe,
    and a debrief's few hundred runs take a second or two.
    """
    rows = []
    for run_seed in range(seed, seed + runs):
        model = EscalationModel(scenario=scenario, rng=run_seed, branch_date=branch_date, collect=False)
        model.run_model()
        o = model.outcome
        row: dict[str, Any] = {
            "seed": run_seed,
            "outcome": o.outcome,
            "max_rung": o.max_rung,
            "hostile_deaths": o.hostile_deaths,
            "days_to_calm": o.days_to_calm,
        }
        for actor_id, action in o.first_response.items():
            row[f"first_response_{actor_id}"] = action or "none"
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass(slots=True)
class PathStep:
    date: dt.date
    text: str
    note: str = ""


@dataclass(slots=True)
class HistoryView:
    """What history did from the branch point: the played actor's acts and how the crisis ended."""

    path: list[PathStep]
    outcome: str
    max_rung: int | None
    hostile_deaths: int
    first_response: str
    first_response_day: int | None
    by_date: dict[dt.date, list[str]]


@dataclass(slots=True)
class Placement:
    """Where a game's outcome falls among the model's runs from the same branch point."""

    runs: int
    outcome_shares: dict[str, float]
    your_outcome_share: float | None
    deaths_below: float  # share of runs with fewer hostile deaths than the game
    deaths_above: float
    rung_below: float
    rung_above: float
    first_response_shares: dict[str, float]  # what the model's own actor did first


@dataclass(slots=True)
class Debrief:
    """One game against history and against the model's distribution."""

    player: str
    actor: str
    scenario_title: str
    branch_date: dt.date
    finished: bool
    days_played: int
    turns: int
    outcome: dict[str, Any]
    your_path: list[PathStep]
    history: HistoryView
    placement: Placement | None
    model_agreement: float | None  # mean probability the rule gave the player's own picks


def history_view(scenario: Scenario, actor_id: str, branch_date: dt.date) -> HistoryView:
    """The historical path of one actor from the branch point, and history's outcome (a replay, no draws)."""
    model = EscalationModel(scenario=scenario, rng=0, replay_only=True, collect=False)
    while model.running:
        model.step()
    branch_day = (branch_date - scenario.start_date).days
    ladder = scenario.actions
    path: list[PathStep] = []
    by_date: dict[dt.date, list[str]] = {}
    first, first_day = "none", None
    for event in scenario.events:
        if event.actor != actor_id or event.date < branch_date:
            continue
        action = ladder[event.action]
        text = _option_text(action.label, event.target)
        note = "not a choice: it happened to you" if not action.chosen else ""
        path.append(PathStep(event.date, text, note or event.id))
        by_date.setdefault(event.date, []).append(text)
        if first_day is None and action.is_hostile and action.rung > 0 and action.chosen:
            first, first_day = event.action, (event.date - branch_date).days
    after = model.daily_rung[branch_day:]
    top = int(after.max()) if after.size else -99
    return HistoryView(
        path=path, outcome=model.outcome.outcome, max_rung=top if top > -99 else None,
        hostile_deaths=model.hostile_deaths, first_response=first, first_response_day=first_day, by_date=by_date,
    )  # fmt: skip


def place(outcome: dict[str, Any], actor_id: str, distribution: pd.DataFrame) -> Placement:
    runs = len(distribution)
    shares = distribution["outcome"].value_counts(normalize=True)
    outcome_shares = {o: float(shares.get(o, 0.0)) for o in OUTCOMES}
    finished = outcome.get("outcome") in OUTCOMES
    deaths = outcome.get("hostile_deaths", 0) if finished else 0
    rung = outcome.get("max_rung") if finished else None
    rung_value = rung if rung is not None else -99
    top_rungs = distribution["max_rung"].astype(float).fillna(-99)  # "no hostile act" is -99 or missing
    column = f"first_response_{actor_id}"
    first = distribution[column].value_counts(normalize=True) if column in distribution else pd.Series(dtype=float)
    return Placement(
        runs=runs,
        outcome_shares=outcome_shares,
        your_outcome_share=outcome_shares.get(outcome.get("outcome", "")) if finished else None,
        deaths_below=float((distribution["hostile_deaths"] < deaths).mean()),
        deaths_above=float((distribution["hostile_deaths"] > deaths).mean()),
        rung_below=float((top_rungs < rung_value).mean()),
        rung_above=float((top_rungs > rung_value).mean()),
        first_response_shares={str(k): float(v) for k, v in first.items()},
    )


def debrief_game(record: GameRecord, runs: int = DEFAULT_RUNS, seed: int = 0) -> Debrief:
    """The player's path against history's, and the outcome against `runs` model runs from the same branch."""
    scenario = record.crisis()
    history = history_view(scenario, record.actor, record.branch_date)
    your_path = own_path(record, scenario)
    placement = None
    if runs > 0:
        placement = place(record.outcome, record.actor, branch_distribution(scenario, record.branch_date, runs, seed))
    return Debrief(
        player=record.player, actor=record.actor, scenario_title=record.scenario_title,
        branch_date=record.branch_date, finished=record.finished, days_played=record.days_played,
        turns=record.turns, outcome=record.outcome, your_path=your_path, history=history, placement=placement,
        model_agreement=_agreement(record),
    )  # fmt: skip


def own_path(record: GameRecord, scenario: Scenario) -> list[PathStep]:
    """Everything the played actor did after the branch point: its choices, and what it did not choose
    (public justifications by its diplomats, accidents)."""
    ladder = scenario.actions
    picks = {(c.day, c.action, c.target): c for c in record.choices}
    path = []
    for event in record.events:
        if event.actor != record.actor:
            continue
        action = ladder[event.action]
        choice = picks.get((event.day, event.action, event.target))
        if choice is not None:
            p = choice.probability
            note = ("left to the model: " if choice.how == "model" else "") + (
                f"the model gave it p={p:.2f}" if p is not None else ""
            )
        elif action.justifies:
            note = "by your diplomats, not chosen"
        elif not action.chosen:
            note = "not a choice: it happened to you"
        else:
            note = event.origin
        path.append(PathStep(event.date, _option_text(action.label, event.target), note))
    return path


def _agreement(record: GameRecord) -> float | None:
    picks = [c.probability for c in record.choices if c.how == "player" and c.probability is not None]
    return statistics.fmean(picks) if picks else None


# --- a class's games -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class GameRow:
    player: str
    source: str
    outcome: str
    max_rung: int | None
    hostile_deaths: int | None
    actions: int
    first_response: str
    model_agreement: float | None


@dataclass(slots=True)
class DatePoint:
    """One day after the branch point: what the class chose most often, against what history did."""

    date: dt.date
    played: int  # games that reached this day
    top_choices: list[tuple[str, int]]
    history: list[str]


@dataclass(slots=True)
class ClassSummary:
    """The games of one scenario, actor and branch point, for the instructor."""

    scenario_title: str
    scenario_sha256: str
    actor: str
    branch_date: dt.date
    games: list[GameRow]
    outcomes: dict[str, int]
    history: HistoryView
    model_outcome_shares: dict[str, float] | None
    runs: int
    first_responses: list[tuple[str, int]]
    by_date: list[DatePoint] = field(default_factory=list)

    @property
    def finished(self) -> int:
        return sum(1 for g in self.games if g.outcome != "unfinished")


def class_debrief(
    records: list[tuple[str, GameRecord]], runs: int = DEFAULT_RUNS, seed: int = 0, top: int = 3
) -> list[ClassSummary]:
    """Summarise saved games, grouped by scenario (by content), played actor and branch point.

    `records` pairs each game with where it came from (a file name). `runs` model runs per group give the
    model's outcome shares to compare the class with (0 skips them).
    """
    groups: dict[tuple[str, str, dt.date], list[tuple[str, GameRecord]]] = {}
    for source, record in records:
        groups.setdefault((record.scenario_sha256, record.actor, record.branch_date), []).append((source, record))
    summaries = []
    for (sha, actor_id, branch), games in groups.items():
        scenario = games[0][1].crisis()
        history = history_view(scenario, actor_id, branch)
        rows = []
        outcomes: Counter[str] = Counter()
        firsts: Counter[str] = Counter()
        per_date: dict[dt.date, Counter[str]] = {}
        played: Counter[dt.date] = Counter()
        for source, record in games:
            o = record.outcome
            finished = record.outcome_class in OUTCOMES
            first = (o.get("first_response") or {}).get(actor_id) if finished else None
            if not finished:
                first = next((c.action for c in record.choices if c.rung > 0 and c.action != "hold"), None)
            rows.append(
                GameRow(
                    player=record.player or "(unnamed)", source=source, outcome=record.outcome_class,
                    max_rung=o.get("max_rung") if finished else None,
                    hostile_deaths=o.get("hostile_deaths") if finished else None,
                    actions=sum(1 for c in record.choices if c.action != "hold"), first_response=first or "none",
                    model_agreement=_agreement(record),
                )
            )  # fmt: skip
            outcomes[record.outcome_class] += 1
            firsts[first or "none"] += 1
            for c in record.choices:
                per_date.setdefault(c.date, Counter())[c.label] += 1
                played[c.date] += 1
        points = []
        for date in sorted(set(per_date) | set(history.by_date)):
            counts = per_date.get(date, Counter())
            acted = any(label != "hold" for label in counts)
            if acted or date in history.by_date:
                points.append(DatePoint(date, played[date], counts.most_common(top), history.by_date.get(date, [])))
        model_shares = None
        if runs > 0:
            distribution = branch_distribution(scenario, branch, runs, seed)
            shares = distribution["outcome"].value_counts(normalize=True)
            model_shares = {k: float(shares.get(k, 0.0)) for k in OUTCOMES}
        summaries.append(
            ClassSummary(
                scenario_title=games[0][1].scenario_title, scenario_sha256=sha, actor=actor_id, branch_date=branch,
                games=rows, outcomes=dict(outcomes), history=history, model_outcome_shares=model_shares,
                runs=runs, first_responses=firsts.most_common(), by_date=points,
            )
        )  # fmt: skip
    return summaries
