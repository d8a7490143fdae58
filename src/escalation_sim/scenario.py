"""Scenario files: validated data describing a crisis (actors, ladder, history, outcome thresholds).

Loading is safe (YAML `safe_load`, never code) and strict (unknown keys are rejected with a "did you mean"
hint). Every problem is reported as a `ScenarioError` naming the file, the field path, the line and what was
expected, so that command-line users never see a traceback.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import json
import os
import reprlib
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .rules import RULES, RuleConfig, RuleParams

ActorKind = Literal["state", "militia"]
TargetKind = Literal["state", "militia", "none"]
Group = Literal["de-escalation", "hold", "signal", "pressure", "proxy", "strike", "war"]
Effect = Literal["none", "threat", "justification", "withdrawal_demand", "accident"]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Action(Strict):
    """One rung of the escalation ladder, cross-coded to the event-data scales."""

    rung: int = Field(ge=-10, le=20, description="position on the ladder: <0 de-escalation, 0 hold")
    group: Group
    label: str
    description: str = ""
    hostile: bool | None = Field(None, description="counts as a hostile act; default: rung > 0")
    force: bool = Field(False, description="a use of force (legitimacy and sovereignty costs apply)")
    chosen: bool = Field(True, description="false for events that happen to an actor (accidents)")
    effect: Effect = Field(
        "none",
        description="what the model does besides casualties and perception: 'threat' commits the actor "
        "(audience costs if not made good); 'justification' is taken alongside the day's action and removes "
        "most legitimacy cost of force; 'withdrawal_demand' raises the target's cost of force on the "
        "demander's soil; 'accident' happens to an actor on alert (not chosen)",
    )
    cooldown_days: int = Field(0, ge=0, le=365, description="days before the same actor can take it again")
    users: list[ActorKind] = Field(min_length=1)
    targets: list[TargetKind] = Field(min_length=1)
    cameo: str | None = Field(None, pattern=r"^[0-2][0-9]{1,3}$", description="CAMEO event code")
    goldstein: float = Field(ge=-10, le=10, description="Goldstein conflict-cooperation value")
    mid_level: int = Field(ge=1, le=5, description="Correlates of War MID hostility level")
    mid_action: int = Field(ge=0, le=21, description="Correlates of War MID incident action code")
    killed_mean: float = Field(0.0, ge=0, le=1e5, description="expected deaths per use")
    killed_dispersion: float = Field(
        1.0, ge=0.01, le=1e4, description="negative-binomial size: small = fat tail"
    )
    wounded_ratio: float = Field(0.0, ge=0, le=1e3, description="expected wounded per expected death")
    wounded_base: float = Field(0.0, ge=0, le=1e5, description="expected wounded per use besides that")

    @property
    def is_hostile(self) -> bool:
        return self.hostile if self.hostile is not None else self.rung > 0

    @property
    def justifies(self) -> bool:
        return self.effect == "justification"

    @model_validator(mode="after")
    def _accidents_are_not_chosen(self) -> Action:
        if self.effect == "accident" and self.chosen:
            raise ValueError("an action with effect 'accident' must have chosen: false (it is not a decision)")
        return self


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


class Actor(Strict):
    name: str
    kind: ActorKind
    sponsor: str | None = Field(None, description="the state that arms and directs a militia")
    located_in: str | None = Field(None, description="host nation on whose soil its exposed forces stand")
    adversaries: list[str] = Field(default_factory=list, description="actors it may aim hostile actions at")
    partners: list[str] = Field(default_factory=list, description="actors it may offer talks to besides")
    capabilities: list[str] = Field(min_length=1, description="ladder actions it can take")
    traits: Traits = Traits()
    perception: Perception = Perception()
    decision_lag_days: float = Field(2.0, ge=1, le=60, description="mean days to answer a provocation")
    grievance_half_life_days: float = Field(14.0, gt=0, description="half-life of grievances")
    alert_half_life_days: float = Field(5.0, gt=0, description="half-life of heightened alert")
    accident_rate: Unit = Field(0.0, description="daily chance of an accident under full alert")
    audience_cost: Unit = Field(0.1, description="credibility lost when a threat is not carried out")
    sponsor_control: Unit = Field(0.0, description="militias: how far the sponsor's wishes hold it back")
    rule: RuleConfig
    notes: str = ""


class Event(Strict):
    """A dated historical event, replayed as it happened up to the branch point."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    date: dt.date
    end_date: dt.date | None = None
    actor: str | None = Field(description="who acted; null for events with no actor")
    target: str | None = None
    action: str = Field(description="a ladder action")
    killed: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    wounded: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    claimed: bool = Field(True, description="false for deniable attacks (attribution is then uncertain)")
    soil: str | None = Field(None, description="host nation on whose soil it happened")
    exogenous: bool = Field(False, description="not a decision: replayed after the branch point too")
    description: str
    source: str = Field(pattern=r"^https?://", description="a public source")
    disputed: str = ""


