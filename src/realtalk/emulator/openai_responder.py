"""Responses of one emulated OpenAI session (openai-realtime.md §4.9, §4.10, §5.12, §6.2-§6.6).

:class:`Responder` runs each response as a task of the connection's task group:

``response.created``, then per output item ``response.output_item.added``,
``conversation.item.added``, (messages) ``response.content_part.added``, the deltas
(``response.output_text.delta``, or ``response.output_audio_transcript.delta`` and
``response.output_audio.delta`` in 40 ms chunks of the output format), then the
closing events (``….done``, ``response.content_part.done``,
``response.output_item.done``, ``conversation.item.done``); function calls stream
``response.function_call_arguments.delta`` / ``.done`` instead of a part. Last come
``response.done`` (with usage; exactly once per response, whatever happened) and
``rate_limits.updated``.

Only the deltas run in a cancellable task; the closing events are sent by the
response's own task, so a ``response.cancel`` or a barge-in ends the open part and
item with their ``….done`` events (status ``incomplete``) before ``response.done``
reports ``cancelled``. Out-of-band responses (``conversation: "none"``) run in
parallel, leave the conversation alone and have a null ``conversation_id``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any

from msgspec import UNSET

from realtalk.emulator.config import Shared
from realtalk.emulator.openai_answer import CallNote, decide
from realtalk.emulator.openai_idle import IdleTimer
from realtalk.emulator.openai_items import ItemStore, StoredItem
from realtalk.emulator.openai_link import OpenAILink
from realtalk.emulator.openai_output import (
    active_response,
    cancel_not_active,
    invalid,
    item_not_found,
    no_responses,
    rate_limits,
    response_object,
    response_usage,
)
from realtalk.emulator.openai_session import SessionConfig
from realtalk.emulator.openai_stream import Run, Streamer
from realtalk.emulator.state import ConnectionState, StateMachine
from realtalk.protocol.openai import wire

__all__ = ["Responder"]

_MODALITIES = ("audio", "text")


def _check(p: wire.ResponseCreateParams, event_id: str | None) -> None:
    """The service's checks of ``response.create`` overrides (§4.9)."""
    if p.conversation is not UNSET and p.conversation not in ("auto", "none"):
        raise invalid(
            f"Invalid value: '{p.conversation}'. Supported values are: 'auto', 'none'.",
            param="response.conversation",
            event_id=event_id,
        )
    modalities = p.output_modalities
    if modalities is not UNSET and (len(modalities) != 1 or modalities[0] not in _MODALITIES):
        raise invalid(
            "Invalid 'response.output_modalities': expected ['audio'] or ['text'].",
            param="response.output_modalities",
            event_id=event_id,
        )
    tokens = p.max_output_tokens
    if tokens is not UNSET and tokens != "inf" and not 1 <= tokens <= 4096:
        raise invalid(
            f"Invalid 'response.max_output_tokens': expected 1 to 4096 or 'inf', got {tokens}.",
            param="response.max_output_tokens",
            event_id=event_id,
        )
    if p.metadata is not UNSET and p.metadata is not None and len(p.metadata) > 16:
        raise invalid(
            "Invalid 'response.metadata': at most 16 pairs.",
            param="response.metadata",
            event_id=event_id,
        )


