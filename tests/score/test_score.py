"""The score (issue 10): a finite log-likelihood for every shipped scenario, parts that add up, baselines, the
train/test protocol and the validate check for events no actor could have chosen."""

from __future__ import annotations

import json
import math

import pytest
import yaml
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.scenario import load_scenario
from escalation_sim.score import score_scenario, unchoosable
from escalation_sim.score.baselines import BASELINES
from escalation_sim.score.frozen import FrozenError, check, params_hash, record
from escalation_sim.score.record import observed, scored_days
from helpers import SHIPPED, shipped


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_scores_finite_and_its_parts_add_up(path) -> None:
    result = score_scenario(load_scenario(path), particles=30, replications=2, seed=1)
    j = result.as_json()
    assert math.isfinite(j["log_likelihood"]) and j["log_likelihood"] <= 0
    assert abs(j["timing"] + j["choice"] - j["log_likelihood"]) < 1e-9
    assert abs(result.per_actor["total"].sum() - j["log_likelihood"]) < 1e-9
    assert abs(result.per_event["total"].sum() - j["log_likelihood"]) < 1e-9
    for name in BASELINES:
        assert math.isfinite(j["baselines"][name]["total"]) and j["baselines"][name]["total"] <= 0


def test_jan2020_scores_every_actor_day_and_its_monte_carlo_error_is_small() -> None:
    scenario = shipped("jan2020")
    result = score_scenario(scenario, particles=150, replications=3, seed=2)
    days = scored_days(scenario)
    assert days == 31  # 27 Dec 2019 to the last recorded event, 26 Jan 2020
    assert result.actor_days == days * len(scenario.actors)
    assert {"A06", "A13", "A16", "A17"} <= set(result.per_event["event_id"])  # decisions and the accident
    assert "A12" not in set(result.per_event["event_id"])  # the stampede is no one's decision
    assert result.mc_sd < 3.0  # at 150 particles; benchmarks/bench_score.py measures 1,000
    assert result.baseline_total("uniform") < result.log_likelihood  # the model beats knowing nothing


def test_same_day_reports_of_one_act_are_one_decision() -> None:
    """Zarif's statement (A14) and Iran's Article 51 letter (A18-IRN), both 8 January: one justification."""
    scenario = shipped("jan2020")
    day = observed(scenario, scored_days(scenario))[12]
    iran = next(d for d in day if d.actor == "IRN")
    assert iran.justified == "A14"
    assert [a for a, _, _ in iran.acts] == ["calibrated_strike", "denounce"]
    assert iran.accident == "A16"


def test_an_event_no_actor_could_choose_is_a_validate_warning_and_a_score_error(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    data = shipped("jan2020").model_dump(mode="json")
    data["events"][0]["target"] = "IRQ"  # KH cannot harass Iraq: not among its adversaries
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    problems = unchoosable(load_scenario(path))
    assert problems and "A01" in problems[0] and "possible targets: USA" in problems[0]
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0  # issue 24: validate accepts what run runs; the record is unscorable, a warning
    assert "warning: events.0 (A01)" in result.stderr and "score` will refuse" in result.stderr


def test_test_scenarios_need_recorded_frozen_parameters(tmp_path) -> None:
    registry = tmp_path / "frozen.json"
    params = {"actors.KH.rule.base_rate": 0.03}
    with pytest.raises(FrozenError, match="never frozen"):
        check(params, "test", registry)
    assert check(params, "train", registry) == params_hash(params)
    record(params, "a test", registry)
    assert check(params, "test", registry) == params_hash(params)
    assert params_hash({"b": 1, "a": 2}) == params_hash({"a": 2, "b": 1})


def test_score_cli_refuses_a_test_scenario_with_unrecorded_parameters_and_prints_json(tmp_path) -> None:
    data = shipped("two_state").model_dump(mode="json")
    data["split"] = "test"
    scenario = tmp_path / "held_out.yaml"
    scenario.write_text(yaml.safe_dump(data, sort_keys=False))
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"params": {"actors.RED.decision_lag_days": 3.0}}))
    registry = tmp_path / "frozen.json"
    runner = CliRunner()
    refused = runner.invoke(app, ["score", str(scenario), "--frozen", str(params), "--registry", str(registry),
                                  "--particles", "20", "--executor", "serial"])  # fmt: skip
    assert refused.exit_code == 2 and "never frozen" in refused.output
    cheat = runner.invoke(app, ["score", str(scenario), "--frozen", str(params), "--registry", str(registry),
                                "--record-frozen", "--particles", "20", "--executor", "serial"])  # fmt: skip
    assert cheat.exit_code == 2 and not registry.exists()
    train = tmp_path / "train.yaml"
    train.write_text(yaml.safe_dump(data | {"split": "train", "name": "train"}, sort_keys=False))
    recorded = runner.invoke(app, ["score", str(train), "--frozen", str(params), "--registry", str(registry),
                                   "--record-frozen", "--particles", "20", "--executor", "serial",
                                   "--json"])  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    allowed = runner.invoke(app, ["score", str(scenario), "--frozen", str(params), "--registry", str(registry),
                                  "--particles", "20", "--replications", "2", "--executor", "serial",
                                  "--json"])  # fmt: skip
    assert allowed.exit_code == 0, allowed.output
    out = json.loads(allowed.output[allowed.output.index("{") :])
    assert {"log_likelihood", "timing", "choice", "mc_se", "baselines"} <= set(out)
    assert set(out["baselines"]) == set(BASELINES)
    assert {"prequential_base_rate", "prequential_markov1", "hawkes"} <= set(BASELINES)
    for row in out["per_actor"].values():
        assert {"hawkes", "hawkes_timing", "hawkes_choice", "prequential_markov1_timing"} <= set(row)


