"""ICB data in the package, the codebook's data-checked readings, and bad CSV input (issue 21)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.icb.codebook import VARIABLES, VIOLENCE_VARIABLE, label
from escalation_sim.icb.data import IcbDataError, load, shipped_paths

README_SHA = {
    "icb1v14_shared.csv": "e53c0b067376cb7a5365760aaad936897dfeea2ed4bc45382220ebef1a82337f",
    "icb2v14_shared.csv": "e7bb64ea22b630016a6c35c9cd50fe80117253b3d296d59e22a75ad860b37357",
}


def test_shipped_files_are_the_shared_subset_with_their_notes():
    for path in shipped_paths():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == README_SHA[path.name]
    folder = shipped_paths()[0].parent
    assert "not the complete data set" in (folder / "README.md").read_text()
    assert "subset" in (folder / "NOTICE.md").read_text()
    data = load(outcomes=True)
    assert (len(data.crises), len(data.actors)) == (386, 852)


def test_codebook_readings_the_data_force():
    """SEVVIOSY is the actors' highest SEVVIO, and 1 exactly when crisis management was non-violent."""
    data = load(outcomes=True)
    crises = data.crises.set_index("crisno")
    highest = data.actors.groupby("crisno")["sevvio"].max()
    same = (crises[VIOLENCE_VARIABLE] == highest.reindex(crises.index)).mean()
    assert same > 0.99
    nonviolent = crises["crismg"] <= 6
    assert ((crises[VIOLENCE_VARIABLE] == 1) == nonviolent).mean() > 0.99
    assert VARIABLES[VIOLENCE_VARIABLE].status == "data"
    assert label("sevviosy", 4) == "full-scale war" and label("break", 9) == "violent act"


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_bad_csv_names_the_file_the_column_and_what_was_expected(tmp_path):
    one, two = shipped_paths()
    crises = pd.read_csv(one).head(3)
    actors = pd.read_csv(two)
    no_gravity = _write(crises.drop(columns=["gravcr"]), tmp_path / "c.csv")
    with pytest.raises(IcbDataError, match=r"c\.csv: missing column\(s\) gravcr"):
        load(no_gravity, _write(actors, tmp_path / "a.csv"))
    words = crises.astype(object)
    words.loc[1, "break"] = "violent"
    bad = _write(words, tmp_path / "w.csv")
    with pytest.raises(IcbDataError, match=r"w\.csv: column break, data row 2: expected a numeric ICB code"):
        load(bad, tmp_path / "a.csv")
    result = CliRunner().invoke(app, ["icb", "predict", str(bad), str(tmp_path / "a.csv"), "--out",
                                      str(tmp_path / "out"), "--workers", "1"])  # fmt: skip
    assert result.exit_code == 2
    assert "column break" in result.output and not (tmp_path / "out").exists()
    result = CliRunner().invoke(app, ["icb", "predict", str(tmp_path / "none.csv"), str(tmp_path / "a.csv")])
    assert result.exit_code == 2 and "no such file" in result.output
