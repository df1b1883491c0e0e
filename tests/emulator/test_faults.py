"""Scripted faults: drop, close, stall, malformed frames, goAway (gemini-live.md §6.10)."""

from __future__ import annotations

import asyncio
import json

import pytest

from realtalk.emulator import Fault, Scenario

from .conftest import Factory, model_text

TEXT = {"generationConfig": {"responseModalities": ["TEXT"]}}


async def test_drop_at_turn_gives_1006(make: Factory) -> None:
    h = await make(Scenario(faults=[Fault(kind="drop", at_turn=2)]))
    client = await h.connect(TEXT)
    await client.text("first")
    await client.turn()
    await client.text("second")
    assert (await client.closed()).code == 1006
    await h.emulator.connections[0].wait_closed()
    assert h.emulator.connections[0].close_code == 1006


async def test_close_after_messages(make: Factory) -> None:
    fault = Fault(kind="close", after_messages=2, code=1011, reason="Internal error occurred.")
    h = await make(Scenario(faults=[fault]))
    client = await h.connect(TEXT)
    await client.text("one")
    await client.turn()
    await client.text("two")
    closed = await client.closed()
    assert (closed.code, closed.reason) == (1011, "Internal error occurred.")
    assert [e.index for e in h.emulator.connections[0].log] == [0, 1, 2]


async def test_close_after_seconds(make: Factory) -> None:
    h = await make(
        Scenario(faults=[Fault(kind="close", after_seconds=0.01, code=1008, reason="x")])
    )
    client = await h.connect()
    assert (await client.closed()).code == 1008


async def test_once_fault_hits_only_the_first_connection(make: Factory) -> None:
    h = await make(Scenario(faults=[Fault(kind="close", at_turn=1, code=1011)]))
    first = await h.connect(TEXT)
    await first.text("a")
    assert (await first.closed()).code == 1011
    second = await h.connect(TEXT)
    await second.text("b")
    assert model_text(await second.turn()) == "You said: b"


async def test_repeating_fault_hits_every_connection(make: Factory) -> None:
    h = await make(Scenario(faults=[Fault(kind="close", at_turn=1, code=1011, once=False)]))
    for _ in range(2):
        client = await h.connect(TEXT)
        await client.text("a")
        assert (await client.closed()).code == 1011


async def test_malformed_frame_then_the_session_goes_on(make: Factory) -> None:
    h = await make(Scenario(faults=[Fault(kind="malformed", after_messages=1)]))
    client = await h.connect(TEXT)
    await client.text("hello")
    raw = await client.recv_raw()
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)
    assert model_text(await client.turn()) == "You said: hello"
    assert h.emulator.connections[0].sent[1] == "malformed"


async def test_stall_sends_nothing(make: Factory) -> None:
    h = await make(Scenario(faults=[Fault(kind="stall", at_turn=1, seconds=30)]))
    client = await h.connect(TEXT)
    await client.text("hello")
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):  # the reply would come within milliseconds
            await client.conn.recv()
    await client.close()  # ends the stall with the connection


async def test_short_stall_then_the_reply(make: Factory) -> None:
    h = await make(Scenario(faults=[Fault(kind="stall", after_messages=1, seconds=0.05)]))
    client = await h.connect(TEXT)
    await client.text("hello")
    assert model_text(await client.turn()) == "You said: hello"


async def test_go_away_fault(make: Factory) -> None:
    h = await make(Scenario(faults=[Fault(kind="go_away", at_turn=1, seconds=0.05)]))
    client = await h.connect(TEXT)
    await client.text("hello")
    assert await client.recv() == {"goAway": {"timeLeft": "0.050s"}}
    assert (await client.closed()).code == 1011
