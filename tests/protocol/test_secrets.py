"""Secret: the value never shows in repr/str, only reveal() gives it back."""

from __future__ import annotations

import copy
import pickle

import pytest

from realtalk.protocol.secrets import Secret, reveal

VALUE = "AIzaSy-very-secret-key"


def test_repr_and_str_hide_the_value() -> None:
    secret = Secret(VALUE)
    assert repr(secret) == "Secret('***')"
    assert str(secret) == "Secret('***')"
    assert f"{secret}" == "Secret('***')"
    assert VALUE not in repr([secret, {"k": secret}])


def test_reveal_returns_the_value() -> None:
    assert Secret(VALUE).reveal() == VALUE
    assert reveal(Secret(VALUE)) == VALUE
    assert reveal(VALUE) == VALUE


def test_equality_and_hash_by_value() -> None:
    assert Secret(VALUE) == Secret(VALUE)
    assert Secret(VALUE) != Secret(VALUE + "x")
    assert Secret(VALUE) != VALUE  # a Secret never equals a plain string
    assert len({Secret(VALUE), Secret(VALUE)}) == 1


def test_wrap_is_idempotent() -> None:
    secret = Secret(VALUE)
    assert Secret.wrap(secret) is secret
    assert Secret.wrap(VALUE) == secret


def test_truthiness() -> None:
    assert Secret(VALUE)
    assert not Secret("")


def test_copy_and_pickle_keep_the_value() -> None:
    secret = Secret(VALUE)
    assert copy.deepcopy(secret).reveal() == VALUE
    assert pickle.loads(pickle.dumps(secret)).reveal() == VALUE


def test_rejects_non_str_without_echoing_it() -> None:
    with pytest.raises(TypeError) as info:
        Secret(b"bytes-secret")  # type: ignore[arg-type]
    assert "bytes-secret" not in str(info.value)


def test_no_attribute_dict_leaks_the_value() -> None:
    secret = Secret(VALUE)
    assert not hasattr(secret, "__dict__")
    assert VALUE not in repr(vars(type(secret)))
