"""The server VAD idle timeout: ``input_audio_buffer.timeout_triggered`` (§3.2, §5.11).

The idle path runs with ``openai_idle_scale`` so that the wait takes milliseconds;
tests that only need a pending timer use the real scale and never wait for it.
Whether a timer is pending is read from the emulator's task list after a
round trip, never from durations.
"""

from __future__ import annotations

import asyncio
import math

import pytest

from realtalk.audio import silence, tone
from realtalk.emulator import Emulator
from realtalk.emulator.openai_idle import IDLE_TASK_NAME
from realtalk.errors import ConfigError

from .conftest import Client, Factory, joined, types

RATE = 24000
IDLE = {"type": "server_vad", "idle_timeout_ms": 5000}
FAST = 0.001  # openai_idle_scale of the tests that let the timer fire


def idle_timers(*, cancelled_too: bool = False) -> list[asyncio.Task[object]]:
    """The emulator's idle-timeout tasks still pending (all transports share the loop)."""
    return [
        task
        for task in asyncio.all_tasks()
        if task.get_name() == IDLE_TASK_NAME
        and not task.done()
        and (cancelled_too or not task.cancelling())
    ]


async def roundtrip(client: Client) -> None:
    """An event whose answer comes after everything the server did before it (an
    ``error`` that changes nothing, the idle timer included)."""
    await client.send({"type": "conversation.item.retrieve", "item_id": "item_none"})
    event = await client.recv()
    assert event["type"] == "error" and event["error"]["param"] == "item_id", event


async def armed_after_a_response(client: Client) -> None:
    await client.update(audio={"input": {"turn_detection": IDLE}}, output_modalities=["text"])
    await client.append(silence(0.2, RATE))
    await client.say("hello")
    await client.response()
    await roundtrip(client)
    assert len(idle_timers()) == 1


async def test_idle_timeout_commits_the_silent_buffer_and_responds(make: Factory) -> None:
    h = await make(openai_idle_scale=FAST)
    client = await h.connect()
    transcription = {"model": "gpt-4o-transcribe"}
    await client.update(audio={"input": {"turn_detection": IDLE, "transcription": transcription}})
    await client.append(silence(0.3, RATE))  # silence: no VAD events
    await client.say("hello")
    first = await client.response()
    assert joined(first, "response.output_audio_transcript.delta") == "You said: hello"
    assistant_id = first[1]["item"]["id"]
    events = await client.response()  # the idle prompt
    assert types(events)[:6] == [
        "input_audio_buffer.timeout_triggered",
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
        "conversation.item.input_audio_transcription.completed",
        "response.created",
    ]
    triggered, committed, added, done, transcribed = events[:5]
    item_id = triggered["item_id"]
    assert (triggered["audio_start_ms"], triggered["audio_end_ms"]) == (0, 300)
    assert committed["item_id"] == item_id and committed["previous_item_id"] == assistant_id
    assert added["item"]["id"] == item_id and added["item"]["role"] == "user"
    assert added["item"]["content"] == [{"type": "input_audio", "transcript": None}]
    assert done["item"]["id"] == item_id
    assert (transcribed["item_id"], transcribed["transcript"]) == (item_id, "")
    assert joined(events, "response.output_audio_transcript.delta") == "You said: "
    assert events[-1]["response"]["status"] == "completed"
    record = h.emulator.connections[0]
    user = record.history[2]
    assert (user.role, user.kind, user.text) == ("user", "audio", "")
    assert user.seconds == pytest.approx(0.3)
    # the idle response re-arms the timer: the next one commits an empty buffer
    again = await client.response()
    assert types(again)[:2] == [
        "input_audio_buffer.timeout_triggered",
        "input_audio_buffer.committed",
    ]
    assert (again[0]["audio_start_ms"], again[0]["audio_end_ms"]) == (300, 300)
    assert again[0]["item_id"] != item_id
    assert record.sent.count("input_audio_buffer.timeout_triggered") >= 2


