"""`replay --sensitivity` (issue 17, item 4) on the real jan2020 scenario, on a small grid: the table and the CSV
have one row per cell, and the replay's numbers move with the declared tremble."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.results.outcomes import OUTCOMES

WIDE = {"COLUMNS": "250"}


def test_replay_sensitivity_small_grid(tmp_path: Path) -> None:
    out = tmp_path / "sens.csv"
    args = ["replay", "jan2020", "--sensitivity", "--tremble", "0", "--tremble", "0.01"]
    args += ["--trigger", "0.3", "--trigger", "0.7", "--seeds", "2", "--runs", "2", "--csv", str(out)]
    result = CliRunner().invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    assert "sensitivity to the declared priors" in result.output
    frame = pd.read_csv(out)
    assert len(frame) == 4
    assert [tuple(r) for r in frame[["tremble", "trigger"]].itertuples(index=False)] == [
        (0.0, 0.3), (0.0, 0.7), (0.01, 0.3), (0.01, 0.7)
    ]  # fmt: skip
    for col in ("p_A06", "loglik", *OUTCOMES, "USA_leadership_strike_8w", "USA_killed_after_branch"):
        assert col in frame.columns, col
    assert not any(c.startswith("p_") and c.removeprefix("p_") in ("A01", "A03") for c in frame.columns)  # not US
    assert frame[list(OUTCOMES)].sum(axis=1).round(9).eq(1.0).all()
    # the tremble weighs the regime filter: the Soleimani strike's replay probability and the record's
    # log-likelihood differ between tremble 0 and 1e-2 at a fixed trigger
    by = frame.set_index(["tremble", "trigger"])
    assert by.loc[(0.0, 0.3), "p_A06"] != by.loc[(0.01, 0.3), "p_A06"]
    assert by.loc[(0.0, 0.3), "loglik"] != by.loc[(0.01, 0.3), "loglik"]
    # every cell is printed: one table row per cell, starting with its tremble and trigger
    rows = [line for line in result.output.splitlines() if line.lstrip("│ ").startswith(("0 ", "0.01 "))]
    assert len(rows) == 4, result.output


def test_replay_sensitivity_bad_input() -> None:
    result = CliRunner().invoke(app, ["replay", "two_state", "--sensitivity", "--seeds", "1", "--runs", "1"], env=WIDE)
    assert result.exit_code == 2
    assert "regime" in result.output
    result = CliRunner().invoke(app, ["replay", "jan2020", "--sensitivity", "--tremble", "0.7"], env=WIDE)
    assert result.exit_code == 2
    assert "tremble 0.7" in result.output
    result = CliRunner().invoke(app, ["replay", "jan2020", "--trigger", "0.5"], env=WIDE)
    assert result.exit_code == 2
    assert "--sensitivity" in result.output
