"""Restraint: absorb provocations up to a threshold and seek talks; answer proportionately beyond it."""

from typing import Literal

from pydantic import Field

from .base import Policy, Rule, RuleParams, View, aim, describe_attribution, most_pressing, register


class RestraintParams(RuleParams):
    name: Literal["restraint"] = "restraint"
    threshold: float = Field(
        15.0,
        gt=0,
        description="accumulated grievance absorbed before answering (about three proxy attacks)",
    )
    talk_propensity: float = Field(0.3, ge=0, le=1, description="daily chance of offering talks while absorbing")


@register
class Restraint(Rule):
    """Restraint: absorb provocations up to a threshold and seek talks; answer proportionately beyond it.

    Source: strategic patience
    """

    name = "restraint"
    description = "absorb provocations up to a threshold and offer talks; answer proportionately beyond it"
    classifier = {
        "memory_depth": float("inf"),
        "stochastic": False,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": True,
        "escalatory": False,
        "proxy": False,
    }
    Params = RestraintParams

    def policy(self, view: View) -> Policy:
        target = most_pressing(view, self.params)
        if target < 0:
            return self.settle(view)
        p = self.params
        grievance = view.grievance[target]
        if grievance >= p.threshold:
            reason = (
                f"restraint exhausted: grievance {grievance:.1f} >= {p.threshold:g}; "
                f"{describe_attribution(view, target)}"
            )
            return aim(view, target, view.outstanding[target], p.spread, view.readiness, reason)
        reason = f"absorbing: grievance {grievance:.1f} below {p.threshold:g}; seeking talks"
        return aim(view, target, -2, p.quiet_spread, p.talk_propensity, reason, hostile_only=False)
