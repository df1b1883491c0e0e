"""The capability table: model families, supports(), check() and check_gemini_message().

Facts from gemini-live.md §4.1, §4.5, §6.3, §7, openai-realtime.md §3, §7, §9 and the
field reports in ../reference/ (Gemini 3.x clientContent → 1007, transparent
resumption rejected by the Developer API, ...).
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realtalk.protocol.capabilities import (
    CAPABILITIES,
    FEATURES,
    RULES,
    Family,
    Feature,
    Issue,
    check,
    check_gemini_message,
    model_family,
    supports,
)
from realtalk.protocol.config import (
    AudioFormat,
    RealtimeConfig,
    Resumption,
    Tool,
    TurnDetection,
)
from realtalk.protocol.gemini import wire as gwire
from realtalk.protocol.openai import wire as owire

NATIVE = "gemini-2.5-flash-native-audio-preview-12-2025"
HALF = "gemini-live-2.5-flash-preview"
G20 = "gemini-2.0-flash-live-001"
G3 = "gemini-3.1-flash-live-preview"
ODD = "my-tuned-live-model"
GEMINIS = (NATIVE, HALF, G20, G3, ODD)
OPENAIS = ("gpt-realtime", "gpt-realtime-mini", "gpt-4o-realtime-preview", "unknown-model")


def errors(issues: list[Issue]) -> list[tuple[str, str]]:
    return [(i.setting, i.severity) for i in issues]


# -- families -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "model", "family"),
    [
        ("gemini", "gemini-2.0-flash-live-001", Family.GEMINI_2_0),
        ("gemini", "models/gemini-live-2.5-flash-preview", Family.GEMINI_2_5_HALF_CASCADE),
        ("gemini", "gemini-2.5-flash-live-preview", Family.GEMINI_2_5_HALF_CASCADE),
        ("gemini", NATIVE, Family.GEMINI_2_5_NATIVE_AUDIO),
        ("gemini", "gemini-live-2.5-flash-native-audio", Family.GEMINI_2_5_NATIVE_AUDIO),
        (
            "gemini",
            "projects/p/locations/us-central1/publishers/google/models/"
            "gemini-live-2.5-flash-preview-native-audio-09-2025",
            Family.GEMINI_2_5_NATIVE_AUDIO,
        ),
        ("gemini", "models/gemini-3.1-flash-live-preview", Family.GEMINI_3),
        ("gemini", "gemini-3-flash-live", Family.GEMINI_3),
        ("gemini", "gemini-3.8-live", Family.GEMINI_3),
        ("gemini", "Gemini-4.0-Live", Family.GEMINI_3),
        ("gemini", "gemini-1.5-pro", Family.UNKNOWN),
        ("gemini", "tunedModels/abc", Family.UNKNOWN),
        ("gemini", "", Family.UNKNOWN),
        ("openai", "gpt-realtime", Family.GPT_REALTIME),
        ("openai", "gpt-realtime-2025-08-28", Family.GPT_REALTIME),
        ("openai", "gpt-realtime-2", Family.GPT_REALTIME),
        ("openai", "gpt-realtime-mini", Family.GPT_REALTIME_MINI),
        ("openai", "gpt-realtime-2.1-mini", Family.GPT_REALTIME_MINI),
        ("openai", "gpt-4o-realtime-preview-2024-12-17", Family.GPT_4O_REALTIME_PREVIEW),
        ("openai", "gpt-4o-mini-realtime-preview", Family.GPT_4O_MINI_REALTIME_PREVIEW),
        ("openai", "gpt-5", Family.UNKNOWN),
    ],
)
def test_model_family(provider: Any, model: str, family: Family) -> None:
    assert model_family(provider, model) is family


def test_model_family_rejects_unknown_provider() -> None:
    with pytest.raises(ValueError, match="provider"):
        model_family("claude", "x")  # type: ignore[arg-type]


# -- supports() -----------------------------------------------------------------------

F = Feature


@pytest.mark.parametrize(
    ("provider", "model", "platform", "feature", "expected"),
    [
        ("gemini", G3, "ai_studio", F.CONTEXT_UPDATE, True),
        ("gemini", G3, "vertex", F.CONTEXT_UPDATE, True),
        ("gemini", NATIVE, "ai_studio", F.CONTEXT_UPDATE, False),
        ("gemini", G20, "ai_studio", F.CONTEXT_UPDATE, False),
        ("gemini", ODD, "ai_studio", F.CONTEXT_UPDATE, False),
        ("gemini", G3, "ai_studio", F.CLIENT_CONTENT_MID_SESSION, False),
        ("gemini", NATIVE, "ai_studio", F.CLIENT_CONTENT_MID_SESSION, True),
        ("gemini", ODD, "ai_studio", F.CLIENT_CONTENT_MID_SESSION, True),
        ("gemini", G3, "ai_studio", F.HISTORY_CONFIG, True),
        ("gemini", HALF, "ai_studio", F.HISTORY_CONFIG, False),
        ("gemini", NATIVE, "vertex", F.AUDIO_STREAM_END, False),
        ("gemini", NATIVE, "ai_studio", F.AUDIO_STREAM_END, True),
        ("gemini", NATIVE, None, F.AUDIO_STREAM_END, True),
        ("gemini", ODD, "vertex", F.TRANSPARENT_RESUMPTION, True),
        ("gemini", G3, "ai_studio", F.TRANSPARENT_RESUMPTION, False),
        ("gemini", NATIVE, "vertex", F.EXPLICIT_VAD_SIGNAL, True),
        ("gemini", NATIVE, "ai_studio", F.EXPLICIT_VAD_SIGNAL, False),
        ("gemini", NATIVE, "ai_studio", F.TOOL_RESPONSE_WILL_CONTINUE, True),
        ("gemini", NATIVE, "vertex", F.TOOL_RESPONSE_WILL_CONTINUE, False),
        ("gemini", NATIVE, "ai_studio", F.TEXT_OUTPUT, False),
        ("gemini", HALF, "ai_studio", F.TEXT_OUTPUT, True),
        ("gemini", ODD, "ai_studio", F.TEXT_OUTPUT, True),
        ("gemini", NATIVE, "ai_studio", F.AFFECTIVE_DIALOG, True),
        ("gemini", G3, "ai_studio", F.AFFECTIVE_DIALOG, False),
        ("gemini", NATIVE, "ai_studio", F.PROACTIVITY, True),
        ("gemini", G20, "ai_studio", F.THINKING, False),
        ("gemini", G3, "ai_studio", F.THINKING_LEVEL, True),
        ("gemini", NATIVE, "ai_studio", F.THINKING_LEVEL, False),
        ("gemini", G3, "ai_studio", F.NON_BLOCKING_TOOLS, False),
        ("gemini", NATIVE, "ai_studio", F.NON_BLOCKING_TOOLS, True),
        ("gemini", G3, "ai_studio", F.VAD_SILENCE_DURATION, False),
        ("gemini", NATIVE, "ai_studio", F.SPEECH_LANGUAGE_CODE, False),
        ("gemini", NATIVE, "ai_studio", F.BUILTIN_TOOLS, False),
        ("gemini", G3, "vertex", F.RESUMPTION, True),
        ("gemini", G3, "ai_studio", F.SEMANTIC_VAD, False),
        ("gemini", G3, "ai_studio", F.G711_AUDIO, False),
        ("gemini", G3, "ai_studio", F.TOOL_CHOICE, False),
        ("gemini", G3, "ai_studio", F.TEMPERATURE, True),
        ("openai", "gpt-realtime", None, F.RESUMPTION, False),
        ("openai", "gpt-realtime", None, F.TRANSPARENT_RESUMPTION, False),
        ("openai", "gpt-realtime", "vertex", F.SEMANTIC_VAD, True),
        ("openai", "gpt-realtime-mini", None, F.G711_AUDIO, True),
        ("openai", "gpt-realtime", None, F.TOOL_CHOICE, True),
        ("openai", "gpt-realtime", None, F.CONTEXT_UPDATE, True),
        ("openai", "gpt-realtime", None, F.TEXT_OUTPUT, True),
        ("openai", "gpt-realtime", None, F.AUDIO_TRANSCRIPT_ALWAYS, True),
        ("openai", "gpt-realtime", None, F.TEMPERATURE, False),
        ("openai", "gpt-realtime", None, F.AUDIO_STREAM_END, False),
        ("openai", "gpt-realtime", None, F.NON_BLOCKING_TOOLS, False),
        ("openai", "gpt-realtime-mini", None, F.REASONING, True),
        ("openai", "gpt-4o-realtime-preview", None, F.REASONING, False),
        ("openai", "gpt-4o-mini-realtime-preview", None, F.REASONING, False),
        ("openai", "gpt-next", None, F.REASONING, True),
    ],
)
def test_supports(
    provider: Any, model: str, platform: Any, feature: Feature, expected: bool
) -> None:
    assert supports(provider, model, platform, feature) is expected
    assert supports(provider, model, platform, feature.value) is expected


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("gemini", G3, "ai_studio", "telepathy"), "feature"),
        (("gemini", G3, "azure", F.CONTEXT_UPDATE), "platform"),
        (("claude", G3, None, F.CONTEXT_UPDATE), "provider"),
    ],
)
def test_supports_rejects_unknown_names(args: tuple[Any, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        supports(*args)


# -- the table itself -----------------------------------------------------------------


def test_every_feature_is_in_the_table() -> None:
    assert {feature for _, feature in CAPABILITIES} == set(FEATURES) == set(Feature)
    assert {provider for provider, _ in CAPABILITIES} == {"gemini", "openai"}
    assert all(cap.source for cap in CAPABILITIES.values())


def _wire_fields(struct: Any) -> dict[str, Any]:
    """encode name -> annotation of a msgspec Struct's fields."""
    hints = typing.get_type_hints(struct)
    return {f.encode_name: hints[f.name] for f in msgspec.structs.fields(struct)}


