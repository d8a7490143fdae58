"""`escalation-sim tournament` end to end: five rules on two_state, the table, --json, --csv, the figure, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from escalation_sim.cli import app

FIVE = "proportional,tit_for_tat,red_line,graduated,restraint"


def invoke(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(app, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_tournament_of_five_rules_on_two_state(tmp_path: Path) -> None:
    csv, games, figure = tmp_path / "standings.csv", tmp_path / "games.csv", tmp_path / "t.png"
    result = invoke("tournament", "two_state", "--rules", FIVE, "--repetitions", "4", "--workers", "2",
                    "--csv", str(csv), "--games-csv", str(games), "--figure", str(figure))  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(csv)
    assert sorted(table["rule"]) == sorted(FIVE.split(","))
    assert table["rank"].is_monotonic_increasing
    for rule in table["rule"]:  # piped (not a terminal): every rule name whole on its row of the printed table
        assert any(f" {rule} " in line for line in result.output.splitlines())
    assert len(pd.read_csv(games)) == 25 * 4
    assert figure.read_bytes().startswith(b"\x89PNG")


def test_tournament_json_is_the_csv_in_another_form(tmp_path: Path) -> None:
    csv = tmp_path / "s.csv"
    args = ["tournament", "two_state", "--rules", "tit_for_tat,restraint,graduated", "--repetitions", "3",
            "--executor", "serial", "--seed", "5"]  # fmt: skip
    data = json.loads(invoke(*args, "--json").stdout)
    invoke(*args, "--csv", str(csv))
    table = pd.read_csv(csv)
    assert [r["rule"] for r in data["standings"]] == list(table["rule"])
    assert [r["war"] for r in data["standings"]] == pytest.approx(list(table["war"]), abs=1e-6)
    assert data["seats"] == ["BLUE", "RED"] and set(data["p_war"]) == set(table["rule"])


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["jan2020", "--rules", "proportional,restraint"], "two-sided"),
        (["two_state", "--rules", "proportional,bogus"], "unknown rule 'bogus'"),
        (["two_state", "--rules", "proportional,restraint", "--repetitions", "0"], "--repetitions"),
        (["two_state", "--rules", "proportional,restraint", "--seed", "-1"], "--seed"),
        (["two_state", "--rules", "proportional,restraint", "--noise", "9"], "--noise"),
        (["two_state", "--rules", "proportional,restraint", "--executor", "gpu"], "--executor"),
    ],
)
def test_tournament_bad_input_exits_2(args: list[str], expect: str) -> None:
    result = invoke("tournament", *args)
    assert result.exit_code == 2
    assert expect in result.stderr and "Traceback" not in result.output


def test_noise_option_changes_the_games() -> None:
    base = ["tournament", "two_state", "--rules", "proportional,tit_for_tat", "--repetitions", "8", "--executor",
            "serial", "--json"]  # fmt: skip
    quiet = json.loads(invoke(*base, "--noise", "0").stdout)
    noisy = json.loads(invoke(*base, "--noise", "2.5").stdout)
    assert quiet["standings"] != noisy["standings"]
