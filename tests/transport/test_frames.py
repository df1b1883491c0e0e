"""RFC 6455 client framing without I/O (``realtalk.transport.frames``).

Covers: masked client frames from :func:`encode_frame` in all three length encodings,
checked by a test-side server parser; the pure-Python and C masking agree; the
:class:`FrameReader` turns unmasked server frames into messages and control frames
whatever the read boundaries, reassembles fragments, and reports every protocol
violation as one final :class:`Failure` (1002, 1007, 1009) - oversized frames from the
header alone; close payloads (:func:`parse_close`, :func:`close_payload`) and the
handshake's :func:`accept_key`.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realtalk.transport.frames import (
    BINARY,
    CLOSE,
    CONTINUATION,
    PING,
    PONG,
    TEXT,
    Control,
    Failure,
    FrameReader,
    _py_apply_mask,
    accept_key,
    apply_mask,
    close_payload,
    encode_frame,
    parse_close,
)

Item = str | bytes | Control | Failure


# -- test-side helpers ------------------------------------------------------------------
def xor(data: bytes, key: bytes) -> bytes:
    """Reference masking: byte i XOR key[i % 4]."""
    return bytes(b ^ key[i % 4] for i, b in enumerate(data))


def server_frame(
    opcode: int,
    payload: bytes,
    *,
    fin: bool = True,
    rsv: int = 0,
    mask: bytes | None = None,
    length_bytes: int | None = None,
) -> bytes:
    """A frame as a server would send it (unmasked unless ``mask`` is given).

    ``length_bytes`` forces the length encoding: 0 (7-bit), 2 (16-bit) or 8 (64-bit).
    """
    n = len(payload)
    if length_bytes is None:
        length_bytes = 0 if n < 126 else 2 if n < 0x10000 else 8
    mask_bit = 0x80 if mask is not None else 0
    first = bytes(((0x80 if fin else 0) | (rsv << 4) | opcode,))
    if length_bytes == 0:
        header = first + bytes((mask_bit | n,))
    elif length_bytes == 2:
        header = first + bytes((mask_bit | 126,)) + n.to_bytes(2, "big")
    else:
        header = first + bytes((mask_bit | 127,)) + n.to_bytes(8, "big")
    if mask is not None:
        return header + mask + xor(payload, mask)
    return header + payload


def parse_client_frame(frame: bytes) -> tuple[int, int, bytes, bytes]:
    """Parse one whole client frame: (first byte, length field width, mask key, payload)."""
    first, second = frame[0], frame[1]
    assert second & 0x80, "client frames must be masked"
    length = second & 0x7F
    pos = 2
    width = 0
    if length == 126:
        width = 2
    elif length == 127:
        width = 8
    if width:
        length = int.from_bytes(frame[2 : 2 + width], "big")
        pos += width
    key = frame[pos : pos + 4]
    payload = frame[pos + 4 :]
    assert len(payload) == length
    return first, width, key, apply_mask(payload, key)


def view(items: list[Item]) -> list[object]:
    """Items in a comparable form."""
    out: list[object] = []
    for item in items:
        if isinstance(item, Control):
            out.append(("control", item.opcode, item.payload))
        elif isinstance(item, Failure):
            out.append(("failure", item.code))
        else:
            out.append(item)
    return out


def feed_all(reader: FrameReader, chunks: list[bytes]) -> list[Item]:
    items: list[Item] = []
    for chunk in chunks:
        items.extend(reader.feed(chunk))
    return items


def assert_fails(data: bytes, code: int, max_size: int = 1 << 20) -> None:
    reader = FrameReader(max_size)
    items = reader.feed(data)
    assert view(items) == [("failure", code)]


# -- encode_frame and masking -----------------------------------------------------------
@pytest.mark.parametrize(
    ("length", "width"),
    [(0, 0), (125, 0), (126, 2), (65535, 2), (65536, 8), (70000, 8)],
)
@pytest.mark.parametrize("opcode", [TEXT, BINARY])
def test_encode_frame_round_trips_in_every_length_encoding(
    length: int, width: int, opcode: int
) -> None:
    payload = bytes(i * 7 % 251 for i in range(length))
    frame = encode_frame(opcode, payload)
    first, got_width, key, unmasked = parse_client_frame(frame)
    assert first == 0x80 | opcode  # FIN, no reserved bits
    assert got_width == width
    assert len(key) == 4
    assert unmasked == payload
    assert len(frame) == 2 + width + 4 + length


@pytest.mark.parametrize("opcode", [CLOSE, PING, PONG])
def test_encode_control_frames(opcode: int) -> None:
    first, width, _, payload = parse_client_frame(encode_frame(opcode, b"\x03\xe8bye"))
    assert (first, width, payload) == (0x80 | opcode, 0, b"\x03\xe8bye")


def test_encode_frame_uses_the_given_mask() -> None:
    frame = encode_frame(TEXT, b"hello", mask=b"\x01\x02\x03\x04")
    assert frame == b"\x81\x85\x01\x02\x03\x04" + xor(b"hello", b"\x01\x02\x03\x04")


def test_encode_frame_draws_a_fresh_mask_each_time() -> None:
    keys = {parse_client_frame(encode_frame(BINARY, b"same payload"))[2] for _ in range(8)}
    assert len(keys) > 1


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300), key=st.binary(min_size=4, max_size=4))
def test_python_and_c_masking_agree(data: bytes, key: bytes) -> None:
    masked = apply_mask(data, key)
    assert masked == _py_apply_mask(data, key) == xor(data, key)
    assert apply_mask(masked, key) == data
    assert _py_apply_mask(_py_apply_mask(data, key), key) == data


@pytest.mark.parametrize("key", [b"", b"abc", b"abcde"])
def test_apply_mask_needs_a_four_byte_key(key: bytes) -> None:
    with pytest.raises(ValueError):
        apply_mask(b"data", key)


# -- FrameReader: messages --------------------------------------------------------------
def test_text_is_str_and_binary_is_bytes() -> None:
    reader = FrameReader(1 << 20)
    [text] = reader.feed(server_frame(TEXT, "héllo".encode()))
    [binary] = reader.feed(server_frame(BINARY, b"\x00\xff"))
    assert text == "héllo"
    assert type(binary) is bytes and binary == b"\x00\xff"
    assert reader.feed(server_frame(TEXT, b"")) == [""]
    assert reader.feed(server_frame(BINARY, b"")) == [b""]


def test_several_frames_in_one_feed_keep_their_order() -> None:
    stream = b"".join(
        [
            server_frame(TEXT, b"one"),
            server_frame(PING, b"p"),
            server_frame(BINARY, b"two" * 100),  # 16-bit length
            server_frame(PONG, b""),
            server_frame(BINARY, b"x" * 65536),  # 64-bit length
            server_frame(CLOSE, b"\x03\xe8"),
        ]
    )
    reader = FrameReader(1 << 20)
    assert view(reader.feed(stream)) == [
        "one",
        ("control", PING, b"p"),
        b"two" * 100,
        ("control", PONG, b""),
        b"x" * 65536,
        ("control", CLOSE, b"\x03\xe8"),
    ]
    assert reader.buffered == 0


def test_a_partial_frame_is_held_until_complete() -> None:
    frame = server_frame(TEXT, b"abcdef")
    reader = FrameReader(1 << 20)
    assert reader.feed(frame[:4]) == []
    assert reader.buffered == 4
    assert reader.feed(frame[4:] + frame[:1]) == ["abcdef"]
    assert reader.buffered == 1
    assert reader.feed(frame[1:]) == ["abcdef"]
    assert reader.buffered == 0


MIXED_STREAM = b"".join(
    [
        server_frame(TEXT, "größe".encode()),
        server_frame(BINARY, bytes(range(200))),
        server_frame(TEXT, b"frag", fin=False),
        server_frame(PING, b"mid"),
        server_frame(CONTINUATION, "ment é".encode()),
        server_frame(BINARY, b"x" * 300, length_bytes=8),
        server_frame(CLOSE, b"\x03\xe8ok"),
    ]
)
MIXED_ITEMS = [
    "größe",
    bytes(range(200)),
    ("control", PING, b"mid"),
    "fragment é",
    b"x" * 300,
    ("control", CLOSE, b"\x03\xe8ok"),
]


def test_byte_by_byte_feeding_gives_the_same_items() -> None:
    reader = FrameReader(1 << 20)
    items = feed_all(reader, [MIXED_STREAM[i : i + 1] for i in range(len(MIXED_STREAM))])
    assert view(items) == MIXED_ITEMS


@settings(max_examples=100, deadline=None)
@given(
    messages=st.lists(st.one_of(st.text(max_size=200), st.binary(max_size=400)), max_size=8),
    data=st.data(),
)
def test_any_split_of_the_stream_gives_the_same_items(
    messages: list[str | bytes], data: st.DataObject
) -> None:
    stream = b"".join(
        server_frame(TEXT, m.encode()) if isinstance(m, str) else server_frame(BINARY, m)
        for m in messages
    )
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=len(stream)), max_size=12))
    points = sorted({0, len(stream), *cuts})
    chunks = [stream[a:b] for a, b in itertools.pairwise(points)]
    reader = FrameReader(1 << 20)
    assert feed_all(reader, chunks) == messages
    assert FrameReader(1 << 20).feed(stream) == messages
    assert reader.buffered == 0


def test_fragmented_messages_are_reassembled_with_controls_in_order() -> None:
    euro = "€".encode()  # three bytes, split across fragments
    stream = b"".join(
        [
            server_frame(TEXT, b"a" + euro[:1], fin=False),
            server_frame(PING, b"1"),
            server_frame(CONTINUATION, euro[1:], fin=False),
            server_frame(PONG, b"2"),
            server_frame(CONTINUATION, b"z"),
            server_frame(BINARY, b"\x00", fin=False),
            server_frame(CONTINUATION, b"", fin=False),
            server_frame(CONTINUATION, b"\x01"),
            server_frame(TEXT, b"after"),
        ]
    )
    assert view(FrameReader(1 << 20).feed(stream)) == [
        ("control", PING, b"1"),
        ("control", PONG, b"2"),
        "a€z",
        b"\x00\x01",
        "after",
    ]


def test_large_message_across_many_feeds() -> None:
    payload = bytes(i % 256 for i in range(1 << 20))
    frame = server_frame(BINARY, payload) + server_frame(TEXT, b"next")
    reader = FrameReader(1 << 20)
    items: list[Item] = []
    for i in range(0, len(frame), 1000):
        items.extend(reader.feed(frame[i : i + 1000]))
    assert items == [payload, "next"]
    assert reader.buffered == 0


def test_fragmented_message_of_many_frames() -> None:
    parts = [bytes([i]) * 1000 for i in range(50)]
    frames = [
        server_frame(BINARY if i == 0 else CONTINUATION, p, fin=False) for i, p in enumerate(parts)
    ]
    frames.append(server_frame(CONTINUATION, b"end"))
    reader = FrameReader(1 << 20)
    assert feed_all(reader, frames) == [b"".join(parts) + b"end"]


# -- FrameReader: failures --------------------------------------------------------------
def test_masked_server_frame_is_1002() -> None:
    assert_fails(server_frame(TEXT, b"hi", mask=b"abcd"), 1002)


@pytest.mark.parametrize("rsv", [1, 2, 4, 7])
def test_reserved_bits_are_1002(rsv: int) -> None:
    assert_fails(server_frame(TEXT, b"hi", rsv=rsv), 1002)


@pytest.mark.parametrize("opcode", [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF])
def test_unknown_opcodes_are_1002(opcode: int) -> None:
    assert_fails(server_frame(opcode, b"x"), 1002)


@pytest.mark.parametrize("opcode", [3, 7])
def test_an_oversized_frame_with_an_unknown_opcode_is_1002_not_1009(opcode: int) -> None:
    header = server_frame(opcode, b"", length_bytes=8)[:2] + (1 << 40).to_bytes(8, "big")
    assert_fails(header, 1002)


def test_an_oversized_new_message_inside_a_fragmented_one_is_1002_not_1009() -> None:
    start = server_frame(TEXT, b"part", fin=False)
    header = server_frame(BINARY, b"", length_bytes=8)[:2] + (1 << 40).to_bytes(8, "big")
    assert_fails(start + header, 1002)


@pytest.mark.parametrize("opcode", [CLOSE, PING, PONG])
def test_fragmented_control_frame_is_1002(opcode: int) -> None:
    assert_fails(server_frame(opcode, b"", fin=False), 1002)


@pytest.mark.parametrize("opcode", [CLOSE, PING, PONG])
@pytest.mark.parametrize("length", [126, 65536])
def test_oversized_control_frame_fails_from_its_header(opcode: int, length: int) -> None:
    frame = server_frame(opcode, b"x" * length)
    header = frame[: 4 if length < 0x10000 else 10]
    assert_fails(header, 1002)


def test_continuation_without_a_message_is_1002() -> None:
    assert_fails(server_frame(CONTINUATION, b"x"), 1002)
    assert_fails(server_frame(CONTINUATION, b"x", fin=False), 1002)


@pytest.mark.parametrize(("opcode", "fin"), [(TEXT, True), (BINARY, True), (TEXT, False)])
def test_new_message_inside_a_fragmented_one_is_1002(opcode: int, fin: bool) -> None:
    stream = server_frame(BINARY, b"start", fin=False) + server_frame(opcode, b"x", fin=fin)
    assert_fails(stream, 1002)


def test_invalid_utf8_text_is_1007() -> None:
    assert_fails(server_frame(TEXT, b"ok\xff"), 1007)
    assert_fails(server_frame(TEXT, "€".encode()[:2]), 1007)  # truncated sequence


def test_invalid_utf8_in_a_fragmented_text_is_1007() -> None:
    stream = server_frame(TEXT, b"ok", fin=False) + server_frame(CONTINUATION, b"\xc3\x28")
    assert_fails(stream, 1007)
    # a sequence cut short by the end of the message, though each fragment looked fine
    stream = server_frame(TEXT, b"ok", fin=False) + server_frame(CONTINUATION, b"\xe2\x82")
    assert_fails(stream, 1007)


def test_invalid_utf8_in_binary_is_fine() -> None:
    assert FrameReader(100).feed(server_frame(BINARY, b"\xff\xfe")) == [b"\xff\xfe"]


@pytest.mark.parametrize("opcode", [TEXT, BINARY])
def test_message_at_max_size_passes_and_one_byte_more_is_1009(opcode: int) -> None:
    expected: str | bytes = "a" * 100 if opcode == TEXT else b"a" * 100
    assert FrameReader(100).feed(server_frame(opcode, b"a" * 100)) == [expected]
    header = server_frame(opcode, b"a" * 101)[:2]  # no payload bytes at all
    assert_fails(header, 1009, max_size=100)


def test_oversized_64_bit_length_fails_from_its_header() -> None:
    header = bytes((0x82, 127)) + (1 << 40).to_bytes(8, "big")
    assert_fails(header, 1009, max_size=1 << 20)


def test_fragmented_message_over_max_size_fails_at_the_fragment_header() -> None:
    reader = FrameReader(100)
    assert reader.feed(server_frame(BINARY, b"a" * 60, fin=False)) == []
    assert reader.feed(server_frame(PING, b"")) != []  # controls do not count
    header = server_frame(CONTINUATION, b"b" * 41)[:2]
    assert view(reader.feed(header)) == [("failure", 1009)]


def test_fragmented_message_exactly_at_max_size_passes() -> None:
    stream = server_frame(TEXT, b"a" * 60, fin=False) + server_frame(CONTINUATION, b"b" * 40)
    assert FrameReader(100).feed(stream) == ["a" * 60 + "b" * 40]


def test_items_before_a_failure_are_returned_and_later_input_is_ignored() -> None:
    reader = FrameReader(1 << 20)
    stream = (
        server_frame(TEXT, b"first")
        + server_frame(PING, b"p")
        + server_frame(TEXT, b"bad", rsv=1)
        + server_frame(TEXT, b"never")
    )
    items = reader.feed(stream)
    assert view(items) == ["first", ("control", PING, b"p"), ("failure", 1002)]
    failure = items[-1]
    assert isinstance(failure, Failure) and failure.reason
    assert reader.feed(server_frame(TEXT, b"later")) == []
    assert reader.feed(b"") == []
    assert reader.buffered == 0


def test_failure_after_buffered_input() -> None:
    reader = FrameReader(1 << 20)
    good = server_frame(TEXT, b"good")
    assert reader.feed(good[:3]) == []
    items = reader.feed(good[3:] + server_frame(BINARY, b"x", mask=b"abcd"))
    assert view(items) == ["good", ("failure", 1002)]
    assert reader.feed(server_frame(TEXT, b"later")) == []


# -- close payloads ---------------------------------------------------------------------
def test_empty_close_payload_means_1005() -> None:
    assert parse_close(b"") == (1005, "")
    assert close_payload(1005) == b""


def test_one_byte_close_payload_is_invalid() -> None:
    with pytest.raises(ValueError):
        parse_close(b"\x03")


@pytest.mark.parametrize("code", [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535])
def test_invalid_close_codes_are_rejected(code: int) -> None:
    with pytest.raises(ValueError):
        parse_close(code.to_bytes(2, "big") + b"reason")


@pytest.mark.parametrize("code", [1000, 1001, 1002, 1003, 1007, 1011, 1012, 1014, 3000, 4999])
@pytest.mark.parametrize("reason", ["", "bye", "adiós €"])
def test_valid_close_codes_round_trip(code: int, reason: str) -> None:
    payload = close_payload(code, reason)
    assert payload[:2] == code.to_bytes(2, "big")
    assert parse_close(payload) == (code, reason)


@pytest.mark.parametrize("code", [0, 999, 1004, 1006, 1015, 1016, 2999, 5000, 70000, True])
def test_close_codes_that_may_not_be_sent_are_refused(code: int) -> None:
    with pytest.raises(ValueError):
        close_payload(code, "bye")


def test_1005_is_sent_as_an_empty_payload_and_never_with_a_reason() -> None:
    assert close_payload(1005) == b""
    with pytest.raises(ValueError):
        close_payload(1005, "reason")


def test_invalid_utf8_close_reason_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_close(b"\x03\xe8\xff")


def test_close_reason_is_limited_to_123_bytes() -> None:
    assert parse_close(close_payload(1000, "r" * 123)) == (1000, "r" * 123)
    with pytest.raises(ValueError):
        close_payload(1000, "r" * 124)
    with pytest.raises(ValueError):
        close_payload(1000, "é" * 62)  # 62 characters but 124 bytes


# -- handshake --------------------------------------------------------------------------
def test_accept_key_matches_the_rfc_example() -> None:
    # RFC 6455 section 1.3: the sample nonce and the value the server returns for it
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