def _structs_in(annotation: Any) -> list[Any]:
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return [annotation]
    return [s for arg in typing.get_args(annotation) for s in _structs_in(arg)]


def _path_exists(root: Any, path: str) -> bool:
    types = [root]
    for part in path.split("."):
        key = part.removesuffix("[]")
        nexts = []
        for struct in types:
            annotation = _wire_fields(struct).get(key)
            if annotation is not None:
                nexts.extend(_structs_in(annotation) or ["leaf"])
        if not nexts:
            return False
        types = [t for t in nexts if t != "leaf"]
    return True


@pytest.mark.parametrize(
    ("table", "root"),
    [("gemini", gwire.Setup), ("openai", owire.Session), ("gemini_message", gwire.ClientMessage)],
)
def test_rule_paths_name_real_wire_fields(table: str, root: Any) -> None:
    for rule in RULES[table]:
        assert _path_exists(root, rule.path), rule.path


def test_rule_fields_and_needs_are_real() -> None:
    config_fields = {f.name for f in dataclasses.fields(RealtimeConfig)}
    for rules in RULES.values():
        for rule in rules:
            assert rule.field is None or rule.field.split(".")[0] in config_fields, rule
            assert rule.needs is None or rule.needs in FEATURES or ":" in rule.needs, rule
            assert rule.severity in ("error", "warning")


