"""Wire recording: every frame of a session as JSON lines, with credentials scrubbed.

A recording is a text file of JSON objects, one per line::

    {"realtalk_recording":1,"provider":"gemini","started":"2025-05-01T09:30:00.120000+00:00"}
    {"dir":"event","t":0.0,"conn":0,"event":"connect","url":"wss://host/ws/...?key=***"}
    {"dir":"send","t":0.0012,"conn":0,"text":true,"data":"{\\"setup\\":{...}}"}
    {"dir":"recv","t":0.2301,"conn":0,"text":false,"data":"{\\"setupComplete\\":{}}"}
    {"dir":"recv","t":0.2544,"conn":0,"text":false,"b64":true,"data":"AAEC..."}
    {"dir":"event","t":9.5,"conn":0,"event":"close","code":1000,"reason":"","by":"client"}

* ``dir``: ``send`` (client to server), ``recv`` (server to client) or ``event``.
* ``t``: monotonic seconds since the recorder was created (from the injected clock).
* ``conn``: the connection number the caller gives (0, 1, ... across reconnections).
* ``text``: the frame type on the wire. ``data`` holds the payload as a string when
  it is valid UTF-8 (binary JSON frames included; UTF-8 decoding and encoding are
  inverse, so this is lossless), otherwise base64 with ``"b64": true``.

Every secret given to the recorder (API keys, tokens, :class:`~realtalk.protocol.secrets.Secret`
values) is replaced by ``***`` in payloads, URLs, headers and reasons, in its plain,
URL-encoded and JSON-escaped forms; ``key`` / ``access_token`` query values and
credential headers are masked even when not given. Resumption handles are not secrets
and are kept: replaying a recording needs them.

:func:`read_recording` parses a file back into typed entries (used by
:mod:`realtalk.testing` for replay and by ``realtalk replay``).
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import quote, quote_plus

from realtalk.protocol.gemini.endpoints import redact_url
from realtalk.protocol.secrets import Secret, reveal
from realtalk.session.recording_read import (
    RECORDING_VERSION,
    BadLine,
    Entry,
    Frame,
    Header,
    LifecycleEvent,
    Recording,
    parse_recording,
    read_recording,
)

__all__ = [
    "RECORDING_VERSION",
    "BadLine",
    "Entry",
    "Frame",
    "Header",
    "LifecycleEvent",
    "Recorder",
    "Recording",
    "parse_recording",
    "read_recording",
]

_MASK = "***"
#: Line breaks for str.splitlines that json.dumps leaves unescaped with ensure_ascii=False.
_LINE_BREAKS = str.maketrans({c: f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"})
_CREDENTIAL_HEADERS = frozenset(
    {"authorization", "x-goog-api-key", "api-key", "proxy-authorization"}
)


def _variants(secret: str) -> set[str]:
    """The forms a secret can take inside a frame, a URL or a header."""
    quoted = {quote(secret, safe=""), quote(secret), quote_plus(secret), quote_plus(secret, "/")}
    return {secret, json.dumps(secret)[1:-1], *quoted}


class Recorder:
    """Writes a wire recording. The runner calls it only when ``record_to=`` is given.

    Construction does no I/O: the file is opened (and truncated) on the first flush.
    Lines are buffered in memory and written when ``buffer_size`` characters have
    accumulated, on :meth:`flush` and on :meth:`close`. Usable as a context manager.

    Args:
        path: A file path, or an open text stream (written to, flushed, not closed).
        secrets: Credentials to scrub (``str`` or :class:`Secret`); empty ones are ignored.
        provider: Written in the header.
        clock: Monotonic time source in seconds (``t`` is relative to its first reading).
        wall_clock: Source of the header's ``started`` time (default: now, UTC).
        buffer_size: Characters buffered before a write.

    Raises:
        TypeError: A secret is neither a ``str`` nor a :class:`Secret`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | IO[str],
        *,
        secrets: Iterable[str | Secret] = (),
        provider: str = "gemini",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] | None = None,
        buffer_size: int = 1 << 16,
    ) -> None:
        self._target = path
        self._file: IO[str] | None = None
        self._clock = clock
        self._start = clock()
        self._buffer: list[str] = []
        self._buffered = 0
        self._buffer_size = buffer_size
        self._closed = False
        self._text_secrets: list[str] = []
        self._byte_secrets: list[bytes] = []
        self.add_secrets(secrets)
        started = (wall_clock or (lambda: datetime.now(UTC)))()
        header = {"realtalk_recording": RECORDING_VERSION, "provider": provider}
        self._write({**header, "started": started.isoformat()})

    # -- scrubbing ----------------------------------------------------------------------
    def add_secrets(self, secrets: Iterable[str | Secret]) -> None:
        """Scrub these credentials too from now on (e.g. a freshly minted token).

        Raises:
            TypeError: A secret is neither a ``str`` nor a :class:`Secret`.
        """
        found = set(self._text_secrets)
        for secret in secrets:
            if not isinstance(secret, (str, Secret)):
                raise TypeError(f"secrets must be str or Secret, not {type(secret).__name__}")
            value = reveal(secret)
            if value:
                found |= _variants(value)
        self._text_secrets = sorted(found, key=len, reverse=True)
        self._byte_secrets = [s.encode() for s in self._text_secrets]

    def scrub(self, text: str) -> str:
        """Return ``text`` with every known secret replaced by ``***``."""
        for secret in self._text_secrets:
            if secret in text:
                text = text.replace(secret, _MASK)
        return text

    def _scrub_bytes(self, data: bytes) -> bytes:
        for secret in self._byte_secrets:
            if secret in data:
                data = data.replace(secret, _MASK.encode())
        return data

    # -- writing ------------------------------------------------------------------------
    def _now(self) -> float:
        return round(self._clock() - self._start, 6)

    def _write(self, entry: dict[str, Any]) -> None:
        if self._closed:
            raise ValueError("the recorder is closed")
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        if not line.isascii():  # keep one entry per line for every line splitter
            line = line.translate(_LINE_BREAKS)
        line += "\n"
        self._buffer.append(line)
        self._buffered += len(line)
        if self._buffered >= self._buffer_size:
            self.flush()

    def _frame(self, direction: str, conn_no: int, data: str | bytes, text: bool) -> None:
        entry: dict[str, Any] = {"dir": direction, "t": self._now(), "conn": conn_no}
        entry["text"] = text
        if isinstance(data, str):
            entry["data"] = self.scrub(data)
        else:
            try:
                entry["data"] = self.scrub(data.decode())
            except UnicodeDecodeError:
                entry["b64"] = True
                entry["data"] = base64.b64encode(self._scrub_bytes(data)).decode("ascii")
        self._write(entry)

    def sent(self, conn_no: int, data: str | bytes, text: bool | None = None) -> None:
        """Record a frame the client sent.

        Args:
            conn_no: The connection number.
            data: The payload as given to :meth:`Connection.send`.
            text: The ``text=`` argument given to ``send`` (None: a ``str`` is a text
                frame, ``bytes`` a binary frame).

        Raises:
            ValueError: The recorder is closed.
            OSError: Writing the file failed.
        """
        self._frame("send", conn_no, data, isinstance(data, str) if text is None else text)

    def received(self, conn_no: int, data: str | bytes) -> None:
        """Record a frame the client received (``str`` = text frame, ``bytes`` = binary).

        Raises:
            ValueError: The recorder is closed.
            OSError: Writing the file failed.
        """
        self._frame("recv", conn_no, data, isinstance(data, str))

    def event(self, conn_no: int, event: str, **fields: Any) -> None:
        """Record a lifecycle event; string field values are scrubbed.

        Args:
            conn_no: The connection number.
            event: The event name (``connect``, ``close``, or the runner's own, e.g.
                ``goaway``, ``reconnect``).
            **fields: JSON-serialisable details.

        Raises:
            ValueError: The recorder is closed.
            TypeError: A field value is not JSON-serialisable.
        """
        entry: dict[str, Any] = {"dir": "event", "t": self._now(), "conn": conn_no}
        entry["event"] = event
        for name, value in fields.items():
            entry[name] = self.scrub(value) if isinstance(value, str) else value
        self._write(entry)

    def connection_opened(
        self, conn_no: int, url: str, headers: Mapping[str, str] | None = None
    ) -> None:
        """Record that connection ``conn_no`` to ``url`` opened.

        Args:
            conn_no: The connection number.
            url: The URL; credential query values and known secrets are masked.
            headers: The handshake headers, if worth keeping; credential headers are
                masked whole, known secrets inside others.

        Raises:
            ValueError: The recorder is closed.
        """
        fields: dict[str, Any] = {"url": redact_url(self.scrub(url))}
        if headers is not None:
            fields["headers"] = {
                k: _MASK if k.lower() in _CREDENTIAL_HEADERS else v for k, v in headers.items()
            }
            fields["headers"] = {k: self.scrub(v) for k, v in fields["headers"].items()}
        self.event(conn_no, "connect", **fields)

    def connection_closed(
        self, conn_no: int, code: int | None, reason: str = "", *, by_client: bool | None = None
    ) -> None:
        """Record that connection ``conn_no`` closed.

        Args:
            conn_no: The connection number.
            code: The close code (1006 for an abnormal closure; None if unknown).
            reason: The close reason.
            by_client: True if the client initiated the close, False if the server
                did, None if unknown. Replay uses it to know who closes.

        Raises:
            ValueError: The recorder is closed.
        """
        fields: dict[str, Any] = {"code": code, "reason": reason}
        if by_client is not None:
            fields["by"] = "client" if by_client else "server"
        self.event(conn_no, "close", **fields)

    def flush(self) -> None:
        """Write the buffered lines to the file (opening it on first use).

        Raises:
            OSError: The file cannot be opened or written.
        """
        if self._file is None:
            target = self._target
            if isinstance(target, (str, os.PathLike)):
                # backslashreplace writes a lone surrogate as a JSON \\uXXXX escape
                errors = "backslashreplace"
                self._file = open(target, "w", encoding="utf-8", errors=errors)  # noqa: SIM115
            else:
                self._file = target
        if self._buffer:
            self._file.write("".join(self._buffer))
            self._buffer.clear()
            self._buffered = 0
        self._file.flush()

    def close(self) -> None:
        """Flush and close the file (a stream passed in is only flushed); idempotent.

        Raises:
            OSError: The final write failed.
        """
        if self._closed:
            return
        try:
            self.flush()
        finally:
            self._closed = True
            if self._file is not None and self._file is not self._target:
                self._file.close()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
