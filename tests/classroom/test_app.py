"""The classroom web app: its model under SolaraViz's rules, the `app` command, and the page in a real Chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("solara", reason="the app needs the 'app' extra: pip install -e '.[app]'")

from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params

from escalation_sim.classroom.app import SLIDERS, ClassroomModel, build_scenario, model_params
from escalation_sim.classroom.saved import GameError
from escalation_sim.cli import app as cli
from escalation_sim.scenario import apply_edits, load_scenario, validate_scenario_data

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip


# --- the app's model -------------------------------------------------------------------------------------------


US_MARGIN = "USA.regimes.red_line.margin"  # the US is a regime model in jan2020 (issue 8): its red line's margin


def test_the_model_survives_solaraviz_reset_and_parameter_checks():
    model = ClassroomModel()
    _check_model_params(model, model_params)  # raises on what SolaraViz would refuse
    defaults = {k: (v["value"] if isinstance(v, dict) else v.value) for k, v in model_params.items()}
    kwargs = _build_model_init_kwargs(
        model, {**defaults, US_MARGIN: 1.5}, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    rebuilt = type(model)(**kwargs)  # what the Reset button does
    assert rebuilt.crisis.actors["USA"].rule.regimes["red_line"].margin == 1.5
    assert rebuilt.scenario.actors["USA"] is rebuilt.crisis.actors["USA"]  # the agents read it there
    while rebuilt.running:
        rebuilt.step()
    rebuilt.step()  # one more press of Step at the end is harmless
    assert rebuilt.day == rebuilt.horizon - 1


def test_every_slider_end_is_a_valid_scenario():
    scenario = load_scenario(ROOT / "scenarios" / "jan2020.yaml")
    raw = scenario.model_dump(mode="json")
    assert "IRN.temperature" in SLIDERS and US_MARGIN in SLIDERS
    for key, slider in SLIDERS.items():
        actor, param = key.split(".", 1)
        for value in (slider.min, slider.max):
            validate_scenario_data(apply_edits(raw, {f"actors.{actor}.rule.{param}": value}))


def test_sliders_that_do_not_fit_another_scenario_are_reported_not_applied():
    scenario, notes = build_scenario(
        "two_state", {US_MARGIN: 2.0, "IRN.temperature": SLIDERS["IRN.temperature"].value}
    )
    assert scenario.name == "two_state"
    assert notes == [f"{US_MARGIN} = 2.0 does not apply to two_state (no such actor or rule parameter)"]


def test_playing_from_the_app_model(tmp_path):
    model = ClassroomModel(seed=3)
    game = model.play_as("IRN")
    assert model.day + 1 == model.branch_day and game.deciding
    game.play(next(o.index for o in game.actor.options if o.action == "calibrated_strike"))
    assert any(r.origin == "player" for r in model.records)
    while model.running:
        model.step()  # the page's Step button: the player holds
    assert game.finished and game.record().finished
    with pytest.raises(GameError, match="branch point has passed"):
        model.play_as("USA")
    with pytest.raises(ValueError, match="seed must be a whole number"):
        ClassroomModel(seed="seven")


# --- the command -------------------------------------------------------------------------------------------------


def test_app_refuses_a_port_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["app", "jan2020", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


def test_app_refuses_an_unknown_scenario():
    result = CliRunner().invoke(cli, ["app", "nowhere"])
    assert result.exit_code == 2 and "no shipped scenario of that name" in result.stderr


# --- the page in a browser ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `escalation-sim app` on a free loopback port; stopped (its process group) afterwards."""
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "escalation_sim.cli", "app", "jan2020", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
            env={**os.environ, "NO_COLOR": "1"},
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the app server did not come up:\n{log.read_text()}")
            time.sleep(0.5)
        yield url, port, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _non_loopback_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_server_listens_on_loopback_only(server):
    _, port, _ = server
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to try")
    with pytest.raises(OSError), socket.create_connection((address, port), timeout=2):
        pass


@pytest.mark.browser
@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no /usr/bin/chromium (Debian's chromium package; .ci/run installs it)"
)
def test_page_steps_plays_and_works_offline(server):
    from playwright.sync_api import expect, sync_playwright

    url, port, log = server
    requests: list[str] = []
    failures: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.on("request", lambda r: requests.append(r.url))
            page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))
            page.goto(url)
            trace = page.locator(".trace-status")
            expect(trace).to_contain_text("not started", timeout=60_000)
            timeline = page.locator(".v-card", has_text="Ladder timeline").locator("img")
            before = timeline.get_attribute("src")
            for control in ("Scenario (sliders below are jan2020's)", "IRN (cost_benefit): temperature", "Random seed"):
                expect(page.get_by_text(control)).to_be_visible()

            page.get_by_role("button", name="Step").click()
            expect(trace).to_contain_text("Day 1 of 65: 2019-12-27 (history replays) - 1 actions so far")
            expect(page.locator(".decision-trace")).to_contain_text("rocket attack on K-1")
            expect(timeline).not_to_have_attribute("src", before or "")
            for day in (2, 3, 4):
                page.get_by_role("button", name="Step").click()
                expect(trace).to_contain_text(f"Day {day} of 65")

            # play as Iran with the buttons: history replays to the branch point, then the student decides
            page.get_by_role("button", name="Play as IRN").click()
            expect(page.locator(".play-status")).to_contain_text("2020-01-04: day 1 of 57. You are IRN")
            page.get_by_role("button", name="calibrated strike on state forces -> USA (rung 7)").click()
            expect(page.locator(".play-status")).to_contain_text("day 2 of 57")
            expect(page.locator(".decision-trace")).to_contain_text("(player)")
            expect(page.locator(".decision-trace")).to_contain_text("the player's choice")
            expect(trace).to_contain_text("Day 9 of 65: 2020-01-04 (the model decides)")

            # a second browser session has a model of its own, untouched by the first one's steps
            other = browser.new_context().new_page()
            other.on("request", lambda r: requests.append(r.url))
            other.goto(url)
            expect(other.locator(".trace-status")).to_contain_text("not started", timeout=60_000)
            expect(trace).to_contain_text("Day 9 of 65")
        finally:
            browser.close()
    outside = sorted({u for u in requests if not u.startswith(f"http://127.0.0.1:{port}/") and u.startswith("http")})
    assert requests and not outside, f"requests left the machine: {outside}"
    assert not failures, f"failed requests: {failures}"
    server_log = log.read_text()
    assert "Could not load URL" not in server_log, server_log  # the server did not fetch front-end files either
    assert "Traceback" not in server_log, server_log
