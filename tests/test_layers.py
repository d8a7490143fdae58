"""Import layering: lower layers never import higher ones, so the core stays usable (and testable) without the
command line, the app or the analysis stack.

Layers, low to high: rules/ (pure decision functions, below the scenario layer because scenario files validate
rule parameters), scenario/, the model (agents, model, perception, outcomes), runner and sweep/, analysis
(plots, sweep.analysis, sweep.figures, evaluation/), classroom/, and on top cli/ and classroom.app. Nothing in rules/ or
scenario/ imports the model; nothing below cli/ imports cli/. A new module must be placed here: an unplaced
module fails the test.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

import escalation_sim

PACKAGE = "escalation_sim"
SOURCE = Path(escalation_sim.__file__).resolve().parent

# (pattern over the module's name inside the package, layer); the first match wins. "" is the package itself,
# whose __init__ re-exports the model layer.
LAYERS: list[tuple[str, int]] = [
    ("rules", 0), ("rules.*", 0), ("data", 0), ("data.*", 0), ("files", 0),
    ("scenario", 1), ("scenario.*", 1),
    ("agents", 2), ("model", 2), ("display", 2), ("perception", 2), ("outcomes", 2), ("dyads", 2), ("proxies", 2),
    ("host", 2), ("", 2), ("anticipation", 2), ("beliefs", 2), ("supposed", 2),
    ("signals", 2), ("channels", 2), ("harm", 2), ("options", 2),
    ("sweep.analysis", 4), ("sweep.figures", 4), ("sweep.tournament_figure", 4),
    ("runner", 3), ("samples", 3), ("sweep", 3), ("sweep.*", 3), ("score", 3), ("score.*", 3), ("eventdata", 3),
    ("calibrate.figures", 4), ("calibrate", 3), ("calibrate.*", 3),
    ("plots", 4), ("evaluation", 4), ("evaluation.*", 4),
    ("icb.scores", 4), ("icb.baselines", 4), ("icb.crossval", 4), ("icb.facts", 4), ("icb.report", 4),
    ("icb", 3), ("icb.*", 3),
    ("classroom.app", 6),
    ("classroom", 5), ("classroom.*", 5),
    ("cli", 6), ("cli.*", 6),
]  # fmt: skip
LAYER_NAMES = ["rules/data", "scenario", "agents/model/perception/outcomes", "runner/sweep", "plots/analysis",
               "classroom", "cli/classroom.app"]  # fmt: skip
# Within the top layer the two interfaces stay apart: the command line starts the app as a separate process
# (solara run escalation_sim.classroom.app) and never imports it, so `--help` never loads Solara.
APART = [("cli", "classroom.app"), ("cli.*", "classroom.app"), ("classroom.app", "cli"), ("classroom.app", "cli.*")]


def layer_of(module: str) -> int | None:
    for pattern, layer in LAYERS:
        if fnmatchcase(module, pattern):
            return layer
    return None


def module_names(root: Path = SOURCE) -> dict[str, Path]:
    """Every module of the package by its dotted name inside the package ('' for the package itself)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports_of(module: str, source: str, known: set[str], is_package: bool) -> set[str]:
    """Modules of the package that `module` imports, anywhere in it (lazy imports in functions count too)."""
    here = module.split(".") if module else []
    package = here if is_package else here[:-1]
    found: set[str] = set()

    def add(target: list[str], names: list[str]) -> None:
        base = ".".join(target)
        for name in names:
            sub = f"{base}.{name}" if base else name
            if sub in known:
                found.add(sub)
                break
        else:
            if base in known:
                found.add(base)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                target = package[: len(package) - node.level + 1] if node.level > 1 else list(package)
                target += node.module.split(".") if node.module else []
            elif node.module and node.module.split(".")[0] == PACKAGE:
                target = node.module.split(".")[1:]
            else:
                continue
            for alias in node.names:
                add(target, [alias.name])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == PACKAGE:
                    add(parts[1:-1], [parts[-1]]) if len(parts) > 1 else found.add("")
    found.discard(module)
    return found


def violations(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """Each import from a lower layer into a higher one, and each module no layer claims, in words."""
    known = set(sources)
    problems = []
    for module, (source, is_package) in sorted(sources.items()):
        layer = layer_of(module)
        if layer is None:
            problems.append(f"{PACKAGE}.{module} is in no layer: add it to LAYERS in tests/test_layers.py")
            continue
        for target in sorted(imports_of(module, source, known, is_package)):
            target_layer = layer_of(target)
            if target_layer is not None and target_layer > layer:
                problems.append(
                    f"{PACKAGE}.{module} ({LAYER_NAMES[layer]}) imports {PACKAGE}.{target or '__init__'} "
                    f"({LAYER_NAMES[target_layer]}), a higher layer"
                )
            elif any(fnmatchcase(module, a) and fnmatchcase(target, b) for a, b in APART):
                problems.append(
                    f"{PACKAGE}.{module} imports {PACKAGE}.{target}: the command line and the app stay apart"
                )
    return problems


def test_no_module_imports_a_higher_layer() -> None:
    sources = {
        name: (path.read_text(encoding="utf-8"), path.name == "__init__.py") for name, path in module_names().items()
    }
    assert "scenario.schema" in sources and "rules.base" in sources, "the package was not found where expected"
    problems = violations(sources)
    assert not problems, "\n".join(problems)


# --- the checker itself must catch what it is for -----------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "source", "is_package"),
    [
        ("rules.base", "from ..scenario import Scenario", False),
        ("rules", "from .. import cli", True),
        ("scenario.schema", "def f():\n    from ..model import EscalationModel", False),
        ("scenario.load", "from ..agents import CrisisActor", False),
        ("scenario.errors", "import escalation_sim.sweep.spec", False),
        ("model", "import escalation_sim.runner", False),
        ("perception", "from .sweep import distribution", False),
        ("outcomes", "from escalation_sim.plots import timeline", False),
        ("runner", "from .sweep.analysis import summarize", False),
        ("sweep.worker", "from ..classroom.game import Game", False),
        ("sweep.runner", "from .figures import heatmap", False),
        ("classroom.game", "from ..cli.common import fail", False),
        ("classroom.debrief", "from .app import Page", False),
        ("cli.classroom", "from ..classroom.app import Page", False),
    ],
)
def test_checker_flags_upward_imports(module: str, source: str, is_package: bool) -> None:
    sources = {m: ("", False) for m in module_names()}
    sources[module] = (source, is_package)
    problems = [p for p in violations(sources) if p.startswith(f"{PACKAGE}.{module} ")]
    assert len(problems) == 1 and ("a higher layer" in problems[0] or "stay apart" in problems[0]), problems


def test_checker_allows_downward_imports() -> None:
    sources = {m: ("", False) for m in module_names()}
    sources["cli"] = ("from ..runner import run\nfrom ..scenario import load_scenario\nfrom .. import __version__",
                      True)  # fmt: skip
    sources["scenario.schema"] = ("from ..rules import RULES, RuleConfig", False)
    sources["classroom.debrief"] = ("from ..sweep.runner import distribution", False)
    sources["classroom.app"] = ("from .game import Game\nfrom ..plots import timeline", False)
    assert violations(sources) == []


def test_unplaced_module_fails_with_where_to_add_it() -> None:
    sources = {m: ("", False) for m in module_names()}
    sources["newthing"] = ("", False)
    assert violations(sources) == [f"{PACKAGE}.newthing is in no layer: add it to LAYERS in tests/test_layers.py"]
