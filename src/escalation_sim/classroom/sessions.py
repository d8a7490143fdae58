"""The server's class sessions: open ones by code, each saved to its own file after every change and restored
from it after a restart (`session_file`).

The folder is `ESCALATION_SIM_APP_SESSIONS` (set by `escalation-sim app --sessions DIR`), else
`$XDG_DATA_HOME/escalation-sim/sessions` (`~/.local/share/...`). A session's file is `CODE.json`, written
atomically (a crash mid-write leaves the previous file), readable by its owner only: it holds the seats' tokens.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..files import write_text
from ..scenario import Scenario
from .game import GameError
from .session import ClassSession
from .session_file import read_session_file, rebuild, session_json

SESSIONS_ENV = "ESCALATION_SIM_APP_SESSIONS"
CODE = re.compile(r"^[0-9a-f]{6,16}$")  # what `ClassSession` draws: anything else is never a file name
SESSIONS: dict[str, ClassSession] = {}  # the server's open sessions, by code
_LOCK = threading.Lock()


def sessions_folder() -> Path:
    chosen = os.environ.get(SESSIONS_ENV)
    if chosen:
        return Path(chosen)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "escalation-sim" / "sessions"


def save(session: ClassSession) -> None:
    """Write the session's file (called under the session's lock after every change). A failed write is
    reported on the server's terminal and the class goes on: the previous file stays whole."""
    folder = sessions_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = write_text(folder / f"{session.code}.json", session_json(session))
        path.chmod(0o600)
    except (OSError, ValueError) as exc:
        print(f"escalation-sim: cannot save class session {session.code} in {folder}: {exc}", file=sys.stderr)


def open_session(scenario: Scenario, seats: Iterable[str], seed: int = 0, **kwargs: Any) -> ClassSession:
    """A new session, registered under a fresh code for the seat and instructor pages to find, and saved."""
    with _LOCK:
        session = ClassSession(scenario, seats, seed=seed, **kwargs)
        while session.code in SESSIONS or (sessions_folder() / f"{session.code}.json").exists():
            session.code = os.urandom(4).hex()
        SESSIONS[session.code] = session
        session.on_change = save
        save(session)
        return session


def find_session(code: str | None) -> ClassSession | None:
    """The open session with this code; one saved before a restart is rebuilt from its file on first use."""
    code = (code or "").strip().lower()
    if not CODE.match(code):
        return None
    with _LOCK:
        session = SESSIONS.get(code)
        if session is not None:
            return session
        path = sessions_folder() / f"{code}.json"
        if not path.is_file():
            return None
        try:
            session = rebuild(read_session_file(path), str(path))
        except GameError as exc:
            print(f"escalation-sim: cannot restore class session {code}: {exc}", file=sys.stderr)
            return None
        SESSIONS[code] = session
        session.on_change = save
        return session
