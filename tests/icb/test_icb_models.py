"""`--model quantal|doctrines`, the comparison of two cross-validations, the Monte Carlo error and the edge report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.icb.compare import b_is_better, compare
from escalation_sim.icb.crossval import GRID, edges, grid_of
from escalation_sim.icb.data import load
from escalation_sim.icb.grid import simulate_point
from escalation_sim.icb.mapping import Shared, map_crisis
from escalation_sim.icb.scores import rps, rps_monte_carlo
from escalation_sim.scenario import validate_scenario_data

WIDE = {"COLUMNS": "250"}


def test_quantal_model_maps_runs_and_is_cached_apart(tmp_path):
    full = load()
    keep = full.crises["crisno"].iloc[:1]
    data = full.only(keep)
    crisno = int(keep.iloc[0])
    mapped = map_crisis(data, crisno, Shared(tremble=0.0), model="quantal")
    assert {a["rule"]["name"] for a in mapped.data["actors"].values()} == {"quantal"}
    assert "quantal" in mapped.reasons["actors.*.rule"]
    validate_scenario_data(mapped.data, "quantal")
    with pytest.raises(ValueError, match="doctrines, quantal"):
        map_crisis(data, crisno, model="learned")
    q = simulate_point(data, Shared(tremble=0.0), 10, 0, 1, cache=tmp_path, model="quantal")
    d = simulate_point(data, Shared(tremble=0.0), 10, 0, 1, cache=tmp_path, model="doctrines")
    names = sorted(p.name for p in tmp_path.glob("point_*.csv"))
    assert len(names) == 2 and names[0].startswith("point_doctrines_") and names[1].startswith("point_quantal_")
    assert "_code" in names[0] and int(q.loc[crisno, "runs"]) == int(d.loc[crisno, "runs"]) == 10
    assert not np.allclose(q.filter(like="p_viol").to_numpy(), d.filter(like="p_viol").to_numpy())


def test_model_option_on_the_command_line():
    ok = CliRunner().invoke(app, ["icb", "scenario", "1", "--model", "quantal", "--tremble", "0"], env=WIDE)
    assert ok.exit_code == 0, ok.output
    assert "name: quantal" in ok.output
    bad = CliRunner().invoke(app, ["icb", "scenario", "1", "--model", "learned"], env=WIDE)
    assert bad.exit_code == 2 and "--model" in bad.output


def test_monte_carlo_error_matches_resampling():
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(4), size=200)
    y = np.array([rng.choice(4, p=row) + 1 for row in p])
    runs = 15
    means = [rps(np.array([rng.multinomial(runs, row) for row in p]) / runs, y).mean() for _ in range(400)]
    inflation, se = rps_monte_carlo(p, y, runs)
    assert np.mean(means) - rps(p, y).mean() == pytest.approx(inflation, rel=0.15)
    assert np.std(means) == pytest.approx(se, rel=0.2)


def _cv(p: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({"crisno": np.arange(len(y)), "fold": np.arange(len(y)) % 10, "y": y})
    for row in ("model", "recal"):
        for k in range(4):
            frame[f"{row}_{k + 1}"] = p[:, k]
    return frame.set_index("crisno")


def test_compare_is_paired_and_the_rule_needs_an_interval_below_zero():
    rng = np.random.default_rng(0)
    y = rng.integers(1, 5, size=300)
    truth = np.eye(4)[y - 1] * 0.6 + 0.1
    flat = np.full((300, 4), 0.25)
    better = compare(_cv(flat, y), _cv(truth, y))
    assert better["model_rps"]["b_minus_a"] < 0 and b_is_better(better)
    assert not b_is_better(compare(_cv(truth, y), _cv(flat, y)))
    assert not b_is_better(compare(_cv(flat, y), _cv(flat, y)))
    other = _cv(flat, y)
    other["fold"] = (other["fold"] + 1) % 10
    with pytest.raises(ValueError, match="folds"):
        compare(_cv(flat, y), other)


def test_edges_name_the_axes_at_the_grid_bounds():
    points = list(GRID)
    assert edges(Shared(tremble=0.01, risk_shift=0.3), points) == []
    assert edges(Shared(tremble=0.03, risk_shift=0.0), points) == ["tremble high (0.03)", "risk_shift low (0)"]
    assert len(GRID) == 9 and len(grid_of("quantal")) == 1
