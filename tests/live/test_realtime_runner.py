"""RealtimeRunner: tool dispatch, cancellation, idle-gated context mutations, event stream.

Unit tests drive the runner with a scripted fake session; the end-to-end tests run the
same application code against Gemini Live and OpenAI Realtime sessions on the emulator
(in-memory transport). No test depends on timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import realtalk
from realtalk.emulator import Emulator, OpenAIConnectionRecord, Scenario, ToolCallStep, Turn
from realtalk.events import (
    AudioDelta,
    Closed,
    Error,
    Event,
    FunctionCall,
    GenerationComplete,
    InputTranscript,
    Interrupted,
    ResponseDone,
    ResponseStarted,
    SpeechStarted,
    TextDelta,
    ToolCall,
    ToolCallCancelled,
    TurnComplete,
)
from realtalk.live import (
    ContextApplied,
    ContextFailed,
    EventsDropped,
    RealtimeRunner,
    RunnerEvent,
    ToolCancelled,
    ToolFinished,
    ToolResponseFailed,
    ToolStarted,
)
from realtalk.transport import MemoryConnector

# -- a scripted session ------------------------------------------------------------------


class FakeSession:
    """Events fed by the test; records what the runner sends."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        self.responses: list[list[dict[str, Any]]] = []
        self.mutations: list[Any] = []
        self.applied: list[Any] = []
        self.failures: list[Exception] = []  # raised by mutate_context, in order
        self.outcome: Any = realtalk.Applied()
        self.send_error: Exception | None = None
        self.responded = asyncio.Event()

    def feed(self, *events: Event) -> None:
        for event in events:
            self.queue.put_nowait(event)

    async def events(self) -> AsyncIterator[Event]:
        while True:
            event = await self.queue.get()
            yield event
            if isinstance(event, Closed):
                return

    async def send_tool_response(self, responses: Any) -> None:
        if self.send_error is not None:
            raise self.send_error
        self.responses.append(responses)
        self.responded.set()

    async def mutate_context(self, update: Any) -> Any:
        self.mutations.append(update)
        if self.failures:
            raise self.failures.pop(0)
        return self.outcome

    async def apply(self, config: Any) -> None:
        self.applied.append(config)


class Reader:
    """One consumer of ``runner.events()`` that remembers everything it read."""

    def __init__(self, runner: RealtimeRunner) -> None:
        self.iterator = runner.events()
        self.seen: list[RunnerEvent] = []

    async def until(self, match: Callable[[RunnerEvent], bool]) -> RunnerEvent:
        async for event in self.iterator:
            self.seen.append(event)
            if match(event):
                return event
        raise AssertionError(f"stream ended; seen {self.seen}")

    async def until_type(self, kind: type, count: int = 1) -> list[Any]:
        found: list[Any] = []
        while len(found) < count:
            found.append(await self.until(lambda e: isinstance(e, kind)))
        return found

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.seen if isinstance(e, kind)]


async def settled(runner: RealtimeRunner) -> None:
    """Let the runner's tasks run until no tool batch is open (bounded steps, no clock)."""
    for _ in range(1000):
        if not runner.statistics().tool_batches_open:
            return
        await asyncio.sleep(0)
    raise AssertionError("a tool batch is still open")


def call(call_id: str, name: str, **args: Any) -> FunctionCall:
    return FunctionCall(id=call_id, name=name, args=args)


# -- tools -------------------------------------------------------------------------------


async def test_tools_bounded_and_audio_keeps_flowing_while_they_run() -> None:
    session = FakeSession()
    gates = {name: asyncio.Event() for name in ("a", "b", "c")}
    heard: list[bytes] = []

    def gated(name: str) -> Callable[..., Any]:
        async def tool(**args: Any) -> dict[str, Any]:
            await gates[name].wait()
            return {"tool": name, **args}

        return tool

    runner = RealtimeRunner(
        session,
        tools={name: gated(name) for name in gates},
        max_concurrency=2,
        on_audio=lambda e: heard.append(e.data),
    )
    reader = Reader(runner)
    async with runner:
        session.feed(ToolCall(calls=(call("1", "a", x=1), call("2", "b"), call("3", "c"))))
        started = await reader.until_type(ToolStarted, 2)
        assert [e.call.name for e in started] == ["a", "b"]
        session.feed(AudioDelta(data=b"\x01\x00"), TextDelta(text="hi"), AudioDelta(data=b"\x02"))
        await reader.until(lambda e: isinstance(e, AudioDelta) and e.data == b"\x02")
        assert heard == [b"\x01\x00", b"\x02"]  # served while both slots are busy
        stats = runner.statistics()
        assert (stats.tools_running, stats.tools_started, stats.tool_batches_open) == (2, 2, 1)
        assert session.responses == []
        gates["a"].set()
        (third,) = await reader.until_type(ToolStarted)  # a's slot went to c
        assert third.call.name == "c"
        gates["c"].set()
        gates["b"].set()
        await reader.until_type(ToolFinished, 2)  # a's was read on the way to c's start
        assert len(reader.of(ToolFinished)) == 3
        await settled(runner)
    assert session.responses == [
        [
            {"id": "1", "name": "a", "response": {"tool": "a", "x": 1}},
            {"id": "2", "name": "b", "response": {"tool": "b"}},
            {"id": "3", "name": "c", "response": {"tool": "c"}},
        ]
    ]


