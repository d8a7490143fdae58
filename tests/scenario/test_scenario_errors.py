"""Scenario files with mistakes: every one is a ScenarioError naming the file, the field path, the line and
what was expected, and `escalation-sim validate` exits 2 with that message and no traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.scenario import (
    ScenarioError,
    load_scenario,
    load_scenario_data,
    parse_scenario,
    validate_scenario_data,
)
from helpers import MINI, SCENARIO_DIR, line_of, replace_once


@dataclass(frozen=True)
class Case:
    """A broken scenario: the edit to MINI, and what the message must say."""

    old: str
    new: str
    path: str  # dotted field path the message names ("" when the problem has no field, e.g. bad YAML)
    expect: tuple[str, ...]  # further fragments: what was expected, suggestions
    line_at: str | None  # text on the line the message must name (in the edited file)


CASES = {
    "unknown key, did you mean": Case(
        "      resolve: 0.7",
        "      resolv: 0.7",
        "actors.USA.traits.resolv",
        ("unknown field", "did you mean 'resolve'?"),
        "resolv:",
    ),
    "unknown top-level key": Case(
        "branch_date: 2020-01-03",
        "branch_dat: 2020-01-03",
        "branch_dat",
        ("unknown field", "did you mean 'branch_date'?"),
        "branch_dat:",
    ),
    "unknown rule name": Case(
        "      name: proportional",
        "      name: proportionl",
        "actors.USA.rule",
        ("unknown rule 'proportionl'", "did you mean 'proportional'?", "tit_for_tat"),
        "rule:",
    ),
    "unknown parameter of the named rule": Case(
        "      temperature: 0.2",
        "      temprature: 0.2",
        "actors.IRN.rule.temprature",
        ("unknown field", "did you mean 'temperature'?"),
        "temprature:",
    ),
    "parameter of another rule": Case(
        "      temperature: 0.2",
        "      margin: 0.2",
        "actors.IRN.rule.margin",
        ("unknown field", "expected one of:", "temperature"),
        "margin: 0.2",
    ),
    "rule without a name": Case(
        "rule: {name: militia, base_rate: 0.05}",
        "rule: {base_rate: 0.05}",
        "actors.KH.rule",
        ("needs a 'name'", "militia"),
        "rule: {base_rate",
    ),
    "wrong type": Case(
        "      resolve: 0.7",
        "      resolve: high",
        "actors.USA.traits.resolve",
        ("valid number", "'high'"),
        "resolve: high",
    ),
    "list where a mapping is expected": Case(
        "    traits:\n      resolve: 0.7\n      cost_sensitivity: 0.4",
        "    traits: [0.7, 0.4]",
        "actors.USA.traits",
        ("dictionary",),
        "traits: [",
    ),
    "out of range": Case(
        "      margin: 1",
        "      margin: 9",
        "actors.USA.rule.margin",
        ("less than or equal to 3", "got 9"),
        "margin: 9",
    ),
    "unit trait out of range": Case(
        "      cost_sensitivity: 0.4",
        "      cost_sensitivity: 1.5",
        "actors.USA.traits.cost_sensitivity",
        ("less than or equal to 1",),
        "cost_sensitivity: 1.5",
    ),
    "missing required field": Case("title: A minimal crisis\n", "", "title", ("required field missing",), None),
    "unknown actor reference": Case(
        "adversaries: [IRN, KH]",
        "adversaries: [IRN, KHH]",
        "actors.USA.adversaries",
        ("unknown actor 'KHH'", "did you mean 'KH'?"),
        "adversaries: [IRN, KHH]",
    ),
    "unknown sponsor": Case(
        "    sponsor: IRN",
        "    sponsor: IRAN",
        "actors.KH.sponsor",
        ("unknown actor 'IRAN'", "did you mean 'IRN'?"),
        "sponsor: IRAN",
    ),
    "actor naming itself": Case(
        "    adversaries: [USA]\n    capabilities: [talks",
        "    adversaries: [IRN]\n    capabilities: [talks",
        "actors.IRN.adversaries",
        ("cannot name itself",),
        "adversaries: [IRN]",
    ),
    "unknown ladder action in capabilities": Case(
        "threaten, sanctions, limited",
        "threaten, sanction, limited",
        "actors.USA.capabilities",
        ("unknown ladder action 'sanction'", "did you mean 'sanctions'?"),
        "sanction,",
    ),
    "action not open to the actor's kind": Case(
        "capabilities: [hold, harassment]",
        "capabilities: [hold, harassment, sanctions]",
        "actors.KH.capabilities",
        ("'sanctions' is not open to a militia",),
        "capabilities: [hold, harassment,",
    ),
    "stream chance of an action the actor does not have": Case(
        "    sponsor_control: 0.5",
        "    sponsor_control: 0.5\n    hazards:\n      streams: {harasment: 0.2}",
        "actors.KH.hazards.streams",
        ("'harasment' is not one of KH's actions", "did you mean 'harassment'?", "expected some of: hold, harassment"),
        "streams: {harasment",
    ),
    "stream slope of an unknown covariate": Case(
        "    sponsor_control: 0.5",
        "    sponsor_control: 0.5\n    hazards:\n      stream_slopes: {engagd: 1.0}",
        "actors.KH.hazards.stream_slopes",
        ("unknown stream covariates ['engagd']", "provocation"),
        "stream_slopes:",
    ),
    "capabilities without hold": Case(
        "capabilities: [hold, harassment]",
        "capabilities: [harassment]",
        "actors.KH.capabilities",
        ("must include 'hold'",),
        "capabilities: [harassment]",
    ),
    "unknown ladder action in an event": Case(
        "    action: limited_strike",
        "    action: limited_strik",
        "events.1.action",
        ("unknown ladder action 'limited_strik'", "did you mean 'limited_strike'?"),
        "action: limited_strik",
    ),
    "event outside the scenario's dates": Case(
        "    date: 2020-01-02",
        "    date: 2021-01-02",
        "events.1.date",
        ("2021-01-02", "lies outside", "2020-01-01 - 2020-01-31"),
        "date: 2021-01-02",
    ),
    "duplicate event id": Case(
        "  - id: E2", "  - id: E1", "events.1.id", ("'E1' is used twice",), "id: E1\n    date: 2020-01-02"
    ),
    "event field misspelt": Case(
        "    claimed: false", "    claimd: false", "events.0.claimd", ("did you mean 'claimed'?",), "claimd:"
    ),
    "branch date outside": Case(
        "branch_date: 2020-01-03",
        "branch_date: 2020-03-03",
        "branch_date",
        ("must lie between start_date 2020-01-01 and end_date 2020-01-31",),
        "branch_date:",
    ),
    "end before start": Case(
        "end_date: 2020-01-31", "end_date: 2019-01-31", "end_date", ("must come after start_date",), "end_date:"
    ),
    "date that is not in the calendar": Case(
        "start_date: 2020-01-01",
        "start_date: 2020-13-45",
        "",
        ("line", "2020-13-45", "month must be in 1..12"),
        "start_date:",
    ),
    "bad YAML syntax": Case("adversaries: [IRN, KH]", "adversaries: [IRN, KH", "", ("not valid YAML", "column"), None),
    "tab indentation": Case(
        "    kind: state\n    adversaries: [IRN, KH]",
        "    kind: state\n\tadversaries: [IRN, KH]",
        "",
        ("not valid YAML", "column"),
        "\tadversaries",
    ),
}


def problem_of(text: str, path: str | Path = "mini.yaml") -> tuple[ScenarioError, str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, path)
    error = info.value
    assert str(error).startswith(f"{path}: invalid scenario")
    assert error.problems, "an error must say what is wrong"
    return error, "\n".join(error.problems)


def test_the_base_text_is_valid() -> None:
    """Guard the fixture: every case below breaks MINI in exactly one way."""
    assert parse_scenario(MINI, "mini.yaml").name == "mini"


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_error_names_file_field_line_and_expectation(case: Case) -> None:
    text = replace_once(MINI, case.old, case.new)
    error, message = problem_of(text)
    assert len(error.problems) == 1, f"one mistake, one problem; got {error.problems}"
    if case.path:
        assert message.startswith(case.path), message
    for fragment in case.expect:
        assert fragment in message, f"{fragment!r} missing from {message!r}"
    if case.line_at is not None:
        assert f"line {line_of(text, case.line_at)}" in message, message
    assert "Traceback" not in str(error)


def test_cross_check_messages_do_not_dump_the_whole_scenario() -> None:
    _, message = problem_of(replace_once(MINI, "adversaries: [IRN, KH]", "adversaries: [IRN, KHH]"))
    assert "'title'" not in message and len(message) < 300, message


def test_several_mistakes_are_reported_together() -> None:
    text = replace_once(MINI, "      resolve: 0.7", "      resolv: 0.7")
    text = replace_once(text, "      margin: 1", "      margin: 9")
    error, _ = problem_of(text)
    assert len(error.problems) == 2


def test_errors_on_a_shipped_file_name_the_real_line(tmp_path: Path) -> None:
    text = (SCENARIO_DIR / "jan2020.yaml").read_text()
    usa = text.index("\n  USA:")
    resolve = text.index("      resolve:", usa)
    broken = text[:resolve] + "      resolv" + text[resolve + len("      resolve") :]
    path = tmp_path / "jan2020.yaml"
    path.write_text(broken)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems == [
        f"actors.USA.traits.resolv (line {line_of(broken, '      resolv:')}): unknown field; did you mean 'resolve'?"
    ]


def test_custom_ladder_errors_name_the_action(tmp_path: Path) -> None:
    text = (SCENARIO_DIR / "two_state.yaml").read_text()
    broken = replace_once(text, "cooldown_days: 3}", "cooldwn_days: 3}")
    error, message = problem_of(broken, tmp_path / "two.yaml")
    assert len(error.problems) == 1, "one mistake in a custom ladder is one problem (not also 'not default')"
    assert message.startswith(f"ladder.talks.cooldwn_days (line {line_of(broken, 'cooldwn_days')})")
    assert "did you mean 'cooldown_days'?" in message
    _, message = problem_of(replace_once(text, "ladder:\n", "ladder: defalt\nxladder:\n"), tmp_path / "two.yaml")
    assert "ladder" in message and "'default'" in message


@pytest.mark.parametrize(
    ("text", "expect"),
    [("- a\n- b\n", "found list"), ("", "found NoneType"), ("just a string\n", "found str"), ("42\n", "found int")],
)
def test_top_level_must_be_a_mapping(text: str, expect: str) -> None:
    _, message = problem_of(text)
    assert "expected a mapping of scenario fields" in message and expect in message


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
    ],
)
def test_loading_never_executes_code(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    text = replace_once(MINI, "title: A minimal crisis", "title: " + tag.format(marker=marker))
    _, message = problem_of(text)
    assert "not valid YAML" in message and f"line {line_of(text, '!!python')}" in message
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("title: !!bool maybe\n", "line 1, column 8: 'maybe' is not a valid bool"),
        ("title: !!timestamp soon\n", "line 1, column 8: 'soon' is not a valid timestamp"),
        ("title: !!int many\n", "line 1, column 8: 'many' cannot be read as int"),
        ("title: !!binary x\n", "line 1, column 8: not valid YAML"),
        ("title: a\x00b\n", "not valid YAML (unacceptable character"),
        ("title: \ud800\n", "not valid YAML"),
        ("--- {}\n--- {}\n", "line 2, column 1: not valid YAML"),
        ("title: *nowhere\n", "line 1, column 8: not valid YAML (found undefined alias"),
        ("<<: 5\n", "not valid YAML (expected a mapping or list of mappings for merging"),
    ],
)
def test_odd_yaml_is_a_clean_error(text: str, expect: str) -> None:
    """Explicit tags, control characters, several documents: what PyYAML itself chokes on is still reported."""
    _, message = problem_of(text)
    assert expect in message, message
    assert "\n" not in message


def test_recursive_alias_is_refused() -> None:
    _, message = problem_of(MINI + "notes: &x [*x]\n")
    assert "alias" in message


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "a: &a [1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh", strict=True)
    )
    _, message = problem_of(bomb)
    assert "through aliases" in message


# --- files --------------------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file not found") as info:
        load_scenario(tmp_path / "nope.yaml")
    assert info.value.path == str(tmp_path / "nope.yaml")


def test_folder_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_scenario(tmp_path)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(MINI.replace("Iran", "Ir\xe2n").encode("latin-1"))
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_scenario(latin)


# --- extends, remove_events, set ----------------------------------------------------------------------------


@pytest.fixture
def base_dir(tmp_path: Path) -> Path:
    (tmp_path / "mini.yaml").write_text(MINI)
    return tmp_path


def child(base_dir: Path, text: str, name: str = "child.yaml") -> Path:
    path = base_dir / name
    path.write_text(text)
    return path


def load_error(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert len(info.value.problems) == 1, info.value.problems
    return info.value.problems[0]


def test_extends_applies_removals_and_edits(base_dir: Path) -> None:
    path = child(base_dir, "extends: mini.yaml\nname: child\nremove_events: [E1]\nset:\n  actors.USA.rule.margin: 2\n"
                           "  events.E2.killed: {KH: 3}\n")  # fmt: skip
    scenario = load_scenario(path)
    assert [e.id for e in scenario.events] == ["E2"]
    assert scenario.actors["USA"].rule.margin == 2
    assert scenario.events[0].killed == {"KH": 3}
    data = load_scenario_data(path)
    assert not {"extends", "remove_events", "set"} & set(data)
    assert validate_scenario_data(data, path) == scenario


def test_load_scenario_data_of_the_shipped_counterfactual() -> None:
    data = load_scenario_data(SCENARIO_DIR / "jan2020_no_soleimani.yaml")
    assert isinstance(data, dict) and data["name"] == "jan2020_no_soleimani"
    assert "A06" not in [e["id"] for e in data["events"]]
    assert validate_scenario_data(data) == load_scenario(SCENARIO_DIR / "jan2020_no_soleimani.yaml")
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario_data(SCENARIO_DIR / "nope.yaml")


@pytest.mark.parametrize(
    ("files", "expect"),
    [
        ({"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: a.yaml\n"}, "a cycle: a.yaml -> b.yaml -> a.yaml"),
        ({"a.yaml": "extends: a.yaml\n"}, "a cycle: a.yaml -> a.yaml"),
        ({"a.yaml": "extends: missing.yaml\n"}, "base scenario 'missing.yaml' not found"),
        ({"a.yaml": "extends: 12\n"}, "expected the path of a base scenario file"),
        ({"a.yaml": "remove_events: [E1]\nname: a\n"}, "only allowed together with 'extends"),
    ],
    ids=["cycle", "self", "missing base", "not a path", "edits without a base"],
)
def test_extends_problems(tmp_path: Path, files: dict[str, str], expect: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    message = load_error(tmp_path / "a.yaml")
    assert expect in message
    assert "(line 1)" in message


@pytest.mark.parametrize(
    ("edits", "expect"),
    [
        ("remove_events: [E11]\n", "remove_events (line 2): no event 'E11'; did you mean 'E1'?"),
        ("remove_events: E1\n", "remove_events (line 2): expected a list of event ids"),
        ("remove_events: 7\n", "remove_events (line 2): expected a list of event ids"),
        (
            "set:\n  actor.USA.rule.margin: 2\n",
            "set actor.USA.rule.margin (line 2): no 'actor'; did you mean 'actors'?",
        ),
        ("set:\n  name.first: x\n", "'name' is a value, not a mapping or list"),
        ("set:\n  events.E9.killed: {}\n", "no item 'events.E9'"),
        ("set: [1, 2]\n", "set (line 2): expected a mapping of dotted paths"),
        ("set:\n  '': 1\n", "is not a dotted field path"),
    ],
)
def test_edit_problems(base_dir: Path, edits: str, expect: str) -> None:
    message = load_error(child(base_dir, "extends: mini.yaml\n" + edits))
    assert expect in message, message


def test_edited_values_are_validated_at_the_line_that_set_them(base_dir: Path) -> None:
    message = load_error(child(base_dir, "extends: mini.yaml\nname: c\nset:\n  actors.USA.rule.margin: 9\n"))
    assert message.startswith("actors.USA.rule.margin (line 4): Input should be less than or equal to 3")
    edits = "extends: mini.yaml\nremove_events: [E1]\nset:\n  events.E2.date: 2030-01-01\n"
    message = load_error(child(base_dir, edits))
    assert message.startswith("events.0.date (line 4):"), "E2 moved up after E1 was removed"


def test_mistakes_in_a_base_file_name_its_line_there(base_dir: Path) -> None:
    broken = replace_once(MINI, "      resolve: 0.7", "      resolv: 0.7")
    (base_dir / "broken.yaml").write_text(broken)
    message = load_error(child(base_dir, "extends: broken.yaml\nname: c\n"))
    assert message == (
        f"actors.USA.traits.resolv (line {line_of(broken, 'resolv')} of broken.yaml): unknown field; "
        "did you mean 'resolve'?"
    )


# --- the same through the command line ----------------------------------------------------------------------


def run_validate(*paths: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", *map(str, paths)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_cli_validate_reports_and_exits_2(tmp_path: Path, case: Case) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(replace_once(MINI, case.old, case.new))
    code, output = run_validate(path)
    assert code == 2, output
    assert str(path) in output
    assert case.path in output
    assert "Traceback" not in output


def test_cli_validate_mixes_good_and_bad_files(base_dir: Path) -> None:
    bad = child(base_dir, "extends: mini.yaml\nremove_events: [E7]\n", "bad.yaml")
    code, output = run_validate(base_dir / "mini.yaml", bad, base_dir / "missing.yaml")
    assert code == 2
    assert f"{base_dir / 'mini.yaml'}: ok" in output
    assert "no event 'E7'" in output and "file not found" in output
    assert "Traceback" not in output


def test_a_host_protest_threshold_of_zero_is_a_clean_error_not_a_division_by_zero() -> None:
    """Each stage of a host's protest is a multiple of its threshold (rules/host_nation.py), so 0 has no meaning;
    hypothesis found it crashing a run with ZeroDivisionError. It must be refused when the file is read."""
    path = SCENARIO_DIR / "jan2020.yaml"
    text = replace_once(path.read_text(), "      protest_threshold: 6 ", "      protest_threshold: 0 ")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, path)
    message = str(info.value)
    assert "actors.IRQ.rule.protest_threshold" in message and "greater than 0" in message
