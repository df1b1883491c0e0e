"""The resume tracker alone: safe points, handle lifetime, forgetting, pending calls."""

from __future__ import annotations

from realtalk.events import (
    AudioDelta,
    FunctionCall,
    GoAway,
    ResumptionUpdate,
    TextDelta,
    ToolCall,
    ToolCallCancelled,
    TurnComplete,
)
from realtalk.session.resume import HANDLE_LIFETIME, ResumeTracker

H1 = ResumptionUpdate(handle="h1", resumable=True)
H2 = ResumptionUpdate(handle="h2", resumable=True, last_consumed_index=4)
BUSY = ResumptionUpdate(handle=None, resumable=False)


def call(*ids: str) -> ToolCall:
    return ToolCall(calls=tuple(FunctionCall(id=i, name="f") for i in ids))


# -- safe points ----------------------------------------------------------------------------


def test_safe_until_the_model_speaks_and_again_once_a_handle_covers_it() -> None:
    tracker = ResumeTracker(enabled=True)
    assert tracker.safe_point
    tracker.observe([BUSY, TextDelta("hi")], now=0.0)
    assert not tracker.safe_point
    tracker.observe([TurnComplete()], now=0.0)
    assert not tracker.safe_point  # the turn is over but no handle holds it yet
    tracker.observe([H1], now=0.0)
    assert tracker.safe_point


def test_every_kind_of_model_output_makes_it_unsafe() -> None:
    for output in (TextDelta("x"), AudioDelta(b"\x00\x00"), call("c")):
        tracker = ResumeTracker(enabled=True)
        tracker.observe([H1, output], now=0.0)
        assert not tracker.safe_point, output


def test_an_unanswered_call_blocks_the_safe_point_until_answered_or_cancelled() -> None:
    tracker = ResumeTracker(enabled=True)
    tracker.observe([call("a", "b"), H1], now=0.0)
    assert tracker.pending_calls == {"a", "b"}
    assert not tracker.safe_point
    tracker.answered(["a"])
    tracker.observe([ToolCallCancelled(ids=("b",))], now=0.0)
    assert tracker.pending_calls == frozenset()
    assert tracker.safe_point


def test_without_resumption_a_safe_point_is_the_end_of_a_turn() -> None:
    tracker = ResumeTracker(enabled=False)
    tracker.observe([TextDelta("x")], now=0.0)
    assert not tracker.safe_point
    tracker.observe([TurnComplete()], now=0.0)
    assert tracker.safe_point


# -- handles ---------------------------------------------------------------------------------


def test_observe_keeps_the_latest_resumable_handle() -> None:
    tracker = ResumeTracker(enabled=True)
    assert tracker.observe([H1, BUSY], now=1.0) is H1
    assert tracker.observe([BUSY], now=2.0) is None
    assert (tracker.handle, tracker.handle_time) == ("h1", 1.0)
    assert tracker.observe([H1, H2], now=3.0) is H2
    assert tracker.usable_handle(now=3.0) == ("h2", "")


def test_no_handle_without_resumption_or_before_the_first_update() -> None:
    assert ResumeTracker(enabled=False).usable_handle(0.0) == (
        None,
        "session resumption is not enabled in the setup",
    )
    assert ResumeTracker(enabled=True).usable_handle(0.0) == (
        None,
        "no resumable handle was issued yet",
    )


def test_a_handle_stays_usable_while_the_session_is_connected() -> None:
    # valid for two hours after the session's last termination (gemini-live.md §6.8),
    # however long ago it was issued
    tracker = ResumeTracker(enabled=True)
    tracker.observe([H1], now=0.0)
    assert tracker.usable_handle(now=10 * HANDLE_LIFETIME) == ("h1", "")


def test_a_handle_expires_two_hours_after_the_connection_ended() -> None:
    tracker = ResumeTracker(enabled=True)
    tracker.observe([H1], now=0.0)
    tracker.connection_ended(now=100.0)
    tracker.connection_ended(now=500.0)  # still the first loss that counts
    assert tracker.usable_handle(now=100.0 + HANDLE_LIFETIME) == ("h1", "")
    assert tracker.usable_handle(now=100.0 + HANDLE_LIFETIME + 1) == (
        None,
        "the resumption handle expired",
    )
    tracker.resumed()  # connected again: the clock stops
    assert tracker.usable_handle(now=100.0 + 3 * HANDLE_LIFETIME) == ("h1", "")


def test_forget_drops_the_handle_and_everything_known_since() -> None:
    tracker = ResumeTracker(enabled=True)
    tracker.observe([H1, TextDelta("x"), call("c")], now=0.0)
    tracker.forget()
    assert tracker.handle is None and tracker.handle_time is None
    assert tracker.usable_handle(0.0) == (None, "no resumable handle was issued yet")
    assert tracker.pending_calls == frozenset()
    assert tracker.safe_point


def test_resuming_voids_what_came_after_the_handle() -> None:
    # a resumable handle is never issued while a call is outstanding: calls seen
    # after it do not exist in the resumed state (the server makes them again)
    tracker = ResumeTracker(enabled=True)
    tracker.observe([H1, BUSY, call("c1")], now=0.0)
    assert not tracker.safe_point
    tracker.resumed()
    assert tracker.pending_calls == frozenset()
    assert tracker.safe_point
    assert tracker.usable_handle(0.0) == ("h1", "")  # the handle itself is kept


def test_go_away_is_taken_once() -> None:
    tracker = ResumeTracker(enabled=True)
    tracker.observe([GoAway(time_left=5.0)], now=0.0)
    assert tracker.take_go_away() == GoAway(time_left=5.0)
    assert tracker.take_go_away() is None
