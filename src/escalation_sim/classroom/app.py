"""The classroom web app: Mesa's SolaraViz with the ladder timeline, the decision trace, the actors as a network
and play-as-an-actor buttons.

Serve it with `escalation-sim app [SCENARIO]` (127.0.0.1 by default), or
`solara run escalation_sim.classroom.app:Page`.
Laid out like Mesa's example apps: model parameters for the sidebar, one function per component, then the page.
Each browser session builds its own model (`Page` below), so students on one server never share a crisis.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)
import networkx as nx
import solara
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from ..model import EscalationModel
from ..plots import timeline
from ..scenario import Scenario, load_scenario, scenario_paths
from .debrief import debrief_game
from .game import LET_MODEL_CHOOSE, ChoiceError, Game, GameError
from .sliders import rule_sliders, with_sliders

SCENARIO_ENV = "ESCALATION_SIM_APP_SCENARIO"  # set by `escalation-sim app SCENARIO`
DEFAULT_SEED = 7
TRACE_LENGTH = 8
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


SLIDERS = rule_sliders(FIRST)


def build_scenario(name: str, values: dict[str, Any]) -> tuple[Scenario, list[str]]:
    """The named scenario with the sliders moved away from the first scenario's values; and notes on sliders
    that do not apply to it (an actor or a rule it does not have)."""
    scenario = FIRST if name == FIRST_SCENARIO else load_scenario(SCENARIO_FILES[name])
    return with_sliders(scenario, name, values, SLIDERS)


class _CrisisReader:
    """What `model.scenario` is in the app: the crisis description, read through, but falsy.

    Mesa 3.5's SolaraViz takes a truthy `model.scenario` for Mesa's experimental Scenario and rebuilds the
    model from its class; ours is the crisis (see the report's request to the model layer)."""

    __slots__ = ("crisis",)

    def __init__(self, crisis: Scenario) -> None:
        self.crisis = crisis

    def __getattr__(self, name: str) -> Any:
        return getattr(self.crisis, name)

    def __bool__(self) -> bool:
        return False


class ClassroomModel(EscalationModel):
    """The model the page drives: a scenario by name, a seed, and the sliders' rule parameters."""

    def __init__(self, scenario_name: str = FIRST_SCENARIO, seed: int | str = DEFAULT_SEED, **slider_values: Any):
        try:
            seed = int(str(seed).strip())
        except ValueError:
            raise ValueError(f"the seed must be a whole number, not {seed!r}") from None
        crisis, notes = build_scenario(scenario_name, slider_values)
        self._reader = _CrisisReader(crisis)
        super().__init__(scenario=crisis, rng=seed, collect=True)
        self.scenario_name = scenario_name
        self.seed = seed
        self.notes = notes
        self.game: Game | None = None
        self.debrief = None

    @property
    def scenario(self) -> Any:  # type: ignore[override]
        return self._reader

    @scenario.setter
    def scenario(self, value: Any) -> None:
        pass

    def step(self) -> None:
        if self.running:  # the page's Step button and a player's button may both reach the end
            super().step()

    def play_as(self, actor_id: str) -> Game:
        """Hand one actor to the player, and replay history up to the first day they decide."""
        if self.branch_date is None or self.day + 1 > self.branch_day:
            raise GameError("the branch point has passed: press Reset, then choose whom to play")
        self.game = Game.attach(self, actor_id, seed=self.seed, player="")
        self.game.to_branch_point()
        return self.game


model_params: dict[str, Any] = {
    "scenario_name": {
        "type": "Select",
        "value": FIRST_SCENARIO,
        "values": list(SCENARIO_FILES),
        "label": "Scenario (sliders below are " + FIRST_SCENARIO + "'s)",
    },
    "seed": {"type": "InputText", "value": DEFAULT_SEED, "label": "Random seed"},
    **SLIDERS,
}


# --- components ----------------------------------------------------------------------------------------------


def _status(model: EscalationModel) -> str:
    if model.day < 0:
        return f"{model.crisis.title}: not started (first day {model.start_date}); press Step or Play"
    where = "history replays" if model.day < model.branch_day else "the model decides"
    end = f"  -  outcome: {model.outcome.outcome}" if not model.running else ""
    return f"Day {model.day + 1} of {model.horizon}: {model.date.isoformat()} ({where}){end}"


@solara.component
def LadderTimeline(model: EscalationModel) -> None:
    """Where each actor stood on the ladder, day by day, with the historical events marked."""
    update_counter.get()
    with solara.Card("Ladder timeline"):
        solara.Text(_status(model), classes=["timeline-status"])
        fig = Figure(figsize=(7.5, 4.2), layout="constrained")
        timeline(model, ax=fig.subplots())
        solara.FigureMatplotlib(fig, format="png", dependencies=[update_counter.value, id(model)])
        events = model.crisis.events
        with solara.Details(f"Historical events ({len(events)}; hollow markers on the timeline)"):
            _bullets(
                f"{e.id} {e.date}: {e.description}" + (" (after the branch point: the model decides instead)"
                if model.branch_date and e.date >= model.branch_date and not e.exogenous else "")
                for e in events
            )  # fmt: skip


@solara.component
def DecisionTrace(model: EscalationModel) -> None:
    """The last actions taken, newest first, with the probability the rule gave them and why."""
    update_counter.get()
    records = model.records[-TRACE_LENGTH:][::-1]
    with solara.Card("Decision trace"):
        solara.Text(f"{_status(model)}  -  {len(model.records)} actions so far", classes=["trace-status"])
        if not records:
            solara.Text("No action yet.")
            return
        rows = []
        for r in records:
            target = f" -> {r.target}" if r.target else ""
            p = "" if r.probability != r.probability else f"{r.probability:.2f}"  # NaN: no decision involved
            why = r.reason if len(r.reason) <= 120 else r.reason[:117] + "..."
            label = model.ladder[r.action].label
            rows.append([str(r.date), r.actor or "", f"{label}{target} ({r.origin})", p, why])
        _table(["date", "actor", "action", "p", "why"], rows, css_class="decision-trace")


@solara.component
def ActorNetwork(model: EscalationModel) -> None:
    """The actors and their ties: who sponsors whom, who stands on whose soil, who are adversaries."""
    update_counter.get()
    graph = nx.MultiDiGraph()
    for actor in model.actors:
        graph.add_node(actor.actor_id)
    kinds = {"sponsor": ("#2e8b57", "solid"), "host": ("#808080", "dotted"), "adversary": ("#b22222", "dashed")}
    for actor in model.actors:
        spec = actor.spec
        if spec.sponsor:
            graph.add_edge(actor.actor_id, spec.sponsor, kind="sponsor")
        if spec.located_in:
            graph.add_edge(actor.actor_id, spec.located_in, kind="host")
        for other in spec.adversaries:
            if not graph.has_edge(other, actor.actor_id):  # one line per pair of adversaries
                graph.add_edge(actor.actor_id, other, kind="adversary")
    positions = nx.circular_layout(graph)  # deterministic: no draw from any generator
    fig = Figure(figsize=(5.5, 4.0), layout="constrained")
    ax = fig.subplots()
    pressure = [max(a.outstanding) for a in model.actors]
    nx.draw_networkx_nodes(
        graph, positions, ax=ax, node_color=pressure, cmap="Reds", vmin=0, vmax=10, node_size=1400,
        edgecolors="black", nodelist=[a.actor_id for a in model.actors],
    )  # fmt: skip
    nx.draw_networkx_labels(graph, positions, ax=ax, font_size=9)
    for n, (kind, (colour, style)) in enumerate(kinds.items()):
        edges = [(u, v) for u, v, k in graph.edges(data="kind") if k == kind]
        nx.draw_networkx_edges(
            graph, positions, edgelist=edges, ax=ax, edge_color=colour, style=style, arrows=True,
            arrowstyle="-" if kind == "adversary" else "-|>", connectionstyle=f"arc3,rad={0.08 * (n + 1)}",
            node_size=1400, arrowsize=12,
        )  # fmt: skip
    for actor in model.actors:
        x, y = positions[actor.actor_id]
        ax.annotate(actor.last_action, (x, y), xytext=(0, -30), textcoords="offset points", ha="center", fontsize=7)
    handles = [Line2D([], [], color=c, linestyle=s, label=k) for k, (c, s) in kinds.items()]
    ax.legend(handles=handles, loc="lower left", fontsize=7, title="ties (shade: unanswered acts)", title_fontsize=7)
    ax.set_axis_off()
    ax.margins(0.15)
    with solara.Card("Actors"):
        solara.FigureMatplotlib(fig, format="png", dependencies=[update_counter.value, id(model)])
        if getattr(model, "notes", None):
            solara.Warning("; ".join(model.notes))


@solara.component
def PlayPanel(model: ClassroomModel) -> None:
    """Play one actor with buttons; the model plays the others. Ends with the debrief."""
    update_counter.get()
    error, set_error = solara.use_state("")
    with solara.Card("Play as an actor"):
        if error:
            solara.Error(error)
        game = getattr(model, "game", None)
        if game is None:
            _choose_actor(model, set_error)
            return
        if game.finished:
            _debrief(model, game)
            return
        _turn(model, game, set_error)


def _choose_actor(model: ClassroomModel, set_error: Any) -> None:
    if model.branch_date is None or model.day + 1 > model.branch_day:
        solara.Text("The branch point has passed: press Reset to play an actor from it.")
        return
    solara.Text(f"Take one actor's decisions from {model.branch_date}; the model plays the others.")

    def choose(actor_id: str) -> None:
        _attempt(lambda: model.play_as(actor_id), GameError, set_error)

    with solara.Row(style={"flex-wrap": "wrap"}):
        for actor_id in model.actor_ids:
            solara.Button(f"Play as {actor_id}", on_click=lambda a=actor_id: choose(a), outlined=True)


def _attempt(action: Any, errors: type[Exception], set_error: Any) -> None:
    """Run a button's action; show its error on the page, or clear the error and redraw."""
    try:
        action()
    except errors as exc:
        set_error(str(exc))
        return
    set_error("")
    force_update()


def _turn(model: ClassroomModel, game: Game, set_error: Any) -> None:
    s = game.situation()
    solara.Text(f"{s.date}: day {s.turn} of {s.turns}. You are {s.actor_id} ({s.actor_name}). "
                "The Step and Play buttons hold for you.", classes=["play-status"])  # fmt: skip
    _bullets(s.happened[-10:] or ["nothing"], "What happened")
    _bullets(s.blame, "Who you hold responsible")
    _bullets(s.costs, "Costs in view")

    def decide(choice: int | str | None) -> None:
        _attempt(lambda: game.play(choice), ChoiceError, set_error)

    with solara.Row(style={"flex-wrap": "wrap"}):
        for o in s.options:
            if o.index == game.actor.hold_index:
                continue
            label = f"{o.text} (rung {o.rung})" + ("" if o.available else f" - open in {o.cooling_days} d")
            solara.Button(label, on_click=lambda i=o.index: decide(i), disabled=not o.available, small=True)
    with solara.Row():
        solara.Button("Hold", on_click=lambda: decide(None), color="primary", small=True)
        solara.Button("Let the model decide", on_click=lambda: decide(LET_MODEL_CHOOSE), small=True)


def _debrief(model: ClassroomModel, game: Game) -> None:
    record = game.record()
    solara.FileDownload(
        json.dumps(record.model_dump(mode="json"), indent=1),
        filename=f"{model.scenario_name}-{game.actor.actor_id}-seed{model.seed}.json",
        label="Download the game (for the class debrief)",
    )
    if model.debrief is None:

        def compute() -> None:
            model.debrief = debrief_game(record, runs=DEBRIEF_RUNS)
            force_update()

        solara.Button(f"Debrief (runs the model {DEBRIEF_RUNS} times)", on_click=compute, color="primary")
        return
    d = model.debrief
    o = d.outcome
    solara.Text(
        f"Your outcome: {o['outcome']} (highest rung {o.get('max_rung')}, deaths in hostile acts "
        f"{o.get('hostile_deaths')}); history's: {d.history.outcome} (highest rung {d.history.max_rung}).",
        classes=["debrief-outcome"],
    )
    rows = []
    for date in sorted({p.date for p in d.your_path} | {p.date for p in d.history.path}):
        yours = "; ".join(p.text for p in d.your_path if p.date == date) or "hold"
        theirs = "; ".join(p.text for p in d.history.path if p.date == date)
        rows.append([str(date), yours, theirs])
    _table(["date", "you", "history"], rows, css_class="debrief-path")
    if d.placement is not None:
        p = d.placement
        shares = ", ".join(f"{k} {100 * v:.0f}%" for k, v in p.outcome_shares.items())
        solara.Text(
            f"The model from the same branch point ({p.runs} runs): {shares}. Your outcome happens in "
            f"{100 * (p.your_outcome_share or 0):.0f}% of them; your deaths exceed {100 * p.deaths_below:.0f}% "
            "of runs."
        )


def _bullets(lines: Any, title: str = "") -> None:
    """A list as plain HTML: solara's Markdown would fetch KaTeX from a CDN, and the page must work offline."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    heading = f"<b>{html.escape(title)}</b>" if title else ""
    solara.HTML(tag="div", unsafe_innerHTML=f"{heading}<ul style='margin:2px 0 6px 0'>{items}</ul>")


def _table(header: list[str], rows: list[list[str]], css_class: str) -> None:
    head = "".join(f"<th style='text-align:left;padding:2px 6px'>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='vertical-align:top;padding:2px 6px'>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in rows
    )
    solara.HTML(
        tag="table",
        unsafe_innerHTML=f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>",
        classes=[css_class],
        style="font-size:0.85em;border-collapse:collapse",
    )


# --- the page --------------------------------------------------------------------------------------------------


@solara.component
def Page() -> None:
    """One model per browser session: `use_memo` runs once per session, never shared between students."""
    model = solara.use_memo(lambda: ClassroomModel(), dependencies=[])
    SolaraViz(
        model,
        components=[LadderTimeline, DecisionTrace, ActorNetwork, PlayPanel],
        model_params=model_params,
        name=f"escalation-sim: {FIRST.title}",
        play_interval=300,
    )
