"""Function calls and the conversation's items (§4.5, §4.6, §4.8, §6.5)."""

from __future__ import annotations

import json

from realtalk.emulator import Scenario, ToolCallStep, Turn
from realtalk.emulator.openai_link import OpenAIConnectionRecord
from realtalk.emulator.state import ConnectionState

from .conftest import Client, Factory, joined, types

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


async def _output(client: Client, call_id: str, output: str) -> None:
    item = {"type": "function_call_output", "call_id": call_id, "output": output}
    await client.send({"type": "conversation.item.create", "item": item})
    assert types([await client.recv(), await client.recv()]) == [
        "conversation.item.added",
        "conversation.item.done",
    ]


async def test_function_call_round_trip(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.update(tools=[WEATHER], output_modalities=["text"])
    await client.say('call get_weather {"city": "Oslo, the capital of Norway"}')
    events = await client.response()
    kinds = types(events)
    deltas = kinds.count("response.function_call_arguments.delta")
    assert deltas > 1
    assert kinds == [
        "response.created",
        "response.output_item.added",
        "conversation.item.added",
        *["response.function_call_arguments.delta"] * deltas,
        "response.function_call_arguments.done",
        "response.output_item.done",
        "conversation.item.done",
        "response.done",
    ]
    added = events[1]["item"]
    call_id = added["call_id"]
    assert call_id.startswith("call_")
    assert (added["type"], added["status"], added["name"], added["arguments"]) == (
        "function_call",
        "in_progress",
        "get_weather",
        "",
    )
    arguments = '{"city":"Oslo, the capital of Norway"}'
    assert joined(events, "response.function_call_arguments.delta") == arguments
    done = events[-4]
    assert (done["call_id"], done["name"], done["arguments"]) == (call_id, "get_weather", arguments)
    assert all(e["call_id"] == call_id for e in events if "arguments" in e["type"])
    response = events[-1]["response"]
    assert response["status"] == "completed"
    assert response["output"] == [{**added, "status": "completed", "arguments": arguments}]
    await _output(client, call_id, json.dumps({"temp_c": 4, "sky": "snow"}))
    await client.send({"type": "response.create"})
    answer = await client.response()
    assert joined(answer, "response.output_text.delta") == (
        'get_weather returned {"temp_c":4,"sky":"snow"}'
    )
    history = [(e.role, e.kind, e.text) for e in h.emulator.connections[0].history]
    assert history == [
        ("user", "text", 'call get_weather {"city": "Oslo, the capital of Norway"}'),
        ("model", "tool_call", f"get_weather {arguments}"),
        ("tool", "tool_response", 'get_weather {"temp_c":4,"sky":"snow"}'),
        ("model", "text", 'get_weather returned {"temp_c":4,"sky":"snow"}'),
    ]


async def test_undeclared_function_is_echoed(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.say("call get_weather {}", output_modalities=["text"])
    events = await client.response()
    assert "response.function_call_arguments.done" not in types(events)
    assert joined(events, "response.output_text.delta") == "You said: call get_weather {}"
    # tool_choice none: no call even when declared
    await client.update(tools=[WEATHER], tool_choice="none")
    await client.say("call get_weather {}", output_modalities=["text"])
    assert joined(await client.response(), "response.output_text.delta").startswith("You said")


async def test_scripted_calls_and_reply(make: Factory) -> None:
    rule = Turn(
        match="weather",
        tool_calls=[ToolCallStep("get_weather", {"city": "Paris"}, id="call_fixed")],
        reply="{name} says {result}",
    )
    h = await make(Scenario(turns=[rule]))
    client = await h.connect()
    await client.update(tools=[WEATHER], output_modalities=["text"])
    await client.say("what's the weather?")
    events = await client.response()
    assert events[1]["item"]["call_id"] == "call_fixed"
    await _output(client, "call_fixed", "sunny")
    await client.send({"type": "response.create"})
    assert joined(await client.response(), "response.output_text.delta") == "get_weather says sunny"


async def test_connection_state_waits_for_tool_results(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await client.update(tools=[WEATHER], output_modalities=["text"])
    await client.say("call get_weather")
    call_id = (await client.response())[-1]["response"]["output"][0]["call_id"]
    record = h.emulator.connections[0]
    assert isinstance(record, OpenAIConnectionRecord)
    assert record.state is ConnectionState.TOOL_WAIT
    await _output(client, call_id, "1")
    await client.send({"type": "response.create"})
    await client.response()
    assert record.state is ConnectionState.IDLE
    await client.close()
    await record.wait_closed()
    assert record.state is ConnectionState.CLOSED


async def test_items_create_retrieve_delete_and_order(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    first = {"type": "message", "role": "user", "id": "item_a", "content": []}
    first["content"] = [{"type": "input_text", "text": "A"}]
    await client.send({"type": "conversation.item.create", "item": first})
    added = await client.recv()
    assert (added["previous_item_id"], added["item"]["id"]) == (None, "item_a")
    await client.recv()
    system = {"type": "message", "role": "system", "content": [{"type": "input_text", "text": "S"}]}
    await client.send(
        {"type": "conversation.item.create", "previous_item_id": "root", "item": system}
    )
    added = await client.recv()
    assert added["previous_item_id"] is None
    await client.recv()
    await client.send({"type": "conversation.item.create", "item": first, "event_id": "evt_dup"})
    error = (await client.recv())["error"]
    assert (error["param"], error["event_id"]) == ("item.id", "evt_dup")
    bad = {**first, "id": "item_b", "content": [{"type": "output_text", "text": "no"}]}
    await client.send({"type": "conversation.item.create", "item": bad})
    assert (await client.recv())["error"]["param"] == "item.content[0].type"
    after = {**first, "id": "item_c"}
    await client.send(
        {"type": "conversation.item.create", "previous_item_id": "missing", "item": after}
    )
    assert (await client.recv())["error"]["param"] == "previous_item_id"
    await client.send({"type": "conversation.item.retrieve", "item_id": "item_a"})
    retrieved = await client.recv()
    assert retrieved["type"] == "conversation.item.retrieved"
    assert retrieved["item"]["content"] == [{"type": "input_text", "text": "A"}]
    assert [(e.kind, e.text) for e in h.emulator.connections[0].history] == [
        ("system", "S"),
        ("text", "A"),
    ]
    await client.send({"type": "conversation.item.delete", "item_id": "item_a"})
    assert (await client.recv())["item_id"] == "item_a"
    await client.send({"type": "conversation.item.delete", "item_id": "item_a"})
    assert (await client.recv())["error"]["param"] == "item_id"
    assert [e.text for e in h.emulator.connections[0].history] == ["S"]
