"""OpenAI Realtime session configuration types (openai-realtime.md §3.1-§3.3, §9).

Import these names from :mod:`realtalk.protocol.openai.wire`, which re-exports them.

Every field defaults to :data:`msgspec.UNSET` and is then left out of the JSON:
``session.update`` changes only the fields present, and ``null`` has a meaning of
its own (``turn_detection: null`` = manual turns, ``transcription: null`` = off),
so "absent" and ``None`` must stay apart. Field names are the wire's snake_case.
Enums are plain ``str`` so a value the server adds tomorrow still decodes.

:class:`Session` holds the GA fields and, marked *beta*, the retired beta fields
(§9), so a beta server's ``session.created`` decodes too. Encoding a beta field to a
GA server gets an ``unknown_parameter`` error back; don't mix the two shapes.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import msgspec
from msgspec import UNSET, UnsetType

__all__ = [
    "AUDIO_PCM",
    "AUDIO_PCMA",
    "AUDIO_PCMU",
    "BETA_FORMATS",
    "BETA_SESSION_FIELDS",
    "PCM_RATE",
    "AudioFormat",
    "AudioInput",
    "AudioOutput",
    "ConfigStruct",
    "FunctionTool",
    "InputTranscription",
    "MaxTokens",
    "McpTool",
    "NoiseReduction",
    "Prompt",
    "Reasoning",
    "RetentionRatioTruncation",
    "SemanticVad",
    "ServerVad",
    "Session",
    "SessionAudio",
    "Tool",
    "ToolChoice",
    "ToolChoiceFunction",
    "ToolChoiceMcp",
    "TracingConfig",
    "TurnDetection",
    "VoiceRef",
]

#: GA audio format types (§7).
AUDIO_PCM = "audio/pcm"
AUDIO_PCMU = "audio/pcmu"
AUDIO_PCMA = "audio/pcma"
#: The only PCM rate the API accepts (§3.1, §7).
PCM_RATE = 24000
#: Beta format names -> GA format types (§7, §9).
BETA_FORMATS = {"pcm16": AUDIO_PCM, "g711_ulaw": AUDIO_PCMU, "g711_alaw": AUDIO_PCMA}

#: ``1``-``4096`` or ``"inf"`` (§3.1).
MaxTokens: TypeAlias = int | Literal["inf"]


class ConfigStruct(
    msgspec.Struct, omit_defaults=True, kw_only=True, repr_omit_defaults=True, gc=False
):
    """Base of the configuration types: keyword-only, UNSET fields left out."""


class AudioFormat(ConfigStruct):
    """An audio format (§7): ``audio/pcm`` with ``rate`` 24000, ``audio/pcmu``, ``audio/pcma``."""

    type: str
    rate: int | UnsetType = UNSET


class InputTranscription(ConfigStruct):
    """Transcription of user audio by a separate ASR model (``audio.input.transcription``).

    Attributes:
        model: ``gpt-4o-transcribe``, ``gpt-4o-mini-transcribe``, ``whisper-1``, ...
        language: ISO-639-1 hint, e.g. ``en``.
        prompt: Guidance text for the ASR model.
        languages: Newer: several language hints.
        keywords: Newer: words to favour.
        delay: Newer: latency/accuracy trade-off (passed through).
    """

    model: str | UnsetType = UNSET
    language: str | UnsetType = UNSET
    prompt: str | UnsetType = UNSET
    languages: list[str] | UnsetType = UNSET
    keywords: list[str] | UnsetType = UNSET
    delay: Any = UNSET


class NoiseReduction(ConfigStruct):
    """Input noise reduction: ``near_field`` or ``far_field`` (``audio.input.noise_reduction``)."""

    type: str | UnsetType = UNSET
    strength: float | UnsetType = UNSET


class _TurnDetectionBase(ConfigStruct, tag_field="type"):
    create_response: bool | UnsetType = UNSET
    interrupt_response: bool | UnsetType = UNSET


class ServerVad(_TurnDetectionBase, tag="server_vad", kw_only=True):
    """Server VAD turn detection (§3.2).

    Attributes:
        threshold: Activation level 0.0-1.0 (default 0.5).
        prefix_padding_ms: Audio kept before detected speech (default 300).
        silence_duration_ms: Silence that ends a turn (default 500 per the docs).
        idle_timeout_ms: 5000-30000 or None: idle prompt after the last response.
        create_response: Create a response at speech stop (default true).
        interrupt_response: Cancel the running response at speech start (default true).
    """

    threshold: float | UnsetType = UNSET
    prefix_padding_ms: int | UnsetType = UNSET
    silence_duration_ms: int | UnsetType = UNSET
    idle_timeout_ms: int | UnsetType | None = UNSET


class SemanticVad(_TurnDetectionBase, tag="semantic_vad", kw_only=True):
    """Semantic VAD turn detection (§3.2); ``eagerness`` low/medium/high/auto."""

    eagerness: str | UnsetType = UNSET


#: ``audio.input.turn_detection``; None (on the wire ``null``) means manual turns.
TurnDetection: TypeAlias = ServerVad | SemanticVad


class AudioInput(ConfigStruct):
    """``session.audio.input`` (§3.1)."""

    format: AudioFormat | UnsetType = UNSET
    transcription: InputTranscription | UnsetType | None = UNSET
    noise_reduction: NoiseReduction | UnsetType | None = UNSET
    turn_detection: TurnDetection | UnsetType | None = UNSET


class VoiceRef(ConfigStruct):
    """A custom voice (``{"id": "voice_..."}``)."""

    id: str


class AudioOutput(ConfigStruct):
    """``session.audio.output`` (§3.1): format, voice (name or :class:`VoiceRef`), speed."""

    format: AudioFormat | UnsetType = UNSET
    voice: str | VoiceRef | UnsetType = UNSET
    speed: float | UnsetType = UNSET


class SessionAudio(ConfigStruct):
    """``session.audio`` (§3.1)."""

    input: AudioInput | UnsetType = UNSET
    output: AudioOutput | UnsetType = UNSET


class _ToolBase(ConfigStruct, tag_field="type"):
    pass


class FunctionTool(_ToolBase, tag="function", kw_only=True):
    """A function the model may call (``parameters`` is a JSON Schema)."""

    name: str
    description: str | UnsetType = UNSET
    parameters: dict[str, Any] | UnsetType = UNSET


class McpTool(_ToolBase, tag="mcp", kw_only=True):
    """A remote MCP server's tools (§3.1; fields passed through, MCP events out of scope)."""

    server_label: str
    server_url: str | UnsetType = UNSET
    connector_id: str | UnsetType = UNSET
    server_description: str | UnsetType = UNSET
    allowed_tools: Any = UNSET
    require_approval: Any = UNSET
    headers: dict[str, str] | UnsetType | None = UNSET
    authorization: str | UnsetType = UNSET


