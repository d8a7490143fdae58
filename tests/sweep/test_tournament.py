"""Tournaments (Axelrod round robin) on the real two_state scenario, real process pools and a real local Dask
cluster: the games, the seats each rule took, each game replayed alone, the ranking with ties."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from escalation_sim.model import EscalationModel
from escalation_sim.sweep import run_seed
from escalation_sim.sweep.tournament import (
    TournamentError,
    games,
    pairings,
    parse_rules,
    play_tournament,
    seat_games,
    standings,
)
from helpers import shipped

FIVE = "proportional,tit_for_tat,red_line,graduated,restraint"


def test_parse_rules_reads_names_and_parameters() -> None:
    entrants = parse_rules("proportional, proportional:margin=1, red_line:killed_threshold=3:margin=0.5")
    assert [e.label for e in entrants] == ["proportional", "proportional:margin=1",
                                           "red_line:killed_threshold=3:margin=0.5"]  # fmt: skip
    assert entrants[1].rule == {"name": "proportional", "margin": 1}
    assert entrants[2].rule == {"name": "red_line", "killed_threshold": 3, "margin": 0.5}


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("proportional", "at least two rules"),
        ("proportional,tit_for_tatt", "unknown rule 'tit_for_tatt'"),
        ("proportional,proportional", "entered twice"),
        ("proportional,red_line:margin", "name:key=value"),
    ],
)
def test_parse_rules_rejects_bad_lists(text: str, expect: str) -> None:
    with pytest.raises(TournamentError, match=expect):
        parse_rules(text)


def test_round_robin_has_every_ordered_pair_once() -> None:
    entrants = parse_rules(FIVE)
    played = [(a.label, b.label) for a, b in games(entrants)]
    assert len(played) == len(set(played)) == 25
    assert set(played) == {(a.label, b.label) for a in entrants for b in entrants}


def test_a_bad_rule_parameter_or_a_many_sided_scenario_fails_before_running() -> None:
    with pytest.raises(TournamentError, match="margin"):
        play_tournament(shipped("two_state"), parse_rules("proportional:margin=-7,restraint"), 1, executor="serial")
    with pytest.raises(TournamentError, match="two-sided"):
        play_tournament(shipped("jan2020"), parse_rules("proportional,restraint"), 1, executor="serial")
    with pytest.raises(TournamentError, match="--seed"):
        play_tournament(shipped("two_state"), parse_rules("proportional,restraint"), 1, seed=-1, executor="serial")


@pytest.fixture(scope="module")
def five() -> pd.DataFrame:
    return play_tournament(shipped("two_state"), parse_rules(FIVE), repetitions=6, seed=3, executor="process",
                           workers=2, progress=False)  # fmt: skip


def test_five_rules_on_two_state_every_game_and_seat(five: pd.DataFrame) -> None:
    assert len(five) == 25 * 6 and five["error"].isna().all()
    assert five.groupby(["rule_BLUE", "rule_RED"]).size().eq(6).all()
    table = standings(five)
    assert list(table.columns[:3]) == ["rank", "rule", "games"]
    assert sorted(table["rule"]) == sorted(FIVE.split(","))
    assert (table["games"] == 2 * 5 * 6).all()  # each rule: two seats against each of five opponents
    shares = table[["de-escalation", "protracted", "war"]].sum(axis=1)
    assert shares.round(9).eq(1).all()
    assert table["rank"].is_monotonic_increasing and table["rank"].iloc[0] == 1
    war = pairings(five)
    assert war.shape == (5, 5)
    for rule in war.index:  # a rule's war share is the mean of its row, weighted equally (two seat-games each)
        assert math.isclose(war.loc[rule].mean(), table.set_index("rule").loc[rule, "war"])


def test_each_game_is_the_scenario_with_both_rules_set(five: pd.DataFrame) -> None:
    """Re-run three games alone, as plain models with the rules set by hand: the same outcomes and deaths."""
    scenario = shipped("two_state")
    rules = {e.label: e.rule for e in parse_rules(FIVE)}
    for game in (0, 7, 24):
        row = five[(five["game"] == game) & (five["replicate"] == 2)].iloc[0]
        edited = scenario.with_edits({"actors.BLUE.rule": rules[row["rule_BLUE"]],
                                      "actors.RED.rule": rules[row["rule_RED"]]})  # fmt: skip
        assert edited.actors["BLUE"].rule.name == row["rule_BLUE"]
        model = EscalationModel(scenario=edited, rng=run_seed(3, game, 2, common_random_numbers=True), collect=False)
        model.run_model()
        assert model.outcome.outcome == row["outcome"]
        assert model.outcome.hostile_deaths_after_branch == row["hostile_deaths_after_branch"]


def test_repetitions_share_seeds_across_games(five: pd.DataFrame) -> None:
    seeds = five.pivot(index="game", columns="replicate", values="seed")
    assert (seeds.nunique(axis=0) == 1).all() and seeds.iloc[0].nunique() == 6


def test_dask_gives_the_same_tournament_as_a_process_pool(five: pd.DataFrame) -> None:
    pytest.importorskip("distributed")
    dask = play_tournament(shipped("two_state"), parse_rules(FIVE), repetitions=6, seed=3, executor="dask",
                           workers=2, progress=False)  # fmt: skip
    columns = ["game", "rule_BLUE", "rule_RED", "seed", "outcome", "hostile_deaths_after_branch", "killed_RED"]
    pd.testing.assert_frame_equal(dask[columns], five[columns])


def test_equal_rules_share_a_rank_and_are_listed_by_name() -> None:
    rows = []
    for blue, red, outcome, deaths in [("b", "a", "war", 100), ("a", "b", "de-escalation", 0), ("c", "c", "war", 50),
                                       ("a", "a", "de-escalation", 0), ("b", "b", "de-escalation", 0),
                                       ("c", "a", "de-escalation", 0), ("a", "c", "war", 100),
                                       ("b", "c", "de-escalation", 0), ("c", "b", "war", 100)]:  # fmt: skip
        rows.append({"rule_X": blue, "rule_Y": red, "outcome": outcome, "hostile_deaths_after_branch": deaths,
                     "killed_after_branch_X": deaths // 2, "killed_after_branch_Y": deaths // 2,
                     "days_to_calm": None if outcome == "war" else 3, "error": None})  # fmt: skip
    results = pd.DataFrame(rows)
    assert len(seat_games(results, ("X", "Y"))) == 18
    table = standings(results, ("X", "Y"))
    # a and b: war in 2 of 6 seat-games, 200 dead in total each; c: war in 4 of 6. Six games cannot tell them
    # apart (the war intervals overlap, and the deaths', and the de-escalation's): one shared rank, listed by the
    # point estimates, then by name
    assert table[["rank", "rule"]].values.tolist() == [[1, "a"], [1, "b"], [1, "c"]]
    assert table.loc[2, "war"] == pytest.approx(4 / 6)
    assert table.loc[2, "war_low"] < table.loc[0, "war_high"]
    assert table.loc[0, "median_days_to_calm"] == 3
    many = standings(pd.concat([results] * 20, ignore_index=True), ("X", "Y"))  # 120 games each: now c is behind
    assert many[["rank", "rule"]].values.tolist() == [[1, "a"], [1, "b"], [3, "c"]]
    assert many.loc[0, "war_high"] < many.loc[2, "war_low"]
