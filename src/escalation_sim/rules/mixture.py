"""A mixture of doctrines: the policy is the weighted average of the components' policies.

A decision-maker rarely holds one doctrine pure (Hermann 1980; Saunders 2011): a weighted mixture says 'mostly a
red line, partly a restorer of deterrence'. A one-component mixture is its component, byte for byte.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import Policy, Rule, RuleParams, View, blend, make_rule, register, trembled
from .tit_for_tat import TitForTatParams


class Component(BaseModel):
    """One doctrine of a mixture and its weight."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weight: float = Field(gt=0, le=1e6, description="relative weight (weights are normalised to sum to 1)")
    rule: RuleConfig  # noqa: F821 - the union of every rule, completed by rules/__init__


class MixtureParams(RuleParams):
    name: Literal["mixture"] = "mixture"
    components: list[Component] = Field(
        default_factory=lambda: [Component(weight=1.0, rule=TitForTatParams())],
        min_length=1,
        description="the doctrines mixed and their weights; default one tit-for-tat (the mixture is then it)",
    )


@register
class Mixture(Rule):
    """A weighted mixture of doctrines: each day's policy is the weighted average of theirs.

    Source: Hermann 1980; Saunders 2011
    """

    name = "mixture"
    description = "a weighted mixture of doctrines: the average of their policies"
    classifier = {
        "memory_depth": float("inf"),
        "stochastic": True,
        "uses_attribution": True,
        "uses_costs": True,
        "reacts_to_casualties": True,
        "escalatory": False,
        "proxy": False,
    }
    Params = MixtureParams

    def __init__(self, params: MixtureParams | None = None) -> None:
        super().__init__(params)
        total = sum(c.weight for c in self.params.components)
        self.weights = [c.weight / total for c in self.params.components]
        self.components = [make_rule(c.rule) for c in self.params.components]

    def inner(self) -> list[Rule]:
        return self.components

    def policy(self, view: View) -> Policy:
        policies = trembled(view, self.components)
        if len(policies) == 1:
            return policies[0]
        probs, top = blend(self.weights, policies)
        names = ", ".join(f"{w:.2g} {r.name}" for w, r in zip(self.weights, self.components, strict=True))
        return Policy(probs, f"mixture ({names}); {self.components[top].name}: {policies[top].reason}")