def test_a_record_that_codes_no_justification_draws_them_unscored() -> None:
    """Euphrates Shield's record codes no Article 51 letter: no day is scored as 'no justification' (it was not
    looked for), the replay draws Turkey's justifications from the model, so its legitimacy cost is paid down
    instead of piling up over a seven-month operation; jan2020, which codes them, still scores their absence."""
    from escalation_sim.score.filter import ScoringModel
    from escalation_sim.score.record import codes_justifications

    scenario = load_scenario("scenarios/library/euphratesshield2016.yaml")
    assert not codes_justifications(scenario) and codes_justifications(shipped("jan2020"))
    days = 120
    model = ScoringModel(scenario, 0, days)
    keys = []
    for seed in range(days):
        model.factors.clear()
        model.next_day(seed)
        keys += [f.key[2] for f in model.factors]
    assert "no justification" not in keys
    turkey = model.by_id["TUR"]
    assert any(r.actor == "TUR" and r.action == turkey.justification for r in model.records)
    assert turkey.legitimacy_cost < 1.0
    jan = ScoringModel(shipped("jan2020"), 0, 31)
    jan.next_day(0)
    assert any(f.key[2] == "no justification" for f in jan.factors)


def test_score_scores_the_learned_model_by_default_and_the_doctrines_on_request() -> None:
    """`score` scores what `run` and `distribution` run: the learned model unless `--decisions doctrines`; the
    filter's number under each is the library's own for that scenario (same seed, same particles)."""
    runner = CliRunner()
    options = ["--particles", "20", "--replications", "2", "--executor", "serial", "--json"]
    by_model = {}
    for decisions in ("learned", "doctrines"):
        out = runner.invoke(app, ["score", "two_state", *options, "--decisions", decisions])
        assert out.exit_code == 0, out.output
        by_model[decisions] = json.loads(out.output)
        assert by_model[decisions]["decisions"] == decisions
    default = json.loads(runner.invoke(app, ["score", "two_state", *options]).output)
    assert default["log_likelihood"] == by_model["learned"]["log_likelihood"]
    assert by_model["learned"]["log_likelihood"] != by_model["doctrines"]["log_likelihood"]
    doctrines = score_scenario(shipped("two_state"), particles=20, replications=2, seed=0)
    assert by_model["doctrines"]["log_likelihood"] == pytest.approx(doctrines.log_likelihood, abs=1e-9)
    wrong = runner.invoke(app, ["score", "two_state", *options, "--decisions", "guess"])
    assert wrong.exit_code == 2 and "expected learned or doctrines" in wrong.output
