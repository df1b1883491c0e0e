"""The outbox: client messages the server may not have consumed yet.

Every client message gets an index on the connection that carries it (setup = 0,
then 1, 2, ... — gemini-live.md §5.6). The outbox keeps each message until a
resumption update covers it, so that after a connection hop exactly the
unconsumed messages can be replayed:

* **With consumed indices** (transparent mode): an update carrying
  ``lastConsumedClientMessageIndex = n`` acknowledges every message sent on the
  current connection with an index ``<= n``. Replay is exactly-once.
* **Without them** (AI Studio today): a resumable handle is taken to cover every
  message sent *before the handle was received*, with one refinement for
  conversation messages (text and client content, :attr:`Kind.conversational`):
  they are covered only once a model turn ended after they were sent. A server
  issues resumable handles only while the model is idle (gemini-live.md §5.6), at
  the end of a turn, so a conversation message it had consumed was part of a turn
  that ended before the handle; one sent after the last ``turnComplete`` (for
  example right after connecting, or replayed onto a new connection) cannot be in
  the handle's state and stays for replay.

  The remaining **in-flight window**: a message sent before the handle was
  received (a conversation message: before the ``turnComplete`` that preceded the
  handle was received) but not yet consumed when the server issued the handle is
  not covered by it and not replayed either. It is at most one network round trip
  wide — a conversation message has to be in flight while a model turn ends — and
  is the documented limit of resumption without consumed indices.

A message counts as sent from the moment just before it is written
(:meth:`Outbox.mark_sent`), so an acknowledgement that arrives while the write is
still in progress covers it like any earlier message.

Audio is perishable: on replay, audio older than ``audio_ttl`` seconds is dropped
and counted. Text, client content, tool responses and control messages are never
dropped. The outbox is bounded in bytes; when it is full, stale audio is evicted
first and then senders wait for space (backpressure) instead of growing memory.

Time is an input (``now`` arguments); waiting for space is the only asyncio here.
"""

from __future__ import annotations

import asyncio
import enum
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = ["Kind", "Outbox", "OutboxEntry", "Placement", "ReplayPlan"]


class Kind(enum.Enum):
    """What a client message carries; decides the replay policy."""

    AUDIO = "audio"
    VIDEO = "video"
    TEXT = "text"
    CONTENT = "content"  # client content that completes the user turn
    PARTIAL_CONTENT = "partial_content"  # client content with turnComplete false
    TOOL_RESPONSE = "tool_response"
    CONTROL = "control"
    RAW = "raw"

    @property
    def perishable(self) -> bool:
        """Audio and video frames lose their meaning with time; the rest never does."""
        return self in (Kind.AUDIO, Kind.VIDEO)

    @property
    def conversational(self) -> bool:
        """Text and client content: part of the conversation, answered by a model turn."""
        return self in (Kind.TEXT, Kind.CONTENT, Kind.PARTIAL_CONTENT)


@dataclass(slots=True)
class OutboxEntry:
    """One client message kept for replay."""

    kind: Kind
    frame: bytes
    created: float  # when the application sent it (monotonic seconds)
    connection: int | None = None  # connection that carried it last; None = not sent yet
    index: int | None = None  # its index on that connection
    sent_at: float | None = None
    turn_ended: bool = False  # a model turn ended after it was sent (on that connection)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an entry was sent last (all None: not sent yet)."""

    connection: int | None
    index: int | None
    sent_at: float | None
    turn_ended: bool


@dataclass(slots=True)
class ReplayPlan:
    """What to send on a new connection, in order, and what was dropped."""

    entries: list[OutboxEntry] = field(default_factory=list)
    dropped: int = 0


