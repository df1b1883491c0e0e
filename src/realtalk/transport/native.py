"""realtalk's own WebSocket client: RFC 6455 on an asyncio protocol, TLS on memory BIOs.

This is the client transport :func:`realtalk.connect` uses by default. It does what a
live session needs and nothing else (no compression, no subprotocols, no redirects),
and it is shaped for that workload:

* **One wake-up per read, not per message.** The socket's bytes are parsed inside the
  protocol callback; every message they complete is queued and the waiting reader is
  woken once. A reader that finds messages queued takes them without suspending.
* **No lock on send, one write per burst.** A frame is built and queued whole, so
  concurrent senders can never interleave; the frames queued in one turn of the event
  loop go out in one write (and, with TLS, one encryption). A sender waits only when
  the kernel's buffer is full (flow control).
* **Small when idle.** ``wss://`` runs TLS on :class:`ssl.MemoryBIO` pairs inside the
  protocol instead of asyncio's TLS transport, which keeps a 256 KiB read buffer per
  connection; an idle secure connection costs what OpenSSL keeps, a few KB.
* **Keepalive on timers, not tasks.** Pings are scheduled with ``call_later``.

When a proxy applies to the URL (``https_proxy``, ``socks_proxy``...; ``no_proxy``
honoured; the rule of :func:`~realtalk.transport.handshake.proxied`) the connector
hands the connection to :class:`~realtalk.transport.ws.WebSocketConnector`, which
speaks to proxies.
"""

from __future__ import annotations

import asyncio
import os
import ssl as ssl_module
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, cast

from realtalk.errors import ConnectError, ConnectionClosed
from realtalk.transport.base import ABNORMAL_CLOSURE, Connection, Receiver
from realtalk.transport.frames import (
    BINARY,
    CLOSE,
    PING,
    PONG,
    TEXT,
    Control,
    Failure,
    FrameReader,
    close_payload,
    encode_frame,
    parse_close,
)
from realtalk.transport.handshake import MAX_RESPONSE_HEAD, check_response, client_request, proxied
from realtalk.transport.tls import TlsLayer, system_context

__all__ = ["NativeConnection", "NativeConnector"]

_DEFAULT_MAX_SIZE: Final = 16 * 1024 * 1024

# connection states
_CONNECTING: Final = 0
_OPEN: Final = 1
_CLOSING: Final = 2
_CLOSED: Final = 3

_READ_SIZE: Final = 64 * 1024
_COALESCE_LIMIT: Final = 64 * 1024
_local = threading.local()


def _read_buffer() -> memoryview:
    """This thread's read buffer, shared by its connections.

    The event loop fills it and calls back in one step (``get_buffer``,
    ``recv_into``, ``buffer_updated``), and the callback copies out what it keeps,
    so one buffer per thread serves every connection. It also spares each read the
    256 KiB allocation that asyncio makes for a plain :class:`asyncio.Protocol`.
    """
    try:
        return _local.view  # type: ignore[no-any-return]
    except AttributeError:
        _local.view = memoryview(bytearray(_READ_SIZE))
        return _local.view  # type: ignore[no-any-return]


