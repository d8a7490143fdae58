"""Shared helpers for the core's tests: shipped scenarios, a fake rule View, running a model to its horizon.

Kept out of conftest.py on purpose (other suites own that file); tests import from here explicitly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from escalation_sim.model import EscalationModel
from escalation_sim.rules import NO_TARGET, Option, Policy
from escalation_sim.scenario import Scenario, default_ladder, load_scenario
from escalation_sim.state.actor import ProxyState
from escalation_sim.state.clock import Clock

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_DIR = ROOT / "scenarios"


def _is_scenario(path: Path) -> bool:
    """Scenario files (not sweep specs, which live alongside): they have actors or extend a scenario."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(data, dict) and ("actors" in data or "extends" in data)


SHIPPED: list[Path] = [p for p in sorted(SCENARIO_DIR.glob("*.yaml")) if _is_scenario(p)]
SHIPPED_IDS = [p.stem for p in SHIPPED]
ENTRY_POINT = ROOT / ".venv" / "bin" / "escalation-sim"


@cache
def shipped(name: str) -> Scenario:
    """A shipped scenario by name, validated once per test session (Scenario is frozen, so sharing is safe)."""
    return load_scenario(SCENARIO_DIR / f"{name}.yaml")


def run_to_end(scenario: Scenario, seed: int | None = 0, **kwargs: object) -> EscalationModel:
    """Step a model by hand until it stops itself; fail if it would run past the scenario's horizon."""
    model = EscalationModel(scenario=scenario, rng=seed, **kwargs)
    steps = 0
    while model.running:
        model.step()
        steps += 1
        assert steps <= scenario.days, "the model did not stop at the scenario's horizon"
    return model


def at_branch(scenario: Scenario, seed: int | None = 0) -> EscalationModel:
    """A model with history replayed up to the eve of its branch point: its next step is the first the actors
    decide (a run without per-step data collection)."""
    model = EscalationModel(scenario=scenario, rng=seed, collect=False)
    while model.day < model.branch_day - 1:
        model.step()
    return model


# --- a fake View for rules ----------------------------------------------------------------------------------

ACTORS = ("USA", "IRN", "KH", "IRQ")
KINDS = {"USA": "state", "IRN": "state", "KH": "militia", "IRQ": "state"}
US_CAPS = ("talks", "stand_down", "hold", "justify", "denounce", "threaten", "show_of_force", "sanctions",
           "limited_strike", "leadership_strike", "direct_strike", "campaign")  # fmt: skip
IRN_CAPS = ("talks", "stand_down", "hold", "justify", "denounce", "threaten", "nuclear_step", "calibrated_strike",
            "leadership_strike", "direct_strike", "campaign")  # fmt: skip
KH_CAPS = ("stand_down", "hold", "denounce", "threaten", "siege", "harassment")
IRQ_CAPS = ("talks", "stand_down", "hold", "denounce", "demand_withdrawal")


def build_options(
    capabilities: Iterable[str], adversaries: Iterable[str], partners: Iterable[str] = ()
) -> tuple[Option, ...]:
    """What an actor with these capabilities could do, built from the shipped ladder as the model does."""
    ladder = default_ladder()
    adversaries, partners = list(adversaries), list(partners)
    options: list[Option] = []
    for key in capabilities:
        action = ladder[key]
        if not action.chosen or action.justifies:
            continue
        targets: list[str | None] = [None] if "none" in action.targets else []
        allowed = adversaries if action.is_hostile or action.rung >= 0 else adversaries + partners
        targets += [t for t in allowed if KINDS[t] in action.targets]
        for target in targets:
            options.append(
                Option(
                    index=len(options),
                    action=key,
                    target=target,
                    target_index=ACTORS.index(target) if target is not None else NO_TARGET,
                    rung=action.rung,
                    hostile=action.is_hostile,
                    force=action.force,
                    group=action.group,
                    expected_killed=action.killed_mean,
                    on_soil_of=NO_TARGET,
                )
            )
    return tuple(options)


