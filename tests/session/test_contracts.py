"""Session satisfies RealtimeSession and SessionWriter; configuration changes mid-session."""

from __future__ import annotations

from typing import Any

import pytest

import realtalk
from realtalk.emulator import Emulator
from realtalk.events import Reconnecting, Resumed, TurnComplete
from realtalk.session.contracts import Applied, RealtimeSession, RequiresResumption, SessionWriter
from realtalk.transport import MemoryConnector

TEXT = {"generationConfig": {"responseModalities": ["TEXT"]}, "sessionResumption": {}}


def connect(emulator: Emulator, model: str = "gemini-2.5-flash", **options: Any) -> Any:
    options.setdefault("config", TEXT)
    return realtalk.connect(
        "gemini",
        model=model,
        url="ws://emulator",
        connector=MemoryConnector(emulator.handler),
        **options,
    )


async def test_session_satisfies_both_contracts() -> None:
    emulator = Emulator()
    async with connect(emulator) as session:
        assert isinstance(session, RealtimeSession)
        assert isinstance(session, SessionWriter)


async def test_gemini_2_5_instruction_change_requires_resumption_then_applies() -> None:
    emulator = Emulator()
    async with connect(emulator) as session:
        update = {"systemInstruction": {"parts": [{"text": "Answer in French."}]}}
        outcome = await session.mutate_context(update)
        assert outcome == RequiresResumption(update)
        watcher = session.clone()
        await session.apply(outcome.config)
        seen = []
        while not isinstance(event := await watcher.next_event(), Resumed):
            seen.append(event)
        assert [e.cause for e in seen if isinstance(e, Reconnecting)] == ["reconfigure"]
        await session.send_client_content("bonjour")
        while not isinstance(await session.next_event(), TurnComplete):
            pass
    first, second = emulator.connections[0].setup, emulator.connections[1].setup
    assert first is not None and first.system_instruction is None
    assert second is not None and second.system_instruction is not None
    assert second.system_instruction.parts[0].text == "Answer in French."
    assert second.session_resumption is not None and second.session_resumption.handle


async def test_gemini_3_applies_instructions_with_context_update() -> None:
    emulator = Emulator()
    async with connect(emulator, model="gemini-3.1-flash-live-preview") as session:
        await session.update_instruction("Be terse.")
        await session.send_client_content("hi")
        while not isinstance(await session.next_event(), TurnComplete):
            pass
    record = emulator.connections[0]
    assert len(emulator.connections) == 1  # no reconnection was needed
    assert [e.kind for e in record.log][:3] == ["setup", "context_update", "client_content"]


async def test_bad_update_raises_before_sending() -> None:
    emulator = Emulator()
    async with connect(emulator) as session:
        with pytest.raises(realtalk.ConfigError, match="bogus"):
            await session.mutate_context({"bogus": 1})
        with pytest.raises(TypeError):
            await session.mutate_context("not a mapping")
        assert await session.mutate_context({"tools": []}) == RequiresResumption({"tools": []})


async def test_gemini_contract_commands() -> None:
    emulator = Emulator()
    async with connect(emulator) as session:
        await session.commit_audio()  # no-op on Gemini
        await session.clear_audio()  # no-op
        await session.interrupt()  # automatic VAD: no-op
        await session.truncate("item", 100)  # no-op
        await session.send_client_content("hello", turn_complete=False)
        await session.create_response()
        while not isinstance(await session.next_event(), TurnComplete):
            pass
    kinds = [e.kind for e in emulator.connections[0].log]
    assert kinds == ["setup", "client_content", "client_content"]
    with pytest.raises(realtalk.SessionClosed):
        await session.interrupt()


async def test_manual_vad_interrupt_sends_activity_start() -> None:
    emulator = Emulator()
    config = {**TEXT, "realtimeInputConfig": {"automaticActivityDetection": {"disabled": True}}}
    async with connect(emulator, config=config) as session:
        await session.interrupt()
        await session.activity_end()
    kinds = [e.kind for e in emulator.connections[0].log]
    assert kinds[1:] == ["activity_start", "activity_end"]


def test_outcomes_compare_by_value() -> None:
    assert Applied() == Applied()
    assert RequiresResumption({"a": 1}) != RequiresResumption({"a": 2})
