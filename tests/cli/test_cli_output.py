"""Issue 12's rough edges in output meant for people: piped tables keep whole cells, `list` shows the rules'
parameters, `replay` statistics agree with their band, `validate` checks sweep files, Sobol indices from too
small a sample come with a warning, and no -99 reaches a DataFrame."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from escalation_sim import EscalationModel
from escalation_sim.cli import app
from escalation_sim.rules import RULES
from escalation_sim.sweep import open_sweep, run_sweep
from escalation_sim.sweep.analysis import sobol_warnings
from escalation_sim.sweep.figures import point_fan_charts
from helpers import ROOT, SHIPPED, shipped

TWO_STATE = ROOT / "scenarios" / "two_state.yaml"


def invoke(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(app, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_piped_tables_keep_every_cell_whole() -> None:
    """CliRunner's output is not a terminal, as a pipe: rich would cut cells at 80 columns with an ellipsis."""
    result = invoke("list", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "…" not in result.output
    rows = [line for line in result.output.splitlines() if line.startswith("│")]
    for name, cls in RULES.items():
        assert any(f"│ {name} " in row and cls.description in row for row in rows), name
    for path in SHIPPED:  # scenario files, with their whole path
        assert any(str(path) in row for row in rows), path


def test_list_shows_each_rules_parameters() -> None:
    text = invoke("list", env={"COLUMNS": "80"}).output
    row = next(line for line in text.splitlines() if line.startswith("│ red_line "))
    assert "killed_threshold=1" in row and "rung_threshold=8.0" in row
    data = json.loads(invoke("list", "--json").stdout)
    for name, cls in RULES.items():
        params = data["rules"][name]["parameters"]
        assert set(params) == set(cls.Params.model_fields) - {"name"}
        for key, info in params.items():
            field = cls.Params.model_fields[key]
            assert info["description"]
            if not field.is_required() and field.default_factory is None:  # composite rules need components
                assert info["default"] == field.default
    assert data["rules"]["proportional"]["parameters"]["margin"]["minimum"] == -3


def test_replay_prints_medians_inside_their_band_and_flags_skewed_means() -> None:
    text = invoke("replay", "jan2020", "--seeds", "40").output

    def value(cell: str) -> float:
        return float(cell.replace("*", "").strip())

    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines() if line.startswith("│ A")]
    assert len(rows) >= 20
    starred = 0
    for row in rows:
        if row[5] == "-":
            continue
        median, low, high, mean = (value(c) for c in row[5:9])
        assert low <= median <= high, row
        if not low - 1e-12 <= mean <= high + 1e-12:
            assert row[8].endswith("*"), row  # a mean outside the band is marked and explained
            starred += 1
    assert ("lie outside the 5%-95% range" in text) == (starred > 0)
    assert "0.000" not in text  # small nonzero probabilities in scientific notation, e.g. A06's ~1e-25


def test_validate_accepts_every_shipped_file_sweeps_included() -> None:
    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    result = invoke("validate", *files)
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok") == len(files)
    assert "jan2020_sweep.yaml: ok (sweep of jan2020.yaml: 80 points x 100 replicates" in result.output


def test_validate_rejects_a_sweep_with_an_invalid_point_or_base(tmp_path: Path) -> None:
    bad_point = tmp_path / "bad_point.yaml"
    bad_point.write_text(f"name: s\nbase: {TWO_STATE}\nseed: 1\nparameters:\n"
                         "  - {path: actors.RED.traits.resolve, values: [0.5, 7]}\n")  # fmt: skip
    result = invoke("validate", str(bad_point))
    assert result.exit_code == 2
    assert "point 1" in result.stderr and "resolve" in result.stderr and "1 of 2" in result.stderr
    no_base = tmp_path / "no_base.yaml"
    no_base.write_text("name: s\nbase: nowhere.yaml\nseed: 1\n")
    result = invoke("validate", str(no_base))
    assert result.exit_code == 2 and "nowhere.yaml" in result.stderr and "not found" in result.stderr


