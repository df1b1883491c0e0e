"""Reconnection, goAway hops, replay and their events, against the real emulator.

Every test runs the real runner over the in-memory transport with the emulator
in the server role, and checks both what the application saw and what the server
ended up holding (its conversation history).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

import realtalk
from realtalk.emulator import Emulator, Fault, Scenario
from realtalk.errors import ReconnectFailed
from realtalk.events import (
    Closed,
    Connected,
    Error,
    Event,
    Reconnecting,
    Resumed,
    ResumedFresh,
    TextDelta,
    TurnComplete,
)
from realtalk.session.policy import ReconnectPolicy
from realtalk.transport import MemoryConnector

FAST = ReconnectPolicy(base=0.01, max=0.02, attempts=5)
TEXT = {"generationConfig": {"responseModalities": ["TEXT"]}}
RESUMABLE = {**TEXT, "sessionResumption": {}}


class Harness:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.connector = MemoryConnector(emulator.handler)

    def connect(self, config: dict[str, Any] | None = None, **options: Any) -> Any:
        options.setdefault("reconnect", FAST)
        # some tests use transparent mode on AI Studio paths: the emulator accepts it
        # there, the real service only on Vertex (the capability check would refuse it)
        options.setdefault("check_capabilities", False)
        return realtalk.connect(
            "gemini",
            model="gemini-test",
            url="ws://emulator",
            config=RESUMABLE if config is None else config,
            connector=self.connector,
            **options,
        )

    def server_texts(self, role: str = "user") -> list[str]:
        """The user (or model) texts in the server's final conversation state."""
        record = self.emulator.connections[-1]
        assert record.conversation is not None
        return [e.text for e in record.conversation.history if e.role == role]


@pytest.fixture
async def make() -> AsyncIterator[Any]:
    harnesses: list[Harness] = []

    def factory(scenario: Scenario | None = None, **options: Any) -> Harness:
        harness = Harness(Emulator(scenario, **options))
        harnesses.append(harness)
        return harness

    yield factory
    for harness in harnesses:
        await harness.connector.aclose()


async def replies(session: realtalk.Session, count: int) -> tuple[list[str], list[Event]]:
    """Read until ``count`` turns completed; returns their texts and every event seen."""
    texts: list[str] = []
    seen: list[Event] = []
    current = ""
    while len(texts) < count:
        event = await session.next_event()
        assert event is not None, f"session ended early: {seen[-3:]}"
        seen.append(event)
        if isinstance(event, TextDelta):
            current += event.text
        elif isinstance(event, TurnComplete):
            texts.append(current)
            current = ""
    return texts, seen


def of(kind: type[Event], events: list[Event]) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


async def test_drop_resumes_and_replays_the_unanswered_turn(make: Any) -> None:
    h = make(Scenario(faults=[Fault(kind="drop", at_turn=2)]))
    async with h.connect() as s:
        await s.send_client_content("one")
        first, _ = await replies(s, 1)
        await s.send_client_content("two")
        texts, seen = await replies(s, 1)
        stats = s.statistics()
    assert first == ["You said: one"]
    assert texts == ["You said: two"]
    reconnecting = of(Reconnecting, seen)
    assert reconnecting and reconnecting[0].attempt == 1
    assert "1006" in reconnecting[0].cause
    resumed = of(Resumed, seen)
    assert len(resumed) == 1 and resumed[0].replayed == 1 and resumed[0].dropped == 0
    assert h.server_texts() == ["one", "two"]  # nothing lost, nothing twice
    assert stats.reconnects == 1 and stats.replayed == 1
    assert h.emulator.connections[1].resumed_from is not None


async def test_messages_sent_while_reconnecting_are_delivered_in_order(make: Any) -> None:
    h = make(Scenario(faults=[Fault(kind="drop", after_messages=1)]))
    async with h.connect() as s:
        watcher = s.clone()
        await s.send_client_content("a", turn_complete=False)
        while not isinstance(await watcher.next_event(), Reconnecting):
            pass
        await s.send_client_content("b", turn_complete=False)
        await s.send_client_content("c")
        texts, _ = await replies(s, 1)
    assert texts == ["You said: a b c"]  # the echo answers the whole user turn
    assert h.server_texts() == ["a", "b", "c"]


