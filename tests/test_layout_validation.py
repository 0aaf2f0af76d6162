"""A declared layout the data cannot satisfy is a reported, skipped product; the run goes on.

Before: one LPR label with ``record_length`` 99999999999 among good products
stopped ``traverse build`` with "integer won't fit into a C int" and no output.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from traverse.cli import main
from traverse.errors import LayoutError
from traverse.read.frames import read_frames
from traverse.synthetic.sample import write_sample_archive

LPR1 = "CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2B"


def _real_lpr_with(ce4, folder, old: str, new: str):
    """A copy of the real LPR-1 product whose label has ``old`` replaced by ``new``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ce4 / "lpr" / LPR1, folder / LPR1)
    label = (ce4 / "lpr" / f"{LPR1}L").read_text(encoding="utf-8")
    assert old in label
    (folder / f"{LPR1}L").write_text(label.replace(old, new, 1), encoding="utf-8")
    return folder / f"{LPR1}L"


def test_absurd_record_length_among_good_products(ce4, tmp_path, capsys):
    archive = tmp_path / "ce4"
    truth = write_sample_archive(archive)
    bad = _real_lpr_with(ce4, archive / "bad", '<record_length unit="byte">32883</record_length>',
                         '<record_length unit="byte">99999999999</record_length>')
    stem = tmp_path / "maps" / "t"
    assert main(["build", str(archive), "-o", str(stem), "-q"]) == 0
    assert capsys.readouterr().err == ""
    frames = pd.read_csv(stem.with_name("t_days.csv"))
    assert frames["cumulative_m"].iloc[-1] == pytest.approx(sum(truth.day_distance_m.values()), rel=0.01)
    skipped = pd.read_csv(stem.with_name("t_skipped.csv"))
    row = skipped[skipped["source"] == str(bad)].iloc[0]
    assert "record_length 99999999999" in row["reason"] and row["count"] == 1
    good, _ = read_frames([archive / "PCAM", archive / "VNIS", archive / "LPR", archive / "TCAM"])
    got, _ = read_frames([archive])
    assert set(got["product_id"]) == set(good["product_id"])  # every good product kept


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ('<record_length unit="byte">32883</record_length>', '<record_length unit="byte">0</record_length>',
         "record_length 0"),
        ('<record_length unit="byte">32883</record_length>',
         '<record_length unit="byte">-5</record_length>', "record_length -5"),
        ('<record_length unit="byte">32883</record_length>',
         '<record_length unit="byte">900000</record_length>', "records 101 need 90900000 bytes"),
        ("<offset unit=\"byte\">0</offset>\n\t\t\t<records>101</records>",
         "<offset unit=\"byte\">0</offset>\n\t\t\t<records>5000</records>", "records 5000 need"),
        ("<offset unit=\"byte\">0</offset>\n\t\t\t<records>101</records>",
         "<offset unit=\"byte\">0</offset>\n\t\t\t<records>-1</records>", "records -1 is negative"),
        ("<offset unit=\"byte\">0</offset>\n\t\t\t<records>101</records>",
         "<offset unit=\"byte\">0</offset>\n\t\t\t<records>1e999</records>", "records is '1e999'"),
        ('<offset unit="byte">0</offset>', '<offset unit="byte">4000000</offset>',
         "offset 4000000 is past the end"),
        ('<field_location unit="byte">15</field_location>',
         '<field_location unit="byte">40000</field_location>', "outside the 32883-byte record"),
        ("<data_type>IEEE754MSBSingle</data_type>", "<data_type>IEEE754MSBQuad</data_type>",
         "unsupported type"),
    ],
)
def test_each_impossible_layout_names_its_field(ce4, tmp_path, old, new, says):
    _real_lpr_with(ce4, tmp_path, old, new)
    frames, report = read_frames([tmp_path])
    assert len(frames) == 0
    assert len(report.problems) == 1 and says in report.problems[0].reason, report.problems
    with pytest.raises(LayoutError, match=says.replace("(", r"\(")):
        read_frames([tmp_path], on_error="raise")
