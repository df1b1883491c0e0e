"""Conformance against the official google-genai SDK (a test-only dependency).

The SDK is the reference: realtalk's client frames must validate as its
``LiveClientMessage``, the emulator's frames as its ``LiveServerMessage``, the
SDK's own frames must decode with realtalk's strict server-role decoder, and the
SDK's async live client must hold a conversation with the emulator.

Helpers shared by the modules of this directory:

* :func:`strict_enums` turns the SDK's warning for an unknown enum value into an error;
* :func:`canonical` puts a JSON value in a form where the proto3-JSON
  representation choices of gemini-live.md §2.3 (base64 alphabet and padding,
  int64 as string or number) compare equal;
* :class:`Capture` is a ``wss://`` server on 127.0.0.1 that answers the setup with
  ``setupComplete`` and records every raw frame a client sends;
* :func:`sdk_client` builds a ``genai.Client`` pointed at a local TLS server,
  trusting its CA through ``HttpOptions.async_client_args["ssl"]`` (the websocket
  SSL context the SDK honours, ``_api_client._ensure_websocket_ssl_ctx``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from realtalk.errors import ConnectionClosed
from realtalk.transport import Connection, Request, WsServer, serve

genai = pytest.importorskip("google.genai")
types = pytest.importorskip("google.genai.types")
trustme = pytest.importorskip("trustme")

WAIT = 10.0  # a guard against hangs, never a timing assertion

#: JSON keys whose values are proto ``bytes`` (base64 on the wire, §2.3).
BYTES_KEYS = frozenset({"data", "thoughtSignature", "thought_signature"})
#: JSON keys whose values are proto ``int64`` (string or number on the wire, §2.3).
INT64_KEYS = frozenset(
    {
        "triggerTokens",
        "trigger_tokens",
        "targetTokens",
        "target_tokens",
        "lastConsumedClientMessageIndex",
        "last_consumed_client_message_index",
    }
)


def b64decode_any(text: str) -> bytes:
    """Decode base64 in either alphabet, padded or not (independent of realtalk)."""
    body = text.replace("+", "-").replace("/", "_").rstrip("=")
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


def canonical(value: Any, key: str | None = None) -> Any:
    """Normalise JSON so that equivalent proto3-JSON encodings compare equal.

    ``bytes`` fields become raw bytes (either base64 alphabet, any padding) and
    int64 fields become ints; everything else is kept as is, so a renamed, added
    or dropped field still makes two values differ.
    """
    if isinstance(value, dict):
        return {k: canonical(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v, key) for v in value]
    if key in BYTES_KEYS and isinstance(value, str):
        return b64decode_any(value)
    if key in INT64_KEYS and isinstance(value, str):
        return int(value)
    return value


@contextlib.contextmanager
def strict_enums() -> Iterator[None]:
    """Make the SDK's "X is not a valid EnumName" warning an error.

    The SDK's enums accept unknown values (forward compatibility) and only warn;
    for conformance an unknown enum value is a failure.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".* is not a valid \w+$", category=UserWarning)
        yield


def sdk_dump(model: Any) -> Any:
    """Dump an SDK model back to camelCase JSON (what it understood of the input)."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def sdk_client(port: int, context: ssl.SSLContext, *, vertex: bool = False) -> Any:
    """A ``genai.Client`` for a TLS server on 127.0.0.1, trusting ``context``.

    Args:
        port: The server's port.
        context: Client SSL context trusting the server's CA.
        vertex: Vertex AI in express mode (API key) instead of the Developer API.
    """
    options = types.HttpOptions(
        base_url=f"https://127.0.0.1:{port}", async_client_args={"ssl": context}
    )
    if vertex:
        return genai.Client(vertexai=True, api_key="test-key", http_options=options)
    return genai.Client(api_key="test-key", http_options=options)


class Capture:
    """A ``wss://`` server that records the raw frames each client connection sends.

    The first frame (the setup) is answered with ``{"setupComplete": {}}``; every
    later frame is only recorded.

    Attributes:
        connections: Per connection, the frames received in order (setup first).
        requests: Per connection, the opening request.
    """

    def __init__(self) -> None:
        ca = trustme.CA()
        self._server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(self._server_context)
        self.client_context = ssl.create_default_context()
        ca.configure_trust(self.client_context)
        self.connections: list[list[str | bytes]] = []
        self.requests: list[Request] = []
        self._ended: list[asyncio.Event] = []
        self._server: WsServer | None = None

    async def start(self) -> None:
        self._server = await serve(self._handle, "127.0.0.1", 0, ssl=self._server_context)

    async def aclose(self) -> None:
        if self._server is not None:
            await self._server.aclose()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.port

    def client(self, *, vertex: bool = False) -> Any:
        """An SDK client pointed at this server."""
        return sdk_client(self.port, self.client_context, vertex=vertex)

    async def frames(self, number: int) -> list[str | bytes]:
        """The frames of connection ``number`` (already accepted) once it has closed."""
        async with asyncio.timeout(WAIT):
            await self._ended[number].wait()
        return self.connections[number]

    async def _handle(self, conn: Connection, request: Request) -> None:
        frames: list[str | bytes] = []
        ended = asyncio.Event()
        self.connections.append(frames)
        self.requests.append(request)
        self._ended.append(ended)
        try:
            frames.append(await conn.recv())
            await conn.send(b'{"setupComplete":{}}')
            while True:
                frames.append(await conn.recv())
        except ConnectionClosed:
            pass
        finally:
            ended.set()


@pytest.fixture
async def capture() -> AsyncIterator[Capture]:
    """A running :class:`Capture` server."""
    server = Capture()
    await server.start()
    yield server
    await server.aclose()
