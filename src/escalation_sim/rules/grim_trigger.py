"""Grim trigger: cooperate until an adversary uses force once, then punish it for good (Friedman 1971)."""

from typing import Literal

from pydantic import Field

from .base import Policy, Rule, RuleParams, View, aim, register


class GrimTriggerParams(RuleParams):
    name: Literal["grim_trigger"] = "grim_trigger"
    trigger_rung: int = Field(
        3,
        ge=1,
        le=20,
        description="rung of an act that pulls the trigger: 3, the first use of force on two_state's "
        "ladder (a border clash); words (rungs 1-2) do not",
    )
    punishment: float = Field(
        1.0, ge=0, le=1, description="daily chance, once ready, of punishing a defector: grim means every day"
    )


@register
class GrimTrigger(Rule):
    """Grim trigger: cooperate until an adversary crosses the trigger once, then punish it for good.

    Remembers who defected for the rest of the run (its one piece of state: rules are made per actor and run).

    Source: Friedman 1971; Axelrod 1984
    """

    name = "grim_trigger"
    description = "never the first to use force; after one use of force by an adversary, punish it for good"
    classifier = {
        "memory_depth": float("inf"),
        "stochastic": False,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": False,
        "escalatory": True,
        "proxy": False,
    }
    Params = GrimTriggerParams

    def __init__(self, params: GrimTriggerParams | None = None) -> None:
        super().__init__(params)
        self.worst: dict[int, int] = {}  # defector index -> worst rung seen from it

    def policy(self, view: View) -> Policy:
        p = self.params
        for j, rung in enumerate(view.last_rung):
            attributed = view.outstanding[j] >= p.ignore_below or view.grievance[j] >= p.ignore_below
            if rung >= p.trigger_rung and attributed and j != view.index:
                self.worst[j] = max(rung, self.worst.get(j, 0))  # idempotent: safe to ask twice a day
        targets = [j for j in self.worst if view.targetable[j]]
        if not targets:
            return self.settle(view)
        target = max(targets, key=lambda j: (self.worst[j], -j))
        rung = self.worst[target]
        reason = f"grim trigger: {view.others[target]} used force (rung {rung}); punishing it for good"
        return aim(view, target, rung, p.spread, view.readiness * p.punishment, reason)
