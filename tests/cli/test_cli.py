"""The `escalation-sim` command line end to end on the shipped scenarios: files written, reproducibility,
branch options, validate, list, schema, help. Mostly in-process (CliRunner); one real subprocess per kind of
exit (success, exit 2) checks the installed entry point.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import click
import pandas as pd
import pytest
import typer.main
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.learn.extract import quantal_everywhere
from escalation_sim.rules import CLASSIFIER_KEYS, RULES
from escalation_sim.scenario import default_ladder, load_scenario, load_scenario_data
from helpers import ENTRY_POINT, MINI, ROOT, SHIPPED, SHIPPED_IDS, replace_once

jsonschema = pytest.importorskip("jsonschema")  # in the venv; should be in the `test` extra (see report)

EVENT_COLUMNS = {"date", "actor", "target", "action", "rung", "killed", "wounded", "origin", "reason", "probability"}
SUMMARY_KEYS = {"outcome", "max_rung", "casualties", "days_to_calm", "seed", "scenario_sha256", "version"}
WIDE = {"COLUMNS": "250"}  # rich wraps tables to the terminal; a wide one keeps names on one line


def invoke(*args: str) -> click.testing.Result:
    result = CliRunner().invoke(app, list(args), env=WIDE)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # show the real traceback
    return result


def cli_run(scenario: str, out: Path, *extra: str) -> click.testing.Result:
    result = invoke("run", scenario, "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return result


# --- run ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=SHIPPED_IDS)
def test_run_writes_its_files_and_is_reproducible(tmp_path: Path, path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    cli_run(str(path), first, "--seed", "3")
    cli_run(str(path), second, "--seed", "3", "--no-figure")
    for name in ("events.csv", "actors.csv", "summary.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), f"{name} differs between two runs"
    png = (first / "timeline.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert not (second / "timeline.png").exists()

    events = pd.read_csv(first / "events.csv")
    assert set(events.columns) >= EVENT_COLUMNS
    assert set(events["origin"]) <= {"history", "model", "operation"}  # operation: an operation's acts (1b)
    decided = events["probability"].dropna()
    assert ((decided >= 0) & (decided <= 1)).all()
    actors = pd.read_csv(first / "actors.csv")
    scenario = load_scenario(path)
    assert set(actors["actor"]) == set(scenario.actors)
    assert len(actors) == scenario.days * len(scenario.actors)

    summary = json.loads((first / "summary.json").read_text())
    assert set(summary) >= SUMMARY_KEYS
    assert summary["seed"] == 3
    # the learned model decides by default (docs/protocol.md's decision): the scenario run is the file's with
    # every rule replaced by the fitted quantal rule, and summary.json says so
    assert summary["scenario_sha256"] == quantal_everywhere(scenario).sha256() != scenario.sha256()
    assert set(summary["rules"].values()) == {"quantal"}
    assert summary["outcome"] in {"de-escalation", "protracted", "war"}
    assert set(summary["casualties"]) == {"killed", "wounded", "killed_after_branch"}  # issue 10


def test_doctrines_option_runs_the_files_own_rules(tmp_path: Path) -> None:
    cli_run("jan2020", tmp_path / "doctrines", "--seed", "3", "--no-figure", "--decisions", "doctrines")
    summary = json.loads((tmp_path / "doctrines" / "summary.json").read_text())
    scenario = load_scenario(ROOT / "scenarios" / "jan2020.yaml")
    assert summary["scenario_sha256"] == scenario.sha256()
    assert summary["rules"] == {a: spec.rule.name for a, spec in scenario.actors.items()}
    assert "quantal" not in summary["rules"].values()


def test_a_set_on_a_rule_needs_the_doctrines(tmp_path: Path) -> None:
    result = invoke("run", "jan2020", "--set", "actors.IRN.rule.epsilon=0.001")
    assert result.exit_code == 2
    assert "--decisions doctrines" in result.output


def test_run_by_shipped_name_equals_run_by_path(tmp_path: Path) -> None:
    cli_run("jan2020", tmp_path / "name", "--seed", "5", "--no-figure")
    cli_run(str(ROOT / "scenarios" / "jan2020.yaml"), tmp_path / "path", "--seed", "5", "--no-figure")
    assert (tmp_path / "name" / "events.csv").read_bytes() == (tmp_path / "path" / "events.csv").read_bytes()


def test_different_seeds_give_different_runs(tmp_path: Path) -> None:
    outputs = set()
    for seed in range(4):
        cli_run("jan2020", tmp_path / str(seed), "--seed", str(seed), "--no-figure")
        outputs.add((tmp_path / str(seed) / "events.csv").read_bytes())
    assert len(outputs) > 1


def test_branch_date_option_moves_the_branch(tmp_path: Path) -> None:
    cli_run("jan2020", tmp_path, "--branch-date", "2019-12-29", "--no-figure")
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["branch_date"] == "2019-12-29"
    events = pd.read_csv(tmp_path / "events.csv")
    assert (events.loc[events["origin"] == "model", "date"] >= "2019-12-29").all()
    history = events.loc[events["origin"] == "history"]
    assert "A02" not in set(history["event_id"]), "the 29 Dec strike is the model's to decide"


def test_no_branch_replays_history_only(tmp_path: Path) -> None:
    cli_run("jan2020", tmp_path, "--no-branch", "--no-figure")
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["branch_date"] is None
    # Issue 22: the class is death-based and dyadic. With no branch the whole record is coded, and the 29 December
    # strikes killed 25 Kataib Hezbollah fighters: an armed conflict (UCDP's 25), labelled "protracted". Coded
    # from the branch date, as the model's runs are, history is de-escalation (tests/test_model.py).
    assert summary["outcome"] == "protracted" and summary["ucdp_intensity"] == 1
    assert not summary["major_force"]
    events = pd.read_csv(tmp_path / "events.csv")
    assert set(events["origin"]) - {"operation"} == {"history"}  # a spell's acts after its start (section 1b)
    decided = events[events["origin"] == "history"]
    assert list(decided["event_id"]) == [e.id for e in load_scenario(ROOT / "scenarios" / "jan2020.yaml").events]


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--branch-date", "2020-13-01"], "expected YYYY-MM-DD"),
        (["--branch-date", "soon"], "is not a date"),
        (["--branch-date", "2021-01-01"], "lies outside"),
        (["--branch-date", "2020-01-04", "--no-branch"], "contradict"),
    ],
)
def test_bad_branch_options_exit_2_with_a_message(tmp_path: Path, args: list[str], expect: str) -> None:
    result = invoke("run", "jan2020", "--out", str(tmp_path), *args)
    assert result.exit_code == 2
    assert expect in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "events.csv").exists()


def test_unknown_scenario_exits_2() -> None:
    result = invoke("run", "jan2021")
    assert result.exit_code == 2
    assert "no shipped scenario of that name" in result.output and "jan2020" in result.output


def test_invalid_scenario_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(replace_once(MINI, "      margin: 1", "      margin: 9"))
    result = invoke("run", str(path))
    assert result.exit_code == 2
    assert "actors.USA.rule.margin" in result.output and "Traceback" not in result.output


# --- validate, list, schema, help ---------------------------------------------------------------------------


def test_validate_accepts_the_shipped_scenarios() -> None:
    result = invoke("validate", *map(str, SHIPPED))
    assert result.exit_code == 0, result.output
    for path in SHIPPED:
        assert f"{path}: ok" in result.output


def test_validate_rejects_a_bad_file_with_field_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(replace_once(MINI, "      resolve: 0.7", "      resolv: 0.7"))
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    assert str(path) in result.output
    assert "actors.USA.traits.resolv (line 13)" in result.output
    assert "did you mean 'resolve'?" in result.output


def test_list_mentions_every_rule_scenario_and_rung() -> None:
    result = invoke("list")
    assert result.exit_code == 0
    for name in RULES:
        assert name in result.output
    for name in SHIPPED_IDS:
        assert name in result.output
    for key in default_ladder():
        assert key in result.output
    assert "ladder" in result.output.lower()


def test_list_json_parses() -> None:
    result = invoke("list", "--json")
    assert result.exit_code == 0
    listing = json.loads(result.stdout)
    assert set(listing["rules"]) == set(RULES)
    for info in listing["rules"].values():
        assert set(CLASSIFIER_KEYS) <= set(info)
    assert set(listing["ladder"]) == set(default_ladder())
    assert set(SHIPPED_IDS) <= set(listing["scenarios"])


def _schema(tmp_path: Path) -> dict:
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    out = tmp_path / "schema.json"
    assert invoke("schema", "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text()) == schema
    return schema


def _as_json(data: object) -> object:
    """YAML data as a JSON document would hold it (dates as ISO strings), for the JSON Schema validator."""
    return json.loads(json.dumps(data, default=str))


def test_schema_is_a_json_schema_the_shipped_scenarios_satisfy(tmp_path: Path) -> None:
    schema = _schema(tmp_path)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    for path in SHIPPED:
        errors = list(validator.iter_errors(_as_json(load_scenario_data(path))))
        assert not errors, f"{path.name}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_schema_rejects_what_the_loader_rejects(tmp_path: Path) -> None:
    """Editors using the schema flag the same mistakes: unknown keys, unknown rules, values out of range."""
    validator = jsonschema.Draft202012Validator(_schema(tmp_path))
    import yaml

    for old, new in [("      resolve: 0.7", "      resolv: 0.7"), ("name: proportional", "name: proportionl"),
                     ("      margin: 1", "      margin: 9")]:  # fmt: skip
        data = _as_json(yaml.safe_load(replace_once(MINI, old, new)))
        assert list(validator.iter_errors(data)), f"the schema accepts {new.strip()!r}"


REGENERATE_SCHEMA = "escalation-sim schema --out scenario.schema.json"


def test_committed_schema_file_is_current(tmp_path: Path) -> None:
    """A new rule, parameter or field changes the schema: the committed file must follow."""
    committed = ROOT / "scenario.schema.json"
    assert json.loads(committed.read_text()) == _schema(tmp_path), (
        f"scenario.schema.json is out of date: regenerate it from the repository root with `{REGENERATE_SCHEMA}` "
        "(in the venv: .venv/bin/escalation-sim ...) and commit it"
    )


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        out.append((*prefix, name))
        if isinstance(command, click.Group):
            out += _commands(command, (*prefix, name))
    return out


COMMANDS = _commands(typer.main.get_command(app))


def test_the_core_commands_exist() -> None:
    assert {("run",), ("validate",), ("list",), ("schema",)} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_help_shows_examples(command: tuple[str, ...]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Examples" in result.output


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.startswith("escalation-sim ")


# --- the installed entry point, in a real process -----------------------------------------------------------


needs_entry_point = pytest.mark.skipif(not ENTRY_POINT.exists(), reason="no .venv/bin/escalation-sim installed")


@needs_entry_point
def test_entry_point_runs_a_shipped_scenario(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    done = subprocess.run(
        [str(ENTRY_POINT), "run", "jan2020", "--seed", "7", "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env={**os.environ, "MPLBACKEND": "Agg"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert {p.name for p in out.iterdir()} >= {"events.csv", "actors.csv", "summary.json", "timeline.png"}


@needs_entry_point
def test_entry_point_exits_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(replace_once(MINI, "adversaries: [IRN, KH]", "adversaries: [IRN, KH"))
    done = subprocess.run([str(ENTRY_POINT), "validate", str(bad)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert str(bad) in done.stderr and "not valid YAML" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_distribution_reports_shares_that_match_its_runs(tmp_path: Path) -> None:
    """`distribution` prints outcome shares and writes one row per run; the shares are those of the rows."""
    out = tmp_path / "dist.csv"
    result = invoke("distribution", "two_state", "-n", "40", "--workers", "1", "--actor", "RED", "--csv", str(out))
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert len(frame) == 40 and frame["run_id"].is_unique
    for outcome in ("de-escalation", "protracted", "war"):
        count = int((frame["outcome"] == outcome).sum())
        assert f"{outcome}" in result.output
        assert f"{count / 40:.1%}" in result.output
    assert "RED first hostile act after the branch" in result.output
    again = tmp_path / "again.csv"
    assert invoke("distribution", "two_state", "-n", "40", "--workers", "1", "--csv", str(again)).exit_code == 0
    assert pd.read_csv(again)["outcome"].tolist() == frame["outcome"].tolist()  # same root seed, same runs


def test_distribution_rejects_unknown_actor() -> None:
    result = invoke("distribution", "two_state", "-n", "5", "--workers", "1", "--actor", "GREEN")
    assert result.exit_code == 2
    assert "GREEN" in result.output and "BLUE" in result.output


def test_replay_lists_every_historical_event_with_its_probability(tmp_path: Path) -> None:
    out = tmp_path / "replay.csv"
    result = invoke("replay", "jan2020", "--seeds", "3", "--csv", str(out))
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    scenario = load_scenario(ROOT / "scenarios" / "jan2020.yaml")
    assert table["event_id"].tolist() == [e.id for e in scenario.events]
    decisions = table.dropna(subset=["mean"])
    assert ((decisions["mean"] >= 0) & (decisions["mean"] <= 1)).all()
    assert (decisions["q05"] <= decisions["q95"]).all()
