"""The provider-neutral session configuration: :class:`RealtimeConfig` and its parts.

Import these names from :mod:`realtalk.protocol.config`, which re-exports them and
maps a config to each provider's wire (Gemini ``setup``, OpenAI session object).
Values are validated when a config is built: a wrong type raises ``TypeError`` and
a bad value ``ValueError``, both naming the field. Nothing here knows a wire format.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "DEFAULT_OPENAI_TRANSCRIPTION_MODEL",
    "PLATFORMS",
    "PROVIDERS",
    "AudioFormat",
    "ContextCompression",
    "InputTranscription",
    "Issue",
    "Platform",
    "Provider",
    "RealtimeConfig",
    "Resumption",
    "Severity",
    "Tool",
    "TurnDetection",
    "check_choice",
    "check_type",
]

Provider = Literal["gemini", "openai"]
Platform = Literal["ai_studio", "vertex"]
Severity = Literal["error", "warning"]

#: The ASR model used for ``input_transcription=True`` on OpenAI (§3.1 example).
DEFAULT_OPENAI_TRANSCRIPTION_MODEL = "gpt-4o-mini-transcribe"
#: The values of :data:`Provider` and :data:`Platform`, in order.
PROVIDERS = ("gemini", "openai")
PLATFORMS = ("ai_studio", "vertex")
_ENCODINGS = ("pcm16", "g711_ulaw", "g711_alaw")
_MODES = ("server_vad", "semantic_vad", "manual")
#: TurnDetection tuning fields and the mode each applies to.
_VAD_TUNING = {
    "silence_ms": "server_vad",
    "prefix_padding_ms": "server_vad",
    "threshold": "server_vad",
    "eagerness": "semantic_vad",
}


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding about a setting.

    Attributes:
        setting: The :class:`RealtimeConfig` field (``"turn_detection.threshold"``) or,
            for a wire config, the wire path (``"generationConfig.responseModalities"``).
        severity: ``"error"``: the server would close (1007/1008) or reject it, or it
            cannot be expressed. ``"warning"``: probably ignored or unsupported.
        message: What is wrong, and why.
    """

    setting: str
    severity: Severity
    message: str


def _type_error(name: str, expected: str, value: object) -> TypeError:
    return TypeError(f"{name} must be {expected}, not {type(value).__name__}")


def _number(name: str, value: object, low: float, high: float = math.inf, *, integer: bool) -> None:
    """Check an optional int (``integer``) or number within ``[low, high]``."""
    if value is None:
        return
    kinds = (int,) if integer else (int, float)
    if not isinstance(value, kinds) or isinstance(value, bool):
        raise _type_error(name, ("an int" if integer else "a number") + " or None", value)
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} must be in [{low}, {high}], got {value}")


def _text(name: str, value: object, *, optional: bool = True) -> None:
    if (value is not None or not optional) and (not isinstance(value, str) or not value):
        raise _type_error(name, "a non-empty str" + (" or None" if optional else ""), value)


def check_choice(name: str, value: object, allowed: Sequence[str]) -> None:
    """Check that ``value`` is one of ``allowed``.

    Raises:
        ValueError: It is not; the message names ``name`` and lists ``allowed``.
    """
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")


