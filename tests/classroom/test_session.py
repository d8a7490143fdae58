"""Class sessions without a browser: seats, hidden views, turn-taking, injects, pause, timing, debrief."""

from __future__ import annotations

import pytest
from tests.helpers import shipped

from escalation_sim.classroom.game import LET_MODEL_CHOOSE, ChoiceError, GameError
from escalation_sim.classroom.session import ClassSession, find_session, open_session


def _option(session: ClassSession, actor: str, action: str) -> int:
    return next(o.index for o in session.games[actor].actor.options if o.action == action)


def test_seats_see_their_own_attribution_of_the_same_unclaimed_act():
    session = ClassSession(shipped("jan2020"), ["USA", "IRN", "IRQ"], seed=7)
    usa, irn, irq = (session.seat_view(a).news for a in ("USA", "IRN", "IRQ"))
    k1 = next(i for i, line in enumerate(usa) if "unclaimed" in line and "-> you" in line)
    assert "(you blamed:" in usa[k1]  # the target sees whom it blamed, drawn by the model's perception
    assert "KH (your proxy, unclaimed)" in irn[k1]  # the sponsor knows its proxy did it
    assert "attacker not known to you" in irq[k1]  # a bystander does not
    assert usa[k1] != irn[k1].replace("IRN", "you")


def test_the_day_advances_when_every_seat_has_chosen_and_choices_reach_the_others_next_day():
    session = ClassSession(shipped("jan2020"), ["USA", "IRN"], seed=3)
    day = session.model.day
    strike = _option(session, "IRN", "calibrated_strike")
    assert session.choose("IRN", strike) is False  # USA has not chosen yet
    assert session.model.day == day and session.seat_view("USA").waiting_for == 1
    assert "calibrated strike" not in " ".join(session.seat_view("USA").news[-3:])
    assert session.choose("USA", None) is True
    assert session.model.day == day + 1
    news = session.seat_view("USA").news
    assert any("IRN: calibrated strike on state forces -> you" in line for line in news)
    assert any("you: calibrated strike on state forces -> USA" in line for line in session.seat_view("IRN").news)


def test_instructor_advances_pauses_times_and_injects():
    now = [0.0]
    session = ClassSession(shipped("jan2020"), ["USA", "IRN"], seed=1, clock=lambda: now[0])
    session.pause()
    session.choose("USA", None)
    assert session.choose("IRN", None) is False  # paused: no advance
    day = session.model.day
    session.pause(False)  # resuming with every seat chosen plays the day
    assert session.model.day == day + 1
    session.set_timing(30)
    now[0] += 29
    assert session.tick() is False
    now[0] += 2
    assert session.tick() is True and session.model.day == day + 2  # time ran out: unchosen seats hold
    event = session.inject("KH", "harassment", "USA", killed=2)
    session.advance()
    records = [r for r in session.model.records if r.event_id == event.id]
    assert records and records[0].killed == {"USA": 2}
    with pytest.raises(GameError, match="unknown action"):
        session.inject("KH", "nuke", "USA")
    with pytest.raises(ChoiceError, match="not on the list"):
        session.choose("USA", 999)
    with pytest.raises(GameError, match="has no seat"):
        session.choose("KH", None)


def test_messages_are_private_to_sender_recipient_and_instructor():
    session = open_session(shipped("jan2020"), ["USA", "IRN", "IRQ"], seed=0)
    assert find_session(session.code.upper()) is session
    session.send("IRN", "USA", "we will answer, proportionately")
    assert [m.text for m in session.seat_view("USA").messages] == ["we will answer, proportionately"]
    assert session.seat_view("IRN").messages and not session.seat_view("IRQ").messages
    assert any(s.view.messages for s in session.instructor_view())
    with pytest.raises(GameError, match="empty"):
        session.send("USA", "IRN", "  ")


def test_a_full_class_game_and_its_debrief():
    session = ClassSession(shipped("jan2020"), ["USA", "IRN"], seed=5)
    while not session.finished:
        session.choose("USA", LET_MODEL_CHOOSE)
        session.choose("IRN", None)
    result = session.debrief(runs=20)
    assert result.outcome["outcome"] in ("de-escalation", "protracted", "war")
    assert set(result.seats) == {"USA", "IRN"}
    placement = result.seats["USA"].placement
    assert placement is not None and placement.runs == 20 and abs(sum(placement.outcome_shares.values()) - 1) < 1e-9
    assert result.seats["IRN"].history.outcome == "de-escalation"
