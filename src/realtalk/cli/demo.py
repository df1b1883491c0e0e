"""``realtalk demo``: a narrated Gemini Live session against the embedded emulator.

Three acts, each on the real wire protocol over a local WebSocket:

1. a text session: a text turn, then a tool call dispatched and answered;
2. a voice session: generated speech in, audio and transcripts out, usage, and
   the session-resumption handle;
3. a resumed session: reconnecting with that handle restores the conversation.

With ``--live`` the same script runs against the real API (``GEMINI_API_KEY``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

import realtalk
from realtalk.audio import pcm as pcm_tools
from realtalk.audio import synth
from realtalk.emulator import Emulator, Scenario
from realtalk.events import (
    AudioDelta,
    Closed,
    Error,
    InputTranscript,
    OutputTranscript,
    ResumptionUpdate,
    TextDelta,
    ToolCall,
    TurnComplete,
    Usage,
)

__all__ = ["run_demo"]

DEFAULT_MODEL = "gemini-2.5-flash-native-audio-preview-12-2025"
SPOKEN_QUESTION = "What's the weather like in Berlin today?"
LIVE_TEXT_MODEL = "gemini-live-2.5-flash-preview"
INPUT_RATE = 16000
CHUNK_MS = 40

WEATHER_TOOL = {
    "functionDeclarations": [
        {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "OBJECT",
                "properties": {"city": {"type": "STRING"}},
                "required": ["city"],
            },
        }
    ]
}


def get_weather(city: str) -> dict[str, Any]:
    """The demo's local tool: a fixed forecast, so the run is reproducible."""
    return {"city": city, "tempC": 21, "sky": "clear"}


TOOLS: dict[str, Callable[..., dict[str, Any]]] = {"get_weather": get_weather}


