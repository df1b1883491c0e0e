"""The in-memory connection pair behaves like a WebSocket: order, types, close, abort."""

from __future__ import annotations

import pytest

from realtalk.errors import ConnectError, ConnectionClosed
from realtalk.transport import Connection, MemoryConnector, Request, memory_pair


async def test_messages_keep_order_and_type() -> None:
    a, b = memory_pair()
    assert isinstance(a, Connection)
    await a.send("text")
    await a.send(b"binary")
    await a.send(b'{"json": 1}', text=True)
    assert [await b.recv() for _ in range(3)] == ["text", b"binary", '{"json": 1}']


async def test_close_carries_code_and_reason_to_both_sides() -> None:
    a, b = memory_pair()
    await a.send("last")
    await a.close(4000, "bye")
    assert await b.recv() == "last"  # queued messages are still delivered
    with pytest.raises(ConnectionClosed) as info:
        await b.recv()
    assert (info.value.code, info.value.reason) == (4000, "bye")
    assert (b.close_code, b.close_reason) == (4000, "bye")
    with pytest.raises(ConnectionClosed):
        await a.send("too late")


async def test_abort_is_1006_without_reason() -> None:
    a, b = memory_pair()
    a.abort()
    with pytest.raises(ConnectionClosed) as info:
        await b.recv()
    assert info.value.code == 1006
    assert b.close_code == 1006


async def test_connector_runs_handler_with_request() -> None:
    seen: list[Request] = []

    async def handler(conn: Connection, request: Request) -> None:
        seen.append(request)
        await conn.send(await conn.recv())

    connector = MemoryConnector(handler)
    conn = await connector("ws://x/path/a?key=k1", {"X-Goog-Api-Key": "k2"})
    await conn.send("echo")
    assert await conn.recv() == "echo"
    assert seen == [Request(path="/path/a", query={"key": "k1"}, headers={"x-goog-api-key": "k2"})]
    await connector.aclose()
    connector.refuse = OSError("refused")
    with pytest.raises(ConnectError):
        await connector("ws://x/", {})