#: An entry of ``tools``.
Tool: TypeAlias = FunctionTool | McpTool


class _ToolChoiceBase(ConfigStruct, tag_field="type"):
    pass


class ToolChoiceFunction(_ToolChoiceBase, tag="function", kw_only=True):
    """Force one function: ``{"type": "function", "name": ...}``."""

    name: str


class ToolChoiceMcp(_ToolChoiceBase, tag="mcp", kw_only=True):
    """Force one MCP tool: ``{"type": "mcp", "server_label": ..., "name": ...}``."""

    server_label: str
    name: str | UnsetType = UNSET


#: ``auto`` / ``none`` / ``required`` or a forced tool.
ToolChoice: TypeAlias = str | ToolChoiceFunction | ToolChoiceMcp


class TracingConfig(ConfigStruct):
    """Tracing settings (``tracing``; the string ``"auto"`` is the alternative)."""

    workflow_name: str | UnsetType = UNSET
    group_id: str | UnsetType = UNSET
    metadata: dict[str, Any] | UnsetType = UNSET


class RetentionRatioTruncation(ConfigStruct, tag="retention_ratio", tag_field="type"):
    """``truncation`` by retention ratio (the strings ``auto``/``disabled`` are the others).

    ``type`` is the tag, so it is always written (the server requires it).
    """

    retention_ratio: float | UnsetType = UNSET
    token_limits: dict[str, int] | UnsetType = UNSET


class Prompt(ConfigStruct):
    """A server-stored prompt reference (``prompt``)."""

    id: str
    version: str | UnsetType = UNSET
    variables: dict[str, Any] | UnsetType = UNSET


class Reasoning(ConfigStruct):
    """Reasoning settings (newer, reasoning models only): ``effort``."""

    effort: str | UnsetType = UNSET


class Session(ConfigStruct):
    """The session object of ``session.update`` / ``session.created`` / ``.updated`` (§3).

    GA fields (§3.1, §3.3): ``type`` (``realtime`` or ``transcription``; required in
    GA), ``object``/``id``/``expires_at`` (server output only), ``model``,
    ``output_modalities``, ``instructions``, ``audio``, ``tools``, ``tool_choice``,
    ``max_output_tokens``, ``tracing``, ``truncation``, ``prompt``, ``include``,
    ``reasoning``, ``parallel_tool_calls``.

    Beta fields (§9, retired; decoded so beta servers work): ``modalities``,
    ``voice``, ``speed``, ``input_audio_format``, ``output_audio_format``,
    ``input_audio_transcription``, ``turn_detection``, ``input_audio_noise_reduction``,
    ``temperature``, ``max_response_output_tokens``, ``client_secret``.
    """

    type: str | UnsetType = UNSET
    object: str | UnsetType = UNSET
    id: str | UnsetType = UNSET
    expires_at: int | UnsetType = UNSET
    model: str | UnsetType = UNSET
    output_modalities: list[str] | UnsetType = UNSET
    instructions: str | UnsetType = UNSET
    audio: SessionAudio | UnsetType = UNSET
    tools: list[Tool] | UnsetType = UNSET
    tool_choice: ToolChoice | UnsetType = UNSET
    max_output_tokens: MaxTokens | UnsetType = UNSET
    tracing: str | TracingConfig | UnsetType | None = UNSET
    truncation: str | RetentionRatioTruncation | UnsetType = UNSET
    prompt: Prompt | UnsetType | None = UNSET
    include: list[str] | UnsetType | None = UNSET
    reasoning: Reasoning | UnsetType | None = UNSET
    parallel_tool_calls: bool | UnsetType = UNSET
    # -- beta (§9) --
    modalities: list[str] | UnsetType = UNSET
    voice: str | VoiceRef | UnsetType = UNSET
    speed: float | UnsetType = UNSET
    input_audio_format: str | UnsetType = UNSET
    output_audio_format: str | UnsetType = UNSET
    input_audio_transcription: InputTranscription | UnsetType | None = UNSET
    turn_detection: TurnDetection | UnsetType | None = UNSET
    input_audio_noise_reduction: NoiseReduction | UnsetType | None = UNSET
    temperature: float | UnsetType = UNSET
    max_response_output_tokens: MaxTokens | UnsetType = UNSET
    client_secret: dict[str, Any] | UnsetType | None = UNSET


#: Session fields that exist only in the beta interface (§9).
BETA_SESSION_FIELDS = frozenset(
    {
        "modalities",
        "voice",
        "speed",
        "input_audio_format",
        "output_audio_format",
        "input_audio_transcription",
        "turn_detection",
        "input_audio_noise_reduction",
        "temperature",
        "max_response_output_tokens",
        "client_secret",
    }
)
