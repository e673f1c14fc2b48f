"""Payload coding (soft Viterbi + keyed tag) and key files."""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
import pytest

from raikit.watermark import WatermarkKey, WatermarkKeyError, load_key, write_key
from raikit.watermark.detection import confidence_from_p, max_abs_z_p_value
from raikit.watermark.payload import coded_length, pack, unpack


def test_payload_round_trip_under_noise_and_tag_rejects_noise() -> None:
    key = WatermarkKey(b"0123456789abcdef0123")
    rng = np.random.default_rng(0)
    for message in (b"", b"abcd", b"12345678"):
        coded = pack(message, 8, key)
        assert len(coded) == coded_length(8)
        soft = (2.0 * coded - 1.0) + rng.normal(0.0, 0.6, len(coded))
        assert unpack(soft, 8, key) == message
    assert all(unpack(rng.normal(0, 1, coded_length(8)), 8, key) is None for _ in range(50))
    assert unpack(2.0 * pack(b"abcd", 8, key) - 1.0, 8, WatermarkKey(b"another key, 16+ bytes")) is None


def test_sidak_p_value_and_confidence() -> None:
    assert max_abs_z_p_value(0.0, 10) == pytest.approx(1.0)
    assert max_abs_z_p_value(8.0, 1_000_000) < 1e-8
    assert (
        0.0
        <= confidence_from_p(1.0)
        < confidence_from_p(1e-3)
        < confidence_from_p(1e-6)
        == pytest.approx(0.5)
    )
    assert confidence_from_p(1e-20) == 1.0


def test_key_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    key = write_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key(path) == key
    with pytest.raises(WatermarkKeyError, match="already exists"):
        write_key(path)
    (tmp_path / "bad.key").write_text("hello\n")
    with pytest.raises(WatermarkKeyError, match="not a raikit watermark key"):
        load_key(tmp_path / "bad.key")
    with pytest.raises(WatermarkKeyError, match="does not exist"):
        load_key(tmp_path / "missing.key")
