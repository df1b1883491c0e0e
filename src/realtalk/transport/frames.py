"""RFC 6455 framing for the client side, without I/O.

:class:`FrameReader` turns the bytes a server sends into whole messages and control
frames; :func:`encode_frame` builds masked client frames. Both are written for the hot
path of a live session: a read that holds many small frames is parsed from the bytes
the socket returned without copying them into a buffer first, and a partial frame is
kept in one ``bytearray`` whose front is consumed in O(1).

Anything that breaks the protocol (a masked server frame, reserved bits, an unknown
opcode, a fragmented or oversized control frame, a stray continuation, invalid UTF-8 in a
text message, a message over the size limit) becomes one :class:`Failure` item carrying
the close code to send (1002, 1007 or 1009); the reader then ignores further input.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from collections.abc import Callable
from typing import Final

__all__ = [
    "BINARY",
    "CLOSE",
    "CONTINUATION",
    "PING",
    "PONG",
    "TEXT",
    "Control",
    "Failure",
    "FrameReader",
    "accept_key",
    "apply_mask",
    "close_payload",
    "encode_frame",
    "parse_close",
]

CONTINUATION: Final = 0x0
TEXT: Final = 0x1
BINARY: Final = 0x2
CLOSE: Final = 0x8
PING: Final = 0x9
PONG: Final = 0xA

#: Close codes that may not be sent in a close frame (RFC 6455 §7.4.1).
_RESERVED_CODES: Final = frozenset({1004, 1005, 1006, 1015})
_GUID: Final = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

_c_apply_mask: Callable[[bytes, bytes], bytes] | None
try:  # websockets ships a C implementation; the transport package may use it
    from websockets.speedups import apply_mask as _c_apply_mask
except ImportError:  # pragma: no cover - the pure-Python path is tested directly
    _c_apply_mask = None


def _py_apply_mask(data: bytes, mask: bytes) -> bytes:
    """XOR ``data`` with the 4-byte ``mask`` repeated (pure Python, big-integer XOR)."""
    n = len(data)
    if n == 0:
        return b""
    key = int.from_bytes(mask * (n // 4 + 1), "little") & ((1 << (8 * n)) - 1)
    return (int.from_bytes(data, "little") ^ key).to_bytes(n, "little")


def apply_mask(data: bytes, mask: bytes) -> bytes:
    """Mask or unmask ``data`` with a 4-byte key (its own inverse)."""
    if len(mask) != 4:
        raise ValueError("mask must be 4 bytes")
    if _c_apply_mask is not None:
        return bytes(_c_apply_mask(data, mask))
    return _py_apply_mask(data, mask)


def accept_key(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` value a server must answer ``key`` with."""
    digest = hashlib.sha1(key.encode("ascii") + _GUID).digest()
    return base64.b64encode(digest).decode("ascii")


class _MaskSource:
    """Masking keys from the OS random source, fetched 4 KiB at a time."""

    __slots__ = ("_pool", "_pos")

    def __init__(self) -> None:
        self._pool = b""
        self._pos = 0

    def take(self) -> bytes:
        pos = self._pos
        if pos + 4 > len(self._pool):
            self._pool = os.urandom(4096)
            pos = 0
        self._pos = pos + 4
        return self._pool[pos : pos + 4]


_masks = _MaskSource()
_pack_short = struct.Struct("!BBH").pack
_pack_long = struct.Struct("!BBQ").pack


def encode_frame(opcode: int, payload: bytes, mask: bytes | None = None) -> bytes:
    """One final, masked client frame carrying ``payload``.

    Args:
        opcode: :data:`TEXT`, :data:`BINARY`, :data:`CLOSE`, :data:`PING` or :data:`PONG`.
        payload: The unmasked payload.
        mask: The 4-byte masking key; a fresh random one when None.
    """
    key = _masks.take() if mask is None else mask
    n = len(payload)
    first = 0x80 | opcode
    if n < 126:
        header = bytes((first, 0x80 | n))
    elif n < 0x10000:
        header = _pack_short(first, 0xFE, n)
    else:
        header = _pack_long(first, 0xFF, n)
    if _c_apply_mask is not None:
        return b"".join((header, key, _c_apply_mask(payload, key)))
    return b"".join((header, key, _py_apply_mask(payload, key)))


def close_payload(code: int, reason: str = "") -> bytes:
    """The payload of a close frame (empty for code 1005, "no status", without a reason).

    Raises:
        ValueError: A code that may not be sent (RFC 6455 §7.4), or a reason that does
            not fit in the 125-byte payload.
    """
    if code == 1005 and not reason:
        return b""
    if not _sendable(code):
        raise ValueError(f"close code {code!r} may not be sent")
    data = code.to_bytes(2, "big") + reason.encode()
    if len(data) > 125:
        raise ValueError("close reason too long (the close payload is limited to 125 bytes)")
    return data


def _sendable(code: object) -> bool:
    return (
        isinstance(code, int)
        and not isinstance(code, bool)
        and (1000 <= code < 1016 or 3000 <= code < 5000)
        and code not in _RESERVED_CODES
    )


