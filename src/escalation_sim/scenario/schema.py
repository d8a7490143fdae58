"""The scenario schema: validated data describing a crisis (actors, ladder, history, outcome thresholds).

Pydantic v2 models, strict (unknown keys rejected) and frozen. Reading files is `scenario.load`; errors in
words are `scenario.errors` and `scenario.validate`; counterfactual edits are `scenario.edits`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, field_validator, model_serializer, model_validator

from ..rules import RuleConfig
from .beliefs import Belief, PastAnswer
from .card import Card, ObservedOutcome, Split
from .hazards import Hazards
from .history import Event, Outcomes, Strict
from .ladder import (
    Action,
    ActorKind,
    accident_action,
    default_ladder,
)
from .policy import MAX_ACTIONS, MAX_ACTORS, MAX_DAYS, MAX_EVENTS
from .roles import HostRole, MilitiaRole
from .signalling import Channel, Defence, Signalling
from .spells import check_parts, check_spell

Unit = Annotated[float, Field(ge=0.0, le=1.0)]


class Traits(Strict):
    """Dispositions on a 0-1 scale; the scenario file says why each value was chosen."""

    resolve: Unit = Field(0.5, description="willingness to bear costs to answer provocations")
    cost_sensitivity: Unit = Field(0.5, description="weight given to expected costs")
    risk_tolerance: Unit = Field(0.5, description="tolerance of the risk of a killing spiral")
    alert: Unit = Field(0.1, description="readiness of forces at the start (raises the accident hazard)")
    domestic_pressure: Unit = Field(0.2, description="pressure at home to answer, at the start")
    credibility: Unit = Field(0.5, description="how far others believe its threats, at the start")


class Perception(Strict):
    """How an actor sees what others do: noise, attribution of deniable attacks, solidarity with proxies."""

    noise_sd: float = Field(0.5, ge=0, le=5, description="standard deviation of perceived severity, in rungs")
    attribution: Unit = Field(0.8, description="chance that an unclaimed attack is laid at its author's door")
    sponsor_attribution: Unit = Field(0.5, description="chance that a proxy's attack is also blamed on its sponsor")
    proxy_solidarity: Unit = Field(0.5, description="share of an attack on one's proxy felt as one's own")
    casualty_weight: float = Field(1.0, ge=0, le=5, description="rungs of severity per log(1 + own killed)")
    sovereignty_sensitivity: Unit = Field(0.0, description="host nations: weight of force used on its soil")
    attribution_delay_days: int = Field(
        0,
        ge=0,
        le=120,
        description="days an investigation takes before an unclaimed attack is laid at anyone's door; blame "
        "enters the grievance on the day it arrives (0: at once, as before)",
    )


class Actor(Strict, MilitiaRole, HostRole):
    """A state or militia as the scenario describes it: what it can do, to whom, how it sees and decides.

    The model turns each into a `CrisisActor` (agents.py); `rule` picks its deterrence doctrine (rules/).
    """

    name: str
    kind: ActorKind
    sponsor: str | None = Field(None, description="the state that arms and directs a militia")
    located_in: str | None = Field(None, description="host nation on whose soil its exposed forces stand")
    adversaries: list[str] = Field(
        default_factory=list, max_length=MAX_ACTORS, description="actors it may aim hostile actions at"
    )
    partners: list[str] = Field(
        default_factory=list, max_length=MAX_ACTORS, description="actors it may offer talks to besides"
    )
    capabilities: list[str] = Field(min_length=1, max_length=MAX_ACTIONS, description="ladder actions it can take")
    traits: Traits = Traits()
    perception: Perception = Perception()
    decision_lag_days: float = Field(2.0, ge=1, le=60, description="mean days to answer a provocation")
    hazards: Hazards | None = Field(
        None,
        description="per action class, the preparation time and the share of a grievance an act discharges "
        "(docs/model.md section 1a); null: the shipped priors",
    )
    grievance_half_life_days: float = Field(14.0, gt=0, le=MAX_DAYS, description="half-life of grievances")
    alert_half_life_days: float = Field(5.0, gt=0, le=MAX_DAYS, description="half-life of heightened alert")
    accident_rate: Unit = Field(0.0, description="daily chance of an accident under full alert")
    audience_cost: Unit = Field(0.1, description="credibility lost when a threat is not carried out")
    sponsor_control: Unit = Field(0.0, description="militias: how far the sponsor's wishes hold it back")
    defence: Defence = Field(Defence(), description="air defence and sheltering of its forces (strike harm)")
    rule: RuleConfig
    beliefs: dict[str, Belief] = Field(
        default_factory=dict,
        description="per other actor, a prior over its types, updated by Bayes (docs/model.md, Beliefs); "
        "absent: the other's true resolve and credibility are known",
    )
    reputation: list[PastAnswer] = Field(
        default_factory=list,
        description="its answers to provocations before the crisis (its public record, sourced): whoever holds "
        "beliefs about it starts from its prior updated by the record's likelihood under each type",
    )
    reputation_from: Literal["record", "rule"] = Field(
        "record",
        description="record: the answers as recorded; rule: each answer drawn from the actor's own rule in the "
        "same situation (the record its doctrine would have made: a counterfactual, for experiments)",
    )
    notes: str = ""

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> Any:
        """Leave out an empty `beliefs` and `reputation` and unset `hazards`: files without them keep their hash."""
        data = handler(self)
        if isinstance(data, dict):
            if not self.beliefs:
                data.pop("beliefs", None)
            if not self.reputation:
                data.pop("reputation", None)
            if self.reputation_from == "record":
                data.pop("reputation_from", None)
            if self.hazards is None:
                data.pop("hazards", None)
        return data


class Scenario(Strict):
    """A crisis: its actors, its escalation ladder, its dated history, a branch point and outcome thresholds.

    Loaded from YAML by `load_scenario`; the model replays `events` up to `branch_date` and decides after it.
    """

    # the full check of raw data (scenario/validate.py, which sits above the schema it checks against): it installs
    # itself here on import, so that `with_edits` validates without the schema importing its own checker
    validate_data: ClassVar[Callable[[dict[str, Any], str], Scenario] | None] = None

    name: str = Field(pattern=r"^[a-z0-9_-]+$")
    title: str
    description: str = ""
    start_date: dt.date
    end_date: dt.date
    branch_date: dt.date | None = Field(
        None, description="first day the model decides; earlier days replay history. null: history only"
    )
    threat_window_days: int = Field(
        10, ge=1, le=MAX_DAYS, description="days to carry out a threat once its condition is met, before audience costs"
    )
    outcomes: Outcomes = Outcomes()
    signals: Signalling = Field(Signalling(), description="how threats, closures and private messages act")
    channels: dict[str, Channel] = Field(
        default_factory=dict, description="private channels by id (a protecting power, a host's prime minister)"
    )
    ladder: dict[str, Action] | Literal["default"] = Field(
        "default", validate_default=True, description="'default' (the shipped ladder) or a mapping of actions"
    )
    actors: dict[str, Actor] = Field(min_length=2, max_length=MAX_ACTORS)
    events: list[Event] = Field(default_factory=list, max_length=MAX_EVENTS)
    split: Split | None = Field(
        None,
        description="train/test protocol (docs/validation.md): 'train' scenarios fit the shared parameters; a "
        "'test' scenario is scored with frozen parameters only if their hash was recorded before "
        "(calibration/frozen.json); null: neither",
    )
    observed_outcome: ObservedOutcome | None = Field(
        None, description="crisis library: how the crisis ended, in the model's outcome classes"
    )
    card: Card | None = Field(None, description="crisis library: the teaching card")

    @field_validator("ladder", mode="after")
    @classmethod
    def _resolve_ladder(cls, value: Any) -> dict[str, Action]:
        if value == "default":
            return default_ladder()
        if len(value) > MAX_ACTIONS:
            raise ValueError(f"ladder: {len(value)} actions; at most {MAX_ACTIONS}")
        hold = value.get("hold")
        if hold is None:
            raise ValueError("a ladder needs a 'hold' action (rung 0): actors must be able to do nothing")
        if hold.rung != 0 or not hold.chosen or hold.effect != "none" or "none" not in hold.targets:
            raise ValueError(
                "ladder.hold: 'hold' must be a plain choice: rung 0, chosen: true, no effect, targets [none]"
            )
        return value

    @model_validator(mode="after")
    def _cross_check(self) -> Scenario:
        ladder: dict[str, Action] = self.ladder  # type: ignore[assignment]
        ids = list(self.actors)
        if self.end_date <= self.start_date:
            raise ValueError(f"end_date {self.end_date} must come after start_date {self.start_date}")
        if self.days > MAX_DAYS:
            raise ValueError(
                f"end_date {self.end_date} is {self.days:,} days after start_date; a scenario spans at most "
                f"{MAX_DAYS:,} days (ten years)"
            )
        if self.branch_date is not None and not (self.start_date <= self.branch_date <= self.end_date):
            raise ValueError(
                f"branch_date {self.branch_date} must lie between start_date {self.start_date} "
                f"and end_date {self.end_date}"
            )
        for key, actor in self.actors.items():
            for field, ref in (("sponsor", actor.sponsor), ("located_in", actor.located_in)):
                if ref is not None:
                    _check_ref(ref, ids, f"actors.{key}.{field}", exclude=key)
            for field in ("adversaries", "partners"):
                for ref in getattr(actor, field):
                    _check_ref(ref, ids, f"actors.{key}.{field}", exclude=key)
            for action in actor.capabilities:
                _check_ref(action, list(ladder), f"actors.{key}.capabilities", what="ladder action")
                if actor.kind not in ladder[action].users:
                    raise ValueError(
                        f"actors.{key}.capabilities: {action!r} is not open to a {actor.kind} "
                        f"(the ladder allows it to: {', '.join(ladder[action].users)})"
                    )
            _check_streams(key, actor)
            if "hold" not in actor.capabilities:
                raise ValueError(f"actors.{key}.capabilities must include 'hold'")
            if actor.accident_rate > 0 and accident_action(ladder) is None:
                raise ValueError(
                    f"actors.{key}.accident_rate: the ladder has no action with effect 'accident' to record it"
                )
            for ref in actor.beliefs:
                _check_ref(ref, ids, f"actors.{key}.beliefs", exclude=key)
            _check_reputation(key, actor, ids)
            if actor.kind == "militia" and actor.sponsor is None and actor.sponsor_control > 0:
                raise ValueError(f"actors.{key}.sponsor_control is set but the militia has no sponsor")
            for ref in actor.dependence:
                _check_ref(ref, ids, f"actors.{key}.dependence", exclude=key)
            _check_roles(key, self.actors)
        seen: set[str] = set()
        for n, event in enumerate(self.events):
            self._check_event(f"events.{n}", event, ids, ladder, seen)
        check_parts(self.events, self.end_date)
        for key, channel in self.channels.items():
            _check_ref(channel.sender, ids, f"channels.{key}.sender")
            _check_ref(channel.receiver, ids, f"channels.{key}.receiver")
            if channel.host is not None:
                _check_ref(channel.host, ids, f"channels.{key}.host")
        return self

    def _check_event(self, where: str, event: Event, ids: list[str], ladder: dict[str, Action], seen: set[str]) -> None:
        """One recorded event: a unique id, dates inside the scenario, known references, a valid spell."""
        if event.id in seen:
            raise ValueError(f"{where}.id: {event.id!r} is used twice; event ids must be unique")
        seen.add(event.id)
        if not (self.start_date <= event.date <= self.end_date):
            raise ValueError(
                f"{where}.date: {event.date} ({event.id}) lies outside the scenario's "
                f"{self.start_date} - {self.end_date}"
            )
        if event.end_date is not None and event.end_date < event.date:
            raise ValueError(f"{where}.end_date: {event.end_date} ({event.id}) comes before its date {event.date}")
        if event.end_date is not None and event.end_date > self.end_date:
            raise ValueError(
                f"{where}.end_date: {event.end_date} ({event.id}) lies after the scenario's end_date "
                f"{self.end_date}; end it by then or extend the scenario"
            )
        _check_ref(event.action, list(ladder), f"{where}.action", what="ladder action")
        for field in ("actor", "target", "soil"):
            ref = getattr(event, field)
            if ref is not None:
                _check_ref(ref, ids, f"{where}.{field}")
        for ref in event.liaison_killed:
            _check_ref(ref, ids, f"{where}.liaison_killed")
            if self.actors[ref].kind != "militia" or self.actors[ref].sponsor is None:
                raise ValueError(f"{where}.liaison_killed: {ref!r} is not a militia with a sponsor")
        if event.operation is not None:
            check_spell(event, ladder, ids, where)
        if event.actor is None and not event.exogenous:
            raise ValueError(f"{where}.exogenous: an event with no actor must be exogenous: true")

    @property
    def actions(self) -> dict[str, Action]:
        return self.ladder  # type: ignore[return-value]

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def with_edits(self, changes: dict[str, Any] | None = None, remove_events: Iterable[str] = ()) -> Scenario:
        """A validated counterfactual: values set by dotted path (`actors.USA.rule.margin`), events dropped."""
        from .edits import apply_edits  # edits sit beside the schema, not below it

        data = apply_edits(self.model_dump(mode="json"), changes or {}, remove_events)
        assert Scenario.validate_data is not None, "scenario/validate.py installs it when the package is imported"
        return Scenario.validate_data(data, f"{self.name} with edits")

    def sha256(self) -> str:
        """Content hash of the validated scenario, stable across key order and formatting."""
        data = self.model_dump(mode="json")
        if data.get("split") is None:  # hashes of scenarios without a split stay what they were before it existed
            data.pop("split", None)
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _check_reputation(key: str, actor: Actor, ids: list[str]) -> None:
    """An actor's record before the crisis names known actors and answers it could give."""
    for n, past in enumerate(actor.reputation):
        _check_ref(past.by, ids, f"actors.{key}.reputation.{n}.by", exclude=key)
        if past.target is not None:
            _check_ref(past.target, ids, f"actors.{key}.reputation.{n}.target", exclude=key)
        if past.answer not in actor.capabilities:
            raise ValueError(
                f"actors.{key}.reputation.{n}.answer: {past.answer!r} is not one of the actor's capabilities"
            )