class Outcomes(Strict):
    """How a run is classified. Thresholds are part of the scenario, not the code."""

    calm_rung: int = Field(6, description="acts at or above this rung break the calm (6: any strike)")
    calm_days: int = Field(14, ge=1, description="days with no such act that count as calm")
    war_rung: int = Field(10, description="reaching this rung is war")
    war_deaths: int = Field(1000, ge=1, description="deaths in hostile acts that make it war (COW: 1,000)")


class Scenario(Strict):
    name: str = Field(pattern=r"^[a-z0-9_-]+$")
    title: str
    description: str = ""
    start_date: dt.date
    end_date: dt.date
    branch_date: dt.date | None = Field(
        None, description="first day the model decides; earlier days replay history. null: history only"
    )
    threat_window_days: int = Field(10, ge=1, description="days to carry out a threat before audience costs")
    outcomes: Outcomes = Outcomes()
    ladder: dict[str, Action] | Literal["default"] = Field(
        "default", validate_default=True, description="'default' (the shipped ladder) or a mapping of actions"
    )
    actors: dict[str, Actor] = Field(min_length=2)
    events: list[Event] = Field(default_factory=list)

    @field_validator("ladder", mode="after")
    @classmethod
    def _resolve_ladder(cls, value: Any) -> dict[str, Action]:
        if value == "default":
            return default_ladder()
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
            if "hold" not in actor.capabilities:
                raise ValueError(f"actors.{key}.capabilities must include 'hold'")
            if actor.accident_rate > 0 and accident_action(ladder) is None:
                raise ValueError(
                    f"actors.{key}.accident_rate: the ladder has no action with effect 'accident' to record it"
                )
            if actor.kind == "militia" and actor.sponsor is None and actor.sponsor_control > 0:
                raise ValueError(f"actors.{key}.sponsor_control is set but the militia has no sponsor")
        seen: set[str] = set()
        for n, event in enumerate(self.events):
            where = f"events.{n}"
            if event.id in seen:
                raise ValueError(f"{where}.id: {event.id!r} is used twice; event ids must be unique")
            seen.add(event.id)
            if not (self.start_date <= event.date <= self.end_date):
                raise ValueError(
                    f"{where}.date: {event.date} ({event.id}) lies outside the scenario's "
                    f"{self.start_date} - {self.end_date}"
                )
            _check_ref(event.action, list(ladder), f"{where}.action", what="ladder action")
            for field in ("actor", "target", "soil"):
                ref = getattr(event, field)
                if ref is not None:
                    _check_ref(ref, ids, f"{where}.{field}")
            if event.actor is None and not event.exogenous:
                raise ValueError(f"{where}.exogenous: an event with no actor must be exogenous: true")
        return self

    @property
    def actions(self) -> dict[str, Action]:
        return self.ladder  # type: ignore[return-value]

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def with_edits(self, changes: dict[str, Any] | None = None, remove_events: Iterable[str] = ()) -> Scenario:
        """A validated counterfactual: values set by dotted path (`actors.USA.rule.margin`), events dropped."""
        data = apply_edits(self.model_dump(mode="json"), changes or {}, remove_events)
        return validate_scenario_data(data, f"{self.name} with edits")

    def sha256(self) -> str:
        """Content hash of the validated scenario, stable across key order and formatting."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _check_ref(ref: str, known: Iterable[str], where: str, what: str = "actor", exclude: str | None = None) -> None:
    known = list(known)
    if ref == exclude:
        raise ValueError(f"{where}: an actor cannot name itself ({ref!r})")
    if ref not in known:
        hint = difflib.get_close_matches(ref, known, n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        raise ValueError(f"{where}: unknown {what} {ref!r}{suggestion} (known: {', '.join(known)})")


def accident_action(ladder: dict[str, Action]) -> str | None:
    """The ladder's accident action, if it has one."""
    return next((key for key, a in ladder.items() if a.effect == "accident"), None)


