"""Client role of the codec: server frames -> events, commands -> bytes (gemini-live.md §2-§5)."""

from __future__ import annotations

import base64
import json

import msgspec
import pytest

from realtalk.errors import ProtocolError
from realtalk.protocol import events as ev
from realtalk.protocol.gemini import codec, wire

PCM_B64 = "AAAA//8AAP7/"
PCM = base64.b64decode(PCM_B64)

# -- decode_server: spec examples ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ('{"setupComplete": {}}', (ev.SetupComplete(),)),
        ('{"setupComplete": {"sessionId": "s-1"}}', (ev.SetupComplete(session_id="s-1"),)),
        (
            '{"serverContent": {"modelTurn": {"parts": [{"inlineData": '
            '{"mimeType": "audio/pcm;rate=24000", "data": "AAAA//8AAP7/"}}]}}}',
            (ev.AudioDelta(data=PCM, sample_rate=24000),),
        ),
        (
            '{"serverContent": {"outputTranscription": {"text": "It\'s sunny"}}}',
            (ev.OutputTranscript(text="It's sunny"),),
        ),
        (
            '{"serverContent": {"inputTranscription": {"text": "what\'s the weather", '
            '"finished": true}}}',
            (ev.InputTranscript(text="what's the weather", final=True),),
        ),
        ('{"serverContent": {"generationComplete": true}}', (ev.GenerationComplete(),)),
        (
            '{"serverContent": {"turnComplete": true}, "usageMetadata": {"promptTokenCount": '
            '412, "responseTokenCount": 96, "totalTokenCount": 508}}',
            (
                ev.Usage(prompt_tokens=412, response_tokens=96, total_tokens=508),
                ev.TurnComplete(),
            ),
        ),
        ('{"serverContent": {"interrupted": true}}', (ev.Interrupted(),)),
        (
            '{"serverContent": {"modelTurn": {"parts": [{"text": "Paris."}]}, '
            '"turnComplete": true}}',
            (ev.TextDelta(text="Paris."), ev.TurnComplete()),
        ),
        (
            '{"toolCall": {"functionCalls": [{"id": "function-call-7342", "name": '
            '"get_weather", "args": {"city": "Berlin"}}, {"id": "function-call-7343", '
            '"name": "get_time", "args": {"tz": "Europe/Berlin"}}]}}',
            (
                ev.ToolCall(
                    calls=(
                        ev.FunctionCall("function-call-7342", "get_weather", {"city": "Berlin"}),
                        ev.FunctionCall("function-call-7343", "get_time", {"tz": "Europe/Berlin"}),
                    )
                ),
            ),
        ),
        (
            '{"toolCallCancellation": {"ids": ["function-call-7343"]}}',
            (ev.ToolCallCancelled(ids=("function-call-7343",)),),
        ),
        ('{"goAway": {"timeLeft": "50s"}}', (ev.GoAway(time_left=50.0),)),
        (
            '{"sessionResumptionUpdate": {"newHandle": "Cg8KDXNlc3Npb25faGFuZGxl", '
            '"resumable": true}}',
            (ev.ResumptionUpdate(handle="Cg8KDXNlc3Npb25faGFuZGxl", resumable=True),),
        ),
        (
            '{"sessionResumptionUpdate": {"resumable": false}}',
            (ev.ResumptionUpdate(handle=None, resumable=False),),
        ),
        (
            '{"sessionResumptionUpdate": {"newHandle": "Cg8K", "resumable": true, '
            '"lastConsumedClientMessageIndex": "41"}}',
            (ev.ResumptionUpdate(handle="Cg8K", resumable=True, last_consumed_index=41),),
        ),
        (
            '{"usageMetadata": {"promptTokenCount": 412, "responseTokenCount": 96, '
            '"totalTokenCount": 508, "promptTokensDetails": [{"modality": "TEXT", '
            '"tokenCount": 300}, {"modality": "AUDIO", "tokenCount": 112}], '
            '"responseTokensDetails": [{"modality": "AUDIO", "tokenCount": 96}]}}',
            (
                ev.Usage(
                    prompt_tokens=412,
                    response_tokens=96,
                    total_tokens=508,
                    prompt_details={"TEXT": 300, "AUDIO": 112},
                    response_details={"AUDIO": 96},
                ),
            ),
        ),
        (
            '{"voiceActivity": {"type": "ACTIVITY_START", "audioOffset": "1.2s"}}',
            (ev.SpeechStarted(offset=1.2),),
        ),
        ('{"voiceActivity": {"type": "ACTIVITY_END"}}', (ev.SpeechStopped(),)),
        (
            '{"voiceActivityDetectionSignal": {"vadSignalType": "VAD_SIGNAL_TYPE_SOS"}}',
            (ev.SpeechStarted(),),
        ),
        (
            '{"voiceActivityDetectionSignal": {"vadSignalType": "VAD_SIGNAL_TYPE_EOS"}}',
            (ev.SpeechStopped(),),
        ),
    ],
)
def test_spec_examples(frame: str, expected: tuple[ev.Event, ...]) -> None:
    assert codec.decode_server(frame) == expected
    assert codec.decode_server(frame.encode()) == expected  # binary frames hold JSON too