# -- check(): Gemini ------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["ai_studio", "vertex"])
@pytest.mark.parametrize("model", GEMINIS)
def test_a_plain_config_has_no_issues(model: str, platform: Any) -> None:
    config = RealtimeConfig(
        instructions="Be brief.",
        voice="Kore",
        tools=(Tool("lookup", "Look up", {"type": "object"}),),
        turn_detection=TurnDetection(mode="manual", interrupt=False),
        input_transcription=True,
        output_transcription=True,
        temperature=0.5,
        resumption=True,
        context_compression=(None),
    )
    assert check(config, provider="gemini", model=model, platform=platform) == []


def test_native_audio_and_text_modality() -> None:
    text = RealtimeConfig(modalities=("text",))
    assert errors(check(text, provider="gemini", model=NATIVE)) == [("modalities", "error")]
    assert check(text, provider="gemini", model=HALF) == []
    assert check(text, provider="gemini", model=G3) == []
    wire = {"generationConfig": {"responseModalities": ["TEXT"]}}
    issues = check(wire, provider="gemini", model=NATIVE, platform="vertex")
    assert errors(issues) == [("generationConfig.responseModalities", "error")]
    both = {"generationConfig": {"responseModalities": ["AUDIO", "TEXT"]}}
    assert ("generationConfig.responseModalities", "error") in errors(
        check(both, provider="gemini", model=HALF)
    )


