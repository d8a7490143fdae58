"""Hostile command-line values and paths: every option checked up front (exit 2 naming it), outputs written only
as regular files, CSV cells safe for spreadsheets, and no traceback from any command (the top-level handler).

The FIFO, /dev/zero and memory cases run the real console entry in a subprocess under limits (RLIMIT_AS 2 GB,
a timeout), as a user would meet them.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.files import FileProblem, spreadsheet_safe, write_csv, write_text
from helpers import SCENARIO_DIR

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
MEMORY = 2 * 1024**3  # bytes of address space a hostile-input subprocess may take


def invoke(*args: str, input: str | None = None):
    result = runner.invoke(app, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def cli_subprocess(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "escalation_sim.cli", *args], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limited, env=env, stdin=subprocess.DEVNULL)  # fmt: skip


# --- inputs that would block or eat memory: real processes, under limits ---------------------------------------


def test_fifo_and_devices_as_scenarios_exit_2_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for command in (["validate", str(fifo)], ["validate", "/dev/zero"], ["run", str(fifo)], ["run", "/dev/zero"],
                    ["run", "/dev/urandom"], ["debrief", "/dev/zero"],
                    ["sweep", str(fifo), "--out", str(tmp_path / "o")]):  # fmt: skip
        done = cli_subprocess(*command, timeout=60)
        assert done.returncode == 2, (command, done.stderr)
        assert "Traceback" not in done.stderr
        assert "FIFO" in done.stderr or "character device" in done.stderr, done.stderr


def test_alias_bomb_stays_within_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    lines = ["a0: &a0 [" + ", ".join(["x"] * 10) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    bomb.write_text("\n".join(lines) + "\n")
    for command in (["run", str(bomb)], ["sweep", str(bomb), "--out", str(tmp_path / "o")]):
        done = cli_subprocess(*command)
        assert done.returncode == 2 and "through aliases" in done.stderr, done.stderr


# --- options checked up front ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["run", "two_state", "--seed", "-5"], "--seed: expected a whole number from 0"),
        (["distribution", "two_state", "--seed", "-1", "-n", "2"], "--seed: expected a whole number from 0"),
        (["run", "two_state", "--seed", str(2**63)], "--seed"),
        (["distribution", "two_state", "-n", str(10**12)], "--runs"),
        (["distribution", "two_state", "--workers", "100000"], "--workers"),
        (["sweep", "{sweep}", "--out", "{tmp}/new", "--workers", "100000"], "--workers"),
        (["replay", "two_state", "--seeds", str(2**63)], "--seeds"),
        (["debrief", "{tmp}/file", "--runs", str(10**9)], "--runs"),
        (["schema", "--out", "{tmp}"], "--out: {tmp} is a folder"),
        (["schema", "--out", "/dev/full"], "--out: /dev/full is a character device"),
        (["distribution", "two_state", "-n", "2", "--csv", "{tmp}"], "--csv: {tmp} is a folder"),
        (["replay", "two_state", "--seeds", "2", "--csv", "/dev/null"], "--csv: /dev/null is a character device"),
        (["run", "two_state", "--out", "{tmp}/file"], "--out: {tmp}/file exists and is a file"),
        (["run", "two_state", "--out", "{tmp}/file/sub"], "{tmp}/file is not a folder"),
        (["sweep", "{sweep}", "--out", "{tmp}/file"], "--out: {tmp}/file exists and is a file"),
        (["sweep", "{sweep}", "--out", "{tmp}", "--replicates", str(2**63)], "--replicates"),
        (["sweep-point", "{tmp}", "0", "--out", "/dev/null"], "--out: /dev/null is a character device"),
        (["play", "two_state", "--as", "BLUE", "--record", "/dev/full", "--overwrite"], "--record: /dev/full"),
    ],
)
def test_bad_values_and_paths_exit_2_naming_the_option(tmp_path: Path, args: list[str], expect: str) -> None:
    (tmp_path / "file").write_text("x")
    sweep = tmp_path / "s.yaml"
    sweep.write_text(f"name: s\nbase: {SCENARIO_DIR / 'two_state.yaml'}\nreplicates: 1\n")
    args = [a.format(tmp=tmp_path, sweep=sweep) for a in args]
    result = invoke(*args, input="")
    assert result.exit_code == 2, result.output
    assert expect.format(tmp=tmp_path) in " ".join(result.stderr.split())
    assert Path("/dev/full").exists() and not Path("/dev/full").is_file()  # the device is never replaced


def test_missing_output_folders_are_created(tmp_path: Path) -> None:
    csv = tmp_path / "new" / "deeper" / "dist.csv"
    assert invoke("distribution", "two_state", "-n", "3", "--workers", "1", "--csv", str(csv)).exit_code == 0
    assert len(pd.read_csv(csv)) == 3
    record = tmp_path / "games" / "me.json"
    result = invoke("play", "two_state", "--as", "BLUE", "--record", str(record), "--runs", "0", input="q\n")
    assert result.exit_code == 0 and record.is_file()


def test_a_failed_save_is_an_error_not_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("escalation_sim.classroom.saved.write_text", full)
    result = invoke("play", "two_state", "--as", "BLUE", "--record", str(tmp_path / "g.json"), "--runs", "0",
                    input="q\n")  # fmt: skip
    assert result.exit_code == 1
    assert "could not be saved" in result.stderr and "No space left" in result.stderr
    assert "saved to" not in result.stdout


# --- the top-level handler ---------------------------------------------------------------------------------------


def test_an_unexpected_error_is_a_short_message_and_a_report(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise ZeroDivisionError("[/x] deep inside")

    monkeypatch.setattr("escalation_sim.runner.run", broken)
    result = invoke("run", "two_state")
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "unexpected failure (ZeroDivisionError: [/x] deep inside)" in message
    report = Path(message.split("the full report is in ")[1].split(". ")[0])
    assert "Traceback" in report.read_text() and "ZeroDivisionError" in report.read_text()
    report.unlink()


# --- outputs -------------------------------------------------------------------------------------------------------


def test_csv_cells_are_spreadsheet_safe_but_numbers_stay_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"actor": ["=CMD", "+A", "-B", "@C", "\tD", "\rE", "ok", None], "killed": [-1, 2, 3, 4, 5,
                          6, 7, 8], "p": [-0.5] * 8})  # fmt: skip
    write_csv(frame, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", keep_default_na=True)
    assert list(back["actor"].iloc[:6]) == ["'=CMD", "'+A", "'-B", "'@C", "'\tD", "'\nE"]
    assert back["actor"].iloc[6] == "ok" and pd.isna(back["actor"].iloc[7])
    assert back["killed"].tolist() == frame["killed"].tolist() and back["p"].tolist() == [-0.5] * 8
    assert spreadsheet_safe(-3) == -3 and spreadsheet_safe("x=1") == "x=1"


def test_outputs_are_never_written_onto_devices_or_folders(tmp_path: Path) -> None:
    for target in ("/dev/null", "/dev/full", str(tmp_path)):
        with pytest.raises(FileProblem):
            write_text(target, "x")
    assert not Path("/dev/null").is_file()
    write_text(tmp_path / "a" / "b.txt", "x")  # missing folders are created
    assert (tmp_path / "a" / "b.txt").read_text() == "x"
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.endswith(".tmp")]