@cache
def default_ladder() -> dict[str, Action]:
    text = resources.files("escalation_sim").joinpath("data/ladder.yaml").read_text()
    raw = yaml.safe_load(text)["actions"]
    return {key: Action.model_validate(value) for key, value in raw.items()}


# --- loading and error reporting ----------------------------------------------------------------------------

_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser, safe constructors only
MAX_NODES = 200_000  # YAML nodes a document may expand to through aliases ("billion laughs" guard)

# A field path -> where it was written: (file label, line). The label is None for the file being loaded and
# the path of a base file (relative to the loaded one) for what `extends` brought in.
Lines = dict[tuple, tuple[str | None, int]]


class InputFileError(Exception):
    """An input file that cannot be used; the message names the file, each problem's field and line."""

    kind = "file"

    def __init__(self, path: str | Path, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__(self.__str__())

    def __str__(self) -> str:
        count = len(self.problems)
        lines = [f"{self.path}: invalid {self.kind} ({count} problem{'s' * (count > 1)})"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class ScenarioError(InputFileError):
    """A scenario file that cannot be used; the message says where and what was expected."""

    kind = "scenario"


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise ScenarioError with file, field path and line on bad input."""
    path = Path(path)
    return parse_scenario(_read_text(path), path)


def load_scenario_data(path: str | Path) -> dict[str, Any]:
    """The raw data of a scenario file, `extends` resolved and edits applied, before validation.

    For tools that edit scenarios (sweeps, the app): the result can be changed and then validated with
    `validate_scenario_data`. Raises ScenarioError if the file cannot be read or its `extends` chain is
    broken.
    """
    path = Path(path)
    data, lines = _read_yaml(_read_text(path), path)
    data, _ = _resolve_extends(data, path, (path.resolve(),), lines)
    return data


def parse_scenario(text: str, path: str | Path = "<string>") -> Scenario:
    """Validate a scenario given as YAML text; `extends` is resolved relative to `path`."""
    data, lines = _read_yaml(text, path)
    data, lines = _resolve_extends(data, Path(path), (Path(path).resolve(),), lines)
    return validate_scenario_data(data, path, lines)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(path, ["file not found; `escalation-sim list` shows the shipped scenarios"]) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # a folder, no permission, not UTF-8, NUL byte
        raise ScenarioError(path, [f"cannot read the file: {exc}"]) from None


def _read_yaml(text: str, path: str | Path) -> tuple[dict[str, Any], Lines]:
    """Parse safely (no tags that build Python objects) and map each field path to its line."""
    root = None
    try:
        root = yaml.compose(text, Loader=_FAST_LOADER)
        if root is not None:
            _check_size(root, path)
        data = yaml.SafeLoader("").construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
        raise ScenarioError(path, [f"{where}not valid YAML ({problem})"]) from None
    except RecursionError:
        raise ScenarioError(path, ["not valid YAML: nested too deeply"]) from None
    except (ValueError, TypeError, OverflowError, AttributeError, KeyError, IndexError) as exc:
        # a scalar YAML cannot build: a date not in the calendar (2019-13-45), an explicit tag (!!bool x)
        raise ScenarioError(path, [_bad_scalar(root, exc)]) from None
    if not isinstance(data, dict):
        raise ScenarioError(path, [_not_a_mapping(data)])
    return data, _line_map(root)


def _not_a_mapping(data: Any) -> str:
    return f"expected a mapping of scenario fields at the top, found {type(data).__name__}"


def _check_size(root: yaml.Node, path: str | Path) -> None:
    """Reject documents whose aliases refer to themselves or expand to huge structures."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ScenarioError(
                path, [f"line {node.start_mark.line + 1}: a YAML alias refers to the node that contains it"]
            )
        active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(item) for item in node.value)
        active.discard(key)
        sizes[key] = min(total, MAX_NODES + 1)
        if total > MAX_NODES:
            raise ScenarioError(path, [f"the document expands to over {MAX_NODES:,} values through aliases"])
        return sizes[key]

    size(root)