def test_transparent_resumption_is_vertex_only() -> None:
    config = RealtimeConfig(resumption=Resumption(transparent=True))
    for model in GEMINIS:  # a platform fact: an error even for an unknown model
        issues = check(config, provider="gemini", model=model, platform="ai_studio")
        assert errors(issues) == [("resumption.transparent", "error")]
        assert check(config, provider="gemini", model=model, platform="vertex") == []
    setup = gwire.Setup(
        model="m", session_resumption=gwire.SessionResumptionConfig(transparent=True)
    )
    assert errors(check(setup, provider="gemini", model=G3)) == [
        ("sessionResumption.transparent", "error")
    ]


def test_explicit_vad_signal_is_vertex_only() -> None:
    config = RealtimeConfig(extra={"gemini": {"explicitVadSignal": True}})
    assert errors(check(config, provider="gemini", model=G3)) == [
        ("extra['gemini'].explicitVadSignal", "error")
    ]
    assert check(config, provider="gemini", model=G3, platform="vertex") == []


@pytest.mark.parametrize(
    ("api_version", "platform", "expected"),
    [
        (
            None,
            "ai_studio",
            [("extra['gemini'].generationConfig.enableAffectiveDialog", "warning")],
        ),
        (
            "v1beta",
            "ai_studio",
            [("extra['gemini'].generationConfig.enableAffectiveDialog", "error")],
        ),
        ("v1alpha", "ai_studio", []),
        (None, "vertex", []),
    ],
)
def test_affective_dialog_needs_v1alpha_on_ai_studio(
    api_version: str | None, platform: Any, expected: list[tuple[str, str]]
) -> None:
    config = RealtimeConfig(extra={"gemini": {"generationConfig": {"enableAffectiveDialog": True}}})
    issues = check(
        config, provider="gemini", model=NATIVE, platform=platform, api_version=api_version
    )
    assert errors(issues) == expected


def test_affective_dialog_and_proactivity_on_other_models() -> None:
    setup = {
        "generationConfig": {"enableAffectiveDialog": True},
        "proactivity": {"proactiveAudio": True},
    }
    issues = check(setup, provider="gemini", model=G3, api_version="v1alpha")
    assert errors(issues) == [
        ("generationConfig.enableAffectiveDialog", "warning"),
        ("proactivity", "warning"),
    ]


