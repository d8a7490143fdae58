"""`actors.*.FIELD`: one shared parameter set on every actor (issue 11), as calibrate and --set take it."""

from __future__ import annotations

import pytest
from tests.helpers import ROOT

from escalation_sim import load_scenario
from escalation_sim.scenario import apply_edits
from escalation_sim.scenario.edits import expand_wildcard


def _data() -> dict:
    return {
        "actors": {
            "A": {"rule": {"name": "red_line", "spread": 0.5}},
            "B": {"rule": {"name": "regime", "regimes": {"calm": {"name": "restraint"}, "hard": {"name": "red_line"}}}},
            "C": {"rule": {"name": "mixture", "components": [{"weight": 1.0, "rule": {"name": "tit_for_tat"}}]}},
            "D": {},
        }
    }


def test_wildcard_reaches_every_actor_and_nested_rules() -> None:
    data = apply_edits(_data(), {"actors.*.rule.spread": 1.3, "actors.*.perception.noise_sd": 0.9})
    actors = data["actors"]
    assert actors["A"]["rule"]["spread"] == 1.3
    assert actors["B"]["rule"]["spread"] == 1.3
    assert actors["B"]["rule"]["regimes"]["calm"]["spread"] == 1.3
    assert actors["B"]["rule"]["regimes"]["hard"]["spread"] == 1.3
    assert actors["C"]["rule"]["components"][0]["rule"]["spread"] == 1.3
    assert actors["D"]["rule"]["spread"] == 1.3
    assert all(a["perception"]["noise_sd"] == 0.9 for a in actors.values())
    assert _data()["actors"]["A"]["rule"]["spread"] == 0.5  # the input is not changed


def test_plain_paths_are_unchanged_and_misplaced_wildcards_refused() -> None:
    assert expand_wildcard(_data(), "actors.A.rule.spread") == ["actors.A.rule.spread"]
    for bad in ("actors.A.rule.*", "events.*.killed", "actors.*.rule.*"):
        with pytest.raises(ValueError, match="wildcard"):
            apply_edits(_data(), {bad: 1})


def test_wildcard_on_a_shipped_scenario_validates() -> None:
    base = load_scenario(ROOT / "scenarios" / "jan2020.yaml")
    edited = base.with_edits({"actors.*.rule.spread": 0.9, "actors.*.rule.ignore_below": 3.0})
    for actor in edited.actors.values():
        assert actor.rule.spread == 0.9
        assert actor.rule.ignore_below == 3.0
        for sub in getattr(actor.rule, "regimes", {}).values():
            assert sub.spread == 0.9
