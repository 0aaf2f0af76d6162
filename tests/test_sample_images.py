"""The SYNTHETIC sample's camera products hold image data laid out as their labels say.

Every PCAM, TCAM and VNIS label of ``write_sample_archive`` has, beside it, a
data file named by its product id whose bytes are the label's
``Array_3D_Image`` (Line x Sample x Band, UnsignedByte, last index fastest).
The PCAM and TCAM images are 1/8 of the real 2352 x 1728 frames, and the labels
say so: their pixel size is 8 times the real one, so the field of view derived
from a label is the real camera's.  The labels are read here with lxml alone,
as any PDS4 reader would.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from lxml import etree

from traverse.synthetic.images import horizontal_fov_deg, render_view, write_image_data
from traverse.synthetic.sample import write_sample_archive

#: Real optics: (focal length mm, pixel µm, samples per line) of PCAM, TCAM (level-2C labels) and VNIS-VD.
REAL = {"PCAM": (50.0, 7.4, 2352), "TCAM": (43.47204, 7.4, 2352), "VNIS": (43.0, 25.0, 256)}
#: The sample's images: (lines, samples, bands) and how many times the real pixels they are.
STORED = {"PCAM": ((216, 294, 3), 8), "TCAM": ((216, 294, 3), 8), "VNIS": ((256, 256, 1), 1)}
SMALL_PCAM = (50.0, 59.2, 294, 216, 3)
STAMP_ROWS = 18  # the "SYNTHETIC ..." stamp sits in the top-left corner, above this row


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """(folder, truth) of a 2-lunar-day sample (8 stops: 48 PCAM frames, 3 TCAM, 3 VNIS)."""
    folder = tmp_path_factory.mktemp("images") / "ce4"
    return folder, write_sample_archive(folder, days=2)


def _text(root, path: str) -> str:
    """Text of the first element at ``path`` (slash-separated local names, any namespace)."""
    found = root.find(".//" + "/".join(f"{{*}}{name}" for name in path.split("/")))
    assert found is not None, path
    return found.text


def _label(path) -> dict:
    """What a camera label says about its data: file, size, axes, optics and mast angles."""
    root = etree.parse(str(path)).getroot()
    axes = {_text(a, "axis_name"): int(_text(a, "elements"))
            for a in root.iterfind(".//{*}Array_3D_Image/{*}Axis_Array")}
    order = [_text(a, "axis_name") for a in sorted(
        root.iterfind(".//{*}Array_3D_Image/{*}Axis_Array"), key=lambda a: int(_text(a, "sequence_number")))]
    out = {
        "file_name": _text(root, "File/file_name"),
        "file_size": int(_text(root, "File/file_size")),
        "axes": axes, "order": order,
        "index_order": _text(root, "Array_3D_Image/axis_index_order"),
        "data_type": _text(root, "Array_3D_Image/Element_Array/data_type"),
        "offset": int(_text(root, "Array_3D_Image/offset")),
        "focal_mm": float(_text(root, "Instrument_Parm/focal_length")),
        "pixel_um": float(_text(root, "Instrument_Parm/pixel_size")),
    }
    if root.find(".//{*}Rotation_Angle") is not None:
        out["yaw"] = float(_text(root, "Rotation_Angle/yaw"))
        out["pitch"] = float(_text(root, "Rotation_Angle/pitch"))
    return out


def _camera_labels(folder):
    return [p for name in STORED for p in sorted((folder / name).glob("*L"))]


def _image(label_path) -> np.ndarray:
    """The image beside a label, decoded from the label's own Array_3D_Image description."""
    lab = _label(label_path)
    assert lab["order"] == ["Line", "Sample", "Band"] and lab["index_order"] == "Last Index Fastest"
    raw = np.fromfile(label_path.with_name(lab["file_name"]), np.uint8)[lab["offset"]:]
    return raw.reshape(lab["axes"]["Line"], lab["axes"]["Sample"], lab["axes"]["Band"])


