"""Graduated response: climb the ladder one step per unanswered provocation, starting low (flexible response)."""

from typing import Literal

from pydantic import Field

from .base import Policy, Rule, RuleParams, View, aim, describe_attribution, most_pressing, register


class GraduatedParams(RuleParams):
    name: Literal["graduated"] = "graduated"
    start_rung: int = Field(2, ge=1, le=10, description="first answer: a threat (rung 2) before any force")
    step: float = Field(1.0, gt=0, le=5, description="rungs climbed per provocation already suffered")
    grievance_unit: float = Field(
        5.0, gt=0, description="accumulated grievance that counts as one provocation (about one proxy attack)"
    )


@register
class Graduated(Rule):
    """Graduated response: climb the ladder one step per unanswered provocation, starting low (flexible response).

    Source: flexible response (McNamara)
    """

    name = "graduated"
    description = "start low (a threat) and climb one step per provocation suffered, whatever its size"
    classifier = {
        "memory_depth": float("inf"),
        "stochastic": False,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": False,
        "escalatory": False,
        "proxy": False,
    }
    Params = GraduatedParams

    def policy(self, view: View) -> Policy:
        target = most_pressing(view, self.params)
        if target < 0:
            return self.settle(view)
        p = self.params
        provocations = view.grievance[target] / p.grievance_unit
        rung = p.start_rung + p.step * max(0.0, provocations - 1.0)
        reason = (
            f"graduated response: {provocations:.1f} provocations suffered -> rung {rung:.1f}; "
            f"{describe_attribution(view, target)}"
        )
        return aim(view, target, rung, p.spread, view.readiness, reason)
