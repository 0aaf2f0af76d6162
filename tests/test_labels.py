"""Safe, tolerant label reading: every bad-input class of the archive-reader issue."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from traverse.errors import LabelError, UnsafeXMLError
from traverse.read.frames import read_frames
from traverse.read.labels import MAX_LABEL_BYTES, parse_label
from traverse.synthetic.products import label_xml, write_label_product

T0 = pd.Timestamp("2019-01-11T08:00:00Z")
XYZ = (-3.5, 8.25, -0.125)


def _xml(**kw) -> str:
    kw.setdefault("rover_xyz", XYZ)
    return label_xml("CE4_GRAS_VNIS-VD_SCI_N_20190111080000_20190111080000_0004_B.2B",
                     instrument_id="VNIS", start=T0, sequence_id="0004", **kw)


def test_synthetic_label_reads_back():
    lab = parse_label(_xml(pointing=(0.6, 0.0, -0.8), solar=(80.5, 95.0), rotation=(12, -5))
                      .encode())
    assert lab["rover_xyz"] == XYZ
    assert lab["sequence_id"] == "0004" and lab["start_date_time"] == "2019-01-11T08:00:00.000Z"
    assert lab["pointing"] == (0.6, 0.0, -0.8)
    assert (lab["solar_incidence_deg"], lab["solar_azimuth_deg"]) == (80.5, 95.0)
    assert (lab["mast_yaw_deg"], lab["mast_pitch_deg"]) == (12, -5)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<Product_Observational><Mission_Area><product_id>&lol9;</product_id></Mission_Area>
</Product_Observational>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Product_Observational><Mission_Area><product_id>&xxe;</product_id></Mission_Area>
</Product_Observational>"""

XXE_NETWORK = """<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">
<Product_Observational><Mission_Area><product_id>x</product_id></Mission_Area>
</Product_Observational>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, XXE, XXE_NETWORK], ids=["laughs", "xxe", "dtd"])
def test_entities_and_dtds_refused(xml):
    with pytest.raises(UnsafeXMLError, match="DOCTYPE"):
        parse_label(xml.encode(), "evil.2BL")


def test_oversize_label_refused():
    big = _xml().replace("</Product_Observational>", "<!--" + "x" * MAX_LABEL_BYTES + "-->"
                         "</Product_Observational>")
    with pytest.raises(UnsafeXMLError, match="larger than"):
        parse_label(big.encode(), "big.2BL")


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
        lambda s: s.replace("\n", "\r\n").encode("utf-8"),
        lambda s: s.replace('encoding="UTF-8"', 'encoding="GB18030"').encode("gb18030"),
    ],
    ids=["utf8", "bom", "crlf", "gb18030"],
)
def test_encodings(encode):
    xml = _xml(description="数据说明 synthetic 巡视器")
    lab = parse_label(encode(xml), "x.2BL")
    assert lab["rover_xyz"] == XYZ
    assert lab["description"] == "数据说明 synthetic 巡视器"


def test_case_and_order_tolerant():
    xml = _xml(rover_lonlat=(177.5, -45.4)).replace("<longitude", "<Longitude").replace(
        "</longitude>", "</Longitude>"
    )
    # move Rover_LocationXYZ to the front of Mission_Area
    start = xml.index("<Rover_LocationXYZ>")
    end = xml.index("</Rover_LocationXYZ>") + len("</Rover_LocationXYZ>")
    block = xml[start:end]
    xml = (xml[:start] + xml[end:]).replace("<Mission_Area>", "<Mission_Area>" + block)
    lab = parse_label(xml.encode())
    assert lab["rover_xyz"] == XYZ
    assert lab["rover_lonlat"] == (177.5, -45.4)


@pytest.mark.parametrize("value", ["/", "None", "nan"])
def test_non_numeric_values_become_missing_with_warning(value):
    xml = _xml().replace(f"<z unit=\"m\">{XYZ[2]:.6f}</z>", f"<z unit=\"m\">{value}</z>")
    lab = parse_label(xml.encode())
    assert lab["rover_xyz"][:2] == XYZ[:2] and math.isnan(lab["rover_xyz"][2])
    assert any("Rover_LocationXYZ/z" in w for w in lab["warnings"])


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"<Product_Observational><Mission_Area>", "not well-formed"),
        (b"<Product_Observational/>", "no Mission_Area"),
        (b"\x00\x01garbage", "not well-formed"),
    ],
)
def test_malformed_labels(data, match):
    with pytest.raises(LabelError, match=match):
        parse_label(data, "bad.2BL")


def test_bad_labels_reported_good_ones_kept(tmp_path):
    good = write_label_product(tmp_path, "PCAML-C", T0, frame=1, rover_xyz=XYZ)
    bad = tmp_path / good.name.replace("-001_", "-002_")
    bad.write_text(XXE)
    laughs = tmp_path / good.name.replace("-001_", "-003_")
    laughs.write_text(BILLION_LAUGHS)
    frames, report = read_frames([tmp_path])
    assert frames["product_id"].tolist() == [good.name[:-1]]
    reasons = report.to_frame().set_index("source")["reason"]
    assert "DOCTYPE" in reasons[str(bad)] and "DOCTYPE" in reasons[str(laughs)]


def test_missing_position_kept_without_geometry(tmp_path):
    write_label_product(tmp_path, "PCAML-C", T0, frame=1, rover_xyz=None)
    frames, report = read_frames([tmp_path])
    assert len(frames) == 1 and frames.geometry.isna().all()
    assert "no usable Rover_LocationXYZ" in report.problems[0].reason


def test_lander_cameras_never_give_a_rover_position(tmp_path):
    write_label_product(tmp_path, "TCAM-I", T0, frame=5, level="2C", rover_xyz=(50.0, 50.0, 0.0))
    frames, _ = read_frames([tmp_path])
    row = frames.iloc[0]
    assert row["role"] == "lander"
    assert (row["x_east_m"], row["y_north_m"], row["z_up_m"]) == (0.0, 0.0, 0.0)
