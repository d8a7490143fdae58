"""Property tests: random mutations of real scenario files give a valid scenario or a clean ScenarioError
(exit 2 from `validate`), never another exception; and a mutated scenario that validates can be run.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.model import EscalationModel
from escalation_sim.scenario import Scenario, ScenarioError, parse_scenario
from escalation_sim.score import unchoosable
from helpers import MINI, SCENARIO_DIR, SHIPPED

# ESCALATION_FUZZ_EXAMPLES=5000 for a longer hunt; the default keeps the suite fast.
FUZZ = settings(
    max_examples=int(os.environ.get("ESCALATION_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
STEPS = 20  # days of a mutated scenario to run: enough to pass the branch point of the shipped files

BASES: dict[str, str] = {path.name: path.read_text(encoding="utf-8") for path in SHIPPED}
BASES["mini.yaml"] = MINI
BASE_DATA = {name: yaml.safe_load(text) for name, text in BASES.items()}
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding copies of the shipped files, so that `extends: jan2020.yaml` resolves from it."""
    folder = tmp_path_factory.mktemp("fuzz")
    for path in SHIPPED:
        shutil.copy(path, folder / path.name)
    return folder


# --- mutations ----------------------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=12), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
    st.sampled_from(["USA", "IRN", "KH", "hold", "default", "proportional", "state", "militia", "A06", "2020-01-04",
                     "", "~", "yes", "1e3", ".inf", "2019-12-27", "harassment", "red_line"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def paths_of(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in the document: mapping keys and list items, at any depth."""
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            out += paths_of(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += paths_of(value, (*prefix, i))
    return out


def parent_of(data: Any, path: tuple) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def near_miss(draw: st.DrawFn, word: str) -> str:
    """A misspelling: one character dropped, doubled or replaced."""
    if not word:
        return "x"
    i = draw(st.integers(0, len(word) - 1))
    how = draw(st.sampled_from(["drop", "double", "replace"]))
    if how == "drop":
        return word[:i] + word[i + 1 :] or "x"
    if how == "double":
        return word[:i] + word[i] * 2 + word[i + 1 :]
    return word[:i] + draw(st.sampled_from("abcdexyz_0")) + word[i + 1 :]


@st.composite
def mutated_data(draw: st.DrawFn) -> tuple[str, str]:
    """A shipped scenario's data with one to three structural mutations, dumped back to YAML."""
    name = draw(st.sampled_from(sorted(BASES)))
    data = copy.deepcopy(BASE_DATA[name])
    for _ in range(draw(st.integers(1, 3))):
        paths = paths_of(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = parent_of(data, path)
        key = path[-1]
        old = parent[key]
        kind = draw(st.sampled_from(["delete", "replace", "retype", "unknown_key", "misspell_key", "duplicate",
                                     "date", "swap"]))  # fmt: skip
        if kind == "delete":
            del parent[key]
        elif kind == "replace":
            parent[key] = draw(values)
        elif kind == "retype":
            parent[key] = draw(st.sampled_from([[old], {"value": old}, str(old), None, 0, -1, 1e308, True]))
        elif kind == "unknown_key" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(values)
        elif kind == "misspell_key" and isinstance(parent, dict) and isinstance(key, str):
            parent[near_miss(draw, key)] = parent.pop(key)
        elif kind == "duplicate" and isinstance(parent, list):
            parent.insert(draw(st.integers(0, len(parent))), copy.deepcopy(old))
        elif kind == "date":
            parent[key] = draw(st.one_of(
                st.dates(dt.date(2019, 1, 1), dt.date(2031, 12, 31)),
                st.sampled_from(["2020-02-30", "2020-13-01", "20-01-01", "0000-01-01", "9999-12-31", "2020/01/04"]),
            ))  # fmt: skip
        elif kind == "swap":
            other = draw(st.sampled_from(paths))
            try:
                other_parent = parent_of(data, other)
                parent[key], other_parent[other[-1]] = other_parent[other[-1]], old
            except (KeyError, IndexError, TypeError):
                pass  # the other place moved with the first change: no swap
    return name, yaml.dump(data, Dumper=DUMPER, sort_keys=False, allow_unicode=True)


@st.composite
def corrupted_text(draw: st.DrawFn) -> tuple[str, str]:
    """A shipped scenario's text with characters deleted, inserted or lines moved."""
    name = draw(st.sampled_from(sorted(BASES)))
    text = BASES[name]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "token", "duplicate_line", "drop_line", "indent"]))
        if kind == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 40)) :]
        elif kind == "insert":
            noise = draw(st.text(alphabet=st.sampled_from(list(":-[]{},#&*!|>'\"%@` \n\t?\\0123456789abcxyzé")),
                                 min_size=1, max_size=6))  # fmt: skip
            text = text[:i] + noise + text[i:]
        elif kind == "token":  # YAML's own syntax: tags, anchors, aliases, merge keys, documents
            token = draw(
                st.sampled_from(
                    [
                        "!!bool ",
                        "!!int ",
                        "!!float ",
                        "!!timestamp ",
                        "!!binary ",
                        "!!set ",
                        "!!python/name:os.system ",
                        "&a ",
                        "*a ",
                        "<<: ",
                        "\n---\n",
                        "? ",
                    ]
                )
            )
            text = text[:i] + token + text[i:]
        else:
            lines = text.split("\n")
            j = min(text.count("\n", 0, i), len(lines) - 1)
            if kind == "duplicate_line":
                lines.insert(j, lines[j])
            elif kind == "drop_line":
                del lines[j]
            else:
                lines[j] = draw(st.sampled_from(["", " ", "  ", "    ", "\t"])) + lines[j].lstrip(" ")
            text = "\n".join(lines)
    return name, text


