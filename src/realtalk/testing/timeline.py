"""One-line summaries of Gemini Live frames, for timelines (``realtalk replay``) and logs.

* :func:`describe_client_frame`: ``realtimeInput.audio 640 B @16kHz``,
  ``clientContent 1 turn "hello" turnComplete``, ``setup models/x resumable``.
* :func:`describe_server_frame` (through the client codec's
  :func:`~realtalk.protocol.gemini.codec.decode_server`, so it shows what a session
  would see): ``serverContent modelTurn audio 1920 B``, ``toolCall get_weather(city=Berlin)``,
  ``goAway timeLeft=50s``, ``sessionResumptionUpdate resumable handle=abc…``.

Neither raises on garbage: a frame that is not JSON is described as such.
"""

from __future__ import annotations

import json
from typing import Any

from realtalk.protocol import events as ev
from realtalk.protocol.gemini.codec import decode_server

__all__ = ["describe_client_frame", "describe_server_frame"]

_TEXT_LIMIT = 40


def _clip(text: str, limit: int = _TEXT_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quoted(text: str) -> str:
    return '"' + _clip(text) + '"'


def _b64_size(data: Any) -> int:
    """Decoded size of a base64 string, without decoding it."""
    if not isinstance(data, str):
        return 0
    text: str = data.strip()
    return max(0, len(text) * 3 // 4 - text[-2:].count("="))


def _rate(mime: Any) -> str:
    if isinstance(mime, str) and "rate=" in mime:
        rate = mime.split("rate=", 1)[1].split(";", 1)[0]
        if rate.isdigit():
            return f" @{int(rate) // 1000}kHz" if int(rate) % 1000 == 0 else f" @{rate}Hz"
    return ""


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return repr(value)


def _call(name: str, args: dict[str, Any]) -> str:
    inner = ", ".join(f"{k}={_plain(v)}" for k, v in args.items())
    return f"{name}({_clip(inner)})"


def _parse(data: str | bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    return message if isinstance(message, dict) else None


def _size(data: str | bytes) -> int:
    return len(data.encode() if isinstance(data, str) else data)


# -- client frames -------------------------------------------------------------------------


def _setup(body: dict[str, Any]) -> str:
    out = [f"setup {body.get('model', '?')}"]
    config = body.get("generationConfig")
    if isinstance(config, dict) and isinstance(config.get("responseModalities"), list):
        out.append("modalities=" + ",".join(map(str, config["responseModalities"])))
    tools = body.get("tools")
    if isinstance(tools, list) and tools:
        out.append(f"tools={len(tools)}")
    resumption = body.get("sessionResumption")
    if isinstance(resumption, dict):
        handle = resumption.get("handle")
        out.append(f"resume handle={_clip(str(handle), 8)}" if handle else "resumable")
    return " ".join(out)


def _realtime(body: dict[str, Any]) -> str:
    out = []
    for key, value in body.items():
        item = f"realtimeInput.{key}"
        if key in ("audio", "video") and isinstance(value, dict):
            mime = value.get("mimeType")
            extra = _rate(mime) if key == "audio" else f" {mime}" if mime else ""
            item += f" {_b64_size(value.get('data'))} B{extra}"
        elif key == "text" and isinstance(value, str):
            item += " " + _quoted(value)
        elif key == "mediaChunks" and isinstance(value, list):
            total = sum(_b64_size(c.get("data")) for c in value if isinstance(c, dict))
            item += f" {len(value)} chunk(s) {total} B"
        out.append(item)
    return ", ".join(out) or "realtimeInput (empty)"


def _client_content(body: dict[str, Any]) -> str:
    turns = body.get("turns")
    turns = turns if isinstance(turns, list) else []
    texts = [
        p["text"]
        for t in turns
        if isinstance(t, dict) and isinstance(t.get("parts"), list)
        for p in t["parts"]
        if isinstance(p, dict) and isinstance(p.get("text"), str)
    ]
    out = [f"clientContent {len(turns)} turn{'s' if len(turns) != 1 else ''}"]
    if texts:
        out.append(_quoted(" ".join(texts)))
    if body.get("turnComplete"):
        out.append("turnComplete")
    return " ".join(out)


def _tool_response(body: dict[str, Any]) -> str:
    responses = body.get("functionResponses")
    responses = responses if isinstance(responses, list) else []
    items = [
        f"{r.get('name', '?')} → {_clip(_plain(r.get('response')), 30)}"
        for r in responses
        if isinstance(r, dict)
    ]
    return "toolResponse " + ", ".join(items) if items else "toolResponse"


_CLIENT = {
    "setup": _setup,
    "realtimeInput": _realtime,
    "clientContent": _client_content,
    "toolResponse": _tool_response,
}


def describe_client_frame(data: str | bytes) -> str:
    """Describe one client (client-to-server) frame in one line.

    Args:
        data: The frame payload.

    Returns:
        A summary such as ``realtimeInput.audio 640 B @16kHz``; never raises.
    """
    message = _parse(data)
    if message is None:
        return f"non-JSON frame {_size(data)} B"
    if not message:
        return "{}"
    parts = []
    for key, body in message.items():
        describe = _CLIENT.get(key)
        parts.append(describe(body) if describe is not None and isinstance(body, dict) else key)
    return " | ".join(parts)


# -- server frames -------------------------------------------------------------------------


def _server_event(event: ev.Event) -> tuple[str, str]:
    """Return (top-level wire key, detail) for one decoded event."""
    match event:
        case ev.SetupComplete():
            return "setupComplete", ""
        case ev.TextDelta(text=text):
            return "serverContent", f"modelTurn text {_quoted(text)}"
        case ev.AudioDelta(data=pcm):
            return "serverContent", f"modelTurn audio {len(pcm)} B"
        case ev.Thought(text=text):
            return "serverContent", f"thought {_quoted(text)}"
        case ev.CodeExecution(language=language):
            return "serverContent", f"executableCode {language}"
        case ev.CodeExecutionResult(outcome=outcome):
            return "serverContent", f"codeExecutionResult {outcome}"
        case ev.InputTranscript(text=text, final=final, interim=interim):
            flag = " (final)" if final else " (interim)" if interim else ""
            return "serverContent", f"inputTranscription {_quoted(text)}{flag}"
        case ev.OutputTranscript(text=text, final=final):
            return "serverContent", f"outputTranscription {_quoted(text)}" + (
                " (final)" if final else ""
            )
        case ev.Grounding():
            return "serverContent", "groundingMetadata"
        case ev.Interrupted():
            return "serverContent", "interrupted"
        case ev.GenerationComplete():
            return "serverContent", "generationComplete"
        case ev.WaitingForInput():
            return "serverContent", "waitingForInput"
        case ev.TurnComplete(reason=reason):
            return "serverContent", "turnComplete" + (f" reason={reason}" if reason else "")
        case ev.ToolCall(calls=calls):
            return "toolCall", ", ".join(_call(c.name, c.args) for c in calls)
        case ev.ToolCallCancelled(ids=ids):
            return "toolCallCancellation", "ids=" + ",".join(ids)
        case ev.GoAway(time_left=left):
            return "goAway", "" if left is None else f"timeLeft={left:g}s"
        case ev.ResumptionUpdate(handle=handle, resumable=resumable, last_consumed_index=index):
            text = "resumable" if resumable else "not resumable"
            text += f" handle={_clip(handle, 8)}" if handle else ""
            return "sessionResumptionUpdate", text + ("" if index is None else f" index={index}")
        case ev.SpeechStarted():
            return "voiceActivity", "speech started"
        case ev.SpeechStopped():
            return "voiceActivity", "speech stopped"
        case ev.Usage(total_tokens=total):
            return "usageMetadata", f"total={total} tokens"
        case ev.Unknown(raw=raw):
            return "unknown", ",".join(map(str, raw)) or "{}"
        case ev.Error(message=message):
            return "malformed", _clip(message, 60)
    return type(event).__name__, ""


def describe_server_frame(data: str | bytes) -> str:
    """Describe one server (server-to-client) frame in one line.

    Args:
        data: The frame payload.

    Returns:
        A summary such as ``serverContent modelTurn audio 1920 B`` or
        ``goAway timeLeft=50s``; several facts of one frame are joined with ``|``.
        Never raises.
    """
    events = decode_server(data)
    if not events:
        return "{}" if _parse(data) is not None else f"empty frame {_size(data)} B"
    groups: dict[str, list[str]] = {}
    for event in events:
        key, detail = _server_event(event)
        groups.setdefault(key, [])
        if detail:
            groups[key].append(detail)
    order = list(_parse(data) or ())  # show the facts in the frame's key order
    keys = sorted(groups, key=lambda k: order.index(k) if k in order else len(order))
    return " | ".join(f"{k} {', '.join(groups[k])}".rstrip() for k in keys)
