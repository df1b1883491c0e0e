"""Resumption, goAway and connection lifetime (gemini-live.md §5.5, §5.6, §6.8)."""

from __future__ import annotations

from typing import Any

from realtalk.audio import silence, tone
from realtalk.emulator import Scenario

from .conftest import AI_STUDIO_MODEL, Factory, kinds, model_text

TEXT: dict[str, Any] = {"generationConfig": {"responseModalities": ["TEXT"]}}


def updates(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["sessionResumptionUpdate"] for m in messages if "sessionResumptionUpdate" in m]


async def test_resumption_updates_around_turns(make: Factory) -> None:
    h = await make()
    client = await h.connect({"sessionResumption": {}, **TEXT})
    first = client.first_update["sessionResumptionUpdate"]  # type: ignore[attr-defined]
    assert first["resumable"] is True and first["newHandle"]
    assert "lastConsumedClientMessageIndex" not in first
    await client.text("one")
    messages = await client.turn()
    assert kinds(messages)[0] == "sessionResumptionUpdate"
    assert updates(messages) == [{"resumable": False}]  # as in §5.6's example
    after = updates([await client.recv()])[0]
    assert after["resumable"] is True and after["newHandle"] not in (first["newHandle"], None)


async def test_transparent_mode_reports_consumed_indices(make: Factory) -> None:
    h = await make()
    client = await h.connect({"sessionResumption": {"transparent": True}, **TEXT})
    first = client.first_update["sessionResumptionUpdate"]  # type: ignore[attr-defined]
    assert first["lastConsumedClientMessageIndex"] == "0"  # the setup; int64 as a string
    await client.text("one")  # index 1
    await client.turn()
    assert (await client.recv())["sessionResumptionUpdate"]["lastConsumedClientMessageIndex"] == "1"
    await client.send({"realtimeInput": {"audio": {"mimeType": "audio/pcm", "data": ""}}})  # 2
    await client.text("two")  # 3
    await client.turn()
    assert (await client.recv())["sessionResumptionUpdate"]["lastConsumedClientMessageIndex"] == "3"


async def test_consumed_index_stops_before_an_open_utterance(make: Factory) -> None:
    h = await make()
    client = await h.connect({"sessionResumption": {"transparent": True}, **TEXT})
    await client.text("one")  # 1
    await client.audio(tone(220, 0.04, 16000))  # 2: an utterance opens and stays open
    await client.turn()
    update = (await client.recv())["sessionResumptionUpdate"]
    assert update["lastConsumedClientMessageIndex"] == "1"
    await client.audio(silence(0.6))  # closes it: a new turn
    await client.turn()


async def test_resume_with_issued_handle_restores_history(make: Factory) -> None:
    h = await make()
    client = await h.connect({"sessionResumption": {}, **TEXT})
    await client.text("remember me")
    await client.turn()
    handle = (await client.recv())["sessionResumptionUpdate"]["newHandle"]
    session_id = h.emulator.connections[0].conversation.session_id  # type: ignore[union-attr]
    await client.close()

    again = await h.open()
    await again.send(
        {"setup": {"model": AI_STUDIO_MODEL, "sessionResumption": {"handle": handle}, **TEXT}}
    )
    ready = await again.recv()
    assert ready["setupComplete"]["sessionId"] == session_id
    record = h.emulator.connections[1]
    assert record.resumed_from == handle
    assert [e.text for e in record.history] == ["remember me", "You said: remember me"]
    await again.recv()  # the new connection's first update
    await again.text("and now")
    assert model_text(await again.turn()) == "You said: and now"
    assert record.conversation is not None and record.conversation.user_turns == 2


async def test_unknown_handle_closes_1008(make: Factory) -> None:
    h = await make()
    client = await h.open()
    await client.send(
        {"setup": {"model": AI_STUDIO_MODEL, "sessionResumption": {"handle": "nope"}}}
    )
    closed = await client.closed()
    assert closed.code == 1008
    assert closed.reason == "BidiGenerateContent session not found"