def _consume_exception(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


class NativeConnection(asyncio.BufferedProtocol):
    """One client WebSocket connection (see the module docstring).

    Created by :class:`NativeConnector`; implements
    :class:`~realtalk.transport.base.Connection`.
    """

    def __init__(
        self,
        *,
        request: bytes,
        accept: str,
        tls: TlsLayer | None,
        max_size: int,
        max_queue: int,
        ping_interval: float | None,
        ping_timeout: float | None,
        close_timeout: float,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._request = request
        self._accept = accept
        self._head = bytearray()
        self._tls = tls
        self._reader = FrameReader(max_size)
        self._messages: deque[str | bytes] = deque()
        self._max_queue = max_queue
        self._reading_paused = False
        self._waiter: asyncio.Future[None] | None = None
        self._receiver: Receiver | None = None  # push mode (receive_with)
        self._redelivery = False  # a later offer of what the receiver left is scheduled
        self._ended: asyncio.Future[ConnectionClosed] | None = None  # wait_closed()
        self._state = _CONNECTING
        self._opened: asyncio.Future[None] = self._loop.create_future()
        # a handshake abandoned by its connector (cancelled) fails with nobody waiting
        self._opened.add_done_callback(_consume_exception)
        self._closed: asyncio.Future[None] = self._loop.create_future()
        self._code: int | None = None  # close code once the closing began (or 1006)
        self._reason = ""
        self._sent_close = False
        self._error: ConnectionClosed | None = None  # what recv raises once drained
        self._write_paused = False
        self._pending: list[bytes] | None = None  # frames written this loop turn
        self._pending_size = 0
        self._drainers: list[asyncio.Future[None]] = []
        self._pings: dict[bytes, tuple[asyncio.Future[float] | None, float]] = {}
        self._ping_interval = ping_interval
        self._ping_timeout = ping_timeout
        self._close_timeout = close_timeout
        self._keepalive: asyncio.TimerHandle | None = None  # the next keepalive ping
        self._pong_deadline: asyncio.TimerHandle | None = None  # its pong is due
        self._close_deadline: asyncio.TimerHandle | None = None  # the peer must close
        #: Round-trip time of the last answered ping, in seconds (None before the first).
        self.latency: float | None = None

    # -- asyncio.BufferedProtocol -----------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # a stream transport, though not always a subclass of asyncio.Transport (uvloop's)
        transport = cast(asyncio.Transport, transport)
        self._transport = transport
        tls = self._tls
        if tls is None:
            transport.write(self._request)
        else:
            self._advance_tls()

    def get_buffer(self, sizehint: int) -> memoryview:
        return _read_buffer()

    def buffer_updated(self, nbytes: int) -> None:
        view = _read_buffer()[:nbytes]
        tls = self._tls
        if tls is None:
            data = bytes(view)
        else:
            tls.incoming.write(view)
            data = self._advance_tls()
        self._received(data)

    def _received(self, data: bytes) -> None:
        """Plaintext from the server: the rest of the upgrade response, then frames."""
        if data and self._state == _CONNECTING:
            data = self._handshake(data)
        if data:
            self._feed(data)

    def eof_received(self) -> bool | None:
        return None  # close the transport; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self._state = _CLOSED
        if not self._opened.done():
            self._opened.set_exception(ConnectError("connection closed during the handshake"))
        if self._code is None:
            self._code = ABNORMAL_CLOSURE
        if self._error is None:
            self._error = ConnectionClosed(self._code, self._reason)
        self._cancel_timers()
        self._wake()
        for drainer in self._drainers:
            if not drainer.done():
                drainer.set_exception(self._error)
        self._drainers.clear()
        for waiter, _ in self._pings.values():
            if waiter is not None and not waiter.done():
                waiter.set_exception(ConnectionClosed(self._code, self._reason))
        self._pings.clear()
        if not self._closed.done():
            self._closed.set_result(None)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        for drainer in self._drainers:
            if not drainer.done():
                drainer.set_result(None)
        self._drainers.clear()

    # -- receiving --------------------------------------------------------------------
    def _advance_tls(self) -> bytes:
        """Run TLS on what was fed to it; return the plaintext that came out."""
        tls = self._tls
        transport = self._transport
        assert tls is not None and transport is not None
        if not tls.ready:
            try:
                done = tls.handshake()
            except (ssl_module.SSLError, ssl_module.CertificateError) as exc:
                self._refuse(ConnectError(f"TLS failure: {getattr(exc, 'reason', None) or exc}"))
                return b""
            out = tls.take()
            if out:
                transport.write(out)
            if not done:
                return b""
            transport.write(tls.encrypt(self._request))
        try:
            plain, eof = tls.decrypt()
        except ssl_module.SSLError as exc:
            if self._code is None:
                self._code, self._reason = ABNORMAL_CLOSURE, f"TLS failure: {exc.reason or exc}"
            transport.abort()
            return b""
        out = tls.take()
        if out:
            transport.write(out)
        if eof:
            self._received(plain)  # what came with the peer's TLS close_notify
            self._flush()  # an echoed close frame leaves before the socket closes
            transport.close()
            return b""
        return plain

    def _handshake(self, data: bytes) -> bytes:
        """Collect and check the upgrade response; return the bytes that follow it."""
        head = self._head
        head += data
        end = head.find(b"\r\n\r\n")
        if end < 0:
            if len(head) > MAX_RESPONSE_HEAD:
                self._refuse(ConnectError("WebSocket handshake failed: response head too large"))
            return b""
        rest = bytes(head[end + 4 :])
        self._head = bytearray()
        try:
            check_response(head[:end], self._accept)
        except ConnectError as exc:
            self._refuse(exc)
            return b""
        self._state = _OPEN
        self._request = b""
        self._opened.set_result(None)
        if self._ping_interval is not None:
            self._keepalive = self._loop.call_later(self._ping_interval, self._send_keepalive)
        return rest

    def _refuse(self, error: ConnectError) -> None:
        if not self._opened.done():
            self._opened.set_exception(error)
        self._state = _CLOSED
        assert self._transport is not None
        self._transport.abort()

    def _feed(self, data: bytes) -> None:
        messages = self._messages
        for item in self._reader.feed(data):
            kind = type(item)
            if kind is str or kind is bytes:
                messages.append(item)  # type: ignore[arg-type]
            elif kind is Control:
                self._control(item)  # type: ignore[arg-type]
            else:
                failure: Failure = item  # type: ignore[assignment]
                self._fail(failure.code, failure.reason)
        if not messages:
            return
        if self._receiver is not None:
            if not self._redelivery:
                self._deliver()
        else:
            waiter = self._waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
            self._pause_if_full()

    def _control(self, frame: Control) -> None:
        opcode = frame.opcode
        if opcode == PING:
            if not self._sent_close:
                self._write(encode_frame(PONG, frame.payload))
        elif opcode == PONG:
            self._pong(frame.payload)
        elif opcode == CLOSE:
            try:
                code, reason = parse_close(frame.payload)
            except ValueError:
                self._fail(1002, "invalid close frame")
                return
            if self._code is None:
                self._code, self._reason = code, reason
            if not self._sent_close:
                self._send_close(code, "")  # echo the code (none for 1005)
            self._closing(ConnectionClosed(self._code, self._reason))

    def _pong(self, payload: bytes) -> None:
        pings = self._pings
        if payload not in pings:
            return  # unsolicited
        now = time.perf_counter()  # the loop's clock may tick in whole ms (uvloop)
        keepalive_answered = False
        # a pong answers its ping and every ping sent before it
        while pings:
            sent_payload, (waiter, sent) = next(iter(pings.items()))
            del pings[sent_payload]
            rtt = now - sent
            if waiter is None:
                keepalive_answered = True
            elif not waiter.done():
                waiter.set_result(rtt)
            if sent_payload == payload:
                self.latency = rtt
                break
        if keepalive_answered and self._pong_deadline is not None:
            self._pong_deadline.cancel()
            self._pong_deadline = None
            if self._ping_interval is not None and self._state == _OPEN:
                self._keepalive = self._loop.call_later(self._ping_interval, self._send_keepalive)

    def _fail(self, code: int, reason: str) -> None:
        """The server broke the protocol: close with ``code`` and stop reading."""
        if self._code is None:
            self._code, self._reason = code, reason
        if not self._sent_close:
            self._send_close(code, reason)
        self._closing(ConnectionClosed(self._code, self._reason))

    def _closing(self, error: ConnectionClosed) -> None:
        """The closing handshake is under way: readers drain, then see ``error``."""
        if self._error is None:
            self._error = error
        if self._state == _OPEN:
            self._state = _CLOSING
        self._wake()
        self._arm_close_deadline()

    def _arm_close_deadline(self) -> None:
        self._cancel_timers()
        self._close_deadline = self._loop.call_later(self._close_timeout, self.abort)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        ended, error = self._ended, self._error
        if ended is None or error is None or ended.done() or self._handing_over():
            return
        ended.set_result(error)

    def _handing_over(self) -> bool:
        """Messages are queued, or being or about to be handed to the receiver."""
        return bool(self._messages) or self._redelivery

    # -- push mode (PushReceiver) -------------------------------------------------------
    def receive_with(self, receiver: Receiver) -> None:
        """Hand received messages to ``receiver`` as they arrive (see
        :class:`~realtalk.transport.base.PushReceiver`); messages already queued follow
        in the next turn of the event loop."""
        self._receiver = receiver
        if self._messages and not self._redelivery:
            self._redelivery = True
            self._loop.call_soon(self._deliver)

    async def wait_closed(self) -> ConnectionClosed:
        """Wait until the connection ended and every message was handed over."""
        if self._error is not None and not self._handing_over():
            return self._error
        ended = self._ended
        if ended is None or ended.done():
            ended = self._ended = self._loop.create_future()
        return await ended

    def _deliver(self) -> None:
        """Offer the queued messages to the receiver; what it leaves is offered later.

        While this runs or a later offer is scheduled (``_redelivery``), the end of the
        connection waits: :meth:`wait_closed` returns after the last message.
        """
        receiver, messages = self._receiver, self._messages
        if receiver is not None and messages:
            self._redelivery = True
            batch = list(messages)
            messages.clear()
            try:
                taken = receiver(batch)
            except Exception as exc:  # the receiver broke its contract: drop the connection
                taken = len(batch)
                if self._code is None:
                    self._reason = f"receiver failed: {type(exc).__name__}: {exc}"
                self.abort()
            if taken < len(batch):
                messages.extend(batch[taken:])
                self._loop.call_soon(self._deliver)
                self._pause_if_full()
                return
        self._redelivery = False
        self._resume_reading()
        if self._error is not None:
            self._wake()  # the end was waiting for these to be handed over

    async def recv(self) -> str | bytes:
        messages = self._messages
        if not messages:
            await self._wait_message()
        message = messages.popleft()
        if len(messages) <= self._max_queue // 2:
            self._resume_reading()
        return message

    async def recv_many(self) -> list[str | bytes]:
        """Every message received so far (at least one), in order: one call per burst.

        Raises:
            ConnectionClosed: Nothing is left and the connection is closed.
        """
        messages = self._messages
        if not messages:
            await self._wait_message()
        batch = list(messages)
        messages.clear()
        self._resume_reading()
        return batch

    def _pause_if_full(self) -> None:
        """Stop reading the socket while ``max_queue`` messages wait (flow control)."""
        if len(self._messages) >= self._max_queue and not self._reading_paused:
            self._reading_paused = True
            if self._transport is not None and self._state != _CLOSED:
                self._transport.pause_reading()

    def _resume_reading(self) -> None:
        if self._reading_paused:
            self._reading_paused = False
            if self._transport is not None and self._state != _CLOSED:
                self._transport.resume_reading()

    async def _wait_message(self) -> None:
        while not self._messages:
            if self._error is not None:
                raise self._error
            if self._waiter is not None:
                raise RuntimeError("another task is already waiting in recv()")
            waiter = self._loop.create_future()
            self._waiter = waiter
            try:
                await waiter
            finally:
                self._waiter = None

    # -- sending ----------------------------------------------------------------------
    def _write(self, frame: bytes) -> None:
        """Queue a frame; the frames of one loop turn leave in one write.

        The flush runs at the next turn of the event loop (or at once past 64 KiB), so
        a burst of sends costs one system call and, with TLS, one encryption.
        """
        if self._transport is None or self._state == _CLOSED:
            return
        pending = self._pending
        if pending is None:
            self._pending = [frame]
            self._pending_size = len(frame)
            self._loop.call_soon(self._flush)
            return
        pending.append(frame)
        self._pending_size += len(frame)
        if self._pending_size >= _COALESCE_LIMIT:
            self._flush()

    def _flush(self) -> None:
        pending = self._pending
        if pending is None:
            return
        self._pending = None
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        data = pending[0] if len(pending) == 1 else b"".join(pending)
        tls = self._tls
        transport.write(data if tls is None else tls.encrypt(data))

    def _closed_error(self) -> ConnectionClosed:
        if self._error is not None:
            return self._error
        return ConnectionClosed(self._code or 1000, self._reason)

    async def send(self, data: str | bytes, *, text: bool | None = None) -> None:
        if self._state != _OPEN or self._sent_close:
            raise self._closed_error()
        if type(data) is str:
            payload = data.encode()
            opcode = BINARY if text is False else TEXT
        elif isinstance(data, (bytes, bytearray, memoryview)):
            payload = bytes(data) if type(data) is not bytes else data
            opcode = TEXT if text else BINARY
        else:
            raise TypeError(f"data must be str or bytes, not {type(data).__name__}")
        self._write(encode_frame(opcode, payload))
        if self._write_paused:
            await self._drain()

    async def _drain(self) -> None:
        drainer: asyncio.Future[None] = self._loop.create_future()
        self._drainers.append(drainer)
        await drainer

    def _send_close(self, code: int, reason: str) -> None:
        self._sent_close = True
        self._write(encode_frame(CLOSE, close_payload(code, reason)))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self._state == _OPEN and not self._sent_close:
            payload = close_payload(code, reason)  # validates before anything is sent
            self._sent_close = True
            self._write(encode_frame(CLOSE, payload))
            self._state = _CLOSING
            self._arm_close_deadline()
        elif self._state == _CONNECTING:
            self.abort()
        try:
            await asyncio.shield(self._closed)
        except asyncio.CancelledError:
            self.abort()
            raise

    def abort(self) -> None:
        if self._state == _OPEN:
            self._state = _CLOSING  # nothing more can be sent
        if self._code is None:
            self._code = ABNORMAL_CLOSURE
        if self._error is None:
            self._error = ConnectionClosed(self._code, self._reason)
        self._wake()
        if self._transport is not None:
            self._transport.abort()

    # -- pings ------------------------------------------------------------------------
    def _new_ping(self, waiter: asyncio.Future[float] | None) -> None:
        payload = os.urandom(4)
        while payload in self._pings:
            payload = os.urandom(4)
        self._pings[payload] = (waiter, time.perf_counter())
        self._write(encode_frame(PING, payload))

    async def ping(self) -> float:
        if self._state != _OPEN or self._sent_close:
            raise self._closed_error()
        waiter: asyncio.Future[float] = self._loop.create_future()
        self._new_ping(waiter)
        return await waiter

    def _send_keepalive(self) -> None:
        self._keepalive = None
        if self._state != _OPEN or self._sent_close:
            return
        self._new_ping(None)
        if self._ping_timeout is None:
            assert self._ping_interval is not None
            self._keepalive = self._loop.call_later(self._ping_interval, self._send_keepalive)
        else:
            self._pong_deadline = self._loop.call_later(self._ping_timeout, self._keepalive_expired)

    def _keepalive_expired(self) -> None:
        self._pong_deadline = None
        if self._state != _OPEN:
            return
        self._reason = "keepalive ping timeout"
        if not self._sent_close:
            self._send_close(1011, self._reason)
            self._flush()
        self.abort()

    def _cancel_timers(self) -> None:
        for handle in (self._keepalive, self._pong_deadline, self._close_deadline):
            if handle is not None:
                handle.cancel()
        self._keepalive = self._pong_deadline = self._close_deadline = None

    # -- state ------------------------------------------------------------------------
    @property
    def close_code(self) -> int | None:
        return self._code if self._error is not None else None

    @property
    def close_reason(self) -> str:
        return self._reason if self._error is not None else ""


@dataclass(frozen=True, slots=True)
class NativeConnector:
    """Opens client connections with realtalk's own WebSocket client.

    Attributes:
        max_message_size: Largest incoming message in bytes (default 16 MiB).
        ping_interval: Seconds between keepalive pings; None disables them.
        ping_timeout: Seconds to wait for a pong before the connection is
            considered dead (1006); None waits forever. The defaults tolerate slow pongs.
        connect_timeout: Seconds for the TCP, TLS and upgrade handshakes.
        close_timeout: Seconds to wait for the closing handshake.
        ssl: An SSL context for ``wss://`` URLs (None uses the system defaults).
        max_queue: Received messages held before reading from the socket pauses.
    """

    max_message_size: int = _DEFAULT_MAX_SIZE
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 30.0
    connect_timeout: float = 10.0
    close_timeout: float = 5.0
    ssl: ssl_module.SSLContext | None = None
    max_queue: int = 256

    def __post_init__(self) -> None:
        for name in ("max_message_size", "max_queue"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        for name in ("ping_interval", "ping_timeout", "connect_timeout", "close_timeout"):
            value = getattr(self, name)
            if value is None and name.startswith("ping"):
                continue
            if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")

    async def __call__(self, url: str, headers: Mapping[str, str]) -> Connection:
        req = client_request(url, headers)
        if proxied(req):
            from realtalk.transport.ws import WebSocketConnector

            return await WebSocketConnector(
                max_message_size=self.max_message_size,
                ping_interval=self.ping_interval,
                ping_timeout=self.ping_timeout,
                connect_timeout=self.connect_timeout,
                close_timeout=self.close_timeout,
                ssl=self.ssl,
            )(url, headers)
        tls = TlsLayer(self.ssl or system_context(), req.host) if req.secure else None

        def factory() -> NativeConnection:
            return NativeConnection(
                request=req.data,
                accept=req.accept,
                tls=tls,
                max_size=self.max_message_size,
                max_queue=self.max_queue,
                ping_interval=self.ping_interval,
                ping_timeout=self.ping_timeout,
                close_timeout=self.close_timeout,
            )

        loop = asyncio.get_running_loop()
        conn: NativeConnection | None = None
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, conn = await loop.create_connection(factory, req.host, req.port)
                await conn._opened
        except TimeoutError:
            if conn is not None:
                conn.abort()
            raise ConnectError(f"connect timed out after {self.connect_timeout} s") from None
        except ConnectError:
            raise
        except OSError as exc:
            raise ConnectError(f"cannot connect: {exc.strerror or exc}") from None
        except BaseException:
            if conn is not None:
                conn.abort()
            raise
        return conn
