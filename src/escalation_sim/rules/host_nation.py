"""Host nation: answer uses of force on its soil in stages, weighing parliament against a dependent government.

Putnam's (1988) two-level game: parliament answers violations of sovereignty; the government weighs what the
country depends on each patron for (Cooley 2008; Lake 2009), more so when the patron presses it. The stage
it aims at (protest, withdrawal demand, restriction, expulsion) rises with the grievance net of that cost;
the government's share of the decision, in proportion to its dependence on the violator, goes to diplomacy
(a request for restraint, passing messages, mediation).
"""

from typing import Literal

from pydantic import Field

from .base import Policy, Rule, RuleParams, View, aim, mix, register


class HostNationParams(RuleParams):
    name: Literal["host_nation"] = "host_nation"
    protest_threshold: float = Field(
        6.0,
        gt=0,
        description="sovereignty grievance at which the host formally demands withdrawal (a strike on its soil "
        "that kills its own people or officials, as on 3 January 2020); each further multiple of it is a "
        "further stage (restriction of access, then expulsion)",
    )
    dependence_weight: float = Field(
        6.0,
        ge=0,
        le=50,
        description="sovereignty grievance a wholly dependent, unpressed government offsets (in the same units): "
        "one protest threshold, so full dependence holds a host back by one stage",
    )


@register
class HostNation(Rule):
    """Host nation: protest uses of force on its soil and demand that foreign forces leave.

    Source: Iraq, 5 Jan 2020; Putnam 1988; Cooley 2008; Lake 2009
    """

    name = "host_nation"
    description = (
        "answer violations of sovereignty in stages (protest, demand, restrict, expel), net of dependence; "
        "a dependent government seeks restraint and mediation"
    )
    classifier = {
        "memory_depth": float("inf"),
        "stochastic": False,
        "uses_attribution": True,
        "uses_costs": True,
        "reacts_to_casualties": True,
        "escalatory": False,
        "proxy": False,
    }
    Params = HostNationParams

    def policy(self, view: View) -> Policy:
        worst, worst_value = -1, 0.0
        floor = self.params.ignore_below
        for i, value in enumerate(view.violations):
            if value > worst_value and view.outstanding[i] >= floor:
                worst, worst_value = i, value
        if worst < 0:
            return self.settle(view)
        p = self.params
        leaning = (1.0 - view.host.parliament_weight) * view.host.dependence[worst]  # the government's hold on it
        cost = leaning * (1.0 + view.host.pressure_on[worst]) * p.dependence_weight
        drive = worst_value - cost
        stage = 1.0 if drive < p.protest_threshold else min(4.0, 1.0 + drive // p.protest_threshold)
        words = {1.0: "protesting", 2.0: "demanding withdrawal", 3.0: "restricting access", 4.0: "expelling"}
        reason = (
            f"host nation: sovereignty violated by {view.others[worst]} (grievance {worst_value:.1f}, "
            f"net of dependence {drive:.1f}: {words[stage]})"
        )
        confront = aim(view, worst, stage, p.quiet_spread * 2, view.readiness, reason)
        if leaning <= 0.0:
            return confront
        calm = aim(view, worst, -1.0, p.quiet_spread * 2, view.readiness, reason, hostile_only=False)
        return mix(confront, calm, leaning, reason + f"; the government seeks restraint (share {leaning:.2f})")
