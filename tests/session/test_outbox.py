"""The outbox alone: indices, acknowledgements, replay plans, backpressure (no network)."""

from __future__ import annotations

import asyncio

import pytest

from realtalk.session.outbox import Kind, Outbox, OutboxEntry


def send(outbox: Outbox, kind: Kind, frame: bytes, now: float = 0.0) -> OutboxEntry:
    """Append and write one message on the current connection."""
    entry = outbox.append(kind, frame, now)
    outbox.mark_sent(entry, now)
    outbox.mark_written(entry)
    return entry


def frames(outbox: Outbox) -> list[bytes]:
    return [e.frame for e in outbox]


# -- indices ------------------------------------------------------------------------------


def test_indices_start_at_one_on_every_connection() -> None:
    outbox = Outbox()
    outbox.new_connection(1)
    a, b = send(outbox, Kind.TEXT, b"a"), send(outbox, Kind.AUDIO, b"b")
    assert [(a.connection, a.index), (b.connection, b.index)] == [(1, 1), (1, 2)]
    outbox.new_connection(2)
    for entry in outbox.plan_replay(0.0).entries:
        outbox.mark_sent(entry, 0.0)
    assert [(e.connection, e.index) for e in outbox] == [(2, 1), (2, 2)]


def test_a_failed_write_gives_its_index_back() -> None:
    outbox = Outbox()
    outbox.new_connection(3)
    send(outbox, Kind.TEXT, b"a")
    entry = outbox.append(Kind.TEXT, b"b", 1.0)
    previous = outbox.mark_sent(entry, 1.0)
    assert (entry.connection, entry.index) == (3, 2)
    outbox.mark_unsent(entry, previous)
    assert (entry.connection, entry.index, entry.sent_at) == (None, None, None)
    assert outbox.pending() == [entry]
    again = outbox.mark_sent(entry, 2.0)
    assert again.index is None and entry.index == 2  # the index was free again


def test_only_the_latest_write_can_be_undone() -> None:
    outbox = Outbox()
    first = outbox.append(Kind.TEXT, b"a", 0.0)
    placement = outbox.mark_sent(first, 0.0)
    send(outbox, Kind.TEXT, b"b")
    with pytest.raises(RuntimeError):
        outbox.mark_unsent(first, placement)


def test_a_replayed_entry_whose_write_fails_keeps_its_earlier_placement() -> None:
    outbox = Outbox()
    outbox.new_connection(1)
    entry = send(outbox, Kind.TEXT, b"a")
    outbox.new_connection(2)
    previous = outbox.mark_sent(entry, 1.0)
    outbox.mark_unsent(entry, previous)
    assert (entry.connection, entry.index) == (1, 1)  # counted as a replay next time


# -- acknowledgements ---------------------------------------------------------------------


def test_acknowledge_index_releases_this_connection_up_to_the_index() -> None:
    outbox = Outbox()
    outbox.new_connection(1)
    for frame in (b"a", b"b", b"c"):
        send(outbox, Kind.TEXT, frame)
    unsent = outbox.append(Kind.TEXT, b"d", 0.0)
    assert outbox.acknowledge_index(2) == 2
    assert frames(outbox) == [b"c", b"d"]
    assert outbox.nbytes == 2
    assert outbox.acknowledge_index(2) == 0
    assert unsent in outbox.pending()


def test_acknowledge_index_ignores_entries_of_another_connection() -> None:
    outbox = Outbox()
    outbox.new_connection(1)
    send(outbox, Kind.TEXT, b"old")
    outbox.new_connection(2)  # nothing replayed yet: "old" still carries connection 1
    assert outbox.acknowledge_index(5) == 0
    assert frames(outbox) == [b"old"]


def test_an_acknowledgement_during_the_write_covers_the_message() -> None:
    # marked sent just before the write: an update processed while the write is in
    # progress acknowledges it (it must not be replayed into a state that holds it)
    outbox = Outbox()
    outbox.new_connection(1)
    entry = outbox.append(Kind.TEXT, b"x", 0.0)
    outbox.mark_sent(entry, 0.0)
    assert outbox.acknowledge_index(1) == 1  # the write has not returned yet
    outbox.mark_written(entry)
    assert len(outbox) == 0


def test_acknowledge_sent_releases_what_was_sent_before_the_handle() -> None:
    outbox = Outbox()
    outbox.new_connection(1)
    send(outbox, Kind.AUDIO, b"a")
    send(outbox, Kind.TOOL_RESPONSE, b"t")
    send(outbox, Kind.CONTROL, b"c")
    outbox.append(Kind.AUDIO, b"later", 0.0)
    assert outbox.acknowledge_sent() == 3
    assert frames(outbox) == [b"later"]


def test_conversation_messages_wait_for_the_end_of_a_turn() -> None:
    # a handle is issued only while the model is idle: text sent after the last
    # turnComplete cannot be in its state yet
    outbox = Outbox()
    outbox.new_connection(1)
    text = send(outbox, Kind.TEXT, b"hello")
    content = send(outbox, Kind.CONTENT, b"more")
    assert outbox.acknowledge_sent() == 0
    outbox.turn_ended()
    assert text.turn_ended and content.turn_ended
    late = send(outbox, Kind.CONTENT, b"late")
    assert outbox.acknowledge_sent() == 2
    assert list(outbox) == [late]


