"""The classroom web app: a page an instructor can project (the ladder timeline, the decision trace, the
actors as a network, sliders, play-as-an-actor), and class sessions with a seat per team (`app_seats`).

Serve it with `escalation-sim app [SCENARIO]` (127.0.0.1 by default), or `solara run escalation_sim.classroom.app`.
Routes: `/` the home page; `/instructor` opens and runs a class session; `/seat/IRN?session=CODE` a team's seat.
Each browser session builds its own model on the home page, so students on one server never share a crisis;
a class session is one model the seats share.

Why play was slow (2-4 minutes for a 60-day game): Mesa's SolaraViz re-rendered every component, two
matplotlib PNGs among them, after every single day, on a 300 ms timer. Here Play steps days in a thread and
redraws at most every `REDRAW_SECONDS`, however many days passed meanwhile.
"""

from __future__ import annotations

import json
import os
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import solara

from ..model import EscalationModel
from ..scenario import Scenario, load_scenario, scenario_paths
from .app_panels import network_png, timeline_panel, trace_panel
from .app_seats import InstructorPage, SeatPage
from .debrief import debrief_game
from .game import LET_MODEL_CHOOSE, ChoiceError, Game, GameError
from .sliders import rule_sliders, slider_help, with_sliders
from .widgets import bullets, page_style, table

# Solara warns on every first request over plain http that it falls back to samesite=lax cookies; that fallback
# is right for an app served on this computer or a classroom network and never embedded in another site.
warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)

SCENARIO_ENV = "ESCALATION_SIM_APP_SCENARIO"  # set by `escalation-sim app SCENARIO`
DEFAULT_SEED = 7
DAY_SECONDS = 0.15  # Play's pace: about 7 days a second, a 65-day crisis in about 10 seconds plus redraws
REDRAW_SECONDS = 1.0  # Play redraws the page at most this often
DEBRIEF_RUNS = 100  # about a second: enough for shares to the nearest ten points in class


# --- scenarios and sliders ----------------------------------------------------------------------------------


def _scenario_files() -> tuple[str, dict[str, Path]]:
    """The scenario to open first (from the command line) and every scenario the page offers, by name."""
    files = dict(scenario_paths())
    chosen = os.environ.get(SCENARIO_ENV)
    if chosen:
        path = Path(chosen)
        files = {path.stem: path, **{k: v for k, v in files.items() if k != path.stem}}
        return path.stem, files
    return ("jan2020" if "jan2020" in files else next(iter(files))), files


FIRST_SCENARIO, SCENARIO_FILES = _scenario_files()
FIRST = load_scenario(SCENARIO_FILES[FIRST_SCENARIO])


SLIDERS = rule_sliders(FIRST)  # the first scenario's; `scenario_sliders(name)` for any other


def load_named(name: str) -> Scenario:
    return FIRST if name == FIRST_SCENARIO else load_scenario(SCENARIO_FILES[name])


def scenario_sliders(name: str) -> dict[str, Any]:
    return SLIDERS if name == FIRST_SCENARIO else rule_sliders(load_named(name))


def build_scenario(name: str, values: dict[str, Any]) -> tuple[Scenario, list[str]]:
    """The named scenario with its sliders moved away from their documented values; and notes on values that
    do not apply to it (an actor or a rule it does not have)."""
    return with_sliders(load_named(name), name, values, scenario_sliders(name))