def _check_streams(key: str, actor: Actor) -> None:
    """A stream chance names an action the actor can take (a misspelt one would be ignored without a word)."""
    streams = actor.hazards.streams if actor.hazards is not None else {}
    for action in streams:
        if action not in actor.capabilities:
            hint = difflib.get_close_matches(action, actor.capabilities, n=1)
            raise ValueError(
                f"actors.{key}.hazards.streams: {action!r} is not one of {key}'s actions"
                + (f"; did you mean {hint[0]!r}?" if hint else "")
                + f" (expected some of: {', '.join(actor.capabilities)})"
            )


def _check_ref(ref: str, known: Iterable[str], where: str, what: str = "actor", exclude: str | None = None) -> None:
    known = list(known)
    if ref == exclude:
        raise ValueError(f"{where}: an actor cannot name itself ({ref!r})")
    if ref not in known:
        hint = difflib.get_close_matches(ref, known, n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        raise ValueError(f"{where}: unknown {what} {ref!r}{suggestion} (known: {', '.join(known)})")


def _check_roles(key: str, actors: dict[str, Actor]) -> None:
    """One level of patronage, as the model reads it: a militia's sponsor is a state (which has no sponsor of its
    own), and forces stand on the soil of a state that is not itself abroad (no chains of hosts)."""
    actor = actors[key]
    if actor.sponsor is not None:
        sponsor = actors[actor.sponsor]
        if actor.kind != "militia":
            raise ValueError(f"actors.{key}.sponsor: only a militia has a sponsor; {key} is a {actor.kind}")
        if sponsor.kind != "state":
            raise ValueError(
                f"actors.{key}.sponsor: {actor.sponsor!r} is a {sponsor.kind}; a sponsor is a state "
                "(a militia's militia is modelled as the sponsor's)"
            )
    if actor.located_in is not None:
        host = actors[actor.located_in]
        if host.kind != "state":
            raise ValueError(
                f"actors.{key}.located_in: {actor.located_in!r} is a {host.kind}; forces stand on the "
                "soil of a state (the host nation)"
            )
        if host.located_in is not None:
            raise ValueError(
                f"actors.{key}.located_in: {actor.located_in!r} is itself located_in "
                f"{host.located_in!r}; name the host nation whose soil it is"
            )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, for editors (yaml-language-server) and other tools.

    `scenario.schema.json` at the repository root is this, written by `escalation-sim schema --out
    scenario.schema.json`.
    """
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "escalation-sim scenario"
    return schema
