"""Sweep folders under faults: damaged parts are quarantined and recomputed (the table equals an uninterrupted
run's), folders without a manifest are never written into, nothing the sweep did not create is deleted,
workers die with their parent, designs are sized before anything runs, and the Dask dashboard is loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.sweep import SweepError, execute_sweep, load_sweep, open_sweep, run_sweep
from held_sweep import start_held_sweep

ROOT = Path(__file__).resolve().parents[2]
TWO_STATE = ROOT / "scenarios" / "two_state.yaml"
runner = CliRunner()

SWEEP = f"""
name: faults
base: {TWO_STATE}
seed: 5
replicates: 8
parameters:
  - path: actors.BLUE.rule.margin
    name: blue_margin
    values: [0.0, 1.0, 2.0]
"""


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["wall_time_s"]).sort_values("run_id").reset_index(drop=True)


@pytest.fixture
def sweep(tmp_path: Path) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(SWEEP)
    return path


@pytest.fixture
def expected(sweep: Path) -> pd.DataFrame:
    return comparable(run_sweep(sweep, executor="serial", progress=False))


def stored(sweep: Path, out: Path) -> None:
    report = execute_sweep(sweep, out, executor="serial", flush_rows=5, chunk_size=2, progress=False,
                           trajectories=True)  # fmt: skip
    assert report.complete


def cli_sweep(sweep: Path, out: Path, *extra: str):
    result = runner.invoke(app, ["sweep", str(sweep), "--out", str(out), "--executor", "serial", "--no-summary",
                                 "--flush-rows", "5", "--chunk-size", "2", "--trajectories", *extra])  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


# --- damaged parts ---------------------------------------------------------------------------------------------


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x01
    path.write_bytes(bytes(data))


def flip_footer(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-12] ^= 0x40  # inside the Parquet footer's metadata
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [truncate, flip, flip_footer])
@pytest.mark.parametrize("which", ["results", "trajectories"])
def test_a_damaged_part_is_quarantined_and_recomputed(
    sweep: Path, expected: pd.DataFrame, tmp_path: Path, damage, which: str
) -> None:
    out = tmp_path / "out"
    stored(sweep, out)
    damage(out / which / "part-000001.parquet")
    result = cli_sweep(sweep, out)
    assert result.exit_code == 0, result.output
    assert "part-000001.parquet was damaged" in " ".join(result.stderr.split())
    assert any((out / "quarantine").iterdir())
    folder = open_sweep(out)
    assert folder.manifest["status"] == "complete"
    pd.testing.assert_frame_equal(comparable(folder.results), expected)
    trajectories = folder.trajectories()
    assert len(trajectories) == len(expected) * 60 and not trajectories.duplicated(["run_id", "day"]).any()


def test_a_damaged_part_not_yet_in_the_manifest_is_caught_by_reading_it(
    sweep: Path, expected: pd.DataFrame, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    stored(sweep, out)
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["parts"]["part-000002.parquet"]  # as if killed between the commit and the manifest update
    (out / "manifest.json").write_text(json.dumps(manifest))
    truncate(out / "results" / "part-000002.parquet")
    assert cli_sweep(sweep, out).exit_code == 0
    pd.testing.assert_frame_equal(comparable(open_sweep(out).results), expected)


def test_a_copied_part_is_quarantined_not_counted_twice(sweep: Path, expected: pd.DataFrame, tmp_path: Path) -> None:
    """Issue 24: `cp part-000000 part-000093` and the same sweep again used to end "complete" with duplicate
    run_ids. A part the manifest does not record, and that is not the one a kill could have left, is quarantined;
    reading the folder before that refuses the stray part."""
    import shutil

    out = tmp_path / "out"
    stored(sweep, out)
    shutil.copy(out / "results" / "part-000000.parquet", out / "results" / "part-000093.parquet")
    summary = runner.invoke(app, ["sweep-summary", str(out)])
    assert summary.exit_code == 2 and "part-000093.parquet was not written by this sweep" in summary.stderr
    last = max(int(p.stem.split("-")[1]) for p in (out / "results").glob("part-00000*.parquet"))
    shutil.copy(out / "results" / "part-000001.parquet", out / "results" / f"part-{last + 1:06d}.parquet")  # next
    result = cli_sweep(sweep, out)
    assert result.exit_code == 0, result.output
    assert len(list((out / "quarantine").iterdir())) == 2  # both copies, results only (no trajectory copies)
    folder = open_sweep(out)
    assert folder.results["run_id"].is_unique
    pd.testing.assert_frame_equal(comparable(folder.results), expected)
    assert runner.invoke(app, ["sweep-summary", str(out)]).exit_code == 0


def test_reading_a_damaged_folder_says_how_to_repair_it(sweep: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stored(sweep, out)
    truncate(out / "results" / "part-000000.parquet")
    result = runner.invoke(app, ["sweep-summary", str(out)])
    assert result.exit_code == 2 and "cannot be read" in result.stderr and "quarantine" in result.stderr


# --- folders ----------------------------------------------------------------------------------------------------


def test_a_folder_without_its_manifest_is_never_written_into(sweep: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stored(sweep, out)
    (out / "manifest.json").unlink()
    before = sorted(p.name for p in (out / "results").iterdir())
    result = cli_sweep(sweep, out)
    assert result.exit_code == 2 and "holds no sweep" in result.stderr
    assert sorted(p.name for p in (out / "results").iterdir()) == before
    other = tmp_path / "papers"
    other.mkdir()
    (other / "thesis.docx").write_text("mine")
    result = cli_sweep(sweep, other)
    assert result.exit_code == 2 and "thesis.docx" in result.stderr
    assert sorted(p.name for p in other.iterdir()) == ["thesis.docx"]


def test_the_sweep_never_deletes_what_it_did_not_create(sweep: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".tmp").mkdir(parents=True)
    (out / ".tmp" / "notes.txt").write_text("mine")
    assert cli_sweep(sweep, out).exit_code == 2  # not a sweep folder: refused, not emptied
    assert (out / ".tmp" / "notes.txt").read_text() == "mine"
    (out / ".tmp" / "notes.txt").unlink()
    stored(sweep, out)
    (out / ".tmp" / "notes.txt").write_text("mine")
    (out / ".tmp" / "part-000009.parquet.123.tmp").write_bytes(b"half")  # a killed sweep's temp file
    assert cli_sweep(sweep, out).exit_code == 0
    assert sorted(os.listdir(out / ".tmp")) == ["notes.txt"]


# --- designs ------------------------------------------------------------------------------------------------------


def test_a_parameter_named_like_a_result_column_is_refused(tmp_path: Path) -> None:
    for name in ("killed_BLUE", "first_response_RED", "outcome", "set"):
        path = tmp_path / "s.yaml"
        path.write_text(SWEEP.replace("name: blue_margin", f"name: {name}"))
        with pytest.raises(SweepError, match=rf"parameters\.0\.name.*{name}"):
            load_sweep(path)


@pytest.mark.parametrize(
    ("edit", "expect"),
    [
        ("replicates: 8", f"replicates: {2**63}"),
        ("replicates: 8", "replicates: 100000000"),
        ("values: [0.0, 1.0, 2.0]", "range: [0.0, 1.0]\ndesign: {kind: random, samples: 10000000}"),
        ("values: [0.0, 1.0, 2.0]", "range: [0.0, 1.0]\ndesign: {kind: saltelli, base_samples: 1048576}"),
    ],
)
def test_design_sizes_are_checked_before_anything_runs(tmp_path: Path, edit: str, expect: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SWEEP.replace(edit, expect))
    started = time.monotonic()
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "replicates" in result.stderr or "design" in result.stderr
    assert time.monotonic() - started < 10 and not (tmp_path / "o").exists()


def test_replicates_option_is_sized_too(sweep: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["sweep", str(sweep), "--out", str(tmp_path / "o"), "--replicates", str(2**63)])
    assert result.exit_code == 2 and "--replicates" in result.stderr and not (tmp_path / "o").exists()


# --- processes and sockets ----------------------------------------------------------------------------------------


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found |= {int(c) for c in text.split()}
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_pool_workers_die_with_their_parent(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SWEEP.replace("replicates: 8", "replicates: 3000"))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "escalation_sim.cli", "sweep", str(path), "--out",
                             str(tmp_path / "o"), "--executor", "process", "--workers", "2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 180  # reached only on failure: generous for a loaded machine
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:
        workers = children(proc.pid)
        time.sleep(0.1)
    assert len(workers) >= 2, "the pool did not start"
    os.kill(proc.pid, signal.SIGKILL)  # the main process only, as a crash or the OOM killer would
    proc.wait(timeout=10)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(alive(w) for w in workers):
        time.sleep(0.1)
    assert not any(alive(w) for w in workers), "pool workers outlived their parent"


@pytest.mark.slow
def test_the_local_dask_cluster_listens_on_loopback_only(sweep: Path, tmp_path: Path, monkeypatch) -> None:
    import distributed

    seen: list[tuple[str, str]] = []

    class Recording(distributed.LocalCluster):  # the real cluster, its addresses noted
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen.append((self.scheduler_address, self.dashboard_link or ""))

    monkeypatch.setattr(distributed, "LocalCluster", Recording)
    report = execute_sweep(sweep, tmp_path / "o", executor="dask", workers=1, replicates=1, progress=False)
    assert report.complete and seen
    scheduler, dashboard = seen[0]
    assert scheduler.startswith("tcp://127.0.0.1:")
    assert dashboard.startswith("http://127.0.0.1:"), dashboard


@pytest.mark.slow
def test_mapping_calls_on_dask_uses_the_same_loopback_cluster(monkeypatch) -> None:
    """score/calibrate's map_calls gets its cluster from the sweep executors' dask_client: the dashboard is
    bound to loopback (its link names 127.0.0.1 even when it listens on every interface, so ask its sockets)."""
    import distributed

    from escalation_sim.score.parallel import map_calls

    bound: list[str] = []

    class Recording(distributed.LocalCluster):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            bound.extend(s.getsockname()[0] for s in self.scheduler.http_server._sockets.values())

    monkeypatch.setattr(distributed, "LocalCluster", Recording)
    assert map_calls(pow, [(2, 3), (3, 2)], executor="dask", workers=1) == [8, 9]
    assert bound and set(bound) == {"127.0.0.1"}, bound


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["serial", "process"])
def test_an_interrupted_sweep_resumes_to_the_uninterrupted_table(
    sweep: Path, expected: pd.DataFrame, tmp_path: Path, executor: str
) -> None:
    out = tmp_path / "out"
    marker = tmp_path / "first-part-committed"  # the child waits there for the Ctrl-C (held_sweep)
    options = ["--executor", executor, "--workers", "2", "--flush-rows", "3", "--chunk-size", "1", "--trajectories"]
    proc = start_held_sweep(marker, "recorded", "sweep", str(sweep), "--out", str(out), "--no-summary", *options)
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists(), f"no part was committed: {proc.poll()}"
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole process group
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1 and b"interrupted; rerun" in stderr, stderr.decode()  # stopped, not finished
    assert b"Traceback" not in stderr
    assert len(list((out / "results").glob("part-*.parquet"))) >= 1
    assert cli_sweep(sweep, out).exit_code == 0
    pd.testing.assert_frame_equal(comparable(open_sweep(out).results), expected)


def test_disk_full_while_summarising_is_a_clean_error(sweep: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    stored(sweep, out)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("escalation_sim.files._write", full)
    result = runner.invoke(app, ["sweep-summary", str(out)])
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    result = runner.invoke(app, ["sweep-point", str(out), "3", "--out", str(tmp_path / "p.yaml")])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_swept_text_values_are_plain_text_in_figures_and_csv(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SWEEP.replace("replicates: 8", "replicates: 1") + "  - path: title\n"
                    "    values: ['$\\frac{$', '[/x]', '=CMD']\n")  # fmt: skip
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "o"), "--executor", "serial"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "outcome_vs_title.png").stat().st_size > 0
    summary = pd.read_csv(tmp_path / "o" / "summary.csv")
    assert {"$\\frac{$", "[/x]", "'=CMD"} <= set(summary["title"])


def test_a_damaged_points_table_is_rebuilt_at_resume(sweep: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stored(sweep, out)
    truncate(out / "points.parquet")
    assert cli_sweep(sweep, out).exit_code == 0
    assert len(open_sweep(out).points) == 3
    result = runner.invoke(app, ["sweep-point", str(out), "5", "--out", str(tmp_path / "p.yaml")])
    assert result.exit_code == 0, result.output