def test_every_camera_label_has_its_data_file_of_the_declared_size(sample):
    folder, truth = sample
    labels = _camera_labels(folder)
    assert len(list((folder / "PCAM").glob("*L"))) == 6 * len(truth.stations)
    assert len(list((folder / "TCAM").glob("*L"))) == 3
    assert len(list((folder / "VNIS").glob("*L"))) == 3  # every third stop
    for path in labels:
        lab = _label(path)
        data = path.with_name(path.name[:-1])
        assert lab["file_name"] == data.name  # the product id, the label's name less its "L"
        assert data.is_file(), data.name
        size = lab["axes"]["Line"] * lab["axes"]["Sample"] * lab["axes"]["Band"]
        shape = (lab["axes"]["Line"], lab["axes"]["Sample"], lab["axes"]["Band"])
        assert shape == STORED[path.parent.name][0]
        assert lab["data_type"] == "UnsignedByte" and lab["offset"] == 0
        assert data.stat().st_size == size == lab["file_size"], path.name


@pytest.mark.parametrize("instrument", ["PCAM", "TCAM", "VNIS"])
def test_field_of_view_from_the_label_is_the_real_cameras(sample, instrument):
    folder, _ = sample
    f, pixel, samples = REAL[instrument]
    real = math.degrees(2 * math.atan(pixel * 1e-3 * samples / 2 / f))
    for path in sorted((folder / instrument).glob("*L")):
        lab = _label(path)
        width_mm = lab["pixel_um"] * 1e-3 * lab["axes"]["Sample"]
        got = math.degrees(2 * math.atan(width_mm / 2 / lab["focal_mm"]))
        assert got == pytest.approx(real, abs=0.01), path.name
        assert lab["pixel_um"] == pytest.approx(STORED[instrument][1] * pixel)  # 8 times fewer, larger
    assert horizontal_fov_deg(SMALL_PCAM) == pytest.approx(19.7466, abs=1e-3)


def test_images_are_not_blank(sample):
    folder, _ = sample
    for path in _camera_labels(folder):
        image = _image(path).astype(np.float64)
        ground = image[STAMP_ROWS:]
        assert ground.std() > 5.0, path.name  # shaded relief, not a flat fill (13 days: 6.7 and up)
        assert 40.0 < ground.mean() < 200.0, path.name
        # every frame looks down (pitch -23.9 at most): no black sky in it, ground in every row
        assert (ground.mean(axis=(1, 2)) > 20.0).all(), path.name
        assert np.percentile(ground, 99) > 1.25 * np.percentile(ground, 1), path.name  # contrast


def test_far_rows_are_darker_on_average_in_the_upper_frames(sample):
    """Slight darkening with distance: the top of a pitch -23.9 frame is about 4.5 m away, its bottom 3 m."""
    folder, _ = sample
    top, bottom = [], []
    for path in sorted((folder / "PCAM").glob("*L")):
        if _label(path)["pitch"] == -23.9:
            image = _image(path).astype(np.float64)
            top.append(image[20:60].mean())
            bottom.append(image[-40:].mean())
    assert len(top) == len(bottom) > 10
    assert np.mean(top) < np.mean(bottom)


def test_sky_is_black_above_the_horizon_and_ground_lit_below():
    # looking 2 degrees down, the level horizon crosses the frame 2 degrees above its centre line
    # (no sample frame shows sky: the highest, pitch -23.9, reaches up to -16.6 degrees)
    image = render_view((10.0, 20.0, 0.0), 300.0, -2.0, SMALL_PCAM, text="test").astype(np.float64)
    f_px = 50.0 / 59.2e-3
    horizon_row = 216 / 2 - f_px * math.tan(math.radians(2.0))
    sky, ground = image[STAMP_ROWS:int(horizon_row) - 1], image[int(horizon_row) + 3:]
    assert len(sky) > 20 and len(ground) > 20
    assert (sky == 0).all()
    assert (ground.mean(axis=(1, 2)) > 15.0).all()
    assert ground.std() > 10.0


def test_neighbouring_frames_differ(sample):
    folder, truth = sample
    by_station: dict[str, list[np.ndarray]] = {}
    for path in sorted((folder / "PCAM").glob("*L")):
        seq = path.name.split("_")[-2]
        by_station.setdefault(seq, []).append(_image(path).astype(np.int16))
    assert len(by_station) == len(truth.stations)
    for frames in by_station.values():
        for a, b in zip(frames, frames[1:], strict=False):
            assert np.abs(a[STAMP_ROWS:] - b[STAMP_ROWS:]).mean() > 5.0


