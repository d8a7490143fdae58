"""Scores, folds, baselines and the fold-by-fold fit of the shared parameter (no simulation: a made-up grid)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from escalation_sim.icb.baselines import COVARIATES, base_rate, covariates, ordered_logit
from escalation_sim.icb.crossval import FOLDS, GRID, P, cross_validate, fold_of
from escalation_sim.icb.data import IcbData, load
from escalation_sim.icb.facts import stylized_facts
from escalation_sim.icb.report import END, START, score_table, write_docs
from escalation_sim.icb.scores import bootstrap_interval, brier, log_score, rps


def test_scores_by_hand():
    p = np.array([[1.0, 0, 0, 0], [0.25, 0.25, 0.25, 0.25], [0, 0, 0, 1.0]])
    y = np.array([1, 2, 1])
    assert rps(p, y) == pytest.approx([0.0, (0.25**2 + 0.5**2 + 0.25**2) / 3, 1.0])
    assert log_score(p, y)[1] == pytest.approx(np.log(4))
    assert brier(p, y) == pytest.approx([0.0, 0.75, 2.0])
    low, high = bootstrap_interval(np.full(50, -0.1), seed=1)
    assert low == pytest.approx(-0.1) and high == pytest.approx(-0.1)


def test_folds_are_seeded_and_balanced():
    crisnos = np.arange(386)
    a, b = fold_of(crisnos, 0), fold_of(crisnos, 0)
    assert (a == b).all() and not (a == fold_of(crisnos, 1)).all()
    sizes = np.bincount(a)
    assert len(sizes) == FOLDS and sizes.max() - sizes.min() <= 1


def test_fold_fit_picks_the_best_grid_value_on_training_crises_and_baselines_fit():
    full = load(outcomes=True)
    keep = full.crises["crisno"].iloc[::4]  # a quarter of the crises keeps the ten ordered-logit fits quick
    data = IcbData(full.crises[full.crises["crisno"].isin(keep)].reset_index(drop=True),
                   full.actors[full.actors["crisno"].isin(keep)].reset_index(drop=True), full.sources)  # fmt: skip
    y = data.crises["sevviosy"].astype(int).to_numpy()
    index = data.crises["crisno"].to_numpy()
    truth = np.eye(4)[y - 1] * 0.7 + 0.075
    grid = {}
    for theta in GRID:  # 0.5 forecasts the truth; the others forecast the uniform distribution
        p = truth if theta == 0.5 else np.full((len(y), 4), 0.25)
        frame = pd.DataFrame(p, columns=P, index=index)
        frame["p_violent_cm"] = 0.4
        for f in ("agreement", "tacit", "unilateral", "imposed", "faded", "other"):
            frame[f"p_out_{f}"] = 1 / 6
        frame["expected_days"] = 30.0
        grid[theta] = frame
    cv = cross_validate(data, grid, seed=0)
    assert set(cv.thetas.values()) == {0.5} and cv.theta_all == 0.5
    scores, diffs = score_table(cv.table, seed=0)
    assert scores.loc[0, "rps"] < scores.loc[2, "rps"] and diffs["model_minus_base"]["high90"] < 0
    probs = cv.table[[f"ologit_{k}" for k in (1, 2, 3, 4)]].to_numpy()
    assert np.allclose(probs.sum(axis=1), 1) and len(cv.table) == len(keep)
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