@pytest.mark.parametrize(
    ("model", "thinking", "expected"),
    [
        (NATIVE, {"thinkingBudget": 0}, []),
        (G3, {"thinkingLevel": "low"}, []),
        (G3, {"thinkingBudget": 0}, ["generationConfig.thinkingConfig.thinkingBudget"]),
        (NATIVE, {"thinkingLevel": "low"}, ["generationConfig.thinkingConfig.thinkingLevel"]),
        (
            G20,
            {"thinkingBudget": 0},
            ["generationConfig.thinkingConfig", "generationConfig.thinkingConfig.thinkingBudget"],
        ),
        (ODD, {"thinkingBudget": 1}, []),
    ],
)
def test_thinking_config(model: str, thinking: dict[str, Any], expected: list[str]) -> None:
    issues = check(
        {"generationConfig": {"thinkingConfig": thinking}}, provider="gemini", model=model
    )
    assert [i.setting for i in issues] == expected
    assert all(i.severity == "warning" for i in issues)


def test_three_x_model_facts_on_a_mapped_config() -> None:
    config = RealtimeConfig(
        tools=(Tool("timer", behavior="non_blocking"),),
        turn_detection=TurnDetection(silence_ms=800),
    )
    assert errors(check(config, provider="gemini", model=G3)) == [
        ("tools", "warning"),
        ("turn_detection.silence_ms", "warning"),
    ]
    assert check(config, provider="gemini", model=NATIVE) == []


def test_history_config_is_a_three_x_field() -> None:
    setup = {"historyConfig": {"initialHistoryInClientContent": True}}
    assert check(setup, provider="gemini", model=G3) == []
    assert errors(check(setup, provider="gemini", model=HALF)) == [
        ("historyConfig.initialHistoryInClientContent", "warning")
    ]


def test_native_audio_language_code_and_builtin_tools() -> None:
    setup = {
        "generationConfig": {"speechConfig": {"languageCode": "de-DE"}},
        "tools": [{"googleSearch": {}}, {"codeExecution": {}}],
    }
    assert errors(check(setup, provider="gemini", model=NATIVE)) == [
        ("generationConfig.speechConfig.languageCode", "warning"),
        ("tools[1].codeExecution", "warning"),
    ]
    assert check(setup, provider="gemini", model=HALF) == []


def test_compression_order_and_candidate_count() -> None:
    setup = {
        "contextWindowCompression": {
            "triggerTokens": "100",
            "slidingWindow": {"targetTokens": 100},
        },
        "generationConfig": {"candidateCount": 2},
    }
    assert errors(check(setup, provider="gemini", model=G3)) == [
        ("generationConfig.candidateCount", "warning"),
        ("contextWindowCompression", "error"),
    ]


def test_gaps_come_first_and_name_config_fields() -> None:
    config = RealtimeConfig(
        tools=(Tool("a"),),
        tool_choice="none",
        turn_detection=TurnDetection("semantic_vad"),
        output_audio_format=AudioFormat("g711_ulaw"),
        modalities=("text",),
    )
    assert errors(check(config, provider="gemini", model=NATIVE)) == [
        ("tool_choice", "error"),
        ("turn_detection.mode", "error"),
        ("output_audio_format", "error"),
        ("modalities", "error"),
    ]


def test_invalid_config_is_one_error_issue() -> None:
    config = RealtimeConfig(extra={"gemini": {"bogus": 1}})
    [issue] = check(config, provider="gemini", model=G3)
    assert (issue.setting, issue.severity) == ("extra", "error")
    [issue] = check({"bogus": 1}, provider="gemini", model=G3)
    assert (issue.setting, issue.severity) == ("config", "error")


def test_check_rejects_wrong_types() -> None:
    with pytest.raises(TypeError, match="gemini"):
        check(owire.Session(type="realtime"), provider="gemini", model=G3)
    with pytest.raises(TypeError, match="openai"):
        check(gwire.Setup(model="m"), provider="openai", model="gpt-realtime")
    with pytest.raises(ValueError, match="platform"):
        check(RealtimeConfig(), provider="gemini", model=G3, platform="azure")  # type: ignore[arg-type]


# -- unknown models: warnings at most -------------------------------------------------

