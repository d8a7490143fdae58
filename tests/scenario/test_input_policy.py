"""The input policy (scenario/policy.py, files.py): every class of hostile scenario input, one test each.

Each is given to the loader and, where it used to get past `validate` and crash `run`, to `run` as well:
whatever `validate` accepts, `run` runs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.files import MAX_INPUT_BYTES
from escalation_sim.scenario import (
    ScenarioError,
    load_scenario,
    load_scenario_data,
    parse_scenario,
    validate_scenario_data,
)
from escalation_sim.scenario.policy import MAX_DAYS, MAX_DEPTH, MAX_TEXT
from helpers import SCENARIO_DIR

TWO_STATE = (SCENARIO_DIR / "two_state.yaml").read_text()
JAN2020 = (SCENARIO_DIR / "jan2020.yaml").read_text()


def edited(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def problems(text: str, tmp_path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, tmp_path / "s.yaml")
    return str(info.value)


def validate_and_run(tmp_path: Path, text: str) -> tuple[int, int, str]:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    runner = CliRunner()
    checked = runner.invoke(app, ["validate", str(path)])
    ran = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    for result in (checked, ran):
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output and "unexpected failure" not in result.output
    return checked.exit_code, ran.exit_code, checked.output + ran.output


# --- files -------------------------------------------------------------------------------------------------------


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="FIFO"):
        load_scenario(fifo)
    base = tmp_path / "cf.yaml"
    base.write_text("extends: pipe.yaml\n")
    with pytest.raises(ScenarioError, match=r"extends.*pipe\.yaml.*FIFO"):
        load_scenario(base)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused(device: str) -> None:
    with pytest.raises(ScenarioError, match="character device"):
        load_scenario(device)


def test_size_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(TWO_STATE + "#" * MAX_INPUT_BYTES)
    with pytest.raises(ScenarioError, match="larger than 4 MiB"):
        load_scenario(big)


# --- YAML ----------------------------------------------------------------------------------------------------------


def test_duplicate_keys_name_both_lines(tmp_path: Path) -> None:
    text = edited(TWO_STATE, "threat_window_days: ", "threat_window_days: 3\nthreat_window_days: ")
    first = text.splitlines().index("threat_window_days: 3") + 1
    message = problems(text, tmp_path)
    assert f"lines {first} and {first + 1}" in message and "threat_window_days" in message


def test_nesting_depth_is_bounded(tmp_path: Path) -> None:
    deep = TWO_STATE + "notes: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    assert f"more than {MAX_DEPTH} levels" in problems(deep, tmp_path)
    very = TWO_STATE + "notes: " + "[" * 10_000 + "]" * 10_000 + "\n"
    assert "nest" in problems(very, tmp_path)  # libyaml's own limit, or ours


def test_alias_bombs_are_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True)
    )
    assert "through aliases" in problems(bomb, tmp_path)


# --- numbers, booleans, dates, sizes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("war_deaths: 1000", f"war_deaths: {2**80}", "outcomes.war_deaths"),
        ("calm_days: 14", "calm_days: 1e300", "outcomes.calm_days"),
        ("threat_window_days: 7", "threat_window_days: 99999999999999999999999", "threat_window_days"),
    ],
)
def test_numbers_too_large_for_the_model_are_refused_by_validate_and_run(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    text = edited(TWO_STATE, old, new)
    assert field in problems(text, tmp_path)
    assert validate_and_run(tmp_path, text)[:2] == (2, 2)


def test_a_boolean_where_a_number_is_expected(tmp_path: Path) -> None:
    text = edited(TWO_STATE, "war_deaths: 1000", "war_deaths: true")
    assert re.search(r"outcomes\.war_deaths \(line \d+\): expected a number, got a boolean", problems(text, tmp_path))
    rule = re.search(r"rule: \{name: (\w+), margin: ([\d.]+)", TWO_STATE)
    assert rule is not None
    text = TWO_STATE.replace(rule.group(0), f"rule: {{name: {rule.group(1)}, margin: false", 1)
    assert "rule.margin" in problems(text, tmp_path) and "boolean" in problems(text, tmp_path)


@pytest.mark.parametrize("year", ["0001", "9999", "0999", "3000"])
def test_years_outside_the_calendar_bound(tmp_path: Path, year: str) -> None:
    text = re.sub(r"^start_date: \d{4}", f"start_date: {year}", TWO_STATE, count=1, flags=re.M)
    assert "outside the years 1000-2999" in problems(text, tmp_path)


@pytest.mark.parametrize("year", [1000, 2998])
def test_years_at_the_bounds_run_and_plot(tmp_path: Path, year: int) -> None:
    text = re.sub(r"(\d{4})(-\d\d-\d\d)", lambda m: f"{year + int(m.group(1)) - 2030}{m.group(2)}", TWO_STATE)
    assert validate_and_run(tmp_path, text)[:2] == (0, 0)
    assert (tmp_path / "out" / "timeline.png").stat().st_size > 0


def test_the_horizon_is_bounded(tmp_path: Path) -> None:
    text = re.sub(r"^end_date: \d{4}", "end_date: 2999", TWO_STATE, count=1, flags=re.M)
    assert f"at most {MAX_DAYS:,} days" in problems(text, tmp_path)


def test_an_event_that_ends_before_it_starts(tmp_path: Path) -> None:
    text = edited(TWO_STATE, "    date: 2030-06-01\n", "    date: 2030-06-01\n    end_date: 2030-05-01\n")
    assert re.search(r"events\.0\.end_date.*2030-05-01.*comes before its date 2030-06-01", problems(text, tmp_path))


def test_a_sponsor_chain_that_is_a_cycle() -> None:
    data = load_scenario_data(SCENARIO_DIR / "jan2020.yaml")
    data["actors"]["MIL2"] = {"name": "Another militia", "kind": "militia", "sponsor": "KH", "capabilities": ["hold"],
                              "rule": {"name": "restraint"}}  # fmt: skip
    data["actors"]["KH"]["sponsor"] = "MIL2"
    with pytest.raises(ScenarioError) as info:
        validate_scenario_data(data, "cycle.yaml")
    assert "actors.KH.sponsor: 'MIL2' is a militia; a sponsor is a state" in str(info.value)


def test_an_extends_cycle(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")


# --- text shown as written ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    ["'[/x] closing tag'", r"'$\frac{1}{$ half mathtext'", "'[bold]unclosed'", r"'$\sqrt{2}$ fine mathtext'"],
)
def test_markup_and_mathtext_in_titles_are_plain_text(tmp_path: Path, title: str) -> None:
    text = re.sub(r"^title: .*$", lambda _: f"title: {title}", TWO_STATE, count=1, flags=re.M)
    checked, ran, output = validate_and_run(tmp_path, text)
    assert (checked, ran) == (0, 0), output
    assert title.strip("'") in " ".join(output.split())  # printed as written, not interpreted
    assert (tmp_path / "out" / "timeline.png").stat().st_size > 0


def test_markup_mathtext_and_formulas_in_actor_ids(tmp_path: Path) -> None:
    import json

    import yaml

    data = json.loads(json.dumps(yaml.safe_load(TWO_STATE), default=str).replace('"BLUE"', '"=CMD[/x]$"')
                      .replace('"RED"', '"$\\\\frac"'))  # fmt: skip
    text = yaml.safe_dump(data, sort_keys=False)
    assert "=CMD[/x]$" in text and "$\\frac" in text
    checked, ran, output = validate_and_run(tmp_path, text)
    assert (checked, ran) == (0, 0), output
    import pandas as pd

    events = pd.read_csv(tmp_path / "out" / "events.csv")
    assert "'=CMD[/x]$" in set(events["actor"]) | set(events["target"].dropna())
    assert pd.api.types.is_numeric_dtype(events["killed"])


# --- issue 24: what validate wrongly accepted; validate and run agree on each -----------------------------------

TRAITS = "    traits: {resolve: 0.6, cost_sensitivity: 0.5, risk_tolerance: 0.4, credibility: 0.6}"
TITLE = 'title: "Two rivals: a border incident (stylised)"'
RULE = "    rule: {name: proportional, margin: 0.0}\n"


def once(old: str, new: str):
    """An edit of the first occurrence (BLUE's, where both actors are written alike)."""
    return lambda text: text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("edit", "expect"),
    [
        # a merge that a written key overrides, or that overrides one: which wins is YAML's small print
        (once(TRAITS, "    traits: {<<: {resolve: 0.9}, resolve: 0.6}"),
         "key 'resolve' is given twice: by the merge key '<<' and again"),
        (once(RULE, RULE + "    <<: {rule: {name: restraint}}\n"), "key 'rule' is given twice"),
        (once(TRAITS, "    traits: {<<: {resolve: 0.9}, <<: {alert: 0.2}}"), "the merge key '<<' is written twice"),
        (once(TITLE, "title: !!binary aGVsbG8="), "title (line 7): binary data (!!binary)"),
        (once(TITLE, "title: !!set {a: null}"), "title (line 7): a set (!!set)"),
        (once(TITLE, "title: " + "x" * (MAX_TEXT + 1)),
         f"title (line 7): text of {MAX_TEXT + 1:,} characters; at most"),
        (once("    date: 2030-06-01\n", "    date: 2030-06-01\n    end_date: 2030-08-30\n"),
         "lies after the scenario's end_date 2030-07-30"),
        (once("    kind: state\n", "    kind: state\n    sponsor: RED\n"),
         "only a militia has a sponsor; BLUE is a state"),
    ],
    ids=["merge-under", "merge-over", "two-merges", "binary", "set", "long-title", "event-after-horizon",
         "state-with-sponsor"],
)  # fmt: skip
def test_what_validate_wrongly_accepted_is_refused_by_validate_and_run(tmp_path: Path, edit, expect: str) -> None:
    text = edit(TWO_STATE)
    assert text != TWO_STATE
    checked, ran, output = validate_and_run(tmp_path, text)
    assert (checked, ran) == (2, 2), output
    assert expect in " ".join(output.split())


