"""The websockets transport on 127.0.0.1: messages, close codes, errors mapped to ours."""

from __future__ import annotations

import asyncio

import pytest

from realtalk.errors import ConnectError, ConnectionClosed
from realtalk.transport import Connection, HttpResponse, Request, WebSocketConnector, serve


async def test_round_trip_and_close_code() -> None:
    requests: list[Request] = []

    async def handler(conn: Connection, request: Request) -> None:
        requests.append(request)
        message = await conn.recv()
        await conn.send(message)
        await conn.send(b"\x00binary")
        await conn.close(1008, "policy")

    async with await serve(handler) as server:
        connector = WebSocketConnector()
        conn = await connector(f"ws://127.0.0.1:{server.port}/p?q=1", {"x-test": "yes"})
        await conn.send(b'{"a":1}', text=True)
        assert await conn.recv() == '{"a":1}'
        assert await conn.recv() == b"\x00binary"
        with pytest.raises(ConnectionClosed) as info:
            await conn.recv()
        assert (info.value.code, info.value.reason) == (1008, "policy")
        assert conn.close_code == 1008
        assert requests[0].path == "/p"
        assert requests[0].query == {"q": "1"}
        assert requests[0].headers["x-test"] == "yes"


async def test_abort_is_seen_as_1006() -> None:
    async def handler(conn: Connection, request: Request) -> None:
        await conn.recv()
        conn.abort()
        await asyncio.sleep(0.1)

    async with await serve(handler) as server:
        conn = await WebSocketConnector()(f"ws://127.0.0.1:{server.port}/", {})
        await conn.send("go")
        with pytest.raises(ConnectionClosed) as info:
            await conn.recv()
        assert info.value.code == 1006


async def test_ping_measures_round_trip() -> None:
    async def handler(conn: Connection, request: Request) -> None:
        await conn.recv()

    async with await serve(handler) as server:
        conn = await WebSocketConnector()(f"ws://127.0.0.1:{server.port}/", {})
        assert await conn.ping() >= 0.0
        await conn.close()


async def test_refused_upgrade_and_unreachable_port_are_connect_errors() -> None:
    async def handler(conn: Connection, request: Request) -> None:
        raise AssertionError("not reached")

    async def http(request: Request) -> HttpResponse | None:
        return HttpResponse(404, b'{"error": "not found"}')

    async with await serve(handler, http_handler=http) as server:
        port = server.port
        with pytest.raises(ConnectError) as info:
            await WebSocketConnector()(f"ws://127.0.0.1:{port}/", {})
        assert info.value.status == 404
    with pytest.raises(ConnectError):
        await WebSocketConnector(connect_timeout=2)(f"ws://127.0.0.1:{port}/", {})