def test_sensitivity_warns_with_confidence_intervals_when_samples_are_too_small(tmp_path: Path) -> None:
    sweep = tmp_path / "tiny.yaml"
    sweep.write_text(f"name: tiny\nbase: {TWO_STATE}\nseed: 1\nreplicates: 2\nparameters:\n"
                     "  - {path: actors.BLUE.rule.margin, name: blue_margin, range: [0, 2]}\n"
                     "  - {path: actors.RED.traits.resolve, name: red_resolve, range: [0.2, 0.9]}\n"
                     "design: {kind: saltelli, base_samples: 8}\n")  # fmt: skip
    result = invoke("sensitivity", str(sweep), "--out", str(tmp_path / "out"), "--executor", "serial")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "out" / "sobol.csv")
    widest = table[["S1_conf", "ST_conf"]].to_numpy().max()
    assert widest > 0.1  # 8 base samples: SALib's intervals are wide
    assert "warning:" in result.stderr and "base_samples 8 is too small" in result.stderr
    assert f"+-{widest:.3f}" in result.stderr


def test_sobol_warnings_stay_quiet_for_tight_indices_in_range() -> None:
    tight = pd.DataFrame({"parameter": ["a", "b"], "output": "war", "S1": [0.6, 0.1], "S1_conf": [0.03, 0.02],
                          "ST": [0.7, 0.15], "ST_conf": [0.05, 0.04]})  # fmt: skip
    assert sobol_warnings(tight, 1024) == []
    out_of_range = tight.assign(S1=[-0.2, 0.1], S1_conf=[0.05, 0.02])
    lines = sobol_warnings(out_of_range, 1024)
    assert lines[0] == "war: S1 of a = -0.200 +- 0.050 (outside [0, 1])"


def test_model_reporters_use_none_not_minus_99() -> None:
    model = EscalationModel(scenario=shipped("two_state"), rng=1)
    while model.running:
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert not (frame[["rung_today", "max_rung"]] == -99).any().any()
    quiet = model.daily_rung.max(axis=1) == -99
    assert quiet.any() and frame["rung_today"].isna().to_numpy().tolist() == quiet.tolist()


def test_fan_charts_are_drawn_per_point(tmp_path: Path) -> None:
    sweep = tmp_path / "fan.yaml"
    sweep.write_text(f"name: fan\nbase: {TWO_STATE}\nseed: 2\nreplicates: 12\nparameters:\n"
                     "  - {path: actors.BLUE.rule.margin, name: blue_margin, values: [0, 3]}\n"
                     "counterfactuals:\n  historical: {}\n  late:\n    set: {branch_date: 2030-06-20}\n")  # fmt: skip
    results = run_sweep(sweep, out=tmp_path / "out", executor="serial", trajectories=True, progress=False)
    folder = open_sweep(tmp_path / "out")
    figures = point_fan_charts(folder, ["blue_margin"])
    assert sorted(figures) == [f"fan_charts/point_{p:04d}.png" for p in range(4)]
    trajectories = folder.trajectories(columns=["run_id", "day", "rung"])
    for point in range(4):
        ids = results.loc[results["point"] == point, "run_id"]
        own = trajectories[trajectories["run_id"].isin(ids)]
        wide = own.pivot(index="run_id", columns="day", values="rung").astype(float).fillna(0.0)
        median = np.quantile(wide.T.rolling(7, min_periods=1).max().T.to_numpy(), 0.5, axis=0)
        axes = figures[f"fan_charts/point_{point:04d}.png"].axes[0]
        line = next(ln for ln in axes.get_lines() if ln.get_label() == "median")
        assert np.allclose(line.get_ydata(), median)
        branch = next(ln for ln in axes.get_lines() if str(ln.get_label()).startswith("branch"))
        assert re.search(r"2030-06-(02|20)", str(branch.get_label()))
        assert ("late" in axes.get_title()) == (point >= 2)
