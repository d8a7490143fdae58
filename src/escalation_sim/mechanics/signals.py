"""Signals as objects (docs/model.md section 5a): threats with conditions, closure declarations, private messages.

A public threat is a `Threat` with its terms (`scenario.signalling.ThreatTerms`). A deterrent threat costs
nothing until its condition is met (the threatened actor acts against the author at or above a rung, or kills
its nationals); then its author has a window to use force against the threatened actor (a strike on anyone that
kills the threatened actor's people counts) or it pays its audience cost when the window closes. Backing down
publicly while the window is open (a stand-down or closure statement, citing what has changed) pays only part
of it. A compellent threat opens its window at the deadline unless the target complied (a public de-escalation
toward the author). A deterrent threat whose condition is never met lapses at no cost. The live window is the
author's `pending_threat[target]` (days left), which the rules read.

A closure declaration commits its author to no further force against the other side absent a new provocation
for `closure_days`; breaking it costs the audience cost. It reaches the other side through `receive`, as do
private messages: `receive` is the one door through which signals enter an actor (its beliefs about the sender or,
without them, its reading of the sender's credibility (beliefs.hear); its unanswered severity; its alert).
Schelling 1966; Fearon 1994, 1997; Sartori 2002; Trager 2010; Kertzer & Brutger 2016; Levendusky & Horowitz 2012.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..scenario import Action
from ..scenario.signalling import ThreatTerms
from ..state.ledgers import Threat
from .channels import route, send
from .words import hear, lost

if TYPE_CHECKING:
    from ..state.actor import ActorState
    from ..state.records import Act
    from ..state.world import World

RELAYED = "assurance"  # what a host passes between its partners: it eases, it does not threaten (host.py)
FULFIL_GAIN = 0.1  # credibility gained by making a threat good (unchanged from the timer this replaces)


def _open_window(model: World, threat: Threat) -> None:
    threat.live = True
    sender = model.actors[threat.sender]
    sender.pending_threat[threat.target] = max(sender.pending_threat[threat.target], threat.window)


def issue_threat(model: World, actor: ActorState, target: ActorState, terms: ThreatTerms | None) -> None:
    """A public threat: recorded with its terms; its window opens at once if its condition is already met."""
    terms = terms if terms is not None else model.crisis.signals.threats
    window = terms.window_days if terms.window_days is not None else model.crisis.threat_window_days
    old = model.signals.threats.get((actor.index, target.index))
    threat = Threat(actor.index, target.index, terms, window, model.day)
    if old is not None and old.live:  # a live commitment stays live; the new words do not cancel it
        threat.live = True
    model.signals.threats[(actor.index, target.index)] = threat
    if terms.condition_met or (terms.kind == "compellent" and terms.deadline_days == 0):
        _open_window(model, threat)


def _meets(terms: ThreatTerms, act: Act, author_id: str) -> bool:
    return meets(terms, act.action.rung, act.action.force, act.killed.get(author_id, 0))


def meets(terms: ThreatTerms, rung: int, force: bool, killed: float) -> bool:
    """Whether an act of this rung (force or not) killing `killed` of the author's people meets a deterrent
    threat's condition: its declared red line (also read by forecasts, minds/anticipation.py)."""
    if terms.kind != "deterrent":
        return False
    if terms.condition_killed > 0 and killed >= terms.condition_killed:
        return True
    return force if terms.condition_rung is None else rung >= terms.condition_rung


def _charge(actor: ActorState, share: float) -> None:
    """An audience cost: credibility lost and domestic pressure gained (Fearon 1994)."""
    cost = actor.spec.audience_cost * share
    actor.credibility = max(0.0, actor.credibility - cost)
    actor.domestic_pressure = min(1.0, actor.domestic_pressure + cost)


def on_act(model: World, act: Act, target: ActorState) -> None:
    """What a public act does to the signals in play: threats issued, met, made good or backed down from."""
    actor = act.actor
    assert actor is not None
    action = act.action
    book = model.signals
    i, j = actor.index, target.index
    if action.is_hostile:
        theirs = book.threats.get((j, i))
        if theirs is not None and not theirs.live and _meets(theirs.terms, act, target.actor_id):
            _open_window(model, theirs)
        book.closures.pop((j, i), None)  # a new provocation frees the other side from its closure
    if action.force:
        for (s, t), threat in list(book.threats.items()):
            if s == i and threat.live and (t == j or act.killed.get(model.actor_ids[t], 0) > 0):
                del book.threats[(s, t)]
                actor.pending_threat[t] = 0
                actor.credibility = min(1.0, actor.credibility + FULFIL_GAIN)
        if (i, j) in book.closures:  # force after declaring one's response concluded, unprovoked
            del book.closures[(i, j)]
            _charge(actor, 1.0)
    elif action.rung < 0:
        mine = book.threats.get((i, j))
        if mine is not None and mine.live:  # backing down in public, citing what has changed
            del book.threats[(i, j)]
            actor.pending_threat[j] = 0
            _charge(actor, 1.0 - model.crisis.signals.justified_discount)
        theirs = book.threats.get((j, i))
        if theirs is not None and theirs.terms.kind == "compellent" and not theirs.live:
            del book.threats[(j, i)]  # complied
    if action.effect == "threat":
        issue_threat(model, actor, target, act.threat)
    elif action.effect == "closure":
        book.closures[(i, j)] = model.day + model.crisis.signals.closure_days
        receive(model, target, actor, "closure", counted=True)  # a public word, seen when chosen


