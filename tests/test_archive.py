"""Finding products: GRAS name grammar, label/data pairing, duplicates, zip bundles."""

from __future__ import annotations

import re
import zipfile

import pandas as pd
import pytest

from traverse.errors import ArchiveError
from traverse.read.archive import open_archive, parse_product_name
from traverse.read.frames import read_frames
from traverse.synthetic.products import write_label_product


def _manifest_names(ce4):
    names = []
    for manifest in (ce4 / "manifests").glob("*/DATA/downloadResult.txt"):
        names += re.findall(r"/(CE4_GRAS_[^/\s]+)\s*$", manifest.read_text("utf-8"), re.M)
    return names


def test_every_name_in_the_gras_download_lists_parses(ce4):
    """Source: the portal's download lists for 2564 PCAM 2B and 240 TCAM 2C products."""
    names = _manifest_names(ce4)
    parsed = [parse_product_name(n) for n in names]
    assert all(parsed), [n for n, p in zip(names, parsed, strict=True) if p is None][:5]
    assert len({p.product_id for p in parsed}) == 2564 + 240  # each a .2B/.2C and its label
    instruments = {p.instrument for p in parsed}
    assert instruments == {"PCAM", "TCAM"}
    assert {p.sequence_id for p in parsed if p.instrument == "PCAM"} >= {"0001", "0097"}
    assert sum(p.is_label for p in parsed) == len(parsed) // 2


@pytest.mark.parametrize(
    ("name", "payload", "instrument", "frame", "level", "label"),
    [
        ("CE4_GRAS_PCAMR-Q-004_SCI_N_20190728060211_20190728060211_0050_B.2BL",
         "PCAMR-Q", "PCAM", "004", "2B", True),
        ("CE4_GRAS_TCAM-I-023_SCI_N_20190106035123_20190106035123_0004_A.2C",
         "TCAM-I", "TCAM", "023", "2C", False),
        ("CE4_GRAS_LPR-2A_SCI_N_20231216075001_20231217065500_0316_A.2BL",
         "LPR-2A", "LPR", None, "2B", True),
        ("CE4_GRAS_VNIS-VD_SCI_N_20200716031001_20200716100000_0136_B.2B",
         "VNIS-VD", "VNIS", None, "2B", False),
    ],
)
def test_name_grammar(name, payload, instrument, frame, level, label):
    p = parse_product_name(name)
    assert (p.payload, p.instrument, p.frame, p.level, p.is_label) == (
        payload, instrument, frame, level, label
    )
    assert p.product_id == name.removesuffix("L") if label else name


@pytest.mark.parametrize(
    "name", ["README.md", "CE4_GRAS_PCAML_C_SCI_N_2019_0001_B.2BL", "CE4_GRAS_LPR-1_SCI_N.2B"]
)
def test_non_products_do_not_parse(name):
    assert parse_product_name(name) is None


def _pcam(folder, t="2019-01-04T04:00:00Z", seq=1, frame=1):
    return write_label_product(folder, "PCAML-C", pd.Timestamp(t), frame=frame, sequence_id=seq,
                               rover_xyz=(-1.0, 2.0, 0.1))


def test_label_paired_with_data_and_duplicates_counted_once(tmp_path):
    a = _pcam(tmp_path / "a")
    (tmp_path / "a" / a.name[:-1]).write_bytes(b"\0" * 10)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / a.name).write_bytes(a.read_bytes())
    with open_archive([tmp_path]) as archive:
        products, report = archive.products, archive.report
    assert len(products) == 1
    assert products[0].label.name == a.name and products[0].data is not None
    assert [p.reason for p in report.problems] == [f"second copy of {a.name} (using {a})"]
    assert report.problems[0].source == str(tmp_path / "b" / a.name)
    frames, report = read_frames([tmp_path / "a", tmp_path / "a" / a.name])  # same file twice
    assert len(frames) == 1 and not len(report)


def _bundle(tmp_path, labels, name="CE4_PCAM_2B_20190104041502_20191202054116_B.zip"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for lab in labels:
            zf.write(lab, f"DATA/{lab.name}")
    return path


def test_zip_bundle_read_in_place(tmp_path):
    labels = [_pcam(tmp_path / "src", f"2019-01-04T04:0{i}:00Z", frame=i) for i in range(3)]
    bundle = _bundle(tmp_path, labels)
    frames, report = read_frames([bundle])
    assert len(frames) == 3 and not len(report)
    assert frames["source"].str.contains(r"\.zip!DATA/CE4_GRAS_PCAML-C-00\dL?", regex=True).all()
    assert sorted(p.name for p in tmp_path.iterdir()) == [bundle.name, "src"]  # nothing extracted


def test_zip_and_folder_with_same_product_count_once(tmp_path):
    lab = _pcam(tmp_path / "src")
    bundle = _bundle(tmp_path, [lab])
    frames, _ = read_frames([bundle, tmp_path / "src"])
    assert len(frames) == 1


def test_bad_zip_is_reported_and_run_goes_on(tmp_path):
    _pcam(tmp_path / "good")
    (tmp_path / "good" / "CE4_PCAM_2B_broken.zip").write_bytes(b"PK\x03\x04 not a zip")
    frames, report = read_frames([tmp_path / "good"])
    assert len(frames) == 1
    assert "not a readable zip bundle" in report.to_frame()["reason"].iloc[0]


def test_missing_path_raises_clear_error(tmp_path):
    with pytest.raises(ArchiveError, match="no such file or folder"):
        open_archive([tmp_path / "nope"])


def test_bad_name_reported(tmp_path):
    (tmp_path / "CE4_GRAS_PCAML-C_bogus.2BL").write_text("<x/>")
    with open_archive([tmp_path]) as archive:
        products, report = archive.products, archive.report
    assert not products
    assert report.problems[0].reason == "file name does not follow the GRAS grammar"


def test_zip_asking_for_an_unknown_version_is_reported(tmp_path):
    _pcam(tmp_path / "good")
    bundle = _bundle(tmp_path / "good", [_pcam(tmp_path / "src", seq=2)])
    raw = bytearray(bundle.read_bytes())
    cd = raw.find(b"PK\x01\x02")
    raw[cd + 6] = 226  # "version needed to extract" 22.6 (found by bench/fuzz_long.py)
    bundle.write_bytes(bytes(raw))
    frames, report = read_frames([tmp_path / "good"])
    assert len(frames) == 1
    assert "not a readable zip bundle (zip file version" in report.problems[0].reason


def test_zip_without_any_product_is_reported(tmp_path):
    _pcam(tmp_path / "good")
    with zipfile.ZipFile(tmp_path / "good" / "CE4_PCAM_2B_x_B.zip", "w") as zf:
        zf.writestr("DATA/garbled.2BL", b"<x/>")
    frames, report = read_frames([tmp_path / "good"])
    assert len(frames) == 1
    assert report.problems[0].reason == "zip bundle with 1 members but no GRAS product"
