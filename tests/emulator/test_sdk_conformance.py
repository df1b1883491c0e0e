"""The official google-genai SDK holds a conversation with the emulator (ARCHITECTURE §6).

The SDK always uses ``wss://``, so the emulator serves TLS and the SDK trusts its
CA through ``SSL_CERT_FILE``. Its frames use snake_case keys and URL-safe base64.
"""

from __future__ import annotations

from typing import Any

import pytest

from realtalk.audio import silence, tone
from realtalk.emulator import Emulator

genai = pytest.importorskip("google.genai")
types = pytest.importorskip("google.genai.types")


async def _turn(session: Any) -> list[Any]:
    return [message async for message in session.receive()]


async def test_google_genai_sdk_conversation(monkeypatch: pytest.MonkeyPatch) -> None:
    async with Emulator(tls=True) as emulator:
        monkeypatch.setenv("SSL_CERT_FILE", str(emulator.ca_file))
        base_url = emulator.url.replace("wss://", "https://")
        client = genai.Client(
            api_key="k", http_options={"base_url": base_url, "api_version": "v1beta"}
        )
        config = types.LiveConnectConfig(
            response_modalities=["TEXT"],
            session_resumption=types.SessionResumptionConfig(),
            input_audio_transcription=types.AudioTranscriptionConfig(),
            tools=[
                types.Tool(function_declarations=[types.FunctionDeclaration(name="get_weather")])
            ],
        )
        async with client.aio.live.connect(model="gemini-live-test", config=config) as session:
            await session.send_client_content(
                turns=types.Content(role="user", parts=[types.Part(text="hello")])
            )
            messages = await _turn(session)
            assert "".join(m.text or "" for m in messages) == "You said: hello"
            assert messages[-1].usage_metadata.total_token_count > 0

            await session.send_realtime_input(text='call get_weather {"city": "Paris"}')
            call = None
            async for message in session.receive():
                if message.tool_call:
                    call = message.tool_call.function_calls[0]
                    response = types.FunctionResponse(
                        id=call.id, name=call.name, response={"output": 21}
                    )
                    await session.send_tool_response(function_responses=[response])
            assert call is not None and call.args == {"city": "Paris"}

            pcm = tone(220, 0.3, 16000) + silence(0.6, 16000)
            await session.send_realtime_input(
                audio=types.Blob(data=pcm, mime_type="audio/pcm;rate=16000")
            )
            messages = await _turn(session)
            heard = "".join(
                m.server_content.input_transcription.text
                for m in messages
                if m.server_content and m.server_content.input_transcription
            )
            assert heard == "(audio 0.3 s)"
        record = emulator.connections[0]
        await record.wait_closed()
        assert record.kinds() == ["setup", "client_content", "text", "tool_response", "audio"]
        assert record.error is None
