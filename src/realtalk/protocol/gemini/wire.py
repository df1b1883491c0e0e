"""msgspec Structs for every Gemini Live message (spec §4 client, §5 server).

This module is the one place to import wire types from: it defines the message
envelopes and re-exports the shared content types (:mod:`.wire_content`) and the
setup configuration (:mod:`.wire_setup`).

Conventions (spec §2.3):

* Attributes are snake_case; the wire names are lowerCamelCase.
* Optional fields default to ``None`` and are then not emitted; unknown fields are
  ignored when decoding (the server-role decoder in the codec can reject them).
* Enums are plain ``str``: an enum value the server adds tomorrow still decodes.
* ``int64`` fields hold ``int`` and go out as JSON strings; ``Duration`` fields hold
  the wire string (``"50s"``, see :func:`format_duration`); ``bytes`` hold raw bytes.

Encode and decode with :mod:`realtalk.protocol.gemini.codec`, which applies the
int64-as-string rule that plain ``msgspec.json.encode`` does not know about.
"""

from __future__ import annotations

from typing import Any

from realtalk.protocol.gemini.wire_content import (
    Blob,
    CodeExecutionResult,
    Content,
    Duration,
    ExecutableCode,
    FileData,
    FunctionResponse,
    FunctionResponsePart,
    Int64,
    Part,
    WireFunctionCall,
    WireStruct,
    format_duration,
    parse_duration,
)
from realtalk.protocol.gemini.wire_setup import (
    ACTIVITY_HANDLINGS,
    BEHAVIORS,
    END_SENSITIVITIES,
    MEDIA_RESOLUTIONS,
    RESPONSE_MODALITIES,
    SCHEDULINGS,
    START_SENSITIVITIES,
    TURN_COVERAGES,
    AudioTranscriptionConfig,
    AutomaticActivityDetection,
    ContextWindowCompressionConfig,
    FunctionDeclaration,
    GenerationConfig,
    HistoryConfig,
    PrebuiltVoiceConfig,
    ProactivityConfig,
    RealtimeInputConfig,
    SafetySetting,
    SessionResumptionConfig,
    Setup,
    SlidingWindow,
    SpeechConfig,
    ThinkingConfig,
    Tool,
    VoiceConfig,
)

__all__ = [
    "ACTIVITY_HANDLINGS",
    "BEHAVIORS",
    "CLIENT_MESSAGE_KEYS",
    "END_SENSITIVITIES",
    "MEDIA_RESOLUTIONS",
    "RESPONSE_MODALITIES",
    "SCHEDULINGS",
    "SERVER_MESSAGE_KEYS",
    "START_SENSITIVITIES",
    "TURN_COVERAGES",
    "ActivityEnd",
    "ActivityStart",
    "AudioTranscriptionConfig",
    "AutomaticActivityDetection",
    "Blob",
    "ClientContent",
    "ClientMessage",
    "CodeExecutionResult",
    "Content",
    "ContextUpdate",
    "ContextWindowCompressionConfig",
    "Duration",
    "ExecutableCode",
    "FileData",
    "FunctionDeclaration",
    "FunctionResponse",
    "FunctionResponsePart",
    "GenerationConfig",
    "GoAway",
    "HistoryConfig",
    "Int64",
    "ModalityTokenCount",
    "Part",
    "PrebuiltVoiceConfig",
    "ProactivityConfig",
    "RealtimeInput",
    "RealtimeInputConfig",
    "SafetySetting",
    "ServerContent",
    "ServerMessage",
    "SessionResumptionConfig",
    "SessionResumptionUpdate",
    "Setup",
    "SetupComplete",
    "SlidingWindow",
    "SpeechConfig",
    "ThinkingConfig",
    "Tool",
    "ToolCall",
    "ToolCallCancellation",
    "ToolResponse",
    "ToolsWrapper",
    "Transcription",
    "UsageMetadata",
    "VoiceActivity",
    "VoiceActivityDetectionSignal",
    "VoiceConfig",
    "WireFunctionCall",
    "WireStruct",
    "format_duration",
    "parse_duration",
]

# -- client messages (spec §4) -------------------------------------------------------


