"""Honest learning (issue 17): a believer learns only from what it can observe of the other's decisions."""

from __future__ import annotations

from escalation_sim.minds.beliefs import observed
from helpers import at_branch, shipped

US_BELIEFS = {
    "IRN": {
        "types": [
            {"rule": {"name": "red_line"}, "resolve": 0.3, "prior": 0.25},
            {"rule": {"name": "red_line"}, "resolve": 0.8, "prior": 0.25},
            {"rule": {"name": "restraint"}, "resolve": 0.3, "prior": 0.25},
            {"rule": {"name": "escalation_dominance"}, "resolve": 0.8, "prior": 0.25},
        ]
    }
}


def test_a_private_order_it_cannot_see_teaches_a_believer_nothing_a_hold_would_not() -> None:
    scenario = shipped("jan2020").with_edits({"actors.USA.beliefs": US_BELIEFS})
    posteriors = {}
    for what in ("order", "hold", "public"):
        model = at_branch(scenario, 0)
        irn, usa = model.by_id["IRN"], model.by_id["USA"]
        if what == "order":
            chosen = next(o for o in irn.options if o.action == "order_restraint" and o.target == "KH")
        elif what == "hold":
            chosen = irn.options[irn.hold_index]
        else:
            chosen = next(o for o in irn.options if o.action == "denounce" and o.target == "USA")
        observed(model, irn, (chosen.index,))
        posteriors[what] = list(usa.beliefs[irn.index].posterior)
    assert posteriors["order"] == posteriors["hold"]
    assert posteriors["public"] != posteriors["hold"]  # what the US can see does teach it