MODEL_DEPENDENT = {
    "generationConfig": {
        "responseModalities": ["TEXT"],
        "speechConfig": {"languageCode": "en-US"},
        "enableAffectiveDialog": True,
        "thinkingConfig": {"thinkingBudget": 0, "thinkingLevel": "low"},
    },
    "proactivity": {"proactiveAudio": True},
    "historyConfig": {"initialHistoryInClientContent": True},
    "tools": [
        {"functionDeclarations": [{"name": "f", "behavior": "NON_BLOCKING"}]},
        {"urlContext": {}},
    ],
    "realtimeInputConfig": {"automaticActivityDetection": {"silenceDurationMs": 100}},
}


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-./", max_size=30))
def test_unknown_models_get_no_errors(model: str) -> None:
    if model_family("gemini", model) is not Family.UNKNOWN:
        return
    issues = check(MODEL_DEPENDENT, provider="gemini", model=model)
    assert issues and all(i.severity == "warning" for i in issues)
    message = {"contextUpdate": {"systemInstruction": {"parts": [{"text": "x"}]}}}
    assert errors(check_gemini_message(message, model=model)) == [("contextUpdate", "warning")]
    openai = {"type": "realtime", "reasoning": {"effort": "low"}}
    if model_family("openai", model) is Family.UNKNOWN:
        assert check(openai, provider="openai", model=model) == []


def test_known_model_gets_errors_for_the_same_settings() -> None:
    # The same settings are errors where the fact is known (the test above can fail).
    issues = check(MODEL_DEPENDENT, provider="gemini", model=NATIVE, api_version="v1beta")
    assert ("generationConfig.responseModalities", "error") in errors(issues)
    assert ("proactivity", "error") in errors(issues)


# -- check(): OpenAI ------------------------------------------------------------------


@pytest.mark.parametrize("model", OPENAIS)
def test_openai_plain_config_has_no_issues(model: str) -> None:
    config = RealtimeConfig(
        instructions="x",
        voice="marin",
        tools=(Tool("a"),),
        tool_choice="required",
        turn_detection=TurnDetection("semantic_vad", eagerness="high"),
        input_transcription=True,
        max_output_tokens=4096,
        input_audio_format=AudioFormat("g711_alaw"),
    )
    assert check(config, provider="openai", model=model) == []


def test_openai_gaps_and_voice() -> None:
    config = RealtimeConfig(voice="Kore", resumption=True, temperature=0.8)
    assert errors(check(config, provider="openai", model="gpt-realtime")) == [
        ("temperature", "warning"),
        ("resumption", "error"),
        ("voice", "warning"),
    ]


