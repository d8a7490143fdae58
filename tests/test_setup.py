"""Set-up and what ships in the repository: tools/venv.py with a real Python 3.11 and a stale venv, the README's
set-up commands, the notebooks extra, docs that link only inside the repository, notebooks on the package's
API, the instructor's key out of notebooks/."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from escalation_sim.cli import app

ROOT = Path(__file__).resolve().parents[1]
PYTHON_311 = next((p for p in ("/usr/bin/python3.11", shutil.which("python3.11")) if p and Path(p).exists()), None)


def _tools(tmp_path: Path) -> Path:
    (tmp_path / "tools").mkdir()
    script = tmp_path / "tools" / "venv.py"
    shutil.copy(ROOT / "tools" / "venv.py", script)
    return script


def _version(venv: Path) -> str:
    out = subprocess.run([str(venv / "bin" / "python"), "-c", "import sys; print(*sys.version_info[:2])"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return ".".join(out.split())


@pytest.mark.skipif(PYTHON_311 is None, reason="no Python 3.11 on this machine")
def test_venv_script_says_python_3_12_is_needed(tmp_path: Path) -> None:
    script = _tools(tmp_path)
    result = subprocess.run([PYTHON_311, str(script)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "needs Python 3.12 or newer" in result.stderr and "python3.12 tools/venv.py" in result.stderr
    assert not (tmp_path / ".venv").exists()


@pytest.mark.slow
@pytest.mark.skipif(PYTHON_311 is None, reason="no Python 3.11 on this machine")
def test_venv_script_recreates_a_venv_left_by_python_3_11(tmp_path: Path) -> None:
    script = _tools(tmp_path)
    subprocess.run([PYTHON_311, "-m", "venv", "--without-pip", str(tmp_path / ".venv")], check=True)
    assert _version(tmp_path / ".venv") == "3.11"
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "recreating" in result.stdout and "Python 3.11" in result.stdout
    assert _version(tmp_path / ".venv") == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert (tmp_path / ".venv" / "bin" / "pip").exists()
    again = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and again.stdout.startswith("using ")


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(python3 tools/venv\.py && [^\n]+)\n```", text)


def test_readme_states_the_python_version_and_uses_the_venv_script() -> None:
    text = (ROOT / "README.md").read_text()
    commands = _readme_commands()
    assert len(commands) == 2
    assert "pip install -e . &&" in commands[0] and "'.[app,test]'" in commands[1]
    assert "Python 3.12 or newer" in text.split("```")[0]
    assert "tools/venv.py" in (ROOT / ".ci" / "run").read_text()


def test_notebooks_extra_and_the_readme_line_that_opens_them() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(d.startswith("jupyterlab") for d in extras["notebooks"])
    line = ".venv/bin/pip install -e '.[notebooks]' && .venv/bin/jupyter lab notebooks/"
    assert line in (ROOT / "README.md").read_text()


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_docs_link_only_to_files_in_the_repository(doc: Path) -> None:
    text = doc.read_text()
    assert "shared/reference" not in text and "/work/" not in text
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        assert (doc.parent / target).resolve().exists(), f"{doc.name} links to missing {target}"


def test_the_reference_timeline_is_shipped_and_matches_the_scenario() -> None:
    reference = yaml.safe_load((ROOT / "docs" / "reference" / "jan2020_timeline.yaml").read_text())
    ids = {e["id"] for e in reference["events"]}
    scenario = yaml.safe_load((ROOT / "scenarios" / "jan2020.yaml").read_text())
    used = {e["id"].split("-")[0] for e in scenario["events"]}
    assert used <= ids
    assert (ROOT / "docs" / "reference" / "scales.md").read_text().startswith("# Escalation scales")
    for path in [ROOT / "scenarios" / "jan2020.yaml", ROOT / "src" / "escalation_sim" / "data" / "ladder.yaml"]:
        assert "shared/reference" not in path.read_text()


NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebooks_use_the_package_not_copied_helpers(path: Path) -> None:
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    code = "\n".join("".join(c["source"]) for c in cells)
    for helper in ("simulate", "variant", "shares"):
        assert not re.search(rf"^def {helper}\(", code, re.MULTILINE), f"{path.name} defines {helper}()"
    assert "import" not in code or "from escalation_sim" in code
    if "display(" in code:  # Jupyter provides it, but a notebook should say where its names come from
        assert "from IPython.display import display" in code


def test_the_instructor_key_is_written_on_demand_and_not_in_notebooks(tmp_path: Path) -> None:
    assert not list((ROOT / "notebooks").rglob("*key*"))
    result = CliRunner().invoke(app, ["instructor-key", "--out", str(tmp_path / "key")])
    assert result.exit_code == 0, result.output
    written = tmp_path / "key" / "05_classroom_key.ipynb"
    shipped = ROOT / "src" / "escalation_sim" / "data" / "instructor" / "05_classroom_key.ipynb"
    assert written.read_bytes() == shipped.read_bytes()
    again = CliRunner().invoke(app, ["instructor-key", "--out", str(tmp_path / "key")])
    assert again.exit_code == 2 and "--overwrite" in again.stderr


def test_the_citation_names_the_package_version() -> None:
    """CITATION.cff asks users to cite the version they used: it must be the version the package reports."""
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert str(citation["version"]) == declared
