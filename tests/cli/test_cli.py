"""The `realtalk` command: the emulator prints its URL first, the demo runs end to end."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

import realtalk
from realtalk.cli.demo import run_demo
from realtalk.cli.main import main
from realtalk.events import TextDelta, TurnComplete


async def start_emulator_process(*args: str) -> tuple[asyncio.subprocess.Process, list[str]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "realtalk.cli.main",
        "emulator",
        "--provider",
        "gemini",
        "--port",
        "0",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    lines = [(await proc.stdout.readline()).decode().strip()]
    if "--tls" in args:
        lines.append((await proc.stdout.readline()).decode().strip())
    return proc, lines


async def stop(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGINT)
    await proc.wait()


async def text_turn(**kwargs: object) -> str:
    config = {"generationConfig": {"responseModalities": ["TEXT"]}}
    async with realtalk.connect("gemini", model="gemini-test", config=config, **kwargs) as s:
        await s.send_client_content("ping")
        text = ""
        async for event in s.events():
            if isinstance(event, TextDelta):
                text += event.text
            if isinstance(event, TurnComplete):
                return text
    raise AssertionError("no turn")


async def test_emulator_command_prints_url_first_and_serves() -> None:
    proc, (url,) = await start_emulator_process()
    try:
        assert url.startswith("ws://127.0.0.1:")
        assert await text_turn(url=url) == "You said: ping"
    finally:
        await stop(proc)


async def test_emulator_command_with_tls_prints_ca_file() -> None:
    proc, (url, ca_line) = await start_emulator_process("--tls")
    try:
        assert url.startswith("wss://127.0.0.1:")
        ca_file = ca_line.split()[-1]
        assert ca_file.endswith(".pem")  # the TLS turn below proves it is the right CA
        assert await text_turn(url=url, ca_file=ca_file) == "You said: ping"
    finally:
        await stop(proc)


async def test_demo_narrates_every_act(capsys: pytest.CaptureFixture[str]) -> None:
    assert await run_demo() == 0
    out = capsys.readouterr().out
    for expected in (
        "You said: Hello! What can you do?",
        'get_weather({"city": "Berlin"})',
        "get_weather returned",
        "input transcript:",
        "kHz PCM audio",
        "usage: prompt",
        "resumption handle:",
        "resumed, session",
        "closed cleanly",
    ):
        assert expected in out


def test_demo_live_without_key_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    assert main(["demo", "--live"]) == 2
    assert "GEMINI_API_KEY" in capsys.readouterr().err


def test_replay_command_prints_a_timeline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rec.jsonl"

    async def record() -> None:
        from realtalk.emulator import Emulator

        async with Emulator() as emulator:
            await text_turn(url=emulator.url, record_to=path)

    asyncio.run(record())
    assert main(["replay", str(path)]) == 0
    out = capsys.readouterr().out
    assert "setup" in out and "turnComplete" in out
    assert main(["replay", str(tmp_path / "missing.jsonl")]) == 2
