"""Emulator-wide options and shared state, and per-connection settings read from the setup."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from realtalk.emulator.handles import HandleStore
from realtalk.emulator.records import ConnectionRecord
from realtalk.emulator.rest import TokenStore
from realtalk.emulator.scenario import Fault, Scenario
from realtalk.emulator.vad import DEFAULT_SILENCE_MS, DEFAULT_THRESHOLD
from realtalk.protocol.gemini import wire
from realtalk.transport.base import Connection

__all__ = ["Options", "SessionSettings", "Shared", "declared_functions"]

Platform = Literal["ai_studio", "vertex"]


@dataclass(frozen=True, slots=True)
class Options:
    """Resolved emulator options (see :class:`~realtalk.emulator.Emulator` for their meaning)."""

    strict: bool = True
    model_allowlist: frozenset[str] | None = None
    require_auth: bool = False
    api_keys: frozenset[str] | None = None
    connection_lifetime: float | None = None
    go_away_time_left: float = 1.0
    close_on_expiry: bool = True
    realtime: bool = False
    send_text_frames: bool = False
    vad_threshold: float = DEFAULT_THRESHOLD
    strict_tool_wait: bool = False
    reject_resume_while_open: bool = False


@dataclass(eq=False)
class Shared:
    """State shared by every connection of one emulator."""

    scenario: Scenario
    options: Options
    handles: HandleStore
    tokens: TokenStore = field(default_factory=TokenStore)
    records: list[ConnectionRecord] = field(default_factory=list)
    used_rules: set[int] = field(default_factory=set)
    _fired: set[int] = field(default_factory=set)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _open: dict[str, set[Connection]] = field(default_factory=dict)

    def next_call_id(self) -> str:
        """A function-call id unique within the emulator."""
        return f"function-call-{next(self._ids)}"

    def session_opened(self, session_id: str, conn: Connection) -> None:
        """``conn`` of session ``session_id`` completed its setup and is being served."""
        self._open.setdefault(session_id, set()).add(conn)

    def session_closed(self, session_id: str, conn: Connection) -> None:
        """``conn`` of session ``session_id`` is no longer served."""
        conns = self._open.get(session_id)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                del self._open[session_id]

    def session_is_open(self, session_id: str) -> bool:
        """Whether a connection of ``session_id`` is still open (no close seen on it yet)."""
        return any(conn.close_code is None for conn in self._open.get(session_id, ()))

    def claim_fault(self, index: int, fault: Fault) -> bool:
        """Whether fault ``index`` may fire now (a ``once`` fault fires on one connection only)."""
        if not fault.once:
            return True
        if index in self._fired:
            return False
        self._fired.add(index)
        return True


def declared_functions(tools: Iterable[wire.Tool] | None) -> dict[str, bool]:
    """Map each declared function name to whether it is NON_BLOCKING."""
    return {
        d.name: d.behavior == "NON_BLOCKING"
        for tool in tools or ()
        for d in tool.function_declarations or ()
    }


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """What a setup asks for, with the defaults of gemini-live.md §4.1 filled in.

    Attributes:
        platform: ``ai_studio`` or ``vertex`` (from the path).
        audio_out: AUDIO modality (the default) rather than TEXT.
        input_transcription: ``inputAudioTranscription`` present.
        output_transcription: ``outputAudioTranscription`` present.
        resumption: ``sessionResumption`` present.
        transparent: ``sessionResumption.transparent`` is true.
        auto_vad: Automatic activity detection (not disabled).
        interrupts: User activity interrupts the model (not ``NO_INTERRUPTION``).
        silence_ms: ``silenceDurationMs`` or the default.
        prefix_ms: ``prefixPaddingMs`` or 0.
        vad_threshold: RMS threshold of the VAD (doubled for ``START_SENSITIVITY_LOW``).
        seeding: ``historyConfig.initialHistoryInClientContent`` is true.
    """

    platform: Platform
    audio_out: bool = True
    input_transcription: bool = False
    output_transcription: bool = False
    resumption: bool = False
    transparent: bool = False
    auto_vad: bool = True
    interrupts: bool = True
    silence_ms: int = DEFAULT_SILENCE_MS
    prefix_ms: int = 0
    vad_threshold: float = DEFAULT_THRESHOLD
    seeding: bool = False

    @classmethod
    def from_setup(cls, setup: wire.Setup, platform: Platform, threshold: float) -> SessionSettings:
        """Read the settings of ``setup``; ``threshold`` is the emulator's base VAD threshold.

        ``START_SENSITIVITY_LOW`` doubles the threshold (speech must be louder to start).
        """
        config = setup.generation_config
        modalities = (config.response_modalities if config else None) or ["AUDIO"]
        ric = setup.realtime_input_config or wire.RealtimeInputConfig()
        aad = ric.automatic_activity_detection or wire.AutomaticActivityDetection()
        resumption = setup.session_resumption
        low = aad.start_of_speech_sensitivity == "START_SENSITIVITY_LOW"
        history = setup.history_config
        return cls(
            platform=platform,
            audio_out=modalities[0].upper() == "AUDIO",
            input_transcription=setup.input_audio_transcription is not None,
            output_transcription=setup.output_audio_transcription is not None,
            resumption=resumption is not None,
            transparent=bool(resumption and resumption.transparent),
            auto_vad=not aad.disabled,
            interrupts=ric.activity_handling != "NO_INTERRUPTION",
            silence_ms=(
                aad.silence_duration_ms
                if aad.silence_duration_ms is not None
                else DEFAULT_SILENCE_MS
            ),
            prefix_ms=aad.prefix_padding_ms or 0,
            vad_threshold=threshold * 2 if low else threshold,
            seeding=bool(history and history.initial_history_in_client_content),
        )
