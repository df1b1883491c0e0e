"""The client's opening handshake (RFC 6455 §4.1), without I/O.

:func:`client_request` turns a ``ws://`` or ``wss://`` URL and extra headers into the
upgrade request; :func:`check_response` checks the server's answer. Both raise
realtalk's own errors: a bad URL, a refusal or a wrong answer is a
:class:`~realtalk.errors.ConnectError` (with the HTTP status of a refusal); a header
that would break the request (a bad name, CR or LF in a value) is a ``ValueError``.
"""

from __future__ import annotations

import base64
import os
import re
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from realtalk.errors import ConnectError
from realtalk.transport.frames import accept_key

__all__ = ["ClientRequest", "check_response", "client_request", "proxied"]

#: Largest response head (status line and headers) accepted.
MAX_RESPONSE_HEAD: Final = 64 * 1024

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE = re.compile(r"[\x00\r\n]")
_RESERVED_HEADERS: Final = frozenset(
    {"host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version"}
)


@dataclass(frozen=True, slots=True)
class ClientRequest:
    """An upgrade request ready to send.

    Attributes:
        host: Host to connect to (from the URL, without brackets).
        port: TCP port (the URL's, else 80 or 443).
        secure: True for ``wss://``.
        data: The request bytes.
        accept: The ``Sec-WebSocket-Accept`` value the server must answer with.
    """

    host: str
    port: int
    secure: bool
    data: bytes
    accept: str


def _check_headers(headers: Mapping[str, str]) -> None:
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ValueError(f"invalid header name {name!r}")
        if not isinstance(value, str) or _BAD_VALUE.search(value):
            raise ValueError(f"invalid value for header {name!r}")


def client_request(
    url: str, headers: Mapping[str, str], *, key: str | None = None
) -> ClientRequest:
    """Build the upgrade request for ``url`` with ``headers`` added.

    Args:
        url: A ``ws://`` or ``wss://`` URL.
        headers: Extra headers; ``Host``, ``Upgrade``, ``Connection`` and the
            ``Sec-WebSocket-*`` headers are the client's own and are not overridden.
        key: The ``Sec-WebSocket-Key`` (a fresh random one when None).

    Raises:
        ConnectError: Not a WebSocket URL, or a bad port.
        ValueError: A header name or value that cannot be sent.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ConnectError(f"WebSocket handshake failed: not a ws:// or wss:// URL: {url!r}")
    _check_headers(headers)
    host = parts.hostname
    secure = parts.scheme == "wss"
    try:
        explicit = parts.port
    except ValueError:
        raise ConnectError(f"WebSocket handshake failed: bad port in {url!r}") from None
    port = explicit or (443 if secure else 80)
    key = key or base64.b64encode(os.urandom(16)).decode("ascii")
    authority = f"[{host}]" if ":" in host else host
    if explicit is not None:
        authority = f"{authority}:{port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: {authority}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ]
    if "user-agent" not in {name.lower() for name in headers}:
        lines.append("User-Agent: realtalk")
    lines.extend(f"{k}: {v}" for k, v in headers.items() if k.lower() not in _RESERVED_HEADERS)
    data = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return ClientRequest(host, port, secure, data, accept_key(key))


def check_response(head: bytes | bytearray, accept: str) -> None:
    """Check the response head (up to, not including, the blank line).

    Raises:
        ConnectError: The server refused the upgrade (``status`` set) or answered
            something that is not a valid acceptance of this request.
    """
    lines = bytes(head).decode("latin-1").split("\r\n")
    status_line = lines[0].split(" ", 2)
    if (
        len(status_line) < 2
        or not status_line[0].startswith("HTTP/1.")
        or not (status_line[1].isdigit())
    ):
        raise ConnectError("WebSocket handshake failed: malformed status line")
    status = int(status_line[1])
    if status != 101:
        raise ConnectError(f"server refused the WebSocket upgrade: HTTP {status}", status=status)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise ConnectError("WebSocket handshake failed: malformed header line")
        name = name.strip().lower()
        value = value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    problem = None
    if headers.get("upgrade", "").lower() != "websocket":
        problem = "missing Upgrade: websocket"
    elif "upgrade" not in (t.strip() for t in headers.get("connection", "").lower().split(",")):
        problem = "missing Connection: Upgrade"
    elif headers.get("sec-websocket-accept") != accept:
        problem = "wrong Sec-WebSocket-Accept"
    elif "sec-websocket-extensions" in headers or "sec-websocket-protocol" in headers:
        problem = "the server chose an extension or subprotocol that was not offered"
    if problem is not None:
        raise ConnectError(f"WebSocket handshake failed: {problem}")


def proxied(request: ClientRequest) -> bool:
    """Whether the environment routes ``request`` through a proxy.

    The same rule as websockets, which then connects: ``no_proxy`` first, then for
    ``wss://`` the ``wss``, ``socks`` or ``https`` proxy, for ``ws://`` also ``ws`` and
    ``http``.
    """
    if urllib.request.proxy_bypass(f"{request.host}:{request.port}"):
        return False
    proxies = urllib.request.getproxies()
    schemes = ("wss", "socks", "https") if request.secure else ("ws", "socks", "https", "http")
    return any(proxies.get(scheme) for scheme in schemes)
