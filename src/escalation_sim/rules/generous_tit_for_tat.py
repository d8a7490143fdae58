"""Generous tit-for-tat: tit-for-tat that forgives a share of provocations (Nowak & Sigmund 1992)."""

from typing import Literal

from pydantic import Field

from .base import Policy, Rule, RuleParams, View, aim, describe_attribution, mix, most_pressing, register


class GenerousTitForTatParams(RuleParams):
    name: Literal["generous_tit_for_tat"] = "generous_tit_for_tat"
    generosity: float = Field(
        1 / 3,
        ge=0,
        le=1,
        description="share of provocations forgiven with a stand-down instead of answered: Nowak & Sigmund's "
        "optimum min(1 - (T-R)/(R-S), (R-P)/(T-P)) = 1/3 for Axelrod's payoffs T=5, R=3, P=1, S=0",
    )


@register
class GenerousTitForTat(Rule):
    """Generous tit-for-tat: answer in kind, but forgive a share of provocations (Nowak & Sigmund 1992).

    Source: Nowak & Sigmund 1992
    """

    name = "generous_tit_for_tat"
    description = "tit-for-tat that forgives a third of provocations with a stand-down, so noise does not echo"
    classifier = {
        "memory_depth": 1,
        "stochastic": True,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": False,
        "escalatory": False,
        "proxy": False,
    }
    Params = GenerousTitForTatParams

    def policy(self, view: View) -> Policy:
        target = most_pressing(view, self.params)
        if target < 0:
            return self.settle(view)
        p = self.params
        rung = view.last_rung[target]
        reason = f"generous tit-for-tat: answering rung {rung} in kind; {describe_attribution(view, target)}"
        answer = aim(view, target, rung, p.spread, view.readiness, reason)
        if p.generosity == 0:
            return answer
        forgive = aim(view, target, -1, p.quiet_spread, view.readiness, reason, hostile_only=False)
        return mix(answer, forgive, p.generosity, reason + f", or forgiving it (share {p.generosity:.2g})")
