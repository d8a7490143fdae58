"""tools/tremble_sensitivity.py (issue 22 item 4): the tremble sensitivity of the frozen evaluation, with the frozen
code. It runs only while this tree still hashes to the committed freeze 9745300fcb81 (so the script itself changes
nothing the freeze covers), scales every actor's tremble as its docstring says, and writes its CSV and report
section. Train cases only, a few runs: the test split is sealed."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pandas as pd
from tests.helpers import ROOT

from escalation_sim.evaluation.measure import learned
from escalation_sim.results.outcomes import OUTCOMES
from escalation_sim.scenario import load_scenario
from escalation_sim.score.record import TREMBLE
from escalation_sim.sweep.runner import distribution

FROZEN = "9745300fcb81"
_spec = importlib.util.spec_from_file_location("tremble_sensitivity", ROOT / "tools" / "tremble_sensitivity.py")
assert _spec is not None and _spec.loader is not None
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)


def _epsilons(scenario) -> set[float]:
    return {float(actor.rule.epsilon) for actor in scenario.actors.values()}


def test_every_actor_s_tremble_is_its_own_or_the_floor_and_the_quantal_runs_are_scale_zero() -> None:
    case = load_scenario(ROOT / "scenarios" / "library" / "gaza2012.yaml")  # one actor trembles at 1e-3
    assert _epsilons(case) == {0.0, 1e-3}
    assert _epsilons(tool.trembled(case, 0.0)) == {0.0}
    assert _epsilons(tool.trembled(case, 2.0)) == {2 * max(1e-3, TREMBLE)}
    quantal = learned(case)
    assert _epsilons(quantal) == {0.0} and tool.same(tool.trembled(quantal, 0.0), quantal)
    assert _epsilons(tool.trembled(quantal, 1.0)) == {TREMBLE}


def test_it_runs_on_the_frozen_tree_and_refuses_a_moved_one(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "tables.md").write_text("the evaluation's tables\n")
    case = load_scenario(ROOT / "scenarios" / "library" / "vixuyen1987.yaml")
    runs = distribution(case, n=8, seed=0, workers=1)["outcome"]  # the frozen run's, at 8 runs a case
    shares = {f"share_{k}_handset": float((runs == k).mean()) for k in OUTCOMES}
    pd.DataFrame([{"case": "vixuyen1987", "runs": 8} | shares]).to_csv(out / "outcomes.csv", index=False)
    assert tool.reproduces(runs, "handset", {"runs": 8} | shares)
    assert not tool.reproduces(runs, "handset", {"runs": 8} | shares | {"share_war_handset": 0.5})
    assert tool.reproduces(runs, "handset", {"runs": 1000} | shares) is None  # other runs: not comparable
    args = ["--frozen", FROZEN, "--split", "train", "--cases", "vixuyen1987", "--runs", "8", "--models", "handset",
            "--workers", "1", "--out", str(out), "--registry", str(ROOT / "calibration" / "frozen.json")]  # fmt: skip
    frozen_tree = [*args, "--library", str(ROOT / "scenarios" / "library")]
    assert tool.main(frozen_tree) == 0  # the freeze check passed: nothing it covers moved
    table = pd.read_csv(out / "tremble.csv")
    assert list(table["scale"]) == [0.0, 1.0, 2.0] and set(table["frozen"].str[:12]) == {FROZEN}
    x0 = table[table["scale"] == 0.0].iloc[0]
    assert x0["identical"] and x0["max_move"] == 0.0 and x0["cpu_seconds"] == 0.0  # no tremble in the file
    assert (table[["share_de-escalation", "share_protracted", "share_war"]].sum(axis=1) - 1).abs().max() < 1e-9
    assert (table["tremble_sensitive"] == (table["max_move"] >= 0.05)).all() and not x0["beyond_noise"]
    assert table["base_reproduces_frozen"].all()
    text = (out / "tables.md").read_text()
    assert text.startswith("the evaluation's tables\n")
    assert "| vixuyen1987 | train | hand-set doctrines | 8 | base |" in text
    assert tool.main(frozen_tree) == 0 and (out / "tables.md").read_text() == text  # kept, one section
    assert tool.main([*args[:5], "uri2016", *args[6:]]) == 2  # a test case is not a train case: refused
    library = tmp_path / "library"
    shutil.copytree(ROOT / "scenarios" / "library", library)
    moved = library / "vixuyen1987.yaml"
    moved.write_text(moved.read_text() + "# edited after the freeze\n")
    assert tool.main([*args, "--library", str(library)]) == 2
    assert "vixuyen1987's file or split changed" in capsys.readouterr().err
