"""Session time limit, scripted faults and the command line on the OpenAI side (§6.1, §8)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from realtalk.emulator import Emulator, Fault, Scenario, run_emulator_cli
from realtalk.errors import ConnectError
from realtalk.transport import WebSocketConnector

from .conftest import MODEL, Client, Factory, types


async def test_session_time_limit(make: Factory) -> None:
    h = await make(openai_session_limit=0.2)
    client = await h.connect()
    assert client.session["expires_at"] <= time.time() + 1
    error = await client.recv()
    assert error["type"] == "error"
    message = "Your session hit the maximum duration of 0.2 seconds."
    assert (error["error"]["code"], error["error"]["message"]) == ("session_expired", message)
    closed = await client.closed()
    assert (closed.code, closed.reason) == (1001, message)
    record = h.emulator.connections[0]
    await record.wait_closed()
    assert (record.close_code, record.close_reason) == (1001, message)


async def test_default_limit_is_sixty_minutes(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    expires = client.session["expires_at"]
    assert abs(expires - (time.time() + 3600)) < 5
    lifetime = await make(connection_lifetime=0.1)  # the Gemini lifetime applies too
    closed = await (await lifetime.connect()).closed()
    assert "maximum duration" in closed.reason and closed.code == 1001


async def test_drop_after_messages_then_a_healthy_reconnect(make: Factory) -> None:
    h = await make(Scenario(faults=[Fault(kind="drop", after_messages=2)]))
    client = await h.connect()
    await client.update()
    await client.send({"type": "input_audio_buffer.clear"})
    closed = await client.closed()
    assert closed.code == 1006
    again = await h.connect()  # a once fault fires on one connection only
    await again.update()
    await again.send({"type": "input_audio_buffer.clear"})
    assert (await again.recv())["type"] == "input_audio_buffer.cleared"


async def test_close_at_turn(make: Factory) -> None:
    fault = Fault(kind="close", at_turn=2, code=1011, reason="Internal error")
    h = await make(Scenario(faults=[fault]))
    client = await h.connect()
    await client.say("one", output_modalities=["text"])
    assert (await client.response())[-1]["response"]["status"] == "completed"
    await client.say("two", output_modalities=["text"])
    closed = await client.closed()
    assert (closed.code, closed.reason) == (1011, "Internal error")
    assert "response.created" not in types(client.received[-3:])  # closed before answering


async def test_malformed_and_stall(make: Factory) -> None:
    faults = [
        Fault(kind="stall", after_messages=1, seconds=0.05),
        Fault(kind="malformed", after_messages=2),
    ]
    h = await make(Scenario(faults=faults))
    client = await h.connect()
    await client.send({"type": "input_audio_buffer.clear"})
    assert (await client.recv())["type"] == "input_audio_buffer.cleared"
    await client.send({"type": "input_audio_buffer.clear"})
    cleared, bad = await client.conn.recv(), await client.conn.recv()
    assert json.loads(cleared)["type"] == "input_audio_buffer.cleared"
    assert isinstance(bad, str)  # a text frame that is not JSON
    with pytest.raises(json.JSONDecodeError):
        json.loads(bad)
    await client.update()  # the session goes on
    assert "malformed" in h.emulator.connections[0].sent


async def test_unknown_path_is_refused(make: Factory) -> None:
    h = await make()
    if h.transport == "ws":
        with pytest.raises(ConnectError, match="404"):
            await h.connector(h.emulator.url + "/v1/other?model=x", {})
        return
    conn = await h.connector("ws://emulator.invalid/v1/other?model=x", {})
    closed = await Client(conn).closed()
    assert closed.code == 1008


async def test_cli_serves_openai(capsys: pytest.CaptureFixture[str]) -> None:
    task = asyncio.create_task(run_emulator_cli("openai", 0, None, False))
    out = ""
    async with asyncio.timeout(5):
        while "\n" not in out:
            await asyncio.sleep(0.01)
            out += capsys.readouterr().out
    url = out.splitlines()[0]
    assert url.startswith("ws://127.0.0.1:")
    conn = await WebSocketConnector()(f"{url}/v1/realtime?model={MODEL}", {})
    client = Client(conn)
    assert (await client.recv())["type"] == "session.created"
    await client.close()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_both_protocols_on_one_server() -> None:
    async with Emulator() as emu:
        conn = await emu.connector()(emu.endpoint_url("openai") + f"?model={MODEL}", {})
        client = Client(conn)
        assert (await client.recv())["type"] == "session.created"
        gemini = await emu.connector()(emu.endpoint_url("ai_studio"), {})
        await gemini.send(json.dumps({"setup": {"model": "models/x"}}))
        assert "setupComplete" in json.loads(await gemini.recv())
        await gemini.close()
        await client.close()
        assert [r.platform for r in emu.connections] == ["openai", "ai_studio"]