def parse_close(payload: bytes) -> tuple[int, str]:
    """Code and reason of a received close frame.

    Raises:
        ValueError: The payload is not a valid close payload.
    """
    if not payload:
        return 1005, ""
    if len(payload) == 1:
        raise ValueError("close frame payload of one byte")
    code = int.from_bytes(payload[:2], "big")
    if not _sendable(code):
        raise ValueError(f"invalid close code {code}")
    return code, payload[2:].decode()  # UnicodeDecodeError is a ValueError


class Control:
    """A received control frame: close, ping or pong."""

    __slots__ = ("opcode", "payload")

    def __init__(self, opcode: int, payload: bytes) -> None:
        self.opcode = opcode
        self.payload = payload

    def __repr__(self) -> str:
        return f"Control(opcode={self.opcode:#x}, payload={self.payload!r})"


class Failure:
    """The server broke the protocol; close with ``code`` and ``reason``."""

    __slots__ = ("code", "reason")

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason

    def __repr__(self) -> str:
        return f"Failure(code={self.code}, reason={self.reason!r})"


class FrameReader:
    """Parses server-to-client frames into messages and control frames.

    Args:
        max_size: Largest message in bytes (after reassembly of fragments).
    """

    __slots__ = ("_buf", "_failed", "_fragment_opcode", "_fragment_size", "_fragments", "max_size")

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self._buf = bytearray()
        self._failed = False
        self._fragments: list[bytes] = []
        self._fragment_opcode = 0
        self._fragment_size = 0

    @property
    def buffered(self) -> int:
        """Bytes of an incomplete frame held back."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[str | bytes | Control | Failure]:
        """Parse ``data`` (any slice of the stream) and return what it completes, in order.

        Text messages come back as ``str``, binary ones as ``bytes``. A :class:`Failure`
        is always the last item; after it the reader discards everything.
        """
        out: list[str | bytes | Control | Failure] = []
        if self._failed:
            return out
        buf = self._buf
        view: bytes | bytearray
        if buf:
            buf += data
            view = buf
        else:
            view = data
        pos = 0
        end = len(view)
        max_size = self.max_size
        while end - pos >= 2:
            first = view[pos]
            second = view[pos + 1]
            length = second & 0x7F
            start = pos + 2
            if length == 126:
                if end - pos < 4:
                    break
                length = (view[pos + 2] << 8) | view[pos + 3]
                start = pos + 4
            elif length == 127:
                if end - pos < 10:
                    break
                length = int.from_bytes(view[pos + 2 : pos + 10], "big")
                start = pos + 10
            if second & 0x80 or first & 0x70:
                why = "masked server frame" if second & 0x80 else "reserved bits set"
                return self._fail(out, 1002, why)
            opcode = first & 0x0F
            if opcode >= CLOSE:
                if opcode > PONG:
                    return self._fail(out, 1002, f"unknown opcode {opcode:#x}")
                if length > 125:
                    return self._fail(out, 1002, "oversized control frame")
            else:
                if opcode > BINARY:
                    return self._fail(out, 1002, f"unknown opcode {opcode:#x}")
                if (opcode == CONTINUATION) != bool(self._fragments):
                    why = "new message inside a fragmented message"
                    if opcode == CONTINUATION:
                        why = "continuation frame without a message"
                    return self._fail(out, 1002, why)
                if length + self._fragment_size > max_size:
                    return self._fail(out, 1009, f"message over {max_size} bytes")
            stop = start + length
            if stop > end:
                break
            payload = view[start:stop]
            pos = stop
            if first & 0x80 and opcode == TEXT and not self._fragments:
                try:
                    out.append(payload.decode())
                except UnicodeDecodeError:
                    return self._fail(out, 1007, "invalid UTF-8 in a text message")
            elif first & 0x80 and opcode == BINARY and not self._fragments:
                out.append(payload if type(payload) is bytes else bytes(payload))
            else:
                failure = self._slow(out, first, opcode, bytes(payload))
                if failure is not None:
                    return failure
        if view is buf:
            del buf[:pos]
        elif pos < end:
            buf += view[pos:]
        return out

    def _slow(
        self, out: list[str | bytes | Control | Failure], first: int, opcode: int, payload: bytes
    ) -> list[str | bytes | Control | Failure] | None:
        """Control frames and fragments (opcode and order already checked by
        :meth:`feed`); returns the output if the stream failed."""
        fin = first & 0x80
        if opcode >= CLOSE:
            if not fin:
                return self._fail(out, 1002, "fragmented control frame")
            out.append(Control(opcode, payload))
            return None
        if opcode != CONTINUATION:
            self._fragment_opcode = opcode
        self._fragments.append(payload)
        self._fragment_size += len(payload)
        if not fin:
            return None
        whole = b"".join(self._fragments)
        self._fragments = []
        self._fragment_size = 0
        if self._fragment_opcode == BINARY:
            out.append(whole)
            return None
        try:
            out.append(whole.decode())
        except UnicodeDecodeError:
            return self._fail(out, 1007, "invalid UTF-8 in a text message")
        return None

    def _fail(
        self, out: list[str | bytes | Control | Failure], code: int, reason: str
    ) -> list[str | bytes | Control | Failure]:
        self._failed = True
        self._buf = bytearray()
        self._fragments = []
        out.append(Failure(code, reason))
        return out