def _bad_scalar(root: yaml.Node | None, exc: Exception) -> str:
    """Find the scalar YAML recognised (e.g. as a date) but could not build, for a message with a line."""
    found: list[str] = []

    def walk(node: yaml.Node) -> None:
        if found:
            return
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(node, deep=True)
            except Exception:  # whatever fails to build is the culprit
                tag = node.tag.rsplit(":", 1)[-1]
                why = f"cannot be read as {tag} ({exc})" if isinstance(exc, ValueError) else f"is not a valid {tag}"
                found.append(
                    f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}: {node.value!r} {why}; "
                    "quote it if it is meant as text"
                )
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                walk(k)
                walk(v)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)

    if root is not None:
        walk(root)
    return found[0] if found else f"not valid YAML ({exc})"


def _resolve_extends(
    data: dict[str, Any], path: Path, seen: tuple[Path, ...], lines: Lines | None = None
) -> tuple[dict[str, Any], Lines]:
    """A counterfactual file names its base (`extends`), then edits it (`remove_events`, `set`)."""
    lines = dict(lines or {})
    if "extends" not in data:
        for key in ("remove_events", "set"):
            if key in data:
                problem = f"{key}: only allowed together with 'extends: BASE_FILE'"
                raise ScenarioError(path, [_at(problem, lines, key)])
        return data, lines
    data = dict(data)
    base_name = data.pop("extends")
    removals = data.pop("remove_events", []) or []
    changes = data.pop("set", {}) or {}
    if not isinstance(base_name, str) or not base_name.strip():
        problem = "extends: expected the path of a base scenario file, relative to this one"
        raise ScenarioError(path, [_at(problem, lines, "extends")])
    if isinstance(removals, str) or not isinstance(removals, list):
        raise ScenarioError(path, [_at(
            f"remove_events: expected a list of event ids, e.g. [A06], found {_short(removals)}", lines,
            "remove_events")])
    try:
        base_path = (path.parent / base_name).resolve()
    except (OSError, ValueError, RuntimeError):
        base_path = None
    if base_path in seen:
        chain = " -> ".join(p.name for p in (*seen, base_path))
        problem = f"extends: {base_name} is already in the chain of bases (a cycle: {chain})"
        raise ScenarioError(path, [_at(problem, lines, "extends")])
    try:
        if base_path is None:
            raise OSError
        base_text = base_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        raise ScenarioError(
            path, [_at(f"extends: base scenario {base_name!r} not found (or not readable) next to this file",
                       lines, "extends")]
        ) from None
    base, base_lines = _read_yaml(base_text, base_path)
    base, base_lines = _resolve_extends(base, base_path, (*seen, base_path), base_lines)
    merged = _deep_merge(base, data)
    try:
        edited = apply_edits(merged, changes, removals)
    except ValueError as exc:
        key = "set" if str(exc).startswith("set") else "remove_events"
        raise ScenarioError(path, [_at(str(exc), lines, key)]) from None
    return edited, _merge_lines(base_lines, base_path, path, lines, merged, edited, changes, removals)


