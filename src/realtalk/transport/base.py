"""The transport interface: what the session and the emulator need from a connection.

A :class:`Connection` moves whole WebSocket messages. Every failure is reported
with realtalk's own exceptions (:class:`~realtalk.errors.ConnectionClosed`,
:class:`~realtalk.errors.ConnectError`); nothing from the underlying library leaks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from realtalk.errors import ConnectionClosed

__all__ = ["Connection", "Connector", "Handler", "PushReceiver", "Receiver", "Request"]

#: Close code for a connection that ended without a close frame (RFC 6455 §7.1.5).
ABNORMAL_CLOSURE = 1006


@dataclass(frozen=True, slots=True)
class Request:
    """What a server learns from the opening handshake.

    Attributes:
        path: The request path without the query string.
        query: Query parameters (last value wins for repeated keys).
        headers: Request headers with lower-case names.
    """

    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class Connection(Protocol):
    """One open WebSocket-like connection carrying whole messages."""

    async def send(self, data: str | bytes, *, text: bool | None = None) -> None:
        """Send one message: ``str`` as a text frame, ``bytes`` as a binary frame.

        ``text=True`` sends UTF-8 encoded ``bytes`` as a text frame without decoding
        them (JSON encoders produce bytes); ``text=False`` sends ``str`` as binary.

        Raises:
            ConnectionClosed: The connection is closed.
        """
        ...

    async def recv(self) -> str | bytes:
        """Receive the next message.

        Raises:
            ConnectionClosed: The connection is closed (carries code and reason).
        """
        ...

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with a close frame; idempotent. Safe to cancel."""
        ...

    def abort(self) -> None:
        """Drop the connection at once without a close frame (the peer sees 1006)."""
        ...

    async def ping(self) -> float:
        """Send a ping and return the round-trip time in seconds.

        Raises:
            ConnectionClosed: The connection closed before the pong arrived.
        """
        ...

    @property
    def close_code(self) -> int | None:
        """The close code once closed (1006 for an abnormal closure), else None."""
        ...

    @property
    def close_reason(self) -> str:
        """The close reason once closed, else an empty string."""
        ...


#: Takes a burst of received messages, in order; returns how many it took (the rest are
#: offered again, before anything newer, in a later turn of the event loop).
Receiver = Callable[[list[str | bytes]], int]


@runtime_checkable
class PushReceiver(Protocol):
    """Optional: a :class:`Connection` that hands messages to a callback as they arrive.

    The session uses it when present: the messages of one socket read reach the
    session inside the transport's own callback, with no task switch in between.
    """

    def receive_with(self, receiver: Receiver) -> None:
        """From now on, hand every received message to ``receiver`` instead of
        :meth:`Connection.recv`. ``receiver`` must not raise; if it does, the
        connection is dropped (1006) with the error as its reason."""
        ...

    async def wait_closed(self) -> ConnectionClosed:
        """Wait until the connection ended and every message was handed over.

        Returns:
            The end, as the exception :meth:`Connection.recv` would raise.
        """
        ...


class Connector(Protocol):
    """Opens client connections. Injected into the session so tests can swap it."""

    def __call__(self, url: str, headers: Mapping[str, str]) -> Awaitable[Connection]:
        """Open a connection to ``url`` sending ``headers`` with the upgrade request.

        Raises:
            ConnectError: The connection could not be opened.
        """
        ...


#: A server-side connection handler: runs for the lifetime of one connection.
Handler = Callable[[Connection, Request], Awaitable[None]]
