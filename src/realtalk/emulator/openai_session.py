"""The session configuration of one emulated OpenAI Realtime connection (openai-realtime.md §3).

:class:`SessionConfig` holds the effective configuration as plain JSON data (the
shape of ``session.created``), applies ``session.update`` (only the fields present
change; objects such as ``turn_detection`` or ``format`` are replaced whole, §4.1)
and validates the result the way the service does: an invalid update raises
:class:`~realtalk.emulator.openai_output.RequestError` and changes nothing.
"""

from __future__ import annotations

import copy
from typing import Any

import msgspec

from realtalk.emulator.openai_output import RequestError, invalid
from realtalk.protocol.openai import wire
from realtalk.protocol.openai.pcm import G711_RATE

__all__ = [
    "DEFAULT_INSTRUCTIONS",
    "DEFAULT_SILENCE_MS",
    "DEFAULT_VOICE",
    "SessionConfig",
    "format_rate",
]

#: Instructions reported in ``session.created`` (the service has its own default).
DEFAULT_INSTRUCTIONS = "You are the realtalk emulator's echo assistant."
#: Voice of a new session.
DEFAULT_VOICE = "marin"
#: ``silence_duration_ms`` of the default server VAD (as ``session.created`` shows it).
DEFAULT_SILENCE_MS = 200

_FORMATS = (wire.AUDIO_PCM, wire.AUDIO_PCMU, wire.AUDIO_PCMA)
_EAGERNESS = ("low", "medium", "high", "auto")
_TOOL_CHOICES = ("auto", "none", "required")
#: Keys whose value an update replaces whole instead of merging into.
_REPLACE = frozenset(
    {
        "format",
        "transcription",
        "noise_reduction",
        "turn_detection",
        "tools",
        "tool_choice",
        "tracing",
        "prompt",
        "include",
        "truncation",
        "reasoning",
        "voice",
    }
)
_SERVER_ONLY = ("object", "id", "expires_at")


def format_rate(fmt: dict[str, Any]) -> int:
    """Sample rate of a GA audio format object (§7)."""
    return G711_RATE if fmt.get("type") in (wire.AUDIO_PCMU, wire.AUDIO_PCMA) else wire.PCM_RATE


def _pcm_format() -> dict[str, Any]:
    return {"type": wire.AUDIO_PCM, "rate": wire.PCM_RATE}


def _server_vad(given: dict[str, Any]) -> dict[str, Any]:
    """A turn-detection object with the service's defaults filled in (§3.2)."""
    if given.get("type") == "semantic_vad":
        defaults: dict[str, Any] = {"type": "semantic_vad", "eagerness": "auto"}
    else:
        defaults = {
            "type": "server_vad",
            "threshold": 0.5,
            "prefix_padding_ms": 300,
            "silence_duration_ms": DEFAULT_SILENCE_MS,
            "idle_timeout_ms": None,
        }
    defaults.update({"create_response": True, "interrupt_response": True})
    defaults.update(given)
    return defaults


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in patch.items():
        old = merged.get(key)
        if key not in _REPLACE and isinstance(value, dict) and isinstance(old, dict):
            merged[key] = _merge(old, value)
        else:
            merged[key] = value
    return merged


class SessionConfig:
    """The effective configuration of one session.

    Args:
        model: The model from the URL (cannot change later).
        session_id: The ``sess_...`` id.
        expires_at: Unix seconds at which the session hits its time limit.
    """

    def __init__(self, model: str, session_id: str, expires_at: int) -> None:
        self.data: dict[str, Any] = {
            "type": "realtime",
            "object": "realtime.session",
            "id": session_id,
            "model": model,
            "output_modalities": ["audio"],
            "instructions": DEFAULT_INSTRUCTIONS,
            "tools": [],
            "tool_choice": "auto",
            "max_output_tokens": "inf",
            "tracing": None,
            "prompt": None,
            "expires_at": expires_at,
            "audio": {
                "input": {
                    "format": _pcm_format(),
                    "transcription": None,
                    "noise_reduction": None,
                    "turn_detection": _server_vad({}),
                },
                "output": {"format": _pcm_format(), "voice": DEFAULT_VOICE, "speed": 1.0},
            },
            "include": None,
        }

    # -- views -------------------------------------------------------------------------
    def to_wire(self) -> wire.Session:
        """The configuration as a wire object (for ``session.created`` / ``.updated``)."""
        return msgspec.convert(self.data, wire.Session)

    @property
    def _input(self) -> dict[str, Any]:
        value: dict[str, Any] = self.data["audio"]["input"]
        return value

    @property
    def _output(self) -> dict[str, Any]:
        value: dict[str, Any] = self.data["audio"]["output"]
        return value

    @property
    def modalities(self) -> list[str]:
        """``output_modalities``: ``["audio"]`` or ``["text"]``."""
        return list(self.data["output_modalities"])

    @property
    def input_format(self) -> dict[str, Any]:
        """``audio.input.format``."""
        return dict(self._input["format"])

    @property
    def output_format(self) -> dict[str, Any]:
        """``audio.output.format``."""
        return dict(self._output["format"])

    @property
    def voice(self) -> str | wire.VoiceRef:
        """``audio.output.voice`` (a name, or a custom voice reference)."""
        voice = self._output["voice"]
        return wire.VoiceRef(id=voice["id"]) if isinstance(voice, dict) else str(voice)

    @property
    def turn_detection(self) -> dict[str, Any] | None:
        """``audio.input.turn_detection`` with defaults filled in; None = manual turns."""
        value = self._input["turn_detection"]
        return None if value is None else dict(value)

    @property
    def transcribes(self) -> bool:
        """Whether input transcription is on (``audio.input.transcription`` set)."""
        return self._input["transcription"] is not None

    @property
    def max_output_tokens(self) -> int | str:
        """``max_output_tokens``: an int or ``"inf"``."""
        value: int | str = self.data["max_output_tokens"]
        return value

    @property
    def tool_choice(self) -> Any:
        """``tool_choice``."""
        return self.data["tool_choice"]

    @property
    def functions(self) -> list[str]:
        """Names of the declared function tools, in order."""
        return [t["name"] for t in self.data["tools"] if t.get("type") == "function"]

    # -- updates (§4.1) ----------------------------------------------------------------
    def update(self, session: wire.Session, *, audio_sent: bool, event_id: str | None) -> None:
        """Apply a ``session.update``.

        Args:
            session: The update (decoded by the codec: GA shape, known fields).
            audio_sent: Whether the model has produced audio (the voice is then fixed).
            event_id: The client's ``event_id``, echoed in errors.

        Raises:
            RequestError: The update is invalid; nothing changed.
        """
        patch: dict[str, Any] = msgspec.to_builtins(session)
        for key in _SERVER_ONLY:
            patch.pop(key, None)
        kind = patch.pop("type", "realtime")
        if kind != self.data["type"]:
            raise invalid(
                f"Invalid value: '{kind}'. The session type cannot be changed.",
                param="session.type",
                event_id=event_id,
            )
        model = patch.pop("model", self.data["model"])
        if model != self.data["model"]:
            raise invalid(
                "The model of a session cannot be changed.",
                param="session.model",
                event_id=event_id,
            )
        merged = _merge(copy.deepcopy(self.data), patch)
        audio_in = merged["audio"]["input"]
        given = patch.get("audio", {}).get("input", {})
        if isinstance(given.get("turn_detection"), dict):
            audio_in["turn_detection"] = _server_vad(given["turn_detection"])
        for side in ("input", "output"):
            fmt = merged["audio"][side]["format"]
            if fmt.get("type") == wire.AUDIO_PCM:
                fmt.setdefault("rate", wire.PCM_RATE)
        _Check(event_id).session(merged)
        old_voice, new_voice = self._output["voice"], merged["audio"]["output"]["voice"]
        if audio_sent and new_voice != old_voice:
            raise invalid(
                "Cannot update a conversation's voice if assistant audio is present.",
                param="session.audio.output.voice",
                event_id=event_id,
                code="cannot_update_voice",
            )
        self.data = merged


