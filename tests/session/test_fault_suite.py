"""The fault suite: randomized fault schedules against the emulator, in memory (every
fourth schedule also over loopback TCP with the default WebSocket client).

Each seed draws one schedule (see :mod:`faultlib`): goAway at random points
(mid-turn, during a blocking tool call), drops without a close frame, 1011
closes, stalls caught by the silence watchdog, malformed frames, now and then a
fatal 1008 close, with and without transparent resumption, with both handover
strategies, and with a server that may refuse to resume while the old socket is
open. The client sends text turns, partial client content, tool-call turns and
microphone audio, and the run is checked from both sides (:func:`faultlib.verify`).

Slow pongs: the runner sends no pings of its own (keepalive belongs to the
WebSocket transport, whose tests check that slow pongs within ``ping_timeout`` keep
a connection open and that a missing pong ends it as a retryable 1006), so a slow
server is modelled here by stalls and the silence watchdog.

The network itself also fails: some schedules cut the first connection after a
random received frame (frames in flight are lost), and some make every client
write slow to return (a socket under backpressure).

Replay a failure with
``pytest "tests/session/test_fault_suite.py::test_fault_schedule[seed-17]"``; the
failure message starts with the seed and prints the schedule.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

import realtalk
from realtalk.emulator import Emulator, Fault, Scenario
from realtalk.events import (
    Closed,
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

from .faultlib import (
    Hooks,
    TappedConnection,
    WireTap,
    make_schedule,
    nominal,
    run_schedule,
    verify,
)

SCHEDULES = 240


def test_schedules_are_reproducible() -> None:
    assert make_schedule(7) == make_schedule(7)
    assert make_schedule(7) != make_schedule(8)


def test_the_schedules_cover_every_fault_and_mode() -> None:
    schedules = [make_schedule(seed) for seed in range(SCHEDULES)]
    faults = [f for s in schedules for f in s.faults]
    assert {f.kind for f in faults} == {"drop", "close", "stall", "malformed", "go_away"}
    assert {f.code for f in faults if f.kind == "close"} == {1011, 1008}
    assert any(f.kind == "go_away" and f.at_turn for f in faults)  # mid-turn
    assert {(s.transparent, s.handover) for s in schedules} == {
        (t, h) for t in (True, False) for h in ("preconnect", "overlap")
    }
    assert any(s.reject_resume_while_open for s in schedules)
    kinds = {step.kind for s in schedules for step in s.steps}
    assert kinds == {"turn", "text", "partial", "tool", "audio"}
    during_calls = [
        f
        for s in schedules
        for f in s.faults
        if f.kind == "go_away" and f.after_messages in nominal(list(s.steps)).in_tool_call
    ]
    assert during_calls  # goAway while a blocking call waits for its response
    assert any(s.silence_timeout for s in schedules)
    assert any(s.cut_after for s in schedules) and any(s.drain for s in schedules)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("seed", range(SCHEDULES), ids=lambda seed: f"seed-{seed}")
async def test_fault_schedule(seed: int) -> None:
    schedule = make_schedule(seed)
    outcome = await run_schedule(schedule)
    problems = verify(outcome)
    if problems:
        events = outcome.run.events if outcome.run is not None else []
        print(schedule.describe())
        print("events:", *events, sep="\n  ")
    assert not problems, f"{schedule.describe()}\n" + "\n".join(problems)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("seed", range(0, SCHEDULES, 4), ids=lambda seed: f"seed-{seed}")
async def test_fault_schedule_over_sockets(seed: int) -> None:
    """Every fourth schedule again over loopback TCP, through the default WebSocket
    client, which hands bursts to the session from its own callback, against the
    emulator's server."""
    schedule = make_schedule(seed)
    outcome = await run_schedule(schedule, sockets=True)
    problems = verify(outcome)
    assert not problems, f"{schedule.describe()} (sockets)\n" + "\n".join(problems)


# -- regressions the suite found, pinned deterministically -----------------------------------


