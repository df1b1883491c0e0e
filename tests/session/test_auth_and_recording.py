"""Token providers are asked on every connect; recordings hold every frame, no secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import realtalk
from realtalk.emulator import Emulator, Fault, Scenario
from realtalk.events import Resumed, TurnComplete
from realtalk.session.policy import ReconnectPolicy
from realtalk.transport import MemoryConnector

FAST = ReconnectPolicy(base=0.01, max=0.02, attempts=5)
CONFIG = {"generationConfig": {"responseModalities": ["TEXT"]}, "sessionResumption": {}}


async def until(session: realtalk.Session, kind: type) -> None:
    while not isinstance(await session.next_event(), kind):
        pass


async def test_token_provider_is_called_on_every_connect_and_reconnect() -> None:
    tokens = iter(["key-1", "key-2", "key-3"])
    calls: list[str] = []

    async def provider() -> str:
        calls.append(token := next(tokens))
        return token

    emulator = Emulator(
        Scenario(faults=[Fault(kind="drop", at_turn=1)]), api_keys=["key-1", "key-2"]
    )
    connector = MemoryConnector(emulator.handler)
    async with realtalk.connect(
        "gemini",
        model="m",
        url="ws://emulator",
        config=CONFIG,
        connector=connector,
        token_provider=provider,
        reconnect=FAST,
    ) as s:
        await s.send_client_content("hi")
        await until(s, Resumed)
        await until(s, TurnComplete)
    await connector.aclose()
    assert calls == ["key-1", "key-2"]
    seen = [r.request.headers.get("x-goog-api-key") for r in emulator.connections]
    assert seen == ["key-1", "key-2"]


async def test_failing_token_provider_is_a_connect_error() -> None:
    async def provider() -> str:
        raise RuntimeError("vault unavailable: secret-material")

    connector = MemoryConnector(Emulator().handler)
    try:
        realtalk_call = realtalk.connect(
            "gemini", model="m", url="ws://e", connector=connector, token_provider=provider
        )
        try:
            await realtalk_call
        except realtalk.ConnectError as exc:
            assert "token provider failed" in str(exc)
            assert "secret-material" not in str(exc)
        else:
            raise AssertionError("connect should fail")
    finally:
        await connector.aclose()


async def test_recording_has_every_frame_of_every_connection_and_no_secret(
    tmp_path: Path,
) -> None:
    path = tmp_path / "session.jsonl"
    secret = "AIza-very-secret-key"
    emulator = Emulator(Scenario(faults=[Fault(kind="drop", at_turn=1)]))
    connector = MemoryConnector(emulator.handler)
    async with realtalk.connect(
        "gemini",
        model="m",
        url="ws://emulator",
        api_key=secret,
        key_in_query=True,
        config=CONFIG,
        connector=connector,
        record_to=path,
        reconnect=FAST,
    ) as s:
        await s.send_client_content("hi")
        await until(s, Resumed)
        await until(s, TurnComplete)
    await connector.aclose()
    text = path.read_text()
    assert secret not in text
    lines: list[dict[str, Any]] = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["realtalk_recording"] == 1
    frames = [line for line in lines[1:] if line["dir"] in ("send", "recv")]
    assert {line["conn"] for line in frames} == {1, 2}
    sent = [json.loads(line["data"]) for line in frames if line["dir"] == "send"]
    assert [m.get("setup", {}).get("model") for m in sent if "setup" in m] == ["models/m"] * 2
    assert sum("clientContent" in m for m in sent) == 2  # sent, then replayed after the drop
    opened = [line for line in lines if line.get("event") == "connect"]
    assert len(opened) == 2 and all(secret not in line["url"] for line in opened)
