"""The home page's single-player panel (play one actor with buttons, then its debrief) and the Step and Play
machinery: presses of Step queued and played by a thread, Play's days in a thread redrawn at most every second.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import solara

from ..model import EscalationModel
from .briefing import belief_words
from .debrief import debrief_game, placement_words
from .game import LET_MODEL_CHOOSE, ChoiceError, Game, GameError
from .session import choice_rows, choice_summary, last_choice
from .widgets import bullets, heading, table

DAY_SECONDS = 0.15  # Play's pace: about 7 days a second, a 65-day crisis in about 10 seconds plus redraws
REDRAW_SECONDS = 1.0  # Play redraws the page at most this often
DEBRIEF_RUNS = 100  # about a second: enough for shares to the nearest ten points in class


class StepQueue:
    """Presses of Step not yet played: each press adds a day, a thread plays them in order and redraws. The
    button's handler only counts, so a press made while the page redraws is never lost (under load, 8 presses
    had moved the page 6 days)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting = 0
        self.busy = False

    def press(self, model: EscalationModel, redraw: Any) -> None:
        with self.lock:
            self.waiting += 1
            if self.busy:
                return
            self.busy = True
        threading.Thread(target=self._play, args=(model, redraw), daemon=True, name="app-step").start()

    def _play(self, model: EscalationModel, redraw: Any) -> None:
        while True:
            with self.lock:
                if not self.waiting:
                    self.busy = False
                    break
                self.waiting -= 1
            model.step()
            redraw()


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
def PlayPanel(model: Any, redraw: Any, version: int) -> None:
    """Play one actor with buttons; the model plays the others. Ends with the debrief. `version` changes on every
    redraw: a child component whose arguments did not change is not drawn again (the "Play as" buttons stayed)."""
    error, set_error = solara.use_state("")
    heading("Play as an actor")
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
                solara.Button(
                    f"Play as {actor_id}",
                    outlined=True,
                    on_click=lambda a=actor_id: attempt(lambda: model.play_as(a), GameError),
                )
        return
    if game.finished:
        _debrief(model, game, redraw)
        return
    s = game.situation()
    solara.Text(
        f"{s.date}: your day {s.turn} of {s.turns} from the branch point. You are {s.actor_id} ({s.actor_name}). "
        "Step and Play hold for you.",
        classes=["play-status"],
    )
    last = last_choice(game.choices)
    if last:
        solara.Text(f"Last day: {last}", classes=["play-last"])
    bullets(s.happened[-8:] or ["nothing new"], "What happened since your last decision", "play-news")
    with solara.Row(classes=["es-buttons"]):
        solara.Button("Hold", on_click=lambda: attempt(lambda: game.play(None), ChoiceError), color="primary")
        solara.Button(
            "Let the model decide today", on_click=lambda: attempt(lambda: game.play(LET_MODEL_CHOOSE), ChoiceError)
        )
        solara.Button(
            "Let the model play this actor from now on",
            outlined=True,
            on_click=lambda: attempt(lambda: model.hand_over(), ChoiceError),
        )
    with solara.Row(classes=["es-buttons", "play-options"]):
        for o in s.options:
            if o.index == game.actor.hold_index:
                continue
            label = f"{o.text} (rung {o.rung})" + ("" if o.available else f" - open in {o.cooling_days} d")
            solara.Button(
                label,
                on_click=lambda i=o.index: attempt(lambda: game.play(i), ChoiceError),
                disabled=not o.available,
                small=True,
                outlined=True,
            )
    bullets(s.blame, "Who you hold responsible")
    beliefs = belief_words(game.actor)
    if beliefs:
        bullets(beliefs, "What you believe")
    bullets(s.costs, "Costs in view")


def _debrief(model: Any, game: Game, redraw: Any) -> None:
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
    history = {}
    for p in d.history.path:
        history.setdefault(p.date, []).append(p.text)
    solara.Text(choice_summary(game.choices, "you"), classes=["debrief-days"])
    table(
        ["date", "you", "chosen by", "the model's probability", "history"],
        choice_rows(game.choices, history, "you"),
        "debrief-path",
    )
    if d.placement is not None:
        solara.Text(placement_words(d.placement, "your game", outcome_share=True))