def _zeros() -> list[float]:
    return [0.0] * len(ACTORS)


@dataclass
class FakeHost:
    """What a host-nation rule reads of the host's side of the view."""

    dependence: list[float] = field(default_factory=_zeros)
    pressure_on: list[float] = field(default_factory=_zeros)
    parliament_weight: float = 0.5
    access_limited: bool = False  # no access cut: the pipeline leaves force on its soil as the rule says


@dataclass
class FakeView:
    """A hand-set implementation of the rules' `View` protocol: no model, no Mesa, every field explicit."""

    actor_id: str = "USA"
    index: int = 0
    kind: str = "state"
    others: tuple[str, ...] = ACTORS
    options: tuple[Option, ...] = field(default_factory=lambda: build_options(US_CAPS, ["IRN", "KH"], ["IRQ"]))
    hold_index: int = -1
    resolve: float = 0.5
    cost_sensitivity: float = 0.5
    risk_tolerance: float = 0.5
    alert: float = 0.1
    domestic_pressure: float = 0.2
    credibility: float = 0.5
    readiness: float = 1.0
    legitimacy_cost: float = 0.0
    sponsor_restraint: float = 0.0
    outstanding: list[float] = field(default_factory=_zeros)
    last_rung: list[int] = field(default_factory=lambda: [0] * len(ACTORS))
    last_killed: list[int] = field(default_factory=lambda: [0] * len(ACTORS))
    last_attribution: list[float] = field(default_factory=lambda: [1.0] * len(ACTORS))
    grievance: list[float] = field(default_factory=_zeros)
    conciliatory: list[bool] = field(default_factory=lambda: [False] * len(ACTORS))
    pending_threat: list[int] = field(default_factory=lambda: [0] * len(ACTORS))
    resolve_of: list[float] = field(default_factory=lambda: [0.5] * len(ACTORS))
    credibility_of: list[float] = field(default_factory=lambda: [0.5] * len(ACTORS))
    sovereignty_cost: list[float] = field(default_factory=_zeros)
    violations: list[float] = field(default_factory=_zeros)
    last_act_of: list[str] = field(default_factory=lambda: [""] * len(ACTORS))
    own_last_rung: list[int] = field(default_factory=lambda: [0] * len(ACTORS))
    sponsor_of: list[int] = field(default_factory=lambda: [-1, -1, 1, -1])  # KH's sponsor is IRN
    cooling: list[int] = field(default_factory=list)  # per option; empty: none cooling
    targetable: list[bool] = field(default_factory=lambda: [False] * len(ACTORS))  # set from the options
    lethal_days: int = 10**6
    crisis_day: int = 0  # days since the crisis began
    host: FakeHost = field(default_factory=lambda: FakeHost())  # host nations' side (state.actor.HostState)
    # what the policy pipeline (minds/policy.decide) reads besides the rule's view: no orders, no beliefs
    proxy: ProxyState = field(default_factory=lambda: ProxyState(1.0, 1.0, [0] * len(ACTORS)))
    words_only: list[bool] = field(default_factory=lambda: [False] * len(ACTORS))
    beliefs: dict[int, object] = field(default_factory=dict)
    belief_summary: str = ""
    clock: Clock = field(default_factory=lambda: Clock.of(None, 14.0))  # a clock at rest: every factor 1
    running: tuple[int, ...] = ()  # options carried by operations under way: none

    @property
    def cooling_count(self) -> int:
        return sum(1 for days in self.cooling if days)

    def __post_init__(self) -> None:
        self.index = ACTORS.index(self.actor_id)
        if not self.cooling:
            self.cooling = [0] * len(self.options)
        if self.hold_index < 0:
            self.hold_index = next(o.index for o in self.options if o.action == "hold")
        for o in self.options:
            if o.hostile and o.target_index >= 0:
                self.targetable[o.target_index] = True

    def provoke(
        self,
        by: str,
        rung: int,
        killed: int = 0,
        severity: float | None = None,
        grievance: float | None = None,
        attribution: float = 1.0,
        action: str = "",
    ) -> FakeView:
        """Remember an unanswered act by `by`: severity defaults to the rung plus log(1 + killed)."""
        j = ACTORS.index(by)
        severity = rung + math.log1p(killed) if severity is None else severity
        self.outstanding[j] = severity
        self.last_rung[j] = rung
        self.last_act_of[j] = action
        self.last_killed[j] = killed
        self.last_attribution[j] = attribution
        self.grievance[j] = severity if grievance is None else grievance
        return self


