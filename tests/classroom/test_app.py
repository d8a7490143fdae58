"""The classroom web app: its model under SolaraViz's rules, the `app` command, and the page in a real Chromium."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("solara", reason="the app needs the 'app' extra: pip install -e '.[app]'")

from escalation_sim.classroom.app import SLIDERS, ClassroomModel, build_scenario, scenario_sliders
from escalation_sim.classroom.saved import GameError
from escalation_sim.classroom.timeline_view import MIN_FONT_PT, timeline_svg
from escalation_sim.cli import app as cli
from escalation_sim.scenario import apply_edits, load_scenario, validate_scenario_data

ROOT = Path(__file__).resolve().parents[2]


# --- the app's model -------------------------------------------------------------------------------------------


US_MARGIN = "USA.regimes.red_line.margin"  # the US is a regime model in jan2020 (issue 8): its red line's margin


def test_the_page_model_applies_sliders_and_steps_to_the_end():
    model = ClassroomModel("jan2020", 7, **{US_MARGIN: 1.5})
    assert model.crisis.actors["USA"].rule.regimes["red_line"].margin == 1.5
    while model.running:
        model.step()
    model.step()  # one more press of Step at the end is harmless
    assert model.day == model.horizon - 1


def test_sliders_follow_the_scenario():
    """two_state's two states follow `proportional`, whose one numeric parameter is its margin: a slider each."""
    assert set(scenario_sliders("two_state")) == {"BLUE.margin", "RED.margin"}
    assert {"IRN.temperature", US_MARGIN} <= set(SLIDERS) and "BLUE.margin" not in SLIDERS


def test_timeline_uses_its_axis_and_keeps_text_large():
    model = ClassroomModel("jan2020", 7)
    for _ in range(10):
        model.step()
    svg = timeline_svg(model)
    assert "<text" in svg  # text stays text: the browser test measures it
    sizes = {float(size) for size in re.findall(r"font-size: ([0-9.]+)px", svg)}
    assert sizes and min(sizes) >= MIN_FONT_PT


def test_every_slider_end_is_a_valid_scenario():
    scenario = load_scenario(ROOT / "scenarios" / "jan2020.yaml")
    raw = scenario.model_dump(mode="json")
    assert "IRN.temperature" in SLIDERS and US_MARGIN in SLIDERS
    for key, slider in SLIDERS.items():
        actor, param = key.split(".", 1)
        for value in (slider.min, slider.max):
            validate_scenario_data(apply_edits(raw, {f"actors.{actor}.rule.{param}": value}))


def test_sliders_that_do_not_fit_another_scenario_are_reported_not_applied():
    scenario, notes = build_scenario("two_state", {US_MARGIN: 2.0})
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


def test_timeline_axis_spans_the_days_played():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import num2date
    from matplotlib.figure import Figure

    from escalation_sim.classroom.timeline_view import MIN_SPAN_DAYS, _draw

    model = ClassroomModel("jan2020", 7)
    for days in (10, 40):
        while model.day + 1 < days:
            model.step()
        figure = Figure()
        FigureCanvasAgg(figure)
        ax = figure.subplots()
        _draw(model, ax)
        low, high = (num2date(x).date() for x in ax.get_xlim())
        assert (high - model.start_date).days == max(days, MIN_SPAN_DAYS)  # the axis ends at the last day played
        assert (model.start_date - low).days <= 1


def test_every_slider_has_its_parameters_description_as_help():
    """Nested doctrines (a regime's red line) included: the help is the pydantic Field's own description."""
    from escalation_sim.classroom.sliders import rule_sliders, slider_help

    for name in ("jan2020", "two_state"):
        scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        for key in rule_sliders(scenario):
            assert slider_help(scenario, key), key


def test_app_links_name_a_reachable_address_and_sessions_need_a_writable_folder(tmp_path):
    from escalation_sim.cli.serve import folder_problem, public_url

    assert public_url("127.0.0.1", 8765) == "http://127.0.0.1:8765"
    wildcard = public_url("0.0.0.0", 8800)
    assert wildcard.startswith("http://") and wildcard.endswith(":8800") and "0.0.0.0" not in wildcard
    assert folder_problem(tmp_path / "new" / "sessions") == "" and (tmp_path / "new" / "sessions").is_dir()
    (tmp_path / "file").write_text("x")
    assert folder_problem(tmp_path / "file") == "not a folder"
    result = CliRunner().invoke(cli, ["app", "jan2020", "--sessions", str(tmp_path / "file")])
    assert result.exit_code == 2 and "--sessions" in result.output
    result = CliRunner().invoke(cli, ["app", "jan2020", "--url", "class.example.edu"])
    assert result.exit_code == 2 and "http://" in result.output


def test_a_few_key_sliders_come_first():
    from escalation_sim.classroom.sliders import KEY_COUNT, key_sliders

    first = key_sliders(SLIDERS, load_scenario(ROOT / "scenarios" / "jan2020.yaml"))
    assert len(first) == KEY_COUNT and first[0] == "IRN.temperature" and US_MARGIN in first
    assert len(SLIDERS) > 20  # the rest wait under "Advanced"


def test_slider_labels_name_the_doctrine_in_words():
    from escalation_sim.classroom.sliders import slider_words

    assert slider_words(US_MARGIN) == "red line: margin"
    assert slider_words("IRN.temperature") == "temperature"
    assert slider_words("X.components.0.rule.killed_threshold") == "component 1: killed threshold"
    assert slider_words("X.regimes.a.components.1.rule.margin") == "a, component 2: margin"
