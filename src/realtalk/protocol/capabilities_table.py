"""The capability data: model families, features, and the two tables over them.

Import these names from :mod:`realtalk.protocol.capabilities`, which re-exports them
and applies the tables (:func:`~realtalk.protocol.capabilities.supports`,
:func:`~realtalk.protocol.capabilities.check`). Sources: gemini-live.md §4.1, §4.5,
§6.3, §7; openai-realtime.md §3, §7, §9; field reports in ../reference/ (Gemini 3.x
``clientContent`` mid-session → 1007: adk-python#5018, livekit/agents#5985;
``transparent`` rejected on AI Studio: adk-python#5771; 3.x ignores
``silenceDurationMs``: python-genai#2580).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from realtalk.protocol.config_types import Platform, Provider, Severity
from realtalk.protocol.openai import wire as owire

__all__ = [
    "AUTO_VAD",
    "CAPABILITIES",
    "FEATURES",
    "MANUAL_VAD",
    "RULES",
    "V1ALPHA",
    "Capability",
    "Family",
    "Feature",
    "Rule",
    "has_feature",
    "model_family",
    "platform_of",
    "supports",
]


class Family(StrEnum):
    """Model families (:func:`model_family`)."""

    GEMINI_2_0 = "gemini-2.0"  # half-cascade: gemini-2.0-flash-live-001
    GEMINI_2_5_HALF_CASCADE = "gemini-2.5-live"  # gemini-live-2.5-flash-preview
    GEMINI_2_5_NATIVE_AUDIO = "gemini-2.5-native-audio"  # ids containing "native-audio"
    GEMINI_3 = "gemini-3.x"  # gemini-3.1-flash-live-preview and later majors
    GPT_REALTIME = "gpt-realtime"  # GA: gpt-realtime, -2025-08-28, -1.5, -2, ...
    GPT_REALTIME_MINI = "gpt-realtime-mini"  # gpt-realtime-mini, gpt-realtime-2.1-mini
    GPT_4O_REALTIME_PREVIEW = "gpt-4o-realtime-preview"
    GPT_4O_MINI_REALTIME_PREVIEW = "gpt-4o-mini-realtime-preview"
    UNKNOWN = "unknown"


class Feature(StrEnum):
    """Feature names for :func:`~realtalk.protocol.capabilities.supports` (and what
    :data:`RULES` need)."""

    TEXT_OUTPUT = "text_output"  # the TEXT response modality
    SPEECH_LANGUAGE_CODE = "speech_language_code"  # speechConfig.languageCode honoured
    AFFECTIVE_DIALOG = "affective_dialog"
    PROACTIVITY = "proactivity"  # proactive audio
    THINKING = "thinking"  # generationConfig.thinkingConfig accepted
    THINKING_BUDGET = "thinking_budget"
    THINKING_LEVEL = "thinking_level"
    HISTORY_CONFIG = "history_config"  # historyConfig.initialHistoryInClientContent
    CLIENT_CONTENT_MID_SESSION = "client_content_mid_session"  # history after the start
    CONTEXT_UPDATE = "context_update"  # instructions/tools changed in place
    NON_BLOCKING_TOOLS = "non_blocking_tools"
    VAD_SILENCE_DURATION = "vad_silence_duration"  # silenceDurationMs honoured
    BUILTIN_TOOLS = "builtin_tools"  # codeExecution, urlContext, googleMaps
    RESUMPTION = "resumption"
    TRANSPARENT_RESUMPTION = "transparent_resumption"  # lastConsumedClientMessageIndex
    AUDIO_STREAM_END = "audio_stream_end"
    EXPLICIT_VAD_SIGNAL = "explicit_vad_signal"
    TOOL_RESPONSE_WILL_CONTINUE = "tool_response_will_continue"
    TEMPERATURE = "temperature"
    SEMANTIC_VAD = "semantic_vad"
    G711_AUDIO = "g711_audio"
    TOOL_CHOICE = "tool_choice"
    AUDIO_TRANSCRIPT_ALWAYS = "audio_transcript_always"  # audio output always transcribed
    REASONING = "reasoning"  # session.reasoning / parallel_tool_calls


# Pseudo-features for RULES only (a Rule's ``needs``), never in CAPABILITIES.
#: The Gemini API version is v1alpha (or the platform is not AI Studio).
V1ALPHA = "api:v1alpha"
#: The session's setup turns automatic activity detection off (manual VAD).
MANUAL_VAD = "session:manual_vad"
#: The session's setup leaves automatic activity detection on.
AUTO_VAD = "session:automatic_vad"
_GEMINI_ID = re.compile(r"gemini-(?:live-)?(\d+)(?:\.(\d+))?")
_OPENAI_PREFIXES = (
    ("gpt-4o-mini-realtime", Family.GPT_4O_MINI_REALTIME_PREVIEW),
    ("gpt-4o-realtime", Family.GPT_4O_REALTIME_PREVIEW),
    ("gpt-realtime", Family.GPT_REALTIME),
)


def model_family(provider: Provider, model: str) -> Family:
    """The family of a model id (``models/`` and Vertex resource prefixes are ignored).

    Raises:
        ValueError: Unknown ``provider``.
    """
    name = model.rsplit("/", 1)[-1].lower()
    if provider == "openai":
        for prefix, family in _OPENAI_PREFIXES:
            if name.startswith(prefix):
                mini = family == Family.GPT_REALTIME and "mini" in name
                return Family.GPT_REALTIME_MINI if mini else family
        return Family.UNKNOWN
    if provider != "gemini":
        raise ValueError(f"provider must be 'gemini' or 'openai', got {provider!r}")
    match = _GEMINI_ID.search(name)
    if match is None:
        return Family.UNKNOWN
    version = (int(match.group(1)), int(match.group(2) or 0))
    if version >= (3, 0):
        return Family.GEMINI_3
    if version == (2, 5):
        native = "native-audio" in name
        return Family.GEMINI_2_5_NATIVE_AUDIO if native else Family.GEMINI_2_5_HALF_CASCADE
    return Family.GEMINI_2_0 if version == (2, 0) else Family.UNKNOWN


@dataclass(frozen=True, slots=True)
class Capability:
    """Who has a feature.

    Attributes:
        families: Model families that have it; None = every model of the provider.
        platforms: Platforms that have it; None = every platform.
        unknown_model: The answer for an unrecognised model id.
        source: Where the fact comes from.
    """

    families: frozenset[Family] | None = None
    platforms: frozenset[str] | None = None
    unknown_model: bool = True
    source: str = ""


_F = Feature
_G2 = frozenset({Family.GEMINI_2_0, Family.GEMINI_2_5_HALF_CASCADE, Family.GEMINI_2_5_NATIVE_AUDIO})
_NOT_NATIVE = frozenset({Family.GEMINI_2_0, Family.GEMINI_2_5_HALF_CASCADE, Family.GEMINI_3})
_NATIVE = frozenset({Family.GEMINI_2_5_NATIVE_AUDIO})
_G3 = frozenset({Family.GEMINI_3})
_GA = frozenset({Family.GPT_REALTIME, Family.GPT_REALTIME_MINI})
_VERTEX, _AI_STUDIO = frozenset({"vertex"}), frozenset({"ai_studio"})

#: ``(provider, feature) -> Capability``; a missing pair means "not supported".
# fmt: off
CAPABILITIES: Mapping[tuple[str, Feature], Capability] = {
    ("gemini", _F.TEXT_OUTPUT): Capability(_NOT_NATIVE, source="§4.1.1: native: AUDIO only"),
    ("gemini", _F.SPEECH_LANGUAGE_CODE): Capability(_NOT_NATIVE, source="§4.1.1"),
    ("gemini", _F.AFFECTIVE_DIALOG): Capability(_NATIVE, None, False, "§4.1.1; reference"),
    ("gemini", _F.PROACTIVITY): Capability(_NATIVE, None, False, "§4.1; reference"),
    ("gemini", _F.THINKING): Capability(_NATIVE | _G3, source="§4.1.1 [observed]"),
    ("gemini", _F.THINKING_BUDGET): Capability(_NATIVE, source="reference: 2.5"),
    ("gemini", _F.THINKING_LEVEL): Capability(_G3, source="reference: 3.1"),
    ("gemini", _F.HISTORY_CONFIG): Capability(_G3, None, False, "§4.1 (newer); reference: 3.1"),
    ("gemini", _F.CLIENT_CONTENT_MID_SESSION): Capability(_G2, source="reference: 3.x → 1007"),
    ("gemini", _F.CONTEXT_UPDATE): Capability(_G3, None, False, "§4.5"),
    ("gemini", _F.NON_BLOCKING_TOOLS): Capability(_G2, source="reference: 3.1 synchronous only"),
    ("gemini", _F.VAD_SILENCE_DURATION): Capability(_G2, source="python-genai#2580"),
    ("gemini", _F.BUILTIN_TOOLS): Capability(_NOT_NATIVE, source="§4.1.3"),
    ("gemini", _F.RESUMPTION): Capability(source="§6.8"),
    ("gemini", _F.TRANSPARENT_RESUMPTION): Capability(None, _VERTEX, source="§7; adk#5771"),
    ("gemini", _F.AUDIO_STREAM_END): Capability(None, _AI_STUDIO, source="§4.3, §7"),
    ("gemini", _F.EXPLICIT_VAD_SIGNAL): Capability(None, _VERTEX, source="§4.1, §7"),
    ("gemini", _F.TOOL_RESPONSE_WILL_CONTINUE): Capability(None, _AI_STUDIO, source="§7"),
    ("gemini", _F.TEMPERATURE): Capability(source="§4.1.1"),
    ("openai", _F.TEXT_OUTPUT): Capability(source="§3.1"),
    ("openai", _F.CLIENT_CONTENT_MID_SESSION): Capability(source="§4.5: items at any time"),
    ("openai", _F.CONTEXT_UPDATE): Capability(source="§4.1: session.update"),
    ("openai", _F.SEMANTIC_VAD): Capability(source="§3.2"),
    ("openai", _F.G711_AUDIO): Capability(source="§7"),
    ("openai", _F.TOOL_CHOICE): Capability(source="§3.1"),
    ("openai", _F.AUDIO_TRANSCRIPT_ALWAYS): Capability(source="§3.1"),
    ("openai", _F.REASONING): Capability(_GA, source="§3.1: reasoning models only (newer)"),
}
# fmt: on
#: Every feature :func:`~realtalk.protocol.capabilities.supports` answers.
FEATURES = frozenset(Feature)


def _set(value: Any) -> bool:
    return value is not None and value is not False


@dataclass(frozen=True, slots=True)
class Rule:
    """A setting that needs a feature, or a value the server refuses.

    Attributes:
        path: Wire path, dotted; ``name[]`` walks every element of a list.
        needs: The feature the setting needs; None = ``when`` alone makes it an issue.
        severity: The severity when the fact is certain.
        message: Why.
        when: Which values the rule is about (default: present and not false).
        field: The :class:`RealtimeConfig` field that produces ``path``, if any.
    """

    path: str
    needs: str | None
    severity: Severity
    message: str
    when: Callable[[Any], bool] = _set
    field: str | None = None


def _bad_pcm(fmt: Any) -> bool:
    pcm = isinstance(fmt, dict) and fmt.get("type") == owire.AUDIO_PCM
    return pcm and fmt.get("rate", owire.PCM_RATE) != owire.PCM_RATE


def _outside(low: float, high: float) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, (int, float)) and not low <= v <= high


def _cwc_order(cwc: Any) -> bool:
    trigger, target = cwc.get("triggerTokens"), (cwc.get("slidingWindow") or {}).get("targetTokens")
    return trigger is not None and target is not None and int(target) >= int(trigger)


_VOICES = frozenset(
    ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")
)
_NATIVE_TOOLS = "2.5 native audio takes only search and functions (§4.1.3)"
_V1ALPHA_MSG = "needs the v1alpha API on AI Studio (else 1007 'Unknown name')"
_ACTIVITY_MSG = "activity signals with automatic VAD on are an error, 1007 (§6.3)"
_BETA_MSG = "a beta field: the GA interface rejects it (§9)"
_GC = "generationConfig"

#: ``"gemini"`` (setup), ``"openai"`` (GA session), ``"gemini_message"`` (client messages).
# fmt: off
RULES: Mapping[str, tuple[Rule, ...]] = {
    "gemini": (
        Rule(f"{_GC}.responseModalities", None, "error", "exactly one of AUDIO or TEXT (§4.1.1)",
             lambda v: len(v) != 1, "modalities"),
        Rule(f"{_GC}.responseModalities", _F.TEXT_OUTPUT, "error",
             "native-audio models only output AUDIO (use output transcription for text)",
             lambda v: "TEXT" in v, "modalities"),
        Rule(f"{_GC}.speechConfig.languageCode", _F.SPEECH_LANGUAGE_CODE, "warning",
             "native-audio models pick the language and ignore or deny languageCode"),
        Rule(f"{_GC}.enableAffectiveDialog", _F.AFFECTIVE_DIALOG, "warning",
             "affective dialog is a 2.5 native-audio feature"),
        Rule(f"{_GC}.enableAffectiveDialog", V1ALPHA, "error", _V1ALPHA_MSG),
        Rule("proactivity", _F.PROACTIVITY, "warning",
             "proactive audio is a 2.5 native-audio feature"),
        Rule("proactivity", V1ALPHA, "error", _V1ALPHA_MSG),
        Rule(f"{_GC}.thinkingConfig", _F.THINKING, "warning",
             "some models close with 1007 on thinkingConfig [observed]"),
        Rule(f"{_GC}.thinkingConfig.thinkingBudget", _F.THINKING_BUDGET, "warning",
             "thinkingBudget is the 2.5 setting; 3.x uses thinkingLevel"),
        Rule(f"{_GC}.thinkingConfig.thinkingLevel", _F.THINKING_LEVEL, "warning",
             "thinkingLevel is the 3.x setting; 2.5 uses thinkingBudget"),
        Rule(f"{_GC}.candidateCount", None, "warning", "only 1 is meaningful in Live",
             lambda v: v != 1),
        Rule("sessionResumption.transparent", _F.TRANSPARENT_RESUMPTION, "error",
             "transparent resumption is Vertex only; the Developer API rejects it (§7)",
             field="resumption.transparent"),
        Rule("explicitVadSignal", _F.EXPLICIT_VAD_SIGNAL, "error", "Vertex only (§4.1, §7)"),
        Rule("historyConfig.initialHistoryInClientContent", _F.HISTORY_CONFIG, "warning",
             "historyConfig is a newer (3.x) setup field"),
        Rule("tools[].functionDeclarations[].behavior", _F.NON_BLOCKING_TOOLS, "warning",
             "3.x function calling is synchronous only", lambda v: v == "NON_BLOCKING", "tools"),
        Rule("tools[].codeExecution", _F.BUILTIN_TOOLS, "warning", _NATIVE_TOOLS),
        Rule("tools[].urlContext", _F.BUILTIN_TOOLS, "warning", _NATIVE_TOOLS),
        Rule("tools[].googleMaps", _F.BUILTIN_TOOLS, "warning", _NATIVE_TOOLS),
        Rule("realtimeInputConfig.automaticActivityDetection.silenceDurationMs",
             _F.VAD_SILENCE_DURATION, "warning", "3.x models ignore silenceDurationMs [observed]",
             field="turn_detection.silence_ms"),
        Rule("contextWindowCompression", None, "error",
             "targetTokens must be < triggerTokens (§6.8)", _cwc_order, "context_compression"),
    ),
    "openai": (
        Rule("output_modalities", None, "error", "['audio'] or ['text'], not both (§3.1)",
             lambda v: len(v) != 1, "modalities"),
        Rule("audio.input.format", None, "error", "PCM must be 24000 Hz (§7)", _bad_pcm,
             "input_audio_format"),
        Rule("audio.output.format", None, "error", "PCM must be 24000 Hz (§7)", _bad_pcm,
             "output_audio_format"),
        Rule("audio.output.voice", None, "warning", "not a documented voice (§3.1)",
             lambda v: isinstance(v, str) and v not in _VOICES, "voice"),
        Rule("audio.output.speed", None, "error", "must be 0.25-1.5 (§3.1)", _outside(0.25, 1.5)),
        Rule("max_output_tokens", None, "error", "must be 1-4096 or 'inf' (§3.1)",
             _outside(1, 4096), "max_output_tokens"),
        Rule("audio.input.turn_detection.idle_timeout_ms", None, "error",
             "must be 5000-30000 (§3.2)", _outside(5000, 30000)),
        Rule("reasoning", _F.REASONING, "warning", "reasoning models only (§3.1)"),
        Rule("parallel_tool_calls", _F.REASONING, "warning", "reasoning models only (§3.1)"),
        *(Rule(name, None, "error", _BETA_MSG) for name in sorted(owire.BETA_SESSION_FIELDS)),
    ),
    "gemini_message": (
        Rule("clientContent", _F.CLIENT_CONTENT_MID_SESSION, "error",
             "3.x models take clientContent only as initial history (historyConfig); "
             "mid-session it closes the session with 1007 [observed]"),
        Rule("contextUpdate", _F.CONTEXT_UPDATE, "error",
             "only newer (3.x) models take contextUpdate; older ones close with 1007/1008"),
        Rule("realtimeInput.audioStreamEnd", _F.AUDIO_STREAM_END, "error",
             "Vertex does not support audioStreamEnd (§7)"),
        Rule("realtimeInput.audioStreamEnd", AUTO_VAD, "warning",
             "no audioStreamEnd with manual VAD: send activityEnd (§6.3)"),
        Rule("realtimeInput.activityStart", MANUAL_VAD, "error", _ACTIVITY_MSG),
        Rule("realtimeInput.activityEnd", MANUAL_VAD, "error", _ACTIVITY_MSG),
        Rule("toolResponse.functionResponses[].willContinue", _F.TOOL_RESPONSE_WILL_CONTINUE,
             "warning", "willContinue is AI Studio only (§7)"),
    ),
}
# fmt: on


def supports(provider: Provider, model: str, platform: Platform | None, feature: str) -> bool:
    """Whether ``model`` on ``platform`` has ``feature`` (a :class:`Feature`).

    For example ``supports("gemini", model, "vertex", Feature.CONTEXT_UPDATE)`` says
    whether to send ``contextUpdate`` or to reconnect with resumption. ``platform`` is
    ignored for OpenAI (None means AI Studio for Gemini). An unrecognised model gets the
    table's ``unknown_model`` answer.

    Raises:
        ValueError: Unknown provider, platform or feature.
    """
    if feature not in FEATURES:
        raise ValueError(f"unknown feature {feature!r}; use a Feature member")
    return has_feature(
        provider, model_family(provider, model), platform_of(provider, platform), feature
    )


def platform_of(provider: str, platform: str | None) -> str:
    """The platform a check runs for: ``"openai"``, or the Gemini platform (default AI Studio).

    Raises:
        ValueError: A Gemini platform other than ``"ai_studio"`` or ``"vertex"``.
    """
    if provider == "openai":
        return "openai"
    if platform not in (None, "ai_studio", "vertex"):
        raise ValueError(f"platform must be 'ai_studio' or 'vertex', got {platform!r}")
    return platform or "ai_studio"


def has_feature(provider: str, family: Family, platform: str, feature: str) -> bool:
    """Whether the table gives ``feature`` to ``family`` on ``platform``."""
    cap = CAPABILITIES.get((provider, Feature(feature)))
    if cap is None or (cap.platforms is not None and platform not in cap.platforms):
        return False
    if cap.families is None or family in cap.families:
        return True
    return family == Family.UNKNOWN and cap.unknown_model
