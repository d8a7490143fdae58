"""Conciliatory moves (mechanics/perception.conciliate): an answer in kind closes the exchange, but two moves of the
same day between the same pair are made together (a joint agreement, coded one event per side) and each stands."""

from __future__ import annotations

from test_signals import days, do, quiet_model


def test_an_answer_on_a_later_day_closes_the_exchange() -> None:
    model = quiet_model()
    usa, irn = model.by_id["USA"], model.by_id["IRN"]
    do(model, "USA", "talks", "IRN")
    assert irn.conciliatory[usa.index] and not usa.conciliatory[irn.index]
    days(model, 1)
    do(model, "IRN", "talks", "USA")  # Iran answers in kind: the exchange is over, nothing asks for an answer
    assert not irn.conciliatory[usa.index] and not usa.conciliatory[irn.index]
    estimates = model.public  # the public record reads the exchange as the actors do
    assert not estimates[irn.index].conciliatory[usa.index] and not estimates[usa.index].conciliatory[irn.index]


def test_moves_of_the_same_day_are_made_together_and_each_stands() -> None:
    model = quiet_model()
    usa, irn = model.by_id["USA"], model.by_id["IRN"]
    do(model, "USA", "talks", "IRN")
    do(model, "IRN", "stand_down", "USA")  # the same day: not an answer to the US's move but made with it
    assert irn.conciliatory[usa.index] and usa.conciliatory[irn.index]
    estimates = model.public
    assert estimates[irn.index].conciliatory[usa.index] and estimates[usa.index].conciliatory[irn.index]
    days(model, 1)  # the next step either takes answers the other's standing move, and closes it
    estimates = model.public  # the night entered in the estimates, as it is when they are read
    assert not usa.offered_today and not estimates[usa.index].offered_today
    do(model, "USA", "stand_down", "IRN")
    assert not usa.conciliatory[irn.index] and irn.conciliatory[usa.index]