@pytest.mark.parametrize(
    ("old", "new", "expect"),
    [
        ("    sponsor: IRN\n", "    sponsor: PMF\n", "is a militia; a sponsor is a state"),
        ("    located_in: IRQ         #", "    located_in: KH         #", "'KH' is a militia; forces stand"),
    ],
    ids=["militia-sponsored-by-a-militia", "forces-on-a-militias-soil"],
)  # fmt: skip
def test_militia_sponsor_and_host_chains_are_refused(tmp_path: Path, old: str, new: str, expect: str) -> None:
    text = JAN2020.replace(old, new, 1)
    assert text != JAN2020
    assert expect in " ".join(problems(text, tmp_path).split())


def test_a_host_that_is_itself_abroad_is_refused() -> None:
    data = load_scenario_data(SCENARIO_DIR / "jan2020.yaml")
    data["actors"]["IRQ"]["located_in"] = "IRN"  # US forces stand in Iraq; Iraq now "stands" in Iran: a chain
    with pytest.raises(ScenarioError, match="'IRQ' is itself located_in 'IRN'"):
        validate_scenario_data(data, "chain.yaml")


def test_merge_keys_that_add_new_keys_still_work(tmp_path: Path) -> None:
    text = once(TRAITS, "    traits: {<<: [{resolve: 0.6}, {cost_sensitivity: 0.5}], risk_tolerance: 0.4}")(TWO_STATE)
    assert parse_scenario(text, tmp_path / "s.yaml").actors["BLUE"].traits.cost_sensitivity == 0.5


def test_a_history_no_actor_could_choose_is_valid_with_a_warning(tmp_path: Path) -> None:
    """validate used to refuse what run ran (an unscorable record, as jan2020.yaml once had): now both accept it,
    validate warns that score will refuse it, and score does, with exit 2."""
    full = "capabilities: [talks, stand_down, hold, justify, threaten, border_clash, artillery, air_strike, war]"
    text = TWO_STATE.replace(full, full.replace(" border_clash,", ""), 1)  # BLUE, whose clash opens the record
    checked, ran, output = validate_and_run(tmp_path, text)
    assert (checked, ran) == (0, 0), output
    assert "warning: events.0 (E1): BLUE cannot 'border_clash'" in " ".join(output.split())
    scored = CliRunner().invoke(app, ["score", str(tmp_path / "s.yaml"), "--particles", "10", "--executor", "serial"])
    assert scored.exit_code == 2 and "cannot 'border_clash'" in scored.stderr
