"""Anticipation: a pure forecast of the answer an option would provoke from its target (docs/model.md).

For each option of the deciding actor, the target is imagined in the state the option would create: its
grievance against the actor raised by the option's expected severity (no perception noise) times the expected
attribution, in two branches weighted by the option's probability of killing (no one killed; the mean toll given
someone is). A missile salvo's probability of killing is the harm model's own (mechanics/harm.py `kill_chance`:
salvo, reliability, interception, lethality, the target's alert as the public record shows it (minds/public.py:
never its real alert), and the chance its warning gets through on the
channels open today); other acts' is their negative binomial's. A threat of the target against the actor that
is in force and whose declared condition the branch meets (or whose window is already open) binds the target:
with the actor's reading of the target's credibility, it makes the threat good with force aimed at the actor
near the provocation's rung (Schelling 1966; Fearon 1994), and otherwise answers as its doctrine says. The
target's answer is the policy of the rule the actor believes it follows: the posterior mixture
of types if the actor holds beliefs about it, the declared uninformed prior (scenario/beliefs.py `uninformed`)
if not, never the target's true rule, regime or resolve (issue 17); always as a level-0 reasoner that does not
look ahead itself and answers when it gets round to it (readiness 1: grievances last weeks, decisions take days).
Schelling 1966; Fearon 1994; Bueno de Mesquita & Lalman 1992; Signorino 1999; Camerer, Ho & Chong 2004.

Pure: it reads the model and changes nothing in it, draws nothing. Forecasts are cached per actor until the
day or the record of acts changes, and only asked for on provoked days (rules settle quiet days without them).
The options aimed at one target are imagined together (`forecast_many`): one view of the target per forecast,
reset once and put back after each imagined act (`Supposed.mark`/`restore`), each answer the one a fresh view
gives (tests/test_batched_forecast.py).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..mechanics.harm import expected_deaths, kill_chance
from ..mechanics.menu import warning_chance
from ..mechanics.perception import nb_p
from ..mechanics.signals import meets
from ..rules import Forecast
from ..scenario.beliefs import uninformed
from .beliefs import BeliefState
from .mixing import ByIdentity
from .policy import Memos, split_memos
from .supposed import Supposed

if TYPE_CHECKING:
    from ..rules import Option
    from ..state.actor import ActorState
    from ..state.ledgers import Threat
    from ..state.world import World

NO_ANSWER = Forecast(0.0, 0.0, 0.0, 0.0)
MAKE_GOOD_SPREAD = 0.6  # rungs: a threat made good lands near the provocation (the rules' default `spread`)
MAX_TALLIES = 4096  # per forecaster: a memo this full is emptied
Tally = tuple[float, float, float, float]  # expected deaths, rung, rung^2/100, chance of climbing above


class Forecaster:
    """Forecasts for one actor's options; `forecasts()` is what its rule reads through `view.forecasts()`."""

    def __init__(self, actor: ActorState, model: World) -> None:
        self.actor = actor
        self.model = model
        self._key: tuple[int, int] | None = None
        self._cache: list[Forecast] = []
        self._views: dict[int, Supposed] = {}
        self._kill: dict[str, tuple[float, float]] = {}  # action -> (probability of killing, mean toll if so)
        self._aimed: dict[int, list[tuple[int, float, int]]] = {}  # target index -> `_aimed_at_me`
        self._priors: dict[int, BeliefState] = {}  # target index -> the uninformed prior, for targets without beliefs
        self._tallies: dict[tuple[int, ...], tuple[list[float], list[float], Tally]] = ByIdentity()  # `tally_mixed`

    def forecasts(self) -> list[Forecast]:
        """Per option, the answer its target would give (options with no target: the answer to holding). The
        hostile options are imagined target by target, all of one target's at once (`forecast_many`)."""
        model = self.model
        key = (model.day, len(model.records))
        if key == self._key:
            return self._cache
        actor = self.actor
        aimed: dict[int, list[Option]] = {}  # target index -> the hostile options aimed at it, in option order
        for opt in actor.options:
            if opt.hostile and opt.target_index >= 0:
                aimed.setdefault(opt.target_index, []).append(opt)
        answers: dict[int, Forecast] = {}
        for j, opts in aimed.items():
            answers.update(zip([o.index for o in opts], self.forecast_many(j, opts), strict=True))
        status: dict[int, Forecast] = {}
        out: list[Forecast] = []
        focus = max(range(len(actor.outstanding)), key=actor.outstanding.__getitem__)
        for opt in actor.options:
            answer = answers.get(opt.index)
            if answer is None:
                j = opt.target_index if opt.target_index >= 0 else focus
                answer = status.get(j)
                if answer is None:
                    answer = status[j] = self.status_quo(j)
            out.append(answer)
        self._key, self._cache = key, out
        return out

    def forecast(self, opt: Option) -> Forecast:
        """The target's answer to `opt`: a mixture of the killing and the harmless branch (`forecast_many` of one)."""
        return self.forecast_many(opt.target_index, [opt])[0]

    def forecast_many(self, j: int, opts: list[Option]) -> list[Forecast]:
        """The answers of actor j to each of `opts` (hostile options of this actor aimed at j), each a mixture of
        the killing and the harmless branch. What does not depend on the option is found once: the threat, the
        view as anyone can know it (`Supposed.reset`) and the belief's split memos. Each branch is imagined in that
        view (`Supposed.imagine`: the act laid at this actor's door, the mood it moves) and the view put back as it was
        (`Supposed.mark`/`restore`: the only parts an imagined act changes), so each answer is the one a fresh
        view gives, bit for bit (tests/test_batched_forecast.py)."""
        target = self.model.actors[j]
        if not self._aimed_at_me(target):
            return self.unanswerable(target, opts)
        threat = self.threat_of(target)
        me = self.actor.index
        view = self._view(target).reset()
        kept = view.mark(me)
        memos = split_memos(target.menu, view)
        out: list[Forecast] = []
        for opt in opts:
            p_kill, toll = self.kill_odds(opt, target)
            verbal = self.model.ladder[opt.action].verbal
            deaths = rung = rung_sq = escalate = 0.0
            for weight, killed in ((1.0 - p_kill, 0.0), (p_kill, toll)):
                if weight <= 0.0:
                    continue
                view.imagine(self.actor, opt, killed, verbal)
                deeds, words = self.answer(target, view, memos)
                if threat is not None and (threat.live or meets(threat.terms, opt.rung, opt.force, killed)):
                    deeds = self.bound(target, deeds, max(float(opt.rung), view.outstanding[me]))
                    d, r, r2, e = self.tally(target, deeds, words, opt.rung)
                else:
                    d, r, r2, e = self.tally_mixed(target, deeds, words, opt.rung)
                view.restore(me, kept)
                deaths += weight * d
                rung += weight * r
                rung_sq += weight * r2
                escalate += weight * e
            out.append(Forecast(deaths, rung, rung_sq, escalate, p_kill * toll))
        return out

    def unanswerable(self, target: ActorState, opts: list[Option]) -> list[Forecast]:
        """`forecast_many` where nothing the target could answer with is aimed at this actor: every branch's tally
        is (0, 0, 0, 0) whatever the target's answer (bound by a threat or not: no force of it aims here), so it
        is not imagined; what is left is the act's own expected toll."""
        out = []
        for opt in opts:
            p_kill, toll = self.kill_odds(opt, target)
            out.append(Forecast(0.0, 0.0, 0.0, 0.0, p_kill * toll))
        return out

    def status_quo(self, j: int) -> Forecast:
        """The answer of actor j to the present state: what holding (or talking) leaves in play."""
        target = self.model.actors[j]
        if target is self.actor or not self._aimed_at_me(target):
            return NO_ANSWER  # nothing it could answer with is aimed at this actor: no need to imagine it
        view = self._view(target).reset()
        view.readiness = 1.0
        deeds, words = self.answer_as_is(target, view)
        threat = self.threat_of(target)
        if threat is not None and threat.live:
            deeds = self.bound(target, deeds, view.outstanding[self.actor.index])
            return Forecast(*self.tally(target, deeds, words, 0))
        return Forecast(*self.tally_mixed(target, deeds, words, 0))

    def threat_of(self, target: ActorState) -> Threat | None:
        """The public threat of `target` against this actor still in force, if any (declared: anyone sees it)."""
        return self.model.signals.threats.get((target.index, self.actor.index))

    def bound(self, target: ActorState, probs: list[float], rung: float) -> list[float]:
        """The target's deeds when a threat binds it: with the credibility this actor reads in it, force aimed
        at this actor near `rung` (weights exp(-|rung' - rung| / spread)); otherwise its own deeds."""
        c = self.actor.credibility_of[target.index]
        force = [(i, r) for i, _, r in self._aimed_at_me(target) if target.options[i].force]
        if c <= 0.0 or not force:
            return probs
        weights = [math.exp(-abs(r - rung) / MAKE_GOOD_SPREAD) for _, r in force]
        total = sum(weights)
        out = [(1.0 - c) * q for q in probs]
        for (i, _), w in zip(force, weights, strict=True):
            out[i] += c * w / total
        return out

    def suppose(self, target: ActorState, opt: Option, killed: float) -> Supposed:
        """The target's view the day after `opt`: the view as anyone can know it today, with `opt` imagined."""
        view = self._view(target).reset()
        view.imagine(self.actor, opt, killed, self.model.ladder[opt.action].verbal)
        return view

    def answer(self, target: ActorState, view: Supposed, memos: Memos | None = None) -> tuple[list[float], list[float]]:
        """The target's day as this actor believes it, deeds and words (two channels, docs/model.md section 1c):
        its belief mixture, or the declared uninformed prior's. `memos`: the view's `split_memos`, if known."""
        belief = self.actor.beliefs.get(target.index)
        if belief is None:
            belief = self._priors.get(target.index)
            if belief is None:
                belief = self._priors[target.index] = BeliefState(self.actor, target, uninformed())
        return belief.answer(view, memos)

    def answer_as_is(self, target: ActorState, view: Supposed) -> tuple[list[float], list[float]]:
        """`answer` in the state as it is (`view` just reset, ready): under the uninformed prior, the same for every
        forecaster that asks, so the first one's is kept for the others until the day or the record of acts
        changes (the key a forecaster's own forecasts are kept by). Measured on two learned jan2020 runs: 3.8%
        fewer answers imagined (the record often changes between two forecasters' turns). A believer's posterior
        is its own: computed each time."""
        if target.index in self.actor.beliefs:
            return self.answer(target, view)
        model = self.model
        stamp = (model.day, len(model.records))
        if model.answers_as_is[0] != stamp:
            model.answers_as_is = (stamp, {})
        answers = model.answers_as_is[1]
        kept = answers.get(target.index)
        if kept is None:
            kept = answers[target.index] = self.answer(target, view)
        return kept

    def tally_mixed(self, target: ActorState, deeds: list[float], words: list[float], above: int) -> Tally:
        """`tally` of a mixture `answer` gave (shared, never changed: minds/mixing.py), kept by its identity: 4 in 5
        of a learned run's mixtures repeat one already made, and the same lists give the same sums."""
        key = (target.index, above, id(deeds), id(words))
        kept = self._tallies.get(key)
        if kept is not None and kept[0] is deeds and kept[1] is words:
            return kept[2]
        out = self.tally(target, deeds, words, above)
        if len(self._tallies) >= MAX_TALLIES:
            self._tallies.clear()
        self._tallies[key] = (deeds, words, out)
        return out

    def tally(self, target: ActorState, deeds: list[float], words: list[float], above: int) -> Tally:
        """(expected deaths, rung, rung^2/100, chance of climbing above `above`) of the answer aimed at us: a deed
        and a word drawn independently (section 1c), the answer's rung the stronger of the two (the day's rung,
        as the model records it), and it climbs above `above` if either does."""
        deaths = 0.0
        at: list[dict[int, float]] = [{}, {}]  # per channel (deeds, words): rung -> probability aimed at us
        calm = [1.0, 1.0]  # per channel: the chance of no answer above `above`
        options = target.options
        for i, killed, r in self._aimed_at_me(target):
            c = int(options[i].words)
            q = (words if c else deeds)[i]
            if q:
                deaths += q * killed
                at[c][r] = at[c].get(r, 0.0) + q
                if r > above:
                    calm[c] -= q
        # the stronger of two independent answers: P(max <= x) = F_deeds(x) * F_words(x)
        below = [1.0 - sum(at[0].values()), 1.0 - sum(at[1].values())]  # no answer aimed at us: rung 0
        rung = rung_sq = 0.0
        last = below[0] * below[1]
        for r in sorted(at[0].keys() | at[1].keys()):
            below[0] += at[0].get(r, 0.0)
            below[1] += at[1].get(r, 0.0)
            now = below[0] * below[1]
            rung += (now - last) * r
            rung_sq += (now - last) * r * r / 100.0
            last = now
        return deaths, rung, rung_sq, 1.0 - max(calm[0], 0.0) * max(calm[1], 0.0)

    def _aimed_at_me(self, target: ActorState) -> list[tuple[int, float, int]]:
        """(index, expected killed, rung) of the target's hostile options against this actor, in option order."""
        aimed = self._aimed.get(target.index)
        if aimed is None:
            me = self.actor.index
            aimed = self._aimed[target.index] = [
                (opt.index, opt.expected_killed, opt.rung)
                for opt in target.options
                if opt.hostile and opt.target_index == me
            ]
        return aimed

    def kill_odds(self, opt: Option, target: ActorState) -> tuple[float, float]:
        """P(the option kills anyone) and the mean toll given it does: a salvo's from the harm model at the
        target's public alert, warned as today's channels allow; another act's from its negative binomial."""
        spec = self.model.ladder[opt.action]
        if spec.salvo and opt.target_index >= 0:
            defence = target.spec.defence  # declared: its air defences
            alert = self.model.public[target.index].alert  # its alert as the record shows it, not its own
            warned = warning_chance(self.model, self.actor.index, spec, opt.target_index)
            p_kill = mean = 0.0
            for weight, flag in ((warned, True), (1.0 - warned, False)):
                if weight > 0.0:
                    p_kill += weight * kill_chance(spec, defence, alert, flag)
                    mean += weight * expected_deaths(spec, defence, alert, flag)
            return (p_kill, mean / p_kill) if p_kill > 0.0 else (0.0, 0.0)
        cached = self._kill.get(opt.action)
        if cached is None:
            if spec.killed_mean <= 0.0:
                cached = (0.0, 0.0)
            else:
                p_kill = 1.0 - nb_p(spec) ** spec.killed_dispersion
                cached = (p_kill, spec.killed_mean / p_kill)
            self._kill[opt.action] = cached
        return cached

    def _view(self, target: ActorState) -> Supposed:
        view = self._views.get(target.index)
        if view is None:
            view = self._views[target.index] = Supposed(target)
        return view
