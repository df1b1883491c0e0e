"""Minting ephemeral tokens through the REST endpoint, against the emulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

import realtalk
from realtalk.emulator import Emulator
from realtalk.protocol.gemini.tokens import (
    auth_tokens_url,
    decode_token_response,
    encode_token_request,
)
from realtalk.transport.http import HttpReply, HttpRequest, http_request, serve_http


async def test_token_is_minted_with_constraints() -> None:
    later = datetime(2030, 1, 1, 12, 30, tzinfo=UTC)
    async with Emulator(api_keys=["server-key"]) as emulator:
        token = await realtalk.create_ephemeral_token(
            "server-key",
            uses=2,
            expire_time=later,
            model="gemini-live-2.5-flash-preview",
            config={"generationConfig": {"temperature": 0.5}},
            lock=["model", "generationConfig.temperature"],
            base_url=emulator.rest_url,
        )
        issued = emulator.tokens.tokens[token.name.reveal()]
    assert token.name.reveal().startswith("auth_tokens/")
    assert token.name.reveal() not in repr(token)
    assert token.uses == 2
    assert issued.expire_time == later
    assert issued.field_mask == ("model", "generationConfig.temperature")
    assert issued.setup is not None
    assert issued.setup["model"] == "models/gemini-live-2.5-flash-preview"
    assert issued.setup["generationConfig"] == {"temperature": 0.5}


async def test_wrong_key_is_refused_without_leaking_it() -> None:
    async with Emulator(api_keys=["server-key"]) as emulator:
        with pytest.raises(realtalk.ConnectError) as info:
            await realtalk.create_ephemeral_token("wrong-key", base_url=emulator.rest_url)
    assert "HTTP 400" in str(info.value)
    assert "wrong-key" not in str(info.value)


async def test_token_over_tls() -> None:
    async with Emulator(tls=True) as emulator:
        assert emulator.ca_file is not None
        token = await realtalk.create_ephemeral_token(
            "k", base_url=emulator.rest_url, ca_file=str(emulator.ca_file)
        )
    assert token.name.reveal().startswith("auth_tokens/")


def test_request_body_shape() -> None:
    body = json.loads(
        encode_token_request(
            uses=1,
            new_session_expire_time=datetime(2030, 1, 1, tzinfo=UTC),
        )
    )
    assert body == {"uses": 1, "newSessionExpireTime": "2030-01-01T00:00:00+00:00"}
    with pytest.raises(ValueError, match="timezone"):
        encode_token_request(expire_time=datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="uses"):
        encode_token_request(uses=-1)
    with pytest.raises(ValueError, match="lock"):
        encode_token_request(lock=["model"])


def test_urls() -> None:
    default = "https://generativelanguage.googleapis.com/v1alpha/auth_tokens"
    assert auth_tokens_url() == default
    assert auth_tokens_url("ws://127.0.0.1:9") == "http://127.0.0.1:9/v1alpha/auth_tokens"
    assert (
        auth_tokens_url("https://proxy/base", "v1beta") == "https://proxy/base/v1beta/auth_tokens"
    )


def test_bad_response_is_a_protocol_error() -> None:
    with pytest.raises(realtalk.ProtocolError):
        decode_token_response(b'{"name": "not-a-token"}')
    with pytest.raises(realtalk.ProtocolError):
        decode_token_response(b"garbage")


async def test_http_round_trip_and_errors() -> None:
    seen: list[HttpRequest] = []

    async def handler(request: HttpRequest) -> HttpReply:
        seen.append(request)
        if request.target.path == "/boom":
            raise RuntimeError("handler bug")
        return HttpReply(201, {"x-test": "1"}, msgspec.json.encode({"echo": request.body.decode()}))

    async with await serve_http(handler) as server:
        base = f"http://127.0.0.1:{server.port}"
        reply = await http_request("POST", f"{base}/p?q=1", body=b"hi", headers={"A": "b"})
        assert (reply.status, reply.headers["x-test"], json.loads(reply.body)) == (
            201,
            "1",
            {"echo": "hi"},
        )
        assert seen[0].method == "POST" and seen[0].target.query == {"q": "1"}
        assert seen[0].target.headers["a"] == "b"
        assert (await http_request("GET", f"{base}/boom")).status == 500
        port = server.port
    with pytest.raises(realtalk.ConnectError):
        await http_request("GET", f"http://127.0.0.1:{port}/")
    with pytest.raises(realtalk.ConnectError, match="http"):
        await http_request("GET", "ftp://x/")


def test_expired_token_cannot_start_sessions() -> None:
    from realtalk.emulator.rest import TokenStore

    clock = [datetime(2030, 1, 1, tzinfo=UTC)]
    store = TokenStore(now=lambda: clock[0])
    token = store.mint(b'{"uses": 1}')
    assert store.start_session(token.name, resuming=False) is None
    assert "no uses left" in (store.start_session(token.name, resuming=False) or "")
    assert store.start_session(token.name, resuming=True) is None  # resuming uses none
    clock[0] += timedelta(hours=1)
    assert "not valid" in (store.start_session(token.name, resuming=True) or "")


async def test_session_with_an_ephemeral_token_gets_the_locked_setup() -> None:
    async with Emulator(api_keys=["server-key"]) as emulator:
        token = await realtalk.create_ephemeral_token(
            "server-key",
            uses=1,
            model="gemini-live-2.5-flash-preview",
            config={
                "generationConfig": {"temperature": 0.2},
                "sessionResumption": {},
            },
            lock=["generationConfig.temperature"],
            base_url=emulator.rest_url,
        )
        config = {"generationConfig": {"temperature": 0.9, "responseModalities": ["TEXT"]}}
        async with realtalk.connect(
            "gemini",
            model="gemini-live-2.5-flash-preview",
            url=emulator.url,
            api_key=token.name,
            config=config,
        ):
            pass
        record = emulator.connections[0]
        assert record.request.path.endswith("BidiGenerateContentConstrained")
        assert record.setup is not None and record.setup.generation_config is not None
        assert record.setup.generation_config.temperature == 0.2  # locked by the token
        assert record.setup.generation_config.response_modalities == ["TEXT"]  # not locked
        with pytest.raises(realtalk.SetupError) as info:  # one use only
            await realtalk.connect("gemini", model="gemini-x", url=emulator.url, api_key=token.name)
        assert info.value.code == 1008 and "no uses left" in info.value.reason


async def test_constrained_method_needs_a_minted_token() -> None:
    async with Emulator() as emulator:
        with pytest.raises(realtalk.SetupError) as info:
            await realtalk.connect(
                "gemini", model="m", url=emulator.url, ephemeral_token="auth_tokens/forged"
            )
    assert info.value.code == 1008
