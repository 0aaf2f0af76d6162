"""Label times: parsed to bounded UTC; a time outside the mission's range costs its product, never the run."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from traverse import missions
from traverse.cli import main
from traverse.errors import LabelError
from traverse.read.times import parse_utc, plausible_time
from traverse.synthetic.products import write_label_product


@pytest.mark.parametrize("text, expected", [
    ("2019-01-03T02:26:00.000Z", dt.datetime(2019, 1, 3, 2, 26, tzinfo=dt.UTC)),
    ("2019-01-03T02:26:00.123456789Z", dt.datetime(2019, 1, 3, 2, 26, 0, 123456, tzinfo=dt.UTC)),
    ("2019-003T02:26:00Z", dt.datetime(2019, 1, 3, 2, 26, tzinfo=dt.UTC)),
    ("2019-01-03T10:26:00+08:00", dt.datetime(2019, 1, 3, 2, 26, tzinfo=dt.UTC)),
    ("20190103022600", dt.datetime(2019, 1, 3, 2, 26, tzinfo=dt.UTC)),
    ("0001-01-01T00:00:00Z", dt.datetime(1, 1, 1, tzinfo=dt.UTC)),
])
def test_parse_utc_forms(text, expected):
    assert parse_utc(text) == expected


@pytest.mark.parametrize("text", ["-1", "", "2019-02-30T00:00:00Z", "2019-366T00:00:00Z", "2019-01-03T25:00Z",
                                  "99999-01-01T00:00:00Z", "2019-01-03T00:00:00+99:00", "nan"])
def test_parse_utc_refuses(text):
    with pytest.raises(ValueError):
        parse_utc(text)


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00Z", "1677-09-21T00:12:43Z", "2263-01-01T00:00:00Z",
                                  "2018-11-30T23:59:59Z", "9999-12-31T23:59:59Z", "-1"])
def test_implausible_times_are_label_errors(text):
    with pytest.raises(LabelError, match=re.escape(repr(text))) as err:
        plausible_time(text, "start_date_time", missions.mission("ce4"), source="x.2BL")
    assert err.value.source == "x.2BL"


def test_mission_ranges_are_data():
    for m in missions.missions().values():
        assert m.earliest_utc < m.landing_utc < m.latest_utc


@pytest.mark.parametrize("command", ["index", "build"])
def test_one_bad_time_costs_its_product_only(tmp_path, capsys, command):
    root = tmp_path / "archive"
    start = pd.Timestamp("2019-01-04T04:00:00Z")
    good = [write_label_product(root, "PCAML-C", start + pd.Timedelta(minutes=i),
                                frame=i, sequence_id=1 + i, rover_xyz=(1.0 + i, 2.0, 0.0)) for i in range(3)]
    bad_times = ["0001-01-01T00:00:00Z", "1677-01-01T00:00:00Z", "2263-01-01T00:00:00Z", "-1"]
    text = good[0].read_text()
    start = re.search(r"<start_date_time>([^<]*)", text).group(1)
    for k, value in enumerate(bad_times):
        name = good[0].name.replace("_0001_", f"_{9000 + k:04d}_")
        (root / name).write_text(text.replace(good[0].name[:-1], name[:-1]).replace(start, value))
    out = tmp_path / "frames.csv" if command == "index" else tmp_path / "maps" / "t"
    assert main([command, str(root), "-o", str(out), "-q"]) == 0
    assert capsys.readouterr().err == ""
    skipped = (tmp_path / "frames_skipped.csv" if command == "index" else tmp_path / "maps" / "t_skipped.csv")
    report = pd.read_csv(skipped)
    times = report[report["reason"].str.contains("plausible times|not a UTC date-time")]
    assert sorted(times["source"].str.extract(r"_(\d{4})_B")[0]) == ["9000", "9001", "9002", "9003"]
    if command == "index":
        assert set(pd.read_csv(out)["product_id"]) == {g.name[:-1] for g in good}


def test_control_names_are_usage_errors_but_deep_value_errors_are_not(tmp_path, capsys, monkeypatch):
    root = tmp_path / "archive"
    write_label_product(root, "PCAML-C", pd.Timestamp("2019-01-04T04:00:00Z"), rover_xyz=(1.0, 2.0, 0.0))
    assert main(["index", str(root), "-o", str(tmp_path / "a.csv"), "--control", "mars"]) == 2
    assert "--control: unknown control network" in capsys.readouterr().err

    import traverse.read.frames as frames

    def broken(*args, **kwargs):  # fault injection: a library refusing a value deep in the read
        raise ValueError("cannot convert float NaN to integer")

    monkeypatch.setattr(frames, "frames_from_archive", broken)
    assert main(["index", str(root), "-o", str(tmp_path / "b.csv")]) == 1
    err = capsys.readouterr().err
    assert "cannot convert float NaN to integer" in err and "--control" not in err and err.count("\n") == 1
    assert not (tmp_path / "b.csv").exists()