async def test_sync_tools_errors_timeouts_and_unknown_names_become_error_responses() -> None:
    session = FakeSession()
    never = asyncio.Event()

    def add(a: int, b: int) -> int:  # sync: runs in a worker thread
        return a + b

    async def boom() -> None:
        raise RuntimeError("out of coffee")

    async def stuck() -> None:
        await never.wait()

    def opaque() -> object:
        return object()

    async def quitter() -> None:
        raise asyncio.CancelledError  # not a cancellation of the call: answered, batch closes

    runner = RealtimeRunner(session, tools=[add, boom, stuck, opaque, quitter], tool_timeout=0.01)
    reader = Reader(runner)
    async with runner:
        session.feed(
            ToolCall(
                calls=(
                    call("1", "add", a=2, b=3),
                    call("2", "boom"),
                    call("3", "stuck"),
                    call("4", "missing"),
                    call("5", "add", a=1),
                    call("6", "opaque"),
                    call("7", "quitter"),
                )
            )
        )
        await reader.until_type(ToolFinished, 7)
        await session.responded.wait()
    (batch,) = session.responses
    by_id = {r["id"]: r["response"] for r in batch}
    assert by_id["1"] == 5
    assert by_id["2"] == {"error": "RuntimeError: out of coffee"}
    assert by_id["3"] == {"error": "stuck timed out after 0.01 s"}
    assert by_id["4"] == {"error": "unknown tool: missing"}
    assert by_id["5"]["error"].startswith("TypeError")
    assert "not JSON-serializable" in by_id["6"]["error"]
    assert by_id["7"] == {"error": "quitter raised CancelledError"}
    errors = {e.call.id: e.error for e in reader.of(ToolFinished)}
    assert errors["1"] is None and errors["4"] == "unknown tool: missing"


async def test_server_cancellation_withdraws_calls_and_sends_no_response_for_them() -> None:
    session = FakeSession()
    release = asyncio.Event()

    async def slow() -> str:
        await release.wait()
        return "late"

    async def fast() -> str:
        return "quick"

    runner = RealtimeRunner(session, tools=[slow, fast])
    reader = Reader(runner)
    async with runner:
        session.feed(ToolCall(calls=(call("s", "slow"), call("f", "fast"))))
        await reader.until(lambda e: isinstance(e, ToolFinished) and e.call.id == "f")
        session.feed(ToolCallCancelled(ids=("s", "unknown-id")))
        (cancelled,) = await reader.until_type(ToolCancelled)
        assert (cancelled.call.id, cancelled.reason) == ("s", "server")
        await session.responded.wait()
        # a batch whose every call is withdrawn is not answered at all
        session.feed(ToolCall(calls=(call("s2", "slow"),)), ToolCallCancelled(ids=("s2",)))
        await reader.until_type(ToolCancelled)
        await settled(runner)
    assert session.responses == [[{"id": "f", "name": "fast", "response": "quick"}]]
    assert runner.statistics().tools_cancelled == 2


@pytest.mark.parametrize("cancel_on_interrupt", [False, True])
async def test_barge_in_cancels_calls_only_when_asked(cancel_on_interrupt: bool) -> None:
    session = FakeSession()
    release = asyncio.Event()
    speech: list[Any] = []

    async def lookup() -> str:
        await release.wait()
        return "found"

    runner = RealtimeRunner(
        session, tools=[lookup], cancel_on_interrupt=cancel_on_interrupt, on_speech=speech.append
    )
    reader = Reader(runner)
    async with runner:
        session.feed(ToolCall(calls=(call("1", "lookup"),)))
        await reader.until_type(ToolStarted)
        session.feed(SpeechStarted(), Interrupted())
        await reader.until_type(Interrupted)
        release.set()
        if cancel_on_interrupt:
            (cancelled,) = await reader.until_type(ToolCancelled)
            assert cancelled.reason == "interrupted"
        else:
            await reader.until_type(ToolFinished)
        await settled(runner)
    assert speech == [SpeechStarted(), Interrupted()]
    expected = [] if cancel_on_interrupt else [[{"id": "1", "name": "lookup", "response": "found"}]]
    assert session.responses == expected