@pytest.mark.parametrize("event", ["clear", "commit", "session.update", "response", "speech"])
async def test_client_activity_cancels_the_idle_timer(make: Factory, event: str) -> None:
    h = await make()  # the real scale: the timer never fires during the test
    client = await h.connect()
    await armed_after_a_response(client)
    if event == "clear":
        await client.send({"type": "input_audio_buffer.clear"})
        assert (await client.recv())["type"] == "input_audio_buffer.cleared"
    elif event == "commit":
        await client.append(silence(0.2, RATE))
        await client.send({"type": "input_audio_buffer.commit"})
        await client.until("conversation.item.done")
    elif event == "session.update":
        await client.update(instructions="Still there?")
    elif event == "response":
        await client.send({"type": "response.create"})
        await client.until("response.created")
    else:
        await client.append(tone(220, 0.3, RATE) + silence(0.3, RATE))
        await client.until("input_audio_buffer.speech_started")
    assert idle_timers() == []
    if event in ("response", "speech"):  # the new response re-arms it when it ends
        await client.response()
        await roundtrip(client)
        assert len(idle_timers()) == 1


async def test_refused_events_leave_the_idle_timer_armed(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await armed_after_a_response(client)
    await client.send({"type": "session.update", "session": {"type": "realtime", "model": "x"}})
    assert (await client.recv())["error"]["param"] == "session.model"
    await client.send({"type": "response.cancel"})
    assert (await client.recv())["error"]["code"] == "response_cancel_not_active"
    await roundtrip(client)
    assert len(idle_timers()) == 1


async def test_the_idle_timer_ends_with_the_connection(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    await armed_after_a_response(client)
    await client.close()
    await h.emulator.connections[0].wait_closed()
    assert idle_timers(cancelled_too=True) == []


async def test_no_idle_timer_without_idle_timeout_ms(make: Factory) -> None:
    h = await make(openai_idle_scale=FAST)
    client = await h.connect()
    assert client.session["audio"]["input"]["turn_detection"]["idle_timeout_ms"] is None
    await client.say("hello", output_modalities=["text"])
    await client.response()
    await roundtrip(client)
    assert idle_timers() == []
    assert "input_audio_buffer.timeout_triggered" not in h.emulator.connections[0].sent


async def test_idle_timeout_is_for_server_vad_only(make: Factory) -> None:
    h = await make()
    client = await h.connect()
    semantic = {"type": "semantic_vad", "idle_timeout_ms": 5000}
    await client.send(
        {
            "type": "session.update",
            "session": {"type": "realtime", "audio": {"input": {"turn_detection": semantic}}},
        }
    )
    error = (await client.recv())["error"]
    assert error["code"] == "unknown_parameter"
    assert error["param"] == "session.audio.input.turn_detection.idle_timeout_ms"


@pytest.mark.parametrize(
    ("value", "accepted"), [(5000, True), (30000, True), (4999, False), (30001, False)]
)
async def test_real_idle_timeout_values(make: Factory, value: int, accepted: bool) -> None:
    h = await make()
    client = await h.connect()
    detection = {"type": "server_vad", "idle_timeout_ms": value}
    body = {"type": "realtime", "audio": {"input": {"turn_detection": detection}}}
    await client.send({"type": "session.update", "session": body})
    event = await client.recv()
    if accepted:
        assert event["type"] == "session.updated"
        assert event["session"]["audio"]["input"]["turn_detection"]["idle_timeout_ms"] == value
        return
    assert event["error"]["code"] == "invalid_value"
    assert event["error"]["param"] == "session.audio.input.turn_detection.idle_timeout_ms"


@pytest.mark.parametrize("scale", [0.0, -1.0, math.nan, math.inf])
def test_idle_scale_must_be_finite_and_positive(scale: float) -> None:
    with pytest.raises(ConfigError, match="openai_idle_scale"):
        Emulator(openai_idle_scale=scale)
    Emulator(openai_idle_scale=0.5)
