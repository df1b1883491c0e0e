"""The websockets implementation of the transport, client and server side.

This is the only module in realtalk that imports :mod:`websockets`. Its
exceptions are mapped to realtalk's here: a refused upgrade, a TLS failure, a
timeout or an OS error while connecting become :class:`~realtalk.errors.ConnectError`;
a closed connection becomes :class:`~realtalk.errors.ConnectionClosed` with the
received close code (1006 when there was no close frame).
"""

from __future__ import annotations

import contextlib
import http
import ssl as ssl_module
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.server import Server, ServerConnection
from websockets.asyncio.server import serve as ws_serve
from websockets.datastructures import Headers
from websockets.http11 import Request as WsRequest
from websockets.http11 import Response as WsResponse

from realtalk.errors import ConnectError, ConnectionClosed
from realtalk.transport.base import ABNORMAL_CLOSURE, Connection, Handler, Request

__all__ = ["HttpHandler", "HttpResponse", "WebSocketConnector", "WsConnection", "WsServer", "serve"]

_DEFAULT_MAX_SIZE = 16 * 1024 * 1024


def _closed_from(exc: websockets.ConnectionClosed) -> ConnectionClosed:
    if exc.rcvd is not None:
        return ConnectionClosed(exc.rcvd.code, exc.rcvd.reason)
    return ConnectionClosed(ABNORMAL_CLOSURE, "")


class WsConnection:
    """A :class:`~realtalk.transport.base.Connection` over a websockets connection."""

    __slots__ = ("_ws",)

    def __init__(self, ws: ClientConnection | ServerConnection) -> None:
        self._ws = ws

    async def send(self, data: str | bytes, *, text: bool | None = None) -> None:
        try:
            await self._ws.send(data, text=text)
        except websockets.ConnectionClosed as exc:
            raise _closed_from(exc) from None

    async def recv(self) -> str | bytes:
        try:
            return await self._ws.recv()
        except websockets.ConnectionClosed as exc:
            raise _closed_from(exc) from None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self._ws.close(code, reason)

    def abort(self) -> None:
        self._ws.transport.abort()

    async def ping(self) -> float:
        try:
            waiter = await self._ws.ping()
            return await waiter
        except websockets.ConnectionClosed as exc:
            raise _closed_from(exc) from None

    @property
    def close_code(self) -> int | None:
        if self._ws.close_code is None:
            return None if self._ws.state.name != "CLOSED" else ABNORMAL_CLOSURE
        return self._ws.close_code

    @property
    def close_reason(self) -> str:
        return self._ws.close_reason or ""


@dataclass(frozen=True, slots=True)
class WebSocketConnector:
    """Opens client connections with websockets.

    Attributes:
        max_message_size: Largest incoming message in bytes (default 16 MiB).
        ping_interval: Seconds between keepalive pings; None disables them.
        ping_timeout: Seconds to wait for a pong before the connection is
            considered dead; None waits forever. The defaults tolerate slow pongs.
        connect_timeout: Seconds for the TCP, TLS and upgrade handshakes.
        close_timeout: Seconds to wait for the closing handshake.
        ssl: An SSL context for ``wss://`` URLs (None uses the system defaults).
    """

    max_message_size: int = _DEFAULT_MAX_SIZE
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 30.0
    connect_timeout: float = 10.0
    close_timeout: float = 5.0
    ssl: ssl_module.SSLContext | None = None

    async def __call__(self, url: str, headers: Mapping[str, str]) -> Connection:
        kwargs: dict[str, Any] = {}
        if url.startswith("wss://") and self.ssl is not None:
            kwargs["ssl"] = self.ssl
        try:
            ws = await ws_connect(
                url,
                additional_headers=dict(headers),
                max_size=self.max_message_size,
                ping_interval=self.ping_interval,
                ping_timeout=self.ping_timeout,
                open_timeout=self.connect_timeout,
                close_timeout=self.close_timeout,
                compression=None,
                user_agent_header="realtalk",
                **kwargs,
            )
        except websockets.InvalidStatus as exc:
            status = exc.response.status_code
            raise ConnectError(
                f"server refused the WebSocket upgrade: HTTP {status}", status=status
            ) from None
        except (websockets.InvalidHandshake, websockets.InvalidURI) as exc:
            raise ConnectError(f"WebSocket handshake failed: {type(exc).__name__}") from None
        except ssl_module.SSLError as exc:
            raise ConnectError(f"TLS failure: {exc.reason or exc}") from None
        except TimeoutError:
            raise ConnectError(f"connect timed out after {self.connect_timeout} s") from None
        except OSError as exc:
            raise ConnectError(f"cannot connect: {exc.strerror or exc}") from None
        except websockets.ConnectionClosed as exc:
            raise _closed_from(exc) from None
        return WsConnection(ws)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A plain HTTP response for a non-WebSocket request (e.g. a REST endpoint)."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"


