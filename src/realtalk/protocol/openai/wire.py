"""msgspec types for every OpenAI Realtime event (openai-realtime.md §3-§5, §9).

This module is the one place to import wire types from. It defines the unions
(:data:`ClientEvent`, :data:`ServerEvent`) and the type tables, and re-exports the
client events (:mod:`.wire_client`), the session and conversation server events
(:mod:`.wire_server`), the response-level server events (:mod:`.wire_response`),
items, parts and the response object (:mod:`.wire_items`) and the session
configuration (:mod:`.wire_session`).

Conventions:

* Field names are the wire's snake_case; events are tagged unions on ``type``
  (:data:`ClientEvent`, :data:`ServerEvent`).
* Unknown fields are ignored when decoding; :func:`~.codec.decode_client` (server
  role) rejects them.
* Server events write every field (``null`` included, as the server does) except
  those defaulting to :data:`msgspec.UNSET`, which exist only on some events.
* Audio (``delta`` of ``response.output_audio.delta``, ``audio`` of
  ``input_audio_buffer.append``) is ``bytes``: msgspec base64-decodes it while parsing.
* Beta event names (§9) are alias subclasses of the GA type with the beta tag
  (``ResponseAudioDelta`` is a ``ResponseOutputAudioDelta`` tagged
  ``response.audio.delta``), so both decode in one pass and ``isinstance`` checks on
  the GA type see both. :data:`BETA_ALIASES` maps beta names to GA names.
"""

from __future__ import annotations

from typing import TypeAlias, get_args

import msgspec

from realtalk.protocol.openai.wire_client import (
    ClientEvent,
    ClientEventBase,
    ConversationItemCreate,
    ConversationItemDelete,
    ConversationItemRetrieve,
    ConversationItemTruncate,
    InputAudioBufferAppend,
    InputAudioBufferClear,
    InputAudioBufferCommit,
    OutputAudioBufferClear,
    ResponseCancel,
    ResponseCreate,
    SessionUpdate,
    TranscriptionSessionUpdate,
)
from realtalk.protocol.openai.wire_items import (
    CONTENT_TYPES,
    ITEM_TYPES,
    AudioContent,
    Content,
    ContentBase,
    ErrorDetail,
    FunctionCallItem,
    FunctionCallOutputItem,
    InputAudioContent,
    InputImageContent,
    InputTextContent,
    InputTokenDetails,
    Item,
    ItemBase,
    ItemReference,
    McpApprovalRequestItem,
    McpApprovalResponseItem,
    McpCallItem,
    McpListToolsItem,
    MessageItem,
    OutputAudioContent,
    OutputTextContent,
    OutputTokenDetails,
    RateLimit,
    Response,
    ResponseAudio,
    ResponseAudioOutput,
    ResponseCreateParams,
    ResponseUsage,
    StatusDetails,
    TextContent,
    TokenDetails,
    TranscriptionUsage,
    WireStruct,
)
from realtalk.protocol.openai.wire_response import (
    McpListToolsCompleted,
    McpListToolsFailed,
    McpListToolsInProgress,
    OutputAudioBufferCleared,
    OutputAudioBufferStarted,
    OutputAudioBufferStopped,
    RateLimitsUpdated,
    ResponseAudioDelta,
    ResponseAudioDone,
    ResponseAudioTranscriptDelta,
    ResponseAudioTranscriptDone,
    ResponseContentPartAdded,
    ResponseContentPartDone,
    ResponseCreated,
    ResponseDone,
    ResponseFunctionCallArgumentsDelta,
    ResponseFunctionCallArgumentsDone,
    ResponseMcpCallArgumentsDelta,
    ResponseMcpCallArgumentsDone,
    ResponseMcpCallCompleted,
    ResponseMcpCallFailed,
    ResponseMcpCallInProgress,
    ResponseOutputAudioDelta,
    ResponseOutputAudioDone,
    ResponseOutputAudioTranscriptDelta,
    ResponseOutputAudioTranscriptDone,
    ResponseOutputItemAdded,
    ResponseOutputItemDone,
    ResponseOutputTextDelta,
    ResponseOutputTextDone,
    ResponseTextDelta,
    ResponseTextDone,
)
from realtalk.protocol.openai.wire_server import (
    Conversation,
    ConversationCreated,
    ConversationItemAdded,
    ConversationItemCreated,
    ConversationItemDeleted,
    ConversationItemDone,
    ConversationItemRetrieved,
    ConversationItemTruncated,
    ErrorEvent,
    InputAudioBufferCleared,
    InputAudioBufferCommitted,
    InputAudioBufferDtmfEventReceived,
    InputAudioBufferSpeechStarted,
    InputAudioBufferSpeechStopped,
    InputAudioBufferTimeoutTriggered,
    InputAudioTranscriptionCompleted,
    InputAudioTranscriptionDelta,
    InputAudioTranscriptionFailed,
    InputAudioTranscriptionSegment,
    ServerEventBase,
    SessionCreated,
    SessionUpdated,
    TranscriptionSessionCreated,
    TranscriptionSessionUpdated,
)
from realtalk.protocol.openai.wire_session import (
    AUDIO_PCM,
    AUDIO_PCMA,
    AUDIO_PCMU,
    BETA_FORMATS,
    BETA_SESSION_FIELDS,
    PCM_RATE,
    AudioFormat,
    AudioInput,
    AudioOutput,
    ConfigStruct,
    FunctionTool,
    InputTranscription,
    MaxTokens,
    McpTool,
    NoiseReduction,
    Prompt,
    Reasoning,
    RetentionRatioTruncation,
    SemanticVad,
    ServerVad,
    Session,
    SessionAudio,
    Tool,
    ToolChoice,
    ToolChoiceFunction,
    ToolChoiceMcp,
    TracingConfig,
    TurnDetection,
    VoiceRef,
)

