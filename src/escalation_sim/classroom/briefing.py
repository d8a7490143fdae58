"""What a player sees before deciding a day: the news, whom they blame, the costs in view, the menu.

Text only, computed from the model's state; nothing here draws random numbers, so showing a briefing never
changes a game. Shared by the terminal (`escalation-sim play`) and the app's buttons.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..display import format_probability

if TYPE_CHECKING:
    from ..agents import CrisisActor
    from ..model import EscalationModel, Record
    from ..scenario import Action


@dataclass(frozen=True, slots=True)
class OptionView:
    """One line of today's menu: what the option is, whether it is open today, what the model would give it."""

    index: int
    action: str
    target: str | None
    label: str
    rung: int
    force: bool
    expected_killed: float
    cooling_days: int  # 0 when available today
    model_probability: float  # on the option's channel: words beside the day's deed (docs/model.md 1c)

    @property
    def available(self) -> bool:
        return self.cooling_days == 0

    @property
    def text(self) -> str:
        return self.label + (f" -> {self.target}" if self.target else "")


@dataclass(slots=True)
class Situation:
    """What the player sees before deciding a day: what happened, whom it blames, its costs, its options."""

    date: dt.date
    turn: int  # 1 on the branch day
    turns: int
    actor_id: str
    actor_name: str
    happened: list[str]
    blame: list[str]
    costs: list[str]
    options: list[OptionView]


def option_views(model: EscalationModel, actor: CrisisActor) -> list[OptionView]:
    """Today's menu for the played actor, with what the model's rule would give each option."""
    policy = actor.policy()
    probs, words = policy.probs, policy.words or policy.probs  # each option on its channel (docs/model.md 1c)
    ladder = model.ladder
    return [
        OptionView(
            index=o.index,
            action=o.action,
            target=o.target,
            label=ladder[o.action].label,
            rung=o.rung,
            force=o.force,
            expected_killed=o.expected_killed,
            cooling_days=actor.cooling[o.index],
            model_probability=words[o.index] if o.words else probs[o.index],
        )
        for o in actor.options
    ]


def describe(record: Record, me: str, ladder: dict[str, Action]) -> str:
    """A record as one line of news, from the played actor's point of view, with what came of it."""
    who = "you" if record.actor == me else record.actor
    target = ""
    if record.target:
        target = " -> " + ("you" if record.target == me else record.target)
    blame = ""
    if record.attributed and record.target:
        blamed = "+".join("you" if a == me else a for a in record.attributed.split("+"))
        blame = f" ({'you' if record.target == me else record.target} blamed {blamed})"
    source = {"history": "  [history]", "player": "  [your choice]"}.get(record.origin, "")
    label = ladder[record.action].label
    doer = f"{who}: " if who else ""
    result = outcome_words(record, me, ladder)
    return f"{record.date.isoformat()}  {doer}{label}{target}{': ' + result if result else ''}{blame}{source}"


SALVO = re.compile(r"; (warned [^;]*|warning [^;]*|unwarned); (\d+) of (\d+) missiles landed$")  # `Model.act`


PRIVATE_WARNING = re.compile(
    r"^warning via [^ ]+(?: \((?P<via>.*)\))?: (?P<fate>lost|arrives (?P<when>.*?))(?P<late> \(too late\))?$"
)


def warning_words(warning: str) -> str:
    """A strike's warning as a player reads it: "warning via iraq_pm (Iraq's prime minister): lost" (the model's
    trace, `signals.warn`) becomes "a warning sent through Iraq's prime minister was lost"."""
    if warning == "unwarned":
        return "no warning"
    if warning == "warning no open channel":
        return "no warning (no open channel to send one)"
    found = PRIVATE_WARNING.match(warning)
    if found is None:
        return warning  # "warned publicly", or a form this reader does not know: as the model wrote it
    through = f" through {found['via']}" if found["via"] else ""
    if found["fate"] == "lost":
        return f"a warning sent{through} was lost"
    if found["late"]:
        return f"a warning sent{through} arrived too late to shelter"
    return f"warned{through} in time to shelter"


def outcome_words(record: Record, me: str, ladder: dict[str, Action]) -> str:
    """What came of an act, as those who saw it would know: the dead and wounded by nation ("no casualties"
    for force that killed no one), and for a missile salvo whether it was warned and how many missiles landed."""
    parts = []
    if record.killed:
        parts.append("killed " + ", ".join(f"{n} {'of yours' if k == me else k}" for k, n in record.killed.items()))
    elif ladder[record.action].force and record.target:
        parts.append("no casualties")
    if record.wounded:
        parts.append("wounded " + ", ".join(f"{n} {'of yours' if k == me else k}" for k, n in record.wounded.items()))
    salvo = SALVO.search(record.reason)
    if salvo:
        warning, landed, fired = salvo.group(1), int(salvo.group(2)), int(salvo.group(3))
        parts.append(warning_words(warning))
        parts.append(f"{landed} of {fired} missiles landed ({fired - landed} intercepted or failed)")
    return "; ".join(parts)


