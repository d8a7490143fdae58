"""Scores, folds, baselines and the fold-by-fold fit of the shared parameter (no simulation: a made-up grid)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from escalation_sim.evaluation.metrics import mean_interval
from escalation_sim.icb.baselines import COVARIATES, base_rate, covariates, ordered_logit
from escalation_sim.icb.crossval import FOLDS, GRID, P, cross_validate, fold_of
from escalation_sim.icb.data import load
from escalation_sim.icb.facts import stylized_facts
from escalation_sim.icb.recalibrate import features, recalibrate
from escalation_sim.icb.reliability import reliability_table
from escalation_sim.icb.report import (
    END,
    METHODS,
    START,
    difference_table,
    markdown,
    score_lines,
    score_table,
    secondary_scores,
    write_docs,
)
from escalation_sim.icb.scores import brier, log_score, rps


def test_scores_by_hand():
    p = np.array([[1.0, 0, 0, 0], [0.25, 0.25, 0.25, 0.25], [0, 0, 0, 1.0]])
    y = np.array([1, 2, 1])
    assert rps(p, y) == pytest.approx([0.0, (0.25**2 + 0.5**2 + 0.25**2) / 3, 1.0])
    assert log_score(p, y)[1] == pytest.approx(np.log(4))
    assert brier(p, y) == pytest.approx([0.0, 0.75, 2.0])
    low, high = mean_interval(np.full(50, -0.1), seed=1)
    assert low == pytest.approx(-0.1) and high == pytest.approx(-0.1)
    d = np.random.default_rng(3).normal(0.02, 0.1, 200)  # a paired difference over 200 crises
    low, high = mean_interval(d, 0.9, seed=0)
    assert low < d.mean() < high and (low, high) == mean_interval(d, 0.9, seed=0) != mean_interval(d, 0.9, seed=1)
    assert high - low == pytest.approx(2 * 1.645 * d.std() / np.sqrt(len(d)), rel=0.15)  # 90%: +-1.645 s.e.
    assert np.isnan(mean_interval([0.3])).all()  # one crisis: nothing to resample


def test_folds_are_seeded_and_balanced():
    crisnos = np.arange(386)
    a, b = fold_of(crisnos, 0), fold_of(crisnos, 0)
    assert (a == b).all() and not (a == fold_of(crisnos, 1)).all()
    sizes = np.bincount(a)
    assert len(sizes) == FOLDS and sizes.max() - sizes.min() <= 1


def test_fold_fit_picks_the_best_grid_value_on_training_crises_and_baselines_fit():
    full = load(outcomes=True)
    keep = full.crises["crisno"].iloc[::4]  # a quarter of the crises keeps the ten ordered-logit fits quick
    data = full.only(keep)
    y = data.crises["sevviosy"].astype(int).to_numpy()
    index = data.crises["crisno"].to_numpy()
    truth = np.eye(4)[y - 1] * 0.7 + 0.075
    grid = {}
    good = GRID[-1]
    for point in GRID:  # one point forecasts the truth; the others forecast the uniform distribution
        p = truth if point == good else np.full((len(y), 4), 0.25)
        frame = pd.DataFrame(p, columns=P, index=index)
        frame["p_violent_cm"] = 0.4
        for f in ("agreement", "tacit", "unilateral", "imposed", "faded", "other"):
            frame[f"p_out_{f}"] = 1 / 6
        frame["expected_days"] = 30.0
        grid[point] = frame
    cv = cross_validate(data, grid, seed=0)
    assert set(cv.chosen.values()) == {good} and cv.chosen_all == good
    assert (cv.table["tremble"] == good.tremble).all()
    scores, diffs = score_table(cv.table, seed=0)
    by = scores.set_index("method")["rps"]
    assert by["model, raw"] < by["base rate"] and diffs["model_minus_base_rps"]["high90"] < 0
    assert by["model, recalibrated"] < by["base rate"] and diffs["recal_minus_base_log"]["high90"] < 0
    assert len(diffs) == 12 and set(difference_table(diffs)["score"]) == {"rps", "log", "brier"}
    for method in ("ologit", "recal"):
        probs = cv.table[[f"{method}_{k}" for k in (1, 2, 3, 4)]].to_numpy()
        assert np.allclose(probs.sum(axis=1), 1) and len(cv.table) == len(keep)
    rel = reliability_table(cv.table, METHODS)
    assert len(rel) == 16 and (rel["reliability (binned)"] >= 0).all()
    meta = {"command": "x", "runs": 1, "seed": 0, "wall_time_s": 1.0, "workers": 1, "cache": "c", "commit": "abc",
            "commit_dirty": False, "figure": "f.png", "out": "o"}  # fmt: skip
    text = markdown(cv, scores, diffs, secondary_scores(cv.table), stylized_facts(data, cv.table), rel, meta)
    assert text.startswith(START) and "**better**" in text and "recal violent" in text
    x = covariates(data)
    assert list(x.columns) == list(COVARIATES) and not x.isna().any().any()
    assert np.allclose(base_rate(y, 2).sum(axis=1), 1)
    facts = stylized_facts(data, cv.table)
    assert set(facts["fact"]) >= {"trigger type", "protracted conflict", "era", "number of actors"}
    assert ordered_logit(x.iloc[:80], y[:80], x.iloc[80:]).shape == (len(keep) - 80, 4)


def test_docs_section_is_replaced_between_its_markers(tmp_path):
    doc = tmp_path / "validation.md"
    doc.write_text(f"# Validation\n\nkeep me\n\n{START}\nold\n{END}\n\nafter\n")
    write_docs(doc, f"{START}\nnew\n{END}")
    text = doc.read_text()
    assert "old" not in text and "new" in text and "keep me" in text and "after" in text


def test_the_committed_icb_section_is_what_its_generator_writes_from_its_predictions():
    """docs/validation.md's ICB scores, differences (their wording too) and criterion, as `icb validate` would now
    write them from the committed run's out-of-fold predictions: a section lagging its generator fails here."""
    out = Path(__file__).resolve().parents[2] / "evaluation" / "icb"
    seed = json.loads((out / "scores.json").read_text())["seed"]
    scores, diffs = score_table(pd.read_csv(out / "cv_predictions.csv"), seed)
    section = (out.parents[1] / "docs" / "validation.md").read_text().split(START, 1)[1].split(END, 1)[0]
    assert "\n".join(score_lines(scores, diffs)) in section


def test_recalibration_learns_a_miscalibrated_forecasts_map_on_training_crises_only():
    rng = np.random.default_rng(3)
    n = 400
    y = rng.integers(1, 5, size=n)
    sure = np.full((n, 4), 0.02)  # a model that orders the levels right but is far too sure of peace
    sure[np.arange(n), 0] = 0.5
    sure[np.arange(n), y - 1] += 0.44
    sure /= sure.sum(axis=1, keepdims=True)
    assert np.allclose(features(sure).to_numpy()[:, 0], np.log((1 - sure[:, 0]) / sure[:, 0]))
    fixed = recalibrate(sure[:300], y[:300], sure[300:])
    assert np.allclose(fixed.sum(axis=1), 1)
    assert log_score(fixed, y[300:]).mean() < log_score(sure[300:], y[300:]).mean()
    assert abs(fixed[:, 0].mean() - (y[300:] == 1).mean()) < abs(sure[300:, 0].mean() - (y[300:] == 1).mean())
