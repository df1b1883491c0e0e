"""A minimal HTTP/1.1 client and server for the few REST calls realtalk makes.

realtalk needs plain HTTP in exactly one place: minting ephemeral tokens
(``POST /v1alpha/auth_tokens``, gemini-live.md §1.2), and the emulator serves the
same endpoint. Both sides speak one request per connection with a
``Content-Length`` body and ``Connection: close`` — enough for JSON REST and
nothing more. Errors are mapped to :class:`~realtalk.errors.ConnectError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import ssl as ssl_module
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from realtalk.errors import ConnectError
from realtalk.transport.base import Request

__all__ = ["HttpReply", "HttpRequest", "HttpServer", "http_request", "serve_http"]

_MAX_HEAD = 64 * 1024
_MAX_BODY = 16 * 1024 * 1024
_SAFETY_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class HttpReply:
    """An HTTP response: status, lower-case headers, body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP request as a server handler sees it."""

    method: str
    target: Request
    body: bytes = b""


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, dict[str, str]]:
    raw = await reader.readuntil(b"\r\n\r\n")
    if len(raw) > _MAX_HEAD:
        raise ValueError("header too large")
    lines = raw.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return lines[0], headers


async def _read_body(reader: asyncio.StreamReader, headers: Mapping[str, str]) -> bytes:
    length = int(headers.get("content-length", "0") or "0")
    if not 0 <= length <= _MAX_BODY:
        raise ValueError("bad content length")
    return await reader.readexactly(length) if length else b""


async def http_request(
    method: str,
    url: str,
    *,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    ssl: ssl_module.SSLContext | None = None,
) -> HttpReply:
    """Make one HTTP request and return the whole response.

    Args:
        method: ``GET``, ``POST``, ...
        url: ``http://`` or ``https://`` URL.
        body: Request body (sent with ``Content-Length``).
        headers: Extra request headers.
        ssl: TLS context for ``https://`` (None: system defaults).

    The whole exchange is bounded by a 30 s safety limit; wrap the call in
    :func:`asyncio.timeout` for a shorter one. Safe to cancel.

    Raises:
        ConnectError: Connecting, TLS, a timeout, or a malformed response.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConnectError(f"not an http(s) URL: {parts.scheme}://{parts.hostname or ''}")
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    context = (ssl or ssl_module.create_default_context()) if secure else None
    try:
        async with asyncio.timeout(_SAFETY_TIMEOUT):
            reader, writer = await asyncio.open_connection(parts.hostname, port, ssl=context)
            try:
                writer.write(head + body)
                await writer.drain()
                status_line, reply_headers = await _read_head(reader)
                reply_body = await _read_body(reader, reply_headers)
            finally:
                writer.close()
                with contextlib.suppress(OSError, ssl_module.SSLError):
                    await writer.wait_closed()
        status = int(status_line.split()[1])
    except TimeoutError:
        raise ConnectError(f"HTTP request timed out after {_SAFETY_TIMEOUT} s") from None
    except ssl_module.SSLError as exc:
        raise ConnectError(f"TLS failure: {exc.reason or exc}") from None
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        raise ConnectError(f"HTTP request failed: {type(exc).__name__}") from None
    except (ValueError, IndexError):
        raise ConnectError("malformed HTTP response") from None
    return HttpReply(status, reply_headers, reply_body)


#: Handles one server request.
HttpHandler = Callable[[HttpRequest], Awaitable[HttpReply]]


class HttpServer:
    """A running HTTP server. Use as an async context manager or call :meth:`aclose`."""

    def __init__(self, server: asyncio.Server) -> None:
        self._server = server

    @property
    def port(self) -> int:
        """The TCP port listened on."""
        return int(self._server.sockets[0].getsockname()[1])

    async def aclose(self) -> None:
        """Stop listening and wait for open requests to finish."""
        self._server.close()
        await self._server.wait_closed()

    async def __aenter__(self) -> HttpServer:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


async def serve_http(
    handler: HttpHandler,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    ssl: ssl_module.SSLContext | None = None,
) -> HttpServer:
    """Serve HTTP/1.1 requests with ``handler`` (one request per connection).

    A handler exception becomes a 500 response; a malformed request a 400.
    """

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                request_line, headers = await _read_head(reader)
                method, target, _ = request_line.split(" ", 2)
                body = await _read_body(reader, headers)
            except (ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                reply = HttpReply(400, {}, b'{"error": {"code": 400}}')
            else:
                parts = urlsplit(target)
                request = Request(parts.path or "/", dict(parse_qsl(parts.query)), headers)
                try:
                    reply = await handler(HttpRequest(method.upper(), request, body))
                except Exception:
                    reply = HttpReply(500, {}, b'{"error": {"code": 500}}')
            phrase = http.HTTPStatus(reply.status).phrase
            out_headers = {"content-type": "application/json", **reply.headers}
            lines = [f"HTTP/1.1 {reply.status} {phrase}", "Connection: close"]
            lines += [f"{k}: {v}" for k, v in out_headers.items()]
            lines.append(f"Content-Length: {len(reply.body)}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + reply.body)
            await writer.drain()
        except (OSError, ssl_module.SSLError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError, ssl_module.SSLError):
                await writer.wait_closed()

    server = await asyncio.start_server(on_client, host, port, ssl=ssl)
    return HttpServer(server)