async def test_expired_handle_closes_1008(make: Factory) -> None:
    now = [0.0]
    h = await make(handle_ttl=100.0, clock=lambda: now[0])
    client = await h.connect({"sessionResumption": {}})
    handle = client.first_update["sessionResumptionUpdate"]["newHandle"]  # type: ignore[attr-defined]
    await client.close()
    await h.emulator.connections[0].wait_closed()
    now[0] += 101.0
    again = await h.open()
    await again.send({"setup": {"model": AI_STUDIO_MODEL, "sessionResumption": {"handle": handle}}})
    assert (await again.closed()).code == 1008


async def test_model_change_on_resume_is_rejected(make: Factory) -> None:
    h = await make()
    client = await h.connect({"sessionResumption": {}})
    handle = client.first_update["sessionResumptionUpdate"]["newHandle"]  # type: ignore[attr-defined]
    again = await h.open()
    await again.send(
        {"setup": {"model": "models/another", "sessionResumption": {"handle": handle}}}
    )
    assert (await again.closed()).code == 1007


async def test_go_away_then_1011_after_lifetime(make: Factory) -> None:
    h = await make(connection_lifetime=0.2, go_away_time_left=0.1)
    client = await h.connect()
    go_away = await client.recv()
    assert go_away == {"goAway": {"timeLeft": "0.100s"}}
    closed = await client.closed()
    assert closed.code == 1011
    assert "Deadline" in closed.reason


async def test_lifetime_from_scenario_keeping_the_socket_open(make: Factory) -> None:
    scenario = Scenario(connection_lifetime=0.05, go_away_time_left=0.05, close_on_expiry=False)
    h = await make(scenario)
    client = await h.connect(TEXT)
    assert (await client.recv())["goAway"]["timeLeft"] == "0.050s"
    await client.text("still here?")
    assert model_text(await client.turn()) == "You said: still here?"
    assert h.emulator.connections[0].close_code is None


async def resume(h: Any, handle: str) -> Any:
    client = await h.open()
    await client.send(
        {"setup": {"model": AI_STUDIO_MODEL, "sessionResumption": {"handle": handle}, **TEXT}}
    )
    return client


async def test_resume_while_the_old_connection_is_open_is_accepted_by_default(
    make: Factory,
) -> None:
    h = await make()
    old = await h.connect({"sessionResumption": {}, **TEXT})
    handle = old.first_update["sessionResumptionUpdate"]["newHandle"]  # type: ignore[attr-defined]
    new = await resume(h, handle)
    assert "setupComplete" in await new.recv()
    assert h.emulator.connections[1].resumed_from == handle
    assert not h.emulator.connections[0].done  # both are open


async def test_resume_while_the_old_connection_is_open_can_be_refused_with_1011(
    make: Factory,
) -> None:
    h = await make(reject_resume_while_open=True)
    old = await h.connect({"sessionResumption": {}, **TEXT})
    handle = old.first_update["sessionResumptionUpdate"]["newHandle"]  # type: ignore[attr-defined]
    refused = await resume(h, handle)
    closed = await refused.closed()
    assert (closed.code, closed.reason) == (1011, "The service is currently unavailable.")
    record = h.emulator.connections[1]
    assert record.resumed_from is None and "setupComplete" not in record.sent
    assert not h.emulator.connections[0].done  # the old connection is not disturbed

    await old.close()
    await h.emulator.connections[0].wait_closed()
    again = await resume(h, handle)  # the same handle, once the old socket is closed
    assert "setupComplete" in await again.recv()
    assert h.emulator.connections[2].resumed_from == handle


async def test_refusing_resumes_while_open_leaves_other_sessions_alone(make: Factory) -> None:
    h = await make(reject_resume_while_open=True)
    first = await h.connect({"sessionResumption": {}, **TEXT})
    await h.connect({"sessionResumption": {}, **TEXT})  # another session, still open
    handle = first.first_update["sessionResumptionUpdate"]["newHandle"]  # type: ignore[attr-defined]
    await first.close()
    await h.emulator.connections[0].wait_closed()
    client = await resume(h, handle)
    assert "setupComplete" in await client.recv()
