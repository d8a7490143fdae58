"""`escalation-sim evaluate` (issues 19 item 5, 22 item 3; docs/protocol.md): the frozen entry covers weights,
settings, source and case files; the test split is refused until git shows the entry committed and while anything
it covers has moved; each case measured under both models gives the required columns; the summary's intervals,
counts and decision. Train cases and relabelled copies of them only: the test split is sealed."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from tests.helpers import ROOT

from escalation_sim.evaluation import Frozen, evaluate, freeze, library_cases, metrics
from escalation_sim.evaluation.climate import Climate, total
from escalation_sim.evaluation.freeze import protocol_entry, settings_of, verify
from escalation_sim.evaluation.protocol import freeze_commit
from escalation_sim.evaluation.summary import summarise
from escalation_sim.scenario import load_scenario
from escalation_sim.score.frozen import FrozenError

TRAIN = ("gaza2012", "georgia2008", "vixuyen1987")
SCORES = {"case", "split", "model", "handset", "uniform", "climatology", "prequential_base_rate",
          "prequential_markov1", "hawkes"}  # fmt: skip
OUTCOMES = {"rps_model", "rps_uniform", "rps_climatology", "rps_handset", "log_model", "log_handset",
            "log_uniform", "log_climatology", "modal", "modal_handset", "horizon_sensitive",
            "horizon_sensitive_handset", "share_war_plus4w", "share_war_minus4w_handset", "tremble_sensitive",
            "tremble_sensitive_handset", "share_war_tremble_x2", "move_tremble_x0_handset"}  # fmt: skip
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
TINY = Frozen(runs=10, horizon_runs=10, score_particles=10, score_replications=2, surrogate_replays=1)


def _case(name: str):
    return load_scenario(ROOT / "scenarios" / "library" / f"{name}.yaml")


def test_ranked_probability_score_of_ordered_classes() -> None:
    assert metrics.rps({"war": 1.0}, "war") == 0.0
    assert metrics.rps({"de-escalation": 1.0}, "war") == 1.0
    assert metrics.rps({"protracted": 1.0}, "war") == 0.5  # one class off costs less than two
    assert metrics.rps(metrics.uniform(), "war") == pytest.approx(5 / 18)
    assert metrics.class_frequencies(["war", "war", "de-escalation", "protracted"])["war"] == 0.5


def test_climatology_is_fitted_on_the_train_split_without_the_case() -> None:
    cases = [_case(name) for name in TRAIN]
    climate = Climate.of(cases)
    others = [c.observed_outcome for c in cases if c.name != "gaza2012"]
    assert climate.class_shares("gaza2012") == metrics.class_frequencies(others)
    pool = climate.pool("gaza2012")
    assert set(pool.trials) == {"deeds", "words"}  # counted per channel, like the model's two decisions a day
    assert pool.trials["deeds"] == sum(climate.pools[n].trials["deeds"] for n in TRAIN if n != "gaza2012")
    parts = climate.record_parts(cases[0])
    assert set(parts) == set(cases[0].actors) and -1e4 < total(parts) < 0
    assert total(Climate.of(cases[1:]).record_parts(cases[0])) == pytest.approx(total(parts))


def _library(tmp_path: Path) -> Path:
    """Two train cases and a train case relabelled `test` (never a sealed case), in a git repository."""
    library = tmp_path / "library"
    library.mkdir()
    for name in ("gaza2012", "georgia2008"):
        shutil.copy(ROOT / "scenarios" / "library" / f"{name}.yaml", library)
    text = (ROOT / "scenarios" / "library" / "vixuyen1987.yaml").read_text()
    assert "\nsplit: train\n" in text
    (library / "heldout.yaml").write_text(text.replace("\nsplit: train\n", "\nsplit: test\n"))
    return library


def test_the_test_split_is_refused_until_the_freeze_is_committed_and_while_anything_moved(tmp_path: Path) -> None:
    library, registry, out = _library(tmp_path), tmp_path / "calibration" / "frozen.json", tmp_path / "out"
    digest, entry = freeze(library, TINY, registry)
    assert settings_of(entry) == TINY and len(entry["cases"]) == 3 and entry["weights_sha256"]
    assert "strictly lower" in entry["decision_rule"]
    with pytest.raises(FrozenError, match="not in a git repository"):
        evaluate(library, out, None, registry, frozen_hash=digest[:12], workers=1)
    subprocess.run([*GIT, "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "README").write_text("x\n")
    subprocess.run([*GIT, "add", "README"], cwd=tmp_path, check=True)
    subprocess.run([*GIT, "commit", "-qm", "first"], cwd=tmp_path, check=True)
    with pytest.raises(FrozenError, match=r"git add frozen\.json"):  # recorded, not committed
        evaluate(library, out, None, registry, frozen_hash=digest[:12], workers=1)
    assert not out.exists()  # refused before anything was written
    subprocess.run([*GIT, "add", "calibration/frozen.json"], cwd=tmp_path, check=True)
    subprocess.run([*GIT, "commit", "-qm", "freeze"], cwd=tmp_path, check=True)
    assert len(freeze_commit(digest, registry)) == 40
    cases, files = library_cases(library)
    verify(entry, protocol_entry(cases, files, TINY), digest)  # committed and unchanged: passes
    held = library / "heldout.yaml"
    held.write_text(held.read_text().replace("\nsplit: test\n", "\nsplit: test\n# edited after the freeze\n"))
    with pytest.raises(FrozenError, match="case vixuyen1987's file or split changed"):
        evaluate(library, out, None, registry, frozen_hash=digest[:12], workers=1)
    with pytest.raises(FrozenError, match="settings changed"):
        verify(entry, protocol_entry(cases, files, replace(TINY, runs=11)), digest)
    with pytest.raises(FrozenError, match="weights_sha256 changed"):
        verify(entry, protocol_entry(cases, files, TINY) | {"weights_sha256": "0" * 64}, digest)
    with pytest.raises(FrozenError, match="not an out-of-sample protocol entry"):
        settings_of({"actors.*.rule.spread": 0.9})
    assert not out.exists()


def test_the_train_stage_writes_every_column_and_a_rerun_reuses_finished_steps(tmp_path: Path, monkeypatch) -> None:
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(ROOT / "scenarios" / "library" / "vixuyen1987.yaml", library)  # a short train case
    out, registry = tmp_path / "out", tmp_path / "frozen.json"

    def interrupted(*args, **kwargs):
        raise RuntimeError("interrupted")

    with monkeypatch.context() as patch:  # interrupted after both models' runs: those steps are kept
        patch.setattr("escalation_sim.evaluation.measure.record_columns", interrupted)
        with pytest.raises(RuntimeError, match="interrupted"):
            evaluate(library, out, TINY, registry, workers=1, record_freeze=False)
    partial = json.loads((out / "cases" / "vixuyen1987.partial.json").read_text())
    assert set(partial["parts"]) == {"model", "handset"}
    with monkeypatch.context() as patch:  # the re-run resumes at the record step
        patch.setattr("escalation_sim.evaluation.measure.model_columns", interrupted)
        report = evaluate(library, out, TINY, registry, workers=1, record_freeze=False)
    assert not (out / "cases" / "vixuyen1987.partial.json").exists()
    assert not registry.exists() and report["frozen"]["commit"] is None and not report["summary"]["decision"]["applied"]
    outcomes, scores = pd.read_csv(out / "outcomes.csv"), pd.read_csv(out / "scores.csv")
    assert set(scores.columns) >= SCORES and set(outcomes.columns) >= OUTCOMES
    row, score = outcomes.iloc[0], scores.iloc[0]
    assert all(score[b] < 0 for b in SCORES - {"case", "split"})
    for suffix in ("", "_handset"):
        for label in ("", "_minus4w", "_plus4w", "_tremble_x0", "_tremble_x1", "_tremble_x2"):
            total = sum(row[f"share_{k}{label}{suffix}"] for k in ("de-escalation", "protracted", "war"))
            assert total == pytest.approx(1)
    assert row["rps_uniform"] == pytest.approx(metrics.rps(metrics.uniform(), row["observed"]), rel=1e-5)
    assert row["log_uniform"] == pytest.approx(math.log(1 / 3), rel=1e-5)  # the CSV keeps 6 digits
    assert (out / "shares.png").stat().st_size > 0 and "preq. Markov-1" in (out / "tables.md").read_text()
    assert "| vixuyen1987 | train | hand-set | 0.0 pts |" in (out / "tables.md").read_text()  # no tremble: x0 is it

    def never(*args, **kwargs):
        raise AssertionError("a finished case was measured again")

    monkeypatch.setattr("escalation_sim.evaluation.measure_case", never)
    again = evaluate(library, out, TINY, registry, workers=1, record_freeze=False)
    assert again["frozen"]["sha256"] == report["frozen"]["sha256"]
    assert pd.read_csv(out / "outcomes.csv").equals(outcomes)
    with pytest.raises(AssertionError, match="measured again"):  # other settings: another hash, measured afresh
        evaluate(library, out, replace(TINY, runs=11), registry, workers=1, record_freeze=False)


def test_the_summary_gives_intervals_over_cases_and_applies_the_decision_only_on_test() -> None:
    n = 5
    outcomes = pd.DataFrame({
        "case": [f"c{i}" for i in range(n)], "split": "test", "rps_model": [0.05, 0.10, 0.02, 0.20, 0.40],
        "rps_handset": [0.10, 0.30, 0.10, 0.20, 0.45], "rps_uniform": 5 / 18, "rps_climatology": 0.2,
        "log_model": -1.0, "log_handset": -1.5, "log_uniform": math.log(1 / 3), "log_climatology": -1.2,
        "brier_model": 0.5, "brier_handset": 0.6, "modal": ["war", "unclear", "war", "war", "war"],
        "modal_handset": "unclear", "modal_right": [True, False, False, True, True], "modal_right_handset": False,
        "horizon_sensitive": [False, False, False, False, True], "horizon_sensitive_handset": False,
        "tremble_sensitive": [False, False, False, True, False], "tremble_sensitive_handset": False})  # fmt: skip
    scores = pd.DataFrame({"case": outcomes["case"], "model": -10.0, "handset": [-12.0, -8.0, -12.0, -12.0, None],
                           "uniform": -50.0, "climatology": -11.0, "prequential_base_rate": -9.0,
                           "prequential_markov1": -11.0, "hawkes": -10.5})  # fmt: skip
    summary = summarise(outcomes, scores)
    test = summary["test"]
    gain = outcomes["rps_handset"] - outcomes["rps_model"]
    assert test["rps_gain_over_handset"]["mean"] == pytest.approx(gain.mean())
    assert test["rps_gain_over_handset"]["low"] < gain.mean() < test["rps_gain_over_handset"]["high"]
    assert test["modal_counted_model"] == 2 and test["modal_right_model"] == 1  # unclear and sensitive not counted
    assert test["tremble_sensitive_model"] == 1 and test["tremble_sensitive_handset"] == 0
    older = summarise(outcomes.drop(columns=["tremble_sensitive", "tremble_sensitive_handset"]), scores)["test"]
    assert older["modal_counted_model"] == 3 and older["tremble_sensitive_model"] == 0  # the freeze's outputs
    assert test["record_model_beats_prequential_markov1"] == 5 and test["record_model_beats_prequential_base_rate"] == 0
    assert test["record_handset_scored"] == 4 and test["record_handset_beats_climatology"] == 1
    assert summary["decision"]["applied"] and summary["decision"]["shipped"] == "quantal"
    train = summarise(outcomes.assign(split="train"), scores)
    assert "test" not in train and not train["decision"]["applied"]
    worse = summarise(outcomes.assign(rps_handset=0.01), scores)["decision"]
    assert worse["shipped"] == "hand-set"


def test_gets_wrong_drafts_from_the_numbers_and_refuses_test_cards_from_a_train_stage_output(tmp_path: Path) -> None:
    from escalation_sim.evaluation.cards import apply, drafts

    report = {"frozen": {"sha256": "ab" * 32, "commit": None}, "settings": {"runs": 10}}
    (tmp_path / "report.json").write_text(json.dumps(report))
    row = {
        "case": "gaza2012",
        "split": "train",
        "observed": "protracted",
        "rps_model": 0.2,
        "rps_handset": 0.1,
        "rps_uniform": 1 / 9,
        "rps_climatology": 0.125,
        "horizon_sensitive": True,
        "horizon_max_move": 0.12,
    }
    for suffix in ("", "_handset"):
        for k, v in (("de-escalation", 0.7), ("protracted", 0.2), ("war", 0.1)):
            row |= {f"share_{k}{suffix}": v, f"low_{k}{suffix}": v - 0.05, f"high_{k}{suffix}": v + 0.05}
    pd.DataFrame([row]).to_csv(tmp_path / "outcomes.csv", index=False)
    score = {"case": "gaza2012", "model": -91.4, "prequential_base_rate": -33.0, "prequential_markov1": -34.5,
             "hawkes": -33.0, "model_loses_to": "hawkes"}  # fmt: skip
    pd.DataFrame([score]).to_csv(tmp_path / "scores.csv", index=False)
    (text,) = drafts(tmp_path, "train", tmp_path / "frozen.json").values()
    assert "20.0%" in text and "de-escalation (70.0%)" in text and "horizon-sensitive" in text and "-91.4" in text
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(ROOT / "scenarios" / "library" / "gaza2012.yaml", library)
    apply(library, {"gaza2012": text})
    assert load_scenario(library / "gaza2012.yaml").card.gets_wrong == text
    with pytest.raises(FrozenError, match="train-stage output"):
        drafts(tmp_path, "test", tmp_path / "frozen.json")
    pd.DataFrame([score | {"model": -20.0, "model_loses_to": ""}]).to_csv(tmp_path / "scores.csv", index=False)
    (text,) = drafts(tmp_path, "train", tmp_path / "frozen.json").values()
    assert "(it beats each baseline)" in text and "nan" not in text  # an empty cell comes back from the CSV as NaN


def test_the_command_freezes_in_one_step_and_refuses_the_test_split_before_the_commit(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from escalation_sim.cli import app

    library, registry = _library(tmp_path), tmp_path / "frozen.json"
    result = CliRunner().invoke(app, ["evaluate", str(library), "--freeze-only", "--registry", str(registry)])
    assert result.exit_code == 0, result.output
    (digest,) = json.loads(registry.read_text())
    assert "git add" in result.output and digest[:12] in result.output
    refused = CliRunner().invoke(app, ["evaluate", str(library), "--out", str(tmp_path / "out"), "--registry",
                                       str(registry), "--frozen", digest[:12]])  # fmt: skip
    assert refused.exit_code == 2 and "git" in refused.output and not (tmp_path / "out").exists()
