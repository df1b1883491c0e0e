"""ReconnectPolicy and the retry-or-fatal decision (ARCHITECTURE §4; gemini-live.md §6.10)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realtalk.session.policy import (
    CloseDecision,
    ReconnectPolicy,
    classify_close,
    is_quota_reason,
)

policies = st.builds(
    lambda base, extra, attempts, jitter: ReconnectPolicy(base, base + extra, attempts, jitter),
    st.floats(0, 100, allow_nan=False),
    st.floats(0, 1000, allow_nan=False),
    st.integers(0, 60),
    st.sampled_from(["full", "equal", "none"]),
)


def seeded(seed: int) -> Callable[[], float]:
    return random.Random(seed).random


def fixed(value: float) -> Callable[[], float]:
    return lambda: value


# -- delays -----------------------------------------------------------------------------


@given(policies, st.integers(0, 2**32))
def test_delays_are_bounded_counted_and_non_negative(policy: ReconnectPolicy, seed: int) -> None:
    delays = list(policy.delays(seeded(seed)))
    assert len(delays) == policy.attempts
    assert all(0 <= d <= policy.max for d in delays)


@given(policies, st.integers(0, 2**32))
def test_delays_are_deterministic_for_a_seeded_source(policy: ReconnectPolicy, seed: int) -> None:
    assert list(policy.delays(seeded(seed))) == list(policy.delays(seeded(seed)))


@given(policies, st.lists(st.floats(0, 1, exclude_max=True), min_size=60, max_size=60))
def test_delays_match_the_single_delay_formula(policy: ReconnectPolicy, rs: list[float]) -> None:
    source = iter(rs)
    delays = list(policy.delays(lambda: next(source)))
    assert delays == [policy.delay(n, r) for n, r in zip(range(len(delays)), rs, strict=False)]


def test_exponential_growth_capped_without_jitter() -> None:
    policy = ReconnectPolicy(base=0.5, max=5.0, attempts=7, jitter="none")
    assert list(policy.delays(fixed(0.0))) == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


def test_full_jitter_scales_the_ceiling() -> None:
    policy = ReconnectPolicy(base=1.0, max=8.0, attempts=4, jitter="full")
    assert list(policy.delays(fixed(0.5))) == [0.5, 1.0, 2.0, 4.0]
    assert list(policy.delays(fixed(0.0))) == [0.0, 0.0, 0.0, 0.0]


def test_equal_jitter_keeps_half_the_ceiling() -> None:
    policy = ReconnectPolicy(base=2.0, max=8.0, attempts=3, jitter="equal")
    assert list(policy.delays(fixed(0.0))) == [1.0, 2.0, 4.0]
    assert list(policy.delays(fixed(0.5))) == [1.5, 3.0, 6.0]


def test_defaults_match_the_architecture() -> None:
    policy = ReconnectPolicy()
    assert (policy.base, policy.max, policy.attempts, policy.jitter) == (0.5, 5.0, 10, "full")
    assert len(list(policy.delays())) == 10


def test_unlimited_attempts_never_stop_and_stay_capped() -> None:
    policy = ReconnectPolicy(attempts=None, jitter="none")
    delays = list(itertools.islice(policy.delays(fixed(0.0)), 2000))
    assert len(delays) == 2000
    assert delays[-1] == 5.0


def test_zero_attempts_yields_nothing() -> None:
    assert list(ReconnectPolicy(attempts=0).delays(fixed(0.3))) == []


def test_rng_is_called_once_per_delay_even_without_jitter() -> None:
    calls = 0

    def rng() -> float:
        nonlocal calls
        calls += 1
        return 0.25

    list(ReconnectPolicy(attempts=5, jitter="none").delays(rng))
    assert calls == 5


@pytest.mark.parametrize("bad", [1.0, -0.1, 2.0])
def test_a_random_source_out_of_range_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        next(ReconnectPolicy().delays(fixed(bad)))


def test_delay_of_a_huge_attempt_number_is_the_cap() -> None:
    assert ReconnectPolicy(jitter="none").delay(10**9) == 5.0
    with pytest.raises(ValueError, match="attempt"):
        ReconnectPolicy().delay(-1)


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"base": -1}, ValueError, "base"),
        ({"base": float("nan")}, ValueError, "base"),
        ({"base": "1"}, TypeError, "base"),
        ({"base": True}, TypeError, "base"),
        ({"max": float("inf")}, ValueError, "max"),
        ({"base": 2.0, "max": 1.0}, ValueError, "max"),
        ({"attempts": -1}, ValueError, "attempts"),
        ({"attempts": 2.5}, TypeError, "attempts"),
        ({"attempts": False}, TypeError, "attempts"),
        ({"jitter": "half"}, ValueError, "jitter"),
        ({"jitter": None}, TypeError, "jitter"),
    ],
)
def test_validation_names_the_field(kwargs: dict[str, object], error: type, field: str) -> None:
    with pytest.raises(error, match=field):
        ReconnectPolicy(**kwargs)  # type: ignore[arg-type]


def test_policy_is_frozen() -> None:
    policy = ReconnectPolicy()
    with pytest.raises(AttributeError):
        policy.base = 1.0  # type: ignore[misc]


# -- close classification -------------------------------------------------------------


@pytest.mark.parametrize("code", [None, 1000, 1001, 1006, 1011, 1012, 1013])
def test_transient_closes_are_retried(code: int | None) -> None:
    decision = classify_close(code, "Internal error occurred.")
    assert decision.retry is True
    assert decision.verdict == "retry"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (1007, "Request contains an invalid argument."),
        (1008, "models/x is not found for API version v1beta"),
        (1008, "BidiGenerateContent session not found"),
        (1002, ""),
        (4000, "application code"),
    ],
)
def test_refusals_are_fatal_and_keep_the_reason(code: int, reason: str) -> None:
    decision = classify_close(code, reason)
    assert decision == CloseDecision(False, decision.reason)
    assert decision.verdict == "fatal"
    assert str(code) in decision.reason
    if code in (1007, 1008):
        assert reason in decision.reason


def test_a_client_initiated_close_is_never_retried() -> None:
    assert classify_close(1000, "", by_client=True).retry is False
    assert classify_close(1000, "").retry is True  # the server chose to close


@pytest.mark.parametrize(
    "reason",
    [
        "RESOURCE_EXHAUSTED: too many concurrent sessions",
        "You exceeded your current quota, please check your plan and billing details.",
        "Quota exceeded for quota metric 'Live sessions'",
        "billing account disabled",
    ],
)
def test_quota_reasons_make_1011_fatal(reason: str) -> None:
    assert is_quota_reason(reason)
    decision = classify_close(1011, reason)
    assert not decision.retry
    assert "quota" in decision.reason


@pytest.mark.parametrize(
    "reason",
    ["Internal error occurred.", "The service is currently unavailable.", "Deadline expired", ""],
)
def test_transient_1011_reasons_are_not_quota(reason: str) -> None:
    assert not is_quota_reason(reason)
    assert classify_close(1011, reason).retry


def test_reason_text_matters_only_for_1011() -> None:
    assert classify_close(1006, "RESOURCE_EXHAUSTED").retry
    assert classify_close(1001, "quota").retry
    assert not classify_close(1007, "temporarily unavailable, retry").retry


def test_classify_rejects_wrong_types() -> None:
    with pytest.raises(TypeError, match="code"):
        classify_close("1011", "")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="reason"):
        classify_close(1011, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="reason"):
        is_quota_reason(b"quota")  # type: ignore[arg-type]
