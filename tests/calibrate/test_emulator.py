"""The outcome emulator (issue 20, item 3): it recovers known class probabilities, and the whole route runs on
real simulations of two train cases (small), deterministically, refusing test cases."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from escalation_sim.calibrate.emulate import emulate
from escalation_sim.calibrate.emulator import OutcomeEmulator, held_out
from escalation_sim.calibrate.sampler import Param
from escalation_sim.calibrate.simulate import CLASSES, SHARED_BOX, prior_draws, simulate
from escalation_sim.scenario import load_scenario, validate_scenario_data
from helpers import ROOT

PARAMS = (Param("x", 0.0, 2.0), Param("z", -1.0, 1.0))


def toy_probs(theta: np.ndarray, case: int) -> np.ndarray:
    """Known class probabilities: a softmax whose logits bend in x (a case-specific curve) and tilt in z."""
    x, z = theta[:, 0], theta[:, 1]
    eta = np.column_stack([np.zeros(len(x)), (2.0 if case else -1.0) * (x - 1) ** 2 + z, 1.5 * x - 2 + case])
    return np.exp(eta - np.logaddexp.reduce(eta, axis=1, keepdims=True))


def toy_frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    thetas = np.column_stack([rng.uniform(0, 2, n), rng.uniform(-1, 1, n)])
    frames = []
    for case in (0, 1):
        cum = toy_probs(thetas, case).cumsum(axis=1)
        y = (rng.random((n, 1)) > cum).sum(axis=1)
        frames.append(pd.DataFrame({"case": f"c{case}", "theta": np.arange(n), "x": thetas[:, 0],
                                    "z": thetas[:, 1], "outcome": np.asarray(CLASSES)[y]}))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def test_the_emulator_recovers_known_class_probabilities() -> None:
    train, test = toy_frame(3000, 0), toy_frame(2000, 1)
    model = OutcomeEmulator(PARAMS, ("c0", "c1"))
    losses = model.select_C(train, (0.1, 10.0))
    assert set(losses) == {0.1, 10.0} and model.C in losses
    model.fit(train)
    grid = np.column_stack([np.linspace(0.05, 1.95, 40), np.linspace(-0.9, 0.9, 40)])
    for case in (0, 1):
        got = np.exp(model.log_proba(grid, case))
        assert np.allclose(got.sum(axis=1), 1.0)
        assert np.abs(got - toy_probs(grid, case)).max() < 0.08, case
    report = held_out(model, train, test)
    assert report["log_loss"] < report["log_loss_case_frequency"] < report["log_loss_uniform"]
    # the entropy of the true probabilities bounds any model's expected log loss from below
    truth = np.concatenate([toy_probs(test[test["case"] == f"c{c}"][["x", "z"]].to_numpy(), c) for c in (0, 1)])
    y = pd.Categorical(test["outcome"], categories=CLASSES).codes
    assert report["log_loss"] < -np.log(truth[np.arange(len(y)), y]).mean() + 0.02
    assert sum(r["n"] for r in report["reliability"]) == 3 * len(test)


def two_cases() -> list:
    return [load_scenario(ROOT / "scenarios" / "library" / f"{name}.yaml") for name in ("vixuyen1987", "tet1968")]


@pytest.mark.slow
def test_real_simulations_are_seeded_and_cached(tmp_path) -> None:
    cases = two_cases()
    thetas = prior_draws(SHARED_BOX, 6, seed=3)
    first = simulate(cases, SHARED_BOX, thetas, 2, seed=3, cache=tmp_path)
    assert len(first) == 2 * 6 * 2 and set(first["outcome"].dropna()) <= set(CLASSES)
    assert first["outcome"].notna().all()
    stamp = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    again = simulate(cases, SHARED_BOX, thetas, 2, seed=3, cache=tmp_path)
    pd.testing.assert_frame_equal(first, again)
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == stamp  # read back, not re-run
    fresh = simulate(cases, SHARED_BOX, thetas, 2, seed=3)
    pd.testing.assert_frame_equal(first, fresh)
    other = simulate(cases, SHARED_BOX, thetas, 2, seed=4)
    assert not other["seed"].isin(first["seed"]).any()
    sbc = simulate(cases, SHARED_BOX, thetas, 2, seed=3, purpose="sbc")
    assert not sbc["seed"].isin(first["seed"]).any()  # the SBC runs never reuse a training run's seed
    # a design extended with more draws of the same stream keeps its runs and adds the new draws' runs
    more = prior_draws(SHARED_BOX, 9, seed=3)
    assert np.array_equal(more[:6], thetas)
    extended = simulate(cases, SHARED_BOX, more, 2, seed=3, cache=tmp_path)
    pd.testing.assert_frame_equal(extended, simulate(cases, SHARED_BOX, more, 2, seed=3))
    assert len(extended) == 2 * 9 * 2
    pd.testing.assert_frame_equal(extended[extended["theta"] < 6].reset_index(drop=True), first)
    fewer = simulate(cases, SHARED_BOX, thetas[:4], 2, seed=3, cache=tmp_path)  # a first part of the cache
    assert len(fewer) == 2 * 4 * 2 and (fewer["theta"] < 4).all()


@pytest.mark.slow
def test_the_route_end_to_end_on_two_real_train_cases(tmp_path) -> None:
    cases = two_cases()
    result = emulate(cases, SHARED_BOX, tmp_path, thetas=40, runs=2, replications=20, draws=19, bins=4, cells=8,
                     knots=3, seed=1, executor="serial")  # fmt: skip
    written = json.loads((tmp_path / "emulator.json").read_text())
    assert written == json.loads(json.dumps(result))
    assert result["training_runs"] == 2 * 40 * 2
    assert result["held_out"]["runs"] == 2 * 20
    assert result["observed"] == {"vixuyen1987": "war", "tet1968": "war"}
    for p in SHARED_BOX:
        post = result["posterior"][p.name]
        assert p.low <= post["low"] <= post["median"] <= post["high"] <= p.high
        assert sum(result["sbc"][p.name]["counts"]) == 20
    counts = result["observed_class_training_runs"]
    assert sum(counts.values()) > 0 and all(0 <= n <= 80 for n in counts.values())
    assert result["posterior_without_unseen"]["dropped"] == [c for c, n in counts.items() if n == 0]
    assert set(result["sbc_tempered_p_values"]) == {"0.5", "2.0"}
    sbc = pd.read_csv(tmp_path / "sbc.csv")
    assert len(sbc) == 20 and sbc[[f"rank:{p.name}" for p in SHARED_BOX]].to_numpy().max() <= 19
    draws = pd.read_parquet(tmp_path / "posterior.parquet")
    again = emulate(cases, SHARED_BOX, tmp_path, thetas=40, runs=2, replications=20, draws=19, bins=4, cells=8,
                    knots=3, seed=1, executor="serial")  # fmt: skip
    assert again["posterior"] == result["posterior"]  # deterministic, from the cached simulations
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "posterior.parquet"), draws)


def test_test_cases_are_refused_before_any_run(tmp_path) -> None:
    data = load_scenario(ROOT / "scenarios" / "library" / "cuba1962.yaml").model_dump(mode="json")
    sealed = validate_scenario_data({**data, "split": "test"}, "a test case")  # no sealed case is opened
    with pytest.raises(ValueError, match="test scenarios"):
        emulate([sealed], SHARED_BOX, tmp_path, thetas=10)
    assert not (tmp_path / "simulations").exists()


@pytest.mark.slow
def test_the_command_writes_its_files_and_checks_its_options(tmp_path) -> None:
    from typer.testing import CliRunner

    from escalation_sim.cli import app

    def invoke(*args: str):
        result = CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    paths = [str(ROOT / "scenarios" / "library" / f"{name}.yaml") for name in ("vixuyen1987", "tet1968")]
    bad = invoke("emulate", *paths, "--draws", "100", "--bins", "10", "--out", str(tmp_path / "bad"))
    assert bad.exit_code == 2 and "multiple of bins" in bad.output
    assert not (tmp_path / "bad").exists()
    out = tmp_path / "emu"
    result = invoke("emulate", *paths, "--thetas", "40", "--runs", "1", "--replications", "10", "--draws", "9",
                    "--bins", "5", "--cells", "6", "--executor", "serial", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert {"emulator.json", "posterior.parquet", "sbc.csv", "emulator.png", "simulations"} <= {
        p.name for p in out.iterdir()
    }
    assert "held-out log loss" in result.output and "SBC" in result.output