def test_turn_ended_counts_only_for_the_current_connection() -> None:
    outbox = Outbox()
    outbox.new_connection(1)
    entry = send(outbox, Kind.TEXT, b"a")
    outbox.new_connection(2)
    outbox.turn_ended()
    assert not entry.turn_ended
    outbox.mark_sent(entry, 1.0)  # replayed on connection 2
    outbox.turn_ended()
    assert entry.turn_ended
    outbox.new_connection(3)
    outbox.mark_sent(entry, 2.0)  # sent again: a new turn must end after it
    assert not entry.turn_ended


def test_clear_discards_what_was_sent_and_keeps_what_was_not() -> None:
    outbox = Outbox()
    outbox.new_connection(1)
    send(outbox, Kind.TEXT, b"a")
    send(outbox, Kind.AUDIO, b"b")
    waiting = outbox.append(Kind.TEXT, b"c", 0.0)
    assert outbox.clear() == 2
    assert list(outbox) == [waiting]
    assert outbox.nbytes == 1


# -- replay -------------------------------------------------------------------------------------


def test_plan_replay_keeps_order_and_drops_stale_audio_only() -> None:
    outbox = Outbox(audio_ttl=2.0)
    outbox.new_connection(1)
    send(outbox, Kind.AUDIO, b"old-audio", now=0.0)
    send(outbox, Kind.TEXT, b"old-text", now=0.0)
    send(outbox, Kind.VIDEO, b"old-video", now=0.5)
    send(outbox, Kind.AUDIO, b"new-audio", now=9.0)
    outbox.append(Kind.CONTENT, b"unsent", 9.5)
    plan = outbox.plan_replay(now=10.0)
    assert [e.frame for e in plan.entries] == [b"old-text", b"new-audio", b"unsent"]
    assert plan.dropped == 2
    assert frames(outbox) == [b"old-text", b"new-audio", b"unsent"]  # dropped for good
    assert outbox.nbytes == sum(len(f) for f in frames(outbox))


def test_plan_replay_within_the_ttl_keeps_everything() -> None:
    outbox = Outbox(audio_ttl=2.0)
    outbox.new_connection(1)
    send(outbox, Kind.AUDIO, b"a", now=0.0)
    plan = outbox.plan_replay(now=2.0)  # exactly at the TTL: still fresh
    assert plan.dropped == 0 and [e.frame for e in plan.entries] == [b"a"]


# -- backpressure ---------------------------------------------------------------------------------


async def test_reserve_waits_for_space_and_resumes_on_release() -> None:
    outbox = Outbox(max_bytes=10)
    outbox.new_connection(1)
    send(outbox, Kind.TEXT, b"x" * 8)
    waiter = asyncio.ensure_future(outbox.reserve(4, now=0.0))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert not waiter.done()  # 8 + 4 > 10: the sender waits
    outbox.acknowledge_index(1)
    async with asyncio.timeout(1):
        await waiter
    assert outbox.nbytes == 0


async def test_reserve_evicts_stale_audio_before_waiting() -> None:
    outbox = Outbox(max_bytes=10, audio_ttl=1.0)
    send(outbox, Kind.AUDIO, b"a" * 6, now=0.0)
    send(outbox, Kind.TEXT, b"t" * 2, now=0.0)
    async with asyncio.timeout(1):
        await outbox.reserve(5, now=5.0)  # the audio is stale: evicted, no wait
    assert frames(outbox) == [b"tt"]
    assert outbox.evicted == 1


async def test_reserve_lets_an_oversized_frame_into_an_empty_outbox() -> None:
    outbox = Outbox(max_bytes=4)
    async with asyncio.timeout(1):
        await outbox.reserve(100, now=0.0)
    outbox.append(Kind.TEXT, b"x" * 100, 0.0)
    assert outbox.nbytes == 100


async def test_cancelling_a_waiting_reserve_is_safe() -> None:
    outbox = Outbox(max_bytes=4)
    send(outbox, Kind.TEXT, b"full")
    waiter = asyncio.ensure_future(outbox.reserve(1, now=0.0))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert frames(outbox) == [b"full"]


# -- disabled --------------------------------------------------------------------------------------


def test_disabled_outbox_forgets_what_was_written() -> None:
    outbox = Outbox(enabled=False)
    outbox.new_connection(1)
    entry = outbox.append(Kind.TEXT, b"a", 0.0)
    outbox.mark_sent(entry, 0.0)
    assert list(outbox) == [entry]  # not yet: the write may still fail
    outbox.mark_written(entry)
    assert len(outbox) == 0 and outbox.nbytes == 0


def test_disabled_outbox_keeps_what_could_not_be_written() -> None:
    outbox = Outbox(enabled=False)
    outbox.new_connection(1)
    entry = outbox.append(Kind.TEXT, b"a", 0.0)
    outbox.mark_unsent(entry, outbox.mark_sent(entry, 0.0))  # the connection was closed
    assert outbox.pending() == [entry]  # it goes out on the next connection


@pytest.mark.parametrize(
    ("options", "message"),
    [({"max_bytes": 0}, "outbox_max_bytes"), ({"audio_ttl": -1}, "audio_ttl")],
)
def test_bad_bounds_are_refused(options: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Outbox(**options)  # type: ignore[arg-type]
