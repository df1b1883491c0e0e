"""Tool-call dispatch for :class:`~realtalk.live.RealtimeRunner`.

One task per call (bounded by a semaphore, never awaited by the event reader) and
one task per ``ToolCall`` that answers all of its calls in a single
``send_tool_response`` once every call has finished or was withdrawn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any

from realtalk.live.runner_events import (
    RunnerEvent,
    ToolCancelled,
    ToolFinished,
    ToolResponseFailed,
    ToolStarted,
)
from realtalk.live.runner_tools import ToolOutcome, ToolSet, execute
from realtalk.protocol.events import FunctionCall

__all__ = ["ToolDispatcher"]

Spawn = Callable[[Coroutine[Any, Any, Any]], "asyncio.Task[Any]"]


@dataclass(slots=True)
class _Batch:
    """The calls of one ``ToolCall``: answered together, once all have ended."""

    calls: tuple[FunctionCall, ...]
    outcomes: dict[str, ToolOutcome] = field(default_factory=dict)
    withdrawn: set[str] = field(default_factory=set)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    answered: bool = False

    def settle(self) -> None:
        if all(c.id in self.outcomes or c.id in self.withdrawn for c in self.calls):
            self.done.set()


class ToolDispatcher:
    """Runs the calls of ``ToolCall`` events and answers each batch once.

    Args:
        tools: The registered tools.
        max_concurrency: Calls running at once.
        spawn: Starts a task in the runner's task group.
        push: Puts a runner event on the stream (never blocks).
        send: ``session.send_tool_response``.
        report: Reports a ``ToolResponseFailed`` (stream + ``on_error``).
        settled: Called when a batch closes (the runner may be idle now).
    """

    def __init__(
        self,
        tools: ToolSet,
        max_concurrency: int,
        *,
        spawn: Spawn,
        push: Callable[[RunnerEvent], None],
        send: Callable[[Any], Awaitable[None]],
        report: Callable[[RunnerEvent], Awaitable[None]],
        settled: Callable[[], None],
    ) -> None:
        self._tools = tools
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._spawn, self._push, self._send = spawn, push, send
        self._report, self._settled = report, settled
        self._calls: dict[str, tuple[FunctionCall, _Batch, asyncio.Task[Any]]] = {}
        self.open_batches = 0
        self.running = self.started = self.finished = self.cancelled = 0

    def dispatch(self, calls: Iterable[FunctionCall]) -> None:
        """Start one task per new call and one task answering the batch. Never blocks."""
        fresh = tuple(c for c in calls if c.id not in self._calls)
        if not fresh:
            return
        batch = _Batch(fresh)
        for call in fresh:
            self._calls[call.id] = (call, batch, self._spawn(self._run(call, batch)))
        self.open_batches += 1
        self._spawn(self._answer(batch))

    def withdraw(self, ids: Iterable[str] | None, reason: str) -> None:
        """Cancel the named unanswered calls (all with None); they get no response."""
        for call_id in list(self._calls) if ids is None else ids:
            entry = self._calls.get(call_id)
            if entry is None:
                continue
            call, batch, task = entry
            if batch.answered or call_id in batch.withdrawn:
                continue
            batch.withdrawn.add(call_id)
            batch.outcomes.pop(call_id, None)
            task.cancel()
            self.cancelled += 1
            self._push(ToolCancelled(call, reason))
            batch.settle()

    async def _run(self, call: FunctionCall, batch: _Batch) -> None:
        async with self._semaphore:
            self.started += 1
            self.running += 1
            self._push(ToolStarted(call))
            try:
                outcome = await execute(self._tools, call)
            finally:
                self.running -= 1
        if call.id not in batch.withdrawn:
            self.finished += 1
            batch.outcomes[call.id] = outcome
            self._push(ToolFinished(call, outcome.response, outcome.error))
            batch.settle()

    async def _answer(self, batch: _Batch) -> None:
        """Send every response of ``batch`` in one ``send_tool_response`` once all ended."""
        try:
            await batch.done.wait()
            batch.answered = True
            responses = [
                {"id": c.id, "name": c.name, "response": batch.outcomes[c.id].response}
                for c in batch.calls
                if c.id not in batch.withdrawn
            ]
            if responses:
                try:
                    await self._send(responses)
                except Exception as exc:  # a closed session or a rejected response
                    await self._report(ToolResponseFailed(batch.calls, exc))
        finally:
            for call in batch.calls:
                self._calls.pop(call.id, None)
            self.open_batches -= 1
            self._settled()