def us_view(**traits: float) -> FakeView:
    return FakeView(**traits)  # type: ignore[arg-type]


def iran_view(**traits: float) -> FakeView:
    return FakeView(actor_id="IRN", options=build_options(IRN_CAPS, ["USA"], ["IRQ"]), **traits)  # type: ignore[arg-type]


def militia_view(**traits: float) -> FakeView:
    return FakeView(actor_id="KH", kind="militia", options=build_options(KH_CAPS, ["USA"]), **traits)  # type: ignore[arg-type]


def host_view(**traits: float) -> FakeView:
    return FakeView(actor_id="IRQ", options=build_options(IRQ_CAPS, ["USA", "IRN", "KH"], ["USA", "IRN"]), **traits)  # type: ignore[arg-type]


def mass(policy: Policy, view: FakeView, which: Callable[[Option], bool]) -> float:
    """Total probability of the options that satisfy `which`."""
    return sum(p for p, o in zip(policy.probs, view.options, strict=True) if which(o))


def likeliest(policy: Policy, view: FakeView, which: Callable[[Option], bool] = lambda o: True) -> Option:
    """The most probable option among those that satisfy `which`."""
    candidates = [o for o in view.options if which(o)]
    return max(candidates, key=lambda o: policy.probs[o.index])


def mean_rung(policy: Policy, view: FakeView, which: Callable[[Option], bool]) -> float:
    """Expected rung among the options that satisfy `which`, weighted by their probability."""
    total = mass(policy, view, which)
    assert total > 0, "no probability on the options asked about"
    return sum(p * o.rung for p, o in zip(policy.probs, view.options, strict=True) if which(o)) / total


# --- a small scenario whose every line the tests know -------------------------------------------------------

MINI = """\
name: mini
title: A minimal crisis
start_date: 2020-01-01
end_date: 2020-01-31
branch_date: 2020-01-03
actors:
  USA:
    name: United States
    kind: state
    adversaries: [IRN, KH]
    capabilities: [talks, hold, justify, threaten, sanctions, limited_strike, direct_strike]
    traits:
      resolve: 0.7
      cost_sensitivity: 0.4
    rule:
      name: proportional
      margin: 1
  IRN:
    name: Iran
    kind: state
    adversaries: [USA]
    capabilities: [talks, hold, threaten, calibrated_strike]
    accident_rate: 0.01
    rule:
      name: cost_benefit
      temperature: 0.2
  KH:
    name: Kata'ib Hezbollah
    kind: militia
    sponsor: IRN
    adversaries: [USA]
    capabilities: [hold, harassment]
    sponsor_control: 0.5
    rule: {name: militia, base_rate: 0.05}
events:
  - id: E1
    date: 2020-01-01
    actor: KH
    target: USA
    action: harassment
    killed: {USA: 1}
    claimed: false
    description: a rocket attack
    source: https://example.org/e1
  - id: E2
    date: 2020-01-02
    actor: USA
    target: KH
    action: limited_strike
    killed: {KH: 20}
    description: strikes on depots
    source: https://example.org/e2
"""


def replace_once(text: str, old: str, new: str) -> str:
    """Edit a scenario text at one place, failing loudly if the anchor is missing or ambiguous."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first occurrence of `needle`."""
    index = text.index(needle)
    return text.count("\n", 0, index) + 1
