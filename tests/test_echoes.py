"""Radar echoes of the real products, against an independent struct decode of the declared group."""

from __future__ import annotations

import math
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from traverse.read.archive import Source
from traverse.read.echoes import echo_group, read_echoes, sample_interval_ns
from traverse.read.labels import parse_label
from traverse.read.pds4 import parse_xml
from traverse.read.poses import PoseLayout
from traverse.record_formats import record_format

ROPER = Path(__file__).resolve().parents[2] / "shared" / "data" / "tw1" / "roper"


def _open(label: Path, fmt_key: str):
    fmt = record_format(fmt_key)
    layout = PoseLayout.from_table(parse_label(label.read_bytes(), str(label))["table"], fmt)
    root = parse_xml(label.read_bytes(), str(label))
    return fmt, layout, root, echo_group(root, fmt, layout.record_length, source=str(label))


def test_real_lpr1_echoes(lpr1):
    label, data = lpr1
    fmt, layout, root, group = _open(label, "lpr")
    assert (group.start, group.repetitions, group.sample_dtype.itemsize) == (114, 8192, 4)
    assert sample_interval_ns(root, fmt) == 2.5
    records, echoes = read_echoes(Source(data), layout, group)
    assert echoes.shape == (101, 8192) and echoes.dtype == np.float32
    raw = data.read_bytes()
    for r in (0, 57, 100):  # ECHO_DATA: 8192 IEEE754LSBSingle from byte 115 of each 32 883-byte record
        at = r * 32883 + 114
        np.testing.assert_array_equal(echoes[r], struct.unpack_from("<8192f", raw, at))
    rec2, every3 = read_echoes(Source(data), layout, group, step=3)
    assert rec2.tolist() == list(range(0, 101, 3))
    np.testing.assert_array_equal(every3, echoes[::3])


def test_real_lpr1_echoes_from_a_zip_member(lpr1, tmp_path):
    label, data = lpr1
    _, layout, _, group = _open(label, "lpr")
    bundle = tmp_path / "b.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(data, data.name)
    _, loose = read_echoes(Source(data), layout, group)
    with zipfile.ZipFile(bundle) as zf:
        from traverse.read.echoes import iter_echo_blocks

        blocks = list(iter_echo_blocks(Source(bundle, data.name, zf), layout, group, block_records=7))
    assert max(len(b[1]) for b in blocks) <= 7  # memory bounded by the block size
    np.testing.assert_array_equal(np.concatenate([b[1] for b in blocks]), loose)
    for step in (3, 4, 10):  # strided, with blocks of 7 records that do not start on a multiple of step
        with zipfile.ZipFile(bundle) as zf:
            blocks = list(iter_echo_blocks(Source(bundle, data.name, zf), layout, group, step=step,
                                           block_records=7))
        idx = np.concatenate([b[0] for b in blocks])
        assert idx.tolist() == list(range(0, 101, step))
        np.testing.assert_array_equal(np.concatenate([b[1] for b in blocks]), loose[::step])
        mapped = list(iter_echo_blocks(Source(data), layout, group, step=step, block_records=7))
        np.testing.assert_array_equal(np.concatenate([b[1] for b in mapped]), loose[::step])


@pytest.mark.parametrize(("band", "shape", "dtype"), [("HF", (136, 2048), np.complex64),
                                                      ("LF", (14, 3000), np.float32)])
def test_real_roper_echoes(band, shape, dtype):
    label = next(ROPER.glob(f"*RoPeR-{band}*.2BL"))
    data = label.with_suffix(".2B")
    fmt, layout, root, group = _open(label, "roper")
    assert math.isnan(sample_interval_ns(root, fmt))  # the label states none: none assumed
    _, echoes = read_echoes(Source(data), layout, group)
    assert echoes.shape == shape and echoes.dtype == dtype
    raw = data.read_bytes()
    n = shape[1]
    for r in (0, shape[0] - 1):  # Scientific_Data at byte 19: (R, I) float pairs (HF) or floats (LF)
        at = r * layout.record_length + 18
        if band == "HF":
            pairs = np.array(struct.unpack_from(f"<{2 * n}f", raw, at), dtype=np.float32).reshape(n, 2)
            np.testing.assert_array_equal(echoes[r].real, pairs[:, 0])
            np.testing.assert_array_equal(echoes[r].imag, pairs[:, 1])
        else:
            np.testing.assert_array_equal(echoes[r], struct.unpack_from(f"<{n}f", raw, at))


@pytest.mark.parametrize(("old", "new", "message"), [
    ("<repetitions>8192</repetitions>", "<repetitions>9000</repetitions>", "do not fit"),
    ("<repetitions>8192</repetitions>", "<repetitions>-1</repetitions>", "do not fit"),
    ('<group_location unit="byte">115</group_location>', '<group_location unit="byte">800</group_location>',
     "do not fit"),
    ("<data_type>IEEE754LSBSingle</data_type>", "<data_type>IEEE754LSBDouble</data_type>", "does not fit"),
    ("<name>ECHO_DATA</name>", "<name>ECHOES</name>", "no Group_Field_Binary 'ECHO_DATA'"),
])
def test_absurd_echo_groups_are_layout_errors(lpr1, old, new, message):
    from traverse.errors import LayoutError

    label, _ = lpr1
    text = label.read_text(encoding="utf-8")
    assert old in text
    root = parse_xml(text.replace(old, new).encode(), "x")
    with pytest.raises(LayoutError, match=message):
        echo_group(root, record_format("lpr"), 32883, source="x")