def _frozen(name: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _type_error(name, "a mapping", value)
    return MappingProxyType(dict(value))


def check_type(name: str, value: object, *types: type) -> None:
    """Check that ``value`` is an instance of one of ``types`` (``type(None)``: None).

    Raises:
        TypeError: It is not; the message names ``name`` and the expected types.
    """
    if not isinstance(value, types):
        expected = " or ".join("None" if t is type(None) else t.__name__ for t in types)
        raise _type_error(name, expected, value)


@dataclass(frozen=True, slots=True)
class Tool:
    """A function the model may call.

    Attributes:
        name: The function name.
        description: What it does (the model reads it).
        parameters: JSON Schema of the arguments (Gemini ``parametersJsonSchema``,
            OpenAI ``parameters``).
        behavior: ``"blocking"`` (the model waits for the result) or ``"non_blocking"``
            (Gemini ``NON_BLOCKING``: the model keeps talking, gemini-live.md §6.6).
    """

    name: str
    description: str | None = None
    parameters: Mapping[str, Any] | None = None
    behavior: Literal["blocking", "non_blocking"] = "blocking"

    def __post_init__(self) -> None:
        _text("Tool.name", self.name, optional=False)
        _text("Tool.description", self.description)
        if self.parameters is not None:
            object.__setattr__(self, "parameters", _frozen("Tool.parameters", self.parameters))
        check_choice("Tool.behavior", self.behavior, ("blocking", "non_blocking"))


@dataclass(frozen=True, slots=True)
class TurnDetection:
    """How turns end and whether user speech interrupts the model.

    Attributes:
        mode: ``"server_vad"`` (Gemini automatic activity detection, OpenAI server
            VAD), ``"semantic_vad"`` (OpenAI only) or ``"manual"`` (the client marks
            turns: Gemini ``activityStart``/``activityEnd``, OpenAI commits).
        silence_ms: Silence that ends a turn (server_vad).
        prefix_padding_ms: Gemini: speech needed before a start counts; OpenAI: audio
            kept before the start (server_vad).
        threshold: OpenAI activation level 0.0-1.0 (server_vad; Gemini has none).
        eagerness: OpenAI ``low``/``medium``/``high``/``auto`` (semantic_vad).
        interrupt: User activity cancels the model's answer (barge-in).
    """

    mode: Literal["server_vad", "semantic_vad", "manual"] = "server_vad"
    silence_ms: int | None = None
    prefix_padding_ms: int | None = None
    threshold: float | None = None
    eagerness: Literal["low", "medium", "high", "auto"] | None = None
    interrupt: bool = True

    def __post_init__(self) -> None:
        check_choice("turn_detection.mode", self.mode, _MODES)
        _number("turn_detection.silence_ms", self.silence_ms, 0, integer=True)
        _number("turn_detection.prefix_padding_ms", self.prefix_padding_ms, 0, integer=True)
        _number("turn_detection.threshold", self.threshold, 0.0, 1.0, integer=False)
        if self.eagerness is not None:
            check_choice(
                "turn_detection.eagerness", self.eagerness, ("low", "medium", "high", "auto")
            )
        check_type("turn_detection.interrupt", self.interrupt, bool)
        for name, mode in _VAD_TUNING.items():
            if getattr(self, name) is not None and self.mode != mode:
                raise ValueError(f"turn_detection.{name} applies to {mode!r}, not {self.mode!r}")


@dataclass(frozen=True, slots=True)
class InputTranscription:
    """User-speech transcription hints: OpenAI ASR ``model`` (default
    :data:`DEFAULT_OPENAI_TRANSCRIPTION_MODEL`) and ``language`` (OpenAI ``language``,
    Gemini ``languageCodes``)."""

    model: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        _text("input_transcription.model", self.model)
        _text("input_transcription.language", self.language)


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """A wire audio encoding: 16-bit PCM at ``rate``, or G.711 (8 kHz; OpenAI only).

    ``rate=None`` is the provider's native rate (Gemini 16 kHz in / 24 kHz out, OpenAI
    24 kHz). Gemini input PCM may use any rate (the MIME type of each chunk carries it).
    """

    encoding: Literal["pcm16", "g711_ulaw", "g711_alaw"] = "pcm16"
    rate: int | None = None

    def __post_init__(self) -> None:
        check_choice("AudioFormat.encoding", self.encoding, _ENCODINGS)
        _number("AudioFormat.rate", self.rate, 1, integer=True)
        if self.encoding != "pcm16" and self.rate not in (None, 8000):
            raise ValueError(f"AudioFormat.rate: {self.encoding} is 8000 Hz, got {self.rate}")


@dataclass(frozen=True, slots=True)
class Resumption:
    """Session resumption; ``transparent`` asks for consumed-message indices (Vertex)."""

    transparent: bool = False

    def __post_init__(self) -> None:
        check_type("resumption.transparent", self.transparent, bool)


@dataclass(frozen=True, slots=True)
class ContextCompression:
    """Drop old context as it grows (Gemini sliding window, OpenAI truncation).

    Attributes:
        trigger_tokens: Context size that triggers it (Gemini default: 80% of the limit).
        target_tokens: Tokens kept (default: half the trigger); below ``trigger_tokens``.
    """

    trigger_tokens: int | None = None
    target_tokens: int | None = None

    def __post_init__(self) -> None:
        trigger, target = self.trigger_tokens, self.target_tokens
        _number("context_compression.trigger_tokens", trigger, 1, integer=True)
        _number("context_compression.target_tokens", target, 1, integer=True)
        if trigger is not None and target is not None and target >= trigger:
            raise ValueError("context_compression.target_tokens must be < trigger_tokens")


@dataclass(frozen=True, slots=True)
class RealtimeConfig:
    """What a live session should do, for either provider (docs/config.md).

    Attributes:
        instructions: The system prompt.
        voice: Output voice name (Gemini prebuilt voice, OpenAI voice).
        modalities: ``("audio",)`` or ``("text",)``: both providers take exactly one.
        tools: Functions the model may call (unique names).
        tool_choice: ``"auto"``, ``"none"``, ``"required"`` or a tool's name (OpenAI).
        turn_detection: VAD and barge-in; None = the provider's default.
        input_transcription: Transcribe the user (True, or :class:`InputTranscription`).
        output_transcription: Transcribe the model's speech; None = provider default
            (Gemini off; OpenAI audio output always comes with a transcript).
        temperature: Sampling temperature 0-2 (Gemini; not in OpenAI GA).
        max_output_tokens: Output limit per response (OpenAI 1-4096).
        input_audio_format: The microphone's wire format.
        output_audio_format: The model audio's wire format.
        resumption: Gemini session resumption (True or :class:`Resumption`).
        context_compression: Context window compression / truncation.
        extra: Per-provider wire escape hatch, ``{"gemini": {setup fields}, "openai":
            {session fields}}``, deep-merged into the mapped object: objects merge,
            ``tools`` lists are appended, anything else replaces.
    """

    instructions: str | None = None
    voice: str | None = None
    modalities: tuple[Literal["audio", "text"], ...] = ("audio",)
    tools: tuple[Tool, ...] = ()
    tool_choice: str = "auto"
    turn_detection: TurnDetection | None = None
    input_transcription: bool | InputTranscription = False
    output_transcription: bool | None = None
    temperature: float | None = None
    max_output_tokens: int | None = None
    input_audio_format: AudioFormat | None = None
    output_audio_format: AudioFormat | None = None
    resumption: bool | Resumption = False
    context_compression: ContextCompression | None = None
    extra: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_type("instructions", self.instructions, str, type(None))
        _text("voice", self.voice)
        modalities = (self.modalities,) if isinstance(self.modalities, str) else self.modalities
        if not isinstance(modalities, Sequence) or list(modalities) not in (["audio"], ["text"]):
            raise ValueError(f"modalities must be ('audio',) or ('text',), got {modalities!r}")
        object.__setattr__(self, "modalities", tuple(modalities))
        if not isinstance(self.tools, Sequence) or not all(isinstance(t, Tool) for t in self.tools):
            raise TypeError("tools must be a sequence of realtalk Tool objects")
        object.__setattr__(self, "tools", tuple(self.tools))
        names = [t.name for t in self.tools]
        if len(set(names)) != len(names):
            raise ValueError("tools: tool names must be unique")
        check_type("tool_choice", self.tool_choice, str)
        if self.tool_choice not in ("auto", "none", *(("required", *names) if names else ())):
            raise ValueError(
                f"tool_choice must be 'auto', 'none', 'required' or a tool name "
                f"(with tools declared), got {self.tool_choice!r}"
            )
        check_type("turn_detection", self.turn_detection, TurnDetection, type(None))
        check_type("input_transcription", self.input_transcription, bool, InputTranscription)
        check_type("output_transcription", self.output_transcription, bool, type(None))
        check_type("input_audio_format", self.input_audio_format, AudioFormat, type(None))
        check_type("output_audio_format", self.output_audio_format, AudioFormat, type(None))
        check_type("resumption", self.resumption, bool, Resumption)
        check_type("context_compression", self.context_compression, ContextCompression, type(None))
        _number("temperature", self.temperature, 0.0, 2.0, integer=False)
        _number("max_output_tokens", self.max_output_tokens, 1, integer=True)
        extra = _frozen("extra", self.extra)
        for key, value in extra.items():
            check_choice("extra key", key, PROVIDERS)
            _frozen(f"extra[{key!r}]", value)
        object.__setattr__(self, "extra", extra)
