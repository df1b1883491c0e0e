"""Server role: decode_client as Google's proto3-JSON front end (gemini-live.md §2.3, §4)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from realtalk.errors import ProtocolError
from realtalk.protocol.gemini import codec, wire
from realtalk.protocol.gemini.server_role import MAX_REASON_BYTES

# Frames captured from google-genai 3.4.0 (AI Studio backend) talking to a local socket:
# snake_case top-level keys, snake_case inside several configs, URL-safe base64.
SDK_SETUP = (
    '{"setup": {"model": "models/gemini-2.5-flash-native-audio-preview-12-2025", '
    '"generationConfig": {"responseModalities": ["AUDIO"], "temperature": 0.7, '
    '"mediaResolution": "MEDIA_RESOLUTION_LOW", "speechConfig": {"voice_config": '
    '{"prebuilt_voice_config": {"voice_name": "Kore"}}}, "thinkingConfig": '
    '{"thinking_budget": 0}, "enableAffectiveDialog": true}, "systemInstruction": '
    '{"parts": [{"text": "Be brief."}], "role": "user"}, "tools": [{"googleSearch": {}}, '
    '{"functionDeclarations": [{"description": "d", "name": "get_weather", "parameters": '
    '{"properties": {"city_name": {"type": "STRING"}}, "required": ["city_name"], '
    '"type": "OBJECT"}, "behavior": "NON_BLOCKING"}]}], "sessionResumption": '
    '{"handle": "H1"}, "inputAudioTranscription": {}, "outputAudioTranscription": {}, '
    '"realtimeInputConfig": {"automatic_activity_detection": {"disabled": false, '
    '"start_of_speech_sensitivity": "START_SENSITIVITY_LOW", "silence_duration_ms": 500}, '
    '"activity_handling": "NO_INTERRUPTION"}, "contextWindowCompression": '
    '{"trigger_tokens": 25600, "sliding_window": {"target_tokens": 12800}}, '
    '"proactivity": {"proactive_audio": true}}}'
)
SDK_AUDIO = (
    '{"realtime_input": {"audio": {"data": "__79AA==", "mime_type": "audio/pcm;rate=16000"}}}'
)
SDK_VIDEO = '{"realtime_input": {"video": {"data": "_9j_4A==", "mime_type": "image/jpeg"}}}'
SDK_CLIENT_CONTENT = (
    '{"client_content": {"turns": [{"parts": [{"text": "Hello"}], "role": "user"}], '
    '"turnComplete": true}}'
)
SDK_TOOL_RESPONSE = (
    '{"tool_response": {"functionResponses": [{"will_continue": true, "scheduling": '
    '"INTERRUPT", "id": "fc_1", "name": "get_weather", "response": {"output": '
    '{"temp_c": 21}}}]}}'
)


def test_sdk_setup_frame() -> None:
    setup = codec.decode_client(SDK_SETUP).setup
    assert setup is not None
    assert setup.model == "models/gemini-2.5-flash-native-audio-preview-12-2025"
    gen = setup.generation_config
    assert gen is not None and gen.speech_config is not None
    assert gen.speech_config.voice_config == wire.VoiceConfig(
        prebuilt_voice_config=wire.PrebuiltVoiceConfig(voice_name="Kore")
    )
    assert gen.thinking_config == wire.ThinkingConfig(thinking_budget=0)
    assert gen.enable_affective_dialog is True
    assert setup.realtime_input_config == wire.RealtimeInputConfig(
        automatic_activity_detection=wire.AutomaticActivityDetection(
            disabled=False,
            start_of_speech_sensitivity="START_SENSITIVITY_LOW",
            silence_duration_ms=500,
        ),
        activity_handling="NO_INTERRUPTION",
    )
    assert setup.context_window_compression == wire.ContextWindowCompressionConfig(
        trigger_tokens=25600, sliding_window=wire.SlidingWindow(target_tokens=12800)
    )
    assert setup.proactivity == wire.ProactivityConfig(proactive_audio=True)
    assert setup.session_resumption == wire.SessionResumptionConfig(handle="H1")
    assert setup.input_audio_transcription == wire.AudioTranscriptionConfig()
    assert setup.tools is not None
    (declaration,) = setup.tools[1].function_declarations or []
    # schema property names are free-form: never renamed
    assert declaration.parameters == {
        "properties": {"city_name": {"type": "STRING"}},
        "required": ["city_name"],
        "type": "OBJECT",
    }
    assert declaration.behavior == "NON_BLOCKING"


def test_sdk_realtime_frames_with_urlsafe_base64() -> None:
    assert codec.decode_client(SDK_AUDIO) == wire.ClientMessage(
        realtime_input=wire.RealtimeInput(
            audio=wire.Blob(mime_type="audio/pcm;rate=16000", data=b"\xff\xfe\xfd\x00")
        )
    )
    assert codec.decode_client(SDK_VIDEO.encode()) == wire.ClientMessage(
        realtime_input=wire.RealtimeInput(
            video=wire.Blob(mime_type="image/jpeg", data=b"\xff\xd8\xff\xe0")
        )
    )


def test_sdk_client_content_and_tool_response() -> None:
    assert codec.decode_client(SDK_CLIENT_CONTENT) == wire.ClientMessage(
        client_content=wire.ClientContent(
            turns=[wire.Content(role="user", parts=[wire.Part(text="Hello")])], turn_complete=True
        )
    )
    assert codec.decode_client(SDK_TOOL_RESPONSE) == wire.ClientMessage(
        tool_response=wire.ToolResponse(
            function_responses=[
                wire.FunctionResponse(
                    id="fc_1",
                    name="get_weather",
                    response={"output": {"temp_c": 21}},
                    scheduling="INTERRUPT",
                    will_continue=True,
                )
            ]
        )
    )


# -- spec examples (§4) ----------------------------------------------------------------------------

SPEC_SETUP = {
    "setup": {
        "model": "models/gemini-2.5-flash-native-audio-preview-12-2025",
        "generationConfig": {
            "responseModalities": ["AUDIO"],
            "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
            "thinkingConfig": {"thinkingBudget": 0},
        },
        "systemInstruction": {"parts": [{"text": "You are a concise travel assistant."}]},
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "get_weather",
                        "parameters": {
                            "type": "OBJECT",
                            "properties": {"city": {"type": "STRING"}},
                            "required": ["city"],
                        },
                    }
                ]
            }
        ],
        "realtimeInputConfig": {
            "automaticActivityDetection": {"disabled": False, "silenceDurationMs": 500},
            "activityHandling": "START_OF_ACTIVITY_INTERRUPTS",
        },
        "sessionResumption": {},
        "contextWindowCompression": {
            "triggerTokens": "25600",
            "slidingWindow": {"targetTokens": "12800"},
        },
        "inputAudioTranscription": {},
        "outputAudioTranscription": {},
    }
}


def test_spec_setup_example_round_trips_to_the_same_json() -> None:
    message = codec.decode_client(json.dumps(SPEC_SETUP))
    assert message.setup is not None
    cwc = message.setup.context_window_compression
    assert cwc is not None and cwc.trigger_tokens == 25600
    assert json.loads(codec.encode_client(message)) == SPEC_SETUP


@pytest.mark.parametrize(
    "frame",
    [
        {
            "clientContent": {
                "turns": [
                    {"role": "user", "parts": [{"text": "What is the capital of France?"}]},
                    {"role": "model", "parts": [{"text": "Paris."}]},
                ],
                "turnComplete": False,
            }
        },
        {"realtimeInput": {"audio": {"mimeType": "audio/pcm;rate=16000", "data": "AAABAAIA"}}},
        {"realtimeInput": {"video": {"mimeType": "image/jpeg", "data": "/9j/4AAQ"}}},
        {"realtimeInput": {"text": "Actually, make it Berlin."}},
        {"realtimeInput": {"audioStreamEnd": True}},
        {"realtimeInput": {"activityStart": {}}},
        {"realtimeInput": {"activityEnd": {}}},
        {"realtimeInput": {"mediaChunks": [{"mimeType": "audio/pcm;rate=16000", "data": "AAAA"}]}},
        {
            "toolResponse": {
                "functionResponses": [
                    {
                        "id": "function-call-7342",
                        "name": "get_weather",
                        "response": {"output": {"tempC": 21, "sky": "clear"}},
                    }
                ]
            }
        },
        {
            "toolResponse": {
                "functionResponses": [
                    {
                        "id": "fc_91",
                        "name": "start_timer",
                        "response": {"output": "timer done"},
                        "scheduling": "INTERRUPT",
                    }
                ]
            }
        },
        {
            "contextUpdate": {
                "systemInstruction": {"parts": [{"text": "Now answer in French."}]},
                "tools": {"tools": [{"functionDeclarations": [{"name": "lookup"}]}]},
            }
        },
        {
            "setup": {
                "model": "models/gemini-live-2.5-flash-preview",
                "generationConfig": {"responseModalities": ["TEXT"]},
            }
        },
        {
            "setup": {
                "model": "models/x",
                "realtimeInputConfig": {"automaticActivityDetection": {"disabled": True}},
            }
        },
        {
            "setup": {
                "model": "models/x",
                "tools": [
                    {
                        "functionDeclarations": [
                            {
                                "name": "get_weather",
                                "description": "Look up current weather",
                                "parameters": {
                                    "type": "OBJECT",
                                    "properties": {"city": {"type": "STRING"}},
                                    "required": ["city"],
                                },
                                "behavior": "NON_BLOCKING",
                            }
                        ]
                    },
                    {"googleSearch": {}},
                    {"codeExecution": {}},
                ],
            }
        },
    ],
)
def test_spec_client_examples_round_trip(frame: dict[str, Any]) -> None:
    message = codec.decode_client(json.dumps(frame))
    assert json.loads(codec.encode_client(message)) == frame


# -- snake_case and free-form JSON -----------------------------------------------------------------


def test_snake_case_everywhere_but_free_form_json_keeps_its_keys() -> None:
    frame = {
        "setup": {
            "model": "models/m",
            "generation_config": {"response_modalities": ["TEXT"], "top_k": 3},
            "realtime_input_config": {"automatic_activity_detection": {"silence_duration_ms": 700}},
            "tools": [
                {
                    "function_declarations": [
                        {
                            "name": "f",
                            "parameters_json_schema": {
                                "type": "object",
                                "properties": {"snake_name": {}, "camelName": {}},
                            },
                        }
                    ]
                }
            ],
            "labels": {"team_name": "a"},
            "context_window_compression": {"trigger_tokens": "100"},
        }
    }
    setup = codec.decode_client(json.dumps(frame)).setup
    assert setup is not None
    assert setup.generation_config == wire.GenerationConfig(response_modalities=["TEXT"], top_k=3)
    rtc = setup.realtime_input_config
    assert rtc is not None and rtc.automatic_activity_detection is not None
    assert rtc.automatic_activity_detection.silence_duration_ms == 700
    assert setup.tools is not None and setup.tools[0].function_declarations is not None
    schema = setup.tools[0].function_declarations[0].parameters_json_schema
    assert schema == {"type": "object", "properties": {"snake_name": {}, "camelName": {}}}
    assert setup.labels == {"team_name": "a"}
    assert setup.context_window_compression == wire.ContextWindowCompressionConfig(
        trigger_tokens=100
    )


def test_function_call_args_and_response_keys_are_not_renamed() -> None:
    frame = {
        "client_content": {
            "turns": [
                {
                    "role": "model",
                    "parts": [
                        {"function_call": {"id": "1", "name": "f", "args": {"city_name": "x"}}}
                    ],
                },
                {
                    "role": "user",
                    "parts": [
                        {
                            "function_response": {
                                "name": "f",
                                "response": {"temp_c": 1, "tempC": 2},
                            }
                        }
                    ],
                },
            ],
            "turn_complete": True,
        }
    }
    content = codec.decode_client(json.dumps(frame)).client_content
    assert content is not None and content.turns is not None
    call = (content.turns[0].parts or [])[0].function_call
    assert call is not None and call.args == {"city_name": "x"}
    response = (content.turns[1].parts or [])[0].function_response
    assert response is not None and response.response == {"temp_c": 1, "tempC": 2}
    assert content.turn_complete is True


# -- proto3-JSON scalars ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        base64.b64encode,
        base64.urlsafe_b64encode,
        lambda b: base64.b64encode(b).rstrip(b"="),
        lambda b: base64.urlsafe_b64encode(b).rstrip(b"="),
    ],
)
@pytest.mark.parametrize("data", [b"", b"\xff", b"\xfb\xff", b"\xfb\xef\xbe", bytes(range(256))])
def test_base64_alphabets_and_padding(encode: Any, data: bytes) -> None:
    text = encode(data).decode()
    frame = {"realtimeInput": {"audio": {"mimeType": "audio/pcm", "data": text}}}
    message = codec.decode_client(json.dumps(frame))
    assert message.realtime_input is not None and message.realtime_input.audio is not None
    assert (message.realtime_input.audio.data or b"") == data
    assert codec.decode_base64(text) == data


@pytest.mark.parametrize("text", ["A", "AAAAA", "AA=A", "A@AA", "AA AA", "ÄÄÄÄ"])
def test_invalid_base64(text: str) -> None:
    with pytest.raises(ValueError):
        codec.decode_base64(text)
    frame = {"realtimeInput": {"audio": {"data": text}}}
    with pytest.raises(ProtocolError, match=r"realtime_input\.audio\.data.*Base64"):
        codec.decode_client(json.dumps(frame))


def test_int64_as_number_or_string_and_int32_as_string() -> None:
    for value in (25600, "25600"):
        frame = {"setup": {"model": "m", "contextWindowCompression": {"triggerTokens": value}}}
        setup = codec.decode_client(json.dumps(frame)).setup
        assert setup is not None and setup.context_window_compression is not None
        assert setup.context_window_compression.trigger_tokens == 25600
    frame = {"setup": {"model": "m", "generationConfig": {"topK": "40"}}}
    setup = codec.decode_client(json.dumps(frame)).setup
    assert setup is not None and setup.generation_config is not None
    assert setup.generation_config.top_k == 40


def test_scheduling_inside_response_is_moved_out() -> None:
    frame = {
        "toolResponse": {
            "functionResponses": [
                {"id": "a", "name": "f", "response": {"output": "x", "scheduling": "SILENT"}},
                {"id": "b", "name": "f", "response": {"scheduling": "not-an-enum"}},
                {
                    "id": "c",
                    "name": "f",
                    "response": {"scheduling": "SILENT"},
                    "scheduling": "INTERRUPT",
                },
            ]
        }
    }
    message = codec.decode_client(json.dumps(frame))
    assert message.tool_response is not None
    a, b, c = message.tool_response.function_responses or []
    assert (a.scheduling, a.response) == ("SILENT", {"output": "x"})
    assert (b.scheduling, b.response) == (None, {"scheduling": "not-an-enum"})
    assert (c.scheduling, c.response) == ("INTERRUPT", {"scheduling": "SILENT"})


def test_audio_transcription_config_accepts_extra_fields_even_strict() -> None:
    frame = {
        "setup": {
            "model": "m",
            "inputAudioTranscription": {"languageCodes": ["en-US"], "somethingNewer": 1},
            "output_audio_transcription": {"language_codes": ["de-DE"], "mode": "SMART"},
        }
    }
    setup = codec.decode_client(json.dumps(frame), strict=True).setup
    assert setup is not None
    assert setup.input_audio_transcription == wire.AudioTranscriptionConfig(
        language_codes=["en-US"]
    )
    assert setup.output_audio_transcription == wire.AudioTranscriptionConfig(
        language_codes=["de-DE"], mode="SMART"
    )


# -- rejections ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (
            '{"setup": {"model": "m", "foo": 1}}',
            "Invalid JSON payload received. Unknown name \"foo\" at 'setup': Cannot find field.",
        ),
        (
            '{"setup": {"model": "m", "generation_config": {"fooBar": 1}}}',
            "Invalid JSON payload received. Unknown name \"fooBar\" at 'setup.generation_config': "
            "Cannot find field.",
        ),
        (
            '{"foo": {}}',
            'Invalid JSON payload received. Unknown name "foo": Cannot find field.',
        ),
        (
            '{"setup": {"model": "m", "tools": [{"functionDeclarations": '
            '[{"name": "f", "x": 1}]}]}}',
            'Invalid JSON payload received. Unknown name "x" at '
            "'setup.tools[0].function_declarations[0]': Cannot find field.",
        ),
    ],
)
def test_unknown_fields_are_rejected_in_strict_mode(frame: str, reason: str) -> None:
    with pytest.raises(ProtocolError) as info:
        codec.decode_client(frame)
    assert info.value.reason == reason


def test_unknown_fields_are_ignored_when_not_strict() -> None:
    frame = '{"setup": {"model": "m", "foo": 1, "generationConfig": {"bar": 2}}, "extra": {}}'
    assert codec.decode_client(frame, strict=False) == wire.ClientMessage(
        setup=wire.Setup(model="m", generation_config=wire.GenerationConfig())
    )


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        ("", "Invalid JSON"),
        ("{nope", "Invalid JSON"),
        (b"\xff\xfe", "Invalid JSON"),
        ("[]", "Root element must be a message"),
        ("{}", "exactly one message field, got 0"),
        ('{"setup": null}', "exactly one message field, got 0"),
        ('{"setup": {"model": "m"}, "clientContent": {}}', "exactly one message field, got 2"),
        ('{"setup": {}}', "Invalid value at 'setup'.*model"),
        ('{"setup": {"model": 5}}', "Invalid value at 'setup.model'"),
        (
            '{"setup": {"model": "m", "generationConfig": {"topK": "x"}}}',
            "'setup.generation_config.top_k'",
        ),
        ('{"realtimeInput": {"activityStart": true}}', "'realtime_input.activity_start'"),
        ('{"realtimeInput": {"mediaChunks": {}}}', "'realtime_input.media_chunks'"),
        (
            '{"clientContent": {"turns": [{"parts": [{"thoughtSignature": 5}]}]}}',
            "thought_signature",
        ),
        ('{"setup": {"model": "m", "labels": {"a": 1}}}', "'setup.labels"),
        ('{"clientContent": {"turnComplete": true, "turn_complete": false}}', "Duplicate field"),
        (
            '{"setup": {"model": "m", "generationConfig": {"responseModalities": ["audio"]}}}',
            "Invalid value at 'setup.generation_config.response_modalities\\[0\\]', \"audio\"",
        ),
        (
            '{"setup": {"model": "m", "generationConfig": {"mediaResolution": "HIGH"}}}',
            "media_resolution",
        ),
        (
            '{"setup": {"model": "m", "realtimeInputConfig": {"activityHandling": "NEVER"}}}',
            "activity_handling",
        ),
        (
            '{"toolResponse": {"functionResponses": [{"name": "f", "scheduling": "LATER"}]}}',
            "scheduling",
        ),
    ],
)
def test_invalid_frames(frame: str | bytes, match: str) -> None:
    with pytest.raises(ProtocolError, match=match) as info:
        codec.decode_client(frame)
    assert len(info.value.reason.encode()) <= MAX_REASON_BYTES


def test_unknown_enum_values_pass_when_not_strict() -> None:
    frame = '{"setup": {"model": "m", "generationConfig": {"mediaResolution": "ULTRA"}}}'
    setup = codec.decode_client(frame, strict=False).setup
    assert setup is not None and setup.generation_config is not None
    assert setup.generation_config.media_resolution == "ULTRA"


def test_long_reasons_are_cut_to_a_close_frame() -> None:
    name = "x" * 500
    with pytest.raises(ProtocolError) as info:
        codec.decode_client(json.dumps({"setup": {"model": "m", name: 1}}))
    assert len(info.value.reason.encode()) <= MAX_REASON_BYTES
    assert info.value.reason.endswith("...")
    with pytest.raises(ProtocolError) as info:
        codec.decode_client(json.dumps({"setup": {"model": "m", "é" * 300: 1}}))
    assert len(info.value.reason.encode()) <= MAX_REASON_BYTES
