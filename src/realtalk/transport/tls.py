"""TLS for a client connection on a pair of memory BIOs, without I/O.

The connection feeds the ciphertext it reads to :attr:`TlsLayer.incoming` and writes
out what :meth:`TlsLayer.take` returns; plaintext goes through :meth:`TlsLayer.encrypt`
and :meth:`TlsLayer.decrypt`. Unlike asyncio's TLS transport, which keeps a 256 KiB
read buffer per connection, this keeps only what OpenSSL holds.
"""

from __future__ import annotations

import ssl as ssl_module

__all__ = ["TlsLayer", "system_context"]

_default_context: ssl_module.SSLContext | None = None


def system_context() -> ssl_module.SSLContext:
    """The system's default client context, created once and shared."""
    global _default_context
    if _default_context is None:
        _default_context = ssl_module.create_default_context()
    return _default_context


class TlsLayer:
    """A TLS client on a pair of memory BIOs: ciphertext in and out, plaintext through."""

    __slots__ = ("_held", "incoming", "obj", "outgoing", "ready")

    def __init__(self, context: ssl_module.SSLContext, hostname: str) -> None:
        self.incoming = ssl_module.MemoryBIO()
        self.outgoing = ssl_module.MemoryBIO()
        self.obj = context.wrap_bio(self.incoming, self.outgoing, server_hostname=hostname)
        self.ready = False
        self._held: list[bytes] = []  # plaintext a write could not take yet (renegotiation)

    def handshake(self) -> bool:
        """Advance the handshake; True once it is complete. Raises ``ssl.SSLError``."""
        try:
            self.obj.do_handshake()
        except ssl_module.SSLWantReadError:
            return False
        self.ready = True
        return True

    def take(self) -> bytes:
        """Ciphertext waiting to be written to the socket."""
        return self.outgoing.read() if self.outgoing.pending else b""

    def decrypt(self) -> tuple[bytes, bool]:
        """Plaintext available from what was fed to :attr:`incoming`, and whether it ended."""
        chunks: list[bytes] = []
        read = self.obj.read
        eof = False
        while True:
            try:
                chunk = read(65536)
            except ssl_module.SSLWantReadError:
                break
            except ssl_module.SSLZeroReturnError:
                eof = True
                break
            if not chunk:
                eof = True
                break
            chunks.append(chunk)
        if self._held:  # writes that waited for the peer go out with the next take()
            held, self._held = self._held, []
            for data in held:
                self._write(data)
        if len(chunks) == 1:
            return chunks[0], eof
        return b"".join(chunks), eof

    def encrypt(self, data: bytes) -> bytes:
        """Ciphertext for ``data`` (it may stay held while the peer renegotiates)."""
        self._write(data)
        return self.take()

    def _write(self, data: bytes) -> None:
        """Feed plaintext to TLS, whole; what it cannot take yet is held, in order."""
        if self._held:
            self._held.append(data)
            return
        while data:
            try:
                written = self.obj.write(data)
            except ssl_module.SSLWantReadError:
                self._held.append(data)
                return
            data = data[written:]  # a partial write: the rest follows in order
