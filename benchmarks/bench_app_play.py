"""How long the app's Play button takes to play the January 2020 crisis to its end (issue 12's target: a 60-day
game in well under a minute), in a real headless Chromium against a real `escalation-sim app` on 127.0.0.1.

    .venv/bin/python benchmarks/bench_app_play.py                    # this checkout, 3 repetitions
    .venv/bin/python benchmarks/bench_app_play.py --src /other/src --status .trace-status --play ▶

Prints one line per repetition and the median; needs Debian's /usr/bin/chromium and the 'app' extra.
`--src` puts another checkout's package first on the path (to time the app as it was); `--status` is the
element whose text shows "Day 65 of 65" there.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the package's source folder to serve")
    parser.add_argument("--status", default=".timeline-status", help="element that shows 'Day N of 65'")
    parser.add_argument("--play", default="Play", help="the Play button's label (Mesa's SolaraViz: ▶)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the end")
    options = parser.parse_args()
    from playwright.sync_api import expect, sync_playwright

    port = _port()
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    env = {**os.environ, "PYTHONPATH": str(options.src.resolve()), "NO_COLOR": "1"}
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "escalation_sim.cli", "app", "jan2020", "--port", str(port)],
                                  stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    times = []
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                time.sleep(1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for n in range(options.repeat):
                page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
                page.goto(url)
                status = page.locator(options.status)
                expect(status).to_contain_text("not started", timeout=120_000)
                started = time.monotonic()
                page.get_by_role("button", name=options.play, exact=True).click()
                expect(status).to_contain_text("Day 65 of 65", timeout=options.timeout * 1000)
                times.append(time.monotonic() - started)
                print(f"run {n + 1}: 65 days played in {times[-1]:.1f} s", flush=True)
                page.context.close()
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    load = os.getloadavg()[0]
    print(f"median {statistics.median(times):.1f} s over {len(times)} runs (load average at the end {load:.1f}, "
          f"{os.cpu_count()} cores)")  # fmt: skip


if __name__ == "__main__":
    main()
