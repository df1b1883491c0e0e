"""``RealtimeRunner``: runs a live session's tools and context mutations for an application.

The runner reads the session's events on its own cursor and never blocks on tools:
every function call runs in its own task (bounded by a semaphore and a per-call
timeout), every context mutation is applied by a worker task once the provider is
idle, and audio, text and transcripts reach the callbacks and ``events()`` as they
arrive. See ``docs/runner.md`` for the semantics in detail.

Only the public session API is used (``events``, ``send_tool_response``,
``mutate_context``, ``apply``), and the runner never branches on the provider: the
same application code runs against Gemini Live and OpenAI Realtime sessions.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

from realtalk.errors import SessionClosed
from realtalk.live.runner_dispatch import ToolDispatcher
from realtalk.live.runner_events import (
    ContextApplied,
    ContextFailed,
    EventStream,
    RunnerEvent,
    ToolResponseFailed,
)
from realtalk.live.runner_tools import ToolSet
from realtalk.protocol.events import (
    AudioDelta,
    Error,
    Event,
    GenerationComplete,
    InputTranscript,
    Interrupted,
    Lagged,
    OutputTranscript,
    ResponseDone,
    ResponseStarted,
    SpeechStarted,
    SpeechStopped,
    TextDelta,
    Thought,
    ToolCall,
    ToolCallCancelled,
    TurnComplete,
)
from realtalk.session.contracts import RequiresResumption

__all__ = ["RealtimeRunner", "RunnerSession", "RunnerStatistics"]

Callback = Callable[[Any], Awaitable[None] | None]


class RunnerSession(Protocol):
    """What the runner needs from a session (``realtalk.Session`` has it all)."""

    def events(self) -> AsyncIterator[Event]: ...

    async def send_tool_response(self, responses: Any) -> None: ...

    async def mutate_context(self, update: Any) -> Any: ...

    async def apply(self, config: Any) -> None: ...


@dataclass(frozen=True, slots=True)
class RunnerStatistics:
    """Counters and queue depths of a runner (all bounded; see ``docs/runner.md``)."""

    tools_running: int
    tools_started: int
    tools_finished: int
    tools_cancelled: int
    tool_batches_open: int
    mutation_pending: bool
    mutations_applied: int
    mutations_failed: int
    events_buffered: int
    events_dropped: int
    event_buffer: int


@dataclass(slots=True)
class _Mutation:
    update: Any
    attempts: int = 0


_STARTS = (ResponseStarted, TextDelta, AudioDelta, Thought, ToolCall)
_ENDS = (ResponseDone, GenerationComplete, TurnComplete)


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return value


class RealtimeRunner:
    """Dispatches tools and applies context mutations for one session.

    Use ``async with RealtimeRunner(session, tools=[...]) as runner:`` (the runner
    stops when the block ends) or ``await runner.run()`` (until the session closes
    or :meth:`stop`). The runner owns all its tasks in one ``asyncio.TaskGroup``;
    the constructor starts nothing. It does not close the session.

    Args:
        session: A ``realtalk.Session`` (or anything with ``events``,
            ``send_tool_response``, ``mutate_context`` and ``apply``).
        tools: ``{name: callable}`` or a list of callables named by ``__name__``;
            sync or async, called with the call's ``args`` as keyword arguments.
        max_concurrency: Tool calls running at once (a semaphore; others wait).
        tool_timeout: Seconds one call may run before it is answered with an error
            (None: no limit).
        sync_tools_in_thread: Run sync tools with ``asyncio.to_thread`` (default) so
            they cannot stall audio; False calls them on the event loop.
        cancel_on_interrupt: Cancel unanswered calls on a barge-in (``Interrupted``);
            by default they run on and are answered.
        max_attempts: Attempts to apply one context mutation before giving up.
        event_buffer: Bound of the ``events()`` stream (drop-oldest, reported with
            ``EventsDropped``); 0 disables the stream.
        on_audio: Called with each ``AudioDelta``.
        on_text: Called with each ``TextDelta``.
        on_transcript: Called with each ``InputTranscript`` / ``OutputTranscript``.
        on_speech: Called with ``SpeechStarted``, ``SpeechStopped`` and ``Interrupted``.
        on_response_done: Called once per generation when the model stops producing
            output, with the event that ended it (``ResponseDone`` on OpenAI,
            ``GenerationComplete`` or, after a barge-in, ``TurnComplete`` on Gemini).
        on_error: Called with ``Error`` and ``Lagged`` session events,
            ``ContextFailed`` and ``ToolResponseFailed``.

    Callbacks may be sync or async; they run in the runner's tasks, in event order,
    so a slow callback delays the events after it (tools are never delayed). An
    exception from a callback stops the runner and propagates from ``run()``.

    Raises:
        TypeError, ValueError: Invalid arguments.
    """

    def __init__(
        self,
        session: RunnerSession,
        *,
        tools: Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]] = (),
        max_concurrency: int = 4,
        tool_timeout: float | None = 30.0,
        sync_tools_in_thread: bool = True,
        cancel_on_interrupt: bool = False,
        max_attempts: int = 3,
        event_buffer: int = 1024,
        on_audio: Callback | None = None,
        on_text: Callback | None = None,
        on_transcript: Callback | None = None,
        on_speech: Callback | None = None,
        on_response_done: Callback | None = None,
        on_error: Callback | None = None,
    ) -> None:
        callbacks = {
            "on_audio": on_audio,
            "on_text": on_text,
            "on_transcript": on_transcript,
            "on_speech": on_speech,
            "on_response_done": on_response_done,
            "on_error": on_error,
        }
        for name, callback in callbacks.items():
            if callback is not None and not callable(callback):
                raise TypeError(f"{name} must be callable")
        if isinstance(event_buffer, bool) or not isinstance(event_buffer, int):
            raise TypeError("event_buffer must be an int")
        if event_buffer < 0:
            raise ValueError(f"event_buffer must be >= 0, got {event_buffer}")
        self._session = session
        self._max_attempts = _positive_int("max_attempts", max_attempts)
        self._cancel_on_interrupt = bool(cancel_on_interrupt)
        self._on_audio, self._on_text = on_audio, on_text
        self._on_transcript, self._on_speech = on_transcript, on_speech
        self._on_response_done, self._on_error = on_response_done, on_error
        self._stream = EventStream(event_buffer)
        self._tg: asyncio.TaskGroup | None = None
        self._outer: asyncio.TaskGroup | None = None
        self._started = False
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()  # the mutation worker re-checks pending/idle
        self._dispatcher = ToolDispatcher(
            ToolSet(tools, timeout=tool_timeout, sync_in_thread=sync_tools_in_thread),
            _positive_int("max_concurrency", max_concurrency),
            spawn=self._spawn,
            push=self._stream.push,
            send=session.send_tool_response,
            report=self._report,
            settled=self._wake.set,
        )
        self._busy = False  # the model is producing output
        self._tasks: set[asyncio.Task[Any]] = set()
        self._pending: _Mutation | None = None
        self._applied = self._failures = 0

    # -- lifecycle -----------------------------------------------------------------
    async def run(self) -> None:
        """Run until the session's event stream ends (``Closed``) or :meth:`stop`.

        On return every tool task has been cancelled (unanswered calls get no
        response) and ``events()`` ends after its buffered events. Safe to cancel:
        the runner stops the same way.

        Raises:
            RuntimeError: The runner was already started (a runner runs once).
            ExceptionGroup: A callback raised.
        """
        if self._started:
            raise RuntimeError("a RealtimeRunner runs only once")
        self._started = True
        try:
            async with asyncio.TaskGroup() as tg:
                self._tg = tg
                reader = tg.create_task(self._read())
                worker = tg.create_task(self._mutations())
                await self._stop.wait()
                reader.cancel()
                worker.cancel()
                for task in list(self._tasks):
                    task.cancel()
        finally:
            self._tg = None
            self._stream.close()

    def stop(self) -> None:
        """Ask :meth:`run` to end (idempotent; returns at once)."""
        self._stop.set()

    async def __aenter__(self) -> RealtimeRunner:
        outer = asyncio.TaskGroup()
        await outer.__aenter__()
        self._outer = outer
        outer.create_task(self.run())
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        outer, self._outer = self._outer, None
        if outer is not None:
            await outer.__aexit__(et, e, tb)

    # -- public API ----------------------------------------------------------------
    def events(self) -> AsyncIterator[RunnerEvent]:
        """Every session event plus the runner's own (``ToolStarted``, ``ToolFinished``,
        ``ToolCancelled``, ``ToolResponseFailed``, ``ContextApplied``, ``ContextFailed``).

        One bounded buffer (``event_buffer``) with one consumer: when it is full the
        oldest event is dropped and the consumer later gets ``EventsDropped(count)``;
        the runner never waits for the consumer. Ends after the runner stopped.
        """
        return self._stream.iterate()

    async def mutate_context(self, update: Any) -> None:
        """Queue a context mutation; it is applied as soon as the provider is idle.

        Idle means no response is being generated (between ``ResponseStarted`` or the
        first output and ``ResponseDone`` / ``GenerationComplete`` / ``TurnComplete``)
        and no ``ToolCall`` is still unanswered. The update goes to
        ``session.mutate_context``; a ``RequiresResumption`` outcome is installed with
        ``session.apply(config)``. Only one update waits: a newer one replaces it (last
        write wins). The outcome is reported as ``ContextApplied`` or ``ContextFailed``.

        Returns at once (never waits for idle). Safe to cancel.

        Args:
            update: A provider-native update (see ``Session.mutate_context``).
        """
        self._pending = _Mutation(update)
        self._wake.set()

    def statistics(self) -> RunnerStatistics:
        """Counters and queue depths."""
        tools = self._dispatcher
        return RunnerStatistics(
            tools_running=tools.running,
            tools_started=tools.started,
            tools_finished=tools.finished,
            tools_cancelled=tools.cancelled,
            tool_batches_open=tools.open_batches,
            mutation_pending=self._pending is not None,
            mutations_applied=self._applied,
            mutations_failed=self._failures,
            events_buffered=len(self._stream),
            events_dropped=self._stream.dropped,
            event_buffer=self._stream.bound,
        )

    @property
    def idle(self) -> bool:
        """True when no response is being generated and no tool call is unanswered."""
        return not self._busy and self._dispatcher.open_batches == 0

    # -- the event reader ----------------------------------------------------------
    async def _read(self) -> None:
        try:
            async for event in self._session.events():
                await self._handle(event)
        finally:
            self._stop.set()

    async def _handle(self, event: Event) -> None:
        self._stream.push(event)
        if isinstance(event, _STARTS):
            self._busy = True
        match event:
            case AudioDelta():
                await self._notify(self._on_audio, event)
            case TextDelta():
                await self._notify(self._on_text, event)
            case InputTranscript() | OutputTranscript():
                await self._notify(self._on_transcript, event)
            case SpeechStarted() | SpeechStopped():
                await self._notify(self._on_speech, event)
            case Interrupted():
                if self._cancel_on_interrupt:
                    self._dispatcher.withdraw(None, "interrupted")
                await self._notify(self._on_speech, event)
            case ToolCall(calls=calls):
                self._dispatcher.dispatch(calls)
            case ToolCallCancelled(ids=ids):
                self._dispatcher.withdraw(ids, "server")
            case ResponseDone() | GenerationComplete() | TurnComplete():
                if self._busy:
                    self._busy = False
                    self._wake.set()
                    await self._notify(self._on_response_done, event)
            case Error() | Lagged():
                await self._notify(self._on_error, event)
            case _:
                pass

    async def _notify(self, callback: Callback | None, event: Any) -> None:
        if callback is not None:
            result = callback(event)
            if inspect.isawaitable(result):
                await result

    async def _report(self, event: RunnerEvent) -> None:
        self._stream.push(event)
        if isinstance(event, ContextFailed | ToolResponseFailed):
            await self._notify(self._on_error, event)

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        assert self._tg is not None, "the runner is not running"
        task: asyncio.Task[Any] = self._tg.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- context mutations ---------------------------------------------------------
    async def _mutations(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending is not None and self.idle:
                mutation, self._pending = self._pending, None
                await self._apply(mutation)

    async def _apply(self, mutation: _Mutation) -> None:
        mutation.attempts += 1
        try:
            outcome = await self._session.mutate_context(mutation.update)
            if isinstance(outcome, RequiresResumption):
                await self._session.apply(outcome.config)
        except (TypeError, ValueError, SessionClosed) as exc:  # retrying cannot help
            await self._failed(mutation, exc, final=True)
        except Exception as exc:
            retry = mutation.attempts < self._max_attempts and self._pending is None
            if retry:
                self._pending = mutation
            await self._failed(mutation, exc, final=not retry)
        else:
            self._applied += 1
            await self._report(ContextApplied(mutation.update, outcome))

    async def _failed(self, mutation: _Mutation, exc: Exception, *, final: bool) -> None:
        if final:
            self._failures += 1
        await self._report(ContextFailed(mutation.update, exc, mutation.attempts, final))
