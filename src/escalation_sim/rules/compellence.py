"""Compellence: sustained, rising pressure on an adversary until it makes a conciliatory move (Schelling 1966)."""

from typing import Literal

from pydantic import Field

from .base import Policy, Rule, RuleParams, View, aim, register


class CompellenceParams(RuleParams):
    name: Literal["compellence"] = "compellence"
    pressure_rung: float = Field(
        4.0,
        ge=1,
        le=20,
        description="where pressure starts: sanctions (rung 4), coercion short of force "
        "(George 1991: the 'try-and-see' variant of coercive diplomacy)",
    )
    max_rung: float = Field(
        7.0,
        ge=1,
        le=20,
        description="the ceiling: limited force (rungs 6-7), not war; compellence that goes to "
        "war has failed (Schelling 1966)",
    )
    escalate_per: float = Field(
        5.0,
        gt=0,
        le=50,
        description="grievance (about one harassment) that turns the screw by one rung: "
        "defiance is met with more pressure (George 1991's 'gradual turning of the screw')",
    )
    intensity: float = Field(
        0.5, ge=0, le=1, description="daily chance, once ready, of applying pressure: sustained, not constant"
    )


@register
class Compellence(Rule):
    """Compellence: sustained pressure on the adversary it holds a grievance against, until it conciliates.

    The demand is met when the adversary offers talks, stands down or concedes (it is then 'conciliatory');
    pressure stops, and resumes if it strikes again. Pressure rises with the grievance left.

    Source: Schelling 1966; George 1991
    """

    name = "compellence"
    description = "sustained, rising pressure on an adversary until it makes a conciliatory move"
    classifier = {
        "memory_depth": float("inf"),
        "stochastic": False,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": False,
        "escalatory": True,
        "proxy": False,
    }
    Params = CompellenceParams

    def policy(self, view: View) -> Policy:
        p = self.params
        target, most = -1, p.ignore_below
        for j, grievance in enumerate(view.grievance):
            eligible = grievance >= most and grievance > 0.0 and not view.conciliatory[j] and j != view.index
            if eligible and view.targetable[j]:
                target, most = j, grievance
        if target < 0:
            return self.settle(view)
        rung = min(p.max_rung, p.pressure_rung + (most - p.ignore_below) / p.escalate_per)
        reason = (
            f"compellence: pressure on {view.others[target]} at rung {rung:.1f} until it conciliates "
            f"(grievance {most:.1f})"
        )
        return aim(view, target, rung, p.spread, view.readiness * p.intensity, reason)