class Session:
    """A session over a tapped in-memory emulator, reading its events into a list."""

    def __init__(self, emulator: Emulator, tap: WireTap, session: realtalk.Session) -> None:
        self.emulator = emulator
        self.tap = tap
        self.session = session
        self.events: list[Event] = []

    async def until(self, kind: type[Event], text: str | None = None) -> list[Event]:
        """Read up to the next ``kind`` (a TurnComplete ending a reply containing ``text``)."""
        start, reply = len(self.events), ""
        async with asyncio.timeout(5):
            while True:
                event = await self.session.next_event()
                assert event is not None, self.events
                self.events.append(event)
                reply += event.text if isinstance(event, TextDelta) else ""
                if isinstance(event, kind) and (text is None or text in reply):
                    return self.events[start:]
                if isinstance(event, TurnComplete):
                    reply = ""

    def user_texts(self) -> list[str]:
        return [e.text for e in self.emulator.connections[-1].history if e.role == "user"]


@pytest.fixture
async def open_session() -> AsyncIterator[Any]:
    opened: list[tuple[MemoryConnector, realtalk.Session]] = []

    async def factory(
        emulator: Emulator, config: dict[str, Any], hooks: Hooks | None = None, **options: Any
    ) -> Session:
        memory = MemoryConnector(emulator.handler)
        tap = WireTap(memory, hooks=hooks)
        options.setdefault("reconnect", ReconnectPolicy(base=0.001, max=0.01, attempts=5))
        session = await realtalk.connect(
            "gemini",
            model="gemini-test",
            url="ws://emulator",
            config=config,
            connector=tap,
            check_capabilities=False,  # transparent mode on AI Studio paths (emulator only)
            **options,
        )
        opened.append((memory, session))
        return Session(emulator, tap, session)

    yield factory
    for memory, session in opened:
        await session.close()
        await memory.aclose()


TRANSPARENT = {
    "generationConfig": {"responseModalities": ["TEXT"]},
    "sessionResumption": {"transparent": True},
}


class HoldWriteUntilCovered(Hooks):
    """The write of ``x`` returns only once a handle covering it was read (a slow socket)."""

    def __init__(self) -> None:
        self.covered = asyncio.Event()

    async def sent(self, conn: TappedConnection, data: bytes) -> None:
        if b'"x"' in data:
            await self.covered.wait()

    def received(self, conn: TappedConnection, data: bytes) -> None:
        if b'"newHandle"' in data and b'"lastConsumedClientMessageIndex":"1"' in data:
            self.covered.set()


async def test_a_message_acknowledged_while_still_being_written_is_not_replayed(
    open_session: Any,
) -> None:
    # Found with slow writes (``drain``): the message was marked sent only after the
    # write returned, so the update covering it acknowledged nothing and the next
    # hop replayed it into a state that already held it.
    s = await open_session(
        Emulator(Scenario(faults=[Fault(kind="drop", at_turn=2)])),
        TRANSPARENT,
        HoldWriteUntilCovered(),
    )
    await s.session.send_client_content("x")  # returns once the covering handle was read
    await s.session.send_client_content("y")  # dropped before its answer
    seen = await s.until(TurnComplete, "You said: y")
    resumed = [e for e in seen if isinstance(e, Resumed)]
    assert len(resumed) == 1 and resumed[0].replayed == 1
    assert s.user_texts() == ["x", "y"]


