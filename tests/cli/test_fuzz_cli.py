"""Hostile-input fuzz of the command line: mutated shipped scenarios and sweep files through `validate`, `run`
(with its figure) and `sweep`, in-process (CliRunner). Each case ends in exit 0 with valid outputs, or exit 2
with a message naming the file and a field; never a traceback, never over the time bound.

Profiles (hypothesis settings, chosen by ESCALATION_FUZZ_PROFILE): `ci` (the default: a fixed, derandomized
corpus of a few dozen cases, well under a minute) and `nightly` (2,000 random cases per property;
ESCALATION_FUZZ_EXAMPLES=N overrides the count). The memory
bound is checked by the subprocess cases in tests/cli/test_hostile_input.py (they run under RLIMIT_AS).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from escalation_sim.cli import app
from helpers import SCENARIO_DIR

settings.register_profile(
    "ci", max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck),
    database=None,
)  # fmt: skip
settings.register_profile("nightly", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
PROFILE = os.environ.get("ESCALATION_FUZZ_PROFILE", "ci")
FUZZ = settings(settings.get_profile(PROFILE), max_examples=int(os.environ.get("ESCALATION_FUZZ_EXAMPLES", "0"))
                or settings.get_profile(PROFILE).max_examples)  # fmt: skip
SECONDS = 30.0  # per case: a run of a shipped scenario takes well under a second; a hang would exceed it

BASES = {name: yaml.safe_load((SCENARIO_DIR / name).read_text()) for name in ("two_state.yaml", "jan2020.yaml")}
SWEEP_BASE = {
    "name": "fuzz", "base": "two_state.yaml", "seed": 3, "replicates": 2,
    "parameters": [{"path": "actors.BLUE.rule.margin", "name": "m", "values": [0.0, 1.0]}],
}  # fmt: skip

# hostile text: rich markup, matplotlib mathtext, spreadsheet formulas, HTML, control characters, long text
HOSTILE_TEXT = [
    "[/x]", "[bold]x[/bold", "[link=file:///etc/passwd]x[/link]", r"$\frac{1}{$", r"$\sqrt{x}$ and $", "$$",
    "=CMD|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "<script>alert(1)</script>", "a\x00b", "\u202eevil",
    "x" * 5000, "",
]  # fmt: skip
NUMBERS = [2**63, -(2**63), 10**400, 1e308, -1e308, 2**53 + 1, 1e-320, -1, 0, True, False, 1.5, "1e3", None]
DATES = ["0001-01-01", "9999-12-31", "2020-02-30", "1000-01-01", "2999-12-31", dt.date(1, 1, 1), dt.date(9999, 1, 1)]
KEYS = ["title", "description", "name", "start_date", "end_date", "branch_date", "outcomes.war_deaths",
        "outcomes.calm_days", "threat_window_days"]  # fmt: skip


def places(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            out += places(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data[:4]):  # the first few items of long lists: enough variety
            out += places(value, (*prefix, i))
    return out


@st.composite
def hostile_scenario(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(BASES)))
    data = copy.deepcopy(BASES[name])
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["text", "number", "date", "actor_id", "rename_key", "size", "value"]))
        spots = places(data)
        path = draw(st.sampled_from(spots))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        if kind == "text":
            parent[key] = draw(st.sampled_from(HOSTILE_TEXT))
        elif kind == "number":
            parent[key] = draw(st.sampled_from(NUMBERS))
        elif kind == "date":
            parent[key] = draw(st.sampled_from(DATES))
        elif kind == "actor_id" and "actors" in data:  # an actor id with markup, mathtext or a formula
            old = draw(st.sampled_from(sorted(data["actors"])))
            new = draw(st.sampled_from(["=CMD", "[/x]", "$x$", "@A", "+X", "-Y"]))
            text = json.dumps(data, default=str).replace(json.dumps(old), json.dumps(new))
            data = json.loads(text)
        elif kind == "rename_key" and isinstance(parent, dict):
            parent[draw(st.sampled_from(HOSTILE_TEXT[:6]))] = parent.pop(key)
        elif kind == "size" and isinstance(parent, list) and parent:
            parent.extend(copy.deepcopy(parent[-1:]) * draw(st.sampled_from([2, 50, 20_000])))
        else:
            parent[key] = draw(st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.booleans()))
    return name, data


def dump(data: Any) -> str:
    try:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    except yaml.YAMLError:  # something YAML cannot represent: a string it refuses
        return json.dumps(data, default=str)


def invoke(*args: str) -> Any:
    started = time.monotonic()
    result = CliRunner().invoke(app, list(args))
    elapsed = time.monotonic() - started
    assert elapsed < SECONDS, f"{args}: {elapsed:.1f} s"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # an exception the command let through: a traceback for the user
    assert "Traceback" not in result.output
    assert "unexpected failure" not in result.output, result.output
    return result


def check_clean(result: Any, path: Path) -> None:
    """Exit 0, or exit 2 with a message naming the file and a field (or the file itself)."""
    assert result.exit_code in (0, 2), (result.exit_code, result.output)
    if result.exit_code == 2:
        assert str(path) in result.stderr, result.stderr
        assert "problem" in result.stderr or "error:" in result.stderr


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fuzzcli")
    for name in BASES:
        (out / name).write_text((SCENARIO_DIR / name).read_text())
    return out


@FUZZ
@given(case=hostile_scenario(), seed=st.integers(0, 2**31))
def test_validate_and_run_agree_on_hostile_scenarios(folder: Path, case: tuple[str, dict], seed: int) -> None:
    name, data = case
    path = folder / f"hostile_{name}"
    path.write_text(dump(data), encoding="utf-8")
    checked = invoke("validate", str(path))
    check_clean(checked, path)
    out = folder / f"out_{name}"
    ran = invoke("run", str(path), "--seed", str(seed), "--out", str(out), "--show", "3")
    assert ran.exit_code == checked.exit_code, (checked.output, ran.output)  # validate and run agree
    check_clean(ran, path)
    if ran.exit_code == 0:
        events = pd.read_csv(out / "events.csv")
        assert len(events) >= 0 and "rung" in events
        assert pd.api.types.is_numeric_dtype(events["rung"])  # numbers stay numbers
        texts = events.select_dtypes(exclude="number")
        for column in texts:
            cells = texts[column].dropna().astype(str)
            assert not cells.str.match(r"^[=+\-@\t\r]").any(), column  # spreadsheet formulas escaped
        assert json.loads((out / "summary.json").read_text())["outcome"] in {"de-escalation", "protracted", "war"}
        assert (out / "timeline.png").stat().st_size > 0


@st.composite
def hostile_sweep(draw: st.DrawFn) -> str:
    data = copy.deepcopy(SWEEP_BASE)
    kind = draw(st.sampled_from(["name", "count", "values", "design", "date", "text", "nest"]))
    if kind == "name":
        data["parameters"][0]["name"] = draw(st.sampled_from(["killed_BLUE", "outcome", "run_id", "set", "m2"]))
    elif kind == "count":
        key = draw(st.sampled_from(["replicates", "seed"]))
        data[key] = draw(st.sampled_from([2**63, 2**64, -1, 0, True, 10**9, "3"]))  # 10**9 runs: over the cap
    elif kind == "values":
        data["parameters"][0]["values"] = draw(st.sampled_from([[2**63], [True, False], ["[/x]"], [1e308], []]))
    elif kind == "design":
        data["design"] = draw(st.sampled_from([
            {"kind": "random", "samples": 10**7}, {"kind": "saltelli", "base_samples": 1_048_576},
            {"kind": "lhs", "samples": 2**63}, {"kind": "grid"}, {"kind": "points", "points": [{"m": "$x$"}]},
        ]))  # fmt: skip
        if data["design"]["kind"] in ("random", "lhs", "saltelli"):
            data["parameters"][0] = {"path": "actors.BLUE.rule.margin", "name": "m", "range": [0.0, 1.0]}
    elif kind == "date":
        data["parameters"].append({"path": "branch_date", "values": [draw(st.sampled_from(DATES))]})
    elif kind == "text":
        data["description"] = draw(st.sampled_from(HOSTILE_TEXT))
    else:  # nesting, written as text (a 1,000-deep structure is no value to pass around)
        depth = draw(st.sampled_from([10, 100, 1000]))
        return dump(data) + "description: " + "[" * depth + "]" * depth + "\n"
    return dump(data)


@FUZZ
@given(text=hostile_sweep())
def test_hostile_sweep_files_run_or_exit_2(folder: Path, text: str) -> None:
    path = folder / "hostile_sweep.yaml"
    path.write_text(text, encoding="utf-8")
    out = folder / f"sweep_{time.monotonic_ns()}"
    result = invoke("sweep", str(path), "--out", str(out), "--executor", "serial", "--no-summary")
    if result.exit_code == 1:  # documented: a value out of a field's bounds fails its runs, recorded with why
        assert "run(s) failed" in result.stderr
        assert pd.read_parquet(out / "results")["error"].notna().all()
        return
    check_clean(result, path)
    if result.exit_code == 0:
        frame = pd.read_parquet(out / "results")
        assert frame["run_id"].is_unique and frame.columns.is_unique
    else:
        assert not (out / "results").exists()  # refused before anything ran
