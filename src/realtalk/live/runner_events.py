"""The runner-level events of :class:`~realtalk.live.RealtimeRunner` and its bounded stream.

The runner forwards every session event (``realtalk.events``) and adds these small
frozen, slotted records for what it does itself: tool execution and context mutations.
Consumers write ``match event:`` over both::

    match event:
        case AudioDelta(data=pcm):
            player.feed(pcm)
        case ToolFinished(call=call, error=None):
            log.info("%s answered", call.name)
        case ContextApplied(update=update):
            ...
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from realtalk.protocol.events import Event, FunctionCall

__all__ = [
    "ContextApplied",
    "ContextFailed",
    "EventStream",
    "EventsDropped",
    "RunnerEvent",
    "ToolCancelled",
    "ToolFinished",
    "ToolResponseFailed",
    "ToolStarted",
]


@dataclass(frozen=True, slots=True)
class ToolStarted:
    """A registered tool began running for ``call`` (it got a concurrency slot)."""

    call: FunctionCall


@dataclass(frozen=True, slots=True)
class ToolFinished:
    """A tool ended for ``call``.

    Attributes:
        call: The function call.
        response: What will be sent for it: the tool's return value, or
            ``{"error": "..."}`` when it raised, timed out, was unknown or returned
            something that is not JSON-serializable.
        error: None on success, else the text placed in ``response["error"]``.
    """

    call: FunctionCall
    response: Any
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ToolCancelled:
    """A call was withdrawn before it was answered; no response is sent for it.

    Attributes:
        call: The function call.
        reason: ``"server"`` (a ``ToolCallCancelled`` event) or ``"interrupted"``
            (a barge-in, with ``cancel_on_interrupt=True``).
    """

    call: FunctionCall
    reason: str


@dataclass(frozen=True, slots=True)
class ToolResponseFailed:
    """Sending the responses of one ``ToolCall`` failed (e.g. the session closed)."""

    calls: tuple[FunctionCall, ...]
    error: BaseException


@dataclass(frozen=True, slots=True)
class ContextApplied:
    """A queued context mutation took effect.

    Attributes:
        update: The update as given to ``RealtimeRunner.mutate_context``.
        outcome: ``Applied()`` (in place) or ``RequiresResumption(config)`` (installed
            with ``session.apply(config)`` on a resumed connection).
    """

    update: Any
    outcome: Any


@dataclass(frozen=True, slots=True)
class ContextFailed:
    """Applying a queued context mutation failed.

    Attributes:
        update: The update.
        error: The exception raised by the session.
        attempts: Attempts made so far (1 for the first failure).
        final: True when the runner gave up (invalid update, session closed, retries
            exhausted or a newer update was queued); False when it will retry at the
            next idle point.
    """

    update: Any
    error: BaseException
    attempts: int
    final: bool


@dataclass(frozen=True, slots=True)
class EventsDropped:
    """The consumer of ``runner.events()`` fell behind: ``count`` older events were dropped."""

    count: int


RunnerEvent = (
    Event
    | ToolStarted
    | ToolFinished
    | ToolCancelled
    | ToolResponseFailed
    | ContextApplied
    | ContextFailed
    | EventsDropped
)


class EventStream:
    """A bounded single-consumer buffer: drop-oldest with a counter, never blocks the producer.

    When events were dropped, the consumer first receives ``EventsDropped(count)`` and
    then the oldest event still buffered. ``close()`` ends iteration once drained.
    """

    __slots__ = ("_buffer", "_closed", "_dropped", "_pending_drop", "_ready", "bound")

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self._buffer: deque[RunnerEvent] = deque()
        self._ready = asyncio.Event()
        self._closed = False
        self._dropped = 0  # total, for statistics
        self._pending_drop = 0  # not yet reported to the consumer

    @property
    def dropped(self) -> int:
        """Events dropped since the runner was created."""
        return self._dropped

    def __len__(self) -> int:
        return len(self._buffer)

    def push(self, event: RunnerEvent) -> None:
        """Buffer ``event`` (dropping the oldest when full). Never blocks."""
        if self.bound <= 0 or self._closed:
            return
        if len(self._buffer) >= self.bound:
            self._buffer.popleft()
            self._dropped += 1
            self._pending_drop += 1
        self._buffer.append(event)
        self._ready.set()

    def close(self) -> None:
        """No more events: iteration stops after the buffered ones."""
        self._closed = True
        self._ready.set()

    async def get(self) -> RunnerEvent | None:
        """The next event, or None once closed and drained. Safe to cancel."""
        while True:
            if self._pending_drop:
                count, self._pending_drop = self._pending_drop, 0
                return EventsDropped(count)
            if self._buffer:
                return self._buffer.popleft()
            if self._closed:
                return None
            self._ready.clear()
            await self._ready.wait()

    async def iterate(self) -> AsyncIterator[RunnerEvent]:
        """Yield events until closed and drained."""
        while (event := await self.get()) is not None:
            yield event
