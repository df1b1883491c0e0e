"""The fan-out ring: independent cursors, lag reporting, closing, wake-ups."""

from __future__ import annotations

import asyncio

import pytest

from realtalk.protocol.events import Lagged, TextDelta
from realtalk.session.ring import EventRing


def texts(n: int, start: int = 0) -> list[TextDelta]:
    return [TextDelta(str(i)) for i in range(start, start + n)]


def test_every_cursor_sees_every_event_in_order() -> None:
    ring = EventRing(8)
    a, b = ring.cursor(), ring.cursor()
    ring.publish_many(texts(5))
    assert [a.poll() for _ in range(5)] == texts(5)
    assert [b.poll() for _ in range(5)] == texts(5)
    assert a.poll() is None


def test_a_cursor_that_falls_behind_is_told_how_many_it_lost() -> None:
    ring = EventRing(4)
    slow = ring.cursor()
    fast = ring.cursor()
    for event in texts(10):
        ring.publish(event)
        assert fast.poll() == event
    assert slow.poll() == Lagged(6)
    assert [slow.poll() for _ in range(4)] == texts(4, start=6)
    assert slow.poll() is None


def test_new_cursor_starts_at_oldest_held_event() -> None:
    ring = EventRing(3)
    ring.publish_many(texts(5))
    assert ring.cursor().poll() == TextDelta("2")
    assert ring.cursor(ring.head).poll() is None


def test_copy_is_independent() -> None:
    ring = EventRing(8)
    a = ring.cursor()
    ring.publish_many(texts(3))
    assert a.poll() == TextDelta("0")
    b = a.copy()
    assert b.poll() == TextDelta("1")
    assert a.poll() == TextDelta("1")
    assert a.pending == 1


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacity"):
        EventRing(0)


async def test_waiting_cursors_wake_and_drain_after_close() -> None:
    ring = EventRing(8)
    cursors = [ring.cursor() for _ in range(3)]

    async def read_all(index: int) -> list[object]:
        out = []
        while (event := await cursors[index].next()) is not None:
            out.append(event)
        return out

    tasks = [asyncio.create_task(read_all(i)) for i in range(3)]
    await asyncio.sleep(0)
    ring.publish(TextDelta("x"))
    ring.publish_many(texts(2))
    ring.close()
    ring.publish(TextDelta("after close"))  # ignored
    results = await asyncio.gather(*tasks)
    assert results == [[TextDelta("x"), *texts(2)]] * 3


async def test_cancelled_reader_loses_nothing() -> None:
    ring = EventRing(8)
    cursor = ring.cursor()
    task = asyncio.create_task(cursor.next())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    ring.publish(TextDelta("kept"))
    assert await cursor.next() == TextDelta("kept")
