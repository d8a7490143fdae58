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
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .rules import RULES, RuleConfig

ActorKind = Literal["state", "militia"]
TargetKind = Literal["state", "militia", "none"]
Group = Literal["de-escalation", "hold", "signal", "pressure", "proxy", "strike", "war"]
Effect = Literal["none", "threat", "justification", "withdrawal_demand", "accident"]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    killed_mean: float = Field(0.0, ge=0, description="expected deaths per use")
    killed_dispersion: float = Field(1.0, gt=0, description="negative-binomial size: small = fat tail")
    wounded_ratio: float = Field(0.0, ge=0, description="expected wounded per expected death")
    wounded_base: float = Field(0.0, ge=0, description="expected wounded per use besides that")

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
        if "hold" not in value:
            raise ValueError("a ladder needs a 'hold' action (rung 0): actors must be able to do nothing")
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

    def with_changes(self, **changes: Any) -> Scenario:
        """A validated copy with top-level fields replaced (e.g. a new branch date)."""
        data = self.model_dump(mode="json")
        data.update(changes)
        return Scenario.model_validate(data)

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


class ScenarioError(Exception):
    """A scenario file that cannot be used; the message says where and what was expected."""

    def __init__(self, path: str | Path, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__(self.__str__())

    def __str__(self) -> str:
        lines = [f"{self.path}: invalid scenario ({len(self.problems)} problem{'s' * (len(self.problems) > 1)})"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise ScenarioError with file, field path and line on bad input."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(path, ["file not found; `escalation-sim list` shows the shipped scenarios"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(path, [f"cannot read the file: {exc}"]) from None
    return parse_scenario(text, path)


def parse_scenario(text: str, path: str | Path = "<string>") -> Scenario:
    data, lines = _read_yaml(text, path)
    data = _resolve_extends(data, Path(path), seen=(Path(path).resolve(),))
    return validate_scenario_data(data, path, lines)


def _read_yaml(text: str, path: str | Path) -> tuple[dict[str, Any], dict[tuple, int]]:
    try:
        data = yaml.safe_load(text)
        lines = _line_map(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(path, [f"{where}not valid YAML ({problem})"]) from None
    if not isinstance(data, dict):
        raise ScenarioError(path, [f"expected a mapping of scenario fields at the top, found {type(data).__name__}"])
    return data, lines


def _resolve_extends(data: dict[str, Any], path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    """A counterfactual file names its base (`extends`), then edits it (`remove_events`, `set`)."""
    if "extends" not in data:
        for key in ("remove_events", "set"):
            if key in data:
                raise ScenarioError(path, [f"{key}: only allowed together with 'extends: BASE_FILE'"])
        return data
    data = dict(data)
    base_name = data.pop("extends")
    removals = data.pop("remove_events", []) or []
    changes = data.pop("set", {}) or {}
    if not isinstance(base_name, str):
        raise ScenarioError(path, ["extends: expected the path of a base scenario file, relative to this one"])
    base_path = (path.parent / base_name).resolve()
    if base_path in seen:
        raise ScenarioError(path, [f"extends: {base_name} extends this file again (a cycle)"])
    try:
        base_text = base_path.read_text(encoding="utf-8")
    except OSError:
        raise ScenarioError(path, [f"extends: base scenario {base_name!r} not found next to this file"]) from None
    base, _ = _read_yaml(base_text, base_path)
    base = _resolve_extends(base, base_path, (*seen, base_path))
    merged = _deep_merge(base, data)
    try:
        return apply_edits(merged, changes, removals)
    except ValueError as exc:
        raise ScenarioError(path, [str(exc)]) from None


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
    if not isinstance(changes, dict):
        raise ValueError(f"set: expected a mapping of dotted paths to values, found {type(changes).__name__}")
    removals = list(remove_events)
    if removals:
        events = data.get("events", [])
        ids = [e.get("id") for e in events if isinstance(e, dict)]
        for event_id in removals:
            if event_id not in ids:
                hint = difflib.get_close_matches(str(event_id), [str(i) for i in ids], n=1)
                raise ValueError(
                    f"remove_events: no event {event_id!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")
                )
        data["events"] = [e for e in events if not (isinstance(e, dict) and e.get("id") in removals)]
    for dotted, value in (changes or {}).items():
        _set_path(data, str(dotted), value)
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
                if parts[0] in ("actors",) and depth >= 2 or part in ("rule", "traits", "perception", "outcomes"):
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
            except (OSError, yaml.YAMLError):
                head = None
            if isinstance(head, dict) and ("actors" in head or "extends" in head):
                found[path.stem] = path
    return found


def validate_scenario_data(data: dict[str, Any], path: str | Path = "<data>", lines: dict | None = None) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(path, [_describe(err, data, lines or {}) for err in exc.errors()]) from None
    except (TypeError, ValueError, OverflowError) as exc:  # e.g. unhashable keys, absurd dates
        raise ScenarioError(path, [str(exc)]) from None


def _describe(err: Any, data: dict[str, Any], lines: dict[tuple, int]) -> str:
    loc = _clean_loc(err["loc"])
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
        dotted = message.split(":", 1)[0]
        if " " not in dotted and "." in dotted:  # our cross-checks name their own path
            loc = tuple(int(p) if p.isdigit() else p for p in dotted.split("."))
            message = message.split(":", 1)[1].strip()
    path = ".".join(str(p) for p in loc) or "(top level)"
    hint = ""
    if err["type"] == "extra_forbidden":
        known = _known_fields(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        message = "unknown field"
        hint = f"; did you mean {close[0]!r}?" if close else (f"; expected one of: {', '.join(known)}" if known else "")
    elif err["type"] == "union_tag_invalid":
        given = err.get("ctx", {}).get("tag", "")
        close = difflib.get_close_matches(str(given), list(RULES), n=1)
        message = f"unknown rule {given!r}; expected one of: {', '.join(sorted(RULES))}"
        hint = f"; did you mean {close[0]!r}?" if close else ""
    elif err["type"] == "missing":
        message = "required field missing"
    elif "input" in err and err["type"] not in ("model_type", "dict_type"):
        shown = repr(err["input"])
        message = f"{message} (got {shown[:60]}{'...' if len(shown) > 60 else ''})"
    line = _nearest_line(loc, lines)
    at = f" (line {line})" if line else ""
    return f"{path}{at}: {message}{hint}"


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-branch labels (the rule tag, 'function-after[...]') from a field path."""
    out: list = []
    for i, part in enumerate(loc):
        if isinstance(part, str) and (part.startswith("function-") or part in ("str", "dict[str,Action]")):
            continue
        if isinstance(part, str) and part in RULES and i > 0 and loc[i - 1] == "rule":
            continue
        if part == "literal['default']":
            continue
        out.append(part)
    return tuple(out)


def _known_fields(parent: tuple) -> list[str]:
    model: Any = Scenario
    for part in parent:
        fields = getattr(model, "model_fields", None)
        if fields is None:
            return []
        if part in fields:
            annotation = fields[part].annotation
            model = _inner_model(annotation, part)
        elif isinstance(part, (int, str)):
            continue  # a dict key or list index: stay on the item model
    fields = getattr(model, "model_fields", None)
    return sorted(fields) if fields else []


def _inner_model(annotation: Any, name: str) -> Any:
    if name == "rule":
        return RULES.get("proportional").Params  # type: ignore[union-attr]
    for arg in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        for inner in getattr(arg, "__args__", ()):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def _line_map(text: str) -> dict[tuple, int]:
    """Map each field path in a YAML document to the line where it starts (1-based)."""
    lines: dict[tuple, int] = {}

    def walk(node: Any, path: tuple) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[(*path, key.value)] = key.start_mark.line + 1
                walk(value, (*path, key.value))
                lines[(*path, key.value)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return lines


def _nearest_line(loc: tuple, lines: dict[tuple, int]) -> int | None:
    key = tuple(str(p) if not isinstance(p, int) else p for p in loc)
    while key:
        if key in lines:
            return lines[key]
        key = key[:-1]
    return None


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, for editors (yaml-language-server) and other tools."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "escalation-sim scenario"
    return schema
