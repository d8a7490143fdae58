"""The crisis model: a day per step, history replayed up to the branch point, agents deciding after it.

Every random draw comes from the model's seeded generators: `self.random` for the order of play and the choice
of action, `self.rng` for casualties and perception noise.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from .agents import ANSWER_RELIEF, CrisisActor
from .outcomes import Outcome, classify
from .rules import Option
from .scenario import Action, Event, Scenario, accident_action, load_scenario

NO_RUNG = -99  # "no hostile act that day" in the daily rung table
WORDS_SETTLE = 0.5  # share of a non-force act's rung that counts as answering a grievance


@dataclass(slots=True)
class Record:
    """One action in the crisis, historical or decided by the model, with the reason and its probability."""

    day: int
    date: dt.date
    actor: str | None
    target: str | None
    action: str
    rung: int
    killed: dict[str, int]
    wounded: dict[str, int]
    origin: str  # "history", "model", or "player" (a human's choice in play mode)
    probability: float  # what the model gave this action (NaN where no decision was involved)
    reason: str
    event_id: str | None = None
    attributed: str = ""  # who the target blamed, for deniable attacks

    @property
    def killed_total(self) -> int:
        return sum(self.killed.values())


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
        self.actors: list[CrisisActor] = [
            CrisisActor(self, key, spec, i, len(ids)) for i, (key, spec) in enumerate(scenario.actors.items())
        ]
        self.by_id = {a.actor_id: a for a in self.actors}
        resolve_of = [a.resolve for a in self.actors]
        credibility_of = [a.credibility for a in self.actors]
        self.resolve_of = resolve_of
        self.credibility_of = credibility_of
        for actor in self.actors:
            actor.resolve_of = resolve_of  # shared: an actor's credibility is what others read
            actor.credibility_of = credibility_of
            if actor.spec.sponsor is not None:
                actor.sponsor = self.by_id[actor.spec.sponsor]
            actor.build_options(self.ladder, self.actors)

        self.events_by_day: dict[int, list[Event]] = {}
        for event in scenario.events:
            self.events_by_day.setdefault((event.date - self.start_date).days, []).append(event)

        self.accident_key = accident_action(self.ladder)
        self.records: list[Record] = []
        self.daily_rung = np.full((self.horizon, len(ids)), NO_RUNG, dtype=np.int16)
        self.hostile_deaths = 0
        self.retaliations = 0
        self.accident_probability: list[float] = []

        self.collect = collect
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "date": lambda m: m.date.isoformat(),
                "rung_today": lambda m: int(m.daily_rung[m.day].max()),
                "max_rung": lambda m: int(m.daily_rung[: m.day + 1].max()),
                "hostile_deaths": "hostile_deaths",
                "outcome": lambda m: None if m.running else m.outcome.outcome,
            },
            agent_reporters={
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
            },
        )
        self._outcome: Outcome | None = None

    # --- the day -------------------------------------------------------------------------------------------

    def step(self) -> None:
        """One day: history (before the branch point), then each actor in random order, then memory fades."""
        self._day()

    def run_model(self) -> None:
        """Run to the horizon in a tight loop of days.

        Mesa's `step()` goes through its event scheduler, which costs as much as a quiet day here; this model
        schedules no events of its own, so a whole run can skip it. Same days, same draws, same results.
        """
        while self.running:
            self.steps += 1
            self.time = float(self.steps)  # the DataCollector files each day under the model's time
            self._day()

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
        if branched:
            self.agents.shuffle_do("step")
            self._accidents()
        for actor in self.actors:
            actor.end_of_day()
        for actor in self.actors:
            self.credibility_of[actor.index] = actor.credibility
        if day + 1 >= self.horizon:
            self.running = False
        if self.collect:
            self.datacollector.collect(self)

    def _accidents(self) -> None:
        for actor in self.actors:
            hazard = actor.accident_hazard()
            if hazard > 0.0 and self.random.random() < hazard:
                assert self.accident_key is not None  # the scenario checks this for accident-prone actors
                action = self.ladder[self.accident_key]
                killed = int(self.rng.negative_binomial(action.killed_dispersion, _nb_p(action)))
                self._record(
                    actor,
                    None,
                    self.accident_key,
                    action,
                    {"civilians": killed},
                    {},
                    "model",
                    hazard,
                    f"accident under alert {actor.alert:.2f} (daily hazard {hazard:.4f})",
                )
                self._after_accident(actor)

    # --- acting and perceiving -------------------------------------------------------------------------------

    def act(self, actor: CrisisActor, option: Option, probability: float, reason: str) -> Record:
        """Carry out an option the actor chose: casualties are drawn, then every actor perceives it."""
        action = self.ladder[option.action]
        killed: dict[str, int] = {}
        wounded: dict[str, int] = {}
        if option.target is not None and (action.killed_mean > 0 or action.wounded_base > 0):
            k = int(self.rng.negative_binomial(action.killed_dispersion, _nb_p(action))) if action.killed_mean else 0
            w = int(self.rng.poisson(action.wounded_base + action.wounded_ratio * k))
            if k:
                killed[option.target] = k
            if w:
                wounded[option.target] = w
        claimed = actor.kind == "state"
        return self._apply(
            actor, option.target, option.action, action, killed, wounded, claimed, None, "model", probability, reason
        )

    def justify(self, actor: CrisisActor, probability: float) -> Record:
        """A public justification of force used, alongside the day's action."""
        key = actor.justification
        assert key is not None
        reason = f"justifying force used (legitimacy cost {actor.legitimacy_cost:.2f})"
        return self._apply(actor, None, key, self.ladder[key], {}, {}, True, None, "model", probability, reason)

    def _replay(self, event: Event) -> Record:
        action = self.ladder[event.action]
        actor = self.by_id[event.actor] if event.actor is not None else None
        probability = self.probability_of(actor, event.action, event.target) if actor is not None else math.nan
        reason = f"history ({event.id}): {event.description}"
        if actor is None or not action.chosen:
            record = self._record(
                actor,
                event.target,
                event.action,
                action,
                dict(event.killed),
                dict(event.wounded),
                "history",
                probability,
                reason,
                event.id,
            )
            if actor is not None and action.effect == "accident":
                self._after_accident(actor)
            return record
        return self._apply(
            actor,
            event.target,
            event.action,
            action,
            dict(event.killed),
            dict(event.wounded),
            event.claimed,
            event.soil,
            "history",
            probability,
            reason,
            event.id,
        )

    def probability_of(self, actor: CrisisActor, action: str, target: str | None) -> float:
        """The probability the actor's rule gives `action` against `target` today, in the current state."""
        if self.ladder[action].effect == "accident":
            return actor.accident_hazard()
        if self.ladder[action].justifies:
            return actor.justification_chance()
        if not self.ladder[action].chosen:
            return math.nan
        probs = actor.policy().probs
        total = 0.0
        for opt in actor.options:
            if opt.action == action and opt.target == target:
                total += probs[opt.index]
        return total

    def _apply(
        self,
        actor: CrisisActor,
        target_id: str | None,
        key: str,
        action: Action,
        killed: dict[str, int],
        wounded: dict[str, int],
        claimed: bool,
        soil: str | None,
        origin: str,
        probability: float,
        reason: str,
        event_id: str | None = None,
    ) -> Record:
        target = self.by_id.get(target_id) if target_id is not None else None
        rung = action.rung
        hostile = action.is_hostile
        if hostile and target is not None:
            answered = actor.outstanding[target.index]
            if answered > 0.0:
                # force settles a grievance rung for rung; words settle half as much (they are cheap)
                settled = rung if action.force else WORDS_SETTLE * rung
                actor.outstanding[target.index] = max(0.0, answered - settled)
                if action.force:
                    self.retaliations += 1
                    actor.last_killed[target.index] = 0  # those deaths are answered
                    actor.domestic_pressure *= ANSWER_RELIEF
            if actor.pending_threat[target.index] and action.force:
                actor.pending_threat[target.index] = 0
                actor.credibility = min(1.0, actor.credibility + 0.1)
            if action.effect == "threat":
                actor.pending_threat[target.index] = self.crisis.threat_window_days
            actor.alert = min(1.0, actor.alert + rung / 20.0)  # expecting an answer
        if action.force:
            actor.legitimacy_cost += max(0, rung - 4) / 10.0
            if soil is None and target is not None and target.spec.located_in is not None:
                soil = target.spec.located_in
        elif action.justifies:
            actor.legitimacy_cost *= 0.3
        elif rung < 0 and target is not None:
            if not actor.conciliatory[target.index]:  # an answer in kind closes the exchange, asks for none
                target.conciliatory[actor.index] = True
            target.outstanding[actor.index] *= 0.5  # reassured, not satisfied
            actor.conciliatory[target.index] = False  # answered in kind
            actor.outstanding[target.index] *= 0.5  # declaring the exchange over is letting half of it go
        actor.used(key, target_id)
        if action.effect == "withdrawal_demand" and target is not None:
            target.sovereignty_cost[actor.index] += 0.5
        for nation, count in killed.items():
            victim = self.by_id.get(nation)
            if victim is not None:
                victim.killed += count
            if hostile:
                self.hostile_deaths += count
        for nation, count in wounded.items():
            victim = self.by_id.get(nation)
            if victim is not None:
                victim.wounded += count
        attributed = ""
        if hostile and target is not None:
            attributed = self._perceive(actor, target, rung, killed, claimed, soil, action.force)
        record = self._record(
            actor, target_id, key, action, killed, wounded, origin, probability, reason, event_id, attributed
        )
        actor.last_action = key
        actor.last_reason = reason
        return record

    def _perceive(
        self,
        actor: CrisisActor,
        target: CrisisActor,
        rung: int,
        killed: dict[str, int],
        claimed: bool,
        soil: str | None,
        force: bool,
    ) -> str:
        """Each affected actor sees the act through noise and decides whom to blame."""
        normal = self.rng.normal
        random = self.random.random
        blamed_by_target = ""
        for observer in self.actors:
            if observer is actor:
                continue
            perception = observer.perception
            if observer is target:
                base = rung + perception.casualty_weight * math.log1p(killed.get(observer.actor_id, 0))
                own_killed = killed.get(observer.actor_id, 0)
            elif target.sponsor is observer:
                base = perception.proxy_solidarity * (
                    rung + perception.casualty_weight * math.log1p(killed.get(target.actor_id, 0))
                )
                own_killed = 0
            elif soil == observer.actor_id and force:
                violation = perception.sovereignty_sensitivity * (
                    rung + perception.casualty_weight * math.log1p(killed.get(observer.actor_id, 0))
                )
                if violation > 0:
                    observer.violations[actor.index] += violation
                    observer.outstanding[actor.index] = max(observer.outstanding[actor.index], violation)
                    observer.last_rung[actor.index] = rung
                    observer.last_attribution[actor.index] = 1.0
                continue
            else:
                continue
            severity = max(0.0, base + perception.noise_sd * normal()) if perception.noise_sd else base
            blamed: list[tuple[CrisisActor, float]] = []
            if claimed:
                blamed.append((actor, 1.0))
            elif random() < perception.attribution:
                blamed.append((actor, perception.attribution))
            sponsor = actor.sponsor
            deniable = not claimed and sponsor is not None and sponsor is not observer
            if deniable and random() < perception.sponsor_attribution:
                blamed.append((sponsor, perception.sponsor_attribution))
            for culprit, p in blamed:
                j = culprit.index
                # a sponsor is blamed for its proxy's act in proportion to the belief that it is behind it
                share = severity if culprit is actor else severity * p
                # deaths in acts not yet answered are remembered: a later harmless act does not erase them
                observer.last_killed[j] = own_killed if observer.outstanding[j] == 0.0 else max(
                    observer.last_killed[j], own_killed
                )
                observer.outstanding[j] = max(observer.outstanding[j], share)
                observer.grievance[j] += share
                observer.last_rung[j] = rung
                observer.last_attribution[j] = p
                observer.conciliatory[j] = False
            if observer is target:
                blamed_by_target = "+".join(c.actor_id for c, _ in blamed) or "unknown"
            observer.alert = min(1.0, observer.alert + rung / 20.0)
            observer.domestic_pressure = min(
                1.0, observer.domestic_pressure + severity / 20.0 + perception.casualty_weight * own_killed / 100.0
            )
        return blamed_by_target

    def _after_accident(self, actor: CrisisActor) -> None:
        """An accident under alert costs legitimacy and makes the actor more careful, and stands forces down."""
        actor.legitimacy_cost += 0.5
        actor.cost_sensitivity = min(1.0, actor.cost_sensitivity + 0.1)
        actor.alert *= 0.5

    def _record(
        self,
        actor: CrisisActor | None,
        target: str | None,
        key: str,
        action: Action,
        killed: dict[str, int],
        wounded: dict[str, int],
        origin: str,
        probability: float,
        reason: str,
        event_id: str | None = None,
        attributed: str = "",
    ) -> Record:
        record = Record(
            day=self.day,
            date=self.date,
            actor=actor.actor_id if actor is not None else None,
            target=target,
            action=key,
            rung=action.rung,
            killed=killed,
            wounded=wounded,
            origin=origin,
            probability=probability,
            reason=reason,
            event_id=event_id,
            attributed=attributed,
        )
        self.records.append(record)
        if actor is not None and action.is_hostile and action.rung > self.daily_rung[self.day, actor.index]:
            self.daily_rung[self.day, actor.index] = action.rung
        return record

    # --- results ---------------------------------------------------------------------------------------------

    @property
    def outcome(self) -> Outcome:
        if self._outcome is None:
            self._outcome = classify(self)
        return self._outcome


def _nb_p(action: Action) -> float:
    """numpy's negative binomial success probability for the action's mean and dispersion."""
    r = action.killed_dispersion
    return r / (r + action.killed_mean) if action.killed_mean > 0 else 1.0
