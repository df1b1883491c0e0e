"""Endpoints, auth headers and client secrets (openai-realtime.md §1)."""

from __future__ import annotations

import json

import pytest

from realtalk.errors import ProtocolError
from realtalk.protocol.endpoint import Endpoint
from realtalk.protocol.openai import endpoints, wire
from realtalk.protocol.openai.endpoints import openai_endpoint
from realtalk.protocol.secrets import Secret

KEY = "sk-proj-TOPSECRETkey123"
EPHEMERAL = "ek_68af296e8e408191a1120ab6383263c2"


def assert_hidden(endpoint: Endpoint, *secrets: str) -> None:
    for text in (repr(endpoint), str(endpoint), repr(endpoint.headers), str(endpoint.headers)):
        for secret in secrets:
            assert secret not in text
        assert "***" in text


def test_default_url_and_bearer_header() -> None:
    ep = openai_endpoint(model="gpt-realtime", api_key=KEY)
    assert ep.url == "wss://api.openai.com/v1/realtime?model=gpt-realtime"
    assert dict(ep.headers) == {"Authorization": f"Bearer {KEY}"}
    assert ep.platform == "openai"
    assert_hidden(ep, KEY)


def test_ephemeral_secret_is_a_bearer_too() -> None:
    ep = openai_endpoint(model="gpt-realtime", api_key=Secret(EPHEMERAL))
    assert ep.headers["Authorization"] == f"Bearer {EPHEMERAL}"
    assert_hidden(ep, EPHEMERAL)


def test_ga_sends_no_beta_header_and_beta_does() -> None:
    assert "OpenAI-Beta" not in openai_endpoint(model="m", api_key=KEY).headers
    beta = openai_endpoint(model="m", api_key=KEY, beta=True)
    assert beta.headers["OpenAI-Beta"] == "realtime=v1"


def test_organization_and_project_headers_are_not_secret() -> None:
    ep = openai_endpoint(model="m", api_key=KEY, organization="org-1", project="proj_2")
    assert ep.headers["OpenAI-Organization"] == "org-1"
    assert ep.headers["OpenAI-Project"] == "proj_2"
    assert "org-1" in repr(ep) and "proj_2" in repr(ep)


@pytest.mark.parametrize(
    ("base_url", "url"),
    [
        ("ws://127.0.0.1:8765", "ws://127.0.0.1:8765/v1/realtime?model=m"),
        ("http://127.0.0.1:8765/", "ws://127.0.0.1:8765/v1/realtime?model=m"),
        ("https://proxy.example/v1", "wss://proxy.example/v1/realtime?model=m"),
        (
            "wss://proxy.example/openai/v1/realtime",
            "wss://proxy.example/openai/v1/realtime?model=m",
        ),
        ("ws://h/x?api-version=2", "ws://h/x/realtime?api-version=2&model=m"),
    ],
)
def test_custom_base_url(base_url: str, url: str) -> None:
    assert openai_endpoint(model="m", base_url=base_url).url == url


def test_intent_and_call_id_instead_of_a_model() -> None:
    assert openai_endpoint(intent="transcription").url.endswith("/v1/realtime?intent=transcription")
    assert openai_endpoint(call_id="rtc_1").url.endswith("?call_id=rtc_1")
    with pytest.raises(ValueError, match="model"):
        openai_endpoint(api_key=KEY)


def test_bad_base_url_does_not_leak_a_key() -> None:
    with pytest.raises(ValueError) as info:
        openai_endpoint(model="m", base_url="ftp://h/?key=SECRETQUERY")
    assert "SECRETQUERY" not in str(info.value)


def test_no_key_sends_no_authorization() -> None:
    assert dict(openai_endpoint(model="m", base_url="ws://127.0.0.1:1").headers) == {}


# -- client secrets (§1.3) -----------------------------------------------------------------


def test_client_secret_request_and_url() -> None:
    assert endpoints.client_secrets_url() == "https://api.openai.com/v1/realtime/client_secrets"
    assert endpoints.client_secrets_url("ws://127.0.0.1:9") == (
        "http://127.0.0.1:9/v1/realtime/client_secrets"
    )
    body = endpoints.encode_client_secret_request(
        {"model": "gpt-realtime", "instructions": "You are a helpful assistant."}, seconds=600
    )
    assert json.loads(body) == {
        "expires_after": {"anchor": "created_at", "seconds": 600},
        "session": {
            "model": "gpt-realtime",
            "instructions": "You are a helpful assistant.",
            "type": "realtime",
        },
    }
    typed = endpoints.encode_client_secret_request(wire.Session(type="transcription"))
    assert json.loads(typed) == {"session": {"type": "transcription"}}
    assert endpoints.decode_client_secret_request(body) == (600, json.loads(body)["session"])
    with pytest.raises(ValueError):
        endpoints.encode_client_secret_request(seconds=5)
    with pytest.raises(ProtocolError):
        endpoints.decode_client_secret_request(b'{"expires_after": {"seconds": 9000}}')


def test_client_secret_response_ga_and_beta() -> None:
    ga = (
        b'{"value": "ek_68af296e8e408191a1120ab6383263c2", "expires_at": 1756310470,'
        b' "session": {"type": "realtime", "object": "realtime.session", "id": "sess_1"}}'
    )
    secret = endpoints.decode_client_secret_response(ga)
    assert secret.value.reveal() == EPHEMERAL and secret.expires_at == 1756310470
    assert secret.session == {"type": "realtime", "object": "realtime.session", "id": "sess_1"}
    assert EPHEMERAL not in repr(secret)
    beta = b'{"id": "sess_1", "client_secret": {"value": "ek_b", "expires_at": 7}}'
    old = endpoints.decode_client_secret_response(beta)
    assert (old.value.reveal(), old.expires_at, old.session) == ("ek_b", 7, {"id": "sess_1"})
    assert (
        endpoints.decode_client_secret_response(endpoints.encode_client_secret_response(secret))
        == secret
    )
    with pytest.raises(ProtocolError):
        endpoints.decode_client_secret_response(b'{"expires_at": 1}')


# -- server side ---------------------------------------------------------------------------


def test_server_side_helpers() -> None:
    assert endpoints.match_path("/v1/realtime?model=x")
    assert not endpoints.match_path("/v1/realtimex")
    auth = endpoints.parse_subprotocols(
        "realtime, openai-insecure-api-key.ek_abc, openai-organization.org-1,"
        " openai-project.proj_1, openai-beta.realtime-v1"
    )
    assert auth.realtime and auth.beta
    assert auth.api_key == Secret("ek_abc") and "ek_abc" not in repr(auth)
    assert (auth.organization, auth.project) == ("org-1", "proj_1")
    assert endpoints.parse_subprotocols(["realtime"]).api_key is None
    assert endpoints.bearer_token({"authorization": "Bearer sk-1"}) == Secret("sk-1")
    assert endpoints.bearer_token({"Authorization": "Basic x"}) is None


def test_subprotocol_header_is_masked_in_an_endpoint_repr() -> None:
    ep = Endpoint(
        url="ws://h",
        headers={"Sec-WebSocket-Protocol": "openai-insecure-api-key.ek_1"},
        platform="openai",
    )
    assert "ek_1" not in repr(ep)