class Outbox:
    """Bounded store of unacknowledged client messages.

    Args:
        max_bytes: Bound on the frames held (default 8 MiB).
        audio_ttl: Seconds after which unacknowledged audio/video is not replayed.
        enabled: False when resumption is off: nothing is kept for replay, but
            messages sent while disconnected still wait here until a connection exists.
    """

    def __init__(
        self, *, max_bytes: int = 8 * 1024 * 1024, audio_ttl: float = 2.0, enabled: bool = True
    ) -> None:
        if max_bytes < 1:
            raise ValueError(f"outbox_max_bytes must be >= 1, got {max_bytes}")
        if audio_ttl < 0:
            raise ValueError(f"audio_ttl must be >= 0, got {audio_ttl}")
        self.max_bytes = max_bytes
        self.audio_ttl = audio_ttl
        self.enabled = enabled
        self._entries: deque[OutboxEntry] = deque()
        self._bytes = 0
        self._space = asyncio.Event()
        self._next_index = 1
        self.connection = 0
        self.evicted = 0  # perishable entries evicted for space before any replay

    # -- inspection ----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[OutboxEntry]:
        return iter(self._entries)

    @property
    def nbytes(self) -> int:
        """Bytes of frames currently held."""
        return self._bytes

    # -- connections and indices -----------------------------------------------------------
    def new_connection(self, connection: int) -> None:
        """A new connection starts: its setup is index 0, the next message index 1."""
        self.connection = connection
        self._next_index = 1

    def mark_sent(self, entry: OutboxEntry, now: float) -> Placement:
        """Give ``entry`` the next index on the current connection, just before it is written.

        From this moment the entry counts as sent: an acknowledgement processed while
        the write is still in progress covers it like any message sent before it.
        (Marking it only once the write returned would leave such an entry
        unacknowledged and replay it into a state that already holds it.)

        Returns:
            Where the entry was before, for :meth:`mark_unsent`.
        """
        previous = Placement(entry.connection, entry.index, entry.sent_at, entry.turn_ended)
        entry.connection = self.connection
        entry.index = self._next_index
        entry.sent_at = now
        entry.turn_ended = False
        self._next_index += 1
        return previous

    def mark_unsent(self, entry: OutboxEntry, previous: Placement) -> None:
        """The write of ``entry`` failed because the connection was closed: it never left.

        Undoes :meth:`mark_sent` (the connection carries nothing more, so its index
        is free again). Call it before any other entry is marked sent.
        """
        if entry.index != self._next_index - 1:
            raise RuntimeError("mark_unsent must undo the latest mark_sent")
        self._next_index -= 1
        entry.connection = previous.connection
        entry.index = previous.index
        entry.sent_at = previous.sent_at
        entry.turn_ended = previous.turn_ended

    def mark_written(self, entry: OutboxEntry) -> None:
        """The write of ``entry`` completed. A disabled outbox forgets sent entries here."""
        if not self.enabled and entry.connection is not None:
            self._remove_sent_prefix()

    # -- adding ------------------------------------------------------------------------------
    async def reserve(self, size: int, now: float) -> None:
        """Wait until a frame of ``size`` bytes fits (backpressure).

        Stale audio is evicted first. A frame larger than the whole bound is let in
        when the outbox is empty, so one large message can never block forever.
        Call it before taking any lock that replay needs: space is freed by
        acknowledgements and by replays. Safe to cancel.
        """
        while self._bytes and self._bytes + size > self.max_bytes:
            self._evict_stale(now)
            if not self._bytes or self._bytes + size <= self.max_bytes:
                return
            self._space.clear()
            await self._space.wait()

    def append(self, kind: Kind, frame: bytes, now: float) -> OutboxEntry:
        """Add a message (after :meth:`reserve`); it waits here until sent and acknowledged."""
        entry = OutboxEntry(kind, frame, now)
        self._entries.append(entry)
        self._bytes += len(frame)
        return entry

    def _evict_stale(self, now: float) -> None:
        """Drop perishable entries older than the TTL (they would not be replayed anyway)."""
        kept: deque[OutboxEntry] = deque()
        for entry in self._entries:
            if entry.kind.perishable and now - entry.created > self.audio_ttl:
                self._bytes -= len(entry.frame)
                self.evicted += 1
            else:
                kept.append(entry)
        self._entries = kept

    def _remove(self, keep: deque[OutboxEntry]) -> None:
        self._entries = keep
        self._bytes = sum(len(e.frame) for e in keep)
        self._space.set()

    def _remove_sent_prefix(self) -> None:
        entries = self._entries
        while entries and entries[0].connection is not None:
            self._bytes -= len(entries.popleft().frame)
        self._space.set()

    # -- acknowledgements ----------------------------------------------------------------
    def acknowledge_index(self, last_consumed: int) -> int:
        """The server consumed every message of the current connection up to ``last_consumed``.

        Returns:
            How many entries were released.
        """
        keep = deque(
            e
            for e in self._entries
            if not (
                e.connection == self.connection and e.index is not None and e.index <= last_consumed
            )
        )
        released = len(self._entries) - len(keep)
        if released:
            self._remove(keep)
        return released

    def turn_ended(self) -> None:
        """A model turn ended (``turnComplete`` received on the current connection)."""
        for entry in self._entries:
            if entry.connection == self.connection:
                entry.turn_ended = True

    def acknowledge_sent(self) -> int:
        """A resumable handle arrived without an index: release what it covers.

        That is every message already sent, except conversation messages sent
        after the last :meth:`turn_ended` (see the module docstring).

        Returns:
            How many entries were released.
        """
        keep = deque(
            e
            for e in self._entries
            if e.connection is None or (e.kind.conversational and not e.turn_ended)
        )
        released = len(self._entries) - len(keep)
        if released:
            self._remove(keep)
        return released

    def clear(self) -> int:
        """Forget everything (a fresh session starts: nothing can be replayed into it).

        Messages never sent are kept: the application sent them for the session that
        continues, whatever its server-side state.

        Returns:
            How many sent-but-unacknowledged entries were discarded.
        """
        keep = deque(e for e in self._entries if e.connection is None)
        discarded = len(self._entries) - len(keep)
        self._remove(keep)
        return discarded

    # -- replay ------------------------------------------------------------------------------
    def plan_replay(self, now: float) -> ReplayPlan:
        """Everything to send on a new connection, oldest first; stale audio dropped.

        Entries never sent are included (they go out in order after the replayed ones,
        as they were queued). The dropped entries are removed from the outbox.
        """
        plan = ReplayPlan()
        keep: deque[OutboxEntry] = deque()
        for entry in self._entries:
            if entry.kind.perishable and now - entry.created > self.audio_ttl:
                plan.dropped += 1
                continue
            keep.append(entry)
            plan.entries.append(entry)
        if plan.dropped:
            self._remove(keep)
        return plan

    def pending(self) -> list[OutboxEntry]:
        """Entries not sent on any connection yet, in order."""
        return [e for e in self._entries if e.connection is None]