class HoldNewSetupUntilOldTurnEnds(Hooks):
    """The second connection's setup answer is read only once the first connection's
    server has finished the turn and sent the handle after it (a slow handshake)."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    async def receiving(self, conn: TappedConnection) -> None:
        if conn.number == 1 and not conn.rx:
            old = self.emulator.connections[0]
            # the setup-time handle, then the one after the turn (the record has no
            # event to wait on; the test's own timeout bounds the wait)
            while len(old.issued) < 2:  # noqa: ASYNC110
                await asyncio.sleep(0.001)


async def test_overlap_ignores_the_old_connection_once_the_resume_handle_is_chosen(
    open_session: Any,
) -> None:
    # Found by the suite: with "overlap" the old connection kept delivering events
    # during the new handshake. The application saw the turn, then saw it again from
    # the resumed connection, and in transparent mode the old connection's update
    # acknowledged the message that the chosen handle did not hold: it was lost.
    emulator = Emulator(Scenario(faults=[Fault(kind="go_away", at_turn=1, seconds=30)]))
    s = await open_session(
        emulator, TRANSPARENT, HoldNewSetupUntilOldTurnEnds(emulator), handover="overlap"
    )
    await s.session.send_client_content("hello")
    seen = await s.until(TurnComplete, "You said: hello")
    assert [type(e).__name__ for e in seen if isinstance(e, (Connected, Resumed))] == [
        "Connected",
        "Connected",
        "Resumed",
    ]
    texts = "".join(e.text for e in s.events if isinstance(e, TextDelta))
    assert texts == "You said: hello"  # once: the old connection's copy was not delivered
    assert sum(isinstance(e, TurnComplete) for e in s.events) == 1
    assert s.user_texts() == ["hello"]
    old = s.emulator.connections[0]
    assert "turnComplete" in old.sent  # the old connection did answer; it was not delivered


class CutDuringReplay(Hooks):
    """The network fails on the second connection right after its first replayed frame."""

    async def sent(self, conn: TappedConnection, data: bytes) -> None:
        if conn.number == 1 and len(conn.tx) == 2:
            conn.abort()


async def test_a_connection_lost_during_the_replay_is_a_failed_attempt(
    open_session: Any,
) -> None:
    # Found by the suite: a ConnectionClosed raised while replaying escaped the
    # supervisor; the session ended with Closed(1006) and close() raised it.
    s = await open_session(Emulator(), TRANSPARENT, CutDuringReplay())
    await s.session.send_client_content("a", turn_complete=False)
    await s.session.send_client_content("b", turn_complete=False)
    s.tap.conns[0].abort()
    await s.until(Reconnecting)
    await s.session.send_client_content("c")
    seen = await s.until(TurnComplete, "You said: a b c")
    steps = [e for e in seen if isinstance(e, (Reconnecting, Connecting, Connected, Resumed))]
    names = [type(e).__name__ for e in steps]
    assert names == ["Connecting", "Reconnecting", "Connecting", "Connected", "Resumed"]
    retry = steps[1]
    assert isinstance(retry, Reconnecting) and retry.attempt == 2 and "replay" in retry.cause
    resumed = steps[-1]
    assert isinstance(resumed, Resumed) and resumed.replayed == 2  # a and b; c goes out first
    assert "setupComplete" in s.emulator.connections[1].sent  # set up, then lost mid-replay
    assert s.user_texts() == ["a", "b", "c"]


async def test_the_silence_watchdog_does_not_count_the_reconnection_downtime(
    open_session: Any,
) -> None:
    # Found by the suite: the watchdog kept the clock started by a message sent on
    # the old connection, so a new connection was declared silent before it could
    # answer (here a fresh session, which owes no answer at all).
    s = await open_session(
        Emulator(Scenario(faults=[Fault(kind="drop", at_turn=1)])),
        {"generationConfig": {"responseModalities": ["TEXT"]}},
        silence_timeout=0.02,
        reconnect=ReconnectPolicy(base=0.05, max=0.05, attempts=3, jitter="none"),
    )
    await s.session.send_client_content("hello")
    await s.until(ResumedFresh)
    await s.session.send_client_content("again")
    await s.until(TurnComplete, "You said: again")
    causes = [e.cause for e in s.events if isinstance(e, Reconnecting)]
    assert causes == ["closed 1006"]


async def test_an_explicit_close_ends_with_1000_even_right_after_a_loss(
    open_session: Any,
) -> None:
    # Found by the suite: closing while a loss was pending reported Closed(1006),
    # as if the session had failed.
    s = await open_session(Emulator(), TRANSPARENT)
    s.tap.conns[0].abort()
    await s.session.close()
    events = [e async for e in s.session.events()]
    assert events[-1] == Closed(1000, "")
    assert not any(isinstance(e, Reconnecting) for e in events)
