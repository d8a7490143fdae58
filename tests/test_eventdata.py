"""Event data out (issue 10): CAMEO quad classes, PLOVER and Goldstein per act, as Parquet pandas reads back."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.eventdata import daily_series, quad_class
from escalation_sim.scenario import default_ladder
from helpers import shipped


def test_quad_classes_follow_the_cameo_root_codes() -> None:
    assert [quad_class(c) for c in ("046", "03", "08", "111", "138", "145", "154", "163", "190", "195")] == [
        1, 1, 2, 3, 3, 3, 4, 4, 4, 4]  # fmt: skip
    assert quad_class(None) is None


def test_every_coded_action_of_the_ladder_has_a_plover_type() -> None:
    for key, action in default_ladder().items():
        if action.cameo and action.cameo != "01":  # CAMEO 01 (statements) has no PLOVER type
            assert action.plover, key
    assert default_ladder()["leadership_strike"].plover_mode == "assassinate"


def test_run_and_distribution_write_event_series(tmp_path) -> None:
    runner = CliRunner()
    run = tmp_path / "history.parquet"
    done = runner.invoke(app, ["run", "jan2020", "--no-branch", "--no-figure", "--events-parquet", str(run)])
    assert done.exit_code == 0, done.output
    events = pd.read_parquet(run)
    assert len(events) == len(shipped("jan2020").events)
    soleimani = events[events["event_id"] == "A06"].iloc[0]
    assert (soleimani["cameo"], soleimani["quad_class"], soleimani["plover"], soleimani["goldstein"]) == (
        "186", 4, "ASSAULT", -10.0)  # fmt: skip
    dist, csv = tmp_path / "dist.parquet", tmp_path / "dist.csv"
    result = runner.invoke(app, ["distribution", "jan2020", "-n", "6", "--workers", "1", "--events-parquet", str(dist),
                                 "--csv", str(csv)])  # fmt: skip
    assert result.exit_code == 0, result.output
    series, table = pd.read_parquet(dist), pd.read_csv(csv)
    assert set(series["run"]) == set(table["run_id"])
    for _, row in table.iterrows():  # the re-run is the same run: same hostile acts after the branch
        acts = series[(series["run"] == row["run_id"]) & (series["day"] >= 8) & (series["rung"] > 0)
                      & (series["plover"].notna()) & (series["origin"] != "history")]  # fmt: skip
        assert len(acts) <= row["hostile_acts"] + 0
    daily = daily_series(series)
    assert {"quad4", "goldstein"} <= set(daily.columns)
