"""A dropped OpenAI session reconnects and rebuilds its conversation from the item log."""

from __future__ import annotations

from typing import Any

import realtalk
from realtalk.emulator import Emulator, Fault, Scenario
from realtalk.events import Event, Resumed, TextDelta, TurnComplete
from realtalk.session.policy import ReconnectPolicy
from realtalk.transport import MemoryConnector

FAST = ReconnectPolicy(base=0.01, max=0.02, attempts=5)
TEXT = {"type": "realtime", "output_modalities": ["text"]}


async def reply(session: realtalk.Session, seen: list[Event]) -> str:
    text = ""
    while not isinstance(event := await session.next_event(), TurnComplete):
        assert event is not None
        seen.append(event)
        if isinstance(event, TextDelta):
            text += event.text
    return text


def history(emulator: Emulator, number: int) -> list[tuple[str, str]]:
    record: Any = emulator.connections[number]
    return [(item.role, item.text) for item in record.history]


async def test_conversation_is_rebuilt_after_a_drop() -> None:
    emulator = Emulator(Scenario(faults=[Fault(kind="drop", at_turn=2)]))
    connector = MemoryConnector(emulator.handler)
    seen: list[Event] = []
    async with realtalk.connect(
        "openai",
        model="gpt-realtime",
        url="ws://emulator",
        config=TEXT,
        connector=connector,
        reconnect=FAST,
    ) as session:
        await session.send_text("one")
        assert await reply(session, seen) == "You said: one"
        await session.send_text("two")
        while not isinstance(event := await session.next_event(), Resumed):
            assert event is not None
            seen.append(event)
        resumed = event
        await session.create_response()  # the interrupted request is the application's call
        second = await reply(session, seen)
    await connector.aclose()
    assert resumed.state_restored is True  # text only: nothing lost
    assert resumed.replayed >= 2
    restored = history(emulator, 1)
    assert restored[:2] == [("user", "one"), ("model", "You said: one")]
    assert ("user", "two") in restored
    assert second == "You said: two"


def test_audio_items_restore_as_transcripts_and_say_so() -> None:
    from realtalk.protocol.openai import wire
    from realtalk.protocol.openai.history import ItemLog

    log = ItemLog()
    log.record(
        wire.MessageItem(
            id="a", role="user", content=[wire.InputAudioContent(transcript="hello there")]
        )
    )
    log.record(
        wire.MessageItem(
            id="b", role="assistant", content=[wire.OutputAudioContent(transcript="hi!")]
        )
    )
    log.record(wire.MessageItem(id="c", role="user", content=[wire.InputAudioContent()]))
    log.record(wire.FunctionCallItem(id="d", call_id="call_1", name="f", arguments="{}"))
    log.record(wire.FunctionCallOutputItem(id="e", call_id="call_1", output="42"))
    restoration = log.restoration()
    assert restoration.complete is False  # audio became text, one had no transcript
    kinds = [type(item).__name__ for item in restoration.items]
    assert kinds == ["MessageItem", "MessageItem", "FunctionCallItem", "FunctionCallOutputItem"]
    first, second = restoration.items[0], restoration.items[1]
    assert isinstance(first, wire.MessageItem) and isinstance(second, wire.MessageItem)
    assert first.content == [wire.InputTextContent(text="hello there")]
    assert second.content == [wire.OutputTextContent(text="hi!")]
    log.delete("a")
    log.delete("b")
    log.delete("c")
    assert log.restoration().complete is True
