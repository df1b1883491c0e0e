"""Ephemeral client secrets: ``POST /v1/realtime/client_secrets`` and using them (§1.3)."""

from __future__ import annotations

import json

import pytest

from realtalk.emulator import Emulator
from realtalk.protocol.openai import (
    client_secrets_url,
    decode_client_secret_response,
    encode_client_secret_request,
)
from realtalk.transport.http import http_request

from .conftest import MODEL, Client


async def _mint(emu: Emulator, key: str, body: bytes) -> tuple[int, bytes]:
    reply = await http_request(
        "POST",
        client_secrets_url(emu.rest_url),
        body=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    return reply.status, reply.body


async def test_minted_secret_starts_sessions_with_its_configuration() -> None:
    async with Emulator(api_keys=["sk-good"]) as emu:
        session = {"type": "realtime", "instructions": "Be terse.", "output_modalities": ["text"]}
        status, body = await _mint(
            emu, "sk-good", encode_client_secret_request(session, seconds=60)
        )
        assert status == 200
        secret = decode_client_secret_response(body)
        value = secret.value.reveal()
        assert value.startswith("ek_") and secret.session is not None
        assert secret.session["instructions"] == "Be terse."
        for _ in range(2):  # one secret starts several sessions
            url = emu.endpoint_url("openai") + f"?model={MODEL}"
            client = Client(await emu.connector()(url, {"Authorization": f"Bearer {value}"}))
            created = await client.recv()
            assert created["type"] == "session.created"
            assert created["session"]["instructions"] == "Be terse."
            assert created["session"]["output_modalities"] == ["text"]
            await client.close()
        emu.client_secrets.now = lambda: float(secret.expires_at or 0) + 1  # type: ignore[method-assign]
        url = emu.endpoint_url("openai") + f"?model={MODEL}"
        client = Client(await emu.connector()(url, {"Authorization": f"Bearer {value}"}))
        error = await client.recv()
        assert error["error"]["code"] == "invalid_api_key"
        assert (await client.closed()).code == 3000


@pytest.mark.parametrize(
    ("key", "body", "status"),
    [
        ("sk-bad", b"{}", 401),
        (
            "sk-good",
            json.dumps({"expires_after": {"anchor": "created_at", "seconds": 5}}).encode(),
            400,
        ),
        ("sk-good", json.dumps({"session": {"type": "realtime", "bogus": 1}}).encode(), 400),
        (
            "sk-good",
            json.dumps({"session": {"output_modalities": ["audio", "text"]}}).encode(),
            400,
        ),
    ],
)
async def test_refused_mint(key: str, body: bytes, status: int) -> None:
    async with Emulator(api_keys=["sk-good"]) as emu:
        got, reply = await _mint(emu, key, body)
        assert got == status
        assert json.loads(reply)["error"]["message"]
        assert emu.client_secrets.secrets == {}
