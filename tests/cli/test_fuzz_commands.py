"""Hostile-input fuzz of the commands added since the first fuzz suite (issue 24): `--set`, `score`,
`calibrate`, `evaluate`, `tournament` and `debrief`, in-process, with the profiles of tests/cli/test_fuzz_cli.py
(`ci`: a fixed, derandomized corpus, a few cases per command; `nightly`: 2,000 random cases per property).

Each case ends in exit 0, or exit 2 with a message (never a traceback, never "unexpected failure"), within the
time bound; cases are kept cheap (tiny particle counts, one scenario, serial executors) so the whole CI profile
of the suite stays within about 30 seconds.
"""

from __future__ import annotations

import copy
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fuzz_cli import BASES, DATES, HOSTILE_TEXT, NUMBERS, PROFILE, dump, hostile_scenario, invoke, places
from typer.testing import CliRunner

from escalation_sim.cli import app
from helpers import SCENARIO_DIR

# per property: a handful in CI (each command has its own exit-2 paths; the nightly profile goes wide)
CASES = int(os.environ.get("ESCALATION_FUZZ_EXAMPLES", "0")) or (6 if PROFILE == "ci" else 2000)
FUZZ = settings(settings.get_profile(PROFILE), max_examples=CASES)
SERIAL_SCORE = ["--particles", "10", "--replications", "2", "--executor", "serial"]
YAML_VALUES = ["[" * 200 + "]" * 200, "{a: 1, a: 2}", "{<<: {a: 1}, a: 2}", "!!binary aGk=", "*x", "&a [*a]",
               "!!python/object/apply:os.system [true]", "{name: restraint}", "[1, 2", "'", "~", "1e400"]  # fmt: skip
TWO_STATE_PLACES = [".".join(str(p) for p in place) for place in places(BASES["two_state.yaml"])]


def check(result: Any) -> None:
    assert result.exit_code in (0, 2), (result.exit_code, result.output)
    if result.exit_code == 2:
        assert "error" in result.stderr or "problem" in result.stderr or "Invalid value" in result.stderr


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzzcommands")


@FUZZ
@given(
    path=st.one_of(st.sampled_from(TWO_STATE_PLACES), st.sampled_from(HOSTILE_TEXT[:8])),
    value=st.one_of(st.sampled_from(YAML_VALUES), st.sampled_from(HOSTILE_TEXT), st.sampled_from(NUMBERS)),
)
def test_set_values(folder: Path, path: str, value: Any) -> None:  # fmt: skip
    result = invoke("run", "two_state", "--set", f"{path}={as_text(value)}", "--out", str(folder / "set"), "--show",
                    "1")  # fmt: skip
    check(result)
    if result.exit_code == 2:
        assert "--set" in result.stderr


@FUZZ
@given(case=hostile_scenario(), options=st.sampled_from([
    [], ["--until", "branch"], ["--until", "horizon"], ["--until", "$x$"], ["--seed", "-1"], ["--json"],
    ["--particles", str(2**63)], ["--replications", "1"]]))  # fmt: skip
def test_score(folder: Path, case: tuple[str, dict], options: list[str]) -> None:
    name, data = case
    if name != "two_state.yaml":  # one small scenario keeps each case well under a second
        data = copy.deepcopy(BASES["two_state.yaml"])
    path = folder / "score.yaml"
    path.write_text(dump(data), encoding="utf-8")
    check(invoke("score", str(path), *SERIAL_SCORE, *options, "--events-csv", str(folder / "score.csv")))


