"""OpenAI Realtime client events (openai-realtime.md §4), a tagged union on ``type``.

Import these names from :mod:`realtalk.protocol.openai.wire`, which re-exports them.
Every client event may carry an ``event_id`` (any client-chosen string); the
server echoes it in ``error.event_id`` when the event fails (§2).
"""

from __future__ import annotations

from typing import TypeAlias

import msgspec

from realtalk.protocol.openai.wire_items import Item, ResponseCreateParams
from realtalk.protocol.openai.wire_session import Session

__all__ = [
    "ClientEvent",
    "ClientEventBase",
    "ConversationItemCreate",
    "ConversationItemDelete",
    "ConversationItemRetrieve",
    "ConversationItemTruncate",
    "InputAudioBufferAppend",
    "InputAudioBufferClear",
    "InputAudioBufferCommit",
    "OutputAudioBufferClear",
    "ResponseCancel",
    "ResponseCreate",
    "SessionUpdate",
    "TranscriptionSessionUpdate",
]


class ClientEventBase(
    msgspec.Struct,
    tag_field="type",
    omit_defaults=True,
    kw_only=True,
    repr_omit_defaults=True,
    gc=False,
):
    """Base of every client event: the ``type`` tag and an optional ``event_id``."""

    event_id: str | None = None


class SessionUpdate(ClientEventBase, tag="session.update", kw_only=True):
    """Change the session configuration; only the fields present change (§4.1)."""

    session: Session


class InputAudioBufferAppend(ClientEventBase, tag="input_audio_buffer.append", kw_only=True):
    """Add audio (raw bytes in the input format; base64 on the wire) to the buffer (§4.2)."""

    audio: bytes


class InputAudioBufferCommit(ClientEventBase, tag="input_audio_buffer.commit", kw_only=True):
    """Turn the buffer into a user message item; needs >= 100 ms of audio (§4.3)."""


class InputAudioBufferClear(ClientEventBase, tag="input_audio_buffer.clear", kw_only=True):
    """Discard uncommitted audio (§4.4)."""


class ConversationItemCreate(ClientEventBase, tag="conversation.item.create", kw_only=True):
    """Add an item (§4.5); ``previous_item_id``: omitted = append, ``"root"`` = first."""

    item: Item
    previous_item_id: str | None = None


class ConversationItemRetrieve(ClientEventBase, tag="conversation.item.retrieve", kw_only=True):
    """Fetch the server's full copy of an item (§4.6)."""

    item_id: str


class ConversationItemTruncate(ClientEventBase, tag="conversation.item.truncate", kw_only=True):
    """Cut an assistant item's audio at ``audio_end_ms`` and drop its transcript (§4.7)."""

    item_id: str
    content_index: int
    audio_end_ms: int


class ConversationItemDelete(ClientEventBase, tag="conversation.item.delete", kw_only=True):
    """Remove an item (§4.8)."""

    item_id: str


class ResponseCreate(ClientEventBase, tag="response.create", kw_only=True):
    """Start inference, optionally with per-response overrides (§4.9)."""

    response: ResponseCreateParams | None = None


class ResponseCancel(ClientEventBase, tag="response.cancel", kw_only=True):
    """Cancel the in-progress response (the default one, or ``response_id``) (§4.10)."""

    response_id: str | None = None


class OutputAudioBufferClear(ClientEventBase, tag="output_audio_buffer.clear", kw_only=True):
    """Stop server-side playout (WebRTC/SIP only, §4.11)."""


class TranscriptionSessionUpdate(ClientEventBase, tag="transcription_session.update", kw_only=True):
    """Beta: configure a transcription session (§4.12); GA uses ``session.update``."""

    session: Session


#: Any client event.
ClientEvent: TypeAlias = (
    SessionUpdate
    | InputAudioBufferAppend
    | InputAudioBufferCommit
    | InputAudioBufferClear
    | ConversationItemCreate
    | ConversationItemRetrieve
    | ConversationItemTruncate
    | ConversationItemDelete
    | ResponseCreate
    | ResponseCancel
    | OutputAudioBufferClear
    | TranscriptionSessionUpdate
)
