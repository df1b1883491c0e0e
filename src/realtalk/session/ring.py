"""The fan-out ring: one bounded buffer of events shared by any number of cursors.

Works like a broadcast channel. The runner appends events with increasing
sequence numbers; each :class:`Cursor` remembers the next sequence number it
wants and reads at its own pace. Nobody can block the writer: when a cursor
falls more than ``capacity`` events behind, the oldest events are gone for it and
its next read returns :class:`~realtalk.protocol.events.Lagged` with the count it
missed, then continues with the oldest event still held.

Appending costs O(1) whatever the number of cursors: the ring stores each event
once, and waking the readers that wait costs one pass over their futures per batch of
events; publishing while nobody waits costs one attribute test.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

from realtalk.protocol.events import Event, Lagged

__all__ = ["Cursor", "EventRing"]


class EventRing:
    """A bounded broadcast buffer of events.

    Args:
        capacity: How many events are kept for slow cursors (default 1024).
    """

    __slots__ = ("_buf", "_cap", "_closed", "_seq", "_waiters")

    def __init__(self, capacity: int = 1024) -> None:
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
            raise ValueError(f"capacity must be a positive int, got {capacity!r}")
        self._cap = capacity
        self._buf: list[Event | None] = [None] * capacity
        self._seq = 0  # sequence number of the next event to be written
        self._closed = False
        self._waiters: list[asyncio.Future[None]] = []  # cursors blocked in next()

    @property
    def capacity(self) -> int:
        """The number of events kept."""
        return self._cap

    @property
    def head(self) -> int:
        """Sequence number the next published event will get (= events published so far)."""
        return self._seq

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called; cursors drain what is left, then end."""
        return self._closed

    def publish(self, event: Event) -> None:
        """Append one event and wake waiting cursors."""
        if self._closed:
            return
        self._buf[self._seq % self._cap] = event
        self._seq += 1
        self._notify()

    def publish_many(self, events: Iterable[Event]) -> None:
        """Append several events with a single wake-up (one server message's events)."""
        if self._closed:
            return
        buf, cap, seq = self._buf, self._cap, self._seq
        for event in events:
            buf[seq % cap] = event
            seq += 1
        if seq != self._seq:
            self._seq = seq
            self._notify()

    def close(self) -> None:
        """Mark the stream finished. Cursors return what is buffered, then None."""
        self._closed = True
        self._notify()

    def cursor(self, start: int | None = None) -> Cursor:
        """A new cursor reading from sequence ``start`` (default: the oldest event held)."""
        if start is None:
            start = max(0, self._seq - self._cap)
        return Cursor(self, start)

    def _notify(self) -> None:
        waiters = self._waiters
        if waiters:
            self._waiters = []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    async def _wait(self) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)  # a cancelled wait leaves nothing behind
            raise


class Cursor:
    """One reader's position in an :class:`EventRing`. Cheap to copy with :meth:`copy`."""

    __slots__ = ("_pos", "_ring")

    def __init__(self, ring: EventRing, position: int) -> None:
        self._ring = ring
        self._pos = position

    @property
    def position(self) -> int:
        """Sequence number of the next event this cursor will return."""
        return self._pos

    @property
    def pending(self) -> int:
        """How many published events this cursor has not read yet."""
        return self._ring._seq - self._pos

    def copy(self) -> Cursor:
        """An independent cursor at the same position."""
        return Cursor(self._ring, self._pos)

    def poll(self) -> Event | None:
        """Return the next event without waiting, or None if there is none yet.

        Returns :class:`Lagged` first if events were lost to this cursor.
        """
        ring = self._ring
        pos = self._pos
        if pos >= ring._seq:
            return None
        oldest = ring._seq - ring._cap
        if pos < oldest:
            self._pos = oldest
            return Lagged(oldest - pos)
        event = ring._buf[pos % ring._cap]
        self._pos = pos + 1
        assert event is not None
        return event

    async def next(self) -> Event | None:
        """Wait for the next event; None once the ring is closed and drained.

        Safe to cancel: the position only moves when an event is returned.
        """
        while True:
            event = self.poll()
            if event is not None:
                return event
            if self._ring._closed:
                return None
            await self._ring._wait()
