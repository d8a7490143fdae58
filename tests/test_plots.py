"""The ladder timeline: one drawing (plots.draw_timeline) for the figure `run` writes and the app's SVG, text
from input files shown as written (a `$` never starts matplotlib mathtext, as the README promises)."""

from __future__ import annotations

import io
import json

import yaml

from escalation_sim.classroom.timeline_view import timeline_svg
from escalation_sim.model import EscalationModel
from escalation_sim.plots import timeline
from escalation_sim.scenario import load_scenario, validate_scenario_data
from helpers import SCENARIO_DIR

MATH = "$\\frac{1}{"  # half a mathtext formula: drawing it as mathtext would raise


def test_both_views_draw_dollar_signs_as_written() -> None:
    raw = yaml.safe_load((SCENARIO_DIR / "two_state.yaml").read_text(encoding="utf-8"))
    data = json.loads(json.dumps(raw, default=str).replace('"RED"', json.dumps(MATH)))
    data["title"] = f"{MATH} a title"
    model = EscalationModel(scenario=validate_scenario_data(data), rng=0, collect=False)
    for _ in range(20):
        model.step()
    buffer = io.BytesIO()
    timeline(model).savefig(buffer, format="png")  # raises on mathtext it cannot parse
    assert buffer.getvalue().startswith(b"\x89PNG")
    svg = timeline_svg(model)
    assert MATH.replace("<", "&lt;") in svg, "the actor id is shown as written in the app's legend"


def test_rung_names_are_whole_and_the_rest_counted() -> None:
    """No act's name is cut on either view's axis: the first is always whole, the ones left out are counted, and
    the app's key names every act of the rungs its axis shortens."""
    from escalation_sim.classroom.timeline_view import APP, rung_key
    from escalation_sim.plots import FIGURE, rung_label, rung_names

    model = EscalationModel(scenario=load_scenario(SCENARIO_DIR / "jan2020.yaml"), rng=0, collect=False)
    names = rung_names(model)
    assert len(names[-1]) > 3 and names[1] == ["denounce"]
    for style in (FIGURE, APP):
        for rung, acts in names.items():
            label = rung_label(rung, acts, style.label_chars, style.label_lines)
            assert len(label.splitlines()) <= style.label_lines and "\u2026" not in label
            text = " ".join(label.split())  # a wrapped line rejoined
            shown, _, more = text.partition(" +")
            parts = shown.split(None, 1)[1].split(" / ") if acts else []
            assert parts == acts[: len(parts)] and parts, (rung, label)
            assert (int(more.split()[0]) if more else 0) == len(acts) - len(parts), label
    assert rung_label(7, ["a very long name of one act that is wider than the line"], 20, 1).count("\n") == 0
    key = rung_key(model)
    assert "-1: " + " / ".join(names[-1]) in key and not any(k.startswith("1: ") for k in key)


def test_the_branch_line_is_labelled_on_the_side_with_room() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from escalation_sim.classroom.timeline_view import _draw
    from escalation_sim.plots import BRANCH_LABEL

    model = EscalationModel(scenario=load_scenario(SCENARIO_DIR / "jan2020.yaml"), rng=0, collect=False)
    sides = []
    for width in (9.4, 6.0):  # the app's figure; one so narrow that the model's side has no room for the label
        figure = Figure(figsize=(width, 4.2))
        FigureCanvasAgg(figure)
        ax = figure.subplots()
        _draw(model, ax)
        (label,) = [t for t in ax.texts if t.get_gid() == BRANCH_LABEL]
        box, frame = label.get_window_extent(), ax.get_window_extent()
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and "branch: the model decides" in label.get_text()
        sides.append(label.get_horizontalalignment())
    assert sides == ["left", "right"]