class ClientContent(WireStruct):
    """Turns appended to the history, in order (``clientContent``, §4.2).

    Attributes:
        turns: The content to append (may include ``role="model"`` turns).
        turn_complete: True = generate now; absent/false = wait for more content.
    """

    turns: list[Content] | None = None
    turn_complete: bool | None = None


class ActivityStart(WireStruct):
    """Manual VAD: the user started speaking (``{}`` on the wire, §4.3)."""


class ActivityEnd(WireStruct):
    """Manual VAD: the user stopped speaking (``{}`` on the wire, §4.3)."""


class RealtimeInput(WireStruct):
    """Streaming input (``realtimeInput``, §4.3); send one field per message.

    Attributes:
        audio: A PCM chunk (``audio/pcm;rate=16000``).
        video: One image frame.
        text: Typed text into the realtime stream.
        activity_start: Manual VAD start.
        activity_end: Manual VAD end.
        audio_stream_end: The microphone paused (AI Studio, automatic VAD only).
        media_chunks: Deprecated; only the first element is used.
    """

    audio: Blob | None = None
    video: Blob | None = None
    text: str | None = None
    activity_start: ActivityStart | None = None
    activity_end: ActivityEnd | None = None
    audio_stream_end: bool | None = None
    media_chunks: list[Blob] | None = None


class ToolResponse(WireStruct):
    """Answers to function calls (``toolResponse``, §4.4)."""

    function_responses: list[FunctionResponse] | None = None


class ToolsWrapper(WireStruct):
    """The wrapped tool list of a context update; an empty list clears all tools (§4.5)."""

    tools: list[Tool] | None = None


class ContextUpdate(WireStruct):
    """Change the system instruction and/or tools mid-session (``contextUpdate``, §4.5)."""

    system_instruction: Content | None = None
    tools: ToolsWrapper | None = None


class ClientMessage(WireStruct):
    """The client message envelope (§2.2): exactly one field must be set."""

    setup: Setup | None = None
    client_content: ClientContent | None = None
    realtime_input: RealtimeInput | None = None
    tool_response: ToolResponse | None = None
    context_update: ContextUpdate | None = None


#: Wire keys of :class:`ClientMessage`, in field order.
CLIENT_MESSAGE_KEYS = ("setup", "clientContent", "realtimeInput", "toolResponse", "contextUpdate")

# -- server messages (spec §5) -------------------------------------------------------


class SetupComplete(WireStruct):
    """The server accepted the setup (``setupComplete``, §5.1).

    Attributes:
        session_id: Session id, when the server sends one.
        voice_consent_signature: Vertex voice-cloning consent (opaque passthrough).
    """

    session_id: str | None = None
    voice_consent_signature: Any = None


class Transcription(WireStruct):
    """A transcript fragment (a delta, §5.2).

    Attributes:
        text: The fragment.
        finished: Last fragment of the utterance.
        language_code: Newer: detected language.
        speaker_label: Newer: diarization label.
        words: Newer: word timing (passthrough).
    """

    text: str | None = None
    finished: bool | None = None
    language_code: str | None = None
    speaker_label: str | None = None
    words: list[dict[str, Any]] | None = None


class ServerContent(WireStruct):
    """Model output and turn signals (``serverContent``, §5.2).

    Attributes:
        model_turn: A chunk of model output (audio, text, thoughts, code).
        generation_complete: The model finished producing output (absent when interrupted).
        turn_complete: The turn is over.
        interrupted: Client activity cut the generation off.
        input_transcription: User-speech transcript fragment.
        output_transcription: Model-speech transcript fragment.
        grounding_metadata: Search grounding (passthrough).
        url_context_metadata: URL-context tool metadata (passthrough).
        waiting_for_input: The model is idle, expecting more user input.
        turn_complete_reason: Why the turn ended (e.g. ``NEED_MORE_INPUT``).
        interaction_status: ``IN_PROGRESS``, ``IDLE``, ... (sent with ``turn_complete``).
        interim_input_transcription: Low-latency interim user transcript.
    """

    model_turn: Content | None = None
    generation_complete: bool | None = None
    turn_complete: bool | None = None
    interrupted: bool | None = None
    input_transcription: Transcription | None = None
    output_transcription: Transcription | None = None
    grounding_metadata: dict[str, Any] | None = None
    url_context_metadata: dict[str, Any] | None = None
    waiting_for_input: bool | None = None
    turn_complete_reason: str | None = None
    interaction_status: str | None = None
    interim_input_transcription: Transcription | None = None


