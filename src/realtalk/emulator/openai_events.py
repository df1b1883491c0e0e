"""What each client event does in the OpenAI emulator (openai-realtime.md §4, §6).

:class:`EventHandlers` applies one decoded client event to the session: the
configuration (``session.update``), the input buffer and server VAD
(``input_audio_buffer.*``, §6.2, §6.3), the conversation (``conversation.item.*``)
and responses (``response.create`` / ``.cancel``). A refused event raises
:class:`~realtalk.emulator.openai_output.RequestError`, which the reader turns
into an ``error`` event; nothing has changed then.

User audio turns are transcribed like the Gemini emulator's: the scenario's
``input_transcripts`` in order, then ``(audio N.N s)``. The transcript is what the
echo assistant hears; the client sees it only through the transcription events
(when ``audio.input.transcription`` is set).

The server VAD idle timeout (§3.2, §5.11) fires here: ``input_audio_buffer.timeout_triggered``,
the commit of the (silent) buffer, whose transcript is empty, and a response. In a
transcription session (§3.3) turns end with the commit and its transcription:
no response is ever created.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from realtalk.emulator.conversation import Conversation
from realtalk.emulator.openai_idle import IdleTimer
from realtalk.emulator.openai_input import MIN_COMMIT_MS, InputBuffer
from realtalk.emulator.openai_items import ItemStore, StoredItem
from realtalk.emulator.openai_link import OpenAIConnectionRecord, OpenAILink
from realtalk.emulator.openai_output import (
    commit_empty,
    invalid,
    item_not_found,
    not_truncatable,
    truncate_too_long,
)
from realtalk.emulator.openai_responder import Responder
from realtalk.emulator.openai_session import SessionConfig
from realtalk.emulator.output import audio_tokens, text_tokens
from realtalk.emulator.records import LogEntry
from realtalk.emulator.reply import fragments
from realtalk.emulator.scenario import Scenario
from realtalk.emulator.vad import VadKind
from realtalk.protocol.openai import wire

__all__ = ["EventHandlers", "describe"]

_PART_TYPES = {
    "user": (wire.InputTextContent, wire.InputAudioContent, wire.InputImageContent),
    "system": (wire.InputTextContent,),
    "assistant": (wire.OutputTextContent,),
}


def describe(index: int, event: wire.ClientEvent | None) -> LogEntry:
    """Summarise one client event for the connection log (None: a refused event)."""
    if event is None:
        return LogEntry(index, "invalid")
    kind = wire.event_type(event)
    if isinstance(event, wire.InputAudioBufferAppend):
        return LogEntry(index, kind, size=len(event.audio))
    if isinstance(event, wire.ConversationItemCreate):
        item = event.item
        if isinstance(item, wire.MessageItem):
            texts = [p.text for p in item.content if isinstance(p, wire.InputTextContent)]
            texts += [p.text for p in item.content if isinstance(p, wire.OutputTextContent)]
            return LogEntry(index, kind, "\n".join(texts))
        if isinstance(item, wire.FunctionCallOutputItem):
            return LogEntry(index, kind, f"{item.call_id} {item.output}")
        if isinstance(item, wire.FunctionCallItem):
            return LogEntry(index, kind, f"{item.name} {item.arguments or ''}")
    return LogEntry(index, kind)


class EventHandlers:
    """Applies client events to one session (see the module docstring)."""

    def __init__(
        self,
        *,
        link: OpenAILink,
        config: SessionConfig,
        store: ItemStore,
        buffer: InputBuffer,
        responder: Responder,
        conversation: Conversation,
        scenario: Scenario,
        record: OpenAIConnectionRecord,
        new_id: Callable[[str], str],
        tg: asyncio.TaskGroup,
        idle: IdleTimer,
        strict: bool = True,
    ) -> None:
        self._link = link
        self._config = config
        self._store = store
        self._buffer = buffer
        self._responder = responder
        self._conv = conversation
        self._scenario = scenario
        self._record = record
        self._new_id = new_id
        self._tg = tg
        self._idle = idle
        self._strict = strict
        self._speech_item: str | None = None  # the user item an utterance will become
        idle.bind(self._idle_timeout)

    async def dispatch(self, event: wire.ClientEvent) -> None:
        """Apply one event.

        Raises:
            RequestError: The event is refused (the session goes on).
        """
        eid = event.event_id
        match event:
            case wire.SessionUpdate():
                await self._session_update(event)
            case wire.InputAudioBufferAppend():
                await self._append(event.audio)
            case wire.InputAudioBufferCommit():
                if self._buffer.ms < MIN_COMMIT_MS:
                    raise commit_empty(self._buffer.ms, eid)
                self._idle.cancel()
                await self._commit(self._buffer.ms / 1000)
            case wire.InputAudioBufferClear():
                self._buffer.clear()
                self._speech_item = None
                self._idle.cancel()
                await self._link.send(wire.InputAudioBufferCleared())
            case wire.ConversationItemCreate():
                await self._item_create(event)
            case wire.ConversationItemRetrieve():
                item = self._find(event.item_id, eid)
                retrieved = wire.ConversationItemRetrieved(item=item.to_wire(with_audio=True))
                await self._link.send(retrieved)
            case wire.ConversationItemTruncate():
                await self._truncate(event)
            case wire.ConversationItemDelete():
                self._find(event.item_id, eid)
                self._store.delete(event.item_id)
                await self._link.send(wire.ConversationItemDeleted(item_id=event.item_id))
            case wire.ResponseCreate():
                self._responder.start(self._tg, event.response, eid)
            case wire.ResponseCancel():
                self._responder.cancel(event.response_id, eid)
            case _:  # output_audio_buffer.clear: WebRTC/SIP only, nothing to do here
                pass

    def _find(self, item_id: str, event_id: str | None) -> StoredItem:
        item = self._store.get(item_id)
        if item is None:
            raise item_not_found(item_id, "item_id", event_id)
        return item

    # -- session (§4.1) --------------------------------------------------------------------
    async def _session_update(self, event: wire.SessionUpdate) -> None:
        audio_sent = self._responder.audio_sent
        self._config.update(
            event.session, audio_sent=audio_sent, event_id=event.event_id, strict=self._strict
        )
        self._buffer.configure(self._config.input_format, self._config.turn_detection)
        self._idle.cancel()
        self._record.session = self._config.to_wire()
        await self._link.send(wire.SessionUpdated(session=self._record.session))

    # -- input audio (§4.2-§4.4, §6.2) -----------------------------------------------------
    async def _append(self, audio: bytes) -> None:
        detection = self._config.turn_detection or {}
        for speech in self._buffer.append(audio):
            if speech.kind is VadKind.START:
                self._idle.cancel()
                self._speech_item = self._new_id("item")
                started = wire.InputAudioBufferSpeechStarted(
                    audio_start_ms=speech.ms, item_id=self._speech_item
                )
                await self._link.send(started)
                if detection.get("interrupt_response", True):
                    self._responder.interrupt()
                continue
            item_id = self._speech_item or self._new_id("item")
            self._speech_item = item_id
            stopped = wire.InputAudioBufferSpeechStopped(audio_end_ms=speech.ms, item_id=item_id)
            await self._link.send(stopped)
            if self._buffer.ms <= 0:
                continue
            await self._commit(speech.seconds)
            if detection.get("create_response", True):
                self._responder.start_when_idle(self._tg)

    def _transcript(self, seconds: float) -> str:
        self._conv.audio_turns += 1
        scripted = self._scenario.input_transcripts
        n = self._conv.audio_turns
        return scripted[n - 1] if n <= len(scripted) else f"(audio {seconds:.1f} s)"

    async def _commit(self, seconds: float) -> None:
        """The buffer becomes a user item (§4.3, §6.2); transcribed when enabled (§5.10)."""
        await self._announce(*self._take(seconds))

    def _take(
        self, seconds: float, *, item_id: str | None = None, silent: bool = False
    ) -> tuple[StoredItem, str | None]:
        """Turn the buffer into a user audio item of the conversation, at once.

        Args:
            seconds: Duration of the utterance (for its placeholder transcript).
            item_id: The item id (default: the one speech_started announced, or new).
            silent: An idle-timeout commit: the transcript is empty and no scripted
                transcript is used up.

        Returns:
            The item and its ``previous_item_id``.
        """
        item_id = item_id or self._speech_item or self._new_id("item")
        self._speech_item = None
        self._conv.user_turns += 1
        item = StoredItem(
            id=item_id,
            type="message",
            role="user",
            parts=[wire.InputAudioContent(transcript=None)],
            audio=bytearray(self._buffer.take()),
            rate=self._buffer.rate,
            sample_width=self._buffer.sample_width,
            text="" if silent else self._transcript(seconds),
            turn=self._conv.user_turns,
        )
        previous = self._store.items[-1].id if len(self._store) else None
        self._store.insert(item)
        return item, previous

    async def _announce(self, item: StoredItem, previous: str | None) -> None:
        """``committed``, the item events and (when enabled) the transcription."""
        await self._link.send(
            wire.InputAudioBufferCommitted(previous_item_id=previous, item_id=item.id)
        )
        await self._link.send(
            wire.ConversationItemAdded(previous_item_id=previous, item=item.to_wire())
        )
        await self._link.send(
            wire.ConversationItemDone(previous_item_id=previous, item=item.to_wire())
        )
        if self._config.transcribes:
            await self._transcribe(item)

    async def _idle_timeout(self) -> None:
        """The idle timeout elapsed (§3.2, §5.11): ``timeout_triggered`` (the span of
        the buffered audio), the commit of the buffer, then a response."""
        if self._config.idle_timeout_ms is None or self._buffer.in_speech:
            return
        if self._responder.active is not None:
            return
        end = self._buffer.written_ms
        start = max(0.0, end - self._buffer.ms)
        item, previous = self._take(0.0, item_id=self._new_id("item"), silent=True)
        triggered = wire.InputAudioBufferTimeoutTriggered(
            audio_start_ms=int(start), audio_end_ms=int(end), item_id=item.id
        )
        await self._link.send(triggered)
        await self._announce(item, previous)
        self._responder.start_when_idle(self._tg)

    async def _transcribe(self, item: StoredItem) -> None:
        for piece in fragments(item.text):
            delta = wire.InputAudioTranscriptionDelta(item_id=item.id, content_index=0, delta=piece)
            await self._link.send(delta)
        audio = audio_tokens(item.audio_ms / 1000)
        out = text_tokens(item.text)
        usage = wire.TranscriptionUsage(
            type="tokens",
            total_tokens=audio + out,
            input_tokens=audio,
            output_tokens=out,
            input_token_details=wire.TokenDetails(text_tokens=0, audio_tokens=audio),
        )

        def shown() -> None:
            item.transcribed = True

        done = wire.InputAudioTranscriptionCompleted(
            item_id=item.id, content_index=0, transcript=item.text, usage=usage
        )
        await self._link.send(done, shown)

    # -- conversation (§4.5-§4.8) ---------------------------------------------------------
    def _stored(self, item: wire.Item, event_id: str | None) -> StoredItem:
        """The server's copy of a client item, after the service's checks."""
        item_id = item.id or self._new_id("item")
        if item_id in self._store:
            raise invalid(
                f"Item with id '{item_id}' already exists.", param="item.id", event_id=event_id
            )
        if isinstance(item, wire.FunctionCallItem):
            stored = StoredItem(id=item_id, type="function_call", call_id=item.call_id)
            stored.name, stored.arguments = item.name, item.arguments or ""
            return stored
        if isinstance(item, wire.FunctionCallOutputItem):
            stored = StoredItem(id=item_id, type="function_call_output", call_id=item.call_id)
            stored.output = item.output
            return stored
        if not isinstance(item, wire.MessageItem):
            raise invalid(
                f"Invalid value: '{wire.event_type(item)}'. Supported values are: 'message', "
                "'function_call', 'function_call_output'.",
                param="item.type",
                event_id=event_id,
            )
        allowed = _PART_TYPES.get(item.role)
        if allowed is None:
            raise invalid(
                f"Invalid value: '{item.role}'. Supported values are: 'user', 'system', "
                "'assistant'.",
                param="item.role",
                event_id=event_id,
            )
        for i, part in enumerate(item.content):
            if type(part) not in allowed:
                raise invalid(
                    f"Invalid value: '{wire.event_type(part)}'. Content of a {item.role} "
                    "message must be of another type.",
                    param=f"item.content[{i}].type",
                    event_id=event_id,
                )
        return self._message(item_id, item)

    def _message(self, item_id: str, item: wire.MessageItem) -> StoredItem:
        stored = StoredItem(id=item_id, type="message", role=item.role, parts=list(item.content))
        if item.role == "assistant":
            stored.modality = "text"
            stored.text = "".join(
                p.text for p in item.content if isinstance(p, wire.OutputTextContent)
            )
            return stored
        if item.role == "user":
            self._conv.user_turns += 1
            stored.turn = self._conv.user_turns
        audio = next((p for p in item.content if isinstance(p, wire.InputAudioContent)), None)
        if audio is not None:
            stored.audio = bytearray(audio.audio or b"")
            stored.rate, stored.sample_width = self._buffer.rate, self._buffer.sample_width
            given = audio.transcript if isinstance(audio.transcript, str) else None
            stored.text = given if given is not None else self._transcript(stored.audio_ms / 1000)
            stored.transcribed = given is not None
        return stored

    async def _item_create(self, event: wire.ConversationItemCreate) -> None:
        stored = self._stored(event.item, event.event_id)
        after = event.previous_item_id
        if after is not None and after != "root" and after not in self._store:
            raise item_not_found(after, "previous_item_id", event.event_id)
        previous = self._store.insert(stored, after)
        item = stored.to_wire()
        await self._link.send(wire.ConversationItemAdded(previous_item_id=previous, item=item))
        await self._link.send(wire.ConversationItemDone(previous_item_id=previous, item=item))

    async def _truncate(self, event: wire.ConversationItemTruncate) -> None:
        """Cut model audio at ``audio_end_ms``; its transcript leaves the context (§4.7)."""
        eid = event.event_id
        item = self._find(event.item_id, eid)
        if not item.is_model_audio:
            raise not_truncatable(eid)
        if event.content_index != 0:
            raise invalid(
                f"Invalid value: {event.content_index}. The item has one content part.",
                param="content_index",
                event_id=eid,
            )
        if event.audio_end_ms < 0:
            raise invalid(
                f"Invalid value: {event.audio_end_ms}. Expected a value >= 0.",
                param="audio_end_ms",
                event_id=eid,
            )
        if event.audio_end_ms > item.audio_ms:
            raise truncate_too_long(item.audio_ms, event.audio_end_ms, eid)
        item.truncated_ms = event.audio_end_ms
        self._store.sync()
        truncated = wire.ConversationItemTruncated(
            item_id=item.id, content_index=0, audio_end_ms=event.audio_end_ms
        )
        await self._link.send(truncated)
