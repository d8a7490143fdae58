"""Host nation: protest uses of force on its soil and demand that foreign forces leave."""

from typing import Literal

from pydantic import Field

from .base import Policy, Rule, RuleParams, View, aim, register


class HostNationParams(RuleParams):
    name: Literal["host_nation"] = "host_nation"
    protest_threshold: float = Field(
        6.0,
        ge=0,
        description="sovereignty grievance at which the host formally demands withdrawal (a strike on its soil "
        "that kills its own people or officials, as on 3 January 2020)",
    )


@register
class HostNation(Rule):
    """Host nation: protest uses of force on its soil and demand that foreign forces leave.

    Source: Iraq, 5 Jan 2020
    """

    name = "host_nation"
    description = "protest violations of sovereignty; demand withdrawal when they accumulate"
    classifier = {
        "memory_depth": float("inf"),
        "stochastic": False,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": True,
        "escalatory": False,
        "proxy": False,
    }
    Params = HostNationParams

    def policy(self, view: View) -> Policy:
        worst, worst_value = -1, 0.0
        floor = self.params.ignore_below
        for i, value in enumerate(view.violations):
            if value > worst_value and view.outstanding[i] >= floor:
                worst, worst_value = i, value
        if worst < 0:
            return self.settle(view)
        p = self.params
        rung = 2.0 if worst_value >= p.protest_threshold else 1.0
        reason = (
            f"host nation: sovereignty violated by {view.others[worst]} (grievance {worst_value:.1f}, "
            f"{'demanding withdrawal' if rung >= 2 else 'protesting'})"
        )
        return aim(view, worst, rung, p.quiet_spread * 2, view.readiness, reason)
