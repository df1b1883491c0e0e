"""Function calls, barge-in and cancellation (gemini-live.md §6.3, §6.6)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from realtalk.audio import silence, tone
from realtalk.emulator import Scenario, ToolCallStep, Turn

from .conftest import Client, Factory, content, kinds, model_text, transcript

LOUD = tone(220, 0.1, 16000)
LONG = "This reply is long enough to leave plenty of time for the user to barge in. " * 3


def setup(*functions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "generationConfig": {"responseModalities": ["TEXT"]},
        "tools": [{"functionDeclarations": list(functions)}],
    }
    body.update(extra)
    return body


WEATHER = {"name": "get_weather", "parameters": {"type": "OBJECT"}}
TIMER = {"name": "start_timer", "behavior": "NON_BLOCKING"}


async def respond(
    client: Client, call: dict[str, Any], response: dict[str, Any], **extra: Any
) -> None:
    answer = {"id": call["id"], "name": call["name"], "response": response, **extra}
    await client.send({"toolResponse": {"functionResponses": [answer]}})


async def test_call_round_trip_blocking(make: Factory) -> None:
    h = await make()
    client = await h.connect(setup(WEATHER))
    await client.text('call get_weather {"city": "Paris"}')
    messages = await client.until(lambda m: "toolCall" in m)
    assert "turnComplete" not in json.dumps(messages)
    (call,) = messages[-1]["toolCall"]["functionCalls"]
    assert call["name"] == "get_weather" and call["args"] == {"city": "Paris"}
    assert call["id"]
    await respond(client, call, {"output": {"tempC": 21}})
    turn = await client.turn()
    assert model_text(turn) == 'get_weather returned {"output":{"tempC":21}}'
    assert kinds(turn)[-2:] == ["generationComplete", "turnComplete"]
    history = [(e.role, e.kind) for e in h.emulator.connections[0].history]
    assert history == [
        ("user", "text"),
        ("model", "tool_call"),
        ("tool", "tool_response"),
        ("model", "text"),
    ]


async def test_call_ids_are_unique(make: Factory) -> None:
    h = await make()
    client = await h.connect(setup(WEATHER))
    ids = []
    for _ in range(2):
        await client.text("call get_weather {}")
        (call,) = (await client.until(lambda m: "toolCall" in m))[-1]["toolCall"]["functionCalls"]
        ids.append(call["id"])
        await respond(client, call, {"output": 1})
        await client.turn()
    assert len(set(ids)) == 2


async def test_undeclared_call_is_plain_text(make: Factory) -> None:
    h = await make()
    client = await h.connect(setup(WEATHER))
    await client.text('call launch_rocket {"now": true}')
    messages = await client.turn()
    assert "toolCall" not in json.dumps(messages)
    assert model_text(messages) == 'You said: call launch_rocket {"now": true}'


async def test_non_blocking_when_idle(make: Factory) -> None:
    h = await make()
    client = await h.connect(setup(TIMER))
    await client.text('call start_timer {"seconds": 5}')
    first = await client.turn()
    assert kinds(first)[0] == "toolCall"
    assert model_text(first) == "Started start_timer."
    call = first[0]["toolCall"]["functionCalls"][0]
    await respond(client, call, {"output": "done"})  # WHEN_IDLE by default
    assert model_text(await client.turn()) == 'start_timer returned {"output":"done"}'


async def test_non_blocking_silent_adds_no_turn(make: Factory) -> None:
    h = await make()
    client = await h.connect(setup(TIMER))
    await client.text("call start_timer")
    call = (await client.turn())[0]["toolCall"]["functionCalls"][0]
    await respond(client, call, {"output": "done"}, scheduling="SILENT")
    await client.text("next")
    assert model_text(await client.turn()) == "You said: next"
    assert h.emulator.connections[0].history[-3].text == 'start_timer {"output":"done"}'


async def test_non_blocking_interrupt_cuts_the_current_turn(make: Factory) -> None:
    scenario = Scenario(turns=[Turn(match="^long$", reply=LONG, chunk_delay=0.01)])
    h = await make(scenario)
    client = await h.connect(setup(TIMER))
    await client.text("call start_timer")
    call = (await client.turn())[0]["toolCall"]["functionCalls"][0]
    await client.text("long")
    await client.until(lambda m: "modelTurn" in m.get("serverContent", {}))
    # scheduling placed inside `response` is accepted too (§4.4 note)
    await respond(client, call, {"output": "rang", "scheduling": "INTERRUPT"})
    cut = await client.turn()
    assert "interrupted" in kinds(cut) and "generationComplete" not in kinds(cut)
    assert model_text(await client.turn()) == 'start_timer returned {"output":"rang"}'


async def test_barge_in_interrupts_with_ordering(make: Factory) -> None:
    h = await make(Scenario(turns=[Turn(match="^long$", reply=LONG, chunk_delay=0.01)]))
    client = await h.connect(setup())
    await client.text("long")
    await client.until(lambda m: "modelTurn" in m.get("serverContent", {}))
    await client.audio(LOUD)
    cut = await client.turn()
    order = kinds(cut)
    assert "generationComplete" not in order
    assert order[-2:] == ["interrupted", "turnComplete"]
    assert "usageMetadata" in cut[-1]
    spoken = h.emulator.connections[0].history[-1]
    assert spoken.role == "model" and LONG.startswith(spoken.text) and spoken.text != LONG
    await client.audio(silence(0.6))  # the barge-in utterance ends: a new turn
    assert model_text(await client.turn()) == "You said: (audio 0.1 s)"


async def test_no_interruption_lets_the_model_finish(make: Factory) -> None:
    h = await make(Scenario(turns=[Turn(match="^long$", reply=LONG, chunk_delay=0.01)]))
    client = await h.connect(setup(realtimeInputConfig={"activityHandling": "NO_INTERRUPTION"}))
    await client.text("long")
    await client.until(lambda m: "modelTurn" in m.get("serverContent", {}))
    await client.audio(LOUD + silence(0.6))
    first = await client.turn()
    assert "interrupted" not in kinds(first) and "generationComplete" in kinds(first)
    assert model_text(await client.turn()) == "You said: (audio 0.1 s)"


async def test_client_content_interrupts_generation(make: Factory) -> None:
    h = await make(Scenario(turns=[Turn(match="^long$", reply=LONG, chunk_delay=0.01)]))
    client = await h.connect(setup())
    await client.text("long")
    await client.until(lambda m: "modelTurn" in m.get("serverContent", {}))
    await client.text("stop")
    cut = await client.turn()
    assert kinds(cut)[-2:] == ["interrupted", "turnComplete"]
    assert model_text(await client.turn()) == "You said: stop"


async def test_barge_in_during_blocking_call_cancels_it(make: Factory) -> None:
    h = await make()
    client = await h.connect(setup(WEATHER))
    await client.text("call get_weather {}")
    call = (await client.until(lambda m: "toolCall" in m))[-1]["toolCall"]["functionCalls"][0]
    await client.audio(LOUD)
    cut = await client.turn()
    assert kinds(cut) == ["interrupted", "toolCallCancellation", "turnComplete"]
    assert cut[1]["toolCallCancellation"]["ids"] == [call["id"]]


async def test_scripted_calls_and_cancel_after(make: Factory) -> None:
    scenario = Scenario(
        turns=[
            Turn(
                match="weather",
                tool_calls=[
                    ToolCallStep("get_weather", {"city": "Oslo"}, id="w1"),
                    ToolCallStep("get_time", {}, id="t1", cancel_after=0.05),
                ],
            )
        ]
    )
    h = await make(scenario)
    client = await h.connect(setup(WEATHER))
    await client.text("weather please")
    messages = await client.until(lambda m: "toolCallCancellation" in m)
    calls = messages[0]["toolCall"]["functionCalls"]
    assert [(c["id"], c["name"], c["args"]) for c in calls] == [
        ("w1", "get_weather", {"city": "Oslo"}),
        ("t1", "get_time", {}),
    ]
    assert messages[-1]["toolCallCancellation"]["ids"] == ["t1"]
    await respond(client, calls[0], {"output": "cold"})
    assert model_text(await client.turn()) == (
        'get_weather returned {"output":"cold"} get_time was cancelled.'
    )


async def test_scripted_reply_template_after_call(make: Factory) -> None:
    scenario = Scenario(
        turns=[
            Turn(
                turn=1,
                tool_calls=[ToolCallStep("get_weather")],
                reply="{name}: {result} for {text}",
            )
        ]
    )
    h = await make(scenario)
    client = await h.connect(setup(WEATHER))
    await client.text("q")
    call = (await client.until(lambda m: "toolCall" in m))[-1]["toolCall"]["functionCalls"][0]
    await respond(client, call, {"output": 3})
    assert model_text(await client.turn()) == 'get_weather: {"output":3} for q'


async def test_strict_tool_wait_closes_1008(make: Factory) -> None:
    h = await make(strict_tool_wait=True)
    client = await h.connect(setup(WEATHER))
    await client.text("call get_weather {}")
    await client.until(lambda m: "toolCall" in m)
    await client.text("are you there?")
    assert (await client.closed()).code == 1008


@pytest.mark.parametrize("scheduling", ["WHEN_IDLE", "SCHEDULING_UNSPECIFIED"])
async def test_will_continue_keeps_the_call_open(make: Factory, scheduling: str) -> None:
    h = await make()
    client = await h.connect(setup(TIMER))
    await client.text("call start_timer")
    call = (await client.turn())[0]["toolCall"]["functionCalls"][0]
    await respond(client, call, {"output": 1}, willContinue=True, scheduling=scheduling)
    assert model_text(await client.turn()) == 'start_timer returned {"output":1}'
    await respond(client, call, {"output": 2}, scheduling=scheduling)
    assert model_text(await client.turn()) == 'start_timer returned {"output":2}'
    assert content(await _probe(client), "modelTurn")


async def _probe(client: Client) -> list[dict[str, Any]]:
    await client.text("probe")
    return await client.turn()


@pytest.mark.parametrize("audio", [False, True])
async def test_an_interrupted_turn_holds_exactly_what_the_client_received(
    make: Factory, audio: bool
) -> None:
    # In memory with no chunk delay the turn is always in the middle of writing a
    # chunk when the interruption lands: a chunk already written counts as said.
    # Over sockets a small delay leaves the client time to interrupt at all.
    h = await make(Scenario(turns=[Turn(match="^long$", reply=LONG)]))
    if h.transport != "memory":
        h = await make(Scenario(turns=[Turn(match="^long$", reply=LONG)], chunk_delay=0.005))
    body = setup()
    if audio:
        body["generationConfig"] = {"responseModalities": ["AUDIO"]}
        body["outputAudioTranscription"] = {}
    client = await h.connect(body)
    await client.text("long")
    key = "outputTranscription" if audio else "modelTurn"
    first = await client.until(lambda m: key in m.get("serverContent", {}))
    await client.text("stop")
    cut = first + await client.turn()
    assert "interrupted" in kinds(cut)
    received = transcript(cut) if audio else model_text(cut)
    said = [e for e in h.emulator.connections[0].history if e.role == "model"]
    assert [e.text for e in said] == [received]
    assert received and LONG.startswith(received) and received != LONG