__all__ = [
    "AUDIO_PCM",
    "AUDIO_PCMA",
    "AUDIO_PCMU",
    "BETA_ALIASES",
    "BETA_FORMATS",
    "BETA_SESSION_FIELDS",
    "CLIENT_EVENT_TYPES",
    "CONTENT_TYPES",
    "ITEM_TYPES",
    "PCM_RATE",
    "SERVER_EVENT_TYPES",
    "AudioContent",
    "AudioFormat",
    "AudioInput",
    "AudioOutput",
    "ClientEvent",
    "ClientEventBase",
    "ConfigStruct",
    "Content",
    "ContentBase",
    "Conversation",
    "ConversationCreated",
    "ConversationItemAdded",
    "ConversationItemCreate",
    "ConversationItemCreated",
    "ConversationItemDelete",
    "ConversationItemDeleted",
    "ConversationItemDone",
    "ConversationItemRetrieve",
    "ConversationItemRetrieved",
    "ConversationItemTruncate",
    "ConversationItemTruncated",
    "ErrorDetail",
    "ErrorEvent",
    "FunctionCallItem",
    "FunctionCallOutputItem",
    "FunctionTool",
    "InputAudioBufferAppend",
    "InputAudioBufferClear",
    "InputAudioBufferCleared",
    "InputAudioBufferCommit",
    "InputAudioBufferCommitted",
    "InputAudioBufferDtmfEventReceived",
    "InputAudioBufferSpeechStarted",
    "InputAudioBufferSpeechStopped",
    "InputAudioBufferTimeoutTriggered",
    "InputAudioContent",
    "InputAudioTranscriptionCompleted",
    "InputAudioTranscriptionDelta",
    "InputAudioTranscriptionFailed",
    "InputAudioTranscriptionSegment",
    "InputImageContent",
    "InputTextContent",
    "InputTokenDetails",
    "InputTranscription",
    "Item",
    "ItemBase",
    "ItemReference",
    "MaxTokens",
    "McpApprovalRequestItem",
    "McpApprovalResponseItem",
    "McpCallItem",
    "McpListToolsCompleted",
    "McpListToolsFailed",
    "McpListToolsInProgress",
    "McpListToolsItem",
    "McpTool",
    "MessageItem",
    "NoiseReduction",
    "OutputAudioBufferClear",
    "OutputAudioBufferCleared",
    "OutputAudioBufferStarted",
    "OutputAudioBufferStopped",
    "OutputAudioContent",
    "OutputTextContent",
    "OutputTokenDetails",
    "Prompt",
    "RateLimit",
    "RateLimitsUpdated",
    "Reasoning",
    "Response",
    "ResponseAudio",
    "ResponseAudioDelta",
    "ResponseAudioDone",
    "ResponseAudioOutput",
    "ResponseAudioTranscriptDelta",
    "ResponseAudioTranscriptDone",
    "ResponseCancel",
    "ResponseContentPartAdded",
    "ResponseContentPartDone",
    "ResponseCreate",
    "ResponseCreateParams",
    "ResponseCreated",
    "ResponseDone",
    "ResponseFunctionCallArgumentsDelta",
    "ResponseFunctionCallArgumentsDone",
    "ResponseMcpCallArgumentsDelta",
    "ResponseMcpCallArgumentsDone",
    "ResponseMcpCallCompleted",
    "ResponseMcpCallFailed",
    "ResponseMcpCallInProgress",
    "ResponseOutputAudioDelta",
    "ResponseOutputAudioDone",
    "ResponseOutputAudioTranscriptDelta",
    "ResponseOutputAudioTranscriptDone",
    "ResponseOutputItemAdded",
    "ResponseOutputItemDone",
    "ResponseOutputTextDelta",
    "ResponseOutputTextDone",
    "ResponseTextDelta",
    "ResponseTextDone",
    "ResponseUsage",
    "RetentionRatioTruncation",
    "SemanticVad",
    "ServerEvent",
    "ServerEventBase",
    "ServerVad",
    "Session",
    "SessionAudio",
    "SessionCreated",
    "SessionUpdate",
    "SessionUpdated",
    "StatusDetails",
    "TextContent",
    "TokenDetails",
    "Tool",
    "ToolChoice",
    "ToolChoiceFunction",
    "ToolChoiceMcp",
    "TracingConfig",
    "TranscriptionSessionCreated",
    "TranscriptionSessionUpdate",
    "TranscriptionSessionUpdated",
    "TranscriptionUsage",
    "TurnDetection",
    "VoiceRef",
    "WireStruct",
    "event_type",
]