async def test_failed_tool_response_is_reported() -> None:
    session = FakeSession()
    session.send_error = realtalk.SessionClosed("closed")
    errors: list[Any] = []

    def ping() -> str:
        return "pong"

    runner = RealtimeRunner(session, tools={"ping": ping}, on_error=errors.append)
    reader = Reader(runner)
    async with runner:
        session.feed(ToolCall(calls=(call("1", "ping"),)))
        (failed,) = await reader.until_type(ToolResponseFailed)
    assert failed.calls == (call("1", "ping"),)
    assert errors == [failed]


async def test_run_ends_on_close_and_cancels_unanswered_calls() -> None:
    session = FakeSession()
    entered = asyncio.Event()
    cancelled = asyncio.Event()

    async def forever() -> None:
        entered.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    runner = RealtimeRunner(session, tools=[forever])
    session.feed(ToolCall(calls=(call("1", "forever"),)))
    async with asyncio.TaskGroup() as tg:
        task = tg.create_task(runner.run())
        await entered.wait()
        session.feed(Closed(code=1000))
    assert task.done() and cancelled.is_set()
    assert session.responses == []
    events = [e async for e in runner.events()]
    assert isinstance(events[-1], Closed)
    with pytest.raises(RuntimeError, match="only once"):
        await runner.run()


# -- context mutations -------------------------------------------------------------------


async def test_mutation_waits_for_idle_and_last_write_wins() -> None:
    session = FakeSession()
    done: list[Any] = []
    runner = RealtimeRunner(session, on_response_done=done.append)
    reader = Reader(runner)
    async with runner:
        session.feed(ResponseStarted(response_id="r1"), TextDelta(text="speaking"))
        await reader.until_type(TextDelta)
        assert not runner.idle
        await runner.mutate_context({"instructions": "first"})
        await runner.mutate_context({"instructions": "second"})
        session.feed(AudioDelta(data=b"\x00\x00"))
        await reader.until_type(AudioDelta)
        assert session.mutations == [] and runner.statistics().mutation_pending
        session.feed(ResponseDone(status="completed"), GenerationComplete(), TurnComplete())
        (applied,) = await reader.until_type(ContextApplied)
    assert applied == ContextApplied({"instructions": "second"}, realtalk.Applied())
    assert session.mutations == [{"instructions": "second"}]
    assert done == [ResponseDone(status="completed")]  # once per generation


async def test_mutation_waits_for_open_tool_calls() -> None:
    session = FakeSession()
    release = asyncio.Event()

    async def work() -> str:
        await release.wait()
        return "ok"

    runner = RealtimeRunner(session, tools=[work])
    reader = Reader(runner)
    async with runner:
        session.feed(ToolCall(calls=(call("1", "work"),)), ResponseDone(status="completed"))
        await reader.until_type(ResponseDone)
        await runner.mutate_context({"tools": []})
        session.feed(TextDelta(text="x"), GenerationComplete())  # a generation ends; call open
        await reader.until_type(GenerationComplete)
        assert session.mutations == []
        release.set()
        await reader.until_type(ContextApplied)
    assert session.responses == [[{"id": "1", "name": "work", "response": "ok"}]]
    assert session.mutations == [{"tools": []}]


async def test_requires_resumption_is_installed_with_apply_right_away_when_idle() -> None:
    session = FakeSession()
    update = {"systemInstruction": {"parts": [{"text": "Be brief."}]}}
    session.outcome = realtalk.RequiresResumption(update)
    runner = RealtimeRunner(session)
    reader = Reader(runner)
    await runner.mutate_context(update)  # queued before the runner starts
    async with runner:
        (applied,) = await reader.until_type(ContextApplied)
    assert applied.outcome == realtalk.RequiresResumption(update)
    assert session.applied == [update]


