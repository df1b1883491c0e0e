"""Tests for realtalk.audio.pcm."""

from __future__ import annotations

import math
import struct

import pytest

from realtalk.audio import pcm


def _pack(*samples: int) -> bytes:
    return struct.pack(f"<{len(samples)}h", *samples)


def test_num_samples_and_duration_ignore_odd_byte() -> None:
    data = _pack(1, 2, 3) + b"\x00"
    assert pcm.num_samples(data) == 3
    assert pcm.duration(_pack(*([0] * 1600)), 16000) == pytest.approx(0.1)


def test_duration_rejects_bad_rate() -> None:
    with pytest.raises(ValueError, match="rate"):
        pcm.duration(b"", 0)


def test_rms_of_constant_and_empty() -> None:
    assert pcm.rms(b"") == 0.0
    assert pcm.rms(_pack(1000, -1000, 1000, -1000)) == pytest.approx(1000.0)


def test_samples_are_little_endian() -> None:
    assert list(pcm.to_samples(b"\x01\x00\xff\xff")) == [1, -1]
    assert pcm.from_samples([1, -1, 99999]) == b"\x01\x00\xff\xff\xff\x7f"


def test_dbfs() -> None:
    assert pcm.dbfs(bytes(10)) == -math.inf
    assert pcm.dbfs(_pack(32767, -32767)) == pytest.approx(0.0, abs=0.01)


def test_chunk_splits_whole_samples() -> None:
    data = _pack(*range(10)) + b"\x07"
    pieces = pcm.chunk(data, 100, 0.04)  # 4 samples per piece
    assert [len(p) for p in pieces] == [8, 8, 4]
    assert b"".join(pieces) == data[:-1]
    with pytest.raises(ValueError):
        pcm.chunk(data, 100, 0)
