"""Win-stay, lose-shift (Pavlov): keep a move that went unpunished, change one that drew a blow."""

from typing import Literal

from .base import Policy, Rule, RuleParams, View, aim, describe_attribution, most_pressing, register


class WinStayLoseShiftParams(RuleParams):
    name: Literal["win_stay_lose_shift"] = "win_stay_lose_shift"


@register
class WinStayLoseShift(Rule):
    """Win-stay, lose-shift (Pavlov): after a blow, change what one did last to the one who struck.

    Provoked after one's own hostile act (mutual defection, P): shift to conciliation. Provoked after one's own
    restraint (the sucker's payoff, S): shift to answering in kind. Unprovoked (R or T): stay quiet. The model
    has no rounds, so 'stay' after T (exploiting an opponent that has not answered) is not modelled.

    Source: Nowak & Sigmund 1993
    """

    name = "win_stay_lose_shift"
    description = "Pavlov: after a blow, conciliate if one struck last, strike back if one held"
    classifier = {
        "memory_depth": 1,
        "stochastic": False,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": False,
        "escalatory": False,
        "proxy": False,
    }
    Params = WinStayLoseShiftParams

    def policy(self, view: View) -> Policy:
        target = most_pressing(view, self.params)
        if target < 0:
            return self.settle(view)
        p = self.params
        mine = view.own_last_rung[target]
        if mine > 0:
            reason = (
                f"win-stay lose-shift: struck (rung {mine}) and struck back; shifting to conciliation; "
                f"{describe_attribution(view, target)}"
            )
            return aim(view, target, -1, p.quiet_spread, view.readiness, reason, hostile_only=False)
        rung = view.last_rung[target]
        reason = f"win-stay lose-shift: held and was struck; shifting to rung {rung}; " + describe_attribution(
            view, target
        )
        return aim(view, target, rung, p.spread, view.readiness, reason)