async def test_mutation_retries_then_succeeds_or_gives_up() -> None:
    session = FakeSession()
    session.failures = [realtalk.ConnectionClosed(1011, "x"), realtalk.ConnectionClosed(1011, "y")]
    errors: list[Any] = []
    runner = RealtimeRunner(session, on_error=errors.append)
    reader = Reader(runner)
    async with runner:
        await runner.mutate_context({"a": 1})
        await reader.until_type(ContextApplied)
        assert [(e.attempts, e.final) for e in reader.of(ContextFailed)] == [(1, False), (2, False)]
        assert errors == reader.of(ContextFailed)
        session.failures = [realtalk.ConnectionClosed(1011, "z")] * 3
        await runner.mutate_context({"b": 2})
        failures = await reader.until_type(ContextFailed, 3)
        assert [(e.attempts, e.final) for e in failures] == [(1, False), (2, False), (3, True)]
        session.failures = [realtalk.ConfigError("bogus field")]
        await runner.mutate_context({"bogus": 1})
        (invalid,) = await reader.until_type(ContextFailed)
        assert (invalid.attempts, invalid.final) == (1, True)  # retrying cannot help
    stats = runner.statistics()
    assert (stats.mutations_applied, stats.mutations_failed) == (1, 2)


# -- events and callbacks ----------------------------------------------------------------


async def test_callbacks_sync_and_async_and_gemini_style_response_end() -> None:
    session = FakeSession()
    got: list[tuple[str, Any]] = []

    async def on_text(event: TextDelta) -> None:
        await asyncio.sleep(0)
        got.append(("text", event.text))

    runner = RealtimeRunner(
        session,
        on_text=on_text,
        on_transcript=lambda e: got.append(("transcript", e.text)),
        on_response_done=lambda e: got.append(("done", type(e).__name__)),
        on_error=lambda e: got.append(("error", e.message)),
    )
    session.feed(
        InputTranscript(text="hello"),
        TextDelta(text="hi"),
        GenerationComplete(),
        TurnComplete(),
        Error(code="x", message="bad"),
        Interrupted(),
        TurnComplete(),  # nothing was generating: no second "done"
        Closed(code=1000),
    )
    await runner.run()
    assert got == [
        ("transcript", "hello"),
        ("text", "hi"),
        ("done", "GenerationComplete"),
        ("error", "bad"),
    ]


async def test_event_stream_is_bounded_drop_oldest() -> None:
    session = FakeSession()
    runner = RealtimeRunner(session, event_buffer=2)
    session.feed(*(TextDelta(text=str(i)) for i in range(5)), Closed(code=1000))
    await runner.run()
    assert runner.statistics().events_dropped == 4
    events = [e async for e in runner.events()]
    assert events == [EventsDropped(4), TextDelta(text="4"), Closed(code=1000)]


async def test_callback_exception_stops_the_runner() -> None:
    session = FakeSession()

    def explode(event: Any) -> None:
        raise ValueError("bug in app")

    runner = RealtimeRunner(session, on_audio=explode)
    session.feed(AudioDelta(data=b"\x00\x00"))
    with pytest.raises(ExceptionGroup) as info:
        await runner.run()
    assert info.group_contains(ValueError, match="bug in app")


def test_invalid_arguments() -> None:
    session = FakeSession()
    with pytest.raises(ValueError, match="max_concurrency"):
        RealtimeRunner(session, max_concurrency=0)
    with pytest.raises(ValueError, match="tool_timeout"):
        RealtimeRunner(session, tool_timeout=0)
    with pytest.raises(TypeError, match="mapping"):
        RealtimeRunner(session, tools=[lambda: 1])
    with pytest.raises(TypeError, match="on_audio"):
        RealtimeRunner(session, on_audio="nope")  # type: ignore[arg-type]

    def twin() -> None: ...

    with pytest.raises(ValueError, match="twin"):
        RealtimeRunner(session, tools=[twin, twin])


# -- the same application on both providers (emulator) -----------------------------------

DECLARED = {
    "get_weather": {"city": "STRING"},
    "add": {"a": "NUMBER", "b": "NUMBER"},
    "hang": {},
}
SCENARIO = Scenario(
    turns=[
        Turn(
            match="^both",
            tool_calls=[
                ToolCallStep("get_weather", {"city": "Paris"}),
                ToolCallStep("add", {"a": 2, "b": 3}),
            ],
            reply="{name} says {result}",
        ),
        Turn(
            match="^withdraw",
            tool_calls=[ToolCallStep("hang", cancel_after=0)],
            reply="Never mind.",
        ),
    ]
)


