"""Escalation dominance: answer above the provocation to show who can go higher (Kahn 1965)."""

from typing import Literal

from pydantic import Field

from .base import Policy, Rule, RuleParams, View, aim, describe_attribution, most_pressing, register


class EscalationDominanceParams(RuleParams):
    name: Literal["escalation_dominance"] = "escalation_dominance"
    step: float = Field(1.0, gt=0, le=5, description="rungs above the provocation; Kahn's 'one rung higher'")


@register
class EscalationDominance(Rule):
    """Escalation dominance: answer above the provocation to show who can go higher (Kahn 1965).

    Source: Kahn 1965
    """

    name = "escalation_dominance"
    description = "answer one rung (or `step` rungs) above the provocation to dominate the ladder"
    classifier = {
        "memory_depth": float("inf"),
        "stochastic": False,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": True,
        "escalatory": True,
        "proxy": False,
    }
    Params = EscalationDominanceParams

    def policy(self, view: View) -> Policy:
        target = most_pressing(view, self.params)
        if target < 0:
            return self.settle(view)
        rung = view.outstanding[target] + self.params.step
        reason = (
            f"escalation dominance: {self.params.step:g} rung above perceived severity "
            f"{view.outstanding[target]:.1f}; {describe_attribution(view, target)}"
        )
        return aim(view, target, rung, self.params.spread, view.readiness, reason)