def _pixel_rays(azimuth, elevation, camera):
    """World (E, N, U) unit rays of every pixel centre, (lines, samples, 3), and the camera axes."""
    f, pixel_um, samples, lines = camera[:4]
    a, e = math.radians(azimuth), math.radians(elevation)
    fwd = np.array([math.sin(a) * math.cos(e), math.cos(a) * math.cos(e), math.sin(e)])
    right = np.array([math.cos(a), -math.sin(a), 0.0])
    up = np.cross(right, fwd)
    p = pixel_um * 1e-3
    x = (np.arange(samples) + 0.5 - samples / 2) * p
    y = (lines / 2 - np.arange(lines) - 0.5) * p
    rays = f * fwd + x[None, :, None] * right + y[:, None, None] * up
    return rays / np.linalg.norm(rays, axis=2, keepdims=True), (fwd, right, up)


def test_overlapping_frames_agree_where_they_overlap():
    """The relief is in world coordinates: the 12.9 degree mosaic step leaves ~100 columns seen twice."""
    camera, where = SMALL_PCAM, (-3.0, 17.0, 0.0)
    left = render_view(where, 287.1, -23.9, camera).astype(np.float64)
    right = render_view(where, 300.0, -23.9, camera).astype(np.float64)
    rays, _ = _pixel_rays(300.0, -23.9, camera)
    _, (fwd, r_axis, u_axis) = _pixel_rays(287.1, -23.9, camera)
    f_px = camera[0] / (camera[1] * 1e-3)
    z = rays @ fwd  # project the right frame's rays into the left frame
    col = np.rint(rays @ r_axis / z * f_px + camera[2] / 2 - 0.5).astype(int)
    row = np.rint(camera[3] / 2 - 0.5 - rays @ u_axis / z * f_px).astype(int)
    seen = (col >= 0) & (col < camera[2]) & (row >= STAMP_ROWS) & (row < camera[3])
    seen[:STAMP_ROWS] = False
    assert 15_000 < seen.sum() < 40_000
    a = right[seen].mean(axis=1)
    b = left[row[seen], col[seen]].mean(axis=1)
    assert np.corrcoef(a, b)[0, 1] > 0.9
    assert np.abs(a - b).mean() < 6.0


def test_rendering_is_deterministic(sample, tmp_path):
    folder, _ = sample
    a = render_view((5.0, -2.0, 0.1), 45.0, -30.0, SMALL_PCAM, text="x", seed=7)
    b = render_view((5.0, -2.0, 0.1), 45.0, -30.0, SMALL_PCAM, text="x", seed=7)
    assert a.dtype == np.uint8 and a.shape == (216, 294, 3)
    assert np.array_equal(a, b)
    other = render_view((5.0, -2.0, 0.1), 45.0, -30.0, SMALL_PCAM, text="x", seed=8)
    assert not np.array_equal(a, other)  # the seed makes the world
    again = tmp_path / "ce4"
    write_sample_archive(again, days=2)
    for path in _camera_labels(folder):
        data = path.with_name(path.name[:-1])
        assert data.read_bytes() == (again / path.parent.name / data.name).read_bytes(), data.name


def test_labels_only_without_images(tmp_path, sample):
    folder, _ = sample
    truth = write_sample_archive(tmp_path / "ce4", days=2, images=False)
    written = _camera_labels(tmp_path / "ce4")
    assert len(list((tmp_path / "ce4" / "PCAM").glob("*L"))) == 6 * len(truth.stations)
    assert not [p for p in (tmp_path / "ce4").rglob("*") if p.parent.name in STORED
                and not p.name.endswith("L")]
    assert len(written) == len(_camera_labels(folder))
    # the labels are the same either way: they describe the product, present or not
    for path in written:
        assert path.read_bytes() == (folder / path.parent.name / path.name).read_bytes()


def test_write_image_data_is_line_sample_band_with_band_fastest(tmp_path):
    lines, samples, bands = 3, 4, 3
    array = np.arange(lines * samples * bands, dtype=np.uint8).reshape(lines, samples, bands)
    array = array * 2  # distinct values
    assert write_image_data(tmp_path / "x", array) == lines * samples * bands
    raw = (tmp_path / "x").read_bytes()
    for line in range(lines):
        for sample in range(samples):
            for band in range(bands):
                assert raw[(line * samples + sample) * bands + band] == array[line, sample, band]
    with pytest.raises(ValueError, match="uint8"):
        write_image_data(tmp_path / "y", array.astype(np.float32))
