"""A neutral RealtimeConfig works for both providers; impossible settings fail at connect."""

from __future__ import annotations

import warnings

import pytest

import realtalk
from realtalk.emulator import Emulator
from realtalk.protocol.config import RealtimeConfig, Tool
from realtalk.transport import MemoryConnector

CONFIG = RealtimeConfig(
    instructions="Be brief.",
    modalities=("text",),
    tools=(Tool(name="get_weather", description="Weather", parameters={"type": "object"}),),
)


async def test_one_config_for_both_providers() -> None:
    emulator = Emulator()
    connector = MemoryConnector(emulator.handler)
    for provider, model in (
        ("gemini", "gemini-live-2.5-flash-preview"),
        ("openai", "gpt-realtime"),
    ):
        async with realtalk.connect(
            provider, model=model, url="ws://emulator", config=CONFIG, connector=connector
        ):
            pass
    gemini, openai = emulator.connections
    assert gemini.setup is not None and gemini.setup.system_instruction is not None
    assert gemini.setup.system_instruction.parts[0].text == "Be brief."
    assert gemini.setup.tools is not None
    assert gemini.setup.tools[0].function_declarations[0].name == "get_weather"
    assert openai.session.instructions == "Be brief."  # type: ignore[attr-defined]
    assert openai.session.tools[0].name == "get_weather"  # type: ignore[attr-defined]
    await connector.aclose()


def test_setting_the_model_cannot_take_is_refused_naming_it() -> None:
    native_audio = "gemini-2.5-flash-native-audio-preview-12-2025"
    with pytest.raises(realtalk.ConfigError, match="responseModalities"):
        realtalk.connect("gemini", model=native_audio, url="ws://x", config=CONFIG)
    transparent = {"sessionResumption": {"transparent": True}}
    with pytest.raises(realtalk.ConfigError, match="transparent"):
        realtalk.connect("gemini", model="gemini-live-2.5-flash-preview", config=transparent)
    # the same setting is fine on Vertex
    realtalk.connect(
        "gemini",
        model="gemini-live-2.5-flash-preview",
        platform="vertex",
        project="p",
        location="us-central1",
        access_token="t",
        config=transparent,
    )


def test_doubtful_setting_warns_and_the_check_can_be_skipped() -> None:
    config = RealtimeConfig(modalities=("text",), temperature=0.3)
    with pytest.warns(realtalk.errors.RealtalkWarning, match="temperature"):
        realtalk.connect("openai", model="gpt-realtime", url="ws://x", config=config)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        realtalk.connect(
            "openai", model="gpt-realtime", url="ws://x", config=config, check_capabilities=False
        )
