"""The real VNIS-SD data table of sequence 0136, read by its label's field locations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from traverse.errors import LayoutError
from traverse.read.spectra import read_sd_spectrum

STEM = "CE4_GRAS_VNIS-SD_SCI_N_20200716031001_20200716100000_0136_B.2B"


@pytest.fixture(scope="module")
def sd(ce4):
    label, data = (ce4 / "vnis" / f"{STEM}L").read_bytes(), (ce4 / "vnis" / STEM).read_bytes()
    return label, data


def _independent(data: bytes) -> list[tuple]:
    """The declared fields of every line, cut by hand: Time 1/24, Data_Identifier 26/3,
    integration time 30/5, Spectrum_data1 41/12 (1-based location / length, from the label)."""
    out = []
    for line in data.decode("ascii").split("\n"):
        if line:
            out.append((line[0:24], int(line[25:28]), float(line[29:34]), float(line[40:52])))
    return out


def test_real_sd_table_300_channels(sd):
    label, data = sd
    assert len(data) == 300 * 58 and data.count(b"\r") == 0  # the trap: 57 chars + LF, not CRLF
    spec = read_sd_spectrum(label, data, STEM)
    want = _independent(data)
    assert len(spec) == 300 and spec.attrs["declared_records"] == 300
    assert spec["channel"].tolist() == [w[1] for w in want] == list(range(300))
    np.testing.assert_array_equal(spec["value"], [w[3] for w in want])
    np.testing.assert_allclose(spec["wavelength_nm"], 900 + 5 * np.arange(300))
    assert spec["wavelength_nm"].iloc[[0, -1]].tolist() == [900.0, 2395.0]
    assert (spec["integration_time_ms"] == 54.2).all()
    t = spec["time_utc"]
    assert t.iloc[0] == pd.Timestamp("2020-07-16T08:17:04.170Z")  # the label's start_date_time
    assert t.iloc[-1] == pd.Timestamp("2020-07-16T08:22:45.432Z")  # and its stop_date_time
    assert (t >= t.iloc[0]).all() and (t <= t.iloc[-1]).all()
    assert (spec["value"] > 0).all()


def test_crlf_and_truncated_tables(sd):
    label, data = sd
    crlf = data.replace(b"\n", b"\r\n")  # as the label declares it: the same values
    pd.testing.assert_frame_equal(read_sd_spectrum(label, crlf, STEM), read_sd_spectrum(label, data, STEM))
    cut = data[: 58 * 120 + 30]  # 120 complete records and part of one
    spec = read_sd_spectrum(label, cut, STEM)
    assert len(spec) == 120 and spec.attrs["declared_records"] == 300
    with pytest.raises(LayoutError, match="no complete record"):
        read_sd_spectrum(label, data[:20], STEM)
