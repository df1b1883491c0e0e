"""The session configuration of one emulated OpenAI Realtime connection (openai-realtime.md §3).

:class:`SessionConfig` holds the effective configuration as plain JSON data (the
shape of ``session.created``), applies ``session.update`` (only the fields present
change; objects such as ``turn_detection`` or ``format`` are replaced whole, §4.1)
and validates the result the way the service does (:mod:`.openai_checks`): an
invalid update raises :class:`~realtalk.emulator.openai_output.RequestError` and
changes nothing.

A session is a realtime session (§3.1) or a transcription session (§3.3: object
``realtime.transcription_session``, only ``audio.input`` and ``include``). A
``session.update`` may switch between the two, since the spec lists only
``model`` (and the voice, once audio was produced) as immutable: the
realtime-only settings are kept aside while the session transcribes and come back
with it. A session opened without a model (``?intent=transcription``) cannot
become a realtime session, since the model cannot be set after connecting.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

import msgspec

from realtalk.emulator.openai_checks import SessionCheck
from realtalk.emulator.openai_output import RequestError, invalid
from realtalk.protocol.openai import wire
from realtalk.protocol.openai.pcm import G711_RATE

__all__ = [
    "DEFAULT_INSTRUCTIONS",
    "DEFAULT_SILENCE_MS",
    "DEFAULT_VOICE",
    "TRANSCRIPTION_SILENCE_MS",
    "SessionConfig",
    "SessionKind",
    "format_rate",
]

#: ``realtime`` (speech-to-speech, §3.1) or ``transcription`` (§3.3).
SessionKind = Literal["realtime", "transcription"]
#: Instructions reported in ``session.created`` (the service has its own default).
DEFAULT_INSTRUCTIONS = "You are the realtalk emulator's echo assistant."
#: Voice of a new session.
DEFAULT_VOICE = "marin"
#: ``silence_duration_ms`` of the default server VAD (as ``session.created`` shows it).
DEFAULT_SILENCE_MS = 200
#: ``silence_duration_ms`` of a transcription session's default server VAD (§3.3).
TRANSCRIPTION_SILENCE_MS = 500

_KINDS: tuple[SessionKind, ...] = ("realtime", "transcription")
#: ``object`` of a transcription session (§3.3).
_TRANSCRIPTION_OBJECT = "realtime.transcription_session"
#: The top-level fields of a transcription session update (§3.3).
_TRANSCRIPTION_FIELDS = ("audio", "include")
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
    """A realtime session's turn-detection object with the service's defaults (§3.2)."""
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


def _transcription_vad(given: dict[str, Any]) -> dict[str, Any]:
    """A transcription session's turn-detection object with the defaults of §3.3."""
    if given.get("type") == "semantic_vad":
        defaults: dict[str, Any] = {"type": "semantic_vad", "eagerness": "auto"}
    else:
        defaults = {
            "type": "server_vad",
            "threshold": 0.5,
            "prefix_padding_ms": 300,
            "silence_duration_ms": TRANSCRIPTION_SILENCE_MS,
        }
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

    ``data`` always holds the realtime fields (kept aside while the session is a
    transcription session); :meth:`view` is what the client is shown.

    Args:
        model: The model from the URL (cannot change later); None when the
            connection opened a transcription session without one.
        session_id: The ``sess_...`` id.
        expires_at: Unix seconds at which the session hits its time limit.
        kind: ``realtime`` or ``transcription`` (``?intent=transcription``).
    """

    def __init__(
        self,
        model: str | None,
        session_id: str,
        expires_at: int,
        *,
        kind: SessionKind = "realtime",
    ) -> None:
        self.model = model
        self.kind: SessionKind = kind
        vad = _server_vad({}) if kind == "realtime" else _transcription_vad({})
        self.data: dict[str, Any] = {
            "type": "realtime",
            "object": "realtime.session",
            "id": session_id,
            "model": model or "",
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
                    "turn_detection": vad,
                },
                "output": {"format": _pcm_format(), "voice": DEFAULT_VOICE, "speed": 1.0},
            },
            "include": None,
        }

    # -- views -------------------------------------------------------------------------
    def view(self) -> dict[str, Any]:
        """The session as the client sees it: the realtime object, or the
        transcription object of §3.3 (``realtime.transcription_session``)."""
        if self.kind == "realtime":
            return copy.deepcopy(self.data)
        return {
            "type": "transcription",
            "object": _TRANSCRIPTION_OBJECT,
            "id": self.data["id"],
            "expires_at": self.data["expires_at"],
            "audio": {"input": copy.deepcopy(self._input)},
            "include": copy.deepcopy(self.data["include"]),
        }

    def to_wire(self) -> wire.Session:
        """The configuration as a wire object (for ``session.created`` / ``.updated``)."""
        return msgspec.convert(self.view(), wire.Session)

    @property
    def is_transcription(self) -> bool:
        """Whether this is a transcription session (no responses, §3.3)."""
        return self.kind == "transcription"

    @property
    def idle_timeout_ms(self) -> int | None:
        """``idle_timeout_ms`` of a realtime session's server VAD (§3.2), else None."""
        detection = self._input["turn_detection"]
        if self.kind != "realtime" or detection is None or detection["type"] != "server_vad":
            return None
        value = detection.get("idle_timeout_ms")
        return None if value is None else int(value)

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
    def update(
        self,
        session: wire.Session,
        *,
        audio_sent: bool,
        event_id: str | None,
        strict: bool = True,
    ) -> None:
        """Apply a ``session.update`` (its ``type`` may switch the kind of session).

        Args:
            session: The update (decoded by the codec: GA shape, known fields).
            audio_sent: Whether the model has produced audio (the voice is then fixed).
            event_id: The client's ``event_id``, echoed in errors.
            strict: Refuse realtime-only fields in a transcription update
                (``unknown_parameter``, as the codec refuses unknown fields); False
                ignores them.

        Raises:
            RequestError: The update is invalid; nothing changed.
        """
        patch: dict[str, Any] = msgspec.to_builtins(session)
        for key in _SERVER_ONLY:
            patch.pop(key, None)
        check = SessionCheck(event_id)
        kind = patch.pop("type", "realtime")
        check.choice("session.type", kind, _KINDS)
        if kind == "transcription":
            patch = _transcription_patch(patch, strict, event_id)
        else:
            self._check_model(patch.pop("model", None), event_id)
        merged = _merge(copy.deepcopy(self.data), patch)
        audio_in = merged["audio"]["input"]
        if isinstance(audio_in["turn_detection"], dict):  # defaults of the session kind
            fill = _server_vad if kind == "realtime" else _transcription_vad
            audio_in["turn_detection"] = fill(audio_in["turn_detection"])
        for side in ("input", "output"):
            fmt = merged["audio"][side]["format"]
            if fmt.get("type") == wire.AUDIO_PCM:
                fmt.setdefault("rate", wire.PCM_RATE)
        if kind == "transcription":
            check.transcription(merged)
        else:
            check.realtime(merged)
            old_voice, new_voice = self._output["voice"], merged["audio"]["output"]["voice"]
            if audio_sent and new_voice != old_voice:
                raise invalid(
                    "Cannot update a conversation's voice if assistant audio is present.",
                    param="session.audio.output.voice",
                    event_id=event_id,
                    code="cannot_update_voice",
                )
        self.data = merged
        self.kind = kind

    def _check_model(self, model: Any, event_id: str | None) -> None:
        """The model of a realtime update: the connection's, which cannot change.

        Raises:
            RequestError: Another model, or no model at all (a transcription session
                opened without one cannot become a realtime session).
        """
        if self.model is None:
            raise invalid(
                "Invalid value: 'realtime'. This session was opened without a model "
                "(?intent=transcription) and cannot become a realtime session.",
                param="session.type",
                event_id=event_id,
            )
        if model is not None and model != self.model:
            raise invalid(
                "The model of a session cannot be changed.",
                param="session.model",
                event_id=event_id,
            )


def _transcription_patch(
    patch: dict[str, Any], strict: bool, event_id: str | None
) -> dict[str, Any]:
    """The fields of a transcription update (§3.3): ``audio.input`` and ``include``.

    Raises:
        RequestError: ``unknown_parameter`` for another field, when ``strict``.
    """
    audio = patch.get("audio") or {}
    extra = [key for key in patch if key not in _TRANSCRIPTION_FIELDS]
    extra += [f"audio.{key}" for key in audio if key != "input"]
    if extra and strict:
        param = f"session.{extra[0]}"
        raise RequestError(
            f"Unknown parameter: '{param}'. A transcription session has only "
            "'audio.input' and 'include'.",
            code="unknown_parameter",
            param=param,
            event_id=event_id,
        )
    kept = {key: patch[key] for key in _TRANSCRIPTION_FIELDS if key in patch}
    if "audio" in kept:
        kept["audio"] = {"input": audio["input"]} if "input" in audio else {}
    return kept
