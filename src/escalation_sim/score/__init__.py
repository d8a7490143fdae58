"""Scoring the model against history (issue 10): the record's likelihood by particle filter, the baselines it
must beat, and the train/test protocol that keeps out-of-sample numbers honest.

    record.py      what the record says each actor did each actor-day; events no actor could have chosen
    filter.py      the particle filter over model copies replaying history
    baselines.py   the baselines on the same actor-days and event space: uniform, in-sample and prequential
                   base rate and first-order Markov, Hawkes; their parameter counts
    counts.py      Jeffreys-smoothed frequencies of an actor's days, in-sample or prequential
    hawkes.py      a self-exciting count per actor, fitted by maximum likelihood on the days before each day
    climatology.py pooled frequencies of other (training) records, applied to a case left out of them
    likelihood.py  `score_scenario`: totals, timing/choice parts per actor and event, Monte Carlo error
    frozen.py      hashes of frozen parameter sets, recorded before a test scenario may be scored
    parallel.py    one function over many arguments on the sweep executors
"""

from .likelihood import ScoreResult, UnscorableError, score_scenario
from .record import unchoosable

__all__ = ["ScoreResult", "UnscorableError", "score_scenario", "unchoosable"]
