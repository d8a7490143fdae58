"""Issue 24, the surfaces added since the input policy: `--set`, `score`, `calibrate`, `evaluate`, `tournament`,
`debrief` and `play` under the same policy. One test per reproducer of the issue: each used to write onto a
device and report success, end in "unexpected failure", or run without bound; each is now exit 2 with a message
naming the option (or the file and field), or a success.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalation_sim.cli import app
from helpers import SCENARIO_DIR

ROOT = Path(__file__).resolve().parents[2]
TWO_STATE = SCENARIO_DIR / "two_state.yaml"
runner = CliRunner()
FAST_SCORE = ["--particles", "10", "--replications", "2", "--executor", "serial"]


def invoke(*args: str, input: str | None = None):
    result = runner.invoke(app, [str(a) for a in args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "unexpected failure" not in result.output, result.output
    return result


def said(result) -> str:
    return " ".join(result.stderr.split())


# --- outputs: checked up front, written atomically as regular files ------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["score", "jan2020", "--events-csv", "/dev/full"], "--events-csv: /dev/full is a character device"),
        (["score", "jan2020", "--events-csv", "{tmp}"], "--events-csv: {tmp} is a folder"),
        (["tournament", "two_state", "--rules", "restraint,red_line", "--figure", "/dev/full"],
         "--figure: /dev/full is a character device"),
        (["tournament", "two_state", "--rules", "restraint,red_line", "--csv", "{tmp}"], "--csv: {tmp} is a folder"),
        (["tournament", "two_state", "--rules", "restraint,red_line", "--games-csv", "/dev/null"],
         "--games-csv: /dev/null is a character device"),
        (["calibrate", "two_state", "--params", "actors.BLUE.rule.margin=0:1", "--out", "{tmp}/file"],
         "--out: {tmp}/file exists and is a file; give a folder"),
        (["calibrate", "two_state", "--params", "actors.BLUE.rule.margin=0:1", "--out", "/dev/null"],
         "--out: /dev/null exists and is a character device; give a folder"),
        (["evaluate", str(SCENARIO_DIR / "library"), "--out", "/dev/null"],
         "--out: /dev/null exists and is a character device"),
        (["score", "two_state", "--frozen", "{tmp}/p.json", "--record-frozen", "--registry", "/dev/full"],
         "--registry: /dev/full is a character device"),
        (["instructor-key", "--out", "/dev/null"], "--out: /dev/null exists and is a character device"),
    ],
    ids=["score-dev-full", "score-folder", "tournament-dev-full", "tournament-folder", "games-dev-null",
         "calibrate-file", "calibrate-dev-null", "evaluate-dev-null", "registry-dev-full", "instructor-key"],
)  # fmt: skip
def test_outputs_onto_devices_or_folders_exit_2_before_any_work(tmp_path: Path, args: list[str], expect: str) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "p.json").write_text('{"actors.BLUE.rule.margin": 1}')
    started = time.monotonic()
    result = invoke(*[a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    assert expect.format(tmp=tmp_path) in said(result)
    assert time.monotonic() - started < 10  # refused before the work, not after it
    assert (tmp_path / "file").read_text() == "x"


def test_score_writes_its_events_csv_as_a_regular_file(tmp_path: Path) -> None:
    target = tmp_path / "new" / "events.csv"
    result = invoke("score", "two_state", *FAST_SCORE, "--events-csv", target)
    assert result.exit_code == 0, result.output
    assert target.is_file() and target.read_text().startswith("event_id")
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_tournament_figure_and_tables_are_written_and_reported(tmp_path: Path) -> None:
    figure, csv = tmp_path / "t.png", tmp_path / "t.csv"
    result = invoke("tournament", "two_state", "--rules", "restraint,red_line", "--repetitions", "2",
                    "--executor", "serial", "--figure", figure, "--csv", csv)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert figure.read_bytes()[:4] == b"\x89PNG" and csv.read_text().startswith("rank")
    assert f"wrote {csv}, {figure}" in " ".join(result.stdout.split())


# --- inputs through the one reader: --set values and --frozen files ---------------------------------------------


ALIAS_BOMB = "[" + ", ".join(["&a0 [x, x, x, x, x, x, x, x, x, x]"] + [
    f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]) + "]"  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expect"),
    [
        ("[" * 5000 + "]" * 5000, "nest"),  # libyaml stops at 1,000 levels, the policy at 64
        (ALIAS_BOMB, "expands to over 200,000 values through aliases"),
        ("{a: 1, a: 2}", "key 'a' is written twice"),
        ("{<<: {a: 1}, a: 2}", "key 'a' is given twice"),
        ("!!python/object:os.system x", "could not determine a constructor"),
        ("!!binary aGVsbG8=", "binary data (!!binary)"),
    ],
    ids=["5000-deep", "alias-bomb", "duplicate-key", "merge-over", "python-tag", "binary"],
)
def test_set_values_go_through_the_one_reader(value: str, expect: str) -> None:
    result = invoke("run", "two_state", "--set", f"title={value}")
    assert result.exit_code == 2, result.output
    assert "--set" in said(result) and expect in said(result), said(result)


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        ("/dev/zero", "character device"),
        ('{"a": ' * 5000 + "1" + "}" * 5000, "nested too deeply"),
        ('{"actors.BLUE.rule.margin": 1, "actors.BLUE.rule.margin": 2}', "written twice"),
        ('{"actors.BLUE.rule.margin": NaN}', "NaN is not a number"),
        ('{"actors.BLUE.rule.margin": "wide"}', "the parameters make two_state invalid"),
        ('{"actors.BLUE.rule.margin": 1e300}', "outside what the model represents"),
        ('{"actors.NOBODY.rule.margin": 1}', "do not apply to two_state"),
        ("[1, 2]", "expected a JSON mapping"),
    ],
    ids=["dev-zero", "deep", "duplicate", "nan", "wrong-type", "huge", "no-such-actor", "not-a-mapping"],
)
def test_frozen_files_go_through_the_one_reader(tmp_path: Path, content: str, expect: str) -> None:
    path = Path(content) if content.startswith("/dev/") else tmp_path / "params.json"
    if not content.startswith("/dev/"):
        path.write_text(content)
    result = invoke("score", "two_state", *FAST_SCORE, "--frozen", path)
    assert result.exit_code == 2, result.output
    assert "--frozen" in said(result) and expect in said(result), said(result)


def test_frozen_dev_zero_stays_within_memory() -> None:
    """The reproducer as a user meets it: a real process under a 2 GB address-space limit, at once."""
    from test_hostile_input import cli_subprocess

    done = cli_subprocess("score", "two_state", "--frozen", "/dev/zero", "--particles", "10", timeout=60)
    assert done.returncode == 2 and "character device" in done.stderr, done.stderr


# --- text from input, shown as written ------------------------------------------------------------------------------


def test_score_with_markup_actor_ids(tmp_path: Path) -> None:
    path = tmp_path / "markup.yaml"
    path.write_text(TWO_STATE.read_text().replace("BLUE", '"[/B]"').replace("RED", '"[bold]R"'))
    result = invoke("score", path, *FAST_SCORE)
    assert result.exit_code == 0, result.output
    assert "[/B]" in result.stdout and "[bold]R" in result.stdout


@pytest.fixture(scope="module")
def saved_game(tmp_path_factory: pytest.TempPathFactory) -> dict:
    path = tmp_path_factory.mktemp("game") / "g.json"
    result = invoke("play", "two_state", "--as", "BLUE", "--record", path, "--runs", "0", input="\n" * 70)
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text())


@pytest.mark.parametrize(
    ("field", "value"),
    [("player", "[/x]"), ("scenario_title", "[bold]T[/bold"), ("outcome.outcome", "[/o]"),
     ("outcome.first_response.BLUE", "[link=file:///etc/passwd]x")],
)  # fmt: skip
def test_debrief_shows_markup_in_a_record_as_written(tmp_path: Path, saved_game: dict, field: str, value: str) -> None:
    record = json.loads(json.dumps(saved_game))
    node = record
    *parents, last = field.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    path = tmp_path / "g.json"
    path.write_text(json.dumps(record))
    result = invoke("debrief", path, "--runs", "0")
    assert result.exit_code == 0, result.output
    assert value in result.stdout


@pytest.mark.parametrize("first", [["border_clash"], "border_clash", {"BLUE": 5}])
def test_debrief_on_a_mistyped_first_response_exits_2(tmp_path: Path, saved_game: dict, first) -> None:
    record = json.loads(json.dumps(saved_game))
    record["outcome"]["first_response"] = first
    path = tmp_path / "g.json"
    path.write_text(json.dumps(record))
    result = invoke("debrief", path, "--runs", "0")
    assert result.exit_code == 2, result.output
    assert "damaged saved game (outcome.first_response" in said(result)


@pytest.mark.parametrize(
    ("box", "expect"),
    [
        ("actors.BLUE.traits.resolve=-5:5", "greater than or equal to 0"),
        ("title=0:1", "title: Input should be a valid string"),
        ("actors.BLUE.rule=0:1", "expected a mapping"),
        ("actors.BLUE.rule.margin=0:1e400", "not a finite number"),
    ],
)
def test_calibrate_boxes_the_scenario_refuses_exit_2_before_sampling(tmp_path: Path, box: str, expect: str) -> None:
    result = invoke("calibrate", "two_state", "--params", box, "--steps", "2", "--particles", "10", "--executor",
                    "serial", "--out", tmp_path / "cal")  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"--params {box.split('=')[0]}" in said(result) and expect in said(result), said(result)
    assert not (tmp_path / "cal" / "chain.parquet").exists()


# --- folders of cases ---------------------------------------------------------------------------------------------


def test_evaluate_on_a_folder_holding_an_invalid_scenario(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / "good.yaml").write_text(TWO_STATE.read_text())
    (library / "bad.yaml").write_text(TWO_STATE.read_text().replace("kind: state", "kind: empire", 1))
    result = invoke("evaluate", library, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "bad.yaml" in said(result) and "actors.BLUE.kind" in said(result)


# --- bounded work -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["score", "two_state", "--particles", "10000000"], "--particles"),
        (["score", "two_state", "--replications", "100000"], "--replications"),
        (["calibrate", "two_state", "--params", "actors.BLUE.rule.margin=0:1", "--walkers", "1000000"], "--walkers"),
        (["calibrate", "two_state", "--params", "actors.BLUE.rule.margin=0:1", "--steps", "100000000"], "--steps"),
        (["evaluate", "--workers", "100000"], "--workers"),
        (["evaluate", "--runs", "1000000000"], "--runs"),
        (["tournament", "two_state", "--rules", "restraint,red_line", "--repetitions", "100000000"],
         "--repetitions"),
        (["play", "two_state", "--as", "BLUE", "--runs", "10000000"], "--runs"),
        (["debrief", "{tmp}/g.json", "--runs", "10000000"], "--runs"),
    ],
)  # fmt: skip
def test_option_values_are_bounded(tmp_path: Path, args: list[str], option: str) -> None:
    result = invoke(*[a.format(tmp=tmp_path) for a in args], input="")
    assert result.exit_code == 2, result.output
    assert option in said(result) and "less than or equal to" in said(result), said(result)


def test_a_tournament_too_large_to_hold_is_refused_before_running() -> None:
    rules = ",".join(f"proportional:margin={m}" for m in range(11))  # 11 rules: 121 games
    result = invoke("tournament", "two_state", "--rules", rules, "--repetitions", "10000")
    assert result.exit_code == 2 and "121 games of 10,000 runs, over the 1,000,000 runs" in said(result), said(result)


def test_a_deeply_nested_rule_parameter_is_refused() -> None:
    result = invoke("tournament", "two_state", "--rules", "restraint,proportional:margin=" + "[" * 5000 + "]" * 5000)
    assert result.exit_code == 2 and "a value of 10,000 characters; at most 200" in said(result), said(result)


def test_a_one_megabyte_title_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(TWO_STATE.read_text().replace('title: "Two rivals', 'title: "' + "x" * 1_000_000 + " Two rivals"))
    for command in ("validate", "run"):
        started = time.monotonic()
        result = invoke(command, path)
        assert result.exit_code == 2 and "title (line 7): text of 1,000,0" in said(result), said(result)
        assert time.monotonic() - started < 10


def test_a_one_megabyte_line_typed_into_play_is_refused(tmp_path: Path) -> None:
    """A real process reading a real pipe: the line is dropped in bounded pieces, the game goes on."""
    env_path = str(ROOT / "src")
    line = "7" * 1_000_000 + "\n"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "escalation_sim.cli", "play", "two_state", "--as", "BLUE", "--runs", "0"],
        input=line + "q\n", capture_output=True, text=True, timeout=60, env={"PYTHONPATH": env_path, "PATH": ""},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "that line is over 200 characters" in done.stderr
    assert "you stopped the game" in done.stdout
    assert time.monotonic() - started < 30


def test_validate_takes_shipped_names_as_run_does() -> None:
    """`run two_state` ran what `validate two_state` refused as "file not found": both take the name now."""
    result = invoke("validate", "two_state")
    assert result.exit_code == 0 and "two_state.yaml: ok" in result.stdout, result.output
    assert invoke("validate", "no_such_scenario").exit_code == 2
