"""The session runner: owns the connections; opens, reads, sends, replays and closes.

One :class:`Runner` per session, shared by every :class:`~realtalk.Session`
handle. :meth:`Runner.open` makes the first connection and raises setup errors to
the caller, then starts the supervisor task. The runner does the work on links;
deciding when to change them (losses, reconnects with backoff, goAway hops, the
silence watchdog) belongs to its base class,
:class:`~realtalk.session.supervisor.Supervisor`.

* **Activating.** A new link becomes current once the outbox has been replayed on
  it; only then are ``Connected`` and, after a hop, ``Resumed`` or
  ``ResumedFresh`` announced and its reader started.
* **Reading.** Each connection ("link") has a reader task that decodes frames and
  appends the events to the ring. A reader whose link is no longer current drops
  what it reads: late events of a superseded connection are never delivered.
* **Replay.** After a resume the outbox re-sends exactly the client messages the
  server had not consumed (see :mod:`realtalk.session.outbox`); messages sent while
  disconnected wait in the outbox and go out in order.
* **Closing.** :meth:`Runner.close` ends the session (``Closed(1000)``) and waits
  for the supervisor; :meth:`Runner.statistics` snapshots queues and counters.

Every step is visible in the event stream: ``Reconnecting``, ``Connecting``,
``Connected``, ``Resumed`` or ``ResumedFresh``, and finally ``Closed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from realtalk.errors import ConnectError, ConnectionClosed, SessionClosed, SetupError
from realtalk.protocol.events import (
    AudioDelta,
    Closed,
    CodeExecution,
    Connected,
    Connecting,
    Event,
    GoAway,
    OutputTranscript,
    Resumed,
    ResumedFresh,
    ResumptionUpdate,
    TextDelta,
    Thought,
    ToolCall,
    ToolCallCancelled,
    TurnComplete,
)
from realtalk.session.link import (
    Frames,
    Link,
    ProviderProtocol,
    Recorder,
    connect_link,
    handshake,
)
from realtalk.session.options import SessionOptions
from realtalk.session.outbox import Kind, Outbox, OutboxEntry
from realtalk.session.resume import ResumeTracker
from realtalk.session.ring import EventRing
from realtalk.session.state import SessionStatus, StatusMachine
from realtalk.session.supervisor import Supervisor
from realtalk.transport.base import Connection, Connector, PushReceiver

__all__ = ["Runner", "SessionStatistics"]

# Events that only tell "the model produced output" (the hot path of the reader) and
# the events the runner's bookkeeping must look at.
_PLAIN_OUTPUT = frozenset({AudioDelta, TextDelta, OutputTranscript, Thought, CodeExecution})
_CONTROL = frozenset({ToolCall, ResumptionUpdate, ToolCallCancelled, TurnComplete, GoAway})

# Messages after which the server is expected to answer (for the silence watchdog).
_EXPECTS_REPLY = frozenset({Kind.TEXT, Kind.CONTENT, Kind.TOOL_RESPONSE})


@dataclass(frozen=True, slots=True)
class SessionStatistics:
    """A snapshot of a session's queues and counters (``Session.statistics()``)."""

    status: SessionStatus
    connection: int
    events_published: int
    ring_capacity: int
    unread_events: int
    outbox_messages: int
    outbox_bytes: int
    reconnects: int
    replayed: int
    dropped: int
    evicted: int
    pending_tool_calls: int
    last_ping_rtt: float | None