class ClassroomModel(EscalationModel):
    """The model the home page drives: a scenario by name, a seed, and the sliders' rule parameters."""

    def __init__(self, scenario_name: str = FIRST_SCENARIO, seed: int | str = DEFAULT_SEED, **slider_values: Any):
        try:
            seed = int(str(seed).strip())
        except ValueError:
            raise ValueError(f"the seed must be a whole number, not {seed!r}") from None
        crisis, notes = build_scenario(scenario_name, slider_values)
        super().__init__(scenario=crisis, rng=seed, collect=True)
        self.scenario_name = scenario_name
        self.seed = seed
        self.notes = notes
        self.game: Game | None = None
        self.debrief = None

    def step(self) -> None:
        if self.running:  # the Step button and a player's button may both reach the end
            super().step()

    def play_as(self, actor_id: str) -> Game:
        """Hand one actor to the player, and replay history up to the first day they decide."""
        if self.branch_date is None or self.day + 1 > self.branch_day:
            raise GameError("the branch point has passed: press Reset, then choose whom to play")
        self.game = Game.attach(self, actor_id, seed=self.seed, player="")
        self.game.to_branch_point()
        return self.game



# --- panels ------------------------------------------------------------------------------------------------


def status_line(model: EscalationModel) -> str:
    if model.day < 0:
        return f"not started (first day {model.start_date}): press Step or Play"
    where = "history replays" if model.day < model.branch_day else "the model decides"
    end = f"  -  outcome: {model.outcome.outcome}" if not model.running else ""
    return f"Day {model.day + 1} of {model.horizon}: {model.date.isoformat()} ({where}){end}"


def network_panel(model: ClassroomModel) -> None:
    solara.HTML(tag="h2", unsafe_innerHTML="Actors")
    solara.Image(network_png(model), classes=["es-figure"])
    if model.notes:
        solara.Warning("; ".join(model.notes))


@solara.component
def PlayPanel(model: ClassroomModel, redraw: Any) -> None:
    """Play one actor with buttons; the model plays the others. Ends with the debrief."""
    error, set_error = solara.use_state("")
    solara.HTML(tag="h2", unsafe_innerHTML="Play as an actor")
    if error:
        solara.Error(error)
    game = model.game

    def attempt(action: Any, errors: type[Exception]) -> None:
        try:
            action()
        except errors as exc:
            set_error(str(exc))
            return
        set_error("")
        redraw()

    if game is None:
        if model.branch_date is None or model.day + 1 > model.branch_day:
            solara.Text("The branch point has passed: press Reset to play an actor from it.")
            return
        solara.Text(f"Take one actor's decisions from {model.branch_date}; the model plays the others.")
        with solara.Row(classes=["es-buttons"]):
            for actor_id in model.actor_ids:
                solara.Button(f"Play as {actor_id}", outlined=True,
                              on_click=lambda a=actor_id: attempt(lambda: model.play_as(a), GameError))  # fmt: skip
        return
    if game.finished:
        _debrief(model, game, redraw)
        return
    s = game.situation()
    solara.Text(f"{s.date}: day {s.turn} of {s.turns}. You are {s.actor_id} ({s.actor_name}). "
                "Step and Play hold for you.", classes=["play-status"])  # fmt: skip
    bullets(s.blame, "Who you hold responsible")
    with solara.Row(classes=["es-buttons"]):
        solara.Button("Hold", on_click=lambda: attempt(lambda: game.play(None), ChoiceError), color="primary")
        solara.Button("Let the model decide",
                      on_click=lambda: attempt(lambda: game.play(LET_MODEL_CHOOSE), ChoiceError))  # fmt: skip
    with solara.Row(classes=["es-buttons"]):
        for o in s.options:
            if o.index == game.actor.hold_index:
                continue
            label = f"{o.text} (rung {o.rung})" + ("" if o.available else f" - open in {o.cooling_days} d")
            solara.Button(label, on_click=lambda i=o.index: attempt(lambda: game.play(i), ChoiceError),
                          disabled=not o.available, small=True, outlined=True)  # fmt: skip
    bullets(s.costs, "Costs in view")


