"""Image arrays decoded from the label's own description: real TCAM layout, every storage order."""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from traverse.errors import LayoutError, RecordError
from traverse.read.archive import Source, open_archive
from traverse.read.images import display_array, image_layout, read_image

PRINTED = Path(__file__).parents[1] / ".." / "shared" / "data" / "ce4" / "printed"
TCAM_PRINTED = PRINTED / "TCAM-I-143_0009_label_as_printed_by_pds4_tools.txt"
NS = "http://pds.nasa.gov/pds4/pds/v1"


def _literal(node):
    """The value of a printed ``OrderedDict([...])`` / list / str node, OrderedDicts as item lists."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "OrderedDict":
        return [tuple(_literal(e) for e in pair.elts) for pair in node.args[0].elts]
    if isinstance(node, ast.List):
        return [_literal(e) for e in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_literal(e) for e in node.elts)
    return ast.literal_eval(node)


def _xml(name: str, value) -> str:
    if isinstance(value, list) and value and isinstance(value[0], tuple):  # an element's children
        return f"<{name}>{''.join(_xml(k, v) for k, v in value)}</{name}>"
    if isinstance(value, list):  # repeated element (Axis_Array)
        return "".join(_xml(name, v) for v in value)
    from xml.sax.saxutils import escape

    return f"<{name}>{escape(str(value))}</{name}>"


def printed_label_xml(path: Path) -> bytes:
    """The XML of a real label from its pds4_tools printout (element order and values as printed)."""
    text = "\n".join(line for line in path.read_text().splitlines() if not line.startswith("#"))
    tree = _literal(ast.parse(text.strip(), mode="eval").body)
    body = "".join(_xml(k, v) for k, v in tree)
    return f'<?xml version="1.0" encoding="UTF-8"?><Product_Observational xmlns="{NS}">{body}' \
           "</Product_Observational>".encode()


def test_real_tcam_label_describes_pixel_interleaved_rgb_of_its_file_size():
    if not TCAM_PRINTED.exists():
        pytest.skip(f"{TCAM_PRINTED} is missing (../shared/data)")
    label = printed_label_xml(TCAM_PRINTED)
    layout = image_layout(label, str(TCAM_PRINTED))
    assert layout.kind == "Array_3D_Image"
    assert (layout.lines, layout.samples, layout.bands) == (1728, 2352, 3)
    assert layout.axes == ("line", "sample", "band") and layout.dtype == np.uint8
    assert layout.offset == 0 and layout.nbytes == 12_192_768  # the label's own file_size
    assert layout.file_name == "CE4_GRAS_TCAM-I-143_SCI_N_20190111195709_20190111195709_0009_A.2C"


_TYPES = {"UnsignedByte": "u1", "SignedMSB2": ">i2", "UnsignedLSB2": "<u2", "UnsignedMSB2": ">u2",
          "IEEE754MSBSingle": ">f4", "IEEE754LSBSingle": "<f4", "SignedLSB4": "<i4"}
_NAMES = {"line": "Line", "sample": "Sample", "band": "Band"}


def array_label(kind: str, data_type: str, axes: list[tuple[str, int]], offset: int = 0,
                order: str = "Last Index Fastest", file_name: str = "X.2B") -> bytes:
    """A GRAS-shaped label holding only a File and one image array (axes slowest first)."""
    axis_xml = "".join(
        f"<Axis_Array><axis_name>{name}</axis_name><elements>{n}</elements>"
        f"<sequence_number>{k}</sequence_number></Axis_Array>" for k, (name, n) in enumerate(axes, 1)
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><Product_Observational xmlns="{NS}">'
            f"<File_Area_Observational><File><file_name>{file_name}</file_name></File>"
            f'<{kind}><offset unit="byte">{offset}</offset><axes>{len(axes)}</axes>'
            f"<axis_index_order>{order}</axis_index_order>"
            f"<Element_Array><data_type>{data_type}</data_type></Element_Array>{axis_xml}</{kind}>"
            "</File_Area_Observational></Product_Observational>").encode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data_type=st.sampled_from(sorted(_TYPES)),
    order=st.permutations(["line", "sample", "band"]),
    lines=st.integers(1, 9), samples=st.integers(1, 9), bands=st.sampled_from([1, 3, 4]),
    offset=st.integers(0, 300), zipped=st.booleans(), two_d=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_any_storage_order_and_type_reads_back_as_lines_samples_bands(
        tmp_path, data_type, order, lines, samples, bands, offset, zipped, two_d, seed):
    rng = np.random.default_rng(seed)
    truth = (rng.random((lines, samples, bands)) * 200).astype(_TYPES[data_type])
    if two_d:
        order = [a for a in order if a != "band"]
        truth = truth[:, :, :1]
    size = {"line": lines, "sample": samples, "band": truth.shape[2]}
    roles = ("line", "sample", "band")[: 2 if two_d else 3]
    stored = (truth[:, :, 0] if two_d else truth).transpose([roles.index(a) for a in order])
    kind = "Array_2D_Image" if two_d else "Array_3D_Image"
    label = array_label(kind, data_type, [(_NAMES[a], size[a]) for a in order], offset)
    blob = b"\x7f" * offset + stored.tobytes() + b"trailing bytes are not read"
    if zipped:
        path = tmp_path / f"b{seed}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("DATA/X.2B", blob)
        bundle = zipfile.ZipFile(path)
        src = Source(path, "DATA/X.2B", bundle)
    else:
        path = tmp_path / f"x{seed}.2B"
        path.write_bytes(blob)
        src, bundle = Source(path), None
    layout = image_layout(label)
    image = read_image(src, layout)
    if bundle is not None:
        bundle.close()
    assert image.shape == truth.shape and image.dtype == truth.dtype
    np.testing.assert_array_equal(image, truth)


def test_a_short_data_file_names_both_sizes(tmp_path):
    label = array_label("Array_3D_Image", "UnsignedByte", [("Line", 4), ("Sample", 5), ("Band", 3)], 10)
    path = tmp_path / "X.2B"
    path.write_bytes(bytes(50))
    with pytest.raises(RecordError, match=r"holds 50 bytes.*needs 70 \(offset 10 \+ 4 x 5 x 3 x 1 B\)") as e:
        read_image(Source(path), image_layout(label))
    assert e.value.source == str(path)


@pytest.mark.parametrize("label, message", [
    (array_label("Array_3D_Image", "UnsignedByte", [("Line", 4), ("Sample", 5), ("Band", 3)],
                 order="First Index Fastest"), "Last Index Fastest"),
    (array_label("Array_3D_Image", "ComplexMSB8", [("Line", 4), ("Sample", 5), ("Band", 3)]),
     "ComplexMSB8"),
    (array_label("Array_3D_Image", "UnsignedByte", [("Line", 4), ("Line", 5), ("Band", 3)]),
     "cannot tell lines, samples and bands apart"),
    (array_label("Array_3D_Image", "UnsignedByte", [("Line", 0), ("Sample", 5), ("Band", 3)]),
     "0 elements"),
    (array_label("Array_3D_Image", "UnsignedByte", [("Line", 40000), ("Sample", 40000), ("Band", 3)]),
     "larger than"),
])
def test_unusable_array_descriptions_are_layout_errors(label, message):
    with pytest.raises(LayoutError, match=message):
        image_layout(label, "x.2BL")


def test_a_label_without_an_image_array_has_no_layout():
    table = (f'<Product_Observational xmlns="{NS}"><File_Area_Observational><File><file_name>X'
             "</file_name></File><Table_Binary><offset>0</offset></Table_Binary>"
             "</File_Area_Observational></Product_Observational>").encode()
    assert image_layout(table) is None


def test_display_stretches_wide_types_and_keeps_bytes():
    raw = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    np.testing.assert_array_equal(display_array(raw), raw)  # RGB bytes as they are
    wide = np.linspace(1000, 3000, 400, dtype=np.float32).reshape(20, 20, 1)
    wide[0, 0, 0] = np.nan
    grey = display_array(wide.astype(">f4"))
    assert grey.shape == (20, 20) and grey.dtype == np.uint8
    assert grey.min() == 0 and grey.max() == 255  # the stretch uses the full range
    assert (np.diff(grey[1:].ravel().astype(int)) >= 0).all()  # and keeps the order


# --- thumbnails from an archive -------------------------------------------------------------


def _image_product(folder: Path, pid: str, rng, lines=60, samples=80, data=True, short=False):
    """A label with a real-layout RGB array and (optionally) its data file."""
    folder.mkdir(parents=True, exist_ok=True)
    label = array_label("Array_3D_Image", "UnsignedByte", [("Line", lines), ("Sample", samples), ("Band", 3)],
                        file_name=pid)
    (folder / f"{pid}L").write_bytes(label)
    if data:
        yy, xx = np.mgrid[0:lines, 0:samples]
        img = np.stack([xx * 3 % 256, yy * 4 % 256, rng.integers(0, 255, (lines, samples))], -1)
        blob = img.astype(np.uint8).tobytes()
        (folder / pid).write_bytes(blob[: len(blob) // 2] if short else blob)


def test_thumbnails_from_a_zip_bundle_with_a_missing_and_a_short_data_file(tmp_path):
    from PIL import Image

    from traverse.images import ImageRun, with_images, write_images

    rng = np.random.default_rng(3)
    names = [f"CE4_GRAS_PCAML-C-00{k}_SCI_N_20190103160{k}00_20190103160{k}00_0001_B.2B" for k in range(5)]
    src = tmp_path / "src"
    for k, pid in enumerate(names):
        _image_product(src, pid, rng, data=k != 3, short=k == 4)
    bundle = tmp_path / "PCAM.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(src.iterdir()):
            zf.write(f, f"DATA/{f.name}")
    frames = pd.DataFrame({"product_id": names, "record": pd.array([pd.NA] * 5, "Int64"),
                           "x_east_m": np.arange(5.0)})
    from traverse.errors import Report

    report = Report()
    out = tmp_path / "maps" / "m_files"
    with open_archive([bundle]) as archive:
        products = archive.products
    images = write_images(products, frames, out, mode="full", report=report, run=ImageRun(workers=2))
    assert list(images["product_id"]) == names[:3]
    for row in images.itertuples():
        thumb = Image.open(tmp_path / "maps" / row.thumbnail)
        assert max(thumb.size) <= 256 and thumb.size == (80, 60)  # never enlarged
        assert np.asarray(thumb).std() > 20  # not blank
        assert Image.open(tmp_path / "maps" / row.image_full).size == (80, 60)
        assert row.thumbnail == f"m_files/thumbs/{row.product_id}.jpg"
    reasons = {p.source.rsplit("/", 1)[-1]: p.reason for p in report.problems}
    assert "image data file not found" in reasons[names[3] + "L"]
    assert "holds 7200 bytes" in reasons[names[4]] and "keeps its position" in reasons[names[4]]
    framed = with_images(frames, images)
    assert len(framed) == 5 and framed["x_east_m"].tolist() == list(range(5))  # every frame kept
    assert framed["thumbnail"].notna().tolist() == [True, True, True, False, False]


def test_labels_only_archive_gets_one_note_and_no_images(tmp_path):
    from traverse.errors import Report
    from traverse.images import write_images

    rng = np.random.default_rng(0)
    names = [f"CE4_GRAS_PCAML-C-00{k}_SCI_N_20190103160{k}00_20190103160{k}00_0001_B.2B" for k in range(3)]
    for pid in names:
        _image_product(tmp_path / "src", pid, rng, data=False)
    frames = pd.DataFrame({"product_id": names, "record": pd.array([pd.NA] * 3, "Int64")})
    report = Report()
    with open_archive([tmp_path / "src"]) as archive:
        images = write_images(archive.products, frames, tmp_path / "m_files", report=report)
    assert images.empty
    assert [(p.source, p.count) for p in report.problems] == [("3 PCAM labels", 0)]
    assert "labels only" in report.problems[0].reason


def test_panorama_strip_orders_by_azimuth_and_escapes():
    from layers.popups import panorama_strip, pictures_by_product

    t = pd.Timestamp("2019-01-04T00:00Z")
    frames = pd.DataFrame({
        "product_id": ["A", "B", "C", "D<script>", "E"],
        "thumbnail": ["f/thumbs/a.jpg", "f/thumbs/b.jpg", "f/thumbs/c.jpg", "f/thumbs/<d>.jpg", None],
        "image_full": ["f/full/a.jpg", None, "f/full/c.jpg", None, None],
        "view_azimuth_deg": [350.0, -10.0 + 20.0, np.nan, 200.0, 90.0],
        "time_utc": [t] * 5,
    })
    pics = pictures_by_product(frames)
    assert set(pics) == {"A", "B", "C", "D<script>"}  # E has no image
    html = panorama_strip(["D<script>", "C", "A", "B", "E", "not-an-image"], pics)
    srcs = [part.split("'")[0] for part in html.split("<img src='")[1:]]
    # 10°, 200°, 350°: the widest empty sector is 10°..200°, so the strip runs 200°, 350°, 10°
    assert srcs == ["f/thumbs/&lt;d&gt;.jpg", "f/thumbs/a.jpg", "f/thumbs/b.jpg", "f/thumbs/c.jpg"]
    assert "data-full='f/full/a.jpg'" in html and "data-full='f/thumbs/b.jpg'" in html  # fallback
    assert "<script>" not in html and "4 images" in html
    assert "<figcaption>10°</figcaption>" in html and "<figcaption>—</figcaption>" in html
    assert panorama_strip(["X"], pics) == "" and panorama_strip(["A"], {}) == ""


def test_a_bundle_gone_before_its_images_are_made_is_reported(tmp_path):
    from traverse.errors import Report
    from traverse.images import ImageRun, write_images

    rng = np.random.default_rng(5)
    pid = "CE4_GRAS_PCAML-C-000_SCI_N_20190103160000_20190103160000_0001_B.2B"
    _image_product(tmp_path / "src", pid, rng)
    bundle = tmp_path / "PCAM.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        for f in sorted((tmp_path / "src").iterdir()):
            zf.write(f, f.name)
    frames = pd.DataFrame({"product_id": [pid], "record": pd.array([pd.NA], "Int64")})
    with open_archive([bundle]) as archive:
        products = archive.products
    bundle.unlink()
    report = Report()
    images = write_images(products, frames, tmp_path / "m_files", report=report, run=ImageRun(workers=1))
    assert images.empty
    assert [p.source for p in report.problems] == [f"{bundle}!{pid}L"]
    assert "not decoded" in report.problems[0].reason


@pytest.mark.parametrize("edit, data_extra, note", [
    (("<axes>3</axes>", "<axes>2</axes>"), 0, "declares axes '2' but describes 3 Axis_Array"),
    (("<sequence_number>2</sequence_number>", "<sequence_number>1</sequence_number>"), 0,
     "sequence_number values [1, 1, 3] are not 1 to 3"),
    (("<sequence_number>3</sequence_number>", "<sequence_number>7</sequence_number>"), 0,
     "sequence_number values [1, 2, 7]"),
    (None, 5000, "5000 more than the label's Array_3D_Image"),
])
def test_odd_but_readable_descriptions_and_padded_data_get_a_note(tmp_path, edit, data_extra, note):
    from tests.fuzz_targets import write_good_images
    from traverse.errors import Report
    from traverse.images import ImageRun, write_images
    from traverse.read.frames import frames_from_archive

    ids = write_good_images(tmp_path / "a", 2)
    pid = sorted(ids)[0]
    label, data = tmp_path / "a" / f"{pid}L", tmp_path / "a" / pid
    if edit:
        label.write_text(label.read_text().replace(*edit, 1))
    data.write_bytes(data.read_bytes() + bytes(data_extra))
    with open_archive([tmp_path / "a"], report=Report()) as archive:
        frames = frames_from_archive(archive)
        products, report = archive.products, archive.report
    images = write_images(products, frames, tmp_path / "m_files", report=report, run=ImageRun(workers=1))
    assert set(images["product_id"]) == ids  # read all the same: the note is a caveat
    notes = [p for p in report.problems if note in p.reason]
    assert len(notes) == 1 and notes[0].count == 0 and pid in notes[0].source
