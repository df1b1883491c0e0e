"""RealtimeConfig: validation, and the mapping to both wire protocols.

Gemini: gemini-live.md §4.1 (setup), §4.1.3 (tools), §4.1.4 (VAD), §6.8 (resumption,
compression). OpenAI: openai-realtime.md §3.1 (GA session), §3.2 (turn detection), §7
(formats), §9 (beta fields).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtalk.errors import ConfigError
from realtalk.protocol.config import (
    DEFAULT_OPENAI_TRANSCRIPTION_MODEL,
    AudioFormat,
    ContextCompression,
    InputTranscription,
    Issue,
    RealtimeConfig,
    Resumption,
    Tool,
    TurnDetection,
    to_gemini_setup,
    to_openai_session,
    unsupported,
)
from realtalk.protocol.gemini import codec
from realtalk.protocol.openai import build_session

MODEL = "gemini-2.5-flash-native-audio-preview-12-2025"
SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
WEATHER = Tool("get_weather", "Current weather for a city", SCHEMA)
TIMER = Tool("start_timer", None, None, "non_blocking")


def gemini(config: RealtimeConfig, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("model", MODEL)
    return dict(msgspec.to_builtins(to_gemini_setup(config, **kwargs)))


# -- Gemini mapping -------------------------------------------------------------------


def test_gemini_minimal() -> None:
    assert gemini(RealtimeConfig()) == {
        "model": f"models/{MODEL}",
        "generationConfig": {"responseModalities": ["AUDIO"]},
    }


def test_gemini_every_field() -> None:
    config = RealtimeConfig(
        instructions="You are a concise travel assistant.",
        voice="Kore",
        modalities=("text",),
        tools=(WEATHER, TIMER),
        turn_detection=TurnDetection(silence_ms=500, prefix_padding_ms=20, interrupt=False),
        input_transcription=InputTranscription(language="en-US"),
        output_transcription=True,
        temperature=0.7,
        max_output_tokens=1024,
        resumption=True,
        context_compression=ContextCompression(trigger_tokens=25600, target_tokens=12800),
    )
    assert gemini(config, model="gemini-live-2.5-flash-preview") == {
        "model": "models/gemini-live-2.5-flash-preview",
        "generationConfig": {
            "responseModalities": ["TEXT"],
            "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
            "temperature": 0.7,
            "maxOutputTokens": 1024,
        },
        "systemInstruction": {"parts": [{"text": "You are a concise travel assistant."}]},
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "get_weather",
                        "description": "Current weather for a city",
                        "parametersJsonSchema": SCHEMA,
                    },
                    {"name": "start_timer", "behavior": "NON_BLOCKING"},
                ]
            }
        ],
        "realtimeInputConfig": {
            "automaticActivityDetection": {"prefixPaddingMs": 20, "silenceDurationMs": 500},
            "activityHandling": "NO_INTERRUPTION",
        },
        "sessionResumption": {},
        "contextWindowCompression": {
            "triggerTokens": 25600,
            "slidingWindow": {"targetTokens": 12800},
        },
        "inputAudioTranscription": {"languageCodes": ["en-US"]},
        "outputAudioTranscription": {},
    }


def test_gemini_setup_frame_has_int64_as_strings() -> None:
    config = RealtimeConfig(context_compression=ContextCompression(100, 40))
    frame = json.loads(codec.encode_setup(to_gemini_setup(config, model=MODEL)))
    assert frame["setup"]["contextWindowCompression"] == {
        "triggerTokens": "100",
        "slidingWindow": {"targetTokens": "40"},
    }


@pytest.mark.parametrize(
    ("turn_detection", "expected"),
    [
        (TurnDetection(), None),
        (TurnDetection(mode="manual"), {"automaticActivityDetection": {"disabled": True}}),
        (
            TurnDetection(mode="manual", interrupt=False),
            {
                "automaticActivityDetection": {"disabled": True},
                "activityHandling": "NO_INTERRUPTION",
            },
        ),
        (TurnDetection(silence_ms=0), {"automaticActivityDetection": {"silenceDurationMs": 0}}),
    ],
)
def test_gemini_turn_detection(
    turn_detection: TurnDetection, expected: dict[str, Any] | None
) -> None:
    setup = gemini(RealtimeConfig(turn_detection=turn_detection))
    assert setup.get("realtimeInputConfig") == expected


@pytest.mark.parametrize(
    ("config", "key", "expected"),
    [
        (RealtimeConfig(resumption=True), "sessionResumption", {}),
        (RealtimeConfig(resumption=Resumption()), "sessionResumption", {}),
        (RealtimeConfig(resumption=Resumption(True)), "sessionResumption", {"transparent": True}),
        (RealtimeConfig(resumption=False), "sessionResumption", None),
        (RealtimeConfig(input_transcription=True), "inputAudioTranscription", {}),
        (RealtimeConfig(input_transcription=InputTranscription()), "inputAudioTranscription", {}),
        (RealtimeConfig(input_transcription=False), "inputAudioTranscription", None),
        (RealtimeConfig(output_transcription=False), "outputAudioTranscription", None),
        (RealtimeConfig(output_transcription=None), "outputAudioTranscription", None),
        (RealtimeConfig(instructions=""), "systemInstruction", None),
        (RealtimeConfig(context_compression=ContextCompression()), "contextWindowCompression", {}),
        (
            RealtimeConfig(context_compression=ContextCompression(target_tokens=9)),
            "contextWindowCompression",
            {"slidingWindow": {"targetTokens": 9}},
        ),
        (
            RealtimeConfig(context_compression=ContextCompression(trigger_tokens=9)),
            "contextWindowCompression",
            {"triggerTokens": 9},
        ),
    ],
)
def test_gemini_optional_sections(
    config: RealtimeConfig, key: str, expected: dict[str, Any] | None
) -> None:
    assert gemini(config).get(key) == expected


def test_gemini_pcm_formats_are_not_in_the_setup() -> None:
    # The input rate travels in each chunk's MIME type (§6.4); output is always 24 kHz.
    config = RealtimeConfig(
        input_audio_format=AudioFormat("pcm16", 48000), output_audio_format=AudioFormat()
    )
    assert gemini(config) == gemini(RealtimeConfig())


@pytest.mark.parametrize(
    ("model", "platform", "expected"),
    [
        ("gemini-2.0-flash-live-001", "ai_studio", "models/gemini-2.0-flash-live-001"),
        ("models/gemini-2.0-flash-live-001", "ai_studio", "models/gemini-2.0-flash-live-001"),
        (
            "projects/p/locations/l/publishers/google/models/gemini-live-2.5-flash",
            "vertex",
            "projects/p/locations/l/publishers/google/models/gemini-live-2.5-flash",
        ),
    ],
)
def test_gemini_model_name(model: str, platform: Any, expected: str) -> None:
    assert gemini(RealtimeConfig(), model=model, platform=platform)["model"] == expected


def test_gemini_bad_platform() -> None:
    with pytest.raises(ValueError, match="platform"):
        to_gemini_setup(RealtimeConfig(), model=MODEL, platform="azure")  # type: ignore[arg-type]


def test_gemini_extra_merges_deeply_and_appends_tools() -> None:
    config = RealtimeConfig(
        voice="Kore",
        tools=(WEATHER,),
        extra={
            "gemini": {
                "generation_config": {"thinking_config": {"thinkingBudget": 0}},
                "generationConfig": {"speechConfig": {"languageCode": "de-DE"}},
                "tools": [{"googleSearch": {}}],
                "proactivity": {"proactiveAudio": True},
                "model": "models/ignored",
            }
        },
    )
    setup = gemini(config)
    assert setup["model"] == f"models/{MODEL}"
    assert setup["generationConfig"] == {
        "responseModalities": ["AUDIO"],
        "speechConfig": {
            "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}},
            "languageCode": "de-DE",
        },
        "thinkingConfig": {"thinkingBudget": 0},
    }
    assert setup["tools"][1] == {"googleSearch": {}}
    assert setup["tools"][0]["functionDeclarations"][0]["name"] == "get_weather"
    assert setup["proactivity"] == {"proactiveAudio": True}


def test_gemini_extra_replaces_scalars_and_lists() -> None:
    config = RealtimeConfig(
        extra={"gemini": {"generationConfig": {"responseModalities": ["TEXT"]}}}
    )
    assert gemini(config)["generationConfig"] == {"responseModalities": ["TEXT"]}


@pytest.mark.parametrize(
    "extra",
    [
        {"generationConfig": {"temperatur": 1}},
        {"noSuchField": True},
        {"realtimeInputConfig": {"activityHandling": "SOMETIMES"}},
        {"generationConfig": {"responseModalities": "AUDIO"}},
    ],
)
def test_gemini_invalid_extra(extra: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"extra\['gemini'\]"):
        to_gemini_setup(RealtimeConfig(extra={"gemini": extra}), model=MODEL)


@pytest.mark.parametrize(
    ("config", "setting"),
    [
        (RealtimeConfig(tools=(WEATHER,), tool_choice="none"), "tool_choice"),
        (RealtimeConfig(tools=(WEATHER,), tool_choice="required"), "tool_choice"),
        (RealtimeConfig(tools=(WEATHER,), tool_choice="get_weather"), "tool_choice"),
        (RealtimeConfig(turn_detection=TurnDetection("semantic_vad")), "turn_detection.mode"),
        (RealtimeConfig(input_audio_format=AudioFormat("g711_ulaw")), "input_audio_format"),
        (RealtimeConfig(output_audio_format=AudioFormat("g711_alaw")), "output_audio_format"),
        (RealtimeConfig(output_audio_format=AudioFormat(rate=16000)), "output_audio_format.rate"),
    ],
)
def test_gemini_error_gaps_raise(config: RealtimeConfig, setting: str) -> None:
    with pytest.raises(ConfigError, match=setting):
        to_gemini_setup(config, model=MODEL)
    assert [i.setting for i in unsupported(config, "gemini")] == [setting]
    assert unsupported(config, "gemini")[0].severity == "error"
    # Dropped on request: the wire is what it would be without the setting.
    dropped = to_gemini_setup(config, model=MODEL, drop_unsupported=True)
    assert "toolChoice" not in json.dumps(msgspec.to_builtins(dropped))


@pytest.mark.parametrize(
    ("config", "setting", "hint"),
    [
        (
            RealtimeConfig(turn_detection=TurnDetection(threshold=0.4)),
            "turn_detection.threshold",
            "start/endOfSpeechSensitivity in extra",
        ),
        (
            RealtimeConfig(input_transcription=InputTranscription(model="whisper-1")),
            "input_transcription.model",
            "ASR model",
        ),
    ],
)
def test_gemini_warning_gaps_are_left_out(config: RealtimeConfig, setting: str, hint: str) -> None:
    issues = unsupported(config, "gemini")
    assert [(i.setting, i.severity) for i in issues] == [(setting, "warning")]
    assert issues[0].message.startswith("gemini: ") and hint in issues[0].message
    setup = gemini(config)  # no raise
    assert "threshold" not in json.dumps(setup) and "whisper" not in json.dumps(setup)


# -- OpenAI mapping -------------------------------------------------------------------


def test_openai_minimal() -> None:
    assert to_openai_session(RealtimeConfig()) == {
        "type": "realtime",
        "output_modalities": ["audio"],
    }


def test_openai_every_field() -> None:
    config = RealtimeConfig(
        instructions="Answer briefly.",
        voice="marin",
        modalities=("text",),
        tools=(WEATHER, Tool("lookup")),
        tool_choice="get_weather",
        turn_detection=TurnDetection(
            silence_ms=600, prefix_padding_ms=300, threshold=0.6, interrupt=False
        ),
        input_transcription=InputTranscription(model="whisper-1", language="en"),
        output_transcription=True,
        max_output_tokens=1024,
        input_audio_format=AudioFormat("pcm16", 24000),
        output_audio_format=AudioFormat("g711_ulaw"),
        context_compression=ContextCompression(trigger_tokens=20000, target_tokens=5000),
    )
    assert to_openai_session(config) == {
        "type": "realtime",
        "output_modalities": ["text"],
        "instructions": "Answer briefly.",
        "audio": {
            "input": {
                "format": {"type": "audio/pcm", "rate": 24000},
                "transcription": {"model": "whisper-1", "language": "en"},
                "turn_detection": {
                    "type": "server_vad",
                    "threshold": 0.6,
                    "prefix_padding_ms": 300,
                    "silence_duration_ms": 600,
                    "interrupt_response": False,
                },
            },
            "output": {"format": {"type": "audio/pcmu"}, "voice": "marin"},
        },
        "tools": [
            {
                "type": "function",
                "name": "get_weather",
                "description": "Current weather for a city",
                "parameters": SCHEMA,
            },
            {"type": "function", "name": "lookup"},
        ],
        "tool_choice": {"type": "function", "name": "get_weather"},
        "max_output_tokens": 1024,
        "truncation": {
            "type": "retention_ratio",
            "retention_ratio": 0.25,
            "token_limits": {"post_instructions": 20000},
        },
    }


@pytest.mark.parametrize(
    ("turn_detection", "expected"),
    [
        (TurnDetection(), {"type": "server_vad"}),
        (TurnDetection("semantic_vad"), {"type": "semantic_vad"}),
        (
            TurnDetection("semantic_vad", eagerness="low", interrupt=False),
            {"type": "semantic_vad", "eagerness": "low", "interrupt_response": False},
        ),
        (TurnDetection("manual"), None),
    ],
)
def test_openai_turn_detection(turn_detection: TurnDetection, expected: Any) -> None:
    session = to_openai_session(RealtimeConfig(turn_detection=turn_detection))
    assert session["audio"] == {"input": {"turn_detection": expected}}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (RealtimeConfig(tools=(WEATHER,), tool_choice="none"), "none"),
        (RealtimeConfig(tools=(WEATHER,), tool_choice="required"), "required"),
        (RealtimeConfig(tools=(WEATHER,)), None),
    ],
)
def test_openai_tool_choice(config: RealtimeConfig, expected: str | None) -> None:
    assert to_openai_session(config).get("tool_choice") == expected


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (RealtimeConfig(input_transcription=True), {"model": DEFAULT_OPENAI_TRANSCRIPTION_MODEL}),
        (
            RealtimeConfig(input_transcription=InputTranscription(language="de")),
            {"model": DEFAULT_OPENAI_TRANSCRIPTION_MODEL, "language": "de"},
        ),
    ],
)
def test_openai_transcription(config: RealtimeConfig, expected: dict[str, str]) -> None:
    assert to_openai_session(config)["audio"]["input"]["transcription"] == expected


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (AudioFormat(), {"type": "audio/pcm", "rate": 24000}),
        (AudioFormat("g711_ulaw", 8000), {"type": "audio/pcmu"}),
        (AudioFormat("g711_alaw"), {"type": "audio/pcma"}),
    ],
)
def test_openai_formats(fmt: AudioFormat, expected: dict[str, Any]) -> None:
    session = to_openai_session(RealtimeConfig(input_audio_format=fmt, output_audio_format=fmt))
    assert session["audio"] == {"input": {"format": expected}, "output": {"format": expected}}


@pytest.mark.parametrize(
    ("compression", "expected"),
    [
        (ContextCompression(), "auto"),
        (
            ContextCompression(trigger_tokens=1000),
            {
                "type": "retention_ratio",
                "retention_ratio": 0.5,
                "token_limits": {"post_instructions": 1000},
            },
        ),
    ],
)
def test_openai_truncation(compression: ContextCompression, expected: Any) -> None:
    config = RealtimeConfig(context_compression=compression)
    assert to_openai_session(config)["truncation"] == expected


def test_openai_extra_merges_and_appends_tools() -> None:
    config = RealtimeConfig(
        voice="marin",
        tools=(WEATHER,),
        extra={
            "openai": {
                "audio": {"output": {"speed": 1.2}},
                "tools": [{"type": "mcp", "server_label": "docs", "server_url": "https://x"}],
                "tracing": "auto",
            }
        },
    )
    session = to_openai_session(config)
    assert session["audio"] == {"output": {"voice": "marin", "speed": 1.2}}
    assert [t["type"] for t in session["tools"]] == ["function", "mcp"]
    assert session["tracing"] == "auto"


def test_openai_extra_beta_fields_are_refused() -> None:
    config = RealtimeConfig(extra={"openai": {"temperature": 0.8, "voice": "alloy"}})
    with pytest.raises(ConfigError, match=r"beta session fields \['temperature', 'voice'\]"):
        to_openai_session(config)


def test_openai_invalid_extra() -> None:
    config = RealtimeConfig(extra={"openai": {"tools": [{"type": "calculator"}]}})
    with pytest.raises(ConfigError, match=r"extra\['openai'\]"):
        to_openai_session(config)


@pytest.mark.parametrize(
    ("config", "setting"),
    [
        (RealtimeConfig(resumption=True), "resumption"),
        (RealtimeConfig(resumption=Resumption(transparent=True)), "resumption"),
        (RealtimeConfig(max_output_tokens=5000), "max_output_tokens"),
        (RealtimeConfig(input_audio_format=AudioFormat(rate=16000)), "input_audio_format.rate"),
        (RealtimeConfig(output_audio_format=AudioFormat(rate=48000)), "output_audio_format.rate"),
        (
            RealtimeConfig(context_compression=ContextCompression(target_tokens=10)),
            "context_compression.target_tokens",
        ),
    ],
)
def test_openai_error_gaps_raise(config: RealtimeConfig, setting: str) -> None:
    with pytest.raises(ConfigError, match=setting):
        to_openai_session(config)
    assert [(i.setting, i.severity) for i in unsupported(config, "openai")] == [(setting, "error")]
    session = to_openai_session(config, drop_unsupported=True)
    assert "max_output_tokens" not in session
    assert session.get("audio", {}).get("input", {}).get("format", {}).get("rate") in (None, 24000)


@pytest.mark.parametrize(
    ("config", "setting"),
    [
        (RealtimeConfig(temperature=0.3), "temperature"),
        (RealtimeConfig(output_transcription=False), "output_transcription"),
        (RealtimeConfig(tools=(TIMER,)), "tools"),
    ],
)
def test_openai_warning_gaps_are_left_out(config: RealtimeConfig, setting: str) -> None:
    assert [(i.setting, i.severity) for i in unsupported(config, "openai")] == [
        (setting, "warning")
    ]
    session = to_openai_session(config)
    assert "temperature" not in session and "behavior" not in json.dumps(session)


def test_text_output_without_transcription_is_no_gap() -> None:
    config = RealtimeConfig(modalities=("text",), output_transcription=False)
    assert unsupported(config, "openai") == []


def test_unsupported_rejects_unknown_provider() -> None:
    with pytest.raises(ValueError, match="provider"):
        unsupported(RealtimeConfig(), "claude")  # type: ignore[arg-type]


def test_mapping_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="config"):
        to_openai_session({"instructions": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="config"):
        to_gemini_setup({"instructions": "x"}, model=MODEL)  # type: ignore[arg-type]


# -- validation -----------------------------------------------------------------------


RC, TD = RealtimeConfig, TurnDetection


@pytest.mark.parametrize(
    ("cls", "kwargs", "error", "name"),
    [
        (RC, {"modalities": ("audio", "text")}, ValueError, "modalities"),
        (RC, {"modalities": ("video",)}, ValueError, "modalities"),
        (RC, {"modalities": ()}, ValueError, "modalities"),
        (RC, {"tools": (Tool("a"), Tool("a"))}, ValueError, "tools"),
        (RC, {"tools": ("get_weather",)}, TypeError, "tools"),
        (RC, {"tools": (WEATHER,), "tool_choice": "nope"}, ValueError, "tool_choice"),
        (RC, {"tool_choice": "required"}, ValueError, "tool_choice"),
        (RC, {"tool_choice": None}, TypeError, "tool_choice"),
        (RC, {"instructions": 1}, TypeError, "instructions"),
        (RC, {"voice": ""}, TypeError, "voice"),
        (RC, {"temperature": 2.5}, ValueError, "temperature"),
        (RC, {"temperature": float("nan")}, ValueError, "temperature"),
        (RC, {"temperature": "hot"}, TypeError, "temperature"),
        (RC, {"temperature": True}, TypeError, "temperature"),
        (RC, {"max_output_tokens": 0}, ValueError, "max_output_tokens"),
        (RC, {"max_output_tokens": 1.5}, TypeError, "max_output_tokens"),
        (RC, {"turn_detection": "server_vad"}, TypeError, "turn_detection"),
        (RC, {"input_transcription": "en"}, TypeError, "input_transcription"),
        (RC, {"output_transcription": "yes"}, TypeError, "output_transcription"),
        (RC, {"input_audio_format": "pcm16"}, TypeError, "input_audio_format"),
        (RC, {"output_audio_format": 24000}, TypeError, "output_audio_format"),
        (RC, {"resumption": "yes"}, TypeError, "resumption"),
        (RC, {"context_compression": 100}, TypeError, "context_compression"),
        (RC, {"extra": {"claude": {}}}, ValueError, "extra"),
        (RC, {"extra": {"gemini": 1}}, TypeError, r"extra\['gemini'\]"),
        (RC, {"extra": []}, TypeError, "extra"),
        (TD, {"mode": "auto"}, ValueError, "turn_detection.mode"),
        (TD, {"silence_ms": -1}, ValueError, "turn_detection.silence_ms"),
        (TD, {"prefix_padding_ms": "1"}, TypeError, "turn_detection.prefix_padding_ms"),
        (TD, {"threshold": 1.5}, ValueError, "turn_detection.threshold"),
        (TD, {"eagerness": "high"}, ValueError, "turn_detection.eagerness"),
        (TD, {"mode": "semantic_vad", "eagerness": "max"}, ValueError, "eagerness"),
        (TD, {"mode": "semantic_vad", "silence_ms": 5}, ValueError, "silence_ms"),
        (TD, {"mode": "manual", "threshold": 0.5}, ValueError, "threshold"),
        (TD, {"interrupt": "no"}, TypeError, "turn_detection.interrupt"),
        (Tool, {"name": ""}, TypeError, "Tool.name"),
        (Tool, {"name": "a", "description": 3}, TypeError, "Tool.description"),
        (Tool, {"name": "a", "parameters": [1]}, TypeError, "Tool.parameters"),
        (Tool, {"name": "a", "behavior": "async"}, ValueError, "Tool.behavior"),
        (InputTranscription, {"language": ""}, TypeError, "input_transcription.language"),
        (AudioFormat, {"encoding": "mp3"}, ValueError, "AudioFormat.encoding"),
        (AudioFormat, {"encoding": "g711_ulaw", "rate": 16000}, ValueError, "AudioFormat.rate"),
        (AudioFormat, {"rate": 0}, ValueError, "AudioFormat.rate"),
        (Resumption, {"transparent": 1}, TypeError, "resumption.transparent"),
        (ContextCompression, {"trigger_tokens": 9, "target_tokens": 9}, ValueError, "target"),
        (ContextCompression, {"trigger_tokens": 0}, ValueError, "trigger_tokens"),
    ],
)
def test_validation_names_the_field(
    cls: Any, kwargs: dict[str, Any], error: type[Exception], name: str
) -> None:
    with pytest.raises(error, match=name):
        cls(**kwargs)


def test_normalisation_and_immutability() -> None:
    params = {"type": "object"}
    extra: dict[str, Any] = {"gemini": {"proactivity": {}}}
    config = RealtimeConfig(
        modalities="text",  # type: ignore[arg-type]
        tools=[Tool("a", parameters=params)],  # type: ignore[arg-type]
        extra=extra,
    )
    assert config.modalities == ("text",)
    assert isinstance(config.tools, tuple)
    params["type"] = "array"
    extra["openai"] = {}
    assert config.tools[0].parameters == {"type": "object"}
    assert set(config.extra) == {"gemini"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.voice = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.extra["openai"] = {}  # type: ignore[index]
    assert RealtimeConfig(tools=(WEATHER,), tool_choice="get_weather").tool_choice == "get_weather"


def test_issue_is_a_frozen_value() -> None:
    issue = Issue("voice", "warning", "x")
    assert issue == Issue("voice", "warning", "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        issue.message = "y"  # type: ignore[misc]


# -- properties -----------------------------------------------------------------------

_opt = st.none() | st.integers(0, 5000)
turn_detections = st.one_of(
    st.none(),
    st.builds(
        TurnDetection,
        mode=st.just("server_vad"),
        silence_ms=_opt,
        prefix_padding_ms=_opt,
        threshold=st.none() | st.floats(0, 1),
        interrupt=st.booleans(),
    ),
    st.builds(
        TurnDetection,
        mode=st.just("semantic_vad"),
        eagerness=st.sampled_from([None, "low", "medium", "high", "auto"]),
        interrupt=st.booleans(),
    ),
    st.builds(TurnDetection, mode=st.just("manual"), interrupt=st.booleans()),
)
names = st.text("abcdefgh_", min_size=1, max_size=8)
formats = (
    st.none()
    | st.builds(
        AudioFormat,
        encoding=st.sampled_from(["pcm16", "g711_ulaw", "g711_alaw"]),
    )
    | st.builds(AudioFormat, rate=st.sampled_from([8000, 16000, 24000, 48000]))
)


@st.composite
def configs(draw: st.DrawFn) -> RealtimeConfig:
    tool_names = draw(st.lists(names, max_size=3, unique=True))
    tools = tuple(
        Tool(
            n,
            draw(st.none() | st.text(max_size=5)) or None,
            draw(st.none() | st.just(SCHEMA)),
            draw(st.sampled_from(["blocking", "non_blocking"])),
        )
        for n in tool_names
    )
    choices = ["auto", "none", *(["required", *tool_names] if tool_names else [])]
    trigger = draw(st.none() | st.integers(2, 10**6))
    target = draw(st.none() | st.integers(1, (trigger or 10**6) - 1))
    return RealtimeConfig(
        instructions=draw(st.none() | st.text(max_size=10)),
        voice=draw(st.none() | st.sampled_from(["Kore", "marin", "alloy"])),
        modalities=draw(st.sampled_from([("audio",), ("text",)])),
        tools=tools,
        tool_choice=draw(st.sampled_from(choices)),
        turn_detection=draw(turn_detections),
        input_transcription=draw(
            st.booleans() | st.builds(InputTranscription, st.none() | names, st.none() | names)
        ),
        output_transcription=draw(st.none() | st.booleans()),
        temperature=draw(st.none() | st.floats(0, 2)),
        max_output_tokens=draw(st.none() | st.integers(1, 8192)),
        input_audio_format=draw(formats),
        output_audio_format=draw(formats),
        resumption=draw(st.booleans() | st.builds(Resumption, st.booleans())),
        context_compression=draw(
            st.none() | st.builds(ContextCompression, st.just(trigger), st.just(target))
        ),
    )


PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(configs())
def test_gemini_mapping_raises_exactly_on_error_gaps(config: RealtimeConfig) -> None:
    errors = [i for i in unsupported(config, "gemini") if i.severity == "error"]
    try:
        setup = to_gemini_setup(config, model=MODEL)
    except ConfigError as exc:
        assert errors and all(i.setting in str(exc) for i in errors)
        setup = to_gemini_setup(config, model=MODEL, drop_unsupported=True)
    else:
        assert not errors
    # What goes out is a valid setup frame in the strict server role (§2.3).
    frame = codec.encode_setup(setup)
    assert codec.decode_client(frame, strict=True).setup == setup
    generation = setup.generation_config
    assert generation is not None and generation.response_modalities == [
        config.modalities[0].upper()
    ]


@PROPS
@given(configs())
def test_openai_mapping_raises_exactly_on_error_gaps(config: RealtimeConfig) -> None:
    errors = [i for i in unsupported(config, "openai") if i.severity == "error"]
    try:
        session = to_openai_session(config)
    except ConfigError as exc:
        assert errors and all(i.setting in str(exc) for i in errors)
        session = to_openai_session(config, drop_unsupported=True)
    else:
        assert not errors
    assert msgspec.to_builtins(build_session(session)) == session
    assert session["type"] == "realtime"
    assert session["output_modalities"] == list(config.modalities)
    assert len(session.get("tools", [])) == len(config.tools)
