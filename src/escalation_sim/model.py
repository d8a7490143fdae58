"""The crisis model: a day per step, history replayed up to the branch point, agents deciding after it.

Every random draw comes from the model's seeded generators: `self.random` for the order of play and the choice
of action, `self.rng` for casualties and perception noise.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from .agents import CrisisActor
from .mechanics import operations, signals
from .mechanics.channels import build_lines
from .mechanics.harm import salvo_casualties
from .mechanics.menu import build_menu
from .mechanics.perception import accidents, after_accident, arrive_blame, carry_out, casualties
from .mechanics.proxies import deliver_orders
from .mechanics.words import listen
from .minds.beliefs import install as install_beliefs
from .minds.beliefs import observed
from .minds.beliefs import refresh as refresh_beliefs
from .minds.policy import chance_of
from .minds.public import Estimate, fade, seen
from .results.outcomes import NO_RUNG, Outcome, classify
from .rules import Option
from .scenario import Action, Event, Scenario, accident_action, load_scenario
from .state.ledgers import Blame, Order, SignalBook
from .state.operations import Operation
from .state.records import Act, Record

GC_GEN0 = 50_000  # the collector's first threshold while a run lasts (Python's default: 700), see `run_model`


def rung_or_none(value: Any) -> int | None:
    """A rung for people and pandas: None (NaN in a DataFrame) for NO_RUNG, "no hostile act"."""
    return None if int(value) == NO_RUNG else int(value)


# What the DataCollector files each day (actors.csv is made from the agent reporters).
MODEL_REPORTERS: dict[str, Any] = {
    "date": lambda m: m.date.isoformat(),
    "rung_today": lambda m: rung_or_none(m.daily_rung[m.day].max()),  # None: no hostile act that day
    "max_rung": lambda m: rung_or_none(m.daily_rung[: m.day + 1].max()),
    "hostile_deaths": "hostile_deaths",
    "outcome": lambda m: None if m.running else m.outcome.outcome,
}
AGENT_REPORTERS: dict[str, Any] = {
    "actor": "actor_id",
    "alert": "alert",
    "domestic_pressure": "domestic_pressure",
    "credibility": "credibility",
    "legitimacy_cost": "legitimacy_cost",
    "grievance": "max_grievance",
    "unanswered": "max_outstanding",
    "killed": "killed",
    "wounded": "wounded",
    "last_action": "last_action",
}


def introduce(model: EscalationModel) -> None:
    """Once every actor exists: who sponsors whom, the shared readings of resolve and credibility, each menu."""
    sponsor_of = [model.by_id[a.spec.sponsor].index if a.spec.sponsor is not None else -1 for a in model.actors]
    for actor in model.actors:
        actor.sponsor_of = sponsor_of
        actor.resolve_of = model.resolve_of
        actor.credibility_of = model.credibility_of
        if actor.spec.sponsor is not None:
            actor.sponsor = model.by_id[actor.spec.sponsor]
        build_menu(model, actor, model.ladder, model.actors)


def enter_unseen(model: EscalationModel) -> None:
    """Enter the public acts and nights not yet seen in the public estimates, in the order they happened, so the
    estimates are those kept day by day: only forecasts and beliefs read them (`model.public`), so a run without
    them never pays for keeping them."""
    unseen, model._unseen = model._unseen, []
    for act in unseen:
        if act is None:
            fade(model._public)
        else:
            seen(model._public, model.actors, act)


def file_record(model: EscalationModel, act: Act, attributed: str) -> Record:
    """File an act in `records` and the daily rung table; the public estimates and rules keeping state see it."""
    actor = act.actor
    action = act.action
    day = model.day
    record = Record(  # by keyword: a reordered field cannot take another's value (~1 us a record, 0.05% of a run)
        day=day,
        date=model.date,
        actor=actor.actor_id if actor is not None else None,
        target=act.target,
        action=act.key,
        rung=action.rung,
        killed=act.killed,
        wounded=act.wounded,
        origin=act.origin,
        probability=act.probability,
        reason=act.reason,
        event_id=act.event_id,
        attributed=attributed,
    )
    model.records.append(record)
    model._unseen.append(act)  # entered in the public estimates when they are read (`model.public`)
    if actor is not None and act.target is not None and action.chosen:
        actor.own_last_rung[model.by_id[act.target].index] = action.rung
    for watcher in model.keeping_state:
        watcher.witness(act.key, record.actor, act.target)
    if actor is not None and action.is_hostile and action.rung > model.daily_rung[day, actor.index]:
        model.daily_rung[day, actor.index] = action.rung
    return record


class EscalationModel(mesa.Model):
    """States and militias climbing or descending an escalation ladder, one day per step.

    `EscalationModel(scenario=load_scenario(path), rng=seed)`; step it by hand or with `run_model()`;
    `running` turns false at the scenario's horizon. Works with `mesa.batch_run` as it is. The crisis
    description is `model.crisis` (Mesa 3.5 reserves `model.scenario` for its own experimental Scenario).
    """

    def __init__(
        self,
        scenario: Scenario | str | Path,
        rng: Any = None,
        branch_date: dt.date | str | None = None,
        replay_only: bool = False,
        collect: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(rng=rng, **kwargs)
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        self.crisis = scenario
        self.ladder: dict[str, Action] = scenario.actions
        self.start_date = scenario.start_date
        self.horizon = scenario.days
        if replay_only:
            branch = None
        elif branch_date is not None:
            branch = dt.date.fromisoformat(branch_date) if isinstance(branch_date, str) else branch_date
            if not (scenario.start_date <= branch <= scenario.end_date):
                raise ValueError(
                    f"branch date {branch} lies outside the scenario's {scenario.start_date} - {scenario.end_date}"
                )
        else:
            branch = scenario.branch_date
        self.branch_date = branch
        self.branch_day = (branch - self.start_date).days if branch is not None else self.horizon
        self.day = -1
        self.date = self.start_date

        ids = list(scenario.actors)
        self.actor_ids = ids
        self.lines = build_lines(scenario.channels, ids)  # open private channels, by (sender, receiver) index
        self.signals = SignalBook()  # threats, closures and messages in play (signals.py)
        self.actors: list[CrisisActor] = [
            CrisisActor(self, key, spec, i, len(ids)) for i, (key, spec) in enumerate(scenario.actors.items())
        ]
        self.by_id = {a.actor_id: a for a in self.actors}
        self.resolve_of = [a.resolve for a in self.actors]  # shared: an actor's credibility is what others read
        self.credibility_of = [a.credibility for a in self.actors]
        introduce(self)
        self.watchers: list[list[Any]] = [[] for _ in self.actors]  # per actor: the beliefs held about it
        self.believers: list[CrisisActor] = []
        self.listeners: list[CrisisActor] = []  # actors whose reading of another's credibility words moved
        self._public = [Estimate.of(a, len(ids)) for a in self.actors]  # what anyone can know of
        # each actor (minds/public.py)
        self._unseen: list[Act | None] = []  # public acts (None: a night) not yet entered in `_public` (`public`)
        install_beliefs(self)

        self.keeping_state = [a for a in self.actors if a.traits.keeps_state]  # their rules see every act
        self.events_by_day: dict[int, list[Event]] = {}
        for event in scenario.events:
            self.events_by_day.setdefault((event.date - self.start_date).days, []).append(event)

        self.accident_key = accident_action(self.ladder)
        self.records: list[Record] = []
        self.answers_as_is: tuple[tuple[int, int], dict[int, Any]] = ((-1, -1), {})  # minds/anticipation.answer_as_is
        self.daily_rung = np.full((self.horizon, len(ids)), NO_RUNG, dtype=np.int16)
        self.hostile_deaths = 0
        self.retaliations = 0
        self.accident_probability: list[float] = []
        self.orders: list[Order] = []  # sponsors' private orders on their way (proxies.py)
        self.late_blame: list[Blame] = []  # attributions still under investigation (perception.py)
        self.operations: list[Operation] = []  # operations under way (mechanics/operations.py)

        self.collect = collect
        reporters = AGENT_REPORTERS | ({"beliefs": "belief_summary"} if self.believers else {})
        self.datacollector = mesa.DataCollector(model_reporters=MODEL_REPORTERS, agent_reporters=reporters)
        self._outcome: Outcome | None = None

    # --- the day -------------------------------------------------------------------------------------------

    def step(self) -> None:
        """One day: history (before the branch point), then each actor in random order, then memory fades."""
        self._day()

    def run_model(self) -> None:
        """Run to the horizon in a tight loop of days.

        Mesa's `step()` goes through its event scheduler, which costs as much as a quiet day here; this model
        schedules no events of its own, so a whole run can skip it. Same days, same draws, same results.
        While it runs, the cyclic garbage collector waits for `GC_GEN0` new objects rather than 700: a day makes
        and drops many short-lived lists (policies, imagined views' answers) and few cycles, and the collector's
        passes over the model's long-lived objects cost learned jan2020 runs 14% of their CPU time in one
        side-by-side measurement, 4% in another (load 7-8, 8 runs an arm). Restored after; it changes no draw.
        """
        threshold = gc.get_threshold()
        gc.set_threshold(threshold[0] and max(threshold[0], GC_GEN0), *threshold[1:])  # 0: collection kept off
        try:
            while self.running:
                self.steps += 1
                self.time = float(self.steps)  # the DataCollector files each day under the model's time
                self._day()
        finally:
            gc.set_threshold(*threshold)

    def _day(self) -> None:
        self.day += 1
        day = self.day
        self.date = self.start_date + dt.timedelta(days=day)
        self._outcome = None
        for actor in self.actors:
            actor.last_action = "hold"
        branched = day >= self.branch_day
        for event in self.events_by_day.get(day, ()):
            if not branched or event.exogenous:
                self._replay(event)
        if self.orders:
            deliver_orders(self)
        if self.late_blame:
            arrive_blame(self)
        operations.run_day(self)  # operations under way produce their acts (section 1b)
        if branched:
            self.agents.shuffle_do("step")
            accidents(self)
        self.before_night()
        for actor in self.actors:
            actor.end_of_day()
        signals.end_of_day(self)
        self._unseen.append(None)  # the estimates' night, entered when they are read (`public`)
        for actor in self.actors:
            self.credibility_of[actor.index] = actor.credibility
        if self.believers:
            refresh_beliefs(self)
        if self.listeners:
            listen(self)
        if day + 1 >= self.horizon:
            self.running = False
        if self.collect:
            self.datacollector.collect(self)

    def before_night(self) -> None:
        """Called after the day's acts, before memory fades: a hook for observers (the score's particle filter
        reads each actor's hold probability here). Does nothing in the model itself."""

    @property
    def public(self) -> list[Estimate]:
        """What anyone can know of each actor (minds/public.py), brought up to date when read (`enter_unseen`)."""
        if self._unseen:
            enter_unseen(self)
        return self._public

    # --- acting ------------------------------------------------------------------------------------------------

    def act(self, actor: CrisisActor, option: Option, probability: float, reason: str, origin: str = "model") -> Record:
        """Carry out an option the actor chose: casualties are drawn, then every actor perceives it."""
        action = self.ladder[option.action]
        if action.salvo and option.target is not None:
            target = self.by_id[option.target]
            warned, how = signals.warn(self, actor, target, action)
            killed, wounded, hits = salvo_casualties(
                self, action, option.target, target.spec.defence, target.alert, warned
            )
            reason = f"{reason}; {how}; {hits} of {action.salvo} missiles landed"
        else:
            killed, wounded = casualties(self, action, option.target)
        act = Act(
            actor,
            option.action,
            action,
            option.target,
            killed,
            wounded,
            claimed=actor.kind == "state",
            origin=origin,
            probability=probability,
            reason=reason,
            front=actor.spec.front,
        )
        chance = operations.stream_chance(actor, option)  # read before the act changes the actor's state
        return operations.started(self, act, carry_out(self, act), chance)  # an operation goes on (section 1b)

    def justify(self, actor: CrisisActor, probability: float) -> Record:
        """A public justification of force used, alongside the day's action."""
        key = actor.justification
        assert key is not None
        reason = f"justifying force used (legitimacy cost {actor.legitimacy_cost:.2f})"
        return carry_out(self, Act(actor, key, self.ladder[key], probability=probability, reason=reason))

    def _replay(self, event: Event) -> Record:
        action = self.ladder[event.action]
        actor = self.by_id[event.actor] if event.actor is not None else None
        probability = self.probability_of(actor, event.action, event.target) if actor is not None else math.nan
        if actor is not None and self.watchers[actor.index]:
            seen = self.history_days.get(id(event))  # the actor-day, at its first decision (minds/beliefs.py)
            if seen is not None:
                observed(self, actor, *seen)
        act = Act(
            actor,
            event.action,
            action,
            event.target,
            dict(event.killed),
            dict(event.wounded),
            claimed=event.claimed,
            soil=event.soil,
            origin="operation" if event.part_of else "history",  # an act of a spell: no decision (section 1b)
            probability=operations.tempo_of(self, event.part_of, probability),
            reason=f"history ({event.id}): {event.description}",
            event_id=event.part_of or event.id,
            front=event.front,
            liaison_killed=tuple(event.liaison_killed),
            threat=event.threat,
        )
        if actor is not None and action.chosen:
            actor.observed(event.action, event.target)  # forward filtering of a regime model, before the act
            return operations.spell(self, event, carry_out(self, act))  # a spell runs on (section 1b)
        record = self.record(act)  # not a decision: recorded, not acted on
        if actor is not None and action.effect == "accident":
            after_accident(actor)
        return record

    def probability_of(self, actor: CrisisActor, action: str, target: str | None, words: bool | None = None) -> float:
        """The probability the actor's rule gives `action` against `target` today, in the current state, on the
        action's channel; holding is on both, unless `words` names one (minds/policy.chance_of)."""
        spec = self.ladder[action]
        if spec.effect == "accident":
            return actor.accident_hazard()
        if spec.justifies:
            return actor.justification_chance()
        if not spec.chosen:
            return math.nan
        return chance_of(actor, actor.policy(), action, target, spec.in_words, words)

    def record(self, act: Act, attributed: str = "") -> Record:
        """File an act in `records` and the daily rung table (`file_record`)."""
        return file_record(self, act, attributed)

    # --- results ---------------------------------------------------------------------------------------------

    @property
    def outcome(self) -> Outcome:
        if self._outcome is None:
            self._outcome = classify(self)
        return self._outcome
