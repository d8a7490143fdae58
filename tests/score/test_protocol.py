"""The evaluation protocol git can prove (issue 22): test-case outputs only once the frozen hash is committed;
a modal class only where its interval clears the runner-up's; horizon sensitivity measured by moving the horizon."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from tests.helpers import ROOT

from escalation_sim import load_scenario
from escalation_sim.evaluation.horizon import SHIFT_DAYS, horizon_row, shifted
from escalation_sim.evaluation.protocol import UNCLEAR, clear_modal, freeze_commit, resolve_frozen
from escalation_sim.score.frozen import FrozenError, record
from escalation_sim.sweep.runner import distribution

GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]


def _git(repo: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True)


def test_test_outputs_need_the_freeze_in_a_commit(tmp_path: Path) -> None:
    registry = tmp_path / "calibration" / "frozen.json"
    digest = record({"actors.*.rule.spread": 0.9}, "test freeze", registry)
    with pytest.raises(FrozenError, match="not in a git repository"):
        freeze_commit(digest, registry)
    _git(tmp_path, "init", "-q")
    (tmp_path / "README").write_text("x\n")
    _git(tmp_path, "add", "README")
    _git(tmp_path, "commit", "-qm", "first")
    with pytest.raises(FrozenError, match=r"git add frozen.json && git commit"):  # recorded, not committed
        freeze_commit(digest, registry)
    _git(tmp_path, "add", "calibration/frozen.json")
    _git(tmp_path, "commit", "-qm", "freeze")
    commit = freeze_commit(digest, registry)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert commit == head.strip()
    other = record({"actors.*.rule.spread": 1.1}, "a later fit", registry)  # in the file, not yet committed
    with pytest.raises(FrozenError, match=other[:12]):
        freeze_commit(other, registry)
    assert resolve_frozen(digest[:10], json.loads(registry.read_text())) == digest
    with pytest.raises(FrozenError, match="8 or more"):
        resolve_frozen(digest[:4], json.loads(registry.read_text()))


def test_modal_class_only_where_it_clears_the_runner_up() -> None:
    assert clear_modal({"de-escalation": 540, "protracted": 0, "war": 460}, 1000) == "de-escalation"
    assert clear_modal({"de-escalation": 108, "protracted": 0, "war": 92}, 200) == UNCLEAR  # 54% vs 46% at 200
    assert clear_modal({"de-escalation": 515, "protracted": 5, "war": 480}, 1000) == UNCLEAR


def test_horizon_shift_drops_history_after_an_earlier_horizon() -> None:
    case = load_scenario(ROOT / "scenarios" / "library" / "syria2017.yaml")  # six events in its last four weeks
    assert case.split == "train"
    early = shifted(case, -SHIFT_DAYS)
    assert (case.end_date - early.end_date).days == SHIFT_DAYS
    assert all(e.date <= early.end_date for e in early.events)
    assert len(early.events) == len(case.events) - 6
    late = shifted(case, SHIFT_DAYS)
    assert (late.end_date - case.end_date).days == SHIFT_DAYS and len(late.events) == len(case.events)


def test_horizon_row_reports_both_shifts_and_flags_a_large_move() -> None:
    case = load_scenario(ROOT / "scenarios" / "library" / "gaza2012.yaml")  # a train case: the test split is sealed
    assert case.split == "train"
    base = distribution(case, n=20, seed=0, workers=1)
    row = horizon_row(case, base, n=20, seed=0, workers=1)
    for label in ("minus4w", "plus4w"):
        assert abs(sum(row[f"share_{k}_{label}"] for k in ("de-escalation", "protracted", "war")) - 1) < 1e-9
    assert row["horizon_sensitive"] == (row["horizon_max_move"] >= 0.05)
