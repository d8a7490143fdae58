"""The app's sliders: one per rule parameter of each actor, from the parameter's bounds; and a scenario with
the sliders' values applied (through `scenario.edits`, validated again).
"""

from __future__ import annotations

from typing import Any

from mesa.visualization import Slider
from pydantic.fields import FieldInfo

from ..rules import RuleParams
from ..scenario import Scenario, apply_edits, validate_scenario_data


def rule_sliders(scenario: Scenario) -> dict[str, Slider]:
    """A slider per rule parameter of each actor (those its doctrine adds to the shared ones), from the
    parameter's bounds; keyed "ACTOR.parameter", or "ACTOR.regimes.NAME.parameter" (and
    "ACTOR.components.N.rule.parameter") for the doctrines inside a regime model or a mixture."""
    sliders: dict[str, Slider] = {}
    shared = set(RuleParams.model_fields)
    for actor_id, actor in scenario.actors.items():
        for prefix, params in _rule_parts(actor.rule):
            _add_sliders(sliders, f"{actor_id}.{prefix}", actor_id, params, shared)
    return sliders


KEY_PARAMETERS = ("temperature", "margin", "killed_threshold", "threshold", "resolve", "tolerance", "patience")
KEY_COUNT = 5


def key_sliders(sliders: dict[str, Slider], scenario: Scenario) -> list[str]:
    """The few sliders shown first: the states' parameters that most change a game (how random a doctrine is,
    where a red line lies), at most `KEY_COUNT`; the rest go under "advanced"."""
    rank = {name: n for n, name in enumerate(KEY_PARAMETERS)}
    states = [a for a, spec in scenario.actors.items() if spec.kind == "state"]

    def order(key: str) -> tuple[int, int, int]:
        actor_id, name = key.split(".", 1)[0], key.rsplit(".", 1)[-1]
        return (rank.get(name, len(rank)), states.index(actor_id) if actor_id in states else len(states), len(key))

    ranked = sorted((k for k in sliders if k.rsplit(".", 1)[-1] in rank), key=order)
    rest = sorted((k for k in sliders if k not in ranked), key=order)  # the states' other parameters next
    return (ranked + rest)[:KEY_COUNT]


def slider_words(key: str) -> str:
    """A slider's parameter as a reader says it: "regimes.red_line.margin" is "red line: margin", and
    "components.0.rule.temperature" is "component 1: temperature"."""
    parts = key.split(".")[1:]
    words = []
    while len(parts) > 1:
        if parts[0] == "regimes":
            words.append(parts[1].replace("_", " "))
            parts = parts[2:]
        elif parts[0] == "components":
            words.append(f"component {int(parts[1]) + 1}")
            parts = parts[3:]  # components.N.rule
        else:
            break
    name = " ".join(p.replace("_", " ") for p in parts)
    return ", ".join(words) + f": {name}" if words else name


def _rule_parts(params: RuleParams, prefix: str = "") -> Any:
    """The rule and the doctrines inside it (a regime's regimes, a mixture's components), with their paths."""
    yield prefix, params
    for name, sub in (getattr(params, "regimes", None) or {}).items():
        yield from _rule_parts(sub, f"{prefix}regimes.{name}.")
    for n, component in enumerate(getattr(params, "components", None) or []):
        yield from _rule_parts(component.rule, f"{prefix}components.{n}.rule.")


def _add_sliders(sliders: dict[str, Slider], key: str, actor_id: str, params: RuleParams, shared: set[str]) -> None:
    """Sliders for one doctrine's own numeric parameters, keyed `key` + parameter name."""
    for name, info in type(params).model_fields.items():
        if name in shared or name == "name":
            continue
        value = getattr(params, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        is_int = info.annotation is int
        low, high = _bounds(info.metadata, value, is_int)
        step = 1 if is_int else _float_step(low, high)
        if not is_int and low is not None:
            low = float(low)
        sliders[f"{key}{name}"] = Slider(
            label=f"{actor_id} ({params.name}): {name}",
            value=value,
            min=low,
            max=high,
            step=step,
            dtype=int if is_int else float,
        )


def _bounds(metadata: list[Any], value: float, is_int: bool) -> tuple[float, float]:
    low: float = 0.0
    high: float | None = None
    for item in metadata:
        if getattr(item, "ge", None) is not None:
            low = item.ge
        if getattr(item, "gt", None) is not None:
            low = item.gt + (1 if is_int else 0.01)  # the slider's lowest stop must be valid
        if getattr(item, "le", None) is not None:
            high = item.le
        if getattr(item, "lt", None) is not None:
            high = item.lt
    if high is None:  # unbounded above: a range around the documented default
        high = max(10, 4 * abs(value)) if is_int else max(1.0, 4.0 * abs(value))
    return low, high


def _float_step(low: float, high: float) -> float:
    return 0.005 if high - low <= 1 else 0.01 if high - low <= 10 else 0.1


def with_sliders(
    scenario: Scenario, name: str, values: dict[str, Any], sliders: dict[str, Slider]
) -> tuple[Scenario, list[str]]:
    """`scenario` with the sliders moved away from their starting values; and notes on sliders that do not
    apply to it (an actor or a rule it does not have)."""
    edits: dict[str, Any] = {}
    notes: list[str] = []
    for key, value in values.items():
        slider = sliders.get(key)
        if slider is not None and value == slider.value:
            continue
        actor_id, param = key.split(".", 1)
        actor = scenario.actors.get(actor_id)
        if slider is None or actor is None or _param_field(actor.rule, param) is None:
            notes.append(f"{key} = {value} does not apply to {name} (no such actor or rule parameter)")
            continue
        edits[f"actors.{actor_id}.rule.{param}"] = value
    if not edits:
        return scenario, notes
    data = apply_edits(scenario.model_dump(mode="json"), edits)
    return validate_scenario_data(data, f"{name} with the sliders' values"), notes


def _param_field(rule: RuleParams, dotted: str) -> FieldInfo | None:
    """The pydantic field a slider's parameter path names (`margin`, `regimes.red_line.margin`), found with the
    same walk over a rule's doctrines that made the slider keys; None if this rule has no such parameter."""
    prefix, _, name = dotted.rpartition(".")
    prefix = f"{prefix}." if prefix else ""
    for part_prefix, params in _rule_parts(rule):
        if part_prefix == prefix:
            return type(params).model_fields.get(name)
    return None


def slider_help(scenario: Scenario, key: str) -> str:
    """A slider's help: the rule parameter's own description (its pydantic Field)."""
    actor_id, dotted = key.split(".", 1)
    field = _param_field(scenario.actors[actor_id].rule, dotted)
    return (field.description or "") if field is not None else ""
