"""Wire Structs: names, defaults and proto3-JSON scalars (gemini-live.md §2.3, §4, §5)."""

from __future__ import annotations

import msgspec
import pytest

from realtalk.protocol.gemini import wire


def test_every_name_in_all_exists() -> None:
    for name in wire.__all__:
        assert hasattr(wire, name), name


def test_fields_are_snake_case_and_wire_names_camel_case() -> None:
    encoded = msgspec.json.encode(
        wire.Setup(
            model="models/m",
            generation_config=wire.GenerationConfig(
                response_modalities=["AUDIO"],
                top_p=0.5,
                max_output_tokens=10,
                thinking_config=wire.ThinkingConfig(thinking_budget=0, include_thoughts=False),
            ),
            realtime_input_config=wire.RealtimeInputConfig(
                automatic_activity_detection=wire.AutomaticActivityDetection(
                    silence_duration_ms=500, prefix_padding_ms=20
                ),
                interim_transcript_timestamp_enabled=True,
            ),
            history_config=wire.HistoryConfig(initial_history_in_client_content=True),
            explicit_vad_signal=True,
        )
    )
    assert encoded == (
        b'{"model":"models/m","generationConfig":{"responseModalities":["AUDIO"],"topP":0.5,'
        b'"maxOutputTokens":10,"thinkingConfig":{"thinkingBudget":0,"includeThoughts":false}},'
        b'"realtimeInputConfig":{"automaticActivityDetection":{"prefixPaddingMs":20,'
        b'"silenceDurationMs":500},"interimTranscriptTimestampEnabled":true},'
        b'"historyConfig":{"initialHistoryInClientContent":true},"explicitVadSignal":true}'
    )


def test_none_fields_are_omitted_and_empty_objects_kept() -> None:
    tool = wire.Tool(google_search={}, code_execution={})
    assert msgspec.json.encode(tool) == b'{"googleSearch":{},"codeExecution":{}}'
    assert msgspec.json.encode(wire.ServerMessage(setup_complete=wire.SetupComplete())) == (
        b'{"setupComplete":{}}'
    )
    assert msgspec.json.encode(wire.RealtimeInput(activity_start=wire.ActivityStart())) == (
        b'{"activityStart":{}}'
    )


def test_false_is_emitted_when_set_explicitly() -> None:
    aad = wire.AutomaticActivityDetection(disabled=False)
    assert msgspec.json.encode(aad) == b'{"disabled":false}'


def test_bytes_are_standard_base64() -> None:
    blob = wire.Blob(mime_type="image/jpeg", data=b"\xff\xd8\xff\xe0")
    assert msgspec.json.encode(blob) == b'{"mimeType":"image/jpeg","data":"/9j/4A=="}'


def test_voice_activity_uses_wire_key_type() -> None:
    va = msgspec.json.decode(
        b'{"type":"ACTIVITY_START","audioOffset":"1.2s"}', type=wire.VoiceActivity
    )
    assert va == wire.VoiceActivity(type="ACTIVITY_START", audio_offset="1.2s")
    assert msgspec.json.encode(va) == b'{"type":"ACTIVITY_START","audioOffset":"1.2s"}'


def test_unknown_fields_are_ignored_by_plain_decoding() -> None:
    sc = msgspec.json.decode(b'{"turnComplete":true,"brandNew":{"x":1}}', type=wire.ServerContent)
    assert sc == wire.ServerContent(turn_complete=True)


def test_unknown_enum_strings_from_the_server_decode() -> None:
    sc = msgspec.json.decode(
        b'{"turnComplete":true,"turnCompleteReason":"SOMETHING_NEW","interactionStatus":"X"}',
        type=wire.ServerContent,
    )
    assert sc.turn_complete_reason == "SOMETHING_NEW"
    assert sc.interaction_status == "X"


