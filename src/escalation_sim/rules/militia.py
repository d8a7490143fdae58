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
        description="daily chance of a harassment attack unprovoked, before the sponsor's restraint: 0.025 (one in "
        "40 days) is a background for a militia without a count of its own; a scenario sets its case's (jan2020: "
        "11 attacks on US troops or citizens in Iraq in the two months to 29 Dec 2019, 0.18 a day from all "
        "groups; an earlier text here read that as 0.18 a week)",
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
    truce_rate: float = Field(
        0.003,
        ge=0,
        le=1,
        description="daily chance of announcing a suspension of operations (or, without that option, a "
        "stand-down) toward its adversary: Kata'ib Hezbollah announced one truce (10 Oct 2020) in the 15 months "
        "from Oct 2019, about 1 in 450 days",
    )
    truce_after_lethal: float = Field(
        0.0,
        ge=0,
        le=1,
        description="extra daily chance of announcing a suspension in the `truce_window_days` after one of its "
        "own attacks killed someone (a pause to wait out the answer); 0: no such pause in the case",
    )
    truce_window_days: int = Field(7, ge=1, le=60, description="days after a lethal attack the pause may come")


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
        self._truces: dict[int, tuple[int, ...]] = {}

    def policy(self, view: View) -> Policy:
        p = self.params
        probs = [0.0] * len(view.options)
        restraint = view.sponsor_restraint
        best_target, best_severity = -1, 0.0
        targetable = view.targetable
        for i, value in enumerate(view.outstanding):
            if value > best_severity and targetable[i]:  # its grievance against someone it can reach
                best_target, best_severity = i, value
        rate = min(p.max_rate, p.base_rate + p.grievance_gain * best_severity) * (1.0 - restraint)
        siege = best_severity >= p.siege_threshold
        shares = self._shares.get((best_target, siege))
        if shares is None:
            shares = self._shares[(best_target, siege)] = attack_shares(view, best_target, siege)
        for index, share in shares:
            probs[index] = rate * share
        acting = rate if shares else 0.0
        truce = p.truce_rate + (p.truce_after_lethal if view.lethal_days <= p.truce_window_days else 0.0)
        truce_options = self._truce_options(view, best_target) if truce > 0 else ()
        for index in truce_options:
            probs[index] += truce * (1.0 - acting) / len(truce_options)
        if truce_options:
            acting += truce * (1.0 - acting)
        probs[view.hold_index] += 1.0 - acting
        who = view.others[best_target] if best_target >= 0 else "its adversaries"
        reason = (
            f"militia: daily attack chance {rate:.2f} against {who} (grievance {best_severity:.1f}, "
            f"sponsor restraint {restraint:.2f}{', mobilising supporters' if siege else ''}); "
            f"truce chance {truce:.3f}"
        )
        return Policy(probs, reason)

    def _truce_options(self, view: View, target: int) -> tuple[int, ...]:
        """A suspension of operations toward the target (all its adversaries if none), else a stand-down."""
        cached = self._truces.get(target)
        if cached is None:
            aimed = [
                o
                for o in view.options
                if o.rung < 0 and o.target_index >= 0 and (target < 0 or o.target_index == target)
            ]
            best = [o for o in aimed if o.action == "suspend_operations"] or aimed
            cached = self._truces[target] = tuple(o.index for o in best)
        return cached