def test_one_message_splits_in_the_documented_order() -> None:
    frame = {
        "serverContent": {
            "turnComplete": True,
            "interrupted": True,
            "outputTranscription": {"text": "Sure", "finished": True},
            "modelTurn": {"parts": [{"text": "Sure"}]},
            "inputTranscription": {"text": "stop"},
            "generationComplete": True,
            "waitingForInput": True,
            "interimInputTranscription": {"text": "sto"},
            "groundingMetadata": {"webSearchQueries": ["q"]},
            "turnCompleteReason": "NEED_MORE_INPUT",
            "interactionStatus": "IDLE",
        },
        "usageMetadata": {"totalTokenCount": 5},
    }
    assert codec.decode_server(json.dumps(frame)) == (
        ev.InputTranscript(text="stop"),
        ev.InputTranscript(text="sto", interim=True),
        ev.TextDelta(text="Sure"),
        ev.OutputTranscript(text="Sure", final=True),
        ev.Grounding(grounding={"webSearchQueries": ["q"]}),
        ev.Interrupted(),
        ev.GenerationComplete(),
        ev.WaitingForInput(),
        ev.Usage(total_tokens=5),
        ev.TurnComplete(reason="NEED_MORE_INPUT", status="IDLE"),
    )


def test_text_interrupted_turn_complete_and_usage() -> None:
    frame = (
        b'{"serverContent":{"modelTurn":{"role":"model","parts":[{"text":"Hi"}]},'
        b'"interrupted":true,"turnComplete":true},'
        b'"usageMetadata":{"promptTokenCount":9,"responseTokenCount":8,"totalTokenCount":17}}'
    )
    assert codec.decode_server(frame) == (
        ev.TextDelta(text="Hi"),
        ev.Interrupted(),
        ev.Usage(prompt_tokens=9, response_tokens=8, total_tokens=17),
        ev.TurnComplete(),
    )


def test_parts_keep_their_order() -> None:
    frame = {
        "serverContent": {
            "modelTurn": {
                "parts": [
                    {"text": "plan", "thought": True, "thoughtSignature": "AAEC"},
                    {"text": "Answer"},
                    {"inlineData": {"mimeType": "audio/pcm", "data": PCM_B64}},
                    {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
                    {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}},
                    {"inlineData": {"mimeType": "audio/pcm;rate=16000", "data": PCM_B64}},
                ]
            }
        }
    }
    assert codec.decode_server(json.dumps(frame)) == (
        ev.Thought(text="plan"),
        ev.TextDelta(text="Answer"),
        ev.AudioDelta(data=PCM, sample_rate=24000),  # bare audio/pcm output = 24 kHz
        ev.CodeExecution(language="PYTHON", code="print(1)"),
        ev.CodeExecutionResult(outcome="OUTCOME_OK", output="1\n"),
        ev.AudioDelta(data=PCM, sample_rate=16000),
    )