def _gemini(emulator: Emulator) -> Any:
    declarations = [
        {
            "name": name,
            "parameters": {"type": "OBJECT", "properties": {k: {"type": t} for k, t in p.items()}},
        }
        for name, p in DECLARED.items()
    ]
    config = {
        "generationConfig": {"responseModalities": ["TEXT"]},
        "sessionResumption": {},
        "tools": [{"functionDeclarations": declarations}],
    }
    return realtalk.connect(
        "gemini",
        model="gemini-2.5-flash",
        url="ws://emulator",
        config=config,
        connector=MemoryConnector(emulator.handler),
    )


def _openai(emulator: Emulator) -> Any:
    tools = [
        {
            "type": "function",
            "name": name,
            "parameters": {
                "type": "object",
                "properties": {k: {"type": t.lower()} for k, t in p.items()},
            },
        }
        for name, p in DECLARED.items()
    ]
    config = {"type": "realtime", "output_modalities": ["text"], "tools": tools}
    return realtalk.connect(
        "openai",
        model="gpt-realtime",
        url="ws://emulator",
        config=config,
        connector=MemoryConnector(emulator.handler),
    )


INSTRUCTION = {
    "gemini": {"systemInstruction": {"parts": [{"text": "Answer in French."}]}},
    "openai": {"instructions": "Answer in French."},
}


async def get_weather(city: str) -> dict[str, Any]:
    return {"city": city, "tempC": 21}


def add(a: float, b: float) -> float:
    return a + b


async def application(session: realtalk.Session, instruction: Any, *, cancel: bool) -> list[str]:
    """Provider-independent application code: returns the model's replies."""
    hang_started = asyncio.Event()

    async def hang() -> None:
        hang_started.set()
        await asyncio.Event().wait()

    replies: list[str] = []
    text: list[str] = []
    runner = RealtimeRunner(
        session, tools=[get_weather, add, hang], on_text=lambda e: text.append(e.text)
    )
    reader = Reader(runner)

    async def turn(prompt: str) -> None:
        await session.send_text(prompt)
        await reader.until_type(TurnComplete)
        replies.append("".join(text))
        text.clear()

    async with runner:
        await turn("hello")
        await turn('call get_weather {"city": "Oslo"}')
        await turn("both please")
        if cancel:
            await turn("withdraw it")
            assert [e.call.name for e in reader.of(ToolCancelled)] == ["hang"]
        await runner.mutate_context(instruction)
        await reader.until_type(ContextApplied)
        await turn("hello again")
        runner.stop()
    assert not [e for e in reader.seen if isinstance(e, Error | ContextFailed | ToolResponseFailed)]
    batches = [e.calls for e in reader.of(ToolCall)]
    assert [[c.name for c in calls] for calls in batches][:2] == [
        ["get_weather"],
        ["get_weather", "add"],
    ]
    return replies


async def test_same_application_on_gemini() -> None:
    emulator = Emulator(scenario=SCENARIO)
    async with _gemini(emulator) as session:
        replies = await application(session, INSTRUCTION["gemini"], cancel=True)
    assert replies == [
        "You said: hello",
        'get_weather returned {"city":"Oslo","tempC":21}',
        'get_weather says {"city":"Paris","tempC":21}',
        "Never mind.",
        "You said: hello again",
    ]
    first, second = emulator.connections
    kinds = first.kinds()
    assert kinds.count("tool_response") == 2  # one per ToolCall, none for the withdrawn call
    both = [e.text for e in first.log if e.kind == "tool_response"][1]
    assert both == 'get_weather {"city":"Paris","tempC":21}\nadd {"output":5}'  # one message
    assert second.setup is not None and second.setup.system_instruction is not None
    parts = second.setup.system_instruction.parts
    assert parts and parts[0].text == "Answer in French."


async def test_same_application_on_openai_one_follow_up_for_parallel_calls() -> None:
    emulator = Emulator(scenario=SCENARIO)
    async with _openai(emulator) as session:
        replies = await application(session, INSTRUCTION["openai"], cancel=False)
    assert replies == [
        "You said: hello",
        'get_weather returned {"city":"Oslo","tempC":21}',
        'get_weather says {"city":"Paris","tempC":21}',
        "You said: hello again",
    ]
    (record,) = emulator.connections
    assert isinstance(record, OpenAIConnectionRecord)
    kinds = record.kinds()
    # turn 3: the user item, response.create, two function outputs, exactly one response.create
    start = next(i for i, e in enumerate(record.log) if e.text == "both please")
    assert kinds[start : start + 5] == [
        "conversation.item.create",
        "response.create",
        "conversation.item.create",
        "conversation.item.create",
        "response.create",
    ]
    assert kinds[start + 5] == "session.update"  # the instruction, once the model was idle
    assert record.session is not None and record.session.instructions == "Answer in French."
    assert record.errors == []
