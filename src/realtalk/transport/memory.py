"""An in-memory connected pair of :class:`~realtalk.transport.base.Connection` objects.

Used by tests to run the real session runner and the real emulator without
sockets. Messages keep their type (``str`` stays text, ``bytes`` stays binary).
Closing sends a close "frame" the peer observes; :meth:`MemoryConnection.abort`
drops the pair as a network failure would (1006 on both sides).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping

from realtalk.errors import ConnectError, ConnectionClosed
from realtalk.transport.base import ABNORMAL_CLOSURE, Connection, Handler, Request

__all__ = ["MemoryConnection", "MemoryConnector", "memory_pair"]


class MemoryConnection:
    """One end of an in-memory pair. Create pairs with :func:`memory_pair`."""

    def __init__(self, max_queue: int | None = None) -> None:
        self._inbox: deque[str | bytes] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._peer: MemoryConnection | None = None
        self._closed: tuple[int, str] | None = None  # set once the peer's close reached us
        self._sent_close = False
        self.max_queue = max_queue
        self.sent_messages = 0
        self.ping_delay = 0.0  # seconds a pong takes, for slow-pong tests

    # -- internal ----------------------------------------------------------------
    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _deliver(self, data: str | bytes) -> None:
        self._inbox.append(data)
        self._wake()

    def _terminate(self, code: int, reason: str) -> None:
        if self._closed is None:
            self._closed = (code, reason)
        self._wake()

    # -- Connection --------------------------------------------------------------
    async def send(self, data: str | bytes, *, text: bool | None = None) -> None:
        if self._closed is not None or self._sent_close:
            code, reason = self._closed or (1000, "")
            raise ConnectionClosed(code, reason)
        if not isinstance(data, (str, bytes)):
            raise TypeError(f"data must be str or bytes, not {type(data).__name__}")
        assert self._peer is not None
        if text is True and isinstance(data, bytes):
            data = data.decode()
        elif text is False and isinstance(data, str):
            data = data.encode()
        self.sent_messages += 1
        self._peer._deliver(data)
        await asyncio.sleep(0)  # yield like a real socket write would

    async def recv(self) -> str | bytes:
        while True:
            if self._inbox:
                return self._inbox.popleft()
            if self._closed is not None:
                raise ConnectionClosed(*self._closed)
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self._sent_close or self._closed is not None:
            self._terminate(code, reason)
            return
        self._sent_close = True
        if self._peer is not None:
            self._peer._terminate(code, reason)
        self._terminate(code, reason)
        await asyncio.sleep(0)

    def abort(self) -> None:
        self._sent_close = True
        if self._peer is not None:
            self._peer._terminate(ABNORMAL_CLOSURE, "")
        self._terminate(ABNORMAL_CLOSURE, "")

    async def ping(self) -> float:
        if self._closed is not None:
            raise ConnectionClosed(*self._closed)
        if self.ping_delay:
            await asyncio.sleep(self.ping_delay)
        return self.ping_delay

    @property
    def close_code(self) -> int | None:
        return None if self._closed is None else self._closed[0]

    @property
    def close_reason(self) -> str:
        return "" if self._closed is None else self._closed[1]


def memory_pair() -> tuple[MemoryConnection, MemoryConnection]:
    """Return two connected ends: what one sends, the other receives."""
    a, b = MemoryConnection(), MemoryConnection()
    a._peer, b._peer = b, a
    return a, b


class MemoryConnector:
    """A :class:`~realtalk.transport.base.Connector` that serves each connection
    with an in-process handler (for example the emulator's) over a memory pair.

    Handler tasks are owned by a :class:`asyncio.TaskGroup` the caller provides
    through :meth:`run`, or tracked and cancelled by :meth:`aclose`.
    """

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._tasks: set[asyncio.Task[None]] = set()
        self.connections: list[MemoryConnection] = []
        self.refuse: BaseException | None = None

    async def __call__(self, url: str, headers: Mapping[str, str]) -> Connection:
        if self.refuse is not None:
            raise ConnectError(str(self.refuse))
        from urllib.parse import parse_qsl, urlsplit

        parts = urlsplit(url)
        request = Request(
            path=parts.path or "/",
            query=dict(parse_qsl(parts.query)),
            headers={k.lower(): v for k, v in headers.items()},
        )
        client, server = memory_pair()
        self.connections.append(client)
        task = asyncio.get_running_loop().create_task(self._serve(server, request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return client

    async def _serve(self, conn: MemoryConnection, request: Request) -> None:
        try:
            await self._handler(conn, request)
        except ConnectionClosed:
            pass
        finally:
            await conn.close(1000, "")

    async def aclose(self) -> None:
        """Cancel every running handler and wait for them to finish."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
