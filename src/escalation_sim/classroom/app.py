"""The classroom web app: a page an instructor can project (the ladder timeline, the decision trace, the
actors as a network, sliders, play-as-an-actor), and class sessions with a seat per team (`app_seats`).

Serve it with `escalation-sim app [SCENARIO]` (127.0.0.1 by default), or `solara run escalation_sim.classroom.app`.
Routes: `/` the home page; `/instructor` opens a class session, `/instructor?session=CODE&token=T` runs it;
`/seat/IRN?session=CODE&token=T` a team's seat (each link with its own token).
Each browser session builds its own model on the home page, so students on one server never share a crisis;
a class session is one model the seats share.

Why play was slow (2-4 minutes for a 60-day game): Mesa's SolaraViz re-rendered every component, two
matplotlib PNGs among them, after every single day, on a 300 ms timer. Here Play steps days in a thread and
redraws at most every `REDRAW_SECONDS`, however many days passed meanwhile.
"""

from __future__ import annotations

import os
import threading
import warnings
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import solara

from ..model import EscalationModel
from ..scenario import Scenario, load_scenario, scenario_paths
from .app_instructor import InstructorPage
from .app_panels import network_png, timeline_panel, trace_panel
from .app_play import PlayPanel, StepQueue, play_days
from .app_seats import SeatPage
from .game import LET_MODEL_CHOOSE, ChoiceError, Game, GameError
from .sliders import key_sliders, rule_sliders, slider_help, slider_words, with_sliders
from .widgets import heading, page_style

# Solara warns on every first request over plain http that it falls back to samesite=lax cookies; that fallback
# is right for an app served on this computer or a classroom network and never embedded in another site.
warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)

SCENARIO_ENV = "ESCALATION_SIM_APP_SCENARIO"  # set by `escalation-sim app SCENARIO`
DEFAULT_SEED = 7


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
        self.step_lock = threading.RLock()
        self.debrief = None

    def step(self) -> None:
        with self.step_lock:  # Step's thread, Play's and a player's button: one day at a time
            if self.running:  # the Step button and a player's button may both reach the end
                super().step()

    def hand_over(self) -> None:
        """Let the model play the player's actor to the end of the crisis (what it chose stays in the game)."""
        if self.game is None:
            raise ChoiceError("no actor is played: press Play as first")
        while not self.game.finished:
            self.game.play(LET_MODEL_CHOOSE)

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
    heading("Actors")
    solara.Image(network_png(model), classes=["es-figure"])
    if model.notes:
        solara.Warning("; ".join(model.notes))


@solara.component
def SliderControl(scenario: Scenario, key: str, slider: Any, value: Any, on_value: Any) -> None:
    """A labelled slider: the actor, its rule and parameter, the value with its range, and the help text."""
    actor_id = key.split(".", 1)[0]
    rule = scenario.actors[actor_id].rule.name.replace("_", " ")
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    solara.Text(
        f"{actor_id} ({rule}): {slider_words(key)} = {shown}  (from {slider.min:g} to {slider.max:g})",
        classes=["slider-label"],
    )
    widget = solara.SliderFloat if slider.is_float_slider else solara.SliderInt
    extra = {"step": slider.step} if slider.is_float_slider else {}
    widget(label="", value=value, min=slider.min, max=slider.max, on_value=on_value, **extra)
    solara.Text(slider_help(scenario, key), classes=["es-help"])


# --- the pages ---------------------------------------------------------------------------------------------------


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
    version, set_version = solara.use_state(0)
    steps = solara.use_memo(StepQueue, [model])
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
        threading.Thread(
            target=play_days, args=(model, stop, redraw, lambda: set_playing(0)), daemon=True, name="app-play"
        ).start()
        return stop.set

    solara.use_effect(start_playing, [playing, model])

    def play() -> None:
        set_playing(0 if playing else playing + 1)

    def step() -> None:
        steps.press(model, redraw)

    page_style()
    solara.Title(f"escalation-sim: {scenario.title}")
    running = bool(playing)
    with solara.Div(classes=["es-page"]):
        heading(f"escalation-sim: {scenario.title}", "h1", classes=["page-title"])
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
                PlayPanel(model, redraw, version)
            with solara.Div(classes=["es-panel", "panel-network"]):
                network_panel(model)
            with solara.Div(classes=["es-panel", "panel-settings"]):
                SettingsPanel(name, seed, scenario, sliders, values, set_name, set_seed, set_values, reset)


@solara.component
def SettingsPanel(
    name: str,
    seed: int,
    scenario: Scenario,
    sliders: dict[str, Any],
    values: dict[Any, Any],
    set_name: Any,
    set_seed: Any,
    set_values: Any,
    reset: Any,
) -> None:
    """The scenario, the seed and a labelled slider per rule parameter; each change restarts the crisis."""
    heading("Scenario and rule parameters")
    solara.Select(
        "Scenario", values=list(SCENARIO_FILES), value=name, on_value=lambda n: (set_name(n), reset(new_name=n))
    )
    solara.InputInt("Random seed", value=seed, on_value=lambda v: (set_seed(v), reset(new_seed=v)))
    solara.Text("Moving a slider restarts the crisis with the new value.", classes=["es-help"])

    def move(key: str, value: Any) -> None:
        updated = {**values, (name, key): value}
        set_values(updated)
        reset(new_values=updated)

    first = key_sliders(sliders, scenario)
    for key in first:
        SliderControl(
            scenario, key, sliders[key], values.get((name, key), sliders[key].value), lambda v, k=key: move(k, v)
        )
    rest = [k for k in sliders if k not in first]
    if rest:
        with solara.Details(f"Advanced: {len(rest)} more rule parameters"):
            for key in rest:
                SliderControl(
                    scenario,
                    key,
                    sliders[key],
                    values.get((name, key), sliders[key].value),
                    lambda v, k=key: move(k, v),
                )


@solara.component
def Layout(children: list[Any] = []) -> None:  # noqa: B006  # Solara's signature for a layout
    """The page as it is: no app bar, no tabs, no navigation drawer (the default layout showed "PAGE 0")."""
    solara.Column(children=children, style={"padding": "0", "margin": "0"})


routes = [
    solara.Route(path="/", component=Home, label="escalation-sim", layout=Layout),
    solara.Route(path="instructor", component=InstructorPage, label="instructor"),
    solara.Route(path="seat", component=SeatPage, label="seat"),
]