def test_non_pcm_inline_data_is_not_dropped() -> None:
    frame = {
        "serverContent": {
            "modelTurn": {"parts": [{"inlineData": {"mimeType": "image/png", "data": "iVBO"}}]}
        }
    }
    (event,) = codec.decode_server(json.dumps(frame))
    assert isinstance(event, ev.Unknown)
    assert event.raw["serverContent"]["modelTurn"]["parts"][0]["inlineData"]["mimeType"] == (
        "image/png"
    )


def test_vertex_usage_names() -> None:
    frame = {
        "usageMetadata": {
            "promptTokenCount": 10,
            "candidatesTokenCount": 7,
            "totalTokenCount": 17,
            "candidatesTokensDetails": [{"modality": "AUDIO", "tokenCount": 7}],
            "trafficType": "ON_DEMAND",
            "cachedContentTokenCount": 2,
            "thoughtsTokenCount": 3,
            "toolUsePromptTokenCount": 4,
        }
    }
    assert codec.decode_server(json.dumps(frame)) == (
        ev.Usage(
            prompt_tokens=10,
            response_tokens=7,
            total_tokens=17,
            cached_tokens=2,
            thoughts_tokens=3,
            tool_use_prompt_tokens=4,
            response_details={"AUDIO": 7},
        ),
    )


def test_int64_accepted_as_number_too() -> None:
    frame = (
        b'{"sessionResumptionUpdate":{"newHandle":"h","resumable":true,'
        b'"lastConsumedClientMessageIndex":7}}'
    )
    assert codec.decode_server(frame) == (
        ev.ResumptionUpdate(handle="h", resumable=True, last_consumed_index=7),
    )


def test_go_away_with_fraction_and_without_time() -> None:
    assert codec.decode_server('{"goAway":{"timeLeft":"0.500s"}}') == (ev.GoAway(time_left=0.5),)
    assert codec.decode_server('{"goAway":{}}') == (ev.GoAway(),)


def test_empty_tool_call_and_tool_call_args_keep_their_keys() -> None:
    frame = b'{"toolCall":{"functionCalls":[{"id":"c1","name":"f","args":{"city_name":"x"}}]}}'
    (event,) = codec.decode_server(frame)
    assert isinstance(event, ev.ToolCall)
    assert event.calls[0].args == {"city_name": "x"}
    assert codec.decode_server(b'{"toolCall":{}}') == (ev.ToolCall(calls=()),)


# -- decode_server: odd frames ---------------------------------------------------------------------


@pytest.mark.parametrize("frame", [b"", "", b"{}", "{}", b"  \n", b" {} "])
def test_empty_frames_give_no_events(frame: str | bytes) -> None:
    assert codec.decode_server(frame) == ()


@pytest.mark.parametrize("frame", [b'{"serverContent":{}}', b'{"serverContent":{"modelTurn":{}}}'])
def test_known_but_empty_messages_give_no_events(frame: bytes) -> None:
    assert codec.decode_server(frame) == ()


def test_unknown_top_level_key() -> None:
    assert codec.decode_server(b'{"brandNewMessage":{"a":[1,2]}}') == (
        ev.Unknown(raw={"brandNewMessage": {"a": [1, 2]}}),
    )


def test_unknown_key_beside_a_known_one_is_ignored() -> None:
    assert codec.decode_server(b'{"goAway":{"timeLeft":"1s"},"extra":1}') == (
        ev.GoAway(time_left=1.0),
    )