#: Any server event (GA names and beta aliases).
ServerEvent: TypeAlias = (
    ErrorEvent
    | SessionCreated
    | SessionUpdated
    | TranscriptionSessionCreated
    | TranscriptionSessionUpdated
    | ConversationCreated
    | ConversationItemAdded
    | ConversationItemDone
    | ConversationItemCreated
    | ConversationItemRetrieved
    | ConversationItemTruncated
    | ConversationItemDeleted
    | InputAudioTranscriptionDelta
    | InputAudioTranscriptionCompleted
    | InputAudioTranscriptionFailed
    | InputAudioTranscriptionSegment
    | InputAudioBufferCommitted
    | InputAudioBufferCleared
    | InputAudioBufferSpeechStarted
    | InputAudioBufferSpeechStopped
    | InputAudioBufferTimeoutTriggered
    | InputAudioBufferDtmfEventReceived
    | ResponseCreated
    | ResponseDone
    | ResponseOutputItemAdded
    | ResponseOutputItemDone
    | ResponseContentPartAdded
    | ResponseContentPartDone
    | ResponseOutputAudioDelta
    | ResponseOutputAudioDone
    | ResponseOutputAudioTranscriptDelta
    | ResponseOutputAudioTranscriptDone
    | ResponseOutputTextDelta
    | ResponseOutputTextDone
    | ResponseTextDelta
    | ResponseTextDone
    | ResponseAudioDelta
    | ResponseAudioDone
    | ResponseAudioTranscriptDelta
    | ResponseAudioTranscriptDone
    | ResponseFunctionCallArgumentsDelta
    | ResponseFunctionCallArgumentsDone
    | RateLimitsUpdated
    | OutputAudioBufferStarted
    | OutputAudioBufferStopped
    | OutputAudioBufferCleared
    | McpListToolsInProgress
    | McpListToolsCompleted
    | McpListToolsFailed
    | ResponseMcpCallArgumentsDelta
    | ResponseMcpCallArgumentsDone
    | ResponseMcpCallInProgress
    | ResponseMcpCallCompleted
    | ResponseMcpCallFailed
)


def event_type(cls: type[msgspec.Struct] | msgspec.Struct) -> str:
    """The wire ``type`` of an event class or instance (its msgspec tag)."""
    tag = cls.__struct_config__.tag
    assert isinstance(tag, str)
    return tag


#: Wire ``type`` -> client event class.
CLIENT_EVENT_TYPES: dict[str, type[msgspec.Struct]] = {
    event_type(cls): cls for cls in get_args(ClientEvent)
}
#: Wire ``type`` -> server event class (beta aliases included).
SERVER_EVENT_TYPES: dict[str, type[msgspec.Struct]] = {
    event_type(cls): cls for cls in get_args(ServerEvent)
}
#: Beta event names -> GA names (§9), for events whose name changed.
BETA_ALIASES: dict[str, str] = {
    event_type(cls): event_type(cls.__mro__[1])
    for cls in (
        ResponseTextDelta,
        ResponseTextDone,
        ResponseAudioDelta,
        ResponseAudioDone,
        ResponseAudioTranscriptDelta,
        ResponseAudioTranscriptDone,
        TranscriptionSessionCreated,
        TranscriptionSessionUpdated,
    )
}