class Responder:
    """Produces the responses of one connection.

    Args:
        link: Sends events.
        store: The default conversation.
        config: The session configuration (read at each response).
        shared: Scenario, options and ``once`` bookkeeping of the emulator.
        state: The connection state (IDLE / GENERATING / TOOL_WAIT for default responses).
        new_id: Makes server ids.
        conversation_id: The ``conv_...`` id of the default conversation.
        on_turn: Awaited with a user turn number before its first response (turn faults).
        idle: The idle timeout (§3.2): cancelled when a response starts, armed when
            the last running response ends.
    """

    def __init__(
        self,
        *,
        link: OpenAILink,
        store: ItemStore,
        config: SessionConfig,
        shared: Shared,
        state: StateMachine,
        new_id: Callable[[str], str],
        conversation_id: str,
        on_turn: Callable[[int], Awaitable[None]],
        idle: IdleTimer | None = None,
    ) -> None:
        self._link = link
        self._store = store
        self._config = config
        self._shared = shared
        self._state = state
        self._new_id = new_id
        self._conversation_id = conversation_id
        self._on_turn = on_turn
        self._idle = idle
        self._answered: set[int] = set()
        self._notes: dict[str, CallNote] = {}
        self._runs: dict[str, Run] = {}
        self._deferred = False
        self.active: Run | None = None
        self.audio_sent = False
        self.tokens_used = 0
        self._streamer = Streamer(link, store, shared, new_id, self._audio_went_out)

    def _audio_went_out(self) -> None:
        self.audio_sent = True

    # -- called by the connection ---------------------------------------------------------
    def start(
        self,
        tg: asyncio.TaskGroup,
        params: wire.ResponseCreateParams | None = None,
        event_id: str | None = None,
    ) -> Run:
        """Start a response (``response.create``, or VAD with ``create_response``).

        Raises:
            RequestError: A transcription session, a default-conversation response
                is already running, an override is invalid, or ``input`` references
                a missing item.
        """
        if self._config.is_transcription:
            raise no_responses(event_id)
        p = params if params is not None else wire.ResponseCreateParams()
        _check(p, event_id)
        default = p.conversation is UNSET or p.conversation != "none"
        if default and self.active is not None:
            raise active_response(self.active.id, event_id)
        context = self._context(p, event_id)
        run = self._new_run(p, default, context)
        if self._idle is not None:
            self._idle.cancel()
        self._runs[run.id] = run
        if default:
            self.active = run
            self._state.to(ConnectionState.GENERATING)
        tg.create_task(self._run(run, tg))
        return run

    def start_when_idle(self, tg: asyncio.TaskGroup) -> None:
        """VAD ended a turn: respond now, or once the running response is done
        (never in a transcription session)."""
        if self._config.is_transcription:
            return
        if self.active is None:
            self.start(tg)
        else:
            self._deferred = True

    def cancel(self, response_id: str | None, event_id: str | None) -> None:
        """``response.cancel`` (§4.10): the default response, or ``response_id``.

        Raises:
            RequestError: ``response_cancel_not_active`` when nothing matches.
        """
        run = self.active if response_id is None else self._runs.get(response_id)
        if run is None or run.cancelled is not None or run.done:
            raise cancel_not_active(event_id)
        self._cancel(run, "client_cancelled")

    def interrupt(self) -> bool:
        """Barge-in (§6.6): cancel the default response with ``turn_detected``, if any."""
        run = self.active
        if run is None or run.cancelled is not None or run.done:
            return False
        self._cancel(run, "turn_detected")
        return True

    def _cancel(self, run: Run, reason: str) -> None:
        run.cancelled = reason
        if run.task is not None:
            run.task.cancel()

    # -- planning ------------------------------------------------------------------------
    def _context(self, p: wire.ResponseCreateParams, event_id: str | None) -> list[StoredItem]:
        if p.input is UNSET:
            return self._store.items
        context: list[StoredItem] = []
        for i, item in enumerate(p.input):
            if isinstance(item, wire.ItemReference):
                found = self._store.get(item.id or "")
                if found is None:
                    raise item_not_found(item.id or "", f"response.input[{i}].id", event_id)
                context.append(found)
            elif isinstance(item, wire.MessageItem):
                context.append(
                    StoredItem(id="", type="message", role=item.role, parts=item.content)
                )
            elif isinstance(item, wire.FunctionCallOutputItem):
                out = StoredItem(id="", type="function_call_output", call_id=item.call_id)
                out.output = item.output
                context.append(out)
            elif isinstance(item, wire.FunctionCallItem):
                call = StoredItem(id="", type="function_call", call_id=item.call_id)
                call.name, call.arguments = item.name, item.arguments or ""
                context.append(call)
        return context

    def _new_run(
        self, p: wire.ResponseCreateParams, default: bool, context: list[StoredItem]
    ) -> Run:
        cfg = self._config
        calls = {i.call_id: i.name for i in context if i.type == "function_call"}
        tools = p.tools if p.tools is not UNSET else None
        declared = (
            [t.name for t in tools if isinstance(t, wire.FunctionTool)]
            if tools is not None
            else cfg.functions
        )
        choice = p.tool_choice if p.tool_choice is not UNSET else cfg.tool_choice
        limit = p.max_output_tokens if p.max_output_tokens is not UNSET else cfg.max_output_tokens
        answer = decide(
            context,
            scenario=self._shared.scenario,
            used_rules=self._shared.used_rules,
            declared=[] if choice == "none" else declared,
            notes=self._notes,
            names=lambda cid: calls.get(cid) or self._store.function_name(cid) or cid,
            new_call_id=lambda: self._new_id("call"),
            max_output_tokens=limit,
        )
        out = p.audio.output if p.audio is not UNSET and p.audio is not None else None
        fmt = cfg.output_format
        if out is not None and out.format is not None:
            fmt = {"type": out.format.type}
            if out.format.type == wire.AUDIO_PCM:
                fmt["rate"] = wire.PCM_RATE
        return Run(
            id=self._new_id("resp"),
            default=default,
            answer=answer,
            modalities=list(p.output_modalities)
            if p.output_modalities is not UNSET
            else cfg.modalities,
            output_format=fmt,
            voice=out.voice if out is not None and out.voice is not None else cfg.voice,
            max_output_tokens=limit,
            metadata=p.metadata if p.metadata is not UNSET else None,
            prompt=tuple(i.entry(calls) for i in context),
        )

    # -- one response ----------------------------------------------------------------------
    def _object(self, run: Run, status: str = "in_progress", **extra: Any) -> wire.Response:
        return response_object(
            response_id=run.id,
            status=status,
            conversation_id=self._conversation_id if run.default else None,
            modalities=run.modalities,
            max_output_tokens=run.max_output_tokens,
            output_format=run.output_format,
            voice=run.voice,
            metadata=run.metadata,
            **extra,
        )

    async def _run(self, run: Run, tg: asyncio.TaskGroup) -> None:
        try:
            turn = run.answer.turn
            if run.default and turn and turn not in self._answered:
                self._answered.add(turn)
                await self._on_turn(turn)
            await self._link.send(wire.ResponseCreated(response=self._object(run)))
            steps: list[Callable[[], Coroutine[Any, Any, None]]] = []
            if run.answer.text is not None:
                steps.append(partial(self._streamer.message, run, run.answer.text))
            for call_id, name, arguments in run.answer.calls:
                steps.append(partial(self._streamer.call, run, call_id, name, arguments))
            for step in steps:
                if run.cancelled is not None:
                    break
                run.task = tg.create_task(step())
                await asyncio.wait([run.task])
                failure = None if run.task.cancelled() else run.task.exception()
                if failure is not None:
                    raise failure
                closed = await self._streamer.close(run)
                if closed is not None and closed.call_id in run.answer.notes:
                    self._notes[closed.call_id] = run.answer.notes[closed.call_id]
            await self._done(run, tg)
        finally:
            self._runs.pop(run.id, None)
            if self.active is run:
                self.active = None

    async def _done(self, run: Run, tg: asyncio.TaskGroup) -> None:
        text = "".join(i.text if i.type == "message" else i.arguments for i in run.output)
        seconds = sum(i.audio_ms for i in run.output) / 1000
        usage = response_usage(run.prompt, text, seconds)
        if run.cancelled is not None:
            status, reason = "cancelled", run.cancelled
        elif run.answer.incomplete:
            status, reason = "incomplete", "max_output_tokens"
        else:
            status, reason = "completed", None
        output = [item.to_wire() for item in run.output]
        done = wire.ResponseDone(
            response=self._object(run, status, output=output, reason=reason, usage=usage)
        )
        await self._link.send(done, lambda: self._finished(run, status))
        self.tokens_used += usage.total_tokens or 0
        await self._link.send(rate_limits(self.tokens_used))
        if run.default and self._deferred and self.active is None:
            self._deferred = False
            if not self._config.is_transcription:  # switched since the turn ended
                self.start(tg)
        quiet = self.active is None and all(other is run for other in self._runs.values())
        if self._idle is not None and quiet:
            self._idle.response_ended(seconds)

    def _finished(self, run: Run, status: str) -> None:
        """``response.done`` is out: the conversation is free for the next response."""
        run.done = True
        if not run.default:
            return
        self.active = None
        calls = status == "completed" and any(i.type == "function_call" for i in run.output)
        self._state.to(ConnectionState.TOOL_WAIT if calls else ConnectionState.IDLE)
