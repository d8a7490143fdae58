"""`escalation-sim evaluate` end to end on a three-case library at toy settings (issue 11): it fits on train and
records the freeze; only after the registry is committed does `--frozen` measure the test case (issue 22); it
writes its tables, figure, horizon sensitivity and PSIS-LOO diagnostics."""

from __future__ import annotations

import json
import shutil
import subprocess
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
    toy = ["--walkers", "6", "--steps", "2", "--particles", "10", "--runs", "10", "--score-particles", "10",
           "--loo-draws", "30", "--loo-steps", "10", "--workers", "1", "--registry", str(registry)]  # fmt: skip
    result = CliRunner().invoke(app, ["evaluate", str(library), "--out", str(out), *toy])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    digest = report["frozen"]["sha256"]
    assert digest in json.loads(registry.read_text()) and report["frozen"]["commit"] is None
    assert list(pd.read_csv(out / "outcomes.csv")["case"]) == ["gaza2012", "georgia2008"]  # train only
    assert not (out / "loo.csv").exists()
    # the test split before the freeze is committed: refused, nothing of the test case written
    refused = CliRunner().invoke(app, ["evaluate", str(library), "--out", str(out), *toy, "--frozen", digest[:12]])
    assert refused.exit_code == 2 and "git" in refused.output
    assert "taji2020" not in (out / "outcomes.csv").read_text()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "frozen.json"], ["commit", "-qm", "freeze"]):
        subprocess.run([*git, *args], cwd=tmp_path, check=True, capture_output=True)
    result = CliRunner().invoke(app, ["evaluate", str(library), "--out", str(out), *toy, "--frozen", digest[:12]])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["frozen"]["sha256"] == digest and len(report["frozen"]["commit"]) == 40
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert list(outcomes["case"]) == ["gaza2012", "georgia2008", "taji2020"]
    assert set(outcomes["split"]) == {"train", "test"}
    assert {"horizon_max_move", "horizon_sensitive", "share_war_plus4w"} <= set(outcomes.columns)
    scores = pd.read_csv(out / "scores.csv")
    assert {"model", "uniform", "base_rate", "markov1"} <= set(scores.columns)
    loo = pd.read_csv(out / "loo.csv")
    assert len(loo) == 3 and loo["pareto_k"].notna().all()
    assert (out / "shares.png").stat().st_size > 0
