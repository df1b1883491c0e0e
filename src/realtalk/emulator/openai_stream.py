"""The output items of one OpenAI response, event by event (openai-realtime.md §5.12, §6.2-§6.5).

:class:`Streamer` opens an item (``response.output_item.added``,
``conversation.item.added``), streams its content — a message's
``response.content_part.added`` and text or audio-with-transcript deltas, or a
function call's ``response.function_call_arguments.delta`` — and closes it with the
remaining ``….done`` events. :class:`Run` tracks what the client was sent, so the
closing events are right whether the content ran to its end or was cancelled
midway (items then end ``incomplete``). Every piece of content is recorded on the
item when its frame goes out: the conversation says exactly what the client got.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from realtalk.audio import chunk, synthesize
from realtalk.audio.synth import CHAR_SECONDS
from realtalk.emulator.config import Shared
from realtalk.emulator.conversation import Entry
from realtalk.emulator.openai_answer import Answer
from realtalk.emulator.openai_items import ItemStore, StoredItem
from realtalk.emulator.openai_link import OpenAILink
from realtalk.emulator.openai_session import format_rate
from realtalk.emulator.reply import fragments
from realtalk.protocol.openai import wire
from realtalk.protocol.openai.pcm import alaw_encode, ulaw_encode

__all__ = ["CHUNK_SECONDS", "Run", "Streamer"]

#: Duration of the audio in one ``response.output_audio.delta``.
CHUNK_SECONDS = 0.04
_ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    wire.AUDIO_PCMU: ulaw_encode,
    wire.AUDIO_PCMA: alaw_encode,
}


@dataclass(eq=False)
class Run:
    """One response: what it will say, and what the client has been sent so far.

    Attributes:
        id: ``resp_...``.
        default: Writes to the default conversation (not out of band).
        answer: The planned content.
        modalities, output_format, voice, max_output_tokens, metadata: Its settings.
        prompt: The context it answers (for usage).
        output: The items opened so far.
        current: The item whose closing events are not all out.
        in_conversation: ``conversation.item.added`` of ``current`` is out.
        part_open: ``response.content_part.added`` of ``current`` is out, not its ``done``.
        cancelled: The cancel reason (``client_cancelled``, ``turn_detected``), once cancelled.
        task: The content task running now.
        done: ``response.done`` is out.
    """

    id: str
    default: bool
    answer: Answer
    modalities: list[str]
    output_format: dict[str, Any]
    voice: str | wire.VoiceRef
    max_output_tokens: int | str
    metadata: dict[str, str] | None
    prompt: tuple[Entry, ...]
    output: list[StoredItem] = field(default_factory=list)
    current: StoredItem | None = None
    in_conversation: bool = False
    part_open: bool = False
    cancelled: str | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    done: bool = False


class _PartIds(TypedDict):
    response_id: str
    item_id: str
    output_index: int
    content_index: int


def _ids(run: Run, item: StoredItem) -> _PartIds:
    index = run.output.index(item)
    return {"response_id": run.id, "item_id": item.id, "output_index": index, "content_index": 0}


def _said(item: StoredItem, piece: str) -> Callable[[], None]:
    def record() -> None:
        item.text += piece

    return record


class Streamer:
    """Sends the items of responses.

    Args:
        link: Sends events.
        store: The default conversation (items of default responses go there).
        shared: The scenario (``chunk_delay``) and options (``realtime`` pacing).
        new_id: Makes item ids.
        on_audio: Called whenever model audio went out (it fixes the voice).
    """

    def __init__(
        self,
        link: OpenAILink,
        store: ItemStore,
        shared: Shared,
        new_id: Callable[[str], str],
        on_audio: Callable[[], None],
    ) -> None:
        self._link = link
        self._new_id = new_id
        self._store = store
        self._shared = shared
        self._on_audio = on_audio

    # -- opening and closing ---------------------------------------------------------------
    async def open(self, run: Run, item: StoredItem) -> None:
        """``response.output_item.added``, then ``conversation.item.added`` (default responses)."""

        def added() -> None:
            run.output.append(item)
            run.current = item
            run.in_conversation = False

        added_event = wire.ResponseOutputItemAdded(
            response_id=run.id, output_index=len(run.output), item=item.to_wire()
        )
        await self._link.send(added_event, added)
        if run.default:
            await self._conversation_added(run, item)

    async def _conversation_added(self, run: Run, item: StoredItem) -> None:
        previous = self._store.items[-1].id if len(self._store) else None

        def added() -> None:
            self._store.insert(item)
            run.in_conversation = True

        event = wire.ConversationItemAdded(previous_item_id=previous, item=item.to_wire())
        await self._link.send(event, added)

    async def close(self, run: Run) -> StoredItem | None:
        """Send the closing events of the open item (normal end or cancellation).

        Returns:
            The item closed, if one was open.
        """
        item = run.current
        if item is None:
            return None
        ids = _ids(run, item)
        cut = run.cancelled is not None
        if run.part_open:
            if item.modality == "audio":
                await self._link.send(wire.ResponseOutputAudioDone(**ids))
                done = wire.ResponseOutputAudioTranscriptDone(transcript=item.text, **ids)
                await self._link.send(done)
                part: wire.Content = wire.AudioContent(transcript=item.text)
            else:
                await self._link.send(wire.ResponseOutputTextDone(text=item.text, **ids))
                part = wire.TextContent(text=item.text)
            await self._link.send(wire.ResponseContentPartDone(part=part, **ids))
            run.part_open = False
        if item.type == "function_call" and not cut:
            arguments = wire.ResponseFunctionCallArgumentsDone(
                response_id=run.id,
                item_id=item.id,
                output_index=ids["output_index"],
                call_id=item.call_id,
                name=item.name,
                arguments=item.arguments,
            )
            await self._link.send(arguments)
        item.status = "incomplete" if cut or run.answer.incomplete else "completed"
        self._store.sync()
        item_done = wire.ResponseOutputItemDone(
            response_id=run.id, output_index=ids["output_index"], item=item.to_wire()
        )
        await self._link.send(item_done)
        if run.default:
            if not run.in_conversation:
                await self._conversation_added(run, item)
            previous = self._store.previous_id(item.id)
            await self._link.send(
                wire.ConversationItemDone(previous_item_id=previous, item=item.to_wire())
            )
        run.current = None
        return item

    # -- content (cancellable) ---------------------------------------------------------------
    async def message(self, run: Run, text: str) -> None:
        """An assistant message saying ``text`` in the response's modality."""
        audio = run.modalities[0] == "audio"
        fmt = run.output_format
        item = StoredItem(
            id=self._new_id("item"),
            type="message",
            role="assistant",
            status="in_progress",
            modality="audio" if audio else "text",
            rate=format_rate(fmt),
            sample_width=2 if fmt["type"] == wire.AUDIO_PCM else 1,
        )
        await self.open(run, item)
        ids = _ids(run, item)
        part: wire.Content = (
            wire.AudioContent(transcript="") if audio else wire.TextContent(text="")
        )

        def opened() -> None:
            run.part_open = True

        await self._link.send(wire.ResponseContentPartAdded(part=part, **ids), opened)
        delay = run.answer.chunk_delay
        if delay is None:
            delay = self._shared.scenario.chunk_delay
        if audio:
            await self._speak(item, text, delay, ids, _ENCODERS.get(fmt["type"]))
            return
        for i, piece in enumerate(fragments(text)):
            if i and delay:
                await asyncio.sleep(delay)
            delta = wire.ResponseOutputTextDelta(delta=piece, **ids)
            await self._link.send(delta, _said(item, piece))

    async def _speak(
        self,
        item: StoredItem,
        text: str,
        delay: float,
        ids: _PartIds,
        encode: Callable[[bytes], bytes] | None,
    ) -> None:
        """Audio deltas (``encode``: PCM16 to G.711) with the transcript due before each chunk."""
        pieces = fragments(text)
        starts, offset = [], 0
        for piece in pieces:
            starts.append(offset * CHAR_SECONDS)
            offset += len(piece)
        anchor, next_piece = asyncio.get_running_loop().time(), 0
        for k, pcm in enumerate(chunk(synthesize(text, item.rate), item.rate, CHUNK_SECONDS)):
            if k:
                await self._pace(anchor, k, delay)
            while next_piece < len(pieces) and starts[next_piece] < (k + 1) * CHUNK_SECONDS:
                piece = pieces[next_piece]
                next_piece += 1
                delta = wire.ResponseOutputAudioTranscriptDelta(delta=piece, **ids)
                await self._link.send(delta, _said(item, piece))
            data = encode(pcm) if encode is not None else pcm
            await self._link.send(
                wire.ResponseOutputAudioDelta(delta=data, **ids), self._played(item, data)
            )

    def _played(self, item: StoredItem, data: bytes) -> Callable[[], None]:
        def record() -> None:
            item.audio += data
            self._on_audio()

        return record

    async def _pace(self, anchor: float, index: int, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        if self._shared.options.realtime:
            wait = anchor + index * CHUNK_SECONDS - asyncio.get_running_loop().time()
            if wait > 0:
                await asyncio.sleep(wait)

    async def call(self, run: Run, call_id: str, name: str, arguments: str) -> None:
        """A ``function_call`` item whose arguments stream as deltas."""
        item = StoredItem(
            id=self._new_id("item"),
            type="function_call",
            status="in_progress",
            call_id=call_id,
            name=name,
        )
        await self.open(run, item)
        index = run.output.index(item)
        for piece in fragments(arguments):

            def grow(piece: str = piece) -> None:
                item.arguments += piece

            delta = wire.ResponseFunctionCallArgumentsDelta(
                response_id=run.id,
                item_id=item.id,
                output_index=index,
                call_id=call_id,
                delta=piece,
            )
            await self._link.send(delta, grow)