# --- properties ---------------------------------------------------------------------------------------------


def check(name: str, text: str, folder: Path) -> Scenario | None:
    """parse_scenario gives a Scenario or a ScenarioError; `validate` agrees, with exit 0 or 2, never a crash."""
    path = folder / f"mutated_{name}"
    try:
        scenario: Scenario | None = parse_scenario(text, path)
    except ScenarioError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        assert str(exc).startswith(str(path))
        scenario = None
    if currently_in_test_context():
        event("valid scenario" if scenario is not None else "ScenarioError")
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    # issue 24: validate accepts exactly what loads (and runs); an unscorable history is only a warning
    assert result.exit_code == (0 if scenario is not None else 2), result.output
    if scenario is not None and unchoosable(scenario):
        assert "warning:" in result.stderr and "score" in result.stderr
    assert "Traceback" not in result.output
    return scenario


def run_briefly(scenario: Scenario, seed: int) -> None:
    """A scenario that validates must run: no exception, probabilities that are probabilities, an outcome."""
    model = EscalationModel(scenario=scenario, rng=seed)
    for _ in range(min(STEPS, scenario.days)):
        model.step()
    for record in model.records:
        if not math.isnan(record.probability):
            assert 0.0 <= record.probability <= 1.0, (record.actor, record.action, record.probability)
    assert model.outcome.outcome in {"de-escalation", "protracted", "war"}


@pytest.mark.slow  # ~15 s: 150 parses, validations and short runs
@FUZZ
@given(case=mutated_data(), seed=st.integers(0, 2**32 - 1))
def test_structural_mutations_give_a_scenario_or_a_clean_error(workdir: Path, case: tuple[str, str], seed: int) -> None:
    scenario = check(*case, workdir)
    if scenario is not None:
        run_briefly(scenario, seed)


@pytest.mark.slow
@FUZZ
@given(case=corrupted_text(), seed=st.integers(0, 2**32 - 1))
def test_text_corruption_gives_a_scenario_or_a_clean_error(workdir: Path, case: tuple[str, str], seed: int) -> None:
    scenario = check(*case, workdir)
    if scenario is not None:
        run_briefly(scenario, seed)


def test_mutations_reach_both_outcomes(workdir: Path) -> None:
    """Guard the generators: they must produce valid scenarios as well as errors, or the properties are empty."""
    assert check("mini.yaml", MINI, workdir) is not None
    assert check("mini.yaml", MINI.replace("resolve:", "resolv:"), workdir) is None
    assert (SCENARIO_DIR / "jan2020.yaml").exists()


# --- bugs the properties found, reproduced exactly (the model's, not the loader's: reported) --------------------


def _two_state(old: str, new: str) -> Scenario:
    text = (SCENARIO_DIR / "two_state.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    return parse_scenario(text.replace(old, new), SCENARIO_DIR / "two_state.yaml")


@pytest.mark.parametrize("edit", ["chosen: false, ", "effect: justification, "])
def test_ladder_hold_must_be_a_plain_choice(edit: str) -> None:
    """Found by the fuzz: a 'hold' that is not a choice used to validate, then crash the model."""
    with pytest.raises(ScenarioError, match=r"ladder\.hold"):
        _two_state("label: hold, hostile: false,", f"label: hold, hostile: false, {edit}")


@pytest.mark.parametrize(
    "edit",
    ["killed_mean: .inf,", "killed_mean: 1e300,", "killed_mean: 2.0, killed_dispersion: 1e-300,",
     "killed_mean: 2.0, wounded_base: .inf,"],
)  # fmt: skip
def test_casualty_parameters_that_cannot_be_drawn_are_rejected(edit: str) -> None:
    """Found by the fuzz: infinite or absurd casualty settings used to validate, then crash numpy mid-run."""
    old = "killed_mean: 2.0, killed_dispersion: 1.0,"
    new = edit if "dispersion" in edit else edit + " killed_dispersion: 1.0,"
    with pytest.raises(ScenarioError, match=r"ladder\.border_clash"):
        _two_state(old, new)
