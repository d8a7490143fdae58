"""Massive retaliation: answer any serious provocation at the top of the ladder (Dulles, January 1954)."""

from typing import Literal

from pydantic import Field

from .base import Policy, Rule, RuleParams, View, aim, describe_attribution, most_pressing, register


class MassiveRetaliationParams(RuleParams):
    name: Literal["massive_retaliation"] = "massive_retaliation"
    trigger: float = Field(5.0, ge=0, le=11, description="perceived severity that triggers it: any use of force")


@register
class MassiveRetaliation(Rule):
    """Massive retaliation: answer any serious provocation at the top of the ladder (Dulles, January 1954).

    Source: Dulles 1954
    """

    name = "massive_retaliation"
    description = "answer any provocation above a trigger at the highest rung available"
    classifier = {
        "memory_depth": 1,
        "stochastic": False,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": False,
        "escalatory": True,
        "proxy": False,
    }
    Params = MassiveRetaliationParams

    def policy(self, view: View) -> Policy:
        target = most_pressing(view, self.params)
        if target < 0 or view.outstanding[target] < self.params.trigger:
            return self.settle(view)
        top = max((o.rung for o in view.options if o.target_index == target), default=0)
        reason = (
            f"massive retaliation: severity {view.outstanding[target]:.1f} >= trigger "
            f"{self.params.trigger:g}; {describe_attribution(view, target)}"
        )
        return aim(view, target, top, self.params.spread, view.readiness, reason)
