"""The library's observed outcomes are coded by the same rule as the model's runs (issue 22): each case's
replayed history (every event, no branch), coded from its branch date by `standard_coding`, gives the class its
file records. And the rule is the standard one: battle deaths per dyad decide, not the rung or the horizon."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from escalation_sim import load_scenario
from escalation_sim.model import Record
from escalation_sim.results.standard_coding import calendar_year_max, window_max
from escalation_sim.runner import code_history

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios" / "library"
CASES = sorted(LIBRARY.glob("*.yaml"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_replayed_history_codes_to_observed_outcome(path: Path) -> None:
    case = load_scenario(path)
    coded = code_history(case)
    assert coded.headline == case.observed_outcome, (
        f"{path.name}: history codes {coded.headline} (peak dyad {coded.peak_dyad} with {coded.peak_dyad_deaths} "
        f"battle deaths in twelve months, UCDP intensity {coded.ucdp_intensity}); the file says "
        f"{case.observed_outcome}"
    )


def _act(day: int, killed: int, start: dt.date = dt.date(2019, 12, 1)) -> Record:
    return Record(day, start + dt.timedelta(days=day), "A", "B", "direct_strike", 9, {"B": killed}, {}, "history",
                  float("nan"), "")  # fmt: skip


def test_cow_counts_any_twelve_months_and_ucdp_each_calendar_year() -> None:
    acts = [_act(0, 600), _act(200, 300), _act(400, 500)]  # 900 within the first year, 800 in days 200-400
    assert window_max(acts) == 900
    assert window_max([_act(0, 600), _act(364, 400)]) == 1000  # day 364 is inside the first twelve months
    assert window_max([_act(0, 600), _act(365, 400)]) == 600  # day 365 is not
    # 1 Dec 2019 and 29 Dec 2019 in one year, 3 Jan 2020 in the next: UCDP splits at the new year
    assert calendar_year_max([_act(0, 20), _act(28, 10), _act(33, 24)]) == 30


def test_a_campaign_without_deaths_is_major_force_not_war() -> None:
    """georgia2008's history has a campaign (rung 10) but under 1,000 deaths in every dyad: the rung is a flag."""
    coded = code_history(load_scenario(LIBRARY / "georgia2008.yaml"))
    assert coded.major_force
    assert not coded.cow_war
    assert coded.headline != "war"
