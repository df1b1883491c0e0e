"""What the session knows about resuming: the latest handle and whether now is a safe point.

Pure bookkeeping fed with events and send notifications; time is passed in.

A *safe point* for a planned connection hop (after ``goAway``) is a moment where
resuming from the latest handle loses nothing of the model's side of the
conversation: the model produced no output since the latest resumable handle and
no function call is waiting for its response. (The client's side is covered by the
outbox, which replays what the handle does not cover.)
"""

from __future__ import annotations

from collections.abc import Iterable

from realtalk.protocol.events import (
    AudioDelta,
    CodeExecution,
    Event,
    GoAway,
    OutputTranscript,
    ResumptionUpdate,
    TextDelta,
    Thought,
    ToolCall,
    ToolCallCancelled,
    TurnComplete,
)

__all__ = ["HANDLE_LIFETIME", "ResumeTracker"]

#: Handles stay valid for 2 hours after the session's last termination (gemini-live.md §6.8).
HANDLE_LIFETIME = 2 * 60 * 60.0

_MODEL_OUTPUT = (AudioDelta, TextDelta, OutputTranscript, Thought, CodeExecution, ToolCall)


class ResumeTracker:
    """Tracks the latest resumable handle and the model's activity since it.

    Args:
        enabled: Whether the setup asked for session resumption.
    """

    __slots__ = (
        "_calls",
        "_ended",
        "_generating",
        "_go_away",
        "_output_since_handle",
        "enabled",
        "handle",
        "handle_time",
    )

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.handle: str | None = None
        self.handle_time: float | None = None
        self._output_since_handle = False
        self._generating = False
        self._go_away: GoAway | None = None
        self._calls: set[str] = set()
        self._ended: float | None = None  # when the session last lost its connection

    def observe(self, events: Iterable[Event], now: float) -> ResumptionUpdate | None:
        """Feed received events; returns the last resumable update among them, if any."""
        update: ResumptionUpdate | None = None
        for event in events:
            if isinstance(event, _MODEL_OUTPUT):
                self._output_since_handle = True
                self._generating = True
                if isinstance(event, ToolCall):
                    self._calls.update(call.id for call in event.calls)
            elif isinstance(event, ResumptionUpdate):
                if event.resumable and event.handle:
                    self.handle = event.handle
                    self.handle_time = now
                    self._output_since_handle = False
                    update = event
            elif isinstance(event, ToolCallCancelled):
                self._calls.difference_update(event.ids)
            elif isinstance(event, TurnComplete):
                self._generating = False
            elif isinstance(event, GoAway):
                self._go_away = event
        return update

    def output_seen(self) -> None:
        """The model produced output (the fast path for audio, text and transcript deltas)."""
        self._output_since_handle = True
        self._generating = True

    def take_go_away(self) -> GoAway | None:
        """The goAway notice seen since the last call, if any."""
        go_away, self._go_away = self._go_away, None
        return go_away

    def answered(self, call_ids: Iterable[str]) -> None:
        """The client answered these function calls."""
        self._calls.difference_update(call_ids)

    def connection_ended(self, now: float) -> None:
        """The session has no connection since ``now`` (lost, or left for a new one).

        Handles stay valid for :data:`HANDLE_LIFETIME` after that (gemini-live.md
        §6.8): however old a handle is, it is good while its session is connected.
        """
        if self._ended is None:
            self._ended = now

    def usable_handle(self, now: float) -> tuple[str | None, str]:
        """The handle to resume with, or None and the reason there is none."""
        if not self.enabled:
            return None, "session resumption is not enabled in the setup"
        if self.handle is None or self.handle_time is None:
            return None, "no resumable handle was issued yet"
        if self._ended is not None and now - self._ended > HANDLE_LIFETIME:
            return None, "the resumption handle expired"
        return self.handle, ""

    def resumed(self) -> None:
        """A new connection continues from :attr:`handle`.

        The resumed state is the one the handle captured: the model idle and no
        function call outstanding (a resumable handle is never issued while one is,
        §5.6). Calls seen after the handle are void; the server makes them again.
        """
        self._ended = None
        self._output_since_handle = False
        self._generating = False
        self._calls.clear()

    def forget(self) -> None:
        """Drop the handle (the server rejected it, or a fresh session started)."""
        self.handle = None
        self.handle_time = None
        self.resumed()

    @property
    def safe_point(self) -> bool:
        """True when switching connections now loses none of the model's output.

        With resumption: no model output since the latest handle and no call
        unanswered. Without it (a hop starts a fresh session anyway): the model is
        not in the middle of a turn and no call is unanswered.
        """
        busy = self._output_since_handle if self.enabled else self._generating
        return not busy and not self._calls

    @property
    def pending_calls(self) -> frozenset[str]:
        """Function calls the server asked for that are not answered or cancelled."""
        return frozenset(self._calls)
