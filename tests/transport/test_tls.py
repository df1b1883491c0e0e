"""TLS on memory BIOs (``realtalk.transport.tls``), without sockets.

A :class:`TlsLayer` talks to a server-side ``ssl.SSLObject`` through byte pumping:
the handshake completes, plaintext round-trips both ways, a close_notify reads as the
end. A stand-in SSL object checks the two rare write paths: partial writes go out
whole and in order, and plaintext that TLS cannot take while the peer renegotiates is
held and sent, in order, after the next read.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator

import pytest

from realtalk.emulator.tls import TlsMaterial, make_tls
from realtalk.transport.tls import TlsLayer


@pytest.fixture(scope="module")
def material() -> Iterator[TlsMaterial]:
    tls = make_tls("127.0.0.1")
    yield tls
    tls.cleanup()


class Server:
    """The server end: an SSLObject on its own pair of memory BIOs."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.obj = context.wrap_bio(self.incoming, self.outgoing, server_side=True)

    def step(self) -> None:
        with contextlib.suppress(ssl.SSLWantReadError):
            self.obj.do_handshake()

    def read_all(self) -> bytes:
        chunks = []
        while True:
            try:
                chunks.append(self.obj.read(65536))
            except ssl.SSLWantReadError:
                return b"".join(chunks)


def connected(material: TlsMaterial) -> tuple[TlsLayer, Server]:
    client = TlsLayer(material.client_context(), "127.0.0.1")
    server = Server(material.server_context)
    for _ in range(10):
        done = client.handshake()
        server.incoming.write(client.take())
        server.step()
        if server.outgoing.pending:
            client.incoming.write(server.outgoing.read())
        if done and client.ready:
            break
    assert client.ready
    return client, server


def test_handshake_and_round_trip(material: TlsMaterial) -> None:
    client, server = connected(material)
    server.incoming.write(client.encrypt(b"hello server"))
    assert server.read_all() == b"hello server"
    server.obj.write(b"hello client")
    client.incoming.write(server.outgoing.read())
    plain, eof = client.decrypt()
    assert (plain, eof) == (b"hello client", False)


def test_several_records_come_out_as_one_piece(material: TlsMaterial) -> None:
    client, server = connected(material)
    for part in (b"one ", b"two ", b"three"):
        server.obj.write(part)
    client.incoming.write(server.outgoing.read())
    assert client.decrypt() == (b"one two three", False)


def test_close_notify_is_the_end(material: TlsMaterial) -> None:
    client, server = connected(material)
    server.obj.write(b"last words")
    with contextlib.suppress(ssl.SSLWantReadError):
        server.obj.unwrap()
    client.incoming.write(server.outgoing.read())
    assert client.decrypt() == (b"last words", True)


def test_nothing_fed_means_nothing_out(material: TlsMaterial) -> None:
    client, _ = connected(material)
    assert client.decrypt() == (b"", False)
    assert client.take() == b""


class FakeObj:
    """Stands in for an SSLObject: takes at most ``limit`` bytes per write (its
    "ciphertext" is the plaintext, put in the outgoing BIO), or refuses."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.refuse = False
        self.written: list[bytes] = []
        self.outgoing = ssl.MemoryBIO()

    def write(self, data: bytes) -> int:
        if self.refuse:
            raise ssl.SSLWantReadError
        taken = bytes(data[: self.limit])
        self.written.append(taken)
        self.outgoing.write(taken)
        return len(taken)

    def read(self, size: int) -> bytes:
        raise ssl.SSLWantReadError


def fake_layer(material: TlsMaterial, obj: FakeObj) -> TlsLayer:
    layer = TlsLayer(material.client_context(), "127.0.0.1")
    layer.obj = obj  # type: ignore[assignment]
    layer.outgoing = obj.outgoing
    return layer


def test_a_partial_write_is_completed_in_order(material: TlsMaterial) -> None:
    obj = FakeObj(limit=3)
    layer = fake_layer(material, obj)
    assert layer.encrypt(b"abcdefgh") == b"abcdefgh"
    assert len(obj.written) == 3


def test_writes_held_during_renegotiation_go_out_after_the_next_read(
    material: TlsMaterial,
) -> None:
    obj = FakeObj(limit=1 << 20)
    layer = fake_layer(material, obj)
    obj.refuse = True
    assert layer.encrypt(b"first ") == b""
    obj.refuse = False
    assert layer.encrypt(b"second") == b""  # must wait behind the first
    layer.decrypt()  # the peer's next records arrive: TLS takes writes again
    assert layer.take() == b"first second"  # what the connection writes after a read
