"""Militia harassment: opportunistic, deniable attacks whose rate the sponsor's control holds back."""

from typing import Literal

from pydantic import Field

from .base import Policy, Rule, RuleParams, View, register


class MilitiaParams(RuleParams):
    name: Literal["militia"] = "militia"
    base_rate: float = Field(
        0.025,
        ge=0,
        le=1,
        description="daily chance of a harassment attack unprovoked: US officials counted 11 rocket attacks on "
        "bases hosting US troops in Oct-Dec 2019, about 0.18 a week",
    )
    grievance_gain: float = Field(
        0.03, ge=0, le=1, description="extra daily chance per unit of unanswered severity suffered"
    )
    siege_threshold: float = Field(
        8.0,
        ge=0,
        description="unanswered severity that brings supporters into the street (after 25 KH killed, A02-A03)",
    )
    max_rate: float = Field(0.9, gt=0, le=1, description="cap on the daily chance of acting")


def attack_shares(view: View, target: int, mobilised: bool) -> list[tuple[int, float]]:
    """How a day's attack is split among the militia's options: mostly its strongest, a little the rest.

    Mass action without intent to kill (a siege: proxy group, not force) needs supporters mobilised.
    """
    attacks = [
        o
        for o in view.options
        if o.hostile
        and o.target_index >= 0
        and (target < 0 or o.target_index == target)
        and (mobilised or not (o.group == "proxy" and not o.force))
    ]
    strongest = max((o.rung for o in attacks), default=0)
    weights = [1.0 if o.rung == strongest else 0.15 for o in attacks]
    total = sum(weights)
    return [(o.index, w / total) for o, w in zip(attacks, weights, strict=True)]


@register
class Militia(Rule):
    """Militia harassment: opportunistic, deniable attacks whose rate the sponsor's control holds back.

    Source: Mumford 2013; Byman 2005
    """

    name = "militia"
    description = "opportunistic, deniable harassment that grows with grievance and the sponsor holds back"
    classifier = {
        "memory_depth": float("inf"),
        "stochastic": True,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": True,
        "escalatory": False,
        "proxy": True,
    }
    Params = MilitiaParams

    def __init__(self, params: RuleParams | None = None) -> None:
        super().__init__(params)
        self._shares: dict[tuple[int, bool], list[tuple[int, float]]] = {}

    def policy(self, view: View) -> Policy:
        p = self.params
        probs = [0.0] * len(view.options)
        restraint = view.sponsor_restraint
        best_target, best_severity = -1, 0.0
        for i, value in enumerate(view.outstanding):
            if value > best_severity:
                best_target, best_severity = i, value
        rate = min(p.max_rate, p.base_rate + p.grievance_gain * best_severity) * (1.0 - restraint)
        siege = best_severity >= p.siege_threshold
        shares = self._shares.get((best_target, siege))
        if shares is None:
            shares = self._shares[(best_target, siege)] = attack_shares(view, best_target, siege)
        for index, share in shares:
            probs[index] = rate * share
        probs[view.hold_index] += 1.0 - (rate if shares else 0.0)
        who = view.others[best_target] if best_target >= 0 else "its adversaries"
        reason = (
            f"militia: daily attack chance {rate:.2f} against {who} (grievance {best_severity:.1f}, "
            f"sponsor restraint {restraint:.2f}{', mobilising supporters' if siege else ''})"
        )
        return Policy(probs, reason)
