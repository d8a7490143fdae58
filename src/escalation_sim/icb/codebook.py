"""The ICB v14 variables this package reads, with their labels and how far each label was verified.

Why a module of its own: every other part (the mapping, the predictions, the report) names categories, and the
labels must come from one place that says where they came from. Status values:

- `data`: the reading is forced by the shared data themselves (a cross-tabulation shows it; the check is in
  tests/icb/test_codebook.py, so it fails if the data say otherwise);
- `secondary`: labels as read from the official codebook by two independent public projects (their code, not the
  codebook text); the official v12/v14 codebook text itself could not be reached with the search tools (only its
  title page and state list were found, on docslib.org and dokumen.tips);
- `unverified`: a working reading, not confirmed anywhere; the mapping uses only its order, and says so.

docs/icb.md gives the same table in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VIOLENCE_VARIABLE = "sevviosy"  # the ICB1 column the four predicted levels are of (system level = max of SEVVIO)
VIOLENCE_LEVELS = (1, 2, 3, 4)
OUTCOME_FORMS = ("agreement", "tacit", "unilateral", "imposed", "faded", "other")


@dataclass(frozen=True)
class Variable:
    name: str
    file: str  # "icb1" or "icb2"
    meaning: str
    labels: dict[int, str] = field(default_factory=dict)
    status: str = "unverified"
    note: str = ""


_TRIGGER = {
    1: "verbal act",
    2: "political act",
    3: "economic act",
    4: "external change",
    5: "other non-violent act",
    6: "internal challenge",
    7: "non-violent military act",
    8: "indirect violent act",
    9: "violent act",
}

VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in (
        Variable(
            "sevviosy",
            "icb1",
            "severity of violence in crisis management (system level)",
            {1: "no violence", 2: "minor clashes", 3: "serious clashes", 4: "full-scale war"},
            "data",
            "equals the maximum of the actors' SEVVIO in 384 of 386 crises, and is 1 exactly when CRISMG is a "
            "non-violent technique (1-6) in 384 of 386; label words: secondary",
        ),
        Variable(
            "sevvio",
            "icb2",
            "severity of violence used by this crisis actor",
            {1: "no violence", 2: "minor clashes", 3: "serious clashes", 4: "full-scale war"},
            "secondary",
        ),
        Variable(
            "viol",
            "icb1",
            "violence in the crisis as a whole (not only crisis management)",
            {1: "no violence", 2: "minor clashes", 3: "serious clashes", 4: "full-scale war"},
            "unverified",
            "not predicted: 50 crises have VIOL 2 with no violence in crisis management, so it counts violence "
            "outside it (e.g. the trigger); the two secondary sources disagree on its labels",
        ),
        Variable(
            "crismg",
            "icb1",
            "primary crisis-management technique",
            {
                1: "negotiation",
                2: "adjudication or arbitration",
                3: "mediation",
                4: "multiple, not violence",
                5: "non-military pressure",
                6: "non-violent military",
                7: "multiple including violence",
                8: "violence",
            },
            "secondary",
            "violence is THE primary technique for code 8; 7 and 8 together are the crises with violence "
            "(checked against SEVVIOSY in the data)",
        ),
        Variable(
            "forout",
            "icb1",
            "form of outcome",
            {
                1: "formal agreement",
                2: "semi-formal agreement",
                3: "tacit understanding",
                4: "unilateral act",
                5: "imposed agreement",
                6: "other",
                7: "crisis faded",
            },
            "secondary",
        ),
        Variable(
            "brexit",
            "icb1",
            "duration of the crisis in days (trigger to termination)",
            {},
            "unverified",
            "values 1-1461 in the shared rows; used as days",
        ),
        Variable("break", "icb1", "type of triggering act", _TRIGGER, "secondary"),
        Variable("triggr", "icb2", "type of triggering act for this actor", _TRIGGER, "secondary"),
        Variable(
            "trigent",
            "icb1/icb2",
            "triggering entity: a state code; 995-997 special codes",
            {},
            "unverified",
            "995/996/997 read as internal / non-state / multiple entities by one secondary source only",
        ),
        Variable(
            "gravcr",
            "icb1",
            "gravity of the threat (the most grave for any actor)",
            {
                0: "economic threat",
                1: "limited military threat",
                2: "political threat",
                3: "territorial threat",
                4: "threat to influence",
                5: "threat of grave damage",
                6: "threat to existence",
                7: "other",
            },
            "secondary",
        ),
        Variable("gravty", "icb2", "gravity of the threat to this actor", {}, "secondary", "same codes as GRAVCR"),
        Variable(
            "powsta",
            "icb2",
            "power status of the actor",
            {1: "small power", 2: "middle power", 3: "great power", 4: "superpower"},
            "secondary",
        ),
        Variable(
            "regime",
            "icb2",
            "regime type",
            {
                1: "democratic",
                2: "civil authoritarian",
                3: "military direct rule",
                4: "military indirect rule",
                5: "military dual authority",
            },
            "secondary",
        ),
        Variable(
            "nuclear",
            "icb2",
            "nuclear capability",
            {1: "none", 2: "foreseeable", 3: "possesses", 4: "second-strike"},
            "secondary",
        ),
        Variable(
            "age",
            "icb2",
            "age of the state (codes 1-8, ordered)",
            {},
            "unverified",
            "used only through its order (higher = older), and only lightly",
        ),
        Variable("territ", "icb2", "size of territory", {1: "small", 2: "medium", 3: "large"}, "unverified"),
        Variable(
            "gpinv",
            "icb1",
            "great-power involvement (codes 1-7)",
            {1: "none or low"},
            "unverified",
            "303 of 386 crises have code 1; the mapping reads 1 as no involvement and anything else as some",
        ),
        Variable(
            "protrac",
            "icb1",
            "protracted conflict",
            {1: "not protracted", 2: "protracted conflict", 3: "long-war protracted conflict"},
            "unverified",
            "the mapping reads 2 and 3 as part of a protracted conflict",
        ),
        Variable("noactr", "icb1", "number of crisis actors", {}, "secondary"),
        Variable(
            "geog",
            "icb1",
            "geographic region of the crisis (two-digit codes)",
            {},
            "unverified",
            "kept in the scenario's description only: the model has no geography",
        ),
        Variable("yrtrig", "icb1", "year of the trigger", {}, "secondary"),
        Variable(
            "powdissy",
            "icb1",
            "power discrepancy between the adversaries",
            {},
            "unverified",
            "used in the stylized facts only (larger = more unequal)",
        ),
    )
}


def label(variable: str, code: object) -> str:
    """The label of a code, or the code itself where the codebook gives none (never raises)."""
    try:
        return VARIABLES[variable].labels.get(int(code), str(code))  # type: ignore[call-overload]
    except (KeyError, TypeError, ValueError):
        return str(code)


def codebook_table() -> list[dict[str, str]]:
    """One row per variable, for docs and the manifest."""
    return [
        {
            "variable": v.name,
            "file": v.file,
            "meaning": v.meaning,
            "status": v.status,
            "labels": "; ".join(f"{k} {t}" for k, t in v.labels.items()),
            "note": v.note,
        }
        for v in VARIABLES.values()
    ]
