"""`escalation-sim sweep` in a child process that stops at a chosen point of a part's write and waits there for the
test's signal, so an interrupted-sweep test never races the sweep, however fast or slow the machine (under load
~10 a sweep used to finish before the test's signal arrived).

Where it waits (the first time the child gets there; later parts are not held):
- `recorded`: a results part committed and recorded in the manifest;
- `unrecorded`: a results part renamed into place (committed) but not yet recorded in the manifest;
- `mid-write`: the trajectory part written and half of the results part in its temporary file.

The marker file appears when the child waits; the test then signals the child's process group (the child starts
its own session, so pool workers are signalled with it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOLDS = ("recorded", "unrecorded", "mid-write")

CHILD = """
import io, os, signal, sys, time
from pathlib import Path
import pyarrow.parquet as pq
from escalation_sim.sweep import storage
marker, hold = Path(sys.argv[1]), sys.argv[2]
# Ctrl-C as at a terminal: a suite started in the background by a shell without job control ignores SIGINT, and
# its children inherit that (the full suite's interrupted-sweep test then waited out its timeout)
signal.signal(signal.SIGINT, signal.default_int_handler)

def wait():
    marker.write_text(hold)
    time.sleep(600)  # the test's signal ends this wait

flush, write = storage.PartWriter.flush, storage.atomic_write_table

def held_flush(self):
    on_commit = self.on_commit
    if hold == "unrecorded" and not marker.exists():
        self.on_commit = lambda name, sums: wait()
    flush(self)
    self.on_commit = on_commit
    if hold == "recorded" and not marker.exists():
        wait()

def held_write(path, table, tmp_dir):
    if hold == "mid-write" and path.parent.name == storage.RESULTS and not marker.exists():
        data = io.BytesIO()
        pq.write_table(table, data, compression="zstd")
        tmp_dir.mkdir(parents=True, exist_ok=True)
        with open(tmp_dir / f"{path.name}.{os.getpid()}.tmp", "wb") as handle:
            handle.write(data.getvalue()[: len(data.getvalue()) // 2])
            handle.flush()
            os.fsync(handle.fileno())
        wait()
    return write(path, table, tmp_dir)

storage.PartWriter.flush, storage.atomic_write_table = held_flush, held_write
sys.argv = ["escalation-sim", *sys.argv[3:]]
from escalation_sim.cli import app
app()
"""


def start_held_sweep(marker: Path, hold: str, *args: str) -> subprocess.Popen[bytes]:
    """`escalation-sim *args` (a sweep) in its own session, waiting at `hold` once `marker` is written."""
    assert hold in HOLDS, hold
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-c", CHILD, str(marker), hold, *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
