"""The Emulator object: serving, TLS, scenario files, the CLI entry (gemini-live.md §1, §9)."""

from __future__ import annotations

import asyncio
import json
import ssl
from pathlib import Path

import pytest

from realtalk.emulator import Emulator, Scenario, run_emulator_cli
from realtalk.errors import ConfigError, ConnectError
from realtalk.transport import WebSocketConnector

from .conftest import AI_STUDIO_MODEL, Client, Factory, model_text

SCENARIO = {
    "turns": [
        {"turn": 1, "reply": "Welcome!"},
        {"match": "(?i)weather", "reply": "Sunny, you asked: {text}"},
    ],
    "input_transcripts": ["spoken words"],
}
YAML = """
turns:
  - turn: 1
    reply: Welcome!
  - match: (?i)weather
    reply: "Sunny, you asked: {text}"
input_transcripts: [spoken words]
"""


def _exists(path: str | Path) -> bool:
    return Path(path).is_file()


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
async def test_scenario_file_drives_the_conversation(
    make: Factory, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"scenario{suffix}"
    path.write_text(json.dumps(SCENARIO) if suffix == ".json" else YAML)
    h = await make(Scenario.from_file(path))
    client = await h.connect({"generationConfig": {"responseModalities": ["TEXT"]}})
    replies = []
    for text in ["hi", "What's the WEATHER?", "bye"]:
        await client.text(text)
        replies.append(model_text(await client.turn()))
    assert replies == ["Welcome!", "Sunny, you asked: What's the WEATHER?", "You said: bye"]


async def test_url_port_and_lifecycle() -> None:
    emulator = Emulator()
    with pytest.raises(RuntimeError):
        _ = emulator.url
    assert emulator.endpoint_url("vertex").endswith(
        "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent"
    )
    async with emulator:
        assert emulator.url == f"ws://127.0.0.1:{emulator.port}"
        assert emulator.port > 0
        assert emulator.ca_file is None
        assert emulator.endpoint_url().startswith(
            emulator.url + "/ws/google.ai.generativelanguage.v1beta."
        )
        with pytest.raises(RuntimeError):
            emulator.ssl_client_context()
        with pytest.raises(RuntimeError):
            await emulator.start()
    await emulator.aclose()  # idempotent


@pytest.mark.parametrize(
    "kwargs",
    [{"port": 70000}, {"connection_lifetime": -1.0}, {"vad_threshold": 0.0}],
)
def test_bad_options(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        Emulator(**kwargs)  # type: ignore[arg-type]


async def test_tls_handshake_with_the_ca_file() -> None:
    async with Emulator(tls=True) as emulator:
        assert emulator.url.startswith("wss://127.0.0.1:")
        ca_file = emulator.ca_file
        assert ca_file is not None and ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")
        context = ssl.create_default_context(cafile=str(ca_file))
        conn = await WebSocketConnector(ssl=context)(emulator.endpoint_url(), {})
        client = Client(conn)
        await client.send({"setup": {"model": AI_STUDIO_MODEL}})
        assert "setupComplete" in await client.recv()
        await client.close()
        with pytest.raises(ConnectError):  # the system trust store does not know the CA
            await WebSocketConnector(ssl=ssl.create_default_context())(emulator.endpoint_url(), {})
    assert not _exists(ca_file)


async def test_cli_entry_prints_url_then_ca(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(SCENARIO))
    task = asyncio.create_task(run_emulator_cli("gemini", 0, str(path), True))
    out = ""
    async with asyncio.timeout(5):
        while out.count("\n") < 2:
            await asyncio.sleep(0.01)
            out += capsys.readouterr().out
    url, ca = out.splitlines()
    assert url.startswith("wss://127.0.0.1:") and _exists(ca)
    path_only = Emulator().endpoint_url().removeprefix("ws://emulator.invalid")
    connector = WebSocketConnector(ssl=ssl.create_default_context(cafile=ca))
    client = Client(await connector(url + path_only, {}))
    await client.send(
        {"setup": {"model": AI_STUDIO_MODEL, "generationConfig": {"responseModalities": ["TEXT"]}}}
    )
    await client.recv()
    await client.text("hi")  # turn 1 of the scenario file
    assert model_text(await client.turn()) == "Welcome!"
    await client.close()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not _exists(ca)


async def test_cli_rejects_other_providers() -> None:
    with pytest.raises(ValueError, match="anthropic"):
        await run_emulator_cli("anthropic", 0, None, False)
