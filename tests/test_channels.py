"""Private channels (channels.py): open or closed, delay, reliability, and what a closed line takes away."""

from __future__ import annotations

import pytest

from escalation_sim.mechanics.channels import build_lines, route, send
from helpers import shipped
from test_signals import days, do, quiet_model, quiet_scenario


def test_jan2020_lines_run_where_the_scenario_says() -> None:
    scenario = shipped("jan2020")
    ids = list(scenario.actors)
    lines = build_lines(scenario.channels, ids)
    usa, irn = ids.index("USA"), ids.index("IRN")
    assert route(lines, irn, usa, "warning").channel_id == "iraq_pm"
    assert route(lines, usa, irn, "warning") is None  # the Swiss channel carried notes, not warnings
    assert route(lines, usa, irn, "assurance").channel_id == "swiss"
    closed = shipped("jan2020").with_edits({"channels.iraq_pm.open": False})
    assert route(build_lines(closed.channels, ids), irn, usa, "warning") is None


def test_private_options_exist_only_where_a_channel_carries_them() -> None:
    scenario = quiet_scenario().with_edits({"channels.swiss.open": False, "channels.iraq_pm.open": False})
    model = quiet_model(scenario=scenario)
    assert not [o for o in model.by_id["USA"].options if o.action == "private_assurance"]
    model = quiet_model()
    assert [o.target for o in model.by_id["USA"].options if o.action == "private_assurance"] == ["IRN"]


def test_messages_are_delivered_with_the_channels_reliability() -> None:
    model = quiet_model(scenario=quiet_scenario().with_edits({"channels.iraq_pm.reliability": 0.7}))
    irn, usa = model.by_id["IRN"].index, model.by_id["USA"].index
    delivered = sum(send(model, irn, usa, "warning").delivered for _ in range(4000))
    assert delivered / 4000 == pytest.approx(0.7, abs=0.03)


def test_a_delayed_assurance_arrives_after_the_delay_and_costs_no_credibility() -> None:
    scenario = quiet_scenario().with_edits({"channels.swiss.delay_days": 3, "channels.swiss.reliability": 1.0})
    model = quiet_model(scenario=scenario)
    usa, irn = model.by_id["USA"], model.by_id["IRN"]
    do(model, "USA", "direct_strike", "IRN", killed={"IRN": 3})
    grievance = irn.outstanding[usa.index]
    credibility = usa.credibility
    reading = irn.credibility_of[usa.index]  # Iran's posterior expected US resolve (its beliefs about the US)
    do(model, "USA", "private_assurance", "IRN")
    assert irn.outstanding[usa.index] == grievance  # not yet arrived
    assert irn.credibility_of[usa.index] == reading
    days(model, 2)
    assert not irn.conciliatory[usa.index]
    days(model, 1)
    assert irn.conciliatory[usa.index]
    assert irn.credibility_of[usa.index] < reading  # the assurance entered Iran's beliefs about the US
    assert usa.credibility == credibility  # private: no audience, no cost either way


def test_a_warning_that_arrives_a_day_late_does_not_shelter_anyone() -> None:
    late = quiet_scenario().with_edits({"channels.iraq_pm.delay_days": 1, "channels.iraq_pm.reliability": 1.0})
    model = quiet_model(scenario=late)
    option = next(o for o in model.by_id["IRN"].options if o.action == "calibrated_strike")
    assert option.expected_killed == pytest.approx(10.2)  # planned as unwarned: the warning would come too late
    record = model.act(model.by_id["IRN"], option, 0.1, "test")
    assert "(too late)" in record.reason
    assert record.killed.get("USA", 0) > 0 or "unwarned" not in record.reason  # drawn at full exposure


def test_a_host_passes_its_partners_assurance_on_the_line_it_carries() -> None:
    """Iraq carries iraq_pm (Iran -> US): its pass_message to the US relays Iran's assurance as a channel message
    (the line's reliability; into the US's grievance and its reading of Iran), and it has no such option toward
    Iran (no line it carries reaches Iran), nor any once the line is closed."""
    scenario = quiet_scenario().with_edits({"channels.iraq_pm.reliability": 1.0})
    model = quiet_model(scenario=scenario)
    usa, irn = model.by_id["USA"], model.by_id["IRN"]
    assert [o.target for o in model.by_id["IRQ"].options if o.action == "pass_message"] == ["USA"]
    do(model, "IRN", "direct_strike", "USA", killed={"USA": 1})
    grievance, reading = usa.outstanding[irn.index], usa.credibility_of[irn.index]
    do(model, "IRQ", "pass_message", "USA")
    assert usa.outstanding[irn.index] == pytest.approx(grievance * (1 - 0.5 * irn.credibility))
    assert usa.credibility_of[irn.index] < reading
    assert "IRN's assurance via iraq_pm" in model.records[-1].reason
    closed = quiet_model(scenario=scenario.with_edits({"channels.iraq_pm.open": False}))
    assert not [o for o in closed.by_id["IRQ"].options if o.action == "pass_message"]
