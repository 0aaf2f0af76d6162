"""Where the map's products come from: labels relative to the page, zip bundles, fetch-manifest URLs."""

from __future__ import annotations

import pandas as pd

from layers.productlinks import product_links
from traverse.fetch.manifests import MANIFEST_NAME, source_urls

A = "CE4_GRAS_PCAML-C_SCI_N_20190103160000_20190103160000_0001_B.2B"
B = "CE4_GRAS_VNIS-VD_SCI_N_20190103161000_20190103161000_0001_B.2B"
C = "CE4_GRAS_LPR-1_SCI_N_20190103170000_20190103180000_0002_A.2B"


def _archive(tmp_path):
    """ce4/PCAM/A.2BL, ce4/my vnis/B.2BL (a space), ce4/LPR/C.2B + C.2BL; maps/ beside ce4/."""
    for sub, name in (("PCAM", A + "L"), ("my vnis", B + "L"), ("LPR", C), ("LPR", C + "L")):
        (tmp_path / "ce4" / sub).mkdir(parents=True, exist_ok=True)
        (tmp_path / "ce4" / sub / name).write_text("x")
    (tmp_path / "maps").mkdir()
    return tmp_path / "ce4"


def test_labels_are_linked_relative_to_the_page_folder_once_per_folder(tmp_path):
    ce4 = _archive(tmp_path)
    frames = pd.DataFrame({"product_id": [A, B, C, C, "gone"],
                           "source": [str(ce4 / "PCAM" / (A + "L")), str(ce4 / "my vnis" / (B + "L")),
                                      str(ce4 / "LPR" / C), str(ce4 / "LPR" / C), None]})
    got = product_links(frames, [A, B, C, "gone"], page_folder=tmp_path / "maps")
    assert got["places"] == ["../ce4/PCAM/", "../ce4/my%20vnis/", "../ce4/LPR/"]
    assert got["place"] == [0, 1, 2, None] and got["names"] == {}  # C: a record's data file -> its label
    assert got["source"] == [None] * 4 and got["sources"] == []
    beside = product_links(frames, [A], page_folder=ce4 / "PCAM")
    assert beside["places"] == [""]
    assert product_links(frames, [A], page_folder=None)["place"] == [None]


def test_a_zip_member_is_named_by_its_bundle_and_odd_label_names_are_kept(tmp_path):
    frames = pd.DataFrame({"product_id": [A, B],
                           "source": [f"{tmp_path}/dl/CE4_ALL.zip!PCAM/{A}L", f"{tmp_path}/x/{B}.xml"]})
    got = product_links(frames, [A, B], page_folder=tmp_path)
    assert got["places"] == ["!CE4_ALL.zip", "x/"] and got["place"] == [0, 1]
    assert got["names"] == {"1": B + ".xml"}


def test_source_urls_come_from_the_fetch_manifest_above_the_labels(tmp_path):
    ce4 = _archive(tmp_path)
    pd.DataFrame({
        "url": ["https://portal/ce4/PCAM/" + A + "L", "https://portal/ce4/my vnis/" + B + "L",
                "https://portal/ce4/LPR/" + C + "L"],
        "path": [f"PCAM/{A}L", f"my vnis/{B}L", f"LPR/{C}L"],
        "bytes": 1, "status": ["fetched", "failed", "skipped"], "reason": "", "time_utc": "",
    }).to_csv(ce4 / MANIFEST_NAME, index=False)
    labels = [ce4 / "PCAM" / (A + "L"), ce4 / "my vnis" / (B + "L"), ce4 / "LPR" / (C + "L"), "b.zip!x"]
    urls = source_urls(labels)
    assert urls == {str((ce4 / "PCAM" / (A + "L")).resolve()): "https://portal/ce4/PCAM/" + A + "L",
                    str((ce4 / "LPR" / (C + "L")).resolve()): "https://portal/ce4/LPR/" + C + "L"}
    sources = [str(p) for p in labels[:2]] + [str(ce4 / "LPR" / C)]
    frames = pd.DataFrame({"product_id": [A, B, C], "source": sources})
    got = product_links(frames, [A, B, C], page_folder=tmp_path / "maps", source_urls=urls)
    assert got["sources"] == ["https://portal/ce4/PCAM/", "https://portal/ce4/LPR/"]
    assert got["source"] == [[0, A + "L"], None, [1, C + "L"]]
    assert source_urls([tmp_path / "elsewhere" / "x.2BL"]) == {}  # no manifest above: nothing