def _debrief(model: ClassroomModel, game: Game, redraw: Any) -> None:
    record = game.record()
    solara.FileDownload(
        json.dumps(record.model_dump(mode="json"), indent=1),
        filename=f"{model.scenario_name}-{game.actor.actor_id}-seed{model.seed}.json",
        label="Download the game (for the class debrief)",
    )
    if model.debrief is None:

        def compute() -> None:
            model.debrief = debrief_game(record, runs=DEBRIEF_RUNS)
            redraw()

        solara.Button(f"Debrief (runs the model {DEBRIEF_RUNS} times)", on_click=compute, color="primary")
        return
    d = model.debrief
    o = d.outcome
    solara.Text(
        f"Your outcome: {o['outcome']} (highest rung {o.get('max_rung')}, deaths in hostile acts "
        f"{o.get('hostile_deaths')}); history's: {d.history.outcome} (highest rung {d.history.max_rung}, deaths "
        f"{d.history.hostile_deaths}).",
        classes=["debrief-outcome"],
    )
    rows = []
    for date in sorted({p.date for p in d.your_path} | {p.date for p in d.history.path}):
        yours = "; ".join(p.text for p in d.your_path if p.date == date) or "hold"
        theirs = "; ".join(p.text for p in d.history.path if p.date == date)
        rows.append([str(date), yours, theirs])
    table(["date", "you", "history"], rows, "debrief-path")
    if d.placement is not None:
        p = d.placement
        shares = ", ".join(f"{k} {100 * v:.0f}%" for k, v in p.outcome_shares.items())
        solara.Text(f"The model from the same branch point ({p.runs} runs): {shares}. Your outcome happens in "
                    f"{100 * (p.your_outcome_share or 0):.0f}% of them; your deaths exceed "
                    f"{100 * p.deaths_below:.0f}% of runs.")  # fmt: skip


@solara.component
def SliderControl(scenario: Scenario, key: str, slider: Any, value: Any, on_value: Any) -> None:
    """A labelled slider: the actor, its rule and parameter, the value with its range, and the help text."""
    actor_id, name = key.split(".", 1)
    rule = scenario.actors[actor_id].rule.name
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    solara.Text(f"{actor_id} ({rule}): {name.replace('_', ' ')} = {shown}  [range {slider.min:g}-{slider.max:g}]",
                classes=["slider-label"])  # fmt: skip
    widget = solara.SliderFloat if slider.is_float_slider else solara.SliderInt
    extra = {"step": slider.step} if slider.is_float_slider else {}
    widget(label="", value=value, min=slider.min, max=slider.max, on_value=on_value, **extra)
    solara.Text(slider_help(scenario, key), classes=["es-help"])


# --- the pages ---------------------------------------------------------------------------------------------------


def play_days(model: EscalationModel, stop: threading.Event, redraw: Any, done: Any) -> None:
    """Play's thread: a day every `DAY_SECONDS`, a redraw at most every `REDRAW_SECONDS`, until the end or stop."""
    last = time.monotonic()
    while not stop.is_set() and model.running:
        model.step()
        if time.monotonic() - last >= REDRAW_SECONDS:
            redraw()
            last = time.monotonic()
        time.sleep(DAY_SECONDS)
    if not stop.is_set():
        done()
    redraw()


