"""The emulated model's side of one connection: model turns, one at a time.

The :class:`Speaker` takes jobs (a user turn to answer, or a NON_BLOCKING
result to announce) from its queue and runs each as a model turn
(gemini-live.md §6.1):

* normal end: content chunks (with output transcription fragments in AUDIO
  modality), ``generationComplete``, then ``turnComplete`` with ``usageMetadata``;
* interrupted (:meth:`Speaker.interrupt`, called on barge-in, ``clientContent`` or
  an ``INTERRUPT`` result): ``interrupted``, ``toolCallCancellation`` for every
  outstanding call (if any), then ``turnComplete`` with usage, and no
  ``generationComplete``; only what was already sent stays in the history;
* with session resumption on, ``sessionResumptionUpdate{resumable: false}``
  when a turn starts and a fresh handle after it ends (when no call is
  outstanding and no other turn is queued).

The content of a turn runs in its own task of the connection's task group so an
interruption can cancel it; the turn's closing messages are sent by the speaker
loop itself, so they can never be cut in half.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from realtalk.audio import chunk, duration, synthesize
from realtalk.audio.synth import CHAR_SECONDS
from realtalk.emulator import output
from realtalk.emulator.calls import PendingCall, PendingCalls
from realtalk.emulator.config import SessionSettings, Shared
from realtalk.emulator.conversation import Conversation
from realtalk.emulator.link import Link
from realtalk.emulator.reply import (
    Plan,
    PlannedCall,
    compact_json,
    fill,
    fragments,
    plan_turn,
    result_text,
)
from realtalk.emulator.state import ConnectionState, StateMachine

__all__ = ["CHUNK_SECONDS", "Job", "Speaker"]

#: Duration of one output audio chunk (one ``modelTurn`` message).
CHUNK_SECONDS = 0.04
_RATE = 24000


@dataclass(eq=False)
class Job:
    """One model turn to produce.

    Attributes:
        kind: ``user`` (answer a user turn) or ``result`` (announce a NON_BLOCKING result).
        text: The user's text (or transcript) the turn answers.
        turn: The user turn number (``user`` jobs).
        call: The call whose result is announced (``result`` jobs).
        response: That result.
    """

    kind: Literal["user", "result"]
    text: str
    turn: int = 0
    call: PendingCall | None = None
    response: dict[str, Any] | None = None
    interrupted: bool = False
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    spoken: list[str] = field(default_factory=list)
    reply_seconds: float = 0.0


class Speaker:
    """Produces the model turns of one connection.

    Args:
        link: Sends messages.
        state: The connection's state machine (the speaker moves it between
            IDLE, GENERATING and TOOL_WAIT).
        settings: What the setup asked for.
        shared: Emulator-wide scenario, options, handle store and ids.
        conversation: The conversation (history is appended to).
        calls: Outstanding function calls.
        declared: Declared functions (name -> NON_BLOCKING), kept current by the connection.
        on_turn: Called with the user turn number before it is answered (turn faults).
        consumed: Returns the index of the last client message covered by a new handle.
        on_handle: Called with each resumable handle issued and the index it covers.
    """

    def __init__(
        self,
        *,
        link: Link,
        state: StateMachine,
        settings: SessionSettings,
        shared: Shared,
        conversation: Conversation,
        calls: PendingCalls,
        declared: dict[str, bool],
        on_turn: Callable[[int], Awaitable[None]],
        consumed: Callable[[], int],
        on_handle: Callable[[str, int], None] | None = None,
    ) -> None:
        self._link = link
        self._state = state
        self._settings = settings
        self._shared = shared
        self._conv = conversation
        self._calls = calls
        self._declared = declared
        self._on_turn = on_turn
        self._consumed = consumed
        self._on_handle = on_handle
        self._jobs: deque[Job] = deque()
        self._wake = asyncio.Event()
        self._active: Job | None = None
        self._tg: asyncio.TaskGroup | None = None

    # -- called by the connection -----------------------------------------------------
    def submit(self, job: Job, *, front: bool = False) -> None:
        """Queue a model turn (``front`` = before every other queued turn)."""
        if front:
            self._jobs.appendleft(job)
        else:
            self._jobs.append(job)
        self._wake.set()

    def interrupt(self) -> bool:
        """Cut the current model turn off; return whether there was one to cut."""
        job = self._active
        if job is None or (job.task is not None and job.task.done()):
            return False
        job.interrupted = True
        if job.task is not None:
            job.task.cancel()
        return True

    async def send_handle(self) -> None:
        """Send a resumption update with a fresh handle (resumption on, no call outstanding)."""
        if not self._settings.resumption or self._calls:
            return
        handle = self._shared.handles.issue(self._conv.snapshot())
        consumed = self._consumed()
        if self._on_handle is not None:
            self._on_handle(handle, consumed)
        reported = consumed if self._settings.transparent else None
        await self._link.send(output.resumption_update(handle, reported))

    # -- the loop -----------------------------------------------------------------------
    async def run(self, tg: asyncio.TaskGroup) -> None:
        """Produce queued turns until cancelled. Safe to cancel."""
        self._tg = tg
        while True:
            job = await self._next_job()
            self._active = job
            try:
                ok = await self._run_job(job, tg)
            finally:
                self._active = None
            if not ok:
                return  # the task group reports the failure
            self._state.to(ConnectionState.IDLE)
            if not self._jobs:  # a queued turn means the model is not idle yet
                await self.send_handle()

    async def _next_job(self) -> Job:
        while not self._jobs:
            self._wake.clear()
            await self._wake.wait()
        return self._jobs.popleft()

    async def _run_job(self, job: Job, tg: asyncio.TaskGroup) -> bool:
        if job.kind == "user":
            await self._on_turn(job.turn)
        prompt = tuple(self._conv.history)
        self._state.to(ConnectionState.GENERATING)
        if self._settings.resumption:
            await self._link.send(output.resumption_update(None, None))
        if not job.interrupted:
            job.task = tg.create_task(self._produce(job))
            await asyncio.wait([job.task])
            if not job.interrupted and not job.task.cancelled() and job.task.exception():
                return False
        spoken = "".join(job.spoken)
        usage = output.usage(self._settings.platform, prompt, spoken, job.reply_seconds)
        if job.interrupted or job.task is None or job.task.cancelled():
            await self._link.send(output.interrupted())
            ids = self._calls.drop_all()
            if ids:
                await self._link.send(output.cancellation(ids))
        else:
            await self._link.send(output.generation_complete())
        if spoken:
            self._conv.add(
                "model", "audio" if job.reply_seconds else "text", spoken, job.reply_seconds
            )
        await self._link.send(output.turn_complete(usage))
        return True

    # -- producing content ----------------------------------------------------------------
    async def _produce(self, job: Job) -> None:
        if job.kind == "result":
            assert job.call is not None
            text = result_text(
                job.call.result_reply, job.call.name, job.response, job.call.user_text
            )
            await self._speak(job, text, None)
            return
        plan = plan_turn(
            job.text,
            turn=job.turn,
            scenario=self._shared.scenario,
            used_rules=self._shared.used_rules,
            declared=self._declared,
            new_id=self._shared.next_call_id,
        )
        text = await self._call_tools(plan) if plan.calls else fill(plan.reply or "", text=job.text)
        await self._speak(job, text, plan.chunk_delay)

    async def _call_tools(self, plan: Plan) -> str:
        """Send the plan's calls; wait for blocking results; return what to say."""
        pending = [
            PendingCall(c.id, c.name, c.non_blocking, plan.user_text, plan.result_reply)
            for c in plan.calls
        ]
        for call in pending:  # registered first: a response may arrive as soon as we send
            self._calls.add(call)
        if plan.blocking:
            self._state.to(ConnectionState.TOOL_WAIT)

        def made() -> None:  # in the history as soon as the client has the call
            for c in plan.calls:
                self._conv.add("model", "tool_call", f"{c.name} {compact_json(c.args)}")

        await self._link.send(output.tool_call((c.id, c.name, c.args) for c in plan.calls), made)
        sent_at = asyncio.get_running_loop().time()
        for c in plan.calls:
            if c.non_blocking and c.cancel_after is not None and self._tg is not None:
                self._tg.create_task(self._withdraw_later(c.id, sent_at + c.cancel_after))
        if not plan.blocking:
            if plan.reply is not None:
                return fill(plan.reply, text=plan.user_text)
            return f"Started {', '.join(c.name for c in plan.calls)}."
        async with asyncio.TaskGroup() as waits:  # every call's deadline runs concurrently
            tasks = [
                waits.create_task(self._result(c, p, sent_at))
                for c, p in zip(plan.calls, pending, strict=True)
                if not c.non_blocking
            ]
        results = [task.result() for task in tasks]
        self._state.to(ConnectionState.GENERATING)
        answered = [(c, r) for c, r in results if r is not None]
        if plan.reply is not None:
            name, result = (
                (answered[0][0].name, compact_json(answered[0][1])) if answered else ("", "")
            )
            return fill(plan.reply, text=plan.user_text, name=name, result=result)
        return " ".join(
            result_text(None, c.name, r) if r is not None else f"{c.name} was cancelled."
            for c, r in results
        )

    async def _result(
        self, call: PlannedCall, pending: PendingCall, sent_at: float
    ) -> tuple[PlannedCall, Any]:
        """Wait for one blocking result; withdraw the call at its ``cancel_after`` deadline."""
        assert pending.future is not None
        deadline = None if call.cancel_after is None else sent_at + call.cancel_after
        try:
            async with asyncio.timeout_at(deadline):
                return call, await asyncio.shield(pending.future)
        except TimeoutError:
            if self._calls.remove(call.id) is None:  # answered at the last moment
                return call, pending.future.result() if pending.future.done() else None
            await self._link.send(output.cancellation([call.id]))
            return call, None

    async def _withdraw_later(self, call_id: str, when: float) -> None:
        await asyncio.sleep(max(0.0, when - asyncio.get_running_loop().time()))
        if self._calls.remove(call_id) is not None:
            await self._link.send(output.cancellation([call_id]))

    async def _speak(self, job: Job, text: str, delay: float | None) -> None:
        """Stream ``text`` as text fragments or as audio with transcription.

        What counts as spoken (the history of an interrupted turn) is what was sent:
        each fragment is recorded as its frame goes out.
        """
        if delay is None:
            delay = self._shared.scenario.chunk_delay
        pieces = fragments(text)
        if not self._settings.audio_out:
            for i, piece in enumerate(pieces):
                if i and delay:
                    await asyncio.sleep(delay)
                await self._link.send(output.text_chunk(piece), _said(job, piece))
            return
        starts, offset = [], 0
        for piece in pieces:
            starts.append(offset * CHAR_SECONDS)
            offset += len(piece)
        loop = asyncio.get_running_loop()
        anchor, next_piece = loop.time(), 0
        for k, pcm in enumerate(chunk(synthesize(text, _RATE), _RATE, CHUNK_SECONDS)):
            if k:
                await self._pace(anchor, k, delay)
            due: list[str] = []
            while next_piece < len(pieces) and starts[next_piece] < (k + 1) * CHUNK_SECONDS:
                piece = pieces[next_piece]
                next_piece += 1
                if self._settings.output_transcription:
                    last = next_piece == len(pieces)
                    await self._link.send(
                        output.output_transcription(piece, last), _said(job, piece)
                    )
                else:
                    due.append(piece)
            await self._link.send(output.audio_chunk(pcm), _said(job, *due, pcm=pcm))

    async def _pace(self, anchor: float, index: int, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        if self._shared.options.realtime:
            wait = anchor + index * CHUNK_SECONDS - asyncio.get_running_loop().time()
            if wait > 0:
                await asyncio.sleep(wait)


def _said(job: Job, *pieces: str, pcm: bytes = b"") -> Callable[[], None]:
    """What to record once a frame carrying ``pieces`` (and ``pcm``) of ``job`` went out."""

    def record() -> None:
        job.spoken.extend(pieces)
        if pcm:
            job.reply_seconds += duration(pcm, _RATE)

    return record
