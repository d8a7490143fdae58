"""Words (docs/model.md, Signals in beliefs): what a message does to what its receiver believes of the sender.

A message announcing force (a warning, a demand) or renouncing it (an assurance, a closure) moves the receiver's
posterior over the sender's types where it holds beliefs about it, once (the choice that carried it, if the receiver
saw it or when it arrives: minds/beliefs; else what it says: BeliefState.hear); otherwise the
log-odds of its reading of the sender's credibility, by the same likelihoods for a resolved (r = 1) and an
unresolved (r = 0) type, fading with its memory (`listen`, end of day). Trager 2010; Yarhi-Milo 2014; Carson 2018.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..scenario.beliefs import Belief

if TYPE_CHECKING:
    from ..state.actor import ActorState, HeldBelief
    from ..state.world import World

FORCE_MESSAGES = {"warning": True, "demand": True, "assurance": False, "closure": False}  # announces force?
_DEFAULT = Belief.model_fields  # an actor without a `beliefs:` block learns from words with the defaults
WORDS_TREMBLE: float = _DEFAULT["tremble"].default
WORDS_TEMPER: float = _DEFAULT["temper"].default


def message_likelihood(resolve: float, force: bool, credibility: float) -> float:
    """P(the message | a type of resolve r), up to a constant: with the sender's credibility c the message
    speaks the type's intent (r for a warning or demand, 1 - r for an assurance or closure), otherwise it is
    cheap talk any type sends (Trager 2010; Yarhi-Milo 2014; Carson 2018)."""
    said = resolve if force else 1.0 - resolve
    return credibility * said + (1.0 - credibility)


def hear(model: World, receiver: ActorState, sender: ActorState, kind: str, counted: bool = False) -> None:
    """A message from `sender` enters `receiver`: its posterior where it holds beliefs about the sender; else
    the log-odds of its reading of the sender's credibility, by the same likelihoods for a resolved (r = 1) and
    an unresolved (r = 0) type, tempered and trembled as a belief's defaults.

    A believer counts a message once. `counted`: the act that carried it was seen when chosen (a strike's
    warning, a public closure), so it is already evidence, weighed by the types' policies. A private message
    the sender chose enters on arrival with the evidence its choice carries, kept since (beliefs `arrived`).
    Only a message nobody chose to send it (a host passing on a partner's assurance) is weighed by what it says
    (`message_likelihood`)."""
    force = FORCE_MESSAGES[kind]
    j = sender.index
    state = receiver.beliefs.get(j)
    if state is not None:
        if not counted and not arrived(state, kind):
            state.hear(force, sender.credibility)
        receiver.resolve_of[j] = receiver.credibility_of[j] = state.expected_resolve()
        return
    odd = (1.0 - WORDS_TREMBLE) * message_likelihood(0.0 if force else 1.0, force, sender.credibility)
    shift = -WORDS_TEMPER * math.log(odd + WORDS_TREMBLE)  # log L(r=1) - log L(r=0): one of them is 1
    receiver.heard[j] += shift if force else -shift
    if receiver not in model.listeners:
        model.listeners.append(receiver)
        if receiver.credibility_of is model.credibility_of:
            receiver.credibility_of = list(model.credibility_of)  # its own reading from now on
    receiver.credibility_of[j] = _heard(model.credibility_of[j], receiver.heard[j])


def arrived(state: HeldBelief, kind: str) -> bool:
    """A message of `kind` its sender chose arrived: the evidence of the choice, kept since (minds/beliefs
    `observe`), enters the posterior (the first one of that kind on its way). False if none was on its way."""
    for n, (waiting, ratios) in enumerate(state.pending):
        if waiting == kind:
            del state.pending[n]
            state.update(ratios)
            return True
    return False


def lost(state: HeldBelief, kind: str) -> None:
    """A message of `kind` its sender chose never arrives: it teaches nothing (the first one on its way)."""
    for n, (waiting, _) in enumerate(state.pending):
        if waiting == kind:
            del state.pending[n]
            return


def _heard(credibility: float, shift: float) -> float:
    """A credibility moved by `shift` in log-odds."""
    c = min(max(credibility, 1e-9), 1.0 - 1e-9)
    return 1.0 / (1.0 + math.exp(-(math.log(c / (1.0 - c)) + shift)))


def listen(model: World) -> None:
    """End of day: what the listeners heard fades with their memory (grievance half-life) and is applied to the
    others' credibility as refreshed today (after `refresh`: believed senders keep their posterior)."""
    shared = model.credibility_of
    for receiver in model.listeners:
        decay = receiver.grievance_decay
        heard = receiver.heard
        if receiver not in model.believers:
            receiver.credibility_of[:] = shared
        for j, shift in enumerate(heard):
            if shift and j not in receiver.beliefs:
                heard[j] = shift = shift * decay
                receiver.credibility_of[j] = _heard(shared[j], shift)
