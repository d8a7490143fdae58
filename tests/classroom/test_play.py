"""Play-as-an-actor: the game logic, the `play` command driven by scripted input, saved games and debriefs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from escalation_sim.classroom.debrief import class_debrief, debrief_game, place
from escalation_sim.classroom.game import LET_MODEL_CHOOSE, ChoiceError, Game
from escalation_sim.classroom.saved import GameError, load_game, save_game
from escalation_sim.classroom.terminal import parse_command
from escalation_sim.cli import app
from escalation_sim.runner import run
from escalation_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
JAN2020 = ROOT / "scenarios" / "jan2020.yaml"


@pytest.fixture(scope="module")
def jan2020():
    return load_scenario(JAN2020)


def _option(game: Game, action: str, target: str | None) -> int:
    return next(o.index for o in game.actor.options if o.action == action and o.target == target)


def _trace(model) -> list[tuple]:
    return [(r.day, r.actor, r.target, r.action, tuple(sorted(r.killed.items())), r.attributed) for r in model.records]


def _play_out(game: Game, script: dict[int, int | str | None]) -> None:
    """Play to the end: the option given for a turn number, else hold."""
    game.to_branch_point()
    while not game.finished:
        game.play(script.get(game.turn))


# --- the game --------------------------------------------------------------------------------------------------


def test_letting_the_model_choose_every_day_reproduces_the_seeded_run(jan2020):
    game = Game(jan2020, "IRN", seed=7)
    _play_out(game, dict.fromkeys(range(1, 100), LET_MODEL_CHOOSE))
    reference = run(jan2020, seed=7, collect=False).model
    assert _trace(game.model) == _trace(reference)
    assert game.model.outcome.outcome == reference.outcome.outcome
    assert len(game.choices) == game.turns == 57
    assert all(c.how == "model" for c in game.choices)


def test_a_players_choice_replaces_the_sample_and_the_game_is_deterministic(jan2020):
    def played() -> Game:
        game = Game(jan2020, "IRN", seed=11, player="ana")
        game.to_branch_point()
        strike = _option(game, "calibrated_strike", "USA")
        _play_out(game, {1: strike, 3: _option(game, "talks", "USA")})
        return game

    first, second = played(), played()
    assert _trace(first.model) == _trace(second.model)  # same seed, same choices: same game
    mine = [r for r in first.model.records if r.origin == "player"]
    assert [(r.action, r.target, r.date.isoformat()) for r in mine] == [
        ("calibrated_strike", "USA", "2020-01-04"),
        ("talks", "USA", "2020-01-06"),
    ]
    assert all(0.0 <= r.probability <= 1.0 for r in mine)
    assert "ana's choice (the model's rule gave it p=" in mine[0].reason
    day_one = first.choices[0]
    assert (day_one.how, day_one.action, day_one.probability) == ("player", "calibrated_strike", mine[0].probability)
    assert [c.how for c in first.choices[1:]].count("hold") == 55
    # history before the branch point is the same as the plain model's
    plain = run(jan2020, seed=11, collect=False).model
    branch = first.model.branch_day
    assert _trace(first.model)[: sum(r.day < branch for r in plain.records)] == [
        t for t in _trace(plain) if t[0] < branch
    ]


def test_situation_shows_what_happened_blame_costs_and_options(jan2020):
    game = Game(jan2020, "IRN", seed=1)
    game.to_branch_point()
    s = game.situation()
    assert (s.date.isoformat(), s.turn, s.turns) == ("2020-01-04", 1, 57)
    assert any("USA: leadership strike -> you: killed" in line for line in s.happened)
    assert any(line.startswith("USA: you hold it responsible for certain") for line in s.blame)
    assert any("your threat against USA" in line for line in s.costs)
    assert any("chance of an accident today" in line for line in s.costs)
    assert [o.action for o in s.options if not o.available] == ["threaten"]  # used on 3 Jan: cooling down
    words = {o.index for o in game.actor.options if o.words}  # each option on its channel (docs/model.md 1c)
    assert sum(o.model_probability for o in s.options if o.index not in words) == pytest.approx(1.0)
    assert 0.0 < sum(o.model_probability for o in s.options if o.index in words) <= 1.0
    game.play(None)
    assert game.situation().turn == 2
    assert all(not line.startswith("2020-01-03") for line in game.situation().happened)  # only news


def test_bad_choices_are_refused_and_nothing_is_played(jan2020):
    game = Game(jan2020, "IRN", seed=2)
    with pytest.raises(ChoiceError, match="history is still replaying"):
        game.play(None)
    game.to_branch_point()
    day = game.model.day
    threaten = _option(game, "threaten", "USA")
    for bad in (99, -1, threaten):
        with pytest.raises(ChoiceError):
            game.play(bad)
    with pytest.raises(ChoiceError, match="used too recently"):
        parse_command(str(threaten), game)
    for text in ("xx", "3 4", "w x", "w 0", "quit now"):
        with pytest.raises(ChoiceError, match=r"not on the list|w alone"):
            parse_command(text, game)
    assert game.model.day == day and game.choices == []
    assert parse_command("", game).kind == "hold"
    assert parse_command(" M ", game).kind == "model"
    assert parse_command("w 3", game).days == 3
    assert parse_command("8", game).option == 8
    assert game.hold_until_news(3) <= 3


def test_unknown_actor_and_history_only_models_are_refused(jan2020):
    with pytest.raises(GameError, match=r"unknown actor 'IRAN'.*did you mean 'IRN'.*USA, IRN, IRQ, KH, PMF"):
        Game(jan2020, "IRAN")
    with pytest.raises(GameError, match="no branch point"):
        Game(jan2020.with_edits({"branch_date": None}), "IRN")


# --- saved games and debriefs ----------------------------------------------------------------------------------


def test_a_saved_game_replays_to_the_same_outcome(jan2020, tmp_path):
    game = Game(jan2020, "USA", seed=5, player="bo")
    game.to_branch_point()
    _play_out(game, {1: _option(game, "limited_strike", "KH"), 2: LET_MODEL_CHOOSE, 9: _option(game, "talks", "IRN")})
    path = game.save(tmp_path / "bo.json")
    record = load_game(path)
    assert record.finished and record.actor == "USA" and record.player == "bo" and record.days_played == 57
    assert record.outcome["outcome"] == game.model.outcome.outcome
    assert record.scenario_sha256 == jan2020.sha256()
    replay = Game(record.crisis(), record.actor, seed=record.seed)
    replay.to_branch_point()
    for choice in record.choices:
        index = _option(replay, choice.action, choice.target)
        replay.play({"player": index, "model": LET_MODEL_CHOOSE, "hold": None}[choice.how])
    assert _trace(replay.model) == _trace(game.model)


def test_placement_against_a_known_distribution():
    distribution = pd.DataFrame(
        {
            "outcome": ["war", "de-escalation", "de-escalation", "protracted"],
            "hostile_deaths": [500, 10, 40, 100],
            "max_rung": [10, 6, 7, 8],
            "first_response_IRN": ["campaign", "none", "calibrated_strike", "calibrated_strike"],
        }
    )
    p = place({"outcome": "de-escalation", "hostile_deaths": 40, "max_rung": 7}, "IRN", distribution)
    assert p.runs == 4
    assert p.outcome_shares == {"de-escalation": 0.5, "protracted": 0.25, "war": 0.25}
    assert p.your_outcome_share == 0.5
    assert (p.deaths_below, p.deaths_above) == (0.25, 0.5)
    assert (p.rung_below, p.rung_above) == (0.25, 0.5)
    assert p.first_response_shares["calibrated_strike"] == 0.5
    # the sweep's distribution writes "no hostile act" as a missing rung and has no first-response columns
    sweep_like = distribution.drop(columns="first_response_IRN").assign(max_rung=[10, None, 7, 8])
    q = place({"outcome": "de-escalation", "hostile_deaths": 40, "max_rung": 7}, "IRN", sweep_like)
    assert (q.rung_below, q.rung_above) == (0.25, 0.5) and q.first_response_shares == {}


def test_debrief_compares_with_history_and_the_model(jan2020):
    game = Game(jan2020, "IRN", seed=3)
    game.to_branch_point()
    _play_out(game, {2: _option(game, "leadership_strike", "USA")})
    d = debrief_game(game.record(), runs=12)
    assert d.finished and d.history.outcome == "de-escalation"
    assert [(s.date.isoformat(), s.text) for s in d.history.path][:2] == [
        ("2020-01-05", "nuclear step -> USA"),
        ("2020-01-08", "calibrated strike on state forces -> USA"),
    ]
    assert ("2020-01-05", "leadership strike -> USA") in [(s.date.isoformat(), s.text) for s in d.your_path]
    assert d.placement is not None and d.placement.runs == 12
    assert sum(d.placement.outcome_shares.values()) == pytest.approx(1.0)
    assert d.history.first_response == "nuclear_step"


def test_class_debrief_counts_choices_per_day_against_history(jan2020, tmp_path):
    records = []
    for n, (seed, action) in enumerate([(1, "calibrated_strike"), (2, "calibrated_strike"), (3, "talks")]):
        game = Game(jan2020, "IRN", seed=seed, player=f"p{n}")
        game.to_branch_point()
        _play_out(game, {5: _option(game, action, "USA")})  # day 5 is 8 January, the day of Al Asad
        records.append((f"p{n}.json", load_game(game.save(tmp_path / f"p{n}.json"))))
    stopped = Game(jan2020, "IRN", seed=4, player="quitter")
    stopped.to_branch_point()
    stopped.play(_option(stopped, "nuclear_step", "USA"))
    records.append(("quitter.json", load_game(stopped.save(tmp_path / "quitter.json"))))
    (summary,) = class_debrief(records, runs=0)
    assert len(summary.games) == 4 and summary.finished == 3
    assert summary.outcomes.get("unfinished") == 1
    day = {p.date.isoformat(): p for p in summary.by_date}
    assert day["2020-01-08"].played == 3
    assert day["2020-01-08"].top_choices[0] == ("calibrated strike on state forces -> USA", 2)
    assert "calibrated strike on state forces -> USA" in day["2020-01-08"].history
    assert day["2020-01-04"].top_choices == [("hold", 3), ("nuclear step -> USA", 1)]
    assert summary.model_outcome_shares is None
    assert dict(summary.first_responses)["nuclear_step"] == 1


# --- the command line ------------------------------------------------------------------------------------------

runner = CliRunner()


def _cli(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def test_play_survives_bad_input_and_saves_what_was_played_at_end_of_input(tmp_path):
    record = tmp_path / "ana.json"
    script = "8\nxx\n99\n6\n\nm\n"  # strike, nonsense, off the list, cooling down, hold, model; then EOF
    result = _cli("play", str(JAN2020), "--as", "IRN", "--seed", "3", "--record", str(record), "--player", "ana",
                  input=script)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "'xx' is not on the list" in result.stderr
    # IRN has 19 options: 12 of its own, private orders to KH and PMF (4, issue 9 items 4-6), a closure
    # declaration to USA and IRQ and a private assurance to USA over its channels (3, issue 9 items 1-3)
    assert "99 is not on the list: pick a number from 0 to 18" in result.stderr
    assert "was used too recently" in result.stderr
    assert "Game stopped (end of input) before 2020-01-07: 3 of 57 days played." in result.stdout
    assert "Traceback" not in result.output
    saved = json.loads(record.read_text())
    assert saved["finished"] is False and saved["outcome"]["outcome"] == "unfinished"
    assert [(c["action"], c["how"]) for c in saved["choices"]] == [
        ("calibrated_strike", "player"), ("hold", "hold"), (saved["choices"][2]["action"], "model"),
    ]  # fmt: skip


def test_play_a_whole_game_then_debrief_the_class(tmp_path):
    games = tmp_path / "games"
    games.mkdir()
    for name, seed, script in (("ana", 1, "8\n" + "w\n" * 80), ("bo", 2, "m\n" * 80), ("cy", 3, "7\nq\n")):
        result = _cli("play", "jan2020", "--as", "IRN", "--seed", str(seed), "--player", name,
                      "--record", str(games / f"{name}.json"), "--runs", "5", input=script)  # fmt: skip
        assert result.exit_code == 0, result.output
    assert "Debrief: ana as IRN" in result.output or (games / "ana.json").exists()
    ana = json.loads((games / "ana.json").read_text())
    assert ana["finished"] is True and ana["days_played"] == 57
    cy = json.loads((games / "cy.json").read_text())
    assert cy["finished"] is False and cy["days_played"] == 1
    (games / "broken.json").write_text("{not json")
    result = _cli("debrief", *sorted(str(p) for p in games.glob("*.json")), "--runs", "5")
    assert result.exit_code == 0, result.output
    assert "skipped:" in result.stderr and "broken.json: not a saved game" in result.stderr
    out = result.stdout
    assert "playing IRN from 2020-01-04" in out
    assert "3 games, 2 finished." in out
    assert "<- history" in out and "model (5 runs)" in out
    assert "2020-01-08" in out  # history's Al Asad strike day is listed
    as_json = json.loads(_cli("debrief", str(games / "ana.json"), str(games / "bo.json"), "--runs", "0",
                              "--json").stdout)  # fmt: skip
    assert as_json[0]["actor"] == "IRN" and len(as_json[0]["games"]) == 2


def test_full_game_prints_the_debrief():
    result = _cli("play", "jan2020", "--as", "KH", "--seed", "4", "--runs", "5", input="m\n" * 80)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Debrief: you as KH" in out
    assert "Your path against history's" in out
    assert "The model from the same branch point (5 runs)" in out
    assert "History's outcome: de-escalation" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["play", "jan2020", "--as", "IRAN"], "unknown actor 'IRAN' in jan2020; did you mean 'IRN'?"),
        (["play", "nowhere.yaml", "--as", "IRN"], "no such file, and no shipped scenario"),
        (["play", "jan2020", "--as", "IRN", "--branch-date", "2021-01-01"], "lies outside 2019-12-27 - 2020-02-29"),
        (["play", "jan2020", "--as", "IRN", "--branch-date", "soon"], "is not a date"),
        (["play", "jan2020", "--as", "IRN", "--record", "/dev/null"], "--record: /dev/null is a character device"),
        (["play", "jan2020", "--as", "IRN", "--seed", "-5"], "--seed: expected a whole number from 0"),
        (["debrief", "/no/such/game.json"], "no saved game could be read"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(args, message):
    result = _cli(*args, input="")
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_record_file_is_not_overwritten_by_accident(tmp_path):
    existing = tmp_path / "g.json"
    existing.write_text("keep me")
    result = _cli("play", "jan2020", "--as", "IRN", "--record", str(existing), input="q\n")
    assert result.exit_code == 2 and "add --overwrite" in result.stderr
    assert existing.read_text() == "keep me"
    result = _cli("play", "jan2020", "--as", "IRN", "--record", str(existing), "--overwrite", input="q\n")
    assert result.exit_code == 0 and json.loads(existing.read_text())["days_played"] == 0


def test_saved_games_that_are_not_games_are_refused(tmp_path, jan2020):
    (tmp_path / "other.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(GameError, match="not a saved game"):
        load_game(tmp_path / "other.json")
    game = Game(jan2020, "IRN")
    path = save_game(game.record(), tmp_path / "g.json")
    data = json.loads(path.read_text())
    del data["choices"]
    path.write_text(json.dumps(data))
    with pytest.raises(GameError, match=r"damaged saved game.*choices"):
        load_game(path)


@pytest.mark.parametrize("command", ["play", "debrief", "app"])
def test_help_has_examples(command):
    result = _cli(command, "--help")
    assert result.exit_code == 0 and "Examples" in result.output and f"escalation-sim {command}" in result.output


def test_play_tells_results_beliefs_and_what_the_model_chose_and_hands_over_to_the_end(tmp_path):
    """8 is IRN's calibrated strike: its salvo's result is told the next day; m says what the model chose;
    a lets the model play to the end (the game is finished and saved, every later day chosen by the model)."""
    record = tmp_path / "auto.json"
    result = _cli("play", str(JAN2020), "--as", "IRN", "--seed", "3", "--record", str(record), "--runs", "0",
                  input="8\nm\na\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "you: calibrated strike on state forces -> USA: " in out and "missiles landed" in out
    assert "What you believe" in out and "USA: most likely " in out and "holds a red line at 1 death" in out
    assert "red_line/r=" not in out  # beliefs in words, not the model's labels
    assert "the model chose for you:" in out and "the model played you:" in out
    saved = json.loads(record.read_text())
    assert saved["finished"] is True and saved["days_played"] == 57
    assert {c["how"] for c in saved["choices"][2:]} == {"model"}
