"""The Gemini Live ``setup`` message and its configuration types (spec §4.1).

Import these names from :mod:`realtalk.protocol.gemini.wire`, which re-exports them.
Enum-valued fields are plain ``str`` holding the enum value name; the tuples below
list the values the spec knows (the server-role decoder checks them in strict mode).
Fields documented as "passthrough" are free-form JSON objects whose keys are never
renamed.
"""

from __future__ import annotations

from typing import Any

from realtalk.protocol.gemini.wire_content import Content, Int64, WireStruct

__all__ = [
    "ACTIVITY_HANDLINGS",
    "BEHAVIORS",
    "END_SENSITIVITIES",
    "MEDIA_RESOLUTIONS",
    "RESPONSE_MODALITIES",
    "SCHEDULINGS",
    "START_SENSITIVITIES",
    "TURN_COVERAGES",
    "AudioTranscriptionConfig",
    "AutomaticActivityDetection",
    "ContextWindowCompressionConfig",
    "FunctionDeclaration",
    "GenerationConfig",
    "HistoryConfig",
    "PrebuiltVoiceConfig",
    "ProactivityConfig",
    "RealtimeInputConfig",
    "SafetySetting",
    "SessionResumptionConfig",
    "Setup",
    "SlidingWindow",
    "SpeechConfig",
    "ThinkingConfig",
    "Tool",
    "VoiceConfig",
]

#: ``generationConfig.responseModalities`` values (§4.1.1).
RESPONSE_MODALITIES = ("TEXT", "AUDIO")
#: ``generationConfig.mediaResolution`` values (§4.1.1).
MEDIA_RESOLUTIONS = (
    "MEDIA_RESOLUTION_UNSPECIFIED",
    "MEDIA_RESOLUTION_LOW",
    "MEDIA_RESOLUTION_MEDIUM",
    "MEDIA_RESOLUTION_HIGH",
)
#: ``automaticActivityDetection.startOfSpeechSensitivity`` values (§4.1.4).
START_SENSITIVITIES = (
    "START_SENSITIVITY_UNSPECIFIED",
    "START_SENSITIVITY_HIGH",
    "START_SENSITIVITY_LOW",
)
#: ``automaticActivityDetection.endOfSpeechSensitivity`` values (§4.1.4).
END_SENSITIVITIES = ("END_SENSITIVITY_UNSPECIFIED", "END_SENSITIVITY_HIGH", "END_SENSITIVITY_LOW")
#: ``realtimeInputConfig.activityHandling`` values (§4.1.4).
ACTIVITY_HANDLINGS = (
    "ACTIVITY_HANDLING_UNSPECIFIED",
    "START_OF_ACTIVITY_INTERRUPTS",
    "NO_INTERRUPTION",
)
#: ``realtimeInputConfig.turnCoverage`` values (§4.1.4).
TURN_COVERAGES = (
    "TURN_COVERAGE_UNSPECIFIED",
    "TURN_INCLUDES_ONLY_ACTIVITY",
    "TURN_INCLUDES_ALL_INPUT",
    "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO",
)
#: ``functionDeclarations[].behavior`` values (§4.1.3).
BEHAVIORS = ("UNSPECIFIED", "BLOCKING", "NON_BLOCKING")
#: ``functionResponses[].scheduling`` values (§4.4).
SCHEDULINGS = ("SCHEDULING_UNSPECIFIED", "SILENT", "WHEN_IDLE", "INTERRUPT")


class PrebuiltVoiceConfig(WireStruct):
    """A prebuilt voice by name, e.g. ``"Kore"`` (§4.1.1)."""

    voice_name: str | None = None


class VoiceConfig(WireStruct):
    """The voice of the model (§4.1.1)."""

    prebuilt_voice_config: PrebuiltVoiceConfig | None = None


class SpeechConfig(WireStruct):
    """Speech output settings (§4.1.1).

    Attributes:
        voice_config: The voice.
        language_code: BCP-47 code; native-audio models choose the language themselves.
        multi_speaker_voice_config: Passthrough; not a Live feature.
    """

    voice_config: VoiceConfig | None = None
    language_code: str | None = None
    multi_speaker_voice_config: dict[str, Any] | None = None


class ThinkingConfig(WireStruct):
    """Thinking settings (§4.1.1); ``thinking_budget=0`` disables thinking on 2.5 audio."""

    thinking_budget: int | None = None
    include_thoughts: bool | None = None
    thinking_level: str | None = None


class GenerationConfig(WireStruct):
    """Generation settings accepted by Live (§4.1.1).

    Attributes:
        response_modalities: Exactly one of ``"AUDIO"`` or ``"TEXT"``.
        speech_config: Voice and language.
        temperature: Sampling temperature.
        top_p: Nucleus sampling.
        top_k: Top-k sampling.
        max_output_tokens: Output limit.
        candidate_count: Only 1 is meaningful for Live.
        presence_penalty: Presence penalty.
        frequency_penalty: Frequency penalty.
        seed: Sampling seed.
        media_resolution: One of :data:`MEDIA_RESOLUTIONS`.
        thinking_config: Thinking settings.
        enable_affective_dialog: Affective dialog (``v1alpha`` on AI Studio).
        translation_config: Passthrough (speech translation, newer).
    """

    response_modalities: list[str] | None = None
    speech_config: SpeechConfig | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    max_output_tokens: int | None = None
    candidate_count: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None
    media_resolution: str | None = None
    thinking_config: ThinkingConfig | None = None
    enable_affective_dialog: bool | None = None
    translation_config: dict[str, Any] | None = None


