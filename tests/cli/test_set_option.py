"""`--set PATH=VALUE` on every command that runs a scenario (run, distribution, replay, play), and rules as sweep
values: the same edits and errors as a scenario file's `set:`; bad input exits 2 naming the option and field."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd
import pytest
from typer.testing import CliRunner

from escalation_sim import EscalationModel
from escalation_sim.cli import app
from helpers import shipped

WIDE = {"COLUMNS": "250"}


def invoke(*args: str, stdin: str | None = None) -> click.testing.Result:
    return CliRunner().invoke(app, list(args), env=WIDE, input=stdin)


def test_set_swaps_a_whole_rule_with_its_defaults(tmp_path: Path) -> None:
    plain = invoke(
        "run", "jan2020", "--seed", "2", "--no-figure", "--out", str(tmp_path / "a"), "--decisions", "doctrines"
    )
    swapped = invoke("run", "jan2020", "--seed", "2", "--no-figure", "--out", str(tmp_path / "b"), "--decisions",
                     "doctrines", "--set", "actors.USA.rule={name: restraint}")  # fmt: skip
    assert plain.exit_code == 0 and swapped.exit_code == 0, swapped.output
    events = pd.read_csv(tmp_path / "b" / "events.csv", keep_default_na=False)
    us = events[(events["actor"] == "USA") & (events["origin"] == "model") & (events["action"] != "justify")]
    assert not us["reason"].str.contains("regime").any(), "the shipped US regime model is gone"
    assert us["reason"].str.contains("absorbing|restraint").any()
    before = json.loads((tmp_path / "a" / "summary.json").read_text())["scenario_sha256"]
    after = json.loads((tmp_path / "b" / "summary.json").read_text())["scenario_sha256"]
    assert before != after, "the run records the scenario it actually ran"


def test_set_values_are_yaml_and_repeatable(tmp_path: Path) -> None:
    result = invoke("replay", "jan2020", "--seeds", "3", "--csv", str(tmp_path / "r.csv"),
                    "--set", "actors.USA.rule={name: red_line, epsilon: 0.01}",
                    "--set", "actors.KH.rule.epsilon=1e-3")  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "r.csv")
    us = table[(table["actor"] == "USA") & table["mean"].notna()]
    # every US option in jan2020 (34 since issue 9 added pressure_host, declare_closure, private_assurance);
    # epsilon/n with n the options available, so n at most this
    n_options = len(EscalationModel(scenario=shipped("jan2020"), rng=0).by_id["USA"].options)
    assert (us["mean"] >= 0.01 / n_options).all(), "the tremble set on the command line reaches every US decision"
    assert float(table.loc[table["event_id"] == "A04", "mean"].iloc[0]) > 1e-4  # ~2e-5 without it


def test_set_on_distribution_and_play(tmp_path: Path) -> None:
    dist = invoke(
        "distribution",
        "two_state",
        "-n",
        "20",
        "--workers",
        "1",
        "--csv",
        str(tmp_path / "d.csv"),
        "--decisions",
        "doctrines",
        "--set",
        "actors.RED.rule={name: grim_trigger}",
        "--set",
        "actors.BLUE.rule={name: grim_trigger}",
    )
    assert dist.exit_code == 0, dist.output
    grim = pd.read_csv(tmp_path / "d.csv")
    shipped = invoke("distribution", "two_state", "-n", "20", "--workers", "1", "--csv", str(tmp_path / "s.csv"),
                     "--decisions", "doctrines")  # fmt: skip
    assert shipped.exit_code == 0, shipped.output
    calm = pd.read_csv(tmp_path / "s.csv")
    # grim triggers on both sides fight far more than the shipped rules (same seeds): the --set values took effect
    assert (grim["outcome"] != "de-escalation").mean() > (calm["outcome"] != "de-escalation").mean() + 0.3
    played = invoke("play", "jan2020", "--as", "IRN", "--runs", "0", "--record", str(tmp_path / "g.json"),
                    "--set", "actors.USA.rule={name: restraint}", stdin="m\nm\nq\n")  # fmt: skip
    assert played.exit_code == 0, played.output
    saved = json.loads((tmp_path / "g.json").read_text())
    assert saved["scenario"]["actors"]["USA"]["rule"]["name"] == "restraint"


@pytest.mark.parametrize(
    ("value", "expect"),
    [
        ("actors.USA.rule.bogus=1", "actors.USA.rule.bogus: unknown field"),
        ("actors.USA.rulez.margin=1", "did you mean 'rule'"),
        ("actors.USA.rule={name: restrain}", "did you mean 'restraint'"),
        ("actors.USA.rule.margin=[", "not valid YAML"),
        ("margin", "expected PATH=VALUE"),
        ("events.A99.killed=1", "no item 'events.A99'"),
    ],
)
def test_bad_set_exits_2_naming_the_option_and_the_field(value: str, expect: str) -> None:
    result = invoke("run", "jan2020", "--no-figure", "--set", value)
    assert result.exit_code == 2
    assert "--set" in result.output and expect in result.output, result.output
    assert "Traceback" not in result.output


def test_a_sweep_over_rules_runs_and_bad_values_give_one_line(tmp_path: Path) -> None:
    sweep = tmp_path / "rules.yaml"
    base = Path(__file__).resolve().parents[2] / "scenarios" / "two_state.yaml"
    sweep.write_text(f"name: rules\nbase: {base}\nseed: 1\nreplicates: 4\nparameters:\n"
                     "  - path: actors.BLUE.rule\n    name: blue_rule\n"
                     "    values: [{name: tit_for_tat}, {name: generous_tit_for_tat, generosity: 0.5}]\n")  # fmt: skip
    result = invoke("sweep", str(sweep), "--out", str(tmp_path / "out"), "--executor", "serial", "--no-progress")
    assert result.exit_code == 0, result.output
    results = pd.read_parquet(tmp_path / "out" / "results")
    assert results["error"].isna().all() and len(results) == 8
    assert set(results["blue_rule"]) == {
        '{"name": "tit_for_tat"}',
        '{"generosity": 0.5, "name": "generous_tit_for_tat"}',
    }
    sweep.write_text(sweep.read_text().replace("generosity: 0.5", "generosity: 5"))
    bad = invoke("sweep", str(sweep), "--out", str(tmp_path / "bad"), "--executor", "serial", "--no-progress")
    assert bad.exit_code == 2 or "failed" in bad.output
    sweep.write_text(sweep.read_text().replace("{name: tit_for_tat}", "[1, 2]"))
    listed = invoke("sweep", str(sweep), "--out", str(tmp_path / "bad2"), "--executor", "serial", "--no-progress")
    assert listed.exit_code == 2
    problems = [line for line in listed.output.splitlines() if line.strip().startswith("- ")]
    assert len(problems) == 1 and "a mapping (a whole rule" in problems[0], listed.output
