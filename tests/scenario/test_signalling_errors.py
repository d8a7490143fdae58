"""Mistakes in a scenario's channels, threat terms and defence (issue 9): named by file, field and line, and
`escalation-sim validate` exits 2 with the message."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.scenario import ScenarioError, load_scenario
from helpers import SCENARIO_DIR

BASE = SCENARIO_DIR / "jan2020.yaml"

CASES = {
    "unknown actor": ("channels.iraq_pm.receiver: USAA", "channels.iraq_pm.receiver", "did you mean 'USA'?"),
    "reliability above 1": ("channels.swiss.reliability: 1.5", "channels.swiss.reliability", "less than or equal to 1"),
    "unknown message kind": ("channels.swiss.kinds: [warnings]", "channels.swiss.kinds.0", "'warning', 'assurance'"),
    "a channel to oneself": ("channels.swiss.receiver: USA", "channels.swiss", "two different actors"),
    "unknown threat kind": ("events.A09.threat.kind: coercive", "events.8.threat.kind", "'deterrent' or 'compellent'"),
    "air defence above 1": ("actors.USA.defence.air_defence: 2", "actors.USA.defence.air_defence", "less than"),
}  # fmt: skip


def write(tmp_path: Path, edit: str) -> Path:
    path = tmp_path / "edited.yaml"
    path.write_text(f"extends: {BASE}\nname: edited\nset:\n  {edit}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_mistakes_are_named_by_file_field_and_line(tmp_path: Path, case: str) -> None:
    edit, field, expect = CASES[case]
    path = write(tmp_path, edit)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert str(path) in message and field in message and expect in message and "(line " in message
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and field in result.output and "Traceback" not in result.output
