"""Saved games as hostile input to `debrief` and `play`: markup, wrong shapes, absurd numbers, out-of-range
branch dates, deep nesting, devices; typed digits that are not ASCII. Exit 0 or 2, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalation_sim.cli import app

runner = CliRunner()


def invoke(*args: str, input: str | None = None):
    result = runner.invoke(app, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "unexpected failure" not in result.output, result.output
    return result


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict:
    path = tmp_path_factory.mktemp("games") / "g.json"
    result = invoke("play", "two_state", "--as", "BLUE", "--record", str(path), "--runs", "0",
                    input="0\nm\n1\nq\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text())


def mutate(game: dict, how: str) -> str:
    game = json.loads(json.dumps(game))
    if how == "markup":
        game["player"] = "[/x] $\\frac{ =CMD"
        game["scenario_title"] = "[bold]unclosed"
        if game["choices"]:
            game["choices"][0]["label"] = "[/]"
    elif how == "branch":
        game["branch_date"] = "1999-01-01"
    elif how == "shape":
        game["choices"] = {"not": "a list"}
    elif how == "items":
        game["choices"] = ["x", 3]
    elif how == "number":
        game["seed"] = 2**200
    elif how == "actor":
        game["actor"] = "NOBODY"
    elif how == "deep":
        return json.dumps(game)[:-1] + ', "extra": ' + "[" * 50_000 + "]" * 50_000 + "}"
    return json.dumps(game)


@pytest.mark.parametrize("how", ["markup", "branch", "shape", "items", "number", "actor", "deep"])
def test_hostile_saved_games_debrief_cleanly(saved: dict, tmp_path: Path, how: str) -> None:
    path = tmp_path / "game.json"
    path.write_text(mutate(saved, how))
    result = invoke("debrief", str(path), "--runs", "0")
    assert result.exit_code in (0, 2), result.output
    if how == "markup":
        assert result.exit_code == 0 and "[/x]" in result.stdout
    else:
        assert result.exit_code == 2
        assert str(path) in result.stderr.replace("\n", "")


def test_devices_are_not_saved_games() -> None:
    result = invoke("debrief", "/dev/zero")
    assert result.exit_code == 2 and "character device" in result.stderr


@pytest.mark.parametrize("typed", ["²", "①", "٣", "9" * 5000, "w ²", "w " + "9" * 5000])
def test_typed_digits_that_are_not_ascii_are_refused_politely(typed: str) -> None:
    result = invoke("play", "two_state", "--as", "BLUE", "--runs", "0", input=f"{typed}\nq\n")
    assert result.exit_code == 0
    said = result.stderr
    assert "not on the list" in said or "w alone" in said or "over 200 characters" in said  # long lines: issue 24


@pytest.mark.parametrize("how", ["option", "seat", "action", "digest", "shape", "fifo"])
def test_a_damaged_class_session_is_skipped_with_its_reason(tmp_path: Path, monkeypatch, how: str) -> None:
    import os

    from escalation_sim.classroom.session_file import session_json
    from escalation_sim.classroom.sessions import open_session
    from escalation_sim.scenario import load_scenario, scenario_paths

    monkeypatch.setenv("ESCALATION_SIM_APP_SESSIONS", str(tmp_path / "sessions"))
    session = open_session(load_scenario(scenario_paths()["two_state"]), ["BLUE", "RED"], seed=1)
    session.choose("BLUE", None)
    session.choose("RED", "model")
    data = json.loads(session_json(session, secrets=False))
    path = tmp_path / "session.json"
    if how == "option":
        data["days"][0]["BLUE"] = 999
    elif how == "seat":
        data["seats"] = ["NOBODY"]
    elif how == "action":
        data["injects"] = [{"day": session.model.day + 1, "actor": "RED", "action": "nuke", "target": None, "killed": 0,
                            "claimed": True, "description": ""}]  # fmt: skip
    elif how == "digest":
        data["digest"] = "0" * 16
    elif how == "shape":
        data["days"] = "every day"
    if how == "fifo":
        os.mkfifo(path)
    else:
        path.write_text(json.dumps(data))
    result = invoke("debrief", str(path), "--runs", "0")
    assert result.exit_code == 2 and "skipped" in result.stderr, result.output
