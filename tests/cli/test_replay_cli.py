"""`realtalk replay FILE`: a readable timeline of a wire recording, never a crash."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtalk.cli.replay import run_replay
from realtalk.testing import Recorder

PCM_IN = bytes(640)
PCM_OUT = bytes(1920)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def audio_in() -> str:
    data = base64.b64encode(PCM_IN).decode()
    return json.dumps(
        {"realtimeInput": {"audio": {"data": data, "mimeType": "audio/pcm;rate=16000"}}}
    )


def audio_out() -> bytes:
    blob = {"mimeType": "audio/pcm;rate=24000", "data": base64.b64encode(PCM_OUT).decode()}
    part = {"inlineData": blob}
    return json.dumps({"serverContent": {"modelTurn": {"parts": [part]}}}).encode()


def write_session(path: Path) -> None:
    clock = Clock()
    with Recorder(path, secrets=["sekret"], clock=clock) as rec:
        rec.connection_opened(0, "wss://example.test/ws/x?key=sekret")
        rec.sent(0, '{"setup":{"model":"models/live","sessionResumption":{}}}')
        clock.now += 0.25
        rec.received(0, b'{"setupComplete":{}}')
        rec.sent(0, audio_in())
        rec.received(0, audio_out())
        call = {"id": "c1", "name": "get_weather", "args": {"city": "Berlin"}}
        rec.received(0, json.dumps({"toolCall": {"functionCalls": [call]}}).encode())
        answer = {"id": "c1", "name": "get_weather", "response": {"temp": 21}}
        rec.sent(0, json.dumps({"toolResponse": {"functionResponses": [answer]}}))
        rec.received(0, b'{"serverContent":{"turnComplete":true}}')
        rec.received(0, b'{"goAway":{"timeLeft":"50s"}}')
        update = {"newHandle": "abcdefghijklmnop", "resumable": True}
        rec.received(0, json.dumps({"sessionResumptionUpdate": update}).encode())
        clock.now += 0.5
        rec.connection_closed(0, 1011, "Internal error occurred.", by_client=False)
        rec.connection_opened(1, "wss://example.test/ws/x")
        rec.sent(1, '{"realtimeInput":{"text":"hi"}}')
        rec.received(1, b"\xff\xfe not json")
        clock.now += 0.25
        rec.connection_closed(1, 1000, "", by_client=True)


def replay(path: Path | str) -> tuple[int, str]:
    out = io.StringIO()
    status = run_replay(str(path), out)
    return status, out.getvalue()


def test_timeline_of_a_session(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    write_session(path)
    status, text = replay(path)
    assert status == 0
    lines = text.splitlines()
    assert lines[0].startswith("recording v1 of gemini, started ")
    expected = [
        "       0.0 ms  #0  •  connect wss://example.test/ws/x?key=***",
        "       0.0 ms  #0  →  setup models/live resumable",
        "     250.0 ms  #0  ←  setupComplete",
        "     250.0 ms  #0  →  realtimeInput.audio 640 B @16kHz",
        "     250.0 ms  #0  ←  serverContent modelTurn audio 1920 B",
        "     250.0 ms  #0  ←  toolCall get_weather(city=Berlin)",
        '     250.0 ms  #0  →  toolResponse get_weather → {"temp":21}',
        "     250.0 ms  #0  ←  serverContent turnComplete",
        "     250.0 ms  #0  ←  goAway timeLeft=50s",
        "     250.0 ms  #0  ←  sessionResumptionUpdate resumable handle=abcdefg…",
        "     750.0 ms  #0  •  close 1011 'Internal error occurred.' by server",
        "     750.0 ms  #1  •  connect wss://example.test/ws/x",
        '     750.0 ms  #1  →  realtimeInput.text "hi"',
    ]
    assert lines[1 : 1 + len(expected)] == expected
    assert lines[14].startswith("     750.0 ms  #1  ←  malformed")
    assert lines[15] == "    1000.0 ms  #1  •  close 1000 by client"
    assert "sekret" not in text


def test_summary(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    write_session(path)
    _, text = replay(path)
    summary = text[text.index("summary:") :].splitlines()
    frames = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    sizes = {"send": 0, "recv": 0}
    for f in frames:
        if f["dir"] != "event":
            data = base64.b64decode(f["data"]) if f.get("b64") else f["data"].encode()
            sizes[f["dir"]] += len(data)
    assert sizes["send"] > len(PCM_IN) * 4 // 3 and sizes["recv"] > len(PCM_OUT) * 4 // 3
    assert summary[1] == "  connections: 2"
    assert summary[2] == f"  sent:        4 frames, {sizes['send']:,} B"
    assert summary[3] == f"  received:    7 frames, {sizes['recv']:,} B"
    assert summary[4] == "  duration:    1.000 s"
    assert len(summary) == 5


def test_unreadable_lines_are_shown_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    write_session(path)
    with path.open("a") as file:
        file.write("this is not json\n")
        file.write('{"dir":"send","t":1,"conn":0,"text":false,"b64":true,"data":"%%%"}\n')
    status, text = replay(path)
    assert status == 0
    assert "line 17: unreadable (not a JSON object): this is not json" in text
    assert "line 18: unreadable (invalid base64 data)" in text
    assert "  unreadable:  2 lines" in text


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    status, text = replay(tmp_path / "nope.jsonl")
    assert status == 2
    assert text == f"realtalk replay: no such file: {tmp_path / 'nope.jsonl'}\n"


def test_errors_can_go_to_another_stream(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_replay(str(tmp_path), out, err) == 2  # a directory
    assert out.getvalue() == ""
    assert err.getvalue().startswith(f"realtalk replay: cannot read {tmp_path}")


def test_a_file_that_is_not_a_recording_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "other.txt"
    path.write_text("hello\nworld\n")
    status, text = replay(path)
    assert status == 2
    assert "is not a realtalk recording" in text
    path.write_bytes(b"")
    assert replay(path)[0] == 2


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(st.lists(st.text(), max_size=8))
def test_garbage_never_crashes(tmp_path: Path, garbage: list[str]) -> None:
    path = tmp_path / "g.jsonl"
    body = ['{"realtalk_recording":1,"provider":"gemini","started":"x"}', *garbage]
    path.write_text("\n".join(body), encoding="utf-8", errors="surrogatepass")
    status, text = replay(path)
    assert status == 0
    assert "summary:" in text


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["send", "recv"]),
            st.one_of(st.binary(max_size=64), st.text(max_size=64)),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=3)
                ),
                max_leaves=8,
            ),
        ),
        max_size=6,
    )
)
def test_odd_frames_never_crash(
    tmp_path: Path, frames: list[tuple[str, str | bytes, object]]
) -> None:
    path = tmp_path / "o.jsonl"
    keys = ["setup", "realtimeInput", "clientContent", "toolResponse", "serverContent", "toolCall"]
    with Recorder(path) as rec:
        for n, (direction, raw, value) in enumerate(frames):
            doc = json.dumps({keys[n % len(keys)]: value})
            for data in (raw, doc):
                (rec.sent if direction == "send" else rec.received)(0, data)
    status, text = replay(path)
    assert status == 0
    assert text.count("\n") >= 2 * len(frames)
