"""Wire recording: format, scrubbing, buffering and reading back."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from realtalk.errors import ProtocolError
from realtalk.protocol.secrets import Secret
from realtalk.session.recording import (
    RECORDING_VERSION,
    BadLine,
    Frame,
    Header,
    LifecycleEvent,
    Recorder,
    parse_recording,
    read_recording,
)

KEY = "AIzaSyD-secret_KEY/with+chars"
TOKEN = "auth_tokens/ephemeral-token-123"


class ManualClock:
    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def fixed_wall() -> datetime:
    return datetime(2025, 5, 1, 9, 30, tzinfo=UTC)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def make(path: Path, clock: Callable[[], float] | None = None, **kw: Any) -> Recorder:
    return Recorder(path, clock=clock or ManualClock(), wall_clock=fixed_wall, **kw)


def test_file_format(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    clock = ManualClock(50.0)
    recorder = make(path, clock)
    recorder.connection_opened(0, "ws://127.0.0.1:9/ws/x")
    clock.now = 50.25
    recorder.sent(0, '{"setup":{"model":"models/m"}}')
    clock.now = 50.5
    recorder.received(0, b'{"setupComplete":{}}')
    recorder.received(0, b"\xff\x00binary")
    clock.now = 51.0
    recorder.connection_closed(0, 1000, "bye", by_client=True)
    recorder.close()
    header, *entries = lines(path)
    assert header == {
        "realtalk_recording": RECORDING_VERSION,
        "provider": "gemini",
        "started": "2025-05-01T09:30:00+00:00",
    }
    assert entries == [
        {"dir": "event", "t": 0.0, "conn": 0, "event": "connect", "url": "ws://127.0.0.1:9/ws/x"},
        {
            "dir": "send",
            "t": 0.25,
            "conn": 0,
            "text": True,
            "data": '{"setup":{"model":"models/m"}}',
        },
        {"dir": "recv", "t": 0.5, "conn": 0, "text": False, "data": '{"setupComplete":{}}'},
        {
            "dir": "recv",
            "t": 0.5,
            "conn": 0,
            "text": False,
            "b64": True,
            "data": base64.b64encode(b"\xff\x00binary").decode(),
        },
        {
            "dir": "event",
            "t": 1.0,
            "conn": 0,
            "event": "close",
            "code": 1000,
            "reason": "bye",
            "by": "client",
        },
    ]


def test_sent_text_flag_follows_the_send_argument(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with make(path) as recorder:
        recorder.sent(0, b'{"a":1}')  # bytes: binary frame
        recorder.sent(0, b'{"a":2}', text=True)  # bytes sent as a text frame
    frames = read_recording(path, strict=True).frames
    assert [f.data for f in frames] == [b'{"a":1}', '{"a":2}']


def test_secrets_are_scrubbed_everywhere(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    recorder = make(path, secrets=[KEY, Secret(TOKEN), ""])
    recorder.connection_opened(
        0,
        f"wss://h/ws/x?key={KEY}&access_token=other&note={KEY}",
        {"x-goog-api-key": "unlisted", "Authorization": "Bearer unlisted2", "x-extra": KEY},
    )
    recorder.sent(0, json.dumps({"setup": {"model": "m", "note": f"key {KEY} / {TOKEN}"}}))
    recorder.sent(0, f"raw {KEY}".encode() + b"\xff")  # binary, not UTF-8
    recorder.received(0, f'{{"echo":"{KEY}"}}'.encode())
    recorder.event(0, "reconnect", detail=f"token {TOKEN}", attempt=1)
    recorder.connection_closed(0, 1007, f"API key {KEY} expired")
    recorder.close()
    text = path.read_text()
    for secret in (KEY, TOKEN, "unlisted", "other"):
        assert secret not in text
    assert base64.b64encode(KEY.encode()).decode() not in text
    recording = read_recording(path, strict=True)
    binary = recording.frames[1].data
    assert binary == b"raw ***\xff"
    connect = recording.entries[0]
    assert isinstance(connect, LifecycleEvent)
    assert connect.fields["headers"] == {
        "x-goog-api-key": "***",
        "Authorization": "***",
        "x-extra": "***",
    }
    assert "note=%2A%2A%2A" in connect.fields["url"] or "note=***" in connect.fields["url"]
    close = recording.entries[-1]
    assert isinstance(close, LifecycleEvent)
    assert close.reason == "API key *** expired"


def test_json_escaped_and_url_encoded_secrets_are_scrubbed(tmp_path: Path) -> None:
    secret = 'we"ird/key value'
    path = tmp_path / "rec.jsonl"
    with make(path, secrets=[secret]) as recorder:
        recorder.sent(0, json.dumps({"k": secret}))
        recorder.connection_opened(1, "ws://h/p?x=we%22ird%2Fkey%20value")
    text = path.read_text()
    assert "ird" not in text


def test_resumption_handles_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    update = '{"sessionResumptionUpdate":{"newHandle":"handle-42","resumable":true}}'
    with make(path, secrets=[KEY]) as recorder:
        recorder.received(0, update)
        recorder.sent(1, '{"setup":{"model":"m","sessionResumption":{"handle":"handle-42"}}}')
    assert path.read_text().count("handle-42") == 2


def test_secrets_added_later_are_scrubbed_from_then_on(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with make(path) as recorder:
        recorder.sent(0, "token-one")
        recorder.add_secrets([Secret("token-one")])
        recorder.sent(1, "token-one")
    assert [f.data for f in read_recording(path).frames] == ["token-one", "***"]


def test_invalid_secret_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="secrets"):
        make(tmp_path / "r", secrets=[b"bytes"])


def test_no_file_io_until_flush_and_buffering(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    recorder = make(path, buffer_size=10_000)
    assert not path.exists()  # the constructor does no I/O
    recorder.sent(0, "x" * 100)
    assert not path.exists()  # still buffered
    recorder.sent(0, "y" * 20_000)  # crosses the buffer size: written
    assert len(lines(path)) == 3
    recorder.sent(0, "z")
    assert len(lines(path)) == 3
    recorder.close()
    assert len(lines(path)) == 4


def test_close_is_idempotent_and_later_writes_are_refused(tmp_path: Path) -> None:
    recorder = make(tmp_path / "rec.jsonl")
    recorder.close()
    recorder.close()
    assert recorder.closed
    with pytest.raises(ValueError, match="closed"):
        recorder.sent(0, "late")


def test_an_open_stream_is_written_and_left_open() -> None:
    stream = io.StringIO()
    with Recorder(stream, clock=ManualClock(), wall_clock=fixed_wall) as recorder:
        recorder.received(3, "hi")
    assert not stream.closed
    recording = parse_recording(stream.getvalue().splitlines(), strict=True)
    assert recording.frames == [Frame("recv", 0.0, 3, "hi", 2)]


def test_read_recording_types(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with make(path, provider="gemini") as recorder:
        recorder.connection_opened(0, "ws://h/p")
        recorder.sent(0, "a")
        recorder.received(1, b"\x80")
        recorder.connection_closed(1, None)
    recording = read_recording(path, strict=True)
    assert recording.header == Header(1, "gemini", "2025-05-01T09:30:00+00:00")
    first, second, third, fourth = recording.entries
    assert isinstance(first, LifecycleEvent) and first.event == "connect"
    assert second == Frame("send", 0.0, 0, "a", 3)
    assert isinstance(third, Frame) and third.data == b"\x80" and third.size == 1
    assert isinstance(fourth, LifecycleEvent) and fourth.code is None and fourth.reason == ""
    assert recording.connections() == [0, 1]


def test_bad_lines_are_kept_when_tolerant_and_raise_when_strict(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    header = '{"realtalk_recording":1,"provider":"gemini","started":"x"}'
    good = '{"dir":"send","t":0,"conn":0,"text":true,"data":"ok"}'
    bad = [
        "not json",
        "[1,2]",
        '{"dir":"sideways","t":0,"conn":0}',
        '{"dir":"send","t":"0","conn":0,"text":true,"data":"x"}',
        '{"dir":"send","t":0,"conn":0,"text":false,"b64":true,"data":"!!"}',
        '{"dir":"event","t":0,"conn":0}',
    ]
    path.write_text("\n".join([header, good, *bad, ""]))
    recording = read_recording(path)
    assert recording.frames == [Frame("send", 0.0, 0, "ok", 2)]
    assert [b.line for b in recording.entries if isinstance(b, BadLine)] == [3, 4, 5, 6, 7, 8]
    with pytest.raises(ProtocolError, match="line 3"):
        read_recording(path, strict=True)


def test_a_file_without_header(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    path.write_text('{"hello": 1}\n')
    recording = read_recording(path)
    assert recording.header is None
    assert isinstance(recording.entries[0], BadLine)
    with pytest.raises(ProtocolError, match="header"):
        read_recording(path, strict=True)


def test_an_unsupported_version_is_refused_when_strict(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    path.write_text('{"realtalk_recording":99}\n')
    assert read_recording(path).header == Header(99, "", "")
    with pytest.raises(ProtocolError, match="version 99"):
        read_recording(path, strict=True)


frames = st.one_of(
    st.text(),
    st.binary(),
    st.text().map(str.encode),
)


@given(st.lists(st.tuples(st.sampled_from(["send", "recv"]), frames, st.integers(0, 5))))
@example([("send", "line\u2028sep\x85arator\r\n", 0), ("recv", "\u2029".encode(), 1)])
def test_frames_round_trip_exactly(items: list[tuple[str, str | bytes, int]]) -> None:
    stream = io.StringIO()
    clock = ManualClock(0.0)
    with Recorder(stream, clock=clock) as recorder:
        for n, (direction, data, conn) in enumerate(items):
            clock.now = n / 8
            if direction == "send":
                recorder.sent(conn, data)
            else:
                recorder.received(conn, data)
    recording = parse_recording(stream.getvalue().splitlines(keepends=True), strict=True)
    got = [(f.direction, f.data, f.conn, f.t) for f in recording.frames]
    assert got == [(d, data, c, n / 8) for n, (d, data, c) in enumerate(items)]
