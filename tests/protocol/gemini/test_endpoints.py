"""Endpoints, auth headers, model names and path matching (gemini-live.md §1, §7)."""

from __future__ import annotations

import pytest

from realtalk.protocol.gemini import endpoints
from realtalk.protocol.gemini.endpoints import (
    Endpoint,
    PathMatch,
    ai_studio_endpoint,
    match_path,
    model_resource_name,
    vertex_endpoint,
)
from realtalk.protocol.secrets import Secret

KEY = "AIzaSyTOPSECRETkey123"
TOKEN = "auth_tokens/ephemeralSECRET456"
BEARER = "ya29.bearerSECRET789"
AI_PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"


def assert_hidden(endpoint: Endpoint, *secrets: str) -> None:
    for text in (repr(endpoint), str(endpoint), repr(endpoint.headers), str(endpoint.headers)):
        for secret in secrets:
            assert secret not in text
            assert secret.split("/")[-1] not in text


# -- AI Studio (§1.1) ------------------------------------------------------------------------------


def test_api_key_in_header_by_default() -> None:
    ep = ai_studio_endpoint(api_key=KEY)
    assert ep.url == "wss://generativelanguage.googleapis.com" + AI_PATH
    assert dict(ep.headers) == {"x-goog-api-key": KEY}
    assert ep.platform == "ai_studio"
    assert_hidden(ep, KEY)


def test_api_key_in_query() -> None:
    ep = ai_studio_endpoint(api_key=Secret(KEY), key_in_query=True)
    assert ep.url == f"wss://generativelanguage.googleapis.com{AI_PATH}?key={KEY}"
    assert dict(ep.headers) == {}
    assert_hidden(ep, KEY)
    assert "key=***" in repr(ep)


def test_api_version_is_configurable() -> None:
    ep = ai_studio_endpoint(api_key=KEY, api_version="v1alpha")
    assert ep.url.endswith(
        "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContent"
    )


def test_ephemeral_token_uses_constrained_method_v1alpha_and_token_scheme() -> None:
    ep = ai_studio_endpoint(ephemeral_token=TOKEN)
    assert ep.url == (
        "wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.v1alpha."
        "GenerativeService.BidiGenerateContentConstrained"
    )
    assert dict(ep.headers) == {"Authorization": f"Token {TOKEN}"}
    assert_hidden(ep, TOKEN)


def test_ephemeral_token_with_chosen_version_and_query() -> None:
    ep = ai_studio_endpoint(ephemeral_token=Secret(TOKEN), api_version="v1beta", key_in_query=True)
    assert ".v1beta.GenerativeService.BidiGenerateContentConstrained?access_token=" in ep.url
    assert ep.url.endswith("access_token=auth_tokens/ephemeralSECRET456")
    assert dict(ep.headers) == {}
    assert_hidden(ep, TOKEN)


def test_api_key_that_is_an_ephemeral_token_is_detected() -> None:
    assert ai_studio_endpoint(api_key=TOKEN) == ai_studio_endpoint(ephemeral_token=TOKEN)


def test_both_credentials_is_an_error_that_hides_them() -> None:
    with pytest.raises(ValueError) as info:
        ai_studio_endpoint(api_key=KEY, ephemeral_token=TOKEN)
    assert KEY not in str(info.value) and TOKEN not in str(info.value)


def test_no_credential_at_all() -> None:
    ep = ai_studio_endpoint(base_url="ws://127.0.0.1:9000")
    assert ep.url == "ws://127.0.0.1:9000" + AI_PATH
    assert dict(ep.headers) == {}


# -- custom base URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("ws://127.0.0.1:8080", "ws://127.0.0.1:8080" + AI_PATH),
        ("ws://127.0.0.1:8080/", "ws://127.0.0.1:8080" + AI_PATH),
        ("http://localhost:1", "ws://localhost:1" + AI_PATH),
        ("https://proxy.example", "wss://proxy.example" + AI_PATH),
        ("wss://proxy.example/custom/live", "wss://proxy.example/custom/live"),
        ("https://proxy.example/p?tenant=a", "wss://proxy.example/p?tenant=a"),
    ],
)
def test_base_url(base: str, url: str) -> None:
    assert ai_studio_endpoint(base_url=base).url == url