@solara.component
def Home() -> None:
    """The projected page: choose a scenario, seed and rule parameters; step or play; play an actor."""
    name, set_name = solara.use_state(FIRST_SCENARIO)
    seed, set_seed = solara.use_state(DEFAULT_SEED)
    scenario = solara.use_memo(lambda: load_named(name), [name])
    sliders = solara.use_memo(lambda: scenario_sliders(name), [name])
    values, set_values = solara.use_state(dict[str, Any]())
    first = solara.use_memo(lambda: ClassroomModel(name, seed), [])  # once per browser session
    model, set_model = solara.use_state(first)
    _, set_version = solara.use_state(0)
    playing, set_playing = solara.use_state(0)  # 0: stopped; n: the n-th press of Play
    error, set_error = solara.use_state("")

    def redraw() -> None:
        set_version(lambda v: v + 1)

    def reset(new_name: str | None = None, new_seed: int | None = None, new_values: Any = None) -> None:
        set_playing(0)
        chosen = new_name or name
        pool = values if new_values is None else new_values
        own = {k: v for (n, k), v in pool.items() if n == chosen}
        try:
            set_model(ClassroomModel(chosen, seed if new_seed is None else new_seed, **own))
            set_error("")
        except (ValueError, GameError) as exc:
            set_error(str(exc))

    def start_playing() -> Any:
        # an effect, not the button's handler: updates from a thread started in a handler wait for the handler
        if not playing:
            return None
        stop = threading.Event()
        threading.Thread(target=play_days, args=(model, stop, redraw, lambda: set_playing(0)), daemon=True,
                         name="app-play").start()  # fmt: skip
        return stop.set

    solara.use_effect(start_playing, [playing, model])

    def play() -> None:
        set_playing(0 if playing else playing + 1)

    def step() -> None:
        model.step()
        redraw()

    page_style()
    solara.Title(f"escalation-sim: {scenario.title}")
    running = bool(playing)
    with solara.Div(classes=["es-page"]):
        solara.HTML(tag="h1", unsafe_innerHTML=f"escalation-sim: {scenario.title}", classes=["page-title"])
        solara.Text(status_line(model), classes=["es-status", "timeline-status"])
        with solara.Row(classes=["es-buttons", "main-buttons"]):
            solara.Button("Step", on_click=step, disabled=running or not model.running, color="primary")
            solara.Button("Pause" if running else "Play", on_click=play, disabled=not model.running)
            solara.Button("Reset", on_click=lambda: reset(), disabled=running)
            solara.Button("Class session (instructor)", href="/instructor", outlined=True)
        if error:
            solara.Error(error)
        with solara.Div(classes=["es-grid"]):
            with solara.Div(classes=["es-panel", "es-wide", "es-figure", "panel-timeline"]):
                timeline_panel(model)
            with solara.Div(classes=["es-panel", "panel-trace"]):
                trace_panel(model)
            with solara.Div(classes=["es-panel", "panel-play"]):
                PlayPanel(model, redraw)
            with solara.Div(classes=["es-panel", "panel-network"]):
                network_panel(model)
            with solara.Div(classes=["es-panel", "panel-settings"]):
                SettingsPanel(name, seed, scenario, sliders, values, set_name, set_seed, set_values, reset)


@solara.component
def SettingsPanel(name: str, seed: int, scenario: Scenario, sliders: dict[str, Any], values: dict[Any, Any],
                  set_name: Any, set_seed: Any, set_values: Any, reset: Any) -> None:  # fmt: skip
    """The scenario, the seed and a labelled slider per rule parameter; each change restarts the crisis."""
    solara.HTML(tag="h2", unsafe_innerHTML="Scenario and rule parameters")
    solara.Select("Scenario", values=list(SCENARIO_FILES), value=name,
                  on_value=lambda n: (set_name(n), reset(new_name=n)))  # fmt: skip
    solara.InputInt("Random seed", value=seed, on_value=lambda v: (set_seed(v), reset(new_seed=v)))
    solara.Text("Moving a slider restarts the crisis with the new value.", classes=["es-help"])

    def move(key: str, value: Any) -> None:
        updated = {**values, (name, key): value}
        set_values(updated)
        reset(new_values=updated)

    for key, slider in sliders.items():
        SliderControl(scenario, key, slider, values.get((name, key), slider.value), lambda v, k=key: move(k, v))


@solara.component
def Layout(children: list[Any] = []) -> None:  # noqa: B006  # Solara's signature for a layout
    """The page as it is: no app bar, no tabs, no navigation drawer (the default layout showed "PAGE 0")."""
    solara.Column(children=children, style={"padding": "0", "margin": "0"})


routes = [
    solara.Route(path="/", component=Home, label="escalation-sim", layout=Layout),
    solara.Route(path="instructor", component=InstructorPage, label="instructor"),
    solara.Route(path="seat", component=SeatPage, label="seat"),
]
