"""The home page's read-only panels: the ladder timeline, the decision trace, the actors' network.

Plain functions drawing into the current Solara container; the pages (`classroom.app`) lay them out.
"""

from __future__ import annotations

import io

import networkx as nx
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..model import EscalationModel
from .timeline_view import rung_key, timeline_svg
from .widgets import bullets, heading, table

TRACE_LENGTH = 8


def timeline_figure(model: EscalationModel) -> None:
    """The timeline and, under it, the rungs whose acts the axis counts ("+2 more") named in full."""
    solara.HTML(tag="div", unsafe_innerHTML=timeline_svg(model), classes=["timeline-svg"])
    key = rung_key(model)
    if key:
        bullets(key, "Every act on the rungs the axis shortens", "rung-key")


def timeline_panel(model: EscalationModel) -> None:
    heading("Ladder timeline")
    timeline_figure(model)
    events = model.crisis.events
    with solara.Details(
        f"Historical events ({len(events)}; hollow markers on the timeline)"
        if len(events) != 1
        else "Historical event (1; a hollow marker on the timeline)"
    ):
        bullets(
            f"{e.id} {e.date}: {e.description}"
            + (
                " (after the branch point: the model decides instead)"
                if model.branch_date and e.date >= model.branch_date and not e.exogenous
                else ""
            )
            for e in events
        )


def trace_panel(model: EscalationModel) -> None:
    """The last actions taken, newest first, with the probability the rule gave them and why."""
    heading("Decision trace")
    n = len(model.records)
    solara.Text(f"{n} action{'s' * (n != 1)} so far" if n else "No action yet.", classes=["trace-status"])
    records = model.records[-TRACE_LENGTH:][::-1]
    if not records:
        return
    rows = []
    for r in records:
        target = f" -> {r.target}" if r.target else ""
        p = "" if r.probability != r.probability else _probability(r.probability)  # NaN: no decision
        why = r.reason if len(r.reason) <= 140 else r.reason[:137] + "..."
        rows.append([str(r.date), r.actor or "", f"{model.ladder[r.action].label}{target} ({r.origin})", p, why])
    table(["date", "actor", "action", "p", "why"], rows, "decision-trace", ["14%", "10%", "28%", "10%", "38%"])


def _probability(p: float) -> str:
    return f"{p:.2f}" if p >= 0.01 or p == 0 else f"{p:.1e}"


def network_png(model: EscalationModel) -> bytes:
    """The actors and their ties: who sponsors whom, who stands on whose soil, who are adversaries."""
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(model.actor_ids)
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
    fig = Figure(figsize=(5.0, 3.9), layout="constrained", dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    nx.draw_networkx_nodes(
        graph,
        positions,
        ax=ax,
        node_color=[max(a.outstanding) for a in model.actors],
        cmap="Reds",
        vmin=0,
        vmax=10,
        node_size=1500,
        edgecolors="black",
        nodelist=model.actor_ids,
    )
    nx.draw_networkx_labels(graph, positions, ax=ax, font_size=10)
    for n, (kind, (colour, style)) in enumerate(kinds.items()):
        edges = [(u, v) for u, v, k in graph.edges(data="kind") if k == kind]
        nx.draw_networkx_edges(
            graph,
            positions,
            edgelist=edges,
            ax=ax,
            edge_color=colour,
            style=style,
            arrows=True,
            arrowstyle="-" if kind == "adversary" else "-|>",
            connectionstyle=f"arc3,rad={0.08 * (n + 1)}",
            node_size=1500,
            arrowsize=12,
        )
    for actor in model.actors:
        x, y = positions[actor.actor_id]
        ax.annotate(actor.last_action, (x, y), xytext=(0, -30), textcoords="offset points", ha="center", fontsize=9)
    handles = [Line2D([], [], color=c, linestyle=s, label=k) for k, (c, s) in kinds.items()]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=3,
        fontsize=9,
        frameon=False,
        title="ties (node shade: acts left unanswered)",
        title_fontsize=9,
    )  # below the graph: covers no label
    ax.set_axis_off()
    ax.margins(0.15)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
