"""Event data out (issue 10): CAMEO quad classes, PLOVER and Goldstein per act, as Parquet pandas reads back."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.eventdata import daily_series, quad_class
from escalation_sim.scenario import default_ladder
from helpers import shipped


def test_quad_classes_follow_the_cameo_root_codes() -> None:
    assert [quad_class(c) for c in ("046", "03", "08", "111", "138", "145", "154", "163", "190", "195")] == [
        1, 1, 2, 3, 3, 3, 4, 4, 4, 4]  # fmt: skip
    assert quad_class(None) is None


# The rows of the Open Event Data Alliance's CAMEO2PLOVER-2021 table (github.com/openeventdata/PLOVER,
# CAMEO2PLOVER-2021.txt) for the CAMEO codes the ladder uses: code -> (PLOVER type, mode or None). Root codes
# (two digits) take the table's root line ("08: CONCEDE", the first of its two 08 lines). The table has no row
# for 01 (statements) or 02 (appeals).
CAMEO2PLOVER = {
    "03": ("AGREE", None), "031": ("AGREE", None), "0356": ("AGREE", None),
    "04": ("CONSULT", None), "045": ("CONSULT", None), "046": ("CONSULT", None),
    "08": ("CONCEDE", None), "087": ("RETREAT", "disarm"),
    "10": ("DEMAND", None), "111": ("ACCUSE", "disapprove"),
    "13": ("THREATEN", None), "130": ("THREATEN", None), "138": ("THREATEN", "violence"),
    "145": ("PROTEST", "riot"), "154": ("MOBILIZE", "troops"),
    "16": ("SANCTION", None), "163": ("COERCE", "restrict"), "166": ("SANCTION", "expel"),
    "186": ("ASSAULT", "assassinate"), "190": ("ASSAULT", None), "192": ("COERCE", "confiscate"),
    "195": ("ASSAULT", "heavy-weapons"),
}  # fmt: skip
NO_ROW = {"01", "02"}


def test_every_chosen_action_with_a_cameo_code_has_its_plover_type_or_a_documented_none() -> None:
    ladder = default_ladder()
    for key, action in ladder.items():
        if not action.chosen or action.cameo is None:
            # accidents, domestic incidents, holding and private orders: no CAMEO code, so no PLOVER type either
            assert action.plover is None and action.plover_mode is None, key
            continue
        if action.private:  # a message through a channel: event data cannot see it, whatever its CAMEO code
            assert action.plover is None and action.plover_none and "private" in action.plover_none, key
        elif action.cameo in NO_ROW:
            assert action.plover is None and action.plover_none and action.cameo in action.plover_none, key
        else:
            assert action.cameo in CAMEO2PLOVER, (key, action.cameo)  # the reference above covers every code
            assert (action.plover, action.plover_mode) == CAMEO2PLOVER[action.cameo], key
            assert action.plover_none is None, key
    # the actions issue 9 added, each coded by the same method
    assert {k: ladder[k].plover for k in ("suspend_operations", "pass_message", "mediate", "declare_closure",
                                           "pressure_host", "restrict_access", "expel")} == {
        "suspend_operations": "RETREAT", "pass_message": "CONSULT", "mediate": "CONSULT", "declare_closure": "AGREE",
        "pressure_host": "THREATEN", "restrict_access": "SANCTION", "expel": "SANCTION"}  # fmt: skip
    for key in ("order_restraint", "order_attack", "private_assurance", "private_warning", "private_demand",
                "request_restraint", "justify"):  # fmt: skip
        assert ladder[key].plover is None and ladder[key].plover_none, key


def test_a_plover_type_and_a_reason_for_none_exclude_each_other() -> None:
    import pydantic

    from escalation_sim.scenario.schema import Action

    base = default_ladder()["talks"].model_dump()
    with pytest.raises(pydantic.ValidationError, match="not both"):
        Action.model_validate({**base, "plover_none": "no reason"})
    with pytest.raises(pydantic.ValidationError, match="plover_mode needs"):
        Action.model_validate({**base, "plover": None, "plover_mode": "troops"})


def test_private_acts_are_marked_and_left_out_of_the_daily_series() -> None:
    from escalation_sim.eventdata import events_table

    rows = [{"run": 0, "seed": 1, "date": "2020-01-05", "day": 9, "actor": "IRN", "target": "USA", "action": a,
             "rung": 1, "cameo": c, "cameo_root": c[:2], "quad_class": quad_class(c), "plover": None,
             "plover_mode": None, "goldstein": g, "killed": 0, "wounded": 0, "origin": "model", "event_id": None,
             "private": p}
            for a, c, g, p in (("denounce", "111", -2.0, False), ("private_warning", "130", -4.4, True))]  # fmt: skip
    daily = daily_series(events_table(rows))
    assert daily["quad3"].tolist() == [1] and daily["goldstein"].tolist() == [-2.0]


def test_run_and_distribution_write_event_series(tmp_path) -> None:
    runner = CliRunner()
    run = tmp_path / "history.parquet"
    done = runner.invoke(app, ["run", "jan2020", "--no-branch", "--no-figure", "--events-parquet", str(run)])
    assert done.exit_code == 0, done.output
    events = pd.read_parquet(run)
    recorded = shipped("jan2020").events  # a spell (issue 18) stands for the acts its operation produced
    assert len(events) == sum(e.operation.acts or 1 if e.operation else 1 for e in recorded)
    soleimani = events[events["event_id"] == "A06"].iloc[0]
    assert (soleimani["cameo"], soleimani["quad_class"], soleimani["plover"], soleimani["goldstein"]) == (
        "186", 4, "ASSAULT", -10.0)  # fmt: skip
    assert not events["private"].any()  # the record holds only public acts
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


def test_event_series_paths_are_checked_up_front(tmp_path) -> None:
    runner = CliRunner()
    for command in (["run", "jan2020", "--no-figure"], ["distribution", "jan2020", "-n", "2", "--workers", "1"]):
        for bad in ("/dev/null", str(tmp_path)):  # a device, a folder
            done = runner.invoke(app, [*command, "--events-parquet", bad])
            assert done.exit_code == 2, (command, bad, done.output)
            assert "--events-parquet" in done.output and "Traceback" not in done.output
