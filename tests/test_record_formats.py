"""Record formats and missions as data: the TOML files are checked when they load."""

from __future__ import annotations

from importlib.resources import files

import pytest

from traverse.missions import mission, mission_from_toml, missions
from traverse.record_formats import format_from_toml, record_format, record_formats


def _text(*parts: str) -> str:
    return (files("traverse").joinpath("data", *parts)).read_text(encoding="utf-8")


def test_every_mission_names_known_record_formats():
    for m in missions().values():
        for instrument, key in m.pose_readers.items():
            assert record_format(key).instrument == instrument
    assert set(record_formats()) == {"lpr", "roper"}


def test_an_unknown_pose_reader_fails_when_the_toml_loads():
    text = _text("missions", "ce4.toml").replace('pose_readers = { LPR = "lpr" }',
                                                 'pose_readers = { LPR = "lrp" }')
    with pytest.raises(ValueError, match=r"pose_readers \{'LPR': 'lrp'\} name no record format"):
        mission_from_toml("ce4", text)


@pytest.mark.parametrize(("old", "new", "message"), [
    ('transform = "degrees_from_radians" }', 'transform = "degrees" }', "unknown transform 'degrees'"),
    ('east = ["+REFERENCE_POINT_XPOSITION", "+YPOSITION"]', 'east = ["REFERENCE_POINT_XPOSITION"]',
     "must be '\\+FIELD' or '-FIELD'"),
    ('up = ["+REFERENCE_POINT_ZPOSITION", "-ZPOSITION"]\n', '', "needs 'up'"),
])
def test_a_bad_record_format_fails_when_it_loads(old, new, message):
    text = _text("records", "lpr.toml")
    assert old in text
    with pytest.raises(ValueError, match=message):
        format_from_toml("lpr.toml", text.replace(old, new, 1))


def test_record_epochs_are_mission_data():
    # LPR: 2010-01-01 00:00 Beijing time; RoPeR: 2016-01-01 00:00 Beijing time
    assert str(mission("ce4").record_time_epoch_utc) == "2009-12-31 16:00:00+00:00"
    assert str(mission("tw1").record_time_epoch_utc) == "2015-12-31 16:00:00+00:00"
