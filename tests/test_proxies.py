"""Proxies under orders (proxies.py, docs/model.md section 5b), on real models of the shipped scenarios."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from escalation_sim.mechanics.proxies import RESTRAIN
from escalation_sim.model import EscalationModel
from escalation_sim.rules import Option
from escalation_sim.scenario import load_scenario
from helpers import ROOT, at_branch, shipped

PAUSE = ROOT / "scenarios" / "examples" / "jan2020_militia_pause.yaml"


def option(model: EscalationModel, actor: str, action: str, target: str) -> Option:
    return next(o for o in model.by_id[actor].options if o.action == action and o.target == target)


def attack_mass(model: EscalationModel, actor: str) -> float:
    """The actor's chance today of force or a proxy action against anyone (what a hold-fire order forbids)."""
    a = model.by_id[actor]
    probs = a.policy().probs
    forbidden = [o for o in a.options if o.hostile and o.target_index >= 0 and (o.force or o.group == "proxy")]
    return sum(probs[o.index] for o in forbidden)


def attacks(model: EscalationModel, actor: str, first: int, last: int) -> int:
    return sum(1 for r in model.records if r.actor == actor and r.origin == "model" and first <= r.day < last
               and r.rung >= 5)  # fmt: skip


def test_liaison_killed_drops_control_which_recovers_with_its_half_life() -> None:
    model = EscalationModel(scenario=shipped("jan2020"), rng=0, replay_only=True, collect=False)
    kh = model.by_id["KH"]
    base = kh.spec.sponsor_control
    while model.date < dt.date(2020, 1, 2):  # through 2 Jan
        model.step()
        assert kh.proxy.control == pytest.approx(base)
    model.step()  # 3 Jan: A06 kills Soleimani and al-Muhandis (liaison_killed: [KH, PMF])
    lost = base * kh.spec.liaison_loss
    assert kh.proxy.control == pytest.approx(base - lost * 0.5 ** (1 / kh.spec.control_half_life_days))
    for _ in range(30):
        model.step()
    assert kh.proxy.control == pytest.approx(base - lost * 0.5 ** (31 / kh.spec.control_half_life_days))
    assert kh.sponsor_restraint <= kh.proxy.control  # the wish for calm reaches it only as far as control goes


def test_restraint_order_is_obeyed_with_probability_control_after_the_lag_and_stops_attacks() -> None:
    """Over 400 seeds: obeyed in a share of runs equal to control at arrival; an obeyed proxy attacks no one."""
    obeyed, controls, before, after = 0, [], 0.0, 0.0
    n = 400
    # KH's decision clock at rest, so that the day before and the day of arrival differ by the order alone
    ready = {"min_days": 0, "shape": 1.0, "scale_days": 0.01}
    scenario = shipped("jan2020").with_edits({"actors.KH.hazards": dict.fromkeys(("words", "force"), ready)})
    for seed in range(n):
        model = at_branch(scenario, seed)
        kh = model.by_id["KH"]
        model.act(model.by_id["IRN"], option(model, "IRN", "order_restraint", "KH"), 1.0, "test")
        due = model.day + kh.spec.order_lag_days
        while model.day < due - 1:
            model.step()
        assert kh.proxy.ordered == 0, "the order arrived before its lag"
        controls.append(kh.proxy.control * kh.proxy.control_decay)  # the control on the day it arrives
        before += attack_mass(model, "KH")
        model.step()  # the order arrives at the start of this day
        if kh.proxy.ordered == RESTRAIN:
            obeyed += 1
            assert attack_mass(model, "KH") == 0.0
        after += attack_mass(model, "KH")
    control = sum(controls) / n
    share = obeyed / n
    assert abs(share - control) < 3 * math.sqrt(control * (1 - control) / n), (share, control)
    assert after <= (1 - 0.5 * control) * before, (after / before, control)


def test_restraint_order_cuts_realised_attacks_by_at_least_half_the_control() -> None:
    """Common seeds, 300 runs per arm: KH's attacks in the order's 14 days, with and without the order."""
    with_order = without = 0
    controls = []
    for seed in range(300):
        for ordered in (True, False):
            model = at_branch(shipped("jan2020"), seed)
            kh = model.by_id["KH"]
            start = model.day + 1
            if ordered:
                model.act(model.by_id["IRN"], option(model, "IRN", "order_restraint", "KH"), 1.0, "test")
                controls.append(kh.proxy.control)
            due = start + kh.spec.order_lag_days
            while model.day < due + kh.spec.order_days - 1:
                model.step()
            count = attacks(model, "KH", due, due + kh.spec.order_days)
            if ordered:
                with_order += count
            else:
                without += count
    control = sum(controls) / len(controls)
    assert without > 50, "too few attacks to measure a cut"
    assert 1 - with_order / without >= 0.5 * control, (with_order, without, control)


