"""Provenance in outputs: version, the git commit when run from a checkout, and the library versions."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from escalation_sim import __version__
from escalation_sim.cli import app
from escalation_sim.provenance import LIBRARIES, git_commit, provenance

ROOT = Path(__file__).resolve().parents[1]


def test_provenance_names_the_version_the_commit_and_the_libraries():
    found = provenance()
    assert found["version"] == __version__ != "0.1.0"
    assert set(found["libraries"]) == {"python", *LIBRARIES} and all(found["libraries"].values())
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0 and (ROOT / "src" / "escalation_sim" / "provenance.py").exists():
        assert found["commit"] == head.stdout.strip() and isinstance(found["commit_dirty"], bool)
    assert git_commit.cache_info().hits + git_commit.cache_info().misses >= 1  # asked once per process


def test_run_writes_provenance_into_summary_json(tmp_path):
    result = CliRunner().invoke(app, ["run", "two_state", "--seed", "1", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["version"] == __version__ and summary["libraries"]["mesa"]
    assert "commit" in summary and summary["libraries"]["python"].startswith("3.")


def test_a_sweep_manifest_carries_provenance(tmp_path):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"name: p\nbase: {ROOT / 'scenarios' / 'two_state.yaml'}\nseed: 1\nreplicates: 1\nparameters:\n"
                     "  - path: actors.BLUE.rule.margin\n    values: [0.0]\n")  # fmt: skip
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sweep", str(sweep), "--out", str(out), "--executor", "serial", "--no-summary"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["version"] == __version__ and set(manifest["libraries"]) == {"python", *LIBRARIES}
