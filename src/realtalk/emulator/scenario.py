"""Scenarios: how the emulator deviates from its default echo assistant.

A :class:`Scenario` holds turn rules, faults, transcripts for user audio and
connection-lifetime settings. Build one in Python or load it from a JSON or
YAML file (``docs/emulator.md`` describes the format)::

    weather = ToolCallStep("get_weather", {"city": "Paris"})
    Scenario(turns=[Turn(match="weather", tool_calls=[weather])])
    Scenario.from_file("scenario.yaml")

Rules are tried in order for every user turn; the first that matches decides
the answer. A rule with neither ``turn`` nor ``match`` matches every turn.
When no rule matches, the echo assistant answers (see :mod:`realtalk.emulator.reply`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import msgspec

from realtalk.errors import ConfigError

__all__ = ["Fault", "FaultKind", "Scenario", "ToolCallStep", "Turn"]

FaultKind = Literal["drop", "close", "stall", "malformed", "go_away"]


def _non_negative(name: str, value: float | None) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


class ToolCallStep(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A function call the model makes in a scripted turn.

    Attributes:
        name: Function name (normally one declared in the setup's tools).
        args: Arguments sent in the call.
        id: Call id; a unique one is generated when None.
        non_blocking: Force the call to be treated as NON_BLOCKING (True) or
            blocking (False); None follows the function's declared ``behavior``.
        cancel_after: When set, the server withdraws the call with a
            ``toolCallCancellation`` this many seconds after sending it if it is
            still unanswered, and the turn goes on without its result.
    """

    name: str
    args: dict[str, Any] = msgspec.field(default_factory=dict)
    id: str | None = None
    non_blocking: bool | None = None
    cancel_after: float | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a tool call needs a name")
        _non_negative("cancel_after", self.cancel_after)


