"""The ladder timeline: one drawing (plots.draw_timeline) for the figure `run` writes and the app's SVG, text
from input files shown as written (a `$` never starts matplotlib mathtext, as the README promises)."""

from __future__ import annotations

import io
import json

import yaml

from escalation_sim.classroom.timeline_view import timeline_svg
from escalation_sim.model import EscalationModel
from escalation_sim.plots import timeline
from escalation_sim.scenario import validate_scenario_data
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