@FUZZ
@given(
    param=st.one_of(
        st.sampled_from(
            [
                "actors.BLUE.rule.margin=0:1",
                "actors.*.rule.spread=0.1:2",
                "title=0:1",
                "x",
                "=:",
                "actors.BLUE.rule.margin=1:0",
                "actors.BLUE.rule.margin=nan:1",
                "actors.BLUE.rule.margin=0:1e400",
                "actors.BLUE.traits.resolve=-5:5",
                "[/x]=0:1",
                "actors.BLUE.rule.margin=0:1:2",
            ]
        ),
        st.builds(lambda t: f"{t}=0:1", st.sampled_from(HOSTILE_TEXT[:8])),
    ),
    walkers=st.sampled_from(["3", "1", str(10**9)]),
    out=st.sampled_from(["new", "/dev/null", "file"]),
)
def test_calibrate(folder: Path, param: str, walkers: str, out: str) -> None:  # fmt: skip
    """Everything up to the sampler: options, parameter boxes, the scenario, the output folder (the sampler's
    own run costs seconds and is tested in tests/calibrate; an odd walker count stops just before it)."""
    (folder / "file").write_text("x")
    target = out if out.startswith("/") else str(folder / f"{out}_{time.monotonic_ns()}")
    check(invoke("calibrate", "two_state", "--params", param, "--walkers", walkers, "--steps", "2", "--particles",
                 "10", "--executor", "serial", "--out", target))  # fmt: skip


@FUZZ
@given(
    case=hostile_scenario(),
    split=st.sampled_from(["train", "test", "validation", None, 5]),
    out=st.sampled_from(["new", "/dev/null", "file"]),
)
def test_evaluate(folder: Path, case: tuple[str, dict], split: Any, out: str) -> None:
    _, data = case
    library = folder / f"library_{time.monotonic_ns()}"
    library.mkdir()
    if isinstance(data, dict):
        data["split"] = split
    (library / "case.yaml").write_text(dump(data), encoding="utf-8")
    (folder / "file").write_text("x")
    target = out if out.startswith("/") else str(folder / out)
    check(invoke("evaluate", str(library), "--out", target, "--runs", "10", "--horizon-runs", "10",
                 "--score-particles", "10", "--surrogate-replays", "1", "--workers", "1", "--no-record-freeze",
                 "--registry", str(folder / "frozen.json")))  # fmt: skip


@FUZZ
@given(
    rules=st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "restraint",
                    "red_line",
                    "tit_for_tat",
                    "proportional:margin=1",
                    "proportional:margin=1e400",
                    "proportional:margin=[/x]",
                    "proportional:margin=" + "[" * 3000 + "]" * 3000,
                    "graduated:step=-1",
                    "nosuchrule",
                    "restraint:",
                    ":",
                    "",
                ]
            ),
            st.sampled_from(HOSTILE_TEXT[:8]),
        ),
        min_size=0,
        max_size=3,
    ),
    repetitions=st.sampled_from(["1", "2", "0", "-3", str(10**12)]),
    noise=st.sampled_from(["0.5", "nan", "-1", "9"]),
)
def test_tournament(folder: Path, rules: list[str], repetitions: str, noise: str) -> None:  # fmt: skip
    check(invoke("tournament", "two_state", "--rules", ",".join(rules), "--repetitions", repetitions, "--noise",
                 noise, "--executor", "serial", "--csv", str(folder / "t.csv")))  # fmt: skip


@pytest.fixture(scope="module")
def record(folder: Path) -> dict:
    path = folder / "game.json"
    result = CliRunner().invoke(app, ["play", "two_state", "--as", "BLUE", "--record", str(path), "--runs", "0",
                                      "--seed", "1"], input="1\n" * 3 + "\n" * 70)  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text())


@FUZZ
@given(
    data=st.data(),
    value=st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.sampled_from(NUMBERS),
        st.sampled_from(DATES).map(str),
        st.just({}),
        st.just([]),
    ),
)
def test_debrief(folder: Path, record: dict, data: st.DataObject, value: Any) -> None:
    game = copy.deepcopy(record)
    spots = [p for p in places({k: v for k, v in game.items() if k != "scenario"}) if p]
    spot = data.draw(st.sampled_from(spots))
    node = game
    for part in spot[:-1]:
        node = node[part]
    node[spot[-1]] = value
    path = folder / "hostile_game.json"
    path.write_text(json.dumps(game, default=str))
    check(invoke("debrief", str(path), "--runs", "0"))
    check(invoke("debrief", str(path), "--runs", "0", "--json"))


def test_the_corpus_has_what_the_properties_mutate() -> None:
    assert yaml.safe_load((SCENARIO_DIR / "two_state.yaml").read_text())["actors"]
    assert len(TWO_STATE_PLACES) > 50