#: Sees every HTTP request before the WebSocket upgrade. Return an
#: :class:`HttpResponse` to answer it (or refuse the upgrade, e.g. 404 for an
#: unknown path), or None to continue with the upgrade.
HttpHandler = Callable[[Request], Awaitable[HttpResponse | None]]


def _to_request(request: WsRequest) -> Request:
    parts = urlsplit(request.path)
    return Request(
        path=parts.path or "/",
        query=dict(parse_qsl(parts.query)),
        headers={k.lower(): v for k, v in request.headers.raw_items()},
    )


class WsServer:
    """A running WebSocket server. Use as an async context manager or call :meth:`aclose`."""

    def __init__(self, server: Server) -> None:
        self._server = server

    @property
    def port(self) -> int:
        """The TCP port the server listens on (useful after binding port 0)."""
        sockname = next(iter(self._server.sockets)).getsockname()
        return int(sockname[1])

    async def aclose(self) -> None:
        """Stop accepting, close open connections and wait until all handlers are done."""
        self._server.close()
        await self._server.wait_closed()

    async def serve_forever(self) -> None:
        """Serve until cancelled."""
        await self._server.serve_forever()

    async def __aenter__(self) -> WsServer:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


async def serve(
    handler: Handler,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    ssl: ssl_module.SSLContext | None = None,
    http_handler: HttpHandler | None = None,
    max_message_size: int = _DEFAULT_MAX_SIZE,
    ping_interval: float | None = 20.0,
    ping_timeout: float | None = 30.0,
) -> WsServer:
    """Start a WebSocket server whose connections are handed to ``handler``.

    Args:
        handler: Runs once per connection with a :class:`Connection` and the
            opening :class:`Request`; the connection closes when it returns.
        host: Address to bind (loopback by default).
        port: Port to bind; 0 picks a free one (see :attr:`WsServer.port`).
        ssl: Serve ``wss://`` with this context.
        http_handler: Optional hook that sees every request first and may answer
            it instead of upgrading.
        max_message_size: Largest incoming message in bytes.
        ping_interval: Seconds between server pings; None disables them.
        ping_timeout: Seconds to wait for a pong; None waits forever.
    """

    async def on_connection(ws: ServerConnection) -> None:
        assert ws.request is not None
        with contextlib.suppress(ConnectionClosed):
            await handler(WsConnection(ws), _to_request(ws.request))

    async def process_request(ws: ServerConnection, request: WsRequest) -> WsResponse | None:
        if http_handler is None:
            return None
        answer = await http_handler(_to_request(request))
        if answer is None:
            return None
        reason = http.HTTPStatus(answer.status).phrase
        headers = Headers(
            [("Content-Type", answer.content_type), ("Content-Length", str(len(answer.body)))]
        )
        return WsResponse(answer.status, reason, headers, answer.body)

    server = await ws_serve(
        on_connection,
        host,
        port,
        ssl=ssl,
        process_request=process_request,
        max_size=max_message_size,
        ping_interval=ping_interval,
        ping_timeout=ping_timeout,
        compression=None,
        server_header="realtalk-emulator",
    )
    return WsServer(server)