def test_base_url_keeps_its_query_and_adds_the_key() -> None:
    ep = ai_studio_endpoint(api_key=KEY, base_url="http://h/p?tenant=a", key_in_query=True)
    assert ep.url == f"ws://h/p?tenant=a&key={KEY}"
    assert "tenant=a" in repr(ep)
    assert_hidden(ep, KEY)


@pytest.mark.parametrize("base", ["ftp://h", "localhost:8080", "ws://", "not a url"])
def test_bad_base_url(base: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        ai_studio_endpoint(base_url=base)


def test_bad_base_url_message_hides_query_credentials() -> None:
    with pytest.raises(ValueError) as info:
        ai_studio_endpoint(base_url=f"ftp://h/?key={KEY}")
    assert KEY not in str(info.value)


# -- Vertex (§1.3) ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "host"),
    [
        ("us-central1", "us-central1-aiplatform.googleapis.com"),
        ("europe-west4", "europe-west4-aiplatform.googleapis.com"),
        ("global", "aiplatform.googleapis.com"),
        ("us", "aiplatform.us.rep.googleapis.com"),
        ("eu", "aiplatform.eu.rep.googleapis.com"),
    ],
)
def test_vertex_hosts(location: str, host: str) -> None:
    ep = vertex_endpoint(location=location, access_token=BEARER)
    assert ep.url == (
        f"wss://{host}/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent"
    )
    assert dict(ep.headers) == {"Authorization": f"Bearer {BEARER}"}
    assert ep.platform == "vertex"
    assert_hidden(ep, BEARER)


def test_vertex_version_quota_project_and_no_token() -> None:
    ep = vertex_endpoint(location="global", access_token=None, api_version="v1", quota_project="p1")
    assert ep.url.endswith("/ws/google.cloud.aiplatform.v1.LlmBidiService/BidiGenerateContent")
    assert dict(ep.headers) == {"x-goog-user-project": "p1"}


def test_vertex_base_url() -> None:
    ep = vertex_endpoint(location="us-central1", access_token=Secret(BEARER), base_url="http://e:1")
    assert (
        ep.url == "ws://e:1/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent"
    )
    assert_hidden(ep, BEARER)


@pytest.mark.parametrize("location", ["", "evil.com/x", "US", "a..b", "us central"])
def test_vertex_bad_location(location: str) -> None:
    with pytest.raises(ValueError, match="location"):
        vertex_endpoint(location=location, access_token=None)


# -- Endpoint itself -------------------------------------------------------------------------------


def test_endpoint_masks_headers_given_directly() -> None:
    ep = Endpoint(
        url=f"wss://h/p?key={KEY}&x=1",
        headers={"Authorization": f"Bearer {BEARER}", "X-Goog-Api-Key": KEY, "x-other": "v"},
        platform="vertex",
    )
    assert_hidden(ep, KEY, BEARER)
    assert "x-other" in repr(ep) and "'v'" in repr(ep)
    assert "x=1" in repr(ep)
    assert ep.headers["Authorization"] == f"Bearer {BEARER}"  # the transport still gets it


def test_endpoint_headers_can_be_merged() -> None:
    ep = ai_studio_endpoint(api_key=KEY)
    merged = Endpoint(url=ep.url, headers={**ep.headers, "x-extra": "1"}, platform=ep.platform)
    assert dict(merged.headers) == {"x-goog-api-key": KEY, "x-extra": "1"}


def test_redact_url() -> None:
    assert endpoints.redact_url("wss://h/p") == "wss://h/p"
    assert endpoints.redact_url(f"wss://h/p?access_token={TOKEN}&a=b") == (
        "wss://h/p?access_token=***&a=b"
    )


# -- model names (§1.3, §1.4) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gemini-live-2.5-flash-preview", "models/gemini-live-2.5-flash-preview"),
        ("models/gemini-2.0-flash-live-001", "models/gemini-2.0-flash-live-001"),
        ("tunedModels/abc", "tunedModels/abc"),
    ],
)
def test_ai_studio_model_names(model: str, expected: str) -> None:
    assert model_resource_name(model, platform="ai_studio") == expected


