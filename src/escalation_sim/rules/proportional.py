"""Proportional response: match the perceived severity of the provocation, plus a margin."""

from typing import Literal

from pydantic import Field

from .base import Policy, Rule, RuleParams, View, aim, describe_attribution, most_pressing, register


class ProportionalParams(RuleParams):
    name: Literal["proportional"] = "proportional"
    margin: float = Field(
        0.0,
        ge=-3,
        le=3,
        description="rungs added to the perceived severity; >0 answers a little harder to restore deterrence "
        "(the 'proportionality plus' of US practice), <0 under-answers",
    )


@register
class Proportional(Rule):
    """Proportional response: match the perceived severity of the provocation, plus a margin.

    Source: the law of self-defence; US practice
    """

    name = "proportional"
    description = "match the perceived severity of the provocation (rung plus casualties), with a margin"
    classifier = {
        "memory_depth": float("inf"),
        "stochastic": False,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": True,
        "escalatory": False,
        "proxy": False,
    }
    Params = ProportionalParams

    def policy(self, view: View) -> Policy:
        target = most_pressing(view, self.params)
        if target < 0:
            return self.settle(view)
        rung = view.outstanding[target] + self.params.margin
        reason = (
            f"proportional response: perceived severity {view.outstanding[target]:.1f}"
            f" + margin {self.params.margin:g}; {describe_attribution(view, target)}"
        )
        return aim(view, target, rung, self.params.spread, view.readiness, reason)
