"""Restoring deterrence: answer a provocation against high-value or sovereign targets with a deliberately larger blow.

Israeli 'cumulative deterrence' (Almog 2004) and deterrence beyond the state (Rid 2012): a limited provocation
against what a state holds inviolable (its embassy, its nationals' lives, its leaders) is answered above its
level, often at the leadership that directs it, to reset the adversary's expectations (Schelling 1966: the
answer is a message about future answers). Lesser provocations are answered in kind.
"""

from typing import Literal

from pydantic import Field

from .base import Policy, Rule, RuleParams, View, aim, deaths_cross, describe_attribution, mix, most_pressing, register


class RestoreDeterrenceParams(RuleParams):
    name: Literal["restore_deterrence"] = "restore_deterrence"
    high_value_actions: list[str] = Field(
        default_factory=lambda: ["siege", "leadership_strike", "direct_strike", "campaign"],
        description="ladder actions that strike what a state holds inviolable: its embassy (a siege: diplomatic "
        "premises are inviolable, Vienna Convention art. 22), its leaders, its territory and forces by a state",
    )
    killed_threshold: int = Field(
        1, ge=0, description="own nationals killed in one act that make it high-value (0 disables this test)"
    )
    blow_margin: float = Field(
        3.0,
        ge=0,
        le=10,
        description="rungs above the provocation: 'deliberately larger' means out of proportion, by about the "
        "distance from harassment (5) to a leadership strike (8)",
    )
    floor_rung: float = Field(
        8.0,
        ge=0,
        le=20,
        description="the answer is at least a leadership strike (rung 8): resetting expectations means hitting "
        "those who decide (Almog 2004)",
    )
    sponsor_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="share of the blow aimed at the provoker's sponsor when a proxy provoked: deterrence beyond "
        "the state works through those who arm and direct the group (Rid 2012); 0.5, the even split, for want "
        "of a measured weight",
    )


@register
class RestoreDeterrence(Rule):
    """Restoring deterrence: answer a provocation against high-value targets with a deliberately larger blow.

    Source: Almog 2004; Rid 2012; Schelling 1966
    """

    name = "restore_deterrence"
    description = "answer attacks on embassies, nationals or leaders with a deliberately larger blow; else in kind"
    classifier = {
        "memory_depth": 1,
        "stochastic": False,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": True,
        "escalatory": True,
        "proxy": False,
    }
    Params = RestoreDeterrenceParams

    def policy(self, view: View) -> Policy:
        target = most_pressing(view, self.params)
        if target < 0:
            return self.settle(view)
        p = self.params
        act = view.last_act_of[target]
        deaths = deaths_cross(view, target, p.killed_threshold)
        if not (deaths or act in p.high_value_actions):
            rung = view.last_rung[target]
            reason = f"restoring deterrence: routine provocation, answered in kind at rung {rung}; " + (
                describe_attribution(view, target)
            )
            return aim(view, target, rung, p.spread, view.readiness, reason)
        rung = max(view.outstanding[target] + p.blow_margin, p.floor_rung)
        who = view.others[target]
        reason = f"restoring deterrence: {deaths or act} by {who} answered with a larger blow (rung {rung:g})"
        blow = aim(view, target, rung, p.spread, view.readiness, reason)
        sponsor = view.sponsor_of[target]
        if sponsor < 0 or p.sponsor_share == 0 or not any(o.target_index == sponsor for o in view.options):
            return blow
        at_sponsor = aim(view, sponsor, rung, p.spread, view.readiness, reason)
        return mix(
            blow,
            at_sponsor,
            p.sponsor_share,
            reason + f", {p.sponsor_share:.0%} of it at its sponsor {view.others[sponsor]}",
        )