@pytest.mark.parametrize(
    ("session", "expected"),
    [
        ({"output_modalities": ["audio", "text"]}, [("output_modalities", "error")]),
        (
            {"audio": {"input": {"format": {"type": "audio/pcm", "rate": 16000}}}},
            [("audio.input.format", "error")],
        ),
        ({"audio": {"output": {"format": {"type": "audio/pcm"}}}}, []),
        ({"audio": {"output": {"speed": 2.0}}}, [("audio.output.speed", "error")]),
        ({"max_output_tokens": 5000}, [("max_output_tokens", "error")]),
        ({"max_output_tokens": "inf"}, []),
        (
            {
                "audio": {
                    "input": {"turn_detection": {"type": "server_vad", "idle_timeout_ms": 100}}
                }
            },
            [("audio.input.turn_detection.idle_timeout_ms", "error")],
        ),
        (
            {"modalities": ["text", "audio"], "temperature": 0.8, "voice": "alloy"},
            [("modalities", "error"), ("temperature", "error"), ("voice", "error")],
        ),
        ({"reasoning": {"effort": "low"}, "parallel_tool_calls": True}, []),
    ],
)
def test_openai_wire_rules(session: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert errors(check(session, provider="openai", model="gpt-realtime")) == expected


def test_openai_reasoning_on_preview_models() -> None:
    session = owire.Session(type="realtime", reasoning=owire.Reasoning(effort="low"))
    assert errors(check(session, provider="openai", model="gpt-4o-realtime-preview")) == [
        ("reasoning", "warning")
    ]


# -- check_gemini_message() -----------------------------------------------------------

CLIENT_CONTENT = {"clientContent": {"turns": [{"role": "user", "parts": [{"text": "hi"}]}]}}


def test_three_x_client_content_after_the_start_is_flagged() -> None:
    assert errors(check_gemini_message(CLIENT_CONTENT, model=G3)) == [("clientContent", "error")]
    assert check_gemini_message(CLIENT_CONTENT, model=G3, history_open=True) == []
    assert check_gemini_message(CLIENT_CONTENT, model=NATIVE) == []
    assert check_gemini_message(CLIENT_CONTENT, model=ODD) == []
    snake = {"client_content": {"turns": [], "turn_complete": True}}
    assert errors(check_gemini_message(snake, model=G3, platform="vertex")) == [
        ("clientContent", "error")
    ]


def test_context_update_needs_a_three_x_model() -> None:
    message = gwire.ClientMessage(context_update=gwire.ContextUpdate(tools=gwire.ToolsWrapper([])))
    assert check_gemini_message(message, model=G3) == []
    assert errors(check_gemini_message(message, model=HALF)) == [("contextUpdate", "error")]


def test_audio_stream_end_is_not_on_vertex() -> None:
    message = gwire.ClientMessage(realtime_input=gwire.RealtimeInput(audio_stream_end=True))
    assert check_gemini_message(message, model=NATIVE) == []
    assert errors(check_gemini_message(message, model=NATIVE, platform="vertex")) == [
        ("realtimeInput.audioStreamEnd", "error")
    ]
    assert not supports("gemini", NATIVE, "vertex", Feature.AUDIO_STREAM_END)


def _setup(manual: bool) -> gwire.Setup:
    detection = gwire.AutomaticActivityDetection(disabled=manual)
    return gwire.Setup(
        model="m",
        realtime_input_config=gwire.RealtimeInputConfig(automatic_activity_detection=detection),
    )


@pytest.mark.parametrize("signal", ["activityStart", "activityEnd"])
def test_activity_signals_need_manual_vad(signal: str) -> None:
    message: dict[str, Any] = {"realtimeInput": {signal: {}}}
    assert errors(check_gemini_message(message, model=G3, setup=_setup(False))) == [
        (f"realtimeInput.{signal}", "error")
    ]
    assert check_gemini_message(message, model=G3, setup=_setup(True)) == []
    assert check_gemini_message(message, model=G3) == []
    assert errors(check_gemini_message(message, model=G3, setup=gwire.Setup(model="m"))) == [
        (f"realtimeInput.{signal}", "error")
    ]


def test_audio_stream_end_with_manual_vad() -> None:
    message = {"realtimeInput": {"audioStreamEnd": True}}
    assert errors(check_gemini_message(message, model=G3, setup=_setup(True))) == [
        ("realtimeInput.audioStreamEnd", "warning")
    ]
    assert check_gemini_message(message, model=G3, setup=_setup(False)) == []


def test_will_continue_is_ai_studio_only() -> None:
    message = {
        "toolResponse": {
            "functionResponses": [
                {"id": "1", "name": "f", "response": {}},
                {"id": "2", "name": "f", "response": {}, "willContinue": True},
            ]
        }
    }
    assert check_gemini_message(message, model=NATIVE) == []
    assert errors(check_gemini_message(message, model=NATIVE, platform="vertex")) == [
        ("toolResponse.functionResponses[1].willContinue", "warning")
    ]


def test_check_gemini_message_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="client message"):
        check_gemini_message({"clientContent": {}, "toolResponse": {}}, model=G3)
    with pytest.raises(TypeError, match="ClientMessage"):
        check_gemini_message("clientContent", model=G3)  # type: ignore[arg-type]