class Runner(Supervisor):
    """Owns one session's connections and tasks.

    Supervision (reconnects, goAway hops, :meth:`hop`) is inherited from
    :class:`~realtalk.session.supervisor.Supervisor`.

    Args:
        protocol: The provider protocol (setup, decode, command encoding).
        options: Validated session options.
        connector: Opens connections.
        clock: Monotonic time source (injected in tests).
        recorder: Receives every frame when recording is on.
    """

    def __init__(
        self,
        protocol: ProviderProtocol,
        options: SessionOptions,
        connector: Connector,
        *,
        clock: Callable[[], float] = time.monotonic,
        recorder: Recorder | None = None,
    ) -> None:
        self.protocol = protocol
        self.options = options
        self.ring = EventRing(options.ring_size)
        self.state = StatusMachine()
        self.session_id: str | None = None
        self.tracker = ResumeTracker(protocol.resumption_enabled)
        self.outbox = Outbox(
            max_bytes=options.outbox_max_bytes,
            audio_ttl=options.audio_ttl,
            enabled=protocol.resumption_enabled,
        )
        self._connector = connector
        self._clock = clock
        self._recorder = recorder
        self._link = None
        self._links = 0
        self._send_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._lost = None
        self._go_away_deadline = None
        self._hop_cause = "goAway"
        self._hop_done = None
        self._restored_items = 0
        self._awaiting_reply_since = None
        self._closing = False
        self._closed_event = None
        self._failure = None
        self._task: asyncio.Task[None] | None = None
        self.reconnects = 0
        self.replayed = 0
        self.dropped = 0
        # counted by an activation whose replay failed, reported by the next one
        self._dropped = 0
        self._discarded = 0

    @property
    def status(self) -> SessionStatus:
        return self.state.status

    # -- opening -----------------------------------------------------------------------
    async def open(self) -> None:
        """Make the first connection, complete the handshake, start the supervisor.

        Raises:
            ConnectError: The connection could not be opened.
            SetupError: The server refused the setup or did not answer in time.
        """
        self.ring.publish(Connecting(attempt=0))
        try:
            link = await self._open_link(handle=None)
        except (ConnectError, SetupError) as exc:
            code = exc.code if isinstance(exc, SetupError) else None
            self._finish(code, exc.reason if isinstance(exc, SetupError) else str(exc))
            raise
        except BaseException:
            self._finish(None, "cancelled while connecting")
            raise
        self.session_id = link.session_id or uuid.uuid4().hex
        await self._activate(link, resumed=None, fresh_reason=None, since=self._clock())
        self._task = asyncio.get_running_loop().create_task(self._supervise())

    async def _open_link(self, handle: str | None, conn: Connection | None = None) -> Link:
        self._links += 1
        number = self._links
        if conn is None:
            conn = await connect_link(
                number, self.protocol, self._connector, self._recorder, self.options.token_provider
            )
        try:
            return await handshake(
                number, conn, self.protocol, handle, self.options.setup_timeout, self._recorder
            )
        except BaseException:
            conn.abort()
            raise

    async def _activate(
        self, link: Link, *, resumed: bool | None, fresh_reason: str | None, since: float
    ) -> None:
        """Make ``link`` current: replay the outbox, start its reader, announce it.

        Raises:
            ConnectionClosed: The connection closed during the replay. Nothing was
                announced; the caller counts the attempt as failed (what was not
                acknowledged stays in the outbox for the next one).
        """
        restored: bool | None = None  # state rebuilt client-side: completely or not
        async with self._send_lock:
            self.outbox.new_connection(link.number)
            if resumed is False:
                self._discarded += self.outbox.clear()
                restoration = self.protocol.restoration()
                if restoration is not None:
                    frames, restored = restoration
                    for frame in frames:
                        await self._send_frame(link, frame)
                    self.protocol.restoration_sent()
                    self._restored_items = len(frames)
            plan = self.outbox.plan_replay(self._clock())
            replayed = sum(1 for e in plan.entries if e.connection is not None)
            self._dropped += plan.dropped
            for entry in plan.entries:
                await self._write(link, entry, self._clock())
            if resumed is False:
                self.tracker.forget()
            elif resumed is True:
                self.tracker.resumed()
            self._link = link
            self._lost = None
            self.state.to(SessionStatus.CONNECTED)
            # The silence watchdog judges the new server from now on, and only for
            # what it was sent: the downtime is not its silence, and a message the
            # old session consumed (or a fresh start discarded) is not its to answer.
            expected = any(e.kind in _EXPECTS_REPLY for e in plan.entries)
            watching = expected and self.options.silence_timeout is not None
            self._awaiting_reply_since = self._clock() if watching else None
        self._announce(resumed, replayed, fresh_reason, since, restored)
        if link.early_events:
            self.ring.publish_many(link.early_events)
        done, self._hop_done = self._hop_done, None
        if done is not None and not done.done():
            done.set_result(None)
        link.reader = asyncio.get_running_loop().create_task(self._read(link))

    def _announce(
        self,
        resumed: bool | None,
        replayed: int,
        fresh_reason: str | None,
        since: float,
        restored: bool | None = None,
    ) -> None:
        """Publish ``Connected`` and, after a hop, ``Resumed`` or ``ResumedFresh``.

        A fresh server session whose conversation the client rebuilt (OpenAI's item
        log) is ``Resumed(state_restored=...)``: True only if nothing was lost.
        """
        dropped, self._dropped = self._dropped, 0
        discarded, self._discarded = self._discarded, 0
        self.dropped += dropped
        self.ring.publish(Connected(session_id=self.session_id))
        if resumed is None:
            return
        self.reconnects += 1
        if resumed or restored is not None:
            replayed += self._restored_items
            self._restored_items = 0
            self.replayed += replayed
            downtime = max(0.0, self._clock() - since)
            self.ring.publish(
                Resumed(
                    replayed=replayed,
                    dropped=dropped,
                    downtime=downtime,
                    state_restored=True if resumed else bool(restored),
                )
            )
        else:
            self.ring.publish(ResumedFresh(reason=fresh_reason or "", discarded=discarded))

    # -- reading -----------------------------------------------------------------------
    async def _read(self, link: Link) -> None:
        conn = link.conn
        if isinstance(conn, PushReceiver):
            # the transport hands bursts over from its own callback: no task switch
            conn.receive_with(functools.partial(self._take, link))
            self._link_ended(link, await conn.wait_closed())
            return
        ring = self.ring
        # When frames arrive in a burst, recv() returns without ever suspending, and
        # readers of the ring would not run until the burst ends: the ring would wrap
        # under them. Yield once per half ring so every reader gets its turn in time.
        stride = max(1, ring.capacity // 2)
        next_yield = ring.head + stride
        try:
            while True:
                data = await conn.recv()
                if self._link is not link:
                    return  # superseded: never deliver late events
                self._take(link, [data])
                if ring.head >= next_yield:
                    await asyncio.sleep(0)
                    next_yield = ring.head + stride
        except ConnectionClosed as exc:
            self._link_ended(link, exc)

    def _take(self, link: Link, batch: list[str | bytes]) -> int:
        """Receive a burst handed over by ``link``'s transport; return how many were taken.

        It stops after half a ring of events when more are left: the transport offers
        the rest in a later turn of the event loop, after the readers this burst woke,
        so the ring does not wrap under them.
        """
        if self._link is not link:
            return len(batch)  # superseded: never deliver late events
        self._awaiting_reply_since = None
        decode = self.protocol.decode
        ring = self.ring
        recorder = self._recorder
        limit = ring.head + max(1, ring.capacity // 2)
        for taken, data in enumerate(batch, 1):
            if recorder is not None:
                recorder.received(link.number, data)
            events = decode(data)
            if events:
                self._observe(events)
                ring.publish_many(events)
                if ring.head >= limit:
                    return taken
        return len(batch)

    def _link_ended(self, link: Link, exc: ConnectionClosed) -> None:
        """``link``'s connection ended: if it is the current one, that is a loss."""
        if self._link is link:
            if self._recorder is not None:
                self._recorder.connection_closed(link.number, exc.code, exc.reason, by_client=False)
            self._lost = (exc.code, exc.reason)
            self._wake.set()

    def _observe(self, events: Iterable[Event]) -> None:
        """Bookkeeping on received events: handles, acknowledgements, goAway.

        The hot path (audio, text and transcript deltas) only marks model output;
        the few control events take the slower path, in order: a turn's end counts
        for the handles after it.
        """
        tracker = self.tracker
        for event in events:
            kind = type(event)
            if kind in _PLAIN_OUTPUT:
                tracker.output_seen()
            elif kind in _CONTROL:
                self._control(event)
        if self._go_away_deadline is not None:
            self._wake.set()  # re-check the safe point

    def _control(self, event: Event) -> None:
        now = self._clock()
        if isinstance(event, TurnComplete):
            self.outbox.turn_ended()
        update = self.tracker.observe((event,), now)
        if update is not None:
            if update.last_consumed_index is not None:
                self.outbox.acknowledge_index(update.last_consumed_index)
            else:
                self.outbox.acknowledge_sent()
        go_away = self.tracker.take_go_away()
        if go_away is not None and self._go_away_deadline is None:
            left = go_away.time_left if go_away.time_left is not None else 0.0
            margin = min(self.options.go_away_margin, left / 2)
            self._go_away_deadline = now + max(0.0, left - margin)

    # -- retiring links and ending ---------------------------------------------------
    def _detach(self, link: Link | None) -> None:
        """``link`` stops being current: its reader drops whatever it receives from now on."""
        if link is not None and self._link is link:
            self._link = None

    async def _stop_link(self, link: Link | None) -> None:
        """Retire ``link``: it stops being current, its socket closes, its reader ends."""
        if link is None:
            return
        self._detach(link)
        already_closed = link.conn.close_code is not None
        try:
            async with asyncio.timeout(self.options.close_timeout):
                await link.conn.close(1000, "")
        except ConnectionClosed:
            pass
        except TimeoutError:  # the peer never finished the closing handshake
            link.conn.abort()
        if self._recorder is not None and not already_closed:
            self._recorder.connection_closed(link.number, 1000, "", by_client=True)
        if link.reader is not None and not link.reader.done():
            link.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await link.reader

    def _finish(self, code: int | None, reason: str) -> None:
        if self._closed_event is not None:
            return
        done, self._hop_done = self._hop_done, None
        if done is not None and not done.done():
            done.set_exception(self._closed_error())
        self._closed_event = Closed(code, reason)
        self.state.to(SessionStatus.CLOSED)
        self.ring.publish(self._closed_event)
        self.ring.close()
        if self._recorder is not None:
            self._recorder.close()

    # -- sending -----------------------------------------------------------------------
    def closed_error(self) -> SessionClosed:
        """The error a send on the ended session raises."""
        return self._closed_error()

    def _closed_error(self) -> SessionClosed:
        return self._failure or SessionClosed()

    async def send(self, kind: Kind, frames: Frames, answers: Iterable[str] = ()) -> None:
        """Send encoded client messages (one command), or queue them while reconnecting.

        Several frames of one command go out in order with nothing in between.
        Each is kept in the outbox until the server's resumption state covers it,
        and replayed after a connection hop if needed.

        Raises:
            SessionClosed: The session is closed or closing (``ReconnectFailed``
                when it ended because it could not reconnect).
        """
        if self._closing or self._closed_event is not None:
            raise self._closed_error()
        batch = [frames] if isinstance(frames, bytes) else frames
        outbox = self.outbox
        now = self._clock()
        size = sum(len(frame) for frame in batch)
        if outbox.nbytes + size > outbox.max_bytes:
            await outbox.reserve(size, now)
        async with self._send_lock:
            if self._closed_event is not None:
                raise self._closed_error()
            entries = [outbox.append(kind, frame, now) for frame in batch]
            link = self._link
            if link is not None and self.state.status is SessionStatus.CONNECTED:
                try:
                    for entry in entries:
                        await self._write(link, entry, now)
                except ConnectionClosed as exc:
                    if self.options.reconnect is None:
                        raise SessionClosed(
                            f"session is closed: connection closed ({exc.code})"
                        ) from None
                    # otherwise they stay in the outbox; the supervisor reconnects and sends them
        if answers:
            self.tracker.answered(answers)
            self._wake.set()
        watching = kind in _EXPECTS_REPLY and self.options.silence_timeout is not None
        if watching and self._awaiting_reply_since is None:
            self._awaiting_reply_since = now
            self._wake.set()

    async def _send_frame(self, link: Link, frame: bytes) -> None:
        """Write a frame that is not an outbox entry (a restoration)."""
        text = self.protocol.text_frames
        await link.conn.send(frame, text=text)
        if self._recorder is not None:
            self._recorder.sent(link.number, frame, text)

    async def _write(self, link: Link, entry: OutboxEntry, now: float) -> None:
        """Write one outbox entry on ``link`` (under the send lock).

        The entry counts as sent from just before the write (see
        :meth:`Outbox.mark_sent`); when the connection turns out to be closed it
        never left and goes back to waiting. A cancelled write counts as sent:
        transports write a frame whole before they can be cancelled.

        Raises:
            ConnectionClosed: The connection is closed.
        """
        outbox = self.outbox
        previous = outbox.mark_sent(entry, now)
        text = self.protocol.text_frames
        try:
            await link.conn.send(entry.frame, text=text)
        except ConnectionClosed:
            outbox.mark_unsent(entry, previous)
            raise
        if self._recorder is not None:
            self._recorder.sent(link.number, entry.frame, text)
        outbox.mark_written(entry)

    # -- statistics and closing ---------------------------------------------------------
    def statistics(self, unread: int = 0) -> SessionStatistics:
        link = self._link
        latency = getattr(link.conn, "latency", None) if link is not None else None
        return SessionStatistics(
            status=self.status,
            connection=link.number if link is not None else 0,
            events_published=self.ring.head,
            ring_capacity=self.ring.capacity,
            unread_events=unread,
            outbox_messages=len(self.outbox),
            outbox_bytes=self.outbox.nbytes,
            reconnects=self.reconnects,
            replayed=self.replayed,
            dropped=self.dropped,
            evicted=self.outbox.evicted,
            pending_tool_calls=len(self.tracker.pending_calls),
            last_ping_rtt=latency if isinstance(latency, float) else None,
        )

    async def close(self) -> None:
        """Close the session (1000) and wait until the runner is done. Idempotent.

        The stream ends with ``Closed(1000)`` unless the session had already ended.

        Safe to cancel: the session still ends.
        """
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await asyncio.shield(self._task)
        elif self._closed_event is None:
            await self._stop_link(self._link)
            self._finish(1000, "")