class _Check:
    """Semantic checks of a merged configuration; each failure raises :class:`RequestError`."""

    def __init__(self, event_id: str | None) -> None:
        self.event_id = event_id

    def fail(self, param: str, message: str) -> RequestError:
        return invalid(message, param=param, event_id=self.event_id)

    def choice(self, param: str, value: Any, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            names = ", ".join(f"'{a}'" for a in allowed)
            raise self.fail(param, f"Invalid value: '{value}'. Supported values are: {names}.")

    def within(self, param: str, value: Any, low: float, high: float) -> None:
        if not isinstance(value, (int, float)) or not low <= value <= high:
            raise self.fail(
                param, f"Invalid '{param}': expected a value from {low:g} to {high:g}, got {value}."
            )

    def session(self, data: dict[str, Any]) -> None:
        modalities = data["output_modalities"]
        if len(modalities) != 1:
            raise self.fail(
                "session.output_modalities",
                "Invalid 'session.output_modalities': expected ['audio'] or ['text'].",
            )
        self.choice("session.output_modalities[0]", modalities[0], ("audio", "text"))
        tokens = data["max_output_tokens"]
        if tokens != "inf":
            self.within("session.max_output_tokens", tokens, 1, 4096)
        for side in ("input", "output"):
            self.audio_format(f"session.audio.{side}.format", data["audio"][side]["format"])
        output = data["audio"]["output"]
        if "speed" in output:
            self.within("session.audio.output.speed", output["speed"], 0.25, 1.5)
        detection = data["audio"]["input"]["turn_detection"]
        if detection is not None:
            self.turn_detection(detection)
        self.tools(data["tools"], data["tool_choice"])

    def audio_format(self, param: str, fmt: dict[str, Any]) -> None:
        self.choice(f"{param}.type", fmt.get("type"), _FORMATS)
        if fmt["type"] == wire.AUDIO_PCM and fmt.get("rate") != wire.PCM_RATE:
            raise self.fail(
                f"{param}.rate",
                f"Invalid value: {fmt.get('rate')}. Supported values are: {wire.PCM_RATE}.",
            )

    def turn_detection(self, td: dict[str, Any]) -> None:
        param = "session.audio.input.turn_detection"
        if td["type"] == "semantic_vad":
            self.choice(f"{param}.eagerness", td.get("eagerness"), _EAGERNESS)
            return
        self.within(f"{param}.threshold", td["threshold"], 0.0, 1.0)
        for name in ("prefix_padding_ms", "silence_duration_ms"):
            self.within(f"{param}.{name}", td[name], 0, 10_000)
        if td.get("idle_timeout_ms") is not None:
            self.within(f"{param}.idle_timeout_ms", td["idle_timeout_ms"], 5000, 30_000)

    def tools(self, tools: list[dict[str, Any]], choice: Any) -> None:
        names: set[str] = set()
        for i, tool in enumerate(tools):
            name = tool.get("name") if tool.get("type") == "function" else None
            if tool.get("type") == "function" and (not name or name in names):
                raise self.fail(f"session.tools[{i}].name", "Function names must be unique.")
            if name:
                names.add(name)
        if isinstance(choice, str):
            self.choice("session.tool_choice", choice, _TOOL_CHOICES)
