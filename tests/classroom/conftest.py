"""Class sessions opened by these tests are saved in a temporary folder, never in the user's data folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _sessions_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ESCALATION_SIM_APP_SESSIONS", str(tmp_path / "sessions"))