def test_usage_metadata_has_both_naming_families() -> None:
    names = {f.encode_name for f in msgspec.structs.fields(wire.UsageMetadata)}
    assert {
        "responseTokenCount",
        "responseTokensDetails",
        "candidatesTokenCount",
        "candidatesTokensDetails",
        "trafficType",
        "promptTokenCount",
        "cachedContentTokenCount",
        "toolUsePromptTokenCount",
        "thoughtsTokenCount",
        "totalTokenCount",
        "promptTokensDetails",
        "cacheTokensDetails",
        "toolUsePromptTokensDetails",
    } <= names


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (
            wire.ServerContent,
            {
                "modelTurn",
                "generationComplete",
                "turnComplete",
                "interrupted",
                "inputTranscription",
                "outputTranscription",
                "groundingMetadata",
                "urlContextMetadata",
                "waitingForInput",
                "turnCompleteReason",
                "interactionStatus",
                "interimInputTranscription",
            },
        ),
        (
            wire.Part,
            {
                "text",
                "inlineData",
                "fileData",
                "functionCall",
                "functionResponse",
                "executableCode",
                "codeExecutionResult",
                "thought",
                "thoughtSignature",
            },
        ),
        (
            wire.RealtimeInput,
            {
                "audio",
                "video",
                "text",
                "activityStart",
                "activityEnd",
                "audioStreamEnd",
                "mediaChunks",
            },
        ),
        (
            wire.FunctionDeclaration,
            {
                "name",
                "description",
                "parameters",
                "parametersJsonSchema",
                "response",
                "responseJsonSchema",
                "behavior",
            },
        ),
        (
            wire.FunctionResponse,
            {"id", "name", "response", "scheduling", "willContinue", "parts"},
        ),
        (wire.WireFunctionCall, {"id", "name", "args", "partialArgs", "willContinue"}),
        (wire.ClientMessage, set(wire.CLIENT_MESSAGE_KEYS)),
        (wire.ServerMessage, set(wire.SERVER_MESSAGE_KEYS)),
        (
            wire.Tool,
            {"functionDeclarations", "googleSearch", "codeExecution", "urlContext", "googleMaps"},
        ),
    ],
)
def test_wire_names_match_the_spec(cls: type[msgspec.Struct], expected: set[str]) -> None:
    assert {f.encode_name for f in msgspec.structs.fields(cls)} == expected


def test_setup_has_every_field_of_section_4_1() -> None:
    names = {f.encode_name for f in msgspec.structs.fields(wire.Setup)}
    assert names == {
        "model",
        "generationConfig",
        "systemInstruction",
        "tools",
        "realtimeInputConfig",
        "sessionResumption",
        "contextWindowCompression",
        "inputAudioTranscription",
        "outputAudioTranscription",
        "proactivity",
        "historyConfig",
        "explicitVadSignal",
        "safetySettings",
        "avatarConfig",
        "labels",
    }
    gen = {f.encode_name for f in msgspec.structs.fields(wire.GenerationConfig)}
    assert gen == {
        "responseModalities",
        "speechConfig",
        "temperature",
        "topP",
        "topK",
        "maxOutputTokens",
        "candidateCount",
        "presencePenalty",
        "frequencyPenalty",
        "seed",
        "mediaResolution",
        "thinkingConfig",
        "enableAffectiveDialog",
        "translationConfig",
    }


# -- durations (§2.3) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (50, "50s"),
        (0, "0s"),
        (0.5, "0.500s"),
        (1.5, "1.500s"),
        (1.000001, "1.000001s"),
        (1.000000001, "1.000000001s"),
        (-2.25, "-2.250s"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert wire.format_duration(seconds) == text
    assert wire.parse_duration(text) == pytest.approx(seconds, abs=1e-9)


@pytest.mark.parametrize(("text", "seconds"), [("10s", 10.0), ("0.5s", 0.5), ("1.2s", 1.2)])
def test_parse_duration(text: str, seconds: float) -> None:
    assert wire.parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "10", "1.s", "abc", "1.5m", "--1s", "1e3s"])
def test_parse_duration_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        wire.parse_duration(text)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_format_duration_rejects_non_finite(value: float) -> None:
    with pytest.raises(ValueError):
        wire.format_duration(value)