@pytest.mark.parametrize(
    "frame",
    [
        b"garbage",
        b"[1,2]",
        b"null",
        b'"text"',
        b'{"serverContent": {"turnComplete": [1]}}',
        b'{"serverContent": {"modelTurn": {"parts": [{"inlineData": {"data": "@@@"}}]}}}',
        b'{"goAway": {"timeLeft": "soon"}}',
        b'{"voiceActivity": {"type": "ACTIVITY_START", "audioOffset": "x"}}',
        b'{"toolCall": {"functionCalls": {"id": 1}}}',
        b"\xff\xfe",
        b'{"serverContent":{"groundingMetadata":{"a":' + b"[" * 50000 + b"]" * 50000 + b"}}}",
    ],
)
def test_malformed_frames_become_one_error_event(frame: bytes) -> None:
    events = codec.decode_server(frame)
    assert len(events) == 1
    (event,) = events
    assert isinstance(event, ev.Error)
    assert event.code == "malformed"
    assert 0 < len(event.message) <= 200


def test_unknown_voice_activity_type_is_unknown_event() -> None:
    (event,) = codec.decode_server(b'{"voiceActivity":{"type":"TYPE_UNSPECIFIED"}}')
    assert event == ev.Unknown(raw={"voiceActivity": {"type": "TYPE_UNSPECIFIED"}})


def test_decode_server_message_raises_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        codec.decode_server_message(b"{nope")
    assert codec.decode_server_message(b"") == wire.ServerMessage()


def test_decode_server_is_decode_plus_events() -> None:
    frame = b'{"serverContent":{"outputTranscription":{"text":"a"}},"usageMetadata":{}}'
    message = codec.decode_server_message(frame)
    assert codec.server_message_events(message) == codec.decode_server(frame)


# -- parse_pcm_rate --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mime", "default", "rate"),
    [
        ("audio/pcm;rate=24000", None, 24000),
        ("audio/pcm; rate=16000", None, 16000),
        ("AUDIO/PCM;RATE=8000", None, 8000),
        ("audio/pcm;rate=16000;channels=1", None, 16000),
        ("audio/pcm", 24000, 24000),
        ("audio/pcm", None, None),
        ("audio/pcm;rate=abc", 24000, None),
        ("audio/pcm;rate=0", 24000, None),
        ("audio/pcm;rate=" + "9" * 5000, 24000, None),
        ("image/jpeg", 24000, None),
        ("audio/wav", 24000, None),
    ],
)
def test_parse_pcm_rate(mime: str, default: int | None, rate: int | None) -> None:
    assert codec.parse_pcm_rate(mime, default) == rate


# -- encoders --------------------------------------------------------------------------------------


def test_encode_audio_exact_bytes() -> None:
    assert codec.encode_audio(b"\x00\x01\x02") == (
        b'{"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate=16000","data":"AAEC"}}}'
    )
    assert codec.encode_audio(b"\x00\x01", 48000) == (
        b'{"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate=48000","data":"AAE="}}}'
    )


@pytest.mark.parametrize("rate", [0, -1, 1.5, "16000", True])
def test_encode_audio_rejects_bad_rates(rate: object) -> None:
    with pytest.raises(ValueError):
        codec.encode_audio(b"\x00\x00", rate)  # type: ignore[arg-type]


def test_encode_audio_rejects_text() -> None:
    with pytest.raises(TypeError):
        codec.encode_audio("not bytes")  # type: ignore[arg-type]


def test_encode_audio_base64() -> None:
    expected = b'{"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate=16000","data":"AAEC"}}}'
    assert codec.encode_audio_base64("AAEC") == expected
    assert codec.encode_audio_base64(b"AAEC") == expected
    for bad in ['AA"}', "AA\\", "AAé=", "AA EC"]:
        with pytest.raises(ValueError):
            codec.encode_audio_base64(bad)


def test_encode_video_and_text_escape_json() -> None:
    assert codec.encode_video(b"\xff\xd8", 'image/"jpeg"') == (
        b'{"realtimeInput":{"video":{"mimeType":"image/\\"jpeg\\"","data":"/9g="}}}'
    )
    assert codec.encode_text('say "hi"\n') == b'{"realtimeInput":{"text":"say \\"hi\\"\\n"}}'
    with pytest.raises(TypeError):
        codec.encode_text(b"x")  # type: ignore[arg-type]


