"""Tool registry and single-call execution for :class:`~realtalk.live.RealtimeRunner`.

A tool is a plain callable, sync or async, called with the call's arguments as
keyword arguments. Whatever goes wrong becomes an ``{"error": "..."}`` response;
only cancellation propagates.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from realtalk.protocol.events import FunctionCall

__all__ = ["ToolOutcome", "ToolSet", "execute"]

Tool = Callable[..., Any]


def _tools_arg(tools: Mapping[str, Tool] | Iterable[Tool]) -> dict[str, Tool]:
    if isinstance(tools, Mapping):
        named = dict(tools)
        for name in named:
            if not isinstance(name, str) or not name:
                raise TypeError(f"tool names must be non-empty str, got {name!r}")
    elif isinstance(tools, str | bytes) or not isinstance(tools, Iterable):
        raise TypeError(f"tools must be a mapping or a list of callables, not {type(tools)}")
    else:
        named = {}
        for fn in tools:
            name = getattr(fn, "__name__", None)
            if not isinstance(name, str) or not name or name == "<lambda>":
                raise TypeError(f"cannot name tool {fn!r}: pass a mapping name -> callable")
            if name in named:
                raise ValueError(f"two tools are named {name!r}")
            named[name] = fn
    for name, fn in named.items():
        if not callable(fn):
            raise TypeError(f"tool {name!r} is not callable")
    return named


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """The response for one call and the error text (None on success)."""

    response: Any
    error: str | None


class ToolSet:
    """Named tools plus how to run them.

    Args:
        tools: ``{name: callable}`` or a list of callables named by ``__name__``.
        timeout: Seconds one call may run (None: unbounded).
        sync_in_thread: Run sync callables in a worker thread (``asyncio.to_thread``)
            so they cannot stall the event loop; False calls them inline.
    """

    __slots__ = ("sync_in_thread", "timeout", "tools")

    def __init__(
        self,
        tools: Mapping[str, Tool] | Iterable[Tool],
        *,
        timeout: float | None,
        sync_in_thread: bool,
    ) -> None:
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0
        ):
            raise ValueError(f"tool_timeout must be a number of seconds > 0 or None, not {timeout}")
        self.tools = _tools_arg(tools)
        self.timeout = None if timeout is None else float(timeout)
        self.sync_in_thread = bool(sync_in_thread)

    def __contains__(self, name: object) -> bool:
        return name in self.tools

    async def _call(self, fn: Tool, args: dict[str, Any]) -> Any:
        if inspect.iscoroutinefunction(fn):
            result = await fn(**args)
        elif self.sync_in_thread:
            result = await asyncio.to_thread(fn, **args)
        else:
            result = fn(**args)
        if inspect.isawaitable(result):  # e.g. a partial of an async function
            result = await result
        return result


def _error(text: str) -> ToolOutcome:
    return ToolOutcome({"error": text}, text)


async def execute(tools: ToolSet, call: FunctionCall) -> ToolOutcome:
    """Run the tool for ``call`` within the per-call timeout.

    Cancelling is safe and propagates (a sync tool in a thread keeps running to its end,
    its result discarded).
    """
    fn = tools.tools.get(call.name)
    if fn is None:
        return _error(f"unknown tool: {call.name}")
    scope = asyncio.timeout(tools.timeout)
    try:
        async with scope:
            result = await tools._call(fn, dict(call.args))
    except TimeoutError as exc:
        if scope.expired():
            return _error(f"{call.name} timed out after {tools.timeout:g} s")
        return _error(f"{type(exc).__name__}: {exc}")
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise  # the runner (or its owner) cancels this call
        return _error(f"{call.name} raised CancelledError")  # the tool's own doing
    except Exception as exc:  # any tool failure becomes an error response
        return _error(f"{type(exc).__name__}: {exc}")
    try:
        msgspec.json.encode(result)
    except (TypeError, msgspec.EncodeError) as exc:
        return _error(f"{call.name} returned a value that is not JSON-serializable: {exc}")
    return ToolOutcome(result, None)