class ToolCall(WireStruct):
    """Function calls requested by the model (``toolCall``, §5.3)."""

    function_calls: list[WireFunctionCall] | None = None


class ToolCallCancellation(WireStruct):
    """Earlier function calls withdrawn by the server (``toolCallCancellation``, §5.4)."""

    ids: list[str] | None = None


class GoAway(WireStruct):
    """The server will close the connection soon (``goAway``, §5.5).

    Attributes:
        time_left: A Duration string, e.g. ``format_duration(50)`` -> ``"50s"``.
    """

    time_left: Duration | None = None


class SessionResumptionUpdate(WireStruct):
    """A new resumption state (``sessionResumptionUpdate``, §5.6).

    Attributes:
        new_handle: The handle; empty/absent when not resumable.
        resumable: False while generating or while a function call runs.
        last_consumed_client_message_index: Transparent mode (Vertex): the index of the
            last client message covered by the handle (int64: a JSON string on the wire).
    """

    new_handle: str | None = None
    resumable: bool | None = None
    last_consumed_client_message_index: Int64 | None = None


class ModalityTokenCount(WireStruct):
    """Token count for one modality (§5.7)."""

    modality: str | None = None
    token_count: int | None = None


class UsageMetadata(WireStruct):
    """Token accounting (``usageMetadata``, §5.7), with AI Studio and Vertex names.

    AI Studio sends ``response_token_count``/``response_tokens_details``; Vertex sends
    ``candidates_token_count``/``candidates_tokens_details`` and ``traffic_type``.
    """

    prompt_token_count: int | None = None
    cached_content_token_count: int | None = None
    response_token_count: int | None = None
    tool_use_prompt_token_count: int | None = None
    thoughts_token_count: int | None = None
    total_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None
    response_tokens_details: list[ModalityTokenCount] | None = None
    tool_use_prompt_tokens_details: list[ModalityTokenCount] | None = None
    candidates_token_count: int | None = None
    candidates_tokens_details: list[ModalityTokenCount] | None = None
    traffic_type: str | None = None


class VoiceActivity(WireStruct):
    """Server VAD event (``voiceActivity``, §5.8; newer).

    Attributes:
        type: ``ACTIVITY_START`` or ``ACTIVITY_END`` (wire key ``type``).
        audio_offset: Duration string into the input audio.
    """

    type: str | None = None
    audio_offset: Duration | None = None


class VoiceActivityDetectionSignal(WireStruct):
    """Vertex VAD signal (``voiceActivityDetectionSignal``, §5.8; allowlisted).

    Attributes:
        vad_signal_type: ``VAD_SIGNAL_TYPE_SOS`` or ``VAD_SIGNAL_TYPE_EOS``.
    """

    vad_signal_type: str | None = None


class ServerMessage(WireStruct):
    """The server message envelope (§2.2): at most one message field plus usage."""

    setup_complete: SetupComplete | None = None
    server_content: ServerContent | None = None
    tool_call: ToolCall | None = None
    tool_call_cancellation: ToolCallCancellation | None = None
    go_away: GoAway | None = None
    session_resumption_update: SessionResumptionUpdate | None = None
    voice_activity: VoiceActivity | None = None
    voice_activity_detection_signal: VoiceActivityDetectionSignal | None = None
    usage_metadata: UsageMetadata | None = None


#: Wire keys of :class:`ServerMessage`, in field order.
SERVER_MESSAGE_KEYS = (
    "setupComplete",
    "serverContent",
    "toolCall",
    "toolCallCancellation",
    "goAway",
    "sessionResumptionUpdate",
    "voiceActivity",
    "voiceActivityDetectionSignal",
    "usageMetadata",
)
