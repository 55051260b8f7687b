"""Digits: collected by digits_receive, kept from earlier actions, ending a talk."""

from __future__ import annotations

from tests.server.runtime.flows.kit import act, env, fire, on, start, token, uid
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e
from voipbin.server.runtime.flows import step

DIGITS = "voipbin.call.digits"


def test_digits_receive_appends_until_its_length() -> None:
    r = start([act("digits_receive", 1, duration=5000, length=3), act("hangup", 2)])
    assert r.commands == [c.CollectDigits(token=1, seconds=5.0, length=3)]
    r = step(r.state, e.DigitsReceived(digits="1"), env())
    r = step(r.state, e.DigitsReceived(digits="2"), env())
    assert r.commands == []
    assert r.state.variables[DIGITS] == "12"
    r = step(r.state, e.DigitsReceived(digits="3"), env())
    assert r.state.variables[DIGITS] == "123"
    assert r.commands[0] == c.Hangup(reason="normal")


def test_digits_receive_ends_on_a_key_which_stays_in_the_digits() -> None:
    r = start([act("digits_receive", 1, duration=5000, key="#*"), act("hangup", 2)])
    r = step(r.state, e.DigitsReceived(digits="42#"), env())
    assert r.state.variables[DIGITS] == "42#"
    assert r.state.status == "ended"


def test_digits_after_the_end_of_a_collection_replace_the_digits() -> None:
    r = start([act("digits_receive", 1, duration=5000, length=1), act("talk", 2, text="hi")])
    r = step(r.state, e.DigitsReceived(digits="12"), env())
    # "1" ends the collection; "2" arrives during the talk and replaces it
    assert r.state.variables[DIGITS] == "2"
    assert on(r.state) == "talk"


def test_digits_receive_times_out_and_moves_on() -> None:
    r = start([act("digits_receive", 1, duration=5000, length=4), act("hangup", 2)])
    r = step(r.state, e.DigitsReceived(digits="12"), env())
    r = fire(r)
    assert r.commands[0] == c.Hangup(reason="normal")
    assert r.state.variables[DIGITS] == "12"


def test_digits_pressed_during_a_talk_are_kept_for_the_next_digits_receive() -> None:
    flow = [
        act("talk", 1, text="Press 1 for sales"),
        act("digits_receive", 2, duration=5000, length=1),
        act("branch", 3, target_ids={"1": uid(4)}, default_target_id=uid(5)),
        act("hangup", 4, reason="busy"),
        act("hangup", 5),
    ]
    r = start(flow)
    r = step(r.state, e.DigitsReceived(digits="21"), env())
    assert r.state.variables[DIGITS] == "1"  # the latest digit, not "21"
    assert r.commands == []  # the talk goes on
    r = fire(r)
    # the stored digit already ends digits_receive; branch takes it and empties it
    assert r.commands[0] == c.Hangup(reason="busy")
    assert r.state.variables[DIGITS] == ""


def test_a_digit_ends_a_talk_with_digits_handle_next() -> None:
    r = start([act("talk", 1, text="Welcome", digits_handle="next"), act("talk", 2, text="Next")])
    talk_token = token(r.state)
    r2 = step(r.state, e.DigitsReceived(digits="5"), env())
    assert r2.commands[0] == c.StopMedia(token=talk_token)
    assert isinstance(r2.commands[1], c.Talk)
    assert r2.commands[1].text == "Next"
    # the first talk's timer, when it fires later, is stale
    late = step(r2.state, e.TimerFired(token=talk_token), env())
    assert late.commands == []
    assert late.state is r2.state


def test_a_digit_does_not_end_a_plain_talk() -> None:
    r = start([act("talk", 1, text="Welcome"), act("hangup", 2)])
    r = step(r.state, e.DigitsReceived(digits="5"), env())
    assert r.commands == []
    assert on(r.state) == "talk"


def test_a_timer_of_an_earlier_pass_through_the_same_action_is_stale() -> None:
    # The same talk runs twice through a goto; its first timer must not end the second.
    flow = [
        act("talk", 1, text="Again", digits_handle="next"),
        act("goto", 2, target_id=uid(1), loop_count=1),
        act("hangup", 3),
    ]
    r = start(flow)
    first = token(r.state)
    r = step(r.state, e.DigitsReceived(digits="1"), env())  # cuts the first pass short
    assert on(r.state) == "talk"
    assert token(r.state) != first
    stale = step(r.state, e.TimerFired(token=first), env())
    assert stale.commands == []
    r = fire(r)
    assert r.commands[0] == c.Hangup(reason="normal")
