"""Uniform random choice among available actions: the null model every rule should beat."""

from typing import Literal

from .base import Policy, Rule, RuleParams, View, register


class RandomParams(RuleParams):
    name: Literal["random"] = "random"


@register
class Random(Rule):
    """Uniform random choice among available actions: the null model every rule should beat.

    Source: Axelrod's Random
    """

    name = "random"
    description = "choose uniformly among available actions: a null model, not a doctrine"
    classifier = {
        "memory_depth": 0,
        "stochastic": True,
        "uses_attribution": False,
        "uses_costs": False,
        "reacts_to_casualties": False,
        "escalatory": False,
        "proxy": False,
    }
    Params = RandomParams

    def policy(self, view: View) -> Policy:
        n = len(view.options)
        return Policy([1.0 / n] * n, "random: uniform over available actions")