def test_constant_realtime_signals() -> None:
    assert codec.encode_activity_start() == b'{"realtimeInput":{"activityStart":{}}}'
    assert codec.encode_activity_end() == b'{"realtimeInput":{"activityEnd":{}}}'
    assert codec.encode_audio_stream_end() == b'{"realtimeInput":{"audioStreamEnd":true}}'


def test_encode_client_content_always_writes_turn_complete() -> None:
    turn = wire.Content(role="user", parts=[wire.Part(text="Hello!")])
    assert codec.encode_client_content([turn], True) == (
        b'{"clientContent":{"turns":[{"role":"user","parts":[{"text":"Hello!"}]}],'
        b'"turnComplete":true}}'
    )
    assert codec.encode_client_content((turn,), False).endswith(b'"turnComplete":false}}')
    lazy = iter([turn])
    assert codec.encode_client_content(lazy, False) == codec.encode_client_content(  # type: ignore[arg-type]
        [turn], False
    )


def test_encode_tool_response_and_context_update() -> None:
    response = wire.FunctionResponse(
        id="function-call-1", name="get_weather", response={"output": {"tempC": 21}}
    )
    assert codec.encode_tool_response([response]) == (
        b'{"toolResponse":{"functionResponses":[{"id":"function-call-1","name":"get_weather",'
        b'"response":{"output":{"tempC":21}}}]}}'
    )
    update = wire.ContextUpdate(
        system_instruction=wire.Content(parts=[wire.Part(text="Now answer in French.")]),
        tools=wire.ToolsWrapper(
            tools=[wire.Tool(function_declarations=[wire.FunctionDeclaration(name="lookup")])]
        ),
    )
    assert codec.encode_context_update(update) == (
        b'{"contextUpdate":{"systemInstruction":{"parts":[{"text":"Now answer in French."}]},'
        b'"tools":{"tools":[{"functionDeclarations":[{"name":"lookup"}]}]}}}'
    )


def test_encode_setup_writes_int64_as_strings() -> None:
    setup = wire.Setup(
        model="models/m",
        context_window_compression=wire.ContextWindowCompressionConfig(
            trigger_tokens=25600, sliding_window=wire.SlidingWindow(target_tokens=12800)
        ),
        session_resumption=wire.SessionResumptionConfig(),
    )
    body = json.loads(codec.encode_setup(setup))
    assert body == {
        "setup": {
            "model": "models/m",
            "sessionResumption": {},
            "contextWindowCompression": {
                "triggerTokens": "25600",
                "slidingWindow": {"targetTokens": "12800"},
            },
        }
    }
    assert codec.encode_setup(wire.Setup(model="models/m")) == b'{"setup":{"model":"models/m"}}'


def test_encode_client_routes_and_checks_the_envelope() -> None:
    setup = wire.Setup(
        model="models/m",
        context_window_compression=wire.ContextWindowCompressionConfig(trigger_tokens=5),
    )
    assert codec.encode_client(wire.ClientMessage(setup=setup)) == codec.encode_setup(setup)
    rt = wire.ClientMessage(realtime_input=wire.RealtimeInput(text="hi"))
    assert codec.encode_client(rt) == codec.encode_text("hi")
    with pytest.raises(ValueError, match="exactly one"):
        codec.encode_client(wire.ClientMessage())
    with pytest.raises(ValueError, match="exactly one"):
        codec.encode_client(
            wire.ClientMessage(setup=setup, realtime_input=wire.RealtimeInput(text="x"))
        )


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            codec.encode_audio(PCM, 24000),
            wire.RealtimeInput(audio=wire.Blob(mime_type="audio/pcm;rate=24000", data=PCM)),
        ),
        (
            codec.encode_audio_base64(PCM_B64),
            wire.RealtimeInput(audio=wire.Blob(mime_type="audio/pcm;rate=16000", data=PCM)),
        ),
        (
            codec.encode_video(b"\xff\xd8\xff", "image/jpeg"),
            wire.RealtimeInput(video=wire.Blob(mime_type="image/jpeg", data=b"\xff\xd8\xff")),
        ),
        (codec.encode_text("hé"), wire.RealtimeInput(text="hé")),
        (codec.encode_activity_start(), wire.RealtimeInput(activity_start=wire.ActivityStart())),
        (codec.encode_activity_end(), wire.RealtimeInput(activity_end=wire.ActivityEnd())),
        (codec.encode_audio_stream_end(), wire.RealtimeInput(audio_stream_end=True)),
    ],
)
def test_fast_builders_match_the_structs(frame: bytes, message: wire.RealtimeInput) -> None:
    expected = wire.ClientMessage(realtime_input=message)
    assert codec.decode_client(frame) == expected
    assert codec.encode_client(expected) == frame


