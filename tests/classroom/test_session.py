"""Class sessions without a browser: seats, hidden views, turn-taking, injects, pause, timing, debrief; tokens;
sessions saved as they go, rebuilt after a restart and read by `escalation-sim debrief`."""

from __future__ import annotations

import json

import pytest
from tests.helpers import shipped
from typer.testing import CliRunner

from escalation_sim.classroom import sessions
from escalation_sim.classroom.game import LET_MODEL_CHOOSE, ChoiceError, GameError
from escalation_sim.classroom.session import ClassSession
from escalation_sim.classroom.session_file import read_session_file, rebuild, session_json
from escalation_sim.classroom.sessions import find_session, open_session, sessions_folder
from escalation_sim.cli import app as cli


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


# --- tokens ------------------------------------------------------------------------------------------------------


def test_each_seat_opens_with_its_own_token_only_and_the_console_with_the_instructors():
    session = ClassSession(shipped("jan2020"), ["USA", "IRN"], seed=0)
    usa, irn = session.seat_tokens["USA"], session.seat_tokens["IRN"]
    assert len({usa, irn, session.instructor_token}) == 3 and min(len(usa), len(irn)) >= 20
    assert session.seat_refusal("USA", usa) is None and session.seat_refusal("IRN", irn) is None
    assert "no token" in session.seat_refusal("IRN", "")
    assert "does not open seat IRN" in session.seat_refusal("IRN", usa)  # another seat's token
    assert "does not open seat IRN" in session.seat_refusal("IRN", session.instructor_token)
    assert "no seat 'KH'" in session.seat_refusal("KH", usa)
    assert session.instructor_refusal(session.instructor_token) is None
    assert session.instructor_refusal("") and session.instructor_refusal(usa)
    other = ClassSession(shipped("jan2020"), ["USA", "IRN"], seed=0)
    assert other.seat_refusal("USA", usa)  # a token of another session


def test_inject_is_one_of_the_actors_options_and_says_its_toll_and_claim():
    session = ClassSession(shipped("jan2020"), ["USA", "IRN"], seed=0)
    with pytest.raises(GameError, match="KH has no option"):
        session.inject("KH", "nuclear_step", "USA")
    event = session.inject("KH", "harassment", "USA", killed=3, claimed=False)
    assert not event.claimed and "killing 3" in event.description and "(unclaimed)" in event.description
    session.advance()
    line = next(line for line in session.seat_view("USA").news if "proxy harassment" in line and "2020-01-04" in line)
    assert "unclaimed" in line and "killed 3 of yours" in line, line


def test_the_model_plays_a_delegated_seat_and_says_what_it_chose():
    session = ClassSession(shipped("jan2020"), ["USA", "IRN"], seed=2)
    session.delegate("IRN")
    assert session.choose("USA", None) is True  # the delegated seat does not hold the day up
    view = session.seat_view("IRN")
    assert view.delegated and "chosen by the model for you" in view.last
    session.choose("USA", LET_MODEL_CHOOSE)
    assert "chosen by the model" in session.seat_view("USA").last


# --- saved sessions -------------------------------------------------------------------------------------------


def _played(seed: int = 4) -> ClassSession:
    session = open_session(shipped("jan2020"), ["USA", "IRN"], seed=seed)
    strike = _option(session, "IRN", "calibrated_strike")
    session.choose("IRN", strike)
    session.choose("USA", LET_MODEL_CHOOSE)
    session.inject("KH", "harassment", "USA", killed=1, claimed=False)
    session.send("USA", "IRN", "stand down")
    session.choose("USA", None)
    session.choose("IRN", LET_MODEL_CHOOSE)
    session.choose("USA", None)  # pending for the next day
    return session


def test_a_session_is_saved_as_it_goes_and_rebuilt_after_a_restart():
    session = _played()
    path = sessions_folder() / f"{session.code}.json"
    assert path.is_file() and oct(path.stat().st_mode & 0o777) == "0o600"
    before = {a: session.seat_view(a) for a in session.seats}
    sessions.SESSIONS.clear()  # the server restarted
    restored = find_session(session.code)
    assert restored is not None and restored is not session
    assert restored.model.day == session.model.day and restored.pending == {"USA": None}
    assert restored.seat_tokens == session.seat_tokens and restored.instructor_token == session.instructor_token
    for actor_id, view in before.items():
        again = restored.seat_view(actor_id)
        assert again.news == view.news and again.messages == view.messages and again.last == view.last
    assert [c.how for c in restored.games["IRN"].choices] == [c.how for c in session.games["IRN"].choices]
    assert find_session("../../etc/passwd") is None and find_session("") is None


def test_a_log_the_model_replays_differently_is_refused(tmp_path):
    session = _played()
    data = json.loads(session_json(session))
    data["digest"] = "0" * 16
    (tmp_path / "s.json").write_text(json.dumps(data))
    with pytest.raises(GameError, match="the crisis differs"):
        rebuild(read_session_file(tmp_path / "s.json"))


def test_the_downloaded_session_has_no_tokens_and_goes_through_debrief(tmp_path):
    session = _played()  # two days played: the debrief takes unfinished games too (the browser test, a finished one)
    download = tmp_path / "session.json"
    download.write_text(session_json(session, secrets=False))
    text = download.read_text()
    assert all(token not in text for token in [*session.seat_tokens.values(), session.instructor_token])
    seat = tmp_path / "irn.json"
    seat.write_text(session.games["IRN"].record().model_dump_json())
    shown = CliRunner().invoke(cli, ["debrief", str(download), "--runs", "0"])
    assert shown.exit_code == 0, shown.output
    assert "the instructor's injects: instructor's inject: KH: proxy harassment" in shown.stdout
    result = CliRunner().invoke(cli, ["debrief", str(download), str(seat), "--runs", "0", "--json"])
    assert result.exit_code == 0, result.output
    summaries = json.loads(result.stdout)
    by_actor = {s["actor"]: s for s in summaries}
    assert set(by_actor) == {"USA", "IRN"} and len(by_actor["IRN"]["games"]) == 2  # the session's seat and the file
    assert {g["outcome"] for g in by_actor["IRN"]["games"]} == {"unfinished"}
    assert [g["actions"] for g in by_actor["IRN"]["games"]] == [1, 1]  # the strike; the model held on day 2