class Turn(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A rule for answering a user turn.

    Matching (both must hold when both are given; neither = every turn):

    Attributes:
        turn: The user turn number it applies to; 1 is the first user turn of the
            session (counting continues across resumed connections).
        match: A regular expression searched (``re.search``) in the user's text,
            or in the transcript of an audio turn.

    Answer:

    Attributes:
        reply: What the model says. ``{text}`` is replaced by the user's text.
            In a turn with blocking tool calls it is spoken after the results
            arrive and ``{name}``/``{result}`` are replaced by the first call's
            name and compact JSON response (default ``NAME returned {json}``);
            with only NON_BLOCKING calls it is spoken at once (default
            ``Started NAME.``). None without tool calls = the echo reply.
        tool_calls: Calls sent in one ``toolCall`` message before the reply.
        result_reply: Said when a NON_BLOCKING result arrives (placeholders as
            for ``reply``; default ``NAME returned {json}``).
        chunk_delay: Seconds to pause between output chunks of this turn
            (overrides the scenario's), e.g. to leave room for a barge-in.
        once: Use the rule for one turn only (per emulator).
    """

    turn: int | None = None
    match: str | None = None
    reply: str | None = None
    tool_calls: list[ToolCallStep] = msgspec.field(default_factory=list)
    result_reply: str | None = None
    chunk_delay: float | None = None
    once: bool = False

    def __post_init__(self) -> None:
        if self.turn is not None and self.turn < 1:
            raise ValueError(f"turn numbers start at 1, got {self.turn}")
        if self.match is not None:
            try:
                re.compile(self.match)
            except re.error as exc:
                raise ValueError(f"bad match pattern {self.match!r}: {exc}") from None
        _non_negative("chunk_delay", self.chunk_delay)

    def matches(self, turn: int, text: str) -> bool:
        """Return whether this rule applies to user turn ``turn`` saying ``text``."""
        if self.turn is not None and self.turn != turn:
            return False
        return self.match is None or re.search(self.match, text) is not None


class Fault(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A scripted failure.

    Exactly one trigger must be given:

    Attributes:
        at_turn: Fire when user turn number ``at_turn`` (1-based) ends, before the reply.
        after_messages: Fire once the client message with this index has been
            received (the setup is index 0, so ``after_messages=3`` fires after
            the third message following the setup).
        after_seconds: Fire this many seconds after ``setupComplete``.

    What happens:

    Attributes:
        kind: ``drop`` (no close frame; the client sees 1006), ``close`` (close
            frame with ``code``/``reason``), ``stall`` (send nothing for
            ``seconds``), ``malformed`` (send a frame that is not JSON) or
            ``go_away`` (send ``goAway`` with ``timeLeft = seconds``, then close
            1011 when that time is up).
        code: Close code for ``close``.
        reason: Close reason for ``close``.
        seconds: Duration for ``stall``; time left for ``go_away``.
        once: Fire on one connection only (per emulator); False = on every connection.
    """

    kind: FaultKind
    at_turn: int | None = None
    after_messages: int | None = None
    after_seconds: float | None = None
    code: int = 1011
    reason: str = "Internal error occurred."
    seconds: float = 1.0
    once: bool = True

    def __post_init__(self) -> None:
        triggers = [self.at_turn, self.after_messages, self.after_seconds]
        if sum(t is not None for t in triggers) != 1:
            raise ValueError("a fault needs exactly one of at_turn, after_messages, after_seconds")
        if self.at_turn is not None and self.at_turn < 1:
            raise ValueError(f"at_turn starts at 1, got {self.at_turn}")
        if self.after_messages is not None and self.after_messages < 1:
            raise ValueError(f"after_messages must be at least 1, got {self.after_messages}")
        _non_negative("after_seconds", self.after_seconds)
        _non_negative("seconds", self.seconds)
        if not (1000 <= self.code <= 4999) or self.code in (1004, 1005, 1006, 1015):
            raise ValueError(f"{self.code} is not a close code that can be sent")


class Scenario(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Everything scripted about an emulator's conversations.

    Attributes:
        turns: Turn rules, tried in order.
        faults: Scripted failures.
        input_transcripts: Transcripts of successive user audio turns of a session
            (the Nth audio turn uses the Nth entry); once used up, audio turns are
            transcribed as ``(audio N.N s)``.
        connection_lifetime: Seconds a connection lives; ``goAway`` comes
            ``go_away_time_left`` seconds before the end. None = unlimited.
        go_away_time_left: ``timeLeft`` announced in ``goAway``.
        close_on_expiry: Close with 1011 when the lifetime is up (False keeps
            the socket open after the ``goAway``).
        chunk_delay: Seconds to pause between output chunks (0 = as fast as possible).
    """

    turns: list[Turn] = msgspec.field(default_factory=list)
    faults: list[Fault] = msgspec.field(default_factory=list)
    input_transcripts: list[str] = msgspec.field(default_factory=list)
    connection_lifetime: float | None = None
    go_away_time_left: float | None = None
    close_on_expiry: bool = True
    chunk_delay: float = 0.0

    def __post_init__(self) -> None:
        _non_negative("connection_lifetime", self.connection_lifetime)
        _non_negative("go_away_time_left", self.go_away_time_left)
        _non_negative("chunk_delay", self.chunk_delay)

    @classmethod
    def from_dict(cls, data: Any) -> Scenario:
        """Build a scenario from plain data (as parsed from JSON or YAML).

        Raises:
            ConfigError: The data does not describe a valid scenario.
        """
        try:
            return msgspec.convert(data, cls)
        except msgspec.ValidationError as exc:
            raise ConfigError(f"invalid scenario: {exc}") from None

    @classmethod
    def from_file(cls, path: str | Path) -> Scenario:
        """Load a scenario from a ``.json``, ``.yaml`` or ``.yml`` file.

        Raises:
            ConfigError: Unknown extension, unreadable file, bad syntax or content.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".json", ".yaml", ".yml"):
            raise ConfigError(f"scenario file must end in .json, .yaml or .yml: {path}")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read scenario file {path}: {exc.strerror}") from None
        return cls.from_dict(
            _parse_json(text, path) if suffix == ".json" else _parse_yaml(text, path)
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the scenario as plain data (the inverse of :meth:`from_dict`)."""
        data: dict[str, Any] = msgspec.to_builtins(self)
        return data

    def rule_for(self, turn: int, text: str, used: set[int]) -> tuple[int, Turn] | None:
        """Return the first rule (and its index) for a user turn, skipping used ``once`` rules."""
        for index, rule in enumerate(self.turns):
            if rule.once and index in used:
                continue
            if rule.matches(turn, text):
                return index, rule
        return None


def _parse_json(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: invalid JSON: {exc}") from None


def _parse_yaml(text: str, path: Path) -> Any:
    try:
        import yaml
    except ImportError:
        raise ConfigError("YAML scenarios need PyYAML: pip install 'realtalk[emulator]'") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