async def test_go_away_hops_before_the_deadline_and_loses_nothing(make: Any) -> None:
    h = make(Scenario(faults=[Fault(kind="go_away", after_messages=1, seconds=30)]))
    async with h.connect() as s:
        await s.send_client_content("before")
        texts, seen = await replies(s, 1)
        while not of(Resumed, seen):
            event = await s.next_event()
            assert event is not None
            seen.append(event)
        await s.send_client_content("after")
        texts += (await replies(s, 1))[0]
    assert texts == ["You said: before", "You said: after"]
    reconnecting = of(Reconnecting, seen)
    assert [(r.cause, r.delay) for r in reconnecting] == [("goAway", 0.0)]
    assert of(ResumedFresh, seen) == []
    assert h.server_texts() == ["before", "after"]
    # the old connection was closed by the client, not by the server's deadline
    assert h.emulator.connections[0].close_code == 1000


@pytest.mark.parametrize("handover", ["preconnect", "overlap"])
async def test_both_handover_strategies_switch_connections(make: Any, handover: str) -> None:
    h = make(Scenario(faults=[Fault(kind="go_away", after_messages=1, seconds=30)]))
    async with h.connect(handover=handover) as s:
        await s.send_client_content("first", turn_complete=False)
        seen: list[Event] = []
        while not of(Resumed, seen):
            event = await s.next_event()
            assert event is not None
            seen.append(event)
        await s.send_client_content("hi")
        texts, _ = await replies(s, 1)
    assert texts == ["You said: first hi"]
    assert len(h.emulator.connections) == 2
    assert h.server_texts() == ["first", "hi"]


async def test_history_config_is_stripped_on_resume(make: Any) -> None:
    config = {**RESUMABLE, "historyConfig": {"initialHistoryInClientContent": True}}
    h = make(Scenario(faults=[Fault(kind="drop", at_turn=1)]))
    async with h.connect(config) as s:
        await s.send_client_content("seeded history")  # ends the history phase, no reply
        await s.send_text("x")
        await replies(s, 1)
    first, second = h.emulator.connections[0].setup, h.emulator.connections[1].setup
    assert first is not None and first.history_config is not None
    assert second is not None and second.history_config is None
    assert second.session_resumption is not None and second.session_resumption.handle


async def test_without_resumption_the_new_session_is_fresh_and_says_so(make: Any) -> None:
    h = make(Scenario(faults=[Fault(kind="drop", at_turn=1)]))
    async with h.connect(TEXT) as s:
        await s.send_client_content("x")
        seen: list[Event] = []
        while not of(ResumedFresh, seen):
            event = await s.next_event()
            assert event is not None
            seen.append(event)
    fresh = of(ResumedFresh, seen)[0]
    assert "not enabled" in fresh.reason


async def test_rejected_handle_is_reported_and_followed_by_a_fresh_start(make: Any) -> None:
    h = make(Scenario(faults=[Fault(kind="drop", at_turn=2)]))
    async with h.connect() as s:
        await s.send_client_content("one")
        await replies(s, 1)
        h.emulator.handles._slots.clear()  # the server forgot every session
        await s.send_client_content("two")
        seen: list[Event] = []
        while not of(ResumedFresh, seen):
            event = await s.next_event()
            assert event is not None
            seen.append(event)
    fresh = of(ResumedFresh, seen)[0]
    assert "rejected" in fresh.reason and "1008" in fresh.reason
    assert len(of(Reconnecting, seen)) == 2  # one rejected resume, one fresh start


async def test_fatal_close_ends_the_session_without_retry(make: Any) -> None:
    h = make(Scenario(faults=[Fault(kind="close", at_turn=1, code=1008, reason="nope")]))
    async with h.connect() as s:
        await s.send_client_content("x")
        events = [e async for e in s.events()]
    assert of(Reconnecting, events) == []
    assert events[-1] == Closed(1008, "nope")


async def test_quota_close_is_fatal(make: Any) -> None:
    reason = "RESOURCE_EXHAUSTED: quota exceeded"
    h = make(Scenario(faults=[Fault(kind="close", at_turn=1, code=1011, reason=reason)]))
    async with h.connect() as s:
        await s.send_client_content("x")
        events = [e async for e in s.events()]
    assert of(Reconnecting, events) == []
    assert events[-1] == Closed(1011, reason)


