"""Red line: answer with force only when a named threshold is crossed; below it, signal and sanction."""

from typing import Literal

from pydantic import Field

from .base import Policy, Rule, RuleParams, View, aim, deaths_cross, describe_attribution, mix, most_pressing, register


class RedLineParams(RuleParams):
    name: Literal["red_line"] = "red_line"
    killed_threshold: int = Field(
        1,
        ge=0,
        description="own nationals killed in one act that cross the line (Trump, Dec 2019: the death of an "
        "American); 0 disables this test",
    )
    rung_threshold: float = Field(
        8.0, ge=0, le=11, description="perceived severity that crosses the line whatever the casualties"
    )
    margin: float = Field(0.0, ge=-3, le=3, description="rungs added to the perceived severity once crossed")
    below_rung: float = Field(
        3.0,
        ge=0,
        le=10,
        description="answer below the line: a show of force or sanctions (rung 3-4), not force",
    )
    deescalate_below: float = Field(
        0.3,
        ge=0,
        le=1,
        description="share of the answer below the line given to declaring the exchange over: the point of a "
        "red line is to stay out of fights that do not cross it",
    )


@register
class RedLine(Rule):
    """Red line: answer with force only when a named threshold is crossed; below it, signal and sanction.

    Source: Trump administration, Dec 2019
    """

    name = "red_line"
    description = "use force only when a threshold (own nationals killed, severity) is crossed; else signal"
    classifier = {
        "memory_depth": 1,
        "stochastic": False,
        "uses_attribution": True,
        "uses_costs": False,
        "reacts_to_casualties": True,
        "escalatory": False,
        "proxy": False,
    }
    Params = RedLineParams

    def policy(self, view: View) -> Policy:
        target = most_pressing(view, self.params)
        if target < 0:
            return self.settle(view)
        p = self.params
        severity = view.outstanding[target]
        deaths = deaths_cross(view, target, p.killed_threshold)
        if deaths or severity >= p.rung_threshold:
            what = deaths or f"severity {severity:.1f} >= {p.rung_threshold:g}"
            reason = (
                f"red line crossed: {what}, attack attributed to {view.others[target]} "
                f"(p={view.last_attribution[target]:.2g})"
            )
            return aim(view, target, severity + p.margin, p.spread, view.readiness, reason)
        reason = f"below the red line: answering at rung {p.below_rung:g}; {describe_attribution(view, target)}"
        signal = aim(view, target, min(p.below_rung, severity), p.spread, view.readiness, reason)
        if p.deescalate_below == 0:
            return signal
        calm = aim(view, target, -1, p.quiet_spread, view.readiness, reason, hostile_only=False)
        return mix(signal, calm, p.deescalate_below, reason + f", or standing down (share {p.deescalate_below:g})")
