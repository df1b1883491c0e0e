"""The service's semantic checks of an OpenAI session configuration (openai-realtime.md §3).

:class:`SessionCheck` validates a merged configuration (plain JSON data, the shape
of ``session.created``) once the codec has accepted the shape of the update: value
ranges, enums, audio formats, turn detection, tools. A realtime session (§3.1,
§3.2) is checked whole; a transcription session (§3.3) only has ``audio.input``
and ``include``. Every failure raises
:class:`~realtalk.emulator.openai_output.RequestError` (``invalid_value``, ``param``
= the field's path), and the caller then changes nothing.
"""

from __future__ import annotations

from typing import Any

from realtalk.emulator.openai_output import RequestError, invalid
from realtalk.protocol.openai import wire

__all__ = ["INCLUDE_VALUES", "NO_VAD_TRANSCRIPTION_MODELS", "SessionCheck"]

#: The values ``include`` accepts (§3.1, §3.3).
INCLUDE_VALUES = ("item.input_audio_transcription.logprobs",)
#: Transcription models that need ``turn_detection: null`` and explicit commits (§3.3).
NO_VAD_TRANSCRIPTION_MODELS = frozenset({"gpt-realtime-whisper", "gpt-live-transcribe"})

_FORMATS = (wire.AUDIO_PCM, wire.AUDIO_PCMU, wire.AUDIO_PCMA)
_EAGERNESS = ("low", "medium", "high", "auto")
_TOOL_CHOICES = ("auto", "none", "required")
_NOISE_TYPES = ("near_field", "far_field")
_TD = "session.audio.input.turn_detection"


class SessionCheck:
    """Checks of a merged configuration; each failure raises :class:`RequestError`.

    Args:
        event_id: The client's ``event_id``, echoed in the errors.
    """

    def __init__(self, event_id: str | None) -> None:
        self.event_id = event_id

    def fail(self, param: str, message: str) -> RequestError:
        """An ``invalid_value`` error about ``param``."""
        return invalid(message, param=param, event_id=self.event_id)

    def choice(self, param: str, value: Any, allowed: tuple[str, ...]) -> None:
        """``value`` must be one of ``allowed``.

        Raises:
            RequestError: It is not.
        """
        if value not in allowed:
            names = ", ".join(f"'{a}'" for a in allowed)
            raise self.fail(param, f"Invalid value: '{value}'. Supported values are: {names}.")

    def within(self, param: str, value: Any, low: float, high: float) -> None:
        """``value`` must be a number from ``low`` to ``high``.

        Raises:
            RequestError: It is not.
        """
        if not isinstance(value, (int, float)) or not low <= value <= high:
            raise self.fail(
                param, f"Invalid '{param}': expected a value from {low:g} to {high:g}, got {value}."
            )

    # -- whole sessions ------------------------------------------------------------------
    def realtime(self, data: dict[str, Any]) -> None:
        """A realtime (speech-to-speech) session (§3.1, §3.2).

        Raises:
            RequestError: The first invalid value found.
        """
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
        self.audio_input(data["audio"]["input"], transcription_session=False)
        self.audio_format("session.audio.output.format", data["audio"]["output"]["format"])
        output = data["audio"]["output"]
        if "speed" in output:
            self.within("session.audio.output.speed", output["speed"], 0.25, 1.5)
        self.include(data["include"])
        self.tools(data["tools"], data["tool_choice"])

    def transcription(self, data: dict[str, Any]) -> None:
        """A transcription session (§3.3): ``audio.input`` and ``include``.

        Raises:
            RequestError: The first invalid value found.
        """
        self.audio_input(data["audio"]["input"], transcription_session=True)
        self.include(data["include"])

    # -- parts ---------------------------------------------------------------------------
    def audio_input(self, audio_in: dict[str, Any], *, transcription_session: bool) -> None:
        """``audio.input``: format, turn detection, noise reduction; in a transcription
        session, the models that cannot run with VAD (§3.3).

        Raises:
            RequestError: An invalid value.
        """
        self.audio_format("session.audio.input.format", audio_in["format"])
        detection = audio_in["turn_detection"]
        if detection is not None:
            self.turn_detection(detection)
        noise = audio_in["noise_reduction"]
        if noise is not None and "type" in noise:
            self.choice("session.audio.input.noise_reduction.type", noise["type"], _NOISE_TYPES)
        model = (audio_in["transcription"] or {}).get("model")
        if transcription_session and detection is not None and model in NO_VAD_TRANSCRIPTION_MODELS:
            raise self.fail(
                _TD,
                f"The transcription model '{model}' does not support turn detection: set "
                "'turn_detection' to null and commit the input audio buffer.",
            )

    def audio_format(self, param: str, fmt: dict[str, Any]) -> None:
        """An audio format (§7): PCM only at 24 kHz.

        Raises:
            RequestError: An unknown type or another PCM rate.
        """
        self.choice(f"{param}.type", fmt.get("type"), _FORMATS)
        if fmt["type"] == wire.AUDIO_PCM and fmt.get("rate") != wire.PCM_RATE:
            raise self.fail(
                f"{param}.rate",
                f"Invalid value: {fmt.get('rate')}. Supported values are: {wire.PCM_RATE}.",
            )

    def turn_detection(self, td: dict[str, Any]) -> None:
        """Server VAD ranges (``idle_timeout_ms``: 5000-30000, §3.2, §8) or the eagerness.

        Raises:
            RequestError: A value out of range.
        """
        if td["type"] == "semantic_vad":
            self.choice(f"{_TD}.eagerness", td.get("eagerness"), _EAGERNESS)
            return
        self.within(f"{_TD}.threshold", td["threshold"], 0.0, 1.0)
        for name in ("prefix_padding_ms", "silence_duration_ms"):
            self.within(f"{_TD}.{name}", td[name], 0, 10_000)
        if td.get("idle_timeout_ms") is not None:
            self.within(f"{_TD}.idle_timeout_ms", td["idle_timeout_ms"], 5000, 30_000)

    def include(self, include: list[str] | None) -> None:
        """``include`` holds only known values.

        Raises:
            RequestError: An unknown value.
        """
        for i, value in enumerate(include or ()):
            self.choice(f"session.include[{i}]", value, INCLUDE_VALUES)

    def tools(self, tools: list[dict[str, Any]], choice: Any) -> None:
        """Function names are unique; ``tool_choice`` is known.

        Raises:
            RequestError: A duplicate or missing name, an unknown choice.
        """
        names: set[str] = set()
        for i, tool in enumerate(tools):
            name = tool.get("name") if tool.get("type") == "function" else None
            if tool.get("type") == "function" and (not name or name in names):
                raise self.fail(f"session.tools[{i}].name", "Function names must be unique.")
            if name:
                names.add(name)
        if isinstance(choice, str):
            self.choice("session.tool_choice", choice, _TOOL_CHOICES)
