"""The teaching notebooks run end to end, in a kernel of this interpreter, and are stored without outputs.

Each notebook under notebooks/ (the instructor's key included) is executed with nbclient, from its own folder,
in a `python3` kernel whose spec is written to a temporary JUPYTER_PATH entry pointing at `sys.executable`: the
kernel is this venv's Python whatever kernelspecs the machine or the user has installed. They run at a tenth of
their runs (ESCALATION_SIM_NOTEBOOK_RUNS=0.1, read through `samples.notebook_runs`): every cell runs and can fail,
in a fraction of the time the full counts take.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
KEYS = Path(__file__).resolve().parents[1] / "src" / "escalation_sim" / "data" / "instructor"  # instructor-key
PATHS = sorted(p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts) + sorted(
    KEYS.glob("*.ipynb")
)


def _name(path: Path) -> str:
    return path.relative_to(NOTEBOOKS).as_posix() if path.is_relative_to(NOTEBOOKS) else f"key/{path.name}"


CELL_TIMEOUT = 120  # seconds per cell


def test_there_are_notebooks() -> None:
    names = {_name(p) for p in PATHS}
    assert {"01_quickstart.ipynb", "05_classroom.ipynb", "key/05_classroom_key.ipynb"} <= names
    assert not any("key" in p.name for p in NOTEBOOKS.rglob("*.ipynb")), "the key stays out of notebooks/"


def test_every_notebook_is_in_the_readme_list() -> None:
    readme = (NOTEBOOKS.parent / "README.md").read_text(encoding="utf-8")
    missing = [p.stem for p in NOTEBOOKS.glob("*.ipynb") if f"`{p.stem}`" not in readme]
    assert not missing, f"notebooks missing from the README's list: {missing}"


@pytest.fixture(scope="module")
def kernel_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JUPYTER_PATH entry whose `python3` kernel runs this interpreter."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    kernel = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (test)",
        "language": "python",
    }
    (spec / "kernel.json").write_text(json.dumps(kernel))
    return root


def test_kernel_is_this_interpreter(kernel_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_client.kernelspec import KernelSpecManager

    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == sys.executable


@pytest.mark.parametrize("path", PATHS, ids=[_name(p) for p in PATHS])
def test_notebook_is_stored_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    with_outputs = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not with_outputs, f"{path.name}: store notebooks without outputs (cells {with_outputs})"


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("path", PATHS, ids=[_name(p) for p in PATHS])
def test_notebook_runs(path: Path, kernel_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("ESCALATION_SIM_NOTEBOOK_RUNS", "0.1")  # the kernel inherits it
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    elapsed = time.perf_counter() - started
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: {errors[0].ename}: {errors[0].evalue}"
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images > 0, f"{path.name} shows no figure"
    print(f"{_name(path)}: {elapsed:.1f} s")