# -- encode_server ---------------------------------------------------------------------------------


def test_encode_server_audio_chunk() -> None:
    message = wire.ServerMessage(
        server_content=wire.ServerContent(
            model_turn=wire.Content(
                role="model",
                parts=[
                    wire.Part(inline_data=wire.Blob(mime_type="audio/pcm;rate=24000", data=PCM))
                ],
            )
        )
    )
    frame = codec.encode_server(message)
    assert frame == (
        b'{"serverContent":{"modelTurn":{"role":"model","parts":[{"inlineData":'
        b'{"mimeType":"audio/pcm;rate=24000","data":"AAAA//8AAP7/"}}]}}}'
    )
    assert codec.decode_server(frame) == (ev.AudioDelta(data=PCM, sample_rate=24000),)


def test_encode_server_int64_and_durations() -> None:
    sru = wire.SessionResumptionUpdate(
        new_handle="H1", resumable=True, last_consumed_client_message_index=41
    )
    assert codec.encode_server(wire.ServerMessage(session_resumption_update=sru)) == (
        b'{"sessionResumptionUpdate":{"newHandle":"H1","resumable":true,'
        b'"lastConsumedClientMessageIndex":"41"}}'
    )
    go_away = wire.GoAway(time_left=wire.format_duration(50))
    assert codec.encode_server(wire.ServerMessage(go_away=go_away)) == (
        b'{"goAway":{"timeLeft":"50s"}}'
    )
    numeric = wire.GoAway(time_left=1.5)  # type: ignore[arg-type]  # forgiving on purpose
    assert codec.encode_server(wire.ServerMessage(go_away=numeric)) == (
        b'{"goAway":{"timeLeft":"1.500s"}}'
    )
    va = wire.VoiceActivity(type="ACTIVITY_END", audio_offset=2)  # type: ignore[arg-type]
    assert codec.encode_server(wire.ServerMessage(voice_activity=va)) == (
        b'{"voiceActivity":{"type":"ACTIVITY_END","audioOffset":"2s"}}'
    )


def test_encode_server_omits_defaults_and_keeps_usage_beside() -> None:
    message = wire.ServerMessage(
        server_content=wire.ServerContent(turn_complete=True),
        usage_metadata=wire.UsageMetadata(candidates_token_count=3, traffic_type="ON_DEMAND"),
    )
    assert codec.encode_server(message) == (
        b'{"serverContent":{"turnComplete":true},'
        b'"usageMetadata":{"candidatesTokenCount":3,"trafficType":"ON_DEMAND"}}'
    )
    assert codec.encode_server(wire.ServerMessage(setup_complete=wire.SetupComplete())) == (
        b'{"setupComplete":{}}'
    )


def test_server_round_trip_through_the_client_decoder() -> None:
    message = wire.ServerMessage(
        tool_call=wire.ToolCall(
            function_calls=[wire.WireFunctionCall(id="c", name="f", args={"snake_key": [1, None]})]
        ),
        usage_metadata=wire.UsageMetadata(total_token_count=1),
    )
    assert codec.decode_server_message(codec.encode_server(message)) == message
    assert msgspec.json.decode(codec.encode_server(message))["toolCall"]["functionCalls"][0][
        "args"
    ] == {"snake_key": [1, None]}