async def test_reconnect_that_cannot_succeed_ends_with_a_typed_error(make: Any) -> None:
    h = make(Scenario(faults=[Fault(kind="drop", at_turn=1)]))
    policy = ReconnectPolicy(base=0.001, max=0.001, attempts=3)
    async with h.connect(reconnect=policy) as s:
        h.connector.refuse = OSError("network is unreachable")
        await s.send_client_content("x")
        events = [e async for e in s.events()]
        assert [r.attempt for r in of(Reconnecting, events)] == [1, 2, 3]
        errors = of(Error, events)
        assert errors and errors[-1].code == "reconnect_failed"
        assert events[-1].code == 1006
        assert s.status is realtalk.SessionStatus.CLOSED
        with pytest.raises(ReconnectFailed) as info:
            await s.send_text("anyone?")
        assert info.value.attempts == 3


async def test_transparent_mode_is_exactly_once(make: Any) -> None:
    config = {**TEXT, "sessionResumption": {"transparent": True}}
    h = make(Scenario(faults=[Fault(kind="drop", after_messages=3)]))
    async with h.connect(config) as s:
        for word in ("a", "b", "c", "d"):
            await s.send_client_content(word, turn_complete=False)
        await s.send_client_content("e")
        texts, seen = await replies(s, 1)
    assert texts == ["You said: a b c d e"]
    assert h.server_texts() == ["a", "b", "c", "d", "e"]
    resumed = of(Resumed, seen)[0]
    assert resumed.replayed >= 1


async def test_silent_server_triggers_a_resume(make: Any) -> None:
    h = make(Scenario(faults=[Fault(kind="stall", at_turn=1, seconds=30)]))
    async with h.connect(silence_timeout=0.05) as s:
        await s.send_client_content("hello?")
        texts, seen = await replies(s, 1)
    assert texts == ["You said: hello?"]
    assert [r.cause for r in of(Reconnecting, seen)] == ["server silent"]
    assert h.server_texts() == ["hello?"]


async def test_every_hop_is_visible_and_status_follows(make: Any) -> None:
    h = make(Scenario(faults=[Fault(kind="drop", at_turn=1)]))
    async with h.connect() as s:
        await s.send_client_content("x")
        _, seen = await replies(s, 1)
        assert s.status is realtalk.SessionStatus.CONNECTED
    kinds = [type(e).__name__ for e in seen]
    hop = kinds.index("Reconnecting")
    assert kinds[hop : hop + 4] == ["Reconnecting", "Connecting", "Connected", "Resumed"]
    assert len(of(Connected, seen)) == 2


async def test_partial_content_does_not_arm_the_silence_watchdog(make: Any) -> None:
    h = make()
    async with h.connect(silence_timeout=0.01) as s:
        await s.send_client_content("part one", turn_complete=False)
        await asyncio.sleep(0.05)  # longer than the watchdog: no reply is expected yet
        await s.send_client_content("part two")
        texts, seen = await replies(s, 1)
    assert texts == ["You said: part one part two"]
    assert of(Reconnecting, seen) == []


async def test_a_runner_bug_ends_the_session_with_an_error_not_a_hang(
    make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from realtalk.session.runner import Runner

    async def broken(self: Runner, code: int | None, reason: str) -> None:
        raise RuntimeError("a bug in recovery")

    monkeypatch.setattr(Runner, "_recover", broken)
    h = make(Scenario(faults=[Fault(kind="drop", at_turn=1)]))
    session = await h.connect()
    await session.send_client_content("one")
    events: list[Event] = []
    async with asyncio.timeout(5):  # a guard against a hang, not a timing check
        while (event := await session.next_event()) is not None:
            events.append(event)
    errors = of(Error, events)
    assert errors and errors[-1].code == "internal" and "a bug in recovery" in errors[-1].message
    assert events[-1] == Closed(1011, "internal error: RuntimeError")
    with pytest.raises(realtalk.SessionClosed):
        await session.send_text("still there?")