class Narrator:
    """Prints the story of the session, with colour when the terminal has it."""

    def __init__(self) -> None:
        self._color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")

    def _paint(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self._color else text

    def title(self, text: str) -> None:
        print()
        print(self._paint("1", text))

    def line(self, who: str, text: str, code: str = "0") -> None:
        print(f"  {self._paint(code, f'{who:<6}')} {text}", flush=True)

    def you(self, text: str) -> None:
        self.line("you", text, "36")

    def model(self, text: str) -> None:
        self.line("model", text, "32")

    def info(self, text: str) -> None:
        self.line("", self._paint("2", text))


def _usage_text(usage: Usage) -> str:
    return (
        f"usage: prompt {usage.prompt_tokens} + response {usage.response_tokens}"
        f" = {usage.total_tokens} tokens"
    )


async def _turn(
    session: realtalk.Session, say: Narrator
) -> realtalk.events.ResumptionUpdate | None:
    """Narrate events until the model's turn completes; answer tool calls on the way."""
    text: list[str] = []
    heard: list[str] = []
    spoken: list[str] = []
    audio = bytearray()
    rate = 24000
    handle: ResumptionUpdate | None = None
    usage: Usage | None = None
    while (event := await session.next_event()) is not None:
        match event:
            case TextDelta(text=fragment):
                text.append(fragment)
            case AudioDelta(data=data, sample_rate=sample_rate):
                audio += data
                rate = sample_rate
            case InputTranscript(text=fragment, interim=False):
                heard.append(fragment)
            case OutputTranscript(text=fragment):
                spoken.append(fragment)
            case ToolCall(calls=calls):
                if text:
                    say.model("".join(text))
                    text.clear()
                responses = []
                for call in calls:
                    result = TOOLS[call.name](**call.args)
                    say.line(
                        "tool",
                        f"{call.name}({json.dumps(call.args)}) -> {json.dumps(result)}",
                        "35",
                    )
                    responses.append(
                        {"id": call.id, "name": call.name, "response": {"output": result}}
                    )
                await session.send_tool_response(responses)
            case Usage() as turn_usage:
                usage = turn_usage
            case ResumptionUpdate(resumable=True, handle=str()) as update:
                handle = update
            case Error(message=message):
                say.line("error", message, "31")
            case TurnComplete():
                if heard:
                    say.info(f'input transcript: "{"".join(heard).strip()}"')
                if text:
                    say.model("".join(text))
                if audio:
                    seconds = pcm_tools.duration(bytes(audio), rate)
                    say.model(
                        f"{seconds:.2f} s of {rate // 1000} kHz PCM audio ({len(audio)} bytes)"
                    )
                if spoken:
                    say.info(f'output transcript: "{"".join(spoken).strip()}"')
                if usage is not None:
                    say.info(_usage_text(usage))
                # the resumption update follows the turn; pick it up if it is already here
                return handle
            case Closed(code=code, reason=reason):
                say.line("closed", f"{code} {reason}", "31")
                return handle
            case _:
                pass
    return handle


async def _next_handle(session: realtalk.Session) -> ResumptionUpdate | None:
    """Wait for the resumption update that follows a completed turn."""
    while (event := await session.next_event()) is not None:
        if isinstance(event, ResumptionUpdate) and event.resumable and event.handle:
            return event
        if isinstance(event, Closed):
            return None
    return None


async def _text_act(connect: Callable[..., Any], model: str, say: Narrator) -> None:
    say.title("1. A text session (TEXT modality, one function declared)")
    config = {"generationConfig": {"responseModalities": ["TEXT"]}, "tools": [WEATHER_TOOL]}
    async with connect(model=model, config=config) as session:
        say.info(f"connected, session {session.session_id}")
        prompt = "Hello! What can you do?"
        say.you(prompt)
        await session.send_client_content(prompt)
        await _turn(session, say)
        prompt = 'call get_weather {"city": "Berlin"}'
        say.you(prompt)
        await session.send_client_content(prompt)
        await _turn(session, say)


async def _voice_act(connect: Callable[..., Any], model: str, say: Narrator) -> str | None:
    say.title("2. A voice session (AUDIO modality, transcripts, resumption)")
    config = {
        "generationConfig": {"responseModalities": ["AUDIO"]},
        "inputAudioTranscription": {},
        "outputAudioTranscription": {},
        "sessionResumption": {},
    }
    async with connect(model=model, config=config) as session:
        say.info(f"connected, session {session.session_id}")
        speech = synth.synthesize(SPOKEN_QUESTION, rate=INPUT_RATE)
        chunk = INPUT_RATE * 2 * CHUNK_MS // 1000
        say.you(
            f"{pcm_tools.duration(speech, INPUT_RATE):.2f} s of generated 16 kHz speech-like PCM"
            f" in {-(-len(speech) // chunk)} chunks of {CHUNK_MS} ms, then audioStreamEnd"
        )
        for start in range(0, len(speech), chunk):
            await session.send_audio(speech[start : start + chunk], rate=INPUT_RATE)
        await session.audio_stream_end()
        update = await _turn(session, say) or await _next_handle(session)
        if update is None or update.handle is None:
            say.info("no resumption handle was issued")
            return None
        say.info(f"resumption handle: {update.handle[:24]}... (resumable)")
        return update.handle


async def _resume_act(connect: Callable[..., Any], model: str, handle: str, say: Narrator) -> None:
    say.title("3. Resuming with the handle on a new connection")
    config = {
        "generationConfig": {"responseModalities": ["AUDIO"]},
        "outputAudioTranscription": {},
        "sessionResumption": {"handle": handle},
    }
    async with connect(model=model, config=config) as session:
        say.info(f"resumed, session {session.session_id}")
        prompt = "Are you still there?"
        say.you(prompt)
        await session.send_client_content(prompt)
        await _turn(session, say)
    say.info("closed cleanly")


async def run_demo(*, live: bool = False, model: str | None = None) -> int:
    """Run the narrated demo. Returns a process exit status."""
    say = Narrator()
    if live:
        if not (os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY")):
            print("realtalk demo --live needs GEMINI_API_KEY in the environment", file=sys.stderr)
            return 2

        def live_connect(**kwargs: Any) -> Any:
            return realtalk.connect("gemini", **kwargs)

        print("realtalk demo: a Gemini Live session against the real API")
        await _text_act(live_connect, model or LIVE_TEXT_MODEL, say)
        handle = await _voice_act(live_connect, model or DEFAULT_MODEL, say)
        if handle:
            await _resume_act(live_connect, model or DEFAULT_MODEL, handle, say)
        return 0

    # The emulator cannot recognise speech; the scenario tells it what the user said.
    scenario = Scenario.from_dict({"input_transcripts": [SPOKEN_QUESTION]})
    async with Emulator(scenario) as emulator:

        def local_connect(**kwargs: Any) -> Any:
            return realtalk.connect("gemini", url=emulator.url, **kwargs)

        print("realtalk demo: a Gemini Live session against the embedded emulator")
        say.info(f"emulator listening on {emulator.url}")
        await _text_act(local_connect, model or LIVE_TEXT_MODEL, say)
        handle = await _voice_act(local_connect, model or DEFAULT_MODEL, say)
        if handle:
            await _resume_act(local_connect, model or DEFAULT_MODEL, handle, say)
    print()
    return 0
