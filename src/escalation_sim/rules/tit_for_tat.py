"""Tit-for-tat: answer the latest act attributed to an adversary at the same rung (Axelrod 1984)."""

from typing import Literal

from .base import Policy, Rule, RuleParams, View, aim, describe_attribution, most_pressing, register


class TitForTatParams(RuleParams):
    name: Literal["tit_for_tat"] = "tit_for_tat"


@register
class TitForTat(Rule):
    """Tit-for-tat: answer the latest act attributed to an adversary at the same rung (Axelrod 1984).

    Source: Axelrod 1984
    """

    name = "tit_for_tat"
    description = "answer the latest act attributed to an adversary at the same rung; reciprocate conciliation"
    classifier = {
        "memory_depth": 1,
        "stochastic": False,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": False,
        "escalatory": False,
        "proxy": False,
    }
    Params = TitForTatParams

    def policy(self, view: View) -> Policy:
        target = most_pressing(view, self.params)
        if target < 0:
            return self.settle(view)
        rung = view.last_rung[target]
        reason = f"tit-for-tat: answering rung {rung} in kind; {describe_attribution(view, target)}"
        return aim(view, target, rung, self.params.spread, view.readiness, reason)
