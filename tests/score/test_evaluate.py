"""`escalation-sim evaluate` end to end on a three-case library at toy settings (issue 11): it fits on train,
freezes before any test case is scored, writes its tables, figure and PSIS-LOO diagnostics."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from tests.helpers import ROOT
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.evaluation import metrics


def test_scores_of_the_always_de_escalation_baseline() -> None:
    base = metrics.always("de-escalation", 200)
    shares = {k: v / 200 for k, v in base.items()}
    assert metrics.brier(shares, "de-escalation") == 0.0
    assert metrics.brier(shares, "war") == 2.0
    assert metrics.log_score(base, 200, "war") < metrics.log_score(base, 200, "de-escalation") < 0.0


@pytest.mark.slow
def test_evaluate_end_to_end(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    for name in ("gaza2012", "georgia2008", "taji2020"):  # two train cases, one test case; all short
        shutil.copy(ROOT / "scenarios" / "library" / f"{name}.yaml", library)
    registry = tmp_path / "frozen.json"
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "evaluate", str(library), "--out", str(out), "--walkers", "6", "--steps", "2", "--particles", "10",
        "--runs", "10", "--score-particles", "10", "--loo-draws", "30", "--loo-steps", "10", "--workers", "1",
        "--registry", str(registry),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["frozen"]["sha256"] in json.loads(registry.read_text())
    assert report["version"] and set(report["libraries"]) >= {"python", "mesa", "numpy", "pandas"}  # provenance
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert list(outcomes["case"]) == ["gaza2012", "georgia2008", "taji2020"]
    assert set(outcomes["split"]) == {"train", "test"}
    scores = pd.read_csv(out / "scores.csv")
    assert {"model", "uniform", "base_rate", "markov1"} <= set(scores.columns)
    loo = pd.read_csv(out / "loo.csv")
    assert len(loo) == 3 and loo["pareto_k"].notna().all()
    assert (out / "shares.png").stat().st_size > 0
