"""Calculated cost-benefit: weigh the satisfaction of answering against retaliation, war risk and other costs.

Expected-utility deterrence in the tradition of Schelling (1966) and Fearon (1994): an actor answers a
provocation when what it gains (grievance answered, domestic pressure relieved, threats made good) outweighs
what it expects to pay (the adversary's counter-retaliation, scaled by that adversary's resolve and credibility;
the risk of a killing spiral; legitimacy and host-nation sovereignty costs). Choices are a logit (quantal
response, McKelvey & Palfrey 1995) over utilities: near-best options are likely, far-worse ones rare.

With `lookahead: 1` the actor reasons one step ahead (a level-1 reasoner, Camerer, Ho & Chong 2004): the
expected counter-strike is no longer a guess from the adversary's resolve and credibility but the model's
forecast of what the option would provoke, from the rule the actor believes the target follows
(Bueno de Mesquita & Lalman 1992; Signorino 1999), see `anticipation.py`.
"""

import math
from typing import Any, Literal

from pydantic import Field, model_serializer

from .base import Forecast, Policy, Rule, RuleParams, Traits, View, most_pressing, register, softmax

_LOG_WAR = math.log1p(300.0)  # expected deaths of one day of sustained campaign: the top of the casualty scale


class CostBenefitParams(RuleParams):
    name: Literal["cost_benefit"] = "cost_benefit"
    temperature: float = Field(
        0.15,
        gt=0,
        le=10,
        description="logit noise: utility differences of ~0.15 change the odds by e; lower is more calculating",
    )
    retaliation_weight: float = Field(
        2.0,
        ge=0,
        description="weight of the adversary's expected counter-strike, which grows with the square of the rung",
    )
    war_weight: float = Field(
        2.0,
        ge=0,
        description="weight of the killing-spiral risk, which grows with the log of deaths the option causes",
    )
    audience_weight: float = Field(
        0.5,
        ge=0,
        description="value of making a pending threat good (Fearon's audience costs); scaled by credibility",
    )
    overshoot_penalty: float = Field(
        0.5,
        ge=0,
        description="benefit lost per rung answered above the provocation: the necessity and proportionality "
        "that Article 51 self-defence claims rest on",
    )
    hold_penalty: float = Field(
        0.5,
        ge=0,
        description="cost of doing nothing while provoked, scaled by domestic pressure",
    )
    lookahead: int = Field(
        0,
        ge=0,
        le=1,
        description="0: myopic, the counter-strike guessed from the target's resolve x credibility (the rule as "
        "it always was); 1: each option scored with the answer the model forecasts it would provoke from its "
        "target, under the rule the actor believes the target follows (level-1 reasoning, Camerer, Ho & Chong "
        "2004; the target is modelled as level-0)",
    )
    harm_weight: float = Field(
        2.0,
        ge=0,
        description="lookahead 1: weight of the own deaths the forecast answer would cause, on the same log "
        "scale and with the same weight as war_weight (deaths one suffers count as much as deaths one causes "
        "toward a killing spiral); scaled by 1 - risk tolerance",
    )
    escalation_weight: float = Field(
        1.0,
        ge=0,
        description="lookahead 1: cost of a certain answer above one's own act (losing escalation dominance, "
        "Kahn 1965), scaled by cost sensitivity; 1.0 = the benefit of answering a provocation in full for an "
        "actor of resolve + pressure 1",
    )

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> Any:
        """Leave out the lookahead fields at their defaults, so myopic scenarios keep their content hash."""
        data = handler(self)
        if isinstance(data, dict):
            for key in ("lookahead", "harm_weight", "escalation_weight"):
                if getattr(self, key) == type(self).model_fields[key].default:
                    data.pop(key, None)
        return data


