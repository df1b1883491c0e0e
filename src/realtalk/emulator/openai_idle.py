"""The server VAD idle timeout of one emulated OpenAI session (openai-realtime.md §3.2, §5.11).

With ``server_vad`` and ``idle_timeout_ms`` set in a realtime session, the timer
is armed when a response ends and nothing else runs: it waits for the audio the
response produced to play (its duration, estimated from ``response.done``) plus
``idle_timeout_ms``, then calls the session's ``fire`` action, which sends
``input_audio_buffer.timeout_triggered``, commits the (silent) input buffer and
creates a response (:mod:`.openai_events`). Speech starting, a commit, a new
response, a buffer clear or a session update cancel the pending timer; the next
response to end re-arms it.

The timer is a task of the connection's task group, so it ends with the
connection. ``scale`` multiplies the whole wait (``Emulator(openai_idle_scale=)``)
so tests can run the idle path in milliseconds; the values the client sees are
never scaled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from realtalk.emulator.openai_input import InputBuffer
from realtalk.emulator.openai_session import SessionConfig

__all__ = ["IDLE_TASK_NAME", "IdleTimer"]

#: Name of the timer's task (to find it among :func:`asyncio.all_tasks`).
IDLE_TASK_NAME = "realtalk-openai-idle-timeout"


class IdleTimer:
    """Arms, cancels and fires the idle timeout of one session.

    Args:
        tg: The connection's task group (the timer task lives and dies in it).
        config: The session configuration (``idle_timeout_ms``, read when armed).
        buffer: The input buffer (no arming while the user speaks).
        scale: Multiplier of the wait (1.0 = as the service waits).
    """

    def __init__(
        self, tg: asyncio.TaskGroup, config: SessionConfig, buffer: InputBuffer, scale: float
    ) -> None:
        self._tg = tg
        self._config = config
        self._buffer = buffer
        self._scale = scale
        self._fire: Callable[[], Awaitable[None]] | None = None
        self._task: asyncio.Task[None] | None = None

    def bind(self, fire: Callable[[], Awaitable[None]]) -> None:
        """Set the action run when the timeout elapses."""
        self._fire = fire

    @property
    def pending(self) -> bool:
        """Whether the timer is armed and has not fired or been cancelled."""
        return self._task is not None

    def response_ended(self, playback_seconds: float) -> None:
        """A response ended and no other runs: arm the timer (if the session has one).

        Args:
            playback_seconds: Duration of the audio the response produced.
        """
        self.cancel()
        timeout_ms = self._config.idle_timeout_ms
        if timeout_ms is None or self._fire is None or self._buffer.in_speech:
            return
        delay = (playback_seconds + timeout_ms / 1000) * self._scale
        self._task = self._tg.create_task(self._wait(delay), name=IDLE_TASK_NAME)

    def cancel(self) -> None:
        """Disarm the pending timer, if any (a timer already firing finishes)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()

    async def _wait(self, delay: float) -> None:
        await asyncio.sleep(delay)
        if self._task is not asyncio.current_task() or self._fire is None:
            return
        self._task = None  # firing: the events it sends go out whole
        await self._fire()