def private_message(model: World, act: Act, target: ActorState) -> str:
    """Send a private message through the scenario's channels; returns what became of it, in words."""
    actor = act.actor
    assert actor is not None and act.action.message is not None
    return _deliver(model, actor, target, act.action.message, chosen=True)


def _deliver(
    model: World, actor: ActorState, target: ActorState, kind: str, host: int = -1, chosen: bool = False
) -> str:
    """Send a message; `chosen`: its sender chose it, and one lost on the way teaches its receiver nothing."""
    sent = send(model, actor.index, target.index, kind, host)
    if chosen and not sent.delivered and actor.index in target.beliefs:
        lost(target.beliefs[actor.index], kind)
    if sent.delivered:
        if sent.day == model.day:
            receive(model, target, actor, kind)
        else:
            model.signals.inbox.setdefault(sent.day, []).append((actor.index, target.index, kind))
    return sent.describe()


def relay(model: World, host: ActorState, target: ActorState) -> str:
    """A host passes to `target` the assurance of each of its other partners, on the lines it carries from them
    to `target` (with their delay and reliability, as any private message); returns what became of them."""
    said = []
    for partner_id in host.spec.partners:
        partner = model.by_id[partner_id]
        if partner is not target and route(model.lines, partner.index, target.index, RELAYED, host.index):
            said.append(f"{partner_id}'s {RELAYED} " + _deliver(model, partner, target, RELAYED, host.index))
    return "; ".join(said)


def warn(model: World, actor: ActorState, target: ActorState, action: Action) -> tuple[bool, str]:
    """The warning a strike carries: whether it reached the target in time to shelter, and how, in words."""
    if action.warning == "public":
        receive(model, target, actor, "warning", counted=True)  # the strike was seen chosen: it is the evidence
        return True, "warned publicly"
    if action.warning == "private":
        sent = send(model, actor.index, target.index, "warning")
        in_time = sent.delivered and sent.day == model.day
        if in_time:
            receive(model, target, actor, "warning", counted=True)
        return in_time, "warning " + sent.describe() + ("" if in_time or not sent.delivered else " (too late)")
    return False, "unwarned"


def receive(model: World, receiver: ActorState, sender: ActorState, kind: str, counted: bool = False) -> None:
    """The one door through which a signal enters an actor, weighted by the sender's credibility.

    Every message enters what the receiver believes of the sender's resolve (beliefs.hear: a Bayes update of its
    posterior, or of its reading of the sender's credibility where it holds no beliefs; `counted`: the act that
    carried it was seen when chosen, and a believer counts it once, words.hear). An assurance or a
    closure also lets go of a share of the receiver's unanswered severity against the sender (`reassurance x
    credibility`) and relaxes its alert as much; a warning or a demand raises its alert (`warning_alert x
    credibility`).
    """
    terms = model.crisis.signals
    j = sender.index
    credibility = sender.credibility
    hear(model, receiver, sender, kind, counted)
    if kind in ("assurance", "closure"):
        relief = terms.reassurance * credibility
        receiver.outstanding[j] *= 1.0 - relief
        receiver.alert = receiver.base_alert + (receiver.alert - receiver.base_alert) * (1.0 - relief)
        receiver.conciliatory[j] = True
    else:
        receiver.alert = min(1.0, receiver.alert + terms.warning_alert * credibility)


def end_of_day(model: World) -> None:
    """Messages arrive; compellent deadlines pass; unmet deterrent threats and closures lapse; lapsed windows go."""
    book = model.signals
    day = model.day
    if book.inbox:
        for sender, receiver, kind in book.inbox.pop(day, ()):
            receive(model, model.actors[receiver], model.actors[sender], kind)
    if book.threats:
        for key, threat in list(book.threats.items()):
            if threat.live:
                if model.actors[threat.sender].pending_threat[threat.target] == 0:
                    del book.threats[key]  # the window closed unmet: the author paid (ActorState.end_of_day)
            elif threat.terms.kind == "compellent":
                if day >= threat.issued + threat.terms.deadline_days:
                    _open_window(model, threat)
            elif day >= threat.issued + threat.terms.lapse_days:
                del book.threats[key]  # the condition was never met: no cost
    if book.closures:
        for key, last in list(book.closures.items()):
            if day >= last:
                del book.closures[key]