def _merge_lines(
    base_lines: Lines,
    base_path: Path,
    path: Path,
    lines: Lines,
    merged: dict[str, Any],
    edited: dict[str, Any],
    changes: dict[str, Any],
    removals: list[Any],
) -> Lines:
    """Where each field of an extended scenario was written: in this file, or in (which) base file."""
    try:
        label = str(Path(os.path.relpath(base_path, path.resolve().parent)))
    except ValueError:  # another drive
        label = str(base_path)
    out: Lines = {key: (where or label, line) for key, (where, line) in base_lines.items()}
    events = merged.get("events")
    if removals and isinstance(events, list):  # events after a removal move up the list
        kept = [i for i, e in enumerate(events) if not (isinstance(e, dict) and e.get("id") in removals)]
        moved = {old: new for new, old in enumerate(kept)}
        out = {
            ((*k[:1], moved[k[1]], *k[2:]) if len(k) > 1 and k[0] == "events" and k[1] in moved else k): v
            for k, v in out.items()
            if not (len(k) > 1 and k[0] == "events" and isinstance(k[1], int) and k[1] not in moved)
        }
    for key, value in lines.items():
        if key[:1] in (("extends",), ("remove_events",), ("set",)):
            continue
        if key and not isinstance(_get(merged, key), dict):  # replaced whole: the base's lines are stale
            out = {k: v for k, v in out.items() if k[: len(key)] != key}
        out[key] = value
    for dotted in changes:
        target = _path_in(edited, str(dotted))
        where = lines.get(("set", dotted))
        if where is not None:
            out = {k: v for k, v in out.items() if k[: len(target)] != target}
            out[target] = where
    return out


def _get(data: Any, key: tuple) -> Any:
    for part in key:
        in_dict = isinstance(data, dict) and part in data
        if not (in_dict or (isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data))):
            return None
        data = data[part]
    return data


def _path_in(data: Any, dotted: str) -> tuple:
    """A `set:` path as a field path: event ids become list indices."""
    out: list[Any] = []
    node = data
    for part in dotted.split("."):
        if isinstance(node, list):
            index = next((i for i, e in enumerate(node) if isinstance(e, dict) and e.get("id") == part), None)
            if index is None and part.isdigit():
                index = int(part)
            out.append(index if index is not None else part)
            node = node[index] if index is not None and index < len(node) else None
        else:
            out.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    return tuple(out)


def _at(message: str, lines: Lines, *key: Any) -> str:
    """Prefix a message's field path with its line, where known."""
    where = _nearest_line(key, lines)
    if where is None:
        return message
    head, sep, rest = message.partition(":")
    return f"{head} ({where}){sep}{rest}"


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def apply_edits(
    data: dict[str, Any], changes: dict[str, Any] | None = None, remove_events: Iterable[str] = ()
) -> dict[str, Any]:
    """Edit raw scenario data: drop events by id and set values by dotted path.

    Paths address mappings by key, lists by index, and events by id: `actors.USA.rule.margin`,
    `events.A06.killed`, `outcomes.calm_days`. Raises ValueError naming the path that does not exist.
    """
    data = copy.deepcopy(data)
    if changes is None:
        changes = {}
    if not isinstance(changes, dict):
        raise ValueError(f"set: expected a mapping of dotted paths to values, found {type(changes).__name__}")
    if isinstance(remove_events, str | bytes | dict) or not isinstance(remove_events, Iterable):
        raise ValueError(f"remove_events: expected a list of event ids, found {_short(remove_events)}")
    removals = list(remove_events)
    if removals:
        events = data.get("events", [])
        if not isinstance(events, list):
            raise ValueError(f"remove_events: the base scenario's events are not a list ({_short(events)})")
        ids = [e.get("id") for e in events if isinstance(e, dict)]
        for event_id in removals:
            if not isinstance(event_id, str | int | float | bool | None):
                raise ValueError(f"remove_events: expected event ids, found {_short(event_id)}")
            if event_id not in ids:
                hint = difflib.get_close_matches(str(event_id), [str(i) for i in ids], n=1, cutoff=0.5)
                raise ValueError(
                    f"remove_events: no event {event_id!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")
                )
        data["events"] = [e for e in events if not (isinstance(e, dict) and e.get("id") in removals)]
    for dotted, value in changes.items():
        if not isinstance(dotted, str) or not all(dotted.split(".")):
            raise ValueError(f"set: {dotted!r} is not a dotted field path such as actors.USA.rule.margin")
        _set_path(data, dotted, value)
    return data


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            index = _list_index(node, part, where)
            if last:
                node[index] = value
                return
            node = node[index]
        elif isinstance(node, dict):
            if last:
                node[part] = value
                return
            if part not in node:
                if (parts[0] == "actors" and depth >= 2) or part in ("rule", "traits", "perception", "outcomes"):
                    node[part] = {}
                else:
                    hint = difflib.get_close_matches(part, [str(k) for k in node], n=1)
                    raise ValueError(
                        f"set {dotted}: no {where!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")
                    )
            node = node[part]
        else:
            raise ValueError(f"set {dotted}: {'.'.join(parts[:depth])!r} is a value, not a mapping or list")


