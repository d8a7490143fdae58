"""The quantal rule and its features: a distribution, reasons that name features, and features that read only
what the deciding actor can know (issue 19)."""

from __future__ import annotations

import math
import typing

import pytest

from escalation_sim.minds.policy import decide
from escalation_sim.rules import View
from escalation_sim.rules.features import INDEX, NAMES, D, features, kind_of
from escalation_sim.rules.quantal import Quantal, QuantalParams
from helpers import at_branch, shipped

QUANTAL = {f"actors.{a}.rule": {"name": "quantal"} for a in ("USA", "IRN", "KH", "IRQ", "PMF")}
OWN_STATE = {"clock"}  # the actor's own clock: days since its own acts (not in the View protocol)


@pytest.fixture(scope="module")
def model():
    return at_branch(shipped("jan2020").with_edits(QUANTAL), seed=1)


class Recorder:
    """A view that records every attribute a feature reads."""

    def __init__(self, view: object) -> None:
        self._view = view
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> object:
        self.read.add(name)
        return getattr(self._view, name)


def test_kinds_of_the_jan2020_actors(model) -> None:
    kinds = {a.actor_id: kind_of(a) for a in model.actors}
    assert kinds == {"USA": "state", "IRN": "sponsor", "IRQ": "host", "KH": "armed_group", "PMF": "armed_group"}


def test_features_read_only_the_view(model) -> None:
    allowed = set(typing.get_type_hints(View)) | {"forecasts"} | OWN_STATE
    for actor in model.actors:
        spy = Recorder(actor)
        rows = features(spy, actor.forecasts())  # type: ignore[arg-type]
        assert len(rows) == len(actor.options) and all(len(r) == D for r in rows)
        assert spy.read <= allowed, f"{actor.actor_id}: features read {sorted(spy.read - allowed)}"


def test_features_ignore_the_other_sides_mind_and_follow_its_own(model) -> None:
    iran, usa = model.by_id["IRN"], model.by_id["USA"]
    before = features(iran)
    usa.resolve, usa.cost_sensitivity = 0.01, 0.99  # the US's true traits and memory: hidden from Iran
    usa.outstanding[iran.index] += 50.0
    usa.grievance[iran.index] += 50.0
    assert features(iran) == before
    iran.outstanding[usa.index] += 5.0  # what Iran itself perceived does move them
    after = features(iran)
    strike = next(o.index for o in iran.options if o.force and o.target == "USA")
    assert after[strike][INDEX["provocation"]] == pytest.approx(before[strike][INDEX["provocation"]] + 0.5)


def test_policy_is_a_distribution_with_a_reason_naming_features(model) -> None:
    for actor in model.actors:
        policy = decide(actor, actor.rule)
        assert math.isclose(sum(policy.probs), 1.0, abs_tol=1e-9)
        assert all(p >= 0.0 for p in policy.probs)
        assert policy.reason.startswith("quantal (")
        assert any(name in policy.reason for name in NAMES)


def test_a_weight_set_by_name_moves_the_choice(model) -> None:
    usa = model.by_id["USA"]
    calm = Quantal(QuantalParams(weights={"strike": -20.0})).policy(usa)
    bold = Quantal(QuantalParams(weights={"strike": 5.0})).policy(usa)
    strikes = [o.index for o in usa.options if o.group == "strike"]
    assert sum(bold.probs[i] for i in strikes) > 100 * sum(calm.probs[i] for i in strikes)


def test_a_sponsor_orders_its_proxy_of_its_own_accord(model) -> None:
    iran = model.by_id["IRN"]
    orders = iran.proxy.order_options
    assert orders, "IRN has order options in jan2020"
    policy = decide(iran, iran.rule)
    assert all(policy.probs[i] > 0.0 for i in orders)


def test_grievance_features_stay_on_the_unit_scale_under_a_standing_grievance(model) -> None:
    """A decaying sum fed daily by an operation runs far past one act's worth (GBR's against the occupying ARG
    was 65 in falklands1982): the features read it / 10, capped at 1, as every feature is scaled to [0, ~1]."""
    usa, iran = model.by_id["USA"], model.by_id["IRN"]
    grievance, since = list(usa.grievance), list(usa.clock.since)
    word = next(o.index for o in usa.options if o.hostile and not o.force and o.target == "IRN")
    try:
        usa.clock.since[:] = [30, 30, 30, 30]
        usa.grievance[iran.index] = 65.0
        rows = features(usa)
        assert rows[word][INDEX["grievance"]] == 1.0
        assert rows[word][INDEX["pent_up"]] == pytest.approx(1.0)  # quiet for a month, grievance at the cap
        usa.grievance[iran.index] = 4.0  # below the cap: / 10 as before
        assert features(usa)[word][INDEX["grievance"]] == pytest.approx(0.4)
    finally:
        usa.grievance[:], usa.clock.since[:] = grievance, since


def test_onset_features_read_the_actors_own_clock_alert_grievance_and_date(model) -> None:
    usa = model.by_id["USA"]
    iran = model.by_id["IRN"]
    clock, alert, grievance = list(usa.clock.since), usa.alert, list(usa.grievance)
    force = next(o.index for o in usa.options if o.force and o.target == "IRN")
    word = next(o.index for o in usa.options if o.hostile and not o.force and o.target == "IRN")
    talks = [o.index for o in usa.options if o.rung < 0]
    try:
        usa.clock.since[:] = [30, 0, 30, 30]
        usa.alert = 0.8
        usa.grievance[iran.index] = 4.0
        rows = features(usa)
        assert rows[force][INDEX["engaged"]] == 1.0 and rows[word][INDEX["engaged"]] == 0.0
        assert rows[force][INDEX["mobilised"]] == 0.8 and rows[word][INDEX["mobilised"]] == 0.0
        assert rows[word][INDEX["pent_up"]] == pytest.approx(0.0)  # it acted today: nothing pent up
        usa.clock.since[:] = [30, 7, 30, 30]
        rows = features(usa)
        assert rows[force][INDEX["engaged"]] == pytest.approx(0.5)  # a week after its last use of force
        assert rows[word][INDEX["pent_up"]] == pytest.approx(0.4 * 7 / 30)  # quiet for a week, grievance 4
        assert rows[usa.hold_index][INDEX["pent_up"]] == 0.0
        assert talks and all(rows[i][INDEX["crisis_age"]] == pytest.approx(min(model.day / 60, 1)) for i in talks)
        assert model.day > 0 and rows[force][INDEX["crisis_age"]] == 0.0
    finally:
        usa.clock.since[:], usa.alert, usa.grievance[:] = clock, alert, grievance