@register
class CostBenefit(Rule):
    """Calculated cost-benefit: weigh the satisfaction of answering against retaliation, war risk and other costs.

    Source: Schelling 1966; Fearon 1994; McKelvey & Palfrey 1995; Signorino 1999; Camerer, Ho & Chong 2004
    """

    name = "cost_benefit"
    description = "expected utility: grievance and audience costs against retaliation, war risk and legitimacy"
    classifier = {
        "memory_depth": float("inf"),
        "stochastic": True,
        "uses_attribution": True,
        "uses_costs": True,
        "reacts_to_casualties": True,
        "escalatory": False,
        "proxy": False,
    }
    Params = CostBenefitParams

    def own_traits(self) -> Traits:
        """It reads resolve; with `lookahead: 1` it reads the forecasts of the answers its options provoke."""
        return Traits(looks_ahead=self.params.lookahead > 0, reads_resolve=True)

    def utilities(self, view: View) -> tuple[list[float], list[tuple[float, float, float]]]:
        """Utility of each option, and its (benefit, retaliation cost, other costs) for explanation."""
        p = self.params
        drive = view.resolve + view.domestic_pressure
        outstanding = view.outstanding
        provoked = max(outstanding) > 0.0
        forecasts = view.forecasts() if p.lookahead else None
        pending = view.pending_threat
        resolve_of, credibility_of = view.resolve_of, view.credibility_of
        sensitivity = view.cost_sensitivity
        retaliating = sensitivity * p.retaliation_weight  # the products below keep their order, left to right
        warring = (1.0 - view.risk_tolerance) * p.war_weight
        hold = view.hold_index
        utilities: list[float] = []
        parts: list[tuple[float, float, float]] = []
        for opt in view.options:
            j = opt.target_index
            benefit = retaliation = other = 0.0
            if opt.hostile and j >= 0:
                severity = outstanding[j]
                if severity > 0.0 and opt.rung > 0:
                    overshoot = max(0.0, opt.rung - severity) * p.overshoot_penalty
                    benefit = drive * (min(opt.rung, severity) - overshoot) / severity
                if pending[j] > 0 and opt.force:
                    benefit += p.audience_weight * view.credibility
                counter = resolve_of[j] * credibility_of[j]
                retaliation = retaliating * counter * (opt.rung / 10.0) ** 2
                # the deaths it causes: with lookahead, the harm model's today (alert, warning), as its forecast
                killed = forecasts[opt.index].caused if forecasts is not None else opt.expected_killed
                other = warring * math.log1p(killed) / _LOG_WAR
                if opt.force:
                    other += sensitivity * view.legitimacy_cost
                    if opt.on_soil_of >= 0:
                        other += sensitivity * view.sovereignty_cost[opt.on_soil_of]
            elif opt.index == hold:
                if provoked:
                    other = p.hold_penalty * view.domestic_pressure
                    if any(t > 0 for t in pending):
                        other += p.audience_weight * view.credibility
            elif opt.rung < 0 and j >= 0:
                benefit = (1.0 - view.resolve) * (0.5 if view.conciliatory[j] else 0.1)
                other = drive * min(1.0, outstanding[j] / 10.0)
            if forecasts is not None:
                retaliation = self.anticipated(view, forecasts[opt.index])
            utilities.append(benefit - retaliation - other)
            parts.append((benefit, retaliation, other))
        return utilities, parts

    def anticipated(self, view: View, forecast: Forecast) -> float:
        """Lookahead 1: the cost of the answer the option is forecast to provoke (replaces the myopic guess)."""
        p = self.params
        return (
            view.cost_sensitivity * (p.retaliation_weight * forecast.rung_sq + p.escalation_weight * forecast.escalate)
            + (1.0 - view.risk_tolerance) * p.harm_weight * math.log1p(forecast.deaths) / _LOG_WAR
        )

    def policy(self, view: View) -> Policy:
        if most_pressing(view, self.params) < 0:
            return self.settle(view)
        utilities, parts = self.utilities(view)
        choice = softmax(utilities, self.params.temperature)
        hold = view.hold_index
        ready = view.readiness
        probs = [q * ready for q in choice]
        probs[hold] += 1.0 - ready
        best = utilities.index(max(utilities))  # the first of equals, as max over the indices gives it
        opt = view.options[best]
        benefit, retaliation, other = parts[best]
        target = f" against {opt.target}" if opt.target else ""
        expected = "forecast answer" if self.params.lookahead else "expected retaliation"
        reason = (
            f"cost-benefit: best option {opt.action}{target} (p={choice[best]:.2f}): benefit {benefit:.2f}"
            f" vs {expected} {retaliation:.2f} and war/legitimacy costs {other:.2f}"
        )
        return Policy(probs, reason)
