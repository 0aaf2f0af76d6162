"""A product named by one of its files finds the other beside it; the error policy raises its own class."""

from __future__ import annotations

import pandas as pd
import pytest

from traverse.cli import main
from traverse.errors import ArchiveError, LabelError, RecordError, Report, SkippedProductWarning
from traverse.read.frames import read_frames
from traverse.synthetic.products import write_label_product

LPR1 = "CE4_GRAS_LPR-1_SCI_N_20231216075001_20231217065500_0316_A.2B"


def test_real_lpr_label_named_alone_finds_its_data_file(ce4, tmp_path, capsys):
    label = ce4 / "lpr" / f"{LPR1}L"
    frames, report = read_frames([label])
    assert len(frames) == 101 and not [p for p in report.problems if p.count]
    out = tmp_path / "f.csv"
    assert main(["index", str(label), "-o", str(out), "-q"]) == 0
    assert "not found" not in capsys.readouterr().err
    assert not (tmp_path / "f_skipped.csv").exists()


def test_data_file_named_alone_finds_its_label(ce4):
    frames, report = read_frames([ce4 / "lpr" / LPR1])
    assert len(frames) == 101


def test_raise_policy_raises_the_specific_class(tmp_path):
    good = write_label_product(tmp_path, "PCAML-C", pd.Timestamp("2019-01-04T04:00:00Z"),
                               rover_xyz=(1.0, 2.0, 0.0))
    bad = good.with_name(good.name.replace("_0001_", "_0002_"))
    bad.write_bytes(b"<Product_Observational><broken")
    with pytest.raises(LabelError, match="not well-formed XML") as info:
        read_frames([tmp_path], on_error="raise")
    assert info.value.source == str(bad) and "not well-formed" in info.value.reason
    frames, report = read_frames([tmp_path])  # skip: the good one read, the bad one reported
    assert len(frames) == 1 and report.problems[0].source == str(bad)
    assert report.problems[0].reason.startswith("not well-formed XML")


def test_report_policy():
    with pytest.raises(RecordError, match="^f.2B: partial record$"):
        Report(on_error="raise").add("f.2B", "partial record", error=RecordError)
    r = Report()
    r.add("f.2B", "partial record", error=RecordError)
    assert [(p.source, p.reason, p.count) for p in r.problems] == [("f.2B", "partial record", 1)]
    with pytest.raises(ValueError, match="on_error"):
        Report(on_error="ignore")
    assert issubclass(ArchiveError, OSError)


def test_warnings_are_kept_data_and_never_raised():
    r = Report(on_error="raise")
    r.note("f.2B", "truncated: the 3 are used", count=1)  # a warning: recorded, not raised
    with pytest.raises(RecordError):
        r.add("g.2B", "bad record", error=RecordError)
    assert [(p.severity, p.count) for p in r.problems] == [("warning", 1)]
    assert r.warnings == r.problems
    skip = Report()
    skip.add("g.2B", "bad record")
    skip.record(r.problems[0])  # as met in a worker process: severity kept
    assert skip.to_frame().to_dict("records") == [
        {"source": "g.2B", "reason": "bad record", "count": 1, "severity": "error"},
        {"source": "f.2B", "reason": "truncated: the 3 are used", "count": 1, "severity": "warning"}]


def test_skipped_products_are_reported_not_warned(tmp_path, recwarn):
    write_label_product(tmp_path, "PCAML-C", pd.Timestamp("2019-01-04T04:00:00Z"),
                        rover_xyz=(1.0, 2.0, 0.0))
    (tmp_path / "CE4_GRAS_PCAML-C_bogus.2BL").write_text("<x/>")
    frames, report = read_frames([tmp_path])
    assert len(frames) == 1
    assert [p.reason for p in report.problems] == ["file name does not follow the GRAS grammar"]
    assert not [w for w in recwarn if issubclass(w.category, SkippedProductWarning)]


def test_verbose_lists_each_skipped_product_as_met(tmp_path, capsys):
    write_label_product(tmp_path, "PCAML-C", pd.Timestamp("2019-01-04T04:00:00Z"),
                        rover_xyz=(1.0, 2.0, 0.0))
    (tmp_path / "CE4_GRAS_PCAML-C_bogus.2BL").write_text("<x/>")
    assert main(["index", str(tmp_path), "-o", str(tmp_path / "a.csv"), "-v"]) == 0
    assert "INFO: " in capsys.readouterr().err
    assert main(["index", str(tmp_path), "-o", str(tmp_path / "b.csv"), "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