class FunctionDeclaration(WireStruct):
    """A function the model may call (§4.1.3).

    Attributes:
        name: The function name.
        description: What the function does.
        parameters: OpenAPI-subset Schema (passthrough; property names kept as given).
        parameters_json_schema: Plain JSON Schema, alternative to ``parameters`` (passthrough).
        response: Schema of the result (passthrough).
        response_json_schema: JSON Schema of the result (passthrough).
        behavior: One of :data:`BEHAVIORS` (``NON_BLOCKING`` for background functions).
    """

    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    parameters_json_schema: Any = None
    response: dict[str, Any] | None = None
    response_json_schema: Any = None
    behavior: str | None = None


class Tool(WireStruct):
    """A tool: function declarations and/or a built-in tool (§4.1.3).

    Built-in tools are configured with an object, usually empty: ``google_search={}``.
    """

    function_declarations: list[FunctionDeclaration] | None = None
    google_search: dict[str, Any] | None = None
    code_execution: dict[str, Any] | None = None
    url_context: dict[str, Any] | None = None
    google_maps: dict[str, Any] | None = None


class AutomaticActivityDetection(WireStruct):
    """Server-side VAD settings (§4.1.4).

    Attributes:
        disabled: True for manual mode (``activityStart``/``activityEnd``).
        start_of_speech_sensitivity: One of :data:`START_SENSITIVITIES`.
        end_of_speech_sensitivity: One of :data:`END_SENSITIVITIES`.
        prefix_padding_ms: Speech needed before a start is committed.
        silence_duration_ms: Silence needed before an end is committed.
    """

    disabled: bool | None = None
    start_of_speech_sensitivity: str | None = None
    end_of_speech_sensitivity: str | None = None
    prefix_padding_ms: int | None = None
    silence_duration_ms: int | None = None


class RealtimeInputConfig(WireStruct):
    """Realtime input handling (§4.1.4).

    Attributes:
        automatic_activity_detection: VAD settings.
        activity_handling: One of :data:`ACTIVITY_HANDLINGS` (barge-in or not).
        turn_coverage: One of :data:`TURN_COVERAGES`.
        interim_transcript_timestamp_enabled: Timestamps on interim transcripts (newer).
    """

    automatic_activity_detection: AutomaticActivityDetection | None = None
    activity_handling: str | None = None
    turn_coverage: str | None = None
    interim_transcript_timestamp_enabled: bool | None = None


class SessionResumptionConfig(WireStruct):
    """Session resumption (§4.1, §6.8): empty = new resumable session.

    Attributes:
        handle: The handle to resume from.
        transparent: Vertex only: ask for ``lastConsumedClientMessageIndex``.
    """

    handle: str | None = None
    transparent: bool | None = None


class SlidingWindow(WireStruct):
    """Sliding-window compression: how many tokens to keep (§6.8)."""

    target_tokens: Int64 | None = None


class ContextWindowCompressionConfig(WireStruct):
    """Context window compression (§4.1, §6.8); int64 fields go out as JSON strings."""

    trigger_tokens: Int64 | None = None
    sliding_window: SlidingWindow | None = None


class AudioTranscriptionConfig(WireStruct):
    """Transcription settings (§4.1.5); an empty object enables transcription.

    The server-role decoder ignores fields it does not know here, even in strict mode.
    """

    language_codes: list[str] | None = None
    custom_vocabulary: Any = None
    word_timestamp: bool | None = None
    diarization: Any = None
    mode: str | None = None


class ProactivityConfig(WireStruct):
    """Proactivity (§4.1): the model may stay silent; ``proactive_video`` needs audio."""

    proactive_audio: bool | None = None
    proactive_video: bool | None = None


class HistoryConfig(WireStruct):
    """History seeding (§4.1): accept ``clientContent`` history before realtime starts."""

    initial_history_in_client_content: bool | None = None


class SafetySetting(WireStruct):
    """A safety threshold for one harm category (§4.1)."""

    category: str | None = None
    threshold: str | None = None


class Setup(WireStruct):
    """The first client message of a connection (``BidiGenerateContentSetup``, §4.1).

    Attributes:
        model: ``models/{id}`` (AI Studio) or the full Vertex resource name.
        generation_config: Generation settings.
        system_instruction: System instruction (text parts).
        tools: Function declarations and built-in tools.
        realtime_input_config: VAD, barge-in and turn coverage.
        session_resumption: Present = resumption enabled; ``handle`` resumes.
        context_window_compression: Present = compression enabled.
        input_audio_transcription: Present = user-speech transcripts.
        output_audio_transcription: Present = model-speech transcripts.
        proactivity: Proactive audio/video.
        history_config: History seeding.
        explicit_vad_signal: Vertex only: ``voiceActivityDetectionSignal`` messages.
        safety_settings: Safety thresholds.
        avatar_config: Passthrough.
        labels: Passthrough (Vertex).
    """

    model: str
    generation_config: GenerationConfig | None = None
    system_instruction: Content | None = None
    tools: list[Tool] | None = None
    realtime_input_config: RealtimeInputConfig | None = None
    session_resumption: SessionResumptionConfig | None = None
    context_window_compression: ContextWindowCompressionConfig | None = None
    input_audio_transcription: AudioTranscriptionConfig | None = None
    output_audio_transcription: AudioTranscriptionConfig | None = None
    proactivity: ProactivityConfig | None = None
    history_config: HistoryConfig | None = None
    explicit_vad_signal: bool | None = None
    safety_settings: list[SafetySetting] | None = None
    avatar_config: dict[str, Any] | None = None
    labels: dict[str, str] | None = None
