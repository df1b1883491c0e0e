"""goAway handover against a server that refuses to resume while the old socket is open.

Some servers accept a resumption while the previous connection of the session is
still open; others close it with 1011 (seen in the field with Gemini). The emulator
plays both (``reject_resume_while_open``). ``"preconnect"`` closes the old socket
before the resumed setup and gets through at once; ``"overlap"`` sets up the new
connection first, is refused, closes the old socket and resumes on the retry.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import realtalk
from realtalk.emulator import Emulator, Fault, Scenario
from realtalk.events import (
    Connected,
    Connecting,
    Event,
    Reconnecting,
    Resumed,
    ResumedFresh,
    TextDelta,
    TurnComplete,
)
from realtalk.session.policy import ReconnectPolicy
from realtalk.transport import MemoryConnector

from .faultlib import Hooks, TappedConnection, WireTap

POLICY = ReconnectPolicy(base=0.001, max=0.01, attempts=5)
CONFIG = {"generationConfig": {"responseModalities": ["TEXT"]}, "sessionResumption": {}}
GO_AWAY = Scenario(faults=[Fault(kind="go_away", after_messages=1, seconds=30)])
UNAVAILABLE = "The service is currently unavailable."


@dataclass
class OldSocketAtSetup(Hooks):
    """Notes, for each setup the client writes, whether the first socket was closed."""

    tap: WireTap | None = None
    closed: list[bool] = field(default_factory=list)

    async def sent(self, conn: TappedConnection, data: bytes) -> None:
        if conn.number and len(conn.tx) == 1:  # the setup of a later connection
            assert self.tap is not None
            self.closed.append(self.tap.conns[0].close_code is not None)


@dataclass
class Run:
    emulator: Emulator
    hooks: OldSocketAtSetup
    events: list[Event]
    reply: str


@pytest.fixture
async def hop() -> AsyncIterator[Any]:
    connectors: list[MemoryConnector] = []

    async def run(handover: str, reject: bool) -> Run:
        emulator = Emulator(GO_AWAY, reject_resume_while_open=reject)
        memory = MemoryConnector(emulator.handler)
        connectors.append(memory)
        hooks = OldSocketAtSetup()
        hooks.tap = tap = WireTap(memory, hooks=hooks)
        events: list[Event] = []
        async with realtalk.connect(
            "gemini",
            model="gemini-test",
            url="ws://emulator",
            config=CONFIG,
            connector=tap,
            reconnect=POLICY,
            handover=handover,
        ) as s:
            await s.send_client_content("first", turn_complete=False)  # goAway after it
            while not any(isinstance(e, (Resumed, ResumedFresh)) for e in events):
                event = await s.next_event()
                assert event is not None, events
                events.append(event)
            await s.send_client_content("hi")
            reply = ""
            while not isinstance(event, TurnComplete):
                event = await s.next_event()
                assert event is not None, events
                events.append(event)
                reply += event.text if isinstance(event, TextDelta) else ""
        return Run(emulator, hooks, events, reply)

    yield run
    for memory in connectors:
        await memory.aclose()


def lifecycle(events: list[Event]) -> list[Event]:
    return [e for e in events if isinstance(e, (Reconnecting, Connecting, Connected, Resumed))]


def user_texts(emulator: Emulator) -> list[str]:
    return [e.text for e in emulator.connections[-1].history if e.role == "user"]


async def test_overlap_is_refused_with_1011_and_resumes_after_closing_the_old_socket(
    hop: Any,
) -> None:
    run = await hop("overlap", reject=True)
    first, refused, resumed = run.emulator.connections
    assert (refused.close_code, refused.close_reason) == (1011, UNAVAILABLE)
    assert "setupComplete" not in refused.sent and refused.resumed_from is None
    assert first.close_code == 1000  # closed by the client, not by the server's deadline
    assert resumed.resumed_from == first.issued[0].handle
    # the refused attempt went out while the old socket was open; the retry after
    assert run.hooks.closed == [False, True]
    hop_events = lifecycle(run.events)[2:]  # after the first Connecting, Connected
    assert [type(e).__name__ for e in hop_events] == [
        "Reconnecting",
        "Connecting",
        "Reconnecting",
        "Connecting",
        "Connected",
        "Resumed",
    ]
    first_try, retry = hop_events[0], hop_events[2]
    assert isinstance(first_try, Reconnecting) and isinstance(retry, Reconnecting)
    assert (first_try.attempt, first_try.cause) == (1, "goAway")
    assert retry.attempt == 2 and "1011" in retry.cause and UNAVAILABLE in retry.cause
    assert not any(isinstance(e, ResumedFresh) for e in run.events)
    assert run.reply == "You said: first hi"
    assert user_texts(run.emulator) == ["first", "hi"]


async def test_preconnect_resumes_at_the_first_attempt(hop: Any) -> None:
    run = await hop("preconnect", reject=True)
    first, resumed = run.emulator.connections
    assert resumed.resumed_from == first.issued[0].handle
    assert first.close_code == 1000
    assert run.hooks.closed == [True]  # the old socket was closed before the setup
    hop_events = lifecycle(run.events)[2:]
    assert [type(e).__name__ for e in hop_events] == [
        "Reconnecting",
        "Connecting",
        "Connected",
        "Resumed",
    ]
    assert run.reply == "You said: first hi"
    assert user_texts(run.emulator) == ["first", "hi"]


@pytest.mark.parametrize("handover", ["preconnect", "overlap"])
async def test_a_server_that_accepts_resumes_while_open_takes_either_strategy_at_once(
    hop: Any, handover: str
) -> None:
    run = await hop(handover, reject=False)
    assert len(run.emulator.connections) == 2
    assert run.hooks.closed == [handover == "preconnect"]
    assert [r.attempt for r in run.events if isinstance(r, Reconnecting)] == [1]
    assert run.reply == "You said: first hi"
    assert user_texts(run.emulator) == ["first", "hi"]