def test_sponsor_answers_an_attack_on_its_proxy_through_the_proxy() -> None:
    """Solidarity enters Iran's grievance, but its force goes to ordering KH to attack, unless Iran was hit."""
    # Iran's decision clock at rest (docs/model.md section 1a): what is tested is where its answer goes, not when
    ready = {"min_days": 0, "shape": 1.0, "scale_days": 0.01}
    at_rest = {c: ready for c in ("words", "force", "operations", "diplomacy")}
    scenario = shipped("jan2020").with_edits({"actors.IRN.hazards": at_rest})
    model = EscalationModel(scenario=scenario, rng=3, branch_date="2019-12-27", collect=False)
    model.step()
    usa, irn = model.by_id["USA"], model.by_id["IRN"]
    model.act(usa, option(model, "USA", "limited_strike", "KH"), 1.0, "test")
    assert irn.grievance[usa.index] > 0 and not irn.own_hit[usa.index]
    probs = irn.policy().probs
    direct = sum(probs[o.index] for o in irn.options if o.force and o.target == "USA")
    ordered = sum(probs[o.index] for o in irn.options if o.action == "order_attack")
    assert direct == 0.0 and ordered > 0.0
    model.act(usa, option(model, "USA", "leadership_strike", "IRN"), 1.0, "test")  # Iran's own people killed
    assert irn.own_hit[usa.index]
    probs = irn.policy().probs
    assert sum(probs[o.index] for o in irn.options if o.force and o.target == "USA") > 0.0


def test_obeyed_attack_order_raises_the_proxy_attack_rate_to_its_readiness() -> None:
    model = at_branch(shipped("jan2020"), 5)
    kh = model.by_id["KH"]
    kh.proxy.control = 1.0  # obeyed for certain
    model.act(model.by_id["IRN"], option(model, "IRN", "order_attack", "KH"), 1.0, "test")
    due = model.day + kh.spec.order_lag_days
    while model.day < due:
        model.step()
    probs = kh.policy().probs
    usa = model.by_id["USA"].index
    on_usa = sum(probs[o.index] for o in kh.options if o.target_index == usa and o.force)
    assert on_usa >= kh.readiness - 1e-12


def test_a_pause_after_a_lethal_attack_is_announced_and_kept() -> None:
    """The shipped example: after K-1 killed a contractor, KH may announce a suspension; once announced it
    makes no attack on the US for its suspension_days unless the US used force on it first."""
    scenario = load_scenario(PAUSE)
    paused = 0
    for seed in range(60):
        model = EscalationModel(scenario=scenario, rng=seed, collect=False)
        model.run_model()
        truce = [r for r in model.records if r.actor == "KH" and r.action == "suspend_operations"]
        if not truce:
            continue
        paused += 1
        day = truce[0].day
        days = scenario.actors["KH"].suspension_days
        broken = [r.day for r in model.records if r.actor == "USA" and r.target == "KH"
                  and model.ladder[r.action].force and r.day >= day]  # fmt: skip
        end = min([day + days, *broken])
        assert not [r for r in model.records if r.actor == "KH" and r.target == "USA" and r.rung > 0
                    and day < r.day < end], f"seed {seed}: truce of day {day} broken"  # fmt: skip
    assert paused >= 40, paused  # daily chance 0.3 over a 7-day window: a pause in about nine runs of ten
    default = shipped("jan2020").actors["KH"].rule
    assert default.truce_after_lethal == 0.0 and default.truce_rate > 0.0  # the militia can stand down


def test_front_claims_split_blame_among_the_sponsors_militias() -> None:
    scenario = shipped("jan2020").with_edits({"actors.KH.front": "Usbat al-Thaireen"})
    blamed = {"KH": 0, "PMF": 0}
    for seed in range(200):
        model = at_branch(scenario, seed)
        model.act(model.by_id["KH"], option(model, "KH", "harassment", "USA"), 1.0, "test")
        for who in blamed:
            blamed[who] += model.by_id["USA"].outstanding[model.by_id[who].index] > 0
    assert blamed["PMF"] > 30 and blamed["KH"] > 30  # without the front, PMF is never blamed for KH's act


def test_late_attribution_enters_the_grievance_on_the_day_it_arrives() -> None:
    scenario = shipped("jan2020").with_edits({"actors.USA.perception.attribution_delay_days": 21,
                                               "actors.USA.perception.attribution": 1.0})  # fmt: skip
    model = at_branch(scenario, 0)
    usa, kh = model.by_id["USA"], model.by_id["KH"]
    usa.outstanding[kh.index] = 0.0
    queued = len(model.late_blame)
    model.act(kh, option(model, "KH", "harassment", "USA"), 1.0, "test")
    assert usa.outstanding[kh.index] == 0.0
    ours = model.late_blame[queued:]  # this act's blame (KH, and Iran as its sponsor under an umbrella claim)
    due = model.day + 21
    assert ours and all(b.due == due for b in ours)
    while model.day < due - 1:
        model.step()
    assert all(b in model.late_blame for b in ours), "still under investigation the day before"
    before = usa.grievance[kh.index]
    model.step()
    # other acts of the run keep adding their own pending blame, so the queue's length says nothing: ours is gone
    assert not any(b in model.late_blame for b in ours)
    assert usa.grievance[kh.index] > before


def test_multi_victim_event_is_perceived_by_each_nation_hit() -> None:
    """A21: KH's rockets on Balad, aimed at the US presence, wounded Iraqi soldiers: Iraq perceives it as an
    attack on itself (blaming KH with its attribution probability, 0.6), and the decision is not impossible."""
    blamed = 0
    for seed in range(40):
        model = EscalationModel(scenario=shipped("jan2020"), rng=seed, replay_only=True, collect=False)
        while model.date < dt.date(2020, 1, 11):  # through 11 Jan
            model.step()
        irq, kh = model.by_id["IRQ"], model.by_id["KH"]
        before = irq.grievance[kh.index]
        model.step()
        blamed += irq.own_hit[kh.index] and irq.grievance[kh.index] > before
        a21 = next(r for r in model.records if r.event_id == "A21")
        assert a21.probability > 0.0 and a21.killed == {} and a21.wounded == {"IRQ": 4}
    assert 12 <= blamed <= 36, blamed  # 0.6 x 40 = 24 expected