FULL = "projects/p/locations/us-central1/publishers/google/models/gemini-live-2.5-flash"


@pytest.mark.parametrize(
    "model",
    [
        "gemini-live-2.5-flash",
        "models/gemini-live-2.5-flash",
        "publishers/google/models/gemini-live-2.5-flash",
        FULL,
    ],
)
def test_vertex_model_names(model: str) -> None:
    name = model_resource_name(model, platform="vertex", project="p", location="us-central1")
    assert name == FULL


def test_vertex_full_name_needs_nothing_else() -> None:
    assert model_resource_name(FULL, platform="vertex") == FULL


@pytest.mark.parametrize("kwargs", [{}, {"project": "p"}, {"location": "us-central1"}])
def test_vertex_bare_model_needs_project_and_location(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="model"):
        model_resource_name("gemini-live-2.5-flash", platform="vertex", **kwargs)


def test_empty_model() -> None:
    with pytest.raises(ValueError, match="model"):
        model_resource_name("", platform="ai_studio")


# -- server side: path matching (§7) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (AI_PATH, PathMatch("ai_studio", "v1beta", "BidiGenerateContent")),
        (
            "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContent",
            PathMatch("ai_studio", "v1alpha", "BidiGenerateContent"),
        ),
        (
            "/ws/google.ai.generativelanguage.v1.GenerativeService.BidiGenerateContent?key=k",
            PathMatch("ai_studio", "v1", "BidiGenerateContent"),
        ),
        (
            "/ws/google.ai.generativelanguage.v1alpha.GenerativeService."
            "BidiGenerateContentConstrained",
            PathMatch("ai_studio", "v1alpha", "BidiGenerateContentConstrained"),
        ),
        (
            "/ws/google.ai.generativelanguage.v1beta.GenerativeService."
            "BidiGenerateContentConstrained",
            PathMatch("ai_studio", "v1beta", "BidiGenerateContentConstrained"),
        ),
        (
            "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent",
            PathMatch("vertex", "v1beta1", "BidiGenerateContent"),
        ),
        (
            "/ws/google.cloud.aiplatform.v1.LlmBidiService/BidiGenerateContent",
            PathMatch("vertex", "v1", "BidiGenerateContent"),
        ),
    ],
)
def test_match_path(path: str, expected: PathMatch) -> None:
    assert match_path(path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "",
        "/ws/google.ai.generativelanguage.v2.GenerativeService.BidiGenerateContent",
        "/ws/google.ai.generativelanguage.v1beta.GenerativeService/BidiGenerateContent",
        "/ws/google.cloud.aiplatform.v1beta.LlmBidiService/BidiGenerateContent",
        "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService.BidiGenerateContent",
        "/ws/google.cloud.aiplatform.v1.LlmBidiService/BidiGenerateContentConstrained",
        AI_PATH + "/extra",
    ],
)
def test_match_path_rejects_other_paths(path: str) -> None:
    assert match_path(path) is None


def test_constrained_flag_and_templates() -> None:
    ep = ai_studio_endpoint(ephemeral_token=TOKEN, base_url="ws://h")
    found = match_path(ep.url.removeprefix("ws://h"))
    assert found is not None and found.constrained
    for version in endpoints.AI_STUDIO_VERSIONS:
        for method in (endpoints.METHOD_BIDI, endpoints.METHOD_CONSTRAINED):
            path = endpoints.AI_STUDIO_PATH_TEMPLATE.format(version=version, method=method)
            assert match_path(path) == PathMatch("ai_studio", version, method)
    for version in endpoints.VERTEX_VERSIONS:
        path = endpoints.VERTEX_PATH_TEMPLATE.format(version=version)
        assert match_path(path) == PathMatch("vertex", version, endpoints.METHOD_BIDI)


def test_every_endpoint_built_is_matched() -> None:
    for ep in (
        ai_studio_endpoint(api_key=KEY),
        ai_studio_endpoint(ephemeral_token=TOKEN, key_in_query=True),
        vertex_endpoint(location="us", access_token=BEARER),
    ):
        path = "/" + ep.url.split("/", 3)[3]
        found = match_path(path)
        assert found is not None and found.platform == ep.platform
