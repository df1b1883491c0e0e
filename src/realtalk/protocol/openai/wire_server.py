"""OpenAI Realtime server events before the response level (openai-realtime.md §5.1-§5.11).

Import these names from :mod:`realtalk.protocol.openai.wire`, which re-exports them
and documents the conventions (every field written, UNSET fields left out, beta
names as alias subclasses). Response-level events are in :mod:`.wire_response`.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from realtalk.protocol.openai.wire_items import (
    ErrorDetail,
    Item,
    TranscriptionUsage,
)
from realtalk.protocol.openai.wire_session import Session

__all__ = [
    "Conversation",
    "ConversationCreated",
    "ConversationItemAdded",
    "ConversationItemCreated",
    "ConversationItemDeleted",
    "ConversationItemDone",
    "ConversationItemRetrieved",
    "ConversationItemTruncated",
    "ErrorEvent",
    "InputAudioBufferCleared",
    "InputAudioBufferCommitted",
    "InputAudioBufferDtmfEventReceived",
    "InputAudioBufferSpeechStarted",
    "InputAudioBufferSpeechStopped",
    "InputAudioBufferTimeoutTriggered",
    "InputAudioTranscriptionCompleted",
    "InputAudioTranscriptionDelta",
    "InputAudioTranscriptionFailed",
    "InputAudioTranscriptionSegment",
    "ServerEventBase",
    "SessionCreated",
    "SessionUpdated",
    "TranscriptionSessionCreated",
    "TranscriptionSessionUpdated",
]


class ServerEventBase(msgspec.Struct, tag_field="type", kw_only=True, gc=False):
    """Base of every server event: the ``type`` tag and the server's ``event_id``."""

    event_id: str | UnsetType = UNSET


# -- errors and session (§5.1-§5.4) ----------------------------------------------------


class ErrorEvent(ServerEventBase, tag="error", kw_only=True):
    """An error; most are not fatal and the session stays open (§5.1)."""

    error: ErrorDetail = msgspec.field(default_factory=ErrorDetail)


class SessionCreated(ServerEventBase, tag="session.created", kw_only=True):
    """First event after connect: the full default configuration (§5.2)."""

    session: Session = msgspec.field(default_factory=Session)


class SessionUpdated(ServerEventBase, tag="session.updated", kw_only=True):
    """The full effective configuration after a ``session.update`` (§5.3)."""

    session: Session = msgspec.field(default_factory=Session)


class TranscriptionSessionCreated(SessionCreated, tag="transcription_session.created"):
    """Beta name of :class:`SessionCreated` for transcription sessions (§9)."""


class TranscriptionSessionUpdated(SessionUpdated, tag="transcription_session.updated"):
    """Beta name of :class:`SessionUpdated` for transcription sessions (§9)."""


class Conversation(msgspec.Struct, omit_defaults=True, kw_only=True, gc=False):
    """The conversation of ``conversation.created``."""

    id: str | None = None
    object: str | None = None


class ConversationCreated(ServerEventBase, tag="conversation.created", kw_only=True):
    """Legacy: the conversation was created (§5.4); don't depend on it."""

    conversation: Conversation = msgspec.field(default_factory=Conversation)


# -- conversation items (§5.5-§5.10) ----------------------------------------------------


class ConversationItemAdded(ServerEventBase, tag="conversation.item.added", kw_only=True):
    """An item entered the default conversation (§5.5)."""

    previous_item_id: str | UnsetType | None = UNSET
    item: Item


class ConversationItemDone(ServerEventBase, tag="conversation.item.done", kw_only=True):
    """An item is final (§5.5)."""

    previous_item_id: str | UnsetType | None = UNSET
    item: Item


class ConversationItemCreated(ServerEventBase, tag="conversation.item.created", kw_only=True):
    """Beta name, still in the GA schema: an item was created (§5.6)."""

    previous_item_id: str | UnsetType | None = UNSET
    item: Item


class ConversationItemRetrieved(ServerEventBase, tag="conversation.item.retrieved", kw_only=True):
    """The full item, audio included (§5.7)."""

    item: Item


class ConversationItemTruncated(ServerEventBase, tag="conversation.item.truncated", kw_only=True):
    """An assistant item's audio was truncated (§5.8)."""

    item_id: str = ""
    content_index: int = 0
    audio_end_ms: int = 0


class ConversationItemDeleted(ServerEventBase, tag="conversation.item.deleted", kw_only=True):
    """An item was removed (§5.9)."""

    item_id: str = ""


class _TranscriptionEvent(ServerEventBase, kw_only=True):
    item_id: str = ""
    content_index: int = 0


class InputAudioTranscriptionDelta(
    _TranscriptionEvent, tag="conversation.item.input_audio_transcription.delta", kw_only=True
):
    """A fragment of a user-audio transcript (§5.10)."""

    delta: str = ""
    logprobs: list[dict[str, Any]] | UnsetType | None = UNSET
    obfuscation: str | UnsetType = UNSET


class InputAudioTranscriptionCompleted(
    _TranscriptionEvent, tag="conversation.item.input_audio_transcription.completed", kw_only=True
):
    """The whole transcript of a user-audio item (§5.10)."""

    transcript: str = ""
    usage: TranscriptionUsage | UnsetType | None = UNSET
    logprobs: list[dict[str, Any]] | UnsetType | None = UNSET
    languages: list[Any] | UnsetType | None = UNSET


class InputAudioTranscriptionFailed(
    _TranscriptionEvent, tag="conversation.item.input_audio_transcription.failed", kw_only=True
):
    """Transcription of a user-audio item failed (§5.10)."""

    error: ErrorDetail = msgspec.field(default_factory=ErrorDetail)


class InputAudioTranscriptionSegment(
    _TranscriptionEvent, tag="conversation.item.input_audio_transcription.segment", kw_only=True
):
    """A diarized transcript segment (§5.10); ``start``/``end`` in seconds."""

    id: str = ""
    text: str = ""
    speaker: str | None = None
    start: float = 0.0
    end: float = 0.0


# -- input audio buffer (§5.11) ----------------------------------------------------------


class InputAudioBufferCommitted(ServerEventBase, tag="input_audio_buffer.committed", kw_only=True):
    """The buffer became user item ``item_id``."""

    previous_item_id: str | UnsetType | None = UNSET
    item_id: str = ""


class InputAudioBufferCleared(ServerEventBase, tag="input_audio_buffer.cleared", kw_only=True):
    """The buffer was cleared."""


class InputAudioBufferSpeechStarted(
    ServerEventBase, tag="input_audio_buffer.speech_started", kw_only=True
):
    """VAD: speech started at ``audio_start_ms`` of all audio written this session."""

    audio_start_ms: int = 0
    item_id: str = ""


class InputAudioBufferSpeechStopped(
    ServerEventBase, tag="input_audio_buffer.speech_stopped", kw_only=True
):
    """VAD: speech stopped at ``audio_end_ms``."""

    audio_end_ms: int = 0
    item_id: str = ""


class InputAudioBufferTimeoutTriggered(
    ServerEventBase, tag="input_audio_buffer.timeout_triggered", kw_only=True
):
    """Server VAD ``idle_timeout_ms`` elapsed; a commit and a response follow."""

    audio_start_ms: int = 0
    audio_end_ms: int = 0
    item_id: str = ""


class InputAudioBufferDtmfEventReceived(
    ServerEventBase, tag="input_audio_buffer.dtmf_event_received", kw_only=True
):
    """SIP only: a DTMF key (``event``) received at ``received_at`` (unix seconds)."""

    event: str = ""
    received_at: int | None = None