def _list_index(items: list[Any], part: str, where: str) -> int:
    if part.isdigit() and int(part) < len(items):
        return int(part)
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return i
    raise ValueError(f"set: no item {where!r} (use a list index or an event id)")


def scenario_paths() -> dict[str, Path]:
    """Shipped scenario files by name: ./scenarios, then the package's own copy, then the source tree's."""
    here = Path(__file__).resolve().parent
    folders = [Path.cwd() / "scenarios", here / "scenarios", here.parents[1] / "scenarios"]
    found: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yaml")):
            if path.stem in found:
                continue
            try:
                head = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, TypeError, RecursionError):
                head = None  # a broken file is still listed if it looks like a scenario? no: it cannot say so
            if isinstance(head, dict) and ("actors" in head or "extends" in head):
                found[path.stem] = path
    return found


def validate_scenario_data(
    data: dict[str, Any], path: str | Path = "<data>", lines: Lines | None = None
) -> Scenario:
    """Validate raw scenario data; raise ScenarioError describing every problem with its path and line."""
    if not isinstance(data, dict):
        raise ScenarioError(path, [_not_a_mapping(data)])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        errs = _drop_union_noise(exc.errors())
        problems = list(dict.fromkeys(_describe(err, data, lines or {}) for err in errs))
        raise ScenarioError(path, problems) from None
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:  # unhashable keys, absurd dates
        raise ScenarioError(path, [str(exc) or type(exc).__name__]) from None


def _drop_union_noise(errs: list[Any]) -> list[Any]:
    """`ladder` is 'default' or a mapping: report only the branch the user meant."""
    out = []
    for err in errs:
        loc = err["loc"]
        if loc[:1] == ("ladder",) and len(loc) > 1:
            given = err.get("input") if len(loc) == 2 else None
            if loc[1] == "literal['default']":
                if isinstance(err.get("input"), dict):
                    continue  # a mapping was meant: its own errors say what is wrong
                err = {**err, "msg": "expected 'default' or a mapping of actions (action key -> fields)"}
            elif len(loc) == 2 and err["type"] == "dict_type" and not isinstance(given, dict):
                continue  # said once, by the literal branch
        out.append(err)
    return out


def _short(value: Any) -> str:
    """A bounded repr: inputs may be large, or shared many times through YAML aliases."""
    return _REPR.repr(value)


_REPR = reprlib.Repr(maxlevel=2, maxdict=3, maxlist=4, maxstring=40, maxother=40)