def belief_words(actor: CrisisActor) -> list[str]:
    """What the actor believes about each adversary it holds beliefs on, in words: the doctrines it thinks
    likely (types of one doctrine added up) and how resolved it thinks the other is."""
    lines = []
    for belief in actor.beliefs.values():
        doctrines: dict[str, float] = {}
        for kind, weight in zip(belief.spec.types, belief.posterior, strict=True):
            words = doctrine_words(kind.rule)
            doctrines[words] = doctrines.get(words, 0.0) + weight
        ranked = sorted(doctrines.items(), key=lambda item: -item[1])
        first, rest = ranked[0], ranked[1:]
        text = f"{belief.other.actor_id}: most likely {first[0]} ({first[1]:.0%})"
        if rest:
            text += "; otherwise " + ", ".join(f"{w} ({p:.0%})" for w, p in rest)
        lines.append(f"{text}. You think it {belief.expected_resolve():.0%} likely to carry out what it stands for.")
    return lines


def doctrine_words(rule: object) -> str:
    """A doctrine as a sentence part: "holds a red line at 1 death", "shows restraint"."""
    name = getattr(rule, "name", str(rule))
    threshold = getattr(rule, "killed_threshold", None)
    if name == "red_line" and threshold is not None:
        return f"holds a red line at {threshold:g} death{'s' * (threshold != 1)}"
    return {
        "restraint": "shows restraint",
        "escalation_dominance": "seeks escalation dominance",
        "tit_for_tat": "answers in kind",
    }.get(name, f"follows {name.replace('_', ' ')}")


def blame(model: EscalationModel, actor: CrisisActor) -> list[str]:
    """Whom the played actor holds responsible for what, and who has offered to calm things down."""
    lines = []
    for other in model.actors:
        j = other.index
        if other is actor:
            continue
        if actor.outstanding[j] > 0.0:
            p = actor.last_attribution[j]
            sure = "for certain" if p >= 0.999 else f"with p={format_probability(p)}"
            lines.append(
                f"{other.actor_id}: you hold it responsible {sure} for acts weighing {actor.outstanding[j]:.1f} "
                f"rungs, unanswered (grievance {actor.grievance[j]:.1f})"
            )
        if actor.conciliatory[j]:
            lines.append(f"{other.actor_id} has made a conciliatory move: you may answer it in kind")
    if not lines:
        lines.append("nothing unanswered weighs on you")
    return lines


def costs(model: EscalationModel, actor: CrisisActor) -> list[str]:
    """The costs in view: pressure, credibility, alert and accidents, legitimacy, threats, sovereignty."""
    spec = actor.spec
    ids = model.actor_ids
    lines = [
        f"pressure at home to answer: {actor.domestic_pressure:.2f} (0-1)",
        f"your credibility (how far others believe your threats): {actor.credibility:.2f}",
    ]
    if spec.accident_rate > 0:
        lines.append(
            f"your forces' alert: {actor.alert:.2f}; chance of an accident today "
            f"{100 * actor.accident_hazard():.2f}% (it grows with the square of alert)"
        )
    if actor.legitimacy_cost >= 0.05:
        lines.append(f"legitimacy cost of force already used: {actor.legitimacy_cost:.2f} (a justification lowers it)")
    for j, days in enumerate(actor.pending_threat):
        if days:
            lines.append(
                f"your threat against {ids[j]}: {days} day{'s' * (days > 1)} left to carry it out, "
                f"or lose {spec.audience_cost:.2f} credibility"
            )
    for j, cost in enumerate(actor.sovereignty_cost):
        if cost > 0:
            lines.append(f"{ids[j]} demands your withdrawal: force on its soil costs you more ({cost:.2f})")
    for name in spec.adversaries:
        other = model.by_id[name]
        belief = actor.beliefs.get(other.index)
        if belief is not None:  # issue 8: a believer does not see the truth, only its posterior
            lines.append(
                f"{name}'s resolve as you read it: {actor.resolve_of[other.index]:.2f} "
                "(your beliefs about it are listed with what you believe): how hard it is expected to answer force"
            )
            continue
        lines.append(
            f"{name}'s resolve {other.resolve:.2f} x credibility {other.credibility:.2f}: "
            "how hard it is expected to answer force (retaliation grows with the square of the rung)"
        )
    if actor.sponsor is not None and spec.sponsor_control > 0:
        lines.append(f"{actor.sponsor.actor_id} wants calm: its restraint on you is {actor.sponsor_restraint:.2f}")
    return lines


# --- deciding ----------------------------------------------------------------------------------------


def option_text(label: str, target: str | None) -> str:
    return label + (f" -> {target}" if target else "")
