"""A provider-neutral session configuration and its mapping to both wire protocols.

:class:`RealtimeConfig` says what a session should do; :func:`to_gemini_setup` turns it
into a Gemini Live ``setup`` (gemini-live.md §4.1) and :func:`to_openai_session` into an
OpenAI Realtime GA session object (openai-realtime.md §3.1). Values are validated when
the config is built (``TypeError`` / ``ValueError`` naming the field). The config types
are defined in :mod:`realtalk.protocol.config_types` and re-exported here; this module
holds the mapping.

A setting the provider's wire cannot carry is a *gap* (:func:`unsupported`). ``error``
gaps change what the session does (``tool_choice="none"``, semantic VAD or G.711 on
Gemini; resumption on OpenAI): the mapping functions raise :class:`ConfigError`.
``warning`` gaps are tuning the provider does not take (``temperature`` on OpenAI GA, a
VAD ``threshold`` on Gemini): they are left out and reported. Facts that depend on the
model or the platform live in :mod:`realtalk.protocol.capabilities`, whose ``check()``
reports the gaps and those facts together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

from realtalk.errors import ConfigError
from realtalk.protocol.config_types import (
    DEFAULT_OPENAI_TRANSCRIPTION_MODEL,
    PLATFORMS,
    PROVIDERS,
    AudioFormat,
    ContextCompression,
    InputTranscription,
    Issue,
    Platform,
    Provider,
    RealtimeConfig,
    Resumption,
    Severity,
    Tool,
    TurnDetection,
    check_choice,
    check_type,
)
from realtalk.protocol.gemini import wire as gwire
from realtalk.protocol.gemini.endpoints import model_resource_name
from realtalk.protocol.gemini.protocol import build_setup
from realtalk.protocol.openai import wire as owire
from realtalk.protocol.openai.inputs import build_session, merge

__all__ = [
    "DEFAULT_OPENAI_TRANSCRIPTION_MODEL",
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
    "to_gemini_setup",
    "to_openai_session",
    "unsupported",
]

_FORMATS = {"pcm16": owire.AUDIO_PCM, "g711_ulaw": owire.AUDIO_PCMU, "g711_alaw": owire.AUDIO_PCMA}

# -- gaps -----------------------------------------------------------------------------

_Gaps = Iterator[tuple[str, Severity, str]]


def _pcm_rate(fmt: AudioFormat | None, rate: int) -> bool:
    """True if ``fmt`` is PCM at an explicit rate other than ``rate``."""
    return fmt is not None and fmt.encoding == "pcm16" and fmt.rate not in (None, rate)


def _gemini_gaps(c: RealtimeConfig) -> _Gaps:
    td, it = c.turn_detection, c.input_transcription
    if c.tool_choice != "auto":
        yield "tool_choice", "error", "Gemini Live has no tool_choice"
    if td is not None and td.mode == "semantic_vad":
        yield "turn_detection.mode", "error", "no semantic VAD"
    if td is not None and td.threshold is not None:
        hint = "no VAD threshold (use start/endOfSpeechSensitivity in extra); left out"
        yield "turn_detection.threshold", "warning", hint
    if isinstance(it, InputTranscription) and it.model is not None:
        yield "input_transcription.model", "warning", "the server picks the ASR model"
    for name in ("input_audio_format", "output_audio_format"):
        if (fmt := getattr(c, name)) is not None and fmt.encoding != "pcm16":
            yield name, "error", "G.711 is not supported (PCM only)"
    if _pcm_rate(c.output_audio_format, 24000):
        yield "output_audio_format.rate", "error", "model audio is 24000 Hz PCM"


def _openai_gaps(c: RealtimeConfig) -> _Gaps:
    cc = c.context_compression
    if c.temperature is not None:
        yield "temperature", "warning", "the GA session has no temperature; left out"
    if c.resumption:
        yield "resumption", "error", "no session resumption: a new connection starts empty"
    if (c.max_output_tokens or 0) > 4096:
        yield "max_output_tokens", "error", "must be 1-4096 (unset means 'inf')"
    if c.output_transcription is False and c.modalities == ("audio",):
        yield "output_transcription", "warning", "audio output always comes with a transcript"
    if any(t.behavior == "non_blocking" for t in c.tools):
        yield "tools", "warning", "functions are always blocking: the model waits for results"
    for name in ("input_audio_format", "output_audio_format"):
        if _pcm_rate(getattr(c, name), owire.PCM_RATE):
            yield f"{name}.rate", "error", f"PCM must be {owire.PCM_RATE} Hz"
    if cc is not None and cc.trigger_tokens is None and cc.target_tokens is not None:
        yield "context_compression.target_tokens", "error", "a ratio needs trigger_tokens too"


def unsupported(config: RealtimeConfig, provider: Provider) -> list[Issue]:
    """The settings of ``config`` that ``provider``'s wire cannot carry (the gaps).

    Errors make :func:`to_gemini_setup` / :func:`to_openai_session` raise (unless
    ``drop_unsupported``); warnings are left out of the wire. Model and platform facts
    are in :func:`realtalk.protocol.capabilities.check`.

    Raises:
        TypeError: ``config`` is not a :class:`RealtimeConfig`.
        ValueError: Unknown ``provider``.
    """
    check_type("config", config, RealtimeConfig)
    check_choice("provider", provider, PROVIDERS)
    return [
        Issue(setting, severity, f"{provider}: {message}")
        for setting, severity, message in (
            _gemini_gaps(config) if provider == "gemini" else _openai_gaps(config)
        )
    ]


def _raise_gaps(config: RealtimeConfig, provider: Provider) -> None:
    errors = [
        f"{i.setting} ({i.message})" for i in unsupported(config, provider) if i.severity == "error"
    ]
    if errors:
        raise ConfigError("cannot be expressed: " + "; ".join(errors))


# -- mapping --------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Deep-copy mappings and sequences into dicts and lists (JSON-ready)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _gemini_vad(td: TurnDetection) -> dict[str, Any]:
    detection: dict[str, Any] = {"disabled": True} if td.mode == "manual" else {}
    if td.prefix_padding_ms is not None:
        detection["prefixPaddingMs"] = td.prefix_padding_ms
    if td.silence_ms is not None:
        detection["silenceDurationMs"] = td.silence_ms
    out: dict[str, Any] = {"automaticActivityDetection": detection} if detection else {}
    if not td.interrupt:
        out["activityHandling"] = "NO_INTERRUPTION"
    return out


def _gemini_tool(tool: Tool) -> dict[str, Any]:
    out: dict[str, Any] = {"name": tool.name}
    if tool.description is not None:
        out["description"] = tool.description
    if tool.parameters is not None:
        out["parametersJsonSchema"] = _plain(tool.parameters)
    if tool.behavior == "non_blocking":
        out["behavior"] = "NON_BLOCKING"
    return out


def _gemini_body(config: RealtimeConfig) -> dict[str, Any]:
    gen: dict[str, Any] = {"responseModalities": [m.upper() for m in config.modalities]}
    if config.voice is not None:
        gen["speechConfig"] = {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": config.voice}}}
    if config.temperature is not None:
        gen["temperature"] = config.temperature
    if config.max_output_tokens is not None:
        gen["maxOutputTokens"] = config.max_output_tokens
    body: dict[str, Any] = {"generationConfig": gen}
    if config.instructions:
        body["systemInstruction"] = {"parts": [{"text": config.instructions}]}
    if config.tools:
        body["tools"] = [{"functionDeclarations": [_gemini_tool(t) for t in config.tools]}]
    if config.turn_detection is not None and (vad := _gemini_vad(config.turn_detection)):
        body["realtimeInputConfig"] = vad
    if isinstance(config.resumption, Resumption) and config.resumption.transparent:
        body["sessionResumption"] = {"transparent": True}
    elif config.resumption:
        body["sessionResumption"] = {}
    if (cc := config.context_compression) is not None:
        cwc: dict[str, Any] = {}
        body["contextWindowCompression"] = cwc
        if cc.trigger_tokens is not None:
            cwc["triggerTokens"] = cc.trigger_tokens
        if cc.target_tokens is not None:
            cwc["slidingWindow"] = {"targetTokens": cc.target_tokens}
    if (it := config.input_transcription) is not False:
        language = it.language if isinstance(it, InputTranscription) else None
        body["inputAudioTranscription"] = {} if language is None else {"languageCodes": [language]}
    if config.output_transcription:
        body["outputAudioTranscription"] = {}
    return body


def _camel(key: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), key)


def _merge_extra(base: dict[str, Any], update: Mapping[str, Any], top: bool) -> dict[str, Any]:
    """Deep-merge ``update`` into ``base``; a snake_case key meets its camelCase twin."""
    out = dict(base)
    for raw_key, value in update.items():
        key = _camel(raw_key) if _camel(raw_key) in out else raw_key
        old = out.get(key)
        if top and key == "tools" and isinstance(old, list) and isinstance(value, (list, tuple)):
            out[key] = [*old, *_plain(value)]
        elif isinstance(value, Mapping) and isinstance(old, dict):
            out[key] = _merge_extra(old, value, False)
        else:
            out[key] = _plain(value)
    return out


def to_gemini_setup(
    config: RealtimeConfig,
    *,
    model: str,
    platform: Platform = "ai_studio",
    drop_unsupported: bool = False,
) -> gwire.Setup:
    """Map ``config`` to a Gemini Live ``setup`` (gemini-live.md §4.1).

    Args:
        config: The session config.
        model: A model id; on AI Studio a bare id becomes ``models/{id}``; on Vertex it
            is used as given (the full resource name, §1.3).
        platform: ``"ai_studio"`` or ``"vertex"``.
        drop_unsupported: Leave error gaps out instead of raising (see :func:`unsupported`).

    Returns:
        The validated setup with ``extra["gemini"]`` merged in.

    Raises:
        ConfigError: A setting Gemini cannot express, or an invalid ``extra``.
        TypeError: ``config`` is not a :class:`RealtimeConfig`.
        ValueError: Invalid ``platform`` or ``model``.
    """
    check_type("config", config, RealtimeConfig)
    check_choice("platform", platform, PLATFORMS)
    name = model_resource_name(model, platform="ai_studio") if platform == "ai_studio" else model
    if not drop_unsupported:
        _raise_gaps(config, "gemini")
    body = _merge_extra(_gemini_body(config), config.extra.get("gemini", {}), True)
    body.pop("model", None)
    try:
        return build_setup(name, body)
    except ConfigError as exc:
        raise ConfigError(f"extra['gemini']: {exc}") from None


def _openai_format(fmt: AudioFormat) -> dict[str, Any]:
    if fmt.encoding == "pcm16":
        return {"type": owire.AUDIO_PCM, "rate": owire.PCM_RATE}
    return {"type": _FORMATS[fmt.encoding]}


def _openai_vad(td: TurnDetection) -> dict[str, Any] | None:
    if td.mode == "manual":
        return None
    out: dict[str, Any] = {"type": td.mode}
    for key, value in (
        ("threshold", td.threshold),
        ("prefix_padding_ms", td.prefix_padding_ms),
        ("silence_duration_ms", td.silence_ms),
        ("eagerness", td.eagerness),
        ("interrupt_response", None if td.interrupt else False),
    ):
        if value is not None:
            out[key] = value
    return out


def _openai_tool(tool: Tool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "function", "name": tool.name}
    if tool.description is not None:
        out["description"] = tool.description
    if tool.parameters is not None:
        out["parameters"] = _plain(tool.parameters)
    return out


def _openai_truncation(cc: ContextCompression) -> str | dict[str, Any]:
    """``trigger_tokens`` -> ``token_limits.post_instructions``; kept share -> ratio."""
    if cc.trigger_tokens is None:
        return "auto"
    target = cc.target_tokens if cc.target_tokens is not None else cc.trigger_tokens // 2
    return {
        "type": "retention_ratio",
        "retention_ratio": target / cc.trigger_tokens,
        "token_limits": {"post_instructions": cc.trigger_tokens},
    }


def _openai_body(config: RealtimeConfig) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "realtime", "output_modalities": list(config.modalities)}
    if config.instructions is not None:
        body["instructions"] = config.instructions
    audio_in: dict[str, Any] = {}
    audio_out: dict[str, Any] = {}
    if config.input_audio_format is not None:
        audio_in["format"] = _openai_format(config.input_audio_format)
    if (it := config.input_transcription) is not False:
        hints = it if isinstance(it, InputTranscription) else InputTranscription()
        audio_in["transcription"] = {"model": hints.model or DEFAULT_OPENAI_TRANSCRIPTION_MODEL}
        if hints.language is not None:
            audio_in["transcription"]["language"] = hints.language
    if config.turn_detection is not None:
        audio_in["turn_detection"] = _openai_vad(config.turn_detection)  # None: manual turns
    if config.output_audio_format is not None:
        audio_out["format"] = _openai_format(config.output_audio_format)
    if config.voice is not None:
        audio_out["voice"] = config.voice
    if audio := {k: v for k, v in (("input", audio_in), ("output", audio_out)) if v}:
        body["audio"] = audio
    if config.tools:
        body["tools"] = [_openai_tool(t) for t in config.tools]
    if config.tool_choice in ("none", "required"):
        body["tool_choice"] = config.tool_choice
    elif config.tool_choice != "auto":
        body["tool_choice"] = {"type": "function", "name": config.tool_choice}
    if config.max_output_tokens is not None and config.max_output_tokens <= 4096:
        body["max_output_tokens"] = config.max_output_tokens
    if config.context_compression is not None:
        body["truncation"] = _openai_truncation(config.context_compression)
    return body


def to_openai_session(config: RealtimeConfig, *, drop_unsupported: bool = False) -> dict[str, Any]:
    """Map ``config`` to an OpenAI Realtime GA session object (openai-realtime.md §3.1).

    Args:
        config: The session config.
        drop_unsupported: Leave error gaps out instead of raising (see :func:`unsupported`).

    Returns:
        The session object (``type: "realtime"``) with ``extra["openai"]`` merged in,
        validated by :func:`realtalk.protocol.openai.build_session`.

    Raises:
        ConfigError: A setting the GA session cannot express, a beta field (§9) in
            ``extra``, or an invalid ``extra``.
        TypeError: ``config`` is not a :class:`RealtimeConfig`.
    """
    check_type("config", config, RealtimeConfig)
    extra = config.extra.get("openai", {})
    if not drop_unsupported:
        _raise_gaps(config, "openai")
        if beta := sorted(set(extra) & owire.BETA_SESSION_FIELDS):
            raise ConfigError(f"extra['openai']: beta session fields {beta} are rejected by GA")
    body = _openai_body(config)
    tools = [*body.pop("tools", []), *_plain(extra.get("tools", []))]
    body = merge(body, {key: value for key, value in extra.items() if key != "tools"})
    if tools:
        body["tools"] = tools
    try:
        session = build_session(body)
    except ConfigError as exc:
        raise ConfigError(f"extra['openai']: {exc}") from None
    result: dict[str, Any] = msgspec.to_builtins(session)
    return result