def _describe(err: Any, data: dict[str, Any], lines: Lines) -> str:
    loc = _clean_loc(err["loc"])
    message = err["msg"]
    kind = err["type"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
        # cross-checks name their own path: "actors.USA.capabilities: ..." or "branch_date 2021-01-04 must"
        head = message.split(":", 1)[0].split(" ", 1)[0]
        parts = head.split(".")
        if parts[0] in Scenario.model_fields and all(parts):
            loc = tuple(int(p) if p.isdigit() else p for p in parts)
            message = message[len(head) :].lstrip(": ") or message
            loc = _locate_item(loc, message, data)
    path = ".".join(str(p) for p in loc) or "(top level)"
    hint = ""
    if kind == "extra_forbidden":
        known = _known_fields(loc[:-1], data)
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        message = "unknown field"
        if close:
            hint = f"; did you mean {close[0]!r}?"
        elif known:
            hint = f"; expected one of: {', '.join(known)}"
    elif kind == "union_tag_invalid":
        given = err.get("ctx", {}).get("tag", "")
        close = difflib.get_close_matches(str(given), list(RULES), n=1)
        message = f"unknown rule {given!r}; expected one of: {', '.join(sorted(RULES))}"
        hint = f"; did you mean {close[0]!r}?" if close else ""
    elif kind == "union_tag_not_found":
        message = f"a rule needs a 'name', one of: {', '.join(sorted(RULES))}"
    elif kind == "model_attributes_type" and loc[-1:] == ("rule",):
        given = _short(err.get("input"))
        message = f"expected a mapping such as {{name: proportional, margin: 1}} (got {given})"
    elif kind == "missing":
        message = "required field missing"
    elif "input" in err and kind not in ("model_type", "dict_type", "value_error", "assertion_error"):
        message = f"{message} (got {_short(err['input'])})"
    if loc[-1:] == ("[key]",):
        loc = loc[:-1]
        path = ".".join(str(p) for p in loc)
        message = f"a key here: {message}"
    where = _nearest_line(loc, lines)
    at = f" ({where})" if where else ""
    return f"{path}{at}: {message}{hint}"


def _locate_item(loc: tuple, message: str, data: dict[str, Any]) -> tuple:
    """If a cross-check names a list (`actors.USA.capabilities`) and quotes one of its items, point at it."""
    node = _get(data, loc)
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, str) and repr(item) in message:
                return (*loc, i)
    return loc


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-branch labels (the rule tag, 'function-after[...]') from a field path."""
    out: list = []
    for i, part in enumerate(loc):
        if isinstance(part, str) and (
            part.startswith(("function-", "dict[", "literal[")) or part in ("str", "dict[str,Action]")
        ):
            continue
        if isinstance(part, str) and part in RULES and i > 0 and loc[i - 1] == "rule":
            continue
        out.append(part)
    return tuple(out)


def _known_fields(parent: tuple, data: Any = None) -> list[str]:
    """Field names allowed at `parent`; inside `rule:` those of the rule the data names."""
    model: Any = Scenario
    node = data
    for part in parent:
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None
        )
        fields = getattr(model, "model_fields", None)
        if fields is None:
            return []
        if part in fields:
            if part == "rule":
                name = node.get("name") if isinstance(node, dict) else None
                rule = RULES.get(name) if isinstance(name, str) else None
                model = rule.Params if rule is not None else RuleParams
            else:
                model = _inner_model(fields[part].annotation)
        # else: a dict key or list index: stay on the item model
    fields = getattr(model, "model_fields", None)
    return sorted(fields) if fields else []


def _inner_model(annotation: Any) -> Any:
    for arg in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        for inner in getattr(arg, "__args__", ()):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def _line_map(root: yaml.Node | None) -> Lines:
    """Map each field path in a YAML document to the line where it starts (1-based)."""
    lines: Lines = {}
    done: set[int] = set()

    def walk(node: yaml.Node, path: tuple) -> None:
        lines.setdefault(path, (None, node.start_mark.line + 1))
        if id(node) in done:  # an alias: its contents were mapped where the anchor is
            return
        done.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    continue
                name = _key_of(key)
                lines[(*path, name)] = (None, key.start_mark.line + 1)
                walk(value, (*path, name))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines


def _key_of(node: yaml.ScalarNode) -> Any:
    """A mapping key as safe_load reads it (so `1:` is the int 1), falling back to its text."""
    try:
        key = yaml.SafeLoader("").construct_object(node)
        hash(key)
        return key
    except Exception:  # an unreadable key is reported by the loader, not here
        return node.value


def _nearest_line(loc: tuple, lines: Lines) -> str | None:
    """'line N' (or 'line N of base.yaml') for the field or its nearest ancestor written in the file."""
    key = tuple(loc)
    while key:
        where = lines.get(key)
        if where is None:
            alt = tuple(str(p) if not isinstance(p, int) else p for p in key)
            where = lines.get(alt)
        if where is not None:
            label, line = where
            return f"line {line}" + (f" of {label}" if label else "")
        key = key[:-1]
    return None


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, for editors (yaml-language-server) and other tools."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "escalation-sim scenario"
    return schema
